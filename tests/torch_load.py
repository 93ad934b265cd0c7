#!/usr/bin/env python3
"""torch_load.py: loads a checkpoint that snnwb saved (safetensors, read
here without the safetensors package: an 8-byte header length, the JSON
header, the raw data) into PyTorch's WideResNet of bench/wrn_torch.py with
load_state_dict(strict=True), runs it in eval mode on the same input as
snnwb (x[i] = sin(0.37 i)) and prints the largest logit difference.

usage: torch_load.py CHECKPOINT LOGITS DEPTH WIDEN B"""
import json
import math
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'bench'))
from wrn_torch import WRN  # noqa: E402

DTYPES = {'F32': torch.float32, 'I64': torch.int64}


def read_safetensors(path):
    """The tensors of a safetensors file by name."""
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        lo, hi = e['data_offsets']
        buf = bytearray(data[base + lo:base + hi])
        t = torch.frombuffer(buf, dtype=DTYPES[e['dtype']])
        out[name] = t.reshape(e['shape']).clone()
    return out


def main():
    path, logits_path = sys.argv[1], sys.argv[2]
    depth, widen, B = (int(a) for a in sys.argv[3:6])
    net = WRN(depth, widen)
    net.load_state_dict(read_safetensors(path), strict=True)
    net.eval()
    n = B * 3 * 32 * 32
    x = torch.tensor([math.sin(0.37 * (i + 1)) for i in range(n)],
                     dtype=torch.float32).view(B, 3, 32, 32)
    with torch.no_grad():
        y = net(x).flatten()
    want = torch.tensor([float(v) for v in open(logits_path).read().split()])
    print('max_abs_diff %.3g max_abs %.3g' %
          ((y - want).abs().max().item(), want.abs().max().item()))


if __name__ == '__main__':
    main()
