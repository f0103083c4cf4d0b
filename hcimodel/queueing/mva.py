"""Closed networks: exact and approximate Mean Value Analysis, asymptotic bounds.

References in :mod:`hcimodel.queueing` ([3]_ Reiser & Lavenberg, [4]_
Lazowska et al., [5]_ Schweitzer, Bard).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._jit import njit
from ..validation import check_integer, check_nonnegative, check_positive

__all__ = ["MVAResult", "MulticlassMVAResult", "ThroughputBounds", "mva", "mva_schweitzer",
           "mva_multiclass_schweitzer", "asymptotic_bounds", "MVA_MAX_POPULATION"]

# ---------------------------------------------------------------------------
# Closed networks: MVA
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MVAResult:
    """Mean Value Analysis of a single-class closed network.

    Rows are populations; columns are the K queueing stations.

    Attributes
    ----------
    population : numpy.ndarray of int, shape (N,)
        Populations n at which the network was solved (1..N for :func:`mva`,
        the single requested N for :func:`mva_schweitzer`).
    throughput : numpy.ndarray, shape (N,)
        System throughput X(n) (1/s), i.e. completed cycles per second.
    response_time : numpy.ndarray, shape (N,)
        Response time R(n) = Σ_k R_k(n) + delay (s), think time excluded.
    queue_length : numpy.ndarray, shape (N, K)
        Mean number of customers at each station Q_k(n) (in service or
        waiting).
    residence_time : numpy.ndarray, shape (N, K)
        Residence time per cycle R_k(n) (s), all visits included.
    utilization : numpy.ndarray, shape (N, K)
        Utilisation U_k(n) = X(n) D_k.
    """

    population: np.ndarray
    throughput: np.ndarray
    response_time: np.ndarray
    queue_length: np.ndarray
    residence_time: np.ndarray
    utilization: np.ndarray


@dataclass(frozen=True, eq=False)
class MulticlassMVAResult:
    """Approximate (Bard–Schweitzer) MVA of a multiclass closed network.

    Attributes
    ----------
    population : numpy.ndarray of int, shape (R,)
        Customers of each class N_r.
    throughput : numpy.ndarray, shape (R,)
        Throughput of each class X_r (1/s).
    response_time : numpy.ndarray, shape (R,)
        Response time of each class R_r = Σ_k R_rk + delay_r (s).
    queue_length : numpy.ndarray, shape (R, K)
        Mean number of class-r customers at station k.
    residence_time : numpy.ndarray, shape (R, K)
        Residence time of class r at station k per cycle (s).
    utilization : numpy.ndarray, shape (K,)
        Total utilisation of each station Σ_r X_r D_rk.
    iterations : int
        Fixed-point iterations used.
    """

    population: np.ndarray
    throughput: np.ndarray
    response_time: np.ndarray
    queue_length: np.ndarray
    residence_time: np.ndarray
    utilization: np.ndarray
    iterations: int


@dataclass(frozen=True, eq=False)
class ThroughputBounds:
    """Asymptotic bounds of a closed network (broadcast shape of ``population``).

    Attributes
    ----------
    population : numpy.ndarray of int
        Population N.
    throughput_lower, throughput_upper : numpy.ndarray
        N / (N D + delay + Z) <= X(N) <= min(N / (D + delay + Z), 1 / D_max) (1/s).
    response_lower, response_upper : numpy.ndarray
        max(D + delay, N D_max − Z) <= R(N) <= N D + delay (s).
    saturation_population : float
        N* = (D + delay + Z) / D_max, where the two upper throughput bounds
        cross.
    """

    population: np.ndarray
    throughput_lower: np.ndarray
    throughput_upper: np.ndarray
    response_lower: np.ndarray
    response_upper: np.ndarray
    saturation_population: float


#: Largest population of exact :func:`mva` (it returns arrays over n = 1..N).
MVA_MAX_POPULATION = 10**7


def _check_demands(demands, ndim=1):
    d = check_nonnegative("demands", demands)
    if d.ndim != ndim or d.size == 0 or 0 in d.shape:
        want = "(K,)" if ndim == 1 else "(R, K)"
        raise ValueError(
            f"demands must be a non-empty array of shape {want} (got shape {d.shape})"
        )
    return d


def _check_cycle(d_total, think, delay):
    if np.any(np.asarray(d_total + think + delay) <= 0):
        raise ValueError(
            "demands, think_time_s and delay must not all be zero: the cycle time "
            "sum(demands) + delay + think_time_s must be > 0"
        )


@njit(cache=True)
def _mva_kernel(demands, think_time_s, delay, population):  # pragma: no cover - compiled
    k_count = demands.size
    x = np.empty(population)
    r = np.empty(population)
    rk = np.empty((population, k_count))
    qk = np.empty((population, k_count))
    q = np.zeros(k_count)
    for n in range(1, population + 1):
        total = delay
        for k in range(k_count):
            res = demands[k] * (1.0 + q[k])
            rk[n - 1, k] = res
            total += res
        xn = n / (total + think_time_s)
        for k in range(k_count):
            q[k] = xn * rk[n - 1, k]
            qk[n - 1, k] = q[k]
        x[n - 1] = xn
        r[n - 1] = total
    return x, r, rk, qk


def mva(demands, think_time_s, population, delay=0.0):
    r"""Exact Mean Value Analysis of a closed single-class network.

    N customers cycle between a think (delay) station of mean time Z, an
    optional pure-delay demand (e.g. network round trips, counted in the
    response time) and K FCFS single-server queueing stations of service
    demands D_k = V_k S_k (visit ratio × service time) [3]_ [4]_:

    .. math::

        R_k(n) = D_k \,\big(1 + Q_k(n-1)\big),\qquad
        R(n) = \sum_k R_k(n) + D_{\mathrm{delay}},\\
        X(n) = \frac{n}{R(n) + Z},\qquad Q_k(n) = X(n) R_k(n),\qquad
        U_k(n) = X(n) D_k,

    from Q_k(0) = 0 for n = 1..N (arrival theorem). Exact for product-form
    networks (exponential FCFS servers with class-independent rates).

    Parameters
    ----------
    demands : array_like of float, shape (K,)
        Service demand of each queueing station per cycle (s), >= 0.
    think_time_s : float
        Mean think time Z (s), >= 0; excluded from the response time.
    population : int
        Number of customers N, integer in [1, :data:`MVA_MAX_POPULATION`]
        (the recursion keeps every n = 1..N: O(N K) memory; use
        :func:`mva_schweitzer` beyond).
    delay : float, optional
        Extra pure-delay demand per cycle (s), >= 0, included in the response
        time (infinite-server station).

    Returns
    -------
    MVAResult
        Arrays over populations n = 1..N.

    References
    ----------
    .. [3] M. Reiser, S. S. Lavenberg, J. ACM 27(2):313–322, 1980.
    .. [4] Lazowska et al., *Quantitative System Performance*, 1984, ch. 6.

    Examples
    --------
    Two balanced stations of demand 1 s and no think time: X(n) = n / (n + 1).

    >>> r = mva([1.0, 1.0], 0.0, 3)
    >>> [round(float(x), 12) for x in r.throughput]
    [0.5, 0.666666666667, 0.75]
    """
    d = np.array(_check_demands(demands), dtype=np.float64)
    z = check_nonnegative("think_time_s", think_time_s, scalar=True)
    n = check_integer("population", population, minimum=1, maximum=MVA_MAX_POPULATION,
                      scalar=True)
    d0 = check_nonnegative("delay", delay, scalar=True)
    _check_cycle(d.sum(), z, d0)
    x, r, rk, qk = _mva_kernel(d, z, d0, n)
    return MVAResult(
        population=np.arange(1, n + 1),
        throughput=x,
        response_time=r,
        queue_length=qk,
        residence_time=rk,
        utilization=x[:, None] * d[None, :],
    )


def mva_schweitzer(demands, think_time_s, population, delay=0.0, tol=1e-10, max_iter=10000):
    r"""Bard–Schweitzer approximate MVA of a closed single-class network.

    Replaces the exact recursion of :func:`mva` by the fixed point [5]_

    .. math::

        R_k = D_k \Big(1 + \frac{N-1}{N} Q_k\Big),\quad
        X = \frac{N}{Z + D_{\mathrm{delay}} + \sum_k R_k},\quad Q_k = X R_k.

    Eliminating Q_k gives R_k = D_k / (1 − f X D_k) with f = (N−1)/N, so the
    fixed point is the unique root of the increasing function

    .. math:: g(X) = X\Big(Z + D_{\mathrm{delay}} + \sum_k \frac{D_k}{1 - f X D_k}\Big) - N

    on [0, min(N/(Z + D_delay + D), 1/(f D_max))), which is solved by Brent's
    method to relative tolerance ``tol`` (no slow substitution near
    saturation). Exact for N = 1; typically within a few per cent of exact
    MVA, and asymptotically exact as N → ∞ (X → 1/D_max).

    Parameters
    ----------
    demands : array_like of float, shape (K,)
        Service demand of each queueing station per cycle (s), >= 0.
    think_time_s : float
        Mean think time Z (s), >= 0; excluded from the response time.
    population : int
        Number of customers N, integer >= 1.
    delay : float, optional
        Extra pure-delay demand per cycle (s), >= 0, included in the response
        time.
    tol : float, optional
        Relative tolerance on the throughput, > 0.
    max_iter : int, optional
        Maximum root-finder iterations, >= 1.

    Returns
    -------
    MVAResult
        Arrays of length 1 (rows of shape (1, K)) at population N.

    Raises
    ------
    RuntimeError
        If the root finder does not converge within ``max_iter`` iterations.

    References
    ----------
    .. [5] P. J. Schweitzer, 1979; Y. Bard, 1979.
    """
    d = _check_demands(demands)
    z = check_nonnegative("think_time_s", think_time_s, scalar=True)
    n = check_integer("population", population, minimum=1, scalar=True)
    d0 = check_nonnegative("delay", delay, scalar=True)
    tol = check_positive("tol", tol, scalar=True)
    max_iter = check_integer("max_iter", max_iter, minimum=1, scalar=True)
    _check_cycle(d.sum(), z, d0)
    f = (n - 1) / n
    base = z + d0
    dmax = float(d.max())

    def g(x):
        return x * (base + np.sum(d / (1.0 - f * x * d))) - n

    hi = n / (base + d.sum())
    if f * dmax > 0:
        pole = 1.0 / (f * dmax)
        if hi >= pole:
            hi = pole * (1.0 - 1e-15)
            while g(hi) <= 0:  # pragma: no cover - only at the edge of rounding
                hi = np.nextafter(hi, pole)
    if g(hi) <= 0:
        x = hi
    else:
        from scipy import optimize

        x = optimize.brentq(g, 0.0, hi, xtol=1e-300, rtol=max(tol, 4 * np.finfo(float).eps),
                            maxiter=max_iter)
    # The fixed point obeys the asymptotic bounds (sum_k Q_k <= N implies
    # X D_max <= 1); clip away the root finder's last-ulp overshoot.
    x = min(x, n / (base + d.sum()), 1.0 / dmax if dmax > 0 else np.inf)
    rk = d / (1.0 - f * x * d)
    qk = x * rk
    return MVAResult(
        population=np.array([n]),
        throughput=np.array([x]),
        response_time=np.array([rk.sum() + d0]),
        queue_length=qk[None, :],
        residence_time=rk[None, :],
        utilization=(x * d)[None, :],
    )


@njit(cache=True)
def _schweitzer_mc_kernel(demands, think, delay, pops, tol, max_iter):  # pragma: no cover
    n_cls, k_count = demands.shape
    q = np.zeros((n_cls, k_count))
    for r in range(n_cls):
        s = 0.0
        for k in range(k_count):
            s += demands[r, k]
        for k in range(k_count):
            q[r, k] = pops[r] * demands[r, k] / s if s > 0 else 0.0
    x = np.zeros(n_cls)
    rk = np.zeros((n_cls, k_count))
    qtot = np.zeros(k_count)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        for k in range(k_count):
            acc = 0.0
            for r in range(n_cls):
                acc += q[r, k]
            qtot[k] = acc
        for r in range(n_cls):
            total = delay[r]
            for k in range(k_count):
                res = demands[r, k] * (1.0 + qtot[k] - q[r, k] / pops[r])
                rk[r, k] = res
                total += res
            x[r] = pops[r] / (think[r] + total)
        err = 0.0
        for r in range(n_cls):
            for k in range(k_count):
                new = x[r] * rk[r, k]
                diff = abs(new - q[r, k]) / max(1.0, pops[r])
                if diff > err:
                    err = diff
                q[r, k] = new
        if err <= tol:
            converged = True
            break
    return x, rk, q, it, converged


def mva_multiclass_schweitzer(demands, think_time_s, populations, delay=0.0, tol=1e-10,
                              max_iter=100000):
    r"""Bard–Schweitzer approximate MVA of a multiclass closed network.

    R classes of customers (class r has N_r customers and think time Z_r)
    share K FCFS single-server stations; class r puts demand D_rk (s) on
    station k per cycle. The arrival-theorem queue seen by a class-r customer
    is approximated by removing 1/N_r of its own class [5]_ [4]_ (§7.4):

    .. math::

        R_{rk} = D_{rk}\Big(1 + Q_k - \frac{Q_{rk}}{N_r}\Big),\quad
        X_r = \frac{N_r}{Z_r + D^{\mathrm{delay}}_r + \sum_k R_{rk}},\quad
        Q_{rk} = X_r R_{rk},\quad Q_k = \sum_r Q_{rk},

    iterated by successive substitution (compiled loop) from Q_rk
    proportional to D_rk until max |ΔQ_rk| / max(1, N_r) <= tol. With
    R = 1 it is :func:`mva_schweitzer`; with R identical classes it equals
    the single-class Schweitzer result for the total population.

    Typical use: clients in R groups, each group with its own server and all
    of them sharing one more (K = R + 1 stations), so that the shared station
    is the bottleneck.

    Parameters
    ----------
    demands : array_like of float, shape (R, K)
        Service demand of class r at station k per cycle (s), >= 0.
    think_time_s : array_like of float, shape (R,) or scalar
        Think time of each class Z_r (s), >= 0; excluded from response times.
    populations : array_like of int, shape (R,) or scalar
        Customers of each class N_r, integers >= 1.
    delay : array_like of float, shape (R,) or scalar, optional
        Pure-delay demand per cycle of each class (s), >= 0, included in its
        response time.
    tol : float, optional
        Convergence tolerance on the change of Q_rk between iterations,
        relative to max(1, N_r), > 0.
    max_iter : int, optional
        Maximum number of iterations, >= 1.

    Returns
    -------
    MulticlassMVAResult

    Raises
    ------
    RuntimeError
        If the iteration has not converged after ``max_iter`` iterations.

    References
    ----------
    .. [5] P. J. Schweitzer, 1979; Y. Bard, 1979.
    .. [4] Lazowska et al., *Quantitative System Performance*, 1984, ch. 7.
    """
    d = _check_demands(demands, ndim=2)
    n_cls = d.shape[0]
    try:
        # np.array copies: writable, contiguous float64 (one compiled signature)
        z = np.array(np.broadcast_to(check_nonnegative("think_time_s", think_time_s), (n_cls,)),
                     dtype=np.float64)
        pops = np.array(np.broadcast_to(check_integer("populations", populations, minimum=1),
                                        (n_cls,)), dtype=np.int64)
        d0 = np.array(np.broadcast_to(check_nonnegative("delay", delay), (n_cls,)),
                      dtype=np.float64)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise ValueError(
                f"think_time_s, populations and delay must be scalars or of shape ({n_cls},) "
                f"to match demands of shape {d.shape}: {exc}") from None
        raise
    tol = check_positive("tol", tol, scalar=True)
    max_iter = check_integer("max_iter", max_iter, minimum=1, scalar=True)
    _check_cycle(d.sum(axis=1), z, d0)
    x, rk, q, it, converged = _schweitzer_mc_kernel(
        np.array(d, dtype=np.float64, order="C"), z, d0, pops.astype(np.float64), tol, max_iter)
    if not converged:
        raise RuntimeError(
            f"mva_multiclass_schweitzer did not converge in max_iter={max_iter} iterations "
            f"(tol={tol:g}); raise max_iter or tol"
        )
    return MulticlassMVAResult(
        population=pops,
        throughput=x,
        response_time=rk.sum(axis=1) + d0,
        queue_length=q,
        residence_time=rk,
        utilization=(x[:, None] * d).sum(axis=0),
        iterations=int(it),
    )


def asymptotic_bounds(demands, think_time_s, population, delay=0.0):
    r"""Asymptotic bounds on throughput and response time of a closed network.

    With D = Σ_k D_k, D_max = max_k D_k [4]_ (§5.3):

    .. math::

        \frac{N}{N D + D_{\mathrm{delay}} + Z} \le X(N) \le
        \min\Big(\frac{N}{D + D_{\mathrm{delay}} + Z}, \frac{1}{D_{\max}}\Big),\\
        \max(D + D_{\mathrm{delay}},\ N D_{\max} - Z) \le R(N) \le N D + D_{\mathrm{delay}}.

    Parameters
    ----------
    demands : array_like of float, shape (K,)
        Service demand of each queueing station per cycle (s), >= 0.
    think_time_s : float
        Mean think time Z (s), >= 0.
    population : array_like of int
        Population(s) N, integers >= 1.
    delay : float, optional
        Pure-delay demand per cycle (s), >= 0, included in the response time.

    Returns
    -------
    ThroughputBounds
        Bounds in 1/s (throughput) and s (response time), broadcast over
        ``population``.

    References
    ----------
    .. [4] Lazowska et al., *Quantitative System Performance*, 1984, ch. 5.
    """
    d = _check_demands(demands)
    z = check_nonnegative("think_time_s", think_time_s, scalar=True)
    n = check_integer("population", population, minimum=1)
    d0 = check_nonnegative("delay", delay, scalar=True)
    _check_cycle(d.sum(), z, d0)
    dsum = float(d.sum())
    dmax = float(d.max())
    nf = n.astype(np.float64)
    with np.errstate(divide="ignore"):
        inv_dmax = 1.0 / dmax if dmax > 0 else np.inf
        x_up = np.minimum(nf / (dsum + d0 + z), inv_dmax)
        x_lo = nf / (nf * dsum + d0 + z)
        r_lo = np.maximum(dsum + d0, nf * dmax - z)
        r_up = nf * dsum + d0
        n_star = (dsum + d0 + z) / dmax if dmax > 0 else np.inf
    return ThroughputBounds(
        population=n,
        throughput_lower=x_lo,
        throughput_upper=x_up,
        response_lower=r_lo,
        response_upper=r_up,
        saturation_population=float(n_star),
    )
