#!/bin/sh
# fuzz.sh: runs every libFuzzer target that make fuzz built for SECONDS
# (default 30) on a copy of its seeds, tests/corpus/NAME for
# tests/fuzz-NAME, JOBS at a time (default 2), from the build tree:
#	tests/fuzz.sh [SECONDS [JOBS]]
# Each target is one result in tests/fuzz.log (TAP, with libFuzzer's last
# words on a failure) and tests/fuzz.trs, which CI counts with make check's.
# A crash, a leak, a timeout or a target that is missing fails.
set -u
secs=${1:-30}
jobs=${2:-2}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Runs target $1 into $tmp/$1.out and leaves its exit status in $tmp/$1.rc.
run() {
	mkdir "$tmp/$1.corpus" && cp "$srcdir/tests/corpus/$1"/* "$tmp/$1.corpus"
	if [ ! -x "tests/fuzz-$1" ]; then
		echo "tests/fuzz-$1 is missing: run make fuzz" >"$tmp/$1.out"
		echo 1 >"$tmp/$1.rc"
		return
	fi
	"tests/fuzz-$1" -max_total_time="$secs" -timeout=25 \
	    -artifact_prefix="$tmp/$1-" "$tmp/$1.corpus" >"$tmp/$1.out" 2>&1
	echo $? >"$tmp/$1.rc"
}

names=$(cd "$srcdir/tests/corpus" && for d in *; do
	[ -d "$d" ] && echo "$d"
done)
set -- $names
while [ $# -gt 0 ]; do
	k=0
	while [ $# -gt 0 ] && [ $k -lt "$jobs" ]; do
		run "$1" &
		shift
		k=$((k + 1))
	done
	wait
done

n=0
: >tests/fuzz.trs
{
	echo "1..$(echo $names | wc -w)"
	for t in $names; do
		n=$((n + 1))
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$tmp/$t.out")
		if [ "$(cat "$tmp/$t.rc")" -eq 0 ] && [ -n "$runs" ]; then
			echo "ok $n - fuzz-$t: $runs runs in $secs s, no crash"
			echo ":test-result: PASS" >>tests/fuzz.trs
		else
			echo "not ok $n - fuzz-$t failed:"
			tail -40 "$tmp/$t.out" | sed 's/^/# /'
			echo ":test-result: FAIL" >>tests/fuzz.trs
		fi
	done
} >tests/fuzz.log
cat tests/fuzz.log
! grep -q '^not ok' tests/fuzz.log
