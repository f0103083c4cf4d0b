"""Clone-pool streams as the replica's reads: the steady state of a real pool of linked clones.

The replica reads of a :func:`hcimodel.clonepool.clone_pool_stream` (base
blocks the desktop has not written) placed on nodes (:func:`replica_reads`)
and replayed (:func:`replay_stream`); their popularity is the pool's Zipf law
(:func:`pool_popularity`), and :func:`replica_pool` is the pool whose reads are
the steady phase of :func:`~hcimodel.shadowclone.warmup`.
"""

from __future__ import annotations

import numpy as np

from ..caching import zipf_rates
from ..clonepool import ClonePool, ClonePoolStream
from ..cluster import Cluster
from ..validation import check_duration, check_instance, check_integer
from ..workload import WorkloadProfile
from .replica import Replica, block_read_rate
from .result import WarmUp, replay_result

__all__ = ["replica_pool", "pool_popularity", "replica_read_rate", "replica_reads",
           "replay_stream"]


def _check_pool(pool):
    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    if pool.clone_type != "linked":
        raise ValueError(f"pool.clone_type must be 'linked': Shadow Clones cache the replica "
                         f"of linked clones (got {pool.clone_type!r})")
    return pool


def replica_pool(n_desktops: int = 100, *, replica: Replica | None = None,
                 workload: WorkloadProfile | str = "task") -> ClonePool:
    """The clone pool whose replica reads are the steady phase of :func:`warmup`.

    ``n_desktops`` linked clones read the replica's used blocks
    (``base_blocks = replica.n_blocks``, Zipf ``replica.alpha``), each at
    ``replica_read_iops * read_size / block`` block reads per second; no
    private blocks and nothing written, so every read of the stream is a
    replica read and a node hosting ``n`` desktops serves ``lambda = n *
    replica_read_iops * read_size / block`` of them per second, as in
    :func:`warmup`.

    Returns
    -------
    hcimodel.clonepool.ClonePool
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    b = int(replica.block_bytes)
    return ClonePool(n_desktops=check_integer("n_desktops", n_desktops, minimum=1, scalar=True),
                     base_blocks=replica.n_blocks, private_blocks=0, alpha=replica.alpha,
                     shared_read_fraction=1.0, written_fraction=0.0,
                     read_iops=block_read_rate(workload, replica),
                     clone_type="linked", block_bytes=b, fingerprint_bytes=b)


def pool_popularity(pool: ClonePool) -> np.ndarray:
    r"""Popularity of the replica reads of a pool of linked clones (IRM).

    A replica read is a read of a base block the desktop has not written. The
    base block is Zipf(``alpha``) over ``base_blocks``, and whether the
    (desktop, block) pair is written is independent of the block (each pair is
    written with the same probability :math:`w(t)`), so the replica reads are
    Zipf(``alpha``) over ``base_blocks`` too, at every time. (Given one layout of
    written pairs, a node's popularity is :math:`\propto z_b U_b`, with
    :math:`U_b` its desktops that have not written block b: the same law up to
    binomial noise of relative variance :math:`w / (n (1 - w))` for n desktops
    per node.)

    Returns
    -------
    numpy.ndarray, shape (base_blocks,)
    """
    pool = _check_pool(pool)
    return zipf_rates(pool.base_blocks, pool.alpha, 1.0)


def replica_read_rate(pool: ClonePool, n_nodes, time_s=0.0) -> np.ndarray:
    r"""Replica block reads per second served by one node (mean over nodes).

    .. math:: \lambda = \frac{N}{H}\, \rho\, s\, (1 - w(t))

    with :math:`\rho` = ``pool.read_iops``, :math:`s` =
    ``shared_read_fraction`` and :math:`w(t)` the written fraction
    (:meth:`ClonePool.written_fraction_at`).

    Returns
    -------
    numpy.ndarray
        Reads per second (broadcast shape of ``n_nodes`` and ``time_s``).
    """
    pool = _check_pool(pool)
    H = check_integer("n_nodes", n_nodes, minimum=1).astype(float)
    return (pool.n_desktops / H * pool.read_iops * pool.shared_read_fraction
            * (1.0 - pool.written_fraction_at(time_s)))


def replica_reads(stream: ClonePoolStream, n_nodes: int):
    """The replica reads of a clone-pool stream, placed on nodes.

    Desktop ``d`` runs on node ``d mod H`` (node 0 owns the replica). A replica
    read is a read of a base block (``block < base_blocks``) that the desktop
    has not written; private blocks and written base blocks live on the
    desktop's own delta disk and are not Shadow Clone reads.

    Parameters
    ----------
    stream : hcimodel.clonepool.ClonePoolStream
        From :func:`hcimodel.clonepool.clone_pool_stream` of a linked-clone pool.
    n_nodes : int

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``times`` (s), ``nodes`` and ``blocks`` (base block ids) of the replica
        reads, in stream order.
    """
    if not isinstance(stream, ClonePoolStream):
        raise ValueError(f"stream must be a ClonePoolStream (got {type(stream).__name__})")
    _check_pool(stream.pool)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    keep = ~stream.written & (stream.block < stream.pool.base_blocks)
    return stream.time_s[keep], stream.desktop[keep] % H, stream.block[keep]


def replay_stream(stream: ClonePoolStream, cluster: Cluster | None = None, *,
                  detection_s: float = 0.0, source: str = "single") -> WarmUp:
    """Replay the replica reads of a clone-pool stream through Shadow Clones.

    The reads are :func:`replica_reads` (desktop ``d`` on node ``d mod H``, node
    0 the owner); reads before ``detection_s`` go to the owner, afterwards each
    non-owner node fetches a block on its first read (:func:`replay_reads`).
    With ``detection_s = 0`` a non-owner node fetches exactly the distinct
    blocks it reads, whose expectation is :func:`expected_distinct` of its
    reads under :func:`pool_popularity`.

    Parameters
    ----------
    stream : hcimodel.clonepool.ClonePoolStream
    cluster : hcimodel.cluster.Cluster, optional
        Nodes, links and round trip (default ``Cluster()``).
    detection_s : float
        Time Shadow Clones start, on the stream's clock (s); ``inf`` for never.
    source
        As in :func:`warmup`.

    Returns
    -------
    WarmUp
        0-d arrays (phase ``'steady'``), with the replay's details.
    """
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    detection_s = check_duration("detection_s", detection_s, allow_inf=True, scalar=True)
    times, nodes, blocks = replica_reads(stream, cluster.n_nodes)
    return replay_result(times, nodes, blocks, phase="steady",
                         n_desktops=stream.pool.n_desktops, cluster=cluster,
                         n_blocks=stream.pool.base_blocks, detection_s=detection_s,
                         block_bytes=stream.pool.block_bytes, source=source)
