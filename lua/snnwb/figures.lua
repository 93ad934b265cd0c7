-- figures.lua: the figures of a sweep, drawn with snn.plot from its summary
-- into its folder (see snnwb-lua(7), SWEEPS); snn.sweep.figures is
-- figures.write. Accuracies, sparsities and spike rates are drawn in
-- percent; legends name only the grid keys that vary.
local snn = require("snn")
local json = require("snnwb.json")

local figures = {}

-- Series a chart of test accuracy per epoch shows before it keeps only
-- the best configuration of each group.
local MAX_SERIES = 7

-- Returns the text of a grid value.
local function text(v)
	return type(v) == "number" and json.number(v) or tostring(v)
end

-- Returns the grid keys of summary s that take more than one value in its
-- rows, in the order of s.keys.
local function varying(s)
	local list = {}
	for _, key in ipairs(s.keys) do
		local first, differs = nil, false
		for i, row in ipairs(s.rows) do
			if i == 1 then
				first = row.values[key]
			elseif row.values[key] ~= first then
				differs = true
			end
		end
		if differs then
			list[#list + 1] = key
		end
	end
	return list
end

-- Returns the label of a row of summary s by the values of the keys
-- (those that vary) other than skip: a name alone, a number as
-- key=value; "all" when none is left.
local function label(s, row, skip)
	local parts = {}
	for _, key in ipairs(s.varying) do
		local v = row.values[key]
		if key ~= skip then
			parts[#parts + 1] = type(v) == "string" and v or
			    key .. "=" .. text(v)
		end
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

-- Returns the name of spiking layer l of summary s: "layer" and its
-- module path as metrics.csv names it (the live view and net:membrane
-- too), or its number from 0 where the runs do not say.
local function layer_name(s, l)
	for _, run in ipairs(s.runs or {}) do
		local name = run.layer_names and run.layer_names[l]
		if name then
			return "layer " .. name
		end
	end
	return ("layer %d"):format(l - 1)
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

-- Returns a file name part for a group label.
local function file_part(name)
	return (name:gsub("[^%w_.+=-]", "_"))
end

-- Returns the height in pixels of a figure whose legend lists n series
-- (below the plot, in one column at worst, once there are many).
local function height(n)
	return math.min(10000, math.max(500, 400 + 24 * n))
end

-- Returns the means in percent (NaN where none) and standard deviations
-- (0 where none) of get(row) over the rows.
local function series_of(rows, get)
	local y, err = {}, {}
	for i, row in ipairs(rows) do
		local st = get(row)
		y[i], err[i] = 100 * (st.mean or 0 / 0), 100 * (st.sd or 0)
	end
	return y, err
end

-- Returns the test accuracy per epoch of the rows as series for
-- snn.plot.lines, each labelled by name(row).
local function per_epoch(rows, name)
	local series = {}
	for _, row in ipairs(rows) do
		local y = series_of(row.test_acc, function(st) return st end)
		if #y > 0 then
			series[#series + 1] = { label = name(row), y = y }
		end
	end
	return series
end

-- Returns the row of rows with the best mean best accuracy, or nil.
local function best_row(rows)
	local best
	for _, row in ipairs(rows) do
		local m = row.best_acc.mean
		if m and (not best or m > best.best_acc.mean) then
			best = row
		end
	end
	return best
end

-- Returns the range in percent, at whole multiples of 5, that holds the
-- test accuracy of every epoch of the rows.
local function percent_range(rows)
	local lo, hi = math.huge, -math.huge
	for _, row in ipairs(rows) do
		for _, st in ipairs(row.test_acc) do
			if st.mean then
				lo = math.min(lo, 100 * st.mean)
				hi = math.max(hi, 100 * st.mean)
			end
		end
	end
	lo = math.max(0, 5 * math.floor(lo / 5))
	hi = math.min(100, 5 * math.ceil(hi / 5))
	return { lo, hi > lo and hi or lo + 5 }
end

-- Returns the figures of test accuracy per epoch of s: every
-- configuration on one chart, or, when there are more than MAX_SERIES
-- and a numeric key x groups them, the best x of each group on one chart
-- and small multiples, a panel per group on a common y axis with a line
-- per x; an empty list when no run has a test accuracy.
local function accuracy_per_epoch(s, x)
	local function spec(file, series, title)
		return { "lines", { file = file, series = series,
			title = title, subtitle = s.about, xlabel = "epoch",
			ylabel = "test accuracy (%)",
			height = height(#series) } }
	end
	local all = per_epoch(s.rows, function(row) return label(s, row) end)
	if #all == 0 then
		return {}
	end
	local list = x and groups(s, x) or {}
	if #all <= MAX_SERIES or #list < 2 or #list == #s.rows then
		return { spec("test-accuracy.svg", all, "Test accuracy per " ..
		    "epoch, mean over seeds") }
	end
	local best, panels, range = {}, {}, percent_range(s.rows)
	for _, g in ipairs(list) do
		local row = best_row(g.rows)
		if row then
			best[#best + 1] = row
		end
		panels[#panels + 1] = { title = g.label, legend = "bottom",
			yrange = range, xlabel = "epoch",
			ylabel = "test accuracy (%)",
			series = per_epoch(g.rows, function(r)
				return x .. "=" .. text(r.values[x])
			end) }
	end
	return { spec("test-accuracy.svg", per_epoch(best, function(row)
		return ("%s (best %s=%s)"):format(label(s, row, x), x,
		    text(row.values[x]))
	end), ("Test accuracy per epoch at the best %s of each"):format(x)),
		{ "panels", { file = "test-accuracy-panels.svg",
		height = 380,
		title = ("Test accuracy per epoch by %s, mean over seeds")
		    :format(x), subtitle = s.about, panels = panels } } }
end

-- Returns the figures of s against the numeric grid key x: best accuracy
-- of every group, gradient sparsity by layer (a panel per group when
-- there are several), and for each group its accuracy, sparsity and spike
-- rates together.
local function against(s, x)
	local list, xs = groups(s, x), {}
	for _, row in ipairs(s.rows) do
		xs[#xs + 1] = row.values[x]
	end
	local lo, hi = math.min(table.unpack(xs)), math.max(table.unpack(xs))
	local xlog = lo > 0 and hi / lo >= 10
	local best, panels, specs = {}, {}, {}
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
		local sparsity = {}
		for l = 1, s.layers do
			local sy, serr = series_of(g.rows, function(row)
				return row.sg_zero[l]
			end)
			local ry, rerr = series_of(g.rows, function(row)
				return row.spike_rate[l]
			end)
			local layer = layer_name(s, l)
			sparsity[#sparsity + 1] = { label = layer, x = gx,
				y = sy, err = serr }
			both[#both + 1] = { label = "gradient sparsity, " ..
			    layer, x = gx, y = sy, err = serr }
			both[#both + 1] = { label = "spike rate, " .. layer,
				x = gx, y = ry, err = rerr }
		end
		panels[#panels + 1] = { title = g.label, series = sparsity,
			xlog = xlog, xlabel = x, yrange = { 0, 100 },
			legend = "bottom",
			ylabel = "zero derivatives (%)" }
		specs[#specs + 1] = { "lines", { file = ("accuracy-sparsity-" ..
		    "%s.svg"):format(file_part(g.label)), series = both,
			xlog = xlog, yrange = { 0, 100 }, subtitle = s.about,
			title = ("%s: accuracy and gradient sparsity " ..
			    "against %s"):format(g.label, x), xlabel = x,
			ylabel = "% (mean ± sd over seeds)" } }
	end
	table.insert(specs, 1, { "lines", { file = "best-accuracy.svg",
		series = best, xlog = xlog, xlabel = x, height = height(#best),
		title = ("Best test accuracy against %s"):format(x),
		subtitle = s.about,
		ylabel = "best test accuracy (%, mean ± sd)" } })
	local title = ("Gradient sparsity against %s"):format(x)
	if s.layers > 0 and #panels > 1 then
		table.insert(specs, 2, { "panels", { file = "sparsity.svg",
			title = title, subtitle = s.about, panels = panels,
			height = 380 } })
	elseif s.layers > 0 then
		panels[1].title, panels[1].subtitle = title, s.about
		panels[1].file, panels[1].legend = "sparsity.svg", nil
		table.insert(specs, 2, { "lines", panels[1] })
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
		series = series, ylabel = "test accuracy (%, mean ± sd)",
		title = "Best and final test accuracy", subtitle = s.about } }
end

-- Returns the line under the titles: the sweep's name, what it ran on
-- (data, else the fixed settings train, test and epochs) and its seeds.
local function about(s, data)
	local f, parts = s.fixed or {}, {}
	if data then
		parts[1] = data
	else
		if f.train and f.test then
			parts[#parts + 1] = ("%s train / %s test"):format(
			    text(f.train), text(f.test))
		end
		if f.epochs then
			parts[#parts + 1] = ("%s epochs"):format(text(f.epochs))
		end
	end
	local seeds = 0
	for _, row in ipairs(s.rows) do
		seeds = math.max(seeds, row.n or 0)
	end
	if seeds > 0 then
		parts[#parts + 1] = ("%d seed%s"):format(seeds,
		    seeds == 1 and "" or "s")
	end
	local name = ("sweep %s"):format(tostring(s.name))
	return #parts > 0 and name .. ": " .. table.concat(parts, ", ") or
	    name
end

-- figures.write(s [, options]): draws the figures of the sweep summary s
-- (see snnwb-lua(7), SWEEPS) into options.dir (default the sweep's
-- folder), against the grid key options.x, with options.data naming the
-- data under each title; returns the list of files, or nil and a message
-- when one cannot be written.
function figures.write(s, options)
	local fn = "snn.sweep.figures"
	if type(s) ~= "table" or not s.rows then
		error(("%s: argument 's' must be a sweep summary (got %s)")
		    :format(fn, type(s)), 2)
	end
	options = options or {}
	for key in pairs(options) do
		if key ~= "dir" and key ~= "x" and key ~= "data" then
			error(("%s: unknown option '%s'"):format(fn,
			    tostring(key)), 2)
		end
	end
	if options.data ~= nil and type(options.data) ~= "string" then
		error(("%s: option 'data' must be a string (got %s)")
		    :format(fn, type(options.data)), 2)
	end
	local view = setmetatable({ varying = varying(s),
		about = about(s, options.data) }, { __index = s })
	local dir = options.dir or s.dir
	local x = x_key(s, options.x)
	local specs = accuracy_per_epoch(view, x)
	if #s.rows > 0 then
		for _, spec in ipairs(x and against(view, x) or
		    { accuracy_bars(view) }) do
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
