-- conversion.lua: case studies of one converted neuron (snnwb-lua(7),
-- CONVERSION): snn.neuron_case steps an integrate-and-fire neuron of a
-- converted network through an input given as weighted spikes or as a
-- current per step, and reports what Bu et al. (ICLR 2022, Eqs. 9-13)
-- define for it: the count n against the even count n_even, the ANN's
-- QCFS value for the same mean input z, and the unevenness, clipping and
-- quantization errors. snn.plot.neuron_case draws it.
local snn = require("snn")

local conversion = {}

-- Raises an error naming neuron_case and the first unknown key of o.
local function check_options(o)
	local known = { inputs = true, current = true, theta = true, v0 = true,
		T = true, L = true, shift = true, print = true }
	for key in pairs(o) do
		if not known[key] then
			error(("snn.neuron_case: unknown option '%s'")
			    :format(tostring(key)), 3)
		end
	end
end

-- Returns the input current of each step 1..T: o.current, or the sum of
-- the weights of o.inputs ({t =, w =} each) arriving at each step.
local function currents(o, T)
	local I = {}
	for t = 1, T do
		I[t] = 0
	end
	if o.current ~= nil then
		if o.inputs ~= nil then
			error("snn.neuron_case: give inputs or current, not both", 3)
		end
		for t = 1, T do
			local c = o.current[t]
			if type(c) ~= "number" then
				error(("snn.neuron_case: current[%d] must be a " ..
				    "number (T = %d values)"):format(t, T), 3)
			end
			I[t] = c
		end
		return I
	end
	for k, s in ipairs(o.inputs or {}) do
		local t, w = s.t or s[1], s.w or s[2]
		if math.type(t) ~= "integer" or t < 1 or t > T or
		    type(w) ~= "number" then
			error(("snn.neuron_case: inputs[%d] must be {t = step " ..
			    "in 1..%d, w = weight}"):format(k, T), 3)
		end
		I[t] = I[t] + w
	end
	return I
end

-- Returns the floor of x, clipped to [lo, hi].
local function clipfloor(x, lo, hi)
	return math.max(lo, math.min(hi, math.floor(x)))
end

-- Returns the text of case c, a step table and the summary lines.
local function describe(c)
	local lines = { ("theta = %g, v(0) = %g, T = %d"):format(c.theta, c.v0,
		c.T), "  t   I(t)   v before   spike   v after   count" }
	for t = 1, c.T do
		lines[#lines + 1] = ("%3d %6.3f %10.3f %7s %9.3f %7d"):format(t,
		    c.current[t], c.v_before[t], c.spikes[t] == 1 and "yes" or
		    "", c.v[t], c.counts[t])
	end
	lines[#lines + 1] = ("z = %.4f (mean input), n = %d spikes, n_even " ..
	    "= %d, v(T) = %.4f (%s)"):format(c.z, c.n, c.n_even, c.v_T,
	    c.v_T < 0 and "below 0" or c.v_T >= c.theta and
	    "at or above theta" or "in [0, theta)")
	lines[#lines + 1] = ("SNN rate phi = %.4f, ANN (QCFS, L = %d) a = " ..
	    "%.4f"):format(c.phi, c.L, c.ann)
	lines[#lines + 1] = ("errors: unevenness e = %.4f, clipping = %.4f, " ..
	    "quantization = %.4f; Eq. 9 residual %.2g"):format(c.e,
	    c.clip_err, c.quant_err, c.eq9)
	return table.concat(lines, "\n")
end

-- snn.neuron_case(options): steps one converted IF neuron (v += I, a
-- spike when v >= theta, v -= theta) and returns what it did and the
-- errors of Bu et al.; prints it unless print = false.
function conversion.neuron_case(o)
	if type(o) ~= "table" then
		error("snn.neuron_case: options must be a table", 2)
	end
	check_options(o)
	local theta = o.theta or 1
	local T = o.T or (o.current and #o.current) or 8
	if type(theta) ~= "number" or theta <= 0 then
		error("snn.neuron_case: theta must be positive", 2)
	end
	if math.type(T) ~= "integer" or T < 1 then
		error("snn.neuron_case: T must be a positive integer", 2)
	end
	local v0 = o.v0 or theta / 2
	local L = o.L or T
	local shift = o.shift or 0.5
	local c = { theta = theta, v0 = v0, T = T, L = L,
		current = currents(o, T), v_before = {}, v = {}, spikes = {},
		counts = {} }
	local v, n, sum = v0, 0, 0
	for t = 1, T do
		v = v + c.current[t]
		sum = sum + c.current[t]
		c.v_before[t] = v
		c.spikes[t] = v >= theta and 1 or 0
		if c.spikes[t] == 1 then
			v = v - theta
			n = n + 1
		end
		c.v[t] = v
		c.counts[t] = n
	end
	c.n, c.v_T, c.z = n, v, sum / T
	c.n_even = clipfloor((sum + v0) / theta, 0, T)
	c.phi = theta * n / T
	c.e = theta * (n - c.n_even) / T
	local zc = math.max(c.z, 0)
	c.clip_err = math.min(zc, theta) - zc
	c.quant_err = theta * c.n_even / T - math.min(zc, theta)
	c.ann = theta * math.floor(math.max(0, math.min(1, c.z / theta)) * L +
	    shift) / L
	c.eq9 = math.abs(c.phi - (c.z - (v - v0) / T))
	c.text = describe(c)
	if o.print ~= false then
		print(c.text)
	end
	return c
end

-- snn.plot.neuron_case(path, c[, title]): draws case c (from
-- snn.neuron_case) as an SVG: the membrane before and after each reset,
-- the threshold and the input current per step.
function conversion.plot(path, c, title)
	if type(c) ~= "table" or c.v == nil then
		error("snn.plot.neuron_case: c must be what snn.neuron_case " ..
		    "returns", 2)
	end
	local t, th = {}, {}
	for k = 1, c.T do
		t[k] = k
		th[k] = c.theta
	end
	return snn.plot.lines{ file = path, title = title or
		("One neuron, T = %d: n = %d, n_even = %d"):format(c.T, c.n,
		c.n_even), xlabel = "step t", ylabel = "potential",
		series = {
			{ label = "v before the spike", x = t, y = c.v_before },
			{ label = "v after", x = t, y = c.v },
			{ label = "threshold", x = t, y = th,
			  style = { color = "black", dash = "dashed",
			  marker = "none" } },
			{ label = "input I(t)", x = t, y = c.current,
			  style = { color = "grey", dash = "dotted" } },
		} }
end

return conversion
