"""Exact Monte Carlo kernels: FIFO queues, closed networks, cache replays, fetch-on-first-read replays.

Each kernel simulates its system exactly (no fluid or mean-field shortcut), is
vectorized with numpy where the recursion allows it and compiled with numba where
the loop is truly sequential.
"""
from .tiered_cache_replay import (LOWER_HIT, MISS, UPPER_HIT, lru_m_replay,  # noqa: F401
                                  segmented_lru_replay, two_lru_hits)
from .cache_replay import (MissRatioCurve, dense_ids, lru_hits, miss_ratio_curve,  # noqa: F401
                           shards_sample, stack_distances)
from .queues import (QueueSimResult, fifo_multiserver_waits, lindley_waits,  # noqa: F401
                     simulate_mmc, simulate_queue)
from .closed_network import (ClosedNetworkResult, FiniteJobsResult,  # noqa: F401
                             simulate_closed_network, simulate_finite_jobs)
from .stats import ConfidenceInterval, confidence_interval  # noqa: F401
from .fetch_replay import (FETCH_SOURCES, KINDS, FetchReplay, replay_reads,  # noqa: F401
                           replay_schedule, replay_summary)
