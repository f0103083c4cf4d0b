"""The Monte Carlo twin of the warm-up: every replica read replayed in time order.

:func:`simulate_warmup` draws the start times, simulates detection from them,
generates the boot reads (or a clone-pool stream for the steady phase) and
replays them through the fetch-replay kernel of
:mod:`hcimodel.simulate.fetch_replay`; it returns the :class:`WarmUp` of the
closed form :func:`~hcimodel.shadowclone.warmup`.
"""

from __future__ import annotations

import numpy as np

from ..clonepool import ClonePool, clone_pool_stream
from ..cluster import Cluster
from ..simulate.fetch_replay import replay_reads, replay_schedule
from ..streams import as_generator
from ..validation import (MAX_SECONDS, check_choice, check_instance, check_integer,
                          check_nonnegative)
from ..workload import WorkloadProfile, as_profile
from .detection import _detect_from_starts
from .replica import DETECTION_REMOTE_CVMS, PHASES, SOURCES, Replica, boot_pace
from .result import WarmUp, from_replay, replay_result
from .streams import _check_pool, replica_pool, replica_reads

__all__ = ["simulate_warmup"]


def simulate_warmup(n_desktops=100, cluster: Cluster | None = None, *,
                    replica: Replica | None = None, workload: WorkloadProfile | str | None = None,
                    phase: str = "boot", source: str = "single", detection_delay_s=None,
                    start_window_s=0.0, detection_lag_s=0.0, n_reads_per_node: int | None = None,
                    sequence=None, pool: ClonePool | None = None, rng=None) -> WarmUp:
    """Monte Carlo twin of :func:`warmup`: every block read replayed in time order.

    Desktop ``d`` goes to node ``d mod H`` (node 0 owns the replica) and powers
    on at a uniform time over ``[0, start_window_s]``. Detection is simulated
    from the start times (:func:`simulate_detection_delay`) unless
    ``detection_delay_s`` is given.

    Boot phase: each desktop reads ``sequence`` (default: the boot set
    ``0 .. m_b - 1``; any array of block ids, e.g.
    :func:`hcimodel.traces.block_keys` of a real trace) from its start at pace
    ``r`` (:func:`boot_pace`), open loop.

    Steady phase: a stream of ``pool`` drawn by
    :func:`hcimodel.clonepool.clone_pool_stream` (default :func:`replica_pool`
    of ``n_desktops``, ``replica`` and ``workload``, the model of
    :func:`warmup`), starting at detection; its replica reads
    (:func:`replica_reads`) are replayed. The stream is long enough for each
    node to serve about ``n_reads_per_node`` replica reads (default ``2 m``,
    ``m = base_blocks``); the exact counts are in ``reads_per_node``.

    The boot reads are generated in time order, replayed and tallied in one
    compiled pass (:func:`hcimodel.simulate.fetch_replay.replay_schedule`):
    memory is the replay state (nodes x blocks) plus one count per distinct
    latency, whatever the number of desktops; the latency table is exact (its
    quantiles those of every read's latency, its means rounded once). The
    steady phase draws its whole stream first (memory grows with its reads).

    Parameters
    ----------
    n_desktops, cluster, replica, workload, phase, source, detection_delay_s,
    start_window_s, detection_lag_s
        As in :func:`warmup` (scalars).
    n_reads_per_node : int, optional
        Steady phase only.
    sequence : array_like of int, optional
        Boot phase only: the block ids each desktop reads, in order.
    pool : hcimodel.clonepool.ClonePool, optional
        Steady phase only: a pool of linked clones with ``pool.n_desktops ==
        n_desktops``; its stream replaces the default one (private and written
        blocks are drawn, then left out as they are not replica reads).
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    WarmUp
        0-d arrays, ``bytes_by_node`` one value per node; the replay's reads per
        node, latency table and warm-up curves in ``replay``.
    """
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    replica = check_instance("replica", replica, Replica, default=Replica)
    check_choice("phase", phase, PHASES)
    check_choice("source", source, SOURCES)
    wl = as_profile(workload or ("boot" if phase == "boot" else "task"))
    H = int(cluster.n_nodes)
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    W = check_nonnegative("start_window_s", start_window_s, scalar=True)
    link_bps = float(cluster.link_bps)
    if 8.0 * replica.block_bytes / link_bps > MAX_SECONDS:
        raise ValueError(f"cluster.link_bps must carry a {replica.block_bytes}-byte block "
                         f"within {MAX_SECONDS:g} s (got {link_bps!r})")
    if pool is not None:
        _check_pool(pool)
        if phase != "steady":
            raise ValueError(f"pool is for the steady phase only (got phase {phase!r})")
        if pool.n_desktops != N:
            raise ValueError(f"pool.n_desktops must equal n_desktops = {N} "
                             f"(got {pool.n_desktops})")
    rng = as_generator(rng)
    b = replica.block_bytes
    node_of = np.arange(N) % H
    starts = rng.random(N) * W
    if detection_delay_s is None:
        td = float(_detect_from_starts(starts[None, :], node_of, H,
                                       check_nonnegative("detection_lag_s", detection_lag_s,
                                                         scalar=True))[0])
    else:
        td = check_nonnegative("detection_delay_s", detection_delay_s, allow_inf=True, scalar=True)
        if H > 1 and min(N, H) - 1 < DETECTION_REMOTE_CVMS:
            td = np.inf
    if H == 1:
        td = 0.0
    if phase == "boot":
        r, _ = boot_pace(replica, wl)
        if sequence is None:
            seq = np.arange(replica.n_boot_blocks, dtype=np.int64)
        else:
            seq = np.atleast_1d(check_integer("sequence", sequence, minimum=0))
            if seq.ndim != 1 or seq.size == 0:
                raise ValueError(f"sequence must be a non-empty 1-D sequence of block ids "
                                 f"(got shape {seq.shape})")
        m = int(seq.max()) + 1
        offs = np.arange(seq.size) / r
    else:
        pool = pool if pool is not None else replica_pool(N, replica=replica, workload=wl)
        m = pool.base_blocks
        b = pool.block_bytes
        n = check_integer("n_reads_per_node", n_reads_per_node, minimum=1, scalar=True) \
            if n_reads_per_node is not None else 2 * m
        share = pool.shared_read_fraction * (1.0 - pool.written_fraction)
        if share <= 0:
            raise ValueError("pool must have replica reads: shared_read_fraction > 0 and "
                             f"written_fraction < 1 (got {pool.shared_read_fraction}, "
                             f"{pool.written_fraction})")
        stream = clone_pool_stream(pool, int(np.ceil(n * H / share)), rng=rng)
        times, nodes, blocks = replica_reads(stream, H)
        times = times + (td if np.isfinite(td) else 0.0)  # the steady state starts at detection
    if phase == "boot":  # generated and replayed in chunks, in time order
        res = replay_schedule(starts, offs, seq, node_of, n_nodes=H, n_blocks=m,
                              detection_s=td, owner=0, link_bps=link_bps,
                              rtt_s=cluster.rtt_s, block_bytes=b, source=source)
        return from_replay(res, phase=phase, source=source, n_nodes=H, n_desktops=N,
                           replica_node=cluster.replica_node,
                           detection_s=td, block_bytes=b, tau=8.0 * b / link_bps)
    return replay_result(times, nodes, blocks, phase=phase, n_desktops=N, cluster=cluster,
                         n_blocks=m, detection_s=td, block_bytes=b, source=source)
