-- sweep.lua: sweeps, many training runs over a grid of settings and seeds,
-- each in a run directory of its own, resumed after a crash, run here or in
-- parallel processes, or listed as jobs for GNU Parallel and Slurm (see
-- snnwb-lua(7), SWEEPS). The prelude makes it snn.sweep:
--
--	local summary = snn.sweep{ name = "atan", seeds = { 1, 2, 3 },
--		grid = { alpha = { 1, 2, 4 } },
--		run = function(cfg) ... snn.train{ run_dir = cfg.run_dir,
--			resume = cfg.resume, ... } ... return { ... } end }
--
-- A process started for one run (by jobs > 1, or from jobs.txt) runs the
-- same script with SNNWB_SWEEP_RUN set to that run's directory: its
-- snn.sweep call runs just that run and ends the process.
local snn = require("snn")
local json = require("snnwb.json")
local files = require("snnwb.files")
local summary = require("snnwb.summary")
local figures = require("snnwb.figures")

local sweep = {}

-- The environment variable naming the run a child process is for.
local RUN_VAR = "SNNWB_SWEEP_RUN"

-- The fields of cfg that snn.sweep fills in itself.
local RESERVED = { seed = true, name = true, run_dir = true, resume = true }

-- The options snn.sweep knows.
local OPTIONS = { name = true, dir = true, grid = true, seeds = true,
	run = true, jobs = true, fixed = true, reach = true, cores = true }

-- A name that a folder can have and a shell word need not quote.
local WORD = "^[%w_+-][%w_.+-]*$"

-- Raises the argument error "fn: argument 'arg' ..." without a position.
local function argerror(fn, arg, fmt, ...)
	error(("%s: argument '%s' " .. fmt):format(fn, arg, ...), 0)
end

-- Returns the text of the grid value v of key in run names, checking that
-- it is a plain value that a folder name can hold.
local function value_text(fn, key, v)
	local text
	if type(v) == "string" then
		text = v:match(WORD)
	elseif type(v) == "boolean" then
		text = tostring(v)
	elseif type(v) == "number" then
		text = json.number(v)
	end
	if not text then
		argerror(fn, "grid", "has the value %s for '%s' (values " ..
		    "are finite numbers, booleans, or strings of letters, " ..
		    "digits and _ . + - not starting with .)", tostring(v),
		    key)
	end
	return text
end

-- Returns whether the table t is a list: keys 1..n and nothing else.
local function is_list(t)
	local n = 0
	for _ in pairs(t) do
		n = n + 1
	end
	return n == #t
end

-- Returns grid (one grid, or a list of grids whose runs are all made) as
-- a checked list of grids, and their sorted keys, which all must share.
local function grid_list(fn, grid)
	if grid == nil then
		return { {} }, {}
	elseif type(grid) ~= "table" then
		argerror(fn, "grid", "must be a table (got %s)", type(grid))
	end
	local list = grid[1] ~= nil and grid or { grid }
	if not is_list(list) then
		argerror(fn, "grid", "mixes a list of grids with keys")
	end
	local keys
	for i, g in ipairs(list) do
		if type(g) ~= "table" then
			argerror(fn, "grid", "lists a %s, not a grid", type(g))
		end
		local these = {}
		for key, values in pairs(g) do
			if type(key) ~= "string" or
			    not key:match("^[%a_][%w_]*$") then
				argerror(fn, "grid", "has the key %s (keys " ..
				    "are identifiers)", tostring(key))
			elseif RESERVED[key] then
				argerror(fn, "grid", "has the key '%s', " ..
				    "which snn.sweep sets itself", key)
			elseif type(values) ~= "table" or #values == 0 or
			    not is_list(values) then
				argerror(fn, "grid", "'%s' must be a " ..
				    "non-empty list of values", key)
			end
			these[#these + 1] = key
		end
		table.sort(these)
		if keys and table.concat(keys, ",") ~=
		    table.concat(these, ",") then
			argerror(fn, "grid", "lists grids with different " ..
			    "keys (%s and %s)", table.concat(keys, ", "),
			    table.concat(these, ", "))
		end
		keys = these
	end
	return list, keys
end

-- Appends to runs the runs of grid g with seed: the cartesian product of
-- its values, the first key outermost; names (a set) catches repeats.
local function product(fn, g, keys, seed, runs, names)
	local values, texts = {}, {}
	local function level(k)
		if k > #keys then
			local parts = {}
			for i, key in ipairs(keys) do
				parts[i] = key .. "=" .. texts[key]
			end
			local config = table.concat(parts, ",")
			parts[#parts + 1] = "seed=" .. seed
			local name = table.concat(parts, ",")
			if names[name] then
				argerror(fn, "grid", "makes the run %s twice",
				    name)
			end
			names[name] = true
			local copy = {}
			for key, v in pairs(values) do
				copy[key] = v
			end
			runs[#runs + 1] = { name = name, config = config,
				values = copy, seed = seed }
			return
		end
		local key = keys[k]
		for _, v in ipairs(g[key]) do
			values[key], texts[key] = v, value_text(fn, key, v)
			level(k + 1)
		end
		values[key], texts[key] = nil, nil
	end
	level(1)
end

-- The runs of grid and seeds, checked, as sweep.expand returns them.
local function expand(fn, grid, seeds)
	local list, keys = grid_list(fn, grid)
	if type(seeds) ~= "table" or #seeds == 0 or not is_list(seeds) then
		argerror(fn, "seeds", "must be a non-empty list of seeds")
	end
	for _, seed in ipairs(seeds) do
		if math.type(seed) ~= "integer" or seed < 0 then
			argerror(fn, "seeds", "must hold non-negative " ..
			    "integers (got %s)", tostring(seed))
		end
	end
	local runs, names = {}, {}
	for _, seed in ipairs(seeds) do
		for _, g in ipairs(list) do
			product(fn, g, keys, seed, runs, names)
		end
	end
	return runs, keys
end

-- sweep.expand(grid, seeds): the runs of a sweep in the order it runs
-- them: for each seed, each grid's cartesian product (keys sorted, the
-- first outermost, values in their order); a list of { name, config,
-- values, seed }, and the sorted keys.
function sweep.expand(grid, seeds)
	return expand("snn.sweep.expand", grid, seeds)
end

-- Returns the options of snn.sweep checked, with their defaults.
local function check(fn, options)
	if type(options) ~= "table" then
		argerror(fn, "options", "must be a table (got %s)",
		    type(options))
	end
	for key in pairs(options) do
		if not OPTIONS[key] then
			error(("%s: unknown option '%s'"):format(fn,
			    tostring(key)), 0)
		end
	end
	local o = {}
	o.name = options.name
	if type(o.name) ~= "string" or not o.name:match(WORD) then
		argerror(fn, "name", "must be a string of letters, digits " ..
		    "and _ . + - (got %s)", tostring(o.name))
	end
	o.dir = options.dir or files.runs("sweeps/" .. o.name)
	if type(o.dir) ~= "string" or o.dir == "" then
		argerror(fn, "dir", "must be a folder name")
	end
	o.run = options.run
	if type(o.run) ~= "function" then
		argerror(fn, "run", "must be a function (got %s)",
		    type(o.run))
	end
	for _, key in ipairs{ "jobs", "cores" } do
		local v = options[key]
		if v ~= nil and (math.type(v) ~= "integer" or v < 1) then
			argerror(fn, key, "must be a positive integer (got %s)",
			    tostring(v))
		end
	end
	o.jobs = options.jobs or 1
	o.cores = options.cores
	o.reach = options.reach or 0.9
	if type(o.reach) ~= "number" or o.reach <= 0 or o.reach > 1 then
		argerror(fn, "reach", "must be a number in (0, 1] (got %s)",
		    tostring(o.reach))
	end
	o.runs, o.keys = expand(fn, options.grid, options.seeds or
	    { snn.seed() })
	o.fixed = options.fixed or {}
	if type(o.fixed) ~= "table" then
		argerror(fn, "fixed", "must be a table (got %s)",
		    type(o.fixed))
	end
	for key in pairs(o.fixed) do
		if RESERVED[key] or o.runs[1].values[key] ~= nil then
			argerror(fn, "fixed", "has the key '%s' of the grid " ..
			    "or of snn.sweep", tostring(key))
		end
	end
	local plain, err = pcall(json.encode, o.fixed)
	if not plain then
		argerror(fn, "fixed", "must hold plain values (%s)", err)
	end
	for _, r in ipairs(o.runs) do
		r.dir = o.dir .. "/" .. r.name
	end
	return o
end

-- Runs the run r of sweep o in this process and writes its result.json;
-- the jobs that the run starts are waited for (snn.wait), in the
-- interactive session too, so the run has ended when its result is written.
local function execute(o, r)
	local cfg = {}
	for key, v in pairs(o.fixed) do
		cfg[key] = v
	end
	for key, v in pairs(r.values) do
		cfg[key] = v
	end
	cfg.seed, cfg.name, cfg.run_dir = r.seed, r.name, r.dir
	cfg.resume = files.exists(r.dir .. "/checkpoint.safetensors")
	local made, err = files.mkdirs(r.dir)
	if not made then
		error("snn.sweep: " .. err, 0)
	end
	snn.seed(r.seed)
	local started = snn.clock()
	local result = snn.wait(o.run, cfg)
	local good, text = pcall(json.encode, { name = r.name,
		values = r.values, seed = r.seed, fixed = o.fixed,
		result = result, version = snn.version,
		seconds = math.floor((snn.clock() - started) * 1000 + 0.5) /
		    1000,
		finished = os.date("!%Y-%m-%dT%H:%M:%SZ") })
	if not good then
		error(("snn.sweep: the result of run %s cannot be written " ..
		    "(%s)"):format(r.name, text), 0)
	end
	local written, werr = files.write(r.dir .. "/result.json",
	    text .. "\n")
	if not written then
		error("snn.sweep: " .. werr, 0)
	end
end

-- Returns whether the error message err says that Ctrl-C stopped Lua.
local function interrupted(err)
	return err:match("^interrupted") or err:match(":%d+: interrupted")
end

-- Runs the runs in the list pending one after the other in this process;
-- a run that fails is reported and the others go on, but Ctrl-C stops all.
local function serial(o, pending)
	for i, r in ipairs(pending) do
		snn.log("snn.sweep %s: run %d of %d: %s", o.name, i, #pending,
		    r.name)
		local good, err = pcall(execute, o, r)
		if not good then
			err = tostring(err)
			if interrupted(err) then
				error(err, 0)
			end
			io.stderr:write(("snn.sweep %s: run %s failed: %s\n")
			    :format(o.name, r.name, err))
		end
	end
end

-- Returns the long option a of snnwb's command line by its full name
-- (getopt_long takes unique prefixes) and its value when given with =;
-- nil when a is not a long option.
local function long_option(a)
	local long, value = a:match("^%-%-([%w-]+)=?(.*)$")
	if not long then
		return nil
	end
	for _, name in ipairs{ "seed", "threads", "view", "help" } do
		if name:sub(1, #long) == long then
			return name, a:find("=", 1, true) and value or nil
		end
	end
	return long
end

-- Returns the words of snnwb's command line that a child repeats: the
-- program (absolute when given as a path) and the options -q, -l MODULE
-- and --seed N given before the script, but not -i, --view or --threads.
local function program_words()
	local first = 0
	while arg[first - 1] ~= nil do
		first = first - 1
	end
	local prog = arg[first]
	local words = { prog:find("/", 1, true) and files.absolute(prog) or
	    prog }
	local i = first + 1
	while i < 0 do
		local a = arg[i]
		local long, value = long_option(a)
		if long == "seed" or long == "threads" then
			if not value then
				i = i + 1
				value = arg[i]
			end
			if long == "seed" then
				words[#words + 1] = "--seed=" .. value
			end
		elseif not long and a:match("^%-[^-]") then
			for j = 2, #a do
				local c = a:sub(j, j)
				if c == "q" then
					words[#words + 1] = "-q"
				elseif c == "l" or c == "e" then
					value = a:sub(j + 1)
					if value == "" then
						i = i + 1
						value = arg[i]
					end
					if c == "l" then
						words[#words + 1] = "-l" ..
						    value
					end
					break
				end
			end
		end
		i = i + 1
	end
	return words
end

-- Returns the command line, quoted for sh(1), that runs this script again
-- with its arguments, with the threads that SNNWB_THREADS gives (1
-- without it).
local function script_command()
	local words = {}
	for i, w in ipairs(program_words()) do
		words[i] = files.quote(w)
	end
	words[#words + 1] = '--threads "${SNNWB_THREADS:-1}" -e'
	words[#words + 1] = files.quote(files.absolute(arg[0]))
	for _, a in ipairs(arg) do
		words[#words + 1] = files.quote(a)
	end
	return table.concat(words, " ")
end

-- Returns the shell command that runs the run r in a child process that
-- runs script (script_command) in the folder here; its output is added
-- to the run's log.txt.
local function command(r, script, here)
	local dir = files.quote(r.dir)
	return ("cd %s && mkdir -p %s && %s=%s %s >>%s 2>&1"):format(
	    files.quote(here), dir, RUN_VAR, dir, script,
	    files.quote(r.dir .. "/log.txt"))
end

-- Whether this process runs a script file, which children can run again.
local function has_script()
	return type(arg) == "table" and type(arg[0]) == "string" and
	    arg[0] ~= "-"
end

-- Writes jobs.txt (the command of each run, one a line) and slurm.sh (a
-- Slurm job array running line $SLURM_ARRAY_TASK_ID) into the sweep's
-- folder; returns the commands by run name.
local function write_jobs(o)
	local here, script = files.absolute("."), script_command()
	local lines, by_name = {}, {}
	for i, r in ipairs(o.runs) do
		lines[i] = command(r, script, here)
		by_name[r.name] = lines[i]
	end
	local dir = files.absolute(o.dir)
	local slurm = table.concat({
		"#!/bin/sh",
		"# slurm.sh: the runs of the snnwb sweep " .. o.name ..
		    " as a Slurm job array,",
		"# a run a task, each running one line of jobs.txt. " ..
		    "Written by snn.sweep",
		"# (see snnwb-lua(7)); submit it with",
		"#\tsbatch " .. dir .. "/slurm.sh",
		"# Options given to sbatch override those below, such as",
		"#\tsbatch --cpus-per-task=4 --time=2:00:00 " .. dir ..
		    "/slurm.sh",
		"# When all tasks have ended, run the script again " ..
		    "(finished runs are",
		"# skipped) or snn.sweep.collect() to write the summary.",
		"#SBATCH --job-name=snnwb-" .. o.name,
		"#SBATCH --array=1-" .. #lines,
		"#SBATCH --cpus-per-task=1",
		"#SBATCH --output=" .. dir .. "/slurm-%A_%a.out",
		"SNNWB_THREADS=${SLURM_CPUS_PER_TASK:-1}",
		"export SNNWB_THREADS",
		"exec sh -c \"$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " ..
		    files.quote(dir .. "/jobs.txt") .. ")\"",
		"" }, "\n")
	for _, file in ipairs{ { "jobs.txt", table.concat(lines, "\n") ..
	    "\n" }, { "slurm.sh", slurm } } do
		local good, err = files.write(o.dir .. "/" .. file[1], file[2])
		if not good then
			error("snn.sweep: " .. err, 0)
		end
	end
	return by_name
end

-- Returns the number of processor cores, as nproc(1) counts them.
local function cores()
	local n = tonumber(files.output("nproc 2>/dev/null || " ..
	    "getconf _NPROCESSORS_ONLN 2>/dev/null"))
	return n and math.max(1, math.floor(n)) or 1
end

-- Runs the runs in pending in up to o.jobs child processes at a time
-- (xargs -P), each with an equal share of the cores as its threads, and
-- reports each run that ends. The children stay in this process's group
-- and hold, as descriptor 3 (SNNWB_SWEEP_WATCH), the write end of the pipe
-- this process reads their reports from: when it ends, however it dies,
-- each child ends too (orphan.c) and no further run starts. The list of
-- runs goes to xargs through a file that is removed once opened.
local function parallel(o, pending, commands)
	local n = math.min(o.jobs, #pending)
	local threads = math.max(1, (o.cores or cores()) // n)
	snn.log("snn.sweep %s: %d runs, %d at a time with %d thread%s each;" ..
	    " output in each run's log.txt", o.name, #pending, n, threads,
	    threads > 1 and "s" or "")
	local list = os.tmpname()
	local args = {}
	for _, r in ipairs(pending) do
		args[#args + 1] = r.dir .. "\0" .. commands[r.name] .. "\0"
	end
	local written, err = files.write(list, table.concat(args))
	if not written then
		os.remove(list)
		error("snn.sweep: " .. err, 0)
	end
	local report = 'sh -c "$1"; s=$?; if [ "$s" -eq 255 ]; then exit 255;' ..
	    ' elif [ "$s" -ne 0 ]; then echo "snn.sweep: run $0 failed ' ..
	    '(exit status $s): see $0/log.txt"' ..
	    (snn.quiet and "" or '; else echo "snn.sweep: finished $0"') ..
	    '; fi'
	local p = io.popen(("exec 3>&1 <%s; rm -f %s; SNNWB_THREADS=%d " ..
	    "SNNWB_SWEEP_WATCH=3 exec xargs -0 -P %d -n 2 sh -c %s"):format(
	    files.quote(list), files.quote(list), threads, n,
	    files.quote(report)), "r")
	local line = p:read("l")
	while line do
		io.stderr:write(line, "\n")
		line = p:read("l")
	end
	local good, how, status = p:close()
	if not good and how == "exit" then
		error(("snn.sweep: xargs could not run the runs (exit " ..
		    "status %d)"):format(status), 0)
	end
end

-- Writes sweep.json, the description of the sweep that collect reads,
-- after checking that the folder holds no sweep with other fixed
-- settings.
local function write_record(fn, o)
	local path = o.dir .. "/sweep.json"
	local old = files.read(path)
	old = old and json.decode(old)
	if old and json.encode(old.fixed or {}) ~= json.encode(o.fixed) then
		error(("%s: %s holds a sweep with other fixed settings " ..
		    "(%s, now %s): use another dir"):format(fn, o.dir,
		    json.encode(old.fixed or {}), json.encode(o.fixed)), 0)
	end
	local runs = {}
	for i, r in ipairs(o.runs) do
		runs[i] = { name = r.name, config = r.config,
			values = r.values, seed = r.seed }
	end
	local made, err = files.mkdirs(o.dir)
	local good, werr = made and files.write(path, json.encode{
		name = o.name, keys = o.keys, fixed = o.fixed,
		reach = o.reach, runs = runs } .. "\n")
	if not good then
		error(("%s: %s"):format(fn, err or werr), 0)
	end
end

-- In a child process for the run whose directory is target: makes that
-- run, unless it has finished, and ends the process; when the run is not
-- one of sweep o, returns o's summary as it is, writing nothing.
local function child(o, target)
	for _, r in ipairs(o.runs) do
		if r.dir == target then
			if not summary.result(r.dir) then
				snn.log("snn.sweep %s: run %s", o.name, r.name)
				execute(o, r)
			end
			os.exit(true, true)
		end
	end
	return summary.collect(o.dir, { write = false })
end

-- snn.sweep(options): runs every run of the sweep that has not finished
-- (see snnwb-lua(7), SWEEPS) and returns the summary; in a child process
-- for one run, runs that run and ends the process.
local function run_sweep(options)
	local fn = "snn.sweep"
	local o = check(fn, options)
	local target = os.getenv(RUN_VAR)
	if target and target ~= "" then
		return child(o, target)
	end
	write_record(fn, o)
	local commands = has_script() and write_jobs(o)
	local pending = {}
	for _, r in ipairs(o.runs) do
		local result, err = summary.result(r.dir)
		if not result then
			pending[#pending + 1] = r
		end
		if err then
			snn.log("snn.sweep %s: %s: run %s again", o.name, err,
			    r.name)
		end
	end
	snn.log("snn.sweep %s: %d runs, %d finished before, in %s", o.name,
	    #o.runs, #o.runs - #pending, files.absolute(o.dir))
	if o.jobs > 1 and #pending > 0 then
		if not commands then
			error(fn .. ": jobs > 1 needs a script file that " ..
			    "the runs can run again (snnwb -e FILE)", 0)
		end
		parallel(o, pending, commands)
	else
		serial(o, pending)
	end
	local s, err = summary.collect(o.dir, { reach = o.reach })
	if not s then
		error(fn .. ": " .. err, 0)
	end
	for _, why in ipairs(s.unusable) do
		io.stderr:write(("snn.sweep %s: not used: %s\n"):format(o.name,
		    why))
	end
	return s
end

sweep.collect = summary.collect
sweep.metrics = summary.metrics
sweep.markdown = summary.markdown
sweep.figures = figures.write

return setmetatable(sweep, {
	__call = function(_, options)
		return run_sweep(options)
	end,
})
