#!/bin/sh
# test-lua.sh: runs every tests/lua/test-*.lua through snnwb -e and reports
# each of its TAP points as one point here, named after the file, numbered
# anew. A file that exits nonzero without a failed point, or ends before
# printing a plan that matches its points, adds a failed point showing its
# output.
srcdir=${SNNWB_SRCDIR:-$(dirname "$0")/..}
snnwb=${SNNWB:-./snnwb}
LUA_PATH="$srcdir/tests/lua/?.lua;;"
export LUA_PATH
. "$srcdir/tests/tap.sh"

set -- "$srcdir"/tests/lua/test-*.lua
[ -f "$1" ] || tap_skip_all "no tests/lua/test-*.lua under $srcdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-lua.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for file; do
	"$snnwb" -e "$file" >"$tmp/out" 2>&1
	status=$?
	name=${file##*/}
	points=0
	failed=0
	plan=
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)
			tap_skip 1 "$name: ${line#*# SKIP }" ;;
		"ok "*)
			tap_ok 0 "$name: ${line#ok * - }" ;;
		"not ok "*)
			failed=$((failed + 1))
			tap_ok 1 "$name: ${line#not ok * - }" ;;
		1..*)
			plan=${line#1..}
			continue ;;
		"#"*)
			echo "$line"
			continue ;;
		*)
			echo "# $line"
			continue ;;
		esac
		points=$((points + 1))
	done <"$tmp/out"
	if [ -z "$plan" ]; then
		tap_ok 1 "$name: ran to its plan (exit status $status after \
$points points)" "$tmp/out"
	elif [ "$plan" != "$points" ]; then
		tap_ok 1 "$name: plan 1..$plan matches its $points points" \
		    "$tmp/out"
	elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		tap_ok 1 "$name: exit status $status" "$tmp/out"
	fi
done
tap_done
