-- uneven_cases.lua: a catalogue of the unevenness error of converted
-- integrate-and-fire neurons (Bu et al., ICLR 2022, section 4.2): the
-- paper's own example, a neuron that fires too much (v(T) < 0), one that
-- fires too little (v(T) >= theta), neurons of a real converted network
-- with the largest |e|, how each changes with T and v(0), and what the
-- signed neuron and burst spikes make of them. It writes cases.txt (the
-- text printed) and an SVG per case into --out, to be read side by side.
--
--   snnwb -e lua/examples/uneven_cases.lua [options]
--
-- Options:
--   --out DIR          (default runs/uneven_cases)
--   --T N              steps for the network cases (default 16)
--   --layer K          the converted layer to search (default 2)
--   --cases N          how many of its neurons to show (default 3)
--   --images N         images simulated to find them (default 8; the
--                      neurons are taken from the first image)
--   --checkpoint FILE  the QCFS ResNet-20 (as README-qcfs.md describes)
--                      instead of the quick network trained here
--   --epochs N         training epochs of the quick network (default 8)
--   --data FILE        the CIFAR-10 images (default: the shared lossless
--                      test_first1000.bin.gz)

local convdemo = require("snnwb.convdemo")

local o = convdemo.options(arg, {
	out = require("snnwb.files").runs("uneven_cases"), T = 16,
	layer = 2, cases = 3, images = 8, epochs = 8 })
os.execute("mkdir -p '" .. o.out .. "'")
local text = {}

-- Prints a line and keeps it for cases.txt.
local function say(fmt, ...)
	local line = select("#", ...) > 0 and fmt:format(...) or fmt
	print(line)
	text[#text + 1] = line
end

-- Runs case c (snn.neuron_case options), says it and draws it as name.
local function case(name, title, c)
	c.print = false
	local r = snn.neuron_case(c)
	say("")
	say("== %s: %s", name, title)
	say(r.text)
	snn.plot.neuron_case(o.out .. "/" .. name .. ".svg", r, title)
	return r
end

-- Repeats the weighted spikes of inputs (over 4 steps) to fill T steps.
local function repeated(inputs, T)
	local out = {}
	for k = 0, T // 4 - 1 do
		for _, s in ipairs(inputs) do
			out[#out + 1] = { s[1] + 4 * k, s[2] }
		end
	end
	return out
end

-- Says how e changes with T (the pattern repeated) and with v(0), and
-- what the signed neuron and burst spikes give at T = 4.
local function variations(inputs)
	say("  e by T (the 4-step pattern repeated) and v(0)/theta:")
	say("     T    v0=0  v0=0.25   v0=0.5  v0=0.75")
	for _, T in ipairs{ 4, 8, 16, 32 } do
		local row = ("  %4d"):format(T)
		for _, v0 in ipairs{ 0, 0.25, 0.5, 0.75 } do
			local r = snn.neuron_case{ inputs = repeated(inputs, T),
				T = T, v0 = v0, print = false }
			row = row .. ("  %7.4f"):format(r.e)
		end
		say(row)
	end
	for _, m in ipairs{ { mode = "signed" }, { mode = "burst",
	    burst = 4 } } do
		local r = snn.neuron_case{ inputs = inputs, T = 4,
			mode = m.mode, burst = m.burst, print = false }
		say("  %s neuron at T = 4: n = %d, n_even = %d, e = %.4f",
		    m.mode, r.n, r.n_even, r.e)
	end
end

say("Unevenness error of one converted IF neuron (theta = 1, v(0) = " ..
    "theta/2 unless said, reset by subtraction).")
say("n_even = clip(floor((T z + v(0)) / theta), 0, T) is what an evenly " ..
    "spread input with the same mean z gives;")
say("e = theta (n - n_even) / T. Eq. 9: phi = z - (v(T) - v(0)) / T, so " ..
    "n = n_even exactly when v(T) lies in [0, theta).")

local A = { { 1, 1.5 }, { 2, -1.5 }, { 3, 1.5 }, { 4, 1.5 } }
local B = { { 1, -1.5 }, { 2, 1.5 }, { 3, 1.5 }, { 4, 1.5 } }
case("paper-a", "the paper's example, +1.5 first: spikes at t = 1, 3, 4",
    { inputs = A, T = 4 })
case("paper-b", "the same weights, -1.5 first: spikes at t = 3, 4 only",
    { inputs = B, T = 4 })
say("Both get z = 0.75 and the ANN says 3 spikes' worth; the order alone " ..
    "costs the second one a spike (v(T) = 1.5 >= theta).")
variations(B)

local below = { { 1, 1.2 }, { 3, -1.2 } }
case("below", "v(T) < 0: an early spike that later input cannot take back",
    { inputs = below, T = 4 })
say("z = 0, so the ANN outputs 0, but the neuron fired at t = 1: e = " ..
    "+theta/T. A signed neuron sends -theta when v <= -theta after a " ..
    "spike;")
say("here v only reaches -0.5, so it needs the input of the next case:")
case("below-signed", "the same with -2.2 at t = 3, plain and signed",
    { inputs = { { 1, 1.2 }, { 3, -2.2 } }, T = 4, mode = "signed" })
variations(below)

local above = { { 4, 2.5 } }
case("above", "v(T) >= theta: all input at the last step", { inputs = above,
	T = 4 })
say("z = 0.625 and n_even = 3, but one step can send one spike: e = " ..
    "-0.5. Burst spikes (up to k a step) send all 3:")
case("above-burst", "the same with burst spikes (k = 4)", { inputs = above,
	T = 4, mode = "burst", burst = 4 })
variations(above)

-- Neurons of a real converted network.
local data = convdemo.images(o)
local ann, images, what = convdemo.network(o, data)
local net = snn.convert(ann)
local r = snn.simulate{ net = net, data = images, T = o.T,
	images = o.images, batch = o.images, analysis = { o.T },
	record = { layer = o.layer, image = 1 } }
local path = r.layers[o.layer]
local theta = net:params()[path .. ".thresh"]:get(1)
local a = r.analysis[o.T][o.layer]
say("")
say("== Neurons of a converted network: %s", what)
say("Layer %d (%s), theta = %.4f, T = %d: over %d images %.1f%% of its " ..
    "neurons are uneven, mean |e| = %.4f.", o.layer, path, theta, o.T,
    r.images, 100 * a.frac_uneven, a.mean_abs_e)
local I = r.record:totable()
local N = #I[1]
local found = {}
for j = 1, N do
	local cur = {}
	for t = 1, o.T do
		cur[t] = I[t][j]
	end
	local c = snn.neuron_case{ current = cur, theta = theta, T = o.T,
		L = o.L or 4, print = false }
	found[#found + 1] = { j = j, c = c, cur = cur }
end
table.sort(found, function(x, y)
	if math.abs(x.c.e) ~= math.abs(y.c.e) then
		return math.abs(x.c.e) > math.abs(y.c.e)
	end
	return x.j < y.j
end)
say("Image 1 has %d neurons in that layer; the %d with the largest |e| " ..
    "(their actual input current per step, replayed in double):",
    N, math.min(o.cases, N))
for k = 1, math.min(o.cases, N) do
	local f = found[k]
	case(("net-%d"):format(k), ("%s neuron %d of image 1"):format(path,
	    f.j), { current = f.cur, theta = theta, T = o.T, L = o.L or 4 })
	for _, v0 in ipairs{ 0, 0.25, 0.75 } do
		local c = snn.neuron_case{ current = f.cur, theta = theta,
			T = o.T, v0 = v0 * theta, print = false }
		say("  with v(0) = %.2f theta: n = %d, n_even = %d, e = %.4f",
		    v0, c.n, c.n_even, c.e)
	end
	for _, m in ipairs{ { mode = "signed" }, { mode = "burst",
	    burst = 4 } } do
		local c = snn.neuron_case{ current = f.cur, theta = theta,
			T = o.T, mode = m.mode, burst = m.burst, print = false }
		say("  as a %s neuron: n = %d, n_even = %d, e = %.4f", m.mode,
		    c.n, c.n_even, c.e)
	end
end
convdemo.write(o.out .. "/cases.txt", table.concat(text, "\n") .. "\n")
print("wrote " .. o.out .. "/cases.txt and the figures")
