-- test-hook.lua: an on_epoch hook that raises something other than a
-- string (error(), error({code = 1})) stops training with a message and
-- is raised by snn.train, under pcall, instead of crashing the program.
-- The data are four N-MNIST recordings made here, so it runs anywhere.
local tap = require("tap")

local top = os.tmpname()
os.remove(top)
-- Returns the 5 bytes of an event at (x, y), polarity p, time t (us).
local function event(x, y, p, t)
	return string.char(x, y, p << 7 | (t >> 16) & 0x7f, (t >> 8) & 0xff,
	    t & 0xff)
end
for i, label in ipairs({ 0, 1, 0, 1 }) do
	local dir = ("%s/Train/%d"):format(top, label)
	assert(os.execute('mkdir -p "' .. dir .. '"'))
	local f = assert(io.open(("%s/%05d.bin"):format(dir, i), "wb"))
	for t = 1, 20 do
		f:write(event(label * 10 + t % 5, 3, t % 2, t * 100))
	end
	f:close()
end
local ds = snn.data.nmnist{ root = top, cache = false, frames = 2 }
tap.is(#ds, 4, "four recordings")

-- Trains one epoch with the hook and returns what pcall(snn.train) gives.
local function train(hook)
	local net = snn.sequential{ snn.flatten(), snn.linear(2312, 2),
		snn.lif() }
	return pcall(snn.train, { net = net, data = ds, epochs = 2,
		batch = 2, on_epoch = hook })
end

local good, err = train(function() error() end)
tap.ok(not good and tostring(err):find("(error object is a nil value)", 1,
    true), "error() in on_epoch: " .. tostring(err))
good, err = train(function() error({ code = 1 }) end)
tap.ok(not good and tostring(err):find("(error object is a table value)",
    1, true), "error({code = 1}) in on_epoch: " .. tostring(err))
good, err = train(function() error("plain", 0) end)
tap.ok(not good and tostring(err):find("plain", 1, true),
    "a string error keeps its text: " .. tostring(err))
local epochs = 0
good, err = train(function() epochs = epochs + 1 end)
tap.ok(good and epochs == 2, "the same training without an error runs " ..
    "both epochs (" .. tostring(err) .. ")")

os.execute('rm -rf "' .. top .. '"')
tap.done()
