-- test-sweep.lua: sweeps (snn.sweep and snnwb.json) without training: the
-- JSON writer against its reader, the order and names of a grid's runs,
-- resuming, the job lists, the summary's statistics on known numbers that
-- fake runs write, collect, figures, two runs in parallel children, and
-- children that end with their parent.
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

-- snn.wait, through which a sweep calls its runs: in a script it passes
-- the arguments and the results through, and the errors.
tap.ok(same({ snn.wait(function(a, b) return b, a, nil end, 1, "x") },
    { "x", 1 }), "snn.wait: fn's arguments and results pass through")
tap.raises(function() snn.wait(error, "inner") end, "inner",
    "snn.wait: fn's error passes through")
tap.raises(function() snn.wait(5) end, "snn.wait: argument 'fn' must be " ..
    "a function (got number)", "snn.wait: fn must be a function")

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
-- spike rate 0.1 a, gradient sparsity 0.1 s (0.3 + 0.1 s below 1e-3),
-- the last epoch dead for seed 3; result v = a s.
local dir = os.tmpname()
os.remove(dir)
local calls, seen = 0, {}
local function fake(cfg)
	calls = calls + 1
	seen[#seen + 1] = cfg
	local a, s = cfg.alpha, cfg.seed
	local f = assert(io.open(cfg.run_dir .. "/metrics.csv", "w"))
	f:write("kind,epoch,batch,loss,acc,test_loss,test_acc,samples_per_s," ..
	    "lr,seconds,2.spike_rate,2.sg_zero,2.sg_small,2.zero_rows,dead\n")
	local row = "%s,%d,1,0.1,0.5,0.1,%s,100,0.001,%g,%g,%g,%g,0,%s\n"
	local z, sm, dead = 0.1 * s, 0.3 + 0.1 * s, s == 3 and "1" or "0"
	f:write(row:format("batch", 1, "", 4, 0.1 * a, z, sm, ""))
	f:write(row:format("epoch", 1, "0.5", 10, 0.1 * a, z, sm, "0"))
	f:write(row:format("epoch", 2, 0.8 + 0.02 * s, 25, 0.1 * a, z, sm,
	    "0"))
	f:write(row:format("batch", 3, "", 2, 0.1 * a, z, sm, ""))
	f:write(row:format("epoch", 3, "0.7", 6, 0.1 * a, z, sm, dead))
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
tap.ok(csv:match("^alpha,n,dead,best_acc_mean,best_acc_sd,final_acc_mean,")
    and csv:match("\n1,3,1,0%.84,0%.02,0%.7,[^,]*,2,,1,10%.3333,"),
    "summary.csv: header and the row of alpha 1")
tap.ok(csv:match(",sg_zero_0_mean,sg_zero_0_sd,sg_small_0_mean," ..
    "sg_small_0_sd,seed_seen_mean,") and
    csv:match(",0%.2,0%.1,0%.5,0%.1,2,1,4,2\n"),
    "summary.csv: sg_small beside sg_zero")
local md = snn.sweep.markdown(s)
tap.ok(md:match("| 2 | 3 | 1/3 | 84%.00 ± 2%.00 | 70%.00 ± 0%.00 | " ..
    "2%.0 %(1/3%) | 3 ± 0 |"),
    "summary.md: dead runs, mean ± sd in %, epochs to reach, epochs")
tap.ok(md:find("| spike rate 0 | sg = 0 0 | sg < 1e-3 0 | seed_seen | v |",
    1, true) and md:find("| 0.200 ± 0.100 | 0.500 ± 0.100 | 2 ± 1 | " ..
    "4 ± 2 |", 1, true),
    "summary.md: sg_small beside sg_zero")
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

-- What the summary reads is checked: a damaged result.json makes its run
-- unfinished (named, and run again), a metrics.csv that is empty, has no
-- header, ends in a cut line, has a short row or is a folder is named and
-- its run left out, and collect never raises for any of them.
local base = slurp(dir .. "/alpha=1,seed=1/metrics.csv")
local damage = {
	{ "result.json", '{"name":"alpha=1,seed=1","fini', "is not valid JSON" },
	{ "result.json", '[1, 2]', "is not the record of a finished run" },
	{ "metrics.csv", "", "is empty" },
	{ "metrics.csv", base:gsub("^[^\n]*\n", ""), "has no header" },
	{ "metrics.csv", base:sub(1, -9), "ends in a cut line" },
	{ "metrics.csv", base:gsub("\nepoch,2,[^\n]*", "\nepoch,2,1,0.1"),
	    "line 4 has 4 fields, the header 15" },
	{ "metrics.csv", base:gsub("\nepoch,2,", "\nepoch,7,"),
	    "line 4: epoch 7 where epoch 2 is due" },
	{ "metrics.csv", base:gsub("\nepoch,2,1,0.1,", "\nepoch,2,1,x,"),
	    "line 4: loss 'x' is not a number" },
	{ "metrics.csv", false, "cannot read .*: Is a directory" },
}
local victim = dir .. "/alpha=1,seed=1/"
local keep_result = slurp(victim .. "result.json")
for _, d in ipairs(damage) do
	local path = victim .. d[1]
	os.remove(path)
	if d[2] then
		assert(io.open(path, "w")):write(d[2]):close()
	else
		assert(os.execute("mkdir '" .. path .. "'"))
	end
	local good, got = pcall(snn.sweep.collect, dir, { write = false })
	local named = good and got and got.unusable[1] or ""
	local left_out = good and got and #got.runs == 6 and
	    #got.unusable == 1 and got.rows[1].n == 3
	local missing = good and got and table.concat(got.missing, " ")
	tap.ok(left_out and named:find(path, 1, true) and named:find(d[3]) and
	    (d[1] == "metrics.csv") == (missing == "alpha=2,seed=4"),
	    ("collect: a %s that %s is named, its run left out (%s)")
	    :format(d[1], d[3], good and named or got))
	os.remove(path)
	assert(io.open(victim .. "result.json", "w")):write(keep_result)
	    :close()
	assert(io.open(victim .. "metrics.csv", "w")):write(base):close()
end
local md = snn.sweep.markdown(assert(snn.sweep.collect(dir, { write =
    false })))
tap.ok(not md:find("Files not used", 1, true), "collect: repaired, " ..
    "nothing is left out")
assert(io.open(victim .. "result.json", "w")):write("{"):close()
local before = calls
s = snn.sweep(options)
tap.ok(calls == before + 1 and seen[calls].name == "alpha=1,seed=1" and
    s.rows[1].n == 4, "sweep: a run whose result.json is damaged runs again")
assert(io.open(victim .. "metrics.csv", "w")):write(base:sub(1, -2)):close()
md = snn.sweep.markdown(assert(snn.sweep.collect(dir)))
tap.ok(md:find("\n\nFiles not used (their runs are left out above; a run " ..
    "without a usable result.json runs again):\n\n- " .. victim ..
    "metrics.csv ends in a cut line (no newline at its end)\n", 1, true),
    "summary.md: lists each file not used and why")
assert(io.open(victim .. "metrics.csv", "w")):write(base):close()

-- Per-run numbers come from the whole metrics.csv: a run stopped after 2
-- of 4 epochs and resumed has 4 epochs in the summary and in
-- snn.sweep.metrics, while the history of the resumed process holds 2.
local tiny = require("tinymnist")
local tdir = tiny.write(32, 16)
local data = snn.data.mnist{ root = tdir, T = 4, encoding = "poisson",
	seed = 2 }
local test = snn.data.mnist{ root = tdir, split = "test", T = 4,
	encoding = "poisson", seed = 2 }
local stop_at
local resumed = { name = "resumed", dir = dir .. "/resumed", seeds = { 1 },
	fixed = { epochs = 4 }, run = function(cfg)
		local h = snn.train{ net = tiny.network(), data = data,
			test = test, epochs = cfg.epochs, batch = 8,
			seed = cfg.seed, run_dir = cfg.run_dir,
			resume = cfg.resume, on_epoch = function(e)
				return e.epoch ~= stop_at
			end }
		if #h.epochs > 0 and h.epochs[#h.epochs].epoch == stop_at then
			error("stopped")
		end
		return { history_epochs = #h.epochs,
			disk_epochs = #snn.sweep.metrics(cfg.run_dir) }
	end }
stop_at = 2
local rs = snn.sweep(resumed)
tap.ok(#rs.runs == 0 and #rs.missing == 1, "resumed: stopped after 2 " ..
    "epochs, the run is unfinished")
stop_at = nil
rs = snn.sweep(resumed).rows[1]
tap.ok(rs.trained_epochs.mean == 4 and rs.results.disk_epochs.mean == 4 and
    rs.results.history_epochs.mean == 2, ("resumed: 4 epochs in the " ..
    "summary and on disk, 2 in the history (%s, %s, %s)"):format(
    rs.trained_epochs.mean, rs.results.disk_epochs.mean,
    rs.results.history_epochs.mean))
local rows = snn.sweep.metrics(dir .. "/resumed/seed=1")
tap.ok(#rows == 4 and rows[4].epoch == 4 and rows[1].test_acc >= 0,
    "snn.sweep.metrics: the epoch rows of the whole metrics.csv")
os.execute("rm -rf '" .. tdir .. "'")

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
tap.ok(not out:find("snn.sweep: finished", 1, true),
    "parallel: -q leaves out the lines of finished runs")
if #pids ~= 2 then
	tap.diag(out)
end

-- Where sweeps and examples write by default: runs/ in the current folder,
-- or $SNNWB_RUNS, with the sweep's absolute path printed; never sweeps/.
local fs = require("snnwb.files")
local where = dir .. "/where"
os.execute("mkdir -p '" .. where .. "/cwd'")
f = assert(io.open(where .. "/where.lua", "w"))
f:write([[
local s = snn.sweep{ name = "here", seeds = { 1 },
	run = function(cfg) return { n = 1 } end }
print("sweep " .. s.dir)
print("study " .. require("snnwb.study").defaults("x", 1).quick.dir)
print("example " .. require("snnwb.files").runs("quickstart"))
]])
f:close()
local function where_run(env)
	local p = io.popen(("cd %s && %s %s -e %s 2>&1"):format(
	    quote(where .. "/cwd"), env, quote(fs.absolute(arg[first])),
	    quote(where .. "/where.lua")))
	local text = p:read("a")
	p:close()
	return text
end
out = where_run("SNNWB_RUNS=")
tap.ok(out:find("\nsweep runs/sweeps/here\nstudy runs/sweeps/x-quick\n" ..
    "example runs/quickstart\n", 1, true) and out:find("in " .. where ..
    "/cwd/runs/sweeps/here\n", 1, true) and slurp(where ..
    "/cwd/runs/sweeps/here/seed=1/result.json") and
    not fs.exists(where .. "/cwd/sweeps"), "runs: without " ..
    "SNNWB_RUNS, runs/ in the current folder, the path printed")
out = where_run("SNNWB_RUNS=" .. quote(where .. "/elsewhere"))
tap.ok(out:find("\nsweep " .. where .. "/elsewhere/sweeps/here\n", 1,
    true) and out:find("\nexample " .. where .. "/elsewhere/quickstart\n",
    1, true) and slurp(where .. "/elsewhere/sweeps/here/seed=1/result.json"),
    "runs: under $SNNWB_RUNS when it is set")

-- Killing only the parent of a parallel sweep (kill -9) ends its children
-- within seconds, and starts none of the runs left: three runs of about
-- 30 s, two at a time, each writing its /proc/self/stat first.
script = dir .. "/orphans.lua"
f = assert(io.open(script, "w"))
f:write(([[
if not os.getenv("SNNWB_SWEEP_RUN") then
	local f = io.open(%q, "w")
	f:write(io.open("/proc/self/stat"):read("a"))
	f:close()
end
snn.sweep{ name = "orphans", dir = %q, grid = { k = { 1, 2, 3 } },
	seeds = { 1 }, jobs = 2, cores = 2, run = function(cfg)
		local f = io.open(cfg.run_dir .. "/stat", "w")
		f:write(io.open("/proc/self/stat"):read("a"))
		f:close()
		for _ = 1, 600 do
			os.execute("sleep 0.05")
		end
	end }
]]):format(dir .. "/parent.stat", dir .. "/orphans"))
f:close()

-- Returns the process id, process group and start time in the text of a
-- /proc/PID/stat, or nil.
local function stat(text)
	if not text then
		return nil
	end
	local pid, rest = text:match("^(%d+) %b() (.*)$")
	local fields = {}
	for field in rest:gmatch("%S+") do
		fields[#fields + 1] = field
	end
	return { pid = pid, pgrp = fields[3], start = fields[20],
		state = fields[1] }
end

-- Whether the process that st describes still runs.
local function alive(st)
	local now = stat(slurp("/proc/" .. st.pid .. "/stat"))
	return now ~= nil and now.start == st.start and now.state ~= "Z"
end

-- Waits up to seconds for f() to hold; returns whether it did.
local function within(seconds, f)
	local start = snn.clock()
	while not f() do
		if snn.clock() - start > seconds then
			return false
		end
		os.execute("sleep 0.05")
	end
	return true
end

os.execute(("%s -q -e %s >%s 2>&1 &"):format(quote(arg[first]),
    quote(script), quote(dir .. "/orphans.out")))
local runs = { dir .. "/orphans/k=1,seed=1", dir .. "/orphans/k=2,seed=1",
	dir .. "/orphans/k=3,seed=1" }
local up = within(20, function()
	return slurp(dir .. "/parent.stat") and slurp(runs[1] .. "/stat") and
	    slurp(runs[2] .. "/stat")
end)
local parent_st = stat(slurp(dir .. "/parent.stat"))
local kids = { stat(slurp(runs[1] .. "/stat")), stat(slurp(runs[2] ..
    "/stat")) }
tap.ok(up and kids[1].pgrp == parent_st.pgrp and kids[2].pgrp ==
    parent_st.pgrp, "orphans: the two children are in the parent's " ..
    "process group")
os.execute("kill -9 " .. parent_st.pid)
local start = snn.clock()
local gone = within(5, function()
	return not alive(kids[1]) and not alive(kids[2])
end)
tap.ok(gone, ("orphans: kill -9 of the parent ends both children " ..
    "(in %.1f s)"):format(snn.clock() - start))
os.execute("sleep 0.5")
tap.ok(slurp(runs[3] .. "/stat") == nil and slurp(runs[1] ..
    "/result.json") == nil, "orphans: no further run starts, none " ..
    "is finished")
tap.ok((slurp(runs[1] .. "/log.txt") or ""):find("the sweep that " ..
    "started this run has ended", 1, true), "orphans: the child's " ..
    "log.txt says why it stopped")
for _, kid in ipairs(kids) do
	if alive(kid) then
		os.execute("kill -9 " .. kid.pid)
	end
end

os.execute("rm -rf '" .. dir .. "'")
tap.done()
