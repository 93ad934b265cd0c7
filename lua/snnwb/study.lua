-- study.lua: what the surrogate study examples (lua/examples/
-- custom_surrogates.lua, sweep_surrogates.lua, pq_sparsity.lua) share:
-- their command line, their N-MNIST data, and one training run of the
-- two-layer network as the run function of snn.sweep (see snnwb-lua(7)):
-- local study = require("snnwb.study").
local snn = require("snn")
local models = require("snnwb.models")
local files = require("snnwb.files")
local simulate = require("snnwb.simulate")

local study = {}

-- The options that take a value, and whether it is a number.
local VALUES = { root = "string", dir = "string", jobs = "number",
	epochs = "number", hidden = "number", train = "number",
	test = "number", seeds = "number", reach = "number", T = "number",
	batch = "number", lr = "number" }

-- The seed that draws the held-out and training recordings, the same for
-- every run so that all runs see the same data.
local DATA_SEED = 0

-- study.defaults(name, quick_epochs): the defaults of the example name for
-- study.options: full, 10 epochs and all recordings into sweeps/name;
-- quick, quick_epochs epochs, 800 training and 200 test recordings into
-- sweeps/name-quick, both in the folder of runs (files.runs); both H =
-- 800, 3 seeds, T = 10, batch 64, Adam 1e-3, one job, reach 0.95 (full)
-- or 0.75 (quick).
function study.defaults(name, quick_epochs)
	return {
		full = { dir = files.runs("sweeps/" .. name), epochs = 10,
			hidden = 800, seeds = 3, reach = 0.95, T = 10,
			batch = 64, lr = 1e-3, jobs = 1 },
		quick = { dir = files.runs("sweeps/" .. name .. "-quick"),
			epochs = quick_epochs, hidden = 800, train = 800,
			test = 200, seeds = 3, reach = 0.75, T = 10, batch = 64,
			lr = 1e-3, jobs = 1 },
	}
end

-- study.options(args, defaults): the options of an example's command line
-- args (--quick, and --NAME VALUE for root, dir, jobs, epochs, hidden,
-- train, test, seeds, reach, T, batch, lr), completed from defaults.quick
-- with --quick, else from defaults.full; raises an error naming a bad
-- option.
function study.options(args, defaults)
	local opts, i = {}, 1
	while i <= #args do
		local key = args[i]:match("^%-%-([%w_]+)$")
		if key == "quick" then
			opts.quick = true
		elseif VALUES[key] then
			i = i + 1
			local v = args[i]
			if VALUES[key] == "number" then
				v = tonumber(v)
			end
			if v == nil then
				error(("option --%s needs a %s"):format(key,
				    VALUES[key]), 0)
			end
			opts[key] = v
		else
			local known = {}
			for name in pairs(VALUES) do
				known[#known + 1] = "--" .. name
			end
			table.sort(known)
			error(("unknown argument '%s' (options: --quick, %s)")
			    :format(args[i], table.concat(known, ", ")), 0)
		end
		i = i + 1
	end
	for key, v in pairs(opts.quick and defaults.quick or defaults.full) do
		if opts[key] == nil then
			opts[key] = v
		end
	end
	return opts
end

-- study.seeds(opts): the list of seeds 1..opts.seeds.
function study.seeds(opts)
	local seeds = {}
	for s = 1, opts.seeds do
		seeds[s] = s
	end
	return seeds
end

-- study.data(opts): the training and test sets of N-MNIST at opts.root
-- (else where snn.data.nmnist finds it), integrated into opts.T frames
-- split by number, a line describing them, and a short one naming them
-- and the epochs under the titles of figures (snn.sweep.figures' data):
-- "N-MNIST, 800 train / 200 held out, T = 10, 4 epochs", "simulated
-- N-MNIST" when the folder holds the record of snnwb.simulate (the quick
-- start's set). The test set is
-- opts.test recordings of the test split (all when nil), or, for a root
-- without one, opts.test recordings (a fifth when nil) held out from the
-- train split; then opts.train of the rest (all when nil) are the
-- training set. Recordings are drawn with a seed of their own, so every
-- run of a sweep sees the same.
function study.data(opts)
	local function load(split)
		return snn.data.nmnist{ root = opts.root, split = split,
			frames = opts.T, split_by = "number" }
	end
	local train = load("train")
	local found, test = pcall(load, "test")
	local source
	if found then
		if opts.test and opts.test < #test then
			test = test:split(opts.test, { seed = DATA_SEED })
		end
		source = "the test split"
	else
		test, train = train:split(opts.test or #train // 5,
		    { seed = DATA_SEED })
		source = "held out from the train split"
	end
	if opts.train and opts.train < #train then
		train = train:split(opts.train, { seed = DATA_SEED })
	end
	local kind = simulate.record(train:root()) and "simulated " or ""
	return train, test, ("%d training recordings, %d test recordings " ..
	    "(%s), T = %d"):format(#train, #test, source, opts.T),
	    ("%sN-MNIST, %d train / %d %s, T = %d, %d epochs"):format(kind,
	    #train, #test, found and "test" or "held out", opts.T,
	    opts.epochs)
end

-- study.fixed(opts): the settings every run of an example shares, for the
-- fixed option of snn.sweep (so cfg holds them).
function study.fixed(opts)
	return { epochs = opts.epochs, hidden = opts.hidden,
		train = opts.train or "all", test = opts.test or "all",
		T = opts.T, batch = opts.batch, lr = opts.lr }
end

-- study.train(cfg, surrogate, train, test): one run of snn.sweep: trains
-- the two-layer network (models.nmnist_two_layer, cfg.hidden neurons) with
-- surrogate on train for cfg.epochs epochs (Adam cfg.lr, batch cfg.batch,
-- mse_rate loss), testing on test after each, in cfg.run_dir (resumed when
-- cfg.resume), printing each epoch. Returns the result: the CPU seconds
-- per epoch of this process (all threads, testing included; absent when
-- no epoch was left to train).
function study.train(cfg, surrogate, train, test)
	local net = models.nmnist_two_layer{ surrogate = surrogate,
		hidden = cfg.hidden }
	local cpu = os.clock()
	local history = snn.train{ net = net, data = train, test = test,
		epochs = cfg.epochs, batch = cfg.batch, seed = cfg.seed,
		optimizer = snn.optim.adam{ lr = cfg.lr }, loss = "mse_rate",
		run_dir = cfg.run_dir, resume = cfg.resume,
		on_epoch = function(s)
			print(cfg.name .. "  " .. models.epoch_line(s))
		end }
	cpu = os.clock() - cpu
	local epochs = #history.epochs
	return { cpu_s_per_epoch = epochs > 0 and cpu / epochs or nil }
end

-- The surrogate named cfg.surrogate with alpha cfg.alpha, the default of
-- study.sweep.
local function with_alpha(cfg)
	return snn.surrogate[cfg.surrogate]{ alpha = cfg.alpha }
end

-- study.sweep(opts, name, grid, train, test[, surrogate]): the sweep name
-- over grid in opts.dir (opts.jobs at a time, opts.seeds seeds, the
-- settings of study.fixed, opts.reach), each run study.train with the
-- surrogate that surrogate(cfg) returns (by default cfg.surrogate's with
-- alpha cfg.alpha) on train and test. Prints a blank line and the summary
-- table, and returns the summary.
function study.sweep(opts, name, grid, train, test, surrogate)
	surrogate = surrogate or with_alpha
	local summary = snn.sweep{
		name = name, dir = opts.dir, jobs = opts.jobs, grid = grid,
		seeds = study.seeds(opts), fixed = study.fixed(opts),
		reach = opts.reach,
		run = function(cfg)
			return study.train(cfg, surrogate(cfg), train, test)
		end,
	}
	print()
	print(snn.sweep.markdown(summary))
	return summary
end

-- study.report(opts, written): prints where the sweep's table is and the
-- list written of the figures.
function study.report(opts, written)
	print("table: " .. files.absolute(opts.dir) .. "/summary.md, " ..
	    "summary.csv")
	print("figures: " .. table.concat(written, ", "))
end

return study
