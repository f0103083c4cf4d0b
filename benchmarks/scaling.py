"""How each engine's cost grows: time at three sizes spanning 100x, fitted exponent.

For every engine, one whole call (setup included) at three sizes a factor 10
apart; the time is the median of 3 runs after a warm-up, and the exponent is
the slope of log(time) on log(size) (1 = linear). A regression in how cost
grows shows up as a larger exponent. Run ``python benchmarks/scaling.py
[--quick]`` (``--quick``: sizes 10x smaller where that still spans 100x).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, scaling_row  # noqa: E402


def _zipf_keys(n, n_keys=1_000_000, seed=0):
    """n requests of a Zipf(1.1) catalog, as hashed 64-bit keys."""
    ranks = np.random.default_rng(seed).zipf(1.1, n) % n_keys
    return (ranks.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)).view(np.int64)


def engines(quick: bool):
    """(engine, unit, sizes, make(size) -> callable of no argument, note)."""
    from hcimodel import shadowclone as sc
    from hcimodel.cluster import Cluster
    from hcimodel.caching import che_lru, lru_m, zipf_rates
    from hcimodel.replication.simulate import MonteCarlo, simulate_rpo
    from hcimodel.simulate import lru_hits, miss_ratio_curve, simulate_mmc
    from hcimodel.simulate.closed_network import simulate_closed_network

    big = 1 if quick else 10

    def mmc(n):
        return lambda: simulate_mmc(0.9, 1.0, 1, n, rng=0)

    def lru(n):
        keys = _zipf_keys(n)
        return lambda: lru_hits(keys, 10_000)

    def mrc(n):
        keys = _zipf_keys(n)
        return lambda: miss_ratio_curve(keys)

    def closed(n):
        return lambda: simulate_closed_network([0.01, 0.02, 0.005], [0.5, 0.3, 0.2], 0.5, 40,
                                               n_requests=n, warmup_requests=0, rng=0)

    def warm(n):
        seq = np.arange(1_000)  # each desktop reads 1,000 blocks
        return lambda: sc.simulate_warmup(n // 1_000, Cluster(8), sequence=seq,
                                          start_window_s=60.0, rng=0)

    def che(n):
        lam = zipf_rates(n, 0.8)
        caps = np.geomspace(1, 0.99 * n, 64)
        return lambda: che_lru(lam, caps)

    def lrum(n):
        lam = zipf_rates(n, 0.8)
        caps = np.geomspace(1, 0.3 * n, 16)
        return lambda: lru_m(lam, np.stack([caps, caps, caps]))

    def rpo(n):
        run = MonteCarlo(n_intervals=n // 32, n_replications=8)
        return lambda: simulate_rpo(3600, (50,) * 4, delta_scv=1.0, run=run, rng=0)

    b = big
    return [
        ("simulate_mmc (M/M/1, rho 0.9)", "customers", [1e4 * b, 1e5 * b, 1e6 * b], mmc, ""),
        ("lru_hits (hashed 64-bit keys)", "requests", [1e4 * b, 1e5 * b, 1e6 * b], lru,
         "Zipf 1.1, capacity 10,000"),
        ("miss_ratio_curve", "requests", [1e4 * b, 1e5 * b, 1e6 * b], mrc, "Zipf 1.1 keys"),
        ("simulate_closed_network", "requests", [1e4 * b, 1e5 * b, 1e6 * b], closed,
         "3 stations, 40 desktops"),
        ("simulate_warmup (boot)", "block reads", [8e3 * b, 8e4 * b, 8e5 * b], warm,
         "8 nodes, 1,000 blocks per desktop"),
        ("simulate_rpo", "transfers", [3.2e3 * b, 3.2e4 * b, 3.2e5 * b], rpo,
         "4 domains x 8 replications; fixed costs dominate the small sizes"),
        ("che_lru (64 capacities)", "catalog items", [1e5, 1e6, 1e7], che,
         "cost grows with occupied bins, not items"),
        ("lru_m (3 lists, 16 capacities)", "catalog items", [1e4, 1e5, 1e6], lrum, ""),
    ]


def collect(quick: bool) -> list[dict]:
    rows = []
    for name, unit, sizes, make, note in engines(quick):
        sizes = [int(s) for s in sizes]
        times = []
        for n in sizes:
            fn = make(n)
            times.append(interleaved({"x": fn}, 3)["x"])
        rows.append(scaling_row(name, unit, sizes, times, note))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args(argv)
    for r in collect(args.quick):
        print(f"{r['engine']:<34} {r['unit']:<14} " + "  ".join(
            f"{r[f'n{i}']:>10,}: {r[f't{i}_s']:.4f} s" for i in (1, 2, 3))
            + f"  exponent {r['exponent']:.2f}  load {r['load']:.1f}")


if __name__ == "__main__":
    main()
