"""The read path, routing and I/O flows of the hot-spot model.

Where each read and write leg of a desktop goes (:func:`read_components`,
:func:`routing`), as flows from a node of origin to a CVM with a rate and a
constant extra delay; the steady state and the boot storm are both built on
these flows (the model is described in :mod:`hcimodel.hotspot`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cluster import Cluster
from ..validation import (check_choice, check_in_range, check_instance, check_integer,
                          check_probability)
from ..workload import WorkloadProfile, as_profile

__all__ = ["STRATEGIES", "GROUPS", "read_components", "routing"]

STRATEGIES = ("linked_clones", "shadow_clones", "full_clones")
GROUPS = ("replica_node", "other_nodes")
_QUANTILES = {"p95": 0.95, "p99": 0.99}


def _check_strategy(strategy: str) -> str:
    return check_choice("strategy", strategy, STRATEGIES)


def read_components(workload: WorkloadProfile | str, strategy: str, cluster: Cluster, node: int,
                    cached_share: float = 1.0) -> list[tuple[float, int, float]]:
    """The read path of a desktop on ``node``, as a mixture.

    Parameters
    ----------
    workload : WorkloadProfile or str
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster
    node : int
        Node of the desktop (0 .. H-1).
    cached_share : float
        Share of the shared data this node has already cached, in [0, 1]
        (Shadow Clones and full clones; 1 after warm-up). Ignored by
        ``linked_clones``, whose shared reads always go to the owner CVM.

    Returns
    -------
    list of (weight, station, shift_s)
        Probability that a read is served by CVM ``station`` and pays the
        constant extra delay ``shift_s`` (network when ``station != node``,
        plus the device's access time). Weights sum to 1; zero weights are
        left out.
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster)
    node = check_integer("node", node, minimum=0, maximum=cluster.n_nodes - 1, scalar=True)
    c = check_probability("cached_share", cached_share, scalar=True)
    rp = cluster.read_path
    d = cluster.remote_delay_s(workload.read_size_bytes)
    q = workload.replica_read_fraction
    comps: list[tuple[float, int, float]] = []

    def at(station: int, weight: float, mix) -> None:
        net = 0.0 if station == node else d
        for p, dev in mix:
            if weight * p > 0:
                comps.append((weight * p, station, net + dev))

    at(node, 1.0 - q, rp.mix(rp.cache_hit_private))  # private data: local after locality
    owner, h = cluster.replica_node, rp.cache_hit_shared
    if strategy == "linked_clones":
        at(owner, q, rp.mix(h))
        return comps
    at(node, q * c * h, rp.cache_mix())  # cached here: a local hit
    to_extents = q * c * (1.0 - h) if strategy == "shadow_clones" else q * (1.0 - c * h)
    for s, w in enumerate(cluster.extent_share(node)):  # a remote holder serves from its
        if w > 0:  # cache first, as the owner does
            at(s, to_extents * w, rp.extent_mix() if s == node else rp.mix(h))
    if strategy == "shadow_clones":  # not yet fetched: read through the owner CVM
        at(owner, q * (1.0 - c), rp.mix(h))
    return comps


@dataclass(frozen=True)
class _Flows:
    """Per-desktop I/O flows: origin node -> CVM, rate (1/s), read or write, shift (s)."""

    origin: np.ndarray
    station: np.ndarray
    rate: np.ndarray
    is_read: np.ndarray
    shift: np.ndarray
    size: np.ndarray  # bytes crossing the network per I/O (0 when local)


def _flows(workload: WorkloadProfile, strategy: str, cluster: Cluster, cached_share: float) -> _Flows:
    H, k = cluster.n_nodes, cluster.copies
    rows = []
    reads, writes = workload.read_iops, workload.iops - workload.read_iops
    d_w = cluster.remote_delay_s(workload.write_size_bytes)
    for i in range(H):
        for w, j, shift in read_components(workload, strategy, cluster, i, cached_share):
            rows.append((i, j, reads * w, True, shift, workload.read_size_bytes if j != i else 0.0))
        if writes > 0:
            rows.append((i, i, writes, False, 0.0, 0.0))
            for j in range(H):
                if j != i and k > 1:
                    rows.append((i, j, writes * (k - 1) / (H - 1), False, d_w,
                                 workload.write_size_bytes))
    o, s, r, isr, sh, sz = (np.array(x) for x in zip(*rows))
    return _Flows(o.astype(np.int64), s.astype(np.int64), r.astype(float), isr.astype(bool),
                  sh.astype(float), sz.astype(float))


def routing(workload: WorkloadProfile | str, strategy: str, cluster: Cluster | None = None,
            cached_share: float = 1.0) -> np.ndarray:
    """CVM visits per I/O of a desktop, reads and write legs together.

    Returns
    -------
    numpy.ndarray, shape (H, H)
        ``P[i, j]``: visits to CVM j per I/O of a desktop on node i. Rows sum
        to ``1 + (1 - read_fraction) (RF - 1)``: a write visits the local CVM
        and RF - 1 others.
    """
    workload = as_profile(workload)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    fl = _flows(workload, _check_strategy(strategy), cluster,
                check_probability("cached_share", cached_share, scalar=True))
    P = np.zeros((cluster.n_nodes, cluster.n_nodes))
    np.add.at(P, (fl.origin, fl.station), fl.rate / workload.iops)
    return P


def _link_load_bps(fl: _Flows, n_nodes: int) -> np.ndarray:
    """Bits per second per desktop-per-node on each node's link: max(sent, received), shape (H,).

    A remote read's data goes from the serving node to the reader; a write's
    copy from the writer to the remote oplog.
    """
    bits = 8.0 * fl.rate * fl.size
    sender = np.where(fl.is_read, fl.station, fl.origin)
    receiver = np.where(fl.is_read, fl.origin, fl.station)
    tx = np.bincount(sender, weights=bits, minlength=n_nodes)
    rx = np.bincount(receiver, weights=bits, minlength=n_nodes)
    return np.maximum(tx, rx)

def _check_pool(n_desktops) -> np.ndarray:
    n = np.atleast_1d(check_integer("n_desktops", n_desktops, minimum=1))
    if n.size == 0 or n.ndim != 1:
        raise ValueError(f"n_desktops must be one pool size or a non-empty 1-D sequence of them "
                         f"(got shape {n.shape})")
    return n


def _check_boot_bytes(boot_read_bytes) -> float:
    # at most 2**63 bytes: the I/O count per desktop must fit an int64
    return check_in_range("boot_read_bytes", boot_read_bytes, 0.0, 2.0**63,
                          low_inclusive=False, scalar=True)


def _group_nodes(cluster: Cluster, group: str) -> list[int]:
    if group == "replica_node":
        return [cluster.replica_node]
    return [j for j in range(cluster.n_nodes) if j != cluster.replica_node]

