-- conversion.lua: case studies of one converted neuron (snnwb-lua(7),
-- CONVERSION): snn.neuron_case steps an integrate-and-fire neuron of a
-- converted network through an input given as weighted spikes or as a
-- current per step, and reports what Bu et al. (ICLR 2022, Eqs. 9-13)
-- define for it: the count n against the even count n_even, the ANN's
-- QCFS value for the same mean input z, and the unevenness, clipping and
-- quantization errors. snn.plot.neuron_case draws it. The remedies:
-- snn.conversion.calibrate_shift searches v(0) layer by layer, and
-- snn.conversion.calibrate_bias computes the bias calibration of Li et
-- al. (ICML 2021), both on a calibration set.
local snn = require("snn")

local conversion = {}

-- Raises an error naming neuron_case and the first unknown key of o.
local function check_options(o)
	local known = { inputs = true, current = true, theta = true, v0 = true,
		T = true, L = true, shift = true, print = true, mode = true,
		burst = true }
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
	local lines = { ("theta = %g, v(0) = %g, T = %d%s"):format(c.theta,
		c.v0, c.T, c.mode ~= "if" and ", " .. c.mode .. " neuron" or
		""), "  t   I(t)   v before   spike   v after   count" }
	for t = 1, c.T do
		local s = c.spikes[t]
		lines[#lines + 1] = ("%3d %6.3f %10.3f %7s %9.3f %7d"):format(t,
		    c.current[t], c.v_before[t], s == 1 and "yes" or s < 0 and
		    "-1" or s > 1 and ("x" .. s) or "", c.v[t], c.counts[t])
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
	local mode, burst = o.mode or "if", o.burst or 2
	if mode ~= "if" and mode ~= "signed" and mode ~= "burst" then
		error("snn.neuron_case: mode must be \"if\", \"signed\" or " ..
		    "\"burst\"", 2)
	end
	c.mode = mode
	local v, n, sum = v0, 0, 0
	for t = 1, T do
		v = v + c.current[t]
		sum = sum + c.current[t]
		c.v_before[t] = v
		local s = 0
		if v >= theta then
			s = mode == "burst" and math.min(math.floor(v / theta),
			    burst) or 1
		elseif mode == "signed" and v <= -theta and n > 0 then
			s = -1
		end
		c.spikes[t] = s
		v = v - s * theta
		n = n + s
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

-- Returns the converted layers' paths of ann, in network order (a
-- converted network names them; one step of one image is enough).
local function layer_paths(ann, data)
	return snn.simulate{ net = snn.convert(ann), data = data, T = 1,
		images = 1, batch = 1, wait = true }.layers
end

-- Returns a copy of table t (one level).
local function copy(t)
	local out = {}
	for k, v in pairs(t or {}) do
		out[k] = v
	end
	return out
end

-- Checks the options of a calibration; returns T, images, batch.
local function calib_options(fn, ann, data, o, extra)
	if type(o) ~= "table" then
		error(fn .. ": options must be a table", 3)
	end
	local known = { T = true, images = true, batch = true, mode = true,
		burst = true, fold_bn = true, shift = true, bias = true,
		print = true }
	for k in pairs(extra or {}) do
		known[k] = true
	end
	for key in pairs(o) do
		if not known[key] then
			error(("%s: unknown option '%s'"):format(fn,
			    tostring(key)), 3)
		end
	end
	local T = o.T or 8
	if math.type(T) ~= "integer" or T < 1 then
		error(fn .. ": T must be a positive integer", 3)
	end
	return T, o.images, o.batch or 64
end

-- Converts ann with the settings of o and shift and bias tables; runs it
-- on the calibration set and returns the result (analysis at T).
local function calib_run(ann, data, o, T, images, batch, shift, bias, cmp)
	local net = snn.convert(ann, { shift = shift, bias = bias,
		mode = o.mode, burst = o.burst, fold_bn = o.fold_bn })
	return snn.simulate{ net = net, data = data, T = T, images = images,
		batch = batch, analysis = { T }, ann = cmp and ann or nil,
		wait = true }
end

-- snn.conversion.calibrate_shift(ann, data, {T =, images =, grid =}):
-- chooses v(0) / theta layer by layer (network order, greedily): for each
-- layer every value of grid is tried with the layers before it fixed and
-- the layers after it at o.shift (default 0.5); the one giving the best
-- accuracy at T wins, ties going to the smaller mean |e| of that layer.
-- Returns the table of shifts by path (with default) for snn.convert, and
-- the trials {path =, shift =, accuracy =, mean_abs_e =}.
function conversion.calibrate_shift(ann, data, o)
	o = o or {}
	local T, images, batch = calib_options("calibrate_shift", ann, data,
	    o, { grid = true })
	local grid = o.grid or { 0, 0.25, 0.5, 0.75 }
	local shifts = { default = o.shift or 0.5 }
	local trials = {}
	for k, path in ipairs(layer_paths(ann, data)) do
		local best
		for _, g in ipairs(grid) do
			local try = copy(shifts)
			try[path] = g
			local r = calib_run(ann, data, o, T, images, batch, try,
			    o.bias)
			local trial = { path = path, shift = g,
				accuracy = r.accuracy[T],
				mean_abs_e = r.analysis[T][k].mean_abs_e }
			trials[#trials + 1] = trial
			if best == nil or trial.accuracy > best.accuracy or
			    (trial.accuracy == best.accuracy and
			    trial.mean_abs_e < best.mean_abs_e) then
				best = trial
			end
		end
		shifts[path] = best.shift
		if o.print then
			print(("calibrate_shift: %s v(0) = %g theta " ..
			    "(accuracy %.2f%%, mean |e| %.4g)"):format(path,
			    best.shift, 100 * best.accuracy, best.mean_abs_e))
		end
	end
	return shifts, trials
end

-- snn.conversion.calibrate_bias(ann, data, {T =, images =}): the bias
-- calibration of Li et al. (ICML 2021, "A Free Lunch From ANN: Towards
-- Efficient, Accurate Spiking Neural Networks Calibration", section 4.2):
-- layer by layer in network order, with the layers below already
-- calibrated, the channel-wise mean over the calibration set of a_ANN -
-- phi_SNN (the ANN's activation minus the converted layer's rate times
-- theta, after T steps) is added to the bias feeding the layer. Here it
-- becomes a constant current per channel of the converted neuron, which
-- is the same thing for every topology. Returns the table of currents by
-- path for snn.convert's bias option.
function conversion.calibrate_bias(ann, data, o)
	o = o or {}
	local T, images, batch = calib_options("calibrate_bias", ann, data, o)
	local bias = copy(o.bias)
	for k, path in ipairs(layer_paths(ann, data)) do
		local r = calib_run(ann, data, o, T, images, batch, o.shift,
		    bias, true)
		local a = r.analysis[T][k]
		local old, new = bias[path] or {}, {}
		for c, err in ipairs(a.channel_total_err) do
			new[c] = (old[c] or 0) - err
		end
		bias[path] = new
		if o.print then
			print(("calibrate_bias: %s mean phi - a = %.4g over " ..
			    "%d channels"):format(path, a.total_err, #new))
		end
	end
	return bias
end

-- The columns of snn.analysis.table: result field and heading.
local table_columns = {
	{ "rate", "rate" }, { "frac_below", "v<0" },
	{ "frac_above", "v>=th" }, { "frac_uneven", "uneven" },
	{ "mean_e", "mean e" }, { "mean_abs_e", "mean|e|" },
	{ "mean_clip_err", "clip" }, { "mean_quant_err", "quant" },
	{ "eq9_max_abs", "eq9" }, { "mean_abs_total_err", "|total|" },
}

-- snn.analysis.table(result[, options]): the text of a table per analysis
-- step of a snn.simulate result, a row per converted layer (by path) and
-- aligned columns: rate, the fractions below 0, at or above theta and
-- uneven, mean e and |e|, the clipping and quantization errors, the Eq. 9
-- residual and, when the ANN was compared, the mean |total error|. Prints
-- it unless options.print is false; returns it.
function conversion.analysis_table(r, o)
	if type(r) ~= "table" or type(r.analysis) ~= "table" then
		error("snn.analysis.table: result must be what snn.simulate " ..
		    "returns", 2)
	end
	local steps = {}
	for t in pairs(r.analysis) do
		steps[#steps + 1] = t
	end
	table.sort(steps)
	if #steps == 0 then
		error("snn.analysis.table: the result has no analysis (run " ..
		    "snn.simulate with analysis = {...})", 2)
	end
	local width = 5
	for _, name in ipairs(r.layers) do
		width = math.max(width, #name)
	end
	local lines = {}
	for _, t in ipairs(steps) do
		local head = { ("%-" .. width .. "s"):format("layer") }
		for _, c in ipairs(table_columns) do
			head[#head + 1] = ("%9s"):format(c[2])
		end
		lines[#lines + 1] = ("T = %d, %d images"):format(t, r.images)
		lines[#lines + 1] = table.concat(head, " ")
		for k, a in ipairs(r.analysis[t]) do
			local row = { ("%-" .. width .. "s"):format(a.name) }
			for _, c in ipairs(table_columns) do
				local v = a[c[1]]
				row[#row + 1] = v == nil and ("%9s"):format("-") or
				    ("%9.4g"):format(v)
			end
			lines[#lines + 1] = table.concat(row, " ")
		end
		lines[#lines + 1] = ""
	end
	local text = table.concat(lines, "\n")
	if not (o and o.print == false) then
		print(text)
	end
	return text
end

return conversion
