#!/bin/sh
# test-tui.sh: the interactive session in a real terminal, driven through
# a private tmux server: the screen, the REPL (expressions, tables,
# multi-line chunks, errors, the init file, completion of names, methods of
# snnwb's values and paths inside strings, history across sessions),
# the help (whole at 50 columns), resizing down to below the minimum and
# back, quitting with the terminal restored, a script under --view, the
# plain line mode of TERM=dumb, a simulation of a converted network on a
# tiny set the test writes (the unevenness panel's bars with the layer
# names, the accuracy against t, pause, resume and Ctrl-C, and job:wait()
# or wait=true giving what -e gives, the numbers of the panel at the end
# equal to the result's), a sweep typed at the prompt, a dead network
# flagged on the status line, training jobs on a tiny set the test writes
# (pause and resume with the ETA, each end state said as what it is in
# the log, an on_epoch hook that fails, saves or evaluates, a job's and a
# data set's methods, an optimizer's settings and a network's methods
# completed), and, when the shared N-MNIST subset is there, a background
# training job: charts, a growing progress
# bar, the prompt answering while it runs, job:pause() and job:resume()
# (state and ETA), Ctrl-C stopping it, and its membrane histogram made the
# large chart with Tab.
snnwb=${SNNWB:-./snnwb}
case $snnwb in
/*) ;;
*) snnwb=$(pwd)/$snnwb ;;
esac
srcdir=$(cd "${SNNWB_SRCDIR:-$(dirname "$0")/..}" && pwd)
. "$srcdir/tests/tap.sh"
nmnist=${SNNWB_SHARED:-/nonexistent}/datasets/nmnist-subset
command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not found"
# ThreadSanitizer holds a signal until snnwb next enters a function it
# intercepts, which readline's wait for a key is not (Ctrl-C at the plain
# prompt comes too late), and slows the panel's simulations past the
# waits here; tests/test-lua.sh runs the same jobs under it.
[ "${SNNWB_TSAN-}" = yes ] && tap_skip_all "not under ThreadSanitizer"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-tui.XXXXXX") || exit 1
sock=$tmp/tmux
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.config/snnwb"
echo 'greeting = "hello from init"' >"$tmp/home/.config/snnwb/init.lua"

tap_plan 58

# t ARGS...: runs tmux on the test's own server.
t() {
	tmux -S "$sock" "$@"
}

# screen: prints what the pane shows now.
screen() {
	t capture-pane -p -t tui
}

# wait_until COMMAND...: waits up to ten seconds for COMMAND to succeed
# on what the pane shows, captured into $tmp/screen before each try.
wait_until() {
	i=0
	while [ $i -lt 100 ]; do
		screen >"$tmp/screen"
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_for GREP-ARGS...: waits up to ten seconds for the pane to match.
wait_for() {
	wait_until grep -q "$@" "$tmp/screen"
}

# last_line TEXT: whether the pane's last line with text is TEXT, such as
# an empty prompt: then the program reads the terminal (keys sent before
# that may reach the terminal's line editing, or the next program: a
# Ctrl-D there is no end of input, a command typed there is echoed twice).
last_line() {
	[ "$(grep . "$tmp/screen" | tail -n 1)" = "$1" ]
}

# clear_line: Ctrl-C at a prompt with text, then waits for the empty
# prompt: keys sent at once could be read before the Ctrl-C's signal is.
clear_line() {
	t send-keys -t tui C-c
	wait_for -x 'snnwb>'
}

# complete TEXT KEYS LINE NAME: types TEXT, presses KEYS (Tab, or Tab
# Tab), reports as NAME whether the pane then shows the line LINE (a grep
# pattern), and clears the prompt.
complete() {
	t send-keys -t tui -l "$1"
	t send-keys -t tui $2
	wait_for -x "$3"
	ok $? "$4"
	clear_line
}

# ok STATUS NAME: reports one test; a failure shows the pane.
ok() {
	[ "$1" -eq 0 ] || screen >"$tmp/screen"
	tap_ok "$1" "$2" "$tmp/screen"
}

# type TEXT: types TEXT literally and presses Enter.
type_line() {
	t send-keys -t tui -l "$1"
	t send-keys -t tui Enter
}

# pane_var FORMAT: prints a tmux format of the pane.
pane_var() {
	t display-message -p -t tui "$1"
}

# twice: whether the pane shows the line $expected twice.
twice() {
	[ "$(grep -cx -e "$expected" "$tmp/screen")" -eq 2 ]
}

# images: prints the images a simulation has done, from the status line
# ("simulate T=1024 [####------] images 96/2000").
images() {
	screen | head -n 1 | tr '/' ' ' |
	    awk '{ for (i = 1; i < NF; i++) if ($i == "images") {
	    print $(i + 1); exit } }'
}

# progress: prints the batches done, from the status line's epoch and bar
# ("epoch 3/500 [####------] 12/32").
progress() {
	screen | head -n 1 | tr '/[]' '   ' |
	    awk '{ for (i = 1; i < NF; i++) if ($i == "epoch")
	    print ($(i + 1) - 1) * $(i + 5) + $(i + 4) }'
}

mkdir -p "$tmp/files/lua/examples"
: >"$tmp/files/lua/examples/quickstart.lua"
: >"$tmp/files/lua/prelude.lua"
: >"$tmp/files/lua/notes.txt"
t -f /dev/null new-session -d -s tui -x 100 -y 30 -c "$tmp/files" \
    "env -i HOME='$tmp/home' TERM=screen-256color LANG=C.UTF-8 \
    PATH='$PATH' PS1='$ ' OPENBLAS_NUM_THREADS=1 SNNWB_NMNIST='$nmnist' sh"
sleep 0.2
type_line "'$snnwb'"
wait_for -e 'no training job yet' && wait_for -e '^── log' &&
    wait_for -x 'snnwb>'
ok $? "the screen comes up: status line, log pane, prompt"

type_line '1+1'
wait_for -x '2'
ok $? "an expression prints its value"

type_line 'function f(x)'
wait_for -x '>>'
ok $? "an incomplete chunk asks for more at >>"
type_line 'return x*2'
type_line 'end'
type_line 'f(21)'
wait_for -x '42'
ok $? "a multi-line function runs once complete"

type_line 'error("boom")'
wait_for -x 'stdin:1: boom' && wait_for -e 'stack traceback:'
ok $? "an error prints a traceback"
type_line '2+3'
wait_for -x '5'
ok $? "the session goes on after an error"

type_line '{n = "adam", lr = 0.001}'
wait_for -x '{lr=0.001, n="adam"}'
ok $? "a table prints by its contents"

type_line 'greeting'
wait_for -x 'hello from init'
ok $? "the init file ran"

t send-keys -t tui -l 'snn.surr'
t send-keys -t tui Tab
wait_for -x 'snnwb> snn.surrogate.'
ok $? "Tab completes a field after ."
t send-keys -t tui C-c
wait_for -x 'snnwb>'
ok $? "Ctrl-C clears the line"

complete 'dofile("lua/examples/quick' 'Tab' \
    'snnwb> dofile("lua/examples/quickstart.lua"' \
    "Tab completes a path with / inside a string"
complete 'f = "lua/' 'Tab Tab' 'examples  *notes.txt  *prelude.lua' \
    "Tab Tab lists the folder's entries, whole names"
type_line 'x = snn.zeros{2}'
complete 'x:resh' 'Tab' 'snnwb> x:reshape(' \
    "Tab completes a tensor's method"
type_line 's = snn.surrogate.atan()'
complete 's:' 'Tab Tab' 'grad  *primitive  *spike' \
    "Tab Tab lists a surrogate's methods"

t send-keys -t tui F1
wait_for -e 'snnwb keys'
ok $? "F1 shows the help"
t send-keys -t tui x
sleep 0.3
! screen | grep -q 'snnwb keys' && wait_for -x 'snnwb>'
ok $? "a key closes the help and is not typed"

t resize-window -t tui -x 40 -y 12
sleep 0.5
wait_for -e '^── log' && wait_for -x 'snnwb>' && ! grep -q 'too small' \
    "$tmp/screen"
ok $? "at 40x12 the screen is laid out"
t resize-window -t tui -x 30 -y 10
wait_for -x ' *too small: need 40x12 *'
ok $? "below 40x12 the screen says it is too small, in 30 columns"
t resize-window -t tui -x 50 -y 24
wait_for -x 'snnwb>' && t send-keys -t tui F1 &&
    wait_for -x '│ Tab, empty   make the next chart the large one │' &&
    wait_for -x '│ Ctrl-C       clear the line; interrupt Lua;    │' &&
    [ "$(grep -c '^│.*│$' "$tmp/screen")" -eq 14 ]
ok $? "the help box fits in 50 columns, every line whole"
t send-keys -t tui x
t resize-window -t tui -x 100 -y 30
wait_for -e '^loss (log scale)' && type_line '6*7' && wait_for -x '42' &&
    [ "$(screen | wc -l)" -eq 30 ]
ok $? "back at 100x30 the charts return and the prompt works"

t send-keys -t tui C-d
wait_for -x '\$' && [ "$(pane_var '#{alternate_on}')" = 0 ] &&
    type_line 'echo restored-$?' && wait_for -x 'restored-0'
ok $? "Ctrl-D quits with status 0 and restores the terminal"

type_line "'$snnwb'"
wait_for -x 'snnwb>' && t send-keys -t tui Up &&
    wait_for -x 'snnwb> 6\*7' && t send-keys -t tui Up Up Up Up Up Up Up Up &&
    wait_for -F 'snnwb> function f(x)^Jreturn x*2^Jend'
ok $? "history persists across sessions, a chunk as one entry"
clear_line
type_line 'quit()'
wait_for -x '\$'

printf 'print("hello", arg[1], #arg)\n' >"$tmp/view.lua"
type_line "'$snnwb' -e '$tmp/view.lua' one --view; echo view-\$?"
wait_for -x 'view-0' && grep -q '^hello  *one  *1$' "$tmp/screen"
ok $? "-e FILE --view replays the script's output when it closes"

type_line "TERM=dumb '$snnwb'"
wait_for -x "snnwb: terminal 'dumb' cannot move the cursor; plain line mode" &&
    wait_for -x 'snnwb>' && type_line '{1, 2}' && wait_for -x '{1, 2}'
ok $? "TERM=dumb gives the plain line mode, said in one line"
type_line 'function g()'
wait_for -x '>>' && t send-keys -t tui C-c &&
    wait_until last_line 'snnwb>' && type_line '3*5' &&
    wait_for -x '15' && wait_until last_line 'snnwb>' &&
    t send-keys -t tui C-d && wait_until last_line '$' &&
    type_line 'echo dumb-$?' && wait_for -x 'dumb-0'
ok $? "Ctrl-C at the plain prompt drops the chunk; Ctrl-D ends it"

# A converted network of three QCFS layers (untrained: its deeper layers
# get uneven spike trains) and a tiny MNIST-format set; summary(r) prints
# a simulation's right answers at every t and a layer's mean |e| exactly.
cat >"$tmp/sim.lua" <<EOF
package.path = "$srcdir/tests/lua/?.lua;" .. package.path
local tiny = require("tinymnist")
local dir = tiny.write(0, 2000)
test = snn.data.mnist{ root = dir, split = "test" }
local ann = snn.sequential{ snn.flatten(),
	snn.linear(784, 64, { name = "fc1", seed = 1 }),
	snn.qcfs{ L = 4, lambda = 0.5, name = "act1" },
	snn.linear(64, 64, { name = "fc2", seed = 3 }),
	snn.qcfs{ L = 4, lambda = 0.5, name = "act2" },
	snn.linear(64, 64, { name = "fc3", seed = 4 }),
	snn.qcfs{ L = 4, lambda = 0.5, name = "act3" },
	snn.linear(64, 10, { name = "fc4", seed = 2 }) }
net = snn.convert(ann)
small = { net = net, data = test, images = 64, T = 16, batch = 8,
	analysis = { 4, 16 } }
function summary(r)
	return "summary " .. table.concat(r.correct, ",") ..
	    (" %.17g"):format(r.analysis[16][3].mean_abs_e)
end
EOF
printf 'dofile("%s")\nprint(summary(snn.simulate(small)))\n' "$tmp/sim.lua" \
    >"$tmp/sim-e.lua"
expected=$(OPENBLAS_NUM_THREADS=1 HOME="$tmp/home" "$snnwb" -e "$tmp/sim-e.lua")
type_line "'$snnwb'"
wait_for -x 'snnwb>' && wait_for -e 'no simulation yet: snn.simulate'
ok $? "before a simulation the unevenness panel says what it is for"
type_line "dofile('$tmp/sim.lua')"
type_line 'job = snn.simulate{net=net, data=test, T=4096, batch=4,'\
' analysis={64, 4096}, ann_accuracy=0.5}'
wait_for -e '^ job 1 running *| simulate T=4096 .* images [0-9]*/2000' &&
    wait_for -e '^layerwise unevenness error at T=4096' &&
    wait_for -e 'fraction uneven  *mean |e|' &&
    wait_for -e '^act3 █' && grep -q '^act2 █' "$tmp/screen" &&
    grep -q '^act1 ' "$tmp/screen"
ok $? "a simulation fills the unevenness panel: layer names and bars"
wait_for -e 'accuracy against t  ━ SNN  ━ ANN' &&
    grep -q ' 50 ⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉' "$tmp/screen"
ok $? "the accuracy against t is charted with the ANN's, in percent (50)"
a=$(images) && sleep 1 && b=$(images) && [ -n "$a" ] && [ "$b" -gt "$a" ] &&
    type_line '1+1' && wait_for -x '2'
ok $? "the simulation goes on batch by batch while the prompt answers"
type_line 'job:pause()'
wait_for -x 'paused' && wait_for -e '^ job 1 paused' &&
    ! head -n 1 "$tmp/screen" | grep -q 'ETA' && a=$(images) &&
    sleep 1 && b=$(images) && [ -n "$a" ] && [ "$a" = "$b" ]
ok $? "job:pause() pauses the simulation"
type_line 'job:resume()'
wait_for -x 'running' && wait_for -e '^ job 1 running.*ETA' &&
    a=$(images) && sleep 1 && b=$(images) && [ "$b" -gt "$a" ]
ok $? "job:resume() lets it go on"
t send-keys -t tui C-c && wait_for -e 'stop job 1? (y/n)' &&
    t send-keys -t tui y && wait_for -e '^ job 1 stopped' &&
    wait_for -e 'stopping job 1 after this batch (its result covers' &&
    wait_for -e '^job 1 stopped after [0-9]* of 2000 images' &&
    type_line 'job.state, job:wait().images < 2000' &&
    wait_for -x 'stopped  *true'
ok $? "Ctrl-C stops the simulation, job:wait() has the images done"
type_line 'summary(snn.simulate(small):wait())'
wait_for -x "$expected" && [ -n "$expected" ]
ok $? "job:wait() in the session gives what -e gives"
type_line 'small.wait = true'
type_line 'r = snn.simulate(small)'
type_line 'summary(r)'
wait_until twice && type_line '#snn.jobs()' && wait_for -x '3'
ok $? "snn.simulate{wait=true} in the session returns what -e gives"
type_line 'a = r.analysis[16][3]'
type_line 'print("want", ("%.3g %.3g"):format(a.frac_uneven, a.mean_abs_e))'
# panel_is WANT: whether the unevenness panel's row of act3 shows WANT
# (the numbers of its line, in order); sets got.
panel_is() {
	got=$(grep '^act3 ' "$tmp/screen" | awk '{ for (i = 2; i <= NF; i++)
	    if ($i ~ /^[0-9]/) { printf "%s%s", sep, $i; sep = " " } }')
	[ -n "$1" ] && [ "$got" = "$1" ]
}
wait_for -e '^want ' &&
    want=$(grep '^want ' "$tmp/screen" | awk '{ print $2, $3 }') &&
    wait_for -e '^layerwise unevenness error at T=16' &&
    wait_until panel_is "$want"
ok $? "the panel's numbers at the end are the result's ($got)"

# A sweep typed at the prompt, as the manual's SWEEPS example: its run
# function calls snn.train without waiting, yet each run trains to its
# end before its result.json is written, one run after the other, and
# the summary (epochs and final accuracy of each run) is what -e gives.
cat >"$tmp/sweep.lua" <<EOF
package.path = "$srcdir/tests/lua/?.lua;" .. package.path
local tiny = require("tinymnist")
local files = require("snnwb.files")
local json = require("snnwb.json")
local dir = tiny.write(64, 32)
local data = snn.data.mnist{ root = dir, T = 4, encoding = "poisson",
	seed = 2 }
local test = snn.data.mnist{ root = dir, split = "test", T = 4,
	encoding = "poisson", seed = 2 }
function tiny_sweep(folder)
	return snn.sweep{ name = "tiny", dir = folder, seeds = { 1, 2 },
		fixed = { epochs = 2 }, run = function(cfg)
			snn.train{ net = tiny.network(), data = data,
				test = test, epochs = cfg.epochs, batch = 8,
				seed = cfg.seed, run_dir = cfg.run_dir,
				resume = cfg.resume }
		end }
end
function silent_job()
	local net = tiny.network()
	net:params()["1.weight"]:fill(-1)
	return snn.train{ net = net, data = data, epochs = 3, batch = 8 }
end
function sweep_line(s)
	local parts = { "sweep", #s.missing }
	for _, run in ipairs(s.runs) do
		local r = json.decode(files.read(s.dir .. "/" .. run.name ..
		    "/result.json"))
		parts[#parts + 1] = ("%s:%d:%.17g:%s"):format(run.name,
		    #run.epochs, run.final_acc, r.seconds > 0)
	end
	return table.concat(parts, " ")
end
EOF
printf 'dofile("%s")\nprint(sweep_line(tiny_sweep("%s")))\n' \
    "$tmp/sweep.lua" "$tmp/sweep-e" >"$tmp/sweep-e.lua"
expected=$(OPENBLAS_NUM_THREADS=1 HOME="$tmp/home" "$snnwb" -q \
    -e "$tmp/sweep-e.lua")
type_line "dofile('$tmp/sweep.lua')"
type_line "print(sweep_line(tiny_sweep('$tmp/sweep-i')))"
{ wait_for -x "$expected" || wait_for -x "$expected"; } &&
    [ -n "$expected" ] && ! grep -q 'failed\|busy' "$tmp/screen" &&
    type_line 'n = 0 for _, j in ipairs(snn.jobs()) do if j.state == '\
'"done" and (j.run_dir or ""):find("sweep%-i/seed") then n = n + 1 end end' &&
    type_line 'print("done", n)' && wait_for -x 'done  *2'
ok $? "a sweep at the prompt trains each run to its end, as -e does"
type_line "print(sweep_line(tiny_sweep('$tmp/sweep-i')))"
wait_for -e 'snn.sweep tiny: 2 runs, 2 finished before' && wait_until twice
ok $? "run again, the sweep finds both runs finished"
type_line 'job = silent_job()'
wait_for -e '^ job [0-9]* done .*8/8 | DEAD: a layer silent, loss constant' &&
    wait_for -e '^job [0-9]*: its last epoch was dead: a layer gave no spike' &&
    type_line 'job.history.epochs[3].dead' && wait_for -x 'true'
ok $? "the status line flags a dead network"
t send-keys -t tui C-d
wait_for -x '\$'

# Training jobs on a tiny MNIST-format set that trains in about a
# millisecond an epoch (its loss soon reaches 0 on the log-scale chart):
# each way a job ends is said as what it is in the log, an on_epoch hook
# may save and evaluate the network it trains, a job's and a data set's
# methods complete.
cat >"$tmp/tiny.lua" <<EOF
package.path = "$srcdir/tests/lua/?.lua;" .. package.path
tiny = require("tinymnist")
dir = tiny.write(64, 16)
ds = snn.data.mnist{ root = dir, T = 4 }
te = snn.data.mnist{ root = dir, split = "test", T = 4 }
function go(o)
	o.net = o.net or tiny.network()
	o.data, o.test, o.batch = ds, te, 8
	o.epochs = o.epochs or 100000
	return snn.train(o)
end
EOF
type_line "'$snnwb'"
wait_for -x 'snnwb>' && type_line "dofile('$tmp/tiny.lua')" &&
    type_line 'job = go{}' && wait_for -e '^ job 1 running.*ETA' &&
    type_line 'job:pause()' && wait_for -x 'paused' &&
    wait_for -e '^ job 1 paused' && ! head -n 1 "$tmp/screen" | grep -q ETA
ok $? "job:pause() of a training job returns paused, and the ETA goes"
type_line 'job:resume()'
wait_for -x 'running' && wait_for -e '^ job 1 running.*ETA'
ok $? "job:resume() returns running, and the ETA comes back"
complete 'job:' 'Tab Tab' 'pause  *resume  *stop  *wait' \
    "Tab Tab lists a job's methods"
complete 'ds:' 'Tab Tab' 'get  *ids  *labels  *root  *select  *split' \
    "Tab Tab lists a data set's methods"
type_line 'o = snn.optim.adam{}'
complete 'o.' 'Tab Tab' 'betas  *eps  *lr  *name  *schedule  *weight_decay' \
    "Tab Tab lists an optimizer's settings"
type_line 'n1 = tiny.network()'
complete 'n1:summ' 'Tab' 'snnwb> n1:summary(' \
    "Tab completes a network's method"
t send-keys -t tui -l 'snn.zeros{2}:'
t send-keys -t tui Tab Tab
sleep 0.3
! screen | grep -q collectgarbage
ok $? "Tab after a call's : offers no global names"
clear_line
type_line 'job:stop()'
wait_for -x 'stopping' &&
    wait_for -e '^job 1 stopped after [0-9]* of 100000 epochs: train acc' &&
    type_line 'job.state' && wait_for -x 'stopped'
ok $? "job:stop() ends the job as stopped, said in the log"
type_line 'job = go{on_epoch = function(s) return s.epoch < 6 end}'
wait_for -e '^job 2 stopped after 6 of 100000 epochs: train accuracy' &&
    type_line '6*9' && wait_for -x '54'
ok $? "on_epoch returning false: stopped after its epoch; a zero loss \
charted on the log scale"
type_line 'job = go{on_epoch = function(s) if s.epoch == 2 then'\
' error("hook broke") end end}'
wait_for -x 'job 3 failed: on_epoch: stdin:1: hook broke' &&
    type_line 'job.state, job.error' &&
    wait_for -x 'failed  *on_epoch: stdin:1: hook broke'
ok $? "an error in on_epoch: the log shows it, job.state is failed"
type_line 'job = go{}'
type_line 'job:wait()'
sleep 0.5
t send-keys -t tui C-c
wait_for -e '^job 4 stopped after [0-9]* of 100000 epochs' &&
    wait_for -x 'stdin:1: interrupted (job 4 stopped)' &&
    type_line 'job.state' && wait_for -x 'stopped'
ok $? "Ctrl-C in job:wait() stops the job, said as stopped"
type_line 'net = tiny.network(); job = go{net = net, on_epoch = function(s)'\
' assert(net:save(dir .. "/e" .. s.epoch)); print("eval", s.epoch,'\
' snn.evaluate{net = net, data = te}.accuracy); return s.epoch < 3 end}'
wait_for -e '^job 5 stopped after 3 of 100000 epochs' &&
    type_line 'n2 = tiny.network(); n2:load(dir .. "/e3")' &&
    type_line 'print("same", snn.evaluate{net = n2, data = te}.loss =='\
' snn.evaluate{net = net, data = te}.loss)' && wait_for -x 'same  *true' &&
    grep -q '^eval  *3  *[0-9.]*$' "$tmp/screen"
ok $? "on_epoch in the session saves and evaluates the network it trains"
type_line 'job = go{on_epoch = function() local t0 = snn.clock()'\
' repeat until snn.clock() - t0 > 0.2 end}'
wait_for -e '^ job 6 running' && sleep 1 && t send-keys -t tui C-c &&
    wait_for -e 'stop job 6? (y/n)' && t send-keys -t tui n && sleep 0.5 &&
    type_line 'job.state' && wait_for -x 'running' &&
    ! grep -q interrupted "$tmp/screen"
ok $? "Ctrl-C while on_epoch runs reaches the prompt, not the hook"
type_line 'job:stop()'
wait_for -e '^job 6 stopped after'
type_line 'job = go{on_epoch = function() while true do end end}'
sleep 1
t send-keys -t tui C-c && sleep 0.3 && t send-keys -t tui C-c &&
    wait_for -e '^job 7 failed: on_epoch: .*interrupted' &&
    type_line '6*7' && wait_for -x '42'
ok $? "a second Ctrl-C stops an on_epoch hook that never returns"
type_line 'job = go{on_epoch = function()'\
' io.popen("trap \"\" INT; sleep 20"):read("a") end}'
sleep 1
t send-keys -t tui C-c && sleep 0.3 && t send-keys -t tui C-c && sleep 0.3 &&
    t send-keys -t tui C-c && wait_until last_line '$' &&
    type_line 'echo int-$?' && wait_for -x 'int-130'
ok $? "a third Ctrl-C ends snnwb while a hook waits outside Lua"

if [ ! -d "$nmnist" ]; then
	tap_missing 5 "$nmnist"
	tap_done
fi
type_line "'$snnwb'"
wait_for -x 'snnwb>'
net='net = snn.sequential{snn.flatten(), snn.linear(2312, 100, {bias=false}),'
net="$net"' snn.lif{}, snn.linear(100, 10, {bias=false}), snn.lif{}}'
type_line "$net"
type_line 'ds = snn.data.nmnist{root=os.getenv("SNNWB_NMNIST"), split="train",'\
' frames=10}'
type_line 'job = snn.train{net=net, data=ds, epochs=500, batch=32}'
wait_for -e '^ job 1 running.*epoch' && wait_for -e 'spike rate' &&
    wait_for -e 'surrogate-gradient sparsity' && a=$(progress) &&
    sleep 1 && b=$(progress) && [ -n "$a" ] && [ "$b" -gt "$a" ] &&
    type_line '1+1' && wait_for -x '2' &&
    screen | head -n 1 | grep -q 'job 1 running'
ok $? "a job trains in the background while the prompt answers"
type_line 'job:pause()'
wait_for -x 'paused' && wait_for -e '^ job 1 paused' &&
    ! head -n 1 "$tmp/screen" | grep -q 'ETA' && a=$(progress) &&
    sleep 1 && b=$(progress) && [ -n "$a" ] && [ "$a" = "$b" ]
ok $? "job:pause() says paused, the job stops and its ETA goes"
type_line 'job:resume()'
wait_for -x 'running' && wait_for -e '^ job 1 running.*ETA'
ok $? "job:resume() says running and the ETA comes back"
t send-keys -t tui C-c && wait_for -e 'stop job 1? (y/n)' &&
    t send-keys -t tui y && wait_for -e '^ job 1 stopped' &&
    wait_for -e '^job 1 stopped after'
ok $? "Ctrl-C stops the job"
t send-keys -t tui Tab Tab Tab Tab
wait_for -e '^membrane histogram (H - threshold)' &&
    ! grep -q 'no data (snn' "$tmp/screen"
ok $? "four Tabs make the job's membrane histogram the large chart"
t send-keys -t tui C-d
tap_done
