r"""Recovery time: from the failure until every desktop is usable; and failback.

After a disaster the recovery site goes through, in time order (the order of
:data:`PHASES` and of :meth:`RTO.to_frame`):

1. **detection and decision** (``detection_s + decision_s``): noticing the
   outage and deciding to fail over (a person in the loop); a *planned*
   failover skips them and waits for a final sync (``final_sync_s``) instead;
2. **activation** of the :math:`P = \lceil N / n_{PD} \rceil` protection domains,
   ``activation_parallelism`` at a time: :math:`\lceil P / a \rceil\,t_a`. No
   published figure exists for :math:`t_a`: the default (120 s per PD) is an
   assumption, and at 50 desktops per PD it is the largest phase of a large
   pool's RTO. Every result says so (:attr:`RTO.notes`, :attr:`RTO.activation_share`)
   and :func:`activation_sensitivity` shows the RTO over a range of :math:`t_a`;
3. **infrastructure first** (``infrastructure_s``): the services desktops need
   boot one after the other before a desktop can be registered, by default
   (:data:`INFRASTRUCTURE`, durations assumed) directory and DNS (5 min), the
   desktop broker's database (5 min), vCenter (10 min), the connection servers
   (5 min). Their protection domain is activated with the others (it counts in
   :math:`P` only through ``desktops_per_pd``; an assumption);
4. **registration and power-on** of the N desktops, ``power_on_parallelism``
   (k) at a time: the last one is powered on at
   :math:`T_{on} = \lceil N / k \rceil (t_{reg} + t_{on})`;
5. the **boot storm** at the recovery site, on cold caches. Shadow Clones are on
   by default since AOS 4.0.2, so they serve it unless switched off
   (``shadow_clones=False``): the desktops powered on before detection
   (:func:`hcimodel.shadowclone.detection_delay` with the power-ons spread
   over :math:`T_{on}`, plus ``detection_lag_s``) read the replica from its one
   CVM (``strategy='linked_clones'`` of :func:`hcimodel.hotspot.boot_storm`),
   the others read it locally (``'shadow_clones'``; the one fetch of the boot
   set per node, under a second on 10 GbE, is left out). With :math:`d_s(n)`
   the duration of a storm of n desktops booted at once, boots end at
   :math:`\max\bigl(T_{on} + d_s(1),\ t_{reg} + t_{on} + d_s(N),\ t_{reg} +
   t_{on} + d_{lc}(n_{pre})\bigr)` with :math:`n_{pre} = N\,\min(t_d/T_{on},
   1)` desktops started before detection (an upper bound for them: their
   reads after detection are local too). Without Shadow Clones (or when they
   are never detected: fewer than 4 nodes or desktops) every desktop boots as
   a linked clone: :math:`s = lc`, :math:`n_{pre} = 0`. The last desktop needs
   at least one lone boot, and the storm cannot beat its all-at-once duration
   (capacity bound; spreading the power-ons lowers the queueing only below
   saturation);
6. ``ready_s`` until the desktop agent has registered and users can log in.

During recovery no Composer operation (refresh, recompose) is possible.

**Failback** sends back only the blocks changed at the recovery site
(deltas against a reference snapshot): :math:`N\,U(D)` bytes for a recovery
period D, in :math:`8 N U(D) / (c\,d\,\eta B)` seconds.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from .. import hotspot, shadowclone
from ..validation import (check_bool, check_choice, check_duration, check_instance,
                          check_integer, check_nonnegative, check_positive)
from ..workload import BOOT_READ_BYTES
from ..cluster import SitePair
from .change import MAX_DESKTOPS_PER_PD, ChangeModel
from ..cluster import Cluster

__all__ = ["RTO", "rto", "activation_sensitivity", "Failback", "failback", "PHASES",
           "INFRASTRUCTURE", "ASSUMED_INPUTS"]

#: Phases of :class:`RTO`, in time order.
PHASES = ("detection_s", "decision_s", "final_sync_s", "activation_s", "infrastructure_s",
          "power_on_s", "boot_s", "ready_s")

#: Services booted one after the other before desktops can be registered, with
#: their boot-and-ready times (s). *Assumed* (no published figure): directory and
#: DNS first (everything authenticates and resolves names), then the broker's
#: database, vCenter (needs both), then the connection servers (need all three).
INFRASTRUCTURE = (("directory_dns", 300.0), ("broker_database", 300.0), ("vcenter", 600.0),
                  ("connection_servers", 300.0))

#: The inputs of :func:`rto` whose defaults are assumptions, per phase: a phase is
#: flagged ``assumed`` (:meth:`RTO.to_frame`) where one of them keeps its default.
#: ``boot_s`` comes from a model (:func:`hcimodel.hotspot.boot_storm`) and the
#: total is a sum; neither is flagged.
ASSUMED_INPUTS = {"detection_s": ("detection_s",), "decision_s": ("decision_s",),
                  "final_sync_s": ("final_sync_s",),
                  "activation_s": ("activation_s_per_pd", "activation_parallelism"),
                  "infrastructure_s": ("infrastructure_s",),
                  "power_on_s": ("register_s", "power_on_s", "power_on_parallelism"),
                  "ready_s": ("ready_s",)}


@dataclass(frozen=True)
class RTO:
    """Recovery time of a pool, phase by phase (s; arrays broadcast over N and k).

    ``boot_s`` is the part of the boot storm after the last power-on;
    ``total_s`` the sum of the phases, the RTO. ``planned`` marks a planned
    failover, which loses no data (an unplanned one loses what
    :func:`async_rpo` says). ``activation_share`` is ``activation_s /
    total_s``: the activation time per protection domain is an assumption
    and often the largest phase; ``notes`` says so in words, with the other
    flags (Shadow Clones, infrastructure order). ``shadow_clones`` tells
    whether Shadow Clones served the boot storm (detected), per element.
    ``assumed`` maps each phase to a boolean array: True where its duration
    rests on an assumed default the caller did not override
    (:data:`ASSUMED_INPUTS`); a phase a planned failover skips, or one the
    caller gave, is not assumed.
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
    infrastructure_s: np.ndarray = None
    shadow_clones: np.ndarray = None
    activation_share: np.ndarray = None
    notes: tuple = ()
    assumed: dict | None = None

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame in time order: n_desktops, power_on_parallelism, step, phase,
        seconds, share (of the RTO), assumed (the phase's duration rests on an
        assumed default the caller kept, :attr:`assumed`); ``total_s`` last."""
        import polars as pl

        shape = self.total_s.shape
        base = {"n_desktops": np.broadcast_to(self.n_desktops, shape).ravel(),
                "power_on_parallelism": np.broadcast_to(self.power_on_parallelism,
                                                        shape).ravel()}
        tot = np.broadcast_to(self.total_s, shape).ravel().astype(float)
        frames = []
        for step, ph in enumerate((*PHASES, "total_s"), start=1):
            sec = np.broadcast_to(getattr(self, ph), shape).ravel().astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(tot > 0, sec / np.where(tot > 0, tot, 1.0), 0.0)
            flag = (self.assumed or {}).get(ph, False)
            frames.append(pl.DataFrame({**base, "step": step, "phase": ph, "seconds": sec,
                                        "share": share,
                                        "assumed": np.broadcast_to(flag, shape).ravel()}))
        return pl.concat(frames).sort(["n_desktops", "power_on_parallelism", "step"])


def _storm(sizes, strategy, cluster, boot_read_bytes):
    """Duration of a boot storm of each size (dict size -> s; 0 desktops take 0 s)."""
    uniq = np.unique(np.asarray(sizes, dtype=np.int64))
    pos = uniq[uniq > 0]
    out = {0: 0.0}
    if pos.size:
        d = hotspot.boot_storm(pos, strategy=strategy, cluster=cluster,
                               boot_read_bytes=boot_read_bytes)
        out.update(zip(pos.tolist(), d.duration_s.tolist()))
    return out


def rto(n_desktops, power_on_parallelism=20, *, cluster: Cluster | None = None,
        strategy: str = "linked_clones", boot_read_bytes: float = BOOT_READ_BYTES,
        shadow_clones: bool = True, detection_lag_s: float = 0.0,
        detection_s: float = 300.0, decision_s: float = 900.0,
        desktops_per_pd: int = MAX_DESKTOPS_PER_PD, activation_s_per_pd: float = 120.0,
        activation_parallelism: int = 1, infrastructure_s=INFRASTRUCTURE,
        register_s: float = 5.0, power_on_s: float = 5.0,
        ready_s: float = 60.0, planned: bool = False, final_sync_s: float = 0.0) -> RTO:
    r"""Time from a failure until every desktop is usable at the recovery site.

    See the module docstring for the phases. Defaults are *assumed* (no
    published figure): 5 min to detect, 15 min to decide, 2 min to activate
    a PD (one at a time), the infrastructure of :data:`INFRASTRUCTURE`
    (25 min in all), 5 s to register and 5 s to power on a desktop, 20
    power-ons at a time, 1 min for the agent, no Shadow Clone detection lag
    (the best case); 420 MB read per boot (hIOmon trace). Shadow Clones on
    (default since AOS 4.0.2). For scale: 1,270 XenDesktop desktops booted in
    10–12 min (Dell EqualLogic).

    Parameters
    ----------
    n_desktops : array_like of int
        Desktops to recover, N.
    power_on_parallelism : array_like of int
        Registration and power-on tasks at a time, k (broadcasts with N).
    cluster : Cluster, optional
        The recovery cluster.
    strategy : str
        Clone strategy at the recovery site for :func:`hotspot.boot_storm`.
        ``'linked_clones'`` (default) gets Shadow Clones unless
        ``shadow_clones=False``; other strategies are used as given:
        ``'full_clones'`` (native clones, :mod:`hcimodel.fullclone`) need no
        detection, so they boot as Shadow Clones detected at once (the one
        fetch of the boot set per node left out likewise).
    boot_read_bytes : float
        Bytes read by one boot, all reads (bytes; default
        :data:`hcimodel.workload.BOOT_READ_BYTES`, the one definition shared
        with :func:`hcimodel.hotspot.boot_storm`).
    shadow_clones : bool
        Shadow Clones enabled at the recovery site (default True: on by
        default since AOS 4.0.2).
    detection_lag_s : float
        Shadow Clone detection lag (s; not published, 0 the best case).
    detection_s, decision_s, activation_s_per_pd, register_s, power_on_s, ready_s : array_like
        Durations (s) as in the module docstring, in [0, 1e15]; arrays broadcast with
        ``n_desktops`` and ``power_on_parallelism`` (one RTO per element).
    desktops_per_pd : int
        Desktops per protection domain (guideline: at most 50).
    activation_parallelism : int
        Protection domains activated at a time.
    infrastructure_s : sequence of (str, float)
        Services booted in this order before the desktops, with their
        durations (s); ``()`` when they already run at the recovery site.
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
    # Durations, bounded so that ceil(N / k) phases cannot overflow to inf - inf; each
    # may be an array broadcasting with the pool sizes (one per draw of an uncertain
    # input in hcimodel.sizing).
    (detection_s, decision_s, register_s, power_on_s, ready_s, final_sync_s,
     activation_s_per_pd) = (check_duration(name, v) for name, v in (
        ("detection_s", detection_s), ("decision_s", decision_s),
        ("register_s", register_s), ("power_on_s", power_on_s), ("ready_s", ready_s),
        ("final_sync_s", final_sync_s), ("activation_s_per_pd", activation_s_per_pd)))
    detection_lag_s = check_duration("detection_lag_s", detection_lag_s, scalar=True)
    shapes = {name: np.shape(v) for name, v in (
        ("n_desktops", n), ("power_on_parallelism", k), ("detection_s", detection_s),
        ("decision_s", decision_s), ("register_s", register_s), ("power_on_s", power_on_s),
        ("ready_s", ready_s), ("final_sync_s", final_sync_s),
        ("activation_s_per_pd", activation_s_per_pd))}
    try:
        np.broadcast_shapes(*shapes.values())
    except ValueError:
        raise ValueError("n_desktops, power_on_parallelism and the durations must broadcast "
                         "together (got shapes " + ", ".join(
                             f"{k_}={v}" for k_, v in shapes.items() if v) + ")") from None
    planned = check_bool("planned", planned)
    shadow_clones = check_bool("shadow_clones", shadow_clones)
    check_choice("strategy", strategy, hotspot.STRATEGIES)
    check_positive("boot_read_bytes", boot_read_bytes)
    infra = tuple(check_instance("infrastructure_s", infrastructure_s, (tuple, list)))
    for item in infra:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise ValueError(f"infrastructure_s must hold (name, seconds) pairs "
                             f"(got {item!r:.60})")
        check_duration(f"infrastructure_s[{item[0]!r}]", item[1], scalar=True)
    infra_s = float(sum(float(s) for _, s in infra))
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    # every array input broadcasts to one shape, so each phase has the result's shape
    (n, k, detection_s, decision_s, register_s, power_on_s, ready_s, final_sync_s,
     activation_s_per_pd) = np.broadcast_arrays(n, k, detection_s, decision_s, register_s,
                                                power_on_s, ready_s, final_sync_s,
                                                activation_s_per_pd)
    task = register_s + power_on_s
    pds = np.ceil(n / per_pd)
    activation = np.ceil(pds / a) * activation_s_per_pd
    t_on = np.ceil(n / k) * task
    use_sc = bool(shadow_clones) and strategy == "linked_clones"
    if use_sc:
        td = shadowclone.detection_delay(cluster.n_nodes, n, t_on, detection_lag_s)
        detected = np.isfinite(td)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(t_on > 0, np.minimum(td / np.where(t_on > 0, t_on, 1.0), 1.0), 0.0)
        n_pre = np.where(detected, np.minimum(np.ceil(n * frac), n), 0).astype(np.int64)
        d_sc = _storm(np.concatenate([n.ravel(), [1]]), "shadow_clones", cluster,
                      boot_read_bytes)
        d_lc = _storm(np.concatenate([n.ravel(), n_pre.ravel(), [1]]), "linked_clones",
                      cluster, boot_read_bytes)
        get = np.vectorize(lambda x, det, tab_s=d_sc, tab_l=d_lc:
                           (tab_s if det else tab_l)[int(x)], otypes=[float])
        d_n, d_1 = get(n, detected), get(np.ones_like(n), detected)
        d_pre = np.vectorize(lambda x: d_lc[int(x)], otypes=[float])(n_pre)
    else:
        detected = np.zeros(n.shape, dtype=bool)
        d = _storm(np.concatenate([n.ravel(), [1]]), strategy, cluster, boot_read_bytes)
        d_n = np.vectorize(d.__getitem__, otypes=[float])(n)
        d_1 = np.full(n.shape, d[1])
        d_pre = np.zeros(n.shape)
    boot_end = np.maximum(np.maximum(t_on + d_1, task + d_n), task + d_pre)
    z = np.zeros(n.shape)
    det = z if planned else z + detection_s
    dec = z if planned else z + decision_s
    sync = z + final_sync_s if planned else z
    boot = boot_end - t_on
    total = det + dec + sync + activation + infra_s + t_on + boot + ready_s
    share = activation / total
    act = np.asarray(activation_s_per_pd, dtype=float)
    act_text = f"{act.min():g}" if act.min() == act.max() else f"{act.min():g}-{act.max():g}"
    notes = [f"activation_s is {float(np.max(share)):.0%} of the RTO at most here, from an "
             f"assumed {act_text} s per protection domain ({per_pd} desktops "
             f"each, {a} at a time); no published figure: see activation_sensitivity"]
    if infra:
        notes.append("infrastructure_s: " + " -> ".join(f"{nm} {s:g} s" for nm, s in infra)
                     + " (assumed, in this order)")
    if use_sc:
        notes.append("boot_s: Shadow Clones on (AOS 4.0.2+), detection lag "
                      f"{detection_lag_s:g} s (assumed; 0 is the best case)")
    # a phase is assumed where one of its assumed inputs keeps its default
    given = {"detection_s": detection_s, "decision_s": decision_s, "final_sync_s": final_sync_s,
             "activation_s_per_pd": activation_s_per_pd, "activation_parallelism": a,
             "register_s": register_s, "power_on_s": power_on_s, "power_on_parallelism": k,
             "ready_s": ready_s}
    default = {name: p.default for name, p in inspect.signature(rto).parameters.items()}
    kept = {name: np.broadcast_to(v == default[name], n.shape) for name, v in given.items()}
    kept["infrastructure_s"] = np.full(n.shape, bool(infra) and infra == tuple(
        default["infrastructure_s"]))
    skipped = {"detection_s": planned, "decision_s": planned, "final_sync_s": not planned}
    assumed = {ph: ~np.bool_(skipped.get(ph, False)) & np.logical_or.reduce(
        [kept[i] for i in inputs]) for ph, inputs in ASSUMED_INPUTS.items()}
    return RTO(n.copy(), k.copy(), det, dec, activation, t_on, boot, z + ready_s, sync,
               total, bool(planned), z + infra_s, detected, share, tuple(notes), assumed)


def activation_sensitivity(n_desktops=1000, activation_s_per_pd=(30.0, 60.0, 120.0, 300.0,
                                                                 600.0), **kwargs) -> pl.DataFrame:
    """RTO over a range of protection-domain activation times (an assumed input).

    Parameters
    ----------
    n_desktops : int
    activation_s_per_pd : array_like
        Activation time of one protection domain (s, >= 0).
    **kwargs
        Other arguments of :func:`rto`, each a single value (the table has one
        row per activation time; for arrays call :func:`rto` with an array
        ``activation_s_per_pd``).

    Returns
    -------
    polars.DataFrame
        One row per activation time, sorted: activation_s_per_pd,
        activation_s, total_s, activation_share.
    """
    import polars as pl

    n_desktops = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    ta = np.atleast_1d(check_nonnegative("activation_s_per_pd", activation_s_per_pd))
    allowed = set(inspect.signature(rto).parameters) - {"n_desktops", "activation_s_per_pd"}
    for name, value in kwargs.items():
        if name not in allowed:
            raise ValueError(f"{name} must be an argument of rto: one of {sorted(allowed)} "
                             f"(got {name}={value!r:.60})")
        if name != "infrastructure_s" and not isinstance(value, Cluster) \
                and np.ndim(value) != 0:
            raise ValueError(f"{name} must be a single value in activation_sensitivity (one "
                             f"row per activation time; got shape {np.shape(value)})")
    rows = [rto(n_desktops, activation_s_per_pd=float(t), **kwargs) for t in ta.ravel()]
    return pl.DataFrame({"activation_s_per_pd": ta.ravel().astype(float),
                         "activation_s": [float(r.activation_s) for r in rows],
                         "total_s": [float(r.total_s) for r in rows],
                         "activation_share": [float(r.activation_share) for r in rows]}
                        ).sort("activation_s_per_pd")


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
             sites: SitePair | None = None, *, rate="mean", bandwidth_bps=None) -> Failback:
    r"""Data changed during a recovery period and the time to send it back.

    :math:`\Delta = N\,U(r D)` (overwrites coalesce over the whole period), sent
    in :math:`S = s_0 + 8\Delta / (c\,d\,\eta B)`.

    Parameters
    ----------
    recovery_period_s : array_like
        Time spent running at the recovery site, D (s).
    n_desktops : array_like of int
    change : ChangeModel, optional
    sites : SitePair, optional
        The two sites and the WAN link the changes go back over.
    rate : {'mean', 'peak'} or float
    bandwidth_bps : array_like, optional
        Overrides the link bandwidth (bit/s).
    """
    change = check_instance("change", change, ChangeModel, default=ChangeModel)
    sites = check_instance("sites", sites, SitePair, default=SitePair)
    dur = check_nonnegative("recovery_period_s", recovery_period_s)
    n = check_integer("n_desktops", n_desktops, minimum=1).astype(float)
    changed = n * change.unique_bytes(dur, rate)
    sent = changed / sites.reduction
    t = np.asarray(sites.transfer_s(changed, bandwidth_bps), dtype=float)
    shape = np.shape(t)
    return Failback(np.broadcast_to(dur, shape).copy(), np.broadcast_to(changed, shape).copy(),
                    np.broadcast_to(sent, shape).copy(), t)
