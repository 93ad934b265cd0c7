-- test-format.lua: the messages that Lua's lua_pushfstring formats. It
-- knows only %s %d %I %f %p %c %U and %%, and raises "invalid option" for
-- anything else: first every format string passed to it (directly or
-- through luaL_error, lsnn_argerror, lsnn_warn) in src/*.c is checked, then
-- each path that once used another conversion is run.
local tap = require("tap")

local srcdir = os.getenv("SNNWB_SRCDIR") or "."
local lua_ok = { s = true, d = true, I = true, f = true, p = true, c = true,
	U = true, ["%"] = true }

-- Returns the argument text of the call whose "(" is at open in s.
local function call_args(s, open)
	local depth, i = 1, open + 1
	while depth > 0 and i <= #s do
		local c = s:sub(i, i)
		if c == '"' then
			i = i + 1
			while s:sub(i, i) ~= '"' do
				i = i + (s:sub(i, i) == "\\" and 2 or 1)
			end
		elseif c == "(" then
			depth = depth + 1
		elseif c == ")" then
			depth = depth - 1
		end
		i = i + 1
	end
	return s:sub(open + 1, i - 2)
end

-- Returns the string literals in text (a C argument list), escapes kept.
local function literals(text)
	local out, i = {}, 1
	while true do
		local open = text:find('"', i, true)
		if not open then
			return out
		end
		local j = open + 1
		while text:sub(j, j) ~= '"' do
			j = j + (text:sub(j, j) == "\\" and 2 or 1)
		end
		out[#out + 1] = text:sub(open + 1, j - 1)
		i = j + 1
	end
end

-- Lists the bad conversions of the string literals in a call's arguments.
local function bad_specs(args)
	local bad = {}
	for _, lit in ipairs(literals(args)) do
		for spec, conv in lit:gmatch("(%%[-+ #0-9.*lhjzt]*(.))") do
			if not lua_ok[conv] or #spec > 2 then
				bad[#bad + 1] = spec
			end
		end
	end
	return bad
end

local list = io.popen('ls "' .. srcdir .. '"/src/*.c')
local files, calls, offenders = 0, 0, {}
for path in list:lines() do
	local f = assert(io.open(path))
	local s = f:read("a")
	f:close()
	files = files + 1
	for name, open in s:gmatch("[%w_]*(%f[%w_]%a[%w_]*)%s*()%(") do
		if name == "lua_pushfstring" or name == "luaL_error" or
		    name == "lsnn_argerror" or name == "lsnn_warn" then
			local args = call_args(s, open)
			calls = calls + 1
			local bad = bad_specs(args)
			if #bad > 0 then
				local line = select(2, s:sub(1, open):
				    gsub("\n", "")) + 1
				offenders[#offenders + 1] =
				    ("%s:%d: %s"):format(path:match("[^/]*$"),
				    line, table.concat(bad, " "))
			end
		end
	end
end
list:close()
tap.ok(files > 20 and calls > 100, ("scanned %d calls in %d files"):format(
    calls, files))
if not tap.ok(#offenders == 0, "every format string uses only what " ..
    "lua_pushfstring knows") then
	tap.diag(table.concat(offenders, "\n"))
end

-- N-MNIST recordings whose timestamps go backwards load with a warning.
local top = os.tmpname()
os.remove(top)
assert(os.execute('mkdir -p "' .. top .. '/Train/3"'))
-- Returns the 5 bytes of an event at (x, y), polarity p, time t (us).
local function event(x, y, p, t)
	return string.char(x, y, p << 7 | (t >> 16) & 0x7f, (t >> 8) & 0xff,
	    t & 0xff)
end
for i, t in ipairs({ 5000, 100, 200 }) do
	local f = assert(io.open(("%s/Train/3/%05d.bin"):format(top, i), "wb"))
	f:write(event(1, 2, 1, t), event(3, 4, 0, 300), event(5, 6, 1, 9000))
	f:close()
end
local good, ds = pcall(snn.data.nmnist, { root = top, cache = false,
	frames = 2 })
tap.ok(good and #ds == 3, "nmnist: a recording going backwards loads (" ..
    tostring(good and #ds or ds) .. ")")
if good then
	local x = ds:get(1)
	tap.is(x:sum(), 3, "nmnist: all 3 events counted")
else
	tap.skip(1, "no data set")
end
os.execute('rm -rf "' .. top .. '"')

-- ds:split: a fractional count and an out-of-range k are refused.
if good then
	local err = select(2, pcall(ds.split, ds, 1.5))
	tap.ok(tostring(err):find("must be a whole count", 1, true) and
	    tostring(err):find("got 1.5", 1, true),
	    "split: 1.5 refused: " .. tostring(err))
	err = select(2, pcall(ds.split, ds, 5))
	tap.ok(tostring(err):find("set of 3: a fraction in (0, 1) or a " ..
	    "count 1..2 (got 5)", 1, true),
	    "split: 5 of 3 refused: " .. tostring(err))
	err = select(2, pcall(ds.split, ds, 0.1))
	tap.ok(tostring(err):find("count 1..2 (got 0.1)", 1, true),
	    "split: a fraction leaving none refused: " .. tostring(err))
	local a, b = ds:split(2)
	tap.ok(#a == 2 and #b == 1, "split: 2 of 3 is allowed")
	err = select(2, pcall(ds.split, ds, 0 / 0))
	tap.ok(tostring(err):find("argument 'k' must leave samples", 1,
	    true), "split: NaN refused: " .. tostring(err))
else
	tap.skip(3, "no data set")
end

tap.done()
