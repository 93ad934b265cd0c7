-- test-batchnorm.lua: snn.batchnorm2d and snn.dropout from Lua: the
-- constructors and their refusals, training and evaluation modes,
-- buffers, and net:save / net:load / snn.load keeping the running
-- statistics, num_batches_tracked and the dropout's mask_seed.
local tap = require("tap")

local function net_of()
	return snn.sequential{
		snn.batchnorm2d(2, { name = "bn1", momentum = 0.9 }),
		snn.relu(),
		snn.dropout(0.5, { name = "drop", mask_seed = 42 }),
		snn.flatten(),
		snn.linear(8, 3, { name = "fc", seed = 3 }),
	}
end

tap.is(tostring(snn.batchnorm2d(3)),
    "snn.batchnorm2d(3, {momentum=0.1, eps=1e-05})",
    "batchnorm2d's defaults: momentum 0.1, eps 1e-5")
tap.is(tostring(snn.dropout(0.3, { mask_seed = 7 })),
    "snn.dropout(0.3, {mask_seed=7})", "dropout takes a real p")
tap.raises(function() snn.dropout(1) end,
    "snn.dropout: dropout: \"p\" must be in [0, 1), got 1", "p = 1")
tap.raises(function() snn.batchnorm2d(2, { momentum = 0 }) end,
    "snn.batchnorm2d: batchnorm2d: \"momentum\" must be in (0, 1] " ..
    "(the weight of the batch in the running estimates), got 0",
    "momentum 0")
tap.raises(function() snn.batchnorm2d(2, { affine = false }) end,
    "snn.batchnorm2d: argument 'options' has an unknown key 'affine' " ..
    "(known: name, seed, momentum, eps)", "an unknown option")

local net = net_of()
local x = snn.zeros{ 1, 4, 2, 2, 2 }
for b = 1, 4 do
	for i = 1, 8 do
		x:set(1, b, (i - 1) // 4 + 1, (i - 1) % 4 // 2 + 1,
		    (i - 1) % 2 + 1, b * i % 5 - 1.5)
	end
end
local y = net:forward(x)
tap.is(table.concat(y:shape(), ","), "1,4,3", "output [1, 4, 3]")
local bufs = net:buffers()
tap.is(bufs["bn1.num_batches_tracked"]:get(), 1,
    "num_batches_tracked counts the training forward")
tap.ok(bufs["bn1.running_mean"]:get(1) ~= 0,
    "running_mean moved by the batch")
local gx = net:backward(snn.zeros{ 1, 4, 3 }:fill(1))
tap.is(table.concat(gx:shape(), ","), "1,4,2,2,2", "input gradient shape")

net:eval()
local e1 = net:forward(x):clone()
local e2 = net:forward(x)
tap.ok(snn.allclose(e1, e2, 0, 0), "evaluation is deterministic")
tap.is(bufs["bn1.num_batches_tracked"]:get(), 1,
    "evaluation forwards are not counted")

local top = os.tmpname()
local good, err = net:save(top)
tap.ok(good, "net:save (" .. tostring(err) .. ")")
local back = snn.load(top)
tap.ok(back and snn.allclose(back:eval():forward(x), e1, 0, 0),
    "snn.load: the same evaluation output")
tap.is(back and back:buffers()["bn1.num_batches_tracked"]:get(), 1,
    "snn.load keeps num_batches_tracked")
tap.ok(back and tostring(back):find("mask_seed=42", 1, true),
    "snn.load keeps the dropout's mask_seed")
local other = net_of()
good, err = other:load(top)
tap.ok(good and snn.allclose(other:eval():forward(x), e1, 0, 0),
    "net:load into a new network: the same output (" ..
    tostring(err) .. ")")
os.remove(top)

-- Dropout masks: the same mask_seed masks alike, through copies too.
local d1 = snn.dropout(0.5, { mask_seed = 9 })
local d2 = snn.sequential{ snn.dropout(0.5, { mask_seed = 9 }) }
local ones = snn.zeros{ 2, 8, 16 }:fill(1)
local m1 = d1:forward(ones):clone()
local m2 = d2:forward(ones)
tap.ok(snn.allclose(m1, m2, 0, 0), "the same mask_seed, the same mask")
tap.ok(m1:sum() > 64 and m1:sum() < 448 and m1:max() == 2,
    "about half the values kept, scaled by 2 (sum " .. m1:sum() .. ")")
tap.ok(not snn.allclose(d1:forward(ones), m1, 0, 0),
    "the next forward, another mask")
tap.ok(snn.allclose(d1:eval():forward(ones), ones, 0, 0),
    "evaluation mode: the identity")

tap.done()
