r"""Occupancy under independent reads: distinct blocks, local share, and their inverses.

A reader draws blocks independently, block ``i`` with probability ``p_i``
(the independent reference model, IRM). After ``n`` reads it has seen

.. math:: D(n) = \sum_{i=1}^{m} \left(1 - (1 - p_i)^n\right)

distinct blocks (the occupancy of ``m`` urns after ``n`` balls; Feller,
*An Introduction to Probability Theory*, vol. 1, ch. II.11 and IV.2), which is
:math:`m (1 - (1 - 1/m)^n)` when uniform (the coupon collector). Its next read
is of a block already seen with probability :math:`1 - \sum_i p_i (1 - p_i)^n`.

A cache that fetches a block on its first read and keeps it holds :math:`D(n)`
blocks after ``n`` reads and serves that share of its next read itself: these
functions are its warm-up (:func:`expected_distinct`, :func:`local_share`), the
reads to reach a share (:func:`reads_to_local_share`), to see every block
(:func:`expected_reads_to_fetch_all`) and to have served as many reads from
the cache as it fetched (:func:`payback_reads`).

Every sum over blocks is one chunked pass over groups of equal probability
(:func:`_group_sum`): a Zipf law over 10^7 blocks is binned to at most
16,384 groups (relative error below 1e-6).
"""

from __future__ import annotations

import hashlib

import numpy as np

from .roots import bisect
from .validation import check_integer, check_nonnegative, check_probability

__all__ = ["expected_distinct", "coupon_collector", "expected_reads_to_fetch_all",
           "local_share", "reads_to_local_share", "payback_reads"]

_MAX_GROUPS = 16_384
#: Elements (reads x groups) of one chunk of :func:`_group_sum`.
_CHUNK_ELEMENTS = 4_000_000


def _groups(popularity):
    """(p values, counts) of a popularity vector, binned when it is very long.

    Equal probabilities are merged exactly (uniform gives one group). Beyond
    ``_MAX_GROUPS`` distinct values, blocks are binned on log p and each bin
    carries its mean p, which keeps sum(count * p) = 1 exactly; the relative
    error of the occupancy is below 1e-6 for Zipf laws over 10^7 blocks.
    """
    p = check_probability("popularity", popularity).ravel()
    key = hashlib.blake2b(p.tobytes(), digest_size=16).digest()
    hit = _GROUP_CACHE.get(key)
    if hit is not None:
        return hit
    out = _groups_uncached(p)
    if len(_GROUP_CACHE) >= 8:
        _GROUP_CACHE.pop(next(iter(_GROUP_CACHE)))
    _GROUP_CACHE[key] = out
    return out


_GROUP_CACHE: dict = {}


def _groups_uncached(p):
    if p.size == 0:
        raise ValueError("popularity must hold at least one probability (got an empty array)")
    total = p.sum()
    if not np.isclose(total, 1.0, rtol=1e-9, atol=1e-12):
        raise ValueError(f"popularity must sum to 1 (got sum {total:.12g})")
    p = p[p > 0]
    vals, counts = np.unique(p, return_counts=True)
    if vals.size <= _MAX_GROUPS:
        return vals, counts.astype(float)
    lp = np.log(vals)
    edges = np.linspace(lp[0], lp[-1], _MAX_GROUPS + 1)
    idx = np.clip(np.searchsorted(edges, lp, side="right") - 1, 0, _MAX_GROUPS - 1)
    c = np.bincount(idx, weights=counts, minlength=_MAX_GROUPS)
    mass = np.bincount(idx, weights=counts * vals, minlength=_MAX_GROUPS)
    keep = c > 0
    return mass[keep] / c[keep], c[keep]


def _group_sum(n, p, weight, f):
    r""":math:`\sum_g w_g f(n \log(1 - p_g))` for every element of ``n`` (the one chunked sum).

    ``f(0)`` is taken at ``n = 0`` (no ``0 * -inf`` for ``p = 1``). The reads
    are cut in chunks of about ``_CHUNK_ELEMENTS / groups`` so the
    (reads x groups) temporary stays bounded.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore"):
        lq = np.log1p(-p)  # -inf for p = 1
    flat = n.ravel()
    out = np.empty(flat.size)
    step = max(1, _CHUNK_ELEMENTS // p.size)
    for k in range(0, flat.size, step):
        nk = flat[k:k + step, None]
        with np.errstate(invalid="ignore"):
            x = np.where(nk > 0, nk * lq, 0.0)  # avoid 0 * -inf
        out[k:k + step] = (weight * f(x)).sum(axis=1)
    return out.reshape(n.shape)


def _reads(name, n_reads):
    return check_nonnegative(name, n_reads, allow_inf=True)


def _distinct(n, p, c):
    return -_group_sum(n, p, c, np.expm1)


def _next_local(n, p, c):
    return 1.0 - _group_sum(n, p, c * p, np.exp)


def expected_distinct(n_reads, popularity) -> np.ndarray:
    r"""Expected number of distinct blocks after n independent reads (occupancy).

    .. math:: D(n) = \sum_{i=1}^{m} \left(1 - (1 - p_i)^n\right)
              = -\sum_i \operatorname{expm1}(n \operatorname{log1p}(-p_i))

    This is the number of blocks a cache has fetched after serving ``n`` reads
    when it fetches each block once, on its first read.

    Parameters
    ----------
    n_reads : array_like
        Reads (>= 0, may be fractional or inf).
    popularity : array_like, shape (m,)
        Probability of each block (sums to 1).

    Returns
    -------
    numpy.ndarray
        D(n), blocks, with the shape of ``n_reads``.
    """
    n = _reads("n_reads", n_reads)
    p, c = _groups(popularity)
    return _distinct(n, p, c)


def coupon_collector(n_reads, n_blocks) -> np.ndarray:
    r"""Expected distinct blocks after n uniform reads of m blocks.

    .. math:: D(n) = m \left(1 - (1 - 1/m)^n\right)

    Parameters
    ----------
    n_reads : array_like
        Reads (>= 0).
    n_blocks : array_like of int
        Blocks m (>= 1).

    Returns
    -------
    numpy.ndarray
        Blocks (broadcast shape).
    """
    n = _reads("n_reads", n_reads)
    m = check_integer("n_blocks", n_blocks, minimum=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(n > 0, n * np.log1p(-1.0 / m), 0.0)
    return -m * np.expm1(x)


def expected_reads_to_fetch_all(n_blocks) -> np.ndarray:
    r"""Expected uniform reads until every one of m blocks was read once.

    .. math:: E[T_m] = m H_m = m (\psi(m + 1) + \gamma)

    Parameters
    ----------
    n_blocks : array_like of int
        Blocks m (>= 1).

    Returns
    -------
    numpy.ndarray
        Reads.
    """
    from scipy import special

    m = check_integer("n_blocks", n_blocks, minimum=1).astype(float)
    return m * (special.digamma(m + 1.0) + np.euler_gamma)


def local_share(n_reads, popularity, *, cumulative: bool = False) -> np.ndarray:
    r"""Share of a reader's reads of blocks it has read before: the warm-up curve (IRM).

    The next read after n reads is of a block already read with probability
    :math:`1 - \sum_i p_i (1 - p_i)^n`; over the first n reads the share is
    :math:`(n - D(n)) / n`.

    Parameters
    ----------
    n_reads : array_like
        Reads served (>= 0).
    popularity : array_like, shape (m,)
    cumulative : bool
        Return the share over the first n reads instead of the next read's.

    Returns
    -------
    numpy.ndarray
        Share in [0, 1] (0 at n = 0).
    """
    n = _reads("n_reads", n_reads)
    p, c = _groups(popularity)
    if cumulative:
        d = _distinct(n, p, c)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, np.where(np.isinf(n), 1.0, 1.0 - d / np.where(n > 0, n, 1.0)),
                            0.0)
    return np.clip(_next_local(n, p, c), 0.0, 1.0)


def reads_to_local_share(target, popularity) -> np.ndarray:
    r"""Reads before the next read is of a block already read with probability ``target``.

    Solves :math:`\sum_i p_i (1 - p_i)^n = 1 - \text{target}` for n by bisection
    on log n (:func:`hcimodel.roots.bisect`; the left side decreases in n).
    Uniform popularity has the closed form
    :math:`n = \ln(1 - \text{target}) / \ln(1 - 1/m)`.

    Parameters
    ----------
    target : array_like
        Share in [0, 1). (1 needs infinitely many reads: ``inf``.)
    popularity : array_like, shape (m,)

    Returns
    -------
    numpy.ndarray
        Reads (``inf`` where target = 1).
    """
    t = check_probability("target", target)
    p, c = _groups(popularity)
    if p.size == 1:
        with np.errstate(divide="ignore"):
            return np.where(t < 1, np.log1p(-t) / np.log1p(-p[0]) if p[0] < 1 else 1.0, np.inf)
    # log(n + 1) in [0, 60]: n up to e^60
    _, hi = bisect(lambda mid: _next_local(np.expm1(mid), p, c) < t, np.zeros(t.shape), 60.0)
    return np.where(t < 1, np.expm1(hi), np.inf)


def payback_reads(popularity) -> float:
    r"""Reads after which a cache has served as many reads itself as it fetched (IRM).

    Solves :math:`n - D(n) = D(n)`, i.e. the cumulative local share
    :math:`1 - D(n)/n` reaches 1/2: from then on the fetches have paid for
    themselves in bytes kept off the network. The share rises from 0 at
    ``n = 1`` (``D(1) = 1``) and ``D(n) <= m`` puts it at 1/2 or more by
    ``n = 2m`` (``m`` blocks of non-zero probability), so the root is bracketed
    in ``[1, 2m]`` and unique (``D(n)/n`` decreases, ``D`` being concave with
    ``D(0) = 0``). Uniform popularity over m blocks gives ``n ~ 1.594 m``
    (:math:`1 - e^{-x} = x/2`); one block gives ``n = 2``. For a deterministic
    sequence of ``m_b`` blocks read again and again the answer is exact:
    ``2 m_b`` reads.

    Parameters
    ----------
    popularity : array_like, shape (m,)

    Returns
    -------
    float
        Reads n.
    """
    from scipy import optimize

    p, c = _groups(popularity)

    def excess_share(log_n):  # cumulative local share minus 1/2
        n = np.exp(log_n)
        return 0.5 - float(_distinct(n, p, c)) / n

    hi = np.log(2.0 * c.sum())
    if excess_share(hi) <= 0.0:  # one block: share exactly 1/2 at n = 2
        return float(np.exp(hi))
    return float(np.exp(optimize.brentq(excess_share, 0.0, hi, xtol=1e-13, rtol=1e-13)))
