"""The replica hot spot of linked clones, and how Shadow Clones or full clones remove it.

N desktops are spread evenly over the H nodes of a cluster. Each node's
Controller VM (CVM) serves the I/O of its node as one FCFS queue with
exponential service at rate ``cvm_iops``, a per-node figure (:class:`hcimodel.cluster.Cluster`).

**One read path for every strategy** (:class:`hcimodel.cluster.ReadPath`, Nutanix Bible, "AOS
Storage"). A read of a desktop's *private* data (its delta disk, local after
data locality) is served by its own CVM: from the node's cache (memory, then
the SSD part) or, on a miss, from the node's extent store (SSD hot tier, else
HDD cold tier). A read of *shared* data (the base image; share
``replica_read_fraction`` of reads) depends on the strategy:

``linked_clones``
    The replica vDisk is owned by one CVM (``replica_node``): every shared read
    of every node is served there, from its cache or its extent store. This is
    the hot spot.
``shadow_clones``
    Linked clones with Shadow Clones: a node serves from its own cache the
    share ``cached_share`` of the base it has already fetched (1 once warmed
    up); a miss of a cached block goes to the extent store, on this node when
    it holds one of the extent's RF replicas and otherwise to one of those
    nodes (whose CVM serves it from its cache or its extent store;
    :meth:`hcimodel.cluster.Cluster.extent_share`); a block not yet fetched is read through the
    owner CVM.
``full_clones``
    Full clones made by native (VAAI) cloning share their parent's extents,
    which live on the parent's RF replica nodes. A node's first read of a
    shared extent goes there (no detection delay, spread over the RF
    replicas, not one node; :meth:`hcimodel.cluster.Cluster.extent_share`); once the node
    has cached it it is served locally. The warm-up progress ``cached_share``
    ``t`` seconds after deployment is :func:`hcimodel.fullclone.cached_share`
    (its occupancy closed form; 1 once warmed up). A cache miss goes to the
    extent store as for Shadow Clones. After warm-up the steady state equals
    warmed Shadow Clones.

A read served by another node's CVM pays a network delay (one round trip plus
the transfer of the block); each device adds its access time (memory, SSD,
HDD: :class:`hcimodel.contentcache.TierLatencies`).

**Writes** (RF, default 2): each write is served by the local CVM (local oplog)
and by RF - 1 other CVMs chosen uniformly (remote oplogs), adding load to CVMs,
a network leg, and link traffic. Its latency is that of the slower leg.

Two regimes are modelled:

* **Steady state** as an open Jackson network: each CVM is an M/M/1 queue
  whose arrival rate is the sum of the flows routed to it
  (:func:`steady_state`), with its exact Monte Carlo twin
  (:func:`simulate_steady_state`).
* **The boot storm** as a closed network: N desktops, each alternating a think
  time and one I/O at a CVM, solved by approximate multiclass MVA with one class
  per node (:func:`boot_storm`), and its Monte Carlo twin in which every desktop
  must complete its boot I/Os (:func:`simulate_boot_storm`).

The largest pool (:func:`max_pool_size`) is the smallest of the storage limit
(a latency target), the host's CPU and its memory (:class:`Host`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import queueing
from .cluster import Cluster
from .roots import bisect
from .streams import as_generator
from .units import GiB
from .validation import (check_choice, check_in_range, check_instance, check_integer,
                         check_nonnegative, check_positive, check_probability)
from .workload import BOOT_READ_BYTES, WorkloadProfile, as_profile

__all__ = [
    "STRATEGIES",
    "Host",
    "PoolSize",
    "routing",
    "read_components",
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

STRATEGIES = ("linked_clones", "shadow_clones", "full_clones")
GROUPS = ("replica_node", "other_nodes")
_QUANTILES = {"p95": 0.95, "p99": 0.99}


def _check_strategy(strategy: str) -> str:
    return check_choice("strategy", strategy, STRATEGIES)


@dataclass(frozen=True)
class Host:
    """What one node's hypervisor can carry besides storage.

    Parameters
    ----------
    cores : int
        Physical cores per node. Default 16 (NX-3000: two 8-core sockets).
    vcpus_per_core : float
        vCPU:pCPU consolidation ratio. Default 8 (VMware Horizon View 5.2
        architecture planning: "8 to 10 virtual desktops per CPU core"; the
        lower end).
    memory_bytes : float
        Host memory (bytes). Default 256 GiB (NX-3000: 128-256 GB per node).
    cvm_memory_bytes : float
        Memory reserved by the CVM (bytes). Default 24 GiB (the CVM size of the
        NOS 3.5 cache-sizing example, :mod:`hcimodel.contentcache`).
    desktop_vcpus : int
        vCPUs of one desktop. Default 1 (*assumed*: a task worker on Windows 7).
    desktop_memory_bytes : float
        Memory of one desktop (bytes). Default 2 GiB (*assumed*: Windows 7
        64-bit; no overcommit, no per-VM overhead).

    Notes
    -----
    The 2012 NX-3000 block of four such nodes was sold for "up to 400 VMs"
    (about 100 per node): the defaults give 128 (CPU) and 116 (memory)
    desktops per node.
    """

    cores: int = 16
    vcpus_per_core: float = 8.0
    memory_bytes: float = 256 * GiB
    cvm_memory_bytes: float = 24 * GiB
    desktop_vcpus: int = 1
    desktop_memory_bytes: float = 2 * GiB

    def __post_init__(self):
        check_integer("cores", self.cores, minimum=1, scalar=True)
        check_positive("vcpus_per_core", self.vcpus_per_core, scalar=True)
        check_positive("memory_bytes", self.memory_bytes, scalar=True)
        check_nonnegative("cvm_memory_bytes", self.cvm_memory_bytes, scalar=True)
        if self.cvm_memory_bytes >= self.memory_bytes:
            raise ValueError(f"cvm_memory_bytes must be below memory_bytes = {self.memory_bytes:g} "
                             f"(got {self.cvm_memory_bytes:g})")
        check_integer("desktop_vcpus", self.desktop_vcpus, minimum=1, scalar=True)
        check_positive("desktop_memory_bytes", self.desktop_memory_bytes, scalar=True)

    @property
    def cpu_desktops_per_node(self) -> int:
        """Desktops one node's cores carry: floor(cores x ratio / desktop vCPUs)."""
        return int(math.floor(self.cores * self.vcpus_per_core / self.desktop_vcpus + 1e-9))

    @property
    def memory_desktops_per_node(self) -> int:
        """Desktops one node's memory carries, the CVM's reservation taken off."""
        free = self.memory_bytes - self.cvm_memory_bytes
        return int(math.floor(free / self.desktop_memory_bytes + 1e-9))


class PoolSize(int):
    """The largest pool: an ``int`` that also says which limit binds.

    Attributes
    ----------
    storage : int
        Largest pool within the latency target (storage limit).
    cpu, memory : int or None
        Host limits for the whole cluster (None when no host was given).
    binding : {'storage', 'cpu', 'memory'}
        The smallest limit (the first of storage, cpu, memory on a tie).
    """

    storage: int
    cpu: int | None
    memory: int | None
    binding: str

    def __new__(cls, storage: int, cpu: int | None = None, memory: int | None = None):
        limits = {k: int(v) for k, v in (("storage", storage), ("cpu", cpu), ("memory", memory))
                  if v is not None}
        binding = min(limits, key=limits.get)
        obj = super().__new__(cls, limits[binding])
        obj.storage, obj.cpu, obj.memory, obj.binding = int(storage), cpu, memory, binding
        return obj

    def __repr__(self) -> str:
        return (f"PoolSize({int(self)}, binding={self.binding!r}, storage={self.storage}, "
                f"cpu={self.cpu}, memory={self.memory})")

    def __str__(self) -> str:  # printed (and f-strings) as the number, repr tells all
        return int.__repr__(self)

    def __format__(self, spec: str) -> str:
        return int.__format__(int(self), spec)

    def __reduce__(self):
        return (PoolSize, (self.storage, self.cpu, self.memory))


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


def _exp_cdf(t, rate):
    """CDF of an exponential of rate ``rate`` (0: never completes) at t (clipped at 0)."""
    x = np.clip(t, 0.0, None)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(rate > 0, -np.expm1(-rate * x), 0.0)


def _write_latency(decay: np.ndarray, nodes, cluster: Cluster, d: float) -> dict:
    """Latency of a write of a desktop on ``nodes`` (pooled): the slower of its legs.

    The local leg is exponential with rate ``a_i`` (``decay[:, i]``); each of the
    RF - 1 remote legs, on distinct nodes chosen uniformly among the others,
    pays ``d`` then an exponential of rate ``a_j`` (legs independent). With
    ``b = exp(-a_i d)``, integrating ``1 - F`` gives the mean exactly:

    * RF2: ``d + E[1/a_j] + b (1/a_i - E[1/(a_i + a_j)])``;
    * RF3: ``d + E[1/a_j + 1/a_k - 1/(a_j + a_k)]
      + b E[1/a_i - 1/(a_i + a_j) - 1/(a_i + a_k) + 1/(a_i + a_j + a_k)]``

    (expectations over the choice of remote nodes). Quantiles by bisection on
    ``F(t) = F_i(t) E[prod_j F_j(t - d)]``. ``inf`` where a leg never ends.
    """
    H, k = cluster.n_nodes, cluster.copies - 1
    M = decay.shape[0]
    means, pieces = [], []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in nodes:
            ai = decay[:, i]
            R = decay[:, [j for j in range(H) if j != i]]  # (M, m)
            b = np.exp(-ai * d)
            if k == 0:
                mean = 1.0 / ai
            elif k == 1:
                mean = (d + np.mean(1.0 / R, axis=1)
                        + b * (1.0 / ai - np.mean(1.0 / (ai[:, None] + R), axis=1)))
            else:
                m = R.shape[1]
                jj, kk = np.triu_indices(m, 1)
                Rj, Rk = R[:, jj], R[:, kk]
                e1 = np.mean(1.0 / Rj + 1.0 / Rk - 1.0 / (Rj + Rk), axis=1)
                A = ai[:, None]
                e2 = np.mean(1.0 / A - 1.0 / (A + Rj) - 1.0 / (A + Rk) + 1.0 / (A + Rj + Rk), axis=1)
                mean = d + e1 + b * e2
            bad = (ai <= 0) | (np.any(R <= 0, axis=1) if k else False)
            means.append(np.where(bad, np.inf, mean))
            pieces.append((ai, R, bad))
    mean = np.mean(means, axis=0)

    def cdf(t):
        total = np.zeros(M)
        for ai, R, _ in pieces:
            f = _exp_cdf(t, ai)
            if k >= 1:
                F = _exp_cdf(t[:, None] - d, R)
                s1 = F.sum(axis=1)
                if k == 1:
                    f = f * s1 / R.shape[1]
                else:
                    m = R.shape[1]
                    f = f * 0.5 * (s1**2 - (F**2).sum(axis=1)) / (m * (m - 1) / 2)
            total += f
        return total / len(pieces)

    any_bad = np.any([bad for _, _, bad in pieces], axis=0)
    amin = np.min([np.min(np.column_stack([ai, R]), axis=1) for ai, R, _ in pieces], axis=0)
    amin = np.where(any_bad | ~(amin > 0), 1.0, amin)
    stats = {"mean": mean}
    for name, p in _QUANTILES.items():
        hi = d - np.log((1.0 - p) / (k + 1)) / amin  # union bound on P(max > t)
        _, hi = bisect(lambda t: cdf(t) < p, np.zeros(M), hi)
        stats[name] = np.where(any_bad, np.inf, hi)
    return stats


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
    """

    strategy: str
    n_desktops: np.ndarray
    cvm_arrival_rate: np.ndarray
    cvm_utilization: np.ndarray
    stable: np.ndarray
    read_latency: dict = field(repr=False)
    write_latency: dict = field(repr=False)
    link_utilization: np.ndarray = field(repr=False)

    @property
    def max_utilization(self) -> np.ndarray:
        """Utilization of the busiest CVM, shape (M,)."""
        return self.cvm_utilization.max(axis=-1)

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame of read latencies: strategy, n_desktops, group, statistic, latency_s; sorted."""
        import polars as pl

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


def _group_nodes(cluster: Cluster, group: str) -> list[int]:
    if group == "replica_node":
        return [cluster.replica_node]
    return [j for j in range(cluster.n_nodes) if j != cluster.replica_node]


def steady_state(n_desktops, workload: WorkloadProfile | str = "login",
                 strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                 cached_share: float = 1.0) -> SteadyState:
    """Closed-form steady state of the hot-spot model (open Jackson network).

    Each CVM j is an M/M/1 queue with arrival rate
    ``lambda_j = (N / H) * sum_i rate_ij`` (reads along the read path of
    :func:`read_components`, plus every write's local and RF - 1 remote legs)
    and service rate ``mu``; its response time is exponential with rate
    ``mu - lambda_j``. A read of a desktop on node i is served by CVM j_k with
    probability ``w_k`` and pays the constant ``d_k`` (network and device), so
    its latency is the mixture of shifted exponentials

    ``F(t) = sum_k w_k (1 - exp(-(mu - lambda_{j_k})(t - d_k)))^+``,

    pooled over the nodes of a group. A write ends with the slower of its legs:
    ``F_w(t) = F_i(t) * E[prod_j F_j(t - d_w)]`` over the uniformly chosen
    remote CVMs (legs independent, an approximation: they share arrivals).

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N (desktops in the cluster), spread evenly over the nodes.
    workload : WorkloadProfile or str
        Per-desktop profile, or the name of one in :data:`hcimodel.workload.PROFILES`.
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster, optional
        Defaults to ``Cluster()`` (4 nodes, 25,000 IOPS per CVM, RF2, 0.2 ms RTT, 10 GbE).
    cached_share : float
        Warm-up progress: share of the shared data each node has cached, in
        [0, 1]; 1 (default) is the steady state after warm-up. For full
        clones, ``t`` seconds after deployment:
        :func:`hcimodel.fullclone.cached_share`.

    Returns
    -------
    SteadyState
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    c = check_probability("cached_share", cached_share, scalar=True)
    return _steady_state(_check_pool(n_desktops), workload, strategy, cluster, c, writes=True)


def _steady_state(N: np.ndarray, workload: WorkloadProfile, strategy: str, cluster: Cluster,
                  c: float, writes: bool) -> SteadyState:
    """:func:`steady_state` on validated inputs; ``writes=False`` skips write latency."""
    H = cluster.n_nodes
    fl = _flows(workload, strategy, cluster, c)
    per_node = N[:, None] / H
    lam = per_node * np.bincount(fl.station, weights=fl.rate, minlength=H)[None, :]
    q = queueing.mm1(lam, cluster.cvm_iops)
    link = per_node * _link_load_bps(fl, H)[None, :] / cluster.link_bps
    links_ok = np.all(link < 1.0, axis=-1)
    with np.errstate(divide="ignore"):
        decay = np.where(q.stable, 1.0 / q.mean_response, 0.0)  # mu - lambda, 1/s
    decay = np.where(links_ok[:, None], decay, 0.0)
    mean_resp = np.where(links_ok[:, None], q.mean_response, np.inf)
    d_w = cluster.remote_delay_s(workload.write_size_bytes)

    latency, wlatency = {}, {}
    for group in GROUPS:
        nodes = _group_nodes(cluster, group)
        if not nodes:  # no desktop there, no latency (a one-node cluster)
            continue
        comps = [(w / len(nodes), j, s) for i in nodes
                 for w, j, s in read_components(workload, strategy, cluster, i, c)]
        w = np.array([x[0] for x in comps])
        stations = [x[1] for x in comps]
        d = np.array([x[2] for x in comps])
        mean = np.sum(w * (mean_resp[:, stations] + d), axis=-1)
        stats = {"mean": mean}
        for name, p in _QUANTILES.items():
            stats[name] = queueing.shifted_exponential_mixture_quantile(p, w, decay[:, stations], d)
        latency[group] = stats
        if writes:  # else write_latency stays empty (internal callers read reads only)
            wlatency[group] = _write_latency(decay, nodes, cluster, d_w)
    stable = np.all(q.stable, axis=-1) & links_ok
    return SteadyState(strategy, N, lam, q.utilization, stable, latency, wlatency, link)


def simulate_steady_state(n_desktops: int, workload: WorkloadProfile | str = "login",
                          strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                          cached_share: float = 1.0, n_customers: int = 200_000, n_reps: int = 5,
                          warmup: float = 0.1, rng=None) -> pl.DataFrame:
    """Monte Carlo twin of :func:`steady_state`, exact for the same model (reads).

    Every CVM is simulated as a FIFO queue by the Lindley recursion over the
    same time horizon (so pooled samples carry the right weights): Poisson
    arrivals at rate ``lambda_j``, each tagged with the flow it belongs to (its
    node of origin, read or write leg, and its constant delay: network and
    device), exponential service. A read's latency is its response time plus
    that delay. Write legs load the CVMs; write latency is not simulated
    (its legs are correlated through shared arrivals, see :func:`steady_state`).

    Parameters
    ----------
    n_desktops : int
        Pool size N.
    workload, strategy, cluster, cached_share
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
        replications), sorted. Unstable configurations give ``inf``; a group
        without nodes (or without a sampled read) is left out, never NaN.
    """
    import polars as pl

    from .simulate.queues import lindley_waits
    from .simulate.stats import confidence_interval

    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    c = check_probability("cached_share", cached_share, scalar=True)
    N = int(_check_pool(n_desktops)[0])
    n_customers = check_integer("n_customers", n_customers, minimum=100, scalar=True)
    n_reps = check_integer("n_reps", n_reps, minimum=2, scalar=True)
    warmup = float(np.clip(check_probability("warmup", warmup, scalar=True), 0.0, 0.9))
    rng = as_generator(rng)

    H = cluster.n_nodes
    fl = _flows(workload, strategy, cluster, c)
    flow_rate = (N / H) * fl.rate
    lam = np.bincount(fl.station, weights=flow_rate, minlength=H)
    mu = cluster.cvm_iops
    in_group = np.array([0 if i == cluster.replica_node else 1 for i in range(H)])
    link = (N / H) * _link_load_bps(fl, H) / cluster.link_bps
    schema = ["group", "statistic", "estimate", "ci_low", "ci_high"]
    groups = [g for g in GROUPS if _group_nodes(cluster, g)]  # as steady_state: no empty group
    if np.any(lam >= mu) or np.any(link >= 1.0):
        rows = [(g, s, np.inf, np.inf, np.inf) for g in groups for s in ("mean", "p95", "p99")]
        return pl.DataFrame(rows, schema=schema, orient="row").sort(["group", "statistic"])

    horizon = n_customers / lam.max()
    estimates = {(g, s): [] for g in groups for s in ("mean", "p95", "p99")}
    for _ in range(n_reps):
        samples = {g: [] for g in GROUPS}
        for j in range(H):
            m = int(round(lam[j] * horizon))
            if m == 0:
                continue
            idx = np.flatnonzero(fl.station == j)
            inter = rng.exponential(1.0 / lam[j], m)
            service = rng.exponential(1.0 / mu, m)
            response = lindley_waits(inter, service) + service
            f = idx[rng.choice(idx.size, size=m, p=flow_rate[idx] / flow_rate[idx].sum())]
            keep = fl.is_read[f] & (np.arange(m) >= int(warmup * m))
            lat = response + fl.shift[f]
            grp = in_group[fl.origin[f]]
            for k, g in enumerate(GROUPS):
                samples[g].append(lat[keep & (grp == k)])
        for g in groups:
            x = np.concatenate(samples[g]) if samples[g] else np.empty(0)
            if x.size == 0:
                continue
            estimates[(g, "mean")].append(x.mean())
            estimates[(g, "p95")].append(np.quantile(x, 0.95))
            estimates[(g, "p99")].append(np.quantile(x, 0.99))
    rows = []
    for (g, s), values in estimates.items():
        if not values:  # no read sampled in that group: left out, as an empty group
            continue
        ci = confidence_interval(np.asarray(values))
        rows.append((g, s, float(ci.mean), float(ci.low), float(ci.high)))
    return pl.DataFrame(rows, schema=schema, orient="row").sort(["group", "statistic"])


def max_pool_size(latency_target_s: float, workload: WorkloadProfile | str = "login",
                  strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                  host: Host | None = Host(), statistic: str = "p95", group: str = "other_nodes",
                  cached_share: float = 1.0, upper: int = 10**7) -> PoolSize:
    """Largest pool: the smallest of the storage, CPU and memory limits.

    The storage limit is the largest N whose read latency stays within the
    target; latency grows with N, so it is found by doubling then refining
    the bracket (33 pool sizes per vectorized solve of :func:`steady_state`). The host limits are ``H`` times the
    desktops one node's CPU and memory carry (:class:`Host`).

    Parameters
    ----------
    latency_target_s : float
        Read latency target (s).
    host : Host or None
        The node's CPU and memory; ``None`` for the storage limit alone.
    statistic : {'mean', 'p95', 'p99'}
    group : {'replica_node', 'other_nodes'}
        Which desktops must meet the target (the remote ones suffer most).
    cached_share : float
        Warm-up progress, as in :func:`steady_state`.
    upper : int
        Search limit on N.

    Returns
    -------
    PoolSize
        An ``int`` (the largest N; 0 if even one desktop misses the target)
        with attributes ``storage``, ``cpu``, ``memory`` and ``binding``.
    """
    latency_target_s = check_positive("latency_target_s", latency_target_s, scalar=True)
    check_choice("statistic", statistic, ("mean", *_QUANTILES))
    check_choice("group", group, GROUPS)
    upper = check_integer("upper", upper, minimum=1, scalar=True)
    if host is not None:
        check_instance("host", host, Host)
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    c = check_probability("cached_share", cached_share, scalar=True)
    H = cluster.n_nodes
    if not _group_nodes(cluster, group):
        raise ValueError(f"group {group!r} has no node on a {H}-node cluster "
                         "(use group='replica_node')")

    def n_ok(n: np.ndarray) -> int:
        """How many of the increasing pool sizes ``n`` meet the target before the first miss."""
        res = _steady_state(n, workload, strategy, cluster, c, writes=False)
        good = res.read_latency[group][statistic] <= latency_target_s
        return int(np.argmin(good)) if not good.all() else n.size

    def storage_limit() -> int:
        # doubling then refining, each step one vectorized solve over a grid of N
        grid = np.unique(np.minimum(2 ** np.arange(int(np.log2(upper)) + 2), upper))
        k = n_ok(grid)
        if k == 0:
            return 0
        if k == grid.size:
            return int(upper)
        lo, hi = int(grid[k - 1]), int(grid[k])
        while hi - lo > 1:
            pts = np.unique(np.linspace(lo, hi, 34).round().astype(np.int64))[1:-1]
            k = n_ok(pts)
            lo, hi = (int(pts[k - 1]) if k else lo), (int(pts[k]) if k < pts.size else hi)
        return lo

    if host is None:
        return PoolSize(storage_limit())
    return PoolSize(storage_limit(), H * host.cpu_desktops_per_node,
                    H * host.memory_desktops_per_node)


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
        import polars as pl

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
                  boot_read_bytes: float, cached_share: float = 1.0) -> _BootNetwork:
    """The closed network of a boot storm.

    One desktop I/O becomes ``1 + (1 - read_fraction)(RF - 1)`` cycles: the
    read or the local write leg, and each remote oplog leg taken in series (an
    upper bound on the parallel legs). The think time is shortened so that one
    desktop alone still issues the profile's IOPS.
    """
    H = cluster.n_nodes
    pops = np.full(H, n // H)
    pops[(cluster.replica_node + np.arange(n % H)) % H] += 1
    fl = _flows(workload, strategy, cluster, cached_share)
    per_io = fl.rate / workload.iops  # visits per desktop I/O
    legs = np.bincount(fl.origin, weights=per_io, minlength=H)  # the same for every node
    P = np.zeros((H, H))
    np.add.at(P, (fl.origin, fl.station), per_io)
    P /= legs[:, None]
    delay = np.bincount(fl.origin, weights=per_io * fl.shift, minlength=H) / legs
    s = cluster.service_time_s
    think = 1.0 / (workload.iops * legs[0]) - s
    if think <= 0:
        raise ValueError(
            f"workload.iops must be below cvm_iops = {cluster.cvm_iops:g} / {legs[0]:.3g} visits "
            f"per I/O so that one desktop alone can issue it (got {workload.iops:g})")
    ios = int(np.ceil(boot_read_bytes / (workload.read_size_bytes * workload.read_fraction)))
    cycles = int(np.ceil(ios * legs[0] - 1e-9))
    return _BootNetwork(pops, P * s, P, think, delay, cycles)


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
               workload: WorkloadProfile | str = "boot",
               boot_read_bytes: float = BOOT_READ_BYTES, cached_share: float = 1.0) -> BootStorm:
    """Time to boot N desktops at once, from piecewise-stationary multiclass MVA.

    Desktops on node i form class i (populations as even as possible, the
    replica's node taking the remainder first). A desktop I/O is a read along
    the read path (:func:`read_components`) or a write with its local and
    RF - 1 remote oplog legs; each leg is one cycle (the remote legs taken in
    series, an upper bound on parallel legs), so an I/O is
    ``v = 1 + (1 - read_fraction)(RF - 1)`` cycles. Each desktop alternates a
    think time ``Z = 1 / (v iops) - s`` (so that one desktop alone issues the
    profile's IOPS) and one cycle, served by CVM j with probability
    ``P[i, j] / v`` (:func:`routing`) plus the mean constant delay (network
    and device) of a cycle. Each desktop needs
    ``K = boot_read_bytes / (read_size * read_fraction)`` I/Os, ``v K`` cycles.

    Schweitzer's approximate MVA gives every class's throughput ``X_i`` at the
    current populations; the class that would finish first at those rates ends
    a phase, and the remaining classes carry on with their remaining I/Os in a
    new MVA solution (at most H phases). The mean completion time is the
    population-weighted mean of the class finish times. The last desktop to
    finish also carries the spread of its own think times, independent across
    desktops (the queueing part is shared): with ``sigma`` below,
    ``duration = T_last + sigma * Phi^-1((N - 0.375) / (N + 0.25))`` (Blom's
    expected maximum of N normals; ``sigma = sqrt(v K) Z``).

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N.
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster, optional
    workload : WorkloadProfile or str
        Defaults to the ``boot`` profile (188 IOPS, 84 % reads of 19 KB,
        24 MB written per boot).
    boot_read_bytes : float
        Bytes each desktop reads to boot, all reads (default
        :data:`hcimodel.workload.BOOT_READ_BYTES`, 420 MB, hIOmon trace).
    cached_share : float
        Share of the base each node has already cached (Shadow Clones, full
        clones), in [0, 1]; 1 by default (warmed up). Use 0 for the first boot
        after a recompose or a VAAI clone. The shared part of the boot reads,
        ``replica_read_fraction x boot_read_bytes`` (378 MB by default,
        :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`), is the boot set of
        :class:`hcimodel.shadowclone.Replica` fetched by the warm-ups.

    Returns
    -------
    BootStorm
        ``duration_s`` and ``mean_completion_s`` as above; throughput, I/O
        latency and CVM utilization at the start of the storm (all desktops
        booting).
    """
    from scipy import special

    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    boot_read_bytes = _check_boot_bytes(boot_read_bytes)
    c = check_probability("cached_share", cached_share, scalar=True)
    N = _check_pool(n_desktops)
    dur, mean_done, thr, lat, util = [], [], [], [], []
    for n in N:
        net = _boot_network(int(n), workload, strategy, cluster, boot_read_bytes, c)
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
                        boot_read_bytes: float = BOOT_READ_BYTES, cached_share: float = 1.0,
                        rng=None) -> dict:
    """Monte Carlo twin of :func:`boot_storm`: every desktop boots, then leaves.

    The closed network of :func:`boot_storm` simulated event by event
    (:func:`hcimodel.simulate.simulate_boot_storm`): exponential think times
    and service, the mean constant delay (network, device) of each class, and each
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
    from .simulate.closed_network import simulate_finite_jobs

    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    boot_read_bytes = _check_boot_bytes(boot_read_bytes)
    c = check_probability("cached_share", cached_share, scalar=True)
    n = int(_check_pool(n_desktops)[0])
    net = _boot_network(n, workload, strategy, cluster, boot_read_bytes, c)
    if n * net.ios_per_desktop > MAX_SIMULATED_IOS:
        raise ValueError(f"n_desktops x boot_read_bytes must be at most {MAX_SIMULATED_IOS:.0e} "
                         f"simulated I/Os (got {n} desktops x {net.ios_per_desktop} I/Os)")
    res = simulate_finite_jobs(
        np.full(cluster.n_nodes, cluster.service_time_s), net.visit_prob, net.think_s,
        net.populations, net.ios_per_desktop, delay_s=net.delay_s, rng=rng)
    return {"duration_s": float(res.makespan_s),
            "mean_completion_s": float(np.mean(res.completion_time_s)),
            "io_latency_s": float(res.mean_response_all_s),
            "io_latency_p95_s": float(res.p95_response_s),
            "io_latency_p99_s": float(res.p99_response_s),
            "cvm_utilization": np.asarray(res.utilization)}
