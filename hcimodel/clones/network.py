"""Network bytes of each strategy: one recompose (or refresh) cadence
(:func:`lifecycle`), per month of image updates (:func:`network_per_month`), and
where the two strategies send the same bytes (:func:`flip_update_interval`,
:func:`flip_patch_bytes`)."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import optimize

from .. import fullclone as fc
from .. import shadowclone as sc
from ..cluster import Cluster
from ..occupancy import expected_distinct
from ..units import DAY_S, MONTH_S
from ..validation import (check_choice, check_duration, check_instance, check_integer,
                          check_nonnegative, check_positive)
from ..workload import WorkloadProfile, as_profile
from .life import STRATEGIES, PoolLife, _life

__all__ = ["lifecycle", "network_per_month", "flip_update_interval", "flip_patch_bytes"]


# ------------------------------------------------------------------ network per cycle
def lifecycle(interval_s, n_desktops: int = 100, cluster: Cluster | None = None, *,
              replica: sc.Replica | None = None, boot_workload: WorkloadProfile | str = "boot",
              steady_workload: WorkloadProfile | str = "task", source: str = "single",
              detection_delay_s=None, start_window_s: float = 0.0,
              detection_lag_s: float = 0.0, patch_bytes: float | None = None) -> pl.DataFrame:
    r"""Network cost of a recompose (or refresh) cadence, beside the alternatives.

    A write to the base drops every shadow clone; each cycle of length ``P``
    then starts with a boot storm of the whole pool and continues in the steady
    state. Per cycle:

    ``no_shadow_clones``
        Every replica read of the ``M = N - ceil(N/H)`` desktops off the owner
        crosses the network, forever: ``M * boot_bytes + R * lambda * b * P``
        (``R = min(N, H) - 1`` remote nodes hosting desktops, ``lambda`` the
        block reads per second of one of them).
    ``shadow_clones``
        Remote reads until detection, the boot set fetched once per remote
        node with desktops (:func:`hcimodel.shadowclone.warmup`), then the steady state's first
        reads: ``remote + R f boot_bytes + R D(lambda P) b`` (boot and steady
        working sets counted apart: an upper bound where they overlap).
    ``full_clones``
        Native (VAAI) clones have no recompose: each image update is a patch
        inside every guest, whose writes go to ``RF - 1`` remote oplogs,
        ``N p (RF - 1)`` bytes (``network_bytes_per_patch`` of
        :func:`hcimodel.fullclone.patch_cycle`, the one definition). Their
        shared extents stay cached (a patched block becomes the desktop's own,
        local), so nothing is fetched again: local share 1. The one-time
        warm-up of the first deployment is :func:`hcimodel.fullclone.warmup`;
        :func:`network_per_month` spreads it over a pool's life
        and adds the new replica's ``RF - 1`` copies to a recompose.

    Parameters
    ----------
    interval_s : array_like
        Time between two writes to the base (s), e.g. 30 days for a monthly
        recompose.
    n_desktops : int
    cluster : hcimodel.cluster.Cluster, optional
        The nodes, their links and round trip (the Shadow Clones' warm-up) and
        the replication factor of the full clones' patch writes (at most one
        copy per node). Default ``Cluster()``.
    replica : sc.Replica, optional
    boot_workload, steady_workload : WorkloadProfile or str
    source, detection_delay_s, start_window_s, detection_lag_s
        As in :func:`hcimodel.shadowclone.warmup`.
    patch_bytes : float, optional
        Bytes each guest writes per image update (full clones); default
        :data:`hcimodel.fullclone.PATCH_BYTES`.

    Returns
    -------
    polars.DataFrame
        Columns strategy, interval_s, bytes_per_cycle, bytes_per_month,
        mean_network_bps (average over the cycle), local_share (share of
        replica reads served on the reader's node over the cycle), warm_s (time
        until the boot set is local everywhere); sorted.
    """
    replica = check_instance("replica", replica, sc.Replica, default=sc.Replica)
    P = np.atleast_1d(check_duration("interval_s", interval_s, positive=True)).ravel()
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    H = cluster.n_nodes
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    # one pool, one answer per interval: the warm-up inputs are single numbers
    start_window_s = check_nonnegative("start_window_s", start_window_s, scalar=True)
    detection_lag_s = check_nonnegative("detection_lag_s", detection_lag_s, scalar=True)
    if detection_delay_s is not None:
        detection_delay_s = check_nonnegative("detection_delay_s", detection_delay_s,
                                              allow_inf=True, scalar=True)
    patch = fc.patch_cycle(1, N, parent=replica, rf=cluster.copies, n_nodes=H, patch_bytes=(
        fc.PATCH_BYTES if patch_bytes is None else patch_bytes))
    kw = dict(replica=replica, source=source, detection_delay_s=detection_delay_s,
              start_window_s=start_window_s, detection_lag_s=detection_lag_s)
    boot = sc.warmup(N, cluster, workload=boot_workload, phase="boot", **kw)
    wl = as_profile(steady_workload)
    b = float(replica.block_bytes)
    R, n = (float(x) for x in sc.remote_placement(H, N))  # remote nodes with desktops
    rate = sc.block_read_rate(wl, replica)  # block reads/s per desktop
    reads_node = n * rate * P  # per remote node with desktops
    boot_reads_bytes = N * replica.n_boot_blocks * b  # whole pool, every node
    no_sc = R * n * replica.n_boot_blocks * b + R * reads_node * b
    if bool(boot.detected[()]) and H > 1:
        d = expected_distinct(reads_node, replica.popularity())
        shadow = float(boot.remote_read_bytes[()] + boot.total_bytes[()]) + R * d * b
        warm = float(boot.time_s[()])
    else:
        shadow, warm = no_sc, (0.0 if H == 1 else np.inf)
    total_reads = boot_reads_bytes / b + N * rate * P
    rows = []
    for name, net, w, local in (
            ("no_shadow_clones", no_sc, np.inf if H > 1 else 0.0, None),
            ("shadow_clones", shadow, warm, None),
            ("full_clones", patch.network_bytes_per_patch, 0.0, 1.0)):
        net = np.broadcast_to(np.asarray(net, dtype=float), P.shape)
        rows.append(pl.DataFrame({
            "strategy": name, "interval_s": P, "bytes_per_cycle": net,
            "bytes_per_month": net * MONTH_S / P, "mean_network_bps": 8.0 * net / P,
            "local_share": 1.0 - net / b / total_reads if local is None
            else np.full(P.shape, local),
            "warm_s": np.full(P.shape, w)}))
    return pl.concat(rows).sort(["strategy", "interval_s"])



# ------------------------------------------------------------------ network

def _update_bytes(life: PoolLife, interval_s) -> dict:
    """Bytes on the network per image update, each strategy.

    From :func:`lifecycle` (one source for both): linked
    clones, the new replica's ``RF - 1`` copies plus the Shadow Clones' cycle;
    full clones, the patch's RF-replicated writes.
    """
    df = lifecycle(np.atleast_1d(interval_s), life.n_desktops, life.cluster,
                   replica=life.parent, start_window_s=life.start_window_s,
                   patch_bytes=life.patch_bytes)
    cyc = {s: df.filter(pl.col("strategy") == s).sort("interval_s")["bytes_per_cycle"].to_numpy()
           for s in ("shadow_clones", "full_clones")}
    return {"linked_shadow": (life.rf - 1.0) * life.parent.used_bytes + cyc["shadow_clones"],
            "full_vaai": cyc["full_clones"]}


def _full_once_bytes(life: PoolLife) -> float:
    """Bytes the full clones fetch once in their life (boot set, then the steady state)."""
    boot = fc.warmup(life.n_desktops, life.cluster, parent=life.parent, phase="boot")
    lam = fc.shared_read_rate(life.n_nodes, life.n_desktops, parent=life.parent)
    steady = fc.warmup(life.n_desktops, life.cluster, parent=life.parent, phase="steady",
                       n_reads_per_node=lam * life.life_s)
    return float(boot.total_bytes) + float(steady.total_bytes)


def network_per_month(life: PoolLife | None = None, interval_s=None, **overrides) -> pl.DataFrame:
    r"""Network bytes per month of image updates, each strategy (closed forms).

    ``linked_shadow``: per update, the new replica's ``RF - 1`` remote copies
    plus the Shadow Clones' re-warm-up over the interval ``P``
    (:func:`lifecycle`: remote reads before detection, the
    boot set, the steady state's first reads), times ``MONTH / P``.
    ``full_vaai``: per update, ``N p (RF - 1)`` (every guest's patch writes to
    the remote oplogs, the ``full_clones`` column of the same
    :func:`lifecycle`), times ``MONTH / P``, plus the one-time warm-up of the
    shared extents (:func:`hcimodel.fullclone.warmup`, boot and the life's
    steady reads) spread over the life's months.

    Returns
    -------
    polars.DataFrame
        strategy, interval_s, bytes_per_update, bytes_per_month; sorted.
    """
    life = _life(life, overrides)
    P = np.atleast_1d(check_positive("interval_s", life.update_interval_s if interval_s is None
                                     else interval_s)).ravel()
    upd = _update_bytes(life, P)
    linked, full = upd["linked_shadow"], upd["full_vaai"]
    once = _full_once_bytes(life) / life.months
    return pl.concat([
        pl.DataFrame({"strategy": "linked_shadow", "interval_s": P, "bytes_per_update": linked,
                      "bytes_per_month": linked * MONTH_S / P}),
        pl.DataFrame({"strategy": "full_vaai", "interval_s": P, "bytes_per_update": full,
                      "bytes_per_month": full * MONTH_S / P + once}),
    ]).sort(["strategy", "interval_s"])


def _flip(f, lo, hi):
    """Root of f in [lo, hi] by brentq, or None when f keeps one sign there."""
    a, b = f(lo), f(hi)
    if a == 0:
        return lo
    if np.sign(a) == np.sign(b):
        return None
    return float(optimize.brentq(f, lo, hi, xtol=1e-6, rtol=1e-10))


def _roots(f, lo, hi, n_grid=25):
    """Every sign change of f on a geometric grid over [lo, hi], refined by brentq."""
    x = np.geomspace(lo, hi, n_grid)
    y = np.asarray(f(x), dtype=float)  # f is vectorized
    roots = [float(v) for v, fv in zip(x, y) if fv == 0]
    for i in np.flatnonzero(np.sign(y[:-1]) * np.sign(y[1:]) < 0):
        roots.append(float(optimize.brentq(f, x[i], x[i + 1], xtol=1e-6, rtol=1e-10)))
    return sorted(roots)


def flip_update_interval(life: PoolLife | None = None, lo_s=DAY_S, hi_s=None,
                         **overrides) -> list:
    """Update intervals (s) at which both strategies send the same bytes per month.

    The difference of :func:`network_per_month` is scanned on a geometric grid
    of 25 intervals over ``[lo_s, hi_s]`` (default one day to the life) and
    every sign change refined with :func:`scipy.optimize.brentq`. There can be
    two: linked clones pay little per update when updates are frequent (the
    steady state has little time to be re-fetched), full clones' one-time
    warm-up weighs most when updates are rare.

    Returns
    -------
    list of float
        The intervals (s), increasing; empty when one strategy wins over the
        whole range.
    """
    life = _life(life, overrides)
    hi = life.life_s if hi_s is None else check_positive("hi_s", hi_s, scalar=True)
    lo = check_positive("lo_s", lo_s, scalar=True)

    def diff(p):  # linked_shadow - full_vaai, vectorized over intervals
        df = network_per_month(life, p)
        v = {s: df.filter(pl.col("strategy") == s).sort("interval_s")["bytes_per_month"]
             .to_numpy() for s in STRATEGIES}
        out = v["linked_shadow"] - v["full_vaai"]
        return out if np.ndim(p) else float(out[0])

    return _roots(diff, lo, hi)


def flip_patch_bytes(life: PoolLife | None = None, per: str = "month", **overrides):
    """Bytes written per guest per update at which both strategies send the same bytes.

    ``per="month"``: monthly network bytes (full clones' one-time warm-up
    spread over the life included); ``per="update"``: the bytes of one image
    update (a recompose's re-warm and new replica against one patch). Both are
    linear in ``p``; solved with brentq on ``[0, used bytes]``. None when linked
    clones send more even at ``p = 0``, or less at a full image per update.
    """
    life = _life(life, overrides)
    column = {"month": "bytes_per_month", "update": "bytes_per_update"}[
        check_choice("per", per, ("month", "update"))]
    hi = float(life.parent.used_bytes)

    def diff(p):
        v = network_per_month(life.replace(patch_bytes=p)).sort("strategy")
        return float(v[column][0] - v[column][1])

    return _flip(diff, 0.0, hi)
