r"""The Monte Carlo twin of the Content Cache's hit ratios: a pool's stream replayed.

:func:`simulate_content_cache_hits` draws a read stream of the pool
(:func:`hcimodel.clonepool.clone_pool_stream`), keys it by content or by
location as :func:`~hcimodel.contentcache.content_cache_hits` does, and replays
it request by request through the two-tier segmented LRU of
:func:`hcimodel.simulate.segmented_lru_replay` (single-touch pool = the
probationary segment, multi-touch memory and SSD = the protected segment's
upper and lower tiers). It returns the closed form's :class:`CacheHits`.
"""

from __future__ import annotations

import numpy as np

from ..clonepool import ClonePool, clone_pool_stream, item_rates
from ..validation import check_in_range, check_integer
from .model import SINGLE_TOUCH_FRACTION, CacheHits, _capacities, _single_touch_fraction, _split

__all__ = ["simulate_content_cache_hits"]

#: Largest stream: about 40 bytes per read are held at once (keys, times, ids).
MAX_REQUESTS = 10**9


def _items(x, n_requests):
    """Capacity in whole items: ``x`` rounded half up, at most ``n_requests``.

    A stream of ``n_requests`` reads has at most that many distinct keys, so a
    larger capacity (``inf`` included) caches every one of them alike.
    """
    return int(np.floor(min(float(x), float(n_requests)) + 0.5))


def simulate_content_cache_hits(pool: ClonePool, memory_bytes, ssd_bytes=0.0, *,
                                dedup: bool = True,
                                single_touch_fraction: float = SINGLE_TOUCH_FRACTION,
                                time_s: float = 0.0, n_requests: int = 2_000_000,
                                warmup: float = 0.5, rng=None) -> CacheHits:
    r"""Monte Carlo twin of :func:`~hcimodel.contentcache.content_cache_hits`.

    One stream of ``n_requests`` reads of ``pool`` is drawn
    (:func:`hcimodel.clonepool.clone_pool_stream`, the written fraction frozen
    at its value at ``time_s``, as the closed form takes it) and keyed by
    content fingerprint if ``dedup``, by location otherwise. For every
    capacity the same stream (common random numbers) is replayed through
    :func:`hcimodel.simulate.segmented_lru_replay` with, in cache blocks of
    ``pool.block_bytes`` rounded half up,

    .. math:: C_s = f M / b, \quad C_m = (1 - f) M / b, \quad C_d = D / b,

    the single-touch pool, the multi-touch memory part and the multi-touch SSD
    part (:math:`M` = ``memory_bytes``, :math:`D` = ``ssd_bytes``, :math:`b`
    the block size), as in the closed form. The first ``warmup`` share of the
    reads fills the cache and is discarded; the ratios are the shares of the
    remaining reads served from memory, from SSD and missed.

    The bytes held are estimated per key by PASTA (a read sees the cache as it
    is on average over time): the share of the key's post-warm-up reads that
    hit is its probability of being cached, summed over keys (physical bytes)
    and weighted by the addresses each key serves (logical bytes: the expected
    :math:`N \pi` desktops of a shared key, :meth:`ClonePool.shared_probability`;
    one for any other key). Keys not read after the warm-up count as not
    cached, so the estimate is low by the rarely read keys the cache holds
    (about 2 % for the 20 full clones of the tests after 4.5 million reads,
    more for a shorter stream).

    Parameters
    ----------
    pool : ClonePool
    memory_bytes : array_like
        Cache memory :math:`M` (bytes), ``>= 0``; one replay per value.
    ssd_bytes : array_like
        SSD part (bytes), ``>= 0``; broadcasts with ``memory_bytes``.
    dedup : bool
        Key by content fingerprint (True) or by location.
    single_touch_fraction : float
        :math:`f`, share of the memory in the single-touch pool, in (0, 1]
        (assumed 0.25).
    time_s : float
        Time at which the pool's written fraction is taken (s), ``>= 0``.
    n_requests : int
        Reads drawn, in [1, 10^9]. The warm-up must cover the filling of the
        SSD part, which only entries promoted from the single-touch pool
        enter: many times the cache's blocks when the single-touch pool is
        small (20 full clones, 8 MiB memory and 32 MiB SSD: the SSD hit ratio
        is 0.065 short of its steady state after 750,000 reads, within 0.001
        after 4.5 million). Doubling ``n_requests`` shows whether it is enough.
    warmup : float
        Share of the reads discarded as warm-up, in [0, 1).
    rng : None, int, SeedSequence or Generator
        Random stream (SPEC 7).

    Returns
    -------
    CacheHits
        Arrays of the broadcast shape of ``memory_bytes`` and ``ssd_bytes``;
        ``n_items`` the pool's keys as in the closed form.

    See Also
    --------
    hcimodel.contentcache.content_cache_hits : the closed form (Che-type
        approximation under the independent reference model).
    hcimodel.twins.compare : the two side by side.
    """
    from ..simulate import LOWER_HIT, MISS, UPPER_HIT, dense_ids, segmented_lru_replay  # numba

    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    f = _single_touch_fraction(single_touch_fraction)
    t = check_in_range("time_s", time_s, 0.0, np.inf, scalar=True)
    n = check_integer("n_requests", n_requests, minimum=1, maximum=MAX_REQUESTS, scalar=True)
    w = check_in_range("warmup", warmup, 0.0, 1.0, high_inclusive=False, scalar=True)
    bb = pool.block_bytes
    mem, ssd = _capacities(memory_bytes, ssd_bytes, bb)
    dedup = bool(dedup)

    frozen = pool.replace(written_fraction=float(pool.written_fraction_at(t)),
                          overwrite_rate_per_s=0.0)
    keys = clone_pool_stream(frozen, n, rng=rng).keys(dedup)
    ids, n_keys = dense_ids(keys)
    skip = int(w * n)  # < n: at least one read is kept
    kept = ids[skip:]
    # Addresses served by each key: a shared key (< B) those of the N pi desktops
    # reading it; a key of one desktop's own block one.
    shared = pool.n_desktops * float(frozen.shared_probability(dedup))
    per_read = np.where(keys[skip:] < pool.base_blocks, shared, 1.0)
    reads = np.bincount(kept, minlength=n_keys).astype(np.float64)
    seen = reads > 0
    addresses = np.bincount(kept, weights=per_read, minlength=n_keys)[seen] / reads[seen]

    shape = mem.shape
    out = {k: np.empty(mem.size) for k in ("mem", "ssd", "miss", "phys", "logical")}
    single, multi = _split(mem, f)
    for i, (s, m, d) in enumerate(zip(single.ravel(), multi.ravel(), ssd.ravel())):
        served = segmented_lru_replay(ids, _items(s, n), _items(m, n), _items(d, n))[skip:]
        out["mem"][i] = np.mean(served == UPPER_HIT)
        out["ssd"][i] = np.mean(served == LOWER_HIT)
        out["miss"][i] = np.mean(served == MISS)
        held = np.bincount(kept, weights=served > 0, minlength=n_keys)[seen] / reads[seen]
        out["phys"][i] = held.sum() * bb
        out["logical"][i] = (held @ addresses) * bb
    memory_hit = out["mem"].reshape(shape)
    ssd_hit = out["ssd"].reshape(shape)
    return CacheHits(memory_hit, ssd_hit, out["miss"].reshape(shape), memory_hit + ssd_hit,
                     out["phys"].reshape(shape),
                     out["logical"].reshape(shape), dedup,
                     item_rates(frozen, dedup).n_items)
