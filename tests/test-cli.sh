#!/bin/sh
# test-cli.sh: the snnwb program's command line: exit statuses 0, 1 and 2,
# usage and version, error messages and tracebacks on standard error, the
# arg table, scripts on standard input, -l, --seed, --threads, -q, LUA_PATH,
# SNNWB_ISA, the plain line mode of -i without a terminal (tables printed
# by their contents, help()) and Ctrl-C.
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
run --seed abc
has err "--seed needs an integer" "--seed must be a number"
run stray
expect 2 "a stray argument"
has err "unexpected argument 'stray'" "the stray argument is named"
# -i without a terminal is the plain line mode: each line runs as at the
# session's prompt, values printed as lua(1) prints them but tables by
# their contents, errors on stderr, and the session goes on.
cat >"$tmp/repl.lua" <<'LUA'
1 + 1
{1, 2, 3}
snn.optim.sgd{lr = 0.5}.schedule
{name = "adam", lr = 0.001}
t = {} for i = 1, 42 do t[i] = i end
t
{a = {1, {2}}, ["x y"] = 2, [5] = 1}
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
{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, ... (25 more)}
{a={1, {...}}, ["x y"]=2, [5]=1}
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
i=0
while [ ! -f "$tmp/started" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT $pid
wait $pid
status=$?
expect 1 "Ctrl-C stops a running script"
has err "interrupted" "Ctrl-C raises 'interrupted' in Lua"

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
