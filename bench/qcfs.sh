#!/bin/sh
# qcfs.sh: converted networks simulated for T steps, snnwb against PyTorch:
# the QCFS author's ResNet-20 checkpoint, and a WRN-16-4 with qcfs
# activations (random weights, thresholds 2, written by snnwb for both).
# Runs bench/qcfs.lua (snnwb) and bench/qcfs_torch.py (the author's own
# model when REPO names a checkout of putshua/ANN_SNN_QCFS, else a faithful
# rewrite; the WRN in the author's loop) on the same images, T, batch and
# threads, ROUNDS times one after the other, and prints for each network
# the best images x steps per second of each side, snnwb's ratio, the
# accuracy at T, and snnwb's speed without its sparse path, its spike rate
# per layer and time per step by module kind. Run it on an idle machine.
#
# usage: qcfs.sh SNNWB [CHECKPOINT [IMAGES [THREADS [T [B [NBATCH [ROUNDS [REPO]]]]]]]]
#   CHECKPOINT  default ../shared/reference/qcfs/resnet20-L4.pth
#   IMAGES      default ../shared/datasets/cifar10/lossless/test_first1000.bin.gz
#   THREADS 2, T 32, B 64, NBATCH 3 timed batches, ROUNDS 2
# PYTHON picks the interpreter (default /usr/bin/python3, which has torch).
set -e

here=$(cd "$(dirname "$0")" && pwd)
snnwb=${1:?usage: qcfs.sh SNNWB [CHECKPOINT [IMAGES [THREADS [T [B [NBATCH [ROUNDS [REPO]]]]]]]]}
shared=$here/../../shared
ckpt=${2:-$shared/reference/qcfs/resnet20-L4.pth}
images=${3:-$shared/datasets/cifar10/lossless/test_first1000.bin.gz}
threads=${4:-2}
T=${5:-32}
batch=${6:-64}
nbatch=${7:-3}
rounds=${8:-2}
repo=${9:-}
python=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-qcfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for model in resnet20 wrn16-4; do
	file=$ckpt
	[ "$model" = resnet20 ] || file=$tmp/$model.safetensors
	r=1
	while [ "$r" -le "$rounds" ]; do
		HOME=$tmp "$snnwb" -q --threads "$threads" -e \
		    "$here/qcfs.lua" "$model" "$file" "$images" "$T" "$batch" \
		    "$nbatch" >"$tmp/snnwb.$r"
		OMP_NUM_THREADS=$threads "$python" "$here/qcfs_torch.py" \
		    "$threads" "$model" "$file" "$images" "$T" "$batch" \
		    "$nbatch" ${repo:+--repo "$repo"} >"$tmp/torch.$r"
		r=$((r + 1))
	done
	echo "$model converted, T = $T, batch $batch, $threads threads," \
	    "$nbatch timed batches, best of $rounds rounds, PyTorch:" \
	    "$(sed -n 's/^model //p' "$tmp/torch.1")" \
	    "($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'))"
	{ sed 's/^/snnwb /' "$tmp"/snnwb.*; sed 's/^/torch /' "$tmp"/torch.*; } |
	    awk '
$2 == "images_steps_per_s" { if ($3 > best[$1]) best[$1] = $3 }
$2 ~ /^accuracy_t/ { acc[$1] = $3; name = $2 }
END {
	printf "%-22s %10s %10s %8s\n", "", "snnwb", "PyTorch", "ratio"
	printf "%-22s %10.1f %10.1f %7.2fx\n", "images x steps / s",
	    best["snnwb"], best["torch"], best["snnwb"] / best["torch"]
	printf "%-22s %10.4f %10.4f\n", name, acc["snnwb"], acc["torch"]
}'
	echo "snnwb without the sparse path, spike rate per layer and" \
	    "milliseconds per step by kind (last round):"
	grep '^dense_\|^conv_ms\|^rate \|^kind_' "$tmp/snnwb.$rounds" |
	    sed 's/^/  /'
done
echo "reproduce: sh $here/qcfs.sh $snnwb $ckpt $images $threads $T $batch" \
    "$nbatch $rounds $repo"
