"""The hardware every model runs on: one cluster, and the pair of sites it replicates between.

A scenario is described once and passed to every model:

* :class:`TierLatencies`: the access time of each device (memory, SSD, HDD)
  and the share of extent-store reads on the SSD hot tier.
* :class:`Cluster`: the nodes of one HCI cluster, the capacity of each
  node's Controller VM (CVM), the links between nodes and their round trip,
  the replication factor, where the replica (or a parent's extents) lives, and
  the read path through each node's cache and extent store (:class:`ReadPath`).
  :func:`holder_share` is where RF places the replicas of an extent.
* :class:`SitePair`: the primary and recovery sites, the WAN link between them
  (bandwidth, efficiency, compression, dedup) and their distance.

References: Nutanix Bible ("AOS Storage": data locality, RF, extent groups);
NX-3000 specification sheet (nodes per block, 10 GbE); REFERENCES.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import (as_float_array, check_in_range, check_instance, check_integer,
                         check_nonnegative, check_positive, check_probability)

__all__ = ["MAX_NODES", "LIGHT_S_PER_KM", "TierLatencies", "ReadPath", "Cluster", "holder_share", "SitePair"]

#: Most nodes a cluster may have (the hot spot's routing matrix is H x H).
MAX_NODES = 4096

#: One-way delay of light in fibre (s per km): about 5 µs/km (REFERENCES.md).
LIGHT_S_PER_KM = 5e-6


@dataclass(frozen=True)
class TierLatencies:
    """Read service time of each tier (s), and where a cache miss is read.

    A cache miss is read from the extent store: its SSD hot tier with
    probability ``hot_tier_hit``, else its HDD cold tier (the read path of
    :class:`ReadPath`, which shares this object, and of the Content Cache
    model, :mod:`hcimodel.contentcache`).

    Parameters
    ----------
    memory_s : float
        A hit in CVM memory (default 10 µs, *assumed*).
    ssd_s : float
        A read from SSD: the cache's SSD part or the extent store's hot tier
        (default 0.15 ms, *assumed*).
    hdd_s : float
        A read from the HDD cold tier (default 7.5 ms: View 5.2 guide, HDD
        "typically 200 IOPS").
    hot_tier_hit : float
        Share of extent-store reads served by the SSD hot tier (default 0.95,
        *assumed*: the VDI working set fits the 700 GB of flash of an NX-3000
        node; the Dell View 4.5 study served about 90 % of array I/O from SSD).
    """

    memory_s: float = 10e-6
    ssd_s: float = 0.15e-3
    hdd_s: float = 7.5e-3
    hot_tier_hit: float = 0.95

    def __post_init__(self):
        check_nonnegative("memory_s", self.memory_s, scalar=True)
        check_nonnegative("ssd_s", self.ssd_s, scalar=True)
        check_nonnegative("hdd_s", self.hdd_s, scalar=True)
        check_probability("hot_tier_hit", self.hot_tier_hit, scalar=True)

    @property
    def miss_s(self) -> float:
        """Mean time of a cache miss, read from the extent store's tiers (s)."""
        t = float(self.hot_tier_hit)
        return t * float(self.ssd_s) + (1.0 - t) * float(self.hdd_s)

    def mean_s(self, memory_hit_ratio, ssd_hit_ratio, miss_ratio) -> np.ndarray:
        """Mean read latency (s): the ratios weighted by the tier latencies (a miss
        at :attr:`miss_s`, the extent store's mix of SSD and HDD)."""
        return (check_probability("memory_hit_ratio", memory_hit_ratio) * self.memory_s
                + check_probability("ssd_hit_ratio", ssd_hit_ratio) * self.ssd_s
                + check_probability("miss_ratio", miss_ratio) * self.miss_s)


@dataclass(frozen=True)
class ReadPath:
    """Where a read is served: the node's cache, then the extent store.

    The defaults are assumptions (no published per-path hit ratios for a VDI
    pool); notebook 01 shows the sensitivity to them.

    Parameters
    ----------
    cache_hit_shared : float
        Share of reads of shared (base-image) data served by the cache
        (Content/Extent Cache, memory and SSD) of the CVM that serves them.
        Default 0.9 (*assumed*: the base image is read by every desktop).
    cache_hit_private : float
        Same for a desktop's private data. Default 0.5 (*assumed*).
    cache_memory_share : float
        Share of cache hits served from CVM memory; the rest from the SSD part
        of the cache. Default 0.5 (*assumed*).
    tiers : TierLatencies
        Access time of memory, SSD and HDD (s) and the share of extent-store
        reads on the SSD hot tier (``hot_tier_hit``), shared with the cache model.
    """

    cache_hit_shared: float = 0.9
    cache_hit_private: float = 0.5
    cache_memory_share: float = 0.5
    tiers: TierLatencies = TierLatencies()

    def __post_init__(self):
        for name in ("cache_hit_shared", "cache_hit_private", "cache_memory_share"):
            check_probability(name, getattr(self, name))
        if not isinstance(self.tiers, TierLatencies):
            raise ValueError(f"tiers must be a TierLatencies (got {self.tiers!r})")

    def cache_mix(self) -> list[tuple[float, float]]:
        """A cache hit: (probability, device access time in s) of memory and SSD."""
        m = self.cache_memory_share
        return [(m, self.tiers.memory_s), (1.0 - m, self.tiers.ssd_s)]

    def extent_mix(self) -> list[tuple[float, float]]:
        """An extent-store read: (probability, access time in s) of the SSD and HDD tiers."""
        t = self.tiers.hot_tier_hit
        return [(t, self.tiers.ssd_s), (1.0 - t, self.tiers.hdd_s)]

    def mix(self, hit: float) -> list[tuple[float, float]]:
        """Cache with hit ratio ``hit``, then the extent store."""
        return ([(hit * p, s) for p, s in self.cache_mix()]
                + [((1.0 - hit) * p, s) for p, s in self.extent_mix()])

    def extent_read_s(self, remote_delay_s: float = 0.0) -> float:
        """Mean time of a cache miss read from the extent store (s): the tiers'
        mix (:attr:`TierLatencies.miss_s`), plus
        ``remote_delay_s`` when the extent's replica is on another node. This,
        not one HDD access, is what a cache miss costs."""
        return float(check_nonnegative("remote_delay_s", remote_delay_s, scalar=True)
                     + self.tiers.miss_s)

    def mean_device_s(self, hit: float) -> float:
        """Mean device access time of a read through a cache of hit ratio ``hit`` (s)."""
        return float(sum(p * s for p, s in self.mix(hit)))


@dataclass(frozen=True)
class Cluster:
    """An HCI cluster as the hot-spot model sees it.

    Parameters
    ----------
    n_nodes : int
        Number of nodes H, each with one CVM (>= 1).
    cvm_iops : float
        Service rate of one CVM (I/Os per second): the random-read IOPS one
        node of the modelled generation (a 2012-14 hybrid NX-3000/NX-3050 node:
        two SSDs, five HDDs, one CVM) sustains. Default 25,000 (*assumed*: no
        per-node figure for a mixed VDI load is published; bounds are one SSD,
        "typically 20,000 IOPS" in the View 5.2 storage guide, below, and the
        cache-resident 100 %-read 4 KB demonstration of about 483,500 IOPS per
        4-node NX-3450 block, ~120,000 per node, myvirtualcloud.net 2014,
        above). Notebook 01 shows the sensitivity.
    rtt_s : float
        Network round trip between two CVMs (s). Default 0.2 ms (10 GbE in one
        rack; assumed).
    link_bps : float
        Bandwidth of a node's network link (bit/s). Default 10 Gbit/s (NX-3000:
        dual 10 GbE per node, one active).
    replica_node : int
        Index of the node whose CVM owns the replica (linked clones) or holds
        the first copy of the parent's extents (0 .. H-1).
    replication_factor : int
        Copies of every write and extent, RF (2 by default, 3 optional; Nutanix
        Bible). Writes go to the local oplog and RF - 1 remote ones.
    read_path : ReadPath
        Cache and tier hit ratios of the read path.
    """

    n_nodes: int = 4
    cvm_iops: float = 25_000.0
    rtt_s: float = 200e-6
    link_bps: float = 10e9
    replica_node: int = 0
    replication_factor: int = 2
    read_path: ReadPath = ReadPath()

    def __post_init__(self):
        n = check_integer("n_nodes", self.n_nodes, minimum=1, maximum=MAX_NODES, scalar=True)
        check_positive("cvm_iops", self.cvm_iops, scalar=True)
        check_nonnegative("rtt_s", self.rtt_s, scalar=True)
        check_positive("link_bps", self.link_bps, scalar=True)
        check_integer("replica_node", self.replica_node, minimum=0, maximum=n - 1, scalar=True)
        check_integer("replication_factor", self.replication_factor, minimum=1, maximum=3,
                      scalar=True)
        check_instance("read_path", self.read_path, ReadPath)

    @property
    def service_time_s(self) -> float:
        """Mean service time of one I/O at a CVM (s)."""
        return 1.0 / self.cvm_iops

    @property
    def copies(self) -> int:
        """Copies actually kept: RF, at most one per node."""
        return min(self.replication_factor, self.n_nodes)

    def extent_share(self, node: int) -> np.ndarray:
        """Where the extent store serves a shared extent read from ``node``, shape (H,).

        The placement of native clones (:mod:`hcimodel.fullclone`): the parent was written on
        ``replica_node``, which holds every extent (data locality); the other
        ``RF - 1`` replicas of each extent sit on nodes drawn uniformly from
        the others, so ``node`` holds it with probability
        ``q = (RF - 1)/(H - 1)`` (:func:`holder_share`) and
        reads it locally; otherwise one of its RF holders, drawn uniformly,
        serves it: ``replica_node`` with probability ``(1 - q)/RF``, each
        other node with ``(1 - q)(RF - 1)/(RF (H - 2))``.
        """
        node = check_integer("node", node, minimum=0, maximum=self.n_nodes - 1, scalar=True)
        H, k, owner = self.n_nodes, self.copies, self.replica_node
        share = np.zeros(H)
        if node == owner or H == 1:
            share[owner] = 1.0
            return share
        q = float(holder_share(H, k))
        share[:] = (1.0 - q) * (k - 1.0) / (k * (H - 2.0)) if H > 2 else 0.0
        share[owner] = (1.0 - q) / k
        share[node] = q
        return share

    def remote_delay_s(self, size_bytes: float) -> float:
        """Network delay of a remote read of ``size_bytes``: RTT plus transfer (s)."""
        return self.rtt_s + 8.0 * check_nonnegative("size_bytes", size_bytes) / self.link_bps


def _rf(rf, H, scalar=False):
    r = check_integer("rf", rf, minimum=1, scalar=scalar)
    if np.any(r > H):
        raise ValueError(f"rf must be in [1, n_nodes] (got rf {np.asarray(r).tolist()} with "
                         f"n_nodes {np.asarray(H).tolist()})")
    return r


def holder_share(n_nodes, rf=2) -> np.ndarray:
    r"""Probability that a node other than the parent's holds a replica of an extent.

    The parent was written on one node, which keeps every extent (data
    locality); the other ``RF - 1`` replicas of each extent go to nodes drawn
    uniformly from the others:

    .. math:: q = \frac{RF - 1}{H - 1}\quad (H > 1), \qquad q = 1 \quad (H = 1)

    Parameters
    ----------
    n_nodes : array_like of int
        Nodes H (>= 1).
    rf : array_like of int
        Replication factor, in [1, H] (default 2, the AOS default).

    Returns
    -------
    numpy.ndarray
        q, broadcast shape.
    """
    H = check_integer("n_nodes", n_nodes, minimum=1)
    r = _rf(rf, H)
    H, r = np.broadcast_arrays(H, r)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(H > 1, (r - 1.0) / np.maximum(H - 1.0, 1.0), 1.0)


@dataclass(frozen=True)
class SitePair:
    """Two sites and the replication (WAN) link between them.

    Parameters
    ----------
    bandwidth_bps : float
        Nominal bandwidth (bit/s). Default 100 Mbit/s (assumed WAN).
    efficiency : float
        Share of the nominal bandwidth that carries payload, in (0, 1].
        Default 0.8 (*assumed*: protocol overhead, TCP over latency).
    compression_ratio : float
        Bytes changed over bytes sent after compression, ``>= 1``. Default 2
        (*assumed*; only changed data is sent, compressed).
    dedup_ratio : float
        Further reduction by WAN dedup, ``>= 1``. Default 1 (none).
    distance_km : float
        Fibre distance between the sites (km). Default 100 km.
    setup_s : float
        Fixed cost of one transfer: snapshot, delta computation, session
        (s). Default 0.
    """

    bandwidth_bps: float = 100e6
    efficiency: float = 0.8
    compression_ratio: float = 2.0
    dedup_ratio: float = 1.0
    distance_km: float = 100.0
    setup_s: float = 0.0

    def __post_init__(self):
        check_positive("bandwidth_bps", self.bandwidth_bps)
        check_in_range("efficiency", self.efficiency, 0.0, 1.0, low_inclusive=False)
        check_in_range("compression_ratio", self.compression_ratio, 1.0, np.inf,
                       high_inclusive=False)
        check_in_range("dedup_ratio", self.dedup_ratio, 1.0, np.inf, high_inclusive=False)
        check_nonnegative("distance_km", self.distance_km)
        check_nonnegative("setup_s", self.setup_s)

    @property
    def reduction(self) -> float:
        """Bytes changed per byte sent (compression times dedup)."""
        return self.compression_ratio * self.dedup_ratio

    @property
    def rtt_s(self) -> float:
        """Round trip of light in fibre over the distance (s): 2 x 5 µs/km."""
        return 2.0 * LIGHT_S_PER_KM * self.distance_km

    def transfer_s(self, changed_bytes, bandwidth_bps=None) -> np.ndarray:
        r"""Time to send a delta (s): :math:`S = s_0 + 8\,U / (c\,d\,\eta\,B)`.

        ``bandwidth_bps`` overrides the link's bandwidth (broadcasts).
        """
        b = self.bandwidth_bps if bandwidth_bps is None else check_positive(
            "bandwidth_bps", bandwidth_bps)
        u = as_float_array("changed_bytes", changed_bytes)
        with np.errstate(invalid="ignore", over="ignore"):
            s = self.setup_s + 8.0 * u / (self.reduction * self.efficiency * b)
            # an overflowing delta over a bandwidth near the float limit is inf / inf:
            # divide by the bandwidth first
            return np.where(np.isnan(s), self.setup_s + 8.0 * (u / b) / (
                self.reduction * self.efficiency), s)
