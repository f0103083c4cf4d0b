"""Monte Carlo twin of periodic replication: deltas, a shared FIFO link, failures.

Each protection domain p (``n_p`` desktops, offset ``o_p``) takes snapshots at
``o_p + k I``. The delta of a snapshot is drawn from the change model: the
unique bytes :math:`n_p U(\\bar r_k I)` at the mean rate factor of the daily
profile over the interval, times a gamma noise of mean 1 and squared
coefficient of variation ``delta_scv``. All snapshots of all domains queue
FIFO on one link (ties in the order of the domains), through the Lindley
recursion (:func:`hcimodel.simulate.queues.lindley_waits`).

The replica of domain p at time t is its last snapshot whose transfer has
completed; the data lost by a failure at t is the age of that snapshot. The
time-averaged loss and the share of time above a target are integrated
exactly over the sawtooth of the age; the loss quantiles come from failure
instants drawn uniformly in time, or as a Poisson process of a given rate (by
PASTA the two have the same law; the Poisson option shows how many failures a
horizon actually sees).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..streams import as_generator
from ..validation import (as_float_array, check_choice, check_duration, check_finite,
                          check_instance, check_integer, check_nonnegative, check_positive)
from ..cluster import SitePair
from .change import ChangeModel, check_domain_size

__all__ = ["RPOSimulation", "simulate_rpo", "profile_rate_factor", "replica_age"]

DAY_S = 86400.0


def profile_rate_factor(change: ChangeModel, start_s, end_s) -> np.ndarray:
    """Mean of the daily profile over ``[start_s, end_s)`` (exact, vectorized).

    ``start_s`` and ``end_s`` (s) broadcast, in [0, 1e15], with ``end_s > start_s``.
    """
    change = check_instance("change", change, ChangeModel)
    start_s = check_duration("start_s", start_s)
    end_s = check_duration("end_s", end_s)
    if np.any(end_s <= start_s):
        raise ValueError("end_s must be greater than start_s (an interval of zero length "
                         "has no mean rate)")
    knots = np.arange(25) * 3600.0
    cum = np.concatenate([[0.0], np.cumsum(change.daily_profile) * 3600.0])

    def F(t):
        t = np.asarray(t, dtype=float)
        day, rest = np.divmod(t, DAY_S)
        return day * cum[-1] + np.interp(rest, knots, cum)

    start, end = np.asarray(start_s, float), np.asarray(end_s, float)
    return (F(end) - F(start)) / (end - start)


def replica_age(t, creation_s, completion_s) -> np.ndarray:
    """Age of the replica (s) at times ``t``: t minus the creation time of the
    last snapshot completed by t (``inf`` before the first completion).

    ``creation_s`` and ``completion_s`` are 1-D, in FIFO order (both sorted).
    """
    t = check_finite("t", t)
    creation_s = as_float_array("creation_s", creation_s)
    completion_s = as_float_array("completion_s", completion_s)
    if creation_s.ndim != 1 or creation_s.shape != completion_s.shape:
        raise ValueError("creation_s and completion_s must be 1-D of the same length (got shapes "
                         f"{creation_s.shape} and {completion_s.shape})")
    if np.any(np.diff(creation_s) < 0) or np.any(np.diff(completion_s) < 0):
        raise ValueError("creation_s and completion_s must be sorted (FIFO order)")
    if creation_s.size == 0:  # no snapshot ever completed
        return np.full(np.shape(t), np.inf)
    idx = np.searchsorted(completion_s, t, side="right") - 1
    created = np.where(idx >= 0, creation_s[np.maximum(idx, 0)], -np.inf)
    return np.asarray(t) - created


@dataclass(frozen=True)
class RPOSimulation:
    """Result of :func:`simulate_rpo`.

    Attributes
    ----------
    frame : polars.DataFrame
        Tidy: ``domain`` (index, or -1 for all domains pooled), ``metric``,
        ``estimate``, ``ci_low``, ``ci_high`` (95 % Student-t over
        replications; for ``worst_loss_s`` the maximum over every replication,
        without interval). Metrics (s unless noted): ``mean_loss_s`` (exact time
        average), ``p95_loss_s``, ``p99_loss_s`` (at failure instants),
        ``peak_p99_s`` (99th percentile of the age just before a completion),
        ``worst_loss_s``, ``mean_wait_s`` (wait on the link),
        ``miss_fraction`` (share of time the loss exceeds ``target_rpo_s``) and
        ``failures`` (failures drawn per replication).
    creation_s, completion_s : list of numpy.ndarray
        Per domain, snapshot creation and transfer completion times of the
        first replication (s), for drawing the sawtooth.
    """

    frame: pl.DataFrame
    creation_s: list
    completion_s: list

    def estimate(self, metric: str, domain: int = -1) -> float:
        """The estimate of a metric for one domain (or -1: pooled)."""
        import polars as pl

        metric = check_choice("metric", metric, sorted(set(self.frame["metric"])))
        domain = check_integer("domain", domain, minimum=-1, scalar=True)
        row = self.frame.filter((pl.col("metric") == metric) & (pl.col("domain") == domain))
        if row.height != 1:
            raise ValueError(f"metric must be one of {sorted(set(self.frame['metric']))} "
                             f"and domain in the result (got {metric!r}, {domain!r})")
        return float(row["estimate"][0])


def simulate_rpo(interval_s: float, domains=(50,), change: ChangeModel | None = None,
                 link: SitePair | None = None, *, schedule: str = "staggered", offsets_s=None,
                 rate="mean", delta_scv: float = 0.0, n_intervals: int = 2000,
                 n_replications: int = 8, failures: str = "uniform",
                 n_failures: int = 2000, failure_rate_per_s: float | None = None,
                 target_rpo_s: float | None = None, warmup: float = 0.1,
                 rng=None) -> RPOSimulation:
    """Simulate snapshots of P domains queued FIFO on one link, and failures.

    Parameters
    ----------
    interval_s : float
        Snapshot interval I (s) of every domain. Not checked against a mode's
        limits (the closed form :func:`async_rpo` does that).
    domains : sequence of int
        Desktops in each protection domain (a warning above 50).
    change, link : ChangeModel, SitePair, optional
    schedule : {'staggered', 'aligned'}
        Offsets ``p I / P`` or all 0; ignored when ``offsets_s`` is given.
    offsets_s : sequence of float, optional
        Offset of each domain's schedule (s), in [0, I).
    rate : {'mean', 'peak', 'profile'} or float
        Write rate: constant multiple of the mean, or ``'profile'`` to follow
        the daily profile of ``change`` interval by interval.
    delta_scv : float
        Squared coefficient of variation of the gamma noise on each delta
        (0: deterministic deltas; 1 with ``setup_s = 0``: exponential
        transfers, the D/M/1 queue).
    n_intervals, n_replications : int
        Snapshots per domain and independent replications.
    failures : {'uniform', 'poisson'}
        ``n_failures`` uniform instants per replication, or a Poisson process
        of rate ``failure_rate_per_s`` (default: ``n_failures`` expected).
    target_rpo_s : float, optional
        RPO target for ``miss_fraction``.
    warmup : float
        Share of the horizon discarded before failures are drawn.
    rng : None, int, SeedSequence or Generator
        SPEC 7 random source.

    Returns
    -------
    RPOSimulation
    """
    import polars as pl

    from ..simulate.queues import lindley_waits
    from ..simulate.stats import confidence_interval

    change = check_instance("change", change, ChangeModel, default=ChangeModel)
    link = check_instance("link", link, SitePair, default=SitePair)
    I = check_positive("interval_s", interval_s, scalar=True)
    sizes = check_domain_size(np.atleast_1d(np.asarray(domains)))
    P = sizes.size
    K = check_integer("n_intervals", n_intervals, minimum=10, scalar=True)
    R = check_integer("n_replications", n_replications, minimum=2, scalar=True)
    nf = check_integer("n_failures", n_failures, minimum=1, scalar=True)
    scv = check_nonnegative("delta_scv", delta_scv, scalar=True)
    w0 = check_nonnegative("warmup", warmup, scalar=True)
    if w0 >= 0.9:
        raise ValueError(f"warmup must be in [0, 0.9) (got {warmup!r})")
    if offsets_s is not None:
        off = check_nonnegative("offsets_s", offsets_s).reshape(-1)
        if off.size != P or np.any(off >= I):
            raise ValueError(f"offsets_s must hold {P} offsets in [0, {I:g}) (got {offsets_s!r})")
    elif schedule == "staggered":
        off = np.arange(P) * I / P
    elif schedule == "aligned":
        off = np.zeros(P)
    else:
        raise ValueError(f"schedule must be 'aligned' or 'staggered' (got {schedule!r})")
    if failures not in ("uniform", "poisson"):
        raise ValueError(f"failures must be 'uniform' or 'poisson' (got {failures!r})")
    gen = as_generator(rng)

    # snapshots: creation times (P, K), in FIFO order over all domains
    k = np.arange(1, K + 1)
    created = off[:, None] + k[None, :] * I
    if rate == "profile":
        r = profile_rate_factor(change, created - I, created)
    else:
        r = np.broadcast_to(change.rate_factor(rate), created.shape)
    mean_delta = sizes[:, None] * change.unique_bytes(r * I, 1.0)
    order = np.lexsort((np.repeat(np.arange(P), K), created.ravel()))
    arr = created.ravel()[order]
    dom = np.repeat(np.arange(P), K)[order]
    base = mean_delta.ravel()[order]
    if scv > 0:
        noise = gen.gamma(1.0 / scv, scv, size=(R, arr.size))
    else:
        noise = np.ones((R, arr.size))
    service = link.transfer_s(base * noise)
    inter = np.broadcast_to(np.diff(arr, prepend=0.0), service.shape)
    waits = lindley_waits(np.ascontiguousarray(inter), service)
    done = arr + waits + service

    t0, t1 = w0 * K * I + I, K * I
    if failures == "uniform":
        counts = np.full(R, nf)
    else:
        lam = nf / (t1 - t0) if failure_rate_per_s is None else float(
            check_positive("failure_rate_per_s", failure_rate_per_s))
        counts = gen.poisson(lam * (t1 - t0), size=R)
    fail_t = [np.sort(gen.uniform(t0, t1, size=c)) for c in counts]

    metrics = {m: np.zeros((P, R)) for m in (
        "mean_loss_s", "p95_loss_s", "p99_loss_s", "peak_p99_s", "worst_loss_s",
        "mean_wait_s", "miss_fraction")}
    creations, completions = [], []
    target = None if target_rpo_s is None else check_positive("target_rpo_s", target_rpo_s, scalar=True)
    for p in range(P):
        sel = dom == p
        a = np.concatenate([[off[p]], arr[sel]])  # seed: replicated state at the offset
        for rep in range(R):
            c = np.concatenate([[off[p]], done[rep, sel]])
            if rep == 0:
                creations.append(a)
                completions.append(c)
            c_next = np.append(c[1:], np.inf)
            lo, hi = np.clip(c, t0, t1), np.clip(c_next, t0, t1)
            area = 0.5 * ((hi - a) ** 2 - (lo - a) ** 2)
            metrics["mean_loss_s"][p, rep] = area.sum() / (t1 - t0)
            if target is not None:
                over = np.maximum(0.0, hi - np.maximum(lo, a + target))
                metrics["miss_fraction"][p, rep] = over.sum() / (t1 - t0)
            inside = (c[1:] >= t0) & (c[1:] <= t1)
            peaks = c[1:][inside] - a[:-1][inside]
            if peaks.size == 0:  # nothing completes in the window: the backlog ran away
                peaks = np.array([t1 - a[np.searchsorted(c, t1, side="right") - 1]])
            metrics["peak_p99_s"][p, rep] = np.quantile(peaks, 0.99)
            metrics["worst_loss_s"][p, rep] = peaks.max()
            metrics["mean_wait_s"][p, rep] = waits[rep, sel].mean()
            loss = replica_age(fail_t[rep], a, c)
            if loss.size:
                metrics["p95_loss_s"][p, rep] = np.quantile(loss, 0.95)
                metrics["p99_loss_s"][p, rep] = np.quantile(loss, 0.99)
    rows = []
    for name, v in metrics.items():
        if name == "miss_fraction" and target is None:
            continue
        for d, vals in [(p, v[p]) for p in range(P)] + [(-1, v.mean(axis=0))]:
            if name == "worst_loss_s":
                est = lo_ = hi_ = float(vals.max())
            else:
                ci = confidence_interval(vals)
                est, lo_, hi_ = float(ci.mean), float(ci.low), float(ci.high)
            rows.append({"domain": d, "metric": name, "estimate": est,
                         "ci_low": lo_, "ci_high": hi_})
    fc = float(np.mean(counts))
    rows.append({"domain": -1, "metric": "failures", "estimate": fc, "ci_low": fc,
                 "ci_high": fc})
    frame = pl.DataFrame(rows).sort(["domain", "metric"])
    return RPOSimulation(frame, creations, completions)
