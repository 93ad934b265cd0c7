-- models.lua: network builders shipped with snnwb, used by the examples
-- and benchmarks (see snnwb-lua(7)): local models = require("snnwb.models").
local snn = require("snn")

local models = {}

-- models.nmnist_two_layer([options]): the two-layer SNN of SpikingJelly's
-- N-MNIST tutorial: flatten, Linear 2312-hidden, LIF, Linear hidden-10,
-- LIF, no biases, LIF neurons with tau and detach_reset. Options:
-- surrogate (a surrogate or its name, default "atan"), hidden (800), tau
-- (2). Weights are drawn from the module's generator (snn.seed).
function models.nmnist_two_layer(options)
	local known = { surrogate = true, hidden = true, tau = true }
	options = options or {}
	for key in pairs(options) do
		if not known[key] then
			error(("models.nmnist_two_layer: unknown option " ..
			    "'%s' (known: surrogate, hidden, tau)")
			    :format(tostring(key)), 2)
		end
	end
	local sg = options.surrogate or "atan"
	local hidden = options.hidden or 800
	local function neuron()
		return snn.lif{ tau = options.tau or 2, detach_reset = true,
			surrogate = sg }
	end
	return snn.sequential{
		snn.flatten(),
		snn.linear(2 * 34 * 34, hidden, { bias = false }),
		neuron(),
		snn.linear(hidden, 10, { bias = false }),
		neuron(),
	}
end

-- models.epoch_line(s): the line the examples print for the epoch summary
-- s that snn.train hands to on_epoch.
function models.epoch_line(s)
	return ("epoch %2d  loss %.4f  train %5.1f%%  test %5.1f%%  " ..
	    "%6.0f samples/s  spikes %.3f %.3f"):format(s.epoch, s.loss,
	    100 * s.acc, 100 * s.test_acc, s.samples_per_s, s.spike_rate[1],
	    s.spike_rate[2])
end

-- models.print_epoch(s): prints models.epoch_line(s), as the on_epoch of
-- snn.train.
function models.print_epoch(s)
	print(models.epoch_line(s))
end

-- models.best_test_acc(history): the best test accuracy of the epochs in
-- the history that snn.train returns, 0 when there are none.
function models.best_test_acc(history)
	local best = 0
	for _, e in ipairs(history.epochs) do
		best = math.max(best, e.test_acc)
	end
	return best
end

return models
