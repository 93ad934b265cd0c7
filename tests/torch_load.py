#!/usr/bin/env python3
"""torch_load.py: loads a checkpoint that snnwb saved (safetensors, read
by bench/wrn_torch.py's reader) into its WideResNet with
load_state_dict(strict=True), runs it in eval mode on the same input as
snnwb (x[i] = sin(0.37 i)) and prints the largest logit difference.

usage: torch_load.py CHECKPOINT LOGITS DEPTH WIDEN B"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'bench'))
from wrn_torch import WRN, read_safetensors  # noqa: E402


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
