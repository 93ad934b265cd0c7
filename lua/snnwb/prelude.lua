-- prelude.lua: Lua-side helpers of the snn module, loaded by snnwb at
-- start before any script (see snnwb-lua(7)).
local snn = require("snn")

-- snn.log(fmt, ...): a formatted line on standard error, unless snnwb runs
-- with -q (snn.quiet).
function snn.log(fmt, ...)
	if not snn.quiet then
		io.stderr:write(string.format(fmt, ...), "\n")
	end
end

-- snn.allclose(a, b [, rtol [, atol]]): whether |a - b| <= atol + rtol |b|
-- holds for every element of two tensors of as many elements (compared in
-- row-major order), as numpy.allclose; when not, also the 1-based flat
-- index of the worst element and the two values there.
function snn.allclose(a, b, rtol, atol)
	for name, t in pairs({ a = a, b = b }) do
		if snn.type(t) ~= "tensor" then
			error(string.format("snn.allclose: argument '%s' " ..
			    "must be a tensor (got %s)", name, type(t)), 2)
		end
	end
	local n = a:numel()
	if b:numel() ~= n then
		error(string.format("snn.allclose: argument 'b' has %d " ..
		    "elements, 'a' has %d", b:numel(), n), 2)
	end
	rtol, atol = rtol or 1e-5, atol or 1e-8
	local fa, fb = a:reshape({ n }), b:reshape({ n })
	local worst, at = 0, nil
	for i = 1, n do
		local x, y = fa[i], fb[i]
		local excess = math.abs(x - y) - (atol + rtol * math.abs(y))
		if excess ~= excess then
			excess = math.huge
		end
		if excess > worst then
			worst, at = excess, i
		end
	end
	if at == nil then
		return true
	end
	return false, at, fa[at], fb[at]
end

-- snn.sweep: sweeps over a grid of settings and seeds, their summaries and
-- figures (snnwb/sweep.lua).
snn.sweep = require("snnwb.sweep")

-- snn.models: the network builders (snnwb/models.lua): snn.models.wrn,
-- resnet20, vgg16 and the N-MNIST network of the examples.
snn.models = require("snnwb.models")

-- snn.neuron_case and snn.plot.neuron_case: one converted neuron step by
-- step, with its conversion errors (snnwb/conversion.lua).
local conversion = require("snnwb.conversion")
snn.neuron_case = conversion.neuron_case
snn.plot.neuron_case = conversion.plot
snn.conversion = { calibrate_shift = conversion.calibrate_shift,
	calibrate_bias = conversion.calibrate_bias }
snn.analysis = { table = conversion.analysis_table }
