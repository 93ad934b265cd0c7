-- test-models-epoch.lua: the examples' epoch line and best test accuracy
-- (snnwb.models) with and without a test set, on a one-layer network.
local tap = require("tap")
local tiny = require("tinymnist")
local models = require("snnwb.models")

local dir, data, test = tiny.sets(32, 16)

-- Trains for two epochs with the test set test (or none); returns the
-- history and the epoch lines, or the error of epoch_line.
local function run(with)
	local lines = {}
	local h = snn.train{ net = tiny.network(), data = data, test = with,
		epochs = 2, batch = 8, seed = 1, on_epoch = function(s)
			lines[#lines + 1] = models.epoch_line(s)
		end }
	return h, lines
end

local good, h, lines = pcall(run, nil)
tap.ok(good, "epoch_line: no error without a test set (" ..
    tostring(good or h) .. ")")
local e = good and h.epochs[2] or {}
tap.is(good and lines[2], ("epoch  2  loss %.4f  train %5.1f%%  %6.0f " ..
    "samples/s  spikes %.3f"):format(e.loss or 0, 100 * (e.acc or 0),
    e.samples_per_s or 0, (e.spike_rate or { 0 })[1]),
    "epoch_line: loss, train accuracy, speed and the one layer's spikes")
tap.is(good and models.best_test_acc(h), nil,
    "best_test_acc: nil without a test set")

good, h, lines = pcall(run, test)
tap.ok(good and lines[1]:find(("  test %5.1f%%  "):format(100 *
    h.epochs[1].test_acc), 1, true), "epoch_line: the test accuracy " ..
    "with a test set")
tap.is(good and models.best_test_acc(h), good and
    math.max(h.epochs[1].test_acc, h.epochs[2].test_acc),
    "best_test_acc: the best of the epochs")
tap.is(models.best_test_acc{ epochs = {} }, nil,
    "best_test_acc: nil without epochs")
os.execute("rm -rf '" .. dir .. "'")
tap.done()
