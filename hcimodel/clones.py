r"""Linked clones with Shadow Clones versus full clones with native (VAAI) cloning.

The source material ends on a question -- "What are the advantages and
trade-offs between using Linked Clones with Shadow Cloning vs. Full Clones with
native VAAI Cloning?" -- and a verdict: native cloning is better "from a
performance, change tracking, de-fragmentation and coalescing perspective".
:func:`compare` answers it with numbers over a pool's life (months), the same
desktops and hardware for both strategies (:class:`PoolLife`), criterion by
criterion, and :func:`verdict` turns the answer into a table: who wins, by how
much, and where the answer flips.

Strategies
----------
``linked_shadow``
    Linked clones (View Composer) on Shadow Clones. An image update is a
    *recompose*: a new replica is written (``RF`` copies), a second replica
    lives beside the old one while desktops move, delta disks are reset, and
    the Shadow Clones are re-detected and re-fetched
    (:func:`lifecycle`). A *refresh* resets delta disks.
``full_vaai``
    Full clones made by native cloning (:mod:`hcimodel.fullclone`): the shared
    extents warm up once, with no detection and no drop; an image update is a
    patch inside every guest: ``N p`` bytes written, ``RF - 1`` remote copies,
    sharing eroded patch after patch.

Criteria (rows of :func:`verdict`)
----------------------------------
* **latency**: steady-state and login-storm p95 read latency and the boot
  storm (:mod:`hcimodel.hotspot`; once warm both read locally), and the
  transient after each image update (Shadow Clones re-warm, full clones stay
  warm);
* **network**: bytes per month, recompose warm-up plus the new replica versus
  RF-replicated patch writes plus the one-time warm-up spread over the life;
* **cache**: hit ratio of a node's cache with and without dedup
  (:mod:`hcimodel.contentcache`) after the life's patches;
* **capacity**: raw bytes (RF copies): replica(s) plus delta disks reset by
  refresh and recompose, versus parent plus clones that keep what they write;
* **operations**: recompose duration at the broker's concurrency limit versus
  a patch window;
* **protection**: protection domains (at most 50 linked clones per PD), bytes
  to replicate (a floating pool of linked clones replicates its image only),
  RTO (:func:`hcimodel.replication.rto`), and what recovery mode forbids.

What is not modelled: de-fragmentation and coalescing (the source's other two
words); guest writes common to both strategies (the same in both, left out of
the network comparison); the patch download itself.

Units are SI (bytes, seconds); months are 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import polars as pl
from scipy import optimize

from . import fullclone as fc
from . import hotspot
from . import shadowclone as sc
from .clonepool import ClonePool, item_rates
from .contentcache import SINGLE_TOUCH_FRACTION, cache_sizing, content_cache
from .units import DAY_S, GiB, MONTH_S
from .replication.change import MAX_DESKTOPS_PER_PD
from .replication.rto import rto
from .validation import (check_bool, check_choice, check_duration, check_instance, check_integer,
                         check_nonnegative, check_positive)
from .occupancy import expected_distinct
from .workload import WorkloadProfile, as_profile
from .cluster import Cluster

__all__ = ["lifecycle", "STRATEGIES", "CRITERIA", "MAINTENANCE_LIMIT",
           "POWER_OPERATIONS_LIMIT", "PoolLife", "Comparison", "compare", "network_per_month",
           "capacity_timeline", "operations", "flip_update_interval", "flip_patch_bytes",
           "verdict", "SOURCE_VERDICT"]

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


# ------------------------------------------------------------------ network per cycle
def lifecycle(interval_s, n_desktops: int = 100, cluster: Cluster | None = None, *,
              replica: sc.Replica | None = None, boot_workload: WorkloadProfile | str = "boot",
              steady_workload: WorkloadProfile | str = "task", source: str = "single",
              detection_delay_s=None, start_window_s: float = 0.0,
              detection_lag_s: float = 0.0, patch_bytes: float | None = None) -> pl.DataFrame:
    r"""Network cost of a recompose (or refresh) cadence, beside the alternatives.

    A write to the base drops every shadow clone; each cycle of length ``P``
    then starts with a boot storm of the whole pool and continues in the steady
    state. Per cycle:

    ``no_shadow_clones``
        Every replica read of the ``M = N - ceil(N/H)`` desktops off the owner
        crosses the network, forever: ``M * boot_bytes + R * lambda * b * P``
        (``R = min(N, H) - 1`` remote nodes hosting desktops, ``lambda`` the
        block reads per second of one of them).
    ``shadow_clones``
        Remote reads until detection, the boot set fetched once per remote
        node with desktops (:func:`hcimodel.shadowclone.warmup`), then the steady state's first
        reads: ``remote + R f boot_bytes + R D(lambda P) b`` (boot and steady
        working sets counted apart: an upper bound where they overlap).
    ``full_clones``
        Native (VAAI) clones have no recompose: each image update is a patch
        inside every guest, whose writes go to ``RF - 1`` remote oplogs,
        ``N p (RF - 1)`` bytes (``network_bytes_per_patch`` of
        :func:`hcimodel.fullclone.patch_cycle`, the one definition). Their
        shared extents stay cached (a patched block becomes the desktop's own,
        local), so nothing is fetched again: local share 1. The one-time
        warm-up of the first deployment is :func:`hcimodel.fullclone.warmup`;
        :func:`network_per_month` spreads it over a pool's life
        and adds the new replica's ``RF - 1`` copies to a recompose.

    Parameters
    ----------
    interval_s : array_like
        Time between two writes to the base (s), e.g. 30 days for a monthly
        recompose.
    n_desktops : int
    cluster : hcimodel.cluster.Cluster, optional
        The nodes, their links and round trip (the Shadow Clones' warm-up) and
        the replication factor of the full clones' patch writes (at most one
        copy per node). Default ``Cluster()``.
    replica : sc.Replica, optional
    boot_workload, steady_workload : WorkloadProfile or str
    source, detection_delay_s, start_window_s, detection_lag_s
        As in :func:`hcimodel.shadowclone.warmup`.
    patch_bytes : float, optional
        Bytes each guest writes per image update (full clones); default
        :data:`hcimodel.fullclone.PATCH_BYTES`.

    Returns
    -------
    polars.DataFrame
        Columns strategy, interval_s, bytes_per_cycle, bytes_per_month,
        mean_network_bps (average over the cycle), local_share (share of
        replica reads served on the reader's node over the cycle), warm_s (time
        until the boot set is local everywhere); sorted.
    """
    replica = check_instance("replica", replica, sc.Replica, default=sc.Replica)
    P = np.atleast_1d(check_duration("interval_s", interval_s, positive=True)).ravel()
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    H = cluster.n_nodes
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    # one pool, one answer per interval: the warm-up inputs are single numbers
    start_window_s = check_nonnegative("start_window_s", start_window_s, scalar=True)
    detection_lag_s = check_nonnegative("detection_lag_s", detection_lag_s, scalar=True)
    if detection_delay_s is not None:
        detection_delay_s = check_nonnegative("detection_delay_s", detection_delay_s,
                                              allow_inf=True, scalar=True)
    patch = fc.patch_cycle(1, N, parent=replica, rf=cluster.copies, n_nodes=H, patch_bytes=(
        fc.PATCH_BYTES if patch_bytes is None else patch_bytes))
    kw = dict(replica=replica, source=source, detection_delay_s=detection_delay_s,
              start_window_s=start_window_s, detection_lag_s=detection_lag_s)
    boot = sc.warmup(N, cluster, workload=boot_workload, phase="boot", **kw)
    wl = as_profile(steady_workload)
    b = float(replica.block_bytes)
    R, n = (float(x) for x in sc.remote_placement(H, N))  # remote nodes with desktops
    rate = sc.block_read_rate(wl, replica)  # block reads/s per desktop
    reads_node = n * rate * P  # per remote node with desktops
    boot_reads_bytes = N * replica.n_boot_blocks * b  # whole pool, every node
    no_sc = R * n * replica.n_boot_blocks * b + R * reads_node * b
    if bool(boot.detected[()]) and H > 1:
        d = expected_distinct(reads_node, replica.popularity())
        shadow = float(boot.remote_read_bytes[()] + boot.total_bytes[()]) + R * d * b
        warm = float(boot.time_s[()])
    else:
        shadow, warm = no_sc, (0.0 if H == 1 else np.inf)
    total_reads = boot_reads_bytes / b + N * rate * P
    rows = []
    for name, net, w, local in (
            ("no_shadow_clones", no_sc, np.inf if H > 1 else 0.0, None),
            ("shadow_clones", shadow, warm, None),
            ("full_clones", patch.network_bytes_per_patch, 0.0, 1.0)):
        net = np.broadcast_to(np.asarray(net, dtype=float), P.shape)
        rows.append(pl.DataFrame({
            "strategy": name, "interval_s": P, "bytes_per_cycle": net,
            "bytes_per_month": net * MONTH_S / P, "mean_network_bps": 8.0 * net / P,
            "local_share": 1.0 - net / b / total_reads if local is None
            else np.full(P.shape, local),
            "warm_s": np.full(P.shape, w)}))
    return pl.concat(rows).sort(["strategy", "interval_s"])


def _life(life, overrides):
    life = life if life is not None else PoolLife()
    if not isinstance(life, PoolLife):
        raise ValueError(f"life must be a PoolLife (got {type(life).__name__})")
    return life.replace(**overrides) if overrides else life


# ------------------------------------------------------------------ network

def _update_bytes(life: PoolLife, interval_s) -> dict:
    """Bytes on the network per image update, each strategy.

    From :func:`lifecycle` (one source for both): linked
    clones, the new replica's ``RF - 1`` copies plus the Shadow Clones' cycle;
    full clones, the patch's RF-replicated writes.
    """
    df = lifecycle(np.atleast_1d(interval_s), life.n_desktops, life.cluster,
                   replica=life.parent, start_window_s=life.start_window_s,
                   patch_bytes=life.patch_bytes)
    cyc = {s: df.filter(pl.col("strategy") == s).sort("interval_s")["bytes_per_cycle"].to_numpy()
           for s in ("shadow_clones", "full_clones")}
    return {"linked_shadow": (life.rf - 1.0) * life.parent.used_bytes + cyc["shadow_clones"],
            "full_vaai": cyc["full_clones"]}


def _full_once_bytes(life: PoolLife) -> float:
    """Bytes the full clones fetch once in their life (boot set, then the steady state)."""
    boot = fc.warmup(life.n_desktops, life.cluster, parent=life.parent, phase="boot")
    lam = fc.shared_read_rate(life.n_nodes, life.n_desktops, parent=life.parent)
    steady = fc.warmup(life.n_desktops, life.cluster, parent=life.parent, phase="steady",
                       n_reads_per_node=lam * life.life_s)
    return float(boot.total_bytes) + float(steady.total_bytes)


def network_per_month(life: PoolLife | None = None, interval_s=None, **overrides) -> pl.DataFrame:
    r"""Network bytes per month of image updates, each strategy (closed forms).

    ``linked_shadow``: per update, the new replica's ``RF - 1`` remote copies
    plus the Shadow Clones' re-warm-up over the interval ``P``
    (:func:`lifecycle`: remote reads before detection, the
    boot set, the steady state's first reads), times ``MONTH / P``.
    ``full_vaai``: per update, ``N p (RF - 1)`` (every guest's patch writes to
    the remote oplogs, the ``full_clones`` column of the same
    :func:`lifecycle`), times ``MONTH / P``, plus the one-time warm-up of the
    shared extents (:func:`hcimodel.fullclone.warmup`, boot and the life's
    steady reads) spread over the life's months.

    Returns
    -------
    polars.DataFrame
        strategy, interval_s, bytes_per_update, bytes_per_month; sorted.
    """
    life = _life(life, overrides)
    P = np.atleast_1d(check_positive("interval_s", life.update_interval_s if interval_s is None
                                     else interval_s)).ravel()
    upd = _update_bytes(life, P)
    linked, full = upd["linked_shadow"], upd["full_vaai"]
    once = _full_once_bytes(life) / life.months
    return pl.concat([
        pl.DataFrame({"strategy": "linked_shadow", "interval_s": P, "bytes_per_update": linked,
                      "bytes_per_month": linked * MONTH_S / P}),
        pl.DataFrame({"strategy": "full_vaai", "interval_s": P, "bytes_per_update": full,
                      "bytes_per_month": full * MONTH_S / P + once}),
    ]).sort(["strategy", "interval_s"])


def _flip(f, lo, hi):
    """Root of f in [lo, hi] by brentq, or None when f keeps one sign there."""
    a, b = f(lo), f(hi)
    if a == 0:
        return lo
    if np.sign(a) == np.sign(b):
        return None
    return float(optimize.brentq(f, lo, hi, xtol=1e-6, rtol=1e-10))


def _roots(f, lo, hi, n_grid=25):
    """Every sign change of f on a geometric grid over [lo, hi], refined by brentq."""
    x = np.geomspace(lo, hi, n_grid)
    y = np.asarray(f(x), dtype=float)  # f is vectorized
    roots = [float(v) for v, fv in zip(x, y) if fv == 0]
    for i in np.flatnonzero(np.sign(y[:-1]) * np.sign(y[1:]) < 0):
        roots.append(float(optimize.brentq(f, x[i], x[i + 1], xtol=1e-6, rtol=1e-10)))
    return sorted(roots)


def flip_update_interval(life: PoolLife | None = None, lo_s=DAY_S, hi_s=None,
                         **overrides) -> list:
    """Update intervals (s) at which both strategies send the same bytes per month.

    The difference of :func:`network_per_month` is scanned on a geometric grid
    of 25 intervals over ``[lo_s, hi_s]`` (default one day to the life) and
    every sign change refined with :func:`scipy.optimize.brentq`. There can be
    two: linked clones pay little per update when updates are frequent (the
    steady state has little time to be re-fetched), full clones' one-time
    warm-up weighs most when updates are rare.

    Returns
    -------
    list of float
        The intervals (s), increasing; empty when one strategy wins over the
        whole range.
    """
    life = _life(life, overrides)
    hi = life.life_s if hi_s is None else check_positive("hi_s", hi_s, scalar=True)
    lo = check_positive("lo_s", lo_s, scalar=True)

    def diff(p):  # linked_shadow - full_vaai, vectorized over intervals
        df = network_per_month(life, p)
        v = {s: df.filter(pl.col("strategy") == s).sort("interval_s")["bytes_per_month"]
             .to_numpy() for s in STRATEGIES}
        out = v["linked_shadow"] - v["full_vaai"]
        return out if np.ndim(p) else float(out[0])

    return _roots(diff, lo, hi)


def flip_patch_bytes(life: PoolLife | None = None, per: str = "month", **overrides):
    """Bytes written per guest per update at which both strategies send the same bytes.

    ``per="month"``: monthly network bytes (full clones' one-time warm-up
    spread over the life included); ``per="update"``: the bytes of one image
    update (a recompose's re-warm and new replica against one patch). Both are
    linear in ``p``; solved with brentq on ``[0, used bytes]``. None when linked
    clones send more even at ``p = 0``, or less at a full image per update.
    """
    life = _life(life, overrides)
    column = {"month": "bytes_per_month", "update": "bytes_per_update"}[
        check_choice("per", per, ("month", "update"))]
    hi = float(life.parent.used_bytes)

    def diff(p):
        v = network_per_month(life.replace(patch_bytes=p)).sort("strategy")
        return float(v[column][0] - v[column][1])

    return _flip(diff, 0.0, hi)


# ------------------------------------------------------------------ capacity

def capacity_timeline(life: PoolLife | None = None, n_points: int = 241,
                      **overrides) -> pl.DataFrame:
    r"""Raw capacity (RF copies) over the pool's life, each strategy (bytes).

    ``linked_shadow``: ``RF (used + N g (t mod refresh or update))`` -- one
    replica, delta disks growing by ``g`` per day and reset by the next refresh
    or recompose -- plus a second replica (``RF used``) during each recompose
    (drawn at the update instants, the peak).
    ``full_vaai``: ``RF (used + N (g t + private_k))`` with ``private_k`` the
    image blocks made private by ``k`` patches (:func:`hcimodel.fullclone.patch_cycle`);
    ``full_vaai_dedup`` counts patched content once (identical in every guest).

    Returns
    -------
    polars.DataFrame
        strategy, days, raw_bytes; sorted.
    """
    life = _life(life, overrides)
    n = check_integer("n_points", n_points, minimum=2, maximum=100_000, scalar=True)
    upd = life.update_interval_s
    # the grid holds every update instant, where the second replica peaks
    t = np.union1d(np.linspace(0.0, life.life_s, n),
                   upd * np.arange(1, int(life.life_s // upd) + 1))
    k = np.floor(t / upd + 1e-9).astype(np.int64)
    reset = np.minimum(life.refresh_interval_s, upd)
    since = np.mod(t, reset)
    g = life.growth_bytes_per_day / DAY_S
    R, N, used = float(life.rf), life.n_desktops, life.parent.used_bytes
    second = np.where((k > 0) & np.isclose(np.mod(t, upd), 0.0, atol=1e-6), used, 0.0)
    linked = R * (used + second + N * g * since)
    pc = fc.patch_cycle(int(k.max()), N, parent=life.parent, patch_bytes=life.patch_bytes,
                        rf=life.rf, n_nodes=life.n_nodes)
    grown = R * N * g * t  # what the full clones wrote, RF copies
    full = pc.raw_bytes[k] + grown
    full_dd = pc.raw_bytes_dedup[k] + grown
    days = t / DAY_S
    return pl.concat([pl.DataFrame({"strategy": s, "days": days, "raw_bytes": v})
                      for s, v in (("linked_shadow", linked), ("full_vaai", full),
                                   ("full_vaai_dedup", full_dd))]).sort(["strategy", "days"])


# ------------------------------------------------------------------ operations

def operations(life: PoolLife | None = None, **overrides) -> dict:
    """Durations of one image update and of a refresh (s), and the patch write load.

    Recompose and refresh run ``maintenance_limit`` desktops at a time:
    ``ceil(N / limit) x time per desktop``. A patch window is the install, all
    guests at once, then reboots ``power_limit`` at a time:
    ``install + ceil(N / power_limit) x reboot``. During it the cluster
    absorbs ``N p RF`` bytes (``patch_write_bytes``): ``patch_write_bps_per_node``
    per node.
    """
    life = _life(life, overrides)
    N = life.n_desktops
    rec = np.ceil(N / life.maintenance_limit) * life.recompose_s_per_desktop
    ref = np.ceil(N / life.maintenance_limit) * life.refresh_s_per_desktop
    win = life.patch_install_s + np.ceil(N / life.power_limit) * life.reboot_s
    written = N * life.patch_bytes * life.rf  # every guest's patch, RF copies
    return {"recompose_s": float(rec), "refresh_s": float(ref), "patch_window_s": float(win),
            "patch_write_bytes": float(written),
            "patch_write_bps_per_node": float(written / life.n_nodes / max(win, 1e-9))}


# ------------------------------------------------------------------ the comparison

@dataclass(frozen=True)
class Comparison:
    """The numbers of :func:`compare`.

    Attributes
    ----------
    life : PoolLife
    metrics : polars.DataFrame
        Tidy: criterion, metric, unit, strategy, value, better ('lower' or
        'higher'); sorted.
    """

    life: PoolLife
    metrics: pl.DataFrame

    def value(self, metric: str, strategy: str) -> float:
        """One number of :attr:`metrics`."""
        row = self.metrics.filter((pl.col("metric") == metric) & (pl.col("strategy") == strategy))
        if row.height != 1:
            raise ValueError(f"metric must be one of {sorted(set(self.metrics['metric']))} and "
                             f"strategy one of {STRATEGIES} (got {metric!r}, {strategy!r})")
        return float(row["value"][0])


def _cache_hit(life: PoolLife, written: float, dedup: bool) -> float:
    """Hit ratio of one node's Unified Cache for its desktops (memory only).

    The Unified Cache's structure (:func:`hcimodel.contentcache.content_cache`, the
    single-touch pool a quarter of the memory, as in
    :func:`hcimodel.contentcache.content_cache_hits`) on the per-key rates of
    :func:`hcimodel.clonepool.item_rates`; only the hit ratio, not the bytes
    held (which cost most of the solve).
    """
    per_node = max(1, life.n_desktops // life.n_nodes)
    pool = ClonePool.from_profile("task", n_desktops=per_node, base_blocks=life.parent.n_blocks,
                                  private_blocks=life.private_blocks, alpha=life.parent.alpha,
                                  written_fraction=written, clone_type="linked",
                                  block_bytes=life.parent.block_bytes,
                                  fingerprint_bytes=life.parent.block_bytes)
    ir = item_rates(pool, dedup)
    mem = float(cache_sizing(life.cvm_memory_bytes, "unified").content_cache_bytes) \
        / pool.block_bytes
    f = SINGLE_TOUCH_FRACTION  # single-touch share of the cache memory (assumed)
    res = content_cache(ir.group_rates, f * mem, (1 - f) * mem, 0.0, weights=ir.group_count)
    return float(np.ravel(res.hit_ratio)[0])


def compare(life: PoolLife | None = None, *, cache: bool = True, **overrides) -> Comparison:
    """Both strategies over one pool's life, criterion by criterion (closed forms).

    Parameters
    ----------
    life : PoolLife, optional
        The pool and the hardware (defaults documented there).
    cache : bool
        Compute the cache criterion (a few seconds: it solves the Unified Cache
        on the pool's image).
    **overrides
        Fields of :class:`PoolLife` to change.

    Returns
    -------
    Comparison
    """
    life = _life(life, overrides)
    cache = check_bool("cache", cache)
    H, N, R = life.n_nodes, life.n_desktops, life.rf
    cl = life.cluster
    rows = []

    def add(criterion, metric, unit, better, linked, full):
        for s, v in zip(STRATEGIES, (linked, full)):
            rows.append((criterion, metric, unit, s, float(v), better))

    # latency: once warm both read locally; the transient after an update differs
    def p95(profile, strategy):
        return hotspot.steady_state(N, profile, strategy, cl).read_latency["other_nodes"]["p95"][0] \
            if H > 1 else hotspot.steady_state(N, profile, strategy, cl) \
            .read_latency["replica_node"]["p95"][0]

    add("latency", "steady_p95_read_latency", "s", "lower", p95("task", "shadow_clones"),
        p95("task", "full_clones"))
    add("latency", "login_storm_p95_read_latency", "s", "lower", p95("login", "shadow_clones"),
        p95("login", "full_clones"))
    add("latency", "cold_login_storm_p95_read_latency", "s", "lower",
        p95("login", "linked_clones"), p95("login", "full_clones"))
    boot = {s: float(hotspot.boot_storm(N, strategy=s, cluster=cl).duration_s[0])
            for s in ("shadow_clones", "full_clones")}
    add("latency", "boot_storm_duration", "s", "lower", boot["shadow_clones"],
        boot["full_clones"])
    steady_sc = sc.warmup(N, cl, replica=life.parent, phase="steady",
                          start_window_s=life.start_window_s)
    warm_s = float(steady_sc.time_s) if H > 1 else 0.0
    add("latency", "rewarm_after_update", "s", "lower", warm_s, 0.0)
    lc = lifecycle(DAY_S, N, cl, replica=life.parent, start_window_s=life.start_window_s,
                   patch_bytes=life.patch_bytes)
    first_day = float(lc.filter(pl.col("strategy") == "shadow_clones")["local_share"][0])
    add("latency", "remote_share_first_day_after_update", "share", "lower",
        1.0 - first_day, 0.0)

    # network
    net = network_per_month(life).sort("strategy")
    add("network", "bytes_per_month", "B", "lower", net["bytes_per_month"][1],
        net["bytes_per_month"][0])
    add("network", "bytes_per_update", "B", "lower", net["bytes_per_update"][1],
        net["bytes_per_update"][0])

    # cache: linked clones are reset by recompose; full clones carry the life's patches
    pc = fc.patch_cycle(life.n_updates, N, parent=life.parent, patch_bytes=life.patch_bytes,
                        rf=R, n_nodes=H)
    w_end = float(1.0 - pc.shared_fraction[-1])
    add("cache", "shared_fraction_end_of_life", "share", "higher", 1.0, 1.0 - w_end)
    if cache:
        # linked clones: the replica's blocks, keyed alike with or without dedup (the
        # clone pool's dedup gain for linked clones is exactly 0); full clones with
        # dedup: the patched content is identical in every guest, shared again (a bound)
        h_linked = _cache_hit(life, 0.0, False)
        h_full = _cache_hit(life, min(w_end, 1.0 - 1e-9), False)
        add("cache", "hit_ratio_no_dedup", "share", "higher", h_linked, h_full)
        add("cache", "hit_ratio_dedup", "share", "higher", h_linked, h_linked)

    # capacity
    cap = capacity_timeline(life)
    peak = cap.group_by("strategy").agg(pl.col("raw_bytes").max()).sort("strategy")
    pk = dict(zip(peak["strategy"], peak["raw_bytes"]))
    add("capacity", "peak_raw_bytes", "B", "lower", pk["linked_shadow"], pk["full_vaai"])
    add("capacity", "peak_raw_bytes_dedup", "B", "lower", pk["linked_shadow"],
        pk["full_vaai_dedup"])

    # operations
    ops = operations(life)
    add("operations", "image_update_duration", "s", "lower", ops["recompose_s"],
        ops["patch_window_s"])
    add("operations", "update_write_bytes", "B", "lower", life.parent.used_bytes * R,
        ops["patch_write_bytes"])

    # protection and recovery
    pds = (np.ceil(N / MAX_DESKTOPS_PER_PD), np.ceil(N / life.full_desktops_per_pd))
    add("protection", "protection_domains", "count", "lower", *pds)
    linked_repl = life.parent.used_bytes + (0.0 if life.floating
                                            else N * life.delta_bytes_at_reset)
    add("protection", "bytes_to_replicate", "B", "lower", linked_repl,
        life.parent.used_bytes + N * life.kept_bytes_per_desktop)
    # linked clones boot at the recovery site through Shadow Clones and their detection
    r_l = rto(N, cluster=cl, strategy="linked_clones", desktops_per_pd=MAX_DESKTOPS_PER_PD)
    r_f = rto(N, cluster=cl, strategy="full_clones", desktops_per_pd=life.full_desktops_per_pd)
    add("protection", "rto", "s", "lower", float(np.ravel(r_l.total_s)[0]),
        float(np.ravel(r_f.total_s)[0]))
    add("protection", "image_updates_during_recovery", "allowed", "higher", 0.0, 1.0)

    df = pl.DataFrame(rows, orient="row",
                      schema=["criterion", "metric", "unit", "strategy", "value", "better"])
    return Comparison(life, df.sort(["criterion", "metric", "strategy"]))


# ------------------------------------------------------------------ verdict

def _winner(linked, full, better):
    if np.isclose(linked, full, rtol=1e-6, atol=1e-12):
        return "tie", 1.0
    lo_wins = (linked < full) == (better == "lower")
    win, lose = (linked, full) if lo_wins else (full, linked)
    ratio = (lose / win if better == "lower" else win / lose) if win > 0 and lose > 0 else np.inf
    return ("linked_shadow" if lo_wins else "full_vaai"), float(ratio)


def verdict(comparison: Comparison | None = None, *, flips: bool = True) -> pl.DataFrame:
    """Who wins each metric, by how much, where it flips, and the source's verdict.

    Parameters
    ----------
    comparison : Comparison, optional
        From :func:`compare` (default: ``compare()``).
    flips : bool
        Solve the flip points (brentq; a few seconds).

    Returns
    -------
    polars.DataFrame
        criterion, metric, unit, linked_shadow, full_vaai, winner, factor
        (loser over winner; ``inf`` when the winner's value is 0), flip_parameter,
        flip_value (null when no flip in the searched range), flip_note,
        source_verdict ('supports', 'contradicts', 'tie', 'not a performance
        claim'); sorted by criterion, metric.
    """
    flips = check_bool("flips", flips)
    comp = comparison if comparison is not None else compare()
    if not isinstance(comp, Comparison):
        raise ValueError(f"comparison must be a Comparison (got {type(comp).__name__})")
    life = comp.life
    wide = comp.metrics.pivot(on="strategy", index=["criterion", "metric", "unit", "better"],
                              values="value")
    ops = operations(life)
    flip = {}
    if flips:
        p_int = flip_update_interval(life)
        p_b = flip_patch_bytes(life, per="update")
        flip["bytes_per_month"] = (
            "update_interval_s", p_int[0] if p_int else None,
            "no flip between 1 day and the life" if not p_int else
            "the winner changes at update intervals of " + ", ".join(
                f"{x / DAY_S:.1f}" for x in p_int) + " days")
        flip["bytes_per_update"] = (
            "patch_bytes", p_b,
            "linked clones send more even with empty patches" if p_b is None else
            "patches smaller than this make full clones send fewer bytes per update")
    # operations: the concurrency limit at which a recompose is as short as a patch window
    lim = life.n_desktops * life.recompose_s_per_desktop / max(ops["patch_window_s"], 1e-9)
    flip["image_update_duration"] = (
        "maintenance_limit", float(lim),
        "a maintenance limit above this makes the recompose shorter (continuous waves)")
    flip["hit_ratio_no_dedup"] = ("dedup", 1.0, "dedup of the identical patched content "
                                  "removes the gap (patch writes >= 64 KiB are fingerprinted)")
    flip["protection_domains"] = ("full_desktops_per_pd", float(MAX_DESKTOPS_PER_PD),
                                  "full clones need as many PDs at 50 desktops per PD")
    span, kept = life.delta_bytes_at_reset, life.kept_bytes_per_desktop
    u = life.parent.used_bytes
    n_cap = _flip(lambda n: u + n * kept - max(2.0 * u, u + n * span), 1e-9, 1e9)
    flip["peak_raw_bytes"] = (
        ("n_desktops", None, "full clones take more raw capacity for any pool of one desktop "
         "or more") if n_cap is None or n_cap < 1 else
        ("n_desktops", n_cap, "pools smaller than this take less raw capacity as full clones "
         "(the second replica of a recompose outweighs what the clones keep)"))
    perf = {"latency", "cache"}
    rows = []
    for r in wide.iter_rows(named=True):
        win, fac = _winner(r["linked_shadow"], r["full_vaai"], r["better"])
        par, val, note = flip.get(r["metric"], (None, None, None))
        if win == "tie":
            src = "tie"
        elif r["criterion"] in perf:
            src = "supports" if win == "full_vaai" else "contradicts"
        else:
            src = "not a performance claim"
        rows.append({"criterion": r["criterion"], "metric": r["metric"], "unit": r["unit"],
                     "linked_shadow": r["linked_shadow"], "full_vaai": r["full_vaai"],
                     "winner": win, "factor": fac, "flip_parameter": par, "flip_value": val,
                     "flip_note": note, "source_verdict": src})
    schema = {"criterion": pl.Utf8, "metric": pl.Utf8, "unit": pl.Utf8,
              "linked_shadow": pl.Float64, "full_vaai": pl.Float64, "winner": pl.Utf8,
              "factor": pl.Float64, "flip_parameter": pl.Utf8, "flip_value": pl.Float64,
              "flip_note": pl.Utf8, "source_verdict": pl.Utf8}
    return pl.DataFrame(rows, schema=schema).sort(["criterion", "metric"])
