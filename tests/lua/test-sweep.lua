-- test-sweep.lua: sweeps (snn.sweep and snnwb.json) without training: the
-- JSON writer against its reader, the order and names of a grid's runs,
-- resuming, the job lists, the summary's statistics on known numbers that
-- fake runs write, collect, figures, and two runs in parallel children.
local tap = require("tap")
local json = require("snnwb.json")

-- Returns whether the plain values a and b are equal, tables deeply.
local function same(a, b)
	if type(a) ~= "table" or type(b) ~= "table" then
		return a == b
	end
	for k, v in pairs(a) do
		if not same(v, b[k]) then
			return false
		end
	end
	for k in pairs(b) do
		if a[k] == nil then
			return false
		end
	end
	return true
end

-- The whole contents of a file, or nil.
local slurp = require("snnwb.files").read

-- JSON: text of known values, escaping, and the reader round trip.
tap.is(json.encode{ b = { 1, 2.5, "x" }, a = true, c = {} },
    '{"a":true,"b":[1,2.5,"x"],"c":{}}', "json: sorted keys, arrays")
tap.is(json.encode('q"b\\n\n\t\1\127é'), '"q\\"b\\\\n\\n\\t\\u0001' ..
    '\\u007fé"', "json: quotes, backslashes and control characters escaped")
tap.is(json.encode{ 0.1, 1 / 3, 1e300, -0.0, 2^53, 0 / 0, math.huge },
    "[0.1,0.3333333333333333,1e+300,-0,9007199254740992,null,null]",
    "json: shortest numbers that read back; NaN and inf are null")
local value = { name = "alpha=2,seed=1", list = { 1, -2.5e-7, "a\"\\/\n" },
	nested = { t = true, f = false, deep = { { x = 1 } } }, n = 3,
	text = "tab\there, unicode \u{1F600} \u{e9}, \1\31" }
tap.ok(same(json.decode(json.encode(value)), value),
    "json: decode(encode(v)) gives v back")
for _, v in ipairs{ 0.1, 1 / 3, 123456789.123, 5e-324, -1.5e300 } do
	tap.is(json.decode(json.encode(v)), v, "json: " .. tostring(v) ..
	    " reads back exactly")
end
tap.is(json.decode('"\\u00e9\\ud83d\\ude00\\/"'), "\u{e9}\u{1F600}/",
    "json: \\u escapes and surrogate pairs become UTF-8")
tap.ok(same(json.decode(' { "a" : [ 1 , null , 3 ] } '), { a = { 1, nil,
    3 } }), "json: white space, null leaves a hole")
for _, bad in ipairs{ "[1,2", '{"a" 1}', "01", "1.", '"\\x"', "[1,]",
    '"a\nb"', "tru", "1 2", '"\\ud800"' } do
	local v, err = json.decode(bad)
	tap.ok(v == nil and err:match("^json.decode: .* at byte %d+$"),
	    "json: '" .. bad:gsub("\n", "\\n") .. "' refused with a message")
end
tap.raises(function() json.encode{ f = print } end,
    "json.encode: the value.f is a function",
    "json: a function cannot be written")
local loop = {}
loop.self = loop
tap.raises(function() json.encode(loop) end, "contains itself",
    "json: a cycle is refused")
tap.raises(function() json.encode{ 1, x = 2 } end, "key of type number",
    "json: mixed keys are refused")

-- The runs of a grid: keys sorted, the first outermost, seeds outermost.
local runs, keys = snn.sweep.expand({ surrogate = { "atan", "sigmoid" },
	alpha = { 0.5, 2 } }, { 1, 2 })
local names = {}
for i, r in ipairs(runs) do
	names[i] = r.name
end
tap.is(table.concat(keys, " "), "alpha surrogate", "expand: keys sorted")
tap.is(table.concat(names, " "), table.concat({
	"alpha=0.5,surrogate=atan,seed=1", "alpha=0.5,surrogate=sigmoid,seed=1",
	"alpha=2,surrogate=atan,seed=1", "alpha=2,surrogate=sigmoid,seed=1",
	"alpha=0.5,surrogate=atan,seed=2", "alpha=0.5,surrogate=sigmoid,seed=2",
	"alpha=2,surrogate=atan,seed=2", "alpha=2,surrogate=sigmoid,seed=2",
}, " "), "expand: order and names")
tap.ok(runs[3].config == "alpha=2,surrogate=atan" and
    runs[3].values.alpha == 2 and runs[3].values.surrogate == "atan" and
    runs[3].seed == 1, "expand: a run's config, values and seed")
runs = snn.sweep.expand({ { s = { "power" }, alpha = { 0.25, 0.75 } },
	{ s = { "atan" }, alpha = { 4 } } }, { 3 })
tap.is(#runs .. " " .. runs[3].name, "3 alpha=4,s=atan,seed=3",
    "expand: a list of grids is their union, in order")
tap.raises(function() snn.sweep.expand({ seed = { 1 } }, { 1 }) end,
    "snn.sweep.expand: argument 'grid' has the key 'seed', which " ..
    "snn.sweep sets itself", "expand: reserved key")
tap.raises(function() snn.sweep.expand({ s = { "a/b" } }, { 1 }) end,
    "argument 'grid' has the value a/b for 's'", "expand: a value that " ..
    "no folder name can hold")
tap.raises(function() snn.sweep.expand({ a = { 1, 1.0 } }, { 1 }) end,
    "makes the run a=1,seed=1 twice", "expand: repeated runs")
tap.raises(function() snn.sweep.expand({ a = {} }, { 1 }) end,
    "'a' must be a non-empty list", "expand: empty values")
tap.raises(function() snn.sweep.expand({ a = { 1 } }, { -1 }) end,
    "argument 'seeds' must hold non-negative integers (got -1)",
    "expand: bad seed")
tap.raises(function() snn.sweep.expand({ { a = { 1 } }, { b = { 1 } } },
    { 1 }) end, "lists grids with different keys",
    "expand: grids of a list share keys")

-- A fake run writes a metrics.csv of known numbers for alpha a and seed s:
-- test accuracy 0.5, 0.8 + 0.02 s, 0.7 over three epochs, the clock
-- restarting (a resume) before the third, so epochs last 10, 15 and 6 s;
-- spike rate 0.1 a and gradient sparsity 0.1 s; result v = a s.
local dir = os.tmpname()
os.remove(dir)
local calls, seen = 0, {}
local function fake(cfg)
	calls = calls + 1
	seen[#seen + 1] = cfg
	local a, s = cfg.alpha, cfg.seed
	local f = assert(io.open(cfg.run_dir .. "/metrics.csv", "w"))
	f:write("kind,epoch,batch,loss,acc,test_loss,test_acc,samples_per_s," ..
	    "lr,seconds,2.spike_rate,2.sg_zero,2.sg_small,2.zero_rows\n")
	local row = "%s,%d,1,0.1,0.5,0.1,%s,100,0.001,%g,%g,%g,0,0\n"
	f:write(row:format("batch", 1, "", 4, 0.1 * a, 0.1 * s))
	f:write(row:format("epoch", 1, "0.5", 10, 0.1 * a, 0.1 * s))
	f:write(row:format("epoch", 2, 0.8 + 0.02 * s, 25, 0.1 * a, 0.1 * s))
	f:write(row:format("batch", 3, "", 2, 0.1 * a, 0.1 * s))
	f:write(row:format("epoch", 3, "0.7", 6, 0.1 * a, 0.1 * s))
	f:close()
	return { v = a * s, seed_seen = snn.seed(), label = "not a number" }
end
local options = { name = "fake", dir = dir, grid = { alpha = { 1, 2 } },
	seeds = { 1, 2, 3 }, fixed = { epochs = 3 }, reach = 0.85, run = fake }
local s = snn.sweep(options)
tap.is(calls, 6, "sweep: every run ran once")
tap.ok(seen[1].alpha == 1 and seen[1].seed == 1 and seen[1].epochs == 3 and
    seen[1].name == "alpha=1,seed=1" and seen[1].resume == false and
    seen[1].run_dir == dir .. "/alpha=1,seed=1",
    "sweep: cfg holds grid values, fixed settings, seed, name, run_dir")
tap.is(s.runs[6].result.seed_seen, 3, "sweep: snn.seed(cfg.seed) before " ..
    "each run")
tap.ok(slurp(dir .. "/alpha=2,seed=3/result.json"):match('"v":6'),
    "sweep: result.json holds the result")
tap.is(#s.rows, 2, "summary: a row per configuration")
local r1, r2 = s.rows[1], s.rows[2]
tap.ok(r1.values.alpha == 1 and r1.n == 3, "summary: row of alpha 1, n 3")
tap.near(r1.best_acc.mean, 0.84, 1e-12, "summary: mean best accuracy")
tap.near(r1.best_acc.sd, 0.02, 1e-12, "summary: its standard deviation")
tap.near(r1.final_acc.mean, 0.7, 1e-12, "summary: final accuracy")
tap.near(r1.final_acc.sd, 0, 1e-12, "summary: final accuracy sd")
tap.ok(r1.reach_epoch.mean == 2 and r1.reach_epoch.n == 1 and
    r1.reach_epoch.sd == nil, "summary: one seed reached 85% at epoch 2")
tap.near(r1.epoch_seconds.mean, 31 / 3, 1e-12,
    "summary: time per epoch across a restart of the clock")
tap.near(r2.spike_rate[1].mean, 0.2, 1e-12, "summary: spike rate layer 0")
tap.near(r2.sg_zero[1].mean, 0.2, 1e-12, "summary: sparsity, mean")
tap.near(r2.sg_zero[1].sd, 0.1, 1e-12, "summary: sparsity, sd")
tap.near(r2.results.v.mean, 4, 1e-12, "summary: a result field, mean")
tap.near(r2.results.v.sd, 2, 1e-12, "summary: a result field, sd")
tap.is(r2.results.label, nil, "summary: text results are left out")
tap.near(r1.test_acc[2].mean, 0.84, 1e-12, "summary: accuracy per epoch")

local csv = slurp(dir .. "/summary.csv")
tap.ok(csv:match("^alpha,n,best_acc_mean,best_acc_sd,final_acc_mean,") and
    csv:match("\n1,3,0%.84,0%.02,0%.7,[^,]*,2,,1,10%.3333,"),
    "summary.csv: header and the row of alpha 1")
local md = snn.sweep.markdown(s)
tap.ok(md:match("| 2 | 3 | 84%.00 ± 2%.00 | 70%.00 ± 0%.00 | 2%.0 %(1/3%) |"),
    "summary.md: mean ± sd in %, epochs to reach")
tap.is(slurp(dir .. "/summary.md"), md, "summary.md written")

-- Resuming: finished runs are skipped; an unfinished one resumes.
snn.sweep(options)
tap.is(calls, 6, "resume: finished runs are not run again")
os.remove(dir .. "/alpha=2,seed=2/result.json")
assert(io.open(dir .. "/alpha=2,seed=2/checkpoint.safetensors", "w")):close()
snn.sweep(options)
tap.ok(calls == 7 and seen[7].name == "alpha=2,seed=2" and seen[7].resume,
    "resume: only the unfinished run runs, with resume = true")
options.fixed = { epochs = 4 }
tap.raises(function() snn.sweep(options) end, "holds a sweep with other " ..
    "fixed settings", "resume: other fixed settings are refused")
options.fixed = { epochs = 3 }

-- A failing run is reported, leaves no result, and the others go on.
options.seeds = { 1, 2, 3, 4 }
options.run = function(cfg)
	if cfg.alpha == 2 then
		error("diverged")
	end
	return fake(cfg)
end
s = snn.sweep(options)
tap.ok(#s.missing == 1 and s.missing[1] == "alpha=2,seed=4" and
    s.rows[1].n == 4, "failure: the run is missing, the others finished")
tap.ok(snn.sweep.markdown(s):match("Not finished %(1 of 8 runs%): " ..
    "alpha=2,seed=4"), "failure: summary.md lists it")

-- Job lists: a line per run that runs this script again for the run.
local lines = {}
for line in slurp(dir .. "/jobs.txt"):gmatch("[^\n]+") do
	lines[#lines + 1] = line
end
tap.is(#lines, 8, "jobs.txt: a line per run")
local want = ("SNNWB_SWEEP_RUN='%s/alpha=1,seed=2'"):format(dir)
tap.ok(lines[3]:find(want, 1, true) and lines[3]:find('--threads ' ..
    '"${SNNWB_THREADS:-1}" -e', 1, true) and lines[3]:find("test-sweep.lua'",
    1, true) and lines[3]:match("^cd '/"), "jobs.txt: folder, run, " ..
    "threads and script")
local slurm = slurp(dir .. "/slurm.sh")
tap.ok(slurm:match("#SBATCH %-%-array=1%-8\n") and
    slurm:find('sed -n "${SLURM_ARRAY_TASK_ID}p" \'' .. dir ..
    "/jobs.txt'", 1, true), "slurm.sh: an array over the lines of jobs.txt")

-- collect merges what is on disk, as the sweep saw it.
local again = snn.sweep.collect(dir)
tap.ok(same(again.rows[1].best_acc, s.rows[1].best_acc) and
    #again.runs == 7, "collect: the same summary from the files")
local none, err = snn.sweep.collect(dir .. "/nowhere")
tap.ok(none == nil and err:match("no sweep in"), "collect: no sweep there")

-- Figures: against alpha, and bars for a sweep without numbers.
local files = snn.sweep.figures(s)
tap.is(#files, 4, "figures: accuracy per epoch, best accuracy, " ..
    "sparsity, accuracy and sparsity")
local svg = slurp(dir .. "/accuracy-sparsity-all.svg")
tap.ok(svg and svg:match("<svg") and svg:match("gradient sparsity, layer 2"),
    "figures: accuracy and sparsity against alpha drawn")
local bars = snn.sweep{ name = "bars", dir = dir .. "/bars", seeds = { 1 },
	grid = { s = { "x", "y" } }, run = function(cfg)
		cfg.alpha = 1
		return fake(cfg)
	end }
local drawn = snn.sweep.figures(bars)
tap.ok(drawn and #drawn == 2 and slurp(drawn[2]):match("<svg"),
    "figures: bars without a numeric key")

-- Parallel: a script whose two runs report their process and threads.
local script = dir .. "/parallel.lua"
local f = assert(io.open(script, "w"))
f:write(([[
local s = snn.sweep{ name = "par", dir = %q, grid = { k = { 1, 2 } },
	seeds = { 1 }, jobs = 2, cores = 4, run = function(cfg)
		local stat = io.open("/proc/self/stat"):read("a")
		return { pid = tonumber(stat:match("^%%d+")),
			threads = snn.threads() }
	end }
print("parent " .. io.open("/proc/self/stat"):read("a"):match("^%%d+"))
for _, run in ipairs(s.runs) do
	print("child " .. run.result.pid .. " " .. run.result.threads)
end
]]):format(dir .. "/par"))
f:close()
local first = 0
while arg[first - 1] do
	first = first - 1
end
local quote = require("snnwb.files").quote
local p = io.popen(("%s -q --seed 9 -l snnwb.files -e %s 2>&1"):format(
    quote(arg[first]), quote(script)))
local out = p:read("a")
p:close()
local parent = out:match("parent (%d+)")
local pids, threads = {}, {}
for pid, t in out:gmatch("child (%d+) (%d+)") do
	pids[#pids + 1], threads[#threads + 1] = pid, t
end
tap.ok(#pids == 2 and pids[1] ~= pids[2] and pids[1] ~= parent and
    pids[2] ~= parent, "parallel: two runs in two child processes")
tap.is(table.concat(threads, " "), "2 2", "parallel: each child gets " ..
    "cores / jobs threads")
tap.ok(slurp(dir .. "/par/k=1,seed=1/log.txt") ~= nil,
    "parallel: a child's output goes to its log.txt")
tap.ok(slurp(dir .. "/par/jobs.txt"):find(" '-q' '--seed=9' " ..
    "'-lsnnwb.files' --threads ", 1, true), "parallel: children get " ..
    "snnwb's -q, --seed and -l")
if #pids ~= 2 then
	tap.diag(out)
end

os.execute("rm -rf '" .. dir .. "'")
tap.done()
