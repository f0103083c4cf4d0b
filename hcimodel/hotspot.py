"""The replica hot spot of linked clones, and how Shadow Clones or full clones remove it.

N desktops are spread evenly over the H nodes of a cluster. Each node's
Controller VM (CVM) serves the I/O of its node as one FCFS queue with
exponential service at rate ``cvm_iops``. A desktop sends a share
``replica_io_fraction`` of its I/Os (reads of the base image) to the CVM that
holds the replica, and everything else (writes, reads of its own delta disk)
to its local CVM. A read served by another node's CVM pays a network delay:
one round trip plus the transfer of the block.

Three clone strategies differ only in where replica reads are served:

``linked_clones``
    Linked clones with the replica on one CVM (``replica_node``): every replica
    read from every node queues there. This is the hot spot.
``shadow_clones``
    Linked clones with Shadow Clones warmed up: each node holds its own copy of
    the replica and serves replica reads locally. (The warm-up itself is the
    subject of :mod:`hcimodel.shadowclone`.)
``full_clones``
    Full clones made by native (VAAI) cloning: every desktop's blocks are
    local from the start, so the steady state equals warmed Shadow Clones;
    the strategies differ in capacity and in the first boot after a recompose.

Two regimes are modelled:

* **Steady state** as an open Jackson network: each CVM is an M/M/1 queue
  whose arrival rate is the sum of the flows routed to it
  (:func:`steady_state`), with its exact Monte Carlo twin
  (:func:`simulate_steady_state`).
* **The boot storm** as a closed network: N desktops, each alternating a think
  time and one I/O at a CVM, solved by approximate multiclass MVA with one class
  per node (:func:`boot_storm`), and its Monte Carlo twin in which every desktop
  must complete its boot I/Os (:func:`simulate_boot_storm`).

Write replication to a second node (RF2) adds the same load to every CVM on
average; it does not move the hot spot and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import special

from . import queueing
from .simulate.closed_network import simulate_boot_storm as _simulate_closed_boot
from .simulate.queues import lindley_waits
from .simulate.stats import confidence_interval
from .streams import as_generator
from .validation import (check_choice, check_in_range, check_integer, check_nonnegative,
                         check_positive, check_probability, check_instance)
from .workload import WorkloadProfile, as_profile

__all__ = [
    "STRATEGIES",
    "Cluster",
    "routing",
    "SteadyState",
    "steady_state",
    "simulate_steady_state",
    "max_pool_size",
    "BootStorm",
    "boot_storm",
    "simulate_boot_storm",
]

#: Most I/Os :func:`simulate_boot_storm` simulates (8 bytes of memory each, several arrays).
MAX_SIMULATED_IOS = 10**9

#: Most nodes a cluster may have (the routing matrix is H x H).
MAX_NODES = 4096

STRATEGIES = ("linked_clones", "shadow_clones", "full_clones")
GROUPS = ("replica_node", "other_nodes")
_QUANTILES = {"p95": 0.95, "p99": 0.99}


def _check_strategy(strategy: str) -> str:
    return check_choice("strategy", strategy, STRATEGIES)


@dataclass(frozen=True)
class Cluster:
    """An HCI cluster as the hot-spot model sees it.

    Parameters
    ----------
    n_nodes : int
        Number of nodes H, each with one CVM (>= 1).
    cvm_iops : float
        Service rate of one CVM (I/Os per second). Default 20,000, the
        "typical" SSD of the View 5.2 storage guide, taken as the capacity of a
        node's flash tier.
    rtt_s : float
        Network round trip between two CVMs (s). Default 0.2 ms (10 GbE in one
        rack; assumed).
    link_bps : float
        Bandwidth of a node's network link (bit/s). Default 10 Gbit/s.
    replica_node : int
        Index of the node whose CVM holds the replica (0 .. H-1).
    """

    n_nodes: int = 4
    cvm_iops: float = 20_000.0
    rtt_s: float = 200e-6
    link_bps: float = 10e9
    replica_node: int = 0

    def __post_init__(self):
        n = check_integer("n_nodes", self.n_nodes, minimum=1, maximum=MAX_NODES, scalar=True)
        check_positive("cvm_iops", self.cvm_iops, scalar=True)
        check_nonnegative("rtt_s", self.rtt_s, scalar=True)
        check_positive("link_bps", self.link_bps, scalar=True)
        check_integer("replica_node", self.replica_node, minimum=0, maximum=n - 1, scalar=True)

    @property
    def service_time_s(self) -> float:
        """Mean service time of one I/O at a CVM (s)."""
        return 1.0 / self.cvm_iops

    def remote_delay_s(self, size_bytes: float) -> float:
        """Network delay of a remote read of ``size_bytes``: RTT plus transfer (s)."""
        return self.rtt_s + 8.0 * check_nonnegative("size_bytes", size_bytes) / self.link_bps


def routing(strategy: str, n_nodes: int, replica_node: int, replica_io_fraction: float) -> np.ndarray:
    """Share of a desktop's I/Os served by each CVM.

    Parameters
    ----------
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    n_nodes : int
        Number of nodes H.
    replica_node : int
        Node whose CVM holds the replica (used by ``linked_clones`` only).
    replica_io_fraction : float
        Share of all I/Os that are replica reads.

    Returns
    -------
    numpy.ndarray, shape (H, H)
        ``P[i, j]``: probability that an I/O of a desktop on node i is served by
        CVM j. Rows sum to 1.
    """
    _check_strategy(strategy)
    f = check_probability("replica_io_fraction", replica_io_fraction, scalar=True)
    n_nodes = check_integer("n_nodes", n_nodes, minimum=1, maximum=MAX_NODES, scalar=True)
    replica_node = check_integer("replica_node", replica_node, minimum=0, maximum=n_nodes - 1,
                                 scalar=True)
    P = np.eye(n_nodes)
    if strategy == "linked_clones":
        P *= 1.0 - f
        P[:, replica_node] += f
    return P


def _read_sources(workload: WorkloadProfile, strategy: str, cluster: Cluster, node: int):
    """Mixture components of a read's latency for a desktop on ``node``.

    Returns a list of (weight, station, network delay in s).
    """
    q = workload.replica_read_fraction
    replica_station = cluster.replica_node if strategy == "linked_clones" else node
    delay = cluster.remote_delay_s(workload.read_size_bytes) if replica_station != node else 0.0
    return [(q, replica_station, delay), (1.0 - q, node, 0.0)]


def _group_node(cluster: Cluster, group: str) -> int | None:
    """A representative node of a group of desktops, or None if the group is empty."""
    if group == "replica_node":
        return cluster.replica_node
    return None if cluster.n_nodes == 1 else (cluster.replica_node + 1) % cluster.n_nodes


def shifted_exponential_mixture_quantile(p, weights, rates, shifts, *, iterations: int = 80):
    """Quantile of a mixture of shifted exponential distributions.

    The mixture has CDF ``F(t) = sum_k w_k (1 - exp(-a_k (t - d_k)))^+``. The
    quantile is found by bisection, vectorized over any leading axes.

    Parameters
    ----------
    p : float
        Probability in (0, 1).
    weights, rates, shifts : array_like, shape (..., K)
        Weights ``w_k`` (summing to 1 along the last axis), rates ``a_k`` (1/s;
        ``inf`` for a point mass at ``d_k``, ``0`` for a component that never
        completes) and shifts ``d_k`` (s).

    Returns
    -------
    numpy.ndarray
        The p-quantile (s); ``inf`` where a component with positive weight has
        rate 0 and the quantile falls in it.
    """
    w, a, d = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (weights, rates, shifts)))
    with np.errstate(divide="ignore"):
        comp_q = d + np.where(w > 0, -np.log1p(-p) / a, 0.0)
    hi = np.max(comp_q, axis=-1)
    finite = np.isfinite(hi)

    def cdf(t):
        x = np.clip(t[..., None] - d, 0.0, None)
        with np.errstate(invalid="ignore"):
            body = np.where(a > 0, -np.expm1(-a * x), 0.0)
        return np.sum(w * body, axis=-1)

    # If some component never completes, the quantile may still be finite when
    # the others carry enough weight: bound it by the finite components.
    hi_f = np.where(finite, hi, np.max(np.where(np.isfinite(comp_q), comp_q, 0.0), axis=-1))
    reachable = cdf(hi_f) >= p - 1e-12
    lo = np.zeros_like(hi_f)
    up = hi_f.copy()
    for _ in range(iterations):
        mid = 0.5 * (lo + up)
        below = cdf(mid) < p
        lo = np.where(below, mid, lo)
        up = np.where(below, up, mid)
    return np.where(reachable, up, np.inf)


@dataclass(frozen=True)
class SteadyState:
    """Steady-state answer of the open hot-spot model, over an array of pool sizes.

    Attributes
    ----------
    strategy : str
    n_desktops : numpy.ndarray, shape (M,)
        Pool sizes N.
    cvm_arrival_rate : numpy.ndarray, shape (M, H)
        I/Os per second arriving at each CVM (1/s).
    cvm_utilization : numpy.ndarray, shape (M, H)
        Utilization of each CVM; >= 1 means the queue grows without bound.
    stable : numpy.ndarray of bool, shape (M,)
        True where every CVM has utilization < 1.
    read_latency : dict
        ``read_latency[group][statistic]``: array (M,) of read latency (s) for
        desktops on the replica's node (``'replica_node'``) and on the other
        nodes (``'other_nodes'``); statistics ``'mean'``, ``'p95'``, ``'p99'``.
        ``inf`` where the CVMs a group reads from are unstable, ``nan`` where
        the group is empty (a one-node cluster has no other nodes).
    """

    strategy: str
    n_desktops: np.ndarray
    cvm_arrival_rate: np.ndarray
    cvm_utilization: np.ndarray
    stable: np.ndarray
    read_latency: dict = field(repr=False)

    @property
    def max_utilization(self) -> np.ndarray:
        """Utilization of the busiest CVM, shape (M,)."""
        return self.cvm_utilization.max(axis=-1)

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: strategy, n_desktops, group, statistic, latency_s; sorted."""
        rows = []
        for group, stats in self.read_latency.items():
            for stat, values in stats.items():
                rows.append(pl.DataFrame({
                    "strategy": self.strategy,
                    "n_desktops": self.n_desktops.astype(np.int64),
                    "group": group,
                    "statistic": stat,
                    "latency_s": values.astype(float),
                }))
        return pl.concat(rows).sort(["strategy", "n_desktops", "group", "statistic"])


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


def _station_rates(n_desktops: np.ndarray, workload: WorkloadProfile, strategy: str,
                   cluster: Cluster) -> np.ndarray:
    """Arrival rate at each CVM (1/s), shape (M, H): desktops spread evenly."""
    P = routing(strategy, cluster.n_nodes, cluster.replica_node, workload.replica_io_fraction)
    per_node = n_desktops[:, None] / cluster.n_nodes * workload.iops
    return per_node * P.sum(axis=0)[None, :]


def steady_state(n_desktops, workload: WorkloadProfile | str = "login",
                 strategy: str = "linked_clones", cluster: Cluster | None = None) -> SteadyState:
    """Closed-form steady state of the hot-spot model (open Jackson network).

    Each CVM j is an M/M/1 queue with arrival rate
    ``lambda_j = (N / H) * iops * sum_i P[i, j]`` and service rate ``mu``; its
    response time is exponential with rate ``mu - lambda_j``. A read of a
    desktop on node i goes to the replica's CVM with probability ``q`` (paying
    the network delay ``d = rtt + 8 size / bandwidth`` when that CVM is remote)
    and to its own CVM otherwise, so its latency is the mixture

    ``F(t) = q (1 - exp(-(mu - lambda_r)(t - d))) + (1 - q) (1 - exp(-(mu - lambda_i) t))``.

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N (desktops in the cluster), spread evenly over the nodes.
    workload : WorkloadProfile or str
        Per-desktop profile, or the name of one in :data:`hcimodel.workload.PROFILES`.
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster, optional
        Defaults to ``Cluster()`` (4 nodes, 20,000 IOPS per CVM, 0.2 ms RTT, 10 GbE).

    Returns
    -------
    SteadyState
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    N = _check_pool(n_desktops)
    lam = _station_rates(N, workload, strategy, cluster)
    q = queueing.mm1(lam, cluster.cvm_iops)
    with np.errstate(divide="ignore"):
        decay = np.where(q.stable, 1.0 / q.mean_response, 0.0)  # mu - lambda, 1/s

    latency = {}
    for group in GROUPS:
        node = _group_node(cluster, group)
        if node is None:
            nan = np.full(N.shape, np.nan)
            latency[group] = {"mean": nan, "p95": nan, "p99": nan}
            continue
        comps = _read_sources(workload, strategy, cluster, node)
        w = np.array([c[0] for c in comps])
        stations = [c[1] for c in comps]
        d = np.array([c[2] for c in comps])
        a = decay[:, stations]
        mean_resp = q.mean_response[:, stations]
        used = w > 0
        mean = np.sum(np.where(used, w * (mean_resp + d), 0.0), axis=-1)
        stats = {"mean": mean}
        for name, p in _QUANTILES.items():
            stats[name] = shifted_exponential_mixture_quantile(p, w, a, d)
        latency[group] = stats
    return SteadyState(strategy, N, lam, q.utilization, np.all(q.stable, axis=-1), latency)


def simulate_steady_state(n_desktops: int, workload: WorkloadProfile | str = "login",
                          strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                          n_customers: int = 200_000, n_reps: int = 5, warmup: float = 0.1,
                          rng=None) -> pl.DataFrame:
    """Monte Carlo twin of :func:`steady_state`, exact for the same model.

    Every CVM is simulated as a FIFO queue by the Lindley recursion over the
    same time horizon (so pooled samples carry the right weights): Poisson
    arrivals at rate ``lambda_j``, each tagged with the node it comes from and
    whether it is a read, exponential service. A read's latency is its response
    time plus the network delay when it crossed the network.

    Parameters
    ----------
    n_desktops : int
        Pool size N.
    workload, strategy, cluster
        As in :func:`steady_state`.
    n_customers : int
        I/Os simulated at the busiest CVM per replication (others in proportion).
    n_reps : int
        Independent replications (>= 2 for a confidence interval).
    warmup : float
        Share of each station's I/Os discarded as warm-up, in [0, 0.9].
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    polars.DataFrame
        Columns group, statistic, estimate, ci_low, ci_high (95 % Student t over
        replications), sorted. Unstable configurations give ``inf``.
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    N = int(_check_pool(n_desktops)[0])
    n_customers = check_integer("n_customers", n_customers, minimum=100, scalar=True)
    n_reps = check_integer("n_reps", n_reps, minimum=2, scalar=True)
    warmup = float(np.clip(check_probability("warmup", warmup, scalar=True), 0.0, 0.9))
    rng = as_generator(rng)

    H = cluster.n_nodes
    P = routing(strategy, H, cluster.replica_node, workload.replica_io_fraction)
    rate_ij = (N / H) * workload.iops * P  # flow from node i to CVM j (1/s)
    # read flow from node i to CVM j
    read_ij = np.zeros_like(rate_ij)
    for i in range(H):
        for w, j, _ in _read_sources(workload, strategy, cluster, i):
            read_ij[i, j] += (N / H) * workload.iops * workload.read_fraction * w
    lam = rate_ij.sum(axis=0)
    mu = cluster.cvm_iops
    delay = cluster.remote_delay_s(workload.read_size_bytes)
    groups_of_node = np.array(["replica_node" if i == cluster.replica_node else "other_nodes"
                               for i in range(H)])
    if np.any(lam >= mu):
        rows = [(g, s, np.inf, np.inf, np.inf) for g in GROUPS for s in ("mean", "p95", "p99")]
        return pl.DataFrame(rows, schema=["group", "statistic", "estimate", "ci_low", "ci_high"],
                            orient="row").sort(["group", "statistic"])

    horizon = n_customers / lam.max()
    estimates = {(g, s): [] for g in GROUPS for s in ("mean", "p95", "p99")}
    for _ in range(n_reps):
        samples = {g: [] for g in GROUPS}
        for j in range(H):
            m = int(round(lam[j] * horizon))
            if m == 0:
                continue
            inter = rng.exponential(1.0 / lam[j], m)
            service = rng.exponential(1.0 / mu, m)
            response = lindley_waits(inter, service) + service
            # who sent each I/O, and is it a read?
            origin = rng.choice(H, size=m, p=rate_ij[:, j] / lam[j])
            with np.errstate(invalid="ignore", divide="ignore"):
                p_read = np.where(rate_ij[:, j] > 0, read_ij[:, j] / rate_ij[:, j], 0.0)
            is_read = rng.random(m) < p_read[origin]
            keep = is_read & (np.arange(m) >= int(warmup * m))
            lat = response + np.where(origin != j, delay, 0.0)
            for g in GROUPS:
                sel = keep & (groups_of_node[origin] == g)
                samples[g].append(lat[sel])
        for g in GROUPS:
            x = np.concatenate(samples[g]) if samples[g] else np.empty(0)
            if x.size == 0:
                continue
            estimates[(g, "mean")].append(x.mean())
            estimates[(g, "p95")].append(np.quantile(x, 0.95))
            estimates[(g, "p99")].append(np.quantile(x, 0.99))
    rows = []
    for (g, s), values in estimates.items():
        if not values:
            rows.append((g, s, np.nan, np.nan, np.nan))
            continue
        v = np.asarray(values)
        ci = confidence_interval(v)
        rows.append((g, s, float(ci.mean), float(ci.low), float(ci.high)))
    return pl.DataFrame(rows, schema=["group", "statistic", "estimate", "ci_low", "ci_high"],
                        orient="row").sort(["group", "statistic"])


def max_pool_size(latency_target_s: float, workload: WorkloadProfile | str = "login",
                  strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                  statistic: str = "p95", group: str = "other_nodes",
                  upper: int = 10**7) -> int:
    """Largest pool whose read latency stays within a target.

    Latency grows with N, so the answer is found by doubling then integer
    bisection on :func:`steady_state`.

    Parameters
    ----------
    latency_target_s : float
        Read latency target (s).
    statistic : {'mean', 'p95', 'p99'}
    group : {'replica_node', 'other_nodes'}
        Which desktops must meet the target (the remote ones suffer most).
    upper : int
        Search limit on N.

    Returns
    -------
    int
        The largest N meeting the target; 0 if even one desktop misses it.
    """
    latency_target_s = check_positive("latency_target_s", latency_target_s, scalar=True)
    check_choice("statistic", statistic, ("mean", *_QUANTILES))
    check_choice("group", group, GROUPS)
    upper = check_integer("upper", upper, minimum=1, scalar=True)

    def ok(n: int) -> bool:
        lat = steady_state(n, workload, strategy, cluster).read_latency[group][statistic][0]
        return bool(lat <= latency_target_s)

    if not ok(1):
        return 0
    lo, hi = 1, 2
    while hi < upper and ok(hi):
        lo, hi = hi, min(2 * hi, upper)
    if hi == upper and ok(hi):
        return upper
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


# --------------------------------------------------------------------------- boot storm

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
        I/Os completed per second by the whole pool while it boots (1/s).
    io_latency_s : numpy.ndarray, shape (M,)
        Mean latency of one boot I/O, queueing and network included (s).
    cvm_utilization : numpy.ndarray, shape (M, H)
    """

    strategy: str
    n_desktops: np.ndarray
    duration_s: np.ndarray
    mean_completion_s: np.ndarray
    throughput_iops: np.ndarray
    io_latency_s: np.ndarray
    cvm_utilization: np.ndarray

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: strategy, n_desktops, metric, value; sorted."""
        metrics = {"duration_s": self.duration_s, "mean_completion_s": self.mean_completion_s,
                   "throughput_iops": self.throughput_iops,
                   "io_latency_s": self.io_latency_s,
                   "max_cvm_utilization": self.cvm_utilization.max(axis=-1)}
        return pl.concat([
            pl.DataFrame({"strategy": self.strategy, "n_desktops": self.n_desktops,
                          "metric": name, "value": v.astype(float)})
            for name, v in metrics.items()
        ]).sort(["strategy", "n_desktops", "metric"])


@dataclass(frozen=True)
class _BootNetwork:
    """Parameters of the closed network of one boot storm."""

    populations: np.ndarray  # (H,) desktops per node
    demands: np.ndarray  # (H, H) s of CVM j per I/O of a desktop on node i
    visit_prob: np.ndarray  # (H, H)
    think_s: float  # desktop think time between I/Os (s)
    delay_s: np.ndarray  # (H,) mean network delay per I/O of a desktop on node i (s)
    ios_per_desktop: int


def _boot_network(n: int, workload: WorkloadProfile, strategy: str, cluster: Cluster,
                  boot_read_bytes: float) -> _BootNetwork:
    H = cluster.n_nodes
    pops = np.full(H, n // H)
    pops[(cluster.replica_node + np.arange(n % H)) % H] += 1
    P = routing(strategy, H, cluster.replica_node, workload.replica_io_fraction)
    s = cluster.service_time_s
    think = 1.0 / workload.iops - s
    if think <= 0:
        raise ValueError(
            f"workload.iops must be below cvm_iops = {cluster.cvm_iops:g} so that one desktop "
            f"alone can issue it (got {workload.iops:g})")
    remote = P * (1.0 - np.eye(H))
    delay = remote.sum(axis=1) * cluster.remote_delay_s(workload.read_size_bytes)
    ios = int(np.ceil(boot_read_bytes / (workload.read_size_bytes * workload.read_fraction)))
    return _BootNetwork(pops, P * s, P, think, delay, ios)


def _phased_mva(net: _BootNetwork):
    """Piecewise-stationary MVA of a boot storm.

    Returns each class's finish time (s) and the first (full-population) phase's
    multiclass MVA result.
    """
    pops = net.populations.astype(float)
    remaining = np.where(pops > 0, float(net.ios_per_desktop), 0.0)
    active = pops > 0
    finish = np.zeros(pops.size)
    t, first = 0.0, None
    while active.any():
        idx = np.flatnonzero(active)
        res = queueing.mva_multiclass_schweitzer(
            net.demands[idx], net.think_s, net.populations[idx], delay=net.delay_s[idx])
        first = first or (idx, res)
        per_desktop = np.asarray(res.throughput) / pops[idx]  # I/Os per second
        left = remaining[idx] / per_desktop
        dt = left.min()
        t += dt
        remaining[idx] -= per_desktop * dt
        done = idx[left <= dt * (1 + 1e-12)]
        finish[done] = t
        remaining[done] = 0.0
        active[done] = False
    return finish, first


def boot_storm(n_desktops, strategy: str = "linked_clones", cluster: Cluster | None = None, *,
               workload: WorkloadProfile | str = "boot", boot_read_bytes: float = 420e6) -> BootStorm:
    """Time to boot N desktops at once, from piecewise-stationary multiclass MVA.

    Desktops on node i form class i (populations as even as possible, the
    replica's node taking the remainder first). Each desktop alternates a think
    time ``Z = 1 / iops - s`` (so that one desktop alone issues the profile's
    IOPS) and one I/O, served by CVM j with probability ``P[i, j]``
    (:func:`routing`) plus the mean network delay for remote I/Os. Each desktop
    needs ``K = boot_read_bytes / (read_size * read_fraction)`` I/Os.

    Schweitzer's approximate MVA gives every class's throughput ``X_i`` at the
    current populations; the class that would finish first at those rates ends
    a phase, and the remaining classes carry on with their remaining I/Os in a
    new MVA solution (at most H phases). The mean completion time is the
    population-weighted mean of the class finish times. The last desktop to
    finish also carries the spread of its own think times, independent across
    desktops (the queueing part is shared): with ``sigma = sqrt(K) Z``,
    ``duration = T_last + sigma * Phi^-1((N - 0.375) / (N + 0.25))`` (Blom's
    expected maximum of N normals).

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N.
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster, optional
    workload : WorkloadProfile or str
        Defaults to the ``boot`` profile (188 IOPS, 84 % reads, 19 KB).
    boot_read_bytes : float
        Bytes each desktop reads to boot (default 420 MB, hIOmon trace).

    Returns
    -------
    BootStorm
        ``duration_s`` and ``mean_completion_s`` as above; throughput, I/O
        latency and CVM utilization at the start of the storm (all desktops
        booting).
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    boot_read_bytes = _check_boot_bytes(boot_read_bytes)
    N = _check_pool(n_desktops)
    dur, mean_done, thr, lat, util = [], [], [], [], []
    for n in N:
        net = _boot_network(int(n), workload, strategy, cluster, boot_read_bytes)
        finish, (idx, res) = _phased_mva(net)
        X = np.asarray(res.throughput)
        R = np.asarray(res.response_time)  # includes the network delay
        sigma = np.sqrt(net.ios_per_desktop) * net.think_s
        blom = special.ndtri((n - 0.375) / (n + 0.25))
        dur.append(finish.max() + sigma * blom)
        mean_done.append(np.sum(finish * net.populations) / n)
        thr.append(X.sum())
        lat.append(np.sum(X * R) / X.sum())
        util.append(np.asarray(res.utilization))
    return BootStorm(strategy, N, np.array(dur), np.array(mean_done), np.array(thr),
                     np.array(lat), np.array(util))


def simulate_boot_storm(n_desktops: int, strategy: str = "linked_clones",
                        cluster: Cluster | None = None, *,
                        workload: WorkloadProfile | str = "boot",
                        boot_read_bytes: float = 420e6, rng=None) -> dict:
    """Monte Carlo twin of :func:`boot_storm`: every desktop boots, then leaves.

    The closed network of :func:`boot_storm` simulated event by event
    (:func:`hcimodel.simulate.simulate_boot_storm`): exponential think times
    and service, the mean network delay of each class as a constant, and each
    desktop completing exactly its boot I/Os. Unlike the closed form, the
    population shrinks as desktops finish.

    Returns
    -------
    dict
        ``duration_s`` (time until every desktop has booted, s),
        ``mean_completion_s`` (mean time at which a desktop has booted, s),
        ``io_latency_s`` (mean I/O latency, s), ``io_latency_p95_s`` and
        ``io_latency_p99_s`` (s), ``cvm_utilization`` (H,) over the storm.
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    boot_read_bytes = _check_boot_bytes(boot_read_bytes)
    n = int(_check_pool(n_desktops)[0])
    net = _boot_network(n, workload, strategy, cluster, boot_read_bytes)
    if n * net.ios_per_desktop > MAX_SIMULATED_IOS:
        raise ValueError(f"n_desktops x boot_read_bytes must be at most {MAX_SIMULATED_IOS:.0e} "
                         f"simulated I/Os (got {n} desktops x {net.ios_per_desktop} I/Os)")
    res = _simulate_closed_boot(
        np.full(cluster.n_nodes, cluster.service_time_s), net.visit_prob, net.think_s,
        net.populations, net.ios_per_desktop, delay_s=net.delay_s, rng=rng)
    return {"duration_s": float(res.makespan_s),
            "mean_completion_s": float(np.mean(res.completion_time_s)),
            "io_latency_s": float(res.mean_response_all_s),
            "io_latency_p95_s": float(res.p95_response_s),
            "io_latency_p99_s": float(res.p99_response_s),
            "cvm_utilization": np.asarray(res.utilization)}
