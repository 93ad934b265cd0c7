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
-- s that snn.train hands to on_epoch; the test accuracy only with a test
-- set, the spike rate of each spiking layer, and DEAD for a dead epoch.
function models.epoch_line(s)
	local test, rates = "", {}
	if s.test_acc then
		test = ("  test %5.1f%%"):format(100 * s.test_acc)
	end
	for i, rate in ipairs(s.spike_rate or {}) do
		rates[i] = (" %.3f"):format(rate)
	end
	return ("epoch %2d  loss %.4f  train %5.1f%%%s  %6.0f samples/s  " ..
	    "spikes%s%s"):format(s.epoch, s.loss, 100 * s.acc, test,
	    s.samples_per_s, table.concat(rates), s.dead and
	    "  DEAD: a layer silent, loss constant" or "")
end

-- models.print_epoch(s): prints models.epoch_line(s), as the on_epoch of
-- snn.train.
function models.print_epoch(s)
	print(models.epoch_line(s))
end

-- models.best_test_acc(history): the best test accuracy of the epochs in
-- the history that snn.train returns, nil when none has one (no test
-- set, or no epoch).
function models.best_test_acc(history)
	local best
	for _, e in ipairs(history.epochs) do
		if e.test_acc then
			best = math.max(best or e.test_acc, e.test_acc)
		end
	end
	return best
end

-- Raises an error naming fn and the first key of options not in known (a
-- list of names).
local function check_options(fn, options, known)
	local set = {}
	for _, k in ipairs(known) do
		set[k] = true
	end
	for key in pairs(options) do
		if not set[key] then
			error(("models.%s: unknown option '%s' (known: %s)")
			    :format(fn, tostring(key), table.concat(known,
			    ", ")), 3)
		end
	end
end

-- Returns a function(opts) that makes one activation module for the
-- option activation of builder fn: "relu", "qcfs" (with levels L), or a
-- function(opts) of the user's, which must pass opts (the module's name)
-- on to its constructor.
local function activation(fn, spec, L)
	if spec == "relu" then
		return function(o) return snn.relu(o) end
	elseif spec == "qcfs" then
		return function(o)
			o.L = L
			return snn.qcfs(o)
		end
	elseif type(spec) == "function" then
		return spec
	end
	error(("models.%s: activation must be \"relu\", \"qcfs\" or a " ..
	    "function(options) returning a module"):format(fn), 3)
end

-- Draws every convolution weight of net (the 4-dimensional parameters)
-- with init(weight, fan_in, fan_out), and sets their biases to zero when
-- zero_bias is set.
local function init_convs(net, init, zero_bias)
	local params = net:params()
	for name, t in pairs(params) do
		local shape = t:shape()
		if #shape == 4 then
			local k = shape[3] * shape[4]
			init(t, shape[2] * k, shape[1] * k)
			local bias = params[name:gsub("weight$", "bias")]
			if zero_bias and bias ~= nil then
				bias:fill(0)
			end
		end
	end
end

-- models.wrn{depth = 28, widen = 10, dropout = 0.3, classes = 10,
-- activation = "relu"}: the WideResNet of parseval-network-pytorch
-- (networks/wide_resnet.py) with its state_dict names: pre-activation
-- blocks with the stride in conv2, biases on every convolution, the 1x1
-- shortcut on the raw block input, a final batch norm of momentum 0.9 in
-- PyTorch's convention, avg_pool2d(8) and their initialisation (xavier
-- uniform with gain sqrt(2) for convolutions, zero conv biases).
function models.wrn(options)
	options = options or {}
	check_options("wrn", options, { "depth", "widen", "dropout",
	    "classes", "activation", "L" })
	local depth = options.depth or 28
	local k = options.widen or 10
	local p = options.dropout or 0.3
	if math.type(depth) ~= "integer" or depth < 10 or
	    (depth - 4) % 6 ~= 0 then
		error("models.wrn: depth must be 6n + 4 with n >= 1 (10, 16, " ..
		    "22, 28, ...)", 2)
	end
	if math.type(k) ~= "integer" or k < 1 then
		error("models.wrn: widen must be a positive integer", 2)
	end
	local act = activation("wrn", options.activation or "relu",
	    options.L or 4)
	local n = (depth - 4) // 6
	local inp = 16
	local function block(out, stride)
		local main = { snn.batchnorm2d(inp, { name = "bn1" }),
			act{ name = "act1" },
			snn.conv2d(inp, out, 3, { padding = 1, name = "conv1" }) }
		if p > 0 then
			main[#main + 1] = snn.dropout(p, { name = "dropout" })
		end
		main[#main + 1] = snn.batchnorm2d(out, { name = "bn2" })
		main[#main + 1] = act{ name = "act2" }
		main[#main + 1] = snn.conv2d(out, out, 3, { stride = stride,
			padding = 1, name = "conv2" })
		local shortcut
		if stride ~= 1 or inp ~= out then
			shortcut = snn.sequential{ snn.conv2d(inp, out, 1,
				{ stride = stride }) }
		end
		inp = out
		return snn.residual{ snn.sequential(main), shortcut }
	end
	local function stage(name, out, stride)
		local blocks = {}
		for i = 1, n do
			blocks[i] = block(out, i == 1 and stride or 1)
		end
		return snn.sequential(blocks, { name = name })
	end
	local net = snn.sequential{
		snn.conv2d(3, 16, 3, { padding = 1, name = "conv1" }),
		stage("layer1", 16 * k, 1),
		stage("layer2", 32 * k, 2),
		stage("layer3", 64 * k, 2),
		snn.batchnorm2d(64 * k, { momentum = 0.9, name = "bn1" }),
		act{ name = "act" },
		snn.avgpool2d(8),
		snn.flatten(),
		snn.linear(64 * k, options.classes or 10, { name = "linear" }),
	}
	init_convs(net, function(w, fan_in, fan_out)
		local a = math.sqrt(2) * math.sqrt(6 / (fan_in + fan_out))
		w:uniform(-a, a)
	end, true)
	return net
end

-- models.resnet20{classes = 10, L = 4, activation = "qcfs"}: the ResNet-20
-- of the QCFS repository (putshua/ANN_SNN_QCFS, ResNet4Cifar with
-- BasicBlock [3, 3, 3]) with its state_dict names: a stem conv1.0/1/2
-- (conv, batch norm, activation), post-activation blocks whose act follows
-- the addition, projection shortcuts with batch norm, no conv biases,
-- adaptive average pooling and fc.
function models.resnet20(options)
	options = options or {}
	check_options("resnet20", options, { "classes", "L", "activation" })
	local act = activation("resnet20", options.activation or "qcfs",
	    options.L or 4)
	local inp = 16
	local function conv(i, o, k, stride)
		return snn.conv2d(i, o, k, { stride = stride,
			padding = k == 3 and 1 or 0, bias = false })
	end
	local function block(out, stride)
		local residual = snn.sequential({ conv(inp, out, 3, stride),
			snn.batchnorm2d(out), act{}, conv(out, out, 3, 1),
			snn.batchnorm2d(out) }, { name = "residual_function" })
		local shortcut
		if stride ~= 1 or inp ~= out then
			shortcut = snn.sequential{ conv(inp, out, 1, stride),
				snn.batchnorm2d(out) }
		end
		inp = out
		return snn.sequential{ snn.residual({ residual, shortcut },
			{ name = "" }), act{ name = "act" } }
	end
	local function stage(name, out, stride)
		local blocks = {}
		for i = 1, 3 do
			blocks[i] = block(out, i == 1 and stride or 1)
		end
		return snn.sequential(blocks, { name = name })
	end
	return snn.sequential{
		snn.sequential({ conv(3, 16, 3, 1), snn.batchnorm2d(16), act{} },
		    { name = "conv1" }),
		stage("conv2_x", 16, 1),
		stage("conv3_x", 32, 2),
		stage("conv4_x", 64, 2),
		snn.adaptive_avgpool2d(1),
		snn.flatten(),
		snn.linear(64, options.classes or 10, { name = "fc" }),
	}
end

-- models.vgg16{classes = 10, L = 4, dropout = 0, activation = "qcfs"}: the
-- VGG-16 of the QCFS repository for 32x32 images with its state_dict
-- names: five stages layer1..5 of (conv with bias, batch norm,
-- activation, dropout) and average pooling, then the classifier
-- (flatten, 512-4096-4096-classes with activations and dropout); conv
-- weights kaiming normal (fan_out), linear biases zero.
function models.vgg16(options)
	options = options or {}
	check_options("vgg16", options, { "classes", "L", "dropout",
	    "activation" })
	local act = activation("vgg16", options.activation or "qcfs",
	    options.L or 4)
	local p = options.dropout or 0
	local inp = 3
	local function stage(name, widths)
		local layers = {}
		for _, w in ipairs(widths) do
			layers[#layers + 1] = snn.conv2d(inp, w, 3, { padding = 1 })
			layers[#layers + 1] = snn.batchnorm2d(w)
			layers[#layers + 1] = act{}
			layers[#layers + 1] = snn.dropout(p)
			inp = w
		end
		layers[#layers + 1] = snn.avgpool2d(2)
		return snn.sequential(layers, { name = name })
	end
	local net = snn.sequential{
		stage("layer1", { 64, 64 }),
		stage("layer2", { 128, 128 }),
		stage("layer3", { 256, 256, 256 }),
		stage("layer4", { 512, 512, 512 }),
		stage("layer5", { 512, 512, 512 }),
		snn.sequential({ snn.flatten(), snn.linear(512, 4096), act{},
			snn.dropout(p), snn.linear(4096, 4096), act{},
			snn.dropout(p), snn.linear(4096, options.classes or 10) },
			{ name = "classifier" }),
	}
	init_convs(net, function(w, fan_in, fan_out)
		w:normal(0, math.sqrt(2 / fan_out))
	end, false)
	for name, t in pairs(net:params()) do
		if name:find("^classifier%.%d+%.bias$") then
			t:fill(0)
		end
	end
	return net
end

-- models.resnet9{width = 64, classes = 10, activation = "relu", L = 4}:
-- the ResNet-9 of Myrtle.ai's DAWNBench entry ("How to train your
-- ResNet", D. Page, 2018), width w: prep conv w, then conv 2w + pool +
-- residual (two convs), conv 4w + pool, conv 8w + pool + residual, a
-- global pool and a linear layer; every conv is 3x3 without bias,
-- followed by batch norm and the activation. Pooling is max pooling with
-- ReLU and average pooling with qcfs activations (conversion refuses max
-- pooling). The quick presets of the examples use it at width 16.
function models.resnet9(options)
	options = options or {}
	check_options("resnet9", options, { "width", "classes", "activation",
	    "L" })
	local w = options.width or 64
	if math.type(w) ~= "integer" or w < 1 then
		error("models.resnet9: width must be a positive integer", 2)
	end
	local spec = options.activation or "relu"
	local act = activation("resnet9", spec, options.L or 4)
	local pool = spec == "relu" and snn.maxpool2d or snn.avgpool2d
	local function unit(i, o, name)
		return snn.sequential({ snn.conv2d(i, o, 3, { padding = 1,
			bias = false, name = "conv" }), snn.batchnorm2d(o,
			{ name = "bn" }), act{ name = "act" } }, { name = name })
	end
	local function residual(c, name)
		return snn.residual({ snn.sequential{ unit(c, c, "res1"),
			unit(c, c, "res2") } }, { name = name })
	end
	return snn.sequential{
		unit(3, w, "prep"),
		unit(w, 2 * w, "layer1"), pool(2), residual(2 * w, "res1"),
		unit(2 * w, 4 * w, "layer2"), pool(2),
		unit(4 * w, 8 * w, "layer3"), pool(2), residual(8 * w, "res3"),
		snn.adaptive_avgpool2d(1), snn.flatten(),
		snn.linear(8 * w, options.classes or 10, { name = "linear" }),
	}
end

-- models.cifar10dvs{channels = {128, 128, 128, 128}, size = 128,
-- hidden = 512, dropout = 0.5, classes = 10, in_channels = 2,
-- activation = "lif", pool, readout, L = 4, tau = 2, surrogate = "atan"}:
-- a plain convolutional network for CIFAR10-DVS frames [in_channels,
-- size, size], after SpikingJelly's parametric_lif_net.CIFAR10DVSNet: per
-- entry c of channels a block (conv 3x3 with padding 1 and no bias to c
-- channels, batch norm, the activation) named block1, block2, ..., each
-- followed by 2x2 pooling; then flatten, dropout, Linear to hidden (fc1)
-- with the activation and dropout when hidden is not 0, and Linear to the
-- classes (readout), with the activation after it when readout is true.
-- activation is "lif" (LIF neurons with tau, detach_reset and the
-- surrogate), "relu", "qcfs" (L levels) or a function(options) as for
-- models.wrn; pool is "max" or "avg" (default max, avg for qcfs, which
-- conversion needs); readout defaults to true for lif, false otherwise.
-- Returns the network and its multiply-accumulates for one frame (one
-- time step): {total = n, layers = {{name = , macs = }, ...}}, a
-- convolution counting out * in * k * k * H * W at its output size and a
-- linear layer in * out; batch norm (foldable into the convolution),
-- pooling, biases and neurons are not counted.
function models.cifar10dvs(options)
	options = options or {}
	check_options("cifar10dvs", options, { "channels", "size", "hidden",
	    "dropout", "classes", "in_channels", "activation", "pool",
	    "readout", "L", "tau", "surrogate" })
	local channels = options.channels or { 128, 128, 128, 128 }
	local size = options.size or 128
	local hidden = options.hidden or 512
	local p = options.dropout or 0.5
	local classes = options.classes or 10
	local spec = options.activation or "lif"
	local act
	if spec == "lif" then
		act = function(o)
			o.tau = options.tau or 2
			o.detach_reset = true
			o.surrogate = options.surrogate or "atan"
			return snn.lif(o)
		end
	else
		act = activation("cifar10dvs", spec, options.L or 4)
	end
	local pool = options.pool or (spec == "qcfs" and "avg" or "max")
	if pool ~= "max" and pool ~= "avg" then
		error("models.cifar10dvs: pool must be \"max\" or \"avg\"", 2)
	end
	local readout = options.readout
	if readout == nil then
		readout = spec == "lif"
	end
	if #channels < 1 or size % (1 << #channels) ~= 0 then
		error(("models.cifar10dvs: size %d does not halve %d times")
		    :format(size, #channels), 2)
	end
	local layers, macs, total = {}, {}, 0
	local function count(name, n)
		macs[#macs + 1] = { name = name, macs = n }
		total = total + n
	end
	local c, side = options.in_channels or 2, size
	for k, out in ipairs(channels) do
		local name = "block" .. k
		layers[#layers + 1] = snn.sequential({ snn.conv2d(c, out, 3,
			{ padding = 1, bias = false, name = "conv" }),
			snn.batchnorm2d(out, { name = "bn" }),
			act{ name = "act" } }, { name = name })
		count(name .. ".conv", out * c * 9 * side * side)
		layers[#layers + 1] = (pool == "max" and snn.maxpool2d or
		    snn.avgpool2d)(2, { name = "pool" .. k })
		c, side = out, side // 2
	end
	local features = c * side * side
	layers[#layers + 1] = snn.flatten({ name = "flatten" })
	if p > 0 then
		layers[#layers + 1] = snn.dropout(p, { name = "drop1" })
	end
	if hidden > 0 then
		layers[#layers + 1] = snn.linear(features, hidden,
		    { name = "fc1" })
		layers[#layers + 1] = act{ name = "fc1_act" }
		count("fc1", features * hidden)
		if p > 0 then
			layers[#layers + 1] = snn.dropout(p, { name = "drop2" })
		end
		features = hidden
	end
	layers[#layers + 1] = snn.linear(features, classes,
	    { name = "readout" })
	count("readout", features * classes)
	if readout then
		layers[#layers + 1] = act{ name = "readout_act" }
	end
	return snn.sequential(layers), { total = total, layers = macs }
end

return models
