#!/bin/sh
# test-isa.sh: the numerical test programs once more at each instruction-set
# level of cpu.c (SNNWB_ISA=plain, ssse3, avx2, avx512), so that every
# kernel variant the processor can run is tested whatever level the other
# runs of make check got. A level the processor lacks is skipped with
# snnwb's warning as the reason. Each program's points are reported here,
# renumbered and led by the level and the program's name; a program that
# exits non-zero or runs fewer points than it planned fails one more.
srcdir=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$srcdir/tests/tap.sh"
snnwb=${SNNWB:-./snnwb}
builddir=$(dirname "$snnwb")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-isa.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

programs="core surrogate neuron loss net optim nmnist frames loader sim
train sparse"

# relay LEVEL PROGRAM STATUS: reports the TAP output of PROGRAM, in
# $tmp/out, as points of this test from tap_n + 1 on, and sets tap_n and
# tap_failed.
relay() {
	awk -v n="$tap_n" -v lead="$1 $2:" -v status="$3" \
	    -v state="$tmp/state" '
	/^(not )?ok( |$)/ {
		bad = /^not /
		failed += bad
		rest = $0
		sub(/^(not )?ok( [0-9]+)?( -)?/, "", rest)
		print (bad ? "not ok " : "ok ") ++n " - " lead rest
		ran++
		next
	}
	/^1\.\.[0-9]+/ {
		planned = $0
		sub(/^1\.\./, "", planned)
		sub(/[^0-9].*/, "", planned)
		if (planned == 0 && $0 ~ /# *[Ss][Kk][Ii][Pp]/) {
			reason = $0
			sub(/^[^#]*# *[Ss][Kk][Ii][Pp][^ ]* */, "", reason)
			print "ok " ++n " - " lead " # SKIP " reason
		}
		next
	}
	/^#/ { print; next }
	{ print "# " $0 }
	END {
		if (planned == "" || planned + 0 != ran) {
			print "not ok " ++n " - " lead " ran " ran \
			    " of the " (planned == "" ? "(no plan)" : planned) \
			    " points planned"
			failed++
		} else if (status != 0 && failed == 0) {
			print "not ok " ++n " - " lead " exit status " status
			failed++
		}
		print n, failed > state
	}' "$tmp/out"
	read -r tap_n failed <"$tmp/state"
	[ "$failed" -eq 0 ] || tap_failed=1
}

for isa in plain ssse3 avx2 avx512; do
	level=$(SNNWB_ISA=$isa "$snnwb" -v 2>"$tmp/err" |
	    sed -n 's/^snnwb .*, \([a-z0-9]*\) kernels)$/\1/p')
	if [ "$level" != "$isa" ]; then
		# Only a level this processor lacks may be skipped.
		if [ -n "$level" ] && grep -q "lacks" "$tmp/err"; then
			tap_skip 1 "$(sed 's/^snnwb: warning: //' "$tmp/err")"
		else
			said="snnwb -v says '$level' kernels"
			tap_ok 1 "SNNWB_ISA=$isa: $said" "$tmp/err"
		fi
		continue
	fi
	for p in $programs; do
		SNNWB_ISA=$isa "$builddir/tests/test-$p" >"$tmp/out" 2>&1
		relay "$isa" "test-$p" $?
	done
done
tap_done
