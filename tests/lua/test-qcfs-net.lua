-- test-qcfs-net.lua: QCFS conversion of reference/qcfs/net-small.txt (a
-- conv net with batch norm, average pooling and three QCFS layers; see
-- README-qcfs.md): the ANN logits, the converted network's logits for
-- every t, the per-layer conversion errors at each analysis step, and
-- the same network with batch norm folded (net-small-folded.txt).
local tap = require("tap")
local refdata = require("refdata")
local netsmall = require("netsmall")

local dir = refdata.find("reference/qcfs", 12)
local images = refdata.find("datasets/cifar10/lossless/test_first1000.bin.gz",
    dir and 12 or 0)
if dir == nil or images == nil then
	tap.done()
	return
end

local flat = refdata.flat

-- Returns the largest |a[i] - b[i]| over b.
local function diff(a, b)
	return (refdata.max_diff(a, b))
end

local build, load = netsmall.build, refdata.load_params

local rd = assert(refdata.load(dir .. "/net-small.txt"))
local B, T, L = tonumber(rd.notes.B), tonumber(rd.notes.T),
    tonumber(rd.notes.L)
local ann = build(L, false)
tap.is(load(ann, rd), 20, "net-small: the 20 state_dict tensors load by name")
ann:eval()
local logits = flat(ann:forward(snn.tensor(rd.arrays.x, { 1, B, 3, 32, 32 })))
tap.ok(diff(logits, rd.arrays.ann_logits) <= 1e-5, ("net-small: ANN " ..
    "logits within 1e-5 (%.2g)"):format(diff(logits, rd.arrays.ann_logits)))

local data = snn.data.cifar10{ root = images, augment = false }
local snn_net = snn.convert(ann)
local checks = {}
for key in pairs(rd.arrays) do
	local t = key:match("^layer1%.T(%d+)%.rate$")
	if t then
		checks[#checks + 1] = tonumber(t)
	end
end
table.sort(checks)
local r = snn.simulate{ net = snn_net, data = data, images = B, T = T,
	batch = B, analysis = checks, logits = true }
local d = diff(flat(r.logits), rd.arrays.snn_logits_t)
tap.ok(d <= 1e-5, ("net-small: SNN logits of every t = 1..%d within 1e-5 " ..
    "(%.2g)"):format(T, d))

-- The analysis: counts and fractions within two neurons, means within
-- 1e-6, Eq. 9 at float rounding.
local names = { "rate", "frac_below", "frac_above", "frac_uneven", "mean_e",
	"mean_abs_e", "mean_clip_err", "mean_abs_clip_err", "mean_quant_err",
	"mean_abs_quant_err" }
local sizes = { 8 * 32 * 32, 16 * 16 * 16, 32 }
local wrong, compared, eq9 = {}, 0, 0
for _, t in ipairs(checks) do
	for k = 1, 3 do
		local a = r.analysis[t][k]
		local N = sizes[k] * B
		for _, q in ipairs(names) do
			local want = rd.arrays[("layer%d.T%d.%s"):format(k, t, q)][1]
			local tol = (q:find("^frac") or q == "rate") and 2 / N or
			    1e-6
			compared = compared + 1
			if math.abs(a[q] - want) > tol then
				wrong[#wrong + 1] = ("layer%d T%d %s %.6g/%.6g")
				    :format(k, t, q, a[q], want)
			end
		end
		eq9 = math.max(eq9, a.eq9_max_abs)
	end
end
tap.ok(#wrong == 0 and compared == 30 * #checks, ("net-small analysis: " ..
    "%d numbers at T = %s as the reference (wrong: %s)"):format(compared,
    table.concat(checks, ", "), table.concat(wrong, "; ")))
tap.ok(eq9 <= 1e-5, ("net-small analysis: Eq. 9 holds to %.2g"):format(eq9))
tap.is(r.analysis[checks[1]][1].name, "act1", "net-small analysis: layers " ..
    "by path")
tap.ok(math.abs(r.rate[1] - rd.arrays["layer1.T16.rate"][1]) < 1e-6,
    ("net-small: the rate of layer 1 over T = 16, %.4f"):format(r.rate[1]))
tap.is(r.analysis[checks[1]][1].frac_uneven, 0, "net-small: the first " ..
    "layer, fed a constant current, has no unevenness")

-- Batch norm folded into the convolutions, as the author's _fold_bn.
local fd = assert(refdata.load(dir .. "/net-small-folded.txt"))
local folded = snn.convert(ann, { fold_bn = true })
local p, worst = folded:params(), 0
for key, a in pairs(fd.arrays) do
	local name = key:match("^param%.(conv%d%..+)$")
	if name then
		worst = math.max(worst, diff(flat(p[name]), a))
	end
end
tap.ok(worst <= 1e-6, ("folded: conv weights and biases as _fold_bn " ..
    "(%.2g)"):format(worst))
tap.ok(folded:buffers()["bn1.running_mean"] == nil and
    not tostring(folded):find("batchnorm2d", 1, true),
    "folded: no batch norm is left")
local rf = snn.simulate{ net = folded, data = data, images = B, T = T,
	batch = B, logits = true }
d = diff(flat(rf.logits), fd.arrays.snn_logits_t)
tap.ok(d <= 1e-5, ("folded: SNN logits of every t within 1e-5 (%.2g)")
    :format(d))
local ref_ann = build(L, true)
load(ref_ann, fd)
ref_ann:eval()
d = diff(flat(ref_ann:forward(snn.tensor(fd.arrays.x, { 1, B, 3, 32, 32 }))),
    fd.arrays.ann_logits)
tap.ok(d <= 1e-5, ("folded: the folded ANN's logits within 1e-5 (%.2g)")
    :format(d))
tap.raises(function() snn.convert(snn.sequential{ snn.conv2d(1, 1, 1),
	snn.maxpool2d(2), snn.qcfs{} }) end, "max pooling",
    "convert: max pooling is refused")
tap.done()
