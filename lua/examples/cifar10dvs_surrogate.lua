-- cifar10dvs_surrogate.lua: a spiking convolutional network trained on
-- CIFAR10-DVS frames with surrogate gradients (backpropagation through
-- the frames) with the recipe of SpikingJelly's DVS128 Gesture tutorial,
-- which trains the same family of networks: LIF neurons (tau 2,
-- detach_reset, atan surrogate), the mean squared error between the
-- output layer's firing rate and the one-hot label (loss "mse_rate"),
-- Adam (here with a cosine schedule). It prints each epoch's loss,
-- accuracy and time, then the spike rate of every layer and the
-- multiply-accumulates a sample costs.
--
--   snnwb -e lua/examples/cifar10dvs_surrogate.lua [options]
--
-- Options:
--   --quick            the preset for a small machine (see below)
--   --root DIR         the recordings (see snn.data.cifar10_dvs; real, or
--                      made by datasets/simulate-cifar10-dvs)
--   --frames N         frames a recording, split by number (default 10)
--   --size N           frame side (default 128; --quick 48)
--   --channels LIST    channels of the conv blocks, such as 16,32,64
--   --hidden N         the hidden linear layer, 0 for none
--   --epochs N         (default 64; --quick 8)
--   --batch N          (default 16; --quick 32)
--   --lr LR            Adam's learning rate, cosine schedule (default 1e-3)
--   --train-ratio R    the fraction of each class for training (0.9)
--   --seed S           (default 0)
--   --run-dir DIR      (default runs/cifar10dvs-surrogate)
--   --resume           continue the training in --run-dir
--   --overwrite        start the training in --run-dir again, replacing it
--
-- The full preset is SpikingJelly's parametric_lif_net.CIFAR10DVSNet on
-- 128 x 128 frames: four blocks of conv 3x3 (128 channels, no bias),
-- batch norm, LIF and 2x2 max pooling, dropout 0.5, Linear 8192-512, LIF,
-- dropout 0.5, and a linear readout with LIF neurons; ours reads out 10
-- neurons where theirs has 100 and a VotingLayer(10). It costs 835
-- million multiply-accumulates a frame, too much for a small machine. The
-- quick preset keeps the pattern at 48 x 48: blocks of 16, 32 and 64
-- channels, no hidden layer, no dropout, the readout from 64 x 6 x 6
-- features (6.0 million multiply-accumulates a frame).
--
-- Multiply-accumulates (MACs) are counted from the layer shapes by
-- snn.models.cifar10dvs: a convolution out * in * 3 * 3 * H * W at its
-- output size, a linear layer in * out; batch norm, pooling and neurons
-- are left out. A sample of F frames is F time steps, so its forward pass
-- costs F times a frame's MACs; a training step adds the backward pass
-- (about twice the forward). README lists what the quick preset reaches.

local cli = require("snnwb.cli")
local convdemo = require("snnwb.convdemo")
local models = require("snnwb.models")

local presets = {
	full = { frames = 10, size = 128, channels = "128,128,128,128",
		hidden = 512, dropout = 0.5, epochs = 64, batch = 16,
		lr = 1e-3 },
	quick = { frames = 10, size = 48, channels = "16,32,64", hidden = 0,
		dropout = 0, epochs = 8, batch = 32, lr = 1e-3 },
}

-- Reads the command line into a table of options over the preset.
local function options(argv)
	local o = convdemo.options(argv, {}, { quick = true, resume = true,
		overwrite = true })
	cli.preset(o, presets[o.quick and "quick" or "full"])
	o.seed = o.seed or 0
	o.train_ratio = o.train_ratio or 0.9
	o.channels = convdemo.numbers(o.channels, "channels")
	return o
end

local o = options(arg)
snn.seed(o.seed)
local net, macs = models.cifar10dvs{ channels = o.channels, size = o.size,
	hidden = o.hidden, dropout = o.dropout, activation = "lif" }
local data = { root = o.root, frames = o.frames, size = o.size,
	train_ratio = o.train_ratio }
data.split = "train"
local train = snn.data.cifar10_dvs(data)
data.split = "test"
local test = snn.data.cifar10_dvs(data)
local run_dir = o.run_dir or require("snnwb.files").runs("cifar10dvs-surrogate")
print(("CIFAR10-DVS, surrogate-gradient SNN (conv %s, %d x %d, %d " ..
    "frames): %d train, %d test recordings, %d epochs of batch %d")
    :format(table.concat(o.channels, "-"), o.size, o.size, o.frames,
    #train, #test, o.epochs, o.batch))
local last_seconds, epoch_seconds = 0, {}
local h = snn.train{ net = net, data = train, test = test,
	epochs = o.epochs, batch = o.batch, seed = o.seed, loss = "mse_rate",
	optimizer = snn.optim.adam{ lr = o.lr,
		schedule = { name = "cosine", t_max = o.epochs } },
	run_dir = run_dir, resume = o.resume, overwrite = o.overwrite,
	on_epoch = function(s)
		local dt = s.seconds - last_seconds
		last_seconds = s.seconds
		epoch_seconds[#epoch_seconds + 1] = dt
		print(("epoch %3d  loss %.4f  train %5.1f%%  test %5.1f%%  " ..
		    "%6.1f s  %5.1f samples/s"):format(s.epoch, s.loss,
		    100 * s.acc, 100 * s.test_acc, dt, s.samples_per_s))
	end }
local last = h.epochs[#h.epochs]
print("spike rate per layer (training, last epoch):")
for k, name in ipairs(last.layers) do
	print(("  %-24s %.4f"):format(name, last.spike_rate[k]))
end
print("multiply-accumulates a frame:")
for _, l in ipairs(macs.layers) do
	print(("  %-24s %12d"):format(l.name, l.macs))
end
local total = 0
for _, s in ipairs(epoch_seconds) do
	total = total + s
end
print(("MACs a sample: %d a frame x %d frames = %.1f million (forward)")
    :format(macs.total, o.frames, macs.total * o.frames / 1e6))
print(("training: %.0f s for %d epochs, %.1f s an epoch"):format(total,
    #epoch_seconds, total / math.max(1, #epoch_seconds)))
print(("test accuracy: final %.2f%%, best %.2f%%, %d inference steps")
    :format(100 * last.test_acc, 100 * models.best_test_acc(h), o.frames))
print("run directory: " .. run_dir)
