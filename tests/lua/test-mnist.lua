-- test-mnist.lua: MNIST-format data through the Poisson encoding, on a
-- tiny set the test writes itself: the spikes drawn, a network that learns
-- it, resuming after 2 of 3 epochs bit for bit as 3 straight epochs, and a
-- run that blows up in epoch 2 leaving the checkpoint of epoch 1 intact.
local tap = require("tap")
local tiny = require("tinymnist")

local dir = tiny.write(64, 32)

-- Returns the training (or the test) split with Poisson spikes, T = 8.
local function poisson(split, seed)
	return snn.data.mnist{ root = dir, split = split, T = 8,
		encoding = "poisson", seed = seed or 3 }
end

-- The encoding: spikes are 0 or 1, never where the pixel is 0, at every
-- step where it is 255, and at about intensity / 255 in between.
local ds = poisson("train")
tap.is(#ds, 64, "mnist: 64 training images")
tap.is(#poisson("test"), 32, "mnist: 32 test images")
local x, label = ds:get(1)
tap.is(table.concat(x:shape(), "x"), "8x1x28x28",
    "poisson: shape [T, 1, 28, 28]")
tap.is(label, 0, "poisson: the first label")
local img = tiny.image(1)
local bad, zeros_fire, p_sum, fired = 0, 0, 0, 0
local steps = x:totable()
for k = 1, 28 * 28 do
	local byte = img:byte(k)
	local r, c = (k - 1) // 28 + 1, (k - 1) % 28 + 1
	for t = 1, 8 do
		local v = steps[t][1][r][c]
		if v ~= 0 and v ~= 1 then
			bad = bad + 1
		end
		if byte == 0 and v ~= 0 then
			zeros_fire = zeros_fire + 1
		end
		if byte == 255 and v ~= 1 then
			bad = bad + 1
		end
		p_sum = p_sum + byte / 255
		fired = fired + v
	end
end
tap.is(bad, 0, "poisson: every value 0 or 1, and 1 where the pixel is 255")
tap.is(zeros_fire, 0, "poisson: no spike where the pixel is 0")
-- 6272 Bernoulli draws: the count is within 5 standard deviations (< 200)
-- of its mean.
tap.ok(math.abs(fired - p_sum) < 200, ("poisson: %d spikes, %.0f expected")
    :format(fired, p_sum))
tap.ok(snn.allclose(ds:get(1), x, 0, 0), "poisson: a sample is the same " ..
    "every time it is drawn")
tap.ok(not snn.allclose(poisson("train", 4):get(1), x, 0, 0),
    "poisson: another seed draws other spikes")
local direct = snn.data.mnist{ root = dir, T = 2 }:get(1)
tap.near(direct:get(2, 1, 1, 1), img:byte(1) / 255, 1e-7,
    "direct: intensity / 255 at every step")

-- Returns a new network with the same initial weights every time.
local function network()
	return snn.sequential{ snn.flatten(),
		snn.linear(784, 10, { bias = false, seed = 1 }), snn.lif{} }
end

-- Trains a new network for epochs on the Poisson spikes; options adds to
-- or overrides the settings. Returns the history and the network.
local function train(epochs, options)
	local net = network()
	local o = { net = net, data = ds, test = poisson("test"),
		epochs = epochs, batch = 16, seed = 5,
		optimizer = snn.optim.adam{ lr = 1e-3 } }
	for k, v in pairs(options or {}) do
		o[k] = v
	end
	return snn.train(o), net
end

-- Training learns the set: the loss falls and the held-out accuracy is
-- far above chance (50%).
local h, straight = train(3, { run_dir = dir .. "/straight" })
tap.ok(h.epochs[3].loss < h.epochs[1].loss / 4, ("train: the loss falls " ..
    "from %.4f to %.4f"):format(h.epochs[1].loss, h.epochs[3].loss))
tap.ok(h.epochs[3].test_acc >= 0.9, ("train: %.0f%% of the held-out " ..
    "images after 3 epochs (chance 50%%)"):format(100 * h.epochs[3].test_acc))

-- Returns whether every parameter of nets a and b is exactly equal, and
-- the first name that differs.
local function same_params(a, b)
	local pa, pb = a:params(), b:params()
	for name, t in pairs(pa) do
		if pb[name] == nil or not snn.allclose(t, pb[name], 0, 0) then
			return false, name
		end
	end
	for name in pairs(pb) do
		if pa[name] == nil then
			return false, name
		end
	end
	return true
end

-- Resuming after 2 of 3 epochs gives the weights and the checkpoint of 3
-- straight epochs, bit for bit; epoch 3 does change the weights.
local _, two = train(2, { run_dir = dir .. "/resumed" })
tap.ok(not same_params(two, straight), "resume: epoch 3 changes the weights")
local again, resumed = train(3, { run_dir = dir .. "/resumed",
	resume = true })
tap.is(#again.epochs, 1, "resume: only epoch 3 runs")
local same, name = same_params(resumed, straight)
tap.ok(same, "resume after 2 of 3 epochs: every parameter equals 3 " ..
    "straight epochs exactly")
if not same then
	tap.diag("first parameter that differs: " .. name)
end
tap.ok(tiny.slurp(dir .. "/resumed/checkpoint.safetensors") ==
    tiny.slurp(dir .. "/straight/checkpoint.safetensors"),
    "resume: the checkpoint equals that of 3 straight epochs, byte for byte")

-- A run whose learning rate overflows in epoch 2 (a step schedule with a
-- huge gamma) stops with an error naming epoch 2, and its checkpoint is
-- byte for byte that of a run of epoch 1 alone.
local function blowup(epochs, run_dir)
	return train(epochs, { run_dir = run_dir, optimizer = snn.optim.sgd{
		lr = 2, schedule = { name = "step", step_size = 1,
		gamma = 3e38 } } })
end
blowup(1, dir .. "/one")
local good = tiny.slurp(dir .. "/one/checkpoint.safetensors")
tap.ok(good ~= nil and #good > 784 * 10 * 4, "NaN stop: epoch 1 alone " ..
    "writes a checkpoint")
local done, err = pcall(blowup, 3, dir .. "/nan")
tap.ok(not done and tostring(err):find("NaN or infinite %a+ epoch 2,?%s")
    ~= nil, "NaN stop: the error names epoch 2")
tap.diag(tostring(err))
tap.ok(tiny.slurp(dir .. "/nan/checkpoint.safetensors") == good,
    "NaN stop: the checkpoint is byte for byte that of epoch 1")
local jobs = snn.jobs()
local last = jobs[#jobs]
tap.is(last.state, "failed", "NaN stop: the job failed")
tap.ok(last.error ~= nil and last.error:find("NaN or infinite", 1, true),
    "NaN stop: job.error holds the message")
local hist, why = last:wait()
tap.ok(hist == nil and why == last.error, "NaN stop: job:wait() gives " ..
    "nil and the error")

tiny.remove(dir)
tap.done()
