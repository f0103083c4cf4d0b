"""The pool over its life (:class:`PoolLife`), shared by both strategies, and
the constants of the comparison (strategies, criteria, Horizon's limits, the
source's verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from .. import fullclone as fc
from .. import shadowclone as sc
from ..cluster import Cluster
from ..units import DAY_S, GiB, MONTH_S
from ..validation import (check_bool, check_instance, check_integer, check_nonnegative,
                          check_positive)

__all__ = ["STRATEGIES", "CRITERIA", "MAINTENANCE_LIMIT", "POWER_OPERATIONS_LIMIT", "PoolLife",
           "SOURCE_VERDICT"]

STRATEGIES = ("linked_shadow", "full_vaai")
CRITERIA = ("latency", "network", "cache", "capacity", "operations", "protection")
#: Horizon's default "max concurrent View Composer maintenance operations"
#: (refresh, recompose, rebalance): 12 in the View API reference
#: (VirtualCenter.ConcurrentOperationLimits.viewComposerMaintenanceLimit, Horizon
#: 6.0+ pages); the Horizon 7.9 and 2103 pages list 20.
MAINTENANCE_LIMIT = 12
#: Horizon's default "max concurrent power operations" (vcPowerOperationsLimit: 50).
POWER_OPERATIONS_LIMIT = 50
#: The source's verdict, quoted.
SOURCE_VERDICT = ("native cloning better from a performance, change tracking, "
                  "de-fragmentation and coalescing perspective")
#: Names :meth:`PoolLife.replace` takes for fields of the cluster.
_CLUSTER_FIELDS = frozenset(f.name for f in fields(Cluster))
_CLUSTER_ALIASES = {"rf": "replication_factor"}


@dataclass(frozen=True)
class PoolLife:
    """One pool over its life, and the hardware, shared by both strategies.

    Parameters
    ----------
    cluster : hcimodel.cluster.Cluster
        The hardware, built once and passed to every model: 8 nodes (two
        NX-3000 blocks of 4, *assumed*), RF 2 (the AOS default; at most the
        number of nodes), of the writes and of the parent's extents in every
        model; 10 GbE and a 0.2 ms CVM round trip (the cluster's defaults).
        :attr:`n_nodes` and :attr:`rf` read it. :meth:`replace` also takes
        the cluster's fields (``n_nodes``, ``rf`` for ``replication_factor``,
        ``rtt_s``, ``link_bps``, ...).
    n_desktops : int
        Desktops N (default 400, 50 per node; about 100 per 2015 node fit).
    parent : hcimodel.shadowclone.Replica
        The image: 10 GB used, 378 MB boot set (the shared part of a boot's
        420 MB, :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`), 4 KiB blocks; Zipf 0.9 as in
        notebook 02's lifecycle figures (*assumed*).
    months : int
        Life of the pool (default 12, *assumed*).
    update_interval_s : float
        Time between image updates (default 30 days: monthly patches, *assumed*).
    patch_bytes : float
        Bytes a guest writes per update (default 1 GB, *assumed*;
        :data:`hcimodel.fullclone.PATCH_BYTES`).
    growth_bytes_per_day : float
        Unique bytes a desktop adds to its own disk per day (user data, logs,
        profile), kept by a full clone, reset in a linked clone's delta disk
        by refresh and recompose (default 50 MB, *assumed*; the notebook shows
        10-500 MB).
    refresh_interval_s : float
        Time between refreshes of linked clones (default 7 days, *assumed*;
        ``inf`` for none).
    start_window_s : float
        Power-on window after a recompose (default 600 s, *assumed*).
    cvm_memory_bytes : float
        CVM memory (32 GiB; Unified Cache rule: 9 GiB of cache).
    private_blocks : int
        Blocks of a desktop's own data read in the steady state (2^13 = 32 MiB
        of 4 KiB, the clone-pool default).
    maintenance_limit : int
        Concurrent recompose/refresh operations (:data:`MAINTENANCE_LIMIT`).
    power_limit : int
        Concurrent power operations (:data:`POWER_OPERATIONS_LIMIT`).
    recompose_s_per_desktop, refresh_s_per_desktop : float
        Time one recompose (delete, clone, customise, boot) and one refresh
        (revert, boot) take (600 s and 180 s, *assumed*; a boot takes 2-3 min).
    patch_install_s : float
        Time a guest takes to install an update, all guests at once (1,800 s,
        *assumed*).
    reboot_s : float
        Reboot after patching (150 s: "two to three minutes", Horizon docs).
    full_desktops_per_pd : int
        Full clones per protection domain (200, *assumed*: no published cap;
        linked clones: 50, Leibovici 2015).
    floating : bool
        Linked clones in a floating (non-persistent) pool, which needs no
        replication of its desktops (default True).
    """

    cluster: Cluster = field(default_factory=lambda: Cluster(n_nodes=8))
    n_desktops: int = 400
    parent: sc.Replica = field(default_factory=lambda: sc.Replica(alpha=0.9))
    months: int = 12
    update_interval_s: float = MONTH_S
    patch_bytes: float = fc.PATCH_BYTES
    growth_bytes_per_day: float = 50e6
    refresh_interval_s: float = 7 * DAY_S
    start_window_s: float = 600.0
    cvm_memory_bytes: float = 32 * GiB
    private_blocks: int = 1 << 13
    maintenance_limit: int = MAINTENANCE_LIMIT
    power_limit: int = POWER_OPERATIONS_LIMIT
    recompose_s_per_desktop: float = 600.0
    refresh_s_per_desktop: float = 180.0
    patch_install_s: float = 1800.0
    reboot_s: float = 150.0
    full_desktops_per_pd: int = 200
    floating: bool = True

    def __post_init__(self):
        check_instance("cluster", self.cluster, Cluster)
        check_integer("n_desktops", self.n_desktops, minimum=1, scalar=True)
        check_integer("cluster.replication_factor", self.rf, minimum=1,
                      maximum=min(3, self.n_nodes), scalar=True)
        if not isinstance(self.parent, sc.Replica):
            raise ValueError(f"parent must be a shadowclone.Replica (got {self.parent!r})")
        check_integer("months", self.months, minimum=1, scalar=True)
        check_positive("update_interval_s", self.update_interval_s, scalar=True)
        check_nonnegative("patch_bytes", self.patch_bytes, scalar=True)
        check_nonnegative("growth_bytes_per_day", self.growth_bytes_per_day, scalar=True)
        check_positive("refresh_interval_s", self.refresh_interval_s, allow_inf=True, scalar=True)
        check_nonnegative("start_window_s", self.start_window_s, scalar=True)
        check_positive("cvm_memory_bytes", self.cvm_memory_bytes, scalar=True)
        check_integer("private_blocks", self.private_blocks, minimum=0, scalar=True)
        check_integer("maintenance_limit", self.maintenance_limit, minimum=1, scalar=True)
        check_integer("power_limit", self.power_limit, minimum=1, scalar=True)
        for name in ("recompose_s_per_desktop", "refresh_s_per_desktop", "patch_install_s",
                     "reboot_s"):
            check_nonnegative(name, getattr(self, name), scalar=True)
        check_integer("full_desktops_per_pd", self.full_desktops_per_pd, minimum=1, scalar=True)
        check_bool("floating", self.floating)

    def replace(self, **changes) -> "PoolLife":
        """A copy with some fields changed (validated again).

        Fields of :class:`~hcimodel.cluster.Cluster` (``rf`` for
        ``replication_factor``) change the cluster.
        """
        hw = {_CLUSTER_ALIASES.get(k, k): changes.pop(k) for k in list(changes)
              if k in _CLUSTER_ALIASES or k in _CLUSTER_FIELDS}
        if hw:
            changes["cluster"] = replace(changes.get("cluster", self.cluster), **hw)
        return replace(self, **changes)

    @property
    def n_nodes(self) -> int:
        """Nodes H of the cluster."""
        return self.cluster.n_nodes

    @property
    def rf(self) -> int:
        """Replication factor of the cluster."""
        return self.cluster.replication_factor

    @property
    def life_s(self) -> float:
        """Life of the pool (s)."""
        return self.months * MONTH_S

    @property
    def n_updates(self) -> int:
        """Image updates over the life."""
        return int(np.floor(self.life_s / self.update_interval_s + 1e-9))

    @property
    def delta_bytes_at_reset(self) -> float:
        """Bytes a linked clone's delta disk holds when the next refresh or recompose resets it."""
        return self.growth_bytes_per_day * min(self.refresh_interval_s,
                                               self.update_interval_s) / DAY_S

    @property
    def kept_bytes_per_desktop(self) -> float:
        """Bytes a full clone holds of its own at the end of the life: what it wrote
        (``growth_bytes_per_day``) plus the image blocks its patches made its own
        (:func:`hcimodel.fullclone.patch_cycle` after :attr:`n_updates`)."""
        pc = fc.patch_cycle(self.n_updates, 1, parent=self.parent, patch_bytes=self.patch_bytes,
                            rf=self.rf, n_nodes=self.n_nodes)
        return self.growth_bytes_per_day * self.life_s / DAY_S \
            + float(pc.private_bytes_per_desktop[-1])



def _life(life, overrides):
    life = life if life is not None else PoolLife()
    if not isinstance(life, PoolLife):
        raise ValueError(f"life must be a PoolLife (got {type(life).__name__})")
    return life.replace(**overrides) if overrides else life
