#!/bin/sh
# wrn.sh: the WideResNet benchmark. Runs bench/wrn.lua (snnwb) and
# bench/wrn_torch.py (the same network in PyTorch, the same images, batch,
# optimizer and threads) one after the other, ROUNDS times, and prints the
# best images/s of each for training and inference, snnwb's ratio, the peak
# memory of each process, and where snnwb's time goes (milliseconds per
# batch by module kind). Run it on an idle machine.
#
# usage: wrn.sh SNNWB [IMAGES [THREADS [DEPTH [WIDEN [B [NBATCH [ROUNDS]]]]]]]
#   SNNWB    the built snnwb program
#   IMAGES   a CIFAR-10 batch file of at least B * (NBATCH + 1) records
#            (default ../shared/datasets/cifar10/lossless/test_first1000.bin.gz)
#   THREADS  threads for both (default 2); DEPTH, WIDEN the WRN (16, 4);
#   B        the batch (128); NBATCH timed batches (3); ROUNDS (2)
# PYTHON picks the interpreter (default /usr/bin/python3, which has torch).
set -e

here=$(cd "$(dirname "$0")" && pwd)
snnwb=${1:?usage: wrn.sh SNNWB [IMAGES [THREADS [DEPTH [WIDEN [B [NBATCH [ROUNDS]]]]]]]}
images=${2:-$here/../../shared/datasets/cifar10/lossless/test_first1000.bin.gz}
threads=${3:-2}
depth=${4:-16}
widen=${5:-4}
batch=${6:-128}
nbatch=${7:-3}
rounds=${8:-2}
python=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/snnwb-wrn.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

r=1
while [ "$r" -le "$rounds" ]; do
	HOME=$tmp "$snnwb" -q --threads "$threads" -e "$here/wrn.lua" \
	    "$images" "$depth" "$widen" "$batch" "$nbatch" >"$tmp/snnwb.$r"
	OMP_NUM_THREADS=$threads "$python" "$here/wrn_torch.py" "$threads" \
	    "$images" "$depth" "$widen" "$batch" "$nbatch" >"$tmp/torch.$r"
	r=$((r + 1))
done

echo "WRN-$depth-$widen, batch $batch, $threads threads, $nbatch timed" \
    "batches, best of $rounds rounds ($(grep -m1 'model name' \
    /proc/cpuinfo | sed 's/.*: //'))"
cat "$tmp"/snnwb.* | sed 's/^/snnwb /' >"$tmp/all"
cat "$tmp"/torch.* | sed 's/^/torch /' >>"$tmp/all"
awk '
$2 ~ /_images_per_s$/ { if ($3 > best[$1, $2]) best[$1, $2] = $3 }
$2 == "peak_rss_mb" { if ($3 > rss[$1]) rss[$1] = $3 }
END {
	printf "%-10s %12s %12s %8s\n", "", "snnwb", "PyTorch", "ratio"
	n = split("train infer", kinds, " ")
	for (i = 1; i <= n; i++) {
		k = kinds[i] "_images_per_s"
		printf "%-10s %12.1f %12.1f %7.2fx\n", kinds[i] " img/s",
		    best["snnwb", k], best["torch", k],
		    best["snnwb", k] / best["torch", k]
	}
	printf "%-10s %12d %12d %7.2fx\n", "peak MB", rss["snnwb"],
	    rss["torch"], rss["snnwb"] / rss["torch"]
}' "$tmp/all"
echo "snnwb, milliseconds per batch by module kind (last round):"
grep '^kind_' "$tmp/snnwb.$rounds" | sed 's/^kind_/  /; s/_ms / /'
echo "reproduce: sh $here/wrn.sh $snnwb $images $threads $depth $widen" \
    "$batch $nbatch $rounds"
