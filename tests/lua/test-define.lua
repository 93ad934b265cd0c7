-- test-define.lua: surrogates written in Lua (snn.surrogate.define): the
-- S(x) and P(x) of lua/snnwb/surrogates.lua against the built-in sine and
-- power, a sigmoid without grad against the built-in sigmoid, argument
-- errors, networks, checkpoints, a sigmoid by its grad alone (no primitive)
-- trained on a tiny set, and a short training run.
local tap = require("tap")
local refdata = require("refdata")
local lua_surrogates = require("snnwb.surrogates")
local tiny = require("tinymnist")

-- Returns the worst |a:method(x) - b:method(x)| over x = lo, lo + step, ..
-- hi, skipping |x| <= skip, and the x where it is.
local function worst(a, b, method, lo, hi, step, skip)
	local w, at = 0, nil
	for i = 0, math.floor((hi - lo) / step + 0.5) do
		local x = lo + i * step
		if math.abs(x) > (skip or -1) then
			local e = math.abs(a[method](a, x) - b[method](b, x))
			if e > w then
				w, at = e, x
			end
		end
	end
	return w, at
end

-- Returns the x in xs where exactly one of a and b has a zero grad.
local function zeros_differ(a, b, xs)
	local differ = {}
	for _, x in ipairs(xs) do
		if (a:grad(x) == 0) ~= (b:grad(x) == 0) then
			differ[#differ + 1] = tostring(x)
		end
	end
	return table.concat(differ, " ")
end

-- Points just inside and outside the support [-1, 1], and far out.
local edges = { -100, -2, -1.001, -1.0001, -0.9999, 0.9999, 1.0001,
	1.001, 2, 100 }

-- S(x): the Lua sine against the built-in. Linear interpolation on 4096
-- intervals errs by at most h^2 / 8 max|S''| = 5.8e-8, far below 1e-4.
local S, sine = lua_surrogates.sine, snn.surrogate.sine()
tap.is(snn.type(S), "surrogate", "define returns a surrogate")
tap.is(S.name, "sine", ".name")
tap.is(S.params.alpha, 1, ".params")
tap.is(S.intervals, 4096, ".intervals: 4096 by default")
tap.is(S.support[1] .. "," .. S.support[2], "-1.0,1.0",
    ".support from the support function of alpha")
tap.ok(S.table_error > 0 and S.table_error < 1e-6,
    "sine: table_error measured, " .. S.table_error)
tap.ok(tostring(S):find("^snn%.surrogate%.defined%.sine{alpha=1} %-%- " ..
    "tabulated on %[%-1, 1%] in 4096 intervals %(h = 0%.000488%), " ..
    "worst error") ~= nil, "tostring: constructor, support, resolution")
tap.ok(not tostring(S):find("derived"), "tostring: grad given, not derived")
local e, at = worst(S, sine, "grad", -3, 3, 0.001)
tap.ok(e <= 1e-4, ("sine: grad within 1e-4 of the built-in (worst %.3g " ..
    "at %g)"):format(e, at or 0))
tap.is(zeros_differ(S, sine, edges), "",
    "sine: exact zeros where the built-in has them, outside [-1, 1]")
e = worst(S, sine, "primitive", -3, 3, 0.001)
tap.ok(e <= 1e-6, ("sine: primitive within 1e-6 (worst %.3g)"):format(e))
tap.is(S:spike(0) + S:spike(-1e-6), 1, "sine: spike is the step")
local S2 = snn.surrogate.defined.sine{ alpha = 2 }
tap.is(S2.support[2], 2, "defined.sine{alpha = 2}: support [-2, 2]")
e = worst(S2, snn.surrogate.sine{ alpha = 2 }, "grad", -3, 3, 0.001)
tap.ok(e <= 1e-4, ("defined.sine{alpha = 2}: grad matches the built-in " ..
    "(worst %.3g)"):format(e))
tap.is(S.params.alpha, 1, "the first sine keeps alpha = 1")

-- P(x): the linear interpolation error of P' = 0.25 |x|^-1.5 is at most
-- h^2 / 8 max|P''| = h^2 / 8 0.1875 |x|^-2.5 over an interval; with
-- h = 2 / 4096 that is below 1e-4 once the interval lies beyond
-- |x| = 0.0199, hence the margin 0.025 (0.0245 for the interval's near
-- end gives 6e-5). Closer to 0 the derivative is capped and the error is
-- what table_error reports.
local P, power = lua_surrogates.power, snn.surrogate.power()
e, at = worst(P, power, "grad", -2, 2, 0.0005, 0.025)
tap.ok(e <= 1e-4, ("power: grad within 1e-4 for |x| > 0.025 (worst %.3g " ..
    "at %g)"):format(e, at or 0))
tap.is(zeros_differ(P, power, edges), "",
    "power: exact zeros where the built-in has them, outside [-1, 1]")
tap.near(P:grad(0), power:grad(0), 1e-4, "power: the cap at 0 as the built-in")
-- The worst error is near the kink of the cap, inside an interval, where
-- the midpoints see a little less of it than a finer look.
e = worst(P, power, "grad", -0.025, 0.025, 0.00001)
tap.ok(e <= 1.1 * P.table_error, ("power: near 0 within 1.1 table_error " ..
    "%.3g (worst %.3g)"):format(P.table_error, e))
e = worst(P, power, "primitive", -2, 2, 0.0005, 0.025)
tap.ok(e <= 1e-5, ("power: primitive within 1e-5 for |x| > 0.025 " ..
    "(worst %.3g)"):format(e))
e = worst(P, power, "primitive", -0.025, 0.025, 0.00001)
tap.ok(e <= P.table_error + 1e-6, ("power: primitive near 0 within " ..
    "table_error (worst %.3g)"):format(e))

-- Tensors: a new tensor of the same shape, element by element.
local xs = snn.tensor({ { -1.5, -0.5 }, { 0.25, 0.75 } })
local g = S:grad(xs)
tap.is(table.concat(g:shape(), ","), "2,2", "grad of a tensor keeps its shape")
tap.near(g:get(2, 1), S:grad(0.25), 0, "grad of a tensor, element by element")
tap.close(S:primitive(xs), sine:primitive(xs), 0, 1e-6, "primitive of a tensor")

-- A sigmoid without grad: derived by central differences of the primitive
-- on the default support [-8, 8]; h = 16 / 4096 bounds the interpolation
-- error by h^2 / 8 alpha^3 / 8 = 1.5e-5 for alpha = 4.
local lsig = snn.surrogate.define{
	name = "lsig",
	params = { alpha = 4 },
	primitive = function(x, p)
		return 1 / (1 + math.exp(-p.alpha * x))
	end,
}
local sig = snn.surrogate.sigmoid()
tap.ok(tostring(lsig):find("; grad derived numerically from the " ..
    "primitive$") ~= nil, "no grad: tostring says it was derived")
tap.is(lsig.support[1] .. "," .. lsig.support[2], "-8.0,8.0",
    "no support: [-8, 8]")
e, at = worst(lsig, sig, "grad", -10, 10, 0.001)
tap.ok(e <= 2e-5, ("lsig: derived grad within 2e-5 of the built-in " ..
    "sigmoid (worst %.3g at %g)"):format(e, at or 0))
tap.ok(lsig.table_error >= 1e-5 and lsig.table_error <= 2e-5,
    "lsig: table_error " .. lsig.table_error .. " near the bound 1.5e-5")
e = worst(lsig, sig, "primitive", -10, 10, 0.001)
tap.ok(e <= 1e-6, ("lsig: primitive within 1e-6 (worst %.3g)"):format(e))
tap.ok(lsig:grad(8.001) == 0 and lsig:grad(-50) == 0,
    "lsig: grad exactly 0 outside the default support")
-- With alpha = 1 the tails beyond [-8, 8] are not negligible: the error
-- reported is the cut, sigmoid'(8 + h / 2) = 3.3e-4.
local wide = snn.surrogate.defined.lsig{ alpha = 1 }
local cut = 8 + 8 / 4096
tap.near(wide.table_error, math.exp(-cut) / (1 + math.exp(-cut)) ^ 2, 1e-6,
    "defined.lsig{alpha = 1}: table_error reports the cut tails")

-- Argument errors name the function and the argument.
local function prim(x)
	return x >= 0 and 1 or 0
end
tap.raises(function() snn.surrogate.define(1) end,
    "snn.surrogate.define: argument 'options' must be a table (got number)",
    "options not a table")
tap.raises(function()
	snn.surrogate.define{ name = "a", primitive = prim, gard = prim }
end, "argument 'options' has an unknown key 'gard'", "unknown key")
tap.raises(function() snn.surrogate.define{ primitive = prim } end,
    "snn.surrogate.define: argument 'name' must be a string", "no name")
tap.raises(function() snn.surrogate.define{ name = "my sine",
	primitive = prim } end,
    "snn.surrogate.define: surrogate name \"my sine\" must be an identifier",
    "name not an identifier")
tap.raises(function() snn.surrogate.define{ name = "a" } end,
    "argument 'options' must give grad, primitive or both",
    "neither grad nor primitive")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = 1 } end,
    "argument 'primitive' must be a function or nil (got number)",
    "primitive not a function")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	grad = 1 } end,
    "argument 'grad' must be a function or nil (got number)",
    "grad not a function")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	support = 1 } end, "argument 'support' must be a list {lo, hi}",
    "support not a list")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	support = { 1, -1 } } end,
    "snn.surrogate.define: surrogate a: support [1, -1] must be finite " ..
    "with lo < hi", "support upside down")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	support = { 1 } } end,
    "support must give two numbers lo, hi (got number, nil)",
    "support of one number")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	params = { alpha = "1" } } end,
    "snn.surrogate.define: argument 'alpha' must be a number (got string)",
    "parameter not a number")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	params = { a = 1, b = 2, c = 3, d = 4 } } end,
    "one too many (at most 3)", "four parameters")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	intervals = 8 } end,
    "snn.surrogate.define: a surrogate table must have 16 to 65536 " ..
    "intervals, not 8", "too few intervals")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	intervals = 0 } end, "argument 'intervals' must be a positive integer",
    "intervals not positive")
tap.raises(function() snn.surrogate.define{ name = "a",
	primitive = function() end } end,
    "snn.surrogate.define: primitive(-8.0) returned nil, not a number",
    "primitive returning nothing")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	grad = function(x) return x > 0 and 1 / 0 or 0 end } end,
    "grad(0.00390625) returned inf, not a finite float",
    "grad returning inf")
tap.raises(function() snn.surrogate.define{ name = "a", primitive = prim,
	grad = function() error("boom") end } end, "boom",
    "an error in grad propagates")
tap.is(snn.surrogate.defined.a, nil, "failed definitions add no constructor")
tap.raises(function() snn.surrogate.defined.sine{ beta = 1 } end,
    "snn.surrogate.defined.sine: surrogate sine has no parameter \"beta\"",
    "constructor: unknown parameter")
tap.raises(function() snn.surrogate.defined.sine{ alpha = "x" } end,
    "snn.surrogate.defined.sine: argument 'alpha' must be a number",
    "constructor: parameter not a number")
tap.raises(function() snn.surrogate.defined.sine(2) end,
    "snn.surrogate.defined.sine: argument 'params' must be a table",
    "constructor: params not a table")

-- Networks: the same forward, and a backward within the table's error, as
-- the built-in; the description names the defined surrogate.
local function network(sg)
	return snn.sequential{ snn.linear(6, 5, { seed = 1 }),
		snn.lif{ surrogate = sg },
		snn.linear(5, 3, { seed = 2 }), snn.lif{ surrogate = sg } }
end
local x = snn.tensor({
	{ { 1.2, 0.4, -0.3, 0.8, 2.0, -1.0 },
	    { 0.1, 1.5, 0.9, -0.2, 0.3, 1.1 } },
	{ { 0.7, 1.9, 0.2, -0.6, 1.4, 0.5 },
	    { 1.8, -0.4, 1.2, 0.6, 0.9, 0.0 } },
	{ { 2.2, 0.3, 1.0, 1.1, -0.5, 0.8 },
	    { 0.4, 0.6, 1.6, 1.3, 0.2, 0.9 } },
})
local gy = snn.tensor({ { { 1, -1, 0.5 }, { 0.2, 0.3, -0.7 } },
	{ { -0.4, 1, 0.1 }, { 0.6, -0.2, 0.9 } },
	{ { 0.3, 0.3, -1 }, { -0.8, 0.5, 0.4 } } })
local built, lua = network(sine), network(S)
tap.close(lua:forward(x), built:forward(x), 0, 0, "network: same spikes")
tap.close(lua:backward(gy), built:backward(gy), 0, 1e-5,
    "network: backward within 1e-5 of the built-in sine")
tap.close(lua:grads()["0.weight"], built:grads()["0.weight"], 0, 1e-5,
    "network: weight gradients within 1e-5")
tap.ok(tostring(lua):find("surrogate=snn.surrogate.defined.sine{alpha=1}",
    1, true) ~= nil, "tostring(net) names the defined surrogate")
tap.ok(lua:summary():find("snn.surrogate.defined.sine{alpha=1}", 1,
    true) ~= nil, "net:summary names it")
built:spiking(false)
lua:spiking(false)
tap.close(lua:forward(x), built:forward(x), 0, 1e-6,
    "spiking(false): outputs the tabulated primitive")

-- A network keeps working after the surrogate value is collected.
local only = network(snn.surrogate.defined.lsig{ alpha = 3 })
collectgarbage("collect")
collectgarbage("collect")
local ref = network(snn.surrogate.sigmoid{ alpha = 3 })
ref:forward(x)
only:forward(x)
tap.close(only:backward(gy), ref:backward(gy), 0, 1e-4,
    "a network outlives the surrogate value it was given")

-- Checkpoints carry the table: a network loads back exactly, even after
-- its surrogate was defined again with other functions.
local path = os.tmpname()
local net = network(snn.surrogate.defined.lsig{ alpha = 2 })
tap.ok(net:save(path), "save: a network with a defined surrogate")
snn.surrogate.define{ name = "lsig", params = { alpha = 2 },
	primitive = function(xx) return xx >= 0 and 1 or 0 end,
	grad = function() return 0.5 end }
local loaded = assert(snn.load(path))
tap.is(tostring(loaded), tostring(net), "load: the same description")
net:forward(x)
loaded:forward(x)
tap.close(loaded:backward(gy), net:backward(gy), 0, 0,
    "load: the same table, exactly, without the definition")
local f = assert(io.open(path, "rb"))
local header = f:read(200000)
f:close()
tap.ok(header:find('\\"table\\":{\\"support\\":[-8.0,8.0],' ..
    '\\"intervals\\":4096,\\"derived\\":true', 1, true) ~= nil,
    "the checkpoint's metadata holds the table")
os.remove(path)

-- A surrogate defined by its gradient alone (as super_spike, which has no
-- primitive): sigmoid's derivative in Lua follows the built-in sigmoid
-- within about the interpolation error h^2 / 8 alpha^3 / 8 = 1.5e-5
-- (alpha = 4, h = 16 / 4096); it has no primitive, says so, and trains as
-- the built-in does.
local gsig = snn.surrogate.define{ name = "gsig", params = { alpha = 4 },
	grad = function(xx, p)
		local s = 1 / (1 + math.exp(-p.alpha * xx))
		return p.alpha * s * (1 - s)
	end }
local bsig = snn.surrogate.sigmoid{ alpha = 4 }
local gworst, gat = worst(gsig, bsig, "grad", -9, 9, 0.001)
tap.ok(gworst <= 2e-5, ("grad alone: grad within 2e-5 of sigmoid " ..
    "(worst %.2g at x = %.3f)"):format(gworst, gat))
tap.ok(gsig.table_error >= 1e-5 and gsig.table_error <= 2e-5,
    ("grad alone: table_error %.2g, grad's, near the bound " ..
    "1.5e-5"):format(gsig.table_error))
tap.ok(tostring(gsig):find("; no primitive$") ~= nil,
    "grad alone: tostring says it has no primitive")
tap.raises(function() gsig:primitive(0) end,
    "surrogate:primitive: surrogate gsig has no primitive: it was " ..
    "defined by its grad alone", "grad alone: primitive is an error")
tap.raises(function() network(gsig):spiking(false) end,
    "surrogate gsig has no smooth primitive",
    "grad alone: spiking(false) is an error")
local gnet, bnet = network(gsig), network(bsig)
tap.close(gnet:forward(x), bnet:forward(x), 0, 0, "grad alone: same spikes")
tap.close(gnet:backward(gy), bnet:backward(gy), 0, 1e-4,
    "grad alone: backward within 1e-4 of the built-in sigmoid")
path = os.tmpname()
tap.ok(gnet:save(path), "grad alone: save")
local gload = assert(snn.load(path))
os.remove(path)
tap.is(tostring(gload), tostring(gnet), "grad alone: load")
tap.raises(function() gload:spiking(false) end,
    "surrogate gsig has no smooth primitive",
    "grad alone: a loaded network still has no primitive")
gload:forward(x)
tap.close(gload:backward(gy), gnet:backward(gy), 0, 0,
    "grad alone: the loaded table is the same, exactly")
local tdir = tiny.write(64, 32)
local function tiny_run(sg)
	local n = snn.sequential{ snn.flatten(),
		snn.linear(784, 10, { bias = false, seed = 1 }),
		snn.lif{ surrogate = sg } }
	local data = function(split)
		return snn.data.mnist{ root = tdir, split = split, T = 8,
			encoding = "poisson", seed = 3 }
	end
	return snn.train{ net = n, data = data("train"), test = data("test"),
		epochs = 3, batch = 16, seed = 5,
		optimizer = snn.optim.adam{ lr = 1e-3 } }
end
local hg, hs = tiny_run(gsig), tiny_run(bsig)
tiny.remove(tdir)
tap.ok(hg.epochs[3].loss < hg.epochs[1].loss / 4, ("grad alone: " ..
    "training, the loss falls from %.4f to %.4f"):format(hg.epochs[1].loss,
    hg.epochs[3].loss))
tap.near(hg.epochs[3].loss, hs.epochs[3].loss, 1e-3,
    "grad alone: the loss follows the built-in sigmoid's")
tap.ok(hg.epochs[3].test_acc >= 0.9, ("grad alone: %.0f%% held out " ..
    "(chance 50%%)"):format(100 * hg.epochs[3].test_acc))

-- A short training run with P(x) on the N-MNIST subset, when present: its
-- first batch, from the same weights, has the surrogate-gradient sparsity
-- of the built-in power exactly, and its loss falls.
local root = refdata.find("datasets/nmnist-subset", 3)
if root == nil then
	tap.done()
	return
end
local data = snn.data.nmnist{ root = root, frames = 8 }:split(128,
    { seed = 5 })
local function run(sg)
	local n = snn.sequential{ snn.flatten(),
		snn.linear(2312, 10, { bias = false, seed = 4 }),
		snn.lif{ surrogate = sg } }
	return snn.train{ net = n, data = data, epochs = 2, batch = 32,
		seed = 9, optimizer = snn.optim.adam{ lr = 5e-3 } }
end
local hl, hb = run(P), run(power)
tap.is(hl.batches[1].sg_zero[1], hb.batches[1].sg_zero[1],
    ("train: first-batch gradient sparsity %.4f, as the built-in"):format(
    hb.batches[1].sg_zero[1]))
tap.ok(hl.epochs[2].loss < hl.epochs[1].loss, ("train: loss falls, " ..
    "%.4f -> %.4f"):format(hl.epochs[1].loss, hl.epochs[2].loss))
tap.near(hl.epochs[2].loss, hb.epochs[2].loss, 1e-3,
    "train: the loss follows the built-in power's")
tap.done()
