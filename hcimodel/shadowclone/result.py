"""The one result of a Shadow Clones warm-up, closed form or Monte Carlo twin.

:func:`~hcimodel.shadowclone.warmup` fills every field with arrays of the grid
of its inputs; :func:`~hcimodel.shadowclone.simulate_warmup` (and the stream
and trace replays) with 0-d arrays, and ``bytes_by_node`` with one value per
node in both, so a closed form and its twin compare field by field
(:func:`hcimodel.twins.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numba loads with the replay, not with the result type
    from ..simulate.fetch_replay import FetchReplay

__all__ = ["WarmUp"]


@dataclass(frozen=True)
class WarmUp:
    """Warm-up of Shadow Clones: bytes fetched, bytes read remotely, time, link load.

    Every array has the grid shape of the inputs (0-d for a Monte Carlo run);
    ``bytes_by_node`` has one more axis, the H nodes.

    Attributes
    ----------
    phase, source : str
        ``'boot'`` or ``'steady'`` (``'trace'`` for a real trace's replay);
        ``'single'`` or ``'map'``.
    n_nodes, n_desktops : numpy.ndarray of int
        Nodes H and desktops N (0 for a trace).
    detected : numpy.ndarray of bool
        False where Shadow Clones never start (fewer than 3 remote CVMs read).
    detection_delay_s : numpy.ndarray
        Time from the first power-on to detection (s); inf if never.
    bytes_per_node : numpy.ndarray
        Bytes fetched by a remote node that hosts desktops (mean over them;
        the owner and nodes without a desktop fetch nothing).
    total_bytes : numpy.ndarray
        Bytes fetched by the cluster.
    remote_read_bytes : numpy.ndarray
        Bytes read remotely from the owner before detection.
    time_s : numpy.ndarray
        Time from the first power-on until warm (s): boot phase, the last boot
        block fetched; steady phase, the next read local with probability
        ``target`` (closed form) or the last fetch of the stream (twin). inf if
        never detected.
    fetch_latency_s : numpy.ndarray
        Mean extra latency of a read that fetches (RTT + transfer + queueing at
        the source link, s).
    link_utilization : numpy.ndarray
        Load the transfers offer the busiest source link while warming up (the
        twin: its blocks sent times the transfer time over the span of the
        reads); >= 1 means the link, not the reads, sets the pace.
    stable : numpy.ndarray of bool
        ``link_utilization < 1``.
    bytes_by_node : numpy.ndarray, shape grid + (H,)
        Bytes fetched by each node, in the cluster's numbering: 0 for the
        owner (``cluster.replica_node``) and for nodes without a desktop; the
        closed form puts ``bytes_per_node`` on the others. The models number
        the nodes from the owner: their node ``i`` is the cluster's node
        ``(i + replica_node) mod H``, and desktop ``d`` runs on their node
        ``d mod H``.
    replay : hcimodel.simulate.fetch_replay.FetchReplay or None
        The twin's replay (reads per node, latency table by kind, warm-up
        curves, kernel time); None for the closed form. Its ``latency``,
        ``curve``, ``reads_per_node``, ``n_reads`` and ``replay_s`` are
        attributes of the result too.
    """

    phase: str
    source: str
    n_nodes: np.ndarray
    n_desktops: np.ndarray
    detected: np.ndarray
    detection_delay_s: np.ndarray
    bytes_per_node: np.ndarray
    total_bytes: np.ndarray
    remote_read_bytes: np.ndarray
    time_s: np.ndarray
    fetch_latency_s: np.ndarray
    link_utilization: np.ndarray
    stable: np.ndarray = field(repr=False)
    bytes_by_node: np.ndarray = field(repr=False, default=None)
    replay: FetchReplay | None = field(repr=False, default=None)

    #: The numbers :meth:`to_frame` and :func:`hcimodel.twins.compare` report.
    METRICS = ("detection_delay_s", "bytes_per_node", "total_bytes", "remote_read_bytes",
               "time_s", "fetch_latency_s", "link_utilization")

    def _replayed(self, name):
        if self.replay is None:
            raise AttributeError(f"{name} is known only for a replay (simulate_warmup, "
                                 f"replay_stream, replay_trace), not for the closed form")
        return getattr(self.replay, name)

    @property
    def latency(self) -> pl.DataFrame:
        """Extra read latency by kind (twin only; :class:`FetchReplay`)."""
        return self._replayed("latency")

    @property
    def curve(self) -> pl.DataFrame:
        """Warm-up curve of every node (twin only; :class:`FetchReplay`)."""
        return self._replayed("curve")

    @property
    def reads_per_node(self) -> np.ndarray:
        """Replica block reads each node served (twin only)."""
        return self._replayed("reads_per_node")

    @property
    def n_reads(self) -> int:
        """Block reads replayed (twin only)."""
        return self._replayed("n_reads")

    @property
    def replay_s(self) -> float:
        """Wall time of the compiled replay (s; twin only; :class:`FetchReplay`)."""
        return self._replayed("replay_s")

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: phase, source, n_nodes, n_desktops, metric, value; sorted."""
        import polars as pl

        shape = np.broadcast(self.n_nodes, self.n_desktops, self.total_bytes).shape
        col = lambda a: np.broadcast_to(np.asarray(a), shape).ravel()  # noqa: E731
        H = col(self.n_nodes).astype(np.int64)
        N = col(self.n_desktops).astype(np.int64)
        return pl.concat([
            pl.DataFrame({"phase": self.phase, "source": self.source, "n_nodes": H,
                          "n_desktops": N, "metric": m,
                          "value": col(getattr(self, m)).astype(float)})
            for m in self.METRICS]).sort(["phase", "source", "n_nodes", "n_desktops", "metric"])


def from_replay(res: FetchReplay, *, phase, source, n_nodes, n_desktops, detection_s,
                block_bytes, tau, owner=0, replica_node=0) -> WarmUp:
    """A :class:`WarmUp` (0-d arrays) from one replay of replica reads.

    The replay numbers the nodes from the owner (``owner``, 0); ``bytes_by_node``
    is given in the cluster's numbering, where the owner is ``replica_node``
    (replay node ``i`` is cluster node ``(i + replica_node) mod H``).
    """
    b = float(block_bytes)
    fetched = res.fetched_blocks * b
    hosting = (res.reads_per_node > 0) & (np.arange(fetched.size) != owner)
    done = float(res.last_fetch_s.max()) if np.isfinite(detection_s) else np.inf
    fetch = res.latency.filter(kind="fetch")
    span = max(res.last_s - res.first_s, tau)
    rho = float(res.sent_blocks.max()) * tau / span if res.sent_blocks.size else 0.0
    a = lambda x: np.asarray(float(x))  # noqa: E731
    return WarmUp(phase, source, np.asarray(int(n_nodes)), np.asarray(int(n_desktops)),
                  np.asarray(bool(np.isfinite(detection_s))), a(detection_s),
                  a(fetched[hosting].mean() if hosting.any() else 0.0), a(fetched.sum()),
                  a(res.remote_blocks.sum() * b), a(done),
                  a(fetch["mean_s"][0] if fetch["reads"][0] else 0.0), a(rho),
                  np.asarray(rho < 1.0), np.roll(fetched, int(replica_node) - int(owner)),
                  res)


def replay_result(times, nodes, blocks, *, phase, n_desktops, cluster, n_blocks, detection_s,
                  block_bytes, source) -> WarmUp:
    """Replay replica reads (node 0 the owner) on a cluster and summarise them as a
    :class:`WarmUp` (:func:`hcimodel.simulate.fetch_replay.replay_summary`)."""
    from ..simulate.fetch_replay import replay_summary

    res = replay_summary(times, nodes, blocks, n_nodes=cluster.n_nodes, n_blocks=n_blocks,
                         detection_s=detection_s, owner=0, link_bps=cluster.link_bps,
                         rtt_s=cluster.rtt_s, block_bytes=block_bytes, source=source)
    return from_replay(res, phase=phase, source=source, n_nodes=cluster.n_nodes,
                       replica_node=cluster.replica_node,
                       n_desktops=n_desktops, detection_s=detection_s,
                       block_bytes=block_bytes, tau=8.0 * block_bytes / cluster.link_bps)
