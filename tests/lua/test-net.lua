-- test-net.lua: layers and networks: Linear and neurons against numbers
-- worked by hand, the two-layer reference network of SpikingJelly and
-- PyTorch, parameter views, stale views, checkpoints and argument errors.
local tap = require("tap")
local refdata = require("refdata")

-- Returns the tensor's values as a comma-separated string.
local function flat(t)
	local parts = {}
	local f = t:reshape({ t:numel() })
	for i = 1, t:numel() do
		parts[i] = string.format("%g", f[i])
	end
	return table.concat(parts, ",")
end

-- Linear by hand: y = x w^T + b, dx = gy w, dw = gy^T x, db = sum gy.
local lin = snn.linear(2, 1)
tap.is(snn.type(lin), "net", "snn.type names a network")
tap.is(#lin, 1, "a layer is a one-layer network")
local p = lin:params()
p["weight"]:copy(snn.tensor({ { 2, 3 } }))
p["bias"]:fill(0.5)
local y = lin:forward(snn.tensor({ { { 1, 1 }, { 2, -1 } } }))
tap.is(table.concat(y:shape(), ","), "1,2,1", "linear output is [T, B, out]")
tap.is(flat(y), "5.5,1.5", "linear forward")
local dx = lin:backward(snn.tensor({ { { 1 }, { 2 } } }))
tap.is(flat(dx), "2,3,4,6", "linear backward: input gradient")
local g = lin:grads()
tap.is(flat(g["weight"]), "5,-1", "linear backward: weight gradient")
tap.is(flat(g["bias"]), "3", "linear backward: bias gradient")
lin:backward(snn.tensor({ { { 1 }, { 2 } } }))
tap.is(flat(g["weight"]), "10,-2", "gradients accumulate")
lin:zero_grad()
tap.is(g["weight"]:sum(), 0, "zero_grad clears them")
p["weight"]:fill(0)
tap.is(flat(lin:forward(snn.tensor({ { { 1, 1 } } }))), "0.5",
    "writing a parameter view changes the network")

-- LIF by hand, tau 2, constant input 1.5: H = V + (X - V) / 2.
local lif = snn.lif()
local x = snn.zeros({ 3, 1, 1 }):fill(1.5)
tap.is(flat(lif:forward(x)), "0,1,0", "lif spikes at 0.75, 1.125, 0.75")
tap.is(flat(lif:membrane()), "0.75,0,0.75", "lif membrane after reset")
tap.is(flat(lif:forward(x)), "1,0,1", "state carries over to a forward")
lif:reset()
tap.is(flat(lif:forward(x)), "0,1,0", "reset returns to rest")
local soft = snn.lif({ v_reset = false })
soft:forward(x)
tap.is(flat(soft:membrane()), "0.75,0.125,0.8125",
    "v_reset = false resets by subtraction")
-- SpikingJelly's names: v_reset=None is "none" here (a Lua table cannot
-- hold nil), and surrogate_function is surrogate.
local none = snn.lif({ v_reset = "none" })
none:forward(x)
tap.is(flat(none:membrane()), "0.75,0.125,0.8125",
    "v_reset = \"none\" resets by subtraction, as SpikingJelly's None")
tap.is(tostring(none), tostring(soft), "v_reset = \"none\" is false")
tap.is(tostring(snn.lif({ surrogate_function = "atan" })),
    tostring(snn.lif({ surrogate = snn.surrogate.atan() })),
    "surrogate_function is an alias of surrogate")
local ifn = snn.if_neuron()
tap.is(flat(ifn:forward(snn.zeros({ 3, 1, 1 }):fill(0.6))), "0,1,0",
    "if_neuron integrates 0.6, 1.2 (fires), 0.6")
local smooth = snn.lif():spiking(false)
local s1 = smooth:forward(snn.zeros({ 1, 1, 1 }):fill(1.5))[1][1][1]
tap.near(s1, 1 / (1 + math.exp(1)), 1e-6,
    "spiking(false) outputs the primitive sigmoid(4 (0.75 - 1))")
tap.ok(tostring(smooth):find("spiking=false", 1, true) ~= nil,
    "tostring shows spiking=false")

-- Flatten: a reshape that passes its input's data through.
local fl = snn.flatten()
local xin = snn.zeros({ 2, 3, 2, 2 })
local fo = fl:forward(xin)
tap.is(table.concat(fo:shape(), ","), "2,3,4", "flatten merges per sample")
xin:fill(1)
tap.is(fo:sum(), 24, "flatten's output views its input")

-- Sequential: copies of the members, PyTorch's parameter names.
local l1 = snn.linear(4, 3)
local net = snn.sequential({ snn.flatten(), l1, snn.lif(),
    snn.linear(3, 2, { bias = false }) })
tap.is(#net, 4, "sequential of four layers")
local names = {}
for name in pairs(net:params()) do
	names[#names + 1] = name
end
table.sort(names)
tap.is(table.concat(names, " "), "1.bias 1.weight 3.weight",
    "parameter names as an nn.Sequential's state_dict")
local before = flat(net:params()["1.weight"])
l1:params()["weight"]:fill(9)
tap.is(flat(net:params()["1.weight"]), before,
    "sequential holds copies of its members")
tap.is(flat(snn.sequential({ l1 }):params()["0.weight"]),
    flat(l1:params()["weight"]), "a copy has the member's values")
local rebuilt = load("return " .. tostring(net))()
tap.is(tostring(rebuilt), tostring(net),
    "tostring is an expression that rebuilds the architecture")
tap.ok(net:summary():find("total%s+21%s+parameters") ~= nil,
    "summary counts the parameters")
net:forward(snn.zeros({ 2, 5, 2, 2 }))
tap.ok(net:summary():find("\n1%s+%[3%]%s+15%s+snn.linear%(4, 3") ~= nil,
    "summary shows output shapes after a forward")

-- Views of activations go stale at the next forward; parameters do not.
local out = net:forward(snn.zeros({ 2, 5, 2, 2 }))
local w = net:params()["3.weight"]
net:forward(snn.zeros({ 3, 5, 2, 2 }))
tap.raises(function() return out:sum() end, "is a stale view",
    "an output view is stale after the next forward")
tap.is(tostring(out), "tensor[2, 5, 2] (stale view)",
    "tostring of a stale view")
tap.ok(pcall(w.sum, w), "a parameter view stays valid")
local self_fed = snn.lif()
local ones = self_fed:forward(snn.zeros({ 3, 1, 1 }):fill(3))
self_fed:reset()
tap.is(flat(self_fed:forward(ones)), "0,0,0",
    "forward of the network's own output (charges 0.5, 0.75, 0.875)")
do
	local closing <close> = snn.sequential({ snn.linear(2, 2) })
	w = closing:params()["0.weight"]
end
tap.raises(function() return w:sum() end, "is a stale view",
    "views of a closed network are stale")

-- Seeds: the same seed gives the same initial weights.
snn.seed(7)
local a = flat(snn.linear(3, 2):params()["weight"])
local b = flat(snn.linear(3, 2):params()["weight"])
snn.seed(7)
tap.is(flat(snn.linear(3, 2):params()["weight"]), a,
    "snn.seed makes the initialisation reproducible")
tap.ok(a ~= b, "successive layers draw different weights")
tap.is(flat(snn.linear(3, 2, { seed = 3 }):params()["weight"]),
    flat(snn.linear(3, 2, { seed = 3 }):params()["weight"]),
    "seed = n gives the same weights every time")
tap.is(snn.seed(), 7, "snn.seed() returns the default seed")

-- Checkpoints: save and load round trip; a missing file is nil, message.
local path = os.tmpname()
tap.is(net:save(path), true, "save returns true")
local loaded = snn.load(path)
tap.is(tostring(loaded), tostring(net), "load restores the architecture")
tap.is(flat(loaded:params()["1.weight"]), flat(net:params()["1.weight"]),
    "load restores the parameters")
os.remove(path)
local none, msg = snn.load(path)
tap.ok(none == nil and type(msg) == "string" and msg:find(path, 1, true),
    "load of a missing file returns nil and a message naming it")
local saved, why = net:save("/nonexistent-dir/x.safetensors")
tap.ok(saved == nil and type(why) == "string", "a failed save returns nil")

-- The two-layer reference networks (Linear, LIF, Linear, LIF, no bias,
-- detach_reset) for three surrogates.
local function two_layer(surrogate)
	local file = "reference/net/two_layer-" .. surrogate .. ".txt"
	local ref = refdata.find(file, 7)
	if ref == nil then
		return
	end
	local rd = assert(refdata.load(ref))
	local T, B = tonumber(rd.notes.T), tonumber(rd.notes.B)
	local I, H, C = tonumber(rd.notes.I), tonumber(rd.notes.H),
	    tonumber(rd.notes.C)
	local function neuron()
		return snn.lif({ tau = 2, v_threshold = 1, v_reset = 0,
		    detach_reset = true, surrogate = surrogate })
	end
	local first = snn.sequential({
	    snn.linear(I, H, { bias = false }), neuron() })
	local second = snn.sequential({
	    snn.linear(H, C, { bias = false }), neuron() })
	first:params()["0.weight"]:copy(snn.tensor(rd.arrays.w1))
	second:params()["0.weight"]:copy(snn.tensor(rd.arrays.w2))
	local xs = snn.tensor(rd.arrays.x, { T, B, I })
	local sp1 = first:forward(xs)
	local sp2 = second:forward(sp1)
	tap.close(sp1, rd.arrays.spikes1, 0, 0, surrogate .. ": layer 1 spikes")
	tap.close(sp2, rd.arrays.spikes2, 0, 0, surrogate .. ": layer 2 spikes")
	-- loss = mean over (B, C) of (rate - one_hot)^2, rate = mean over T.
	local gy = snn.zeros({ T, B, C })
	local loss = 0
	for bi = 1, B do
		for c = 1, C do
			local rate = 0
			for t = 1, T do
				rate = rate + sp2:get(t, bi, c) / T
			end
			local target = rd.arrays.labels[bi] == c - 1 and 1 or 0
			loss = loss + (rate - target) ^ 2 / (B * C)
			for t = 1, T do
				gy:set(t, bi, c,
				    2 * (rate - target) / (B * C * T))
			end
		end
	end
	tap.near(loss, rd.arrays.loss[1], 1e-6, surrogate .. ": loss")
	first:backward(second:backward(gy))
	tap.close(second:grads()["0.weight"], rd.arrays.grad_w2, 1e-5, 1e-7,
	    surrogate .. ": layer 2 weight gradient")
	tap.close(first:grads()["0.weight"], rd.arrays.grad_w1, 1e-5, 1e-7,
	    surrogate .. ": layer 1 weight gradient")
	local whole = snn.sequential({ first, second })
	whole:reset()
	tap.close(whole:forward(xs), rd.arrays.spikes2, 0, 0,
	    surrogate .. ": the same network as one sequential")
	whole:zero_grad()
	whole:backward(gy)
	tap.close(whole:grads()["0.0.weight"], rd.arrays.grad_w1, 1e-5, 1e-7,
	    surrogate .. ": one sequential's first weight gradient")
end
two_layer("atan")
two_layer("sigmoid")
two_layer("piecewise_quadratic")

-- Argument errors, and shape errors naming the layer and both shapes.
tap.raises(function() snn.linear(0, 3) end,
    "snn.linear: argument 'in' must be a positive integer (got 0)",
    "linear with in = 0")
tap.raises(function() snn.linear(2, 1.5) end,
    "snn.linear: argument 'out' must be a positive integer (got 1.5)",
    "linear with a fractional size")
tap.raises(function() snn.linear(2, 2, { bias = 1 }) end,
    "snn.linear: linear: \"bias\" must be true or false",
    "bias not a boolean")
tap.raises(function() snn.lif({ tua = 2 }) end,
    "snn.lif: argument 'options' has an unknown key 'tua'",
    "misspelt option")
tap.raises(function() snn.if_neuron({ tau = 2 }) end,
    "snn.if_neuron: argument 'options' has an unknown key 'tau'",
    "if_neuron has no tau")
tap.raises(function() snn.lif({ v_reset = true }) end,
    "snn.lif: lif: \"v_reset\" must be a number, or false or \"none\"",
    "v_reset = true")
tap.raises(function() snn.lif({ v_reset = "None" }) end,
    "must be a number, or false or \"none\"", "v_reset = \"None\"")
tap.raises(function() snn.lif({ surrogate = "atan",
	surrogate_function = "atan" }) end,
    "\"surrogate_function\", not both", "surrogate and its alias")
tap.raises(function() snn.lif({ tau = 0.5 }) end,
    "snn.lif: neuron: tau must be a finite number greater than 1",
    "tau below 1 (the engine's check)")
tap.raises(function() snn.lif({ surrogate = "nope" }) end,
    "snn.lif: unknown surrogate \"nope\"", "unknown surrogate name")
tap.raises(function() snn.sequential({}) end,
    "snn.sequential: argument 'layers' must hold at least one module",
    "empty sequential")
tap.raises(function() snn.sequential({ snn.flatten(), 3 }) end,
    "snn.sequential: argument 'layers' item 2 must be a module " ..
    "(got number)", "sequential of a number")
tap.raises(function()
	snn.linear(20, 16):forward(snn.zeros({ 2, 3, 10 }))
end, "net:forward: linear: input per sample is [10], " ..
    "expected last dimension 20", "shape mismatch names layer and shapes")
tap.raises(function() snn.linear(2, 2):forward(snn.zeros({ 4, 2 })) end,
    "net:forward: argument 'x' must be a [T, B, ...] tensor (got [4, 2])",
    "forward of a 2-D tensor")
tap.raises(function() snn.linear(2, 2):backward(snn.zeros({ 1, 1, 2 })) end,
    "net:backward: no forward pass to differentiate", "backward first")
tap.raises(function()
	local l = snn.linear(2, 3)
	l:forward(snn.zeros({ 1, 4, 2 }))
	l:backward(snn.zeros({ 1, 4, 2 }))
end, "net:backward: argument 'gy' has shape [1, 4, 2], the output of " ..
    "the last forward [1, 4, 3]", "gradient of the wrong shape")
tap.raises(function()
	snn.lif({ surrogate = snn.surrogate.super_spike() }):spiking(false)
end, "net:spiking: neuron: surrogate super_spike has no smooth primitive",
    "spiking(false) needs primitives")
tap.raises(function() snn.linear(2, 2):membrane() end,
    "net:membrane: the network has no neuron layer", "membrane of linear")
tap.raises(function() net:membrane(1) end,
    "net:membrane: module 1 is not a neuron layer", "membrane of layer 1")
tap.raises(function() snn.lif():membrane() end,
    "net:membrane: no forward pass yet", "membrane before forward")
tap.raises(function() net.forward(snn.zeros({ 1 })) end,
    "net:forward: argument 'self' must be a network (got userdata)",
    "method on a tensor")

-- The histogram of H - v_threshold: from rest, H = X / 2, so the inputs
-- 0.4, 1.8, 2.6, -1 give -0.8, -0.1, 0.3, -1.5.
local one = snn.lif{}
one:forward(snn.tensor({ { { 0.4, 1.8, 2.6, -1 } } }))
local hist = one:histogram({ bins = 4, range = { -2, 2 } })
tap.is(table.concat(hist.counts, ","), "1,2,1,0",
    "histogram: counts of H - v_threshold")
tap.is(hist.n, 4, "histogram: n")
hist = one:histogram(0, { bins = 2, range = { -1, 0 } })
tap.is(hist.below .. "," .. table.concat(hist.counts, ",") .. "," ..
    hist.above, "1,1,1,1", "histogram: below and above the range")
tap.raises(function() one:histogram({ range = { 1, 1 } }) end,
    "argument 'range' must be {lo, hi} with lo < hi", "histogram: range")
tap.raises(function() one:histogram({ bins = 1000 }) end,
    "argument 'bins' must be at most", "histogram: bins")

tap.done()
