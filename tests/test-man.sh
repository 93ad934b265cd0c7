#!/bin/sh
# test-man.sh: the man pages are clean under mandoc -Tlint -W warning
# (skipped when configure found no mandoc).
srcdir=${SNNWB_SRCDIR:-.}
if [ -z "$MANDOC" ] || [ ! -x "$MANDOC" ]; then
	echo "1..0 # SKIP mandoc not found"
	exit 0
fi
echo "1..2"
n=0
failed=0
for page in snnwb.1 snnwb-lua.7; do
	n=$((n + 1))
	if out=$("$MANDOC" -Tlint -W warning "$srcdir/man/$page" 2>&1) &&
	    [ -z "$out" ]; then
		echo "ok $n - $page lints clean"
	else
		echo "not ok $n - $page"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=1
	fi
done
exit $failed
