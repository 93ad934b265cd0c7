-- test-train.lua: data sets, optimizers, snn.train and snn.evaluate on the
-- real N-MNIST recordings of ../shared (skipped without them): a seeded
-- 3-epoch run on 400 recordings must classify 200 others well above
-- chance, write its run directory, resume, and fail cleanly on bad input.
local tap = require("tap")
local refdata = require("refdata")

-- Optimizer tables work without data.
local adam = snn.optim.adam{ lr = 2e-3, betas = { 0.8, 0.99 } }
tap.is(adam.name, "adam", "snn.optim.adam: name")
tap.near(adam.lr, 2e-3, 1e-9, "snn.optim.adam: lr")
tap.near(adam.betas[2], 0.99, 1e-6, "snn.optim.adam: betas")
tap.near(adam.eps, 1e-8, 1e-12, "snn.optim.adam: default eps")
local sgd = snn.optim.sgd{ lr = 0.1, momentum = 0.9, nesterov = true,
	schedule = { name = "step", step_size = 2, gamma = 0.5 } }
tap.is(sgd.schedule.name, "step", "snn.optim.sgd: schedule kept")
tap.is(sgd.nesterov, true, "snn.optim.sgd: nesterov")
tap.raises(function() snn.optim.sgd{ lr = -1 } end, "lr",
    "snn.optim.sgd: negative lr refused")
tap.raises(function() snn.optim.adam{ momentum = 0.9 } end, "momentum",
    "snn.optim.adam: an SGD-only setting refused")
tap.raises(function() snn.optim.adam{ schedule = "sawtooth" } end,
    "sawtooth", "snn.optim: unknown schedule refused")

tap.raises(function()
	snn.data.nmnist{ root = "/nonexistent/nmnist" }
end, "/nonexistent/nmnist", "snn.data.nmnist: a missing root is named")
tap.raises(function() snn.data.nmnist{ frame = 10 } end,
    "unknown key 'frame'", "snn.data.nmnist: a misspelt option refused")

local root = refdata.find("datasets/nmnist-subset", 24)
if root == nil then
	tap.done()
	return
end

local ds = snn.data.nmnist{ root = root, frames = 10 }
tap.is(#ds, 1000, "nmnist: 1000 recordings")
local x, label = ds:get(1)
tap.is(table.concat(x:shape(), "x"), "10x2x34x34", "nmnist: sample shape")
tap.is(label, 0, "nmnist: first sample is a 0")
tap.is(ds[1].label, 0, "nmnist: ds[i] is {x, label}")
tap.is(x:sum(), 5028, "nmnist: frames hold all 5028 events of 00002.bin")
local counts = {}
for _, l in ipairs(ds:labels()) do
	counts[l] = (counts[l] or 0) + 1
end
tap.is(counts[7], 117, "nmnist: 117 sevens")

local pool, rest = ds:split(400, { seed = 7 })
local test = rest:split(200, { seed = 7 })
tap.is(#pool + #rest, 1000, "split: the parts cover the set")
tap.is(#test, 200, "split: 200 held out")

local function network()
	snn.seed(3)
	local function lif()
		return snn.lif{ detach_reset = true,
		    surrogate = snn.surrogate.atan() }
	end
	return snn.sequential{ snn.flatten(),
		snn.linear(2312, 200, { bias = false }), lif(),
		snn.linear(200, 10, { bias = false }), lif() }
end

local dir = os.tmpname()
os.remove(dir)
local net = network()
local epochs = 0
local h = snn.train{ net = net, data = pool, test = test, epochs = 3,
	batch = 32, seed = 11, optimizer = snn.optim.adam{ lr = 2e-3 },
	run_dir = dir, on_epoch = function() epochs = epochs + 1 end }
local final = h.epochs[3].test_acc
tap.diag(("accuracy after 3 epochs on 400 recordings: %.3f"):format(final))
tap.ok(final >= 0.6, "train: 3 epochs reach >= 60% on 200 held-out " ..
    "recordings (chance 10%)")
tap.is(epochs, 3, "train: on_epoch ran each epoch")
tap.is(#h.batches, 39, "train: 13 batch records per epoch")
tap.ok(h.epochs[3].loss < h.epochs[1].loss, "train: loss falls")
tap.ok(h.epochs[3].spike_rate[1] > 0 and h.epochs[3].spike_rate[1] < 1,
    "train: spike rate of layer 1 recorded")
tap.ok(io.open(dir .. "/checkpoint.safetensors") ~= nil and
    io.open(dir .. "/config.json") ~= nil, "train: run directory written")

local ev = snn.evaluate{ net = net, data = test }
tap.near(ev.accuracy, final, 1e-9, "evaluate: agrees with the last epoch")
local row0 = 0
for _, v in ipairs(ev.confusion[1]) do
	row0 = row0 + v
end
local zeros = 0
for _, l in ipairs(test:labels()) do
	zeros = zeros + (l == 0 and 1 or 0)
end
tap.is(row0, zeros, "evaluate: confusion row 0 counts the zeros")

local again = snn.train{ net = network(), data = pool, test = test,
	epochs = 4, batch = 32, seed = 11,
	optimizer = snn.optim.adam{ lr = 2e-3 }, run_dir = dir, resume = true }
tap.is(#again.epochs, 1, "resume: only epoch 4 runs")

tap.is(h.batches[1].vhist, nil, "train: no histogram unless asked")
local few = pool:split(64, { seed = 7 })
local vh = snn.train{ net = network(), data = few, batch = 32,
	histogram = true }.batches[2].vhist
local total = vh.below[2] + vh.above[2]
for _, f in ipairs(vh.layers[2]) do
	total = total + f
end
tap.ok(vh.lo == -2 and vh.hi == 2 and #vh.layers == 2 and
    #vh.layers[1] == 32 and math.abs(total - 1) < 1e-9,
    "train: histogram=true gives vhist, fractions summing to 1")

local inside, after
snn.train{ net = net, data = pool, epochs = 1, batch = 32,
	on_epoch = function()
		inside = snn.evaluate{ net = net, data = pool }.accuracy
	end }
after = snn.evaluate{ net = net, data = pool }.accuracy
tap.ok(inside ~= nil and inside == after,
    "train: on_epoch may evaluate the network (the worker waits)")
tap.raises(function()
	snn.train{ net = network(), data = pool, epochs = 2, batch = 32,
		loss = "ce_rate", temperature = 1e-45 }
end, "NaN or infinite at epoch 1", "train: blow-up stops with a message")
tap.raises(function()
	snn.train{ net = snn.sequential{ snn.flatten(),
		snn.linear(100, 10) }, data = pool }
end, "expected last dimension 100", "train: shape mismatch names the layer")
os.execute("rm -rf '" .. dir .. "'")
tap.done()
