#!/bin/sh
# test-fetch.sh: datasets/fetch offline, as TAP: usage errors, the N-MNIST
# instructions, checksum failures naming the file and both hashes, missing
# files at a local mirror, files already in place checked, CIFAR-10's
# offline message pointing at the shared copy, and the count check of
# unpacked N-MNIST archives. Never touches the network: every run
# points the script at a local mirror.

src=${SNNWB_SRCDIR:-$(dirname "$0")/..}
fetch="$src/datasets/fetch"
shared=${SNNWB_SHARED:-../shared}
. "$src/tests/tap.sh"

# Runs fetch with the remaining arguments; sets rc and leaves stderr in err.
run() {
	sh "$fetch" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect STATUS NAME TEXT...: passes when the last run exited with STATUS
# and its stderr contains every TEXT.
expect() {
	tap_expect "$tmp/err" "$rc" "$@"
}

tmp=$(mktemp -d) || tap_skip_all "no temporary folder"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/mirror" "$tmp/data"
export SNNWB_MNIST_MIRROR="$tmp/mirror"
export SNNWB_CIFAR10_MIRROR="file://$tmp/mirror/"
export SNNWB_DATA="$tmp/default"

run
expect 2 "no data set: usage" "usage:"
run fashion
expect 2 "unknown data set refused" "unknown data set: fashion"
run nmnist
expect 2 "nmnist without --from says where to get it" \
    "10.17632/468j46mzdv.1" "garrickorchard.com"

printf 'not MNIST\n' >"$tmp/mirror/train-images-idx3-ubyte.gz"
run mnist "$tmp/data"
expect 1 "corrupted download rejected with the file and both hashes" \
    "train-images-idx3-ubyte.gz: checksum mismatch" \
    "expected sha256 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" \
    "got      sha256 $(printf 'not MNIST\n' | sha256sum | cut -d' ' -f1)"
[ ! -e "$tmp/data/train-images-idx3-ubyte.gz" ] &&
    [ ! -e "$tmp/data/train-images-idx3-ubyte.gz.part" ]
tap_ok $? "the rejected download is removed" "$tmp/err"

rm "$tmp/mirror/train-images-idx3-ubyte.gz"
run mnist
expect 1 "a mirror without the files: failure naming them" \
    "lacks: train-images-idx3-ubyte train-labels-idx1-ubyte"
[ -d "$tmp/default/mnist" ]
tap_ok $? "default folder is \$SNNWB_DATA/mnist" "$tmp/err"

printf 'damaged' >"$tmp/data/t10k-labels-idx1-ubyte"
run mnist "$tmp/data"
expect 1 "a damaged file already in place is rejected" \
    "t10k-labels-idx1-ubyte: checksum mismatch" \
    "expected sha256 ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"

mnist="$shared/datasets/mnist"
if [ -f "$mnist/t10k-labels-idx1-ubyte.gz" ]; then
	for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
	    t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
		gzip -dc "$mnist/$f.gz" >"$tmp/data/$f"
	done
	run mnist "$tmp/data"
	expect 0 "MNIST already in place (uncompressed) is checked" \
	    "MNIST is in $tmp/data"
else
	tap_missing 1 "$mnist/t10k-labels-idx1-ubyte.gz"
fi

printf 'not CIFAR\n' >"$tmp/mirror/cifar-10-binary.tar.gz"
run cifar10 "$tmp/cifar"
expect 1 "corrupted CIFAR-10 archive rejected with both hashes" \
    "cifar-10-binary.tar.gz: checksum mismatch" \
    "expected sha256 c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
rm "$tmp/mirror/cifar-10-binary.tar.gz"
SNNWB_SHARED="$tmp/none" run cifar10 "$tmp/cifar"
expect 1 "CIFAR-10 unreachable: says so" "cannot download" \
    "kriz/cifar.html" "../shared/datasets/cifar10/" \
    "lossless/test_first1000.bin.gz"
mkdir -p "$tmp/shared/datasets/cifar10"
printf '#!/bin/sh\n' >"$tmp/shared/datasets/cifar10/build.sh"
SNNWB_SHARED="$tmp/shared" run cifar10 "$tmp/cifar"
expect 1 "CIFAR-10 unreachable: points at the shared copy" \
    "cannot download" "$tmp/shared/datasets/cifar10/build.sh $tmp/cifar" \
    "5.7/255" "$tmp/shared/datasets/cifar10/lossless/test_first1000.bin.gz"

if command -v zip >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then
	mkdir -p "$tmp/zips/Train/3"
	printf '' >"$tmp/zips/Train/3/00001.bin"
	(cd "$tmp/zips" && zip -q -r Train.zip Train && rm -r Train)
	run nmnist --from "$tmp/zips" "$tmp/nmnist"
	expect 1 "N-MNIST archive with too few recordings rejected" \
	    "1 recordings in $tmp/nmnist/Train, expected 60000"
else
	tap_skip 1 "no zip and unzip to build an archive"
fi
run nmnist --from "$tmp/none" "$tmp/nmnist"
expect 1 "N-MNIST: missing archive named" "$tmp/none/Train.zip: not found"
run cifar10-dvs
expect 2 "cifar10-dvs without --from says where the zips are" \
    "airplane.zip  https://ndownloader.figshare.com/files/7712788" \
    "truck.zip  https://ndownloader.figshare.com/files/7712839"
mkdir "$tmp/dvszips"
run cifar10-dvs --from "$tmp/dvszips" "$tmp/dvs"
expect 1 "cifar10-dvs: a missing zip named with its figshare address" \
    "$tmp/dvszips/airplane.zip: not found; it is https://ndownloader.figshare.com/files/7712788"
if command -v zip >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then
	for c in airplane automobile bird cat deer dog frog horse ship truck; do
		mkdir -p "$tmp/dvszips/$c"
		i=0
		while [ $i -lt 1000 ]; do
			: >"$tmp/dvszips/$c/cifar10_${c}_$i.aedat"
			i=$((i + 1))
		done
		[ $c = ship ] && rm "$tmp/dvszips/$c/cifar10_${c}_7.aedat"
		(cd "$tmp/dvszips" && zip -q -r "$c.zip" "$c" && rm -r "$c")
	done
	run cifar10-dvs --from "$tmp/dvszips" "$tmp/dvs"
	expect 1 "cifar10-dvs: a zip that is not the published one refused" \
	    "airplane.zip: checksum mismatch" \
	    "expected md5 0afd5c4bf9ae06af762a77b180354fdd" \
	    "got      md5 $(md5sum <"$tmp/dvszips/airplane.zip" | cut -d' ' -f1)"
	run cifar10-dvs --from "$tmp/dvszips" --no-checksum "$tmp/dvs"
	expect 1 "cifar10-dvs: a class with 999 recordings refused" \
	    "ship.zip: 999 recordings in $tmp/dvs/ship, expected 1000"
	mkdir "$tmp/dvszips/ship"
	i=0
	while [ $i -lt 1000 ]; do
		: >"$tmp/dvszips/ship/cifar10_ship_$i.aedat"
		i=$((i + 1))
	done
	rm "$tmp/dvszips/ship.zip"
	(cd "$tmp/dvszips" && zip -q -r ship.zip ship && rm -r ship)
	rm -r "$tmp/dvs"
	run cifar10-dvs --from "$tmp/dvszips" --no-checksum "$tmp/dvs"
	expect 0 "cifar10-dvs: ten zips of 1000 unpacked and counted" \
	    "10000 recordings, 1000 a class, in $tmp/dvs"
	[ -f "$tmp/dvs/truck/cifar10_truck_999.aedat" ] &&
	    [ -f "$tmp/dvs/airplane/cifar10_airplane_0.aedat" ]
	tap_ok $? "cifar10-dvs: <class>/cifar10_<class>_<i>.aedat" \
	    "$tmp/err"
else
	tap_skip 5 "no zip and unzip to build archives"
fi
tap_done
