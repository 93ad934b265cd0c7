#!/usr/bin/python3
"""frames_numpy.py: the work of bench-data.c in Python and numpy.

Reads the N-MNIST recordings under NMNIST/Train/<digit>/<id>.bin (the 40-bit
format, parsed as SpikingJelly's load_ATIS_bin does) and integrates each into
T = 10 frames [T][2][34][34] of event counts by number and by time, following
SpikingJelly's split rule, vectorised as a numpy user would, two ways: one
frame index per event, then a single np.bincount over (frame, polarity, y, x)
(the faster); and SpikingJelly's own structure, the frame bounds first, then
one np.bincount per frame ("perframe_"). Times per recording are the fastest
of REPS passes, printed as "name value" lines with the names bench-data
prints.

usage: frames_numpy.py NMNIST [REFERENCE_FRAMES_DIR]
With a reference folder (shared/reference/frames) the frames are first
checked against SpikingJelly's, so the timed code is known to be right.
"""
import os
import sys
import time

import numpy as np

T = 10
SIDE = 34
REPS = 5


def list_files(root):
    """Returns the recordings in digit, then file name order."""
    paths = []
    for digit in range(10):
        folder = os.path.join(root, "Train", str(digit))
        if os.path.isdir(folder):
            paths += [os.path.join(folder, name)
                      for name in sorted(os.listdir(folder))
                      if name.endswith(".bin")]
    return paths


def read(path):
    """Returns t, x, y, p of one recording, as SpikingJelly parses them."""
    raw = np.fromfile(path, dtype=np.uint8).astype(np.uint32)
    x = raw[0::5]
    y = raw[1::5]
    b2 = raw[2::5]
    p = (b2 & 128) >> 7
    t = ((b2 & 127) << 16) | (raw[3::5] << 8) | raw[4::5]
    return t, x, y, p


def integrate(t, x, y, p, split, frames=T):
    """Returns frames [T][2][34][34] (float32) of event counts."""
    n = t.size
    if split == "number":
        di = n // frames
        f = (np.minimum(np.arange(n) // di, frames - 1) if di > 0
             else np.full(n, frames - 1))
    else:
        dt = (int(t[-1]) - int(t[0])) // frames
        f = (np.minimum((t - t[0]) // dt, frames - 1) if dt > 0
             else np.full(n, frames - 1))
    idx = ((f * 2 + p) * SIDE + y) * SIDE + x
    counts = np.bincount(idx.astype(np.int64),
                         minlength=frames * 2 * SIDE * SIDE)
    return counts.reshape(frames, 2, SIDE, SIDE).astype(np.float32)


def integrate_per_frame(t, x, y, p, split, frames=T):
    """Returns the same frames, one np.bincount per frame."""
    n = t.size
    if split == "number":
        bounds = [k * (n // frames) for k in range(frames)]
    else:
        dt = (int(t[-1]) - int(t[0])) // frames
        bounds = list(np.searchsorted(t, t[0] + dt * np.arange(frames)))
    bounds.append(n)
    pos = ((p * SIDE + y) * SIDE + x).astype(np.int64)
    out = np.empty((frames, 2 * SIDE * SIDE), dtype=np.float32)
    for k in range(frames):
        out[k] = np.bincount(pos[bounds[k]:bounds[k + 1]],
                             minlength=2 * SIDE * SIDE)
    return out.reshape(frames, 2, SIDE, SIDE)


def check(root, refdir):
    """Compares with SpikingJelly's frames; returns the files checked."""
    checked = 0
    for name in sorted(os.listdir(refdir)):
        notes, values = {}, None
        with open(os.path.join(refdir, name)) as f:
            for line in f:
                if line.startswith("#"):
                    key, _, value = line[1:].strip().partition("=")
                    notes[key] = value
                elif line.startswith("frames "):
                    values = np.array(line.split()[2:], dtype=np.float64)
        frames = int(notes["frames"])
        events = read(os.path.join(root, notes["file"]))
        for fn in (integrate, integrate_per_frame):
            got = fn(*events, notes["split_by"], frames)
            if not np.array_equal(got.ravel(), values):
                sys.exit("frames_numpy.py: %s: %s differs from SpikingJelly"
                         % (fn.__name__, name))
        checked += 1
    return checked


def best(fn):
    """Returns the fastest of REPS runs of fn, in seconds."""
    times = []
    for _ in range(REPS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    """Times reading and integrating, and prints the results."""
    if len(sys.argv) < 2:
        sys.exit("usage: frames_numpy.py NMNIST [REFERENCE_FRAMES_DIR]")
    root = sys.argv[1]
    paths = list_files(root)
    if not paths:
        sys.exit("frames_numpy.py: no recordings under %s/Train" % root)
    if len(sys.argv) > 2:
        print("checked_against_spikingjelly %d" % check(root, sys.argv[2]))
    events = [read(path) for path in paths]
    n = len(paths)

    def read_all():
        for path in paths:
            read(path)

    def read_integrate(split):
        for path in paths:
            integrate(*read(path), split)

    def integrate_all(split, fn=integrate):
        for ev in events:
            fn(*ev, split)

    print("recordings %d" % n)
    print("read_us %.2f" % (best(read_all) * 1e6 / n))
    print("read_number_us %.2f"
          % (best(lambda: read_integrate("number")) * 1e6 / n))
    print("read_time_us %.2f"
          % (best(lambda: read_integrate("time")) * 1e6 / n))
    print("integrate_number_us %.2f"
          % (best(lambda: integrate_all("number")) * 1e6 / n))
    print("integrate_time_us %.2f"
          % (best(lambda: integrate_all("time")) * 1e6 / n))
    for split in ("number", "time"):
        print("perframe_%s_us %.2f" % (split, best(
            lambda: integrate_all(split, integrate_per_frame)) * 1e6 / n))


if __name__ == "__main__":
    main()
