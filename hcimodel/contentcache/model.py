r"""Hit ratios of a pool in the CVM's caches, the domain model, the inverse, and VSA.

From a :class:`hcimodel.clonepool.ClonePool`: where its reads are served
(:func:`content_cache_hits`, :func:`extent_cache_hits`), the model of one CVM
(:func:`content_cache_model`), the cache for a target hit ratio
(:func:`cache_needed`) and VMware's host-RAM cache
(:func:`view_storage_accelerator`). See :mod:`hcimodel.contentcache`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .. import caching
from ..clonepool import ClonePool, ItemRates, item_rates
from ..units import GiB, MiB
from ..validation import check_in_range, check_integer, check_nonnegative
from .policy import content_cache, extent_cache
from ..cluster import TierLatencies
from .sizing import CacheSizing, cache_sizing

__all__ = ["CacheHits", "content_cache_hits", "extent_cache_hits", "ContentCacheModel",
           "content_cache_model", "cache_needed", "VSA_DEFAULT_BYTES", "VSA_RANGE_BYTES",
           "SINGLE_TOUCH_FRACTION", "view_storage_accelerator"]

#: View Storage Accelerator default and allowed host-RAM cache sizes (bytes).
VSA_DEFAULT_BYTES = 1024 * MiB
VSA_RANGE_BYTES = (100 * MiB, 2048 * MiB)

#: Share of the cache memory in the single-touch pool (*assumed*: the Bible
#: gives no figure); the one default of every Content Cache model here and in
#: :mod:`hcimodel.clones`.
SINGLE_TOUCH_FRACTION = 0.25


# ---------------------------------------------------------------------------
# Hit ratios of a pool in a cache
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CacheHits:
    """Where the reads of a pool are served (arrays of the capacities' shape).

    Attributes
    ----------
    memory_hit_ratio, ssd_hit_ratio, miss_ratio, hit_ratio : numpy.ndarray
        Shares of reads; the first three sum to 1.
    cached_bytes : numpy.ndarray
        Mean physical bytes held (distinct cache keys × block size).
    effective_capacity_bytes : numpy.ndarray
        Mean logical bytes served from the cache: every cached key counts for
        each (desktop, block) address that maps to it.
    dedup : bool
        Whether the cache is keyed by content.
    n_items : int
        Distinct cache keys of the pool.

    The closed form (:func:`content_cache_hits`) and its Monte Carlo twin
    (:func:`~hcimodel.contentcache.simulate_content_cache_hits`) both return
    it; :func:`hcimodel.twins.compare` sets their :attr:`METRICS` side by side.
    """

    #: The numbers the closed form and its twin both give.
    METRICS = ("hit_ratio", "memory_hit_ratio", "ssd_hit_ratio", "miss_ratio")

    memory_hit_ratio: np.ndarray
    ssd_hit_ratio: np.ndarray
    miss_ratio: np.ndarray
    hit_ratio: np.ndarray
    cached_bytes: np.ndarray
    effective_capacity_bytes: np.ndarray
    dedup: bool
    n_items: int

    @property
    def amplification(self) -> np.ndarray:
        """Effective over physical bytes held (>= 1; 1 where nothing is cached)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            a = self.effective_capacity_bytes / self.cached_bytes
        return np.where(self.cached_bytes > 0, a, 1.0)

    def to_frame(self):
        """Long frame: ``point`` (flat index of the capacities' grid, C order),
        ``dedup``, ``metric`` (:attr:`METRICS`, ``cached_bytes``,
        ``effective_capacity_bytes``), ``value``; sorted by point, metric."""
        import polars as pl

        shape = np.shape(self.hit_ratio)
        flat = lambda k: np.broadcast_to(getattr(self, k), shape).ravel()  # noqa: E731
        point = np.arange(int(np.prod(shape)), dtype=np.int64)
        return pl.concat([pl.DataFrame({"point": point, "dedup": bool(self.dedup), "metric": m,
                                        "value": flat(m).astype(float)})
                          for m in (*self.METRICS, "cached_bytes", "effective_capacity_bytes")]
                         ).sort(["point", "metric"])


def _pool_rates(pool, dedup, time_s):
    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    return item_rates(pool, bool(dedup), time_s=time_s)


#: Groups per chunk when summing per-group probabilities: a realistic base image
#: gives millions of groups, and chunks keep the temporaries small and in cache.
_GROUP_CHUNK = 1 << 15


def _held_bytes(ir: ItemRates, res, time_fields, block_bytes):
    """(physical, logical) bytes held, shape of ``res.hit_ratio``.

    For each capacity of the solver result ``res``, the per-group hit
    probabilities (the probability that each key of the group is cached, by
    PASTA) at that capacity's characteristic times ``time_fields``, summed
    with the number of keys of each group (physical) and keys times
    multiplicity (logical), one chunk of groups at a time.
    """
    times = [np.ravel(getattr(res, f)) for f in time_fields]
    k = times[0].size
    phys = np.zeros(k)
    logical = np.zeros(k)
    for start in range(0, ir.n_groups, _GROUP_CHUNK):
        sl = slice(start, start + _GROUP_CHUNK)
        count = ir.group_count[sl]
        keys = count.astype(np.float64)
        addresses = count * ir.group_multiplicity[sl]
        for i in range(k):
            at = replace(res, rates=ir.group_rates[sl],
                         **{f: t[i] for f, t in zip(time_fields, times)})
            h = at.item_hit_ratio()[None, :]
            phys[i] += (h @ keys)[0]
            logical[i] += (h @ addresses)[0]
    shape = res.hit_ratio.shape
    return (phys * block_bytes).reshape(shape), (logical * block_bytes).reshape(shape)


def _blocks(name, value, block_bytes):
    return check_nonnegative(name, value, allow_inf=True) / block_bytes


def _capacities(memory_bytes, ssd_bytes, block_bytes):
    """Cache memory and SSD in blocks (floats, ``inf`` allowed), broadcast together."""
    mem = _blocks("memory_bytes", memory_bytes, block_bytes)
    ssd = _blocks("ssd_bytes", ssd_bytes, block_bytes)
    try:
        return tuple(np.array(a) for a in np.broadcast_arrays(mem, ssd))
    except ValueError:
        raise ValueError(f"memory_bytes and ssd_bytes must broadcast (got shapes "
                         f"{np.shape(memory_bytes)} and {np.shape(ssd_bytes)})") from None


def _split(mem, f):
    """Single-touch and multi-touch memory, ``f mem`` and ``(1 - f) mem`` (0, not NaN,
    for an infinite memory's empty share)."""
    with np.errstate(invalid="ignore"):
        return tuple(np.where(share == 0, 0.0, share * mem) for share in (f, 1.0 - f))


def _single_touch_fraction(value):
    return check_in_range("single_touch_fraction", value, 0.0, 1.0, low_inclusive=False,
                          scalar=True)


def content_cache_hits(pool: ClonePool, memory_bytes, ssd_bytes=0.0, *, dedup: bool = True,
                       single_touch_fraction: float = SINGLE_TOUCH_FRACTION, time_s: float = 0.0) -> CacheHits:
    r"""Memory, SSD and miss ratios of a pool in a Content (or Unified) Cache.

    The cache memory :math:`M` is split into a single-touch pool
    :math:`C_s = f M` and a multi-touch memory part :math:`C_m = (1 - f) M`;
    the multi-touch SSD part is :math:`C_d` = ``ssd_bytes``. The ratios are
    :func:`hcimodel.contentcache.content_cache` on
    :func:`hcimodel.clonepool.item_rates` (keyed by content if ``dedup``, by
    location otherwise), solved on its groups of identical keys
    (``weights=group_count``): the cost grows with the image, not with the
    number of desktops.

    Parameters
    ----------
    pool : ClonePool
    memory_bytes : array_like
        Cache memory :math:`M` (bytes), ``>= 0``.
    ssd_bytes : array_like
        SSD part (bytes), ``>= 0``; broadcasts with ``memory_bytes``.
    dedup : bool
        Key by content fingerprint (True) or by location.
    single_touch_fraction : float
        :math:`f`, share of the memory in the single-touch pool, in (0, 1]
        (assumed 0.25).
    time_s : float
        Time at which the pool's written fraction is taken (s).

    Returns
    -------
    CacheHits
        Arrays of the broadcast shape of ``memory_bytes`` and ``ssd_bytes``.

    See Also
    --------
    hcimodel.contentcache.simulate_content_cache_hits : the Monte Carlo twin.
    """
    f = _single_touch_fraction(single_touch_fraction)
    ir = _pool_rates(pool, dedup, time_s)
    bb = pool.block_bytes
    mem, ssd = _capacities(memory_bytes, ssd_bytes, bb)
    # Solved on the groups (rate, number of keys): no per-key arrays; the
    # per-group probabilities of the result are those of each group's keys.
    res = content_cache(ir.group_rates, *_split(mem, f), ssd, weights=ir.group_count)
    phys, logical = _held_bytes(ir, res, ("single_touch_time", "multi_touch_time", "memory_time"),
                                bb)
    return CacheHits(res.memory_hit_ratio, res.ssd_hit_ratio, res.miss_ratio, res.hit_ratio,
                     phys, logical, bool(dedup), ir.n_items)


def extent_cache_hits(pool: ClonePool, memory_bytes, *, time_s: float = 0.0) -> CacheHits:
    r"""Hit ratio of a pool in the Extent Cache (memory-only LRU keyed by location).

    :func:`hcimodel.contentcache.extent_cache` (Che's LRU approximation) on the
    per-location rates of :func:`hcimodel.clonepool.item_rates` with
    ``dedup=False``.

    Parameters
    ----------
    pool : ClonePool
    memory_bytes : array_like
        Extent Cache size (bytes), ``>= 0``.
    time_s : float
        Time at which the written fraction is taken (s).

    Returns
    -------
    CacheHits
        ``ssd_hit_ratio`` is 0.
    """
    ir = _pool_rates(pool, False, time_s)
    bb = pool.block_bytes
    cap = _blocks("memory_bytes", memory_bytes, bb)
    res = extent_cache(ir.group_rates, cap, weights=ir.group_count)
    phys, logical = _held_bytes(ir, res, ("characteristic_time",), bb)
    hit = res.hit_ratio
    return CacheHits(hit, np.zeros_like(hit), 1.0 - hit, hit, phys, logical, False, ir.n_items)


# ---------------------------------------------------------------------------
# The domain model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentCacheModel:
    """Read caching of a pool by one CVM: sizes, tiers, capacity, latency.

    Attributes
    ----------
    sizing : CacheSizing
        Memory the rule gives the caches.
    cache : str
        ``"content"`` (NOS 3.5 with dedup), ``"extent"`` (NOS 3.5 without
        dedup, or Content Cache off) or ``"unified"``.
    hits : CacheHits
        Where reads are served.
    mean_read_latency_s : numpy.ndarray
        Mean read latency (s) from :class:`TierLatencies`.
    ssd_bytes : numpy.ndarray
        SSD part of the multi-touch pool (0 for the Extent Cache).
    latencies : TierLatencies
    """

    sizing: CacheSizing
    cache: str
    hits: CacheHits
    mean_read_latency_s: np.ndarray
    ssd_bytes: np.ndarray
    latencies: TierLatencies = field(repr=False)

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame, one row per CVM memory size."""
        import polars as pl

        h = self.hits
        n = np.broadcast(self.sizing.cvm_memory_bytes, h.hit_ratio).shape
        col = lambda a: np.broadcast_to(np.asarray(a, dtype=np.float64), n).ravel()  # noqa: E731
        return pl.DataFrame({
            "rule": self.sizing.rule, "cache": self.cache, "dedup": h.dedup,
            "cvm_memory_bytes": col(self.sizing.cvm_memory_bytes),
            "cache_memory_bytes": col(self.sizing.content_cache_bytes if self.cache != "extent"
                                      else self.sizing.extent_cache_bytes),
            "ssd_bytes": col(self.ssd_bytes),
            "memory_hit_ratio": col(h.memory_hit_ratio), "ssd_hit_ratio": col(h.ssd_hit_ratio),
            "miss_ratio": col(h.miss_ratio), "hit_ratio": col(h.hit_ratio),
            "effective_capacity_bytes": col(h.effective_capacity_bytes),
            "mean_read_latency_s": col(self.mean_read_latency_s),
        })


def content_cache_model(pool: ClonePool, cvm_memory_bytes=32 * GiB, *, rule: str = "unified",
                        ssd_bytes=0.0, dedup: bool = True, single_touch_fraction: float = SINGLE_TOUCH_FRACTION,
                        latencies: TierLatencies | None = None,
                        time_s: float = 0.0) -> ContentCacheModel:
    """Hit ratio per tier, effective capacity and mean read latency of a pool.

    Parameters
    ----------
    pool : ClonePool
        The desktops; its ``clone_type`` says what dedup can merge.
    cvm_memory_bytes : array_like
        CVM memory (bytes); the sizing ``rule`` turns it into cache memory.
    rule : {'unified', 'nos35'}
        ``"nos35"``: dedup on reads through the Content Cache (memory +
        ``ssd_bytes``), dedup off through the Extent Cache (memory only).
        ``"unified"``: one cache with the Content Cache's structure, keyed by
        content or by location.
    ssd_bytes : array_like
        SSD given to the multi-touch pool (bytes), ``>= 0``.
    dedup : bool
        Fingerprints on the container.
    single_touch_fraction : float
        Share of the cache memory in the single-touch pool (assumed 0.25).
    latencies : TierLatencies, optional
        Tier latencies (defaults are assumptions).
    time_s : float
        Time at which the written fraction is taken (s).

    Returns
    -------
    ContentCacheModel
    """
    lat = latencies if latencies is not None else TierLatencies()
    if not isinstance(lat, TierLatencies):
        raise ValueError(f"latencies must be a TierLatencies (got {type(lat).__name__})")
    sizing = cache_sizing(cvm_memory_bytes, rule)
    ssd = check_nonnegative("ssd_bytes", ssd_bytes)
    if rule == "nos35" and not dedup:
        hits = extent_cache_hits(pool, sizing.extent_cache_bytes, time_s=time_s)
        cache, ssd = "extent", np.zeros_like(ssd)
    else:
        mem = sizing.content_cache_bytes
        ssd_eff = np.where(sizing.content_cache_enabled, ssd, 0.0)
        hits = content_cache_hits(pool, mem, ssd_eff, dedup=dedup,
                                  single_touch_fraction=single_touch_fraction, time_s=time_s)
        cache = "unified" if rule == "unified" else "content"
        ssd = ssd_eff
    latency = lat.mean_s(hits.memory_hit_ratio, hits.ssd_hit_ratio, hits.miss_ratio)
    return ContentCacheModel(sizing, cache, hits, latency, np.asarray(ssd, dtype=np.float64), lat)


# ---------------------------------------------------------------------------
# Inverse: the cache for a target hit ratio
# ---------------------------------------------------------------------------


def _hit_at(ir, blocks, cache, f, ssd_fraction):
    if cache == "extent":
        return extent_cache(ir.group_rates, blocks, weights=ir.group_count).hit_ratio
    b = np.ravel(blocks)
    mem = (1 - ssd_fraction) * b
    return content_cache(ir.group_rates, f * mem, (1 - f) * mem, ssd_fraction * b,
                                 weights=ir.group_count).hit_ratio


def cache_needed(pool: ClonePool, target_hit_ratio, *, dedup: bool = True, cache: str = "content",
                 ssd_fraction: float = 0.0, single_touch_fraction: float = SINGLE_TOUCH_FRACTION,
                 time_s: float = 0.0, rtol: float = 1e-3) -> np.ndarray:
    r"""Smallest cache (bytes) whose analytic hit ratio reaches a target.

    The cache of total size :math:`C` has :math:`(1 - \sigma) C` of memory
    (split by ``single_touch_fraction``) and :math:`\sigma C` of SSD
    (``ssd_fraction``); ``cache="extent"`` is a memory-only LRU keyed by
    location. The hit ratio increases with :math:`C`; the inverse is found by
    the Illinois variant of regula falsi on :math:`\ln C`, bracketed by one
    block and the size at which every key fits, for all targets at once (one
    vectorized hit-ratio call per iteration, typically 6 to 12 iterations). It
    stops when the bracket is narrower than ``rtol`` in :math:`\ln C` or when
    the hit ratio at its upper end exceeds the target by less than
    :math:`10^{-7}`.

    Parameters
    ----------
    pool : ClonePool
    target_hit_ratio : array_like
        Targets in (0, 1).
    dedup : bool
        Key by content (ignored for ``cache="extent"``, which is keyed by location).
    cache : {'content', 'extent'}
    ssd_fraction : float
        :math:`\sigma`, in [0, 1).
    single_touch_fraction : float
        In (0, 1].
    time_s : float
        Time at which the written fraction is taken (s).
    rtol : float
        Relative precision on :math:`C`, in (0, 0.1].

    Returns
    -------
    numpy.ndarray
        Cache bytes, shape of ``target_hit_ratio`` (the upper end of the final
        bracket, so its hit ratio is at least the target; at least one block).
    """
    target = check_in_range("target_hit_ratio", target_hit_ratio, 0.0, 1.0,
                            low_inclusive=False, high_inclusive=False)
    if cache not in ("content", "extent"):
        raise ValueError(f"cache must be one of ['content', 'extent'] (got {cache!r})")
    sig = check_in_range("ssd_fraction", ssd_fraction, 0.0, 1.0, high_inclusive=False, scalar=True)
    f = _single_touch_fraction(single_touch_fraction)
    tol = check_in_range("rtol", rtol, 0.0, 0.1, low_inclusive=False, scalar=True)
    ir = _pool_rates(pool, dedup and cache != "extent", time_s)
    n = ir.n_items
    share = 1.0 if cache == "extent" else (1 - f) * (1 - sig) + sig
    hi_cap = n / share * (1 + 1e-9)
    t = target.ravel()
    lo = np.zeros(t.size)
    hi = np.full(t.size, np.log(hi_cap))
    # The lower end is one block, taken as a hit ratio of 0 without solving (if one
    # block already reaches a target, the iteration closes on one block).
    f_lo = -t.copy()
    f_hi = 1.0 - t
    done = np.zeros(t.size, bool)
    # Illinois rather than roots.bisect: each step is a full cache solve, and regula
    # falsi on the smooth hit ratio closes the bracket in 6-12 of them where halving
    # ln C from [0, ln n_items] down to rtol = 1e-3 takes about 14 (and would move
    # the printed sizes).
    side = np.zeros(t.size, np.int8)  # +1: upper end moved last, -1: lower end
    for _ in range(200):
        act = np.flatnonzero(~done & (hi - lo > tol) & (f_hi > 1e-7))
        if act.size == 0:
            break
        l, h, fl, fh = lo[act], hi[act], f_lo[act], f_hi[act]
        x = h - fh * (h - l) / (fh - fl)
        width = h - l
        x = np.clip(x, l + 1e-3 * width, h - 1e-3 * width)
        fx = _hit_at(ir, np.exp(x), cache, f, sig) - t[act]
        up = fx >= 0
        # Illinois: halve the value kept at an end that did not move twice in a row
        keep_lo = up & (side[act] == 1)
        keep_hi = ~up & (side[act] == -1)
        f_lo[act] = np.where(up, np.where(keep_lo, fl / 2, fl), fx)
        f_hi[act] = np.where(up, fx, np.where(keep_hi, fh / 2, fh))
        lo[act] = np.where(up, l, x)
        hi[act] = np.where(up, x, h)
        side[act] = np.where(up, 1, -1)
    return (np.exp(hi) * pool.block_bytes).reshape(target.shape)


# ---------------------------------------------------------------------------
# View Storage Accelerator (CBRC)
# ---------------------------------------------------------------------------


def view_storage_accelerator(pool: ClonePool, cache_bytes=VSA_DEFAULT_BYTES, *,
                             desktops_per_host: int | None = None,
                             time_s: float = 0.0) -> CacheHits:
    r"""Hit ratio of VMware's View Storage Accelerator (host-RAM digest cache).

    The Content-Based Read Cache of an ESXi host is an LRU in host RAM keyed
    by the SHA-1 digest of each 4 KiB block, shared by the desktops of that
    host (default 1,024 MB, 100–2,048 MB). Being keyed by content at the block
    size, it de-duplicates at 4 KiB: a base block of a full clone stays shared
    as long as that block is unwritten, whatever its 16 KiB neighbours. Model:
    :func:`hcimodel.caching.che_lru` on :func:`hcimodel.clonepool.item_rates`
    of the host's desktops with ``fingerprint_bytes = block_bytes`` and dedup.
    The reads it misses go on to the CVM caches (a filtered stream, no longer
    IRM; not modelled here).

    Parameters
    ----------
    pool : ClonePool
    cache_bytes : array_like
        Host RAM given to the cache (bytes), in [100 MiB, 2,048 MiB].
    desktops_per_host : int, optional
        Desktops of the pool on the host (default: all of them).
    time_s : float
        Time at which the written fraction is taken (s).

    Returns
    -------
    CacheHits
        All hits are memory hits.
    """
    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    lo, hi = VSA_RANGE_BYTES
    cap = check_in_range("cache_bytes", cache_bytes, lo, hi)
    nd = pool.n_desktops if desktops_per_host is None else check_integer(
        "desktops_per_host", desktops_per_host, minimum=1, maximum=pool.n_desktops, scalar=True)
    host = pool.replace(n_desktops=nd, fingerprint_bytes=pool.block_bytes)
    ir = item_rates(host, True, time_s=time_s)
    bb = host.block_bytes
    res = caching.che_lru(ir.group_rates, cap / bb, weights=ir.group_count)
    phys, logical = _held_bytes(ir, res, ("characteristic_time",), bb)
    hit = res.hit_ratio
    return CacheHits(hit, np.zeros_like(hit), 1.0 - hit, hit, phys, logical, True, ir.n_items)

