-- simulate.lua: simulated N-MNIST sets made once and reused, and the Lua
-- side of datasets/simulate-nmnist (see snnwb-lua(7)):
-- local simulate = require("snnwb.simulate").
local snn = require("snn")
local files = require("snnwb.files")

local simulate = {}

-- The file in a simulated set's folder that says how it was made.
local RECORD = "simulation.lua"

-- Describes a train= or test= selection of snn.simulate_nmnist as ranges
-- of image numbers ("1..100,205,300..400"), or "" when it is nil.
local function describe(sel)
	if sel == nil then
		return ""
	elseif type(sel) == "number" then
		return "1.." .. sel
	elseif sel.first ~= nil then
		return sel.first .. ".." .. tostring(sel.last)
	end
	local ids = table.move(sel, 1, #sel, 1, {})
	table.sort(ids)
	local parts, i = {}, 1
	while i <= #ids do
		local j = i
		while j < #ids and ids[j + 1] == ids[j] + 1 do
			j = j + 1
		end
		parts[#parts + 1] = j > i and ids[i] .. ".." .. ids[j] or
		    tostring(ids[i])
		i = j + 1
	end
	return table.concat(parts, ",")
end

-- Returns the number of images a selection names.
local function count(sel)
	if sel == nil then
		return 0
	elseif type(sel) == "number" then
		return sel
	elseif sel.first ~= nil then
		return sel.last - sel.first + 1
	end
	return #sel
end

-- Describes simulator parameters as sorted "name=value" pairs.
local function describe_params(params)
	local parts = {}
	for name, value in pairs(params or {}) do
		parts[#parts + 1] = ("%s=%.17g"):format(name, value)
	end
	table.sort(parts)
	return table.concat(parts, ",")
end

-- simulate.fingerprint([params]): a short text that changes whenever the
-- simulator's output does: the events of one recording of a fixed
-- synthetic image, with params (as snn.simulate_nmnist takes them).
function simulate.fingerprint(params)
	local img = snn.zeros{ 28, 28 }
	for y = 6, 22 do
		for x = 11, 17 do
			img:set(y, x, (x + y) % 3 == 0 and 0.5 or 1)
		end
	end
	local ev = snn.sim.recording(img, { seed = 1, params = params })
	local sum = 0
	for i = 1, #ev.t do
		sum = sum + ev.t[i] + 34 * (ev.x[i] + 34 * ev.y[i]) + ev.p[i]
	end
	return ("%d events, checksum %d"):format(#ev.t, sum)
end

-- simulate.data_dir(set): the default folder of data set set, as
-- datasets/fetch chooses it: $SNNWB_DATA/set, else
-- ${XDG_DATA_HOME:-~/.local/share}/snnwb/set.
function simulate.data_dir(set)
	local data = os.getenv("SNNWB_DATA")
	if data and data ~= "" then
		return data .. "/" .. set
	end
	local xdg = os.getenv("XDG_DATA_HOME")
	if not xdg or xdg == "" then
		xdg = (os.getenv("HOME") or "") .. "/.local/share"
	end
	return xdg .. "/snnwb/" .. set
end

-- simulate.fetch_mnist(fetch): makes sure snn.data.mnist finds MNIST; when
-- it does not, runs the script fetch (datasets/fetch) to download MNIST
-- into its default folder, and raises an error if that fails.
function simulate.fetch_mnist(fetch)
	if pcall(snn.data.mnist, { split = "test" }) then
		return
	end
	snn.log("no MNIST found: fetching it (11 MB, one time) with %s mnist",
	    fetch)
	if not os.execute("sh " .. files.quote(fetch) .. " mnist") then
		error(("simulate.fetch_mnist: %s mnist failed (see its " ..
		    "messages above)"):format(fetch), 2)
	end
end

-- simulate.record(dir): the record of the simulated set in folder dir (a
-- table: train, test, seed, complete, ...), or nil when dir holds no
-- record, as for real recordings.
function simulate.record(dir)
	local chunk = loadfile(dir .. "/" .. RECORD, "t", {})
	local good, record = pcall(chunk or error)
	return good and type(record) == "table" and record or nil
end

-- Writes the record of folder out from the table r; raises on failure.
local function write_record(out, r)
	local text = { "-- How snnwb simulated the N-MNIST recordings in " ..
	    "this folder\n-- (snn.simulate_nmnist, see datasets/README): " ..
	    "simulated from MNIST,\n-- not real recordings.\nreturn {\n" }
	for _, key in ipairs{ "snnwb", "complete", "train", "test",
	    "train_ids", "test_ids", "seed", "params", "simulator",
	    "seconds" } do
		local v = r[key]
		text[#text + 1] = ("\t%s = %s,\n"):format(key,
		    math.type(v) == "float" and ("%.2f"):format(v) or
		    ("%q"):format(v))
	end
	text[#text + 1] = "}\n"
	local good, err = files.write(out .. "/" .. RECORD,
	    table.concat(text))
	if not good then
		error("simulate.ensure: " .. err, 3)
	end
end

-- simulate.ensure(options): makes the simulated N-MNIST set that
-- snn.simulate_nmnist(options) makes, unless options.out already holds
-- that set complete, made with the same images, seed, parameters and
-- simulator (its record says so); then it is reused. Refuses a folder
-- holding other recordings. Returns {train =, test =, seconds =, reused =}.
function simulate.ensure(options)
	local out = options.out
	if type(out) ~= "string" or out == "" then
		error("simulate.ensure: argument 'out' must name a folder", 2)
	end
	local want = {
		snnwb = snn.version,
		complete = false,
		train = count(options.train),
		test = count(options.test),
		train_ids = describe(options.train),
		test_ids = describe(options.test),
		seed = options.seed or snn.seed(),
		params = describe_params(options.params),
		simulator = simulate.fingerprint(options.params),
	}
	local have = simulate.record(out)
	local same = have ~= nil
	for _, key in ipairs{ "train_ids", "test_ids", "seed", "params",
	    "simulator" } do
		same = same and have[key] == want[key]
	end
	if same and have.complete then
		return { train = have.train, test = have.test, seconds = 0,
			reused = true }
	end
	if not same and (have or files.exists(out .. "/Train") or
	    files.exists(out .. "/Test")) then
		error(("simulate.ensure: %s already holds recordings made " ..
		    "otherwise (see its %s); remove them or choose another " ..
		    "folder"):format(out, RECORD), 2)
	end
	local made_dir, err = files.mkdirs(out)
	if not made_dir then
		error("simulate.ensure: " .. err, 2)
	end
	write_record(out, want)
	local made
	made, err = snn.simulate_nmnist(options)
	if not made then
		error("simulate.ensure: " .. err, 2)
	end
	want.complete = true
	want.seconds = made.seconds
	write_record(out, want)
	made.reused = false
	return made
end

-- simulate.main(out, train, test, seed, mnist, fetch): what
-- datasets/simulate-nmnist runs, its arguments checked there: train and
-- test counts (0: none), the seed, MNIST's folder ("": fetch it with the
-- script fetch unless snn.data.mnist finds it).
function simulate.main(out, train, test, seed, mnist, fetch)
	train, test = math.tointeger(tonumber(train)),
	    math.tointeger(tonumber(test))
	if mnist == "" then
		simulate.fetch_mnist(fetch)
		mnist = nil
	end
	local r = simulate.ensure{ out = out, mnist = mnist,
		train = train > 0 and train or nil,
		test = test > 0 and test or nil,
		seed = math.tointeger(tonumber(seed)) }
	if r.reused then
		print(("%s already holds these %d train and %d test " ..
		    "recordings (seed %s): nothing to do"):format(out, r.train,
		    r.test, seed))
	else
		print(("simulated N-MNIST: %d train and %d test recordings " ..
		    "in %s (seed %s, %.1f s)"):format(r.train, r.test, out,
		    seed, r.seconds))
	end
end

return simulate
