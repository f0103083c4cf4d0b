r"""Recovery time: from the failure until every desktop is usable; and failback.

After a disaster the recovery site goes through, in order:

1. **detection and decision** (``detection_s + decision_s``): noticing the
   outage and deciding to fail over (a person in the loop);
2. **activation** of the :math:`P = \lceil N / n_{PD} \rceil` protection domains,
   ``activation_parallelism`` at a time: :math:`\lceil P / a \rceil\,t_a`;
3. **registration and power-on** of the N desktops, ``power_on_parallelism``
   (k) at a time: the last one is powered on at
   :math:`T_{on} = \lceil N / k \rceil (t_{reg} + t_{on})`;
4. the **boot storm** at the recovery site, on cold caches: Shadow Clones are
   built only after reads from several remote CVMs, so by default every replica
   read queues at one CVM (``strategy='linked_clones'``). With
   :math:`d(n)` the duration of a storm of n desktops booted at once
   (:func:`hcimodel.hotspot.boot_storm`, closed-network MVA), boots end at
   :math:`\max\bigl(T_{on} + d(1),\ t_{reg} + t_{on} + d(N)\bigr)`: the last
   desktop needs at least one lone boot, and the storm cannot beat its
   all-at-once duration, which is capacity bound (an approximation: spreading
   the power-ons lowers the queueing only below saturation);
5. ``ready_s`` until the desktop agent has registered and users can log in.

During recovery no Composer operation (refresh, recompose) is possible.

A **planned** failover disables the pools, waits for a final sync and loses no
data; it skips detection and decision and adds ``final_sync_s``.

**Failback** sends back only the blocks changed at the recovery site
(deltas against a reference snapshot): :math:`N\,U(D)` bytes for a recovery
period D, in :math:`8 N U(D) / (c\,d\,\eta B)` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .. import hotspot
from ..validation import (check_bool, check_choice, check_duration, check_integer,
                          check_nonnegative, check_instance)
from .change import MAX_DESKTOPS_PER_PD, ChangeModel, Link

__all__ = ["RTO", "rto", "Failback", "failback", "PHASES"]

PHASES = ("detection_s", "decision_s", "activation_s", "power_on_s", "boot_s",
          "ready_s", "final_sync_s")


@dataclass(frozen=True)
class RTO:
    """Recovery time of a pool, phase by phase (s; arrays broadcast over N and k).

    ``boot_s`` is the part of the boot storm after the last power-on;
    ``total_s`` the sum of the phases, the RTO. ``planned`` marks a planned
    failover, which loses no data (an unplanned one loses what
    :func:`async_rpo` says).
    """

    n_desktops: np.ndarray
    power_on_parallelism: np.ndarray
    detection_s: np.ndarray
    decision_s: np.ndarray
    activation_s: np.ndarray
    power_on_s: np.ndarray
    boot_s: np.ndarray
    ready_s: np.ndarray
    final_sync_s: np.ndarray
    total_s: np.ndarray
    planned: bool

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: n_desktops, power_on_parallelism, phase, seconds; sorted."""
        shape = self.total_s.shape
        base = {"n_desktops": np.broadcast_to(self.n_desktops, shape).ravel(),
                "power_on_parallelism": np.broadcast_to(self.power_on_parallelism,
                                                        shape).ravel()}
        return pl.concat([
            pl.DataFrame({**base, "phase": ph,
                          "seconds": np.broadcast_to(getattr(self, ph), shape)
                          .ravel().astype(float)})
            for ph in (*PHASES, "total_s")]).sort(["n_desktops", "power_on_parallelism",
                                                   "phase"])


def rto(n_desktops, power_on_parallelism=20, *, cluster: hotspot.Cluster | None = None,
        strategy: str = "linked_clones", boot_read_bytes: float = 420e6,
        detection_s: float = 300.0, decision_s: float = 900.0,
        desktops_per_pd: int = MAX_DESKTOPS_PER_PD, activation_s_per_pd: float = 120.0,
        activation_parallelism: int = 1, register_s: float = 5.0, power_on_s: float = 5.0,
        ready_s: float = 60.0, planned: bool = False, final_sync_s: float = 0.0) -> RTO:
    r"""Time from a failure until every desktop is usable at the recovery site.

    See the module docstring for the phases. Defaults are *assumed* (no
    published figure): 5 min to detect, 15 min to decide, 2 min to activate
    a PD (one at a time), 5 s to register and 5 s to power on a desktop, 20
    power-ons at a time, 1 min for the agent; 420 MB read per boot (hIOmon
    trace). For scale: 1,270 XenDesktop desktops booted in 10–12 min (Dell
    EqualLogic).

    Parameters
    ----------
    n_desktops : array_like of int
        Desktops to recover, N.
    power_on_parallelism : array_like of int
        Registration and power-on tasks at a time, k (broadcasts with N).
    cluster : hotspot.Cluster, optional
        The recovery cluster.
    strategy : str
        Clone strategy at the recovery site for :func:`hotspot.boot_storm`.
    boot_read_bytes : float
        Bytes read by one boot (bytes).
    detection_s, decision_s, activation_s_per_pd, register_s, power_on_s, ready_s : float
        Durations (s) as in the module docstring.
    desktops_per_pd : int
        Desktops per protection domain (guideline: at most 50).
    activation_parallelism : int
        Protection domains activated at a time.
    planned : bool
        Planned failover: no detection or decision, a final sync, no data loss.
    final_sync_s : float
        Duration of the final sync of a planned failover (s).

    Returns
    -------
    RTO
    """
    n = check_integer("n_desktops", n_desktops, minimum=1)
    k = check_integer("power_on_parallelism", power_on_parallelism, minimum=1)
    per_pd = check_integer("desktops_per_pd", desktops_per_pd, minimum=1, scalar=True)
    a = check_integer("activation_parallelism", activation_parallelism, minimum=1, scalar=True)
    # Scalar durations, bounded so that ceil(N / k) phases cannot overflow to inf - inf.
    (detection_s, decision_s, activation_s_per_pd, register_s, power_on_s, ready_s,
     final_sync_s) = (check_duration(name, v, scalar=True) for name, v in (
        ("detection_s", detection_s), ("decision_s", decision_s),
        ("activation_s_per_pd", activation_s_per_pd), ("register_s", register_s),
        ("power_on_s", power_on_s), ("ready_s", ready_s), ("final_sync_s", final_sync_s)))
    planned = check_bool("planned", planned)
    check_choice("strategy", strategy, hotspot.STRATEGIES)
    n, k = np.broadcast_arrays(n, k)
    uniq = np.unique(np.concatenate([n.ravel(), [1]]))
    storm = hotspot.boot_storm(uniq, strategy, cluster, boot_read_bytes=boot_read_bytes)
    d = dict(zip(uniq.tolist(), storm.duration_s.tolist()))
    d_n = np.vectorize(d.__getitem__, otypes=[float])(n)
    d_1 = d[1]
    task = register_s + power_on_s
    pds = np.ceil(n / per_pd)
    activation = np.ceil(pds / a) * activation_s_per_pd
    t_on = np.ceil(n / k) * task
    boot_end = np.maximum(t_on + d_1, task + d_n)
    z = np.zeros(n.shape)
    det = z if planned else z + detection_s
    dec = z if planned else z + decision_s
    sync = z + final_sync_s if planned else z
    boot = boot_end - t_on
    total = det + dec + sync + activation + t_on + boot + ready_s
    return RTO(n.copy(), k.copy(), det, dec, activation, t_on, boot, z + ready_s, sync,
               total, bool(planned))


@dataclass(frozen=True)
class Failback:
    """Failback after a recovery period (arrays broadcast).

    ``changed_bytes``: unique bytes changed at the recovery site;
    ``sent_bytes``: after compression and dedup; ``transfer_s``: time to send
    them back over the link (s).
    """

    recovery_period_s: np.ndarray
    changed_bytes: np.ndarray
    sent_bytes: np.ndarray
    transfer_s: np.ndarray


def failback(recovery_period_s, n_desktops, change: ChangeModel | None = None,
             link: Link | None = None, *, rate="mean", bandwidth_bps=None) -> Failback:
    r"""Data changed during a recovery period and the time to send it back.

    :math:`\Delta = N\,U(r D)` (overwrites coalesce over the whole period), sent
    in :math:`S = s_0 + 8\Delta / (c\,d\,\eta B)`.

    Parameters
    ----------
    recovery_period_s : array_like
        Time spent running at the recovery site, D (s).
    n_desktops : array_like of int
    change, link : optional
    rate : {'mean', 'peak'} or float
    bandwidth_bps : array_like, optional
        Overrides the link bandwidth (bit/s).
    """
    change = check_instance("change", change, ChangeModel, default=ChangeModel)
    link = check_instance("link", link, Link, default=Link)
    dur = check_nonnegative("recovery_period_s", recovery_period_s)
    n = check_integer("n_desktops", n_desktops, minimum=1).astype(float)
    changed = n * change.unique_bytes(dur, rate)
    sent = changed / link.reduction
    t = np.asarray(link.transfer_s(changed, bandwidth_bps), dtype=float)
    shape = np.shape(t)
    return Failback(np.broadcast_to(dur, shape).copy(), np.broadcast_to(changed, shape).copy(),
                    np.broadcast_to(sent, shape).copy(), t)
