"""The result types of the hot-spot model, one per closed form and its twin.

:class:`SteadyState` is returned by :func:`hcimodel.hotspot.steady_state` and
its Monte Carlo twin :func:`hcimodel.hotspot.simulate_steady_state`;
:class:`BootStorm` by :func:`hcimodel.hotspot.boot_storm` and
:func:`hcimodel.hotspot.simulate_boot_storm`. Both are frozen dataclasses of
numpy arrays, one value per pool size, with a long-format ``to_frame()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SteadyState", "BootStorm"]


@dataclass(frozen=True)
class SteadyState:
    """Steady-state answer of the open hot-spot model, over an array of pool sizes.

    Attributes
    ----------
    strategy : str
    n_desktops : numpy.ndarray, shape (M,)
        Pool sizes N.
    cvm_arrival_rate : numpy.ndarray, shape (M, H)
        I/Os per second arriving at each CVM (1/s), write legs included.
    cvm_utilization : numpy.ndarray, shape (M, H)
        Utilization of each CVM; >= 1 means the queue grows without bound.
    stable : numpy.ndarray of bool, shape (M,)
        True where every CVM and every link has utilization < 1.
    read_latency : dict
        ``read_latency[group][statistic]``: array (M,) of read latency (s) for
        desktops on the replica's node (``'replica_node'``) and on the other
        nodes (``'other_nodes'``, pooled); statistics ``'mean'``, ``'p95'``,
        ``'p99'``. ``inf`` where the CVMs a group reads from (or a link) are
        unstable. A group without nodes is left out: a one-node cluster has
        only ``'replica_node'`` (never a NaN).
    write_latency : dict
        Same layout: latency of a write, the slower of its local and RF - 1
        remote oplog legs (legs taken as independent).
    link_utilization : numpy.ndarray, shape (M, H)
        Utilization of each node's link (the larger of sent and received).
    ci : dict or None
        Monte Carlo twin only (None for the closed form):
        ``ci[group][statistic]``, array (M, 2) of the 95 % confidence interval
        (low, high) of ``read_latency[group][statistic]`` over replications.
    """

    strategy: str
    n_desktops: np.ndarray
    cvm_arrival_rate: np.ndarray
    cvm_utilization: np.ndarray
    stable: np.ndarray
    read_latency: dict = field(repr=False)
    write_latency: dict = field(repr=False)
    link_utilization: np.ndarray = field(repr=False)
    ci: dict | None = field(default=None, repr=False)

    @property
    def max_utilization(self) -> np.ndarray:
        """Utilization of the busiest CVM, shape (M,)."""
        return self.cvm_utilization.max(axis=-1)

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame of read latencies, sorted.

        Columns strategy, n_desktops, group, statistic, latency_s; and
        ci_low, ci_high when the result carries a confidence interval (the
        Monte Carlo twin).
        """
        import polars as pl

        rows = []
        for group, stats in self.read_latency.items():
            for stat, values in stats.items():
                cols = {
                    "strategy": self.strategy,
                    "n_desktops": self.n_desktops.astype(np.int64),
                    "group": group,
                    "statistic": stat,
                    "latency_s": values.astype(float),
                }
                if self.ci is not None:
                    cols["ci_low"] = self.ci[group][stat][:, 0].astype(float)
                    cols["ci_high"] = self.ci[group][stat][:, 1].astype(float)
                rows.append(pl.DataFrame(cols))
        return pl.concat(rows).sort(["strategy", "n_desktops", "group", "statistic"])



@dataclass(frozen=True)
class BootStorm:
    """The boot storm of a pool, as a closed network.

    Attributes
    ----------
    strategy : str
    n_desktops : numpy.ndarray, shape (M,)
    duration_s : numpy.ndarray, shape (M,)
        Time until every desktop has completed its boot I/Os (s).
    mean_completion_s : numpy.ndarray, shape (M,)
        Mean time at which a desktop has completed its boot I/Os (s).
    throughput_iops : numpy.ndarray, shape (M,)
        CVM visits completed per second by the whole pool while it boots (1/s;
        a write's remote oplog legs count as visits): at the start of the storm
        (all desktops booting) in the closed form, averaged over the storm in
        the twin.
    io_latency_s : numpy.ndarray, shape (M,)
        Mean latency of one CVM visit, queueing, device and network included
        (s); at the start of the storm (closed form) or over it (twin).
    cvm_utilization : numpy.ndarray, shape (M, H)
        Busy fraction of each CVM, at the start of the storm (closed form) or
        over it (twin).
    io_latency_p95_s, io_latency_p99_s : numpy.ndarray, shape (M,), or None
        Monte Carlo twin only (None for the closed form): percentiles of the
        latency of every visit of the storm (s).
    """

    strategy: str
    n_desktops: np.ndarray
    duration_s: np.ndarray
    mean_completion_s: np.ndarray
    throughput_iops: np.ndarray
    io_latency_s: np.ndarray
    cvm_utilization: np.ndarray
    io_latency_p95_s: np.ndarray | None = None
    io_latency_p99_s: np.ndarray | None = None

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: strategy, n_desktops, metric, value; sorted."""
        import polars as pl

        metrics = {"duration_s": self.duration_s, "mean_completion_s": self.mean_completion_s,
                   "throughput_iops": self.throughput_iops,
                   "io_latency_s": self.io_latency_s,
                   "max_cvm_utilization": self.cvm_utilization.max(axis=-1)}
        if self.io_latency_p95_s is not None:
            metrics["io_latency_p95_s"] = self.io_latency_p95_s
            metrics["io_latency_p99_s"] = self.io_latency_p99_s
        return pl.concat([
            pl.DataFrame({"strategy": self.strategy, "n_desktops": self.n_desktops,
                          "metric": name, "value": v.astype(float)})
            for name, v in metrics.items()
        ]).sort(["strategy", "n_desktops", "metric"])


