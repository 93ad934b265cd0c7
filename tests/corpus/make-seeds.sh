#!/bin/sh
# make-seeds.sh: remakes the fuzz targets' seed corpora in tests/corpus
# from files that snnwb and its tests write, run from the build tree:
#	sh tests/corpus/make-seeds.sh
# Needs ./snnwb, tests/test-pth, python3 and the fixtures in ../shared.
set -eu
C=tests/corpus
S=${SNNWB_SHARED:-../shared}/datasets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in nmnist idx pth aedat safetensors checkpoint netjson cache idx-gz \
    cifar10; do
	rm -rf "$C/$t"
	mkdir -p "$C/$t"
done

# Checkpoints of small networks of every module kind (net:save).
cat >"$tmp/nets.lua" <<'LUA'
local sg = snn.surrogate.define{ name = "lsig", params = { alpha = 4 },
	intervals = 16, primitive = function(x, p)
		return 1 / (1 + math.exp(-p.alpha * x)) end }
local nets = {
	mlp = snn.sequential{ snn.flatten(), snn.linear(4, 2), snn.lif() },
	conv = snn.sequential{ snn.conv2d(1, 2, 3, {bias = false}),
	    snn.batchnorm2d(2), snn.if_neuron(), snn.maxpool2d(2),
	    snn.flatten(), snn.dropout(0.5), snn.linear(2, 2) },
	res = snn.sequential{ snn.residual({snn.sequential({snn.relu(),
	    snn.linear(2, 2)}), snn.linear(2, 2, {bias = false})}),
	    snn.qcfs(), snn.avgpool2d(1), snn.qcfs_if() },
	table = snn.sequential{ snn.linear(1, 1), snn.lif{ surrogate = sg } },
}
for name, net in pairs(nets) do
	assert(net:save(arg[1] .. "/" .. name .. ".safetensors"))
end
LUA
HOME=$tmp ./snnwb -e "$tmp/nets.lua" "$tmp"
tests/test-pth --seeds "$C/pth"
find "$C/pth" -size +4k -exec rm {} +	# a few KB in all

python3 - "$C" "$S" "$tmp" <<'PY'
import gzip, json, os, random, struct, sys, zlib
C, S, T = sys.argv[1:4]

def w(p, b):
    with open(os.path.join(C, p), 'wb') as f:
        f.write(b)

def r(p):
    with open(p, 'rb') as f:
        return f.read()

def g(x):
    return gzip.compress(x, mtime=0)

# N-MNIST: the first events of two recordings.
for i, f in enumerate(['Train/3/00891.bin', 'Train/3/00976.bin']):
    w('nmnist/rec%d.bin' % i, r(S + '/nmnist-subset/' + f)[:5 * (40 + 30 * i)])
# AEDAT 2.0: a header alone, and a header with its first 60 events.
w('aedat/header-only.aedat', r(S + '/aedat2-samples/header-only.aedat'))
b = r(S + '/aedat2-samples/mnist_0_scale04_0001_qt1.aedat')
pos = 0
while b[pos:pos + 1] == b'#':
    pos = b.index(b'\n', pos) + 1
w('aedat/events.aedat', b[:pos + 8 * 60])
# IDX: labels, a 2x3x3 image set and a 4-d cube; plain and gzip.
labels = b'\0\0\x08\x01' + struct.pack('>I', 5) + bytes([3, 1, 4, 1, 5])
images = b'\0\0\x08\x03' + struct.pack('>III', 2, 3, 3) + bytes(range(0, 180, 10))
w('idx/labels.idx', labels)
w('idx/images.idx', images)
w('idx/cube.idx', b'\0\0\x08\x04' + struct.pack('>IIII', 1, 2, 2, 2) + bytes(8))
w('idx-gz/labels.idx.gz', g(labels))
w('idx-gz/images.idx.gz', g(images))
w('idx-gz/plain.idx', labels)
w('idx-gz/two-members.idx.gz', g(images[:10]) + g(images[10:]))
# CIFAR-10: one record plain, two gzip-compressed.
random.seed(1)
w('cifar10/one.bin', bytes([7]) + bytes(random.randrange(256) for _ in range(3072)))
w('cifar10/two.bin.gz', g(bytes([2]) + bytes(3072) + bytes([9]) + bytes([255]) * 3072))

# Split caches in data-cache.c's layout (little-endian host): two
# recordings of 3 and 1 events at 34x34, and an empty split at 128x128.
def cache(n, w_, h_, off, lab, ids, t, xyp):
    e = len(t)
    h = b'snnwbEVS' + struct.pack('<IIQQQIIQQ', 2, 0x01020304, 0x1234, n,
        e, w_, h_, 0, 0)
    body = (struct.pack('<%dQ' % (n + 1), *off) + bytes(lab) +
        struct.pack('<%dI' % n, *ids) + struct.pack('<%dI' % e, *t) +
        struct.pack('<%dH' % e, *xyp))
    return h + struct.pack('<II', zlib.crc32(body, zlib.crc32(h)), 0) + body

def pk(x, y, p):
    return x | y << 7 | p << 14

w('cache/two.cache', cache(2, 34, 34, [0, 3, 4], [1, 9], [1, 2],
    [5, 9, 9, 3], [pk(0, 0, 0), pk(33, 33, 1), pk(5, 6, 1), pk(1, 2, 0)]))
w('cache/empty.cache', cache(0, 128, 128, [0], [], [], [], []))

# Checkpoints, and the network descriptions they hold.
for n in ['mlp', 'conv', 'res', 'table']:
    d = r('%s/%s.safetensors' % (T, n))
    hl = struct.unpack('<Q', d[:8])[0]
    w('netjson/%s.json' % n, json.loads(d[8:8 + hl])['__metadata__']['snnwb.net'].encode())
    w('checkpoint/%s.safetensors' % n, d)
    if n in ('mlp', 'conv'):
        w('safetensors/%s.safetensors' % n, d)
# A state_dict without metadata: an I64 scalar, F32 and an empty tensor.
hdr = json.dumps({
    'b': {'dtype': 'I64', 'shape': [], 'data_offsets': [0, 8]},
    'a': {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [8, 24]},
    'e': {'dtype': 'F32', 'shape': [0, 3], 'data_offsets': [24, 24]}},
    separators=(',', ':')).encode()
hdr += b' ' * (-len(hdr) % 8)
w('safetensors/plain.safetensors', struct.pack('<Q', len(hdr)) + hdr +
    struct.pack('<q', 7) + struct.pack('<4f', 1, -2, 0.5, 3e38))
PY
