r"""Exact Monte Carlo twin of a closed queueing network, in steady state or with finite jobs.

The network is the one exact MVA solves, simulated event by event:

- :math:`N` customers, each of a class :math:`r` (for instance
  where it comes from), :math:`N_r` of class :math:`r`;
- a customer *thinks* for an exponential time of mean :math:`Z_r` (s) at a
  delay station, then sends one request to station :math:`k` with probability
  :math:`p_{rk}`;
- :math:`K` FCFS single-server stations (for instance
  servers), exponential
  service of mean :math:`s_k` (s);
- after service, an optional pure delay :math:`d_r` (s; constant or
  exponential, e.g. the network round trip) is added to the request's response
  time; then the customer thinks again.

The pure delay is an infinite-server station, so throughput and queue
lengths are those of the product-form network with think time :math:`Z_r + d_r`
whatever the law of :math:`d_r`; the response time of a request is its time at
the station plus :math:`d_r`.

The kernel (numba) keeps the think ends (and exponential delay ends) in a
binary heap of customers, the service ends in one slot per station and the
constant delays in one FIFO per class, so a request costs one heap removal and
one insertion, :math:`O(\log N)`. Randomness comes from a NumPy ``Generator``
passed into the compiled kernel (SPEC 7).

References
----------
M. Reiser and S. S. Lavenberg, "Mean-value analysis of closed multichain
queuing networks", J. ACM 27 (1980) 313–322.
E. D. Lazowska et al., *Quantitative System Performance*, Prentice-Hall 1984,
ch. 6–7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from ..streams import as_generator
from ..validation import check_choice, check_duration, check_integer, check_probability

__all__ = [
    "ClosedNetworkResult",
    "FiniteJobsResult",
    "simulate_closed_network",
    "simulate_finite_jobs",
]

_THINK, _AT_STATION, _DELAY, _DONE = 0, 1, 2, 3


# --------------------------------------------------------------------------
# Binary min-heap of the customers whose next event is random (think ends,
# exponential delays); keys and customers side by side
# --------------------------------------------------------------------------

@numba.njit(cache=True)
def _push(hkey, hcust, size, k, c):
    """Insert customer c with key k into a heap of ``size`` entries; returns the new size."""
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if hkey[p] <= k:
            break
        hkey[i] = hkey[p]
        hcust[i] = hcust[p]
        i = p
    hkey[i] = k
    hcust[i] = c
    return size + 1


@numba.njit(cache=True)
def _pop(hkey, hcust, size):
    """Remove the root of a heap of ``size`` entries; returns the new size."""
    size -= 1
    if size == 0:
        return 0
    k = hkey[size]
    c = hcust[size]
    i = 0
    while True:
        ch = 2 * i + 1
        if ch >= size:
            break
        if ch + 1 < size and hkey[ch + 1] < hkey[ch]:
            ch += 1
        if hkey[ch] >= k:
            break
        hkey[i] = hkey[ch]
        hcust[i] = hcust[ch]
        i = ch
    hkey[i] = k
    hcust[i] = c
    return size


@numba.njit(cache=True)
def _advance(k, t, qlen, last, area_q, area_b):
    dt = t - last[k]
    area_q[k] += qlen[k] * dt
    if qlen[k] > 0:
        area_b[k] += dt
    last[k] = t


@numba.njit(cache=True)
def _exp(rng, mean):
    """One exponential draw of the given mean (s); 0 when the mean is 0.

    A single call site for the Generator keeps numba's compile time short.
    """
    if mean > 0.0:
        return mean * rng.standard_exponential()
    return 0.0


@numba.njit(cache=True)
def _closed_kernel(service_s, cum_p, think_s, delay_s, delay_exp, cust_class,
                   limit_per_cust, max_completions, warmup, rng,
                   hkey, hcust, skey, dq, dhead, dlen, dend, phase, start, done, finish,
                   qbuf, qhead, qlen, last, area_q, area_b, snap, resp, cls_sum, cls_cnt):
    """Event-driven simulation of the closed network.

    Pending events live in three places, and the next one is the earliest of
    them: a binary heap of the customers who think (or sit in an exponential
    delay), the service end of each station (``skey``, inf when idle; K
    entries scanned), and per class a FIFO of the customers in a constant
    delay (their ends come in the order they entered). A request then costs
    one heap removal and one insertion instead of the four updates of an
    indexed heap over every entity. With continuous laws the event order, and
    so every random draw, is the one of a single priority queue.

    The state arrays are allocated by :func:`_run` (allocation inside a numba
    function costs seconds of compile time). On return ``resp`` holds the
    response times (s) of completions ``warmup+1 .. max_completions`` in
    completion order, ``area_q``/``area_b`` the station areas (queue length x s
    and busy s) since t = 0, ``snap`` the same areas at the warm-up's last
    completion, ``finish`` each customer's time of leaving (when
    ``limit_per_cust > 0``) and ``cls_sum``/``cls_cnt`` the per-class sum and
    count of the recorded response times. Returns ``(t_warm, t_end)``.
    """
    n_cust = cust_class.shape[0]
    n_st = service_s.shape[0]
    n_cls = think_s.shape[0]
    inf = np.inf

    # everyone starts thinking at t = 0; stations idle (key = inf)
    size = 0
    for i in range(n_cust):
        size = _push(hkey, hcust, size, _exp(rng, think_s[cust_class[i]]), i)

    n_done = 0
    t = 0.0
    t_warm = 0.0
    while n_done < max_completions:
        # ---- the earliest pending event
        src = 0
        t = hkey[0] if size > 0 else inf
        kk = 0
        for k in range(n_st):
            if skey[k] < t:
                t = skey[k]
                src = 1
                kk = k
        for r in range(n_cls):
            if dlen[r] > 0 and dend[dq[r, dhead[r]]] < t:
                t = dend[dq[r, dhead[r]]]
                src = 2
                kk = r
        if src == 1:
            # ---- service completion at station k
            k = kk
            _advance(k, t, qlen, last, area_q, area_b)
            c = qbuf[k, qhead[k]]
            qhead[k] = qhead[k] + 1 if qhead[k] + 1 < n_cust else 0
            qlen[k] -= 1
            if qlen[k] > 0:
                skey[k] = t + _exp(rng, service_s[k])
            else:
                skey[k] = inf
            d = delay_s[cust_class[c]]
            if d > 0.0:
                phase[c] = _DELAY
                if delay_exp:
                    size = _push(hkey, hcust, size, t + _exp(rng, d), c)
                else:
                    r = cust_class[c]
                    tail = dhead[r] + dlen[r]
                    if tail >= n_cust:
                        tail -= n_cust
                    dq[r, tail] = c
                    dlen[r] += 1
                    dend[c] = t + d
                continue
            # no delay: the request completes now (fall through with c)
        elif src == 2:
            # ---- end of a constant delay: falls through to completion
            r = kk
            c = dq[r, dhead[r]]
            dhead[r] = dhead[r] + 1 if dhead[r] + 1 < n_cust else 0
            dlen[r] -= 1
        else:
            c = hcust[0]
            size = _pop(hkey, hcust, size)
            if phase[c] == _THINK:
                # ---- think end: send one request to a station
                r = cust_class[c]
                u = rng.random()
                k = 0
                while k < n_st - 1 and u >= cum_p[r, k]:
                    k += 1
                start[c] = t
                phase[c] = _AT_STATION
                _advance(k, t, qlen, last, area_q, area_b)
                tail = qhead[k] + qlen[k]
                if tail >= n_cust:
                    tail -= n_cust
                qbuf[k, tail] = c
                qlen[k] += 1
                if qlen[k] == 1:
                    skey[k] = t + _exp(rng, service_s[k])
                continue
            # ---- end of an exponential delay: falls through to completion
        # ---- completion of customer c's request at time t
        n_done += 1
        r = cust_class[c]
        if n_done > warmup:
            resp[n_done - warmup - 1] = t - start[c]
            cls_sum[r] += t - start[c]
            cls_cnt[r] += 1
        elif n_done == warmup:
            t_warm = t
            for k in range(n_st):
                _advance(k, t, qlen, last, area_q, area_b)
                snap[0, k] = area_q[k]
                snap[1, k] = area_b[k]
        done[c] += 1
        if limit_per_cust > 0 and done[c] >= limit_per_cust:
            phase[c] = _DONE
            finish[c] = t
        else:
            phase[c] = _THINK
            size = _push(hkey, hcust, size, t + _exp(rng, think_s[r]), c)

    for k in range(n_st):
        _advance(k, t, qlen, last, area_q, area_b)
    return t_warm, t


def _run(s, cum, z, d, d_exp, cls, limit, max_completions, warmup, gen):
    """Allocate the state, run the kernel, return its outputs (see kernel)."""
    n_cust, n_st, n_cls = cls.shape[0], s.shape[0], z.shape[0]
    hkey = np.empty(n_cust)
    hcust = np.empty(n_cust, dtype=np.int64)
    skey = np.full(n_st, np.inf)
    dq = np.empty((n_cls, n_cust), dtype=np.int64)
    dhead = np.zeros(n_cls, dtype=np.int64)
    dlen = np.zeros(n_cls, dtype=np.int64)
    dend = np.zeros(n_cust)
    phase = np.zeros(n_cust, dtype=np.int64)
    start = np.zeros(n_cust)
    done = np.zeros(n_cust, dtype=np.int64)
    finish = np.full(n_cust, np.inf)
    qbuf = np.empty((n_st, n_cust), dtype=np.int64)
    qhead = np.zeros(n_st, dtype=np.int64)
    qlen = np.zeros(n_st, dtype=np.int64)
    last = np.zeros(n_st)
    area_q = np.zeros(n_st)
    area_b = np.zeros(n_st)
    snap = np.zeros((2, n_st))
    resp = np.empty(max_completions - warmup)
    cls_sum = np.zeros(n_cls)
    cls_cnt = np.zeros(n_cls, dtype=np.int64)
    t_warm, t_end = _closed_kernel(
        s, cum, z, d, d_exp, cls, limit, max_completions, warmup, gen,
        hkey, hcust, skey, dq, dhead, dlen, dend, phase, start, done, finish,
        qbuf, qhead, qlen, last, area_q, area_b, snap, resp, cls_sum, cls_cnt)
    return (resp, t_warm, t_end, area_q - snap[0], area_b - snap[1], finish, cls_sum,
            cls_cnt)


# --------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------

def _per_class(name, value, n_cls, check):
    arr = check(name, value)
    if arr.ndim == 0:
        return np.full(n_cls, float(arr))
    if arr.shape != (n_cls,):
        raise ValueError(f"{name} must be a scalar or have one value per class, shape "
                         f"({n_cls},) (got shape {arr.shape})")
    return arr


def _check_network(service_s, visit_prob, think_time_s, population_per_class, delay_s,
                   delay_distribution):
    s = check_duration("service_s", service_s, positive=True)
    if s.ndim == 0:
        s = s.reshape(1)
    if s.ndim != 1:
        raise ValueError(f"service_s must be 1-D, one mean per station (got shape {s.shape})")
    n_st = s.shape[0]
    pop = check_integer("population_per_class", population_per_class, minimum=0)
    if pop.ndim == 0:
        pop = pop.reshape(1)
    if pop.ndim != 1 or pop.sum() < 1:
        raise ValueError("population_per_class must be 1-D with a total of at least one "
                         f"customer (got {pop.tolist()})")
    n_cls = pop.shape[0]
    p = check_probability("visit_prob", visit_prob)
    if p.ndim == 1 and n_cls == 1:
        p = p.reshape(1, -1)
    if p.shape != (n_cls, n_st):
        raise ValueError(f"visit_prob must have shape (classes, stations) = ({n_cls}, {n_st}) "
                         f"(got shape {p.shape})")
    rows = p.sum(axis=1)
    if np.any(np.abs(rows - 1.0) > 1e-9):
        raise ValueError(f"visit_prob rows must sum to 1 (got row sums {rows.tolist()})")
    z = _per_class("think_time_s", think_time_s, n_cls, check_duration)
    d = _per_class("delay_s", delay_s, n_cls, check_duration)
    check_choice("delay_distribution", delay_distribution, ("constant", "exponential"))
    # the kernel picks the first k with u < cum[r, k]: a station of probability
    # zero is skipped (equal cumulative values), and from each row's last
    # positive entry on the cumulative sum is set to inf so rounding never
    # routes past it
    cum = np.cumsum(p, axis=1)
    for r in range(n_cls):
        cum[r, np.flatnonzero(p[r] > 0)[-1]:] = np.inf
    cls = np.repeat(np.arange(n_cls, dtype=np.int64), pop)
    return s, cum, z, d, delay_distribution == "exponential", cls, pop


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class ClosedNetworkResult:
    """Steady-state estimates from :func:`simulate_closed_network`.

    Attributes
    ----------
    throughput_per_s : float
        Total throughput, requests completed per second (1/s).
    throughput_per_class_per_s : numpy.ndarray, shape (R,)
        Throughput of each class (1/s).
    mean_response_s : numpy.ndarray, shape (R,)
        Mean response time of each class (s): queueing + service + pure delay.
        ``inf`` for a class that completed no request in the window (empty
        class).
    mean_response_all_s : float
        Mean response time over all measured requests (s).
    p95_response_s, p99_response_s : float
        95th and 99th percentiles of the response time, all classes (s).
    utilization : numpy.ndarray, shape (K,)
        Time-averaged fraction of time each station is busy.
    mean_queue_length : numpy.ndarray, shape (K,)
        Time-averaged number of requests at each station, in service included.
    n_requests : int
        Requests measured (completed after the warm-up).
    warmup_requests : int
        Requests completed during the discarded warm-up.
    measured_time_s : float
        Length of the measurement window (s).
    """

    throughput_per_s: float
    throughput_per_class_per_s: np.ndarray
    mean_response_s: np.ndarray
    mean_response_all_s: float
    p95_response_s: float
    p99_response_s: float
    utilization: np.ndarray
    mean_queue_length: np.ndarray
    n_requests: int
    warmup_requests: int
    measured_time_s: float


@dataclass(frozen=True)
class FiniteJobsResult:
    """Outcome of :func:`simulate_finite_jobs`.

    Attributes
    ----------
    completion_time_s : numpy.ndarray, shape (N,)
        Time at which each customer completed its last request (s); customers
        are ordered by class.
    customer_class : numpy.ndarray, shape (N,)
        Class index of each customer.
    makespan_s : float
        Time until every customer has completed (s).
    mean_response_s : numpy.ndarray, shape (R,)
        Mean response time of each class's requests (s); ``inf`` for a class
        with no customer.
    mean_response_all_s : float
        Mean response time over all requests (s).
    p95_response_s, p99_response_s : float
        95th and 99th percentiles of the response time of all requests (s).
    utilization : numpy.ndarray, shape (K,)
        Fraction of the makespan each station was busy.
    mean_queue_length : numpy.ndarray, shape (K,)
        Time-averaged number of requests at each station over the makespan.
    n_requests : int
        Total number of requests (customers x requests per customer).
    response_times_s : numpy.ndarray or None
        Response time (s) of every request in completion order, when
        ``keep_responses=True``; otherwise None.
    """

    completion_time_s: np.ndarray
    customer_class: np.ndarray
    makespan_s: float
    mean_response_s: np.ndarray
    mean_response_all_s: float
    p95_response_s: float
    p99_response_s: float
    utilization: np.ndarray
    mean_queue_length: np.ndarray
    n_requests: int
    response_times_s: np.ndarray | None


def _class_means(cls_sum, cls_cnt):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cls_cnt > 0, cls_sum / np.maximum(cls_cnt, 1), np.inf)


def simulate_closed_network(service_s, visit_prob, think_time_s, population_per_class, *,
                            delay_s=0.0, delay_distribution="constant", n_requests=200_000,
                            warmup_requests=None, rng=None) -> ClosedNetworkResult:
    r"""Simulate the closed network in steady state.

    Parameters
    ----------
    service_s : array_like, shape (K,)
        Mean service time of each FCFS single-server station (s), ``> 0``;
        service is exponential.
    visit_prob : array_like, shape (R, K)
        :math:`p_{rk}`, probability that a request of class :math:`r` goes to
        station :math:`k`; each row sums to 1. A 1-D array is accepted for a
        single class.
    think_time_s : float or array_like, shape (R,)
        Mean exponential think time of each class (s), ``>= 0``.
    population_per_class : int or array_like of int, shape (R,)
        Number of customers of each class, ``>= 0``, total ``>= 1``.
    delay_s : float or array_like, shape (R,), default 0.0
        Mean pure delay (s) added to every response of a class, ``>= 0``.
    delay_distribution : {"constant", "exponential"}, default "constant"
        Law of the pure delay.
    n_requests : int, default 200_000
        Requests measured after the warm-up.
    warmup_requests : int, optional
        Requests completed and discarded before measuring; default
        ``max(n_requests // 10, 20 * N)``.
    rng : None, int, SeedSequence or Generator
        Random stream (SPEC 7).

    Returns
    -------
    ClosedNetworkResult
        Throughput (1/s), per-class mean response (s), p95/p99 response (s),
        per-station utilization and time-averaged queue length.

    Raises
    ------
    ValueError
        On non-positive service times, negative think or delay times, a
        ``visit_prob`` of the wrong shape or whose rows do not sum to 1, an
        empty population, or non-integer request counts.

    Notes
    -----
    The measurement window runs from the warm-up's last completion to the last
    measured completion; throughput is ``n_requests`` over its length. For a
    single class the estimates converge to exact MVA (Reiser & Lavenberg 1980)
    with demands :math:`D_k = p_k s_k` and think time :math:`Z + d`.
    """
    s, cum, z, d, d_exp, cls, pop = _check_network(service_s, visit_prob, think_time_s,
                                                   population_per_class, delay_s,
                                                   delay_distribution)
    n = check_integer("n_requests", n_requests, minimum=1, scalar=True)
    if warmup_requests is None:
        warm = max(n // 10, 20 * int(pop.sum()))
    else:
        warm = check_integer("warmup_requests", warmup_requests, minimum=0, scalar=True)
    gen = as_generator(rng)
    resp, t_warm, t_end, area_q, area_b, _, cls_sum, cls_cnt = _run(
        s, cum, z, d, d_exp, cls, 0, warm + n, warm, gen)
    span = t_end - t_warm
    q95, q99 = np.quantile(resp, [0.95, 0.99])
    return ClosedNetworkResult(
        throughput_per_s=n / span,
        throughput_per_class_per_s=cls_cnt / span,
        mean_response_s=_class_means(cls_sum, cls_cnt),
        mean_response_all_s=float(resp.mean()),
        p95_response_s=float(q95),
        p99_response_s=float(q99),
        utilization=area_b / span,
        mean_queue_length=area_q / span,
        n_requests=n,
        warmup_requests=warm,
        measured_time_s=float(span),
    )


def simulate_finite_jobs(service_s, visit_prob, think_time_s, population_per_class,
                         requests_per_customer, *, delay_s=0.0, delay_distribution="constant",
                         keep_responses=False, rng=None) -> FiniteJobsResult:
    r"""Simulate finite jobs: every customer makes a fixed number of requests, then leaves.

    All customers start thinking at time 0. Each one completes
    ``requests_per_customer`` requests through the closed network (think, one
    request to a station, optional pure delay) and then leaves, so the load
    falls as customers finish (a batch of work started at once, as when many
    clients start together).

    Parameters
    ----------
    service_s, visit_prob, think_time_s, population_per_class
        As in :func:`simulate_closed_network` (seconds, probabilities, seconds,
        customers per class).
    requests_per_customer : int
        Requests each customer must complete, ``>= 1``.
    delay_s : float or array_like, shape (R,), default 0.0
        Mean pure delay (s) added to each response.
    delay_distribution : {"constant", "exponential"}, default "constant"
        Law of the pure delay.
    keep_responses : bool, default False
        Also return the response time of every request (memory: 8 bytes per
        request).
    rng : None, int, SeedSequence or Generator
        Random stream (SPEC 7).

    Returns
    -------
    FiniteJobsResult
        Per-customer completion times (s), makespan (s), per-class mean and
        overall p95/p99 response times (s), per-station utilization and mean
        queue length over the makespan.

    Raises
    ------
    ValueError
        On the same bad inputs as :func:`simulate_closed_network`, or
        ``requests_per_customer < 1``.
    """
    s, cum, z, d, d_exp, cls, pop = _check_network(service_s, visit_prob, think_time_s,
                                                   population_per_class, delay_s,
                                                   delay_distribution)
    m = check_integer("requests_per_customer", requests_per_customer, minimum=1, scalar=True)
    total = int(pop.sum()) * m
    gen = as_generator(rng)
    resp, _, t_end, area_q, area_b, finish, cls_sum, cls_cnt = _run(
        s, cum, z, d, d_exp, cls, m, total, 0, gen)
    q95, q99 = np.quantile(resp, [0.95, 0.99])
    span = t_end if t_end > 0 else np.inf
    return FiniteJobsResult(
        completion_time_s=finish,
        customer_class=cls,
        makespan_s=float(t_end),
        mean_response_s=_class_means(cls_sum, cls_cnt),
        mean_response_all_s=float(resp.mean()),
        p95_response_s=float(q95),
        p99_response_s=float(q99),
        utilization=area_b / span,
        mean_queue_length=area_q / span,
        n_requests=total,
        response_times_s=resp if keep_responses else None,
    )
