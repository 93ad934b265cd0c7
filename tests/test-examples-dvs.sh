#!/bin/sh
# test-examples-dvs.sh: the CIFAR10-DVS examples run end to end in
# seconds on 20 recordings simulated here from the first 20 exact CIFAR-10
# test images of ../shared (half of each class for training): 4 frames of
# 16 x 16, blocks of 4 and 8 channels, one epoch. cifar10dvs_surrogate.lua
# trains and prints its epoch, spike rates and multiply-accumulates (the
# count is checked); cifar10dvs_qcfs.lua trains, converts and simulates
# at T = 4 and 8 with the analysis, and with --compare does the same on
# the static images of the same recordings.
snnwb=${SNNWB:-./snnwb}
src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
. "$src/tests/tap.sh"
shared=${SNNWB_SHARED:-../shared}
images=$shared/datasets/cifar10/lossless/test_first1000.bin.gz
tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$images" ]; then
	tap_missing 4 "$images"
	tap_done
fi

SNNWB=$snnwb sh "$src/datasets/simulate-cifar10-dvs" --images 20 \
    --cifar "$images" "$tmp/dvs" >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "20 recordings simulated" \
    "^20 recordings of $images"

small="--root $tmp/dvs --epochs 1 --frames 4 --size 16 --channels 4,8 \
--batch 8 --train-ratio 0.5"
# MACs a frame: conv 2-4 and 4-8 at 16 x 16 and 8 x 8 (18,432 each), the
# readout 8 * 4 * 4 to 10 (1,280).
"$snnwb" -q -e "$src/lua/examples/cifar10dvs_surrogate.lua" --quick \
    $small --run-dir "$tmp/sur" >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "cifar10dvs_surrogate.lua trains an epoch" \
    '10 train, 10 test recordings, 1 epochs of batch 8' \
    '^epoch   1  loss' '^  block2.act  ' '^  readout_act  ' \
    '^  block1.conv  *18432$' '^  readout  *1280$' \
    '^MACs a sample: 38144 a frame x 4 frames = 0.2 million' \
    '^test accuracy: final .*, 4 inference steps' \
    "^run directory: $tmp/sur"

"$snnwb" -q -e "$src/lua/examples/cifar10dvs_qcfs.lua" --quick $small \
    --T 4,8 --compare --cifar "$images" --run-dir "$tmp/qcfs" \
    >"$tmp/out" 2>&1
tap_expect "$tmp/out" $? 0 "cifar10dvs_qcfs.lua trains, converts and \
simulates frames and static images" '^ANN (qcfs) test accuracy: ' \
    '^MACs a sample: 38144 a frame x 4 frames' \
    '^     4            1  ' '^     8            2  ' \
    '^T = 8, 10 images' '^block1.act  ' '^  frame  4  t =    8  ' \
    '^inference MACs: 38144 a step (dense), 0.3 million a sample at T = 8$' \
    '10 train, 10 test$' '^static ANN (qcfs) test accuracy: .*, 0.2 million' \
    '^accuracy against T: DVS frames / static images'
tap_ok "$([ -f "$tmp/qcfs/snn-T8/accuracy.csv" ] &&
    [ -f "$tmp/qcfs/static-snn-T4/layers.csv" ]; echo $?)" \
    "cifar10dvs_qcfs.lua writes the simulations' run directories"
tap_done
