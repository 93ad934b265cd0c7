-- cifar10_qcfs.lua: QCFS conversion on CIFAR-10 (Bu et al., ICLR 2022):
-- trains an ANN with qcfs activations by the author's recipe (SGD, lr 0.1,
-- momentum 0.9, weight decay 5e-4 on every parameter, lambda included,
-- cosine schedule over the epochs, random crops and flips), or loads a
-- trained one, converts it to integrate-and-fire neurons, and simulates
-- it for T steps: accuracy for every t and the spike rate per layer, as a
-- table and as the figure accuracy.svg in the run directory.
--
--   snnwb -e lua/examples/cifar10_qcfs.lua [options]
--
-- Options:
--   --quick          the preset for a small machine (see below)
--   --model NAME     resnet20 (the author's, default), vgg16, wrn or resnet9
--   --depth, --widen the WideResNet's (16, 4)
--   --L N            quantization levels of qcfs (default 4)
--   --epochs N       (default 300, the author's)
--   --batch N        (default 128)
--   --lr LR          (default 0.1)
--   --subset N       train on N training images drawn by the seed
--   --checkpoint F   load the ANN from F (safetensors, or a .pth the
--                    author's code saved) instead of training it
--   --T N            simulation steps (default 64)
--   --images N       simulate the first N test images (default all)
--   --root DIR       CIFAR-10's binary batches (see snn.data.cifar10)
--   --seed S         (default 0)
--   --run-dir DIR    (default runs/cifar10-qcfs-MODEL)
--   --resume         continue the training in --run-dir
--   --overwrite      start the training in --run-dir again, replacing it
-- --quick trains a ResNet-9 of width 16 with qcfs activations for 5
-- epochs and simulates the first 2,000 test images for 32 steps; README
-- says what it reaches here and how long it takes.

local models = require("snnwb.models")

local presets = {
	full = { model = "resnet20", L = 4, epochs = 300, batch = 128,
		lr = 0.1, T = 64 },
	quick = { model = "resnet9", width = 16, L = 4, epochs = 5,
		batch = 128, lr = 0.1, T = 32, images = 2000 },
}


-- Returns the QCFS network the options name.
local function build(o)
	if o.model == "resnet20" then
		return models.resnet20{ L = o.L }
	elseif o.model == "vgg16" then
		return models.vgg16{ L = o.L }
	elseif o.model == "wrn" then
		return models.wrn{ depth = o.depth or 16, widen = o.widen or 4,
			dropout = 0, activation = "qcfs", L = o.L }
	elseif o.model == "resnet9" then
		return models.resnet9{ width = o.width or 16,
			activation = "qcfs", L = o.L }
	end
	error("unknown model '" .. tostring(o.model) .. "' (known: resnet20, " ..
	    "vgg16, wrn, resnet9)", 0)
end

local cli = require("snnwb.cli")
local o = cli.options(arg, { seed = 0 }, { quick = true, resume = true,
	overwrite = true })
cli.preset(o, presets[o.quick and "quick" or "full"])
snn.seed(o.seed)
local ann = build(o)
local test = snn.data.cifar10{ root = o.root, split = "test",
	augment = false }
local run_dir = o.run_dir or
    require("snnwb.files").runs("cifar10-qcfs-" .. o.model)
local ann_acc
if o.checkpoint then
	assert(ann:load(o.checkpoint))
	print("loaded " .. o.checkpoint)
else
	local train = snn.data.cifar10{ root = o.root, split = "train",
		augment = true, seed = o.seed }
	if o.subset and o.subset < #train then
		train = train:split(o.subset, { seed = o.seed })
	end
	print(("CIFAR-10, %s with qcfs (L = %d): %d train images, %d epochs")
	    :format(o.model, o.L, #train, o.epochs))
	local h = snn.train{ net = ann, data = train, test = test,
		epochs = o.epochs, batch = o.batch, seed = o.seed, loss = "ce",
		optimizer = snn.optim.sgd{ lr = o.lr, momentum = 0.9,
			weight_decay = 5e-4,
			schedule = { name = "cosine", t_max = o.epochs } },
		run_dir = run_dir .. "/ann", resume = o.resume,
		overwrite = o.overwrite,
		on_epoch = function(s)
			print(("epoch %3d  loss %.4f  train %5.1f%%  test %5.1f%%" ..
			    "  %5.0f images/s"):format(s.epoch, s.loss,
			    100 * s.acc, 100 * s.test_acc, s.samples_per_s))
		end }
	ann_acc = h.epochs[#h.epochs].test_acc
end
local images = math.min(o.images or #test, #test)
if not ann_acc or images < #test then
	local first = {}
	for i = 1, images do
		first[i] = i
	end
	ann_acc = snn.evaluate{ net = ann, data = test:select(first),
		loss = "ce" }.accuracy
end
print(("ANN (qcfs) accuracy: %.2f%%"):format(100 * ann_acc))

local snn_net = snn.convert(ann)
local r = snn.simulate{ net = snn_net, data = test, images = images,
	T = o.T, batch = 64, run_dir = run_dir .. "/snn",
	ann_accuracy = ann_acc }
print(("SNN, %d images, %.0f image-steps/s:"):format(r.images,
    r.images_steps_per_s))
print("     t  accuracy")
local t = 1
while t <= o.T do
	print(("%6d  %7.2f%%"):format(t, 100 * r.accuracy[t]))
	t = t * 2
end
if (t // 2) ~= o.T then
	print(("%6d  %7.2f%%"):format(o.T, 100 * r.accuracy[o.T]))
end
print("spike rate per layer:")
for k, name in ipairs(r.layers) do
	print(("  %-40s %.3f"):format(name, r.rate[k]))
end
print("run directory: " .. run_dir)
