r"""Distributions built from queues: a latency mixture's quantile, the D/M/1 root.

:func:`shifted_exponential_mixture_quantile`
    A request routed to one of several M/M/1 queues (response time
    exponential with rate :math:`\mu - \lambda_k`), each behind its own
    constant delay :math:`d_k`, has the latency of a mixture of shifted
    exponentials; its quantiles by bisection (:func:`hcimodel.roots.bisect`).
:func:`dm1_sigma`
    The root :math:`\sigma` of the D/M/1 queue: an arrival waits with
    probability :math:`\sigma`, its wait given it waits is exponential of rate
    :math:`\mu (1 - \sigma)` (Kleinrock [1]_ §6.4; Gross et al. [2]_ §6.3).

References in :mod:`hcimodel.queueing`.
"""

from __future__ import annotations

import numpy as np

from ..roots import bisect
from ..validation import check_in_range, check_integer, check_nonnegative

__all__ = ["shifted_exponential_mixture_quantile", "dm1_sigma"]


def shifted_exponential_mixture_quantile(p, weights, rates, shifts, *, iterations: int = 80):
    r"""Quantile of a mixture of shifted exponential distributions.

    The mixture has CDF

    .. math:: F(t) = \sum_k w_k \bigl(1 - e^{-a_k (t - d_k)}\bigr)^+ ,

    increasing in :math:`t`; the p-quantile is bracketed by 0 and the largest
    of the components' own p-quantiles :math:`d_k - \ln(1 - p) / a_k`, and
    found by bisection (:func:`hcimodel.roots.bisect`), vectorized over any
    leading axes.

    Parameters
    ----------
    p : float
        Probability in (0, 1).
    weights, rates, shifts : array_like, shape (..., K)
        Weights ``w_k`` (summing to 1 along the last axis), rates ``a_k`` (1/s;
        ``inf`` for a point mass at ``d_k``, ``0`` for a component that never
        completes) and shifts ``d_k`` (s).
    iterations : int
        Halvings of the bracket (default 80: full double precision).

    Returns
    -------
    numpy.ndarray, shape (...)
        The p-quantile (s); ``inf`` where a component with positive weight has
        rate 0 and the quantile falls in it.

    Examples
    --------
    >>> float(shifted_exponential_mixture_quantile(0.5, [1.0], [2.0], [0.0]))  # ln 2 / 2
    0.34657359027997264
    """
    p = check_in_range("p", p, 0.0, 1.0, low_inclusive=False, high_inclusive=False, scalar=True)
    iterations = check_integer("iterations", iterations, minimum=1, maximum=10_000, scalar=True)
    parts = (check_nonnegative("weights", weights), check_nonnegative("rates", rates, allow_inf=True),
             check_nonnegative("shifts", shifts))
    try:
        w, a, d = np.broadcast_arrays(*parts)
    except ValueError:
        raise ValueError("weights, rates and shifts must broadcast (got shapes "
                         f"{[np.shape(x) for x in parts]})") from None
    if w.ndim == 0 or w.shape[-1] == 0:
        raise ValueError(f"weights, rates and shifts need a last axis of at least one component "
                         f"(got shape {w.shape})")
    with np.errstate(divide="ignore"):
        comp_q = d + np.where(w > 0, -np.log1p(-p) / a, 0.0)
    hi = np.max(comp_q, axis=-1)
    finite = np.isfinite(hi)

    def cdf(t):
        x = np.clip(t[..., None] - d, 0.0, None)
        with np.errstate(invalid="ignore"):
            body = np.where(a > 0, -np.expm1(-a * x), 0.0)
        return np.sum(w * body, axis=-1)

    # If some component never completes, the quantile may still be finite when
    # the others carry enough weight: bound it by the finite components.
    hi_f = np.where(finite, hi, np.max(np.where(np.isfinite(comp_q), comp_q, 0.0), axis=-1))
    reachable = cdf(hi_f) >= p - 1e-12
    _, up = bisect(lambda t: cdf(t) < p, 0.0, hi_f, iterations=iterations)
    return np.where(reachable, up, np.inf)


def dm1_sigma(rho) -> np.ndarray:
    r"""Root :math:`\sigma \in (0, 1)` of :math:`\sigma = e^{-(1-\sigma)/\rho}` (D/M/1).

    Solved in closed form with the principal branch of Lambert's W,
    :math:`\sigma = -W_0(-a e^{-a})/a` with :math:`a = 1/\rho`, then polished by
    three Newton steps (the branch point at :math:`\rho \to 1` costs W half its
    digits). Vectorized.

    Parameters
    ----------
    rho : array_like
        Utilisation :math:`\rho = S/I = \lambda/\mu`, ``>= 0``.

    Returns
    -------
    numpy.ndarray
        :math:`\sigma`; 0 at :math:`\rho = 0` and 1 for :math:`\rho \ge 1`
        (no root below 1: the queue is unstable).

    Examples
    --------
    >>> round(float(dm1_sigma(0.5)), 10)
    0.2031878699
    """
    from scipy import special

    rho = check_nonnegative("rho", rho, allow_inf=True)
    ok = (rho > 0) & (rho < 1)
    # rho below 1e-300 would make a = 1/rho overflow (sigma underflows to 0 anyway)
    a = 1.0 / np.where(ok, np.maximum(rho, 1e-300), 0.5)
    sig = np.real(-special.lambertw(-a * np.exp(-a), 0) / a)
    sig = np.clip(sig, 0.0, 1.0 - 1e-300)
    for _ in range(3):
        e = np.exp(-a * (1.0 - sig))
        g, dg = sig - e, 1.0 - a * e
        sig = np.clip(sig - np.where(dg != 0, g / np.where(dg != 0, dg, 1.0), 0.0),
                      0.0, np.nextafter(1.0, 0.0))
    return np.where(ok, sig, np.where(rho >= 1, 1.0, 0.0))
