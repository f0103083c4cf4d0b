"""The one place where sizing calls the domain models (a thin adapter).

Every call from :mod:`hcimodel.sizing` into :mod:`~hcimodel.hotspot`,
:mod:`~hcimodel.fullclone`, :mod:`~hcimodel.contentcache`,
:mod:`~hcimodel.shadowclone` and :mod:`~hcimodel.replication` goes through a
function here, in SI units, so that when a model's signature changes only this
module changes. Nothing here adds modelling: each function builds the model's
parameter objects and returns the figure sizing needs.

* Node density (CPU and memory): :class:`hcimodel.hotspot.Host`, the same
  code as :func:`hcimodel.hotspot.max_pool_size` (:func:`desktops_per_node`).
* I/O: the read path and the RF writes of :func:`hcimodel.hotspot.steady_state`
  on a :class:`hcimodel.cluster.Cluster` with the scenario's RF and CVM
  capacity (:func:`read_p95`).
* Warm-up after an image is (re)deployed: Shadow Clones
  (:func:`hcimodel.shadowclone.warmup`) or VAAI full clones
  (:func:`hcimodel.fullclone.warmup`), and the boot storm it slows
  (:func:`boot_duration`).
* Recovery: :func:`hcimodel.replication.rto` (infrastructure phase, Shadow
  Clones at the recovery site).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from .. import contentcache, fullclone, hotspot, replication, shadowclone
from ..clonepool import ClonePool
from ..cluster import Cluster, SitePair
from ..units import GiB
from ..workload import PROFILES

__all__ = ["host", "desktops_per_node", "cluster", "login_profile", "cvm_visits_per_io",
           "read_p95", "boot_set_bytes", "WarmUp", "warmup", "boot_duration", "cache_bytes",
           "hit_ratio", "cvm_memory_for_hit", "change_model", "link", "rpo", "bandwidth",
           "rto", "recovery_strategy"]

BLOCK = ClonePool.block_bytes


# ------------------------------------------------------------------ node density
def host(*, cores, cvm_vcpu, consolidation, memory_bytes, cvm_memory_bytes, vcpu,
         desktop_memory_bytes) -> hotspot.Host:
    """The hot-spot model's host for one desktop shape.

    :class:`hcimodel.hotspot.Host` reserves no CPU for the CVM; a scenario's
    ``node.cvm_vcpu`` (default 0) reserves that many whole cores for it, so the
    host gets ``cores - cvm_vcpu`` cores.
    """
    return hotspot.Host(cores=int(round(cores - cvm_vcpu)), vcpus_per_core=float(consolidation),
                        memory_bytes=float(memory_bytes), cvm_memory_bytes=float(cvm_memory_bytes),
                        desktop_vcpus=int(round(vcpu)),
                        desktop_memory_bytes=float(desktop_memory_bytes))


def desktops_per_node(**kwargs) -> tuple[int, int]:
    """Desktops one node carries by its CPU and by its memory
    (:attr:`hcimodel.hotspot.Host.cpu_desktops_per_node`,
    :attr:`~hcimodel.hotspot.Host.memory_desktops_per_node`); arguments as :func:`host`."""
    h = host(**kwargs)
    return h.cpu_desktops_per_node, h.memory_desktops_per_node


# ------------------------------------------------------------------ I/O
def cluster(n_nodes: int, cvm_iops: float, rtt_s: float, link_bps: float,
            rf: int = 2) -> Cluster:
    """The hot-spot model's cluster of ``n_nodes`` identical nodes (default read path)."""
    return Cluster(n_nodes=int(n_nodes), cvm_iops=float(cvm_iops), rtt_s=float(rtt_s),
                           link_bps=float(link_bps), replication_factor=int(rf))


def login_profile(iops: float, replica_read_fraction: float):
    """The login-storm profile with its IOPS and replica share replaced."""
    return replace(PROFILES["login"], iops=float(iops),
                   replica_read_fraction=float(replica_read_fraction))


def cvm_visits_per_io(rf: int, n_nodes: int) -> float:
    """CVM visits per login-storm I/O: a read, or a write's local and RF - 1 remote
    oplog legs (row sum of :func:`hcimodel.hotspot.routing`)."""
    P = hotspot.routing(PROFILES["login"], "full_clones",
                        cluster(n_nodes, 1e5, 0.0, 1e10, rf))
    return float(P.sum(axis=1)[0])


def read_p95(strategy: str, n_desktops: int, n_nodes: int, *, iops: float,
             replica_read_fraction: float, cvm_iops: float, rtt_s: float,
             link_bps: float, rf: int = 2) -> float:
    """p95 read latency (s) in the login storm, worst group of desktops.

    :func:`hcimodel.hotspot.steady_state` with the login profile (reads along
    the read path, writes with their RF - 1 remote oplog legs); the worse of
    the replica node's desktops and the other nodes' (``inf`` when a CVM or a
    link is saturated).
    """
    # sizing needs reads only (the writes' CVM and link load stay in)
    res = hotspot.steady_state(int(n_desktops), login_profile(iops, replica_read_fraction),
                               strategy, cluster(n_nodes, cvm_iops, rtt_s, link_bps, rf),
                               write_latency=False)
    return max(float(stats["p95"][0]) for stats in res.read_latency.values())


# ------------------------------------------------------------------ warm-up and boot storm
def boot_set_bytes(boot_read_bytes: float) -> float:
    """Bytes of one boot read from the shared base image: the boot profile's
    replica share of all boot reads (as :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`
    is of :data:`~hcimodel.workload.BOOT_READ_BYTES`)."""
    return float(boot_read_bytes) * PROFILES["boot"].replica_read_fraction


def _replica(image_bytes: float, boot_read_bytes: float) -> shadowclone.Replica:
    shared = boot_set_bytes(boot_read_bytes)
    used = max(float(image_bytes), shared)
    return shadowclone.Replica(size_bytes=used, used_bytes=used, boot_bytes=shared)


@dataclass(frozen=True)
class WarmUp:
    """Warm-up of the shared base after an image is (re)deployed, all desktops booting.

    ``total_bytes`` fetched by the cluster, ``time_s`` until the last fetch
    (``inf`` when Shadow Clones are never detected), ``local_share`` of the
    shared boot reads that crossed no network (fetches and reads sent to the
    owner before detection count as remote), ``detected`` (Shadow Clones
    start; always True for full clones), and ``cached_share``: the share of a
    node's shared boot reads whose block that node had already read, the
    ``cached_share`` that :func:`hcimodel.hotspot.boot_storm` takes.

    The two differ for full clones: a node that holds a replica of an extent
    reads it locally the first time too, so ``local_share`` counts those
    first reads as local, while :func:`hcimodel.hotspot.read_components`
    routes the uncached reads through :meth:`hcimodel.cluster.Cluster.extent_share`
    and serves the holder's share of them locally itself. Feeding
    ``local_share`` to the hot spot would discount the holder-local first
    reads twice. For Shadow Clones the uncached reads go to the owner, and the
    two are equal.
    """

    strategy: str
    total_bytes: float
    time_s: float
    local_share: float
    detected: bool
    cached_share: float = 0.0


def warmup(strategy: str, n_nodes: int, n_desktops: int, *, image_bytes: float,
           boot_read_bytes: float, link_bps: float, rtt_s: float, rf: int = 2) -> WarmUp | None:
    """Warm-up of a boot storm right after the image is (re)deployed.

    ``shadow_clones``: after a recompose, :func:`hcimodel.shadowclone.warmup`
    (boot phase, single source); ``full_clones``: after VAAI cloning,
    :func:`hcimodel.fullclone.warmup` (boot phase; sources the parent's RF
    replicas, no detection). ``linked_clones`` (no warm-up): None.
    """
    n = int(n_desktops)
    rep = _replica(image_bytes, boot_read_bytes)
    hw = Cluster(int(n_nodes), link_bps=float(link_bps), rtt_s=float(rtt_s),
                 replication_factor=int(rf))  # RF at most one copy per node (Cluster.copies)
    if strategy == "full_clones":
        w = fullclone.warmup(n, hw, parent=rep, phase="boot")
        # each hosting node reads every boot block reads_per_node / m times; its first
        # read (fetched, or local on a holder) is not cached, the others are
        reads = float(w.reads_per_node)
        cached = 1.0 - float(rep.n_boot_blocks) / reads if reads > 0 else 0.0
        return WarmUp(strategy, float(w.total_bytes), float(w.time_s), float(w.local_share),
                      True, float(np.clip(cached, 0.0, 1.0)))
    if strategy != "shadow_clones":
        return None
    w = shadowclone.warmup(n, hw, replica=rep, phase="boot")
    remote = (float(w.remote_read_bytes) + float(w.total_bytes)) / (n * rep.boot_bytes)
    local = float(np.clip(1.0 - remote, 0.0, 1.0))
    return WarmUp(strategy, float(w.total_bytes), float(w.time_s), local, bool(w.detected),
                  local)


def boot_duration(strategy: str, n_desktops: int, n_nodes: int, *, boot_read_bytes: float,
                  image_bytes: float, cvm_iops: float, rtt_s: float, link_bps: float,
                  rf: int = 2) -> float:
    """Time (s) to boot the whole pool at once, right after the image is (re)deployed.

    :func:`hcimodel.hotspot.boot_storm` with ``cached_share`` = the warm-up's
    :attr:`WarmUp.cached_share` (a mean over the storm: Shadow Clones after a
    recompose, full clones after VAAI cloning), and the storm cannot end before
    the warm-up's last fetch. When Shadow Clones are never detected (three
    nodes or fewer read the replica) the storm is that of ``linked_clones``.
    """
    c = cluster(n_nodes, cvm_iops, rtt_s, link_bps, rf)
    w = warmup(strategy, n_nodes, n_desktops, image_bytes=image_bytes,
               boot_read_bytes=boot_read_bytes, link_bps=link_bps, rtt_s=rtt_s, rf=rf)
    if w is None or not w.detected:
        storm = hotspot.boot_storm(int(n_desktops), strategy="linked_clones", cluster=c,
                                   boot_read_bytes=float(boot_read_bytes))
        return float(storm.duration_s[0])
    storm = hotspot.boot_storm(int(n_desktops), strategy=strategy, cluster=c,
                               boot_read_bytes=float(boot_read_bytes),
                               cached_share=w.cached_share)
    return max(float(storm.duration_s[0]), w.time_s)


# ------------------------------------------------------------------ cache
def _pool(n_per_node: int, image_bytes: float, private_bytes: float, profile: str) -> ClonePool:
    base = max(int(np.ceil(image_bytes / BLOCK)), 1)
    private = int(np.ceil(private_bytes / BLOCK))
    share = PROFILES[profile].replica_read_fraction if private else 1.0
    # VAAI full clones share their parent's extents until written and cache like
    # linked clones (hcimodel.clonepool): one pool shape for every strategy.
    return ClonePool(n_desktops=int(n_per_node), base_blocks=base, private_blocks=private,
                     shared_read_fraction=share, read_iops=PROFILES[profile].read_iops,
                     clone_type="linked")


def cache_bytes(cvm_memory_bytes: float, rule: str, ssd_bytes: float) -> float:
    """Read cache of one CVM (memory under the rule, plus the SSD part; bytes)."""
    s = contentcache.cache_sizing(float(cvm_memory_bytes), rule)
    return float(s.total_cache_bytes) + float(ssd_bytes)


def hit_ratio(n_per_node: int, *, image_bytes: float, private_bytes: float, profile: str,
              cvm_memory_bytes: float, rule: str, ssd_bytes: float, dedup: bool) -> float:
    """Steady-state read hit ratio of one node's CVM cache for its desktops.

    :func:`hcimodel.contentcache.content_cache_model` for ``n_per_node``
    desktops of the pool on the node.
    """
    pool = _pool(n_per_node, image_bytes, private_bytes, profile)
    m = contentcache.content_cache_model(pool, float(cvm_memory_bytes), rule=rule,
                                         ssd_bytes=float(ssd_bytes), dedup=bool(dedup))
    return float(m.hits.hit_ratio)


def cvm_memory_for_hit(target: float, n_per_node: int, *, image_bytes: float,
                       private_bytes: float, profile: str, rule: str, dedup: bool) -> float:
    """CVM memory (bytes) whose cache reaches a hit ratio (memory only, no SSD).

    :func:`hcimodel.contentcache.cache_needed`, then the sizing rule inverted
    (unified: ``C / 0.45 + 12 GiB``; NOS 3.5: bisection on the rule, which has
    thresholds: a 4 GiB Extent Cache first, a Content Cache only from 1 GiB).
    """
    pool = _pool(n_per_node, image_bytes, private_bytes, profile)
    if rule == "unified":
        c = float(contentcache.cache_needed(pool, target, dedup=dedup))
        return c / 0.45 + 12 * GiB
    kind = "content" if dedup else "extent"
    c = float(contentcache.cache_needed(pool, target, dedup=dedup, cache=kind))
    return _nos35_memory_for(c, kind)


def _nos35_memory_for(cache_bytes: float, kind: str) -> float:
    """Smallest CVM memory whose NOS 3.5 rule gives ``cache_bytes`` of the
    ``kind`` ("content" or "extent") cache: the rule is non-decreasing in memory
    (:func:`hcimodel.contentcache.cache_sizing`), so bisection on it, not a
    hand inversion that misses its 4 GiB and 1 GiB thresholds."""
    from scipy.optimize import brentq

    attr = f"{kind}_cache_bytes"

    def gap(m):
        return float(getattr(contentcache.cache_sizing(m, "nos35"), attr)) - cache_bytes

    lo, hi = 8 * GiB, 16 * GiB
    while gap(hi) < 0:
        lo, hi = hi, 2 * hi
        if hi > 2.0**60:
            return float("inf")
    if gap(lo) >= 0:
        return lo
    # the rule jumps (the content cache turns on at 1 GiB): take the right end of the bracket
    m = brentq(gap, lo, hi, xtol=1.0)
    return m if gap(m) >= 0 else float(np.nextafter(m, np.inf)) + 1.0


# ------------------------------------------------------------------ replication
def change_model(steady_iops, profile: str) -> replication.ChangeModel:
    """Change model of a desktop writing at ``iops x write share x write size``.

    ``steady_iops`` may be an array (one value per draw): the model broadcasts.
    """
    p = PROFILES[profile]
    w = np.asarray(steady_iops, dtype=float) * (1 - p.read_fraction) * p.write_size_bytes
    return replication.ChangeModel(write_bytes_per_s=w)


def link(wan_bps, efficiency, compression, distance_km) -> SitePair:
    """The WAN link (arrays broadcast)."""
    return SitePair(bandwidth_bps=np.asarray(wan_bps, float),
                            efficiency=np.asarray(efficiency, float),
                            compression_ratio=np.asarray(compression, float),
                            distance_km=float(np.max(distance_km)))


def rpo(interval_s, n_desktops, change, wan, mode: str):
    """:func:`hcimodel.replication.async_rpo` of all protected desktops on one link.

    All protection domains snapshot on one schedule and queue on the link, so
    the last one's loss is that of one domain holding every protected desktop
    (:func:`hcimodel.replication.shared_link_loss`, aligned).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return replication.async_rpo(interval_s, np.asarray(n_desktops), change, wan, mode=mode)


def bandwidth(target_s, interval_s, n_desktops, change, wan) -> np.ndarray:
    """Least nominal WAN bandwidth (bit/s) for the RPO target
    (:func:`hcimodel.replication.required_bandwidth`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return replication.required_bandwidth(target_s, interval_s, np.asarray(n_desktops),
                                              change, wan)


def recovery_strategy(strategy: str) -> str:
    """Strategy of the boot storm at the recovery site: ``linked_clones`` for linked
    clones and Shadow Clones (:func:`hcimodel.replication.rto` then builds Shadow
    Clones at the recovery site, with their detection), ``full_clones`` as given."""
    return "full_clones" if strategy == "full_clones" else "linked_clones"


def rto(n_desktops: int, n_nodes: int, strategy: str, *, cvm_iops, rtt_s, link_bps,
        boot_read_bytes, parallelism: int, desktops_per_pd: int, detection_s, decision_s,
        activation_s, rf: int = 2):
    """Recovery time of the protected desktops on a recovery site of ``n_nodes``.

    :func:`hcimodel.replication.rto` (detection, decision, activation of the
    protection domains, the infrastructure phase, power-on, the boot storm
    with Shadow Clones on, ready); the phase times may be arrays (one value
    per draw), the cluster and the boot are scalars.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return replication.rto(int(n_desktops), int(parallelism),
                               cluster=cluster(n_nodes, cvm_iops, rtt_s, link_bps, rf),
                               strategy=recovery_strategy(strategy),
                               boot_read_bytes=float(boot_read_bytes),
                               detection_s=np.asarray(detection_s, float),
                               decision_s=np.asarray(decision_s, float),
                               desktops_per_pd=int(desktops_per_pd),
                               activation_s_per_pd=np.asarray(activation_s, float))
