#!/bin/sh
# test-simulate.sh: datasets/simulate-nmnist as TAP: usage errors (exit 2)
# naming the bad argument, a missing MNIST folder or snnwb (exit 1), then,
# with the built snnwb and MNIST from ../shared, a tiny set written in the
# official layout, a second run that reuses it, and a run with another
# seed refused because the folder holds other recordings.

src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
src=$(cd "$src" && pwd)
script="$src/datasets/simulate-nmnist"
shared=${SNNWB_SHARED:-../shared}
. "$src/tests/tap.sh"

# Runs the script with the remaining arguments; sets rc, leaves its
# output in out and err, and both, stdout first, in output.
run() {
	sh "$script" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/out" "$tmp/err" >"$tmp/output"
}

# expect STATUS NAME TEXT...: passes when the last run exited with STATUS
# and its stdout or stderr contains every TEXT.
expect() {
	tap_expect "$tmp/output" "$rc" "$@"
}

tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT

run
expect 2 "no OUT_DIR: usage" "give one OUT_DIR" "usage:"
run --train abc "$tmp/x"
expect 2 "a count that is not a number refused" \
    "--train needs a whole number, not 'abc'"
run --test 10001 "$tmp/x"
expect 2 "more test images than MNIST has refused" \
    "--test is 10001, at most 10000"
run --seed -3 "$tmp/x"
expect 2 "a negative seed refused" "--seed needs a whole number"
run "$tmp/x" --test
expect 2 "OUT_DIR before the options: one OUT_DIR only" "give one OUT_DIR"
run --test
expect 2 "an option without its value refused" "--test needs a value"
run --frames 10 "$tmp/x"
expect 2 "an unknown option refused" "unknown option --frames"
run --train 0 --test 0 "$tmp/x"
expect 2 "nothing to simulate refused" "nothing to simulate"
run --mnist "$tmp/none" "$tmp/x"
expect 1 "a missing MNIST folder named" "$tmp/none: no such folder"
keep=${SNNWB:-}
SNNWB="$tmp/no-snnwb"
export SNNWB
run --train 1 --mnist "$tmp" "$tmp/x"
SNNWB=$keep
[ "$rc" -eq 1 ] && [ ! -e "$tmp/x" ]
tap_ok $? "SNNWB naming no program: failure, nothing written (exit $rc)" \
    "$tmp/output"

mnist="$shared/datasets/mnist"
if [ ! -x "${SNNWB:-}" ]; then
	tap_skip 9 "no built snnwb (set SNNWB)"
elif [ ! -f "$mnist/train-images-idx3-ubyte.gz" ]; then
	tap_missing 9 "$mnist/train-images-idx3-ubyte.gz"
else
	run --train 3 --test 2 --seed 4 --mnist "$mnist" "$tmp/sim"
	expect 0 "3 train and 2 test recordings simulated" \
	    "simulated N-MNIST: 3 train and 2 test recordings"
	got=$(cd "$tmp/sim" && find Train Test -name '*.bin' | sort |
	    tr '\n' ' ')
	[ "$got" = "Test/2/00002.bin Test/7/00001.bin \
Train/0/00002.bin Train/4/00003.bin Train/5/00001.bin " ]
	tap_ok $? "official layout, ids the 1-based MNIST indices: $got" \
	    "$tmp/output"
	run --train 3 --test 2 --seed 4 --mnist "$mnist" "$tmp/sim"
	expect 0 "the same settings again: reused" "nothing to do"
	run --train 3 --test 2 --seed 5 --mnist "$mnist" "$tmp/sim"
	expect 1 "another seed into the same folder refused" \
	    "already holds recordings made otherwise"

	mkdir "$tmp/mirror" "$tmp/data" "$tmp/data/mnist"
	SNNWB_MNIST_MIRROR="$tmp/mirror"
	SNNWB_DATA="$tmp/data"
	export SNNWB_MNIST_MIRROR SNNWB_DATA
	run --train 1 --test 0 "$tmp/fetched"
	expect 1 "no MNIST anywhere: fetch runs, and its failure stops it" \
	    "no MNIST found: fetching it" "lacks: train-images-idx3-ubyte"
	(cd "$tmp" && "$SNNWB" -e "$src/lua/examples/quickstart.lua") \
	    >"$tmp/output" 2>&1
	rc=$?
	expect 1 "the quick start's first run says plainly what it does" \
	    "^no N-MNIST found: simulating it from MNIST (one time, about" \
	    "no MNIST found: fetching it (11 MB, one time)"
	! grep -q "no data found" "$tmp/output"
	tap_ok $? "and does not show the data sets' search as an error" \
	    "$tmp/output"
	for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
	    t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
		gzip -dc "$mnist/$f.gz" >"$tmp/data/mnist/$f"
	done
	run --train 1 --test 0 "$tmp/found"
	expect 0 "uncompressed MNIST in \$SNNWB_DATA/mnist found, no fetch" \
	    "simulated N-MNIST: 1 train and 0 test recordings"
	! grep -q fetching "$tmp/err"
	tap_ok $? "and nothing fetched" "$tmp/output"
fi
tap_done
