-- test-figures.lua: snn.sweep.figures on summaries made by hand: a sweep
-- of 4 surrogates by 3 alphas (too many series for one chart of accuracy
-- per epoch: the best alpha of each, and a chart per surrogate), one
-- whose surrogate never varies (legends name alpha only), one without a
-- numeric key (bars); accuracies in percent, titles naming the data,
-- y labels on every figure, every figure well-formed XML.
local tap = require("tap")

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir '" .. dir .. "'")
local srcdir = os.getenv("SNNWB_SRCDIR") or "."
local slurp = require("snnwb.files").read

-- A statistics table of mean m over 3 seeds.
local function st(m)
	return { mean = m, sd = 0.01, n = 3 }
end

-- A row of the summary: grid values, best accuracy best, and per epoch
-- the accuracies best - 0.03 * (4 - e).
local function row(values, best)
	local acc = {}
	for e = 1, 4 do
		acc[e] = st(best - 0.03 * (4 - e))
	end
	return { values = values, n = 3, best_acc = st(best),
		final_acc = st(best), test_acc = acc, sg_zero = { st(0.4) },
		spike_rate = { st(0.05) } }
end

-- A summary named name of keys over rows, 4 epochs of 800 / 200.
local function summary(name, keys, rows)
	return { name = name, dir = dir .. "/" .. name, keys = keys,
		fixed = { epochs = 4, train = 800, test = 200 }, layers = 1,
		rows = rows }
end

local surrogates = { "sigmoid", "atan", "erf", "sine" }
local rows = {}
for k, name in ipairs(surrogates) do
	for a, alpha in ipairs({ 1, 2, 4 }) do
		rows[#rows + 1] = row({ surrogate = name, alpha = alpha },
		    0.80 + 0.02 * k + (a == 2 and 0.05 or 0.01 * a))
	end
end
local s = summary("grid", { "alpha", "surrogate" }, rows)
os.execute("mkdir '" .. s.dir .. "'")
local files = assert(snn.sweep.figures(s, { x = "alpha",
    data = "real N-MNIST subset, 800 train / 200 held out, 4 epochs" }))
local names = {}
for _, f in ipairs(files) do
	names[#names + 1] = f:match("[^/]+$")
end
tap.is(table.concat(names, " "), "test-accuracy.svg " ..
    "test-accuracy-panels.svg best-accuracy.svg " ..
    "sparsity.svg accuracy-sparsity-sigmoid.svg " ..
    "accuracy-sparsity-atan.svg accuracy-sparsity-erf.svg " ..
    "accuracy-sparsity-sine.svg",
    "12 configurations: the best alpha of each, a panel per surrogate")

local svg = slurp(s.dir .. "/test-accuracy.svg")
local lines = select(2, svg:gsub('class="line"', ""))
tap.is(lines, 4, "test-accuracy: one line per surrogate, not 12")
tap.ok(svg:find(">sigmoid (best alpha=2)</text>", 1, true) and
    svg:find(">sine (best alpha=2)</text>", 1, true),
    "test-accuracy: each line at its surrogate's best alpha")
tap.ok(svg:find(">sweep grid: real N-MNIST subset, 800 train / 200 " ..
    "held out, 4 epochs, 3 seeds</text>", 1, true),
    "test-accuracy: the subtitle names the data and seeds")
tap.ok(svg:find(">test accuracy (%)</text>", 1, true) and
    svg:find(">9[0-9]</text>") and not svg:find(">0%.9[0-9]*</text>"),
    "test-accuracy: in percent")
tap.ok(svg:find(">3</text>", 1, true) and
    not svg:find(">2.5</text>", 1, true),
    "test-accuracy: epochs at whole-number ticks")
svg = slurp(s.dir .. "/test-accuracy-panels.svg")
tap.is(select(2, svg:gsub('<svg class="panel"', "")), 4,
    "test-accuracy-panels: a panel per surrogate")
tap.is(select(2, svg:gsub('class="line"', "")), 12,
    "test-accuracy-panels: a line per alpha in each")
tap.ok(svg:find(">atan</text>", 1, true) and
    select(2, svg:gsub(">alpha=4</text>", "")) == 4 and
    select(2, svg:gsub('<clipPath id="p%d%-plot%-area">', "")) == 4,
    "test-accuracy-panels: titled, keyed, clipped panel by panel")
tap.ok(select(2, svg:gsub(">70</text>", "")) == 4 and
    select(2, svg:gsub(">90</text>", "")) == 4,
    "test-accuracy-panels: one y axis for all, 70 to 95%")

svg = slurp(s.dir .. "/best-accuracy.svg")
tap.ok(svg:find(">erf</text>", 1, true) and
    not svg:find("surrogate=", 1, true),
    "best-accuracy: groups named by surrogate")
tap.ok(svg:find(">best test accuracy (%, mean ± sd)</text>", 1, true),
    "best-accuracy: y labelled in percent")
svg = slurp(s.dir .. "/sparsity.svg")
tap.ok(select(2, svg:gsub('<svg class="panel"', "")) == 4 and
    select(2, svg:gsub(">layer 0</text>", "")) == 4 and
    svg:find(">sine</text>", 1, true),
    "sparsity: a panel per surrogate, a line per layer")
svg = slurp(s.dir .. "/accuracy-sparsity-sine.svg")
tap.ok(svg:find(">100</text>", 1, true) and
    svg:find(">% (mean ± sd over seeds)</text>", 1, true),
    "accuracy-sparsity: all in percent, 0 to 100")
local bare
for _, f in ipairs(files) do
	svg = slurp(f)
	if not (svg:find('transform="rotate(-90', 1, true) and
	    svg:find('font-weight="bold"', 1, true)) then
		bare = bare or f
	end
end
tap.is(bare, nil, "every figure has a title and a y label")

-- A sweep whose surrogate never varies: legends name alpha only.
rows = {}
for i, alpha in ipairs({ 0.5, 1, 2 }) do
	rows[i] = row({ surrogate = "piecewise_quadratic", alpha = alpha },
	    0.9)
end
local pq = summary("pq", { "alpha", "surrogate" }, rows)
pq.runs = { { layer_names = { "hidden.lif" } } }
os.execute("mkdir '" .. pq.dir .. "'")
files = assert(snn.sweep.figures(pq))
svg = slurp(pq.dir .. "/test-accuracy.svg")
tap.ok(svg:find(">alpha=0.5</text>", 1, true) and
    not svg:find("piecewise_quadratic", 1, true),
    "a key that never varies stays out of the legend")
svg = slurp(pq.dir .. "/sparsity.svg")
tap.ok(not svg:find('class="panel"', 1, true) and
    svg:find(">layer hidden.lif</text>", 1, true),
    "one surrogate: sparsity on one chart, layers by module name")
svg = slurp(pq.dir .. "/test-accuracy.svg")
tap.ok(svg:find(">sweep pq: 800 train / 200 test, 4 epochs, 3 seeds" ..
    "</text>", 1, true), "without data, the subtitle comes from fixed")
tap.ok(svg:find(">alpha=1<tspan fill=\"#555555\"> (same as alpha=0.5)",
    1, true), "series on top of each other are marked")

-- Without a numeric key: bars of close accuracies, the axis broken.
local bars = summary("bars", { "surrogate" }, {
	row({ surrogate = "atan" }, 0.91),
	row({ surrogate = "sigmoid" }, 0.93) })
os.execute("mkdir '" .. bars.dir .. "'")
files = assert(snn.sweep.figures(bars))
svg = slurp(files[#files])
tap.ok(svg:find('class="axis-break"', 1, true) and
    svg:find(">atan</text>", 1, true),
    "bars: accuracies of 91 and 93% on a broken axis")

tap.raises(function() snn.sweep.figures(bars, { data = 4 }) end,
    "snn.sweep.figures: option 'data' must be a string (got number)",
    "data must be a string")

local all = {}
for _, d in ipairs({ s.dir, pq.dir, bars.dir }) do
	for f in io.popen("ls '" .. d .. "'"):lines() do
		all[#all + 1] = d .. "/" .. f
	end
end
local ok_, how, code = os.execute("sh '" .. srcdir .. "/tests/xmlcheck.sh' '" ..
    table.concat(all, "' '") .. "'")
if not ok_ and how == "exit" and code == 77 then
	tap.skip(1, "no XML checker (xmllint or python3)")
else
	tap.ok(ok_, ("all %d figures are well-formed XML"):format(#all))
end

os.execute("rm -rf '" .. dir .. "'")
tap.done()
