-- files.lua: the few file and shell operations the shipped modules need
-- beyond Lua's io and os (see snnwb-lua(7)):
-- local files = require("snnwb.files").
local files = {}

-- files.quote(s): s quoted for sh(1), as one word.
function files.quote(s)
	return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- files.exists(path): whether path exists (a file or a folder).
function files.exists(path)
	return os.rename(path, path) ~= nil
end

-- files.mkdirs(path): makes the folder path and its parents; returns true,
-- or nil and a message.
function files.mkdirs(path)
	if os.execute("mkdir -p " .. files.quote(path)) then
		return true
	end
	return nil, ("cannot make the folder %s"):format(path)
end

-- files.read(path): the whole contents of the file path, or nil and a
-- message.
function files.read(path)
	local f, err = io.open(path, "rb")
	if not f then
		return nil, err
	end
	local text, rerr = f:read("a")
	f:close()
	if not text then
		return nil, ("%s: %s"):format(path, rerr)
	end
	return text
end

-- files.write(path, text): writes text to the file path atomically,
-- through a temporary file beside it that is renamed over it, so a reader
-- sees the old contents or the new, never a part; returns true, or nil and
-- a message (and path keeps its old contents).
function files.write(path, text)
	local tmp = path .. ".tmp"
	local f, err = io.open(tmp, "wb")
	if not f then
		return nil, err
	end
	local good, werr = f:write(text)
	local closed, cerr = f:close()
	if good and closed then
		local renamed, rerr = os.rename(tmp, path)
		if renamed then
			return true
		end
		werr = rerr
	end
	os.remove(tmp)
	return nil, ("cannot write %s: %s"):format(path, werr or cerr)
end

-- files.runs(name): the folder name under the folder of runs: the
-- environment variable SNNWB_RUNS when it is set and not empty, else runs
-- in the current folder; where the examples and snn.sweep write.
function files.runs(name)
	local root = os.getenv("SNNWB_RUNS")
	return ((root and root ~= "") and root or "runs") .. "/" .. name
end

-- files.output(command): the first line that the sh(1) command writes,
-- or nil when it writes none.
function files.output(command)
	local p = io.popen(command)
	if not p then
		return nil
	end
	local line = p:read("l")
	p:close()
	return line
end

-- files.absolute(path): path made absolute against the current folder
-- (a leading ./ dropped).
function files.absolute(path)
	if path:sub(1, 1) == "/" then
		return path
	end
	local here = files.output("pwd") or "."
	path = path:gsub("^%./+", "")
	return (path == "." or path == "") and here or here .. "/" .. path
end

return files
