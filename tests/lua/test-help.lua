-- test-help.lua: help() prints the entries of snnwb-lua(7) that the build
-- made from the manual: by value, by name, by last part, the overview,
-- methods found through their class, and a clear miss; and the method
-- tables of the classes.
local tap = require("tap")

-- Returns what help(...) prints, the print calls joined by newlines.
local function helped(...)
	local out, real = {}, print
	print = function(...)
		out[#out + 1] = table.concat({...}, "\t")
	end
	local ok, err = pcall(help, ...)
	print = real
	assert(ok, err)
	return table.concat(out, "\n")
end

local train = helped(snn.train)
tap.ok(train:find("^snn%.train%(options%)  %[TRAINING, snnwb%-lua%(7%)%]\n")
    ~= nil, "help(snn.train) starts with the synopsis and section")
tap.ok(train:find("Trains a network on a worker thread.", 1, true) ~= nil,
    "help(snn.train) gives the description")
tap.ok(train:find("\n  on_epoch\n      A function called", 1, true) ~= nil,
    "the options list is indented, each option's text below it")
tap.ok(not train:find("%.[A-Z][a-z] ") and not train:find("\\", 1, true),
    "no mdoc macros or roff escapes are left")
tap.is(helped("snn.train"), train, "help(\"snn.train\") is the same")
local tail = helped("train")
tap.ok(tail:find(train, 1, true) ~= nil,
    "help(\"train\") finds it by its last part")
tap.ok(tail:find("\n\nstudy.train(cfg", 1, true) ~= nil and
    tail:find("net:train()", 1, true) ~= nil,
    "and every other entry of that last part")

local shape = helped("t:shape")
tap.is(shape, "t:shape()  [TENSORS, snnwb-lua(7)]\n\n" ..
    "Returns the dimensions as a new table.", "a method by name")
tap.is(helped(snn.zeros{2, 3}.shape), shape,
    "a method by value, through the tensor class")
tap.ok(helped(snn.surrogate.atan().grad):find("^s:grad%(x%)") ~= nil,
    "a surrogate's method by value")

local adam = helped(snn.optim.adam)
tap.ok(adam:find("^snn%.optim%.sgd%(%[options%]%)\n" ..
    "snn%.optim%.adam%(%[options%]%)\nsnn%.optim%.adamw") ~= nil,
    "items that share a description show every synopsis")
tap.ok(helped(require("snnwb.models").epoch_line):find(
    "^models%.epoch_line%(s%)") ~= nil, "a shipped module's function")

tap.ok(helped(snn.surrogate.atan):find("^snn%.surrogate%.NAME%(") ~= nil,
    "a surrogate by value finds the manual's snn.surrogate.NAME")
tap.is(helped("snn.surrogate.atan"), helped(snn.surrogate.atan),
    "a path that is no entry's name is looked up as a value")
tap.ok(helped(snn.surrogate.names):find("^snn%.surrogate%.names%(%)  ") and
    not helped(snn.surrogate.names):find("NAME", 1, true),
    "a function with an entry of its own does not get the placeholder's")

-- Every function of the snn module has an entry, so help and the manual
-- cover the same.
local missing = {}
local function walk(t, path, seen)
	for k, v in pairs(t) do
		local p = type(k) == "string" and path .. "." .. k
		if p and type(v) == "function" and
		    helped(v):find("^no help") then
			missing[#missing + 1] = p
		elseif p and type(v) == "table" and not seen[v] then
			seen[v] = true
			walk(v, p, seen)
		end
	end
end
walk(snn, "snn", {})
table.sort(missing)
tap.is(table.concat(missing, " "), "",
    "every function of snn has an entry in snnwb-lua(7)")

local all = helped()
tap.ok(all:find("help(snn.train)", 1, true) ~= nil,
    "help() says how to ask")
tap.ok(all:find("\nTRAINING\n  snn.train snn.evaluate snn.jobs", 1, true)
    ~= nil, "help() lists the names by section")
tap.is(helped("no_such_thing"),
    "no help for no_such_thing (help() lists the names)", "an unknown name")
tap.is(helped(nil), "no help for nil (help() lists the names)",
    "nil (a misspelt field) is not the overview")
tap.is(helped({}), "no help for table (help() lists the names)",
    "a value the manual does not name")

-- Every class of snnwb values keeps its methods as __methods, which help()
-- and the session's completion read.
local registry = debug.getregistry()
for _, class in ipairs{"snn.tensor", "snn.surrogate", "snn.net",
    "snn.dataset", "snn.job"} do
	local methods = registry[class] and registry[class].__methods
	local n = 0
	for _, f in pairs(type(methods) == "table" and methods or {}) do
		n = n + (type(f) == "function" and 1 or 0)
	end
	tap.ok(n > 0, class .. " has a method table (" .. n .. " methods)")
end
tap.done()
