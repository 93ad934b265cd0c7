#!/bin/sh
# test-man.sh: the man pages are clean under mandoc -Tlint -W warning
# (skipped when configure found no mandoc), and every block of their
# EXAMPLES sections runs as written. A Lua block runs through snnwb -e; a
# shell block's commands ("$ " lines, with the "snnwb> " and ">> " lines
# after one as its input) run when they name no script or folder of the
# reader's own. The N-MNIST they read is the 1,000-recording subset of
# ../shared as both splits, and snn.train stops after one epoch: the test
# checks that each example works as typed, not how well it trains.
srcdir=${SNNWB_SRCDIR:-$(dirname "$0")/..}
srcdir=$(cd "$srcdir" && pwd)
snnwb=${SNNWB:-./snnwb}
case $snnwb in /*) ;; *) snnwb=$(pwd)/$snnwb ;; esac
. "$srcdir/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-man.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

for page in snnwb.1 snnwb-lua.7; do
	if [ -z "$MANDOC" ] || [ ! -x "$MANDOC" ]; then
		tap_skip 1 "mandoc not found"
		continue
	fi
	"$MANDOC" -Tlint -W warning "$srcdir/man/$page" >"$tmp/lint" 2>&1 &&
	    [ ! -s "$tmp/lint" ]
	tap_ok $? "$page lints clean" "$tmp/lint"
done

# Writes each literal block (.Bd -literal to .Ed, or one .Dl line) of the
# EXAMPLES section of page $1 into $tmp/ex/$1.N, with mdoc's escapes undone.
mkdir "$tmp/ex"
extract() {
	awk -v out="$tmp/ex/$1" '
	function text(s) {
		gsub(/\\-/, "-", s)
		gsub(/\\&/, "", s)
		gsub(/\\\(dq/, "\"", s)
		gsub(/\\e/, "\\", s)
		return s
	}
	/^\.Sh / { in_ex = $0 == ".Sh EXAMPLES"; next }
	!in_ex { next }
	/^\.Bd -literal/ { n++; lit = 1; next }
	/^\.Ed/ { lit = 0; next }
	lit { print text($0) > (out "." n); next }
	/^\.Dl / { n++; print text(substr($0, 5)) > (out "." n) }
	' "$srcdir/man/$1"
}
extract snnwb.1
extract snnwb-lua.7

# The home, the data and the prelude the examples run with.
mkdir -p "$tmp/home/.config/snnwb" "$tmp/run" "$tmp/data/nmnist"
HOME=$tmp/home
XDG_CONFIG_HOME=$tmp/home/.config
XDG_DATA_HOME=$tmp/home/.local/share
export HOME XDG_CONFIG_HOME XDG_DATA_HOME
subset=${SNNWB_SHARED:-$srcdir/../shared}/datasets/nmnist-subset
if [ -d "$subset/Train" ]; then
	ln -s "$subset/Train" "$tmp/data/nmnist/Train"
	ln -s "$subset/Train" "$tmp/data/nmnist/Test"
	SNNWB_DATA=$tmp/data
	export SNNWB_DATA
fi
cat >"$tmp/prelude.lua" <<'EOF'
local train = snn.train
snn.train = function(o)
	if type(o) == "table" then
		o.epochs = 1
	end
	return train(o)
end
EOF
SNNWB_INIT=$tmp/prelude.lua
export SNNWB_INIT

# Runs the command line $1 in $tmp/run with snnwb from the build, standard
# input from $2; reports it as test $3.
run_shell() {
	cmd=$(printf '%s\n' "$1" | sed "s#\\(^\\|| *\\)snnwb#\\1\"\$snnwb\"#g")
	(cd "$tmp/run" && ln -sf "$srcdir/lua" . && eval "$cmd") <"$2" \
	    >"$tmp/out" 2>&1
	status=$?
	grep -q 'error\|stack traceback' "$tmp/out" && status=1
	tap_ok $status "$3: \$ $1" "$tmp/out"
}

# Runs the shell block $1 (named $2): each "$ " command with its
# continuation lines and the session lines that follow it as its input.
shell_block() {
	: >"$tmp/cmds"
	awk -v dir="$tmp" '
	function flush() {
		if (cmd == "")
			return
		n++
		print cmd > (dir "/cmd." n)
		printf "" > (dir "/in." n)
		if (input != "")
			printf "%s", input > (dir "/in." n)
		print n > (dir "/cmds")
		cmd = input = ""
	}
	/^\$ / { flush(); cmd = substr($0, 3); next }
	/^snnwb> / { input = input substr($0, 8) "\n"; next }
	/^>> / { input = input substr($0, 4) "\n"; next }
	/^[ \t]/ && cmd != "" && input == "" { sub(/^[ \t]+/, " "); cmd = cmd $0 }
	END { flush() }
	' "$1"
	while read -r i; do
		cmd=$(cat "$tmp/cmd.$i")
		script=$(printf '%s\n' "$cmd" | sed -n 's/.*-e \([^ ]*\).*/\1/p')
		root=$(printf '%s\n' "$cmd" | sed -n 's/.*--root \([^ ]*\).*/\1/p')
		if [ -n "$script" ] && [ "$script" != - ] &&
		    [ ! -f "$srcdir/$script" ]; then
			tap_skip 1 "$2: \$ $cmd: $script is the reader's script"
		elif [ -n "$root" ] && [ ! -d "$tmp/run/$root" ]; then
			tap_skip 1 "$2: \$ $cmd: $root is the reader's folder"
		elif grep -q nmnist "$tmp/in.$i" && [ -z "$SNNWB_DATA" ]; then
			tap_missing 1 "$subset"
		else
			# The session reads its lines without a terminal.
			[ "$cmd" = snnwb ] && [ -s "$tmp/in.$i" ] && cmd="snnwb -i"
			run_shell "$cmd" "$tmp/in.$i" "$2"
		fi
	done <"$tmp/cmds"
}

# Runs the Lua block $1 (named $2) through snnwb -e: it must succeed, and
# print no bare zero (an example computed on nothing).
lua_block() {
	if grep -q 'snn\.data\.nmnist' "$1" && [ -z "$SNNWB_DATA" ]; then
		tap_missing 1 "$subset"
		return
	fi
	{ cat "$tmp/prelude.lua"; cat "$1"; } >"$tmp/block.lua"
	(cd "$tmp/run" && "$snnwb" -e "$tmp/block.lua") </dev/null \
	    >"$tmp/out" 2>&1
	status=$?
	grep -qx '0\(\.0\)*' "$tmp/out" && status=1
	tap_ok $status "$2: $(head -n 1 "$1" | sed 's/^[ \t]*//')" \
	    "$1" "$tmp/out"
}

for block in "$tmp"/ex/*; do
	name=${block##*/}
	if head -n 1 "$block" | grep -q '^\$ '; then
		shell_block "$block" "$name"
	else
		lua_block "$block" "$name"
	fi
done
tap_done
