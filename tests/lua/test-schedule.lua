-- test-schedule.lua: the learning-rate schedules as snn.train applies them
-- on a tiny set: "cosine" alone anneals over the run's epochs, "step"
-- says what it needs, and help() shows the table forms with their quotes.
local tap = require("tap")
local tiny = require("tinymnist")

local dir = tiny.write(32, 16)
local data = snn.data.mnist{ root = dir, T = 4, encoding = "poisson",
	seed = 3 }

-- CosineAnnealingLR with T_max = 4 epochs, base 0.1: 0.1 (1 + cos(pi e /
-- 4)) / 2 for e = 0..3 is 0.1, 0.0853553, 0.05, 0.0146447.
local h = tiny.train({ data = data, batch = 16, seed = 5,
	optimizer = snn.optim.sgd{ lr = 0.1, schedule = "cosine" } }, 4)
local want = { 0.1, 0.0853553, 0.05, 0.0146447 }
for e = 1, 4 do
	tap.near(h.epochs[e].lr, want[e], 1e-6, ("schedule = \"cosine\": " ..
	    "t_max is the 4 epochs, lr %.7f in epoch %d"):format(want[e], e))
end
tap.is(h.epochs[1].lr, 0.1, "a record's lr reads as the decimal given, " ..
    "not as the float's double (0.10000000149)")
local opt = snn.optim.adam{ schedule = "cosine" }
tap.is(opt.schedule.t_max, nil, "an optimizer's cosine schedule leaves " ..
    "t_max to the run")
tap.is(snn.optim.adam(opt).schedule.name, "cosine",
    "its table makes the same optimizer again")
h = tiny.train({ data = data, batch = 16, seed = 5,
	optimizer = snn.optim.sgd{ lr = 0.1,
	schedule = { name = "cosine", t_max = 2 } } }, 3)
tap.near(h.epochs[3].lr, 0, 1e-7, "a t_max that is given is kept")
tiny.remove(dir)

tap.raises(function() snn.optim.adam{ schedule = "step" } end,
    "step schedule: step_size is not set (give schedule = {name = " ..
    "\"step\", step_size = epochs})", "\"step\" alone says what it needs")

-- help() renders the quotes inside the table forms as the man page does.
local lines = {}
local print0 = print
print = function(...) lines[#lines + 1] = table.concat({ ... }, " ") end
help(snn.optim.adam)
print = print0
local text = table.concat(lines, "\n"):gsub("%s+", " ")
tap.ok(text:find('{name = "step", step_size = 10, gamma = 0.5}', 1, true)
    ~= nil, "help(snn.optim.adam) quotes \"step\" alone")
tap.ok(text:find('{name = "multistep", milestones = {60, 120, 160}, ' ..
    'gamma = 0.2}', 1, true) ~= nil, "help quotes \"multistep\" alone")
tap.done()
