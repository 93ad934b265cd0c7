#!/bin/sh
# test-lua.sh: runs every tests/lua/test-*.lua through snnwb -e. Each file
# prints its own TAP; here each file is one test, passing when snnwb exits
# 0 with no "not ok" line, and a failing file's output is shown.
srcdir=${SNNWB_SRCDIR:-.}
snnwb=${SNNWB:-./snnwb}
LUA_PATH="$srcdir/tests/lua/?.lua;;"
export LUA_PATH

set -- "$srcdir"/tests/lua/test-*.lua
if [ ! -f "$1" ]; then
	echo "1..0 # SKIP no tests/lua/test-*.lua under $srcdir"
	exit 0
fi
echo "1..$#"
n=0
failed=0
for file; do
	n=$((n + 1))
	out=$("$snnwb" -e "$file" 2>&1)
	status=$?
	name=${file##*/}
	if [ "$status" -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'
	then
		passed=$(printf '%s\n' "$out" | grep -c '^ok')
		echo "ok $n - $name: $passed passed"
	else
		echo "not ok $n - $name (exit status $status)"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=1
	fi
done
exit $failed
