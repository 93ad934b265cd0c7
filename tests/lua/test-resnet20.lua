-- test-resnet20.lua: the QCFS author's ResNet-20 checkpoint
-- (reference/qcfs/resnet20-L4.pth, saved by torch.save) loads by name into
-- snn.models.resnet20, gives the author's ANN accuracy and logits on the
-- 1,000 exact CIFAR-10 test images, converts, and simulates as the
-- author's code does (README-qcfs.md section 4 and its tolerances): the
-- t = 8 logits of the first 8 images and the t = 8 predictions of the
-- first 100; with SNNWB_HEAVY=1 (CI runs it in a build without
-- sanitizers) the accuracy for every t = 1..32 over all 1,000 images.
local tap = require("tap")
local refdata = require("refdata")

local heavy = os.getenv("SNNWB_HEAVY") == "1"
local n = heavy and 8 or 7
local dir = refdata.find("reference/qcfs/resnet20-L4.pth", n)
local images = dir and refdata.find(
    "datasets/cifar10/lossless/test_first1000.bin.gz", n)
if dir == nil or images == nil then
	tap.done()
	return
end
local ref = assert(refdata.load(dir:gsub("%.pth$", "-expected.txt")))

local flat = refdata.flat

-- Returns the index (0-based) of the largest of row b of logits (C each).
local function argmax(logits, b, C)
	local best, arg = -math.huge, 0
	for c = 1, C do
		if logits[(b - 1) * C + c] > best then
			best, arg = logits[(b - 1) * C + c], c - 1
		end
	end
	return arg
end

local ann = snn.models.resnet20{ L = tonumber(ref.notes.L) }
local ok, err = ann:load(dir, { strict = true })
tap.ok(ok, "resnet20: the .pth loads strictly by name" ..
    (ok and "" or ": " .. tostring(err)))
local thresh, worst = ann:params(), 0
local names = {}
for key, value in pairs(ref.notes) do
	local i = key:match("^state_dict%.(%d+)$")
	local name = value:match("^(%S+)")
	if i and name:match("thresh$") then
		names[#names + 1] = { tonumber(i), name }
	end
end
table.sort(names, function(a, b) return a[1] < b[1] end)
for k, e in ipairs(names) do
	worst = math.max(worst, math.abs(thresh[e[2]]:get(1) -
	    ref.arrays.thresh[k]))
end
tap.ok(#names == 19 and worst <= 1e-6, ("resnet20: the %d thresholds " ..
    "equal the author's (%.2g)"):format(#names, worst))

local data = snn.data.cifar10{ root = images, augment = false }
ann:eval()
local ev = snn.evaluate{ net = ann, data = data, loss = "ce", batch = 200 }
tap.ok(math.abs(100 * ev.accuracy - ref.arrays.ann_accuracy[1]) <= 0.1,
    ("resnet20: ANN accuracy %.1f%%, the author's %.1f%%"):format(
    100 * ev.accuracy, ref.arrays.ann_accuracy[1]))
local x = {}
for i = 1, 8 do
	for _, v in ipairs(flat(data:get(i))) do
		x[#x + 1] = v
	end
end
local logits = flat(ann:forward(snn.tensor(x, { 1, 8, 3, 32, 32 })))
local diffs, same = {}, 0
for i = 1, 80 do
	diffs[i] = math.abs(logits[i] - ref.arrays.ann_logits[i])
end
table.sort(diffs)
for b = 1, 8 do
	same = same + (argmax(logits, b, 10) ==
	    argmax(ref.arrays.ann_logits, b, 10) and 1 or 0)
end
tap.ok(diffs[40] < 1e-5 and same == 8, ("resnet20: ANN logits of 8 " ..
    "images, median difference %.2g, %d of 8 argmax the same"):format(
    diffs[40], same))

local snn_net = snn.convert(ann)
local r = snn.simulate{ net = snn_net, data = data, images = 100, T = 8,
	batch = 50, logits = true }
local l8, close, agree = flat(r.logits), 0, 0
for b = 1, 8 do
	local d32, d64 = 0, 0
	for c = 1, 10 do
		local got = l8[(7 * 100 + b - 1) * 10 + c]
		d32 = math.max(d32, math.abs(got - ref.arrays.snn_logits_t8[
		    (b - 1) * 10 + c]))
		d64 = math.max(d64, math.abs(got - ref.arrays.snn_logits_t8_f64[
		    (b - 1) * 10 + c]))
	end
	close = close + ((d32 <= 1e-4 or d64 <= 1e-4) and 1 or 0)
end
tap.ok(close >= 6, ("resnet20 SNN: the t = 8 logits of %d of the first 8 " ..
    "images within 1e-4 of the author's (threshold flips move the rest)")
    :format(close))
for b = 1, 100 do
	local row = {}
	for c = 1, 10 do
		row[c] = l8[(7 * 100 + b - 1) * 10 + c]
	end
	agree = agree + (argmax(row, 1, 10) ==
	    math.tointeger(ref.arrays.snn_pred_t8[b]) and 1 or 0)
end
tap.ok(agree >= 98, ("resnet20 SNN: %d of the first 100 predictions at " ..
    "t = 8 as the author's"):format(agree))
tap.is(#r.layers, 19, "resnet20 SNN: 19 converted layers")

if heavy then
	local full = snn.simulate{ net = snn_net, data = data, T = 32,
		batch = 100 }
	local worst_t, far = 0, 0
	for t = 1, 32 do
		local d = math.abs(full.correct[t] - ref.arrays.snn_correct_t[t])
		if d > worst_t then
			worst_t, far = d, t
		end
	end
	tap.ok(worst_t <= 5, ("resnet20 SNN, 1,000 images: the correct count " ..
	    "at every t = 1..32 within 5 of the author's (worst %d at t = " ..
	    "%d; t = 32: %d against %d)"):format(worst_t, far,
	    full.correct[32], ref.arrays.snn_correct_t[32]))
end
tap.done()
