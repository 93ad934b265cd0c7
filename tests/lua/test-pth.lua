-- test-pth.lua: net:load reads PyTorch's own torch.save file (the QCFS
-- ResNet-20 of ../shared) by name, as the manual says under net:load: a
-- network holding only its readout fc takes fc's weights without strict,
-- strict loading names a tensor the network lacks, a wrongly shaped fc is
-- named with both shapes, and snn.load says to build the network first.
local tap = require("tap")
local refdata = require("refdata")

local path = refdata.find("reference/qcfs/resnet20-L4.pth", 5)
if path ~= nil then
	local net = snn.sequential{ snn.linear(64, 10, {name = "fc"}) }
	local before = net:params()["fc.weight"]:totable()
	local good, err = net:load(path)
	tap.ok(good == nil and tostring(err):find('tensor "conv1.0.weight" ' ..
	    "is not in the network", 1, true), "strict: " .. tostring(err))
	tap.is(net:params()["fc.weight"]:totable()[1][1], before[1][1],
	    "nothing changes on failure")
	good, err = net:load(path, {strict = false})
	local after = net:params()["fc.weight"]:totable()
	local changed = 0
	for i = 1, 10 do
		for j = 1, 64 do
			if after[i][j] ~= before[i][j] then
				changed = changed + 1
			end
		end
	end
	tap.ok(good == true and changed == 640, "not strict: fc.weight " ..
	    "read, " .. changed .. " of 640 values new (" .. tostring(err) ..
	    ")")
	local wrong = snn.sequential{ snn.linear(10, 64, {name = "fc"}) }
	good, err = wrong:load(path, {strict = false})
	tap.ok(good == nil and tostring(err):find('"fc.weight" has shape ' ..
	    "[10, 64], the network needs [64, 10]", 1, true),
	    "wrong shape: " .. tostring(err))
	good, err = snn.load(path)
	tap.ok(good == nil and tostring(err):find("holds no architecture",
	    1, true), "snn.load: " .. tostring(err))
end
tap.done()
