-- test-remedies.lua: the remedies for the unevenness error (snnwb-lua(7),
-- CONVERSION): signed neurons with memory and burst spikes on hand-built
-- inputs where the plain neuron errs, the converted neuron against
-- snn.neuron_case in every mode, per-layer shifts by path, the bias
-- calibration on a small trained net, and the total error against the
-- ANN (zero for the constant-input first layer of net-small at T = L).
local tap = require("tap")
local refdata = require("refdata")
local tiny = require("tinymnist")

-- A converted single neuron with threshold 1, fed its current directly.
local function neuron(options)
	local ann = snn.sequential{ snn.linear(1, 1, { name = "fc",
		bias = false }), snn.qcfs{ L = 4, lambda = 1, name = "act" } }
	ann:params()["fc.weight"]:fill(1)
	return snn.convert(ann, options)
end

-- Returns the spike counts (output / theta) of net for currents I.
local function run(net, I)
	net:reset()
	local y = net:forward(snn.tensor(I, { #I, 1, 1 })):totable()
	local s = {}
	for t = 1, #I do
		s[t] = y[t][1][1]
	end
	return s
end

-- Returns the sum of list a.
local function total(a)
	local n = 0
	for _, v in ipairs(a) do
		n = n + v
	end
	return n
end

-- v(T) < 0: the early input fires, the later negative one cannot take the
-- spike back; the signed neuron sends a spike of -theta when v <= -theta.
local I = { 1.5, -2.5, 0, 0 }
local plain = run(neuron(), I)
local signed = run(neuron{ mode = "signed" }, I)
local case = snn.neuron_case{ current = I, theta = 1, print = false }
tap.ok(total(plain) == 1 and case.n == 1 and case.n_even == 0 and
    case.v_T < 0, ("signed: the plain neuron fires once where the even " ..
    "count is 0 (v(T) = %g)"):format(case.v_T))
tap.ok(signed[1] == 1 and signed[2] == -1 and total(signed) == 0,
    "signed: a negative spike at t = 2 takes it back (count 0 = n_even)")
tap.is(snn.neuron_case{ current = I, theta = 1, mode = "signed",
	print = false }.e, 0, "signed: neuron_case agrees, e = 0")
local never = run(neuron{ mode = "signed" }, { -2.5, 0.2, 0, 0 })
tap.is(total(never), 0, "signed: no negative spike before a positive one")

-- v(T) > theta: input at the end; a burst sends the missing spikes.
I = { 0, 0, 0, 3.2 }
plain = run(neuron(), I)
local burst = run(neuron{ mode = "burst", burst = 3 }, I)
case = snn.neuron_case{ current = I, theta = 1, print = false }
tap.ok(total(plain) == 1 and case.n_even == 3 and case.v_T >= 1,
    "burst: the plain neuron sends 1 spike of the 3 the even input gives")
tap.ok(burst[4] == 3, "burst: 3 spikes in the last step (burst = 3)")
tap.is(snn.neuron_case{ current = I, theta = 1, mode = "burst", burst = 3,
	print = false }.e, 0, "burst: neuron_case agrees, e = 0")

-- The converted neuron and neuron_case step alike on random currents.
local agree, state = true, 3
for _, o in ipairs{ {}, { mode = "signed" }, { mode = "burst", burst = 2 },
    { shift = 0 } } do
	local net = neuron{ mode = o.mode, burst = o.burst, shift = o.shift }
	for _ = 1, 20 do
		local cur = {}
		for t = 1, 16 do
			state = (state * 1103515245 + 12345) % 2147483648
			cur[t] = (state % 257 - 96) / 64
		end
		local s = run(net, cur)
		local c = snn.neuron_case{ current = cur, theta = 1,
			mode = o.mode, burst = o.burst, v0 = o.shift,
			print = false }
		for t = 1, 16 do
			agree = agree and s[t] == c.spikes[t]
		end
	end
end
tap.ok(agree, "the C neuron and snn.neuron_case give the same spikes in " ..
    "every mode (80 random inputs of 16 steps)")

-- Per-layer shifts by path, the rest by default.
local two = snn.sequential{ snn.linear(1, 1, { name = "fc1" }),
	snn.qcfs{ lambda = 1, name = "act1" },
	snn.linear(1, 1, { name = "fc2" }),
	snn.qcfs{ lambda = 1, name = "act2" } }
local text = tostring(snn.convert(two, { shift = { act1 = 0.25,
	default = 0.75 } }))
tap.ok(text:find('name="act1", shift=0.25', 1, true) and
    text:find('name="act2", shift=0.75', 1, true),
    "shift table: act1 gets 0.25 by path, act2 the default 0.75")
local one = neuron{ shift = { act = 0 } }
tap.is(total(run(one, { 0.6 })), 0, "shift table: v(0) = 0 does not " ..
    "fire on 0.6")
tap.is(total(run(neuron{ shift = { act = 0.5 } }, { 0.6 })), 1,
    "shift table: v(0) = theta/2 fires on 0.6")
tap.raises(function() snn.convert(two, { shift = { act9 = 0 } }) end,
    "act9 is no qcfs module", "shift table: an unknown path is refused")
tap.raises(function() snn.convert(two, { mode = "ternary" }) end,
    "mode", "convert: an unknown mode is refused")

-- Bias calibration (Li et al. 2021) on a small trained net: the total
-- error of the calibration set shrinks and the accuracy is no worse.
local dir = tiny.write(256, 64)
local train = snn.data.mnist{ root = dir, split = "train" }
local test = snn.data.mnist{ root = dir, split = "test" }
snn.seed(1)
local ann = snn.sequential{ snn.flatten(),
	snn.linear(784, 32, { name = "fc1" }),
	snn.qcfs{ L = 4, lambda = 2, name = "act1" },
	snn.linear(32, 16, { name = "fc2" }),
	snn.qcfs{ L = 4, lambda = 2, name = "act2" },
	snn.linear(16, 2, { name = "fc3" }) }
snn.train{ net = ann, data = train, epochs = 2, batch = 32, loss = "ce",
	optimizer = snn.optim.sgd{ lr = 0.05, momentum = 0.9 } }
local T = 8
local bias = snn.conversion.calibrate_bias(ann, train, { T = T,
	images = 128 })
tap.ok(#bias.act1 == 32 and #bias.act2 == 16,
    "calibrate_bias: a current per channel of each layer")
local before = snn.simulate{ net = snn.convert(ann), data = train, T = T,
	images = 128, analysis = { T }, ann = ann }
local after = snn.simulate{ net = snn.convert(ann, { bias = bias }),
	data = train, T = T, images = 128, analysis = { T }, ann = ann }
tap.ok(after.analysis[T][2].mean_abs_total_err <
    0.5 * before.analysis[T][2].mean_abs_total_err and
    math.abs(after.analysis[T][2].total_err) <
    math.abs(before.analysis[T][2].total_err),
    ("calibrate_bias: mean |phi - a| of act2 %.4g -> %.4g, mean %.4g " ..
    "-> %.4g"):format(before.analysis[T][2].mean_abs_total_err,
    after.analysis[T][2].mean_abs_total_err,
    before.analysis[T][2].total_err, after.analysis[T][2].total_err))
local acc0 = snn.simulate{ net = snn.convert(ann), data = test, T = T }
local acc1 = snn.simulate{ net = snn.convert(ann, { bias = bias }),
	data = test, T = T }
tap.ok(acc1.accuracy[T] >= acc0.accuracy[T], ("calibrate_bias: test " ..
    "accuracy at T = %d %.3f -> %.3f"):format(T, acc0.accuracy[T],
    acc1.accuracy[T]))
local shifts, trials = snn.conversion.calibrate_shift(ann, train, { T = T,
	images = 64, grid = { 0, 0.5 } })
tap.ok(#trials == 4 and (shifts.act1 == 0 or shifts.act1 == 0.5) and
    shifts.default == 0.5, "calibrate_shift: two layers, two trials each")
local best = 0
for _, tr in ipairs(trials) do
	if tr.path == "act2" then
		best = math.max(best, tr.accuracy)
	end
end
local chosen = snn.simulate{ net = snn.convert(ann, { shift = shifts }),
	data = train, T = T, images = 64 }
tap.is(chosen.accuracy[T], best, "calibrate_shift: the chosen shifts " ..
    "give the best accuracy of the last layer's trials")
tiny.remove(dir)

-- Total error against the ANN on net-small (README-qcfs.md).
local rdir = refdata.find("reference/qcfs", 6)
local images = refdata.find("datasets/cifar10/lossless/test_first1000.bin.gz",
    rdir and 6 or 0)
if rdir and images then
	local netsmall = require("netsmall")
	local rd = assert(refdata.load(rdir .. "/net-small.txt"))
	local small = netsmall.build(tonumber(rd.notes.L))
	refdata.load_params(small, rd)
	small:eval()
	local data = snn.data.cifar10{ root = images, augment = false }
	local L = tonumber(rd.notes.L)
	local r = snn.simulate{ net = snn.convert(small), data = data,
		images = 4, T = L, batch = 4, analysis = { L }, ann = small }
	local a = r.analysis[L]
	tap.ok(math.abs(a[1].total_err) < 1e-6 and
	    a[1].mean_abs_total_err < 1e-6, ("total error: layer 1 at T = L " ..
	    "= %d is 0 (%.2g)"):format(L, a[1].mean_abs_total_err))
	tap.ok(a[2].mean_abs_total_err > 0 and a[3].mean_abs_total_err > 0,
	    ("total error: deeper layers err (%.4f, %.4f)")
	    :format(a[2].mean_abs_total_err, a[3].mean_abs_total_err))
	local d0 = snn.simulate{ net = snn.convert(small), data = data,
		images = 4, T = 8, batch = 4, logits = true }
	local d1 = snn.simulate{ net = snn.convert(small, { mode = "if",
		shift = { default = 0.5 } }), data = data, images = 4, T = 8,
		batch = 4, logits = true }
	tap.ok(snn.allclose(d0.logits, d1.logits, 0, 0), "net-small: the " ..
	    "explicit defaults give the same logits")

	-- Signed and burst neurons: n is the net count, so Eq. 9 holds.
	local worst, differs = 0, false
	for _, o in ipairs{ { mode = "signed" }, { mode = "burst",
	    burst = 3 } } do
		local rr = snn.simulate{ net = snn.convert(small, o),
			data = data, images = 4, T = 16, batch = 4,
			analysis = { 16 }, logits = true }
		for k = 1, 3 do
			worst = math.max(worst, rr.analysis[16][k].eq9_max_abs)
		end
		local plain = snn.simulate{ net = snn.convert(small),
			data = data, images = 4, T = 16, batch = 4,
			logits = true }
		differs = differs or not snn.allclose(rr.logits, plain.logits,
		    0, 0)
	end
	tap.ok(worst <= 1e-5 and differs, ("signed, burst: Eq. 9 holds with " ..
	    "the net count (%.2g), and the logits change"):format(worst))

	-- record: layer 1 gets the same current at every step.
	local rec = snn.simulate{ net = snn.convert(small), data = data,
		images = 4, T = 4, batch = 4,
		record = { layer = 1, image = 2 } }
	local cur = rec.record:totable()
	tap.ok(#cur == 4 and #cur[1] == 8 * 32 * 32 and
	    snn.allclose(rec.record[1], rec.record[4], 0, 0),
	    "record: [T, neurons] of layer 1, constant over t")
end
tap.done()
