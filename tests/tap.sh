# tap.sh: TAP helpers for the shell tests, sourced by each of them as
# ${SNNWB_SRCDIR:-$(dirname "$0")/..}/tests/tap.sh. A test reports each
# check with tap_ok (or tap_expect, tap_skip, tap_missing) and ends with
# tap_done; the plan comes first when it calls tap_plan, else last.
# automake's tap-driver.sh reads what they print.

tap_n=0
tap_failed=0
tap_planned=

# tap_plan N: prints the plan up front, for a test that knows its count.
tap_plan() {
	echo "1..$1"
	tap_planned=1
}

# tap_ok STATUS NAME [FILE...]: reports one test, passing when STATUS is 0;
# a failure shows each FILE as '# ' diagnostics, every line led by the
# file's name when there are several.
tap_ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
		return 0
	fi
	echo "not ok $tap_n - $2"
	tap_failed=1
	shift 2
	for tap_diag; do
		tap_lead='# '
		[ $# -gt 1 ] && tap_lead="# ${tap_diag##*/}: "
		awk -v lead="$tap_lead" '{ print lead $0 }' "$tap_diag"
	done
}

# tap_expect FILE GOT WANT NAME [PATTERN...]: reports one test, passing when
# the exit status GOT is WANT and FILE matches every PATTERN (a grep basic
# regular expression); the name gets "(exit GOT)" and a failure shows FILE.
tap_expect() {
	tap_file=$1
	tap_got=$2
	tap_want=$3
	tap_name=$4
	shift 4
	tap_status=0
	[ "$tap_got" -eq "$tap_want" ] || tap_status=1
	for tap_pattern; do
		grep -q -- "$tap_pattern" "$tap_file" || tap_status=1
	done
	tap_ok $tap_status "$tap_name (exit $tap_got)" "$tap_file"
}

# tap_skip N REASON: reports N tests skipped for REASON.
tap_skip() {
	tap_i=0
	while [ $tap_i -lt "$1" ]; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP $2"
		tap_i=$((tap_i + 1))
	done
}

# tap_missing N PATH: reports the N tests that need the missing fixture
# PATH: failed when $SNNWB_REQUIRE_SHARED is "yes" (CI, make distcheck),
# else skipped.
tap_missing() {
	if [ "${SNNWB_REQUIRE_SHARED:-}" != yes ]; then
		tap_skip "$1" "fixture $2 not found (set SNNWB_SHARED)"
		return
	fi
	tap_i=0
	while [ $tap_i -lt "$1" ]; do
		tap_ok 1 "fixture $2 exists (SNNWB_REQUIRE_SHARED=yes)"
		tap_i=$((tap_i + 1))
	done
}

# tap_skip_all REASON: skips the whole test for REASON and exits 0.
tap_skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# tap_done: prints the plan unless tap_plan did, then exits 1 when a test
# failed, else 0.
tap_done() {
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	exit $tap_failed
}
