#!/bin/sh
# test-examples.sh: the CIFAR-10 examples run end to end in a few seconds
# on the 1,000 exact test images of ../shared (as both splits), so that
# they cannot rot: cifar10_wrn.lua trains and reports its accuracy and run
# directory; cifar10_qcfs.lua trains a QCFS network, converts it, and
# prints the accuracy for each t and the spike rate of each layer, with
# the run directory holding accuracy.csv and accuracy.svg.
snnwb=${SNNWB:-./snnwb}
src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$src/tests/tap.sh"
images=${SNNWB_SHARED:-../shared}/datasets/cifar10/lossless/test_first1000.bin.gz
tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$images" ]; then
	tap_missing 4 "$images"
	tap_done
	exit
fi

"$snnwb" -q -e "$src/lua/examples/cifar10_wrn.lua" --quick --root "$images" \
    --epochs 1 --subset 256 --run-dir "$tmp/wrn" >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "cifar10_wrn.lua --quick trains an epoch" \
    '^epoch   1  loss' '^test accuracy: final' "^run directory: $tmp/wrn"
tap_ok "$([ -f "$tmp/wrn/checkpoint.safetensors" ]; echo $?)" \
    "cifar10_wrn.lua writes its checkpoint"

"$snnwb" -q -e "$src/lua/examples/cifar10_qcfs.lua" --quick --root "$images" \
    --epochs 1 --subset 256 --images 64 --T 8 --run-dir "$tmp/qcfs" \
    >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "cifar10_qcfs.lua --quick trains, converts and \
simulates" '^ANN (qcfs) accuracy: ' '^SNN, 64 images' '^     8  ' \
    '^  layer3.act  '
tap_ok "$([ -f "$tmp/qcfs/snn/accuracy.csv" ] &&
    [ -f "$tmp/qcfs/snn/accuracy.svg" ]; echo $?)" \
    "cifar10_qcfs.lua writes accuracy.csv and accuracy.svg"
tap_done
