#!/bin/sh
# data.sh: the data-speed benchmark. Runs bench-data (snnwb's C reader and
# integration) and frames_numpy.py (the same work in numpy, checked first
# against SpikingJelly's frames when the reference folder is there) on the
# same recordings, one after the other, and prints how many times faster C
# is for each measurement ("perframe_" rows: numpy with SpikingJelly's one
# bincount per frame, against C's integration). Run it on an idle machine.
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
/_us / {
	key = $1
	sub(/^perframe_/, "integrate_", key)
	if (!(key in c))
		c[key] = $2
	else
		printf "%-22s %6.1fx  (C %.2f us, numpy %.2f us)\n",
		    $1, $2 / c[key], c[key], $2
}'
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
echo "== reproduce"
echo "sh $here/data.sh $bin $root"
