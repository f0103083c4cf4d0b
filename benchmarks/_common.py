"""Timing helpers shared by the benchmarks (not part of the package).

Every comparison times whole calls, setup included, as the median of
interleaved runs (engine, peer, engine, peer, ...) after one warm-up call each,
so both sides see the same machine load; the 1-minute load average is recorded
beside each result because the machine may be shared.
"""

from __future__ import annotations

import os
import time

import numpy as np


def load() -> float:
    """1-minute load average (the machine may be shared)."""
    return float(os.getloadavg()[0])


def interleaved(fns: dict, repeat: int, warm: bool = True) -> dict:
    """Median wall time (s) of each callable, run in interleaved rounds.

    ``fns`` maps a name to a callable of no argument; each is called once to
    warm up (numba cache load, file pages) unless ``warm`` is False, then
    ``repeat`` rounds call every callable once, in order.
    """
    if warm:
        for fn in fns.values():
            fn()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) for k, v in times.items()}


def fit_exponent(sizes, seconds) -> float:
    """Slope of log(time) against log(size): time ~ size**exponent."""
    return float(np.polyfit(np.log(np.asarray(sizes, float)),
                            np.log(np.asarray(seconds, float)), 1)[0])


def row(benchmark, case, n, ours, ours_s, peer="", peer_s=np.nan, note="", load_avg=None):
    """One comparison row (see benchmarks/run.py for the columns)."""
    ratio = peer_s / ours_s if np.isfinite(peer_s) and ours_s > 0 else np.nan
    return {"benchmark": benchmark, "case": case, "n": int(n), "ours": ours,
            "ours_s": float(ours_s), "peer": peer, "peer_s": float(peer_s),
            "ratio": float(ratio), "load": load() if load_avg is None else float(load_avg),
            "note": note}


def scaling_row(engine, unit, sizes, seconds, note=""):
    """One scaling row: three sizes, their times and the fitted exponent."""
    return {"engine": engine, "unit": unit,
            **{f"n{i + 1}": int(s) for i, s in enumerate(sizes)},
            **{f"t{i + 1}_s": float(t) for i, t in enumerate(seconds)},
            "exponent": fit_exponent(sizes, seconds), "load": load(), "note": note}
