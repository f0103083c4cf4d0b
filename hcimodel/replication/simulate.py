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
horizon actually sees). :class:`MonteCarlo` holds these sampling controls.

The result, :class:`RPOSimulation`, is an :class:`~hcimodel.replication.AsyncRPO`
with one value per domain, so that it compares field by field with the closed
form, plus the quantiles, the confidence intervals and the sawtooth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..streams import as_generator
from ..validation import (as_float_array, check_choice, check_duration, check_finite,
                          check_instance, check_integer, check_nonnegative, check_positive,
                          check_real_or_choice)
from ..cluster import SitePair
from ..units import DAY_S
from .change import ChangeModel, check_domain_size
from .rpo import MODE_INTERVAL_S, AsyncRPO

__all__ = ["MonteCarlo", "RPOSimulation", "simulate_rpo", "profile_rate_factor", "replica_age"]


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
class MonteCarlo:
    """How :func:`simulate_rpo` samples: the horizon, the replications, the failures.

    These steer the estimate, not the modelled system (they are not model
    defaults, :data:`hcimodel.defaults.CONTROLS`).

    Parameters
    ----------
    n_intervals : int
        Snapshots per domain in one replication (>= 10).
    n_replications : int
        Independent replications (>= 2; the 95 % intervals are over them).
    warmup : float
        Share of the horizon discarded before failures are drawn, in [0, 0.9).
    failures : {'uniform', 'poisson'}
        ``n_failures`` failure instants uniform over the horizon per
        replication, or a Poisson process of rate ``failure_rate_per_s``
        (default: ``n_failures`` expected). By PASTA both have the same law.
    n_failures : int
        Failures per replication (>= 1).
    failure_rate_per_s : float, optional
        Rate of the Poisson failures (1/s).
    """

    n_intervals: int = 2000
    n_replications: int = 8
    warmup: float = 0.1
    failures: str = "uniform"
    n_failures: int = 2000
    failure_rate_per_s: float | None = None

    def __post_init__(self):
        check_integer("n_intervals", self.n_intervals, minimum=10, scalar=True)
        check_integer("n_replications", self.n_replications, minimum=2, scalar=True)
        w0 = check_nonnegative("warmup", self.warmup, scalar=True)
        if w0 >= 0.9:
            raise ValueError(f"warmup must be in [0, 0.9) (got {self.warmup!r})")
        check_choice("failures", self.failures, ("uniform", "poisson"))
        check_integer("n_failures", self.n_failures, minimum=1, scalar=True)
        if self.failure_rate_per_s is not None:
            check_positive("failure_rate_per_s", self.failure_rate_per_s, scalar=True)


#: Metrics of :attr:`RPOSimulation.estimates` beyond the fields of :class:`AsyncRPO`.
_EXTRA = ("p95_loss_s", "p99_loss_s", "max_loss_s", "miss_fraction")


@dataclass(frozen=True)
class RPOSimulation(AsyncRPO):
    """Result of :func:`simulate_rpo`: an :class:`AsyncRPO` estimated by Monte Carlo.

    The fields of :class:`AsyncRPO` hold the same quantities, one value per
    protection domain (shape ``(P,)``), so that the twin compares with the
    closed form field by field (``async_rpo(I, domains)`` gives each domain
    alone on the link): ``delta_bytes`` and ``transfer_s`` the mean delta and
    transfer time drawn, ``utilization`` the domain's ``transfer_s / I``,
    ``wait_s`` the mean wait on the shared link, ``mean_loss_s`` the exact
    time average of the replica's age, ``worst_loss_s`` the 99th percentile of
    the age just before a completion (the closed form's definition; ``I + S``
    for deterministic transfers), ``stable`` whether the shared link keeps up
    (total utilization below 1, at most 1 for deterministic deltas; the same
    for every domain), ``fallback`` always False (the twin does not model
    NearSync's fallback), ``mode`` ``'async'`` for intervals of an hour or
    more, else ``'nearsync'``. Each is the mean over replications.

    Attributes
    ----------
    p95_loss_s, p99_loss_s : numpy.ndarray
        Quantiles of the loss at the failure instants (s), per domain.
    max_loss_s : numpy.ndarray
        Largest age before a completion over every replication (s).
    miss_fraction : numpy.ndarray or None
        Share of time the loss exceeds ``target_rpo_s`` (None without a target).
    failures : float
        Failures drawn per replication (mean).
    estimates : polars.DataFrame
        Tidy: ``domain`` (index, or -1 for all domains pooled), ``metric``,
        ``estimate``, ``ci_low``, ``ci_high`` (95 % Student-t over
        replications; ``max_loss_s`` the maximum, without interval), for
        ``mean_loss_s``, ``worst_loss_s``, ``wait_s``, the metrics above and
        ``failures``.
    creation_s, completion_s : list of numpy.ndarray
        Per domain, snapshot creation and transfer completion times of the
        first replication (s), for drawing the sawtooth.
    """

    p95_loss_s: np.ndarray
    p99_loss_s: np.ndarray
    max_loss_s: np.ndarray
    miss_fraction: np.ndarray | None
    failures: float
    estimates: pl.DataFrame
    creation_s: list
    completion_s: list

    def estimate(self, metric: str, domain: int = -1) -> float:
        """The estimate of a metric of :attr:`estimates` for one domain (or -1: pooled)."""
        import polars as pl

        metric = check_choice("metric", metric, sorted(set(self.estimates["metric"])))
        domain = check_integer("domain", domain, minimum=-1, scalar=True)
        row = self.estimates.filter((pl.col("metric") == metric) & (pl.col("domain") == domain))
        if row.height != 1:
            raise ValueError(f"domain must be -1 or in [0, {len(self.creation_s) - 1}] "
                             f"(got {domain!r})")
        return float(row["estimate"][0])

    def to_frame(self) -> pl.DataFrame:
        """Long frame of :meth:`AsyncRPO.to_frame` (``point`` is the domain), with the
        extra metrics and the 95 % interval (``ci_low``, ``ci_high``; null where
        the value is not a mean over replications)."""
        import polars as pl

        base = super().to_frame()
        shape = np.shape(self.worst_loss_s)
        extra = pl.concat([pl.DataFrame({
            "point": np.arange(shape[0]), "interval_s": self.interval_s.astype(float),
            "stable": self.stable, "metric": m,
            "value": np.asarray(getattr(self, m), dtype=float)})
            for m in _EXTRA if getattr(self, m) is not None])
        ci = self.estimates.filter(pl.col("domain") >= 0).select(
            pl.col("domain").alias("point"), "metric", "ci_low", "ci_high")
        return (pl.concat([base, extra]).join(ci, on=["point", "metric"], how="left")
                .sort(["point", "metric"]))


def _offsets(schedule, P, I):
    """Offsets of the P schedules (s): staggered, aligned, or given."""
    if isinstance(schedule, str):
        schedule = check_choice("schedule", schedule, ("aligned", "staggered"))
        return np.arange(P) * I / P if schedule == "staggered" else np.zeros(P)
    off = check_nonnegative("schedule", schedule).reshape(-1)
    if off.size != P or np.any(off >= I):
        raise ValueError(f"schedule must be 'aligned', 'staggered' or {P} offsets in "
                         f"[0, {I:g}) s (got {_short(schedule)})")
    return off


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def simulate_rpo(interval_s: float, domains=(50,), change: ChangeModel | None = None,
                 sites: SitePair | None = None, *, schedule="staggered", rate="mean",
                 delta_scv: float = 0.0, target_rpo_s: float | None = None,
                 run: MonteCarlo | None = None, rng=None) -> RPOSimulation:
    """Simulate snapshots of P domains queued FIFO on one link, and failures.

    The Monte Carlo twin of :func:`async_rpo` (module docstring); its result
    holds the same fields, one value per domain.

    Parameters
    ----------
    interval_s : float
        Snapshot interval I (s) of every domain. Not checked against a mode's
        limits (the closed form :func:`async_rpo` does that).
    domains : sequence of int
        Desktops in each protection domain (a warning above 50).
    change : ChangeModel, optional
    sites : SitePair, optional
        The two sites and the WAN link the domains share.
    schedule : {'staggered', 'aligned'} or sequence of float
        Offsets ``p I / P``, all 0, or the offset of each domain's schedule
        (s, in [0, I)).
    rate : {'mean', 'peak', 'profile'} or float
        Write rate: constant multiple of the mean, or ``'profile'`` to follow
        the daily profile of ``change`` interval by interval.
    delta_scv : float
        Squared coefficient of variation of the gamma noise on each delta
        (0: deterministic deltas; 1 with ``setup_s = 0``: exponential
        transfers, the D/M/1 queue).
    target_rpo_s : float, optional
        RPO target for ``miss_fraction``.
    run : MonteCarlo, optional
        Horizon, replications and failures (default ``MonteCarlo()``).
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
    sites = check_instance("sites", sites, SitePair, default=SitePair)
    run = check_instance("run", run, MonteCarlo, default=MonteCarlo)
    I = check_positive("interval_s", interval_s, scalar=True)
    if np.size(domains) == 0:
        raise ValueError(f"domains must list the desktops of at least one protection domain "
                         f"(got {domains!r})")
    sizes = check_domain_size(np.atleast_1d(np.asarray(domains)))
    P = sizes.size
    K, R, nf = run.n_intervals, run.n_replications, run.n_failures
    scv = check_nonnegative("delta_scv", delta_scv, scalar=True)
    off = _offsets(schedule, P, I)
    rate = check_real_or_choice("rate", rate, ("mean", "peak", "profile"), 0.0, np.inf,
                                high_inclusive=False)
    profile = isinstance(rate, str) and rate == "profile"
    target = None if target_rpo_s is None else check_positive("target_rpo_s", target_rpo_s,
                                                              scalar=True)
    gen = as_generator(rng)

    # snapshots: creation times (P, K), in FIFO order over all domains
    k = np.arange(1, K + 1)
    created = off[:, None] + k[None, :] * I
    if profile:
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
    delta = base * noise
    service = sites.transfer_s(delta)
    inter = np.broadcast_to(np.diff(arr, prepend=0.0), service.shape)
    waits = lindley_waits(np.ascontiguousarray(inter), service)
    done = arr + waits + service

    t0, t1 = run.warmup * K * I + I, K * I
    if run.failures == "uniform":
        counts = np.full(R, nf)
    else:
        lam = nf / (t1 - t0) if run.failure_rate_per_s is None else float(
            run.failure_rate_per_s)
        counts = gen.poisson(lam * (t1 - t0), size=R)
    fail_t = [np.sort(gen.uniform(t0, t1, size=c)) for c in counts]

    metrics = {m: np.zeros((P, R)) for m in (
        "mean_loss_s", "p95_loss_s", "p99_loss_s", "worst_loss_s", "max_loss_s",
        "wait_s", "miss_fraction")}
    creations, completions = [], []
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
            metrics["worst_loss_s"][p, rep] = np.quantile(peaks, 0.99)
            metrics["max_loss_s"][p, rep] = peaks.max()
            metrics["wait_s"][p, rep] = waits[rep, sel].mean()
            loss = replica_age(fail_t[rep], a, c)
            if loss.size:
                metrics["p95_loss_s"][p, rep] = np.quantile(loss, 0.95)
                metrics["p99_loss_s"][p, rep] = np.quantile(loss, 0.99)
    if target is None:
        del metrics["miss_fraction"]
    rows, est = [], {}
    for name, v in metrics.items():
        est[name] = np.zeros(P)
        for d, vals in [(p, v[p]) for p in range(P)] + [(-1, v.mean(axis=0))]:
            if name == "max_loss_s":
                e = lo_ = hi_ = float(vals.max())
            else:
                ci = confidence_interval(vals)
                e, lo_, hi_ = float(ci.mean), float(ci.low), float(ci.high)
            if d >= 0:
                est[name][d] = e
            rows.append({"domain": d, "metric": name, "estimate": e,
                         "ci_low": lo_, "ci_high": hi_})
    fc = float(np.mean(counts))
    rows.append({"domain": -1, "metric": "failures", "estimate": fc, "ci_low": fc,
                 "ci_high": fc})
    estimates = pl.DataFrame(rows).sort(["domain", "metric"])

    # the fields of AsyncRPO, per domain
    mean_delta_drawn = np.array([delta[:, dom == p].mean() for p in range(P)])
    transfer = np.array([service[:, dom == p].mean() for p in range(P)])
    rho = float(sites.transfer_s(mean_delta).mean(axis=1).sum()) / I
    stable = np.full(P, rho < 1.0 if scv > 0 else rho <= 1.0)
    return RPOSimulation(
        "async" if I >= MODE_INTERVAL_S["async"][0] else "nearsync", np.full(P, I),
        mean_delta_drawn, transfer, transfer / I, est["wait_s"], est["worst_loss_s"],
        est["mean_loss_s"], stable, np.zeros(P, dtype=bool),
        est["p95_loss_s"], est["p99_loss_s"], est["max_loss_s"], est.get("miss_fraction"),
        fc, estimates, creations, completions)
