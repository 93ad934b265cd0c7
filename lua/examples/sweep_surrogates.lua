-- sweep_surrogates.lua: how do SpikingJelly's surrogates and the sine and
-- power ones compare, and how much does their alpha matter? Trains the
-- two-layer N-MNIST network (2312-H-10, LIF tau 2) with sigmoid, atan,
-- piecewise_quadratic, piecewise_exp, soft_sign, erf, sine and power, each
-- over alphas around its default, for several seeds, as one sweep; prints
-- the summary table and writes it and the figures (accuracy per epoch,
-- best accuracy and gradient sparsity against alpha, and per surrogate
-- accuracy, sparsity and spike rates against alpha) into the sweep's
-- folder.
--
--   snnwb -e lua/examples/sweep_surrogates.lua [--quick] [--root DIR]
--       [--jobs N] [--dir DIR] [--epochs N] [--hidden H] [--train N]
--       [--test N] [--seeds N] [--reach R] [--T N] [--batch N] [--lr LR]
--
-- Data as in custom_surrogates.lua: N-MNIST at --root DIR or where
-- snn.data.nmnist finds it, the test split or recordings held out.
--
-- Alphas: the default times 1/4, 1/2, 1, 2 and 4, except power, whose
-- alpha must stay below 1: 0.1, 0.25, 0.5, 0.75, 0.9. Sine's alpha is the
-- half width of its support, so a larger one is a wider surrogate, while
-- the others narrow as alpha grows.
--
-- Full: 5 alphas, 3 seeds, 10 epochs, H = 800, all training recordings,
-- into runs/sweeps/sweep_surrogates (120 runs: run it with --jobs, or with
-- runs/sweeps/sweep_surrogates/jobs.txt through GNU Parallel or slurm.sh).
-- --quick: 3 alphas (the default times 1/2, 1 and 2; power 0.25, 0.5,
-- 0.75), 3 seeds, 4 epochs, H = 800, 800 training and 200 test
-- recordings, into runs/sweeps/sweep_surrogates-quick: 72 runs, a few minutes
-- on 2 cores (--hidden 200 makes it about four times faster). Run it
-- again to resume.
local study = require("snnwb.study")

local opts = study.options(arg, study.defaults("sweep_surrogates", 4))

local NAMES = { "sigmoid", "atan", "piecewise_quadratic", "piecewise_exp",
	"soft_sign", "erf", "sine", "power" }

-- Returns the alphas swept for the surrogate name: its default times
-- each scale, or for power, whose alpha lies in (0, 1), a list of its own.
local function alphas(name)
	if name == "power" then
		return opts.quick and { 0.25, 0.5, 0.75 } or
		    { 0.1, 0.25, 0.5, 0.75, 0.9 }
	end
	local default = snn.surrogate[name]().params.alpha
	local list = {}
	for i, scale in ipairs(opts.quick and { 0.5, 1, 2 } or
	    { 0.25, 0.5, 1, 2, 4 }) do
		list[i] = default * scale
	end
	return list
end

local grids = {}
for i, name in ipairs(NAMES) do
	grids[i] = { surrogate = { name }, alpha = alphas(name) }
end

local train, test, about, data = study.data(opts)
print(("%d surrogates over their alpha: %s"):format(#NAMES, about))

local summary = study.sweep(opts, "sweep_surrogates", grids, train, test)
study.report(opts, assert(snn.sweep.figures(summary, { x = "alpha",
	data = data })))
