-- pq_sparsity.lua: is sparsity important for a surrogate function? The
-- piecewise_quadratic surrogate is 0 for |x| > 1 / alpha, so a larger
-- alpha zeroes more surrogate derivatives (gradient sparsity) and lets
-- fewer neurons learn. Trains the two-layer N-MNIST network (2312-H-10,
-- LIF tau 2) with it for alpha = 0.25, 0.5, 1, 2, 4, 8 and 16 and several
-- seeds as a sweep, and reports per alpha the test accuracy, the sparsity
-- (fraction of exactly zero surrogate derivatives) and spike rate of each
-- spiking layer, and the time per epoch: wall seconds and the CPU seconds
-- of all threads. The forward pass does the same work at every alpha, so
-- differences in time are the backward's. Writes the table, the figures
-- (accuracy-sparsity-piecewise_quadratic.svg answers the question) and
-- time.svg (time per epoch against alpha) into the sweep's folder.
--
--   snnwb -e lua/examples/pq_sparsity.lua [--quick] [--root DIR]
--       [--jobs N] [--dir DIR] [--epochs N] [--hidden H] [--train N]
--       [--test N] [--seeds N] [--reach R] [--T N] [--batch N] [--lr LR]
--
-- Data as in custom_surrogates.lua. Full: 3 seeds, 10 epochs, H = 800,
-- all training recordings, into runs/sweeps/pq_sparsity. --quick: 3 seeds, 4
-- epochs, H = 800, 800 training and 200 test recordings, into
-- runs/sweeps/pq_sparsity-quick (21 runs, a few minutes on 2 cores). Time per
-- epoch is only comparable between runs that ran alike: with --jobs N,
-- runs share the machine. Run it again to resume.
local study = require("snnwb.study")

local opts = study.options(arg, study.defaults("pq_sparsity", 4))

local train, test, about, data = study.data(opts)
print("piecewise_quadratic over alpha: " .. about)

local grid = { surrogate = { "piecewise_quadratic" },
	alpha = { 0.25, 0.5, 1, 2, 4, 8, 16 } }
local summary = study.sweep(opts, "pq_sparsity", grid, train, test)
local written = assert(snn.sweep.figures(summary, { x = "alpha",
	data = data }))

-- Time per epoch against alpha, wall and CPU, from the summary's rows.
local x, series = {}, {
	{ label = "wall seconds per epoch", y = {}, err = {} },
	{ label = "CPU seconds per epoch", y = {}, err = {} },
}
for i, row in ipairs(summary.rows) do
	x[i] = row.values.alpha
	local cpu = row.results.cpu_s_per_epoch or {}
	for k, st in ipairs{ row.epoch_seconds, cpu } do
		series[k].x = x
		series[k].y[i] = st.mean or 0 / 0
		series[k].err[i] = st.sd or 0
	end
end
written[#written + 1] = assert(snn.plot.lines{
	file = opts.dir .. "/time.svg", series = series, xlog = true,
	title = "piecewise_quadratic: time per epoch against alpha",
	subtitle = "sweep pq_sparsity: " .. data,
	xlabel = "alpha", ylabel = "seconds (mean ± sd over seeds)" })

-- The answer in numbers: the best alpha, and the sparsest alpha whose
-- accuracy stays within 2 points of the best.
local best, sparsest
for _, row in ipairs(summary.rows) do
	local acc = row.best_acc.mean
	if acc and (not best or acc > best.best_acc.mean) then
		best = row
	end
end
for _, row in ipairs(summary.rows) do
	local acc, zero = row.best_acc.mean, row.sg_zero[1]
	if best and acc and zero and zero.mean and
	    acc >= best.best_acc.mean - 0.02 and
	    (not sparsest or zero.mean > sparsest.sg_zero[1].mean) then
		sparsest = row
	end
end
if best and sparsest and best.sg_zero[1] and best.sg_zero[1].mean then
	print(("best accuracy %.2f%% at alpha %g, with %.1f%% of the " ..
	    "hidden layer's surrogate derivatives zero (%.1f%% below 1e-3 " ..
	    "of the largest); the sparsest alpha within 2 points of it is " ..
	    "%g: %.2f%% with %.1f%% zero (%.1f%% below 1e-3)"):format(
	    100 * best.best_acc.mean, best.values.alpha,
	    100 * best.sg_zero[1].mean, 100 * best.sg_small[1].mean,
	    sparsest.values.alpha, 100 * sparsest.best_acc.mean,
	    100 * sparsest.sg_zero[1].mean, 100 * sparsest.sg_small[1].mean))
end
study.report(opts, written)
