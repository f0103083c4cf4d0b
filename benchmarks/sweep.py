"""The sweep runner on 1 and 2 workers and on a local dask cluster.

One grid of Monte Carlo points (an M/M/c queue per point and replication,
each task about 0.1 s; worker start-up included) is swept three ways: in-process (``n_jobs=1``), on two
loky workers (``n_jobs=2``) and on a ``distributed.LocalCluster`` of two
workers (joblib's dask backend). The result is bit-identical in every case
(checked here); the ratio is the speed-up over one worker. On a machine of two
shared cores the ideal is 2x.

Run alone: ``python benchmarks/sweep.py [--quick]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from _common import load, row


def _model(rho, rng):
    from hcimodel.simulate import simulate_mmc

    r = simulate_mmc(rho * 4.0, 1.0, 4, 4_000_000, rng=rng)
    return {"mean_wait_s": float(r.mean_wait_s.mean())}


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def collect(quick: bool) -> list[dict]:
    from hcimodel.sweep import sweep

    grid = {"rho": np.linspace(0.5, 0.9, 4 if quick else 8).tolist()}
    reps = 4 if quick else 8
    n_tasks = len(grid["rho"]) * reps
    kw = dict(n_replications=reps, seed=2015, progress=False)
    sweep(_model, {"rho": [0.5]}, n_replications=1, seed=1)  # warm the compiled kernel
    t1, one = _timed(lambda: sweep(_model, grid, n_jobs=1, **kw))
    t2, two = _timed(lambda: sweep(_model, grid, n_jobs=2, backend="loky", **kw))
    rows = [row("sweep", f"{n_tasks} M/M/4 runs of 4,000,000 customers", n_tasks,
                "sweep, 2 loky workers", t2, "sweep, 1 worker", t1,
                note=f"speed-up; identical result: {two.equals(one)}")]
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # the dask extra is not installed
        return rows
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        sweep(_model, {"rho": [0.5]}, n_replications=2, seed=1)  # start the workers' imports
        t3, dsk = _timed(lambda: sweep(_model, grid, **kw))
    rows.append(row("sweep", f"{n_tasks} M/M/4 runs of 4,000,000 customers", n_tasks,
                    "sweep, dask LocalCluster (2 workers)", t3, "sweep, 1 worker", t1,
                    note=f"speed-up; identical result: {dsk.equals(one)}"))
    return rows


if __name__ == "__main__":
    for r in collect("--quick" in sys.argv):
        print(f"{r['ours']}: {r['ours_s']:.2f} s vs {r['peer']}: {r['peer_s']:.2f} s "
              f"= {r['ratio']:.2f}x (load {r['load']:.1f}); {r['note']}")
