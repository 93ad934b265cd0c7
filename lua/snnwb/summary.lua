-- summary.lua: the summary of a sweep, merged from what its runs wrote
-- (sweep.json, and each run's result.json and metrics.csv), as a table and
-- as summary.csv and summary.md in the sweep's folder (see snnwb-lua(7),
-- SWEEPS); snn.sweep.collect and snn.sweep.markdown are its functions.
local json = require("snnwb.json")
local files = require("snnwb.files")

local summary = {}

-- Returns the statistics of the list of numbers list: { mean, sd, n },
-- sd the sample standard deviation (n - 1), nil for fewer than two, and
-- mean nil for none.
local function stat(list)
	local n, sum = #list, 0
	if n == 0 then
		return { n = 0 }
	end
	for _, v in ipairs(list) do
		sum = sum + v
	end
	local mean, squares = sum / n, 0
	for _, v in ipairs(list) do
		squares = squares + (v - mean) ^ 2
	end
	return { mean = mean, sd = n > 1 and math.sqrt(squares / (n - 1)) or
		nil, n = n }
end

-- The columns every metrics.csv has.
local REQUIRED = { "kind", "epoch", "batch", "loss", "test_acc", "seconds" }

-- Returns the fields of the CSV line line.
local function fields_of(line)
	local fields = {}
	for field in (line .. ","):gmatch("([^,]*),") do
		fields[#fields + 1] = field
	end
	return fields
end

-- Returns the checked header of metrics.csv (its first line), the
-- activation layers' names (columns NAME.spike_rate, in network order),
-- or nil and what is wrong with it.
local function read_header(line)
	local header, seen, layers = fields_of(line), {}, {}
	for _, name in ipairs(header) do
		seen[name] = true
		layers[#layers + 1] = name:match("^(.+)%.spike_rate$")
	end
	for _, name in ipairs(REQUIRED) do
		if not seen[name] then
			return nil, ("has no header (line 1 has no column " ..
			    "'%s')"):format(name)
		end
	end
	return header, layers
end

-- Returns the row of the line number i of metrics.csv, its fields
-- checked against header: a table of numbers by column (empty fields left
-- out) and its kind; or nil and what is wrong with the line.
local function read_row(header, line, i)
	local fields = fields_of(line)
	if #fields ~= #header then
		return nil, ("line %d has %d fields, the header %d (cut short " ..
		    "or damaged)"):format(i, #fields, #header)
	end
	local row = {}
	for k, name in ipairs(header) do
		local v = fields[k]
		if name == "kind" then
			if v ~= "batch" and v ~= "epoch" then
				return nil, ("line %d: kind '%s' is neither " ..
				    "batch nor epoch"):format(i, v)
			end
		elseif v ~= "" then
			row[name] = tonumber(v)
			if not row[name] then
				return nil, ("line %d: %s '%s' is not a " ..
				    "number"):format(i, name, v)
			end
		end
	end
	if math.type(row.epoch) ~= "integer" or row.epoch < 1 then
		return nil, ("line %d: epoch '%s' is not a positive integer")
		    :format(i, tostring(row.epoch))
	end
	return row, fields[1]
end

-- summary.metrics(run_dir): the epoch rows of the whole metrics.csv in
-- run_dir, checked (see snnwb-lua(7), SWEEPS): tables of numbers by
-- column (empty fields left out), each with the epoch's length in seconds
-- as duration, and the activation layers' names (none of either without
-- the file); or nil and a message naming the file and what is wrong.
-- The seconds column restarts from 0 when a run resumes: a row whose
-- seconds fall below the row before starts the clock again.
function summary.metrics(run_dir)
	local path = run_dir .. "/metrics.csv"
	if not files.exists(path) then
		return {}, {}
	end
	local text, err = files.read(path)
	if not text then
		return nil, ("cannot read %s"):format(err)
	end
	local function bad(why)
		return nil, path .. " " .. why
	end
	if text == "" then
		return bad("is empty")
	elseif text:sub(-1) ~= "\n" then
		return bad("ends in a cut line (no newline at its end)")
	end
	local header, layers, rows = nil, nil, {}
	local start, last, i = 0, 0, 0
	for line in text:gmatch("([^\n]*)\n") do
		i = i + 1
		if not header then
			header, layers = read_header(line)
			if not header then
				return bad(layers)
			end
		else
			local row, kind = read_row(header, line, i)
			if not row then
				return bad(kind)
			end
			local seconds = row.seconds or last
			if seconds < last then
				start = 0
			end
			last = seconds
			if kind == "epoch" then
				if row.epoch ~= #rows + 1 then
					return bad(("line %d: epoch %d where " ..
					    "epoch %d is due"):format(i,
					    row.epoch, #rows + 1))
				end
				row.duration = seconds - start
				start = seconds
				rows[#rows + 1] = row
			end
		end
	end
	return rows, layers
end

-- summary.result(run_dir): the record in run_dir/result.json of a finished
-- run; nil when it has none, or nil and a message naming the file when it
-- cannot be read or is no record of a finished run (a run that is run
-- again).
function summary.result(run_dir)
	local path = run_dir .. "/result.json"
	if not files.exists(path) then
		return nil
	end
	local text, err = files.read(path)
	if not text then
		return nil, ("cannot read %s"):format(err)
	end
	local record, jerr = json.decode(text)
	if not record then
		return nil, ("%s is not valid JSON (%s)"):format(path, jerr)
	elseif type(record) ~= "table" or type(record.name) ~= "string" or
	    type(record.finished) ~= "string" then
		return nil, ("%s is not the record of a finished run"):format(
		    path)
	end
	return record
end

-- Returns the mean over the epoch rows of the column name, or nil.
local function epoch_mean(rows, name)
	local values = {}
	for _, row in ipairs(rows) do
		values[#values + 1] = row[name]
	end
	return stat(values).mean
end

-- Reads the finished run r (as sweep.json lists it) in run_dir, whose
-- result.json holds record; returns what the summary needs of it, or nil
-- and a message naming the file that cannot be used.
local function read_run(run_dir, r, record, reach)
	local rows, layers = summary.metrics(run_dir)
	if not rows then
		return nil, layers
	end
	local run = { name = r.name, config = r.config, values = r.values,
		seed = r.seed, result = record.result, epochs = rows,
		layers = #layers, layer_names = layers, spike_rate = {},
		sg_zero = {}, sg_small = {} }
	for _, row in ipairs(rows) do
		local acc = row.test_acc
		if acc then
			run.best_acc = math.max(run.best_acc or acc, acc)
			if not run.reach_epoch and acc >= reach then
				run.reach_epoch = row.epoch
			end
		end
	end
	run.final_acc = #rows > 0 and rows[#rows].test_acc or nil
	run.dead = #rows > 0 and rows[#rows].dead == 1
	run.trained_epochs = #rows
	run.epoch_seconds = epoch_mean(rows, "duration")
	for l, layer in ipairs(layers) do
		run.spike_rate[l] = epoch_mean(rows, layer .. ".spike_rate")
		run.sg_zero[l] = epoch_mean(rows, layer .. ".sg_zero")
		run.sg_small[l] = epoch_mean(rows, layer .. ".sg_small")
	end
	return run
end

-- Returns the statistics over the runs of get(run), which may be nil.
local function over(runs, get)
	local values = {}
	for _, run in ipairs(runs) do
		values[#values + 1] = get(run)
	end
	return stat(values)
end

-- Returns whether v is a number that is neither NaN nor infinite.
local function finite(v)
	return type(v) == "number" and v == v and v ~= math.huge and
	    v ~= -math.huge
end

-- Returns the row of the summary for the finished runs of one
-- configuration (values), with the number of layers and the result keys.
local function make_row(config, values, runs, layers, result_keys)
	local row = { config = config, values = values, n = #runs,
		seeds = {}, spike_rate = {}, sg_zero = {}, sg_small = {},
		results = {}, test_acc = {} }
	row.dead = 0
	for i, run in ipairs(runs) do
		row.seeds[i] = run.seed
		row.dead = row.dead + (run.dead and 1 or 0)
	end
	for _, key in ipairs{ "best_acc", "final_acc", "reach_epoch",
	    "epoch_seconds", "trained_epochs" } do
		row[key] = over(runs, function(run) return run[key] end)
	end
	for _, key in ipairs{ "spike_rate", "sg_zero", "sg_small" } do
		for l = 1, layers do
			row[key][l] = over(runs, function(run)
				return run[key][l]
			end)
		end
	end
	for _, key in ipairs(result_keys) do
		row.results[key] = over(runs, function(run)
			local v = type(run.result) == "table" and
			    run.result[key]
			return finite(v) and v or nil
		end)
	end
	local epochs = 0
	for _, run in ipairs(runs) do
		epochs = math.max(epochs, #run.epochs)
	end
	for e = 1, epochs do
		row.test_acc[e] = over(runs, function(run)
			return run.epochs[e] and run.epochs[e].test_acc
		end)
	end
	return row
end

-- Returns the sorted keys of the finite numbers in the runs' results.
local function result_keys(runs)
	local seen, keys = {}, {}
	for _, run in ipairs(runs) do
		if type(run.result) == "table" then
			for key, v in pairs(run.result) do
				if type(key) == "string" and finite(v) and
				    not seen[key] then
					seen[key] = true
					keys[#keys + 1] = key
				end
			end
		end
	end
	table.sort(keys)
	return keys
end

-- The columns of summary.csv for summary s: a list of { name, get }, get
-- returning a row's value in the column or nil.
local function csv_columns(s)
	local cols = {}
	local function add(name, get)
		cols[#cols + 1] = { name = name, get = get }
	end
	local function add_stat(name, get)
		add(name .. "_mean", function(row) return get(row).mean end)
		add(name .. "_sd", function(row) return get(row).sd end)
	end
	for _, key in ipairs(s.keys) do
		add(key, function(row) return row.values[key] end)
	end
	add("n", function(row) return row.n end)
	add("dead", function(row) return row.dead end)
	for _, key in ipairs{ "best_acc", "final_acc", "reach_epoch" } do
		add_stat(key, function(row) return row[key] end)
	end
	add("reached", function(row) return row.reach_epoch.n end)
	add_stat("epoch_seconds", function(row) return row.epoch_seconds end)
	add_stat("epochs", function(row) return row.trained_epochs end)
	for l = 1, s.layers do
		for _, key in ipairs{ "spike_rate", "sg_zero", "sg_small" } do
			add_stat(key .. "_" .. l - 1, function(row)
				return row[key][l]
			end)
		end
	end
	for _, key in ipairs(s.result_keys) do
		add_stat(key, function(row) return row.results[key] end)
	end
	return cols
end

-- Returns the text of summary.csv for summary s.
local function csv(s)
	local cols, lines = csv_columns(s), {}
	local names = {}
	for i, col in ipairs(cols) do
		names[i] = col.name
	end
	lines[1] = table.concat(names, ",")
	for _, row in ipairs(s.rows) do
		local fields = {}
		for i, col in ipairs(cols) do
			local v = col.get(row)
			fields[i] = type(v) == "number" and
			    (json.number(v) and ("%.6g"):format(v) or "") or
			    tostring(v == nil and "" or v)
		end
		lines[#lines + 1] = table.concat(fields, ",")
	end
	return table.concat(lines, "\n") .. "\n"
end

-- Returns "mean ± sd" of the statistics st, the numbers multiplied by
-- scale and written with format; the mean alone for one value, "" for
-- none.
local function mean_sd(st, scale, format)
	if not st.mean then
		return ""
	end
	local text = format:format(st.mean * scale)
	return st.sd and text .. " ± " .. format:format(st.sd * scale) or
	    text
end

-- Returns the text of a value of the grid or of the fixed settings.
local function value_text(v)
	return type(v) == "number" and json.number(v) or tostring(v)
end

-- summary.markdown(s): the text of summary.md for the summary s that
-- snn.sweep or snn.sweep.collect returns: a title, the fixed settings, a
-- table of a row per configuration, and the runs not finished.
function summary.markdown(s)
	if type(s) ~= "table" or not s.rows then
		error(("snn.sweep.markdown: argument 's' must be a sweep " ..
		    "summary (got %s)"):format(type(s)), 2)
	end
	local out = { ("# Sweep %s"):format(s.name), "" }
	local fixed = {}
	for key, v in pairs(s.fixed) do
		fixed[#fixed + 1] = key .. " = " .. value_text(v)
	end
	table.sort(fixed)
	if #fixed > 0 then
		out[#out + 1] = "Fixed: " .. table.concat(fixed, ", ") .. "."
		out[#out + 1] = ""
	end
	out[#out + 1] = ("Mean ± standard deviation over the n seeds of " ..
	    "each configuration. Accuracies are on the test set, in %%; " ..
	    "'to %s%%' is the first epoch reaching it (over the seeds that " ..
	    "did, and how many), blank when none did; epochs are those in " ..
	    "metrics.csv; s/epoch includes testing; the spike rate and the " ..
	    "fractions of surrogate derivatives that are exactly 0 ('sg = 0') " ..
	    "and below 1e-3 of the largest ('sg < 1e-3') are means over the " ..
	    "epochs, per spiking layer from 0; 'dead' counts the runs " ..
	    "whose last epoch was dead: in every batch a layer gave no " ..
	    "spike and the loss was the same to the last bit, so training " ..
	    "could not move the network."):format(json.number(100 *
	    s.reach))
	out[#out + 1] = ""
	local head = {}
	for _, key in ipairs(s.keys) do
		head[#head + 1] = key
	end
	for _, h in ipairs{ "n", "dead", "best acc", "final acc",
	    "to " .. json.number(100 * s.reach) .. "%", "epochs",
	    "s/epoch" } do
		head[#head + 1] = h
	end
	for _, h in ipairs{ "spike rate ", "sg = 0 ", "sg < 1e-3 " } do
		for l = 1, s.layers do
			head[#head + 1] = h .. l - 1
		end
	end
	for _, key in ipairs(s.result_keys) do
		head[#head + 1] = key
	end
	local rule = {}
	for i = 1, #head do
		rule[i] = i <= #s.keys and "---" or "---:"
	end
	out[#out + 1] = "| " .. table.concat(head, " | ") .. " |"
	out[#out + 1] = "|" .. table.concat(rule, "|") .. "|"
	for _, row in ipairs(s.rows) do
		local cells = {}
		for _, key in ipairs(s.keys) do
			cells[#cells + 1] = value_text(row.values[key])
		end
		local reach = mean_sd(row.reach_epoch, 1, "%.1f")
		cells[#cells + 1] = tostring(row.n)
		cells[#cells + 1] = ("%d/%d"):format(row.dead, row.n)
		cells[#cells + 1] = mean_sd(row.best_acc, 100, "%.2f")
		cells[#cells + 1] = mean_sd(row.final_acc, 100, "%.2f")
		cells[#cells + 1] = reach == "" and "" or ("%s (%d/%d)")
		    :format(reach, row.reach_epoch.n, row.n)
		cells[#cells + 1] = mean_sd(row.trained_epochs, 1, "%.3g")
		cells[#cells + 1] = mean_sd(row.epoch_seconds, 1, "%.2f")
		for _, key in ipairs{ "spike_rate", "sg_zero", "sg_small" } do
			for l = 1, s.layers do
				cells[#cells + 1] = mean_sd(row[key][l], 1,
				    "%.3f")
			end
		end
		for _, key in ipairs(s.result_keys) do
			cells[#cells + 1] = mean_sd(row.results[key], 1,
			    "%.3g")
		end
		out[#out + 1] = "| " .. table.concat(cells, " | ") .. " |"
	end
	if #s.missing > 0 then
		out[#out + 1] = ""
		out[#out + 1] = ("Not finished (%d of %d runs): %s."):format(
		    #s.missing, s.total, table.concat(s.missing, ", "))
	end
	if #s.unusable > 0 then
		out[#out + 1] = ""
		out[#out + 1] = "Files not used (their runs are left out " ..
		    "above; a run without a usable result.json runs again):"
		out[#out + 1] = ""
		for _, why in ipairs(s.unusable) do
			out[#out + 1] = "- " .. why
		end
	end
	return table.concat(out, "\n") .. "\n"
end

-- summary.collect(dir [, options]): merges what the runs of the sweep
-- in dir wrote into its summary (see snnwb-lua(7), SWEEPS), writes
-- summary.csv and summary.md there unless options.write is false, and
-- returns the summary, or nil and a message when dir holds no sweep.
function summary.collect(dir, options)
	local fn = "snn.sweep.collect"
	if type(dir) ~= "string" then
		error(("%s: argument 'dir' must be a folder name (got %s)")
		    :format(fn, type(dir)), 2)
	end
	options = options or {}
	for key in pairs(options) do
		if key ~= "reach" and key ~= "write" then
			error(("%s: unknown option '%s'"):format(fn,
			    tostring(key)), 2)
		end
	end
	local text, err = files.read(dir .. "/sweep.json")
	local record
	if text then
		record, err = json.decode(text)
	end
	if not record then
		return nil, ("%s: no sweep in %s (%s)"):format(fn, dir, err)
	end
	local reach = options.reach or record.reach or 0.9
	local s = { name = record.name, dir = dir, keys = record.keys or {},
		fixed = record.fixed or {}, reach = reach, layers = 0,
		rows = {}, runs = {}, missing = {}, unusable = {},
		total = #(record.runs or {}) }
	local configs, order = {}, {}
	for _, r in ipairs(record.runs or {}) do
		local run_dir, run = dir .. "/" .. r.name, nil
		local result, why = summary.result(run_dir)
		if result then
			run, why = read_run(run_dir, r, result, reach)
		else
			s.missing[#s.missing + 1] = r.name
		end
		if why then
			s.unusable[#s.unusable + 1] = why
		end
		if run then
			s.runs[#s.runs + 1] = run
			s.layers = math.max(s.layers, run.layers)
			if not configs[r.config] then
				configs[r.config] = { values = r.values,
					runs = {} }
				order[#order + 1] = r.config
			end
			table.insert(configs[r.config].runs, run)
		end
	end
	s.result_keys = result_keys(s.runs)
	for i, config in ipairs(order) do
		s.rows[i] = make_row(config, configs[config].values,
		    configs[config].runs, s.layers, s.result_keys)
	end
	if options.write ~= false then
		for _, file in ipairs{ { "summary.csv", csv(s) },
		    { "summary.md", summary.markdown(s) } } do
			local good, werr = files.write(dir .. "/" .. file[1],
			    file[2])
			if not good then
				return nil, fn .. ": " .. werr
			end
		end
	end
	return s
end

return summary
