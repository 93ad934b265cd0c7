-- test-tensor.lua: tensors: construction, shapes, element access, views
-- that write through, arithmetic, reductions along dimensions, slices,
-- copies, and argument errors.
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

-- Arithmetic: elementwise with a tensor of the same shape or a number, in
-- both orders; each gives a new tensor and leaves its operands alone.
local function vals(x)
	local rows = x:totable()
	if type(rows[1]) ~= "table" then
		return table.concat(rows, " ")
	end
	for i, row in ipairs(rows) do
		rows[i] = table.concat(row, " ")
	end
	return table.concat(rows, " | ")
end
local a = snn.tensor({ { 1, 5, 3 }, { 4, 2, 6 } })
local b = snn.tensor({ { 2, 2, 2 }, { 1, 4, 3 } })
tap.is(vals(a + b), "3.0 7.0 5.0 | 5.0 6.0 9.0", "t + u")
tap.is(vals(a - b), "-1.0 3.0 1.0 | 3.0 -2.0 3.0", "t - u")
tap.is(vals(a * b), "2.0 10.0 6.0 | 4.0 8.0 18.0", "t * u is elementwise")
tap.is(vals(a / b), "0.5 2.5 1.5 | 4.0 0.5 2.0", "t / u")
tap.is(vals(a + 1), "2.0 6.0 4.0 | 5.0 3.0 7.0", "t + x")
tap.is(vals(10 - a), "9.0 5.0 7.0 | 6.0 8.0 4.0", "x - t")
tap.is(vals(a - 10), "-9.0 -5.0 -7.0 | -6.0 -8.0 -4.0", "t - x")
tap.is(vals(3 * a), "3.0 15.0 9.0 | 12.0 6.0 18.0", "x * t")
tap.is(vals(a / 2), "0.5 2.5 1.5 | 2.0 1.0 3.0", "t / x")
tap.is(vals(12 / b), "6.0 6.0 6.0 | 12.0 3.0 4.0", "x / t")
tap.is(vals(b ^ 2), "4.0 4.0 4.0 | 1.0 16.0 9.0", "t ^ x")
tap.is(vals(-a), "-1.0 -5.0 -3.0 | -4.0 -2.0 -6.0", "unary minus")
tap.is(vals((a - a:mean()) / 2), "-1.25 0.75 -0.25 | 0.25 -0.75 1.25",
    "an expression of several operators")
tap.is(vals(a), "1.0 5.0 3.0 | 4.0 2.0 6.0", "operands are left unchanged")
local sum = a + b
sum[1] = 0
tap.is(a:sum(), 21, "the result is a new tensor, not a view")
tap.is((a[2] * 2):get(3), 12, "a row view takes part in arithmetic")

-- Broadcasting, as NumPy's: shapes align at their last dimension, a
-- missing leading dimension counts as 1, and a dimension of 1 repeats to
-- the other operand's size. Each expected tensor is built here by a loop
-- over the result's indices from the operands' own elements.
local function expect(x, shape, f, name)
	local n, flat = 1, {}
	for _, size in ipairs(shape) do
		n = n * size
	end
	for p = 0, n - 1 do
		local at, q = {}, p
		for d = #shape, 1, -1 do
			at[d] = q % shape[d] + 1
			q = q // shape[d]
		end
		flat[p + 1] = f(table.unpack(at))
	end
	tap.is(table.concat(x:shape(), ","), table.concat(shape, ","),
	    name .. ": shape")
	tap.close(x, snn.tensor(flat, shape), 0, 0, name)
end
local col = snn.tensor({ { 1 }, { 2 }, { 3 } })
local row4 = snn.tensor({ 10, 20, 30, 40 })
tap.is(vals(col + row4), "11.0 21.0 31.0 41.0 | 12.0 22.0 32.0 42.0 | " ..
    "13.0 23.0 33.0 43.0", "[3, 1] + [4]: the outer sum")
expect(row4 - col, { 3, 4 }, function(i, j)
	return row4[j] - col:get(i, 1)
end, "[4] - [3, 1]")
local bias = snn.tensor({ 2, 4, 1 })
local ops = {
	{ "+", function(x, y) return x + y end },
	{ "-", function(x, y) return x - y end },
	{ "*", function(x, y) return x * y end },
	{ "/", function(x, y) return x / y end },
	{ "^", function(x, y) return x ^ y end },
}
for _, o in ipairs(ops) do
	local op = o[2]
	expect(op(a, bias), { 2, 3 }, function(i, j)
		return op(a:get(i, j), bias[j])
	end, "[2, 3] " .. o[1] .. " [3]")
	expect(op(bias, a), { 2, 3 }, function(i, j)
		return op(bias[j], a:get(i, j))
	end, "[3] " .. o[1] .. " [2, 3]")
	expect(op(col, row4), { 3, 4 }, function(i, j)
		return op(col:get(i, 1), row4[j])
	end, "[3, 1] " .. o[1] .. " [4]")
end
local mask = snn.tensor({ { 0 }, { 1 } })
expect(a * mask, { 2, 3 }, function(i, j)
	return a:get(i, j) * mask:get(i, 1)
end, "[2, 3] * [2, 1]: a mask per row")
tap.is(vals(mask * a), "0.0 0.0 0.0 | 4.0 2.0 6.0", "[2, 1] * [2, 3]")
tap.is(vals(a - snn.tensor({ 1 })), "0.0 4.0 2.0 | 3.0 1.0 5.0",
    "[2, 3] - [1]: a one-element tensor acts as a number")
tap.is(vals(snn.tensor({ 12 }) / b), "6.0 6.0 6.0 | 12.0 3.0 4.0",
    "[1] / [2, 3]")
tap.is(vals(snn.tensor({ 2 }) ^ snn.tensor({ 3 })), "8.0", "[1] ^ [1]")
tap.is(tostring(snn.tensor({ { 5 } }) * snn.tensor({ 3 })),
    "tensor[1, 1] {15}", "[1, 1] * [1] keeps both dimensions")
tap.is(tostring(snn.tensor({ { 5 } }) + 1), "tensor[1, 1] {6}",
    "[1, 1] + a number")
tap.is(tostring(snn.tensor({ { 1 } }) + bias), "tensor[1, 3] {3, 5, 2}",
    "[1, 1] + [3] is [1, 3]")
local p3 = snn.tensor({ 1, 2, 3, 4, 5, 6 }, { 2, 1, 3 })
local q2 = snn.tensor({ 1, 2, 3, 4 }, { 4, 1 })
expect(p3 * q2, { 2, 4, 3 }, function(i, j, k)
	return p3:get(i, 1, k) * q2:get(j, 1)
end, "[2, 1, 3] * [4, 1]: a leading dimension added")
expect(q2 - p3, { 2, 4, 3 }, function(i, j, k)
	return q2:get(j, 1) - p3:get(i, 1, k)
end, "[4, 1] - [2, 1, 3]")
local c234 = snn.tensor({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24 }, { 2, 3, 4 })
local last = snn.tensor({ 100, 200, 300, 400 })
expect(c234 + last, { 2, 3, 4 }, function(i, j, k)
	return c234:get(i, j, k) + last[k]
end, "[2, 3, 4] + [4]")
local mid = snn.tensor({ { 1 }, { 2 }, { 4 } })
expect(c234 / mid, { 2, 3, 4 }, function(i, j, k)
	return c234:get(i, j, k) / mid:get(j, 1)
end, "[2, 3, 4] / [3, 1]")
local first = snn.tensor({ -1, 1 }, { 2, 1, 1 })
expect(c234 * first, { 2, 3, 4 }, function(i, j, k)
	return c234:get(i, j, k) * first:get(i, 1, 1)
end, "[2, 3, 4] * [2, 1, 1]")
local e6 = snn.tensor({ 1, 2, 3, 4, 5, 6, 7, 8 }, { 2, 1, 2, 1, 2, 1 })
local o6 = snn.tensor({ 10, 20, 30, 40, 50, 60, 70, 80 },
    { 1, 2, 1, 2, 1, 2 })
expect(e6 + o6, { 2, 2, 2, 2, 2, 2 }, function(i, j, k, l, m, n)
	return e6:get(i, 1, k, 1, m, 1) + o6:get(1, j, 1, l, 1, n)
end, "[2, 1, 2, 1, 2, 1] + [1, 2, 1, 2, 1, 2]: six dimensions")
local rowview = c234[2]
expect(rowview - bias:reshape({ 3, 1 }), { 3, 4 }, function(i, j)
	return c234:get(2, i, j) - bias[i]
end, "a row view minus a reshape view")
expect(a[1] * c234:reshape({ 2, 4, 3 }), { 2, 4, 3 }, function(i, j, k)
	return a:get(1, k) * c234:reshape({ 24 })[((i - 1) * 4 + j - 1) * 3 + k]
end, "a row view times a reshape view")
tap.is(vals(a), "1.0 5.0 3.0 | 4.0 2.0 6.0",
    "broadcasting leaves its operands unchanged")
local sum2 = a + bias
sum2[1] = 0
tap.is(vals(bias), "2.0 4.0 1.0", "a broadcast result is a new tensor")

-- Reductions along a dimension (1-based, -1 the last, as PyTorch's dim)
-- drop that dimension; argmax and argmin give 1-based indices, the first
-- one on ties.
tap.is(vals(a:sum(1)), "5.0 7.0 9.0", "sum(1) adds the rows")
tap.is(vals(a:sum(2)), "9.0 12.0", "sum(2) adds along each row")
tap.is(vals(a:mean(-1)), "3.0 4.0", "mean(-1) is along the last dimension")
local mx, at = a:max(2)
tap.is(vals(mx) .. " @ " .. vals(at), "5.0 6.0 @ 2.0 3.0",
    "max(dim) gives the values and their indices")
local mn, where = a:min(1)
tap.is(vals(mn) .. " @ " .. vals(where), "1.0 2.0 3.0 @ 1.0 2.0 1.0",
    "min(dim) gives the values and their indices")
tap.is(a:min(), 1, "min of all elements")
tap.is(a:argmax(), 6, "argmax() is a flat 1-based index")
tap.is(a:argmin(), 1, "argmin() is a flat 1-based index")
tap.is(vals(a:argmax(2)), "2.0 3.0", "argmax(2): the predicted class per row")
tap.is(vals(a:argmin(2)), "1.0 2.0", "argmin(2)")
tap.is(snn.tensor({ 3, 7, 7, 1 }):argmax(), 2, "argmax takes the first tie")
local m1, i1 = snn.tensor({ 3, 9, 2 }):max(1)
tap.is(tostring(m1) .. " " .. tostring(i1), "9.0 2",
    "a 1-D tensor reduces to a number and an index")
local cube = snn.tensor({ 1, 2, 3, 4, 5, 6, 7, 8 }, { 2, 2, 2 })
tap.is(vals(cube:sum(2)), "4.0 6.0 | 12.0 14.0", "sum(2) of [2, 2, 2]")
tap.is(vals(cube:mean(1)), "3.0 4.0 | 5.0 6.0", "mean(1) of [2, 2, 2]")
tap.is(vals(cube:argmax(3)), "2.0 2.0 | 2.0 2.0", "argmax(3) of [2, 2, 2]")
tap.ok(snn.tensor({ 1, 0 / 0, 3 }):argmax() == 2, "argmax points at a NaN")

-- Slices: indices from..to (inclusive, negative from the end) along one
-- dimension, as a new tensor.
tap.is(vals(a:slice(2, 2, 3)), "5.0 3.0 | 2.0 6.0", "slice(2, 2, 3): columns")
tap.is(vals(a:slice(1, 2)), "4.0 2.0 6.0", "slice(1, 2): rows 2 to the end")
tap.is(vals(a:slice(2, -1)), "3.0 | 6.0", "slice(2, -1): the last column")
tap.is(table.concat(cube:slice(3, 1, 1):shape(), ","), "2,2,1",
    "a slice keeps its dimensions")
tap.is(vals(cube:slice(3, 2):reshape({ 4 })), "2.0 4.0 6.0 8.0",
    "slice along the last dimension of [2, 2, 2]")
local s = a:slice(1, 1, 1)
s:fill(0)
tap.is(a:sum(), 21, "a slice is a copy")

-- The session completes a tensor's methods from __methods.
local methods = debug.getregistry()["snn.tensor"].__methods
local have = {}
for _, m in ipairs{ "min", "argmax", "argmin", "slice", "reshape" } do
	have[#have + 1] = type(methods[m]) == "function" and m or nil
end
tap.is(table.concat(have, " "), "min argmax argmin slice reshape",
    "the new methods are in __methods, which completion lists")

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

tap.raises(function() return a + snn.tensor({ 1, 2, 3, 4 }) end,
    "tensor +: shapes [2, 3] and [4] do not broadcast (dimension 2: 3 vs 4)",
    "shapes that do not broadcast name both and where they clash")
tap.raises(function() return a - snn.zeros({ 3, 3 }) end,
    "tensor -: shapes [2, 3] and [3, 3] do not broadcast (dimension 1: 2 vs 3)",
    "a clash in the first dimension")
tap.raises(function() return a * snn.zeros({ 3, 2 }) end,
    "tensor *: shapes [2, 3] and [3, 2] do not broadcast (dimension 1: 2 vs 3)",
    "the first of several clashes is named")
tap.raises(function() return snn.zeros({ 3, 1, 3 }) / p3 end,
    "tensor /: shapes [3, 1, 3] and [2, 1, 3] do not broadcast (dimension 1: "
    .. "3 vs 2)", "a clash in a leading dimension of two 3-D shapes")
tap.raises(function() return p3 ^ snn.zeros({ 2, 4 }) end,
    "tensor ^: shapes [2, 1, 3] and [2, 4] do not broadcast (dimension 3: 3 "
    .. "vs 4)", "dimensions count in the result, aligned at the last")
tap.raises(function() return c234[1] + snn.zeros({ 2 }) end,
    "tensor +: shapes [3, 4] and [2] do not broadcast (dimension 2: 4 vs 2)",
    "a view's shape in the error")
tap.raises(function() return a * "2" end,
    "tensor *: the right operand must be a tensor or a number (got string)",
    "arithmetic with a string")
tap.raises(function() return {} - a end,
    "tensor -: the left operand must be a tensor or a number (got table)",
    "arithmetic with a table")
tap.raises(function() return a:sum(3) end,
    "tensor:sum: argument 'dim' must be an integer in 1..2 or -2..-1 (got 3)",
    "dimension out of range")
tap.raises(function() return a:argmax(0) end,
    "tensor:argmax: argument 'dim' must be an integer in 1..2", "dim 0")
tap.raises(function() return a:slice(2, 4) end,
    "tensor:slice: argument 'from' must be an integer in 1..3 or -3..-1 "
    .. "(got 4)", "slice past the end")
tap.raises(function() return a:slice(2, 3, 2) end,
    "tensor:slice: argument 'to' must not come before from (3..2 is empty)",
    "an empty slice")
tap.raises(function() return a:slice() end,
    "tensor:slice: argument 'dim' must be an integer in 1..2 (got nil)",
    "slice without a dimension")

tap.done()
