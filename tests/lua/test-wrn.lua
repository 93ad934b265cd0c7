-- test-wrn.lua: snn.models.wrn against parseval-network-pytorch's
-- WideResNet (reference/wrn, README-conv.md): the state_dict names and
-- shapes in order, train-mode logits, loss, every gradient and the batch
-- norm buffers after the step (WRN-10-1), eval-mode logits with other
-- running statistics, and a WRN-16-2 safetensors checkpoint loaded by
-- name, with its eval logits and predictions; then save and load back.
local tap = require("tap")
local refdata = require("refdata")

local dir = refdata.find("reference/wrn", 15)
if dir == nil then
	tap.done()
	return
end

local diff, flat = refdata.max_diff, refdata.flat

-- Returns the state_dict listed in the notes sd.NNN of rd, in order:
-- {name, kind, shape string}.
local function state_dict(rd)
	local list = {}
	for key, value in pairs(rd.notes) do
		local i = key:match("^sd%.(%d+)$")
		if i then
			local name, kind, shape = value:match("^(%S+) (%S+) (%S+)")
			list[#list + 1] = { i = tonumber(i), name = name, kind = kind,
				shape = shape == "scalar" and "" or shape }
		end
	end
	table.sort(list, function(a, b) return a.i < b.i end)
	return list
end

local tensors = refdata.tensors

-- Copies the param.* arrays of rd into net; returns the names left out.
local function load_params(net, rd)
	local _, missing = refdata.load_params(net, rd)
	return missing
end

-- The input x of rd as a [1, B, 3, 32, 32] tensor.
local function input(rd)
	local B = #rd.arrays.labels
	return snn.tensor(rd.arrays.x, { 1, B, 3, 32, 32 })
end

local rd = assert(refdata.load(dir .. "/wrn-10-1-train.txt"))
local net = snn.models.wrn{ depth = tonumber(rd.notes.depth),
	widen = tonumber(rd.notes.widen), dropout = 0,
	classes = tonumber(rd.notes.classes) }

-- The state_dict: every name with its shape, and nothing else.
local sd, all, bad = state_dict(rd), tensors(net), {}
local count = 0
for _ in pairs(all) do
	count = count + 1
end
for _, e in ipairs(sd) do
	local t = all[e.name]
	if t == nil or table.concat(t:shape(), "x") ~= e.shape then
		bad[#bad + 1] = e.name
	end
end
tap.ok(#bad == 0 and count == #sd, ("wrn-10-1: the %d state_dict " ..
    "entries by name and shape (%d here; wrong: %s)"):format(#sd, count,
    table.concat(bad, " ")))
local missing = load_params(net, rd)
tap.is(#missing, 0, "wrn-10-1: every param.* loads by name")

-- Train mode: logits, loss and gradients of the mean cross-entropy.
net:train()
local B, C = #rd.arrays.labels, tonumber(rd.notes.classes)
local out = net:forward(input(rd))
local logits = flat(out)
local worst, top = diff(logits, rd.arrays.logits)
tap.ok(worst <= 1e-5 * top, ("wrn-10-1 train: logits within 1e-5 of " ..
    "max (%.2g of %.3g)"):format(worst, top))
local gy, loss = {}, 0
for b = 1, B do
	local row, m, z = {}, -math.huge, 0
	for c = 1, C do
		row[c] = logits[(b - 1) * C + c]
		m = math.max(m, row[c])
	end
	for c = 1, C do
		z = z + math.exp(row[c] - m)
	end
	local label = math.tointeger(rd.arrays.labels[b]) + 1
	loss = loss - (row[label] - m - math.log(z)) / B
	for c = 1, C do
		gy[(b - 1) * C + c] = (math.exp(row[c] - m) / z -
		    (c == label and 1 or 0)) / B
	end
end
tap.ok(math.abs(loss - rd.arrays.loss[1]) <= 1e-5 * rd.arrays.loss[1],
    ("wrn-10-1 train: loss %.7f against %.7f"):format(loss,
    rd.arrays.loss[1]))
net:zero_grad()
net:backward(snn.tensor(gy, { 1, B, C }))
local grads, wrong, biases = net:grads(), {}, 0
for key, ref in pairs(rd.arrays) do
	local name = key:match("^grad%.(.+)$")
	if name then
		local g = flat(grads[name])
		local d, m = diff(g, ref)
		local conv_bias = name:match("conv%d%.bias$") or
		    name:match("shortcut%.0%.bias$") or name == "conv1.bias"
		if conv_bias then
			biases = biases + 1
			local _, gm = diff(g, g)
			if gm > 1e-6 then
				wrong[#wrong + 1] = name
			end
		elseif d > 1e-4 * m then
			wrong[#wrong + 1] = ("%s (%.2g of %.2g)"):format(name, d, m)
		end
	end
end
tap.ok(#wrong == 0 and biases > 0, ("wrn-10-1 train: every gradient " ..
    "within 1e-4 of its max, the %d conv-bias gradients zero (wrong: %s)")
    :format(biases, table.concat(wrong, ", ")))
all, wrong = tensors(net), {}
for key, ref in pairs(rd.arrays) do
	local name = key:match("^after%.(.+)$")
	if name then
		local d, m = diff(flat(all[name]), ref)
		if d > 1e-5 * math.max(m, 1) then
			wrong[#wrong + 1] = name
		end
	end
end
tap.ok(#wrong == 0, "wrn-10-1 train: running statistics and " ..
    "num_batches_tracked after the step (final bn1 at momentum 0.9)" ..
    (#wrong > 0 and ": " .. table.concat(wrong, " ") or ""))

-- Eval mode, with the eval file's running statistics.
local ev = assert(refdata.load(dir .. "/wrn-10-1-eval.txt"))
load_params(net, rd)
tap.is(#load_params(net, ev), 0, "wrn-10-1 eval: running statistics load")
net:eval()
worst, top = diff(flat(net:forward(input(ev))), ev.arrays.logits)
tap.ok(worst <= 1e-5 * top, ("wrn-10-1 eval: logits within 1e-5 of max " ..
    "(%.2g of %.3g)"):format(worst, top))

-- WRN-16-2 from its safetensors checkpoint, by name.
local e16 = assert(refdata.load(dir .. "/wrn-16-2-eval.txt"))
local net16 = snn.models.wrn{ depth = 16, widen = 2, dropout = 0 }
local ok, err = net16:load(dir .. "/wrn-16-2.safetensors",
    { strict = true })
tap.ok(ok, "wrn-16-2: the checkpoint loads strictly by name" ..
    (ok and "" or ": " .. tostring(err)))
net16:eval()
local l16 = flat(net16:forward(input(e16)))
worst, top = diff(l16, e16.arrays.logits)
tap.ok(worst <= 1e-5 * top, ("wrn-16-2 eval: logits within 1e-5 of max " ..
    "(%.2g of %.3g)"):format(worst, top))
local same = 0
for b = 1, #e16.arrays.argmax do
	local best, arg = -math.huge, 0
	for c = 1, 10 do
		if l16[(b - 1) * 10 + c] > best then
			best, arg = l16[(b - 1) * 10 + c], c - 1
		end
	end
	same = same + (arg == math.tointeger(e16.arrays.argmax[b]) and 1 or 0)
end
tap.is(same, #e16.arrays.argmax, "wrn-16-2 eval: every prediction as " ..
    "PyTorch's")

-- Save and load back into a fresh network: the same eval logits.
local path = os.tmpname()
net16:save(path)
local back = snn.models.wrn{ depth = 16, widen = 2, dropout = 0 }
back:load(path, { strict = true })
back:eval()
worst = diff(flat(back:forward(input(e16))), l16)
tap.is(worst, 0, "wrn-16-2: saved and loaded back, the same logits")
os.remove(path)

-- Options are checked.
tap.raises(function() snn.models.wrn{ depth = 11 } end, "6n + 4",
    "wrn: a depth that is not 6n + 4 is refused")
tap.raises(function() snn.models.wrn{ wide = 2 } end, "unknown option",
    "wrn: an unknown option is refused")
tap.raises(function() snn.models.wrn{ activation = 3 } end, "activation",
    "wrn: an activation that is no constructor is refused")
tap.done()
