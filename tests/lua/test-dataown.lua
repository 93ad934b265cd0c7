-- test-dataown.lua: data sets have owners. A subset keeps what its parent
-- owns alive after the parent is closed; a data set that a training job
-- uses is busy: closing it (even from on_epoch) raises and training goes
-- on; once the job has ended it closes. Under ASan every use below would
-- be a use after free without these rules.
local tap = require("tap")
local tinymnist = require("tinymnist")

local dir = tinymnist.write(20, 10)
local ds = snn.data.mnist{ root = dir }
local x0, l0 = ds:get(3)
local a, b = ds:split(10, { seed = 1 })
local pick = a:ids()[1]
do
	local c <close> = ds
end
tap.ok(not pcall(ds.get, ds, 1), "a closed data set raises on get")
local good, err = pcall(ds.get, ds, 1)
tap.ok(tostring(err):find("ds:get: the data set is closed", 1, true),
    "the message says it is closed: " .. tostring(err))
collectgarbage()
collectgarbage()
local x, label = a:get(1)
local want, wlabel = tinymnist.image(pick)
tap.is(label, wlabel, "a subset serves its sample after its parent closed")
tap.near(x:get(1, 1, 1, 1), want:byte(1) / 255, 1e-6,
    "the sample's first pixel is the image's")
local aa = a:select({ 2, 1 })
a = nil
collectgarbage()
collectgarbage()
tap.is(#aa, 2, "a subset of a subset outlives both")
tap.is(select(2, aa:get(2)), wlabel, "and serves the right sample")
tap.is(#b, 10, "the other half still serves its 10 samples")
do
	local c <close> = b
end
tap.is(tostring(b), "data set (closed)", "tostring of a closed set")
tap.ok(not pcall(snn.evaluate, { net = snn.sequential{ snn.flatten(),
    snn.linear(784, 2) }, data = b }), "a closed set is refused as data")

-- Closing the training set inside on_epoch raises "busy"; training goes on.
local train = snn.data.mnist{ root = dir }
local net = snn.sequential{ snn.flatten(), snn.linear(784, 2), snn.lif() }
local msgs, epochs = {}, 0
local hist = snn.train{ net = net, data = train, test = aa, epochs = 3,
	batch = 5, on_epoch = function()
		epochs = epochs + 1
		local ok1, e1 = pcall(function()
			local c <close> = train
		end)
		local ok2, e2 = pcall(function()
			local c <close> = aa
		end)
		msgs[#msgs + 1] = { ok1, e1, ok2, e2 }
		collectgarbage()
	end }
tap.is(epochs, 3, "all three epochs ran")
tap.is(#hist.epochs, 3, "three epochs in the history")
tap.ok(not msgs[1][1] and tostring(msgs[1][2]):find(
    "data set: busy: job %d+ uses it"), "closing the training set in " ..
    "on_epoch raises busy: " .. tostring(msgs[1][2]))
tap.ok(not msgs[3][3] and tostring(msgs[3][4]):find("busy", 1, true),
    "so does closing the test set: " .. tostring(msgs[3][4]))
tap.ok(pcall(function() local c <close> = train end),
    "after the job the training set closes")
tap.ok(not pcall(train.labels, train), "and is closed then")

-- The same in the session's asynchronous mode is covered by the job
-- keeping its data sets until it ends; a subset used by a job keeps its
-- closed parent's samples too.
local root = snn.data.mnist{ root = dir }
local part = root:split(0.5, { seed = 2 })
do
	local c <close> = root
end
hist = snn.train{ net = net, data = part, epochs = 2, batch = 4 }
tap.is(#hist.epochs, 2, "a subset of a closed set trains")

-- A simulation uses its data set until it ends, then lets go of it.
local sim = snn.convert(snn.sequential{ snn.flatten(),
	snn.linear(784, 8, { seed = 1 }), snn.qcfs{ L = 4 },
	snn.linear(8, 2, { seed = 2 }) })
local images = snn.data.mnist{ root = dir, split = "test" }
local r = snn.simulate{ net = sim, data = images, T = 4, batch = 5 }
tap.is(r.images, 10, "a simulation of the 10 test images")
tap.ok(pcall(function() local c <close> = images end),
    "after it its data set closes")

os.execute('rm -rf "' .. dir .. '"')
tap.done()
