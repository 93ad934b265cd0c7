-- json.lua: JSON text from plain Lua values and back, for the records of
-- sweeps (result.json, sweep.json; see snnwb-lua(7)):
-- local json = require("snnwb.json").
--
-- Values are tables, strings, numbers, booleans and nil. A table whose keys
-- are exactly 1..n (n >= 1) is an array; any other table is an object and
-- must have string keys, written in sorted order so that equal values give
-- equal text. NaN and infinities, which JSON cannot hold, are written as
-- null; null reads back as nil.
local json = {}

-- The escapes of characters that JSON strings cannot hold as they are.
local ESCAPES = {
	['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
	["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

-- What the escapes \X of a JSON string stand for (\u is read apart).
local UNESCAPES = {
	['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f",
	n = "\n", r = "\r", t = "\t",
}

-- Returns the JSON text of the string s, quoted and escaped.
local function encode_string(s)
	return '"' .. s:gsub('[%c"\\]', function(c)
		return ESCAPES[c] or ("\\u%04x"):format(c:byte())
	end) .. '"'
end

-- json.number(v): the shortest decimal text that reads back as the finite
-- number v (an integer without a fraction), or nil for NaN and infinities.
function json.number(v)
	if math.type(v) == "integer" then
		return ("%d"):format(v)
	elseif v ~= v or v == math.huge or v == -math.huge then
		return nil
	end
	for digits = 6, 17 do
		local text = ("%." .. digits .. "g"):format(v)
		if tonumber(text) == v then
			return text
		end
	end
end

-- Returns n when the table t is an array of keys 1..n (n >= 1), else nil.
local function array_length(t)
	local n = 0
	for _ in pairs(t) do
		n = n + 1
	end
	if n == 0 then
		return nil
	end
	for i = 1, n do
		if rawget(t, i) == nil then
			return nil
		end
	end
	return n
end

-- Appends the JSON text of v to the list out; path names v in errors and
-- seen holds the tables being written, to refuse cycles.
local function encode_value(v, out, path, seen)
	local kind = type(v)
	if kind == "nil" then
		out[#out + 1] = "null"
	elseif kind == "boolean" then
		out[#out + 1] = tostring(v)
	elseif kind == "number" then
		out[#out + 1] = json.number(v) or "null"
	elseif kind == "string" then
		out[#out + 1] = encode_string(v)
	elseif kind == "table" then
		if seen[v] then
			error(("json.encode: %s contains itself"):format(path),
			    0)
		end
		seen[v] = true
		local n = array_length(v)
		if n then
			out[#out + 1] = "["
			for i = 1, n do
				if i > 1 then
					out[#out + 1] = ","
				end
				encode_value(v[i], out, path .. "[" .. i .. "]",
				    seen)
			end
			out[#out + 1] = "]"
		else
			local keys = {}
			for key in pairs(v) do
				if type(key) ~= "string" then
					error(("json.encode: %s has a " ..
					    "key of type %s (objects need " ..
					    "string keys)"):format(path,
					    type(key)), 0)
				end
				keys[#keys + 1] = key
			end
			table.sort(keys)
			out[#out + 1] = "{"
			for i, key in ipairs(keys) do
				out[#out + 1] = (i > 1 and "," or "") ..
				    encode_string(key) .. ":"
				encode_value(v[key], out, path .. "." .. key,
				    seen)
			end
			out[#out + 1] = "}"
		end
		seen[v] = nil
	else
		error(("json.encode: %s is a %s, which JSON cannot hold")
		    :format(path, kind), 0)
	end
end

-- json.encode(v): the JSON text of the plain value v, on one line; raises
-- an error naming the part of v that JSON cannot hold.
function json.encode(v)
	local out = {}
	encode_value(v, out, "the value", {})
	return table.concat(out)
end

-- A reader over the JSON text s: its position and the function that
-- raises a decoding error there (caught by json.decode).
local function reader(s)
	local r = { s = s, at = 1 }
	function r.fail(what)
		error({ json = ("json.decode: %s at byte %d"):format(what,
		    r.at) })
	end
	return r
end

-- Skips white space; returns the next character without taking it.
local function peek(r)
	r.at = r.s:find("[^ \t\r\n]", r.at) or #r.s + 1
	return r.s:sub(r.at, r.at)
end

-- Takes the text lit (true, false, null, or a punctuation mark) or fails.
local function expect(r, lit)
	peek(r)
	if r.s:sub(r.at, r.at + #lit - 1) ~= lit then
		r.fail("expected '" .. lit .. "'")
	end
	r.at = r.at + #lit
end

-- Returns the UTF-8 text of the \u escape (and of the low surrogate that
-- completes a high one) at r.at, just after the backslash and u.
local function decode_unicode(r)
	local hex = r.s:match("^%x%x%x%x", r.at)
	if not hex then
		r.fail("bad \\u escape")
	end
	local code = tonumber(hex, 16)
	r.at = r.at + 4
	if code >= 0xD800 and code <= 0xDBFF then
		local low = r.s:match("^\\u([dD][c-fC-F]%x%x)", r.at)
		if not low then
			r.fail("high surrogate without its low one")
		end
		code = 0x10000 + (code - 0xD800) * 0x400 +
		    (tonumber(low, 16) - 0xDC00)
		r.at = r.at + 6
	elseif code >= 0xDC00 and code <= 0xDFFF then
		r.fail("low surrogate without a high one")
	end
	return utf8.char(code)
end

-- Reads a string at r.at (on its opening quote) and returns it.
local function decode_string(r)
	local parts = {}
	r.at = r.at + 1
	while true do
		local stop = r.s:find('["\\%c]', r.at)
		if not stop then
			r.fail("unterminated string")
		end
		parts[#parts + 1] = r.s:sub(r.at, stop - 1)
		local c = r.s:sub(stop, stop)
		r.at = stop + 1
		if c == '"' then
			return table.concat(parts)
		elseif c ~= "\\" then
			r.at = stop
			r.fail("control character in a string")
		end
		local e = r.s:sub(r.at, r.at)
		r.at = r.at + 1
		if e == "u" then
			parts[#parts + 1] = decode_unicode(r)
		elseif UNESCAPES[e] then
			parts[#parts + 1] = UNESCAPES[e]
		else
			r.at = r.at - 2
			r.fail("bad escape")
		end
	end
end

-- Reads a number at r.at as JSON writes it and returns it.
local function decode_number(r)
	local text = r.s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", r.at)
	local valid = text and (text:match("^-?0[.eE]") or
	    text:match("^-?0$") or text:match("^-?[1-9]")) and
	    not text:match("%.$") and not text:match("%.[eE]") and
	    not text:match("[eE][-+]?$")
	local v = valid and tonumber(text)
	if not v then
		r.fail("bad number")
	end
	r.at = r.at + #text
	return v
end

local decode_value

-- Reads the comma-separated items of an array or object at r.at (on its
-- opening bracket) up to the closing character close, calling item(r) with
-- r.at on each item.
local function decode_items(r, close, item)
	r.at = r.at + 1
	if peek(r) == close then
		r.at = r.at + 1
		return
	end
	repeat
		item(r)
		local c = peek(r)
		r.at = r.at + 1
	until c ~= ","
	if r.s:sub(r.at - 1, r.at - 1) ~= close then
		r.at = r.at - 1
		r.fail("expected ',' or '" .. close .. "'")
	end
end

-- Reads an array at r.at (on its '[') and returns it as a list (a null
-- leaves a hole).
local function decode_array(r)
	local list, n = {}, 0
	decode_items(r, "]", function()
		n = n + 1
		list[n] = decode_value(r)
	end)
	return list
end

-- Reads an object at r.at (on its '{') and returns it as a table.
local function decode_object(r)
	local t = {}
	decode_items(r, "}", function()
		if peek(r) ~= '"' then
			r.fail("expected a string key")
		end
		local key = decode_string(r)
		expect(r, ":")
		t[key] = decode_value(r)
	end)
	return t
end

-- Reads any value at r.at, after white space, and returns it.
function decode_value(r)
	local c = peek(r)
	if c == "{" then
		return decode_object(r)
	elseif c == "[" then
		return decode_array(r)
	elseif c == '"' then
		return decode_string(r)
	elseif c == "t" then
		expect(r, "true")
		return true
	elseif c == "f" then
		expect(r, "false")
		return false
	elseif c == "n" then
		expect(r, "null")
		return nil
	elseif c == "" then
		r.fail("unexpected end of text")
	end
	return decode_number(r)
end

-- json.decode(s): the value of the JSON text s, or nil and a message that
-- names the byte where s stops being JSON.
function json.decode(s)
	if type(s) ~= "string" then
		error(("json.decode: argument 's' must be a string (got %s)")
		    :format(type(s)), 2)
	end
	local r = reader(s)
	local good, v = pcall(function()
		local value = decode_value(r)
		if peek(r) ~= "" then
			r.fail("text after the value")
		end
		return value
	end)
	if good then
		return v
	elseif type(v) == "table" and v.json then
		return nil, v.json
	end
	error(v, 0)
end

return json
