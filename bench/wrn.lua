-- wrn.lua: the WideResNet benchmark, snnwb's side (bench/wrn.sh runs it
-- beside wrn_torch.py). Trains snn.models.wrn on the 1,000 exact CIFAR-10
-- test images (batch B, SGD with momentum and weight decay, augmentation
-- off) and times inference on batches of B, then prints images/s, peak
-- memory and the seconds per batch of each module kind.
--
--   snnwb -t THREADS -e bench/wrn.lua IMAGES [DEPTH WIDEN B NBATCH]
local images = arg[1] or error("usage: wrn.lua IMAGES [DEPTH WIDEN B NBATCH]")
local depth = tonumber(arg[2] or 16)
local widen = tonumber(arg[3] or 4)
local B = tonumber(arg[4] or 128)
local nbatch = tonumber(arg[5] or 5)

snn.seed(1)
local net = snn.models.wrn{ depth = depth, widen = widen, dropout = 0 }
local data = snn.data.cifar10{ root = images, augment = false }
data = data:split(B * (nbatch + 1))

-- Training: one warm-up epoch of one batch, then nbatch timed batches.
local function train(n)
	return snn.train{ net = net, data = data:split(B * n), epochs = 1,
		batch = B, loss = "ce", drop_last = true,
		optimizer = snn.optim.sgd{ lr = 0.01, momentum = 0.9,
		weight_decay = 5e-4 } }
end
train(1)
net:profile(true)
local h = train(nbatch)
local train_prof = net:profile()
net:profile(false)
print(("train_images_per_s %.2f"):format(h.epochs[1].samples_per_s))

-- Inference: eval mode, nbatch forwards of B random images.
net:eval()
local x = snn.zeros{ 1, B, 3, 32, 32 }:uniform(-2, 2)
net:forward(x)
net:profile(true)
local start = snn.clock()
for _ = 1, nbatch do
	net:forward(x)
end
print(("infer_images_per_s %.2f"):format(nbatch * B / (snn.clock() - start)))
local infer_prof = net:profile()

for line in io.lines("/proc/self/status") do
	local kb = line:match("^VmHWM:%s+(%d+) kB")
	if kb then
		print(("peak_rss_mb %.0f"):format(tonumber(kb) / 1024))
	end
end
local kinds = {}
for k in pairs(train_prof) do
	kinds[#kinds + 1] = k
end
table.sort(kinds, function(a, b)
	local ta, tb = train_prof[a], train_prof[b]
	return ta.forward + ta.backward > tb.forward + tb.backward
end)
for _, k in ipairs(kinds) do
	local tp, ip = train_prof[k], infer_prof[k] or { forward = 0 }
	print(("kind_%s_ms train_fwd %.1f train_bwd %.1f infer_fwd %.1f")
	    :format(k, 1e3 * tp.forward / nbatch, 1e3 * tp.backward / nbatch,
	    1e3 * ip.forward / nbatch))
end
