#!/usr/bin/python3
"""train_torch.py: bench-train.c's benchmark in plain PyTorch.

The N-MNIST two-layer SNN as a SpikingJelly user runs it with the torch
backend, written out in plain PyTorch: flatten, Linear(2312, 800, no bias),
LIF, Linear(800, 10, no bias), LIF, with the multi-step LIF stepped over T
in Python as SpikingJelly's torch backend does (H = V + (X - V) / tau, a
Heaviside spike whose backward is the ATan surrogate, hard reset to 0 with
detach_reset); Adam 1e-3; MSE between the firing rate and the one-hot
label. Frames (T = 10, split by number) come from frames_numpy.py, which
follows SpikingJelly's rule, and are held in memory as one tensor, so the
timed data step is only picking a batch out of it: a lighter load than
bench-train's, which integrates events in a loader thread.

For each batch size it times training and inference (torch.no_grad) over
NBATCH batches after WARMUP and prints "name value" lines with the names
bench-train prints: samples per second and milliseconds per batch.

usage: train_torch.py [-t threads] [-n nbatch] [-w warmup] [-b batch]...
    NMNIST
"""
import argparse
import math
import os
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frames_numpy  # noqa: E402

# torch is imported by main() once OPENBLAS_NUM_THREADS is set: this torch
# does its GEMMs in OpenBLAS, which reads the variable when it is loaded,
# and torch.set_num_threads only sizes torch's own OpenMP pool.
torch = None

T = 10
TAU = 2.0
ALPHA = 2.0
CLASSES = 10


def atan_spike():
    """Returns the spike function: Heaviside forward, SpikingJelly's ATan
    surrogate backward."""

    class ATan(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x >= 0).to(x)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * (ALPHA / 2 /
                           (1 + (math.pi / 2 * ALPHA * x) ** 2))

    return ATan.apply


def lif(x_seq, spike):
    """Multi-step LIF over x_seq [T, B, N] as SpikingJelly's torch backend
    steps it: decay_input, hard reset to 0, threshold 1, detach_reset;
    returns the spikes [T, B, N]."""
    v = torch.zeros_like(x_seq[0])
    out = []
    for t in range(x_seq.shape[0]):
        h = v + (x_seq[t] - v) / TAU
        s = spike(h - 1.0)
        v = h * (1.0 - s.detach())
        out.append(s)
    return torch.stack(out)


def make_net():
    """Returns flatten, linear 2312 -> 800, LIF, linear 800 -> 10, LIF as
    a module taking x [T, B, 2, 34, 34], time merged into the batch for
    the Linear layers."""

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(2 * 34 * 34, 800, bias=False)
            self.fc2 = torch.nn.Linear(800, CLASSES, bias=False)
            self.spike = atan_spike()

        def forward(self, x):
            steps, batch = x.shape[0], x.shape[1]
            y = self.fc1(x.reshape(steps * batch, -1))
            s = lif(y.reshape(steps, batch, -1), self.spike)
            y = self.fc2(s.reshape(steps * batch, -1))
            return lif(y.reshape(steps, batch, -1), self.spike)

    return Net()


def load(root):
    """Returns frames [N, T, 2, 34, 34] and labels [N] as tensors."""
    paths = frames_numpy.list_files(root)
    frames = np.stack([frames_numpy.integrate(*frames_numpy.read(p),
                                              "number", T) for p in paths])
    labels = np.array([int(os.path.basename(os.path.dirname(p)))
                       for p in paths])
    return torch.from_numpy(frames), torch.from_numpy(labels)


def batches(n, batch, shuffle, gen):
    """Yields index tensors of full batches, epoch after epoch."""
    while True:
        order = torch.randperm(n, generator=gen) if shuffle else \
            torch.arange(n)
        for i in range(n // batch):
            yield order[i * batch:(i + 1) * batch]


def run(frames, labels, train, batch, warmup, nbatch):
    """Times training or inference and prints its lines."""
    mode = "train" if train else "infer"
    torch.manual_seed(1)
    net = make_net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    it = batches(frames.shape[0], batch, train, gen)
    phase = {"data": 0.0, "forward": 0.0, "backward": 0.0, "optim": 0.0}
    start = 0.0
    loss = torch.zeros(())
    for i in range(warmup + nbatch):
        if i == warmup:
            phase = dict.fromkeys(phase, 0.0)
            start = time.perf_counter()
        t0 = time.perf_counter()
        idx = next(it)
        x = frames[idx].transpose(0, 1).contiguous()
        target = torch.nn.functional.one_hot(labels[idx], CLASSES).float()
        t1 = time.perf_counter()
        phase["data"] += t1 - t0
        if train:
            opt.zero_grad()
            rate = net(x).mean(0)
            loss = torch.nn.functional.mse_loss(rate, target)
            t0 = time.perf_counter()
            phase["forward"] += t0 - t1
            loss.backward()
            t1 = time.perf_counter()
            phase["backward"] += t1 - t0
            opt.step()
            phase["optim"] += time.perf_counter() - t1
        else:
            with torch.no_grad():
                rate = net(x).mean(0)
                loss = torch.nn.functional.mse_loss(rate, target)
            phase["forward"] += time.perf_counter() - t1
    total = time.perf_counter() - start
    print("%s_%d_samples_per_s %.1f" % (mode, batch, nbatch * batch / total))
    print("%s_%d_last_loss %.5f" % (mode, batch, loss.item()))
    print("%s_%d_total_ms %.3f" % (mode, batch, total * 1e3 / nbatch))
    for name, seconds in phase.items():
        if train or name in ("data", "forward"):
            print("%s_%d_%s_ms %.3f" % (mode, batch, name,
                                        seconds * 1e3 / nbatch))
    sys.stdout.flush()


def main():
    """Parses the arguments, makes the frames and runs every benchmark."""
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", type=int, default=2, dest="threads")
    ap.add_argument("-n", type=int, default=30, dest="nbatch")
    ap.add_argument("-w", type=int, default=3, dest="warmup")
    ap.add_argument("-b", type=int, action="append", dest="batch")
    ap.add_argument("nmnist")
    args = ap.parse_args()
    global torch
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch as torch_module
    torch = torch_module
    torch.set_num_threads(args.threads)
    frames, labels = load(args.nmnist)
    print("threads %d" % torch.get_num_threads())
    print("samples %d" % frames.shape[0])
    print("frames_sum %.0f" % frames.double().sum().item())
    print("frames_nonzero %.5f" % (frames != 0).double().mean().item())
    print("torch %s" % torch.__version__)
    for batch in args.batch or [64, 128]:
        run(frames, labels, True, batch, args.warmup, args.nbatch)
        run(frames, labels, False, batch, args.warmup, args.nbatch)


if __name__ == "__main__":
    main()
