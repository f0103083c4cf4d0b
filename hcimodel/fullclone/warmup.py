"""The warm-up of a pool of native clones: closed form and Monte Carlo twin
(:mod:`hcimodel.fullclone`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import shadowclone as sc
from ..occupancy import expected_distinct, local_share as _local_share, reads_to_local_share
from ..shadowclone import Replica
from ..simulate.fetch_replay import replay_reads
from ..streams import as_generator
from ..validation import (check_choice, check_in_range, check_instance, check_integer,
                         check_nonnegative)
from ..clonepool import clone_pool_stream
from ..cluster import Cluster, holder_share
from ..workload import WorkloadProfile, as_profile

__all__ = ["EXTENT_BYTES", "PATCH_BYTES", "fetching_nodes", "shared_read_rate",
           "cached_share", "local_share", "FullCloneWarmUp", "warmup", "simulate_warmup"]

#: Extent (vBlock) size, the unit of replica placement (Nutanix Bible: 1 MiB).
EXTENT_BYTES = 1 << 20
#: Bytes one guest writes to apply one image update (*assumed*: a monthly
#: cumulative update of about 1 GB installed; the notebook shows 0.2-4 GB).
PATCH_BYTES = 1e9


def _phase(phase):
    return check_choice("phase", phase, sc.PHASES)


def fetching_nodes(n_nodes, n_desktops, rf=2) -> np.ndarray:
    r"""Expected number of nodes that fetch a given shared block (each once).

    Nodes ``0 .. min(N, H) - 1`` host desktops; node 0 holds every extent, any
    other holds it with probability q (:func:`holder_share`):
    :math:`k_f = (\min(N, H) - 1)(1 - q)`.
    """
    H = check_integer("n_nodes", n_nodes, minimum=1)
    N = check_integer("n_desktops", n_desktops, minimum=1)
    q = holder_share(H, rf)
    return (np.minimum(N, H) - 1.0) * (1.0 - q)


@dataclass(frozen=True)
class FullCloneWarmUp:
    """Warm-up of the shared extents of a pool of native clones.

    The closed form (:func:`warmup`) fills every field with arrays of the
    broadcast shape of its inputs; the Monte Carlo twin (:func:`simulate_warmup`)
    with 0-d arrays, so the two compare field by field.

    Attributes
    ----------
    phase : str
    n_nodes, n_desktops, rf : numpy.ndarray
    reads_per_node : numpy.ndarray
        Shared block reads served by a node hosting desktops (steady phase: the
        reads considered; boot phase: desktops per node times the boot set).
    bytes_per_node : numpy.ndarray
        Bytes fetched by a node other than node 0 that hosts desktops (mean).
    total_bytes : numpy.ndarray
        Bytes fetched by the cluster.
    local_share : numpy.ndarray
        Share of the pool's shared reads that crossed no network (a read that
        waits for a fetch already in flight counts as local).
    time_s : numpy.ndarray
        Time until the last fetch completes (s).
    fetch_latency_s : numpy.ndarray
        Mean extra latency of a read that fetches (RTT, transfer, queueing at
        the source's link; s).
    link_utilization : numpy.ndarray
        Mean load the fetches put on the busiest source link (node 0) over
        the phase.
    stable : numpy.ndarray of bool
        The busiest source link keeps up (utilization < 1; steady phase: at
        the cold start, when every read misses).
    """

    phase: str
    n_nodes: np.ndarray
    n_desktops: np.ndarray
    rf: np.ndarray
    reads_per_node: np.ndarray
    bytes_per_node: np.ndarray
    total_bytes: np.ndarray
    local_share: np.ndarray
    time_s: np.ndarray
    fetch_latency_s: np.ndarray
    link_utilization: np.ndarray
    stable: np.ndarray = field(repr=False)

    METRICS = ("reads_per_node", "bytes_per_node", "total_bytes", "local_share", "time_s",
                "fetch_latency_s", "link_utilization")

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: phase, n_nodes, n_desktops, rf, metric, value; sorted."""
        import polars as pl

        shape = np.broadcast(self.n_nodes, self.n_desktops, self.rf, self.total_bytes).shape
        col = lambda a: np.broadcast_to(np.asarray(a), shape).ravel()  # noqa: E731
        return pl.concat([
            pl.DataFrame({"phase": self.phase, "n_nodes": col(self.n_nodes).astype(np.int64),
                          "n_desktops": col(self.n_desktops).astype(np.int64),
                          "rf": col(self.rf).astype(np.int64), "metric": m,
                          "value": col(getattr(self, m)).astype(float)})
            for m in self.METRICS]).sort(["phase", "n_nodes", "n_desktops", "rf", "metric"])


def shared_read_rate(n_nodes=4, n_desktops=100, *, parent: Replica | None = None,
                     workload: WorkloadProfile | str = "task", written_fraction=0.0) -> np.ndarray:
    r"""Shared block reads per second served by a node that hosts desktops (1/s).

    :math:`\lambda = \frac{N}{\min(N, H)}\,\rho_s\,(1 - w)`, with
    :math:`\rho_s` the shared block reads per second of one desktop
    (:func:`hcimodel.shadowclone.block_read_rate`) and ``w`` the share of the
    parent's blocks a desktop has written (read locally as its own).

    Parameters
    ----------
    n_nodes, n_desktops : array_like of int
        Nodes H and desktops N (broadcast).
    parent : hcimodel.shadowclone.Replica, optional
    workload : WorkloadProfile or str
        Default ``'task'`` (steady state).
    written_fraction : float
        ``w``, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Block reads per second (broadcast shape).
    """
    H = check_integer("n_nodes", n_nodes, minimum=1).astype(float)
    N = check_integer("n_desktops", n_desktops, minimum=1).astype(float)
    w = check_in_range("written_fraction", written_fraction, 0.0, 1.0,
                       high_inclusive=False, scalar=True)
    return N / np.minimum(N, H) * sc.block_read_rate(workload, parent) * (1.0 - w)


def cached_share(time_s, n_nodes=4, n_desktops=100, *, parent: Replica | None = None,
                 workload: WorkloadProfile | str = "task", written_fraction=0.0) -> np.ndarray:
    r"""Warm-up progress of a node since the clones were deployed: what it has cached.

    The share of a node's shared reads whose block the node has already read
    (and so cached) ``t`` seconds after deployment, the next read's
    probability :math:`L(\lambda t)` of
    :func:`hcimodel.occupancy.local_share` (IRM, Zipf ``alpha`` over the
    parent's used blocks) at ``lambda t`` reads (:func:`shared_read_rate`).
    There is no detection delay, so it starts at ``t = 0``. This is the
    ``cached_share`` of the ``full_clones`` strategy of :mod:`hcimodel.hotspot`
    (which routes the other reads to the extents' RF replicas itself); the
    next read is local with probability :func:`local_share`.

    Parameters
    ----------
    time_s : array_like
        Time since deployment (s, >= 0; ``inf`` for warmed up).
    n_nodes, n_desktops, parent, workload, written_fraction
        As in :func:`shared_read_rate`.

    Returns
    -------
    numpy.ndarray
        Share in [0, 1], shape of ``time_s`` broadcast with H and N.
    """
    parent = check_instance("parent", parent, Replica, default=Replica)
    t = check_nonnegative("time_s", time_s, allow_inf=True)
    lam = shared_read_rate(n_nodes, n_desktops, parent=parent, workload=workload,
                           written_fraction=written_fraction)
    with np.errstate(invalid="ignore"):
        n = np.where(t > 0, lam * t, 0.0)
    return _local_share(n, parent.popularity())


def local_share(time_s, n_nodes=4, n_desktops=100, *, rf=2, parent: Replica | None = None,
                workload: WorkloadProfile | str = "task", written_fraction=0.0) -> np.ndarray:
    r"""Probability that a node's next shared read is local, ``t`` s after deployment.

    :math:`1 - (1 - q)(1 - L)`: the node holds the extent (``q``,
    :func:`holder_share`) or has cached the block (``L``, :func:`cached_share`).

    Returns
    -------
    numpy.ndarray
        Share in [0, 1].
    """
    q = holder_share(n_nodes, rf)
    return 1.0 - (1.0 - q) * (1.0 - cached_share(time_s, n_nodes, n_desktops, parent=parent,
                                                 workload=workload,
                                                 written_fraction=written_fraction))


def warmup(n_desktops=100, cluster: Cluster | None = None, *, parent: Replica | None = None,
           workload: WorkloadProfile | str | None = None, phase: str = "boot",
           written_fraction=0.0, n_reads_per_node=None, target=0.99) -> FullCloneWarmUp:
    r"""Closed-form warm-up of the parent's shared extents on the nodes of the pool.

    With :math:`q` = :func:`holder_share`, :math:`k_f` = :func:`fetching_nodes`,
    :math:`b` the block, :math:`\tau = 8 b / \text{link}`:

    Boot phase (every desktop reads the same ``m_b`` boot blocks in order at
    pace ``r`` blocks/s, all at once; :func:`hcimodel.shadowclone.boot_pace`)
        Each fetching node fetches every boot block it does not hold once, on
        its first desktop's read; there is no detection, so nothing is read
        remotely without being kept. ``bytes_per_node = (1 - q) m_b b``,
        ``total = k_f m_b b``, ``local_share = 1 - k_f / N``. A block's
        ``k_f`` copies leave one source together; node 0 is the source of
        ``1/RF`` of the blocks, so its link carries
        ``rho = k_f r tau / RF`` and the warm-up takes
        ``max(T, k_f m_b tau / RF) + rtt + tau`` with ``T = m_b / r``. A fetch
        pays ``rtt + tau + (k_f - 1) tau / 2`` (the copies ahead of it at the
        same instant), plus the fluid backlog ``(rho - 1) T / 2`` of an
        overloaded source.
    Steady phase (independent reads, Zipf ``alpha`` over the used blocks)
        A hosting node serves ``lambda = (N / min(N, H)) rho_s`` shared block
        reads per second (``rho_s`` per desktop, less the written fraction
        ``w``). After ``n`` reads it has fetched ``(1 - q) D(n)`` blocks
        (:func:`~hcimodel.occupancy.expected_distinct`); its next read is
        local with probability ``1 - (1 - q)(1 - L(n))``
        (:func:`~hcimodel.occupancy.local_share`). Default ``n``: the reads
        until that probability reaches ``target``
        (:func:`~hcimodel.occupancy.reads_to_local_share` at
        ``1 - (1 - target)/(1 - q)``). ``total = k_f D(n) b``,
        ``local_share = 1 - k_f D(n) / (min(N, H) n)``,
        ``time = max(n / lambda, k_f D(n) tau / RF)``; node 0's link carries
        ``k_f D(n) tau / RF`` over that time (``link_utilization``). A fetch
        waits at most the M/D/1 wait ``rho tau / (2 (1 - rho))`` of the cold
        start, ``rho = k_f lambda tau / RF`` (``inf`` and ``stable = False``
        when ``rho >= 1``).

    One node, or ``RF = H``: every read is local, nothing is fetched.

    Parameters
    ----------
    n_desktops : array_like of int
        Desktops N.
    cluster : hcimodel.cluster.Cluster, optional
        Nodes H, replication factor RF (``replication_factor``; at most one copy per node),
        node link (``link_bps``, bit/s) and CVM round trip (``rtt_s``, s);
        default ``Cluster()`` (4 nodes, RF2, 10 GbE, 0.2 ms).
    parent : hcimodel.shadowclone.Replica, optional
        The parent image (used bytes, boot set, block, Zipf alpha); default
        ``Replica()`` (10 GB used, 378 MB boot set: the shared part of a
        boot's reads, :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`; 4 KiB).
    workload : WorkloadProfile or str, optional
        Default ``'boot'`` (boot phase) or ``'task'`` (steady phase). Its
        ``replica_read_fraction`` is the share of reads that go to the
        parent's (shared) extents.
    phase : {'boot', 'steady'}
    written_fraction : float
        Share of the shared blocks each desktop has written (steady phase):
        patched blocks are the desktop's own and read locally.
    n_reads_per_node : float, optional
        Steady phase: reads per hosting node to evaluate at.
    target : float
        Steady phase: next-read local probability counted as warm, in (0, 1).

    Returns
    -------
    FullCloneWarmUp
    """
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    parent = check_instance("parent", parent, Replica, default=Replica)
    _phase(phase)
    wl = as_profile(workload or ("boot" if phase == "boot" else "task"))
    link, rtt = float(cluster.link_bps), float(cluster.rtt_s)
    w = check_in_range("written_fraction", written_fraction, 0.0, 1.0,
                       high_inclusive=False, scalar=True)
    tgt = check_in_range("target", target, 0.0, 1.0, low_inclusive=False,
                         high_inclusive=False, scalar=True)
    H = np.asarray(int(cluster.n_nodes))
    N = check_integer("n_desktops", n_desktops, minimum=1)
    R = np.asarray(cluster.copies)  # RF, at most one copy per node
    given = None if n_reads_per_node is None or phase == "boot" else \
        check_nonnegative("n_reads_per_node", n_reads_per_node)
    H, N, R, given = np.broadcast_arrays(H, N, R, 0.0 if given is None else given)
    Hf, Nf, Rf = H.astype(float), N.astype(float), R.astype(float)
    q = holder_share(H, R)
    kf = fetching_nodes(H, N, R)
    hosting = np.minimum(Nf, Hf)
    b = float(parent.block_bytes)
    tau = 8.0 * b / link
    if phase == "boot":
        r, T = sc.boot_pace(parent, wl)
        m = float(parent.n_boot_blocks)
        reads = Nf / hosting * m
        fetched = (1.0 - q) * m
        total = kf * m
        local = 1.0 - kf / Nf
        rho = kf * r * tau / Rf
        time = np.maximum(T, kf * m * tau / Rf) + rtt + tau
        backlog = np.maximum(rho - 1.0, 0.0) * T / 2.0
        lat = rtt + tau + np.maximum(kf - 1.0, 0.0) * tau / 2.0 + backlog
        stable = rho < 1.0
    else:
        p = parent.popularity()
        lam = shared_read_rate(H, N, parent=parent, workload=wl, written_fraction=w)
        if n_reads_per_node is None:
            need = np.clip(1.0 - (1.0 - tgt) / np.where(q < 1, 1.0 - q, 1.0), 0.0, None)
            reads = np.where(q < 1, reads_to_local_share(need, p), 0.0)
        else:
            reads = given.astype(float)
        d = expected_distinct(reads, p)
        fetched = (1.0 - q) * d
        total = kf * d
        with np.errstate(invalid="ignore", divide="ignore"):
            local = np.where(reads > 0, 1.0 - total / (hosting * np.where(reads > 0, reads, 1.0)),
                             1.0)
        peak = kf * lam * tau / Rf  # every fetching node misses at first
        stable = peak < 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = np.where(stable, peak * tau / (2.0 * (1.0 - peak)), np.inf)
            lat = rtt + tau + wait
            time = np.maximum(reads / lam, total * tau / Rf)
            rho = np.where(time > 0, total * tau / Rf / np.where(time > 0, time, 1.0), 0.0)
    none = kf <= 0  # one node, or every hosting node holds every extent
    zero = lambda a: np.where(none, 0.0, a)  # noqa: E731
    return FullCloneWarmUp(phase, H.copy(), N.copy(), R.copy(),
                           np.broadcast_to(reads, H.shape).astype(float),
                           zero(fetched * b), zero(total * b), np.where(none, 1.0, local),
                           zero(time), zero(lat), zero(rho), np.asarray(stable | none))


# ------------------------------------------------------------------ Monte Carlo twin

def _placement(n_extents, H, R, rng):
    """Holders (H, n_extents) bool and the serving node of each extent."""
    hold = np.zeros((H, n_extents), dtype=bool)
    hold[0] = True
    if R > 1:
        keys = rng.random((n_extents, H - 1))
        others = np.argsort(keys, axis=1)[:, :R - 1] + 1  # R - 1 distinct nodes of 1..H-1
        hold[others.T, np.arange(n_extents)[None, :]] = True
    holders = np.concatenate([np.zeros((n_extents, 1), dtype=np.int64),
                              others if R > 1 else np.empty((n_extents, 0), np.int64)], axis=1)
    source = holders[np.arange(n_extents), rng.integers(0, R, n_extents)]
    return hold, source


def simulate_warmup(n_desktops=100, cluster: Cluster | None = None, *,
                    parent: Replica | None = None, workload: WorkloadProfile | str | None = None,
                    phase: str = "boot", written_fraction=0.0,
                    n_reads_per_node: int | None = None, start_window_s=0.0,
                    extent_bytes: int = EXTENT_BYTES, rng=None) -> FullCloneWarmUp:
    """Monte Carlo twin of :func:`warmup`: every shared block read replayed.

    Replica placement is drawn per extent (node 0 and ``RF - 1`` distinct other
    nodes; the serving holder uniform among them). Desktop ``d`` runs on node
    ``d mod H`` and starts at a uniform time over ``[0, start_window_s]``.
    Boot phase: each desktop reads the boot blocks ``0 .. m_b - 1`` from its
    start at pace ``r``. Steady phase: the shared reads
    (:func:`hcimodel.shadowclone.replica_reads`) of a
    :func:`hcimodel.clonepool.clone_pool_stream` of
    :func:`hcimodel.shadowclone.replica_pool` with the written fraction, about
    ``n_reads_per_node`` per hosting node (default ``2 m``).

    A read by a holder is local. The others are replayed by
    :func:`hcimodel.simulate.fetch_replay.replay_reads` with no detection delay, once per
    serving node (the ``owner`` of that replay): FIFO uplinks per source; a
    receiver's downlink is shared only within one source's replay (it carries
    one copy of each block, far below its capacity).

    Parameters
    ----------
    n_desktops, cluster, parent, workload, phase, written_fraction
        As in :func:`warmup` (``n_desktops`` a single number here).
    n_reads_per_node : int, optional
        Steady phase only: shared reads per hosting node (default ``2 m``).
    start_window_s : float
        Desktops start at uniform times over ``[0, start_window_s]`` (s).
    extent_bytes : int
        Size of the unit of replica placement (bytes; default
        :data:`EXTENT_BYTES`, 1 MiB).
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    FullCloneWarmUp
        0-d arrays; ``bytes_per_node`` is the mean over the hosting nodes other
        than node 0, ``link_utilization`` node 0's blocks sent times ``tau``
        over the span of the reads.
    """
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    parent = check_instance("parent", parent, Replica, default=Replica)
    _phase(phase)
    wl = as_profile(workload or ("boot" if phase == "boot" else "task"))
    H = int(cluster.n_nodes)
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    R = int(cluster.copies)  # RF, at most one copy per node
    w = check_in_range("written_fraction", written_fraction, 0.0, 1.0,
                       high_inclusive=False, scalar=True)
    W = check_nonnegative("start_window_s", start_window_s, scalar=True)
    link, rtt_s = float(cluster.link_bps), float(cluster.rtt_s)
    rng = as_generator(rng)
    b = int(parent.block_bytes)
    per_extent = max(1, check_integer("extent_bytes", extent_bytes, minimum=b,
                                      scalar=True) // b)
    hosting = min(N, H)
    starts = rng.random(N) * W
    node_of = np.arange(N) % H
    if phase == "boot":
        r, T = sc.boot_pace(parent, wl)
        m = parent.n_boot_blocks
        times = (starts[:, None] + np.arange(m)[None, :] / r).ravel()
        nodes = np.repeat(node_of, m)
        blocks = np.tile(np.arange(m, dtype=np.int64), N)
        order = np.argsort(times, kind="stable")
        times, nodes, blocks = times[order], nodes[order], blocks[order]
        span = T + W
    else:
        pool = sc.replica_pool(N, replica=parent, workload=wl).replace(written_fraction=w)
        m = pool.base_blocks
        n = check_integer("n_reads_per_node", n_reads_per_node, minimum=1, scalar=True) \
            if n_reads_per_node is not None else 2 * m
        stream = clone_pool_stream(pool, int(np.ceil(n * hosting / (1.0 - w))), rng=rng)
        times, nodes, blocks = sc.replica_reads(stream, H)
        span = float(times.max()) if times.size else 0.0
    n_ext = int(np.ceil(m / per_extent))
    hold, source = _placement(n_ext, H, R, rng)
    ext = blocks // per_extent
    remote = ~hold[nodes, ext]
    fetched = np.zeros(H)
    sent0 = 0
    last = 0.0
    fetch_lat = []
    for s in np.unique(source[ext[remote]]):
        sel = remote & (source[ext] == s)
        res = replay_reads(times[sel], nodes[sel], blocks[sel], n_nodes=H, n_blocks=m,
                              detection_s=0.0, owner=int(s), link_bps=link, rtt_s=rtt_s,
                              block_bytes=b, source="single")
        fetched += res["fetched_blocks"]
        if s == 0:
            sent0 = int(res["sent_blocks"][0])
        last = max(last, float(res["last_fetch_s"].max()))
        fetch_lat.append(res["latency_s"][res["kind"] == 2])
    lat = np.concatenate(fetch_lat) if fetch_lat else np.empty(0)
    reads = np.bincount(nodes, minlength=H)[:hosting]
    tau = 8.0 * b / link
    others = fetched[1:hosting]
    a = lambda x: np.asarray(float(x))  # noqa: E731
    rho = sent0 * tau / span if span > 0 else 0.0
    return FullCloneWarmUp(phase, np.asarray(H), np.asarray(N), np.asarray(R),
                           a(reads.mean()), a(others.mean() * b if others.size else 0.0),
                           a(fetched.sum() * b), a(1.0 - fetched.sum() / max(times.size, 1)),
                           a(last), a(lat.mean() if lat.size else 0.0), a(rho),
                           np.asarray(rho < 1.0))


# ------------------------------------------------------------------ patch cycle
