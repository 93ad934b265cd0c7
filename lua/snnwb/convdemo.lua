-- convdemo.lua: what the conversion examples share (lua/examples/
-- uneven_cases.lua, unevenness_remedies.lua, wrn_unevenness.lua, and the
-- CIFAR10-DVS examples cifar10dvs_*.lua): their command line, the 1,000
-- lossless CIFAR-10 test images of the shared folder, and a QCFS network
-- that is either loaded (--checkpoint) or trained in a minute on part of
-- those images.
local snn = require("snn")
local models = require("snnwb.models")

local convdemo = {}

-- Reads the command line (cli.options).
convdemo.options = require("snnwb.cli").options

-- Returns the whole numbers of the comma-separated list s (option --name
-- of the CIFAR10-DVS examples, such as "16,32,64").
function convdemo.numbers(s, name)
	local list = {}
	for c in tostring(s):gmatch("[^,]+") do
		list[#list + 1] = math.tointeger(tonumber(c)) or
		    error("--" .. name .. ": '" .. c .. "' is not a whole " ..
		    "number", 0)
	end
	return list
end

-- Returns the lossless test images: o.data, else under $SNNWB_SHARED or
-- ../shared (the layout of a fresh clone beside the shared folder).
function convdemo.images(o)
	local path = o.data
	if path == nil then
		local root = os.getenv("SNNWB_SHARED")
		if root == nil or root == "" then
			root = "../shared"
		end
		path = root ..
		    "/datasets/cifar10/lossless/test_first1000.bin.gz"
	end
	local f = io.open(path, "r")
	if f == nil then
		error("no CIFAR-10 images at " .. path .. ": give --data " ..
		    "FILE or set SNNWB_SHARED", 0)
	end
	f:close()
	return snn.data.cifar10{ root = path, augment = false }
end

-- The quick network: four QCFS layers (three convolutions with batch norm
-- and average pooling, one fully connected), small enough to train on
-- 800 images in about a minute on two cores.
function convdemo.quick_net(L)
	local function act(name)
		return snn.qcfs{ L = L, lambda = 4, name = name }
	end
	return snn.sequential{
		snn.conv2d(3, 16, 3, { padding = 1, bias = false,
			name = "conv1" }),
		snn.batchnorm2d(16, { name = "bn1" }), act("act1"),
		snn.avgpool2d(2, { name = "pool1" }),
		snn.conv2d(16, 32, 3, { padding = 1, bias = false,
			name = "conv2" }),
		snn.batchnorm2d(32, { name = "bn2" }), act("act2"),
		snn.avgpool2d(2, { name = "pool2" }),
		snn.conv2d(32, 32, 3, { padding = 1, bias = false,
			name = "conv3" }),
		snn.batchnorm2d(32, { name = "bn3" }), act("act3"),
		snn.avgpool2d(2, { name = "pool3" }),
		snn.flatten({ name = "flat" }),
		snn.linear(512, 64, { name = "fc1" }), act("act4"),
		snn.linear(64, 10, { name = "fc2" }) }
end

-- Trains net on train for epochs (none: 0, for a smoke test) with SGD.
function convdemo.train(net, train, epochs)
	if epochs > 0 then
		snn.train{ net = net, data = train, epochs = epochs,
			batch = 32, loss = "ce", optimizer = snn.optim.sgd{
			lr = 0.05, momentum = 0.9, weight_decay = 5e-4 } }
	end
end

-- Returns the ANN (in eval mode), the images to simulate, a line that
-- says what the network is, and a calibration set disjoint from the
-- images simulated: o.checkpoint loads the QCFS repository's ResNet-20
-- (L = 4) by name, calibrates on 200 of the images drawn with seed 0 and
-- simulates the other 800; else the quick network trains for o.epochs on
-- 800 of the images (drawn with seed 0), calibrates on them and
-- simulates the other 200.
function convdemo.network(o, data)
	if o.checkpoint then
		local net = models.resnet20{ L = o.L or 4 }
		net:load(o.checkpoint)
		net:eval()
		local calib, rest = data:split(200, { seed = 0 })
		return net, rest, "ResNet-20 (QCFS, L = " .. (o.L or 4) ..
		    ") from " .. o.checkpoint .. ", simulated on 800 of the " ..
		    "1,000 lossless test images (200 others calibrate)", calib
	end
	local test, train = data:split(200, { seed = 0 })
	snn.seed(o.seed or 0)
	local net = convdemo.quick_net(o.L or 4)
	convdemo.train(net, train, o.epochs or 8)
	net:eval()
	return net, test, ("a QCFS conv net (4 layers, L = %d) trained %d " ..
	    "epochs on 800 of the 1,000 lossless test images; the other " ..
	    "200 are simulated"):format(o.L or 4, o.epochs or 8), train
end

-- Returns the ANN's accuracy on data.
function convdemo.ann_accuracy(net, data)
	return snn.evaluate{ net = net, data = data }.accuracy
end

-- Writes text to path.
function convdemo.write(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end

return convdemo
