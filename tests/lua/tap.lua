-- tap.lua: a small Test Anything Protocol producer for the Lua tests.
-- Each test file requires it, reports with ok/is/near/..., and ends with
-- tap.done(), which raises an error (so snnwb exits 1) if any test failed.
local tap = {}

local count, failed = 0, 0

-- Prints each line of text as a TAP diagnostic.
function tap.diag(text)
	for line in (tostring(text) .. "\n"):gmatch("(.-)\n") do
		print("# " .. line)
	end
end

-- Reports one test: passes when cond is true.
function tap.ok(cond, name)
	count = count + 1
	if not cond then
		failed = failed + 1
	end
	print(string.format("%s %d - %s", cond and "ok" or "not ok", count,
	    name))
	return cond
end

-- Passes when got == want; shows both otherwise.
function tap.is(got, want, name)
	if not tap.ok(got == want, name) then
		tap.diag(string.format("got:  %s\nwant: %s", tostring(got),
		    tostring(want)))
	end
end

-- Passes when the number got is within eps of want.
function tap.near(got, want, eps, name)
	local good = type(got) == "number" and math.abs(got - want) <= eps
	if not tap.ok(good, name) then
		tap.diag(string.format("got %s, want %.9g (eps %g)",
		    tostring(got), want, eps))
	end
end

-- Passes when the tensors got and want (or a table of numbers) agree
-- within rtol and atol, element by element; shows the worst one otherwise.
function tap.close(got, want, rtol, atol, name)
	if type(want) == "table" then
		want = snn.tensor(want)
	end
	local good, at, x, y = snn.allclose(got, want, rtol, atol)
	if not tap.ok(good, name) then
		tap.diag(string.format("worst at flat index %d: got %.9g, " ..
		    "want %.9g", at, x, y))
	end
end

-- Passes when f() raises an error whose message contains text (plainly).
function tap.raises(f, text, name)
	local good, err = pcall(f)
	err = tostring(err)
	if not tap.ok(not good and err:find(text, 1, true) ~= nil, name) then
		tap.diag(good and "no error raised" or
		    string.format("error: %s\nwant text: %s", err, text))
	end
end

-- Reports n tests as skipped, with the reason.
function tap.skip(n, why)
	for _ = 1, n do
		count = count + 1
		print(string.format("ok %d # SKIP %s", count, why))
	end
end

-- Reports the n tests that need the missing fixture path: failed when
-- $SNNWB_REQUIRE_SHARED is "yes" (CI, make distcheck), else skipped.
function tap.missing(n, path)
	if os.getenv("SNNWB_REQUIRE_SHARED") ~= "yes" then
		tap.skip(n, "fixture " .. path ..
		    " not found (set SNNWB_SHARED)")
		return
	end
	for _ = 1, n do
		tap.ok(false, "fixture " .. path ..
		    " exists (SNNWB_REQUIRE_SHARED=yes)")
	end
end

-- Prints the plan and fails the script when a test failed.
function tap.done()
	print("1.." .. count)
	if failed > 0 then
		error(string.format("%d of %d tests failed", failed, count), 0)
	end
end

return tap
