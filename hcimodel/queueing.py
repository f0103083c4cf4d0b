"""Closed-form queueing models and Mean Value Analysis of closed networks.

Open queues
-----------
:func:`erlang_b`, :func:`erlang_c`
    Blocking and waiting probabilities of c-server systems, computed in log
    space so that they stay exact to ~1e-10 for 10^5 servers at loads close to
    the server count.
:func:`mm1`, :func:`mmc`, :func:`mg1`, :func:`md1`, :func:`gg1_kingman`, :func:`ggc_allen_cunneen`
    Mean waits, queue lengths and utilisation as a :class:`QueueMetrics`. For
    M/M/1 and M/M/c the result also knows the distribution of the waiting and
    the response time (:meth:`QueueMetrics.wait_tail`,
    :meth:`QueueMetrics.wait_quantile`, :meth:`QueueMetrics.response_quantile`).

Closed networks
---------------
:func:`mva`
    Exact Mean Value Analysis (Reiser & Lavenberg) for a single class of
    customers visiting FCFS single-server stations plus pure delays, for every
    population 1..N (compiled loop; N = 10^5 takes milliseconds).
:func:`mva_schweitzer`, :func:`mva_multiclass_schweitzer`
    Bard–Schweitzer approximate MVA, single class and multiclass.
:func:`asymptotic_bounds`
    Asymptotic throughput and response-time bounds.

Conventions
-----------
All rates are per second (1/s), all times in seconds (s). Inputs broadcast like
numpy arrays. An unstable open queue (utilisation >= 1) is a legitimate answer:
its mean wait, response time and queue lengths are ``inf`` (never NaN), its
waiting probability is 1 and its ``stable`` flag is False.

References
----------
.. [1] L. Kleinrock, *Queueing Systems, Vol. 1: Theory*, Wiley, 1975.
.. [2] D. Gross, J. F. Shortle, J. M. Thompson, C. M. Harris, *Fundamentals of
   Queueing Theory*, 4th ed., Wiley, 2008.
.. [3] M. Reiser, S. S. Lavenberg, "Mean-value analysis of closed multichain
   queuing networks", *J. ACM* 27(2):313–322, 1980.
.. [4] E. D. Lazowska, J. Zahorjan, G. S. Graham, K. C. Sevcik, *Quantitative
   System Performance*, Prentice-Hall, 1984 (chapters 5–7).
.. [5] P. J. Schweitzer, "Approximate analysis of multiclass closed networks of
   queues", Proc. Int. Conf. Stochastic Control and Optimization, 1979;
   Y. Bard, "Some extensions to multiclass queueing network analysis", 1979.
.. [6] J. F. C. Kingman, "The single server queue in heavy traffic", *Proc.
   Cambridge Phil. Soc.* 57:902–904, 1961.
.. [7] A. O. Allen, *Probability, Statistics and Queueing Theory*, 2nd ed.,
   Academic Press, 1990 (Allen–Cunneen approximation); W. Whitt,
   "Approximations for the GI/G/m queue", *Production and Operations
   Management* 2(2):114–161, 1993.
.. [8] D. L. Jagerman, "Some properties of the Erlang loss function", *Bell
   System Technical Journal* 53(3):525–551, 1974.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._jit import njit
from .validation import (
    check_integer,
    check_nonnegative,
    check_positive,
    check_probability,
)

__all__ = [
    "erlang_b",
    "erlang_c",
    "QueueMetrics",
    "mm1",
    "mmc",
    "mg1",
    "md1",
    "gg1_kingman",
    "ggc_allen_cunneen",
    "MVAResult",
    "MulticlassMVAResult",
    "ThroughputBounds",
    "mva",
    "mva_schweitzer",
    "mva_multiclass_schweitzer",
    "asymptotic_bounds",
    "MVA_MAX_POPULATION",
]

# log cdf below which the Poisson form of Erlang B is replaced by the series
_LOGCDF_FLOOR = -500.0


# ---------------------------------------------------------------------------
# Erlang B and C
# ---------------------------------------------------------------------------
def _erlang_b_recurrence(servers, offered_load):
    """Erlang B by the classical recurrence (reference implementation).

    B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1}), in plain Python floats, one
    element at a time. Numerically stable but O(c) per element; used in the
    tests to check :func:`erlang_b`.
    """
    c, a = np.broadcast_arrays(np.asarray(servers, dtype=np.int64),
                               np.asarray(offered_load, dtype=np.float64))
    out = np.empty(c.shape)
    for idx in np.ndindex(c.shape):
        ci, ai = int(c[idx]), float(a[idx])
        b = 1.0
        for k in range(1, ci + 1):
            b = ai * b / (k + ai * b)
        out[idx] = b
    return out


def _erlang_b_series(c, a, chunk=4096):
    """Erlang B for a >> c from 1/B = sum_{j=0}^{c} prod_{i<j} (c - i)/a.

    The terms decay at least like (c/a)^j, so a few dozen to a few hundred of
    them suffice wherever the Poisson cdf underflows (a well above c).
    """
    c = np.asarray(c, dtype=np.int64).ravel()
    a = np.asarray(a, dtype=np.float64).ravel()
    out = np.empty(c.size)
    decay = np.maximum(np.log(a / c), 1e-3)
    nterms = np.minimum(c, np.ceil(80.0 / decay).astype(np.int64))
    from scipy import special

    for s in range(0, c.size, chunk):
        cc, aa, nn = c[s:s + chunk], a[s:s + chunk], nterms[s:s + chunk]
        i = np.arange(int(nn.max()))
        valid = i[None, :] < nn[:, None]
        ratio = np.where(valid, (cc[:, None] - i[None, :]) / aa[:, None], 1.0)
        logt = np.cumsum(np.log(ratio), axis=1)
        logt = np.where(valid, logt, -np.inf)
        logt = np.concatenate([np.zeros((cc.size, 1)), logt], axis=1)
        out[s:s + chunk] = np.exp(-special.logsumexp(logt, axis=1))
    return out


def erlang_b(servers, offered_load):
    r"""Erlang B: probability that an arrival is blocked in an M/M/c/c loss system.

    .. math::

        B(c, a) = \frac{a^c / c!}{\sum_{k=0}^{c} a^k / k!}
                = \frac{\mathrm{pmf}(c; a)}{\mathrm{cdf}(c; a)}

    with pmf and cdf those of a Poisson law of mean ``a``. The ratio is taken
    in log space (``scipy.stats.poisson.logpmf`` / ``logcdf``), which is exact
    to about 1e-10 relative for 10^5 servers; where the Poisson cdf underflows
    (load far above the server count) the series
    :math:`1/B = \sum_{j=0}^{c} \prod_{i<j} (c-i)/a` is summed instead [8]_.
    The result equals the classical recurrence
    :math:`B_0 = 1,\ B_k = a B_{k-1} / (k + a B_{k-1})` [1]_.

    Parameters
    ----------
    servers : array_like of int
        Number of servers c, integer >= 1.
    offered_load : array_like of float
        Offered load a = λ/μ in erlangs (dimensionless), >= 0, finite.

    Returns
    -------
    numpy.ndarray
        Blocking probability in [0, 1], broadcast shape of the inputs.

    References
    ----------
    .. [1] Kleinrock, *Queueing Systems, Vol. 1*, 1975, §3.6.
    .. [8] D. L. Jagerman, Bell System Technical Journal 53(3), 1974.

    Examples
    --------
    >>> round(float(erlang_b(10, 5.0)), 6)
    0.018385
    """
    from scipy.stats import poisson

    c = check_integer("servers", servers, minimum=1)
    a = check_nonnegative("offered_load", offered_load)
    c, a = np.broadcast_arrays(c, a)
    cf = c.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logpmf = np.asarray(poisson.logpmf(cf, a), dtype=np.float64)
        logcdf = np.asarray(poisson.logcdf(cf, a), dtype=np.float64)
        b = np.array(np.exp(logpmf - logcdf), dtype=np.float64)
    b[a == 0] = 0.0
    bad = (a > 0) & (~np.isfinite(logcdf) | (logcdf < _LOGCDF_FLOOR) | ~np.isfinite(b))
    if np.any(bad):
        b[bad] = _erlang_b_series(c[bad], a[bad])
    return np.clip(b, 0.0, 1.0)


def erlang_c(servers, offered_load):
    r"""Erlang C: probability that an arrival waits in an M/M/c queue.

    .. math::

        C(c, a) = \frac{B(c, a)}{1 - \rho\,(1 - B(c, a))},
        \qquad \rho = a / c < 1,

    with B the Erlang B function (:func:`erlang_b`); C = 1 when a >= c (the
    queue is unstable and every arrival eventually waits) [1]_ [2]_.

    Parameters
    ----------
    servers : array_like of int
        Number of servers c, integer >= 1.
    offered_load : array_like of float
        Offered load a = λ/μ in erlangs (dimensionless), >= 0, finite.

    Returns
    -------
    numpy.ndarray
        Probability of waiting in [0, 1], broadcast shape of the inputs.

    References
    ----------
    .. [1] Kleinrock, *Queueing Systems, Vol. 1*, 1975, eq. (3.40).
    .. [2] Gross et al., *Fundamentals of Queueing Theory*, 2008, §2.3.

    Examples
    --------
    >>> from fractions import Fraction
    >>> Fraction(float(erlang_c(4, 3.0))).limit_denominator(100)
    Fraction(27, 53)
    """
    c = check_integer("servers", servers, minimum=1)
    a = check_nonnegative("offered_load", offered_load)
    c, a = np.broadcast_arrays(c, a)
    b = erlang_b(c, a)
    rho = a / c
    stable = a < c
    with np.errstate(divide="ignore", invalid="ignore"):
        cw = b / (1.0 - rho * (1.0 - b))
    return np.clip(np.where(stable, cw, 1.0), 0.0, 1.0)


# ---------------------------------------------------------------------------
# Open-queue results
# ---------------------------------------------------------------------------
_EXPONENTIAL_MODELS = ("M/M/1", "M/M/c")


@dataclass(frozen=True, eq=False)
class QueueMetrics:
    """Steady-state metrics of an open queue (arrays of the broadcast shape).

    Attributes
    ----------
    utilization : numpy.ndarray
        Per-server utilisation ρ = λ / (c μ) (dimensionless). Reported as
        offered even when >= 1 (unstable).
    p_wait : numpy.ndarray
        Probability that an arrival waits (exact for M/M/c and M/G/1,
        approximate for the G/G models; 1 when unstable).
    mean_wait : numpy.ndarray
        Mean waiting time in queue Wq (s); ``inf`` when unstable.
    mean_response : numpy.ndarray
        Mean response (sojourn) time W = Wq + E[S] (s); ``inf`` when unstable.
    mean_queue_length : numpy.ndarray
        Mean number waiting Lq = λ Wq; ``inf`` when unstable.
    mean_in_system : numpy.ndarray
        Mean number in system L = λ W; ``inf`` when unstable.
    stable : numpy.ndarray of bool
        True where ρ < 1.
    model : str
        Which model produced the metrics ("M/M/1", "M/M/c", "M/G/1", "M/D/1",
        "G/G/1 Kingman", "G/G/c Allen-Cunneen").

    Notes
    -----
    The distribution methods (:meth:`wait_tail`, :meth:`wait_quantile`,
    :meth:`response_quantile`) exist for the Markovian models M/M/1 and M/M/c
    only; for the others they raise :class:`NotImplementedError`.
    """

    utilization: np.ndarray
    p_wait: np.ndarray
    mean_wait: np.ndarray
    mean_response: np.ndarray
    mean_queue_length: np.ndarray
    mean_in_system: np.ndarray
    stable: np.ndarray
    model: str = "M/M/c"
    _arrival_rate: np.ndarray | None = field(default=None, repr=False)
    _service_rate: np.ndarray | None = field(default=None, repr=False)
    _servers: np.ndarray | None = field(default=None, repr=False)

    # -- helpers -----------------------------------------------------------
    def _require_exponential(self, what):
        if self.model not in _EXPONENTIAL_MODELS or self._service_rate is None:
            raise NotImplementedError(
                f"{what} is only available for M/M/1 and M/M/c queues (model is {self.model})"
            )

    def _drain_rate(self):
        """θ = cμ − λ (1/s), the rate of the exponential part of the wait; 1 where unstable."""
        theta = self._servers * self._service_rate - self._arrival_rate
        return np.where(self.stable, theta, 1.0)

    # -- distributions -----------------------------------------------------
    def wait_tail(self, t):
        r"""P(Wq > t): probability that the wait in queue exceeds ``t``.

        .. math:: P(W_q > t) = C\, e^{-(c\mu - \lambda) t}

        with C the Erlang C probability [2]_ (§2.3). Equals 1 where unstable.

        Parameters
        ----------
        t : array_like of float
            Time (s), >= 0 (``inf`` allowed); broadcasts with the metrics.

        Returns
        -------
        numpy.ndarray
            Tail probability in [0, 1].
        """
        self._require_exponential("wait_tail")
        t = check_nonnegative("t", t, allow_inf=True)
        theta = self._drain_rate()
        tail = self.p_wait * np.exp(-theta * t)
        return np.where(self.stable, tail, 1.0)

    def wait_quantile(self, q):
        r"""The q-quantile of the wait in queue Wq (s).

        .. math::

            w_q = \begin{cases} 0 & q \le 1 - C \\
                  \ln\!\big(C / (1 - q)\big) / (c\mu - \lambda) & q > 1 - C
                  \end{cases}

        i.e. inf{t : P(Wq <= t) >= q}; ``inf`` for q = 1 (when C > 0) and
        wherever the queue is unstable.

        Parameters
        ----------
        q : array_like of float
            Probability in [0, 1].

        Returns
        -------
        numpy.ndarray
            Quantile of the waiting time (s).
        """
        self._require_exponential("wait_quantile")
        q = check_probability("q", q)
        theta = self._drain_rate()
        c = self.p_wait
        survive = 1.0 - q
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.log(c / survive) / theta
        w = np.where(survive < c, w, 0.0)
        return np.where(self.stable, w, np.inf)

    def response_tail(self, t):
        r"""P(T > t): probability that the response time T = Wq + S exceeds ``t``.

        With θ = cμ − λ, the response time is S ~ Exp(μ) with probability
        1 − C and S + Exp(θ) (hypoexponential) with probability C [2]_:

        .. math::

            P(T > t) = (1 - C) e^{-\mu t}
                     + C e^{-a t}\left[1 + a\,\frac{1 - e^{-(b - a) t}}{b - a}\right],
            \quad a = \min(\theta, \mu),\ b = \max(\theta, \mu),

        the bracket tending to 1 + a t when b = a. For M/M/1 this reduces to
        exp(−(μ − λ) t). Equals 1 where unstable.

        Parameters
        ----------
        t : array_like of float
            Time (s), >= 0 (``inf`` allowed).

        Returns
        -------
        numpy.ndarray
            Tail probability in [0, 1].
        """
        self._require_exponential("response_tail")
        t = check_nonnegative("t", t, allow_inf=True)
        return np.where(self.stable, self._response_tail(t), 1.0)

    def _response_tail(self, t):
        mu = self._service_rate
        theta = self._drain_rate()
        c = self.p_wait
        lo = np.minimum(theta, mu)
        d = np.abs(theta - mu)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g = np.where(d > 0, -np.expm1(-d * t) / np.where(d > 0, d, 1.0), t)
            hypo = np.exp(-lo * t) * (1.0 + lo * g)
            hypo = np.where(np.isinf(t), 0.0, hypo)
        tail = (1.0 - c) * np.exp(-mu * t) + c * hypo
        return np.clip(tail, 0.0, 1.0)

    def response_quantile(self, q):
        r"""The q-quantile of the response time T = Wq + S (s).

        For M/M/1 the response time is exponential with rate μ − λ, so
        t_q = −ln(1 − q) / (μ − λ). For M/M/c the equation P(T > t) = 1 − q
        (see :meth:`response_tail`) is solved by a vectorised bisection on
        [0, 2 ln(2/(1−q)) / min(θ, μ)], which brackets the root because
        P(T > t) <= 2 exp(−min(θ, μ) t / 2); 100 halvings give full double
        precision. ``inf`` for q = 1 and wherever the queue is unstable.

        Parameters
        ----------
        q : array_like of float
            Probability in [0, 1].

        Returns
        -------
        numpy.ndarray
            Quantile of the response time (s).
        """
        self._require_exponential("response_quantile")
        q = check_probability("q", q)
        mu = self._service_rate
        theta = self._drain_rate()
        survive = 1.0 - q
        if self.model == "M/M/1":
            with np.errstate(divide="ignore"):
                t = -np.log1p(-q) / theta
            return np.where(self.stable, t, np.inf)
        shape = np.broadcast_shapes(np.shape(q), np.shape(theta))
        surv = np.broadcast_to(survive, shape)
        rate = np.broadcast_to(np.minimum(theta, mu), shape)
        with np.errstate(divide="ignore"):
            hi = 2.0 * np.log(2.0 / surv) / rate
        finite = np.isfinite(hi)
        hi = np.where(finite, hi, 0.0)
        lo = np.zeros(shape)
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            above = self._response_tail(mid) > surv
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
        t = np.where(finite, 0.5 * (lo + hi), np.inf)
        t = np.where(surv >= 1.0, 0.0, t)
        return np.where(self.stable, t, np.inf)


def _metrics(model, lam, mu, c, rho, p_wait, wq, service_time):
    """Assemble a QueueMetrics, turning unstable entries into inf / 1 / False."""
    lam, mu, c, rho, p_wait, wq, service_time = np.broadcast_arrays(
        lam, mu, c, rho, p_wait, wq, service_time)
    stable = rho < 1.0
    wq = np.where(stable, wq, np.inf)
    # no arrivals, no wait: a closed form's 0 * inf (e.g. es**2 or an SCV overflowing) is 0
    wq = np.where(np.isnan(wq) & (lam == 0), 0.0, wq)
    w = wq + service_time
    with np.errstate(invalid="ignore"):
        lq = np.where(stable, lam * wq, np.inf)
        ls = np.where(stable, lam * w, np.inf)
    return QueueMetrics(
        utilization=np.array(rho, dtype=np.float64),
        p_wait=np.where(stable, p_wait, 1.0).astype(np.float64),
        mean_wait=np.array(wq, dtype=np.float64),
        mean_response=np.array(w, dtype=np.float64),
        mean_queue_length=np.array(lq, dtype=np.float64),
        mean_in_system=np.array(ls, dtype=np.float64),
        stable=np.array(stable, dtype=bool),
        model=model,
        _arrival_rate=np.array(lam, dtype=np.float64),
        _service_rate=np.array(mu, dtype=np.float64),
        _servers=np.array(c),
    )


# ---------------------------------------------------------------------------
# Open queues
# ---------------------------------------------------------------------------
def mmc(arrival_rate, service_rate, servers):
    r"""M/M/c queue: Poisson arrivals, exponential service, c FCFS servers.

    .. math::

        \rho = \frac{\lambda}{c\mu},\quad P(\text{wait}) = C(c, \lambda/\mu),\quad
        W_q = \frac{C}{c\mu - \lambda},\quad W = W_q + \frac{1}{\mu},\quad
        L_q = \lambda W_q,\quad L = \lambda W

    with C the Erlang C function (:func:`erlang_c`) [1]_ [2]_.

    Parameters
    ----------
    arrival_rate : array_like of float
        Arrival rate λ (1/s), >= 0.
    service_rate : array_like of float
        Service rate μ of one server (1/s), > 0.
    servers : array_like of int
        Number of servers c, integer >= 1.

    Returns
    -------
    QueueMetrics
        Waits in seconds; unstable entries (ρ >= 1) are ``inf`` with
        ``stable`` False. The result supports :meth:`QueueMetrics.wait_tail`,
        :meth:`QueueMetrics.wait_quantile` and
        :meth:`QueueMetrics.response_quantile`.

    References
    ----------
    .. [1] Kleinrock, *Queueing Systems, Vol. 1*, 1975, §3.5.
    .. [2] Gross et al., *Fundamentals of Queueing Theory*, 2008, §2.3.

    Examples
    --------
    >>> m = mmc(3.0, 1.0, 4)        # c = 4, a = 3: C = 27/53, W = 80/53 s
    >>> round(float(m.mean_response), 12) == round(80 / 53, 12)
    True
    """
    lam = check_nonnegative("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    c = check_integer("servers", servers, minimum=1)
    lam, mu, c = np.broadcast_arrays(lam, mu, c)
    a = lam / mu
    rho = a / c
    stable = rho < 1.0
    cw = erlang_c(c, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        wq = np.where(stable, cw / np.where(stable, c * mu - lam, 1.0), np.inf)
    return _metrics("M/M/c", lam, mu, c, rho, cw, wq, 1.0 / mu)


def mm1(arrival_rate, service_rate):
    r"""M/M/1 queue: Poisson arrivals, one exponential FCFS server.

    .. math::

        \rho = \lambda/\mu,\quad P(\text{wait}) = \rho,\quad
        W_q = \frac{\rho}{\mu - \lambda},\quad W = \frac{1}{\mu - \lambda},\quad
        L = \frac{\rho}{1 - \rho}

    and the response time is exponential with rate μ − λ [1]_ (§3.2).

    Parameters
    ----------
    arrival_rate : array_like of float
        Arrival rate λ (1/s), >= 0.
    service_rate : array_like of float
        Service rate μ (1/s), > 0.

    Returns
    -------
    QueueMetrics
        Waits in seconds; unstable entries (ρ >= 1) are ``inf`` with
        ``stable`` False.

    References
    ----------
    .. [1] Kleinrock, *Queueing Systems, Vol. 1*, 1975.
    """
    lam = check_nonnegative("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    lam, mu = np.broadcast_arrays(lam, mu)
    rho = lam / mu
    stable = rho < 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        wq = np.where(stable, rho / np.where(stable, mu - lam, 1.0), np.inf)
    return _metrics("M/M/1", lam, mu, np.ones(lam.shape, dtype=np.int64), rho, rho, wq, 1.0 / mu)


def mg1(arrival_rate, mean_service_s, scv_service):
    r"""M/G/1 queue by the Pollaczek–Khinchine formula.

    .. math::

        \rho = \lambda E[S],\quad E[S^2] = (1 + c_s^2) E[S]^2,\quad
        W_q = \frac{\lambda E[S^2]}{2 (1 - \rho)}
            = \frac{\rho}{1 - \rho}\,\frac{1 + c_s^2}{2}\,E[S],\quad
        W = W_q + E[S]

    P(wait) = ρ is exact (PASTA) [1]_ (§5.6).

    Parameters
    ----------
    arrival_rate : array_like of float
        Arrival rate λ (1/s), >= 0.
    mean_service_s : array_like of float
        Mean service time E[S] (s), > 0.
    scv_service : array_like of float
        Squared coefficient of variation of the service time
        c_s² = Var[S]/E[S]² (dimensionless), >= 0 (0 deterministic, 1
        exponential).

    Returns
    -------
    QueueMetrics
        Means only (``model`` "M/G/1"); unstable entries are ``inf``.

    References
    ----------
    .. [1] Kleinrock, *Queueing Systems, Vol. 1*, 1975, eq. (5.72).
    """
    lam = check_nonnegative("arrival_rate", arrival_rate)
    es = check_positive("mean_service_s", mean_service_s)
    cs2 = check_nonnegative("scv_service", scv_service)
    return _mg1(lam, es, cs2, "M/G/1")


def _mg1(lam, es, cs2, model):
    lam, es, cs2 = np.broadcast_arrays(lam, es, cs2)
    rho = lam * es
    stable = rho < 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        wq = np.where(stable, lam * (1.0 + cs2) * es ** 2 / (2.0 * np.where(stable, 1.0 - rho, 1.0)),
                      np.inf)
        # lam (1 + cs2) overflowing while es**2 underflows is inf * 0: regroup as rho * es
        wq = np.where(np.isnan(wq), rho * (1.0 + cs2) * es / (2.0 * (1.0 - rho)), wq)
    return _metrics(model, lam, 1.0 / es, np.ones(lam.shape, dtype=np.int64), rho, rho, wq, es)


def md1(arrival_rate, service_rate):
    r"""M/D/1 queue (deterministic service): half the M/M/1 wait.

    .. math:: W_q = \frac{\rho}{2 \mu (1 - \rho)},\quad \rho = \lambda / \mu

    (Pollaczek–Khinchine with c_s² = 0, see :func:`mg1`) [1]_.

    Parameters
    ----------
    arrival_rate : array_like of float
        Arrival rate λ (1/s), >= 0.
    service_rate : array_like of float
        Service rate μ = 1 / (service time) (1/s), > 0.

    Returns
    -------
    QueueMetrics
        Means only (``model`` "M/D/1"); unstable entries are ``inf``.

    References
    ----------
    .. [1] Kleinrock, *Queueing Systems, Vol. 1*, 1975, §5.6.
    """
    lam = check_nonnegative("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    return _mg1(lam, 1.0 / mu, 0.0, "M/D/1")


def gg1_kingman(arrival_rate, service_rate, scv_arrival, scv_service):
    r"""G/G/1 queue by Kingman's heavy-traffic approximation.

    .. math::

        W_q \approx \frac{\rho}{1 - \rho}\,\frac{c_a^2 + c_s^2}{2}\,\frac{1}{\mu},
        \qquad \rho = \lambda/\mu

    exact for M/M/1 (c_a² = c_s² = 1) and M/G/1 (c_a² = 1), asymptotically
    exact as ρ → 1, an approximation otherwise [6]_. P(wait) is approximated
    by ρ (exact with Poisson arrivals); L_q and L follow from Little's law.

    Parameters
    ----------
    arrival_rate : array_like of float
        Arrival rate λ (1/s), >= 0.
    service_rate : array_like of float
        Service rate μ (1/s), > 0.
    scv_arrival : array_like of float
        Squared coefficient of variation of inter-arrival times c_a², >= 0.
    scv_service : array_like of float
        Squared coefficient of variation of service times c_s², >= 0.

    Returns
    -------
    QueueMetrics
        Means only (``model`` "G/G/1 Kingman"); unstable entries are ``inf``.

    References
    ----------
    .. [6] J. F. C. Kingman, Proc. Cambridge Phil. Soc. 57, 1961.
    """
    lam = check_nonnegative("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    ca2 = check_nonnegative("scv_arrival", scv_arrival)
    cs2 = check_nonnegative("scv_service", scv_service)
    lam, mu, ca2, cs2 = np.broadcast_arrays(lam, mu, ca2, cs2)
    rho = lam / mu
    stable = rho < 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        wq = np.where(stable,
                      rho / np.where(stable, 1.0 - rho, 1.0) * 0.5 * (ca2 + cs2) / mu,
                      np.inf)
        # ca2 + cs2 overflowing: halve before adding (0 * inf otherwise at rho = 0)
        wq = np.where(np.isnan(wq), rho / (1.0 - rho) * (0.5 * ca2 + 0.5 * cs2) / mu, wq)
    return _metrics("G/G/1 Kingman", lam, mu, np.ones(lam.shape, dtype=np.int64), rho, rho,
                    wq, 1.0 / mu)


def ggc_allen_cunneen(arrival_rate, service_rate, servers, scv_arrival, scv_service):
    r"""G/G/c queue by the Allen–Cunneen approximation.

    .. math::

        W_q \approx \frac{C(c, \lambda/\mu)}{c\mu - \lambda}\,\frac{c_a^2 + c_s^2}{2}

    i.e. the M/M/c wait scaled by (c_a² + c_s²)/2; exact for M/M/c, equal to
    Kingman's formula for c = 1 [7]_. P(wait) is approximated by the Erlang C
    probability C(c, λ/μ); L_q and L follow from Little's law.

    Parameters
    ----------
    arrival_rate : array_like of float
        Arrival rate λ (1/s), >= 0.
    service_rate : array_like of float
        Service rate μ of one server (1/s), > 0.
    servers : array_like of int
        Number of servers c, integer >= 1.
    scv_arrival : array_like of float
        Squared coefficient of variation of inter-arrival times c_a², >= 0.
    scv_service : array_like of float
        Squared coefficient of variation of service times c_s², >= 0.

    Returns
    -------
    QueueMetrics
        Means only (``model`` "G/G/c Allen-Cunneen"); unstable entries are
        ``inf``.

    References
    ----------
    .. [7] A. O. Allen, *Probability, Statistics and Queueing Theory*, 1990;
       W. Whitt, Production and Operations Management 2(2), 1993.
    """
    lam = check_nonnegative("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    c = check_integer("servers", servers, minimum=1)
    ca2 = check_nonnegative("scv_arrival", scv_arrival)
    cs2 = check_nonnegative("scv_service", scv_service)
    lam, mu, c, ca2, cs2 = np.broadcast_arrays(lam, mu, c, ca2, cs2)
    a = lam / mu
    rho = a / c
    stable = rho < 1.0
    cw = erlang_c(c, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        wq = np.where(stable, cw / np.where(stable, c * mu - lam, 1.0) * 0.5 * (ca2 + cs2),
                      np.inf)
        # ca2 + cs2 overflowing: halve before adding (0 * inf otherwise when cw underflows)
        wq = np.where(np.isnan(wq), cw / (c * mu - lam) * (0.5 * ca2 + 0.5 * cs2), wq)
    return _metrics("G/G/c Allen-Cunneen", lam, mu, c, rho, cw, wq, 1.0 / mu)


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
            "demands, think_time and delay must not all be zero: the cycle time "
            "sum(demands) + delay + think_time must be > 0"
        )


@njit(cache=True)
def _mva_kernel(demands, think_time, delay, population):  # pragma: no cover - compiled
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
        xn = n / (total + think_time)
        for k in range(k_count):
            q[k] = xn * rk[n - 1, k]
            qk[n - 1, k] = q[k]
        x[n - 1] = xn
        r[n - 1] = total
    return x, r, rk, qk


def mva(demands, think_time, population, delay=0.0):
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
    think_time : float
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
    z = check_nonnegative("think_time", think_time, scalar=True)
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


def mva_schweitzer(demands, think_time, population, delay=0.0, tol=1e-10, max_iter=10000):
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
    think_time : float
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
    z = check_nonnegative("think_time", think_time, scalar=True)
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


def mva_multiclass_schweitzer(demands, think_times, populations, delay=0.0, tol=1e-10,
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

    Typical use: desktops on H nodes as H classes, each reading its local CVM
    and a shared "replica" CVM (K = H + 1 stations).

    Parameters
    ----------
    demands : array_like of float, shape (R, K)
        Service demand of class r at station k per cycle (s), >= 0.
    think_times : array_like of float, shape (R,) or scalar
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
        z = np.array(np.broadcast_to(check_nonnegative("think_times", think_times), (n_cls,)),
                     dtype=np.float64)
        pops = np.array(np.broadcast_to(check_integer("populations", populations, minimum=1),
                                        (n_cls,)), dtype=np.int64)
        d0 = np.array(np.broadcast_to(check_nonnegative("delay", delay), (n_cls,)),
                      dtype=np.float64)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise ValueError(
                f"think_times, populations and delay must be scalars or of shape ({n_cls},) "
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


def asymptotic_bounds(demands, think_time, population, delay=0.0):
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
    think_time : float
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
    z = check_nonnegative("think_time", think_time, scalar=True)
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
