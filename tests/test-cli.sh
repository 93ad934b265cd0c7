#!/bin/sh
# test-cli.sh: the snnwb program's command line: exit statuses 0, 1 and 2,
# usage and version, error messages and tracebacks on standard error, the
# arg table, scripts on standard input, -l, --seed, --threads, -q, LUA_PATH,
# SNNWB_ISA, the plain line mode of -i without a terminal (tables printed
# by their contents, snn.train returning its job once ended, help()) and
# Ctrl-C.
snnwb=${SNNWB:-./snnwb}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
unset LUA_PATH LUA_PATH_5_4 LUA_INIT LUA_INIT_5_4
. "${SNNWB_SRCDIR:-$(dirname "$0")/..}/tests/tap.sh"

# ok COND-STATUS NAME: reports one test from the status of the last check;
# a failure shows the last run's stdout and stderr.
ok() {
	tap_ok "$1" "$2" "$tmp/out" "$tmp/err"
}

# run ARGS...: runs snnwb with stdin from /dev/null unless redirected by
# the caller; keeps stdout, stderr and the exit status.
run() {
	"$snnwb" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}

# expect STATUS NAME: the last run exited with STATUS.
expect() {
	[ "$status" -eq "$1" ]
	ok $? "$2 (exit status $status, want $1)"
}

# has FILE TEXT NAME: FILE (out or err) contains TEXT literally.
has() {
	grep -qF -- "$2" "$tmp/$1"
	ok $? "$3"
}

# wait_file PATH: waits up to ten seconds for the file PATH to exist.
wait_file() {
	i=0
	while [ ! -f "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# make check (which sets SNNWB) runs each test with a HOME and XDG folders
# of its own, new and empty, and without the variables that lead snnwb to
# a user's data and settings (Makefile.am): the quick start's MNIST, a
# cache or an init file in the user's home cannot change a test.
if [ -n "${SNNWB:-}" ]; then
	cat >"$tmp/env.lua" <<'LUA'
for _, v in ipairs{ "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
    "XDG_DATA_HOME", "XDG_STATE_HOME", "SNNWB_DATA", "SNNWB_INIT",
    "SNNWB_NO_CACHE", "SNNWB_SWEEP_RUN" } do
	print(v, os.getenv(v))
end
LUA
	run -e "$tmp/env.lua"
	h=$HOME
	printf '%s\n' "HOME	$h" "XDG_CACHE_HOME	$h/.cache" \
	    "XDG_CONFIG_HOME	$h/.config" "XDG_DATA_HOME	$h/.local/share" \
	    "XDG_STATE_HOME	$h/.local/state" "SNNWB_DATA	nil" \
	    "SNNWB_INIT	nil" "SNNWB_NO_CACHE	nil" "SNNWB_SWEEP_RUN	nil" \
	    >"$tmp/env.want"
	diff "$tmp/env.want" "$tmp/out" >"$tmp/diff" &&
	    case $h in "${TMPDIR:-/tmp}"/snnwb-check.*) true ;; *) false ;;
	    esac && [ -d "$h" ] && [ -z "$(ls -A "$h")" ]
	tap_ok $? "make check: HOME and XDG folders new and empty, no user \
data or init file ($h)" "$tmp/diff"
else
	tap_skip 1 "the test environment is make check's (SNNWB unset)"
fi

run -h
expect 0 "-h"
has out "usage: snnwb" "-h prints the usage on stdout"
# Every option the manual lists has its own line in -h, and -h points at
# both manual pages.
man1=${SNNWB_SRCDIR:-$(dirname "$0")/..}/man/snnwb.1
missing=
for o in $(sed -n 's/^\.It Fl \([^ ]*\).*/-\1/p' "$man1"); do
	grep -Eq -- "^  (-[a-z], )?$o( |,|$)" "$tmp/out" ||
	    missing="$missing $o"
done
[ -z "$missing" ] && [ "$(grep -c '^  -' "$tmp/out")" -eq \
    "$(grep -c '^\.It Fl' "$man1")" ]
ok $? "-h lists each option of snnwb(1) on one line (missing:$missing)"
has out "man snnwb for" "-h points at snnwb(1)"
has out "man snnwb-lua for" "-h points at snnwb-lua(7)"
run --version
expect 0 "--version"
grep -q '^snnwb [0-9][0-9.]* (Lua 5\.4' "$tmp/out"
ok $? "--version prints the version and Lua's"

run -x
expect 2 "unknown option"
has err "snnwb: unknown option -x" "unknown option is named"
has err "usage: snnwb" "usage follows a usage error"
run --bogus
has err "unknown option --bogus" "unknown long option is named"
run -e
expect 2 "-e without a file"
has err "option -e needs an argument" "missing argument is named"
run --threads 0 -e x.lua
expect 2 "--threads 0"
has err "--threads needs an integer in [1," "--threads range is given"
run --threads 100000 -e x.lua
expect 2 "--threads 100000, more than 4 a core, as snn.threads refuses"
run --seed abc
has err "--seed needs an integer" "--seed must be a number"
run stray
expect 2 "a stray argument"
has err "unexpected argument 'stray'" "the stray argument is named"
# -i without a terminal is the plain line mode: each line runs as at the
# session's prompt, values printed as lua(1) prints them but tables by
# their contents (on one line when they fit in 78 columns, else over at
# most 16, with a history's records shown by their fields and the entries
# left out counted), errors on stderr, and the session goes on.
cat >"$tmp/repl.lua" <<'LUA'
1 + 1
{1, 2, 3}
snn.optim.sgd{lr = 0.5}.schedule
{name = "adam", lr = 0.001}
t = {} for i = 1, 42 do t[i] = i end
t
{a = {1, {2}}, ["x y"] = 2, [5] = 1}
h = {epochs = {}, batches = {}}
for e = 1, 3 do h.epochs[e] = {epoch = e, epochs = 3, acc = e / 4, loss = 1 / 2 ^ e, test_acc = e / 8, layers = {"1", "3"}, spike_rate = {e / 16, 0.5}, seconds = e * 2} end
for b = 1, 40 do h.batches[b] = {batch = b, acc = b / 64, loss = 1 / b} end
h.epochs
h
for i = 1, 1000 do t[i] = i end
t
snn.zeros{2, 3}:shape(), "text", {}
function f(x)
return x * 2
end
f(21)
error("boom")
{setmetatable({}, {__tostring = function() error("bad tostring") end})}
snn.zeros{2}
quit()
print("not reached")
LUA
cat >"$tmp/repl.want" <<'OUT'
2
{1, 2, 3}
{name="constant"}
{lr=0.001, name="adam"}
{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
 41, 42}
{a={1, {...}}, ["x y"]=2, [5]=1}
{{acc=0.25, epoch=1, epochs=3, layers={"1", "3"}, loss=0.5, seconds=2,
  spike_rate={0.0625, 0.5}, test_acc=0.125},
 {acc=0.5, epoch=2, epochs=3, layers={"1", "3"}, loss=0.25, seconds=4,
  spike_rate={0.125, 0.5}, test_acc=0.25},
 {acc=0.75, epoch=3, epochs=3, layers={"1", "3"}, loss=0.125, seconds=6,
  spike_rate={0.1875, 0.5}, test_acc=0.375}}
{batches={{acc=0.015625, batch=1, loss=1.0},
          {acc=0.03125, batch=2, loss=0.5},
          {acc=0.046875, batch=3, loss=0.33333333333333},
          {acc=0.0625, batch=4, loss=0.25},
          {acc=0.078125, batch=5, loss=0.2},
          {acc=0.09375, batch=6, loss=0.16666666666667},
          ... (34 more)},
 epochs={{acc=0.25, epoch=1, epochs=3, layers={"1", "3"}, loss=0.5, seconds=2,
          spike_rate={0.0625, 0.5}, test_acc=0.125},
         {acc=0.5, epoch=2, epochs=3, layers={"1", "3"}, loss=0.25, seconds=4,
          spike_rate={0.125, 0.5}, test_acc=0.25},
         {acc=0.75, epoch=3, epochs=3, layers={"1", "3"}, loss=0.125,
          seconds=6, spike_rate={0.1875, 0.5}, test_acc=0.375}}}
{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78,
 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97,
 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128,
 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143,
 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158,
 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173,
 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188,
 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203,
 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218,
 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233,
 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248,
 ... (752 more)}
{2, 3}	text	{}
42
tensor[2] {0, 0}
OUT
SNNWB_INIT= "$snnwb" -i <"$tmp/repl.lua" >"$tmp/out" 2>"$tmp/err"
status=$?
expect 0 "-i without a terminal reads lines until quit()"
diff "$tmp/repl.want" "$tmp/out" >"$tmp/diff"
tap_ok $? "the plain line mode prints values, tables by their contents" \
    "$tmp/diff"
has err "stdin:1: boom" "an error goes to stderr and the lines go on"
has err "stdin:1: bad tostring" \
    "an error while printing a table is reported, and the lines go on"
! grep -q 'snnwb>' "$tmp/out" "$tmp/err"
ok $? "no prompts when standard input is not a terminal"
# The plain line mode's snn.train blocks, then returns its job as the
# session's prompt does (the same lines work at both prompts); a failed
# job raises its error.
srcdir=$(cd "${SNNWB_SRCDIR:-$(dirname "$0")/..}" && pwd)
cat >"$tmp/jobs.lua" <<LUA
package.path = "$srcdir/tests/lua/?.lua;" .. package.path
tiny = require("tinymnist")
ds = snn.data.mnist{root = tiny.write(16, 0), T = 2}
o = {data = ds, batch = 8}
o.net = tiny.network() o.epochs = 2 job = snn.train(o)
job.state, #job.history.epochs, #job:wait().epochs, job
o.net = tiny.network() o.epochs = 100 o.on_epoch = function(s) return s.epoch < 3 end
job = snn.train(o)
job.state, #job.history.epochs
o.net = tiny.network() o.on_epoch = function() error("hook broke", 0) end
job = snn.train(o)
snn.jobs()[3].state, snn.jobs()[3].error
LUA
cat >"$tmp/jobs.want" <<'OUT'
done	2	2	job 1 (done)
stopped	3
failed	on_epoch: hook broke
OUT
SNNWB_INIT= "$snnwb" -i <"$tmp/jobs.lua" >"$tmp/out" 2>"$tmp/err"
diff "$tmp/jobs.want" "$tmp/out" >"$tmp/diff" &&
    grep -q 'snn.train: on_epoch: hook broke' "$tmp/err"
tap_ok $? "the plain line mode's snn.train returns the job once it ended" \
    "$tmp/diff" "$tmp/err"
printf 'help(snn.train)\n' | SNNWB_INIT= "$snnwb" -i >"$tmp/out" 2>"$tmp/err"
has out "snn.train(options)  [TRAINING, snnwb-lua(7)]" \
    "help() at the prompt prints the manual's entry"

printf 'print("hello", 1 + 1)\n' >"$tmp/hello.lua"
run -e "$tmp/hello.lua"
expect 0 "a script"
has out "hello	2" "the script's output"
run -i -e "$tmp/hello.lua"
expect 0 "-i -e runs the script, then the prompt until the end of input"
has out "hello	2" "-i -e runs the script first"

SNNWB_ISA=plain run -v
has out "plain kernels)" "SNNWB_ISA=plain: --version names the plain kernels"
[ ! -s "$tmp/err" ]
ok $? "SNNWB_ISA=plain: no warning"
SNNWB_ISA=sse9 run -e "$tmp/hello.lua"
expect 0 "SNNWB_ISA=sse9: the script runs"
has err "snnwb: warning: SNNWB_ISA=sse9 is not plain, ssse3, avx2 or avx512" \
    "SNNWB_ISA=sse9: a warning names the levels"
has out "hello	2" "SNNWB_ISA=sse9: the script's output"

cat >"$tmp/args.lua" <<'LUA'
print(#arg, arg[1], arg[2], arg[-1], select("#", ...))
LUA
run -e "$tmp/args.lua" a -q
has out "2	a	-q	-e	2" \
    "arg holds the script and its arguments"
printf 'print(arg[0], ...)\n' >"$tmp/zero.lua"
run -e "$tmp/zero.lua" x
has out "$tmp/zero.lua	x" "arg[0] is the script, ... its arguments"

cat >"$tmp/fail.lua" <<'LUA'
local function inner()
	error("boom")
end
inner()
LUA
run -e "$tmp/fail.lua"
expect 1 "a Lua error"
has err "snnwb: $tmp/fail.lua:2: boom" "the message names file and line"
has err "stack traceback:" "a traceback follows on stderr"
has err "in local 'inner'" "the traceback names the function"
[ ! -s "$tmp/out" ]
ok $? "nothing on stdout for an error"
printf 'error({})\n' >"$tmp/obj.lua"
run -e "$tmp/obj.lua"
has err "(error object is a table value)" "a non-string error object"
printf 'snn.linear(0, 1)\n' >"$tmp/arg.lua"
run -e "$tmp/arg.lua"
has err "arg.lua:1: snn.linear: argument 'in' must be a positive integer" \
    "argument errors carry the caller's position"
printf 'x = = 1\n' >"$tmp/syntax.lua"
run -e "$tmp/syntax.lua"
expect 1 "a syntax error"
run -e "$tmp/missing.lua"
expect 1 "a missing script"
has err "cannot open $tmp/missing.lua" "the missing script is named"
printf 'os.exit(3)\n' >"$tmp/exit.lua"
run -e "$tmp/exit.lua"
expect 3 "os.exit sets the status"

printf 'print("stdin", arg[0], 6 * 7)\n' | "$snnwb" >"$tmp/out" 2>"$tmp/err"
status=$?
expect 0 "a script on standard input"
has out "stdin	-	42" "standard input runs when it is not a terminal"
printf 'print(...)\n' | "$snnwb" -e - p q >"$tmp/out" 2>"$tmp/err"
has out "p	q" "-e - reads standard input, with arguments"

mkdir "$tmp/mods"
printf 'return { answer = 42 }\n' >"$tmp/mods/mymod.lua"
printf 'print(require("mymod").answer, require("snnwb.prelude") ~= nil)\n' \
    >"$tmp/path.lua"
LUA_PATH="$tmp/mods/?.lua" run -e "$tmp/path.lua"
has out "42	true" "LUA_PATH is searched, snnwb's own modules too"
printf 'print(mymod.answer)\n' >"$tmp/global.lua"
LUA_PATH="$tmp/mods/?.lua;;" run -l mymod -e "$tmp/global.lua"
has out "42" "-l requires a module into a global"
run -l nosuchmod -e "$tmp/global.lua"
expect 1 "-l of a missing module"

printf 'print(snn.seed(), snn.threads(), snn.quiet)\n' >"$tmp/opts.lua"
run --seed 5 --threads 1 -e "$tmp/opts.lua"
has out "5	1	false" "--seed and --threads set the defaults"
printf 'snn.log("note %%d", 7)\n' >"$tmp/log.lua"
run -e "$tmp/log.lua"
has err "note 7" "snn.log writes to stderr"
run -q -e "$tmp/log.lua"
[ ! -s "$tmp/err" ]
ok $? "-q silences snn.log"

cat >"$tmp/loop.lua" <<LUA
io.open("$tmp/started", "w"):close()
local t0 = os.clock()
-- A table a turn: ThreadSanitizer delivers a signal at the next call it
-- intercepts (here malloc), never inside a loop of pure arithmetic.
while os.clock() - t0 < 20 do local _ = {} end
LUA
"$snnwb" -e "$tmp/loop.lua" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_file "$tmp/started"
kill -INT $pid
wait $pid
status=$?
expect 1 "Ctrl-C stops a running script"
has err "interrupted" "Ctrl-C raises 'interrupted' in Lua"

# A second Ctrl-C (the first caught by pcall) ends the program by SIGINT,
# after its handler has removed the temporary files of writes in progress.
# (Loops allocate a table a turn, for ThreadSanitizer as in loop.lua.)
cat >"$tmp/twice.lua" <<LUA
pcall(function()
	io.open("$tmp/once", "w"):close()
	while true do local _ = {} end
end)
io.open("$tmp/twice", "w"):close()
local t0 = os.clock()
while os.clock() - t0 < 20 do local _ = {} end
LUA
# A background job of sh ignores SIGINT: env gives it the default back.
if env --default-signal=INT true 2>/dev/null; then
	env --default-signal=INT "$snnwb" -e "$tmp/twice.lua" >"$tmp/out" \
	    2>"$tmp/err" &
	pid=$!
	for f in once twice; do
		wait_file "$tmp/$f"
		kill -INT $pid
	done
	wait $pid
	status=$?
	expect 130 "a second Ctrl-C ends the program by SIGINT"
else
	tap_skip 1 "no env --default-signal to undo sh's SIGINT ignored"
fi

# A terminal on standard input without -e opens the session; at the end of
# its input (Ctrl-D) it ends with status 0 and restores the terminal.
if command -v script >/dev/null 2>&1; then
	# Ctrl-D is typed every half second: one typed before the session
	# has set up the terminal may be discarded with the pending input.
	# timeout turns a session that never ends into a failure, not a hang.
	i=0
	while [ $i -lt 60 ]; do
		printf '\004'
		sleep 0.5
		i=$((i + 1))
	done | timeout 30 script -qec "'$snnwb'" /dev/null >"$tmp/out" \
	    2>"$tmp/err"
	status=$?
	expect 0 "a terminal without -e opens the session and ends at EOF"
	has out "[?1049l" "the terminal is restored (alternate screen off)"
else
	tap_skip 2 "script(1) not found"
fi
tap_done
