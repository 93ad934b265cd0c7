#!/bin/sh
# test-man.sh: the man pages are clean under mandoc -Tlint -W warning
# (skipped when configure found no mandoc).
srcdir=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$srcdir/tests/tap.sh"
if [ -z "$MANDOC" ] || [ ! -x "$MANDOC" ]; then
	tap_skip_all "mandoc not found"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-man.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
tap_plan 2
for page in snnwb.1 snnwb-lua.7; do
	"$MANDOC" -Tlint -W warning "$srcdir/man/$page" >"$tmp/lint" 2>&1 &&
	    [ ! -s "$tmp/lint" ]
	tap_ok $? "$page lints clean" "$tmp/lint"
done
tap_done
