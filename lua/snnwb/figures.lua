-- figures.lua: the figures of a sweep, drawn with snn.plot from its summary
-- into its folder (see snnwb-lua(7), SWEEPS); snn.sweep.figures is
-- figures.write.
local snn = require("snn")
local json = require("snnwb.json")

local figures = {}

-- Returns the text of a grid value.
local function text(v)
	return type(v) == "number" and json.number(v) or tostring(v)
end

-- Returns the label of a row of summary s by its grid values, leaving out
-- the key skip: the value alone when one key is left, else key=value
-- pairs; "all" when none is.
local function label(s, row, skip)
	local keys = {}
	for _, key in ipairs(s.keys) do
		if key ~= skip then
			keys[#keys + 1] = key
		end
	end
	local parts = {}
	for i, key in ipairs(keys) do
		parts[i] = #keys == 1 and text(row.values[key]) or
		    key .. "=" .. text(row.values[key])
	end
	return #parts > 0 and table.concat(parts, ", ") or "all"
end

-- Returns whether the grid key takes only numbers, and more than one, in
-- the rows of summary s.
local function numeric(s, key)
	local seen, n = {}, 0
	for _, row in ipairs(s.rows) do
		local v = row.values[key]
		if type(v) ~= "number" then
			return false
		elseif not seen[v] then
			seen[v], n = true, n + 1
		end
	end
	return n > 1
end

-- Returns the grid key to draw along x: want when given (it must be
-- numeric), else alpha, else the first numeric key; nil when there is
-- none.
local function x_key(s, want)
	if want ~= nil then
		if not numeric(s, want) then
			error(("snn.sweep.figures: option 'x' must be a " ..
			    "grid key with several numbers (got %s)"):format(
			    tostring(want)), 3)
		end
		return want
	elseif numeric(s, "alpha") then
		return "alpha"
	end
	for _, key in ipairs(s.keys) do
		if numeric(s, key) then
			return key
		end
	end
end

-- Returns the rows of summary s grouped by their values of every key but
-- x, in the order they first come, each group's rows sorted by x: a list
-- of { label, rows }.
local function groups(s, x)
	local list, by_label = {}, {}
	for _, row in ipairs(s.rows) do
		local name = label(s, row, x)
		if not by_label[name] then
			by_label[name] = { label = name, rows = {} }
			list[#list + 1] = by_label[name]
		end
		table.insert(by_label[name].rows, row)
	end
	for _, g in ipairs(list) do
		table.sort(g.rows, function(a, b)
			return a.values[x] < b.values[x]
		end)
	end
	return list
end

-- Returns the height in pixels of a figure whose legend lists n series.
local function height(n)
	return math.min(10000, math.max(500, 140 + 24 * n))
end

-- Returns the means (NaN where none) and standard deviations (0 where
-- none) of get(row) over the rows.
local function series_of(rows, get)
	local y, err = {}, {}
	for i, row in ipairs(rows) do
		local st = get(row)
		y[i], err[i] = st.mean or 0 / 0, st.sd or 0
	end
	return y, err
end

-- Returns the test accuracy per epoch of every configuration of s, as a
-- figure for snn.plot.lines, or nil when no run has a test accuracy.
local function accuracy_per_epoch(s)
	local series = {}
	for _, row in ipairs(s.rows) do
		local y = series_of(row.test_acc, function(st) return st end)
		if #y > 0 then
			series[#series + 1] = { label = label(s, row), y = y }
		end
	end
	if #series == 0 then
		return nil
	end
	return { "lines", { file = "test-accuracy.svg", series = series,
		title = ("Sweep %s: test accuracy per epoch, mean over seeds")
		    :format(s.name), xlabel = "epoch",
		ylabel = "test accuracy", height = height(#series) } }
end

-- Returns the figures of s against the numeric grid key x: best accuracy
-- and gradient sparsity of every group, and for each group its accuracy,
-- sparsity and spike rates together.
local function against(s, x)
	local list, xs = groups(s, x), {}
	for _, row in ipairs(s.rows) do
		xs[#xs + 1] = row.values[x]
	end
	local lo, hi = math.min(table.unpack(xs)), math.max(table.unpack(xs))
	local xlog = lo > 0 and hi / lo >= 10
	local best, sparsity, specs = {}, {}, {}
	for _, g in ipairs(list) do
		local gx = {}
		for i, row in ipairs(g.rows) do
			gx[i] = row.values[x]
		end
		local y, err = series_of(g.rows, function(row)
			return row.best_acc
		end)
		best[#best + 1] = { label = g.label, x = gx, y = y, err = err }
		local both = { { label = "best test accuracy", x = gx, y = y,
			err = err } }
		for l = 1, s.layers do
			local sy, serr = series_of(g.rows, function(row)
				return row.sg_zero[l]
			end)
			local ry, rerr = series_of(g.rows, function(row)
				return row.spike_rate[l]
			end)
			sparsity[#sparsity + 1] = { label = ("%s, layer %d")
			    :format(g.label, l - 1), x = gx, y = sy,
			    err = serr }
			both[#both + 1] = { label = ("gradient sparsity, " ..
			    "layer %d"):format(l - 1), x = gx, y = sy,
			    err = serr }
			both[#both + 1] = { label = ("spike rate, layer %d")
			    :format(l - 1), x = gx, y = ry, err = rerr }
		end
		specs[#specs + 1] = { "lines", { file = ("accuracy-sparsity-" ..
		    "%s.svg"):format(g.label:gsub("[^%w_.+=-]", "_")),
			series = both, xlog = xlog, yrange = { 0, 1 },
			title = ("%s: accuracy and gradient sparsity " ..
			    "against %s"):format(g.label, x), xlabel = x,
			ylabel = "fraction (mean ± sd over seeds)" } }
	end
	table.insert(specs, 1, { "lines", { file = "best-accuracy.svg",
		series = best, xlog = xlog, xlabel = x, height = height(#best),
		title = ("Sweep %s: best test accuracy against %s"):format(
		    s.name, x), ylabel = "best test accuracy (mean ± sd)" } })
	if s.layers > 0 then
		table.insert(specs, 2, { "lines", { file = "sparsity.svg",
			series = sparsity, xlog = xlog, xlabel = x,
			height = height(#sparsity),
			title = ("Sweep %s: gradient sparsity against %s")
			    :format(s.name, x), yrange = { 0, 1 },
			ylabel = "fraction of zero surrogate derivatives" } })
	end
	return specs
end

-- Returns a bar chart of the best and final test accuracy of every
-- configuration of s, for a sweep without a numeric grid key.
local function accuracy_bars(s)
	local names = {}
	for i, row in ipairs(s.rows) do
		names[i] = label(s, row)
	end
	local series = {}
	for _, key in ipairs{ "best", "final" } do
		local y, err = series_of(s.rows, function(row)
			return row[key .. "_acc"]
		end)
		series[#series + 1] = { label = key, values = y, err = err }
	end
	return { "bars", { file = "best-accuracy.svg", groups = names,
		series = series, ylabel = "test accuracy (mean ± sd)",
		title = ("Sweep %s: best and final test accuracy"):format(
		    s.name) } }
end

-- figures.write(s [, options]): draws the figures of the sweep summary s
-- (see snnwb-lua(7), SWEEPS) into options.dir (default the sweep's
-- folder), against the grid key options.x; returns the list of files, or
-- nil and a message when one cannot be written.
function figures.write(s, options)
	local fn = "snn.sweep.figures"
	if type(s) ~= "table" or not s.rows then
		error(("%s: argument 's' must be a sweep summary (got %s)")
		    :format(fn, type(s)), 2)
	end
	options = options or {}
	for key in pairs(options) do
		if key ~= "dir" and key ~= "x" then
			error(("%s: unknown option '%s'"):format(fn,
			    tostring(key)), 2)
		end
	end
	local dir = options.dir or s.dir
	local x = x_key(s, options.x)
	local specs = { accuracy_per_epoch(s) }
	if #s.rows > 0 then
		for _, spec in ipairs(x and against(s, x) or
		    { accuracy_bars(s) }) do
			specs[#specs + 1] = spec
		end
	end
	local written = {}
	for _, spec in ipairs(specs) do
		spec[2].file = dir .. "/" .. spec[2].file
		local path, err = snn.plot[spec[1]](spec[2])
		if not path then
			return nil, fn .. ": " .. err
		end
		written[#written + 1] = path
	end
	return written
end

return figures
