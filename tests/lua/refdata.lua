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

return refdata
