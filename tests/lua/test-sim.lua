-- test-sim.lua: the simulator from Lua: argument errors, then (with MNIST
-- from ../shared) snn.simulate_nmnist writing 20 recordings that
-- snn.data.nmnist reads back with MNIST's labels, byte-identical for a
-- seed whatever the threads, snn.sim.recording giving the same events,
-- ds:ids and ds:select, and the reuse rules of snnwb.simulate.
local tap = require("tap")
local refdata = require("refdata")
local simulate = require("snnwb.simulate")

local fn = "snn.simulate_nmnist"
tap.raises(function() snn.simulate_nmnist{ train = 1 } end,
    fn .. ": argument 'out' must name", "out is required")
tap.raises(function() snn.simulate_nmnist{ out = "x" } end,
    "argument 'train' or 'test' must name", "no images refused")
tap.raises(function() snn.simulate_nmnist{ out = "x", train = 0 } end,
    "argument 'train' holds 0, not an image number", "train = 0 refused")
tap.raises(function()
	snn.simulate_nmnist{ out = "x", test = { first = 5, last = 2 } }
end, "argument 'test' has last 2 before first 5", "reversed range refused")
tap.raises(function()
	snn.simulate_nmnist{ out = "x", train = { 4, 9, 4 } }
end, "argument 'train' names image 4 twice", "repeated image refused")
tap.raises(function()
	snn.simulate_nmnist{ out = "x", train = { first = 1, end_ = 3 } }
end, "unknown key 'end_'", "misspelt range key refused")
tap.raises(function()
	snn.simulate_nmnist{ out = "x", train = 1, params = { c_of = 0.2 } }
end, "argument 'params' is wrong (sim: no parameter \"c_of\")",
    "unknown parameter named")
tap.raises(function()
	snn.simulate_nmnist{ out = "x", train = 1, params = { c_on = 0 } }
end, "sim: c_on is 0", "bad parameter value named")
tap.raises(function()
	snn.simulate_nmnist{ out = "x", train = 1, threads = 65 }
end, "argument 'threads' must be at most 64", "too many threads refused")
tap.raises(function() snn.simulate_nmnist{ out = "x", tain = 1 } end,
    "unknown key 'tain'", "misspelt option refused")
tap.raises(function() snn.sim.recording(snn.zeros{ 2, 28 }) end,
    "snn.sim.recording: argument 'image' has 56 elements",
    "recording: wrong image size refused")
tap.raises(function()
	snn.sim.recording(snn.zeros{ 28, 28 }:fill(2))
end, "holds 2.0 at 1, not an intensity", "recording: 0..1 required")

-- A blank image without background noise gives no events; with it, some.
local blank = snn.zeros{ 28, 28 }
tap.is(#snn.sim.recording(blank, { params = { noise_rate = 0 } }).t, 0,
    "recording: a blank image without noise has no events")
tap.ok(#snn.sim.recording(blank, { seed = 3 }).t > 100,
    "recording: a blank image has background events")

local mnist = refdata.find("datasets/mnist", 20)
if mnist == nil then
	tap.done()
	return
end

local top = os.tmpname()
os.remove(top)

-- Returns the bytes of file path, or nil.
local function slurp(path)
	local f = io.open(path, "rb")
	if not f then
		return nil
	end
	local s = f:read("a")
	f:close()
	return s
end

local r, err = snn.simulate_nmnist{ out = top .. "/a", mnist = mnist,
	train = 20, seed = 5 }
tap.ok(r and r.train == 20 and r.test == 0 and r.seconds > 0,
    "simulate_nmnist: 20 recordings (" .. tostring(err) .. ")")
local ds = snn.data.nmnist{ root = top .. "/a", cache = false }
tap.is(#ds, 20, "read back: 20 recordings")
local want = snn.data.mnist{ root = mnist, subset = 20 }:labels()
local ids, labels = ds:ids(), ds:labels()
local right = true
for i = 1, #ds do
	right = right and labels[i] == want[ids[i]]
end
tap.ok(right, "read back: each file's label is its MNIST image's")
local sorted = table.move(ids, 1, #ids, 1, {})
table.sort(sorted)
tap.is(table.concat(sorted, ","), "1,2,3,4,5,6,7,8,9,10,11,12,13,14," ..
    "15,16,17,18,19,20", "ds:ids: the 1-based MNIST indices")

-- Files of dir a against dir b: how many of the 20 are byte-identical.
local function same_files(a, b)
	local same = 0
	for i = 1, #ds do
		local name = ("/Train/%d/%05d.bin"):format(labels[i], ids[i])
		local x = slurp(top .. a .. name)
		same = same + (x ~= nil and x == slurp(top .. b .. name) and
		    1 or 0)
	end
	return same
end
snn.simulate_nmnist{ out = top .. "/b", mnist = mnist, train = 20,
	seed = 5, threads = 2 }
tap.is(same_files("/a", "/b"), 20, "same seed, 2 threads: same bytes")
snn.simulate_nmnist{ out = top .. "/c", mnist = mnist, train = 20,
	seed = 6 }
tap.is(same_files("/a", "/c"), 0, "another seed: other recordings")

-- snn.sim.recording of image 3 is the file 00003.bin, byte for byte.
local ev, label = snn.sim.recording(3, { mnist = mnist, seed = 5 })
local bytes = {}
for i = 1, #ev.t do
	bytes[i] = string.pack(">BBI3", ev.x[i], ev.y[i],
	    ev.p[i] << 23 | ev.t[i])
end
tap.is(label, want[3], "recording: the image's label")
tap.ok(#ev.t > 1000 and table.concat(bytes) ==
    slurp(("%s/a/Train/%d/00003.bin"):format(top, label)),
    "recording: the events of the file simulate_nmnist wrote")

-- ds:select and ds:ids: positions in order, through a subset too.
local pick = ds:select{ 3, 1, 3 }
tap.is(#pick, 3, "ds:select: 3 positions")
tap.is(table.concat(pick:ids(), ","), table.concat({ ids[3], ids[1],
    ids[3] }, ","), "ds:select: ids in the order given")
tap.is(pick:get(2):sum(), ds:get(1):sum(), "ds:select: shares samples")
local part = ds:split(10, { seed = 1 })
tap.is(part:select{ 2 }:ids()[1], part:ids()[2],
    "ds:select of a subset: positions within the subset")
tap.raises(function() ds:select{ 21 } end,
    "ds:select: argument 'list' holds 21 at 1, not a position 1..20",
    "ds:select: out of range refused")
tap.raises(function() ds:select{} end, "at least one position",
    "ds:select: empty list refused")
tap.ok(ds:root() == top .. "/a" and part:select{ 1 }:root() == top .. "/a",
    "ds:root: the folder, also of a subset's subset")

-- A list of images, and a missing MNIST as an expected failure.
snn.simulate_nmnist{ out = top .. "/d", mnist = mnist, seed = 5,
	train = { 9, 2 } }
tap.is(table.concat(snn.data.nmnist{ root = top .. "/d",
    cache = false }:ids(), ","), "2,9", "a list: only those images")
local none, why = snn.simulate_nmnist{ out = top .. "/e",
	mnist = top .. "/nothing", train = 1 }
tap.ok(none == nil and tostring(why):find(top .. "/nothing", 1, true),
    "no MNIST there: nil and a message naming the folder")

-- snnwb.simulate: a second ensure reuses, other settings are refused.
local opts = { out = top .. "/f", mnist = mnist, test = 5, seed = 2 }
local first = simulate.ensure(opts)
local again = simulate.ensure(opts)
tap.ok(not first.reused and again.reused and again.test == 5,
    "simulate.ensure: the same settings reuse the set")
local record = simulate.record(top .. "/f")
tap.ok(record and record.complete and record.test_ids == "1..5" and
    record.seed == 2 and simulate.record(top .. "/a") == nil,
    "simulate.record: what the record says; none without one")
tap.raises(function()
	simulate.ensure{ out = top .. "/f", mnist = mnist, test = 5,
		seed = 3 }
end, "already holds recordings made otherwise",
    "simulate.ensure: other settings refused")
os.execute("rm -rf '" .. top .. "'")
tap.done()
