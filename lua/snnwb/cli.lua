-- cli.lua: the command line of the example scripts (lua/examples):
-- "--key value" pairs and "--flag" switches, with presets.
local cli = {}

-- Reads argv ("--key value", or "--flag" for the keys in flags) over the
-- defaults; dashes in keys become underscores, numbers become numbers.
function cli.options(argv, defaults, flags)
	local o = {}
	for k, v in pairs(defaults or {}) do
		o[k] = v
	end
	local i = 1
	while i <= #argv do
		local key = argv[i]:match("^%-%-(.+)$")
		if not key then
			error("unexpected argument '" .. argv[i] .. "'", 0)
		end
		key = key:gsub("%-", "_")
		if flags and flags[key] then
			o[key] = true
		else
			i = i + 1
			if argv[i] == nil then
				error("option --" .. key .. " needs a value", 0)
			end
			o[key] = tonumber(argv[i]) or argv[i]
		end
		i = i + 1
	end
	return o
end

-- Fills the keys of o that the command line left unset from preset;
-- returns o.
function cli.preset(o, preset)
	for k, v in pairs(preset) do
		if o[k] == nil then
			o[k] = v
		end
	end
	return o
end

return cli
