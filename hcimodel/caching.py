r"""Hit ratios of caches under the independent reference model (IRM).

Item :math:`i` of a catalog is requested as a Poisson process of rate
:math:`\lambda_i` (requests per second, or any common unit: only ratios matter),
independently of the others. A cache holds :math:`C` items. The
*characteristic-time* (Che) approximation replaces the random time an item stays
in a large cache by a deterministic time :math:`T` fixed by the occupancy
constraint :math:`\sum_i P(i \text{ in cache}) = C`. Every function here solves
such constraints and returns request-weighted hit ratios

.. math:: h = \frac{\sum_i \lambda_i h_i}{\sum_i \lambda_i}.

By PASTA (each item's requests are Poisson) the probability :math:`h_i` that a
request for :math:`i` finds it cached is also the time-average probability that
:math:`i` is cached, which is what enters the occupancy constraint.

This module is about 900 lines, over the 600 of the project, on purpose: its
four policies share one catalog compression and one safeguarded Newton solver
(also used by :mod:`hcimodel.contentcache.policy`), whose error analysis below
covers them all.

Numerics
--------
Every function is vectorized over capacities: pass an array of capacities and
get arrays of hit ratios and characteristic times of the same shape. The
characteristic times are found with a safeguarded Newton iteration in
:math:`u = \ln T` (a Newton step that leaves the current bracket is replaced by a
bisection or a doubling expansion of the bracket, and so is a step inside the
bracket that is not shorter than half the step before last, which would let
Newton bounce between the ends of a steep region), run on all capacities at
once. The Newton step is taken on :math:`\ln(\text{occupancy}) - \ln C`, which is
exactly linear in :math:`u` while the cache is small. The occupancy functions
are increasing in :math:`u`, so the iteration always converges, to
:math:`|\Delta u| < 10^{-12}`.

Catalogs of more than 256 rates (positive, with positive weight) are
*compressed* before solving. Rates are grouped in logarithmic bins of relative
width at most :math:`\delta = 2^{-7}` (the exponent and top seven mantissa bits
of the IEEE double) and each bin is replaced by the two-point Gauss rule of its
items: two representative rates and item counts that match the bin's item
count and the first three moments of its rates (a bin of one or two distinct
rates is kept exactly). Any sum :math:`\sum_i g(\lambda_i T)` is then exact
for cubics in :math:`\lambda` within each bin, and the error of a bin of
:math:`m` items is at most :math:`m\,\delta^4 \max x^4|g^{(4)}(x)| / 1536`
(Gauss error :math:`g^{(4)}/4!` times :math:`\int p_2^2 \le m w^4/64`). For LRU,
:math:`x^4 e^{-x} \le 4.8\,(1 - e^{-x})`, so the relative error of the
occupancy sum is below :math:`3.2\times10^{-3}\,\delta^4 = 1.2\times10^{-11}`
(FIFO: half that). Measured against the uncompressed solve (catalogs of
:math:`10^3`--:math:`1.3\times10^5` Zipf and log-normal rates, capacities up to
:math:`0.999 N`): occupancy within :math:`10^{-12}` relative, hit ratio within
:math:`2\times10^{-11}` (the uncompressed solve's own residual), :math:`T`
within :math:`1.2\times10^{-10}` and the miss ratio within :math:`2\times10^{-9}`
(both ill-conditioned only as the cache nears the whole catalog); LRU(m) list
occupancies near saturation within :math:`2.4\times10^{-9}`.
``tests/test_caching.py`` checks every solver against the uncompressed one to
:math:`10^{-8}`. The compressed catalog is used only when it is smaller, so the
cost of a solve grows with the number of occupied bins (at most 256 per factor
of two in rate) and never falls as the catalog grows: a :math:`10^7`-item Zipf
catalog solves for 64 capacities in about 0.05 s of CPU, most of it one pass
over the rates. Per-item probabilities (``item_hit_ratio()`` of the results)
always use the exact rates.

**Multiplicities.** Every function takes ``weights=``, the number
:math:`m_i` of items that share rate :math:`\lambda_i` (e.g. the :math:`N`
identical copies of a block in :math:`N` full clones without dedup). The
constraints and ratios become

.. math:: \sum_i m_i\, g(\lambda_i T) = C, \qquad
          h = \frac{\sum_i m_i \lambda_i h_i}{\sum_i m_i \lambda_i},

which is the expanded catalog (each rate repeated :math:`m_i` times) summed
by groups: the result is the expanded one up to rounding (:math:`10^{-12}`),
including the compression above, which counts items (:math:`\sum_i m_i`),
bins the groups as it would bin the items (weighted moments) and so never
needs the expansion.
A catalog of millions of items in a few thousand groups costs a few thousand.

Items with zero rate are allowed; they are never cached and do not count
towards the catalog size :math:`N_+` (number of items with positive rate). A
capacity of at least :math:`N_+` gives a hit ratio of 1 and :math:`T = \infty`;
a capacity of 0 gives 0 and :math:`T = 0`.

Capacities are in items (e.g. 4 KiB cache blocks) and need not be integers.

References
----------
.. [Che02] H. Che, Y. Tung, Z. Wang, "Hierarchical Web caching systems:
   modeling, design and experimental results", IEEE JSAC 20(7), 2002.
.. [Fri12] C. Fricker, P. Robert, J. Roberts, "A versatile and accurate
   approximation for LRU cache performance", ITC 24, 2012.
.. [Mar14] V. Martina, M. Garetto, E. Leonardi, "A unified approach to the
   performance analysis of caching systems", IEEE INFOCOM 2014.
.. [Gas15] N. Gast, B. Van Houdt, "Transient and steady-state regime of a family
   of list-based cache replacement algorithms", ACM SIGMETRICS 2015.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hcimodel.validation import check_integer, check_nonnegative

__all__ = [
    "zipf_rates",
    "merge_duplicate_rates",
    "che_lru",
    "fifo_random",
    "two_lru",
    "lru_m",
    "CharacteristicTimeResult",
    "TwoLRUResult",
    "LRUmResult",
]

#: Catalogs of at most this many (rate, weight) pairs are solved item by item:
#: below it a compressed catalog saves little and the exact solve is as cheap.
_COMPRESS_ABOVE = 1 << 8
_MANTISSA_BITS = 7
_BLOCK_ELEMENTS = 1 << 22
_UTOL = 1e-12


def _quiet(fn):
    """Run a model with floating-point warnings off.

    exp(-x) underflows to 0 and lambda * T overflows to inf by design (items far
    from the characteristic time); the results are checked for NaN instead.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return fn(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def zipf_rates(n_items, alpha, total_rate=1.0):
    r"""Request rates of a Zipf-like popularity law.

    .. math:: \lambda_i = \Lambda \frac{i^{-\alpha}}{\sum_{j=1}^{N} j^{-\alpha}},
              \quad i = 1, \dots, N

    Parameters
    ----------
    n_items : int
        Catalog size :math:`N`, ``>= 1``.
    alpha : float
        Zipf exponent :math:`\alpha`, ``>= 0`` (0 is the uniform law).
    total_rate : float, optional
        Total request rate :math:`\Lambda` (requests per second), ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (n_items,)
        Rates in decreasing order, summing to ``total_rate``.
    """
    n = check_integer("n_items", n_items, minimum=1, scalar=True)
    a = check_nonnegative("alpha", alpha)
    if a.ndim:
        raise ValueError(f"alpha must be a scalar (got shape {a.shape})")
    lam_tot = check_nonnegative("total_rate", total_rate)
    if lam_tot.ndim or not lam_tot > 0:
        raise ValueError(f"total_rate must be a scalar in (0, inf) (got {total_rate!r})")
    w = np.arange(1, n + 1, dtype=np.float64) ** (-float(a))
    return w * (float(lam_tot) / w.sum())


def merge_duplicate_rates(rates, content_ids):
    r"""Merge the request rates of items that hold identical content.

    A de-duplicated cache (keyed by content fingerprint) sees one item per
    distinct content, requested at the sum of the rates of its copies:

    .. math:: \lambda'_c = \sum_{i:\ \mathrm{content}(i) = c} \lambda_i

    Under the IRM, merging never lowers the hit ratio of an LRU cache of the
    same capacity (every reuse distance can only shrink).

    Parameters
    ----------
    rates : array_like, shape (n,)
        Request rates of the (logical) items, ``>= 0``.
    content_ids : array_like of int, shape (n,)
        Content identifier of each item (e.g. a fingerprint mapped to an
        integer); items with equal identifiers hold identical data.

    Returns
    -------
    numpy.ndarray, shape (n_distinct,)
        Merged rates, one per distinct identifier in increasing identifier order.
    """
    lam = _rates_array(rates)
    ids = np.asarray(content_ids)
    if ids.shape != lam.shape:
        raise ValueError(
            f"content_ids must have the same shape as rates {lam.shape} (got {ids.shape})"
        )
    if ids.dtype == np.bool_ or not np.issubdtype(ids.dtype, np.integer):
        ids = check_integer("content_ids", ids, minimum=np.iinfo(np.int64).min)
    _, inv = np.unique(ids, return_inverse=True)
    return np.bincount(inv.ravel(), weights=lam)


def _rates_array(rates):
    # One copy and two reductions (NaN fails ``>=``); the validation helper's
    # message only when something is wrong: this runs on catalogs of 10^7 rates.
    try:
        lam = np.array(rates, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        lam = None
    if lam is None or lam.size == 0 or not (lam.min() >= 0 and lam.max() < np.inf):
        lam = check_nonnegative("rates", rates)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"rates must be a non-empty one-dimensional array (got shape {lam.shape})")
    if not lam.max() > 0:
        raise ValueError("rates must contain at least one positive rate (got all zeros)")
    return lam


def _weights_array(weights, lam):
    """Validated multiplicities of the rates (None: one item per rate)."""
    if weights is None:
        return None
    w = check_nonnegative("weights", weights)
    if w.shape != lam.shape:
        raise ValueError(f"weights must have the shape of rates {lam.shape} (got {w.shape})")
    if not np.any((w > 0) & (lam > 0)):
        raise ValueError("weights must be positive for at least one positive rate "
                         "(got no item with both)")
    return w


@dataclass(frozen=True)
class _Catalog:
    rates: np.ndarray      # representative positive rates
    weights: np.ndarray    # number of items each representative stands for
    n_positive: float      # items with positive rate (sum of the weights)
    total_rate: float


def _catalog(lam, weights=None):
    """The catalog as (rate, weight) pairs, compressed above 256 pairs.

    ``weights`` (same shape as ``lam``, or None for ones) says how many items
    share each rate. Compression bins pairs by rate as it would bin the
    expanded items (weighted moments per bin), so a weighted catalog and its
    expanded form give the same representatives up to rounding.
    """
    if weights is None:
        pos = lam if lam.min() > 0 else lam[lam > 0]
        w = None
        n_pos, total = float(pos.size), float(pos.sum())
    else:
        keep = (lam > 0) & (weights > 0)
        pos, w = (lam, weights) if keep.all() else (lam[keep], weights[keep])
        n_pos, total = float(w.sum()), float(pos @ w)
    lowest = pos.min()
    if pos.size > _COMPRESS_ABOVE and lowest >= np.finfo(np.float64).tiny:  # no subnormals
        rates, counts = _gauss_bins(pos, w, lowest, pos.max())
        if rates.size < pos.size:
            return _Catalog(rates, counts, n_pos, total)
    return _Catalog(pos, np.ones(pos.size) if w is None else np.array(w, dtype=np.float64),
                    n_pos, total)


def _gauss_bins(pos, w, lowest, highest):
    """Two-point Gauss rule of the rates in each log bin: (rates, counts).

    Bins of relative width ``2**-_MANTISSA_BITS`` (sign/exponent and top
    mantissa bits of the IEEE double). Within a bin, ``z = rate / edge - 1``
    lies in ``[0, delta)``; with mean ``zbar``, central moments ``c2, c3``,
    the nodes ``zbar + y`` are the roots of the monic orthogonal quadratic
    ``y**2 - (c3/c2) y - c2`` and their counts match the bin's count and mean.
    A bin whose variance is at rounding level is one node at its mean.
    """
    from hcimodel._catalog_kernels import bin_moments

    shift = 52 - _MANTISSA_BITS
    lo = int(np.float64(lowest).view(np.int64)) >> shift
    hi = int(np.float64(highest).view(np.int64)) >> shift
    edges = ((np.arange(hi - lo + 1, dtype=np.int64) + lo) << shift).view(np.float64)
    mom = np.zeros((edges.size, 4))
    bin_moments(np.ascontiguousarray(pos), np.empty(0) if w is None else
                np.ascontiguousarray(w, dtype=np.float64), shift, lo, 1.0 / edges, mom)
    full = mom[:, 0] > 0
    m = mom[full, 0]
    zbar, s2, s3 = (mom[full, 1:] / m[:, None]).T        # moments per item
    edge = edges[full]
    c2 = np.maximum(s2 - zbar * zbar, 0.0)
    c3 = s3 - 3.0 * zbar * s2 + 2.0 * zbar ** 3
    # z ~ 2**-6, so z**2 carries ~1e-20 of rounding: a variance below 1e-24
    # (relative spread 1e-12) is one point.
    two = c2 > 1e-24
    a = np.where(two, c3, 0.0) / np.where(two, c2, 1.0)
    disc = np.sqrt(a * a + 4.0 * c2)
    y1, y2 = 0.5 * (a - disc), 0.5 * (a + disc)          # y1 <= 0 <= y2
    frac1 = np.where(two, y2 / np.where(two, y2 - y1, 1.0), 1.0)
    rate1 = edge * (1.0 + zbar + np.where(two, y1, 0.0))
    rate2 = edge[two] * (1.0 + zbar[two] + y2[two])
    return (np.concatenate([rate1, rate2]),
            np.concatenate([m * frac1, m[two] * (1.0 - frac1[two])]))


def _capacity_array(name, value):
    return check_nonnegative(name, value, allow_inf=True)


# ---------------------------------------------------------------------------
# Safeguarded Newton in u = ln T, vectorized over independent problems
# ---------------------------------------------------------------------------


def _solve_increasing(fun, target, u0, maxiter=300):
    """Solve ``fun(u, idx)[0] == target`` for an increasing function, per row.

    ``fun(u, idx)`` returns (value, d value / du) for the rows ``idx``. The
    solution must exist and be finite for every row.
    """
    k = target.size
    u = np.array(u0, dtype=np.float64, copy=True)
    lo = np.full(k, -np.inf)
    hi = np.full(k, np.inf)
    jump = np.ones(k)
    # last two steps taken (|u_{n} - u_{n-1}|, |u_{n-1} - u_{n-2}|)
    dx = np.full(k, np.inf)
    dxold = np.full(k, np.inf)
    active = np.arange(k)
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            if active.size == 0:
                break
            ua = u[active]
            f, d = fun(ua, active)
            r = np.log(f) - np.log(target[active])
            below = r < 0
            lo[active] = np.where(below, ua, lo[active])
            hi[active] = np.where(below, hi[active], ua)
            la, ha = lo[active], hi[active]
            step = np.clip(-r * f / d, -20.0, 20.0)
            newton = ua + step
            finite = np.isfinite(la) & np.isfinite(ha)
            # Inside a bracket, a Newton step must also be shorter than half the
            # step before last (as in rtsafe, Numerical Recipes §9.4): otherwise
            # Newton can bounce between the two ends of a steep region, each step
            # landing just inside the bracket, and never shrink it.
            slow = finite & ~(np.abs(step) <= 0.5 * dxold[active])
            good = np.isfinite(newton) & (newton > la) & (newton < ha) & ~slow
            ja = jump[active]
            fallback = np.where(finite, 0.5 * (la + ha), np.where(below, ua + ja, ua - ja))
            jump[active] = np.where(good | finite, ja, 2.0 * ja)
            unew = np.where(good, newton, fallback)
            scale = np.maximum(1.0, np.abs(ua))
            done = (r == 0) | (np.abs(unew - ua) <= _UTOL * scale) | (ha - la <= _UTOL * scale)
            u[active] = np.where(r == 0, ua, unew)
            dxold[active] = dx[active]
            dx[active] = np.abs(unew - ua)
            active = active[~done]
    return u


def _row_blocks(n_rows, n_cols, block_elements=_BLOCK_ELEMENTS):
    step = max(1, block_elements // max(1, n_cols))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


def _exp_t(u):
    with np.errstate(over="ignore"):
        return np.exp(u)


def _x(rates, t):
    """lambda * T for rows of T, with 0 * inf = 0 (zero-rate items)."""
    with np.errstate(invalid="ignore"):
        x = t[..., None] * rates
    return np.where(rates > 0, x, 0.0) if np.any(rates == 0) else x


# ---------------------------------------------------------------------------
# Single-list policies: LRU (Che) and FIFO / RANDOM
# ---------------------------------------------------------------------------


def _occ_lru(x):
    return -np.expm1(-x)


def _docc_lru(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(x), x * np.exp(-x), 0.0)


def _occ_fifo(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(x), x / (1.0 + x), 1.0)


def _docc_fifo(x):
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(x), x / (1.0 + x) ** 2, 0.0)


_POLICIES = {"lru": (_occ_lru, _docc_lru), "fifo": (_occ_fifo, _docc_fifo)}


def _single_list_times(cat, cap, policy):
    """Characteristic times T (shape of cap) of ``sum_i g(lambda_i T) = C``."""
    occ, docc = _POLICIES[policy]
    w = cat.weights
    flat = np.asarray(cap, dtype=np.float64).ravel()
    t = np.empty(flat.size)
    t[flat <= 0] = 0.0
    sat = flat >= cat.n_positive
    t[sat & (flat > 0)] = np.inf
    rows = np.flatnonzero((flat > 0) & ~sat)
    if rows.size:
        for blk in _row_blocks(rows.size, cat.rates.size):
            r = rows[blk]
            target = flat[r]

            def fun(u, idx):
                x = _exp_t(u)[:, None] * cat.rates
                return occ(x) @ w, docc(x) @ w

            u0 = np.log(target) - np.log(cat.total_rate)
            t[r] = np.exp(_solve_increasing(fun, target, u0))
    return t.reshape(np.shape(cap))


def _request_weighted(cat, per_bin):
    """Request-weighted average of per-bin probabilities, rows x bins -> rows."""
    return per_bin @ (cat.weights * cat.rates) / cat.total_rate


@dataclass(frozen=True)
class CharacteristicTimeResult:
    """Hit ratio of a single-list cache (LRU, FIFO/RANDOM) under the IRM.

    Attributes
    ----------
    hit_ratio : numpy.ndarray
        Request-weighted hit ratio, shape of the capacity argument.
    characteristic_time : numpy.ndarray
        Characteristic time :math:`T` in the reciprocal unit of the rates
        (seconds when rates are per second); ``inf`` when the cache holds the
        whole catalog, 0 for a zero capacity.
    policy : str
        ``"lru"`` or ``"fifo"``.
    rates : numpy.ndarray
        The request rates (not shown in the repr).
    """

    hit_ratio: np.ndarray
    characteristic_time: np.ndarray
    policy: str
    rates: np.ndarray = field(repr=False, compare=False)

    @_quiet
    def item_hit_ratio(self):
        """Per-item hit probabilities :math:`h_i`, shape ``capacity.shape + (n_items,)``.

        Beware of memory: this is one float per item and per capacity.
        """
        occ, _ = _POLICIES[self.policy]
        return occ(_x(self.rates, np.asarray(self.characteristic_time)))


@_quiet
def _single_list(rates, capacity, policy, weights=None):
    lam = _rates_array(rates)
    cap = _capacity_array("capacity", capacity)
    cat = _catalog(lam, _weights_array(weights, lam))
    t = _single_list_times(cat, cap, policy)
    occ, _ = _POLICIES[policy]
    hit = np.empty(cap.size)
    flat_t = t.ravel()
    for blk in _row_blocks(cap.size, cat.rates.size):
        hit[blk] = _request_weighted(cat, occ(_x(cat.rates, flat_t[blk])))
    hit[np.isinf(flat_t)] = 1.0     # the whole catalog fits (not 1 - rounding)
    hit = np.clip(hit, 0.0, 1.0).reshape(cap.shape)
    return CharacteristicTimeResult(hit, t, policy, lam)


def che_lru(rates, capacity, *, weights=None):
    r"""Hit ratio of an LRU cache: Che's approximation.

    The characteristic time :math:`T` solves

    .. math:: \sum_{i} \left(1 - e^{-\lambda_i T}\right) = C,

    and item :math:`i` hits with probability :math:`h_i = 1 - e^{-\lambda_i T}`
    (it is cached iff it was requested within the last :math:`T`) [Che02]_,
    [Fri12]_.

    Parameters
    ----------
    rates : array_like, shape (n_items,)
        Request rates :math:`\lambda_i` (per second), ``>= 0``, at least one > 0.
    capacity : array_like
        Cache capacity :math:`C` in items, ``>= 0`` (may be ``inf``); any shape.
    weights : array_like, shape (n_items,), optional
        Multiplicity :math:`m_i` of each rate, ``>= 0`` (default 1 each): the
        catalog has :math:`m_i` items of rate :math:`\lambda_i` (need not be
        whole). Results equal those of the expanded catalog (see the module
        docstring); per-item probabilities are one per entry of ``rates``.

    Returns
    -------
    CharacteristicTimeResult
        ``hit_ratio`` and ``characteristic_time`` (seconds if rates are per
        second) with the shape of ``capacity``; ``item_hit_ratio()`` gives the
        :math:`h_i`.

    Examples
    --------
    >>> r = che_lru(zipf_rates(1000, 0.8), [10, 100])
    >>> [round(float(h), 4) for h in r.hit_ratio]
    [0.0816, 0.3778]
    """
    return _single_list(rates, capacity, "lru", weights)



def fifo_random(rates, capacity, *, weights=None):
    r"""Hit ratio of a FIFO or RANDOM-replacement cache (characteristic time).

    An item enters on a miss and stays a time :math:`T` whatever its hits, so

    .. math:: h_i = \frac{\lambda_i T}{1 + \lambda_i T}, \qquad \sum_i h_i = C

    [Mar14]_ (the same approximation holds for random replacement).

    Parameters
    ----------
    rates : array_like, shape (n_items,)
        Request rates (per second), ``>= 0``, at least one > 0.
    capacity : array_like
        Capacity in items, ``>= 0``.
    weights : array_like, shape (n_items,), optional
        Multiplicity :math:`m_i` of each rate, ``>= 0`` (default 1 each): the
        catalog has :math:`m_i` items of rate :math:`\lambda_i` (need not be
        whole). Results equal those of the expanded catalog (see the module
        docstring); per-item probabilities are one per entry of ``rates``.

    Returns
    -------
    CharacteristicTimeResult
        As :func:`che_lru`, with ``policy="fifo"``.
    """
    return _single_list(rates, capacity, "fifo", weights)


# ---------------------------------------------------------------------------
# 2-LRU
# ---------------------------------------------------------------------------


def _two_lru_prob(a, x2):
    """h = a b / (e^{-x2} + a b), b = 1 - e^{-x2}."""
    y = np.exp(-x2)
    ab = a * (-np.expm1(-x2))
    with np.errstate(invalid="ignore", divide="ignore"):
        h = np.where(ab > 0, ab / (y + ab), 0.0)
    return h


@dataclass(frozen=True)
class TwoLRUResult:
    """Hit ratio of 2-LRU under the IRM.

    Attributes
    ----------
    hit_ratio : numpy.ndarray
        Request-weighted hit ratio of the data cache.
    meta_characteristic_time : numpy.ndarray
        :math:`T_1` of the meta cache.
    characteristic_time : numpy.ndarray
        :math:`T_2` of the data cache (``inf`` if it never fills).
    rates : numpy.ndarray
        The request rates (not shown in the repr).
    """

    hit_ratio: np.ndarray
    meta_characteristic_time: np.ndarray
    characteristic_time: np.ndarray
    rates: np.ndarray = field(repr=False, compare=False)

    @_quiet
    def item_hit_ratio(self):
        """Per-item hit probabilities, shape ``capacity.shape + (n_items,)``."""
        a = _occ_lru(_x(self.rates, np.asarray(self.meta_characteristic_time)))
        return _two_lru_prob(a, _x(self.rates, np.asarray(self.characteristic_time)))


@_quiet
def two_lru(rates, meta_capacity, capacity, *, weights=None):
    r"""Hit ratio of 2-LRU (a meta cache of identifiers before an LRU cache).

    The meta cache is an LRU of identifiers fed by every request, so its
    characteristic time :math:`T_1` is Che's for capacity :math:`C_1`; a missed
    item is admitted to the data cache (capacity :math:`C_2`) only if it was in
    the meta cache. Following [Mar14]_, with
    :math:`a_i = 1 - e^{-\lambda_i T_1}` and :math:`b_i = 1 - e^{-\lambda_i T_2}`,

    .. math::

        \sum_i \left(1 - e^{-\lambda_i T_1}\right) = C_1, \qquad
        h_i = \frac{a_i b_i}{e^{-\lambda_i T_2} + a_i b_i}, \qquad
        \sum_i h_i = C_2 .

    (At request epochs the item is in the data cache with probability
    :math:`h' = b\,[h + (1 - h) a]`, whose fixed point is :math:`h_i`.)

    Parameters
    ----------
    rates : array_like, shape (n_items,)
        Request rates (per second), ``>= 0``, at least one > 0.
    meta_capacity : array_like
        Meta cache size :math:`C_1` in identifiers, ``>= 0``.
    capacity : array_like
        Data cache size :math:`C_2` in items, ``>= 0``; broadcast with
        ``meta_capacity``.
    weights : array_like, shape (n_items,), optional
        Multiplicity :math:`m_i` of each rate, ``>= 0`` (default 1 each): the
        catalog has :math:`m_i` items of rate :math:`\lambda_i` (need not be
        whole). Results equal those of the expanded catalog (see the module
        docstring); per-item probabilities are one per entry of ``rates``.

    Returns
    -------
    TwoLRUResult
        Arrays of the broadcast shape of the capacities. ``meta_capacity = 0``
        gives a hit ratio of 0 (nothing is admitted; :math:`T_2 = \infty`).
    """
    lam = _rates_array(rates)
    c1 = _capacity_array("meta_capacity", meta_capacity)
    c2 = _capacity_array("capacity", capacity)
    try:
        c1, c2 = np.broadcast_arrays(c1, c2)
    except ValueError:
        raise ValueError(
            f"meta_capacity and capacity must broadcast (got shapes {c1.shape} and {c2.shape})"
        ) from None
    cat = _catalog(lam, _weights_array(weights, lam))
    t1 = _single_list_times(cat, np.array(c1), "lru")
    shape = c1.shape
    t1f, c2f = t1.ravel(), c2.ravel()
    t2 = np.empty(c2f.size)
    hit = np.zeros(c2f.size)
    # Data cache never filled: nothing admitted (T1 = 0), or all of it fits.
    t2[t1f == 0] = np.inf
    t2[c2f <= 0] = 0.0
    sat = (c2f >= cat.n_positive) & (t1f > 0)
    t2[sat] = np.inf
    rows = np.flatnonzero((t1f > 0) & (c2f > 0) & ~sat)
    for blk in _row_blocks(rows.size, cat.rates.size):
        r = rows[blk]
        a_rows = _occ_lru(_x(cat.rates, t1f[r]))

        def fun(u, idx):
            x2 = _exp_t(u)[:, None] * cat.rates
            a = a_rows[idx]
            y = np.exp(-x2)
            ab = a * (-np.expm1(-x2))
            den = y + ab
            with np.errstate(invalid="ignore", divide="ignore"):
                h = np.where(ab > 0, ab / den, 0.0)
                dh = np.where(den > 0, a * x2 * y / den**2, 0.0)
            return h @ cat.weights, dh @ cat.weights

        u0 = np.log(c2f[r]) - np.log(cat.total_rate)
        t2[r] = np.exp(_solve_increasing(fun, c2f[r], u0))
    for blk in _row_blocks(c2f.size, cat.rates.size):
        a = _occ_lru(_x(cat.rates, t1f[blk]))
        hit[blk] = _request_weighted(cat, _two_lru_prob(a, _x(cat.rates, t2[blk])))
    return TwoLRUResult(np.clip(hit, 0, 1).reshape(shape), t1, t2.reshape(shape), lam)


# ---------------------------------------------------------------------------
# LRU(m)
# ---------------------------------------------------------------------------


def _log_expm1(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 1.0, x + np.log(-np.expm1(-np.minimum(x, 1e300))),
                        np.log(np.expm1(np.minimum(x, 1.0))))


def _lru_m_state(rates, u):
    """List probabilities of LRU(m) items.

    ``u`` has shape (rows, m). Returns pi (rows, n, m+1) for lists 0..m, the
    tail sums Q (rows, n, m) with Q[..., s] = sum_{j >= s+1} pi[..., j], and
    c (rows, n, m) = d ln(e^{x_s} - 1) / d u_s.
    """
    x = np.minimum(np.exp(u)[:, None, :] * rates[None, :, None], 1e300)
    logz = _log_expm1(x)
    cum = np.concatenate([np.zeros(x.shape[:2] + (1,)), np.cumsum(logz, axis=-1)], axis=-1)
    mx = cum.max(axis=-1, keepdims=True)
    e = np.exp(cum - mx)
    pi = e / e.sum(axis=-1, keepdims=True)
    q = np.cumsum(pi[..., :0:-1], axis=-1)[..., ::-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(x > 1e-8, x / -np.expm1(-x), 1.0)
    return pi, q, c


@dataclass(frozen=True)
class LRUmResult:
    """Hit ratio of LRU(m) under the IRM.

    Attributes
    ----------
    hit_ratio : numpy.ndarray
        Request-weighted hit ratio (any list), shape of the capacity grid.
    list_hit_ratio : numpy.ndarray
        Share of requests that hit list ``l``, shape ``(m,) + grid``.
    characteristic_times : numpy.ndarray
        :math:`T_l` of each list, shape ``(m,) + grid``.
    rates : numpy.ndarray
        The request rates (not shown in the repr).
    """

    hit_ratio: np.ndarray
    list_hit_ratio: np.ndarray
    characteristic_times: np.ndarray
    rates: np.ndarray = field(repr=False, compare=False)

    @_quiet
    def item_list_probability(self):
        """Probability that item i is in list l, shape ``(m,) + grid + (n_items,)``."""
        t = np.moveaxis(np.asarray(self.characteristic_times), 0, -1)
        grid = t.shape[:-1]
        tf = t.reshape(-1, t.shape[-1])
        out = np.zeros((tf.shape[0], self.rates.size, tf.shape[1]))
        pos = self.rates > 0
        finite = np.all(np.isfinite(tf), axis=1)
        if np.any(finite):
            pi, _, _ = _lru_m_state(self.rates[pos], np.log(tf[finite]))
            sub = out[finite]
            sub[:, pos, :] = pi[..., 1:]
            out[finite] = sub
        # Saturated grid points: every positive-rate item ends in the top list.
        sat = np.flatnonzero(~finite)
        for k in sat:
            out[k][pos, -1] = 1.0
        return np.moveaxis(out.reshape(grid + out.shape[1:]), -1, 0)

    @_quiet
    def item_hit_ratio(self):
        """Per-item hit probabilities, shape ``grid + (n_items,)``."""
        return self.item_list_probability().sum(axis=0)


@_quiet
def lru_m(rates, capacities_per_list, *, weights=None):
    r"""Hit ratio of LRU(m): list-by-list characteristic times.

    LRU(m) [Gas15]_ splits the cache into lists :math:`1..m` of sizes
    :math:`m_1..m_m`. A missed item enters list 1 (the last item of list 1
    leaves the cache); an item hit in list :math:`l < m` moves to the front of
    list :math:`l+1`, whose last item drops to the front of list :math:`l`; a
    hit in list :math:`m` moves to its front (replay:
    :func:`hcimodel.simulate.lru_m_replay`).

    Each list :math:`l` gets a characteristic time :math:`T_l`: an item in list
    :math:`l` not requested for :math:`T_l` drops to list :math:`l-1` (list 0 =
    outside the cache). The resulting birth-death chain has, with
    :math:`z_{is} = e^{\lambda_i T_s} - 1`,

    .. math::

        \pi_{il} = \frac{\prod_{s=1}^{l} z_{is}}
                        {1 + \sum_{j=1}^{m} \prod_{s=1}^{j} z_{is}},
        \qquad \sum_i \pi_{il} = m_l \quad (l = 1..m),

    and the hit probability of item :math:`i` is :math:`\sum_{l \ge 1} \pi_{il}`.
    For :math:`m = 1` this is Che's approximation. The :math:`m` equations are
    solved as :math:`\sum_i \sum_{j \ge l} \pi_{ij} = \sum_{j \ge l} m_j`
    (every left side increases with every :math:`\ln T_s`) by a damped Newton
    iteration in :math:`\ln T` on the logarithms of both sides, with an analytic
    Jacobian :math:`\partial F_l / \partial \ln T_s = \sum_i c_{is}
    (Q_{i,\max(l,s)} - Q_{il} Q_{is})`, where :math:`Q_{il} = \sum_{j \ge l}
    \pi_{ij}` and :math:`c_{is} = \lambda_i T_s / (1 - e^{-\lambda_i T_s})`,
    started from each list taken as an LRU of its own size and stopped at
    :math:`|\Delta \ln T| < 10^{-12}`. (Rates spanning more than the range of
    a double, e.g. :math:`10^{-200}` to :math:`10^{200}`, can leave the
    occupancies matched only approximately; the iteration then stops at its
    best point instead of looping.)

    Parameters
    ----------
    rates : array_like, shape (n_items,)
        Request rates (per second), ``>= 0``, at least one > 0.
    capacities_per_list : array_like, shape (m, ...)
        List sizes in items, each ``> 0``; the first axis runs over the lists,
        further axes form a grid of cache configurations.
    weights : array_like, shape (n_items,), optional
        Multiplicity :math:`m_i` of each rate, ``>= 0`` (default 1 each): the
        catalog has :math:`m_i` items of rate :math:`\lambda_i` (need not be
        whole). Results equal those of the expanded catalog (see the module
        docstring); per-item probabilities are one per entry of ``rates``.

    Returns
    -------
    LRUmResult
        ``hit_ratio`` of shape ``grid``; ``list_hit_ratio`` and
        ``characteristic_times`` of shape ``(m,) + grid``. If the total size
        reaches the catalog size :math:`N_+`, every item ends up cached:
        hit ratio 1, all :math:`T_l = \infty`, all requests in list :math:`m`.
    """
    lam = _rates_array(rates)
    caps = _capacity_array("capacities_per_list", capacities_per_list)
    if caps.ndim == 0 or caps.shape[0] < 1:
        raise ValueError(
            f"capacities_per_list must have a first axis over the lists (got shape {caps.shape})"
        )
    if np.any(caps <= 0):
        raise ValueError("capacities_per_list must be in (0, inf] for every list "
                         f"(got {caps.tolist() if caps.size <= 6 else 'an array with zeros'})")
    m = caps.shape[0]
    grid = caps.shape[1:]
    cf = caps.reshape(m, -1).T  # rows x m
    cat = _catalog(lam, _weights_array(weights, lam))
    n_rows = cf.shape[0]
    tails = np.cumsum(cf[:, ::-1], axis=1)[:, ::-1]  # sum_{j >= l} m_j
    u = np.full((n_rows, m), np.inf)
    rows = np.flatnonzero(tails[:, 0] < cat.n_positive)
    w = cat.weights
    idx_max = np.maximum.outer(np.arange(m), np.arange(m))  # max(l, s)
    for blk in _row_blocks(rows.size, cat.rates.size * m * m * 3):
        r = rows[blk]
        target = np.log(tails[r])
        # Start from each list as an LRU of its own size (exact for m = 1).
        ur = np.log(_single_list_times(cat, cf[r], "lru"))

        def evaluate(uu, idx):
            pi, q, c = _lru_m_state(cat.rates, uu)
            f = np.einsum("rnl,n->rl", q, w)
            g = np.log(f) - target[idx]
            return g, f, q, c

        active = np.arange(len(r))
        g, f, q, c = evaluate(ur, active)
        for _ in range(200):
            if active.size == 0:
                break
            # Jacobian of F_l = sum_i w_i Q_il wrt u_s: sum_i w_i c_is (Q_i,max(l,s) - Q_il Q_is)
            qmax = q[:, :, idx_max]  # rows, n, l, s
            dq = c[:, :, None, :] * (qmax - q[:, :, :, None] * q[:, :, None, :])
            jac = np.einsum("rnls,n->rls", dq, w)
            jac = jac / f[:, :, None]
            jac = np.where(np.isfinite(jac), jac, 0.0)
            step = -(np.linalg.pinv(jac) @ g[..., None])[..., 0]
            step = np.where(np.isfinite(step), step, 0.0)
            big = np.abs(step).max(axis=1, keepdims=True)
            step = step * np.minimum(1.0, 5.0 / np.maximum(big, 1e-300))
            norm = np.abs(g).max(axis=1)
            alpha = np.ones(active.size)
            accepted = np.zeros(active.size, dtype=bool)
            stalled = np.zeros(active.size, dtype=bool)
            new_g, new_f, new_q, new_c = g.copy(), f.copy(), q.copy(), c.copy()
            new_u = ur[active].copy()
            for _ls in range(40):
                todo = np.flatnonzero(~accepted)
                if todo.size == 0:
                    break
                cand = ur[active[todo]] + alpha[todo, None] * step[todo]
                gg, ff, qq, cc = evaluate(cand, active[todo])
                ok = np.abs(gg).max(axis=1) < norm[todo] * (1 - 1e-4 * alpha[todo]) + 1e-300
                stuck = alpha[todo] < 1e-9
                stalled[todo[stuck]] = True
                ok |= stuck
                sel = todo[ok]
                new_u[sel], new_g[sel], new_f[sel] = cand[ok], gg[ok], ff[ok]
                new_q[sel], new_c[sel] = qq[ok], cc[ok]
                accepted[sel] = True
                alpha[todo[~ok]] *= 0.5
            moved = np.abs(new_u - ur[active]).max(axis=1)
            ur[active] = new_u
            g, f, q, c = new_g, new_f, new_q, new_c
            scale = np.maximum(1, np.abs(new_u).max(axis=1))
            # A row whose line search fails is at the limit of double precision
            # (degenerate rates): keep its best point.
            done = (np.abs(g).max(axis=1) < 1e-13) | (moved < _UTOL * scale) | stalled
            keep = ~done
            active = active[keep]
            g, f, q, c = g[keep], f[keep], q[keep], c[keep]
        u[r] = ur
    times = np.exp(u)  # rows x m
    list_hit = np.zeros((n_rows, m))
    list_hit[:, -1] = 1.0  # saturated rows
    for blk in _row_blocks(rows.size, cat.rates.size * m):
        r = rows[blk]
        pi, _, _ = _lru_m_state(cat.rates, u[r])
        list_hit[r] = np.einsum("rnl,n->rl", pi[..., 1:], w * cat.rates) / cat.total_rate
    hit = np.clip(list_hit.sum(axis=1), 0, 1)
    return LRUmResult(hit.reshape(grid), list_hit.T.reshape((m,) + grid),
                      times.T.reshape((m,) + grid), lam)
