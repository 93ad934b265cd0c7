-- cifar10_wrn.lua: a WideResNet (parseval-network-pytorch's, see
-- snn.models.wrn) trained on CIFAR-10 with the WRN recipe: SGD with
-- Nesterov momentum 0.9, weight decay 5e-4, batch 128, learning rate 0.1
-- times 0.2 after epochs 60, 120 and 160, 200 epochs, dropout 0.3, random
-- crops with padding 4 and horizontal flips.
--
--   snnwb -e lua/examples/cifar10_wrn.lua [options]
--
-- Options:
--   --quick         the preset for a small machine (see below)
--   --model NAME    wrn (default) or resnet9 (models.resnet9)
--   --width W       resnet9's width (default 64)
--   --depth N       6n + 4 (default 28)
--   --widen K       (default 10)
--   --dropout P     (default 0.3)
--   --epochs N      (default 200; the milestones scale with it)
--   --batch N       (default 128)
--   --lr LR         (default 0.1)
--   --subset N      train on N training images drawn by the seed (default
--                   all)
--   --root DIR      CIFAR-10's binary batches (default: $SNNWB_DATA/cifar10,
--                   see snn.data.cifar10 in snnwb-lua(7))
--   --seed S        (default 0)
--   --run-dir DIR   config, metrics and the checkpoint of each epoch
--                   (default runs/cifar10-MODEL)
--   --resume        continue the run in --run-dir from its checkpoint
--   --overwrite     start the run in --run-dir again, replacing it
-- The full recipe (WRN-28-10) is for a bigger machine: about 7 hours an
-- epoch on 2 cores, and even WRN-16-4 trains at about 23 images/s there.
-- So --quick trains a ResNet-9 of width 16 (models.resnet9: 24 million
-- multiply-accumulates an image) for 5 epochs with a cosine schedule;
-- README says what it reaches and how long it takes.

local models = require("snnwb.models")

local presets = {
	full = { model = "wrn", depth = 28, widen = 10, dropout = 0.3,
		epochs = 200, batch = 128, lr = 0.1, schedule = "multistep" },
	quick = { model = "resnet9", width = 16, epochs = 5, batch = 128,
		lr = 0.1, schedule = "cosine" },
}


local cli = require("snnwb.cli")
local o = cli.options(arg, { seed = 0 }, { quick = true, resume = true,
	overwrite = true })
cli.preset(o, presets[o.quick and "quick" or "full"])
snn.seed(o.seed)
local net, title
if o.model == "resnet9" then
	net = models.resnet9{ width = o.width or 64 }
	title = ("ResNet-9 of width %d"):format(o.width or 64)
elseif o.model == "wrn" then
	o.depth, o.widen = o.depth or 28, o.widen or 10
	o.dropout = o.dropout or 0.3
	net = models.wrn{ depth = o.depth, widen = o.widen,
		dropout = o.dropout, classes = 10 }
	title = ("WRN-%d-%d (dropout %g)"):format(o.depth, o.widen, o.dropout)
else
	error("unknown model '" .. tostring(o.model) .. "' (known: wrn, " ..
	    "resnet9)", 0)
end
local train = snn.data.cifar10{ root = o.root, split = "train",
	augment = true, seed = o.seed }
local test = snn.data.cifar10{ root = o.root, split = "test",
	augment = false }
if o.subset and o.subset < #train then
	train = train:split(o.subset, { seed = o.seed })
end

local schedule
if o.schedule == "multistep" then
	local m = {}
	for k, e in ipairs{ 60, 120, 160 } do
		m[k] = math.max(1, e * o.epochs // 200)
	end
	schedule = { name = "multistep", milestones = m, gamma = 0.2 }
else
	schedule = { name = "cosine", t_max = o.epochs }
end
local run_dir = o.run_dir or require("snnwb.files").runs("cifar10-" .. o.model)
print(("CIFAR-10, %s: %d train, %d test images, %d epochs of batch %d")
    :format(title, #train, #test, o.epochs, o.batch))
local start = os.time()
local history = snn.train{
	net = net, data = train, test = test, epochs = o.epochs,
	batch = o.batch, seed = o.seed, loss = "ce",
	optimizer = snn.optim.sgd{ lr = o.lr, momentum = 0.9,
		nesterov = true, weight_decay = 5e-4, schedule = schedule },
	run_dir = run_dir, resume = o.resume, overwrite = o.overwrite,
	on_epoch = function(s)
		print(("epoch %3d  loss %.4f  train %5.1f%%  test %5.1f%%  " ..
		    "%5.0f images/s"):format(s.epoch, s.loss, 100 * s.acc,
		    100 * s.test_acc, s.samples_per_s))
	end,
}
local last = history.epochs[#history.epochs]
print(("test accuracy: final %.2f%%, best %.2f%%, %d s"):format(
    100 * (last and last.test_acc or 0),
    100 * models.best_test_acc(history), os.time() - start))
print("run directory: " .. run_dir)
