"""Open queues: M/M/1, M/M/c, M/G/1, M/D/1, G/G/1 (Kingman), G/G/c (Allen-Cunneen).

Mean waits, queue lengths and utilisation as a :class:`QueueMetrics`; for
M/M/1 and M/M/c the result also knows the distribution of the waiting and the
response time (references in :mod:`hcimodel.queueing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..roots import bisect
from ..validation import check_integer, check_nonnegative, check_positive, check_probability
from .erlang import erlang_c

__all__ = ["QueueMetrics", "mm1", "mmc", "mg1", "md1", "gg1_kingman", "ggc_allen_cunneen"]

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
        lo, hi = bisect(lambda t: self._response_tail(t) > surv, 0.0, hi, iterations=100)
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

