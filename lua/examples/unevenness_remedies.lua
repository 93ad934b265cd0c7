-- unevenness_remedies.lua: the remedies for the unevenness error of a
-- converted QCFS network, measured on the same network, images and T:
-- v(0) = theta/2 (QCFS), v(0) = 0, v(0) searched layer by layer on a
-- calibration set (snn.conversion.calibrate_shift), signed neurons with
-- memory (Wang et al., IJCAI 2022), burst spikes (Li and Zeng, IJCAI
-- 2022) and bias calibration (Li et al., ICML 2021;
-- snn.conversion.calibrate_bias). Prints one table (accuracy at chosen t
-- and per-layer mean |e| at T) and writes into --out accuracy.csv (every
-- t), layers.csv (every layer), accuracy.svg (accuracy against t, a line
-- per remedy) and errors.svg (mean |e| per layer, a bar per remedy).
--
--   snnwb -e lua/examples/unevenness_remedies.lua [options]
--
-- Options:
--   --out DIR          (default runs/unevenness_remedies)
--   --T N              time steps (default 32)
--   --images N         images simulated (default all of the test part)
--   --calib N          calibration images (default 200)
--   --calib-T N        T of the calibrations (default 8)
--   --burst K          spikes a step of the burst remedy (default 2)
--   --checkpoint FILE  the QCFS ResNet-20 instead of the quick network
--   --epochs N         training epochs of the quick network (default 8)
--   --data FILE        the CIFAR-10 images (default: the shared lossless
--                      test_first1000.bin.gz)

local convdemo = require("snnwb.convdemo")

local o = convdemo.options(arg, {
	out = require("snnwb.files").runs("unevenness_remedies"), T = 32,
	calib = 200, calib_T = 8, burst = 2, epochs = 8 })
os.execute("mkdir -p '" .. o.out .. "'")
local data = convdemo.images(o)
local ann, test, what, calib = convdemo.network(o, data)
print("network: " .. what)
local ann_acc = convdemo.ann_accuracy(ann, test)
local copts = { T = o.calib_T, images = math.min(o.calib, #calib) }
local shifts = snn.conversion.calibrate_shift(ann, calib, copts)
local bias = snn.conversion.calibrate_bias(ann, calib, copts)
local remedies = {
	{ name = "QCFS v(0)=theta/2", opts = {} },
	{ name = "v(0)=0", opts = { shift = 0 } },
	{ name = "v(0) searched", opts = { shift = shifts } },
	{ name = "signed (SNM)", opts = { mode = "signed" } },
	{ name = ("burst k=%d"):format(o.burst), opts = { mode = "burst",
		burst = o.burst } },
	{ name = "bias calibration", opts = { bias = bias } },
}
local T = o.T
local marks = {}
for _, t in ipairs{ 1, 2, 4, 8, 16, 32, 64, 128, 256 } do
	if t < T then
		marks[#marks + 1] = t
	end
end
marks[#marks + 1] = T
for _, rem in ipairs(remedies) do
	rem.r = snn.simulate{ net = snn.convert(ann, rem.opts), data = test,
		T = T, images = o.images, analysis = { T }, ann = ann }
end
local layers = remedies[1].r.layers

-- The table.
print(("ANN accuracy %.2f%% on all %d test images; on %d of them the " ..
    "SNN's accuracy (%%) at t, and mean |e| per layer at T = %d:")
    :format(100 * ann_acc, #test, remedies[1].r.images, T))
local head = ("%-20s"):format("remedy")
for _, t in ipairs(marks) do
	head = head .. ("%7s"):format("t=" .. t)
end
for _, name in ipairs(layers) do
	head = head .. ("%9s"):format(name:sub(-8))
end
print(head)
for _, rem in ipairs(remedies) do
	local line = ("%-20s"):format(rem.name)
	for _, t in ipairs(marks) do
		line = line .. ("%7.2f"):format(100 * rem.r.accuracy[t])
	end
	for k = 1, #layers do
		line = line .. ("%9.4f"):format(rem.r.analysis[T][k].mean_abs_e)
	end
	print(line)
end

-- The files.
local rows = { "t" }
for _, rem in ipairs(remedies) do
	rows[1] = rows[1] .. "," .. rem.name
end
for t = 1, T do
	local line = tostring(t)
	for _, rem in ipairs(remedies) do
		line = line .. (",%.6f"):format(rem.r.accuracy[t])
	end
	rows[#rows + 1] = line
end
convdemo.write(o.out .. "/accuracy.csv", table.concat(rows, "\n") .. "\n")
rows = { "remedy,layer,name,rate,frac_uneven,mean_e,mean_abs_e," ..
    "total_err,mean_abs_total_err" }
for _, rem in ipairs(remedies) do
	for k, name in ipairs(layers) do
		local a = rem.r.analysis[T][k]
		rows[#rows + 1] = ("%s,%d,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g")
		    :format(rem.name, k, name, a.rate, a.frac_uneven, a.mean_e,
		    a.mean_abs_e, a.total_err, a.mean_abs_total_err)
	end
end
convdemo.write(o.out .. "/layers.csv", table.concat(rows, "\n") .. "\n")
local series, bars = {}, {}
for _, rem in ipairs(remedies) do
	local acc, e = {}, {}
	for t = 1, T do
		acc[t] = 100 * rem.r.accuracy[t]
	end
	for k = 1, #layers do
		e[k] = rem.r.analysis[T][k].mean_abs_e
	end
	series[#series + 1] = { label = rem.name, y = acc }
	bars[#bars + 1] = { label = rem.name, values = e }
end
series[#series + 1] = { label = "ANN", x = { 1, T },
	y = { 100 * ann_acc, 100 * ann_acc }, style = { color = "black",
	dash = "dashed", marker = "none" } }
snn.plot.lines{ file = o.out .. "/accuracy.svg", title = "Remedies for " ..
	"the unevenness error: accuracy after t steps", xlabel = "t",
	ylabel = "accuracy (%)", series = series }
snn.plot.bars{ file = o.out .. "/errors.svg", title = ("Mean |e| per " ..
	"layer at T = %d"):format(T), xlabel = "layer", ylabel = "mean |e|",
	groups = layers, series = bars }
print("wrote " .. o.out)
