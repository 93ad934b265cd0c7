#!/bin/sh
# train.sh: the training benchmark. Runs bench-train (snnwb) and
# train_torch.py (the same network, data and steps in plain PyTorch) with
# the same number of threads, one after the other, checks that both made
# the same frames, and prints samples per second for training and
# inference at batches of 64 and 128, how many times faster snnwb is, and
# where snnwb's time goes (milliseconds per batch and phase; see the top of
# bench-train.c). Run it on an idle machine: two programs sharing the cores
# with anything else measure the sharing.
#
# usage: train.sh BENCH_TRAIN [NMNIST [THREADS [NBATCH]]]
#   BENCH_TRAIN  the built bench/bench-train program
#   NMNIST       N-MNIST folder with Train/<digit>/<id>.bin
#                (default: ../shared/datasets/nmnist-subset beside the source)
#   THREADS      threads for both (default 2)
#   NBATCH       timed batches per measurement (default 30)
# PYTHON picks the interpreter (default /usr/bin/python3, which has torch).
set -e

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: train.sh BENCH_TRAIN [NMNIST [THREADS [NBATCH]]]}
root=${2:-$here/../../shared/datasets/nmnist-subset}
threads=${3:-2}
nbatch=${4:-30}
python=${PYTHON:-/usr/bin/python3}

[ -d "$root/Train" ] || { echo "train.sh: no $root/Train" >&2; exit 1; }
root=$(cd "$root" && pwd)

c=$("$bin" -t "$threads" -n "$nbatch" "$root")
py=$(OMP_NUM_THREADS=$threads "$python" "$here/train_torch.py" \
    -t "$threads" -n "$nbatch" "$root")

echo "== snnwb (bench-train)"
echo "$c"
echo "== PyTorch (train_torch.py)"
echo "$py"
printf '%s\n==\n%s\n' "$c" "$py" | awk '
BEGIN { torch = 0 }
/^==$/ { torch = 1; next }
/^frames_sum / { sum[torch] = $2 }
/_samples_per_s / {
	split($1, a, "_")
	key = a[1] " B=" a[2]
	if (!torch)
		order[n++] = key
	rate[torch, key] = $2
}
/^(train|infer|prof)_[0-9]+_.*_ms / && !torch {
	split($1, a, "_")
	col = a[1] "_" a[2]
	name = $1
	sub(/^(train|infer|prof)_[0-9]+_/, "", name)
	sub(/_ms$/, "", name)
	if (!(col in seencol)) {
		seencol[col] = 1
		cols[ncol++] = col
	}
	if (!(name in seen)) {
		seen[name] = 1
		names[nname++] = name
	}
	ms[col, name] = $2
}
END {
	if (sum[0] != sum[1])
		printf "WARNING: the frames differ (sums %s and %s)\n",
		    sum[0], sum[1]
	print "== samples per second (targets: train 4x, infer 5x)"
	printf "%-14s %10s %10s %8s\n", "", "snnwb", "torch", "snnwb/torch"
	for (i = 0; i < n; i++) {
		k = order[i]
		printf "%-14s %10.0f %10.0f %8.1fx\n", k, rate[0, k],
		    rate[1, k], rate[0, k] / rate[1, k]
	}
	print "== where snnwb spends a batch (ms)"
	printf "%-10s", ""
	for (j = 0; j < ncol; j++)
		printf " %10s", cols[j]
	printf "\n"
	for (i = 0; i < nname; i++) {
		printf "%-10s", names[i]
		for (j = 0; j < ncol; j++)
			if ((cols[j], names[i]) in ms)
				printf " %10.3f", ms[cols[j], names[i]]
			else
				printf " %10s", "-"
		printf "\n"
	}
}'
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
echo "== reproduce (on an idle machine)"
echo "sh $here/train.sh $bin $root $threads $nbatch"
