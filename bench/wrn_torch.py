#!/usr/bin/env python3
"""wrn_torch.py: the WideResNet benchmark, PyTorch's side (bench/wrn.sh
runs it beside wrn.lua). The WideResNet of parseval-network-pytorch
(networks/wide_resnet.py), written here from its description in
shared/reference/README-conv.md: pre-activation blocks, the stride in
conv2, conv biases, a 1x1 shortcut on the raw input, final batch norm,
avg_pool2d(8), linear. Trains on the 1,000 exact CIFAR-10 test images
(batch B, SGD with momentum and weight decay) and times inference on
batches of B; prints images/s and peak memory.

usage: wrn_torch.py THREADS IMAGES [DEPTH WIDEN B NBATCH]"""
import gzip
import json
import resource
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    """wide_basic: conv1(act1(bn1(x))), conv2(act2(bn2(.))) + shortcut(x);
    the activations are modules named as snn.models.wrn names them."""

    def __init__(self, inp, out, stride, act):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inp)
        self.act1 = act()
        self.conv1 = nn.Conv2d(inp, out, 3, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(out)
        self.act2 = act()
        self.conv2 = nn.Conv2d(out, out, 3, stride=stride, padding=1,
                               bias=True)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(inp, out, 1, stride=stride, bias=True))

    def forward(self, x):
        h = self.conv1(self.act1(self.bn1(x)))
        h = self.conv2(self.act2(self.bn2(h)))
        return h + self.shortcut(x)


class WRN(nn.Module):
    """Depth 6n + 4, widen k: stages of 16k, 32k, 64k channels; act makes
    an activation module (ReLU, or an IF of qcfs_torch.py)."""

    def __init__(self, depth, k, classes=10, act=nn.ReLU):
        super().__init__()
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=True)
        inp = 16
        stages = []
        for width, stride in ((16 * k, 1), (32 * k, 2), (64 * k, 2)):
            blocks = []
            for i in range(n):
                blocks.append(Block(inp, width, stride if i == 0 else 1,
                                    act))
                inp = width
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.bn1 = nn.BatchNorm2d(64 * k, momentum=0.9)
        self.act = act()
        self.linear = nn.Linear(64 * k, classes)

    def forward(self, x):
        out = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        out = F.avg_pool2d(self.act(self.bn1(out)), 8)
        return self.linear(out.view(out.size(0), -1))


DTYPES = {'F32': torch.float32, 'I64': torch.int64}


def read_safetensors(path):
    """The tensors of a safetensors file by name (read here without the
    safetensors package: an 8-byte header length, the JSON header, the
    raw little-endian data)."""
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        lo, hi = e['data_offsets']
        buf = bytearray(data[8 + n + lo:8 + n + hi])
        t = torch.frombuffer(buf, dtype=DTYPES[e['dtype']])
        out[name] = t.reshape(e['shape']).clone()
    return out


def images(path, n):
    """The first n records of a CIFAR-10 batch file, normalised."""
    raw = gzip.open(path).read() if path.endswith('.gz') else \
        open(path, 'rb').read()
    u8 = torch.frombuffer(bytearray(raw[:n * 3073]), dtype=torch.uint8)
    rec = u8.view(n, 3073)
    labels = rec[:, 0].long()
    x = rec[:, 1:].float().view(n, 3, 32, 32) / 255
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    std = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)
    return (x - mean) / std, labels


def main():
    threads, path = int(sys.argv[1]), sys.argv[2]
    rest = [int(a) for a in sys.argv[3:7]]
    depth, k, B, nbatch = rest + [16, 4, 128, 5][len(rest):]
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = WRN(depth, k)
    x, y = images(path, B * (nbatch + 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9,
                          weight_decay=5e-4)

    def step(b):
        xb, yb = x[b * B:(b + 1) * B], y[b * B:(b + 1) * B]
        opt.zero_grad()
        F.cross_entropy(net(xb), yb).backward()
        opt.step()

    net.train()
    step(nbatch)
    start = time.perf_counter()
    for b in range(nbatch):
        step(b)
    print('train_images_per_s %.2f' % (nbatch * B /
                                       (time.perf_counter() - start)))
    net.eval()
    xr = torch.empty(B, 3, 32, 32).uniform_(-2, 2)
    with torch.no_grad():
        net(xr)
        start = time.perf_counter()
        for _ in range(nbatch):
            net(xr)
        print('infer_images_per_s %.2f' % (nbatch * B /
                                           (time.perf_counter() - start)))
    print('peak_rss_mb %.0f' %
          (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == '__main__':
    main()
