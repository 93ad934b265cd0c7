#!/bin/sh
# test-simulate-dvs.sh: datasets/simulate-cifar10-dvs as TAP: usage errors
# (exit 2), a missing CIFAR-10 file or snnwb (exit 1), then, with the
# built snnwb and the exact CIFAR-10 test images from ../shared, a small
# set in the published layout that snn.data.cifar10_dvs reads back.

src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
script="$src/datasets/simulate-cifar10-dvs"
shared=${SNNWB_SHARED:-../shared}
. "$src/tests/tap.sh"

# Runs the script with the remaining arguments; sets rc, leaves stdout
# and stderr together in output.
run() {
	sh "$script" "$@" >"$tmp/output" 2>&1
	rc=$?
}

# expect STATUS NAME TEXT...: passes when the last run exited with STATUS
# and its output contains every TEXT.
expect() {
	tap_expect "$tmp/output" "$rc" "$@"
}

tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT
HOME=$tmp
export HOME

run
expect 2 "no OUT_DIR: usage" "give one OUT_DIR" "usage:"
run --images abc "$tmp/x"
expect 2 "a count that is not a number refused" \
    "--images needs a whole number, not 'abc'"
run --images 0 "$tmp/x"
expect 2 "nothing to simulate refused" "nothing to simulate"
run --colour 3 "$tmp/x"
expect 2 "an unknown option refused" "unknown option --colour"
run --cifar "$tmp/none.bin" "$tmp/x"
expect 1 "a missing CIFAR-10 file named" "$tmp/none.bin: no such file"

cifar="$shared/datasets/cifar10/lossless/test_first1000.bin.gz"
if [ ! -x "${SNNWB:-}" ]; then
	tap_skip 4 "no built snnwb (set SNNWB)"
elif [ ! -f "$cifar" ]; then
	tap_missing 4 "$cifar"
else
	run --images 30 --seed 2 --cifar "$cifar" "$tmp/sim"
	expect 0 "30 recordings simulated, numbers printed" \
	    "30 recordings of $cifar in $tmp/sim:" "1.20 s each"
	# The labels of CIFAR-10 test images 0..29, counted per class.
	got=$(cd "$tmp/sim" && for c in *; do
		printf '%s=%s ' "$c" "$(ls "$c" | wc -l | tr -d ' ')"; done)
	want="airplane=4 automobile=2 bird=1 cat=2 deer=2 dog=3 frog=5"
	want="$want horse=3 ship=4 truck=4 "
	[ "$got" = "$want" ]
	tap_ok $? "published layout, per class: $got" "$tmp/output"
	cat >"$tmp/read.lua" <<'EOF'
local root = ...
local tr = snn.data.cifar10_dvs{root = root, size = 48, cache = false,
    train_ratio = 0.5}
local te = snn.data.cifar10_dvs{root = root, split = "test", size = 48,
    cache = false, train_ratio = 0.5}
local x, y = te:get(1)
local s = x:shape()
print(("train %d test %d shape %d %d %d %d label %d"):format(#tr, #te,
    s[1], s[2], s[3], s[4], y))
for _, o in ipairs{ { size = 200 }, { split_by = "duration" },
    { split = "val" }, { colour = 1 } } do
	o.root = root
	print(select(2, pcall(snn.data.cifar10_dvs, o)))
end
EOF
	"$SNNWB" -e "$tmp/read.lua" "$tmp/sim" >"$tmp/output" 2>&1
	rc=$?
	expect 0 "snn.data.cifar10_dvs reads them: ceil(n / 2) a class train" \
	    "train 17 test 13 shape 10 2 48 48 label 0"
	expect 0 "snn.data.cifar10_dvs refuses bad options by name" \
	    "argument 'size' must be 1 to 128 (got 200)" \
	    "argument 'split_by' must be \"number\" or \"time\"" \
	    "CIFAR10-DVS split \"val\": want \"train\" or \"test\"" \
	    "colour"
fi
tap_done
