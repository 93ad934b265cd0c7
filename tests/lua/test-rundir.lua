-- test-rundir.lua: run directories through snn.train: an empty name is
-- refused, a finished run is kept unless resume or overwrite says
-- otherwise, a resume refuses a crafted epoch and NaN weights, keeps
-- metrics.csv's header and knows the best epoch, a diverging run stops and
-- keeps the checkpoints of the epochs before it, the checkpoint holds only
-- the state_dict (the optimizer state has its own file), a slow on_epoch
-- still stops training, Ctrl-C before the first checkpoint says there is
-- none, and config.json records any data path.
local tap = require("tap")
local tiny = require("tinymnist")
local files = require("snnwb.files")
local json = require("snnwb.json")

local dir, data, test = tiny.sets(32, 16)

-- Trains a new network for epochs; options adds to or overrides the
-- settings. Returns the history (or raises) and the network.
local settings = { data = data, batch = 8, seed = 5,
	optimizer = snn.optim.adam{ lr = 1e-3 } }
local function train(epochs, options)
	return tiny.train(settings, epochs, options)
end

-- Returns the names of the files in folder d, sorted, joined by spaces.
local function listing(d)
	return files.output("ls " .. files.quote(d) .. " | paste -s -d ' '")
end

-- Returns the epoch rows of metrics.csv in run directory d, by epoch.
local function epoch_rows(d)
	local rows = {}
	for line in (files.read(d .. "/metrics.csv") or ""):gmatch("[^\n]+") do
		if line:find("^epoch,") then
			rows[#rows + 1] = line:match("^epoch,(%d+),")
		end
	end
	return table.concat(rows, " ")
end

-- An empty folder name is refused (it overflowed a buffer once).
tap.raises(function() train(1, { run_dir = "" }) end,
    "snn.train: the run directory name is empty",
    "run_dir: an empty name is refused")

-- A finished run is kept: running again into its folder is refused,
-- naming both ways on, and leaves every file as it was.
local run = dir .. "/run"
train(2, { run_dir = run })
tap.is(listing(run), "best.safetensors checkpoint.safetensors config.json " ..
    "lock metrics.csv optimizer-2.safetensors",
    "run_dir: the files of a run, with the optimizer state of its last epoch")
local ckpt = files.read(run .. "/checkpoint.safetensors")
local metrics = files.read(run .. "/metrics.csv")
tap.raises(function() train(2, { run_dir = run }) end,
    "holds a run already (checkpoint.safetensors): pass resume = true " ..
    "to continue it or overwrite = true to replace it",
    "run_dir: a second run into a finished one is refused")
tap.ok(files.read(run .. "/checkpoint.safetensors") == ckpt and
    files.read(run .. "/metrics.csv") == metrics,
    "run_dir: the refused run changed neither checkpoint nor metrics.csv")
tap.raises(function() train(2, { run_dir = run, resume = true,
    overwrite = true }) end, "resume and overwrite exclude each other",
    "run_dir: resume and overwrite together are refused")

-- A resume onto a metrics.csv with other columns (an older snnwb's,
-- without dead) is refused before anything in the folder is written.
local config = files.read(run .. "/config.json")
local old = files.read(run .. "/metrics.csv")
files.write(run .. "/metrics.csv", (old:gsub(",dead\n", "\n", 1)))
local older = files.read(run .. "/metrics.csv")
ok, err = pcall(train, 3, { run_dir = run, resume = true, batch = 4 })
tap.ok(not ok and tostring(err):find("has other columns", 1, true) and
    files.read(run .. "/config.json") == config and
    files.read(run .. "/metrics.csv") == older,
    "resume: other columns refused, config.json and metrics.csv untouched")
files.write(run .. "/metrics.csv", old)

-- resume = true continues it; overwrite = true replaces it.
-- (optimizer-1 stands for the state a crash between two writes left.)
files.write(run .. "/optimizer-1.safetensors", "stale")
local h = train(3, { run_dir = run, resume = true })
tap.is(#h.epochs, 1, "resume: only epoch 3 runs")
tap.is(epoch_rows(run), "1 2 3", "resume: metrics.csv holds epochs 1 to 3")
tap.is(listing(run), "best.safetensors checkpoint.safetensors config.json " ..
    "lock metrics.csv optimizer-3.safetensors",
    "resume: the optimizer state of epoch 3 replaces those of before")
h = train(1, { run_dir = run, overwrite = true })
tap.is(#h.epochs, 1, "overwrite: the run starts again")
tap.is(epoch_rows(run), "1", "overwrite: metrics.csv holds the new run only")
tap.is(listing(run), "best.safetensors checkpoint.safetensors config.json " ..
    "lock metrics.csv optimizer-1.safetensors",
    "overwrite: no file of the old run is left")

-- The checkpoint is a state_dict (PyTorch's strict load takes it), and
-- the best epoch's weights load too.
local net = tiny.network()
tap.ok(net:load(run .. "/checkpoint.safetensors", { strict = true }),
    "checkpoint: net:load with strict takes it: nothing but the network")
tap.ok(net:load(run .. "/best.safetensors", { strict = true }),
    "best.safetensors: net:load with strict takes it")

-- Returns the checkpoint text ck with its metadata key set to value.
local function craft(ck, key, value)
	local n = string.unpack("<I8", ck)
	local header = ck:sub(9, 8 + n)
	local edited, count = header:gsub('"' .. key:gsub("%.", "%%.") ..
	    '":%s*"[^"]*"', '"' .. key .. '":"' .. value .. '"')
	assert(count == 1, "no " .. key .. " in the header")
	return string.pack("<I8", #edited) .. edited .. ck:sub(9 + n)
end

-- A crafted or damaged epoch is refused on resume, and metrics.csv stays.
train(2, { run_dir = dir .. "/crafted" })
local good = files.read(dir .. "/crafted/checkpoint.safetensors")
metrics = files.read(dir .. "/crafted/metrics.csv")
for _, epoch in ipairs{ "-7", "abc", "99999999999", "", "5" } do
	files.write(dir .. "/crafted/checkpoint.safetensors",
	    craft(good, "snnwb.epoch", epoch))
	local ok, err = pcall(train, 4, { run_dir = dir .. "/crafted",
		resume = true })
	tap.ok(not ok and tostring(err):find("snnwb.epoch", 1, true) or
	    tostring(err):find("checkpoint of epoch 5", 1, true),
	    ("resume: epoch \"%s\" is refused: %s"):format(epoch,
	    tostring(err)))
	tap.ok(files.read(dir .. "/crafted/metrics.csv") == metrics,
	    ("resume: epoch \"%s\" leaves metrics.csv as it was"):format(epoch))
end

-- NaN weights are refused on resume, and not called good.
local n = string.unpack("<I8", good)
files.write(dir .. "/crafted/checkpoint.safetensors", good:sub(1, 8 + n) ..
    string.pack("<f", 0 / 0) .. good:sub(13 + n))
local ok, err = pcall(train, 4, { run_dir = dir .. "/crafted",
	resume = true })
tap.ok(not ok and tostring(err):find("holds NaN at element", 1,
    true) and not tostring(err):find("good", 1, true),
    "resume: NaN weights are refused: " .. tostring(err))

-- A run that diverges (Adam's learning rate jumps from 1e-3 to 1e5 after
-- epoch 1, so that each step moves a weight by about 1e5) stops in epoch
-- 2, naming it, and keeps the checkpoint and the best weights of epoch 1:
-- byte for byte those of a run of epoch 1 alone.
local function diverging(epochs, run_dir)
	return train(epochs, { run_dir = run_dir, test = test,
		optimizer = snn.optim.adam{ lr = 1e-3, schedule = {
		name = "step", step_size = 1, gamma = 1e8 } } })
end
diverging(1, dir .. "/one")
ok, err = pcall(diverging, 3, dir .. "/div")
tap.ok(not ok and tostring(err):find("training diverged in epoch 2: a " ..
    "value of 1.weight is", 1, true) and
    tostring(err):find("holds the checkpoint of epoch 1", 1, true),
    "divergence: the run stops in epoch 2: " .. tostring(err))
tap.ok(files.read(dir .. "/div/checkpoint.safetensors") ==
    files.read(dir .. "/one/checkpoint.safetensors") and
    files.read(dir .. "/div/best.safetensors") ==
    files.read(dir .. "/one/best.safetensors"),
    "divergence: the checkpoint and best weights are those of epoch 1")
tap.is(epoch_rows(dir .. "/div"), "1",
    "divergence: metrics.csv has no row of the diverged epoch")

-- A resume of a run killed in its first epoch (rows, no checkpoint)
-- keeps metrics.csv's header, drops the rows, and starts at epoch 1.
local early = dir .. "/early"
train(1, { run_dir = early })
local header = files.read(early .. "/metrics.csv"):match("^[^\n]*\n")
os.remove(early .. "/checkpoint.safetensors")
files.write(early .. "/metrics.csv",
    header .. "batch,1,1,0.123456789\nbatch,1,2,0.")
h = train(2, { run_dir = early, resume = true })
local text = files.read(early .. "/metrics.csv")
tap.ok(#h.epochs == 2 and text:sub(1, #header) == header and
    not text:find("0.123456789", 1, true) and epoch_rows(early) == "1 2" and
    select(2, text:gsub("kind,", "")) == 1,
    "resume without a checkpoint: the header kept once, old rows dropped")

-- A resume knows the best epoch so far from best.safetensors: weights
-- claiming a test accuracy of 2 are never replaced, those claiming -1
-- are by the next epoch.
local best_run = dir .. "/best"
train(1, { run_dir = best_run, test = test })
local best = files.read(best_run .. "/best.safetensors")
tap.ok(best:find('"snnwb.best":"test_acc=', 1, true) ~= nil,
    "best.safetensors: its metadata names the test accuracy")
for _, case in ipairs{ { "2", 2, true }, { "-1", 3, false } } do
	local claimed = craft(best, "snnwb.best", "test_acc=" .. case[1])
	files.write(best_run .. "/best.safetensors", claimed)
	train(case[2], { run_dir = best_run, test = test, resume = true })
	tap.is(files.read(best_run .. "/best.safetensors") == claimed, case[3],
	    ("resume: best weights claiming test accuracy %s are %s")
	    :format(case[1], case[3] and "kept" or "replaced"))
end

-- on_epoch returning false stops training even when the hook is far
-- slower than an epoch.
local calls = 0
h = train(50, { on_epoch = function(stats)
	calls = calls + 1
	os.execute("sleep 0.3")
	return stats.epoch < 2
end })
tap.ok(#h.epochs == 2 and calls == 2, ("on_epoch: a slow hook's false " ..
    "stops after its epoch (%d epochs, %d calls)"):format(#h.epochs, calls))

-- Ctrl-C in the first epoch (SIGINT from a shell that os.execute starts,
-- whose parent is snnwb) stops the run and says that it left no
-- checkpoint. The epoch, 2000 batches through a wider network, lasts
-- seconds.
local long = tiny.write(2000, 0)
local wide = snn.sequential{ snn.flatten(), snn.linear(784, 512),
	snn.lif{}, snn.linear(512, 10), snn.lif{} }
local long_data = snn.data.mnist{ root = long, T = 4 }
os.execute("(sleep 0.3; kill -INT $PPID) &")
ok, err = pcall(snn.train, { net = wide, data = long_data, batch = 1,
	run_dir = long .. "/run" })
tap.ok(not ok and tostring(err):find("interrupted", 1, true) and
    tostring(err):find("no epoch finished, so " .. long .. "/run holds " ..
    "no checkpoint", 1, true) and
    not files.exists(long .. "/run/checkpoint.safetensors"),
    "Ctrl-C in the first epoch: no checkpoint claimed: " .. tostring(err))
tiny.remove(long)

-- config.json records a data folder whose name holds " and \.
local odd = dir .. '/da"ta\\set'
assert(os.execute("mkdir " .. files.quote(odd) .. " && cp " ..
    files.quote(dir) .. "/*-ubyte " .. files.quote(odd)))
train(1, { run_dir = dir .. "/odd", data = snn.data.mnist{ root = odd,
	T = 4 } })
local config = json.decode(files.read(dir .. "/odd/config.json"))
tap.is(config.data and config.data.train and config.data.train.root, odd,
    "config.json: a data root with \" and \\ is recorded as it is")

tiny.remove(dir)
tap.done()
