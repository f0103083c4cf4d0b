"""The steady state of the hot-spot model: closed form and Monte Carlo twin.

:func:`steady_state` solves the open Jackson network of M/M/1 CVMs;
:func:`simulate_steady_state` simulates the same network queue by queue. Both
return :class:`~hcimodel.hotspot.SteadyState` (the model is described in
:mod:`hcimodel.hotspot`).
"""

from __future__ import annotations

import numpy as np

from .. import queueing
from ..cluster import Cluster
from ..roots import bisect
from ..streams import as_generator
from ..validation import (check_bool, check_in_range, check_instance, check_integer,
                          check_probability)
from ..workload import WorkloadProfile, as_profile
from .paths import (GROUPS, _QUANTILES, _check_pool, _check_strategy, _flows, _group_nodes,
                    _link_load_bps, read_components)
from .results import SteadyState

__all__ = ["steady_state", "simulate_steady_state"]


def _exp_cdf(t, rate):
    """CDF of an exponential of rate ``rate`` (0: never completes) at t (clipped at 0)."""
    x = np.clip(t, 0.0, None)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(rate > 0, -np.expm1(-rate * x), 0.0)


def _write_latency(decay: np.ndarray, nodes, cluster: Cluster, d: float) -> dict:
    """Latency of a write of a desktop on ``nodes`` (pooled): the slower of its legs.

    The local leg is exponential with rate ``a_i`` (``decay[:, i]``); each of the
    RF - 1 remote legs, on distinct nodes chosen uniformly among the others,
    pays ``d`` then an exponential of rate ``a_j`` (legs independent). With
    ``b = exp(-a_i d)``, integrating ``1 - F`` gives the mean exactly:

    * RF2: ``d + E[1/a_j] + b (1/a_i - E[1/(a_i + a_j)])``;
    * RF3: ``d + E[1/a_j + 1/a_k - 1/(a_j + a_k)]
      + b E[1/a_i - 1/(a_i + a_j) - 1/(a_i + a_k) + 1/(a_i + a_j + a_k)]``

    (expectations over the choice of remote nodes). Quantiles by bisection on
    ``F(t) = F_i(t) E[prod_j F_j(t - d)]``. ``inf`` where a leg never ends.
    """
    H, k = cluster.n_nodes, cluster.copies - 1
    M = decay.shape[0]
    means, pieces = [], []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in nodes:
            ai = decay[:, i]
            R = decay[:, [j for j in range(H) if j != i]]  # (M, m)
            b = np.exp(-ai * d)
            if k == 0:
                mean = 1.0 / ai
            elif k == 1:
                mean = (d + np.mean(1.0 / R, axis=1)
                        + b * (1.0 / ai - np.mean(1.0 / (ai[:, None] + R), axis=1)))
            else:
                m = R.shape[1]
                jj, kk = np.triu_indices(m, 1)
                Rj, Rk = R[:, jj], R[:, kk]
                e1 = np.mean(1.0 / Rj + 1.0 / Rk - 1.0 / (Rj + Rk), axis=1)
                A = ai[:, None]
                e2 = np.mean(1.0 / A - 1.0 / (A + Rj) - 1.0 / (A + Rk) + 1.0 / (A + Rj + Rk), axis=1)
                mean = d + e1 + b * e2
            bad = (ai <= 0) | (np.any(R <= 0, axis=1) if k else False)
            means.append(np.where(bad, np.inf, mean))
            pieces.append((ai, R, bad))
    mean = np.mean(means, axis=0)

    def cdf(t):
        total = np.zeros(M)
        for ai, R, _ in pieces:
            f = _exp_cdf(t, ai)
            if k >= 1:
                F = _exp_cdf(t[:, None] - d, R)
                s1 = F.sum(axis=1)
                if k == 1:
                    f = f * s1 / R.shape[1]
                else:
                    m = R.shape[1]
                    f = f * 0.5 * (s1**2 - (F**2).sum(axis=1)) / (m * (m - 1) / 2)
            total += f
        return total / len(pieces)

    any_bad = np.any([bad for _, _, bad in pieces], axis=0)
    amin = np.min([np.min(np.column_stack([ai, R]), axis=1) for ai, R, _ in pieces], axis=0)
    amin = np.where(any_bad | ~(amin > 0), 1.0, amin)
    stats = {"mean": mean}
    for name, p in _QUANTILES.items():
        hi = d - np.log((1.0 - p) / (k + 1)) / amin  # union bound on P(max > t)
        _, hi = bisect(lambda t: cdf(t) < p, np.zeros(M), hi)
        stats[name] = np.where(any_bad, np.inf, hi)
    return stats



def steady_state(n_desktops, workload: WorkloadProfile | str = "login",
                 strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                 cached_share: float = 1.0, write_latency: bool = True) -> SteadyState:
    """Closed-form steady state of the hot-spot model (open Jackson network).

    Each CVM j is an M/M/1 queue with arrival rate
    ``lambda_j = (N / H) * sum_i rate_ij`` (reads along the read path of
    :func:`read_components`, plus every write's local and RF - 1 remote legs)
    and service rate ``mu``; its response time is exponential with rate
    ``mu - lambda_j``. A read of a desktop on node i is served by CVM j_k with
    probability ``w_k`` and pays the constant ``d_k`` (network and device), so
    its latency is the mixture of shifted exponentials

    ``F(t) = sum_k w_k (1 - exp(-(mu - lambda_{j_k})(t - d_k)))^+``,

    pooled over the nodes of a group. A write ends with the slower of its legs:
    ``F_w(t) = F_i(t) * E[prod_j F_j(t - d_w)]`` over the uniformly chosen
    remote CVMs (legs independent, an approximation: they share arrivals).

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N (desktops in the cluster), spread evenly over the nodes.
    workload : WorkloadProfile or str
        Per-desktop profile, or the name of one in :data:`hcimodel.workload.PROFILES`.
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster, optional
        Defaults to ``Cluster()`` (4 nodes, 25,000 IOPS per CVM, RF2, 0.2 ms RTT, 10 GbE).
    cached_share : float
        Warm-up progress: share of the shared data each node has cached, in
        [0, 1]; 1 (default) is the steady state after warm-up. For full
        clones, ``t`` seconds after deployment:
        :func:`hcimodel.fullclone.cached_share`.
    write_latency : bool
        Solve the write-latency quantiles (default). False leaves
        ``write_latency`` empty and is about five times faster; the writes'
        load on the CVMs and links is counted either way.

    Returns
    -------
    SteadyState
    """
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    c = check_probability("cached_share", cached_share, scalar=True)
    return _steady_state(_check_pool(n_desktops), workload, strategy, cluster, c,
                         writes=check_bool("write_latency", write_latency))


def _steady_state(N: np.ndarray, workload: WorkloadProfile, strategy: str, cluster: Cluster,
                  c: float, writes: bool) -> SteadyState:
    """:func:`steady_state` on validated inputs; ``writes=False`` skips write latency."""
    H = cluster.n_nodes
    fl = _flows(workload, strategy, cluster, c)
    per_node = N[:, None] / H
    lam = per_node * np.bincount(fl.station, weights=fl.rate, minlength=H)[None, :]
    q = queueing.mm1(lam, cluster.cvm_iops)
    link = per_node * _link_load_bps(fl, H)[None, :] / cluster.link_bps
    links_ok = np.all(link < 1.0, axis=-1)
    with np.errstate(divide="ignore"):
        decay = np.where(q.stable, 1.0 / q.mean_response, 0.0)  # mu - lambda, 1/s
    decay = np.where(links_ok[:, None], decay, 0.0)
    mean_resp = np.where(links_ok[:, None], q.mean_response, np.inf)
    d_w = cluster.remote_delay_s(workload.write_size_bytes)

    latency, wlatency = {}, {}
    for group in GROUPS:
        nodes = _group_nodes(cluster, group)
        if not nodes:  # no desktop there, no latency (a one-node cluster)
            continue
        comps = [(w / len(nodes), j, s) for i in nodes
                 for w, j, s in read_components(workload, strategy, cluster, i, c)]
        w = np.array([x[0] for x in comps])
        stations = [x[1] for x in comps]
        d = np.array([x[2] for x in comps])
        mean = np.sum(w * (mean_resp[:, stations] + d), axis=-1)
        stats = {"mean": mean}
        for name, p in _QUANTILES.items():
            stats[name] = queueing.shifted_exponential_mixture_quantile(p, w, decay[:, stations], d)
        latency[group] = stats
        if writes:  # else write_latency stays empty (internal callers read reads only)
            wlatency[group] = _write_latency(decay, nodes, cluster, d_w)
    stable = np.all(q.stable, axis=-1) & links_ok
    return SteadyState(strategy, N, lam, q.utilization, stable, latency, wlatency, link)


def simulate_steady_state(n_desktops, workload: WorkloadProfile | str = "login",
                          strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                          cached_share: float = 1.0, n_customers: int = 200_000,
                          n_replications: int = 5, warmup: float = 0.1,
                          rng=None) -> SteadyState:
    """Monte Carlo twin of :func:`steady_state`, exact for the same model (reads).

    Every CVM is simulated as a FIFO queue by the Lindley recursion over the
    same time horizon (so pooled samples carry the right weights): Poisson
    arrivals at rate ``lambda_j``, each tagged with the flow it belongs to (its
    node of origin, read or write leg, and its constant delay: network and
    device), exponential service. A read's latency is its response time plus
    that delay. Write legs load the CVMs; write latency is not simulated
    (its legs are correlated through shared arrivals, see :func:`steady_state`).

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N, simulated one after the other from the same stream.
    workload, strategy, cluster, cached_share
        As in :func:`steady_state`.
    n_customers : int
        I/Os simulated at the busiest CVM per replication (others in proportion).
    n_replications : int
        Independent replications (>= 2 for a confidence interval).
    warmup : float
        Share of each station's I/Os discarded as warm-up, in [0, 0.9) (as in :class:`hcimodel.replication.MonteCarlo`).
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    SteadyState
        As :func:`steady_state`, the fields estimated: ``read_latency`` the
        mean over replications of each one's mean, p95 and p99, with the 95 %
        Student t interval over replications in ``ci[group][statistic]``
        (shape (M, 2): low, high); ``cvm_utilization`` the share of I/Os that
        find the CVM busy (by PASTA its busy fraction, at most 1) averaged over
        replications. ``cvm_arrival_rate``, ``link_utilization`` and ``stable``
        are the offered values, as in the closed form (not estimated: the
        arrivals are drawn at those rates). ``write_latency`` is empty.
        Unstable configurations are not simulated: latencies and interval
        ``inf``, utilization the offered load. A group without nodes (or
        without a sampled read) is left out, never NaN.
    """
    # scipy.stats and numba only when simulating: a model command starts fast
    from ..simulate.stats import confidence_interval

    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    c = check_probability("cached_share", cached_share, scalar=True)
    N = _check_pool(n_desktops)
    n_customers = check_integer("n_customers", n_customers, minimum=100, scalar=True)
    n_replications = check_integer("n_replications", n_replications, minimum=2, scalar=True)
    warmup = check_in_range("warmup", warmup, 0.0, 0.9, high_inclusive=False,
                            scalar=True)
    rng = as_generator(rng)

    H = cluster.n_nodes
    fl = _flows(workload, strategy, cluster, c)
    mu = cluster.cvm_iops
    groups = [g for g in GROUPS if _group_nodes(cluster, g)]  # as steady_state: no empty group
    per_node = N[:, None] / H
    lam = per_node * np.bincount(fl.station, weights=fl.rate, minlength=H)[None, :]
    link = per_node * _link_load_bps(fl, H)[None, :] / cluster.link_bps
    stable = np.all(lam < mu, axis=-1) & np.all(link < 1.0, axis=-1)
    util = lam / mu
    stats = ("mean", "p95", "p99")
    est = {g: {s: np.full(N.size, np.inf) for s in stats} for g in groups}
    ci = {g: {s: np.full((N.size, 2), np.inf) for s in stats} for g in groups}
    sampled = {g: True for g in groups}
    for i, n in enumerate(N):
        if not stable[i]:
            continue
        values, busy = _simulate_reads(int(n), fl, cluster, groups, n_customers, n_replications,
                                       warmup, rng)
        util[i] = busy
        for g in groups:
            if not values[g]["mean"]:  # no read sampled in that group
                sampled[g] = False
                continue
            for s in stats:
                interval = confidence_interval(np.asarray(values[g][s]))
                est[g][s][i] = float(interval.mean)
                ci[g][s][i] = float(interval.low), float(interval.high)
    groups = [g for g in groups if sampled[g]]
    return SteadyState(strategy, N, lam, util, stable, {g: est[g] for g in groups}, {}, link,
                       ci={g: ci[g] for g in groups})


def _simulate_reads(n: int, fl, cluster: Cluster, groups, n_customers: int,
                    n_replications: int, warmup: float, rng):
    """One stable pool size of :func:`simulate_steady_state`.

    Returns the per-replication read-latency statistics of each group
    (``values[group][statistic]``: a list, one value per replication that
    sampled a read of the group) and each CVM's busy fraction averaged over
    replications, shape (H,).
    """
    from ..simulate.queues import lindley_waits  # numba
    H = cluster.n_nodes
    flow_rate = (n / H) * fl.rate
    lam = np.bincount(fl.station, weights=flow_rate, minlength=H)
    mu = cluster.cvm_iops
    in_group = np.array([0 if i == cluster.replica_node else 1 for i in range(H)])
    horizon = n_customers / lam.max()
    values = {g: {s: [] for s in ("mean", "p95", "p99")} for g in groups}
    busy = np.zeros(H)
    for _ in range(n_replications):
        samples = {g: [] for g in GROUPS}
        for j in range(H):
            m = int(round(lam[j] * horizon))
            if m == 0:
                continue
            idx = np.flatnonzero(fl.station == j)
            inter = rng.exponential(1.0 / lam[j], m)
            service = rng.exponential(1.0 / mu, m)
            wait = lindley_waits(inter, service)
            response = wait + service
            f = idx[rng.choice(idx.size, size=m, p=flow_rate[idx] / flow_rate[idx].sum())]
            measured = np.arange(m) >= int(warmup * m)
            if measured.any():
                busy[j] += np.mean(wait[measured] > 0.0) / n_replications
            keep = fl.is_read[f] & measured
            lat = response + fl.shift[f]
            grp = in_group[fl.origin[f]]
            for k, g in enumerate(GROUPS):
                samples[g].append(lat[keep & (grp == k)])
        for g in groups:
            x = np.concatenate(samples[g]) if samples[g] else np.empty(0)
            if x.size == 0:
                continue
            values[g]["mean"].append(x.mean())
            values[g]["p95"].append(np.quantile(x, 0.95))
            values[g]["p99"].append(np.quantile(x, 0.99))
    return values, busy
