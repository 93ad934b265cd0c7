-- custom_surrogates.lua: do the two surrogates written in Lua, the sine
-- S(x) (alpha 1) and the power P(x) (alpha 0.5) of lua/snnwb/surrogates.lua,
-- train the two-layer N-MNIST network (2312-H-10, LIF tau 2) as well as
-- SpikingJelly's atan (alpha 2) and sigmoid (alpha 4)? Trains it with each
-- for several seeds as a sweep, prints the table of test accuracies and
-- writes it, the figures and a plot of the four surrogates into the
-- sweep's folder.
--
--   snnwb -e lua/examples/custom_surrogates.lua [--quick] [--root DIR]
--       [--jobs N] [--dir DIR] [--epochs N] [--hidden H] [--train N]
--       [--test N] [--seeds N] [--reach R] [--T N] [--batch N] [--lr LR]
--
-- Data: N-MNIST at --root DIR, else where snn.data.nmnist finds it
-- ($SNNWB_DATA, see snnwb-lua(7)); real recordings, or simulated ones made
-- by datasets/simulate-nmnist. The test set is the test split (--test N
-- of it), or --test N recordings held out from the train split when the
-- root has no test split (such as the 1,000-recording subset).
--
-- Full: 10 epochs, H = 800, all training recordings, 3 seeds, into
-- runs/sweeps/custom_surrogates. --quick: 5 epochs, H = 800, 800 training and
-- 200 test recordings, 3 seeds, into runs/sweeps/custom_surrogates-quick; on
-- the subset (--root ../shared/datasets/nmnist-subset) a few minutes on 2
-- cores. --jobs N runs N runs at a time in child processes. Run it again
-- to resume: finished runs are kept.
local study = require("snnwb.study")
local lua_surrogates = require("snnwb.surrogates")

local opts = study.options(arg, study.defaults("custom_surrogates", 5))

-- The surrogates compared, by the names the sweep's runs carry.
local SURROGATES = {
	S = lua_surrogates.sine,
	P = lua_surrogates.power,
	atan = snn.surrogate.atan(),
	sigmoid = snn.surrogate.sigmoid(),
}

local train, test, about, data = study.data(opts)
print("custom surrogates S and P beside atan and sigmoid: " .. about)

-- Returns the surrogate of the run cfg, by its name.
local function surrogate_of(cfg)
	return SURROGATES[cfg.surrogate]
end

local summary = study.sweep(opts, "custom_surrogates",
    { surrogate = { "S", "P", "atan", "sigmoid" } }, train, test,
    surrogate_of)
local written = assert(snn.sweep.figures(summary, { data = data }))
written[#written + 1] = assert(snn.plot.surrogate{
	file = opts.dir .. "/surrogates.svg",
	title = "S and P (written in Lua) beside atan and sigmoid",
	surrogates = { SURROGATES.S, SURROGATES.P, SURROGATES.atan,
		SURROGATES.sigmoid },
	yrange = { 0, 2 } })
study.report(opts, written)
