"""Exact LRU replays of request streams, and their miss-ratio curves.

Three engines, all exact unless sampled on purpose:

* :func:`lru_hits` replays a stream through one LRU cache and says, request by
  request, whether it hit. Capacity is counted in items, or in bytes when each
  request carries an object size. The replay matches libCacheSim's ``LRU``
  (0.3.5) miss for miss, including its edge cases (see *Notes* there).
* :func:`stack_distances` gives every request its LRU stack distance
  (Mattson et al. 1970) in O(n log n) with a Fenwick tree over the times of
  last access.
* :func:`miss_ratio_curve` turns those distances into the LRU miss ratio at
  every capacity in one pass, and with ``sampling_rate`` estimates it from a
  spatially hashed sample of the keys (SHARDS, Waldspurger et al., FAST 2015)
  for traces too large to replay.

Keys are arbitrary int64 values (block numbers from
:func:`hcimodel.traces.block_keys`, object ids); they are first mapped to
dense ids ``0..m-1`` in order of first appearance by an open-addressing hash
table, so the kernels work on flat arrays.

References
----------
R. L. Mattson, J. Gecsei, D. R. Slutz, I. L. Traiger, "Evaluation techniques
for storage hierarchies", IBM Systems Journal 9(2), 1970.

C. A. Waldspurger, N. Park, A. Garthwaite, I. Ahmad, "Efficient MRC
construction with SHARDS", USENIX FAST 2015.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from ..validation import check_in_range, check_integer

__all__ = [
    "MissRatioCurve",
    "dense_ids",
    "lru_hits",
    "stack_distances",
    "miss_ratio_curve",
    "shards_sample",
]

#: Modulus of the SHARDS spatial hash: a key is sampled when
#: ``splitmix64(key) % SHARDS_MODULUS < rate * SHARDS_MODULUS``.
SHARDS_MODULUS = 1 << 24


# ----------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------
def _as_keys(keys) -> np.ndarray:
    """Keys as contiguous int64 (uint64 reinterpreted; integral floats accepted)."""
    arr = np.asarray(keys)
    if arr.ndim != 1:
        raise ValueError(f"keys must be a 1-D array (got shape {arr.shape})")
    if arr.size and arr.dtype != np.bool_ and not np.issubdtype(arr.dtype, np.integer):
        farr = np.asarray(arr, dtype=np.float64) if np.issubdtype(arr.dtype, np.number) else None
        if farr is None or not np.all(np.isfinite(farr)) or np.any(farr != np.round(farr)) \
                or np.any(np.abs(farr) >= 2.0**63):
            raise ValueError(f"keys must be integers (got dtype {arr.dtype})")
        arr = farr.astype(np.int64)
    if arr.dtype == np.uint64:
        arr = arr.view(np.int64)
    return np.ascontiguousarray(arr, dtype=np.int64)


def _as_sizes(sizes, n: int) -> np.ndarray:
    arr = np.asarray(sizes)
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"sizes must be a 1-D array with one size per key ({n}) "
                         f"(got shape {arr.shape})")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or np.any(arr != np.round(arr)):
            raise ValueError(f"sizes must be whole numbers of bytes (got dtype {arr.dtype})")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"sizes must be >= 0 bytes (got minimum {int(arr.min())})")
    return arr


# ----------------------------------------------------------------------------
# kernels
# ----------------------------------------------------------------------------
@nb.njit(cache=True, inline="always")
def _splitmix64(x):
    z = np.uint64(x) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True)
def _dense_ids_kernel(keys, cap):
    """Open addressing (splitmix64, linear probing), key and id side by side in one
    slot; ``cap`` slots (a power of two) to start with, doubled whenever the
    table is half full, so its memory follows the distinct keys, not the requests."""
    n = keys.size
    tab = np.empty(2 * cap, np.int64)     # slot s: key at 2s, id at 2s + 1 (-1: empty)
    tab[1::2] = -1
    ids = np.empty(n, np.int32)
    nd = 0
    mask = cap - 1
    for i in range(n):
        k = keys[i]
        h = np.intp(_splitmix64(k) & np.uint64(mask))
        while True:
            j = tab[2 * h + 1]
            if j == -1:
                tab[2 * h] = k
                tab[2 * h + 1] = nd
                ids[i] = nd
                nd += 1
                break
            if tab[2 * h] == k:
                ids[i] = j
                break
            h = (h + 1) & mask
        if 2 * nd > cap:  # rehash into a table twice as large
            old = tab
            cap *= 2
            mask = cap - 1
            tab = np.empty(2 * cap, np.int64)
            tab[1::2] = -1
            for s in range(cap // 2):
                j = old[2 * s + 1]
                if j != -1:
                    k2 = old[2 * s]
                    h = np.intp(_splitmix64(k2) & np.uint64(mask))
                    while tab[2 * h + 1] != -1:
                        h = (h + 1) & mask
                    tab[2 * h] = k2
                    tab[2 * h + 1] = j
    return ids, nd


@nb.njit(cache=True)
def _dense_ids_direct(keys, lo, span):
    tab = np.full(span, -1, np.int32)
    ids = np.empty(keys.size, np.int32)
    nd = 0
    for i in range(keys.size):
        o = keys[i] - lo
        j = tab[o]
        if j == -1:
            tab[o] = nd
            j = nd
            nd += 1
        ids[i] = j
    return ids, nd


@nb.njit(cache=True)
def _lru_kernel(ids, n_ids, sizes, capacity):
    """LRU replay over dense ids; ``sizes`` None counts items (numba compiles
    the two cases apart, pruning the branch on None)."""
    n = ids.size
    hits = np.zeros(n, np.bool_)
    prev = np.empty(n_ids, np.int32)
    nxt = np.empty(n_ids, np.int32)
    stored = np.zeros(n_ids, np.int64)
    cached = np.zeros(n_ids, np.bool_)
    head = -1  # most recently used
    tail = -1  # least recently used
    occupied = 0
    for i in range(n):
        x = ids[i]
        if cached[x]:
            hits[i] = True
            if x != head:  # unlink, then push at head
                p = prev[x]
                q = nxt[x]
                nxt[p] = q
                if q != -1:
                    prev[q] = p
                else:
                    tail = p
                prev[x] = -1
                nxt[x] = head
                prev[head] = x
                head = x
            continue
        if sizes is None:
            s = 1
        else:
            s = sizes[i]
        if s > capacity:  # too large (or a zero capacity): not cached, evicts nothing
            continue
        while occupied + s > capacity:  # evict from the LRU end
            v = tail
            cached[v] = False
            occupied -= stored[v]
            tail = prev[v]
            if tail != -1:
                nxt[tail] = -1
            else:
                head = -1
        cached[x] = True
        stored[x] = s
        occupied += s
        prev[x] = -1
        nxt[x] = head
        if head != -1:
            prev[head] = x
        else:
            tail = x
        head = x
    return hits


@nb.njit(cache=True)
def _stack_distance_kernel(ids, n_ids, weights):
    """Distances with a Fenwick tree over access times (1-based positions).

    ``weights`` has one weight per dense id (1 for counts, the object size for
    bytes). The distance of a re-access of x is the total weight of the
    distinct ids touched since x's last access, plus x's own weight; a first
    access gets -1.
    """
    n = ids.size
    tree = np.zeros(n + 1, np.int64)
    last = np.full(n_ids, -1, np.int64)
    dist = np.empty(n, np.int64)
    total = 0  # sum of weights currently in the tree = prefix(t - 1)
    for t in range(1, n + 1):
        x = ids[t - 1]
        w = weights[x]
        p = last[x]
        if p == -1:
            dist[t - 1] = -1
        else:
            # prefix(p): weight at positions <= p
            s = 0
            j = p
            while j > 0:
                s += tree[j]
                j -= j & (-j)
            dist[t - 1] = total - s + w
            j = p
            while j <= n:
                tree[j] -= w
                j += j & (-j)
            total -= w
        j = t
        while j <= n:
            tree[j] += w
            j += j & (-j)
        total += w
        last[x] = t
    return dist


# ----------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------
def dense_ids(keys):
    """Map int64 keys to dense ids ``0..m-1`` in order of first appearance.

    Parameters
    ----------
    keys : array_like of int
        Request keys.

    Notes
    -----
    Keys spanning a range of at most ``min(16 n + 2**20, 2**26)`` values (the
    block numbers of one disk) go through a direct-address table; others
    through an open-addressing hash table (splitmix64, linear probing). Both
    are O(n); the hash table grows with the distinct keys (32 to 64 bytes per
    distinct key), so a stream of 10^7 requests over 10^6 keys needs
    tens of MB, not the 400 MB of a table sized for every request.

    Returns
    -------
    ids : numpy.ndarray of int32
        ``ids[i]`` is the rank of ``keys[i]`` among distinct keys by first
        appearance, so ``keys[i] == keys[j]`` iff ``ids[i] == ids[j]``.
    n_distinct : int
        Number of distinct keys ``m``.
    """
    k = _as_keys(keys)
    if k.size >= 2**31 - 1:
        raise ValueError(f"keys must hold fewer than 2**31 requests (got {k.size})")
    if k.size == 0:
        return np.empty(0, np.int32), 0
    lo, hi = int(k.min()), int(k.max())
    span = hi - lo + 1
    if span <= min(16 * k.size + (1 << 20), 1 << 26):
        # keys in a narrow range (block numbers of one disk): a direct table
        # beats hashing, whose random probes miss the CPU cache
        ids, nd = _dense_ids_direct(k, lo, span)
    else:
        # 2n slots (never grows) up to 2**20 requests; above, start at 2**21 slots
        # and double as distinct keys arrive
        cap = 16
        while cap < 2 * min(k.size, 1 << 20):
            cap <<= 1
        ids, nd = _dense_ids_kernel(k, cap)
    return ids, int(nd)


def lru_hits(keys, capacity, sizes=None) -> np.ndarray:
    """Replay a request stream through an LRU cache, request by request.

    Parameters
    ----------
    keys : array_like of int, shape (n,)
        Key of each request, in order.
    capacity : int
        Cache capacity: items when ``sizes`` is None, bytes otherwise
        (``>= 0``).
    sizes : array_like of int, shape (n,), optional
        Object size of each request, bytes.

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        True where the request hit.

    Notes
    -----
    The replay is libCacheSim's ``LRU`` (checked against libcachesim 0.3.5,
    miss for miss, in ``tests/test_cache_replay.py``):

    * a hit moves the object to the most-recently-used end; its size stays the
      one it was inserted with, even if this request gives another size;
    * on a miss an object of size ``s <= capacity`` is inserted after evicting
      least-recently-used objects until ``occupied + s <= capacity``;
    * an object larger than the capacity is never cached and evicts nothing.

    In counting mode every object has size 1. The kernel is an O(1)
    doubly-linked list held in arrays indexed by dense ids
    (:func:`dense_ids`), compiled with numba.
    """
    k = _as_keys(keys)
    if sizes is None:
        cap = check_integer("capacity", capacity, minimum=0, maximum=2**31 - 1, scalar=True)
        ids, nd = dense_ids(k)
        return _lru_kernel(ids, nd, None, cap)
    cap = check_integer("capacity", capacity, minimum=0, maximum=2**62, scalar=True)
    s = _as_sizes(sizes, k.size)
    ids, nd = dense_ids(k)
    return _lru_kernel(ids, nd, s, cap)


def _per_key_sizes(ids, nd, sizes):
    """Size of each dense id; raise if a key appears with two sizes."""
    w = np.zeros(nd, np.int64)
    w[ids] = sizes
    bad = np.flatnonzero(w[ids] != sizes)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            "sizes must be the same for every request of a key to build a stack-"
            f"distance curve (request {i} has size {int(sizes[i])}, an earlier or later "
            f"request of the same key has {int(w[ids[i]])}); replay with lru_hits instead"
        )
    return w


def stack_distances(keys, sizes=None) -> np.ndarray:
    """LRU stack distance of every request (Mattson et al. 1970).

    Parameters
    ----------
    keys : array_like of int, shape (n,)
        Key of each request, in order.
    sizes : array_like of int, shape (n,), optional
        Object size of each request, bytes; must be constant per key.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        For a re-access of key x: the number of distinct keys (or, with
        ``sizes``, their total bytes) requested since x's previous request,
        plus x itself (1, or its size). The request hits an LRU cache of
        capacity C iff ``0 <= distance <= C``. A first request gets ``-1``
        (a cold miss at every capacity).

    Notes
    -----
    O(n log n): a Fenwick tree over request times holds each key's weight at
    the time of its last access, so the distinct weight since time p is a
    difference of prefix sums. In bytes, objects larger than a capacity are
    not excluded here (see :func:`miss_ratio_curve`, which does).
    """
    k = _as_keys(keys)
    ids, nd = dense_ids(k)
    if sizes is None:
        w = np.ones(nd, np.int64)
    else:
        w = _per_key_sizes(ids, nd, _as_sizes(sizes, k.size))
    return _stack_distance_kernel(ids, nd, w)


@dataclass(frozen=True)
class MissRatioCurve:
    """LRU miss ratio as a function of cache capacity.

    Attributes
    ----------
    capacity : numpy.ndarray of int64
        Capacities, items (``unit == "items"``) or bytes (``unit == "bytes"``).
    miss_ratio : numpy.ndarray of float64
        Fraction of requests that miss at each capacity, in [0, 1].
    n_misses : numpy.ndarray of float64
        Number of misses at each capacity (exact curves: whole numbers;
        SHARDS: the estimate ``miss_ratio * n_requests``).
    n_requests : int
        Requests in the stream (before sampling).
    unit : str
        ``"items"`` or ``"bytes"``.
    sampling_rate : float
        1.0 for an exact curve, else the SHARDS rate used.
    """

    capacity: np.ndarray
    miss_ratio: np.ndarray
    n_misses: np.ndarray
    n_requests: int
    unit: str
    sampling_rate: float = 1.0

    def at(self, capacity) -> np.ndarray:
        """Miss ratio at the given capacities (step function, right-continuous).

        Capacities below the smallest tabulated one get the miss ratio 1.
        """
        c = check_integer("capacity", capacity, minimum=0)
        i = np.searchsorted(self.capacity, c, side="right") - 1
        out = np.where(i >= 0, self.miss_ratio[np.maximum(i, 0)], 1.0)
        return out


def shards_sample(keys, rate: float) -> np.ndarray:
    """Boolean mask of the requests SHARDS keeps at sampling rate ``rate``.

    A request is kept iff ``splitmix64(key) mod 2**24 < rate * 2**24``, so
    every request of a sampled key is kept (spatial sampling) and the choice
    needs no random stream: the same keys are sampled on every run.

    Parameters
    ----------
    keys : array_like of int
        Request keys.
    rate : float
        Sampling rate R in (0, 1].
    """
    r = check_in_range("rate", rate, 0.0, 1.0, low_inclusive=False, scalar=True)
    k = _as_keys(keys)
    return _shards_mask(k, np.uint64(round(r * SHARDS_MODULUS)))


@nb.njit(cache=True)
def _shards_mask(keys, threshold):
    out = np.empty(keys.size, np.bool_)
    m = np.uint64(SHARDS_MODULUS - 1)
    for i in range(keys.size):
        out[i] = (_splitmix64(keys[i]) & m) < threshold
    return out


def _misses_at(dist, caps, rate=1.0, own=None):
    """Number of misses at each capacity, from distances (-1 = cold).

    With ``rate < 1`` (SHARDS) the part of each distance due to *other* keys
    is scaled by ``1 / rate``; ``own`` is the request's own weight.
    """
    cold = int(np.count_nonzero(dist < 0))
    warm = dist >= 0
    d = dist[warm].astype(np.float64)
    if rate < 1.0:
        o = own[warm].astype(np.float64)
        d = o + (d - o) / rate
    d = np.sort(d)
    hits = np.searchsorted(d, caps.astype(np.float64), side="right")
    return cold + (d.size - hits)


def miss_ratio_curve(keys, sizes=None, *, max_capacity=None, capacities=None,
                     sampling_rate=None, adjust=True) -> MissRatioCurve:
    """LRU miss ratio at every capacity, from one pass of stack distances.

    Parameters
    ----------
    keys : array_like of int, shape (n,)
        Key of each request, in order.
    sizes : array_like of int, shape (n,), optional
        Object size of each request, bytes, constant per key; the capacities
        are then bytes.
    max_capacity : int, optional
        Counting mode only: tabulate capacities ``1..max_capacity`` items
        (default: the number of distinct keys, beyond which the curve is flat).
    capacities : array_like of int, optional
        Capacities to evaluate at (items, or bytes with ``sizes``), sorted
        ascending. Default in bytes: 64 geometrically spaced capacities from
        the smallest object to the total size of all distinct objects.
    sampling_rate : float in (0, 1], optional
        If given, estimate the curve with fixed-rate SHARDS: keep the keys
        whose spatial hash falls under the rate (:func:`shards_sample`),
        compute stack distances of the sample and scale the part due to
        other keys by ``1 / sampling_rate`` (a request's own weight, 1 item or
        its size, is not scaled). On the real CloudPhysics trace at R = 0.1 the
        estimate stays within 0.01 of the exact curve on average and within
        0.02 everywhere once a 2 % sideways shift of its cliff is allowed.
    adjust : bool
        SHARDS only: divide the sampled misses by the *expected* number of
        sampled requests ``R n`` instead of the actual one (``SHARDS_adj`` of
        Waldspurger et al., which credits the difference to the smallest
        distances).

    Returns
    -------
    MissRatioCurve
        ``capacity`` and ``miss_ratio`` arrays.

    Notes
    -----
    Exact (no sampling): request i hits an LRU cache of capacity C iff its
    stack distance d_i (:func:`stack_distances`) satisfies ``0 <= d_i <= C``,
    so the miss count is ``cold + #{d_i > C}``, read off the sorted distances
    for all capacities at once; the result equals ``lru_hits`` at every
    capacity. In bytes, an object larger than C is never cached by LRU (it
    evicts nothing), so for a capacity below the largest object the distances
    are recomputed on the requests of objects that fit (one extra pass per
    distinct set of fitting objects among the capacities asked for).
    """
    k = _as_keys(keys)
    n = k.size
    rate = 1.0
    if sampling_rate is not None:
        rate = check_in_range("sampling_rate", sampling_rate, 0.0, 1.0,
                                    low_inclusive=False, scalar=True)
    by_bytes = sizes is not None
    s = _as_sizes(sizes, n) if by_bytes else None

    ids, nd = dense_ids(k)
    w = _per_key_sizes(ids, nd, s) if by_bytes else np.ones(nd, np.int64)

    if capacities is not None:
        caps = check_integer("capacities", capacities, minimum=0,
                             maximum=2**62).reshape(-1)
        if np.any(np.diff(caps) < 0):
            raise ValueError("capacities must be sorted ascending")
        if max_capacity is not None:
            raise ValueError("give max_capacity or capacities, not both")
    elif by_bytes:
        if max_capacity is not None:
            raise ValueError("max_capacity is for counting mode; give capacities "
                             "in bytes with sizes")
        lo = max(int(w.min()) if nd else 1, 1)
        hi = max(int(w.sum()), lo)
        caps = np.unique(np.geomspace(lo, hi, 64).round().astype(np.int64))
    else:
        mc = nd if max_capacity is None else check_integer(
            "max_capacity", max_capacity, minimum=1, maximum=2**62, scalar=True)
        caps = np.arange(1, max(mc, 1) + 1, dtype=np.int64)

    if n == 0:
        z = np.zeros(caps.size)
        return MissRatioCurve(caps, z, z.copy(), 0, "bytes" if by_bytes else "items", rate)

    if rate < 1.0:
        keep = shards_sample(k, rate)
        sids, snd = dense_ids(k[keep])
        sw = _per_key_sizes(sids, snd, s[keep]) if by_bytes else np.ones(snd, np.int64)
        dist = _stack_distance_kernel(sids, snd, sw)
        misses = _misses_at(dist, caps, rate=rate, own=sw[sids])
        denom = rate * n if adjust else max(int(keep.sum()), 1)
        mr = np.minimum(misses / denom, 1.0)
        return MissRatioCurve(caps, mr, mr * n, n, "bytes" if by_bytes else "items", rate)

    if not by_bytes:
        dist = _stack_distance_kernel(ids, nd, w)
        misses = _misses_at(dist, caps)
        return MissRatioCurve(caps, misses / n, misses.astype(np.float64), n, "items", 1.0)

    # bytes: objects larger than C never enter the cache and never evict
    misses = np.empty(caps.size, np.int64)
    size_classes = np.unique(w)
    cls = np.searchsorted(size_classes, caps, side="right")  # classes that fit
    for c in np.unique(cls):
        sel = cls == c
        if c == size_classes.size:
            dist = _stack_distance_kernel(ids, nd, w)
            misses[sel] = _misses_at(dist, caps[sel])
        elif c == 0:
            misses[sel] = n
        else:
            fits = s <= size_classes[c - 1]
            fids, fnd = dense_ids(k[fits])
            fw = _per_key_sizes(fids, fnd, s[fits])
            dist = _stack_distance_kernel(fids, fnd, fw)
            misses[sel] = (n - int(fits.sum())) + _misses_at(dist, caps[sel])
    return MissRatioCurve(caps, misses / n, misses.astype(np.float64), n, "bytes", 1.0)
