-- quickstart.lua: the quick start's main job (see README): trains the
-- two-layer SNN of SpikingJelly's N-MNIST tutorial (2312-800-10, LIF tau 2
-- with detach_reset, atan surrogate, T = 10 frames split by number, Adam
-- 1e-3, batch 64) and prints its test accuracy.
--
--   snnwb -e lua/examples/quickstart.lua
--
-- Data: real N-MNIST where snn.data.nmnist finds both splits ($SNNWB_DATA,
-- see snnwb-lua(7)), TRAIN recordings of its train split drawn by the seed
-- and all of its test split. Otherwise MNIST (fetched with datasets/fetch
-- unless snn.data.mnist finds it) and recordings simulated from its first
-- TRAIN training and TEST test images, made once into
-- $SNNWB_DATA/nmnist-sim-TRAIN-TEST (or ${XDG_DATA_HOME:-~/.local/share}/
-- snnwb/nmnist-sim-TRAIN-TEST) and reused by later runs. The run
-- directory is runs/quickstart ($SNNWB_RUNS/quickstart when set);
-- running the demo again replaces the run there (overwrite).
local models = require("snnwb.models")
local simulate = require("snnwb.simulate")

local TRAIN, TEST, EPOCHS, SEED = 20000, 2000, 8, 0
local RUN_DIR = require("snnwb.files").runs("quickstart")

-- The source tree, for datasets/fetch: the folder above lua/examples/.
local src = arg[0]:match("^(.*)/lua/examples/[^/]*$") or "."

-- The options of snn.data.nmnist for split (under root, if given).
local function options(split, root)
	return { split = split, root = root, frames = 10, split_by = "number" }
end

snn.seed(SEED)
local train, test, what, root
local found, real = pcall(snn.data.nmnist, options("train"))
local found_test, real_test = false, nil
if found then
	found_test, real_test = pcall(snn.data.nmnist, options("test"))
end
if found and found_test then
	train = #real > TRAIN and real:split(TRAIN, { seed = SEED }) or real
	test = real_test
	what = simulate.record(real:root()) and "simulated N-MNIST" or
	    "N-MNIST"
	print(("using the %s in %s"):format(what, real:root()))
else
	local dir = simulate.data_dir(("nmnist-sim-%d-%d"):format(TRAIN,
	    TEST))
	local record = simulate.record(dir)
	if not (record and record.complete) then
		snn.log("no N-MNIST found: simulating it from MNIST (one " ..
		    "time, about 10 s; for the real recordings see " ..
		    "datasets/README)")
	end
	simulate.fetch_mnist(src .. "/datasets/fetch")
	local made = simulate.ensure{ out = dir, train = TRAIN, test = TEST,
		seed = SEED }
	print(made.reused and ("reusing the simulated N-MNIST in %s")
	    :format(dir) or ("simulated %d + %d N-MNIST recordings in " ..
	    "%s in %.1f s"):format(made.train, made.test, dir, made.seconds))
	train = snn.data.nmnist(options("train", dir))
	test = snn.data.nmnist(options("test", dir))
	what = "simulated N-MNIST"
	root = dir
end

print(("%s, two-layer SNN 2312-800-10, atan, T = 10: %d train, " ..
    "%d test recordings, %d epochs"):format(what, #train, #test, EPOCHS))
local history = snn.train{
	net = models.nmnist_two_layer{ surrogate = snn.surrogate.atan() },
	data = train, test = test, epochs = EPOCHS, batch = 64, seed = SEED,
	optimizer = snn.optim.adam{ lr = 1e-3 }, loss = "mse_rate",
	run_dir = RUN_DIR, overwrite = true,
	on_epoch = function(s)
		print(models.epoch_line(s))
	end,
}
local last = history.epochs[#history.epochs]
print(("test accuracy on %s: %.2f%% (%d recordings)"):format(what,
    100 * last.test_acc, #test))
print("run directory: " .. require("snnwb.files").absolute(RUN_DIR))
if root then
	print(("in a session, load this set with snn.data.nmnist{root = " ..
	    "%q, split = \"train\"}"):format(root))
end
