-- test-examples-conversion.lua: the conversion examples run in a smoke
-- mode (an untrained network, 8 images, T = 8) on the shared lossless
-- CIFAR-10 images, so that they cannot rot: each writes its files, and
-- the catalogue shows the paper's example as the paper does; the
-- --checkpoint paths load a saved ResNet-20 and WRN.
local tap = require("tap")
local refdata = require("refdata")

local images = refdata.find("datasets/cifar10/lossless/test_first1000.bin.gz",
    13)
if images == nil then
	tap.done()
	return
end
local here = debug.getinfo(1, "S").source:match("^@(.*)/tests/lua/[^/]*$")
    or "."

-- Runs example name with the smoke options and more; returns its folder.
local function example(name, more)
	local out = os.tmpname()
	os.remove(out)
	arg = { [0] = name, "--data", images, "--epochs", "0", "--images", "8",
		"--T", "8", "--out", out }
	for _, a in ipairs(more or {}) do
		arg[#arg + 1] = a
	end
	local ok, err = pcall(dofile, here .. "/lua/examples/" .. name ..
	    ".lua")
	tap.ok(ok, name .. ": runs in smoke mode" .. (ok and "" or ": " ..
	    tostring(err)))
	return out
end

-- Returns the contents of file path, or "".
local function slurp(path)
	local f = io.open(path)
	if f == nil then
		return ""
	end
	local s = f:read("a")
	f:close()
	return s
end

local out = example("uneven_cases")
local text = slurp(out .. "/cases.txt")
tap.ok(text:find("n = 3 spikes, n_even = 3", 1, true) and
    text:find("n = 2 spikes, n_even = 3", 1, true),
    "uneven_cases: the paper's example, 3 spikes against 2")
tap.ok(slurp(out .. "/paper-b.svg"):find("<svg", 1, true) and
    slurp(out .. "/net-1.svg"):find("<svg", 1, true),
    "uneven_cases: figures of the paper's case and of a network neuron")
os.execute("rm -rf '" .. out .. "'")

out = example("unevenness_remedies", { "--calib", "16" })
local csv = slurp(out .. "/accuracy.csv")
tap.ok(csv:find("^t,QCFS v%(0%)=theta/2,v%(0%)=0,v%(0%) searched," ..
    "signed %(SNM%),burst k=2,bias calibration\n") and
    select(2, csv:gsub("\n", "")) == 9,
    "unevenness_remedies: accuracy.csv, six remedies and 8 steps")
tap.ok(slurp(out .. "/errors.svg"):find("<svg", 1, true),
    "unevenness_remedies: errors.svg")
os.execute("rm -rf '" .. out .. "'")

out = example("wrn_unevenness")
csv = slurp(out .. "/layers.csv")
tap.ok(csv:find("mean_abs_total_err", 1, true) and
    select(2, csv:gsub("\n", "")) == 15,
    "wrn_unevenness: layers.csv, 7 layers at T = 4 and 8, total error")
tap.ok(slurp(out .. "/total-error.svg"):find("<svg", 1, true) and
    slurp(out .. "/vhist.svg"):find("<svg", 1, true),
    "wrn_unevenness: total-error.svg and vhist.svg")
os.execute("rm -rf '" .. out .. "'")

-- The --checkpoint paths, with untrained networks saved here.
local models = require("snnwb.models")
local ck = os.tmpname()
models.resnet20{ L = 4 }:save(ck)
out = example("uneven_cases", { "--checkpoint", ck, "--layer", "19" })
tap.ok(slurp(out .. "/cases.txt"):find("ResNet-20", 1, true),
    "uneven_cases: --checkpoint loads the ResNet-20")
os.execute("rm -rf '" .. out .. "'")
models.wrn{ depth = 10, widen = 2, dropout = 0, activation = "qcfs",
	L = 4 }:save(ck)
out = example("wrn_unevenness", { "--checkpoint", ck })
tap.ok(slurp(out .. "/table.txt"):find("loaded from", 1, true),
    "wrn_unevenness: --checkpoint loads the WRN")
os.execute("rm -rf '" .. out .. "' '" .. ck .. "'")
tap.done()
