-- sim2real.lua: how well the simulator stands in for the real sensor.
-- Trains the two-layer SNN of lua/examples/nmnist_two_layer.lua (2312-800-
-- 10, LIF tau 2 with detach_reset, atan, T = 10 by number, Adam 1e-3,
-- batch 64) only on simulated recordings of MNIST training images, leaving
-- out the images that the 1,000 real recordings of the shared subset show,
-- and tests it on those real recordings.
--
--   snnwb -e bench/sim2real.lua [EPOCHS [TRAIN]]
--
-- EPOCHS defaults to 6; TRAIN (default all 59,000 left) takes the first
-- TRAIN of the remaining images. Reads ../shared/datasets beside the
-- source tree (or $SNNWB_SHARED/datasets); the simulated set is made once
-- into $SNNWB_DATA/nmnist-sim2real-TRAIN (or under
-- ${XDG_DATA_HOME:-~/.local/share}/snnwb/) and reused; the run directory
-- is runs/sim2real.
local models = require("snnwb.models")
local simulate = require("snnwb.simulate")

local EPOCHS = math.tointeger(tonumber(arg[1] or 6))
local TRAIN = math.tointeger(tonumber(arg[2] or 59000))
local SEED = 0
if not EPOCHS or EPOCHS < 1 or not TRAIN or TRAIN < 1 or TRAIN > 59000 then
	error("usage: snnwb -e bench/sim2real.lua [EPOCHS [TRAIN]] " ..
	    "(EPOCHS >= 1, TRAIN 1..59000)", 0)
end

local src = arg[0]:match("^(.*)/bench/[^/]*$") or "."
local shared = (os.getenv("SNNWB_SHARED") or src .. "/../shared") ..
    "/datasets"
local frames = { frames = 10, split_by = "number" }

frames.root, frames.split = shared .. "/nmnist-subset", "train"
local real = snn.data.nmnist(frames)
local skip = {}
for _, id in ipairs(real:ids()) do
	skip[id] = true
end
local ids = {}
for id = 1, 60000 do
	if not skip[id] and #ids < TRAIN then
		ids[#ids + 1] = id
	end
end

local dir = simulate.data_dir("nmnist-sim2real-" .. TRAIN)
local made = simulate.ensure{ out = dir, mnist = shared .. "/mnist",
	train = ids, seed = SEED }
print(made.reused and ("reusing the simulated recordings in %s")
    :format(dir) or ("simulated %d recordings into %s in %.1f s (%.0f " ..
    "a second)"):format(made.train, dir, made.seconds,
    made.train / made.seconds))
frames.root = dir
local train = snn.data.nmnist(frames)
for _, id in ipairs(train:ids()) do
	if skip[id] then
		error(("%s holds image %d, which a real recording shows: " ..
		    "remove the folder and run again"):format(dir, id), 0)
	end
end

print(("train on %d simulated recordings (none of the %d real images), " ..
    "test on %d real N-MNIST recordings, %d epochs"):format(#train,
    #real, #real, EPOCHS))
snn.seed(SEED)
local history = snn.train{
	net = models.nmnist_two_layer{ surrogate = snn.surrogate.atan() },
	data = train, test = real, epochs = EPOCHS, batch = 64, seed = SEED,
	optimizer = snn.optim.adam{ lr = 1e-3 }, loss = "mse_rate",
	run_dir = "runs/sim2real", on_epoch = models.print_epoch,
}
print(("accuracy on the 1,000 real recordings: final %.2f%%, best %.2f%%")
    :format(100 * history.epochs[#history.epochs].test_acc,
    100 * models.best_test_acc(history)))
