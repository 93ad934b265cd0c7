-- qcfs.lua: a converted network's simulation, snnwb's side (bench/qcfs.sh
-- runs it beside qcfs_torch.py): MODEL resnet20 loads the QCFS author's
-- CHECKPOINT by name into snn.models.resnet20; MODEL wrnD-K builds
-- snn.models.wrn{depth = D, widen = K} with qcfs activations, random
-- weights (seed 1) and every threshold 2, and writes it to CHECKPOINT for
-- PyTorch's side. The network is converted and simulated for T steps on the
-- first B x NBATCH exact CIFAR-10 test images, with the sparse path of
-- the convolutions and without; prints images x steps per second of both,
-- the accuracy at T, the spike rate of each layer (a convolution whose
-- input has fewer than 20% nonzeros takes the sparse path) and where the
-- time goes by module kind.
--
--   snnwb --threads N -e bench/qcfs.lua MODEL CHECKPOINT IMAGES [T B NBATCH]
local usage = "usage: qcfs.lua MODEL CHECKPOINT IMAGES [T B NBATCH]"
local model, ckpt, images = arg[1], arg[2], arg[3]
assert(model and ckpt and images, usage)
local T = tonumber(arg[4] or 32)
local B = tonumber(arg[5] or 64)
local nbatch = tonumber(arg[6] or 3)

local ann
if model == "resnet20" then
	ann = snn.models.resnet20{ L = 4 }
	assert(ann:load(ckpt, { strict = true }))
else
	local depth, widen = model:match("^wrn(%d+)%-(%d+)$")
	assert(depth, usage)
	snn.seed(1)
	ann = snn.models.wrn{ depth = tonumber(depth), widen = tonumber(widen),
		dropout = 0, activation = "qcfs", L = 4 }
	for name, t in pairs(ann:params()) do
		if name:find("thresh$") then
			t:fill(2)
		end
	end
	ann:save(ckpt)
end
local net = snn.convert(ann)
local data = snn.data.cifar10{ root = images, augment = false }
snn.simulate{ net = net, data = data, images = B, T = 2, batch = B }
net:profile(true)
local dense = snn.simulate{ net = net, data = data, images = B * nbatch,
	T = T, batch = B, sparse = false }
local dense_conv = net:profile().conv2d.forward
net:profile(true)
local r = snn.simulate{ net = net, data = data, images = B * nbatch, T = T,
	batch = B }
local prof = net:profile()
print(("images_steps_per_s %.1f"):format(r.images_steps_per_s))
print(("dense_images_steps_per_s %.1f"):format(dense.images_steps_per_s))
print(("conv_ms_per_step sparse %.2f dense %.2f"):format(1e3 *
    prof.conv2d.forward / (T * nbatch), 1e3 * dense_conv / (T * nbatch)))
print(("accuracy_t%d %.4f"):format(T, r.accuracy[T]))
for k, name in ipairs(r.layers) do
	print(("rate %s %.4f"):format(name, r.rate[k]))
end
local kinds = {}
for k in pairs(prof) do
	kinds[#kinds + 1] = k
end
table.sort(kinds, function(a, b) return prof[a].forward > prof[b].forward end)
for _, k in ipairs(kinds) do
	print(("kind_%s_ms_per_step %.2f"):format(k, 1e3 * prof[k].forward /
	    (T * nbatch)))
end
