"""The largest pool: storage, CPU and memory limits (:func:`max_pool_size`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..cluster import Cluster
from ..units import GiB
from ..validation import (check_choice, check_instance, check_integer, check_nonnegative,
                          check_positive, check_probability)
from ..workload import WorkloadProfile, as_profile
from .paths import GROUPS, _QUANTILES, _check_strategy, _group_nodes
from .steady import _steady_state

__all__ = ["Host", "PoolSize", "max_pool_size"]


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



def max_pool_size(latency_target_s: float, workload: WorkloadProfile | str = "login",
                  strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                  host: Host | None = Host(), statistic: str = "p95", group: str = "other_nodes",
                  cached_share: float = 1.0, upper: int = 10**7) -> PoolSize:
    """Largest pool: the smallest of the storage, CPU and memory limits.

    The storage limit is the largest N whose read latency stays within the
    target; latency grows with N, so it is found by doubling then refining
    the bracket (33 pool sizes per vectorized solve of :func:`steady_state`).
    The host limits are ``H`` times the desktops one node's CPU and memory
    carry (:class:`Host`).

    Parameters
    ----------
    latency_target_s : float
        Read latency target (s).
    workload : WorkloadProfile or str
        The I/O profile that must meet the target (default ``'login'``, the
        busiest steady phase).
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : hcimodel.cluster.Cluster, optional
        Default ``Cluster()`` (4 nodes, 25,000 IOPS per CVM, RF2).
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


