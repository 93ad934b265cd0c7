#!/usr/bin/env python3
"""qcfs_torch.py: a converted network's simulation, PyTorch's side
(bench/qcfs.sh runs it beside qcfs.lua). MODEL resnet20: with --repo DIR
the QCFS author's own model (putshua/ANN_SNN_QCFS, Models.modelpool(
'resnet20', 'cifar10'), set_L, set_T: the image repeated T times, merged
into the batch, every layer run on T*B rows, each IF looping over t);
without, a faithful rewrite of that model with the same modules and names
(written here from shared/reference/README-qcfs.md); the checkpoint is
read with torch.load(weights_only=True), which runs no pickled code.
MODEL wrnD-K: wrn_torch.py's WideResNet with the author's IF as its
activation, in the same merged-batch loop, from the safetensors file
qcfs.lua wrote. Prints images x steps per second of the evaluation loop
model(x).mean(0).

usage: qcfs_torch.py THREADS MODEL CHECKPOINT IMAGES [T B NBATCH]
       [--repo DIR]"""
import contextlib
import io
import os
import sys
import time
import types

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrn_torch import WRN, images, read_safetensors  # noqa: E402


class IF(nn.Module):
    """The author's IF: QCFS when T == 0, else a loop over T steps."""

    def __init__(self, L=4):
        super().__init__()
        self.thresh = nn.Parameter(torch.tensor([8.0]))
        self.L, self.T = L, 0

    def forward(self, x):
        thre = self.thresh.data
        if self.T == 0:
            x = torch.clamp(x / self.thresh, 0, 1)
            return torch.floor(x * self.L + 0.5) / self.L * self.thresh
        x = x.view(self.T, -1, *x.shape[1:])
        mem, out = 0.5 * thre, []
        for t in range(self.T):
            mem = mem + x[t]
            spike = (mem - thre >= 0).float() * thre
            mem = mem - spike
            out.append(spike)
        return torch.stack(out, 0).flatten(0, 1)


class IFNetwork(nn.Module):
    """A network whose IF activations share T and L: set_T, set_L."""

    def set_T(self, T):
        self.T = T
        for m in self.modules():
            if isinstance(m, IF):
                m.T = T

    def set_L(self, L):
        for m in self.modules():
            if isinstance(m, IF):
                m.L = L


class BasicBlock(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.residual_function = nn.Sequential(
            nn.Conv2d(inp, out, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out), IF(),
            nn.Conv2d(out, out, 3, padding=1, bias=False),
            nn.BatchNorm2d(out))
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(inp, out, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out))
        self.act = IF()

    def forward(self, x):
        return self.act(self.residual_function(x) + self.shortcut(x))


class ResNet20(IFNetwork):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1,
                                             bias=False),
                                   nn.BatchNorm2d(16), IF())
        inp, stages = 16, []
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(3):
                blocks.append(BasicBlock(inp, width, stride if i == 0
                                         else 1))
                inp = width
            stages.append(nn.Sequential(*blocks))
        self.conv2_x, self.conv3_x, self.conv4_x = stages
        self.avg_pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, 10)
        self.T = 0

    def forward(self, x):
        if self.T > 0:
            x = x.unsqueeze(0).repeat(self.T, 1, 1, 1, 1).flatten(0, 1)
        out = self.conv4_x(self.conv3_x(self.conv2_x(self.conv1(x))))
        out = self.fc(self.avg_pool(out).flatten(1))
        if self.T > 0:
            out = out.view(self.T, -1, out.shape[1])
        return out


class Timed(IFNetwork):
    """A network of IF activations in the author's merged-batch loop."""

    def __init__(self, net):
        super().__init__()
        self.net, self.T = net, 0

    def forward(self, x):
        x = x.unsqueeze(0).repeat(self.T, 1, 1, 1, 1).flatten(0, 1)
        out = self.net(x)
        return out.view(self.T, -1, out.shape[1])


def author_model(repo):
    """The author's ResNet-20, with its unused imports stubbed."""
    for name in ('cv2', 'sympy', 'matplotlib', 'matplotlib.pyplot'):
        stub = types.ModuleType(name)
        stub.mean = stub.print_rcode = stub.xlim = None
        sys.modules[name] = stub
    sys.path.insert(0, repo)
    from Models import modelpool
    return modelpool('resnet20', 'cifar10')



def main():
    args = sys.argv[1:]
    repo = None
    if '--repo' in args:
        i = args.index('--repo')
        repo = args[i + 1]
        del args[i:i + 2]
    threads, model, ckpt, path = int(args[0]), args[1], args[2], args[3]
    rest = [int(a) for a in args[4:7]]
    T, B, nbatch = rest + [32, 64, 3][len(rest):]
    torch.set_num_threads(threads)
    if model == 'resnet20':
        net = author_model(repo) if repo else ResNet20()
        net.set_L(4)
        net.load_state_dict(torch.load(ckpt, weights_only=True),
                            strict=True)
    else:
        depth, k = (int(v) for v in model[3:].split('-'))
        net = Timed(WRN(depth, k, act=IF))
        net.set_L(4)
        net.net.load_state_dict(read_safetensors(ckpt), strict=True)
    net.eval()
    with contextlib.redirect_stdout(io.StringIO()):
        net.set_T(T)
    x, y = images(path, B * nbatch)
    right = 0
    with torch.no_grad():
        net(x[:B].clone())
        start = time.perf_counter()
        for b in range(nbatch):
            out = net(x[b * B:(b + 1) * B].clone()).mean(0)
            right += (out.argmax(1) == y[b * B:(b + 1) * B]).sum().item()
        secs = time.perf_counter() - start
    print('model %s' % (model + (' author' if repo and
                                  model == 'resnet20' else ' rewrite')))
    print('accuracy_t%d %.4f' % (T, right / (B * nbatch)))
    print('images_steps_per_s %.1f' % (B * nbatch * T / secs))


if __name__ == '__main__':
    main()
