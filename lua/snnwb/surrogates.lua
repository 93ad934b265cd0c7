-- surrogates.lua: the two surrogates of snnwb's design written in Lua with
-- snn.surrogate.define, as an example to copy for new ones (snnwb-lua(7),
-- SURROGATES). They are the functions of the built-in snn.surrogate.sine
-- and snn.surrogate.power; the tests check one against the other.
--
--	local lua_surrogates = require("snnwb.surrogates")
--	local lif = snn.lif{ surrogate = lua_surrogates.sine }
--	local wider = snn.surrogate.defined.sine{ alpha = 2 }
--
-- x is the membrane potential minus the threshold and p the table of
-- parameters. A definition gives the primitive (the smooth function whose
-- step the neuron fires with) and, here, its derivative; without grad,
-- snnwb derives it from the primitive numerically. The support is where
-- the derivative may be nonzero: outside it the tabulated derivative is
-- exactly 0, so the gradient sparsity these surrogates bring is counted
-- exactly.
local snn = require("snn")

local surrogates = {}

-- S(x) = 0.5 sin(pi x / (2a)) + 0.5 on [-a, a], 0 below and 1 above; its
-- derivative pi / (4a) cos(pi x / (2a)) is 0 at both ends of the support,
-- which depends on the parameter, so support is a function of p.
surrogates.sine = snn.surrogate.define{
	name = "sine",
	params = { alpha = 1 },
	support = function(p)
		return -p.alpha, p.alpha
	end,
	primitive = function(x, p)
		local a = p.alpha
		if x > a then
			return 1
		elseif x < -a then
			return 0
		end
		return 0.5 * math.sin(math.pi * x / (2 * a)) + 0.5
	end,
	grad = function(x, p)
		local a = p.alpha
		if math.abs(x) >= a then
			return 0
		end
		return math.pi / (4 * a) * math.cos(math.pi * x / (2 * a))
	end,
}

-- The derivative of P has a pole at 0. As the built-in power surrogate
-- does (SURROGATE_POWER_XMIN in src/snnwb.h), it is evaluated at |x| no
-- smaller than this, which caps it near 7.9 for a = 0.5.
local POWER_XMIN = 1e-3

-- P(x) = 0.5 sgn(x) |x|^a + 0.5 on [-1, 1], 0 below and 1 above, for
-- 0 < a < 1; its derivative 0.5 a |x|^(a - 1), capped near 0, is 0.25 at
-- the ends of the fixed support [-1, 1].
surrogates.power = snn.surrogate.define{
	name = "power",
	params = { alpha = 0.5 },
	support = { -1, 1 },
	primitive = function(x, p)
		if x > 1 then
			return 1
		elseif x < -1 then
			return 0
		end
		local y = 0.5 * math.abs(x) ^ p.alpha
		return x < 0 and 0.5 - y or 0.5 + y
	end,
	grad = function(x, p)
		local v = math.abs(x)
		if v > 1 then
			return 0
		end
		return 0.5 * p.alpha * math.max(v, POWER_XMIN) ^ (p.alpha - 1)
	end,
}

return surrogates
