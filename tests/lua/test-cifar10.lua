-- test-cifar10.lua: snn.data.cifar10 on batches the test writes itself
-- (a bright "0" and a dark "1" over noise): the normalised values, the
-- defaults of augment, the epoch argument of ds:get, option errors, and
-- snn.train through it with the multi-step schedule and gradient clipping;
-- then the exact records of ../shared/datasets/cifar10/lossless.
local tap = require("tap")
local refdata = require("refdata")
local files = require("snnwb.files")

local mean = { 0.4914, 0.4822, 0.4465 }
local std = { 0.2023, 0.1994, 0.2010 }

-- Returns record i (label, then 3072 bytes) of the made-up set: label
-- (i - 1) % 2, the "0"s light, the "1"s dark, each pixel with some noise.
local function record(i)
	local label = (i - 1) % 2
	local px = { label }
	for k = 1, 3072 do
		local noise = (i * 131 + k * 17) % 41
		px[#px + 1] = label == 0 and 180 + noise or 20 + noise
	end
	return string.char(table.unpack(px))
end

-- Writes records first .. first + n - 1 into dir/name.
local function batch(dir, name, first, n)
	local t = {}
	for i = first, first + n - 1 do
		t[#t + 1] = record(i)
	end
	files.write(dir .. "/" .. name, table.concat(t))
end

local dir = os.tmpname()
os.remove(dir)
files.mkdirs(dir)
for k = 1, 5 do
	batch(dir, ("data_batch_%d.bin"):format(k), 1 + 8 * (k - 1), 8)
end
batch(dir, "test_batch.bin", 41, 20)

local train = snn.data.cifar10{ root = dir, seed = 4 }
local test = snn.data.cifar10{ root = dir, split = "test" }
tap.is(#train, 40, "cifar10: 40 training records from 5 batches")
tap.is(#test, 20, "cifar10: 20 test records")
local x, label = test:get(2)
tap.is(table.concat(x:shape(), "x"), "1x3x32x32", "cifar10: [1, 3, 32, 32]")
tap.is(label, 1, "cifar10: the label of record 2")
local byte = record(42):byte(2 + 1024 + 5)
tap.near(x:get(1, 2, 1, 6), (byte / 255 - mean[2]) / std[2], 1e-6,
    "cifar10: green (1, 6) is (b / 255 - mean) / std")
tap.ok(snn.allclose(test:get(2, 3), x, 0, 0),
    "cifar10: the test split is not augmented, in any epoch")
local moved, same = 0, 0
for i = 1, #train do
	if not snn.allclose(train:get(i, 1), train:get(i), 0, 0) then
		moved = moved + 1
	end
	if snn.allclose(train:get(i, 2), train:get(i, 2), 0, 0) then
		same = same + 1
	end
end
tap.ok(moved >= 35, ("augment: %d of 40 training images cropped or " ..
    "flipped in epoch 1"):format(moved))
tap.is(same, 40, "augment: an epoch's image is the same every time")
-- The made-up bytes are >= 20, so values below that of 10 are padding.
local pad, dark = (0 - mean[1]) / std[1], (10 / 255 - mean[1]) / std[1]
local padded, off = 0, 0
for i = 1, #train do
	for _, row in ipairs(train:get(i, 1):totable()[1][1]) do
		for _, v in ipairs(row) do
			if v < dark then
				padded = padded + 1
				off = math.max(off, math.abs(v - pad))
			end
		end
	end
end
tap.ok(padded > 0 and off < 1e-6, ("augment: %d padded red values, " ..
    "each black normalised, (0 - 0.4914) / 0.2023"):format(padded))
local plain = snn.data.cifar10{ root = dir, augment = false }
tap.ok(snn.allclose(plain:get(3, 5), plain:get(3), 0, 0),
    "augment = false: no crops in the training split")

tap.raises(function() snn.data.cifar10{ root = dir, split = "val" } end,
    "must be \"train\" or \"test\"", "cifar10: split \"val\" refused")
tap.raises(function() snn.data.cifar10{ root = dir, augmnet = true } end,
    "unknown key 'augmnet'", "cifar10: a misspelt option refused")
tap.raises(function() snn.data.cifar10{ root = dir .. "/none" } end,
    "no data_batch_1.bin or data_batch_1.bin.gz", "cifar10: a missing " ..
    "batch is named")
files.write(dir .. "/bad.bin", record(1) .. "xyz")
tap.raises(function() snn.data.cifar10{ root = dir .. "/bad.bin" } end,
    "bad.bin: 3076 bytes, not a whole number of 3073-byte records: " ..
    "record 1 is truncated to 3 bytes", "cifar10: a truncated record named")
local part = snn.data.cifar10{ root = dir, subset = 10 }
tap.is(#part, 10, "cifar10: subset = 10")

-- Training through the loader: the rate steps down at the milestone, the
-- run records both settings, and the set is learnt.
local net = snn.sequential{ snn.flatten(),
	snn.linear(3072, 10, { seed = 2 }) }
local run_dir = dir .. "/run"
local h = snn.train{ net = net, data = train, test = test, epochs = 3,
	batch = 8, loss = "ce", seed = 1, clip_grad_norm = 1,
	run_dir = run_dir, optimizer = snn.optim.sgd{ lr = 0.01,
	momentum = 0.9, schedule = { name = "multistep",
	milestones = { 1, 2 }, gamma = 0.5 } } }
tap.near(h.epochs[1].lr, 0.01, 1e-9, "multistep: lr 0.01 in epoch 1")
tap.near(h.epochs[2].lr, 0.005, 1e-9, "multistep: 0.005 after milestone 1")
tap.near(h.epochs[3].lr, 0.0025, 1e-9, "multistep: 0.0025 after " ..
    "milestone 2")
tap.ok(h.epochs[3].test_acc >= 0.9, ("train: %.0f%% of the test images " ..
    "(chance 50%%)"):format(100 * h.epochs[3].test_acc))
local config = files.read(run_dir .. "/config.json") or ""
tap.ok(config:find("\"multistep\"", 1, true) ~= nil and
    config:find("\"clip_grad_norm\": 1", 1, true) ~= nil and
    config:find("\"set\": \"cifar10\"", 1, true) ~= nil,
    "run_dir: config.json records the schedule, clipping and data set")
tap.raises(function()
	snn.train{ net = net, data = train, clip_grad_norm = -1 }
end, "clip_grad_norm must be", "snn.train: clip_grad_norm -1 refused")
os.execute("rm -rf " .. files.quote(dir))

-- The exact records: a root naming the gzip file itself.
local lossless = refdata.find("datasets/cifar10/lossless/" ..
    "test_first1000.bin.gz", 3)
if lossless ~= nil then
	local ds = snn.data.cifar10{ root = lossless, split = "test" }
	tap.is(#ds, 1000, "lossless: 1000 records")
	tap.is(table.concat(ds:labels(), " ", 1, 8), "3 8 8 0 6 6 1 6",
	    "lossless: the first labels")
	tap.near(ds:get(1):get(1, 1, 1, 1), 0.633751154, 1e-7,
	    "lossless: x[0] as PyTorch's")
end
tap.done()
