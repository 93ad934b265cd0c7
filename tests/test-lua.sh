#!/bin/sh
# test-lua.sh: runs every tests/lua/test-*.lua through snnwb -e. Each file
# prints its own TAP; here each file is one test, passing when snnwb exits
# 0 with no "not ok" line, and a failing file's output is shown.
srcdir=${SNNWB_SRCDIR:-$(dirname "$0")/..}
snnwb=${SNNWB:-./snnwb}
LUA_PATH="$srcdir/tests/lua/?.lua;;"
export LUA_PATH
. "$srcdir/tests/tap.sh"

set -- "$srcdir"/tests/lua/test-*.lua
[ -f "$1" ] || tap_skip_all "no tests/lua/test-*.lua under $srcdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-lua.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
tap_plan $#
for file; do
	"$snnwb" -e "$file" >"$tmp/out" 2>&1
	status=$?
	name=${file##*/}
	if [ "$status" -eq 0 ] && ! grep -q '^not ok' "$tmp/out"; then
		tap_ok 0 "$name: $(grep -c '^ok' "$tmp/out") passed"
	else
		tap_ok 1 "$name (exit status $status)" "$tmp/out"
	fi
done
tap_done
