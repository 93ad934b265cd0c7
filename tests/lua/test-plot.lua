-- test-plot.lua: snn.plot: line charts (lists, tensors, default x, log
-- axes, styles, error bars), bar charts, surrogate figures (with and
-- without primitives, names, ranges without 0), legends (placed, hidden,
-- series on top of each other marked), axes that fit the data, the
-- monitors net:spikes and net:membrane with their raster and trace
-- figures, every figure well-formed XML (tests/xmlcheck.sh), failed
-- writes and argument errors.
local tap = require("tap")

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir '" .. dir .. "'")
local srcdir = os.getenv("SNNWB_SRCDIR") or "."
local written = {}

-- The whole contents of a file, or nil.
local slurp = require("snnwb.files").read

-- Counts the plain occurrences of needle in text.
local function count(text, needle)
	local n, at = 0, 1
	while true do
		local i, j = text:find(needle, at, true)
		if not i then
			return n
		end
		n, at = n + 1, j + 1
	end
end

-- Writes a figure with snn.plot[kind]([tensor,] {file = dir/name, ...}),
-- checks that it returns the path, and returns the file's text.
local function figure(kind, name, opts, tensor)
	opts.file = dir .. "/" .. name
	local got, err
	if tensor then
		got, err = snn.plot[kind](tensor, opts)
	else
		got, err = snn.plot[kind](opts)
	end
	tap.is(got, opts.file, kind .. ": " .. name .. " written" ..
	    (err and " (" .. err .. ")" or ""))
	written[#written + 1] = opts.file
	return slurp(opts.file) or ""
end

-- Lines: lists, error bars, styles, a NaN gap.
local x, y, e = {}, {}, {}
for i = 1, 10 do
	x[i], y[i], e[i] = i, 1 / i, 0.02
end
local y2 = { 1, 2, 0 / 0, 4, 5, 6, 7, 8, 9, 10 }
local svg = figure("lines", "lines.svg", {
	title = "Loss & <accuracy>", xlabel = "epoch", ylabel = "loss",
	series = {
		{ label = "sigmoid (\u{3b1}=4)", x = x, y = y, err = e },
		{ label = "gap", x = x, y = y2,
		    style = { color = "black", dash = "dotted",
		    marker = "none" } },
	},
})
tap.ok(svg:find("<title>Loss &amp; &lt;accuracy&gt;</title>", 1, true),
    "lines: title escaped")
tap.is(count(svg, 'class="line"'), 2, "lines: two lines")
tap.ok(svg:find('stroke="#000000" stroke-width="2.5" ' ..
    'stroke-linejoin="round" stroke-dasharray="2.5 4.5"', 1, true),
    "lines: style black dotted")
tap.is(count(svg, "<circle"), 11, "lines: circles on series 1 and its key")
tap.is(count(svg, 'stroke-width="1.8"'), 10, "lines: ten error bars")

-- Tensors, x defaulting to 1..n, log axes.
svg = figure("lines", "tensor.svg", {
	xlog = true, ylog = true, xrange = { 1, 100 },
	series = { { y = snn.tensor({ 1, 10, 100, 1000 }) },
	    { x = snn.tensor({ 1, 2, 3 }), y = { 0.5, -1, 2 } } },
})
tap.ok(svg:find(">1000</text>", 1, true) and
    svg:find(">100</text>", 1, true), "lines: log ticks labelled")
tap.ok(not svg:find('class="legend"', 1, true),
    "lines: no legend without labels")

-- An empty chart says so.
svg = figure("lines", "empty.svg", { series = {} })
tap.ok(svg:find(">no data</text>", 1, true), "lines: empty says no data")

-- Bars: names and numbers as groups, error bars, three series.
svg = figure("bars", "bars.svg", {
	title = "Accuracy", ylabel = "test accuracy", groups = { "sigmoid",
	    "atan", 4 },
	series = {
		{ label = "T = 4", values = { 0.9, 0.92, 0.91 },
		    err = { 0.01, 0.01, 0.02 } },
		{ label = "T = 8", values = { 0.93, 0.95, 0.94 } },
		{ values = { 0.94, 0.95, 0 / 0 } },
	},
})
tap.is(count(svg, 'fill="url(#bar'), 10, "bars: 8 bars, 2 legend swatches")
tap.ok(svg:find(">4</text>", 1, true), "bars: a number names a group")

-- Surrogates: one with a primitive, one without, a name.
svg = figure("surrogate", "surrogates.svg", {
	title = "Surrogates", range = { -2, 2 },
	surrogates = { snn.surrogate.sigmoid({ alpha = 4 }),
	    snn.surrogate.super_spike(), "atan" },
})
tap.is(count(svg, 'class="line"'), 6,
    "surrogate: step, 2 primitives, 3 derivatives")
for _, label in ipairs({ "Heaviside step", "sigmoid (\u{3b1}=4)",
    "super_spike (\u{3b1}=1)", "atan (\u{3b1}=2)", "primitive",
    "derivative" }) do
	tap.ok(svg:find(">" .. label .. "</text>", 1, true),
	    "surrogate: legend has " .. label)
end
tap.ok(svg:find(">%-2[.0]*</text>") and svg:find(">2[.0]*</text>"),
    "surrogate: x ticks over the range")
tap.ok(svg:find(">spike function and derivative</text>", 1, true),
    "surrogate: the y axis labelled by default")
local one = figure("surrogate", "one.svg", { range = { 1, 3 },
    surrogates = { snn.surrogate.piecewise_leaky_relu() },
    xlabel = "x", ylabel = "y", width = 400, height = 300 })
tap.ok(one:find('width="400" height="300"', 1, true) and
    one:find(">piecewise_leaky_relu (w=1, c=0.01)</text>", 1, true),
    "surrogate: size and a label of two parameters")
figure("surrogate", "none.svg", { surrogates = {} })

-- The numbers of the attribute attr of every element tag in svg.
local function attrs(svg, tag, attr)
	local list = {}
	for el in svg:gmatch("<" .. tag .. "[^>]*>") do
		list[#list + 1] = tonumber(el:match(" " .. attr ..
		    '="([-%d.]+)"'))
	end
	return list
end

-- The frame of the plot: x, y, width, height.
local function frame(svg)
	local x_, y_, w, h = svg:match('<rect x="([%d.]+)" y="([%d.]+)" ' ..
	    'width="([%d.]+)" height="([%d.]+)" fill="none" ' ..
	    'stroke="#333333"')
	return tonumber(x_), tonumber(y_), tonumber(w), tonumber(h)
end

-- Legends: hidden, below the plot, beside it, and chosen by size.
local long = {}
for i = 1, 24 do
	long[i] = { label = ("alpha=%d, surrogate=piecewise_quadratic")
	    :format(i), y = { i, i + 1, i + 2 } }
end
svg = figure("lines", "legend-none.svg", { series = long, legend = "none" })
tap.ok(not svg:find('class="legend"', 1, true) and
    not svg:find("piecewise_quadratic", 1, true),
    "legend = none: no legend")
svg = figure("lines", "legend-auto.svg", { series = long, height = 900 })
local _, fy, fw, fh = frame(svg)
tap.ok(attrs(svg, 'rect class="legend"', "y")[1] > fy + fh,
    "24 long labels: the legend goes below the plot")
tap.ok(fw > 600, "24 long labels: the plot keeps the width (" ..
    tostring(fw) .. " px)")
svg = figure("lines", "legend-right.svg", { series = long,
    legend = "right", height = 900 })
local fx
fx, _, fw = frame(svg)
tap.ok(attrs(svg, 'rect class="legend"', "x")[1] > fx + fw,
    "legend = right puts it beside the plot")
local short = {}
for i = 1, 12 do
	short[i] = { label = ("alpha=%d"):format(i), y = { i, i } }
end
svg = figure("lines", "legend-bottom.svg", { series = short,
    legend = "bottom" })
_, fy, _, fh = frame(svg)
tap.ok(attrs(svg, 'rect class="legend"', "y")[1] > fy + fh and
    attrs(svg, 'rect class="legend"', "width")[1] > 600,
    "legend = bottom: short labels in columns across the figure")
svg = figure("lines", "legend-short.svg", { series = {
	{ label = "atan", y = { 1, 2 } },
	{ label = "sigmoid", y = { 2, 1 } } } })
fx, fy, fw, fh = frame(svg)
tap.ok(attrs(svg, 'rect class="legend"', "x")[1] > fx + fw and
    attrs(svg, 'rect class="legend"', "y")[1] < fy + fh,
    "two short labels: the legend stays beside the plot")
svg = figure("lines", "legend-same.svg", { series = {
	{ label = "alpha=1", y = { 0.1, 0.1, 0.1 } },
	{ label = "alpha=2", y = { 0.1, 0.1, 0.1 } },
	{ label = "alpha=4", y = { 0.1, 0.5, 0.9 } } } })
tap.ok(svg:find('>alpha=2<tspan fill="#555555"> (same as alpha=1)' ..
    '</tspan>', 1, true) and not svg:find("alpha=4<tspan", 1, true),
    "a series on top of another says so in the legend")

-- Axes fit the data: log axes keep its range, bars of close accuracies
-- start above 0 with the axis broken, whole-number x gets whole ticks.
svg = figure("lines", "alpha.svg", { xlog = true, series = {
	{ x = { 0.25, 0.5, 1, 2, 4, 8, 16 }, y = { 1, 2, 3, 4, 5, 6, 7 } } } })
tap.ok(svg:find(">0.5</text>", 1, true) and
    svg:find(">10</text>", 1, true) and
    not svg:find(">100</text>", 1, true) and
    not svg:find(">0.1</text>", 1, true),
    "log x of 0.25 .. 16: ticks 0.5 .. 10, not padded to 0.1 .. 100")
svg = figure("bars", "close.svg", { groups = { "atan", "sigmoid", "erf" },
    series = { { values = { 91.2, 93.5, 92.0 } } } })
tap.ok(svg:find('class="axis-break"', 1, true) and
    not svg:find(">0</text>", 1, true),
    "bars of 91 to 94: the axis starts above 0 and shows a break")
svg = figure("bars", "far.svg", { groups = { "a", "b" },
    series = { { values = { 10, 95 } } } })
tap.ok(not svg:find('class="axis-break"', 1, true) and
    svg:find(">0</text>", 1, true), "bars of 10 and 95 start at 0")
svg = figure("lines", "epochs.svg", { series = {
	{ y = { 80, 85, 88, 90 } } } })
tap.ok(svg:find(">2</text>", 1, true) and
    not svg:find(">1.5</text>", 1, true),
    "epochs 1 .. 4: whole-number ticks only")

-- Monitors: a relu feeds a LIF (tau 2, threshold 1) constant inputs, 1.5
-- (spikes at steps 1, 3, 5), 3 (every step) and 0 (never) in sample 0.
local net = snn.sequential({ snn.relu(), snn.lif(), snn.relu(), snn.lif() })
local input = snn.zeros({ 6, 2, 3 })
for t = 1, 6 do
	input[t][1][1], input[t][1][2], input[t][2][3] = 1.5, 3, 3
end
net:forward(input)
local spikes = net:spikes(1)
tap.is(table.concat(spikes:shape(), ","), "6,2,3",
    "net:spikes(1) is [T, B, neurons]")
local row = {}
for t = 1, 6 do
	row[t] = ("%g%g%g"):format(spikes[t][1][1], spikes[t][1][2],
	    spikes[t][1][3])
end
tap.is(table.concat(row, " "), "010 110 010 110 010 110",
    "net:spikes: the spikes of layer 1, sample 0")
tap.is(net:spikes("1"):sum(), spikes:sum(), "net:spikes takes a name")
tap.is(net:spikes():sum(), net:spikes(3):sum(),
    "net:spikes() is the last neuron layer")
tap.is(net:membrane(1)[2][1][1], 0, "net:membrane: reset after a spike")
tap.raises(function() net:spikes(0) end,
    "net:spikes: module 0 is not a neuron layer", "spikes of a relu")

svg = figure("raster", "raster.svg", { title = "layer 1" }, spikes)
tap.is(count(svg, "<circle cx"), 9, "raster: a dot for each of 9 spikes")
local levels = {}
for _, cy in ipairs(attrs(svg, "circle", "cy")) do
	levels[cy] = true
end
local nlevels = 0
for _ in pairs(levels) do
	nlevels = nlevels + 1
end
tap.is(nlevels, 2, "raster: the dots lie on two neurons' rows")
tap.ok(svg:find(">time step t</text>", 1, true) and
    svg:find(">5</text>", 1, true) and
    not svg:find(">2.5</text>", 1, true),
    "raster: time steps 0 .. 5 at whole-number ticks")
svg = figure("raster", "raster1.svg", { sample = 1, neurons = { 2 } },
    spikes)
tap.is(count(svg, "<circle cx"), 6, "raster: sample 1, neuron 2 only")

svg = figure("trace", "trace.svg", { threshold = 1, neurons = { 0, 2 } },
    net:membrane(1))
tap.is(count(svg, 'class="line"'), 3,
    "trace: two neurons and the threshold")
local d = svg:match('<path class="line" d="([^"]*)"')
local xs, ys, npoints, nx, ny = {}, {}, 0, 0, 0
for px, py in d:gmatch("([%d.]+) ([%d.]+)") do
	nx = nx + (xs[px] and 0 or 1)
	ny = ny + (ys[py] and 0 or 1)
	xs[px], ys[py], npoints = true, true, npoints + 1
end
tap.ok(npoints == 6 and nx == 6 and ny == 2,
    "trace: neuron 0's line has 6 steps at 2 levels (0.75 and 0)")
tap.ok(svg:find(">threshold = 1</text>", 1, true) and
    svg:find('d="M[%d.]+ ([%d.]+)L[%d.]+ %1" fill="none" ' ..
    'stroke="#000000" stroke%-width="2.5" stroke%-linejoin="round" ' ..
    'stroke%-dasharray="10 6"'), "trace: a level dashed threshold line")
tap.ok(svg:find('<g clip-path="url(#plot-area)">\n<path class="line"', 1,
    true) and svg:find('<clipPath id="plot-area">', 1, true),
    "trace: lines clipped to the plot area")
tap.ok(svg:find(">neuron 2</text>", 1, true) and
    svg:find(">membrane potential v</text>", 1, true),
    "trace: neurons named in the legend, y labelled")
svg = figure("trace", "trace-spikes.svg", { threshold = 1,
    neurons = { 0, 1, 2 }, spikes = spikes }, net:membrane(1))
local dots, levels_ = {}, {}
for group in svg:gmatch('<g class="dots"[^>]*>(.-)</g>') do
	dots[#dots + 1] = select(2, group:gsub("<circle", ""))
	for cy in group:gmatch('cy="([%d.]+)"') do
		levels_[cy] = true
	end
end
local nlev = 0
for _ in pairs(levels_) do
	nlev = nlev + 1
end
tap.ok(table.concat(dots, ",") == "3,6" and nlev == 1 and
    svg:find(">spikes</text>", 1, true),
    "trace: spikes as dots on the threshold, 3, 6 and none")
tap.raises(function()
	snn.plot.trace(net:membrane(1), { file = dir .. "/e.svg",
	    spikes = spikes })
end, "snn.plot.trace: argument 'spikes' needs the option threshold",
    "trace: spikes without a threshold")
tap.raises(function()
	snn.plot.trace(net:membrane(1), { file = dir .. "/e.svg",
	    threshold = 1, spikes = snn.zeros({ 6, 3 }) })
end, "snn.plot.trace: argument 'spikes' must have the shape of v",
    "trace: spikes of another shape")
svg = figure("trace", "trace-default.svg", {}, snn.zeros({ 4, 9 }))
tap.is(count(svg, 'class="line"'), 5, "trace: 5 neurons unless told")
tap.raises(function()
	snn.plot.raster(spikes, { file = dir .. "/e.svg", sample = 2 })
end, "snn.plot.raster: argument 'sample' must be a sample index in 0..1",
    "raster: a sample out of range")
tap.raises(function()
	snn.plot.trace(spikes, { file = dir .. "/e.svg", neurons = { 3 } })
end, "snn.plot.trace: argument 'neurons' must hold neuron indices in " ..
    "0..2", "trace: a neuron out of range")
tap.raises(function()
	snn.plot.lines({ file = dir .. "/e.svg", series = {},
	    legend = "left" })
end, "snn.plot.lines: argument 'legend' must be one of auto, right, " ..
    "bottom, none (got left)", "an unknown legend place")

-- A y label longer than the plot is high, and a title wider than the
-- figure, shrink to fit.
svg = figure("lines", "fit.svg", { width = 300, height = 220,
    title = "a title far too long for a figure three hundred pixels wide",
    ylabel = "zero surrogate derivatives (% of the layer's)",
    series = { { y = { 1, 2 } } } })
local tsize = tonumber(svg:match('font%-size="(%d+)" text%-anchor="middle" ' ..
    'font%-weight="bold"'))
local ysize = tonumber(svg:match('font%-size="(%d+)" text%-anchor="middle" ' ..
    'transform="rotate%(%-90'))
tap.ok(tsize and tsize < 20 and tsize >= 10 and ysize and ysize < 16 and
    ysize >= 10, ("long title and y label shrink (%s, %s px)"):format(
    tostring(tsize), tostring(ysize)))

-- Small multiples: panels of lines and bars under one title.
svg = figure("panels", "panels.svg", { title = "by surrogate",
    subtitle = "sweep s", columns = 2, panels = {
	{ title = "atan", series = { { label = "a", y = { 1, 2 } } } },
	{ title = "sigmoid", series = { { y = { 2, 1 } } } },
	{ kind = "bars", groups = { "x" },
	    series = { { values = { 3 } } } } } })
tap.ok(select(2, svg:gsub('<svg class="panel"', "")) == 3 and
    svg:find('width="840" height="', 1, true) and
    svg:find('<svg class="panel" x="0" y="[%d]+" width="420" ' ..
    'height="340"') and svg:find('<svg class="panel" x="420" ') and
    svg:find('fill="url(#p3-bar0)"', 1, true),
    "panels: three panels on two columns, ids their own")
tap.ok(svg:find(">by surrogate</text>", 1, true) and
    svg:find(">sweep s</text>", 1, true) and
    svg:find('<g clip-path="url(#p2-plot-area)">', 1, true),
    "panels: title, subtitle, each panel clipped")
local function panel_error(opts, text, name)
	opts.file = dir .. "/error.svg"
	tap.raises(function() snn.plot.panels(opts) end, text, name)
end
panel_error({ panels = { { kind = "pie" } } },
    "snn.plot.panels: panel 1: kind must be lines or bars (got pie)",
    "panels: an unknown kind")
panel_error({ panels = { { file = "x.svg", series = {} } } },
    "snn.plot.panels: panel 1: file belongs to the options of " ..
    "snn.plot.panels", "panels: a file in a panel")
panel_error({ panels = {} },
    "snn.plot.panels: argument 'panels' must list at least one panel",
    "panels: none")
panel_error({ panels = { { series = { { x = { 1 } } } } } },
    "snn.plot.panels: panel 1: series 1: y is missing",
    "panels: a panel's error names it")

-- Every figure is well-formed XML.
local ok_, how, code = os.execute("sh '" .. srcdir .. "/tests/xmlcheck.sh' '" ..
    table.concat(written, "' '") .. "'")
if not ok_ and how == "exit" and code == 77 then
	tap.skip(1, "no XML checker (xmllint or python3)")
else
	tap.ok(ok_, "every figure is well-formed XML")
end

-- A file that cannot be written: nil and a message.
local got, err = snn.plot.lines({ file = dir .. "/missing/f.svg",
    series = {} })
tap.ok(got == nil and tostring(err):find("missing/f.svg", 1, true),
    "an unwritable file returns nil and a message")

-- Argument errors name the function and the argument.
local function raises(kind, opts, text, name)
	if opts.file == nil then
		opts.file = dir .. "/error.svg"
	end
	tap.raises(function() snn.plot[kind](opts) end, text, name)
end
local ten, nine = {}, {}
for i = 1, 10 do
	ten[i], nine[i] = i, i
end
nine[10] = nil
raises("lines", { file = false, series = {} },
    "snn.plot.lines: argument 'file' must be a string (got boolean)",
    "file must be a string")
raises("lines", { series = { { y = { 1 } }, { x = ten, y = nine } } },
    "snn.plot.lines: series 2: x has 10 values, y has 9",
    "x and y of different lengths")
raises("lines", { series = { { y = { 1, 2, 3 }, err = { 1, 2 } } } },
    "snn.plot.lines: series 1: err has 2 values, y has 3",
    "err of the wrong length")
raises("lines", { series = { { y = { 1, "two" } } } },
    "snn.plot.lines: series 1: y[2] must be a number (got string)",
    "a value that is not a number")
raises("lines", { series = { { x = { 1 } } } },
    "snn.plot.lines: series 1: y is missing", "y is required")
raises("lines", { series = { 5 } },
    "snn.plot.lines: series 1 must be a table (got number)",
    "a series that is not a table")
raises("lines", { series = { { y = { 1 }, lable = "a" } } },
    "snn.plot.lines: series 1: argument 'options' has an unknown key " ..
    "'lable'", "a misspelt series key")
raises("lines", { series = {}, colour = "red" },
    "snn.plot.lines: argument 'options' has an unknown key 'colour'",
    "a misspelt option")
raises("lines", { series = { { y = { 1 }, style = { dash = "wavy" } } } },
    "snn.plot.lines: series 1: style.dash must be one of solid, " ..
    "dashed, dotted, dashdot (got wavy)", "an unknown dash")
raises("lines", { series = { { y = { 1 }, style = { color = "red" } } } },
    "style.color must be one of blue, vermillion, green, purple, " ..
    "orange, skyblue, yellow, black, grey (got red)", "an unknown colour")
raises("lines", { series = {}, width = 50 },
    "snn.plot.lines: width must be between 200 and 10000 (got 50)",
    "too narrow")
raises("lines", { series = {}, xrange = { 1 } },
    "snn.plot.lines: argument 'xrange' must be a list of two numbers",
    "a range of one number")
raises("lines", { series = {}, xrange = { 3, 1 } },
    "snn.plot.lines: x range [3, 1] is not an interval",
    "a range backwards")
raises("lines", { series = {}, ylog = true, yrange = { 0, 1 } },
    "snn.plot.lines: y range [0, 1] must be positive on a log scale",
    "a log range from 0")
raises("lines", { series = "none" },
    "snn.plot.lines: argument 'series' must be a list of tables " ..
    "(got string)", "series must be a table")
raises("bars", { groups = { "a", "b", "c" },
    series = { { values = { 1, 2 } } } },
    "snn.plot.bars: series 1: 2 values for 3 groups",
    "bars: values of the wrong length")
raises("bars", { series = {} },
    "snn.plot.bars: argument 'groups' must be a list of names (got nil)",
    "bars: groups are required")
raises("surrogate", { surrogates = { 1 } },
    "snn.plot.surrogate: argument 'surrogates[1]' must be a surrogate " ..
    "or a surrogate name (got number)", "surrogate: not a surrogate")
raises("surrogate", { surrogates = { "nope" } },
    "snn.plot.surrogate: ", "surrogate: an unknown name")
raises("surrogate", { surrogates = {}, range = { 2, 2 } },
    "snn.plot.surrogate: x range [2, 2] is not an interval",
    "surrogate: an empty range")
tap.raises(function() snn.plot.lines() end,
    "snn.plot.lines: argument 'options' must be a table (got nil)",
    "options are required")

os.execute("rm -rf '" .. dir .. "'")
tap.done()
