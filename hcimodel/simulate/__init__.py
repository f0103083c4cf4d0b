"""Exact Monte Carlo kernels: FIFO queues, closed networks, cache replays, fetch-on-first-read replays.

Each kernel simulates its system exactly (no fluid or mean-field shortcut), is
vectorized with numpy where the recursion allows it and compiled with numba where
the loop is truly sequential.

The names below load their module (and numba) on first use, so that a model
importing one kernel, or nothing but a type, does not compile or import the others.
"""

import importlib

_EXPORTS = {
    **dict.fromkeys(("LOWER_HIT", "MISS", "UPPER_HIT", "lru_m_replay", "segmented_lru_replay",
                     "two_lru_hits"), "tiered_cache_replay"),
    **dict.fromkeys(("MissRatioCurve", "dense_ids", "lru_hits", "miss_ratio_curve",
                     "shards_sample", "stack_distances"), "cache_replay"),
    **dict.fromkeys(("QueueSimResult", "fifo_multiserver_waits", "lindley_waits",
                     "simulate_mmc", "simulate_queue"), "queues"),
    **dict.fromkeys(("ClosedNetworkResult", "FiniteJobsResult", "simulate_closed_network",
                     "simulate_finite_jobs"), "closed_network"),
    **dict.fromkeys(("ConfidenceInterval", "confidence_interval"), "stats"),
    **dict.fromkeys(("FETCH_SOURCES", "KINDS", "FetchReplay", "replay_reads",
                     "replay_schedule", "replay_summary"), "fetch_replay"),
}
__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
