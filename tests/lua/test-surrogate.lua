-- test-surrogate.lua: snn.surrogate: every built-in is there, known values
-- at 0, parameters, numbers and tensors, SpikingJelly's reference values,
-- and argument errors.
local tap = require("tap")
local refdata = require("refdata")

-- The list covers the C table: SpikingJelly's surrogates and sine, power.
local names = snn.surrogate.names()
tap.is(#names, 18, "18 built-in surrogates")
local missing = {}
for _, name in ipairs(names) do
	if type(snn.surrogate[name]) ~= "function" then
		missing[#missing + 1] = name
	end
end
tap.is(table.concat(missing, ", "), "", "a constructor for every name")
tap.is(names[1], "sigmoid", "names in the C table's order")

-- Known values: sigmoid'(0) = alpha / 4, atan'(0) = alpha / 2.
local sg = snn.surrogate.sigmoid()
tap.is(snn.type(sg), "surrogate", "snn.type names a surrogate")
tap.is(sg.name, "sigmoid", ".name")
tap.is(sg.params.alpha, 4, "sigmoid's default alpha is 4")
tap.near(sg:grad(0), 1, 1e-7, "sigmoid: grad(0) = alpha / 4 = 1")
tap.near(sg:primitive(0), 0.5, 1e-7, "sigmoid: primitive(0) = 1/2")
tap.is(sg:spike(0), 1, "spike(0) = 1 (x >= 0 fires)")
tap.is(sg:spike(-1e-6), 0, "spike below 0 is 0")
tap.near(snn.surrogate.atan():grad(0), 1, 1e-7,
    "atan: grad(0) = alpha / 2 = 1")
tap.near(snn.surrogate.atan({ alpha = 4 }):grad(0), 2, 1e-7,
    "atan{alpha = 4}: grad(0) = 2")
tap.near(snn.surrogate.sigmoid({ alpha = 2 }):grad(0), 0.5, 1e-7,
    "sigmoid{alpha = 2}: grad(0) = 0.5")
tap.near(snn.surrogate.sine():grad(0), math.pi / 4, 1e-6,
    "sine: grad(0) = pi / 4")
tap.near(snn.surrogate.power():primitive(0.25), 0.75, 1e-7,
    "power: primitive(1/4) = 3/4")
local pl = snn.surrogate.piecewise_leaky_relu({ w = 0.5, c = 0.05 })
tap.is(pl.params.w .. "," .. pl.params.c, "0.5,0.05",
    "two parameters set by name")
tap.is(tostring(snn.surrogate.atan()), "snn.surrogate.atan{alpha=2}",
    "tostring is the constructor call")

-- On tensors: a new tensor of the same shape.
local x = snn.tensor({ { -1, 0 }, { 0.5, 2 } })
local g = sg:grad(x)
tap.is(table.concat(g:shape(), ","), "2,2", "grad of a tensor keeps the shape")
tap.near(g:get(1, 2), 1, 1e-7, "grad of a tensor, element by element")
tap.is(sg:spike(x):sum(), 3, "spike of a tensor")
tap.is(x:get(1, 1), -1, "the argument is not changed")

-- SpikingJelly's values (when the shared reference folder is there).
local cases = {
	{ "atan-default.txt", "atan", {} },
	{ "sigmoid-alpha10.txt", "sigmoid", { alpha = 10 } },
	{ "piecewise_quadratic-alpha2.txt", "piecewise_quadratic",
	    { alpha = 2 } },
	{ "squarewave_fourier_series-n4_T_period6.txt",
	    "squarewave_fourier_series", { n = 4, T_period = 6 } },
}
for _, case in ipairs(cases) do
	local path = refdata.find("reference/surrogate/" .. case[1], 3)
	if path ~= nil then
		local rd = assert(refdata.load(path))
		local s = snn.surrogate[case[2]](case[3])
		local xs = snn.tensor(rd.arrays.x)
		tap.close(s:spike(xs), rd.arrays.spike, 0, 0,
		    case[1] .. ": spike")
		tap.close(s:grad(xs), rd.arrays.grad, 1e-6, 1e-7,
		    case[1] .. ": grad")
		tap.close(s:primitive(xs), rd.arrays.primitive, 1e-6, 1e-7,
		    case[1] .. ": primitive")
	end
end

-- Argument errors.
tap.raises(function() snn.surrogate.sigmoid({ beta = 1 }) end,
    "snn.surrogate.sigmoid: surrogate sigmoid has no parameter \"beta\"",
    "unknown parameter")
tap.raises(function() snn.surrogate.atan({ alpha = "big" }) end,
    "snn.surrogate.atan: argument 'alpha' must be a number (got string)",
    "parameter not a number")
tap.raises(function() snn.surrogate.power({ alpha = 2 }) end,
    "snn.surrogate.power: surrogate power: alpha must be",
    "parameter out of range")
tap.raises(function() snn.surrogate.atan({ alpha = -1 }) end,
    "surrogate atan: alpha must be positive, in [1e-6, 1e6], not -1",
    "atan: a negative alpha (which flips the gradient) refused")
tap.raises(function() snn.surrogate.sigmoid({ alpha = -4 }) end,
    "surrogate sigmoid: alpha must be positive, in [1e-6, 1e6], not -4",
    "sigmoid: a negative alpha refused")
tap.raises(function() snn.surrogate.leaky_k_relu({ k = -1 }) end,
    "surrogate leaky_k_relu: k must be non-negative, in [0, 1e6], not -1",
    "leaky_k_relu: a negative slope refused")
tap.raises(function() snn.surrogate.atan({ spiking = false }) end,
    "argument 'spiking' is not a parameter: the forward is always the " ..
    "spike (as SpikingJelly's spiking=True); s:primitive(x) gives what " ..
    "spiking=False outputs", "spiking: not a parameter, the primitive named")
tap.raises(function() snn.surrogate.atan({ nope = false }) end,
    "surrogate atan has no parameter \"nope\" (its parameters: alpha)",
    "an unknown name is named before its value is looked at")
tap.raises(function() snn.surrogate.atan(2) end,
    "snn.surrogate.atan: argument 'params' must be a table (got number)",
    "params not a table")
tap.raises(function() snn.surrogate.super_spike():primitive(0) end,
    "surrogate:primitive: surrogate super_spike has no smooth primitive",
    "no primitive")
tap.raises(function() sg:grad("x") end,
    "surrogate:grad: argument 'x' must be a number or a tensor (got string)",
    "grad of a string")

tap.done()
