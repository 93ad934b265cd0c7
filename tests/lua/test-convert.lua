-- test-convert.lua: QCFS conversion from Lua on a tiny MNIST-format set the
-- test writes itself: a QCFS network trains, snn.convert keeps its tensors
-- under the same names, snn.simulate gives the accuracy for every t (one
-- pass, equal to separate shorter runs), reaches the ANN's accuracy by
-- T = 32, writes its run directory, and refuses what cannot convert.
local tap = require("tap")
local tiny = require("tinymnist")

local dir = tiny.write(256, 64)
local train = snn.data.mnist{ root = dir, split = "train" }
local test = snn.data.mnist{ root = dir, split = "test" }

local ann = snn.sequential{ snn.flatten(),
	snn.linear(784, 32, { name = "fc1", seed = 1 }),
	snn.qcfs{ L = 4, lambda = 2, name = "act1" },
	snn.linear(32, 10, { name = "fc2", seed = 2 }) }
local h = snn.train{ net = ann, data = train, test = test, epochs = 3,
	batch = 32, loss = "ce", optimizer = snn.optim.sgd{ lr = 0.05,
	momentum = 0.9 } }
local ann_acc = h.epochs[3].test_acc
tap.ok(ann_acc >= 0.95, ("convert: the QCFS network learns the set (%.3f)")
    :format(ann_acc))
tap.ok(ann:params()["act1.thresh"]:get(1) ~= 2,
    "convert: training moved the threshold lambda")

local snn_net = snn.convert(ann)
tap.is(snn_net:params()["act1.thresh"]:get(1), ann:params()["act1.thresh"]:get(1),
    "convert: the neuron's threshold is the ANN's lambda, same name")
tap.ok(snn.allclose(snn_net:params()["fc1.weight"], ann:params()["fc1.weight"], 0, 0),
    "convert: the weights are the ANN's, by name")
tap.ok(tostring(snn_net):find("qcfs_if", 1, true), "convert: qcfs became qcfs_if")

local out = os.tmpname()
os.remove(out)
local r = snn.simulate{ net = snn_net, data = test, T = 32, batch = 16,
	run_dir = out, ann_accuracy = ann_acc, analysis = { 4, 32 } }
tap.is(#r.accuracy, 32, "simulate: an accuracy for every t")
tap.is(r.images, 64, "simulate: every test image")
tap.ok(r.accuracy[32] >= ann_acc - 0.05, ("simulate: at t = 32 the SNN is " ..
    "near the ANN (%.3f against %.3f)"):format(r.accuracy[32], ann_acc))
tap.ok(r.accuracy[1] <= r.accuracy[32],
    "simulate: accuracy at t = 1 is no better than at t = 32")
local r8 = snn.simulate{ net = snn_net, data = test, T = 8, batch = 64 }
local same = true
for t = 1, 8 do
	same = same and r8.correct[t] == r.correct[t]
end
tap.ok(same, "simulate: a run of T = 8 gives the first 8 steps of T = 32")
tap.ok(r.rate[1] > 0 and r.rate[1] < 1, ("simulate: the layer fires at " ..
    "a rate of %.3f"):format(r.rate[1]))
tap.is(r.layers[1], "act1", "simulate: layers named by path")
local a = r.analysis[32][1]
tap.is(a.name, "act1", "analysis: named by path")
tap.ok(a.eq9_max_abs < 1e-4, ("analysis: Eq. 9 holds (%.2g)")
    :format(a.eq9_max_abs))
tap.ok(math.abs(a.rate - r.rate[1]) < 1e-6,
    "analysis: the rate at T = 32 is the run's")
tap.ok(a.frac_uneven >= 0 and a.frac_uneven <= 1 and a.mean_abs_e >= 0 and
    math.abs(a.mean_e) <= a.mean_abs_e + 1e-12,
    "analysis: fractions and means in range")
local text = snn.analysis.table(r, { print = false })
tap.ok(text:find("T = 4, 64 images", 1, true) and
    text:find("T = 32, 64 images", 1, true) and
    text:find("\nact1 +0%.%d+ ") ~= nil and text:find("mean|e|", 1, true),
    "analysis.table: a table per step, a row per layer by path")
tap.raises(function() snn.analysis.table(r8) end, "no analysis",
    "analysis.table: a result without analysis is refused")
for _, name in ipairs{ "accuracy.csv", "layers.csv", "accuracy.svg",
    "errors.svg", "fractions-T32.svg" } do
	local f = io.open(out .. "/" .. name)
	tap.ok(f ~= nil, "simulate: run_dir holds " .. name)
	if f then
		f:close()
	end
end
local svg = require("snnwb.files").read(out .. "/accuracy.svg") or ""
tap.ok(svg:find(">64 images simulated, T = 32</text>", 1, true) and
    svg:find(">accuracy (%)</text>", 1, true),
    "simulate: accuracy.svg names what it measured, in percent")
local f = io.open(out .. "/accuracy.csv")
local lines = 0
for _ in f:lines() do
	lines = lines + 1
end
f:close()
tap.is(lines, 33, "simulate: accuracy.csv has a header and 32 rows")
os.execute("rm -rf '" .. out .. "'")

local ok, err = pcall(snn.convert, snn.sequential{ snn.flatten(),
	snn.linear(784, 10), snn.relu() })
tap.ok(not ok and err:find("2 is a ReLU", 1, true),
    "convert: a ReLU is refused by its path: " .. tostring(err))
ok, err = pcall(snn.simulate, { net = ann, data = test, T = 4 })
tap.ok(not ok and err:find("snn.convert", 1, true),
    "simulate: an unconverted network is refused: " .. tostring(err))
ok, err = pcall(snn.simulate, { net = snn_net, data = test, T = 4,
	analysis = { 2, 8 } })
tap.ok(not ok and err:find("analysis", 1, true),
    "simulate: analysis steps beyond T are refused: " .. tostring(err))
ok, err = pcall(snn.convert, ann, { shift = 2 })
tap.ok(not ok and err:find("shift", 1, true),
    "convert: a shift outside 0..1 is refused")

tiny.remove(dir)
tap.done()
