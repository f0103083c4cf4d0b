"""A real block trace as the replica's reads, spread over the nodes of a cluster.

The trace's requests go to nodes (:func:`assign_requests`) and its block keys
replay as reads of the replica (:func:`replay_trace`); the independent
reference model with the trace's own frequencies
(:func:`empirical_popularity`) is what the closed forms would assume.
"""

from __future__ import annotations

import numpy as np

from ..cluster import Cluster
from ..streams import as_generator
from ..validation import (INT64_MAX, check_choice, check_duration, check_instance,
                          check_integer)
from .result import WarmUp, replay_result

__all__ = ["ASSIGNMENTS", "empirical_popularity", "assign_requests", "replay_trace"]

#: How a trace's requests are spread over the nodes.
ASSIGNMENTS = ("random", "round_robin")


def empirical_popularity(keys) -> np.ndarray:
    """Read frequency of each distinct block of a key sequence, the IRM's popularity.

    Parameters
    ----------
    keys : array_like of int
        Block keys, e.g. :func:`hcimodel.traces.block_keys` of a real trace.

    Returns
    -------
    numpy.ndarray
        ``count / len(keys)`` of each distinct key (sums to 1), in decreasing order.
    """
    k = check_integer("keys", keys, minimum=-INT64_MAX - 1).ravel()
    if k.size == 0:
        raise ValueError("keys must hold at least one block key (got an empty array)")
    _, counts = np.unique(k, return_counts=True)
    return np.sort(counts)[::-1] / k.size


def assign_requests(request, n_nodes: int, assign: str = "random", *, rng=None) -> np.ndarray:
    """Node of every block read when a trace's requests are spread over H nodes.

    All blocks of one request go to one node. ``'round_robin'``: the j-th
    distinct request (in order of first appearance) goes to node ``j mod H``.
    ``'random'``: each request goes to a node drawn uniformly and independently
    (seeded), so a block read by ``c`` requests reaches a given node with
    probability ``1 - (1 - 1/H)^c`` exactly.

    Parameters
    ----------
    request : array_like of int
        Request of each block read, e.g. the index of ``block_keys(...,
        return_index=True)``.
    n_nodes : int
    assign : {'random', 'round_robin'}
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    numpy.ndarray of int64
        Node of each block read.
    """
    check_choice("assign", assign, ASSIGNMENTS)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    req = check_integer("request", request, minimum=-INT64_MAX - 1).ravel()
    _, first, inv = np.unique(req, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")  # order of appearance
    if assign == "round_robin":
        per_request = rank % H
    else:
        per_request = as_generator(rng).integers(0, H, rank.size)[rank]
    return per_request[inv.ravel()].astype(np.int64)


def replay_trace(keys, cluster: Cluster | None = None, *, request=None, times=None,
                 assign: str = "random", detection_s: float = 0.0, source: str = "single",
                 block_bytes: int = 4096, rng=None) -> WarmUp:
    """Replay a real trace's block reads as the replica's reads, spread over H nodes.

    The trace's block keys are taken as reads of the replica, in trace order;
    its requests are spread over the nodes by :func:`assign_requests` (node 0
    owns the replica and reads locally), and Shadow Clones fetch each block on
    its first read at every other node (:func:`replay_reads`). With
    ``detection_s = 0`` a non-owner node fetches exactly the distinct blocks it
    reads.

    Parameters
    ----------
    keys : array_like of int
        Block keys in trace order (any integers; renumbered densely here).
    cluster : hcimodel.cluster.Cluster, optional
        Nodes, links and round trip (default ``Cluster()``).
    request : array_like of int, optional
        Request of each key (default: every key its own request).
    times : array_like of float, optional
        Time of each key (s), e.g. the trace's ``time_s`` of its request;
        default one read per microsecond. Only latency depends on it.
    assign : {'random', 'round_robin'}
    detection_s, source
        As in :func:`~hcimodel.shadowclone.replay_stream`.
    block_bytes : int
        Block size of the keys (bytes).
    rng : None, int, SeedSequence or Generator
        For ``assign='random'``.

    Returns
    -------
    WarmUp
        0-d arrays (phase ``'trace'``, ``n_desktops`` 0), with the replay's details.
    """
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    k = check_integer("keys", keys, minimum=-INT64_MAX - 1).ravel()
    if k.size == 0:
        raise ValueError("keys must hold at least one block key (got an empty array)")
    detection_s = check_duration("detection_s", detection_s, allow_inf=True, scalar=True)
    _, blocks = np.unique(k, return_inverse=True)
    blocks = blocks.ravel().astype(np.int64)
    req = np.arange(k.size) if request is None else check_integer(
        "request", request, minimum=-INT64_MAX - 1).ravel()
    t = np.arange(k.size) * 1e-6 if times is None else check_duration("times", times).ravel()
    if req.shape != k.shape or t.shape != k.shape:
        raise ValueError(f"request and times must have one entry per key ({k.size}) "
                         f"(got {req.size} and {t.size})")
    nodes = assign_requests(req, cluster.n_nodes, assign, rng=rng)
    return replay_result(t, nodes, blocks, phase="trace", n_desktops=0, cluster=cluster,
                         n_blocks=int(blocks.max()) + 1, detection_s=detection_s,
                         block_bytes=block_bytes, source=source)
