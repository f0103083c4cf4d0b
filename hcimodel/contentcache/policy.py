r"""The Content Cache and the Extent Cache of the CVM, under the IRM.

The policies of the CVM's read caches (Nutanix Bible, "AOS Storage", 2015),
solved with the characteristic-time machinery of :mod:`hcimodel.caching`
(catalog compression, safeguarded Newton in :math:`\ln T`, multiplicities):

:func:`content_cache`
    The de-duplicated Content Cache: a single-touch memory pool, then a
    multi-touch pool of a memory part and an SSD part.
:func:`extent_cache`
    The Extent Cache: a memory-only LRU of non-fingerprinted extents, keyed by
    location (Che's approximation, :func:`hcimodel.caching.che_lru`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import caching
from ..caching import (_capacity_array, _catalog, _exp_t, _occ_lru, _quiet, _rates_array,
                       _request_weighted, _row_blocks, _solve_increasing, _weights_array, _x)

__all__ = ["ContentCacheResult", "content_cache", "extent_cache"]

#: Row blocks of :func:`content_cache`: its Newton evaluations build a dozen
#: (rows x items) temporaries each, and above a few hundred kB each of them is
#: a fresh mmap that page-faults on first touch (measured: 45 ns per item and
#: evaluation with 33 rows of 10^4 items in one block, 17 ns row by row).
_CC_BLOCK_ELEMENTS = 1 << 16


def extent_cache(rates, capacity, *, weights=None):
    r"""Hit ratio of the Nutanix Extent Cache (memory-only LRU, no dedup).

    The Extent Cache holds non-fingerprinted extents (containers without
    de-duplication) in CVM memory and evicts the least recently used (Nutanix Bible).
    Without de-duplication, every logical block is its own item: pass the
    per-block rates of the *logical* address space (do not merge duplicates;
    compare with :func:`content_cache` on :func:`hcimodel.caching.merge_duplicate_rates`). The
    hit ratio is Che's LRU approximation, exactly :func:`hcimodel.caching.che_lru`:

    .. math:: \sum_{i} \left(1 - e^{-\lambda_i T}\right) = C, \qquad
              h = \sum_i \lambda_i \left(1 - e^{-\lambda_i T}\right) / \sum_i \lambda_i

    Parameters
    ----------
    rates : array_like, shape (n_blocks,)
        Read rates of the logical cache blocks (per second), ``>= 0``.
    capacity : array_like
        Extent Cache size in blocks (e.g. ``capacity_bytes / 4096``), ``>= 0``.
    weights : array_like, shape (n_items,), optional
        Multiplicity :math:`m_i` of each rate, ``>= 0`` (default 1 each): the
        catalog has :math:`m_i` items of rate :math:`\lambda_i` (need not be
        whole). Results equal those of the expanded catalog (see :mod:`hcimodel.caching`); per-item probabilities are one per entry of ``rates``.

    Returns
    -------
    CharacteristicTimeResult
        As :func:`hcimodel.caching.che_lru`.
    """
    return caching.che_lru(rates, capacity, weights=weights)


@dataclass(frozen=True)
class ContentCacheResult:
    """Where the requests to a Content Cache are served, under the IRM.

    Attributes
    ----------
    memory_hit_ratio, ssd_hit_ratio, miss_ratio : numpy.ndarray
        Shares of requests served from memory (single- or multi-touch), from the
        multi-touch SSD part, and missed; they sum to 1.
    hit_ratio : numpy.ndarray
        ``memory_hit_ratio + ssd_hit_ratio``.
    single_touch_time : numpy.ndarray
        :math:`T_1`, time an entry stays in the single-touch pool unless read.
    multi_touch_time : numpy.ndarray
        :math:`T_2`, characteristic time of the whole multi-touch pool.
    memory_time : numpy.ndarray
        :math:`T_m \\le T_2`, characteristic time of its memory part.
    rates : numpy.ndarray
        The request rates (not shown in the repr).
    """

    memory_hit_ratio: np.ndarray
    ssd_hit_ratio: np.ndarray
    miss_ratio: np.ndarray
    hit_ratio: np.ndarray
    single_touch_time: np.ndarray
    multi_touch_time: np.ndarray
    memory_time: np.ndarray
    rates: np.ndarray = field(repr=False, compare=False)

    @_quiet
    def item_probabilities(self):
        """Per-item (memory hit, SSD hit, miss) probabilities.

        Returns
        -------
        tuple of three numpy.ndarray, each of shape ``capacity.shape + (n_items,)``
        """
        t1 = np.asarray(self.single_touch_time)
        t2 = np.asarray(self.multi_touch_time)
        tm = np.asarray(self.memory_time)
        mem, ssd, q = _content_cache_probs(_x(self.rates, t1), _x(self.rates, t2),
                                           _x(self.rates, tm))
        return mem, ssd, 1.0 - q

    @_quiet
    def item_hit_ratio(self):
        r"""Per-item hit probabilities (memory or SSD), ``capacity.shape + (n_items,)``.

        :math:`h^{\mathrm{mem}}_i + h^{\mathrm{ssd}}_i = s_i + q_i (1 - y_i) = q_i`,
        computed directly (two exponentials per item instead of three).
        """
        a = _occ_lru(_x(self.rates, np.asarray(self.single_touch_time)))
        y = np.exp(-_x(self.rates, np.asarray(self.multi_touch_time)))
        return _cached_prob(a, y)


def _cached_prob(a, y):
    """q = a / (y + a): probability an item is in S or the pool (0 where a = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(a > 0, a / (y + a), 0.0)


def _content_cache_probs(x1, x2, xm):
    """Per-item (memory, ssd, q) from lambda*T1, lambda*T2, lambda*Tm."""
    a = _occ_lru(x1)
    y = np.exp(-x2)
    q = _cached_prob(a, y)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(a > 0, a * y / (y + a), 0.0)
    em = np.exp(-xm)
    mem = s + q * (1.0 - em)
    ssd = np.maximum(q * (em - y), 0.0)
    return mem, ssd, q


def _solve_single_touch(cat, cs, y_rows, u_start):
    """ln T1 solving sum_i s_i = C_s for given y = e^{-lambda T2} rows (inf if unreachable)."""
    w = cat.weights
    sup = (y_rows / (1.0 + y_rows)) @ w
    u1 = np.full(cs.size, np.inf)
    ok = np.flatnonzero(cs < sup * (1 - 1e-12))
    if ok.size:
        def fun(u, idx):
            x1 = _exp_t(u)[:, None] * cat.rates
            a = _occ_lru(x1)
            y = y_rows[ok[idx]]
            den = y + a
            s = a * y
            s /= den
            # ds/du = (y / den)^2 x1 e^{-x1}, with e^{-x1} = 1 - a: one exp
            # fewer, exact enough for a Newton derivative
            ds = np.divide(y, den, out=den)
            ds *= ds
            ds *= x1
            ds *= np.subtract(1.0, a, out=a)
            return s @ w, ds @ w

        guess = np.log(cs[ok]) - np.log(cat.total_rate)
        u0 = np.where(np.isfinite(u_start[ok]), u_start[ok], guess)
        u1[ok] = _solve_increasing(fun, cs[ok], u0)
    return u1


@_quiet
def content_cache(rates, single_touch_capacity, multi_touch_memory_capacity,
                  multi_touch_ssd_capacity, *, weights=None):
    r"""Memory hit, SSD hit and miss ratios of the 2015 Content Cache.

    The Content Cache (Nutanix Bible, "AOS Storage"; exact replay:
    :func:`hcimodel.simulate.segmented_lru_replay`) has a single-touch memory
    pool S (capacity :math:`C_s`) and a multi-touch pool of a memory part M
    (:math:`C_m`) and an SSD part D (:math:`C_d`). A miss enters S; a read of an
    entry of S moves it to the top of M (a memory hit); a hit in M or D moves
    the entry to the top of M (memory or SSD hit); M overflows into the top of
    D and D overflows out of the cache. M followed by D is one LRU list of
    :math:`C_p = C_m + C_d` entries fed by promotions from S. Entries of S are
    never refreshed in S (a read promotes them), so S behaves like a FIFO of
    missed items.

    **Characteristic-time approximation** (derived here, in the style of
    Martina et al. 2014, :mod:`hcimodel.caching`; validated against the exact replay in the tests). An entry stays
    in S for a time :math:`T_1` unless read; an entry of the multi-touch pool
    stays there for :math:`T_2` after its last read, in memory for the first
    :math:`T_m \le T_2` of it. With :math:`a_i = 1 - e^{-\lambda_i T_1}` and
    :math:`y_i = e^{-\lambda_i T_2}`, look at item :math:`i` just before each of
    its requests (inter-request time :math:`\tau \sim \mathrm{Exp}(\lambda_i)`):
    after a hit (S or pool) it sits at the top of the pool and is still in the
    pool at the next request iff :math:`\tau < T_2`; after a miss it sits in S
    and is still there iff :math:`\tau < T_1`. With :math:`p_i, s_i` the
    probabilities of finding it in the pool or in S,

    .. math::

        p_i = (p_i + s_i)(1 - y_i), \quad s_i = (1 - p_i - s_i)\, a_i
        \;\Rightarrow\;
        q_i = p_i + s_i = \frac{a_i}{y_i + a_i}, \quad
        s_i = \frac{a_i y_i}{y_i + a_i}, \quad
        p_i = \frac{a_i (1 - y_i)}{y_i + a_i}.

    The characteristic times solve the occupancy constraints (PASTA makes the
    request-epoch probabilities time averages)

    .. math::

        \sum_i s_i = C_s, \qquad \sum_i p_i = C_m + C_d, \qquad
        \sum_i q_i \left(1 - e^{-\lambda_i T_m}\right) = C_m,

    and item :math:`i` is served from memory, from SSD, or missed with
    probabilities

    .. math::

        h^{\mathrm{mem}}_i = s_i + q_i\left(1 - e^{-\lambda_i T_m}\right), \quad
        h^{\mathrm{ssd}}_i = q_i\left(e^{-\lambda_i T_m} - e^{-\lambda_i T_2}\right), \quad
        m_i = 1 - q_i .

    Since :math:`s_i \le y_i / (1 + y_i)`, S may never fill: then
    :math:`T_1 = \infty` (the constraint on S is not binding). The pair
    :math:`(T_1, T_2)` is found by a safeguarded Newton iteration on
    :math:`\ln T_2`, solving :math:`\ln T_1` for each trial :math:`T_2` (also
    by safeguarded Newton) and using the implicit derivative; :math:`\sum_i p_i`
    increases along that curve, so the solution is unique.

    Parameters
    ----------
    rates : array_like, shape (n_items,)
        Read rates of distinct *contents* (per second), ``>= 0``. The cache is
        de-duplicated: merge the rates of identical blocks first with
        :func:`hcimodel.caching.merge_duplicate_rates`.
    single_touch_capacity : array_like
        :math:`C_s`, entries of the single-touch memory pool, ``>= 0``.
    multi_touch_memory_capacity : array_like
        :math:`C_m`, entries of the multi-touch memory part, ``>= 0``.
    multi_touch_ssd_capacity : array_like
        :math:`C_d`, entries of the multi-touch SSD part, ``>= 0``. The three
        capacities broadcast together.
    weights : array_like, shape (n_items,), optional
        Multiplicity :math:`m_i` of each rate, ``>= 0`` (default 1 each): the
        catalog has :math:`m_i` items of rate :math:`\lambda_i` (need not be
        whole). Results equal those of the expanded catalog (see :mod:`hcimodel.caching`); per-item probabilities are one per entry of ``rates``.

    Returns
    -------
    ContentCacheResult
        Ratios and characteristic times of the broadcast shape. With
        :math:`C_s = 0` nothing is ever cached (miss ratio 1, all times 0).
    """
    lam = _rates_array(rates)
    names = ("single_touch_capacity", "multi_touch_memory_capacity", "multi_touch_ssd_capacity")
    arrs = [_capacity_array(nm, v) for nm, v in
            zip(names, (single_touch_capacity, multi_touch_memory_capacity,
                        multi_touch_ssd_capacity))]
    try:
        cs, cm, cd = (np.array(b) for b in np.broadcast_arrays(*arrs))
    except ValueError:
        raise ValueError("single_touch_capacity, multi_touch_memory_capacity and "
                         "multi_touch_ssd_capacity must broadcast (got shapes "
                         f"{[a.shape for a in arrs]})") from None
    shape = cs.shape
    cs, cm, cd = cs.ravel(), cm.ravel(), cd.ravel()
    cp = cm + cd
    cat = _catalog(lam, _weights_array(weights, lam))
    w, rts = cat.weights, cat.rates
    k = cs.size
    u1 = np.full(k, -np.inf)
    u2 = np.full(k, -np.inf)
    um = np.full(k, -np.inf)
    live = cs > 0
    # Pool large enough for the whole catalog: everything ends in the pool.
    sat = live & (cp >= cat.n_positive)
    u1[sat] = np.inf
    u2[sat] = np.inf
    # Empty pool: T2 = 0 (y = 1); S alone, each item alternates miss / promote.
    empty = np.flatnonzero(live & (cp <= 0))
    for blk in _row_blocks(empty.size, rts.size, _CC_BLOCK_ELEMENTS):
        r = empty[blk]
        ones = np.ones((r.size, rts.size))
        u1[r] = _solve_single_touch(cat, cs[r], ones, np.full(r.size, np.nan))
    rows = np.flatnonzero(live & (cp > 0) & ~sat)
    for blk in _row_blocks(rows.size, rts.size, _CC_BLOCK_ELEMENTS):
        r = rows[blk]
        u1_state = np.full(r.size, np.nan)

        def fun(u, idx):
            x2 = _exp_t(u)[:, None] * rts
            y = np.exp(-x2)
            uu1 = _solve_single_touch(cat, cs[r[idx]], y, u1_state[idx])
            u1_state[idx] = uu1
            x1 = _exp_t(uu1)[:, None] * rts
            a = _occ_lru(x1)
            # da/du1 = x1 e^{-x1} = x1 (1 - a) (0 where T1 is infinite)
            da = np.subtract(1.0, a)
            da *= x1
            da[~np.isfinite(x1)] = 0.0
            dy = x2
            dy *= y
            np.negative(dy, out=dy)
            omy = np.subtract(1.0, y)
            den = y + a
            p = a * omy
            p /= den
            den *= den
            # dp/da = y (1 - y) / den^2, dp/dy = -a (1 + a) / den^2,
            # ds/da = y^2 / den^2, ds/dy = a^2 / den^2
            tmp = np.multiply(y, da)
            tmp /= den
            dp_u1 = (tmp * omy) @ w
            s_u1 = (tmp * y) @ w
            tmp = np.multiply(a, dy, out=tmp)
            tmp /= den
            s_u2 = (tmp * a) @ w
            dp_u2 = -((tmp * (1.0 + a)) @ w)
            with np.errstate(invalid="ignore", divide="ignore"):
                du1 = np.where(np.isfinite(uu1) & (s_u1 > 0), -s_u2 / s_u1, 0.0)
            dF = dp_u2 + dp_u1 * du1
            return p @ w, dF

        u2[r] = _solve_increasing(fun, cp[r], np.log(cp[r]) - np.log(cat.total_rate))
        x2 = _exp_t(u2[r])[:, None] * rts
        u1[r] = _solve_single_touch(cat, cs[r], np.exp(-x2), u1_state)
    # Memory part of the multi-touch pool.
    mrows = np.flatnonzero(live & (cm > 0))
    for blk in _row_blocks(mrows.size, rts.size, _CC_BLOCK_ELEMENTS):
        r = mrows[blk]
        with np.errstate(invalid="ignore"):
            a = _occ_lru(_exp_t(u1[r])[:, None] * rts)
            y = np.exp(-_exp_t(u2[r])[:, None] * rts)
        q = _cached_prob(a, y)
        qsum = q @ w
        res = np.where(cd[r] <= 0, u2[r], np.inf)
        need = np.flatnonzero((cd[r] > 0) & (cm[r] < qsum * (1 - 1e-12)))
        if need.size:
            def fun_m(u, idx):
                xm = _exp_t(u)[:, None] * rts
                qq = q[need[idx]]
                om = _occ_lru(xm)
                f = (qq * om) @ w
                # d/du (1 - e^{-xm}) = xm e^{-xm} = xm (1 - om), xm finite here
                np.subtract(1.0, om, out=om)
                om *= xm
                om *= qq
                return f, om @ w

            cmn = cm[r][need]
            res[need] = _solve_increasing(fun_m, cmn, np.log(cmn) - np.log(cat.total_rate))
        um[r] = np.minimum(res, u2[r])
    t1, t2, tm = _exp_t(u1), _exp_t(u2), _exp_t(um)
    # Caches that never hold anything report zero times.
    t1[~live] = t2[~live] = tm[~live] = 0.0
    mem = np.zeros(k)
    ssd = np.zeros(k)
    miss = np.ones(k)
    lv = np.flatnonzero(live)
    for blk in _row_blocks(lv.size, rts.size, _CC_BLOCK_ELEMENTS):
        r = lv[blk]
        pm, ps, q = _content_cache_probs(_x(rts, t1[r]), _x(rts, t2[r]), _x(rts, tm[r]))
        mem[r] = _request_weighted(cat, pm)
        ssd[r] = _request_weighted(cat, ps)
        miss[r] = _request_weighted(cat, 1.0 - q)
    mem, ssd, miss = np.clip(mem, 0, 1), np.clip(ssd, 0, 1), np.clip(miss, 0, 1)
    tot = mem + ssd + miss
    mem, ssd, miss = mem / tot, ssd / tot, miss / tot
    return ContentCacheResult(mem.reshape(shape), ssd.reshape(shape), miss.reshape(shape),
                              (mem + ssd).reshape(shape), t1.reshape(shape), t2.reshape(shape),
                              tm.reshape(shape), lam)
