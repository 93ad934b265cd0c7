-- refdata.lua: reads the reference files of ../shared/reference (see its
-- README): "# key=value" notes and "name n v1 ... vn" arrays.
local refdata = {}

local tap = require("tap")

-- Returns the path of sub under the shared folder ($SNNWB_SHARED, else
-- ../shared) when it exists (a file or a folder); else reports the n tests
-- that need it with tap.missing and returns nil.
function refdata.find(sub, n)
	local root = os.getenv("SNNWB_SHARED")
	if root == nil or root == "" then
		root = "../shared"
	end
	local path = root .. "/" .. sub
	local f = io.open(path, "r")
	if f == nil then
		tap.missing(n, path)
		return nil
	end
	f:close()
	return path
end

-- Loads a reference file: a table with notes (key -> string) and arrays
-- (name -> list of numbers); nil and a message when it cannot be read.
function refdata.load(path)
	local f, err = io.open(path, "r")
	if f == nil then
		return nil, err
	end
	local rd = { notes = {}, arrays = {} }
	for line in f:lines() do
		local key, value = line:match("^#%s*([^=]+)=(.*)$")
		if key ~= nil then
			rd.notes[key] = value
		elseif line:match("%S") then
			local words = {}
			for w in line:gmatch("%S+") do
				words[#words + 1] = w
			end
			local n = tonumber(words[2])
			if n == nil or #words ~= n + 2 then
				f:close()
				return nil, path .. ": bad array line " ..
				    words[1]
			end
			local a = {}
			for i = 1, n do
				a[i] = tonumber(words[i + 2])
			end
			rd.arrays[words[1]] = a
		end
	end
	f:close()
	return rd
end

-- Returns the values of tensor t as a flat list, row-major.
function refdata.flat(t)
	if #t:shape() == 0 then
		return { t:sum() }
	end
	local out = {}
	local function walk(v)
		if type(v) == "table" then
			for _, w in ipairs(v) do
				walk(w)
			end
		else
			out[#out + 1] = v
		end
	end
	walk(t:totable())
	return out
end

-- Returns the largest |a[i] - b[i]| over b, and the largest |b[i]|.
function refdata.max_diff(a, b)
	local worst, top = 0, 0
	for i = 1, #b do
		worst = math.max(worst, math.abs(a[i] - b[i]))
		top = math.max(top, math.abs(b[i]))
	end
	return worst, top
end

-- Returns every tensor of net by name, parameters and buffers.
function refdata.tensors(net)
	local all = {}
	for name, t in pairs(net:params()) do
		all[name] = t
	end
	for name, t in pairs(net:buffers()) do
		all[name] = t
	end
	return all
end

-- Copies the arrays "param.NAME" of reference rd into the tensors of net
-- by name; returns how many it placed and the list of names it could not.
function refdata.load_params(net, rd)
	local all, n, missing = refdata.tensors(net), 0, {}
	for key, a in pairs(rd.arrays) do
		local name = key:match("^param%.(.+)$")
		local t = name and all[name]
		if name and (t == nil or t:numel() ~= #a) then
			missing[#missing + 1] = name
		elseif t and #t:shape() == 0 then
			t:fill(a[1])
			n = n + 1
		elseif t then
			t:copy(snn.tensor(a, t:shape()))
			n = n + 1
		end
	end
	return n, missing
end

return refdata
