#!/bin/sh
# data.sh: the data-speed benchmark. Runs bench-data (snnwb's C reader and
# integration) and frames_numpy.py (the same work in numpy, checked first
# against SpikingJelly's frames when the reference folder is there) on the
# same recordings, one after the other, and prints how many times faster C
# is for each measurement ("perframe_" rows: numpy with SpikingJelly's one
# bincount per frame, against C's integration). Then the ceilings: how many
# times faster than numpy any reader could be that opened, read and closed
# each file and zeroed the frames, and did nothing else (bench-data's
# floor_ passes). Run it on an idle machine.
#
# usage: data.sh BENCH_DATA [NMNIST]
#   BENCH_DATA  the built bench/bench-data program
#   NMNIST      N-MNIST folder with Train/<digit>/<id>.bin
#               (default: ../shared/datasets/nmnist-subset beside the source)
# PYTHON picks the interpreter (default /usr/bin/python3, which has numpy).
set -e

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: data.sh BENCH_DATA [NMNIST]}
root=${2:-$here/../../shared/datasets/nmnist-subset}
python=${PYTHON:-/usr/bin/python3}
ref=$root/../../reference/frames

[ -d "$root/Train" ] || { echo "data.sh: no $root/Train" >&2; exit 1; }
[ -d "$ref" ] || ref=

c=$(OPENBLAS_NUM_THREADS=1 "$bin" "$root")
py=$("$python" "$here/frames_numpy.py" "$root" $ref)

echo "== C (bench-data)"
echo "$c"
echo "== Python + numpy (frames_numpy.py)"
echo "$py"
echo "== numpy time / C time, per recording"
printf '%s\n%s\n' "$c" "$py" | awk '
/^floor_/ {
	floor[$1] = $2
	next
}
/_us / {
	key = $1
	sub(/^perframe_/, "integrate_", key)
	if (!(key in c)) {
		c[key] = $2
		next
	}
	py[$1] = $2
	printf "%-22s %6.1fx  (C %.2f us, numpy %.2f us)\n",
	    $1, $2 / c[key], c[key], $2
}
END {
	zero = floor["floor_zero_us"]
	file = floor["floor_file_us"] + zero
	print "== ceilings: numpy time / floor time (from files: the system " \
	    "calls and zeroing the frames; in memory: zeroing them)"
	split("read_number_us read_time_us", f)
	for (i = 1; i <= 2; i++)
		printf "%-22s %6.1fx  (floor %.2f us)\n", f[i],
		    py[f[i]] / file, file
	split("integrate_number_us integrate_time_us", f)
	for (i = 1; i <= 2; i++)
		printf "%-22s %6.1fx  (floor %.2f us)\n", f[i],
		    py[f[i]] / zero, zero
}'
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
echo "== reproduce"
echo "sh $here/data.sh $bin $root"
