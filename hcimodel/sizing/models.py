"""The one place where sizing calls the domain models (a thin adapter).

Every call from :mod:`hcimodel.sizing` into :mod:`~hcimodel.hotspot`,
:mod:`~hcimodel.contentcache`, :mod:`~hcimodel.shadowclone` and
:mod:`~hcimodel.replication` goes through a function here, in SI units, so that
when a model's signature changes only this module changes. Nothing here adds
modelling: each function builds the model's parameter objects and returns the
figure sizing needs.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from .. import contentcache, hotspot, replication, shadowclone
from ..clonepool import ClonePool
from ..workload import PROFILES

__all__ = ["cluster", "login_profile", "read_p95", "boot_duration", "warmup", "cache_bytes",
           "hit_ratio", "cvm_memory_for_hit", "change_model", "link", "rpo", "bandwidth",
           "rto", "recovery_strategy"]

BLOCK = ClonePool.block_bytes


def cluster(n_nodes: int, cvm_iops: float, rtt_s: float, link_bps: float) -> hotspot.Cluster:
    """The hot-spot model's cluster of ``n_nodes`` identical nodes."""
    return hotspot.Cluster(n_nodes=int(n_nodes), cvm_iops=float(cvm_iops), rtt_s=float(rtt_s),
                           link_bps=float(link_bps))


def login_profile(iops: float, replica_read_fraction: float):
    """The login-storm profile with its IOPS and replica share replaced."""
    return replace(PROFILES["login"], iops=float(iops),
                   replica_read_fraction=float(replica_read_fraction))


def read_p95(strategy: str, n_desktops: int, n_nodes: int, *, iops: float,
             replica_read_fraction: float, cvm_iops: float, rtt_s: float,
             link_bps: float) -> float:
    """p95 read latency (s) in the login storm, worst group of desktops.

    :func:`hcimodel.hotspot.steady_state` with the login profile; the worse of
    the replica node's desktops and the other nodes' (``inf`` when a CVM is
    saturated).
    """
    res = hotspot.steady_state(int(n_desktops), login_profile(iops, replica_read_fraction),
                               strategy, cluster(n_nodes, cvm_iops, rtt_s, link_bps))
    vals = [float(res.read_latency[g]["p95"][0]) for g in hotspot.GROUPS]
    return max(v for v in vals if not np.isnan(v))


def _replica(image_bytes: float, boot_read_bytes: float) -> shadowclone.Replica:
    used = max(float(image_bytes), float(boot_read_bytes))
    return shadowclone.Replica(size_bytes=used, used_bytes=used,
                               boot_bytes=float(boot_read_bytes))


def warmup(n_nodes: int, n_desktops: int, *, image_bytes: float, boot_read_bytes: float,
           link_bps: float, rtt_s: float):
    """Shadow Clone warm-up of a boot storm (:func:`hcimodel.shadowclone.warmup`)."""
    # detection_delay evaluates terms that its own np.where discards on one node or
    # few desktops (division by zero there); silence those, keep the result.
    with np.errstate(divide="ignore", invalid="ignore"):
        return shadowclone.warmup(int(n_nodes), int(n_desktops),
                                  replica=_replica(image_bytes, boot_read_bytes), phase="boot",
                                  link_bps=float(link_bps), rtt_s=float(rtt_s))


def boot_duration(strategy: str, n_desktops: int, n_nodes: int, *, boot_read_bytes: float,
                  image_bytes: float, cvm_iops: float, rtt_s: float, link_bps: float) -> float:
    """Time (s) to boot the whole pool at once, right after an image update.

    :func:`hcimodel.hotspot.boot_storm`. For ``shadow_clones`` the storm after
    a recompose cannot end before the Shadow Clones have warmed up
    (:func:`hcimodel.shadowclone.warmup`); when they are never detected (three
    nodes or fewer read the replica) the storm is that of ``linked_clones``.
    """
    c = cluster(n_nodes, cvm_iops, rtt_s, link_bps)
    if strategy == "shadow_clones":
        w = warmup(n_nodes, n_desktops, image_bytes=image_bytes,
                   boot_read_bytes=boot_read_bytes, link_bps=link_bps, rtt_s=rtt_s)
        if not bool(w.detected):
            strategy = "linked_clones"
        else:
            storm = hotspot.boot_storm(int(n_desktops), strategy, c,
                                       boot_read_bytes=float(boot_read_bytes))
            return max(float(storm.duration_s[0]), float(w.time_s))
    storm = hotspot.boot_storm(int(n_desktops), strategy, c, boot_read_bytes=float(boot_read_bytes))
    return float(storm.duration_s[0])


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
    (unified: ``C / 0.45 + 12 GiB``; NOS 3.5: the content cache is the memory
    beyond 60 % of ``0.4 (M - 8 GiB)``, so ``M = C / 0.16 + 8 GiB``).
    """
    pool = _pool(n_per_node, image_bytes, private_bytes, profile)
    if rule == "unified":
        c = float(contentcache.cache_needed(pool, target, dedup=dedup))
        return c / 0.45 + 12 * contentcache.GiB
    kind = "content" if dedup else "extent"
    c = float(contentcache.cache_needed(pool, target, dedup=dedup, cache=kind))
    return (c / 0.16 if dedup else c / 0.4) + 8 * contentcache.GiB


def change_model(steady_iops, profile: str) -> replication.ChangeModel:
    """Change model of a desktop writing at ``iops x write share x write size``.

    ``steady_iops`` may be an array (one value per draw): the model broadcasts.
    """
    p = PROFILES[profile]
    w = np.asarray(steady_iops, dtype=float) * (1 - p.read_fraction) * p.write_size_bytes
    return replication.ChangeModel(write_bytes_per_s=w)


def link(wan_bps, efficiency, compression, distance_km) -> replication.Link:
    """The WAN link (arrays broadcast)."""
    return replication.Link(bandwidth_bps=np.asarray(wan_bps, float),
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
    """Strategy of the boot storm at the recovery site: cold caches, so Shadow
    Clones have not been built (:func:`hcimodel.replication.rto`)."""
    return "full_clones" if strategy == "full_clones" else "linked_clones"


def rto(n_desktops: int, n_nodes: int, strategy: str, *, cvm_iops, rtt_s, link_bps,
        boot_read_bytes, parallelism: int, desktops_per_pd: int, detection_s, decision_s,
        activation_s):
    """Recovery time (s) of the protected desktops on a recovery site of ``n_nodes``.

    :func:`hcimodel.replication.rto`; the phase times may be arrays (one value
    per draw), the cluster and the boot are scalars.
    """
    res = replication.rto(int(n_desktops), int(parallelism),
                          cluster=cluster(n_nodes, cvm_iops, rtt_s, link_bps),
                          strategy=recovery_strategy(strategy),
                          boot_read_bytes=float(boot_read_bytes),
                          detection_s=np.asarray(detection_s, float),
                          decision_s=np.asarray(decision_s, float),
                          desktops_per_pd=int(desktops_per_pd),
                          activation_s_per_pd=np.asarray(activation_s, float))
    return res
