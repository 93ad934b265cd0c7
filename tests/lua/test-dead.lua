-- test-dead.lua: dead networks are flagged: a network whose weights are
-- all -1 never spikes, so its loss is the same in every batch; its epochs
-- are dead in the records, metrics.csv, the examples' epoch line, the
-- progress line on a terminal and a sweep's summary; a network that
-- learns has none.
local tap = require("tap")
local tiny = require("tinymnist")
local models = require("snnwb.models")
local files = require("snnwb.files")

local dir, data, test = tiny.sets(32, 16)

-- The tiny network, its weights all -1 when silent.
local function network(silent)
	local net = tiny.network()
	if silent then
		net:params()["1.weight"]:fill(-1)
	end
	return net
end

-- The run of cfg: three epochs of the network, dead when cfg.silent.
local function run(cfg)
	snn.train{ net = network(cfg.silent), data = data, test = test,
		epochs = 3, batch = 8, seed = cfg.seed, run_dir = cfg.run_dir,
		resume = cfg.resume, on_epoch = function(s)
			cfg.lines = (cfg.lines or "") .. models.epoch_line(s) ..
			    "\n"
		end }
	return { lines = cfg.lines }
end

local s = snn.sweep{ name = "dead", dir = dir .. "/sweep", seeds = { 1, 2 },
	grid = { silent = { true, false } }, run = run }
local silent, alive = s.rows[1], s.rows[2]
tap.ok(silent.values.silent and silent.dead == 2 and alive.dead == 0,
    ("summary: both silent runs are dead, no learning run (%d, %d)")
    :format(silent.dead, alive.dead))
local rows = snn.sweep.metrics(dir .. "/sweep/silent=true,seed=1")
local dead = {}
for i, row in ipairs(rows) do
	dead[i] = row.dead
end
tap.is(table.concat(dead, " "), "1 1 1", "metrics.csv: every epoch of " ..
    "the silent network is dead")
tap.ok(rows[1].loss == rows[3].loss and rows[1]["2.spike_rate"] == 0,
    "metrics.csv: its loss is constant and its spike rate 0")
rows = snn.sweep.metrics(dir .. "/sweep/silent=false,seed=1")
dead = {}
for i, row in ipairs(rows) do
	dead[i] = row.dead
end
tap.is(table.concat(dead, " "), "0 0 0", "metrics.csv: no epoch of the " ..
    "learning network is dead")
local lines = {}
for _, r in ipairs(s.runs) do
	lines[r.name] = r.result.lines
end
local _, n = lines["silent=true,seed=1"]:gsub("DEAD: a layer silent, " ..
    "loss constant\n", "")
tap.is(n, 3, "epoch_line: DEAD on each epoch of the silent network")
tap.ok(not lines["silent=false,seed=1"]:find("DEAD", 1, true),
    "epoch_line: no DEAD for the learning network")
local md = snn.sweep.markdown(s)
tap.ok(md:find("\n| true | 2 | 2/2 | ", 1, true) and
    md:find("\n| false | 2 | 0/2 | ", 1, true),
    "summary.md: the dead runs of each configuration")

-- The records, and the progress line that a terminal shows.
local h = snn.train{ net = network(true), data = data, epochs = 2,
	batch = 8 }
tap.ok(h.epochs[1].dead == true and h.epochs[2].dead == true and
    h.batches[1].dead == nil, "history: epoch records say dead, batch " ..
    "records nothing")
local script = dir .. "/progress.lua"
assert(io.open(script, "w")):write(([[
package.path = %q .. ";" .. package.path
local tiny = require("tinymnist")
local net = tiny.network()
net:params()["1.weight"]:fill(-1)
snn.train{ net = net, data = snn.data.mnist{ root = %q, T = 4 },
	epochs = 1, batch = 8 }
]]):format(package.path, dir)):close()
local first = 0
while arg[first - 1] do
	first = first - 1
end
local p = io.popen(("script -qec %s /dev/null 2>&1"):format(files.quote(
    files.quote(files.absolute(arg[first])) .. " -e " ..
    files.quote(script))))
local out = p:read("a")
p:close()
if out:find("job 1: epoch 1/1", 1, true) then
	tap.ok(out:find("job 1: epoch 1/1 loss [%d.]+ acc [%d.]+%% %(%w+%) " ..
	    "DEAD: a layer silent, loss constant"), "progress line: DEAD " ..
	    "after the epoch")
else
	tap.skip(1, "no progress line through script(1): " .. out)
end
os.execute("rm -rf '" .. dir .. "'")
tap.done()
