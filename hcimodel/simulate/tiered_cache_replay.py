"""Exact replays of multi-list caches: 2-LRU, LRU(m) and a two-tier segmented LRU.

Each replay walks a request stream once and reports, for every request, where it
was served. The lists are array-based doubly-linked lists over dense item ids, so
every request costs O(1) whatever the cache sizes; the loops are compiled with
numba (``cache=True``).

Keys may be any integers: when they are not already dense non-negative ids
(``0 <= key < 4 len(keys) + 1024``) they are relabelled with :func:`numpy.unique`,
which changes nothing in the replay because the policies only compare keys for
equality.

The closed-form counterparts (characteristic-time approximations under the
independent reference model) are in :mod:`hcimodel.caching`.

References
----------
.. [1] V. Martina, M. Garetto, E. Leonardi, "A unified approach to the
   performance analysis of caching systems", IEEE INFOCOM 2014.
.. [2] N. Gast, B. Van Houdt, "Transient and steady-state regime of a family of
   list-based cache replacement algorithms", ACM SIGMETRICS 2015.
.. [3] R. Karedla, J. S. Love, B. G. Wherry, "Caching strategies to improve
   disk system performance", IEEE Computer 27(3), 1994 (segmented LRU).
"""

from __future__ import annotations

import numba
import numpy as np

from hcimodel.validation import check_integer

from .cache_replay import _as_keys, dense_ids

__all__ = [
    "two_lru_hits",
    "lru_m_replay",
    "segmented_lru_replay",
    "MISS",
    "UPPER_HIT",
    "LOWER_HIT",
]

#: Outcome codes of :func:`segmented_lru_replay`: a miss, a hit in the upper
#: tier (probationary or protected segment), a hit in the lower tier.
MISS = 0
UPPER_HIT = 1
LOWER_HIT = 2


# ---------------------------------------------------------------------------
# Array-based doubly-linked lists.
#
# List ``l`` holds ``size[l]`` items from ``head[l]`` (most recent) to ``tail[l]``
# (least recent). ``prev[l, k]`` / ``nxt[l, k]`` link item ``k`` inside list ``l``
# (-1 at the ends) and ``member[l, k]`` says whether ``k`` is in list ``l``.
# An item may be in several lists at once (2-LRU) or in at most one (LRU(m),
# segmented LRU); the helpers do not care.
# ---------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def _push_front(l, k, head, tail, size, prev, nxt, member):
    h = head[l]
    prev[l, k] = -1
    nxt[l, k] = h
    if h >= 0:
        prev[l, h] = k
    else:
        tail[l] = k
    head[l] = k
    size[l] += 1
    member[l, k] = True


@numba.njit(cache=True, inline="always")
def _unlink(l, k, head, tail, size, prev, nxt, member):
    p = prev[l, k]
    q = nxt[l, k]
    if p >= 0:
        nxt[l, p] = q
    else:
        head[l] = q
    if q >= 0:
        prev[l, q] = p
    else:
        tail[l] = p
    size[l] -= 1
    member[l, k] = False


@numba.njit(cache=True, inline="always")
def _pop_back(l, head, tail, size, prev, nxt, member):
    k = tail[l]
    _unlink(l, k, head, tail, size, prev, nxt, member)
    return k


# Lists whose items are in at most one list at a time (LRU(m), segmented LRU):
# one link pair per item, ``link[k, 0]`` = previous, ``link[k, 1]`` = next, on
# one cache line; the caller keeps which list holds each item (``where``).

@numba.njit(cache=True, inline="always")
def _push_front1(l, k, head, tail, size, link):
    h = head[l]
    link[k, 0] = -1
    link[k, 1] = h
    if h >= 0:
        link[h, 0] = k
    else:
        tail[l] = k
    head[l] = k
    size[l] += 1


@numba.njit(cache=True, inline="always")
def _unlink1(l, k, head, tail, size, link):
    p = link[k, 0]
    q = link[k, 1]
    if p >= 0:
        link[p, 1] = q
    else:
        head[l] = q
    if q >= 0:
        link[q, 0] = p
    else:
        tail[l] = p
    size[l] -= 1


@numba.njit(cache=True, inline="always")
def _pop_back1(l, head, tail, size, link):
    k = tail[l]
    _unlink1(l, k, head, tail, size, link)
    return k


@numba.njit(cache=True)
def _two_lru_kernel(keys, n_items, meta_capacity, capacity):
    n = keys.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    head = np.full(2, -1, dtype=np.int64)
    tail = np.full(2, -1, dtype=np.int64)
    size = np.zeros(2, dtype=np.int64)
    prev = np.empty((2, n_items), dtype=np.int64)
    nxt = np.empty((2, n_items), dtype=np.int64)
    member = np.zeros((2, n_items), dtype=np.bool_)
    for t in range(n):
        k = keys[t]
        # 1. The meta cache (list 0) is an LRU of identifiers fed by every request.
        was_meta = member[0, k]
        if was_meta:
            _unlink(0, k, head, tail, size, prev, nxt, member)
        _push_front(0, k, head, tail, size, prev, nxt, member)
        if size[0] > meta_capacity:
            _pop_back(0, head, tail, size, prev, nxt, member)
        # 2. The data cache (list 1) holds the data; only it produces hits.
        if member[1, k]:
            out[t] = True
            _unlink(1, k, head, tail, size, prev, nxt, member)
            _push_front(1, k, head, tail, size, prev, nxt, member)
        elif was_meta:
            _push_front(1, k, head, tail, size, prev, nxt, member)
            if size[1] > capacity:
                _pop_back(1, head, tail, size, prev, nxt, member)
    return out


@numba.njit(cache=True)
def _lru_m_kernel(keys, n_items, caps):
    m = caps.shape[0]
    n = keys.shape[0]
    out = np.zeros(n, dtype=np.int8)
    head = np.full(m, -1, dtype=np.int64)
    tail = np.full(m, -1, dtype=np.int64)
    size = np.zeros(m, dtype=np.int64)
    link = np.empty((n_items, 2), dtype=np.int64)
    where = np.full(n_items, -1, dtype=np.int64)
    for t in range(n):
        k = keys[t]
        l = where[k]
        if l < 0:
            # Miss: enter the front of list 1; the back of list 1 leaves the cache.
            _push_front1(0, k, head, tail, size, link)
            where[k] = 0
            if size[0] > caps[0]:
                e = _pop_back1(0, head, tail, size, link)
                where[e] = -1
        else:
            out[t] = l + 1
            _unlink1(l, k, head, tail, size, link)
            up = l + 1 if l + 1 < m else l
            _push_front1(up, k, head, tail, size, link)
            where[k] = up
            if size[up] > caps[up]:
                # The back of the upper list drops to the front of the list below.
                e = _pop_back1(up, head, tail, size, link)
                _push_front1(l, e, head, tail, size, link)
                where[e] = l
    return out


@numba.njit(cache=True)
def _segmented_lru_kernel(keys, n_items, cap_probation, cap_upper, cap_lower):
    # Lists: 0 = probationary (upper tier), 1 = protected, upper tier,
    # 2 = protected, lower tier.
    n = keys.shape[0]
    out = np.zeros(n, dtype=np.int8)
    head = np.full(3, -1, dtype=np.int64)
    tail = np.full(3, -1, dtype=np.int64)
    size = np.zeros(3, dtype=np.int64)
    link = np.empty((n_items, 2), dtype=np.int64)
    where = np.full(n_items, -1, dtype=np.int64)
    for t in range(n):
        k = keys[t]
        l = where[k]
        if l < 0:
            # Miss: the entry enters the top of the probationary list; its bottom
            # is dropped (probationary entries never go to the lower tier).
            out[t] = 0
            _push_front1(0, k, head, tail, size, link)
            where[k] = 0
            if size[0] > cap_probation:
                e = _pop_back1(0, head, tail, size, link)
                where[e] = -1
            continue
        # Hit: probationary or protected upper tier -> 1, lower tier -> 2.
        out[t] = 2 if l == 2 else 1
        # The entry moves (it is not copied) to the top of the protected upper tier.
        _unlink1(l, k, head, tail, size, link)
        _push_front1(1, k, head, tail, size, link)
        where[k] = 1
        # Cascade: upper-tier overflow goes to the top of the lower tier, whose
        # overflow is dropped.
        while size[1] > cap_upper:
            e = _pop_back1(1, head, tail, size, link)
            _push_front1(2, e, head, tail, size, link)
            where[e] = 2
        while size[2] > cap_lower:
            e = _pop_back1(2, head, tail, size, link)
            where[e] = -1
    return out


def _capacity(name, value):
    return check_integer(name, value, minimum=0, scalar=True)


def two_lru_hits(keys, meta_capacity, capacity):
    """Replay a request stream through a 2-LRU cache.

    2-LRU [1]_ puts an LRU *meta cache* of identifiers (no data) in front of an
    LRU data cache. For each request to item ``k``, in this order:

    1. ``was_meta`` = whether ``k`` is in the meta cache; then ``k`` goes to the
       top of the meta cache (inserted if absent, the bottom identifier dropped
       when the meta cache holds more than ``meta_capacity``). The meta cache
       therefore sees every request and is an ordinary LRU of the whole stream.
    2. If ``k`` is in the data cache: **hit**, ``k`` goes to its top.
    3. Otherwise (miss): ``k`` is inserted at the top of the data cache only if
       ``was_meta`` (the item was requested recently enough to still be in the
       meta cache); the bottom item is dropped when the data cache holds more
       than ``capacity``.

    Only the data cache produces hits. With ``meta_capacity = 0`` nothing is ever
    admitted; with ``meta_capacity`` at least the number of distinct items,
    2-LRU admits every item on its second request.

    Parameters
    ----------
    keys : array_like of int, shape (n,)
        Requested item identifiers.
    meta_capacity : int
        Size of the meta cache in items, ``>= 0``.
    capacity : int
        Size of the data cache in items, ``>= 0``.

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        True where the request hit the data cache. The cache starts empty, so
        discard a warm-up prefix before estimating a steady-state hit ratio.

    References
    ----------
    .. [1] V. Martina, M. Garetto, E. Leonardi, "A unified approach to the
       performance analysis of caching systems", IEEE INFOCOM 2014.
    """
    c1 = _capacity("meta_capacity", meta_capacity)
    c2 = _capacity("capacity", capacity)
    dense, n_items = dense_ids(_as_keys(keys))
    return _two_lru_kernel(dense, n_items, c1, c2)


def lru_m_replay(keys, capacities_per_list):
    """Replay a request stream through LRU(m) and report the list of each hit.

    LRU(m) [2]_ splits the cache into lists ``1..m`` of sizes ``m_1..m_m``, all
    holding data. A missed item enters the top of list 1 and the bottom item of
    list 1 leaves the cache. An item hit in list ``l < m`` moves to the top of list
    ``l + 1``; if list ``l + 1`` then holds more than ``m_{l+1}`` items, its bottom
    item drops to the top of list ``l`` (so list sizes never exceed their
    capacities). A hit in list ``m`` moves the item to the top of list ``m``.

    Parameters
    ----------
    keys : array_like of int, shape (n,)
        Requested item identifiers.
    capacities_per_list : sequence of int, length m
        Sizes of lists 1..m in items, each ``>= 1``.

    Returns
    -------
    numpy.ndarray of int8, shape (n,)
        0 for a miss, ``l`` (1..m) for a hit in list ``l``.

    References
    ----------
    .. [2] N. Gast, B. Van Houdt, "Transient and steady-state regime of a family
       of list-based cache replacement algorithms", ACM SIGMETRICS 2015.
    """
    caps = check_integer("capacities_per_list", capacities_per_list, minimum=1)
    caps = np.atleast_1d(caps).astype(np.int64)
    if caps.ndim != 1 or not 1 <= caps.size <= 100:
        raise ValueError(
            "capacities_per_list must be a sequence of 1 to 100 list sizes "
            f"(got shape {caps.shape})"
        )
    dense, n_items = dense_ids(_as_keys(keys))
    return _lru_m_kernel(dense, n_items, caps)


def segmented_lru_replay(keys, probation_capacity, protected_capacity, lower_tier_capacity):
    """Replay a request stream through a segmented LRU whose protected segment spills to a lower tier.

    Segmented LRU (SLRU) [3]_ splits an LRU cache into a *probationary*
    segment P and a *protected* segment: a missed item enters P, and only an
    item requested again while in P is promoted to the protected segment, so
    items read once cannot push out items read more often. Here the protected
    segment spans two tiers: its upper part U (e.g. memory) and, below it, a
    lower part L (e.g. SSD) that receives what U demotes. P and U are in the
    upper tier. Every item is in at most one of the three LRU lists (capacities
    in items, e.g. 4 KiB blocks). For each request to item ``k``:

    * ``k`` in none of the lists -> **miss** (0). ``k`` is inserted at the top of
      P; if P holds more than ``probation_capacity`` items, the bottom of P is
      dropped from the cache (probationary items never go to the lower tier).
    * ``k`` in P -> **upper-tier hit** (1). The item *moves* (no copy is left in
      P) to the top of U: the promotion on the second request.
    * ``k`` in U -> **upper-tier hit** (1); ``k`` moves to the top of U.
    * ``k`` in L -> **lower-tier hit** (2); ``k`` moves from L to the top of U.

    After a move to the top of U, while U holds more than
    ``protected_capacity`` items its bottom item is demoted to the top of L
    (a new LRU position in the lower tier), and while L holds more than
    ``lower_tier_capacity`` its bottom item is dropped from the cache. A
    dropped item keeps no history: its next request is a new miss and it
    starts again in P (it needs another request to be promoted).

    Where SLRU [3]_ demotes the protected segment's LRU end back to the top of
    the probationary segment, this variant demotes it to the lower tier: U
    followed by L is a single LRU list of ``protected_capacity +
    lower_tier_capacity`` items fed by promotions from P, whose top is in the
    upper tier. With a zero ``protected_capacity``, promoted items go straight
    to L; with ``probation_capacity = 0`` nothing is ever cached. The domain
    layer's Content Cache (:mod:`hcimodel.contentcache`: single-touch pool =
    P, multi-touch pool = U in memory then L on SSD) is this policy.

    Parameters
    ----------
    keys : array_like of int, shape (n,)
        Requested item identifiers (for a de-duplicating cache, requests for
        identical content carry the same identifier).
    probation_capacity : int
        Items in the probationary segment P (upper tier), ``>= 0``.
    protected_capacity : int
        Items in the upper-tier part U of the protected segment, ``>= 0``.
    lower_tier_capacity : int
        Items in the lower-tier part L of the protected segment, ``>= 0``.

    Returns
    -------
    numpy.ndarray of int8, shape (n,)
        :data:`MISS` (0), :data:`UPPER_HIT` (1, in P or U) or
        :data:`LOWER_HIT` (2, in L) for every request. The cache starts empty.

    References
    ----------
    .. [3] R. Karedla, J. S. Love, B. G. Wherry, "Caching strategies to
       improve disk system performance", IEEE Computer 27(3), 38-46, 1994
       (segmented LRU: probationary and protected segments).
    """
    cp = _capacity("probation_capacity", probation_capacity)
    cu = _capacity("protected_capacity", protected_capacity)
    cl = _capacity("lower_tier_capacity", lower_tier_capacity)
    dense, n_items = dense_ids(_as_keys(keys))
    return _segmented_lru_kernel(dense, n_items, cp, cu, cl)
