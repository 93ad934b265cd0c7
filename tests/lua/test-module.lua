-- test-module.lua: the snn module itself: global and require, version,
-- seeds, threads, snn.type, and the prelude's helpers.
local tap = require("tap")

tap.ok(require("snn") == snn, "the global snn is require('snn')")
tap.ok(type(snn.version) == "string" and snn.version:match("^%d+%.%d+"),
    "snn.version is a version string")
tap.is(type(snn.quiet), "boolean", "snn.quiet tells whether -q was given")
tap.is(snn.type(snn.surrogate.atan()), "surrogate", "snn.type: surrogate")
tap.is(snn.type({}), nil, "snn.type of a table is nil")
tap.is(snn.type(io.stdout), nil, "snn.type of other userdata is nil")

-- Seeds and threads.
snn.seed(12)
tap.is(snn.seed(), 12, "snn.seed(n) sets the default seed")
tap.raises(function() snn.seed(-1) end,
    "snn.seed: argument 'n' must be a non-negative integer (got -1)",
    "negative seed")
tap.raises(function() snn.seed(1.5) end,
    "snn.seed: argument 'n' must be a non-negative integer (got 1.5)",
    "fractional seed")
tap.is(snn.threads(1), 1, "snn.threads(1) returns the count in use")
tap.is(snn.threads(), 1, "snn.threads() keeps it")
tap.raises(function() snn.threads(0) end,
    "snn.threads: argument 'n' must be a positive integer (got 0)",
    "zero threads")

-- snn.allclose, from the prelude.
local a = snn.tensor({ 1, 2, 3 })
tap.ok(snn.allclose(a, snn.tensor({ 1, 2, 3 + 1e-6 })),
    "allclose within the default tolerance")
local good, at, x, y = snn.allclose(a, snn.tensor({ 1, 2.5, 3 }))
tap.ok(not good and at == 2 and x == 2 and y == 2.5,
    "allclose names the worst element")
tap.ok(snn.allclose(a, snn.tensor({ 1.5, 2, 3 }), 0, 0.5),
    "allclose with atol")
tap.ok(not snn.allclose(snn.tensor({ 0 / 0 }), snn.tensor({ 0 / 0 })),
    "NaN is never close")
tap.raises(function() snn.allclose(a, { 1, 2, 3 }) end,
    "snn.allclose: argument 'b' must be a tensor (got table)",
    "allclose of a table")
tap.raises(function() snn.allclose(a, snn.zeros({ 2 })) end,
    "snn.allclose: argument 'b' has 2 elements, 'a' has 3",
    "allclose of tensors of other sizes")
tap.is(type(snn.log), "function", "snn.log is defined")

tap.done()
