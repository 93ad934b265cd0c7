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
# equal to the result's), and, when the shared N-MNIST
# subset is there, a background training job: charts, a growing progress
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

tap_plan 40

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

t send-keys -t tui -l 'dofile("lua/examples/quick'
t send-keys -t tui Tab
wait_for -x 'snnwb> dofile("lua/examples/quickstart.lua"'
ok $? "Tab completes a path with / inside a string"
t send-keys -t tui C-c
t send-keys -t tui -l 'f = "lua/'
t send-keys -t tui Tab Tab
wait_for -x 'examples  *notes.txt  *prelude.lua'
ok $? "Tab Tab lists the folder's entries, whole names"
t send-keys -t tui C-c
type_line 'x = snn.zeros{2}'
t send-keys -t tui -l 'x:resh'
t send-keys -t tui Tab
wait_for -x 'snnwb> x:reshape('
ok $? "Tab completes a tensor's method"
t send-keys -t tui C-c
type_line 's = snn.surrogate.atan()'
t send-keys -t tui -l 's:'
t send-keys -t tui Tab Tab
wait_for -x 'grad  *primitive  *spike'
ok $? "Tab Tab lists a surrogate's methods"
t send-keys -t tui C-c

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
t send-keys -t tui C-c
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
wait_for -x '>>' && t send-keys -t tui C-c && type_line '3*5' &&
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
    grep -q '⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉' "$tmp/screen"
ok $? "the accuracy against t is charted with the ANN's"
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
t send-keys -t tui C-d
wait_for -x '\$'

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
