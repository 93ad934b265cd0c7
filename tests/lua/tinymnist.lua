-- tinymnist.lua: writes a tiny MNIST-format set that a one-layer network
-- separates at once: a "0" lights the top half of the image, a "1" the
-- bottom half, each at its own intensity, over faint noise.
local tinymnist = {}

-- Returns the next value of a small linear congruential generator, and
-- its new state: the same set on every platform.
local function lcg(state)
	state = (state * 1103515245 + 12345) % 2147483648
	return state, state
end

-- Returns the pixels of image i (a string of 28 * 28 bytes) and its label.
function tinymnist.image(i)
	local label = (i - 1) % 2
	local state = i * 7919
	local level = 128 + (i * 37) % 128
	local px = {}
	for r = 0, 27 do
		for c = 0, 27 do
			local v
			state, v = lcg(state)
			local lit = (r < 14) == (label == 0)
			px[#px + 1] = lit and level or v % 40
		end
	end
	return string.char(table.unpack(px)), label
end

-- Writes one IDX file: the magic, the dimensions and the bytes.
local function write(path, magic, dims, bytes)
	local f = assert(io.open(path, "wb"))
	f:write(string.pack(">I4", magic))
	for _, d in ipairs(dims) do
		f:write(string.pack(">I4", d))
	end
	f:write(bytes)
	f:close()
end

-- Writes ntrain training and ntest test images into a new temporary
-- folder in the official file names; returns the folder.
function tinymnist.write(ntrain, ntest)
	local dir = os.tmpname()
	os.remove(dir)
	assert(os.execute("mkdir '" .. dir .. "'"))
	local splits = { { "train", ntrain, 0 }, { "t10k", ntest, ntrain } }
	for _, s in ipairs(splits) do
		local images, labels = {}, {}
		for i = 1, s[2] do
			local img, label = tinymnist.image(s[3] + i)
			images[i] = img
			labels[i] = string.char(label)
		end
		write(dir .. "/" .. s[1] .. "-images-idx3-ubyte", 0x803,
		    { s[2], 28, 28 }, table.concat(images))
		write(dir .. "/" .. s[1] .. "-labels-idx1-ubyte", 0x801,
		    { s[2] }, table.concat(labels))
	end
	return dir
end

-- Returns the contents of the file at path, or nil when it cannot be read.
function tinymnist.slurp(path)
	local f = io.open(path, "rb")
	if f == nil then
		return nil
	end
	local s = f:read("a")
	f:close()
	return s
end

-- Removes the folder dir and everything in it.
function tinymnist.remove(dir)
	os.execute("rm -rf '" .. dir .. "'")
end

return tinymnist
