-- test-tensor.lua: tensors: construction, shapes, element access, views
-- that write through, reductions, copies, and argument errors.
local tap = require("tap")

-- Construction from nested tables and from a flat table with a shape.
local t = snn.tensor({ { 1, 2, 3 }, { 4, 5, 6 } })
tap.is(table.concat(t:shape(), ","), "2,3", "nested table: shape [2, 3]")
tap.is(t:numel(), 6, "numel is 6")
tap.is(#t, 2, "#t is the first dimension")
tap.is(snn.type(t), "tensor", "snn.type names a tensor")
local f = snn.tensor({ 1, 2, 3, 4, 5, 6 }, { 3, 2 })
tap.is(f:get(3, 1), 5, "flat table and shape: row-major order")
tap.is(table.concat(snn.tensor({ 1, 2, 3, 4 }, { -1, 2 }):shape(), ","),
    "2,2", "a -1 dimension is inferred")
local z = snn.zeros({ 2, 2, 2 })
tap.is(z:sum(), 0, "snn.zeros is all zero")
tap.is(tostring(t), "tensor[2, 3] {1, 2, 3, 4, 5, 6}", "tostring")
tap.is(tostring(snn.zeros({ 10 })),
    "tensor[10] {0, 0, 0, 0, 0, 0, 0, 0, ...}", "tostring cuts long ones")

-- Reductions and conversion.
tap.is(t:sum(), 21, "sum")
tap.is(t:mean(), 3.5, "mean")
tap.is(t:max(), 6, "max")
tap.is(snn.tensor({ -3, -1, -2 }):max(), -1, "max of negatives")
tap.ok(snn.tensor({ 1, 0 / 0, 3 }):max() ~= snn.tensor({ 1, 0 / 0 }):max(),
    "max is NaN when an element is NaN")
local nested = t:totable()
tap.is(nested[2][3], 6, "totable nests as the shape")
tap.is(#nested[1], 3, "totable rows have the last dimension")

-- Element access: t[i] on 1-D, rows as views, get and set.
local v = snn.tensor({ 10, 20, 30 })
tap.is(v[2], 20, "t[i] on a 1-D tensor is the element")
v[3] = 5
tap.is(v[3], 5, "t[i] = x on a 1-D tensor")
tap.is(t[2][1], 4, "t[i] of a 2-D tensor is a row")
t[1][2] = 7
tap.is(t:get(1, 2), 7, "writing into a row writes into the tensor")
t[2] = 0
tap.is(t:sum(), 11, "t[i] = number fills row i")
t[2] = snn.tensor({ 1, 1, 1 })
tap.is(t:sum(), 14, "t[i] = tensor copies into row i")
t:set(2, 3, 9)
tap.is(t:get(2, 3), 9, "set then get")
tap.is(t:set(1, 1, 1), t, "set returns the tensor")

-- Views: reshape and rows share data with their tensor.
local base = snn.zeros({ 2, 3 })
local r = base:reshape({ 3, 2 })
r:set(3, 2, 42)
tap.is(base:get(2, 3), 42, "a reshape view writes through")
local rr = r:reshape({ 6 })
rr[1] = 8
tap.is(base:get(1, 1), 8, "a view of a view writes through")
base:fill(2)
tap.is(rr:sum(), 12, "fill is seen through views")
local c = base:clone()
c:fill(0)
tap.is(base:sum(), 12, "clone owns a copy")
base:copy(snn.tensor({ 1, 2, 3, 4, 5, 6 }))
tap.is(base:get(2, 1), 4, "copy takes another shape of as many elements")
tap.is(base:copy(base), base, "copy returns the tensor")
r = nil
rr = nil
collectgarbage()
base[1] = 0
tap.is(base:sum(), 15, "views can be collected before their tensor")
local row = snn.tensor({ { 1, 2 }, { 3, 4 } })[2]
collectgarbage()
tap.is(row[2], 4, "a row view keeps its tensor alive")

-- Argument errors name the function and the argument.
tap.raises(function() snn.tensor({ { 1, 2 }, { 3 } }) end,
    "snn.tensor: argument 'data' must be a rectangular table",
    "ragged nested table")
tap.raises(function() snn.tensor({ 1, "x" }) end,
    "snn.tensor: argument 'data' must hold numbers (got string)",
    "non-number element")
tap.raises(function() snn.tensor({ 1, 2, 3 }, { 2, 2 }) end,
    "snn.tensor: argument 'shape' does not hold 3 elements",
    "flat table and a shape of another size")
tap.raises(function() snn.zeros({ 2, 0 }) end,
    "snn.zeros: argument 'shape' must hold positive integers",
    "zero dimension")
tap.raises(function() snn.zeros(3) end,
    "snn.zeros: argument 'shape' must be a table of dimensions (got number)",
    "shape not a table")
tap.raises(function() snn.zeros({ 1, 1, 1, 1, 1, 1, 1 }) end,
    "must have 1 to 6 dimensions", "too many dimensions")
tap.raises(function() return v[4] end,
    "tensor[]: index must be an integer in 1..3 (got 4)",
    "index past the end")
tap.raises(function() return t:get(1, 4) end,
    "tensor:get: index 2 must be an integer in 1..3 (got 4)",
    "get out of range")
tap.raises(function() return t:get(1) end,
    "tensor:get: needs 2 indices (got 1)", "get with too few indices")
tap.raises(function() t:copy(snn.zeros({ 5 })) end,
    "tensor:copy: argument 'other' has 5 elements, the target 6",
    "copy of another size")
tap.raises(function() t:fill("x") end,
    "tensor:fill: argument 'v' must be a number (got string)",
    "fill with a string")
tap.raises(function() t:reshape({ 4, 2 }) end,
    "tensor:reshape: argument 'shape' does not hold 6 elements",
    "reshape to another size")
tap.raises(function() t.foo = 1 end,
    "tensor[]: cannot set field 'foo'", "setting a field")
tap.raises(function() t.sum(5) end,
    "tensor:sum: argument 'self' must be a tensor (got number)",
    "method on a non-tensor")

tap.done()
