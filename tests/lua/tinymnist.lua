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

-- Writes ntrain training and ntest test images (tinymnist.write) and
-- returns the folder with its training and test sets as the training
-- tests read them: Poisson-encoded over T = 4 steps with seed 2 (the test
-- set nil when ntest is 0).
function tinymnist.sets(ntrain, ntest)
	local dir = tinymnist.write(ntrain, ntest)
	local function split(name)
		return snn.data.mnist{ root = dir, split = name, T = 4,
			encoding = "poisson", seed = 2 }
	end
	return dir, split("train"), ntest > 0 and split("test") or nil
end

-- Returns a new network with the same initial weights every time: the
-- one-layer SNN the tests train on the set.
function tinymnist.network()
	return snn.sequential{ snn.flatten(),
		snn.linear(784, 10, { bias = false, seed = 1 }), snn.lif{} }
end

-- Trains a new tinymnist.network() for epochs with the settings of base
-- (data, batch, optimizer, ...), options adding to or overriding them.
-- Returns the history (or raises) and the network.
function tinymnist.train(base, epochs, options)
	local net = tinymnist.network()
	local o = { net = net, epochs = epochs }
	for _, settings in ipairs{ base, options or {} } do
		for k, v in pairs(settings) do
			o[k] = v
		end
	end
	return snn.train(o), net
end

-- Removes the folder dir and everything in it.
function tinymnist.remove(dir)
	os.execute("rm -rf '" .. dir .. "'")
end

return tinymnist
