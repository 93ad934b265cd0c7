-- cifar10dvs_qcfs.lua: QCFS conversion on CIFAR10-DVS: trains an ANN
-- with qcfs activations on the frames, converts it to integrate-and-fire
-- neurons (snn.convert) and simulates it with the frames fed in time,
-- frame k held for T / F steps of T, for several T: accuracy against T,
-- and for each T the per-layer unevenness analysis (snn.analysis.table).
-- With --compare, the same blocks are trained on the static CIFAR-10
-- images the recordings show, converted and simulated the same way.
--
--   snnwb -e lua/examples/cifar10dvs_qcfs.lua [options]
--
-- Options:
--   --quick            the preset for a small machine (see below)
--   --root DIR         the recordings (see snn.data.cifar10_dvs)
--   --frames N         frames a recording, split by number (default 10)
--   --size N           frame side (default 128; --quick 48)
--   --channels LIST    channels of the conv blocks, such as 16,32,64
--   --hidden N         the hidden linear layer, 0 for none
--   --L N              qcfs levels (default 4)
--   --epochs N         (default 64; --quick 8)
--   --batch N          (default 16; --quick 32)
--   --lr LR            SGD's learning rate, cosine schedule (default 0.05)
--   --T LIST           simulation steps, such as 10,20,40,80 (the
--                      default; multiples of the frames)
--   --train-ratio R    the fraction of each class for training (0.9)
--   --compare          also the static images (below)
--   --cifar FILE       the CIFAR-10 records the recordings were made from
--                      (default: the shared lossless test_first1000.bin.gz)
--   --seed S           (default 0)
--   --run-dir DIR      (default runs/cifar10dvs-qcfs)
--   --resume           continue the trainings in --run-dir
--   --overwrite        start the trainings in --run-dir again, replacing it
--
-- Each frame is a sample: the ANN runs on [F, B, 2, H, W] like any
-- stateless network, each of the F frames on its own, and loss "ce"
-- takes the mean of the F frames' logits. We chose this over stacking the
-- frames as 2F channels because the converted network must take the
-- frames in time, one at a time with the 2 channels the ANN saw: a
-- stacked network would need the whole recording at its first step, and
-- its first layer would see no time at all. The price: an IF neuron is
-- not reset between frames, so at T the network's rates approach, layer
-- by layer, the ANN applied to the input averaged over the frames, not
-- the mean of the F per-frame outputs the ANN was trained on, and the
-- input changing from frame to frame makes neurons uneven; the gap
-- between the ANN's accuracy and the SNN's at large T shows what both
-- cost (README splits it). snn.simulate's comparison with the ANN (its
-- option ann) runs the ANN on the first frame only, so it is not used
-- here for frames; the |total| column is then "-".
--
-- --compare trains the same blocks (3 input channels, 32 x 32) on the
-- static images the recordings show, with the same split: recording
-- cifar10_<class>_<i> shows the i-th image of its class in the CIFAR-10
-- file (datasets/simulate-cifar10-dvs numbers them so), so the static
-- training and test sets hold the same images as the recordings'. This
-- only holds for recordings made by the simulator from --cifar; for the
-- real set the images are not known. A static image enters at every
-- step.
--
-- Both presets share the blocks of cifar10dvs_surrogate.lua
-- (snn.models.cifar10dvs) with qcfs activations (lambda 4 at the start,
-- as the conversion examples' quick network) and 2x2 average pooling,
-- which conversion needs; the ANN trains with SGD (momentum 0.9, weight
-- decay 5e-4, cosine schedule). Multiply-accumulates are counted as in
-- cifar10dvs_surrogate.lua: a training sample costs F frames' forward
-- passes, a simulation T steps of the same layers (on spikes, which a
-- neuromorphic chip turns into additions where a spike arrives).

local cli = require("snnwb.cli")
local convdemo = require("snnwb.convdemo")
local models = require("snnwb.models")

local presets = {
	full = { frames = 10, size = 128, channels = "128,128,128,128",
		hidden = 512, dropout = 0.5, L = 4, epochs = 64, batch = 16,
		lr = 0.05, T = "10,20,40,80,160" },
	quick = { frames = 10, size = 48, channels = "16,32,64", hidden = 0,
		dropout = 0, L = 4, epochs = 8, batch = 32, lr = 0.05,
		T = "10,20,40,80" },
}

-- Reads the command line into a table of options over the preset.
local function options(argv)
	local o = convdemo.options(argv, {}, { quick = true, resume = true,
		overwrite = true, compare = true })
	cli.preset(o, presets[o.quick and "quick" or "full"])
	o.seed = o.seed or 0
	o.train_ratio = o.train_ratio or 0.9
	o.channels = convdemo.numbers(o.channels, "channels")
	o.T = convdemo.numbers(o.T, "T")
	return o
end

-- Returns a QCFS network of the options' blocks for inputs [channels,
-- size, size], and its multiply-accumulates a step.
local function build(o, channels, size)
	return models.cifar10dvs{ channels = o.channels, size = size,
		in_channels = channels, hidden = o.hidden, dropout = o.dropout,
		pool = "avg", activation = function(m)
			m.L, m.lambda = o.L, 4
			return snn.qcfs(m)
		end }
end

-- Trains ann on train for the options' epochs into dir, printing each
-- epoch; returns the last test accuracy and the seconds it took.
local function train_ann(o, ann, train, test, dir)
	local t0 = snn.clock()
	local h = snn.train{ net = ann, data = train, test = test,
		epochs = o.epochs, batch = o.batch, seed = o.seed, loss = "ce",
		optimizer = snn.optim.sgd{ lr = o.lr, momentum = 0.9,
			weight_decay = 5e-4,
			schedule = { name = "cosine", t_max = o.epochs } },
		run_dir = dir, resume = o.resume, overwrite = o.overwrite,
		on_epoch = function(s)
			print(("epoch %3d  loss %.4f  train %5.1f%%  test " ..
			    "%5.1f%%  %5.1f samples/s"):format(s.epoch, s.loss,
			    100 * s.acc, 100 * s.test_acc, s.samples_per_s))
		end }
	local seconds = snn.clock() - t0
	ann:eval()
	local last = h.epochs[#h.epochs]
	local acc = last and last.test_acc or
	    snn.evaluate{ net = ann, data = test, loss = "ce" }.accuracy
	return acc, seconds
end

-- Converts ann and simulates it on test for every T of the options, with
-- the analysis at T (against ann when given); returns the results by T.
local function simulate(o, ann, test, acc, dir, compare)
	local snn_net = snn.convert(ann)
	local results = {}
	for _, T in ipairs(o.T) do
		results[T] = snn.simulate{ net = snn_net, data = test, T = T,
			analysis = { T }, ann = compare, ann_accuracy = acc,
			run_dir = ("%s-T%d"):format(dir, T) }
	end
	return results
end

-- Prints the accuracy of each simulation against T, and each analysis.
local function report(o, results, frames)
	print("     T  steps/frame  accuracy   seconds")
	for _, T in ipairs(o.T) do
		local r = results[T]
		print(("%6d  %11s  %7.2f%%  %8.1f"):format(T, frames and
		    ("%g"):format(T / frames) or "-", 100 * r.accuracy[T],
		    r.seconds))
	end
	for _, T in ipairs(o.T) do
		snn.analysis.table(results[T])
	end
end

local o = options(arg)
snn.seed(o.seed)
local data = { root = o.root, frames = o.frames, size = o.size,
	train_ratio = o.train_ratio }
data.split = "train"
local train = snn.data.cifar10_dvs(data)
data.split = "test"
local test = snn.data.cifar10_dvs(data)
local run_dir = o.run_dir or require("snnwb.files").runs("cifar10dvs-qcfs")
local ann, macs = build(o, 2, o.size)
print(("CIFAR10-DVS, QCFS ANN (conv %s, L = %d, %d x %d, each of %d " ..
    "frames a sample): %d train, %d test recordings, %d epochs of " ..
    "batch %d"):format(table.concat(o.channels, "-"), o.L, o.size,
    o.size, o.frames, #train, #test, o.epochs, o.batch))
local ann_acc, seconds = train_ann(o, ann, train, test, run_dir .. "/ann")
print(("ANN (qcfs) test accuracy: %.2f%%, training %.0f s (%.1f s an " ..
    "epoch)"):format(100 * ann_acc, seconds, seconds / o.epochs))
print(("MACs a sample: %d a frame x %d frames = %.1f million (forward)")
    :format(macs.total, o.frames, macs.total * o.frames / 1e6))
print(("SNN, frames fed in time, %d test recordings:"):format(#test))
local results = simulate(o, ann, test, ann_acc, run_dir .. "/snn")
report(o, results, o.frames)
local Tmax = o.T[#o.T]
local longest = results[Tmax]
print(("accuracy as the frames arrive (T = %d):"):format(Tmax))
for k = 1, o.frames do
	local t = math.max(1, k * Tmax // o.frames)
	print(("  frame %2d  t = %4d  %6.2f%%"):format(k, t,
	    100 * longest.accuracy[t]))
end
print(("spike rate per layer (T = %d):"):format(Tmax))
for k, name in ipairs(longest.layers) do
	print(("  %-24s %.4f"):format(name, longest.rate[k]))
end
print(("inference MACs: %d a step (dense), %.1f million a sample at T " ..
    "= %d"):format(macs.total, macs.total * Tmax / 1e6, Tmax))

if o.compare then
	local images = convdemo.images{ data = o.cifar }
	-- The record positions of each class's images, in file order.
	local of_class = {}
	for k, c in ipairs(images:labels()) do
		of_class[c] = of_class[c] or {}
		table.insert(of_class[c], k)
	end
	-- The static images of the recordings of ds, in its order.
	local function static(ds)
		local list, ids = {}, ds:ids()
		for k, c in ipairs(ds:labels()) do
			list[k] = of_class[c] and of_class[c][ids[k] + 1] or
			    error(("--compare: no image %d of class %d in " ..
			    "the CIFAR-10 file: were the recordings made " ..
			    "from it?"):format(ids[k], c), 0)
		end
		return images:select(list)
	end
	local strain, stest = static(train), static(test)
	snn.seed(o.seed)
	local sann, smacs = build(o, 3, 32)
	print(("static CIFAR-10 images of the same recordings (3 x 32 x " ..
	    "32): %d train, %d test"):format(#strain, #stest))
	local sacc, sseconds = train_ann(o, sann, strain, stest,
	    run_dir .. "/static-ann")
	print(("static ANN (qcfs) test accuracy: %.2f%%, training %.0f s, " ..
	    "%.1f million MACs a sample"):format(100 * sacc, sseconds,
	    smacs.total / 1e6))
	local sres = simulate(o, sann, stest, sacc, run_dir .. "/static-snn",
	    sann)
	report(o, sres)
	print("accuracy against T: DVS frames / static images")
	print("     T   frames   static")
	for _, T in ipairs(o.T) do
		print(("%6d  %6.2f%%  %6.2f%%"):format(T,
		    100 * results[T].accuracy[T], 100 * sres[T].accuracy[T]))
	end
	print(("uneven fraction and mean|e| per layer at T = %d: frames / " ..
	    "static"):format(Tmax))
	for k, a in ipairs(results[Tmax].analysis[Tmax]) do
		local b = sres[Tmax].analysis[Tmax][k]
		print(("  %-24s %7.4f %7.4f   %8.5f %8.5f"):format(a.name,
		    a.frac_uneven, b.frac_uneven, a.mean_abs_e,
		    b.mean_abs_e))
	end
end
print("run directory: " .. run_dir)
