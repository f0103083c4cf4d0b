r"""Closed forms of periodic replication: data loss, backlog, bandwidth, sync latency.

A protection domain (PD) of N desktops is snapshotted every ``I`` seconds; the
delta of each snapshot is queued FIFO on the link and takes ``S`` seconds to
send. The replica at the remote site is the last snapshot whose transfer has
completed, so the data lost by a failure at time ``t`` is the *age* of the
replica at ``t``.

Deterministic transfers (:math:`S \le I`): the age rises from ``S`` to
``I + S`` and drops back at each completion, so

.. math::

    L_{\max} = I + S, \qquad \bar L = I/2 + S, \qquad
    P(L > R) = \min\bigl(1, \max(0, (I + S - R)/I)\bigr)

at a failure instant uniform over time (REFERENCES.md, *derived*).

Random transfers: snapshots arrive every ``I`` (deterministic) and queue on the
link, a D/G/1 queue. Its response time ``T`` (wait plus transfer) gives the
mean age :math:`\bar L = I/2 + E[T]` (age of information of a FIFO queue with
deterministic arrivals). For exponential transfers (D/M/1, exact), with
:math:`\rho = S/I < 1` and :math:`\sigma \in (0,1)` the root of

.. math::

    \sigma = e^{-(1-\sigma)/\rho},

:math:`T` is exponential with rate :math:`(1-\sigma)/S`, so
:math:`E[W] = \sigma S / (1 - \sigma)`. For other transfer laws with squared
coefficient of variation :math:`c_s^2`, the wait is approximated
(:func:`backlog_wait`: the D/M/1 wait scaled by the Krämer–Langenbach-Belz
factor; exact at :math:`c_s^2 = 0` and 1, checked against the Monte Carlo twin). When
:math:`\rho \ge 1` the backlog grows without bound: every loss is ``inf`` and
``stable`` is False.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .. import queueing
from ..validation import (check_choice, check_in_range, check_integer, check_nonnegative,
                          check_positive, check_instance)
from ..cluster import LIGHT_S_PER_KM, SitePair
from .change import ChangeModel, check_domain_size

__all__ = ["MODES", "MODE_INTERVAL_S", "NEARSYNC_FALLBACK_S",
           "deterministic_loss", "backlog_wait", "AsyncRPO", "async_rpo",
           "meets_rpo_rule", "required_bandwidth", "shared_link_loss",
           "SyncLatency", "sync_write_latency", "METRO_MAX_RTT_S", "METRO_MAX_KM"]

#: Allowed snapshot intervals (s) per mode. Async: at least 1 h in AOS 4.x
#: ("up to an hour RPO"); NearSync: 1 to 15 min (AOS 5.5+, RPO 1 min).
MODE_INTERVAL_S = {"async": (3600.0, np.inf), "nearsync": (60.0, 900.0)}
MODES = ("async", "nearsync", "sync")
#: NearSync falls back to ordinary (hourly) snapshots when a light-weight
#: snapshot takes more than 60 min to replicate.
NEARSYNC_FALLBACK_S = 3600.0
#: Most protection domains :func:`shared_link_loss` takes (its result has one
#: column per domain).
MAX_DOMAINS = 10**6
#: Metro Availability (sync): RTT below 5 ms, at most 400 km.
METRO_MAX_RTT_S = 5e-3
METRO_MAX_KM = 400.0


def _check_interval(interval_s, mode):
    try:
        mode = check_choice("mode", mode, tuple(MODE_INTERVAL_S))
    except ValueError as exc:
        raise ValueError(f"{exc} for periodic replication; sync replication loses no "
                         "data, see sync_write_latency") from None
    lo, hi = MODE_INTERVAL_S[mode]
    return check_in_range("interval_s", interval_s, lo, hi)


def backlog_wait(interval_s, transfer_s, transfer_scv=1.0):
    r"""Mean wait of a snapshot behind earlier transfers on the link (D/G/1).

    .. math::

        E[W] = \frac{\sigma}{1-\sigma}\,S \cdot
               c_s^2 \exp\Bigl(-\frac{2(1-\rho)}{3\rho}\bigl(c_s^{-2} - 1\bigr)\Bigr),
        \qquad \sigma = e^{-(1-\sigma) I / S},\quad \rho = S/I.

    Exact for exponential transfers (:math:`c_s^2 = 1`: the D/M/1 wait
    :math:`\sigma S/(1-\sigma)`) and deterministic ones (:math:`c_s^2 = 0`, no
    wait). Otherwise an **approximation**: the D/M/1 wait scaled by the ratio
    of the Krämer–Langenbach-Belz G/G/1 approximations (with :math:`c_a^2 = 0`)
    at :math:`c_s^2` and at 1. Against the Monte Carlo twin it is within about
    10 % for :math:`c_s^2 \in [1, 2]`; below 1 the wait is small and its
    relative error larger (tests state the tolerances).

    Parameters
    ----------
    interval_s : array_like
        Snapshot interval I (s), ``> 0``.
    transfer_s : array_like
        Mean transfer time S (s), ``>= 0``.
    transfer_scv : array_like
        Squared coefficient of variation of the transfer time, ``>= 0``.

    Returns
    -------
    wait_s : numpy.ndarray
        Mean wait (s); ``inf`` when :math:`S \ge I`.
    stable : numpy.ndarray of bool
        :math:`S < I`.
    """
    interval_s = check_positive("interval_s", interval_s)
    transfer_s = check_nonnegative("transfer_s", transfer_s, allow_inf=True)
    cs2 = check_nonnegative("transfer_scv", transfer_scv)
    rho = transfer_s / interval_s
    stable = rho < 1
    sig = queueing.dm1_sigma(np.where(stable, rho, 0.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        klb = np.where(cs2 > 0, cs2 * np.exp(-2.0 * (1.0 - rho) / (3.0 * rho)
                                             * (1.0 / np.where(cs2 > 0, cs2, 1.0) - 1.0)), 0.0)
    klb = np.where(rho > 0, klb, 0.0)
    s_ok = np.where(stable, transfer_s, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = klb * sig / (1.0 - sig) * s_ok
        # Tiny rho: the KLB factor overflows (or is inf * 0) while sigma underflows.
        # The same product in logs, with log(sigma) = -(1 - sigma)/rho (the root's
        # equation), is finite: it tends to 0 as rho -> 0.
        c = np.where(cs2 > 0, cs2, 1.0)
        log_w = (np.log(c) - ((1.0 - sig) + 2.0 / 3.0 * (1.0 - rho) * (1.0 / c - 1.0)) / rho
                 - np.log1p(-sig) + np.log(s_ok))
        w = np.where(np.isfinite(w), w,
                     np.where((cs2 > 0) & (rho > 0) & (s_ok > 0), np.exp(log_w), 0.0))
    return np.where(stable, w, np.inf), stable


def deterministic_loss(interval_s, transfer_s, target_s=None):
    r"""Data loss of periodic replication with deterministic transfers (s).

    Returns ``(worst, mean, miss)`` with :math:`L_{\max} = I + S`,
    :math:`\bar L = I/2 + S` and the share of time the age exceeds
    ``target_s`` (:math:`(I + S - R)/I` clipped to [0, 1]); all ``inf`` (miss
    1) when :math:`S > I`. ``miss`` is None without a target.
    """
    i = check_positive("interval_s", interval_s)
    s = check_nonnegative("transfer_s", transfer_s, allow_inf=True)
    stable = s <= i
    worst = np.where(stable, i + s, np.inf)
    mean = np.where(stable, i / 2 + s, np.inf)
    miss = None
    if target_s is not None:
        r = check_nonnegative("target_s", target_s)
        miss = np.where(stable, np.clip((i + s - r) / i, 0.0, 1.0), 1.0)
    return worst, mean, miss


@dataclass(frozen=True)
class AsyncRPO:
    """Data loss of a periodic replication schedule (closed form).

    Attributes (arrays broadcast over the inputs; times in s, bytes in bytes)
    -------------------------------------------------------------------------
    mode : str
    interval_s : effective snapshot interval (1 h after a NearSync fallback)
    delta_bytes : unique bytes of one snapshot of the PD, before reduction
    transfer_s : mean transfer time S of one delta
    utilization : S / I
    wait_s : mean wait on the link behind earlier transfers
    worst_loss_s : I + S for deterministic transfers; for random ones the 99th
        percentile of the age just before a completion, I + T_99 (T taken as
        gamma with mean E[T] and the transfer's SCV: exact at SCV 0 and for
        D/M/1, approximate otherwise), and never less than the mean peak age
        I + E[T]. For a very skewed T (SCV above about 575) the gamma's p99
        falls below its mean, which put the worst loss under the mean loss
        (issue 11); with I + max(T_99, E[T]) the worst loss is always at least
        ``mean_loss_s + I/2``.
    mean_loss_s : I/2 + E[T], E[T] = S + E[W] (time-average age of the replica)
    stable : S < I (S <= I for deterministic transfers)
    fallback : NearSync fell back to hourly snapshots (its own schedule unstable)
    """

    mode: str
    interval_s: np.ndarray
    delta_bytes: np.ndarray
    transfer_s: np.ndarray
    utilization: np.ndarray
    wait_s: np.ndarray
    worst_loss_s: np.ndarray
    mean_loss_s: np.ndarray
    stable: np.ndarray
    fallback: np.ndarray

    #: Quantities of the closed form and of its twin, :class:`RPOSimulation`, in
    #: :meth:`to_frame` and :func:`hcimodel.twins.compare`.
    METRICS = ("delta_bytes", "transfer_s", "utilization", "wait_s", "worst_loss_s",
               "mean_loss_s")

    def meets(self, rpo_s) -> np.ndarray:
        """Whether the worst loss stays within ``rpo_s`` (s)."""
        return self.worst_loss_s <= check_positive("rpo_s", rpo_s)

    def to_frame(self) -> pl.DataFrame:
        """Long frame: ``point`` (flat index of the grid point; the domain of
        :class:`RPOSimulation`), ``interval_s``, ``stable``, ``metric``
        (``delta_bytes``, ``transfer_s``, ``utilization``, ``wait_s``,
        ``worst_loss_s``, ``mean_loss_s``), ``value``; sorted by point, metric."""
        import polars as pl

        shape = np.shape(self.worst_loss_s)
        flat = lambda k: np.broadcast_to(getattr(self, k), shape).ravel()  # noqa: E731
        base = {"point": np.arange(int(np.prod(shape)), dtype=np.int64),
                "interval_s": flat("interval_s").astype(float), "stable": flat("stable")}
        return pl.concat([pl.DataFrame({**base, "metric": m, "value": flat(m).astype(float)})
                          for m in self.METRICS]).sort(["point", "metric"])



def _loss(interval, transfer, cs2):
    from scipy import special  # not scipy.stats: 0.5 s of import for one ppf

    wait, stable = backlog_wait(interval, transfer, cs2)
    det = cs2 == 0
    stable = np.where(det, transfer <= interval, stable)
    wait = np.where(det, np.where(stable, 0.0, np.inf), wait)
    resp = transfer + wait
    mean = np.where(stable, interval / 2 + resp, np.inf)
    finite = stable & np.isfinite(resp)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shape = 1.0 / np.where(det, 1.0, cs2)
        # the gamma p99 (scipy.stats.gamma.ppf computes exactly this)
        q = special.gammaincinv(shape, 0.99) * (np.where(finite, resp, 1.0) / shape)
    # The p99 of a very skewed T (SCV above about 575) falls below its mean; the peak
    # age I + T is then summarised by its mean I + E[T], so that worst >= mean always.
    # (a ppf lost to overflow, at an astronomical SCV, is such a case too).
    q = np.where(finite, np.where(np.isfinite(q), np.maximum(q, resp), resp), np.inf)
    worst = np.where(stable, interval + np.where(det, transfer, q), np.inf)
    return wait, mean, worst, stable


def async_rpo(interval_s, n_desktops=50, change: ChangeModel | None = None,
              sites: SitePair | None = None, *, mode: str = "async", rate="peak",
              bandwidth_bps=None, transfer_scv=0.0) -> AsyncRPO:
    r"""Worst and mean data loss of a periodic (async or NearSync) schedule.

    The delta of one snapshot of a PD of N desktops is
    :math:`\Delta = N\,U(r I)` bytes (:meth:`ChangeModel.unique_bytes` at
    ``rate``), sent in :math:`S = s_0 + 8\Delta/(c\,d\,\eta B)` seconds
    (:meth:`SitePair.transfer_s`). Then (module docstring)
    :math:`L_{\max} = I + S`, :math:`\bar L = I/2 + S + E[W]`, and the
    schedule is stable when :math:`S < I`.

    NearSync: when its own schedule is unstable the backlog grows until a
    light-weight snapshot takes more than 60 min, and it falls back to hourly
    snapshots; the result is then that of the hourly schedule with
    ``fallback`` True.

    Parameters
    ----------
    interval_s : array_like
        Snapshot interval I (s): ``>= 3600`` for ``async`` (AOS 4.x), 60–900
        for ``nearsync`` (AOS 5.5+).
    n_desktops : array_like of int
        Desktops in the PD (a warning above 50, the linked-clone guideline).
    change : ChangeModel, optional
    sites : SitePair, optional
        The two sites and the WAN link between them.
    mode : {'async', 'nearsync'}
    rate : {'peak', 'mean'} or float
        Write rate used, as a multiple of the mean; default the peak hour
        (vSphere Replication guidance: size for the peak change rate).
    bandwidth_bps : array_like, optional
        Overrides ``sites.bandwidth_bps`` (broadcasts).
    transfer_scv : array_like
        Squared coefficient of variation of transfer times (0 deterministic,
        1 exponential).

    Returns
    -------
    AsyncRPO
    """
    change = check_instance("change", change, ChangeModel, default=ChangeModel)
    sites = check_instance("sites", sites, SitePair, default=SitePair)
    interval = _check_interval(interval_s, mode)
    n = check_domain_size(n_desktops).astype(float)
    cs2 = check_nonnegative("transfer_scv", transfer_scv)
    delta = n * change.unique_bytes(interval, rate)
    transfer = sites.transfer_s(delta, bandwidth_bps)
    wait, mean, worst, stable = _loss(interval, transfer, cs2)
    fallback = np.zeros(np.shape(stable), dtype=bool)
    if mode == "nearsync" and not np.all(stable):
        fallback = ~stable
        fi = np.full(np.shape(interval), NEARSYNC_FALLBACK_S)
        fdelta = n * change.unique_bytes(fi, rate)
        ftransfer = sites.transfer_s(fdelta, bandwidth_bps)
        fwait, fmean, fworst, fstable = _loss(fi, ftransfer, cs2)
        pick = lambda a, b: np.where(fallback, b, a)  # noqa: E731
        interval, delta, transfer = pick(interval, fi), pick(delta, fdelta), pick(transfer, ftransfer)
        wait, mean, worst, stable = (pick(wait, fwait), pick(mean, fmean),
                                     pick(worst, fworst), pick(stable, fstable))
    shape = np.broadcast_shapes(np.shape(interval), np.shape(transfer), np.shape(worst))
    b = lambda x: np.broadcast_to(x, shape).copy()  # noqa: E731
    return AsyncRPO(mode, b(interval), b(delta), b(transfer), b(transfer / interval), b(wait),
                    b(worst), b(mean), b(stable), b(fallback))


def meets_rpo_rule(transfer_s, rpo_s) -> np.ndarray:
    """The published rule: an RPO is met only if each transfer takes <= RPO/2.

    vSphere Replication (15-min RPO → transfers of at most 7.5 min). It is
    the closed form :math:`I + S \\le R` at the interval :math:`I = R/2`.
    """
    s = check_nonnegative("transfer_s", transfer_s, allow_inf=True)
    return s <= check_positive("rpo_s", rpo_s) / 2.0


def required_bandwidth(target_rpo_s, interval_s=None, n_desktops=50,
                       change: ChangeModel | None = None, sites: SitePair | None = None, *,
                       rate="peak") -> np.ndarray:
    r"""Nominal bandwidth (bit/s) for a worst-case data loss within a target RPO.

    With deterministic transfers :math:`I + S \le R` and :math:`S \le I`:

    .. math::

        B = \frac{8\,N\,U(r I)}{c\,d\,\eta\,\min(R - I - s_0,\; I - s_0)}

    ``inf`` when :math:`I + s_0 \ge R`. Without ``interval_s`` the interval is
    :math:`R/2` (the RPO/2 rule). The interval is not checked against a
    mode's limits (this is a sizing question).
    """
    change = check_instance("change", change, ChangeModel, default=ChangeModel)
    sites = check_instance("sites", sites, SitePair, default=SitePair)
    r = check_positive("target_rpo_s", target_rpo_s)
    i = r / 2.0 if interval_s is None else check_positive("interval_s", interval_s)
    n = check_domain_size(n_desktops).astype(float)
    bits = 8.0 * n * change.unique_bytes(i, rate) / (sites.reduction * sites.efficiency)
    budget = np.minimum(r - i, i) - sites.setup_s
    with np.errstate(divide="ignore"):
        return np.where(budget > 0, bits / np.where(budget > 0, budget, 1.0), np.inf)


def shared_link_loss(interval_s, transfer_s, n_domains, schedule: str = "staggered"):
    r"""Worst data loss of each of P PDs sharing one link (deterministic transfers).

    ``aligned``: all P snapshots are taken at once and queue FIFO; the k-th
    (k = 1..P) completes after :math:`kS`, so :math:`L_{\max,k} = I + kS`.
    ``staggered``: offsets :math:`I/P`; with :math:`S \le I/P` no transfer
    waits and :math:`L_{\max} = I + S` for every PD. Unstable (``inf``)
    when :math:`P S > I` (aligned) or :math:`S > I/P` (staggered).

    Returns
    -------
    numpy.ndarray, shape (..., P)
        Worst loss of each PD in FIFO order (s).
    """
    i = check_positive("interval_s", interval_s)
    s = check_nonnegative("transfer_s", transfer_s)
    p = check_integer("n_domains", n_domains, minimum=1, maximum=MAX_DOMAINS, scalar=True)
    k = np.arange(1, p + 1)
    schedule = check_choice("schedule", schedule, ("aligned", "staggered"))
    i, s = np.asarray(i)[..., None], np.asarray(s)[..., None]
    if schedule == "aligned":
        return np.where(p * s <= i, i + k * s, np.inf)
    return np.where(p * s <= i, i + s + 0 * k, np.inf)


@dataclass(frozen=True)
class SyncLatency:
    """Write latency added by synchronous replication (s).

    Attributes: ``rtt_s`` (light in fibre plus ``extra_rtt_s``),
    ``serialization_s`` (the write on the link), ``queue_s`` (M/D/1 wait on the
    link), ``added_s`` (their sum; ``inf`` when the link saturates), ``stable``.
    """

    rtt_s: np.ndarray
    serialization_s: np.ndarray
    queue_s: np.ndarray
    added_s: np.ndarray
    stable: np.ndarray


def sync_write_latency(distance_km=None, write_bytes=10e3, *, write_rate_bytes_per_s=0.0,
                       sites: SitePair | None = None, extra_rtt_s=0.0) -> SyncLatency:
    r"""Latency sync replication adds to each write, and the loss it avoids (none).

    .. math::

        \Delta t = \underbrace{2 \cdot 5\,\mu s/\text{km} \cdot d + t_0}_{RTT}
                 + \underbrace{8 b / (\eta B)}_{serialization}
                 + W_{M/D/1}(\lambda = w / b,\ \mu = \eta B / 8b)

    Writes are acknowledged only once the remote site has them, so a failure
    loses nothing. Metro Availability requires RTT < 5 ms (≤ 400 km): beyond it
    a ``UserWarning`` is emitted. Writes are not compressed on the sync path.

    Sync replication runs over its own **metro link** between the two sites of
    a stretched cluster, not the asynchronous WAN link of :class:`SitePair`'s
    default (100 Mbit/s): ``B`` and ``eta`` are the metro link's, by default
    10 Gbit/s at 80 % efficiency over 100 km (*assumed*: a dedicated metro
    fibre; Metro Availability asks for RTT < 5 ms, not a bandwidth).

    Parameters
    ----------
    distance_km : array_like, optional
        Fibre distance (km), ``>= 0``; default the metro link's ``distance_km``.
    write_bytes : array_like
        Size of one write (bytes); default 10 kB (task worker).
    write_rate_bytes_per_s : array_like
        Total write rate replicated on the link (bytes/s), for the queueing term.
    sites : SitePair, optional
        The two sites of the stretched cluster and their metro link
        (bandwidth, efficiency, distance); default
        ``SitePair(bandwidth_bps=10e9, compression_ratio=1.0, distance_km=100.0)``.
        Pass the WAN :class:`SitePair` only if sync writes really share it.
    extra_rtt_s : array_like
        Switching and protocol round-trip overhead (s).
    """
    sites = check_instance("sites", sites, SitePair, default=lambda: SitePair(
        bandwidth_bps=10e9, compression_ratio=1.0, distance_km=100.0))
    d = check_nonnegative("distance_km", sites.distance_km if distance_km is None else distance_km)
    b = check_positive("write_bytes", write_bytes)
    w = check_nonnegative("write_rate_bytes_per_s", write_rate_bytes_per_s)
    rtt = 2 * LIGHT_S_PER_KM * d + check_nonnegative("extra_rtt_s", extra_rtt_s)
    if np.any(rtt >= METRO_MAX_RTT_S) or np.any(d > METRO_MAX_KM):
        warnings.warn(f"sync replication needs RTT < {METRO_MAX_RTT_S * 1e3:g} ms and at most "
                      f"{METRO_MAX_KM:g} km (Metro Availability); got up to "
                      f"{float(np.max(rtt)) * 1e3:.2f} ms over {float(np.max(d)):g} km",
                      UserWarning, stacklevel=2)
    ser = 8.0 * b / (sites.efficiency * sites.bandwidth_bps)
    lam, mu = w / b, 1.0 / ser
    stable = lam < mu
    q = np.asarray(queueing.md1(lam, mu).mean_wait, dtype=float)
    added = np.where(stable, rtt + ser + q, np.inf)
    shape = np.shape(added)
    bc = lambda x: np.broadcast_to(x, shape).copy()  # noqa: E731
    return SyncLatency(bc(rtt), bc(ser), bc(q), bc(added), bc(stable))
