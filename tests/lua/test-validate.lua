-- test-validate.lua: bad arguments and targets are refused with a message
-- that names the function, the argument and what is wrong: net:save
-- never replaces a FIFO or a device, option values out of range
-- (duration, temperature, threads) are errors, a huge batch is cut to the
-- data set, and messages count samples from 1 as Lua does.
local tap = require("tap")
local tinymnist = require("tinymnist")

-- Returns the error message of calling f(...), or "(no error)".
local function err(f, ...)
	local good, e = pcall(f, ...)
	return good and "(no error)" or tostring(e)
end

-- Passes when the message msg holds want (plain text).
local function says(msg, want, name)
	if not tap.ok(msg:find(want, 1, true), name .. ": " .. msg) then
		tap.diag("want: " .. want)
	end
end

local top = os.tmpname()
os.remove(top)
assert(os.execute('mkdir -p "' .. top .. '"'))
local net = snn.sequential{ snn.flatten(), snn.linear(784, 2), snn.lif() }

-- net:save: a FIFO, a device and a link to nothing are refused.
assert(os.execute('mkfifo "' .. top .. '/fifo"'))
local good, msg = net:save(top .. "/fifo")
tap.ok(good == nil and tostring(msg):find("fifo is not a regular file", 1,
    true), "net:save refuses a FIFO: " .. tostring(msg))
local p = io.popen('test -p "' .. top .. '/fifo" && echo fifo')
tap.is(p:read("l"), "fifo", "and leaves it a FIFO")
p:close()
good, msg = net:save("/dev/null")
tap.ok(good == nil and tostring(msg):find("/dev/null is not a regular " ..
    "file", 1, true), "net:save refuses a device: " .. tostring(msg))
assert(os.execute('ln -s missing "' .. top .. '/dangling"'))
good, msg = net:save(top .. "/dangling")
tap.ok(good == nil and tostring(msg):find("symbolic link to a missing " ..
    "file", 1, true), "net:save refuses a link to nothing: " ..
    tostring(msg))
good, msg = snn.load(top)
tap.ok(good == nil and tostring(msg):find("a directory, not a regular " ..
    "file", 1, true), "snn.load of a directory says so: " .. tostring(msg))
good, msg = snn.load("")
tap.ok(good == nil and msg == "an empty file name",
    "snn.load(\"\") says the name is empty: " .. tostring(msg))

-- Options out of range.
local dir = tinymnist.write(20, 6)
local ds = snn.data.mnist{ root = dir }
says(err(snn.data.nmnist, { root = top, split_by = "duration",
    duration = -5 }), "snn.data.nmnist: argument 'duration' must be a " ..
    "whole number of microseconds, 1 to 4294967295 (got -5", "duration -5")
says(err(snn.data.nmnist, { root = top, duration = 2 ^ 32 }),
    "argument 'duration' must be a whole number", "duration 2^32")
says(err(snn.data.nmnist, { root = "" }),
    "snn.data.nmnist: argument 'root' is an empty folder name",
    "an empty root")
says(err(snn.data.mnist, { root = "" }),
    "snn.data.mnist: argument 'root' is an empty folder name",
    "an empty root for MNIST")
for _, t in ipairs({ 0, -1, 0 / 0, math.huge }) do
	says(err(snn.evaluate, { net = net, data = ds, loss = "ce_rate",
	    temperature = t }), "snn.evaluate: argument 'temperature' must " ..
	    "be a finite number above 0", "evaluate: temperature " ..
	    tostring(t))
end
says(err(snn.train, { net = net, data = ds, temperature = 0 }),
    "snn.train: argument 'temperature' must be a finite number above 0",
    "train: temperature 0")
says(err(snn.evaluate, { net = net, data = ds, label_smoothing = 1 }),
    "argument 'label_smoothing' must be in [0, 1)", "label_smoothing 1")
local threads = snn.threads()
says(err(snn.threads, 100000), "snn.threads: argument 'n' must be 1..",
    "snn.threads(100000)")
tap.is(snn.threads(), threads, "and the thread count is unchanged")
tap.is(snn.threads(1), 1, "one thread is fine")
snn.threads(threads)

-- A batch of 1e8 on 20 samples is one batch of 20; the loader, training
-- and a simulation make room for 20 samples only (data_loader_most).
local hist = snn.train{ net = net, data = ds, batch = 1e8, epochs = 1 }
tap.is(hist.epochs[1].batches, 1, "batch = 1e8 on 20 samples: one batch")
local r = snn.evaluate{ net = net, data = ds, batch = 1e8 }
tap.is(r.n, 20, "snn.evaluate with batch = 1e8 sees the 20 samples")
local sim = snn.convert(snn.sequential{ snn.flatten(),
	snn.linear(784, 8, { seed = 1 }), snn.qcfs{ L = 4 },
	snn.linear(8, 2, { seed = 2 }) })
r = snn.simulate{ net = sim, data = ds, T = 2, batch = 1e8 }
tap.is(r.images, 20, "snn.simulate with batch = 1e8 sees the 20 samples")

-- Messages name the method and the argument, and count from 1.
says(err(ds.get, ds, 1.5), "ds:get: argument 'i' must be a positive " ..
    "integer (got 1.5)", "ds:get(1.5)")
says(err(ds.get, ds, 21), "ds:get: index 21 out of range 1..20",
    "ds:get(21)")
says(err(ds.get, ds, 1, -1), "ds:get: argument 'epoch' must be a " ..
    "non-negative integer", "ds:get(1, -1)")
says(err(snn.zeros, { 2 ^ 40 }), "snn.zeros: argument 'shape' is too " ..
    "large: dimension 1 is 1099511627776", "snn.zeros{2^40}")
says(err(snn.linear, 2 ^ 40, 2), "argument 'in' is too large: at most " ..
    "2147483647", "snn.linear(2^40, 2)")
says(err(snn.train, { net = 5, data = ds }),
    "snn.train: argument 'net' must be a network (got number)",
    "snn.train{net = 5}")
says(err(snn.evaluate, { net = 5, data = ds }),
    "snn.evaluate: argument 'net' must be a network (got number)",
    "snn.evaluate{net = 5}")
says(err(snn.simulate, { net = 5, data = ds }),
    "snn.simulate: argument 'net' must be a network (got number)",
    "snn.simulate{net = 5}")
says(err(snn.convert, 5), "snn.convert: argument 'ann' must be a network " ..
    "(got number)", "snn.convert(5)")
says(err(snn.data.mnist, { root = dir, subset = { n = 4,
    classes = { "x" } } }), "snn.data.mnist: argument 'subset.classes' " ..
    "holds x, not a class 0..31", "subset.classes = {\"x\"}")
says(err(snn.data.mnist, { root = dir, subset = { n = 4,
    classes = { 1.5 } } }), "holds 1.5, not a class", "subset.classes = " ..
    "{1.5}")
local one = snn.sequential{ snn.flatten(), snn.linear(784, 1), snn.lif() }
says(err(snn.evaluate, { net = one, data = ds }), "sample 2 has label 1 " ..
    "but the network has 1 outputs", "a bad label counts from 1")

os.execute('rm -rf "' .. top .. '" "' .. dir .. '"')
tap.done()
