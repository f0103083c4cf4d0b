"""Reads per second of the block-level Shadow Clones Monte Carlo.

Replays a boot storm (every desktop reads the 420 MB boot set in 4 KiB blocks,
detection at time 0) through :func:`hcimodel.shadowclone.replay_reads`, from
the owner alone and through the map of immutable blocks, and prints the block
reads replayed per second by the numba kernel (event generation and sorting
excluded, then included). Run ``python benchmarks/shadowclone.py``
(``--quick`` for a smaller storm and one repetition).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller storm, one repetition")
    args = ap.parse_args(argv)

    from hcimodel import shadowclone as sc

    H, N, repeat = (4, 16, 1) if args.quick else (8, 64, 3)
    rep = sc.Replica()
    r, _ = sc.boot_pace(rep)
    m = rep.n_boot_blocks
    starts = np.random.default_rng(0).random(N) * 60.0
    times = (starts[:, None] + np.arange(m)[None, :] / r).ravel()
    order = np.argsort(times, kind="stable")
    nodes = np.repeat(np.arange(N) % H, m)[order]
    blocks = np.tile(np.arange(m), N)[order]
    times = times[order]
    kw = dict(n_nodes=H, n_blocks=m, detection_s=0.0)
    sc.replay_reads(times[:1000], nodes[:1000], blocks[:1000], **kw)  # numba warm-up
    print(f"boot storm: {H} nodes, {N} desktops, {m:,} blocks each, {times.size:,} reads")
    for source in sc.SOURCES:
        best = np.inf
        for _ in range(repeat):
            t0 = time.perf_counter()
            sc.replay_reads(times, nodes, blocks, source=source, **kw)
            best = min(best, time.perf_counter() - t0)
        print(f"  replay, source={source:<6}: {times.size / best / 1e6:6.1f} M reads/s "
              f"({best:.2f} s)")
    t0 = time.perf_counter()
    res = sc.simulate_warmup(H, N, replica=rep, start_window_s=60.0, rng=0)
    total = time.perf_counter() - t0
    print(f"  simulate_warmup end to end : {res.n_reads / total / 1e6:6.1f} M reads/s "
          f"({total:.2f} s; kernel {res.n_reads / res.replay_s / 1e6:.1f} M reads/s)")


if __name__ == "__main__":
    main()
