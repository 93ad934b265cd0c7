-- wrn_unevenness.lua: how the conversion errors of a QCFS WideResNet
-- (snn.models.wrn with qcfs activations) spread over its layers. It loads
-- the network (--checkpoint, any file net:load reads) or trains the quick
-- preset, converts it, simulates it with the analysis at T = 4, 8, 16, 32
-- and 64 against the ANN, and writes into --out the simulation's run
-- directory (accuracy.csv, layers.csv with a row per layer and T,
-- accuracy.svg, errors.svg, fractions-T*.svg, total-error.svg), a
-- histogram of v(T)/theta for the first, a middle and the last layer
-- (vhist.svg) and table.txt, the per-layer table printed.
--
--   snnwb -e lua/examples/wrn_unevenness.lua [options]
--
-- Options:
--   --out DIR          (default runs/wrn_unevenness)
--   --T N              the last analysis step (default 64; the steps are
--                      4, 8, 16, ... up to it)
--   --images N         images simulated (default all of the test part)
--   --checkpoint FILE  a trained QCFS WRN of --depth and --widen
--   --depth N          (default 10)   --widen K   (default 2)
--   --L N              QCFS levels (default 4)
--   --epochs N         training epochs of the quick preset (default 6)
--   --data FILE        the CIFAR-10 images (default: the shared lossless
--                      test_first1000.bin.gz); the quick preset trains on
--                      800 of them (seed 0) and simulates the other 200

local convdemo = require("snnwb.convdemo")
local models = require("snnwb.models")

local o = convdemo.options(arg, {
	out = require("snnwb.files").runs("wrn_unevenness"), T = 64,
	depth = 10, widen = 2, L = 4, epochs = 6 })
os.execute("mkdir -p '" .. o.out .. "'")
local data = convdemo.images(o)
snn.seed(0)
local ann = models.wrn{ depth = o.depth, widen = o.widen, dropout = 0,
	activation = "qcfs", L = o.L }
local test, what
if o.checkpoint then
	ann:load(o.checkpoint)
	test, what = data, "loaded from " .. o.checkpoint
else
	local train
	test, train = data:split(200, { seed = 0 })
	convdemo.train(ann, train, o.epochs)
	what = ("trained %d epochs on 800 of the 1,000 lossless test " ..
	    "images, simulated on the other 200"):format(o.epochs)
end
ann:eval()
local steps = {}
local t = 4
while t <= o.T do
	steps[#steps + 1] = t
	t = t * 2
end
if steps[#steps] ~= o.T then
	steps[#steps + 1] = o.T
end
local ann_acc = convdemo.ann_accuracy(ann, test)
local r = snn.simulate{ net = snn.convert(ann), data = test, T = o.T,
	images = o.images, analysis = steps, ann = ann, ann_accuracy = ann_acc,
	run_dir = o.out }

local lines = { ("QCFS WRN-%d-%d (L = %d), %s."):format(o.depth, o.widen,
	o.L, what), ("ANN accuracy %.2f%%; SNN accuracy at T = %s: %s.")
	:format(100 * ann_acc, table.concat(steps, ", "), (function()
		local acc = {}
		for i, s in ipairs(steps) do
			acc[i] = ("%.2f%%"):format(100 * r.accuracy[s])
		end
		return table.concat(acc, ", ")
	end)()), "",
	("%-28s %4s %6s %6s %6s %6s %8s %8s %8s"):format("layer", "T", "rate",
	"below", "above", "uneven", "mean e", "mean|e|", "|phi-a|") }
for _, s in ipairs(steps) do
	for k, a in ipairs(r.analysis[s]) do
		lines[#lines + 1] = ("%-28s %4d %6.3f %6.3f %6.3f %6.3f " ..
		    "%8.4f %8.4f %8.4f"):format(k .. " " .. a.name, s, a.rate,
		    a.frac_below, a.frac_above, a.frac_uneven, a.mean_e,
		    a.mean_abs_e, a.mean_abs_total_err)
	end
end
local text = table.concat(lines, "\n") .. "\n"
io.write(text)
convdemo.write(o.out .. "/table.txt", text)

-- v(T)/theta of the first, a middle and the last layer at the last T.
local last = r.analysis[steps[#steps]]
local chosen = { 1, (#last + 1) // 2, #last }
local series, groups = {}, {}
local h = last[1].v_hist
local width = (h.hi - h.lo) / #h.counts
for b = 1, #h.counts do
	groups[b] = ("%.2f"):format(h.lo + (b - 0.5) * width)
end
for _, k in ipairs(chosen) do
	local frac = {}
	local n = last[k].v_hist.below + last[k].v_hist.above
	for _, c in ipairs(last[k].v_hist.counts) do
		n = n + c
	end
	for b, c in ipairs(last[k].v_hist.counts) do
		frac[b] = c / n
	end
	series[#series + 1] = { label = last[k].name, values = frac }
end
snn.plot.bars{ file = o.out .. "/vhist.svg", title = ("v(T)/theta at " ..
	"T = %d (the share of neurons in each bin)"):format(steps[#steps]),
	xlabel = "v(T)/theta (bin centre)", ylabel = "fraction",
	groups = groups, series = series }
print("wrote " .. o.out)
