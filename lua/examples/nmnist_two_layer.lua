-- nmnist_two_layer.lua: the two-layer SNN of SpikingJelly's N-MNIST
-- tutorial, 2312-800-10 with LIF neurons (tau 2, detach_reset), trained with
-- a surrogate gradient chosen on the command line.
--
--   snnwb -e lua/examples/nmnist_two_layer.lua [options] [SURROGATE]
--
-- SURROGATE is any snn.surrogate name (default atan). Options:
--   --root DIR      N-MNIST root (default: $SNNWB_DATA, see snnwb-lua(7))
--   --alpha A       the surrogate's alpha (default: its own default)
--   --epochs N      epochs (default 10)
--   --batch N       batch size (default 64)
--   --T N           frames per recording, split by number (default 10)
--   --lr LR         Adam learning rate (default 1e-3)
--   --train N       train on N recordings of the train split (default all)
--   --holdout N     no test split: hold N train recordings out for testing
--   --seed S        seed of initialisation, shuffling and hold-out (default 0)
--   --run-dir DIR   where config, metrics and checkpoint go
--                   (default runs/nmnist-SURROGATE)
--   --resume        continue the run in --run-dir from its checkpoint
--   --overwrite     start the run in --run-dir again, replacing it
-- With --holdout, the test set is N recordings drawn by the seed from the
-- train split (for data sets without a test split, such as a subset).

local models = require("snnwb.models")

local opts = { surrogate = "atan", epochs = 10, batch = 64, T = 10,
	lr = 1e-3, seed = 0 }
local flags = { resume = true, overwrite = true }
local i = 1
while i <= #arg do
	local a = arg[i]
	local key = a:match("^%-%-(.+)$")
	if key then
		key = key:gsub("%-", "_")
		if flags[key] then
			opts[key] = true
		else
			i = i + 1
			if arg[i] == nil then
				error("option --" .. key .. " needs a value", 0)
			end
			opts[key] = tonumber(arg[i]) or arg[i]
		end
	else
		opts.surrogate = a
	end
	i = i + 1
end

local make = snn.surrogate[opts.surrogate]
if not make then
	error("unknown surrogate '" .. opts.surrogate .. "' (known: " ..
	    table.concat(snn.surrogate.names(), ", ") .. ")", 0)
end
local sg = make(opts.alpha and { alpha = opts.alpha } or nil)

snn.seed(opts.seed)
local net = models.nmnist_two_layer{ surrogate = sg }

local data = { root = opts.root, split = "train", frames = opts.T,
	split_by = "number" }
local train = snn.data.nmnist(data)
local test
if opts.holdout then
	test, train = train:split(opts.holdout, { seed = opts.seed })
else
	data.split = "test"
	test = snn.data.nmnist(data)
end
if opts.train and opts.train < #train then
	train = train:split(opts.train, { seed = opts.seed })
end

local run_dir = opts.run_dir or
    require("snnwb.files").runs("nmnist-" .. opts.surrogate)
print(("N-MNIST two-layer SNN, surrogate %s, T = %d: %d train, %d test")
    :format(tostring(sg), opts.T, #train, #test))
local history = snn.train{
	net = net, data = train, test = test,
	epochs = opts.epochs, batch = opts.batch, seed = opts.seed,
	optimizer = snn.optim.adam{ lr = opts.lr },
	loss = "mse_rate",
	run_dir = run_dir,
	resume = opts.resume, overwrite = opts.overwrite,
	on_epoch = models.print_epoch,
}
local last = history.epochs[#history.epochs]
print(("test accuracy: final %.2f%%, best %.2f%%"):format(
    100 * (last and last.test_acc or 0), 100 * models.best_test_acc(history)))
print("run directory: " .. run_dir)
