"""Reads per second of the block-level Shadow Clones Monte Carlo, end to end vs kernel.

A boot storm (every desktop reads the 378 MB boot set in 4 KiB blocks, starts
uniform over 60 s): the numba replay kernel on pre-sorted reads
(:func:`hcimodel.simulate.fetch_replay.replay_reads`, source 'single' and
'map', setup included), and one whole :func:`hcimodel.shadowclone.simulate_warmup`
call (draws; one compiled pass merges the reads in time order, replays and
tallies them; latency table and warm-up curve). The end-to-end row prints its
time over the replay kernel alone (sorted reads in, latency and kind out, no
checks: the target is <= 2), over ``replay_reads`` and over its own compiled
pass, and its peak memory (tracemalloc) per read and against the replay state
(nodes x blocks x 8 bytes). Run ``python benchmarks/shadowclone.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
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


def _bare(times, nodes, blocks, H, m, td, out):
    """The replay kernel alone on sorted reads (no checks, no setup; ``out`` latency and
    kind arrays already touched): wall time (s)."""
    from hcimodel.simulate import fetch_replay as fr

    state = (*fr._replay_state(H, m, 0), *(np.zeros(H, dtype=np.int64) for _ in range(3)),
             np.zeros(H))
    link = (H, 0, td, 200e-6, 8 * 4096 / 10e9, False)
    t0 = time.perf_counter()
    fr._replay_arrays(times, nodes, blocks, link, state, out, None, None,
                      np.zeros(3, dtype=np.int64))
    return time.perf_counter() - t0


def _peak(fn):
    """Peak memory (bytes) numpy and Python allocate while ``fn()`` runs (tracemalloc)."""
    tracemalloc.start()  # numpy reports its allocations to tracemalloc
    out = fn()
    grew = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return grew, out


def collect(quick: bool) -> list[dict]:
    from hcimodel import shadowclone as sc
    from hcimodel.cluster import Cluster
    from hcimodel.simulate import replay_reads

    H, N = (4, 16) if quick else (8, 64)
    rep = sc.Replica()
    times, nodes, blocks, m = _storm(H, N, rep, sc)
    inside = []  # time inside the one compiled pass of each end-to-end call

    def e2e():
        w = sc.simulate_warmup(N, Cluster(H), replica=rep, start_window_s=60.0, rng=0)
        inside.append(w.replay_s)
        return w

    td = float(e2e().detection_delay_s)  # the storm's detection, for the bare kernel
    kw = dict(n_nodes=H, n_blocks=m, detection_s=td)
    n = times.size
    fns = {s: (lambda s=s: replay_reads(times, nodes, blocks, source=s, **kw))
           for s in sc.SOURCES}
    fns["e2e"] = e2e
    t = interleaved(fns, 5)
    out = (np.zeros(n), np.zeros(n, dtype=np.int8))
    bare = float(np.median([_bare(times, nodes, blocks, H, m, td, out) for _ in range(7)]))
    inner = float(np.median(inside[2:]))  # the calls timed by interleaved()
    del times, nodes, blocks
    case = f"boot storm, {H} nodes x {N} desktops, block reads"
    rows = [row("shadowclone", case, n, f"replay_reads (source={s})", t[s],
                note=f"{n / t[s] / 1e6:.0f} M reads/s, setup included")
            for s in sc.SOURCES]
    rows.append(row("shadowclone", case, n, "replay kernel alone (source=single)", bare,
                    note=f"{n / bare / 1e6:.0f} M reads/s: sorted reads in, latency and kind "
                         f"out, no checks"))
    H2, N2 = 2 * H, 4 * N
    grew, w = _peak(lambda: sc.simulate_warmup(N2, Cluster(H2), replica=rep,
                                               start_window_s=60.0, rng=0))
    state = H2 * m * 8
    rows.append(row("shadowclone", case, n, "simulate_warmup end to end", t["e2e"],
                    "replay_reads (source=single)", t["single"],
                    f"{n / t['e2e'] / 1e6:.0f} M reads/s; end to end / replay kernel alone "
                    f"{t['e2e'] / bare:.2f}, / replay_reads {t['e2e'] / t['single']:.2f}, "
                    f"/ its one compiled pass (merge + replay + tally) {t['e2e'] / inner:.2f}; "
                    f"peak memory at {H2} nodes x {N2} desktops ({w.n_reads / 1e6:.1f} M reads) "
                    f"{grew / 1e6:.1f} MB = {grew / w.n_reads:.2f} bytes/read = "
                    f"{grew / state:.2f} x the replay state (tracemalloc)"))
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
