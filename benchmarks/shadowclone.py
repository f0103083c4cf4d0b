"""Reads per second of the block-level Shadow Clones Monte Carlo, end to end vs kernel.

A boot storm (every desktop reads the 378 MB boot set in 4 KiB blocks, starts
uniform over 60 s): the numba replay kernel on pre-sorted reads
(:func:`hcimodel.simulate.fetch_replay.replay_reads`, source 'single' and
'map', setup included), and one whole :func:`hcimodel.shadowclone.simulate_warmup`
call (draws, reads generated in time order and replayed in chunks, latency
table and warm-up curve). The end-to-end row prints its time over the kernel's
(target <= 2), also over the time spent inside the replay kernel alone, and its
peak memory (tracemalloc) per read and against the replay state (nodes x
blocks x 8 bytes). Run ``python benchmarks/shadowclone.py [--quick]``.
"""

from __future__ import annotations

import argparse
import tracemalloc
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, row  # noqa: E402


def _storm(H, N, rep, sc):
    r, _ = sc.boot_pace(rep)
    m = rep.n_boot_blocks
    starts = np.random.default_rng(0).random(N) * 60.0
    times = (starts[:, None] + np.arange(m)[None, :] / r).ravel()
    order = np.argsort(times, kind="stable")
    return (times[order], np.repeat(np.arange(N) % H, m)[order],
            np.tile(np.arange(m), N)[order], m)


def collect(quick: bool) -> list[dict]:
    from hcimodel import shadowclone as sc
    from hcimodel.cluster import Cluster

    H, N = (4, 16) if quick else (8, 64)
    rep = sc.Replica()
    times, nodes, blocks, m = _storm(H, N, rep, sc)
    kw = dict(n_nodes=H, n_blocks=m, detection_s=0.0)
    n = times.size
    rows = []
    fns = {s: (lambda s=s: sc.replay_reads(times, nodes, blocks, source=s, **kw))
           for s in sc.SOURCES}
    fns["e2e"] = lambda: sc.simulate_warmup(N, Cluster(H), replica=rep, start_window_s=60.0,
                                            rng=0)
    t = interleaved(fns, 3)
    del times, nodes, blocks
    case = f"boot storm, {H} nodes x {N} desktops, block reads"
    for s in sc.SOURCES:
        rows.append(row("shadowclone", case, n, f"replay_reads kernel (source={s})", t[s],
                        note=f"{n / t[s] / 1e6:.0f} M reads/s"))
    inner = fns["e2e"]().replay_s  # time inside the replay kernel of one end-to-end call
    tracemalloc.start()  # numpy reports its allocations to tracemalloc
    sc.simulate_warmup(4 * N, Cluster(2 * H), replica=rep, start_window_s=60.0, rng=0)
    grew = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    state = 2 * H * m * 8
    rows.append(row("shadowclone", case, n, "simulate_warmup end to end", t["e2e"],
                    "replay_reads kernel (source=single)", t["single"],
                    f"{n / t['e2e'] / 1e6:.0f} M reads/s; end-to-end / kernel "
                    f"{t['e2e'] / t['single']:.2f} (/ time inside the kernel "
                    f"{t['e2e'] / inner:.2f}); peak memory at {2 * H} nodes x {4 * N} "
                    f"desktops {grew / 1e6:.0f} MB = {grew / (4 * N * m):.2f} bytes/read = "
                    f"{grew / state:.1f} x the replay state (tracemalloc)"))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="4 nodes x 16 desktops")
    args = ap.parse_args(argv)
    for r in collect(args.quick):
        ratio = f"{r['ratio']:.2f}" if np.isfinite(r["ratio"]) else "-"
        print(f"{r['ours']:<38} n={r['n']:>11,} {r['ours_s']:.3f} s  ratio {ratio}  "
              f"load {r['load']:.1f}  {r['note']}")


if __name__ == "__main__":
    main()
