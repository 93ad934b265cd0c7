-- test-plot.lua: snn.plot: line charts (lists, tensors, default x, log
-- axes, styles, error bars), bar charts, surrogate figures (with and
-- without primitives, names, ranges without 0), every figure well-formed
-- XML (tests/xmlcheck.sh), failed writes and argument errors.
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

-- Writes a figure with snn.plot[kind]{file = dir/name, ...}, checks that
-- it returns the path, and returns the file's text.
local function figure(kind, name, opts)
	opts.file = dir .. "/" .. name
	local got, err = snn.plot[kind](opts)
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
tap.ok(not svg:find("<rect x=\"[%d.]+\" y=\"[%d.]+\" width=\"[%d.]+\" " ..
    "height=\"%d+\" fill=\"white\" stroke=\"#bbbbbb\""),
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
local one = figure("surrogate", "one.svg", { range = { 1, 3 },
    surrogates = { snn.surrogate.piecewise_leaky_relu() },
    xlabel = "x", ylabel = "y", width = 400, height = 300 })
tap.ok(one:find('width="400" height="300"', 1, true) and
    one:find(">piecewise_leaky_relu (w=1, c=0.01)</text>", 1, true),
    "surrogate: size and a label of two parameters")
figure("surrogate", "none.svg", { surrogates = {} })

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
