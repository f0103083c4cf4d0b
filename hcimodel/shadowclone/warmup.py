"""Closed forms of the warm-up: bytes fetched, bytes read remotely, time to warm up.

:func:`warmup` holds the boot phase (every desktop reads the boot set in
order, over a start window: order statistics of uniform starts integrated in
closed form, :func:`_boot_window`) and the steady phase (independent reads:
the occupancy of :mod:`hcimodel.occupancy`); :func:`lag_sensitivity` scans the
unpublished detection lag.
"""

from __future__ import annotations

import numpy as np

from ..cluster import Cluster
from ..occupancy import expected_distinct, reads_to_local_share
from ..validation import (check_choice, check_in_range, check_instance, check_integer,
                          check_nonnegative)
from ..workload import WorkloadProfile, as_profile
from .detection import _detection_delay, detection_delay
from .replica import (DETECTION_REMOTE_CVMS, PHASES, SOURCES, Replica, block_read_rate,
                      boot_pace, remote_placement)
from .result import WarmUp

__all__ = ["warmup", "lag_sensitivity"]


_QUAD_POINTS = 96


def _ramp(x, T):
    r""":math:`\int_0^x \min(y, T)\,dy` (0 for ``x <= 0``), s²."""
    x = np.maximum(x, 0.0)
    return np.where(x <= T, 0.5 * x * x, T * (x - 0.5 * T))


def _reads_before(t, a, W, n, T):
    r"""Expected boot seconds read before ``t`` by n desktops started uniformly on ``[a, W]``.

    :math:`n\,E[\min((t - s)^+, T)]` with ``s`` uniform on ``[a, W]`` (a point
    mass at ``a`` when ``a = W``).
    """
    L = W - a
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(L > 0, (_ramp(t - a, T) - _ramp(t - W, T)) / np.where(L > 0, L, 1.0),
                       np.clip(t - a, 0.0, T))
    return n * per


def _late_share(t, a, W, n, T):
    r"""Expected share of the boot set a node reads only before ``t``, so never fetches.

    The node's last desktop starts at ``S = max(a, max of n uniforms on [a, W])``
    and reads block ``j`` at ``S + j T / m``: blocks with ``S + j T/m < t``
    are read by no desktop of the node after ``t``. The share is
    :math:`E[\mathrm{clip}((t - S)/T, 0, 1)] = (F(t) - F(t - T)) / T` with
    :math:`F(x) = \int_a^x P(S \le y)\,dy`.
    """
    L = W - a

    def F(x):
        y = np.maximum(x - a, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            body = np.where(L > 0, L / (n + 1.0) * np.minimum(y / np.where(L > 0, L, 1.0), 1.0)
                            ** (n + 1.0), 0.0)
        return body + np.maximum(x - np.maximum(W, a), 0.0)

    return (F(t) - F(t - T)) / T


def _boot_window(R, n, W, lag, T, td=None):
    """Boot storm over a start window: what one remote node fetches and reads remotely.

    Scalars in, scalars out: ``(share, remote_s, last_first_s)`` with
    ``share`` the mean share of the boot set fetched by a remote node that
    hosts desktops, ``remote_s`` the mean boot seconds a remote desktop reads
    before detection (remote reads = ``remote_s * r`` blocks) and
    ``last_first_s`` the expected first start of the last remote node to see
    one. See :func:`warmup` for the derivation; ``td`` fixes the detection
    time (independent of the starts) instead of deriving it from them.
    """
    from scipy import special

    if W <= 1e-12 * T:  # a window below float resolution of the boot time is no window
        t = lag if td is None else td
        return 1.0 - min(t, T) / T, min(t, T), 0.0
    if td is None:
        t_mean = float(_detection_delay(R, n, W, lag))
    else:
        t_mean = td
    # E[max over the R nodes of their first start after a = t_d - T]: a + integral of
    # P(max > x), with the mean t_d and starts unconditioned (an approximation); a node
    # with no start after a fetches nothing and does not count
    a = min(max(t_mean - T, 0.0), W)
    x, w = special.roots_legendre(_QUAD_POINTS)
    xx = a + 0.5 * (W - a) * (x + 1.0)
    later = (1.0 - (xx - a) / W) ** n - (a / W) ** n  # P(a start after a, the first > x)
    last_first = a + 0.5 * (W - a) * float(w @ (1.0 - (1.0 - later) ** R))
    if td is not None:  # a fixed detection time, independent of the starts
        share = 1.0 - float(_late_share(td, 0.0, W, n, T))
        return share, float(_reads_before(td, 0.0, W, 1.0, T)), last_first
    # the third first-seen time c = t3 has G(c) ~ Beta(3, R - 2), G(c) = 1 - (1 - c/W)^n:
    # Gauss-Jacobi in u = G(c) with the weight u^2 (1 - u)^(R - 3)
    xj, wj = special.roots_jacobi(_QUAD_POINTS, R - 3.0, 2.0)
    u = 0.5 * (xj + 1.0)
    wj = wj / wj.sum()
    c = W * (1.0 - (1.0 - u) ** (1.0 / n))
    t = c + lag
    q = (1.0 - c / W) ** n  # P(a node's first start is after c)
    # the two nodes seen before c: unconditional minus "all starts after c", over P(first < c)
    rd_early = (_reads_before(t, 0.0, W, n, T) - q * _reads_before(t, c, W, n, T)) / (1.0 - q)
    ls_early = (_late_share(t, 0.0, W, n, T) - q * _late_share(t, c, W, n, T)) / (1.0 - q)
    # the node seen at c: one desktop starts at c, the other n - 1 after it
    rd_trig = np.minimum(lag, T) + _reads_before(t, c, W, n - 1.0, T)
    ls_trig = _late_share(t, c, W, n - 1.0, T)
    # the R - 3 nodes not yet seen: every start after c
    rd_late = _reads_before(t, c, W, n, T)
    ls_late = _late_share(t, c, W, n, T)
    late = wj @ (2.0 * ls_early + ls_trig + (R - 3.0) * ls_late)
    read = wj @ (2.0 * rd_early + rd_trig + (R - 3.0) * rd_late)
    return 1.0 - float(late) / R, float(read) / (R * n), last_first


def _link_time_factor(source, H):
    """Fetch time of one copy per receiving node, in units of one copy's transfer.

    Single source: the owner's link sends H - 1 copies (H - 1 readers). Map: every holder
    uploads, fluid bound of Kumar and Ross, ``max(1, (H - 1) / H)`` = 1 copy.
    """
    if source == "single":
        return np.maximum(H - 1.0, 1.0)
    return np.ones_like(H)


def warmup(n_desktops=100, cluster: Cluster | None = None, *,
           replica: Replica | None = None, workload: WorkloadProfile | str | None = None,
           phase: str = "boot", source: str = "single", detection_delay_s=None,
           start_window_s=0.0, detection_lag_s=0.0, target=0.99) -> WarmUp:
    r"""Bytes fetched per node and in total, and the time to warm up (closed forms).

    Desktop ``d`` runs on node ``d mod H`` and node 0 owns the replica: the
    ``R = min(N, H) - 1`` remote nodes that host desktops hold ``n = (N -
    ceil(N/H)) / R`` desktops each; nodes without a desktop read nothing and
    fetch nothing (with ``N < H`` only ``N - 1`` nodes fetch).

    Boot phase (deterministic boot sequence)
        Each desktop reads the ``m_b`` boot blocks at pace ``r`` blocks/s
        (:func:`boot_pace`), so the boot takes ``T = m_b / r``. Before detection
        (``t_d``) remote reads go to the owner; afterwards a remote node fetches
        each boot block the first time one of its desktops reads it, and the
        others find it local. Block ``j`` is fetched iff the node's last
        desktop to start (at ``S``) reads it after ``t_d``, so a node fetches
        the share ``f = 1 - E[clip((t_d - S) / T, 0, 1)]`` of the boot set,
        and a desktop started at ``s`` reads ``min((t_d - s)^+, T) r`` blocks
        remotely. All desktops at once (``W = 0``): ``f = 1 - min(t_d, T)/T``
        and ``remote_read_bytes = M min(t_d, T) r block`` (``M = R n``).

        Over a start window ``W > 0`` (starts uniform on ``[0, W]``) detection
        and fetches come from the same start times: ``t_d = c + lag``, ``c``
        the third first start among the ``R`` remote nodes. Given ``c``, two
        nodes have their first start before ``c`` (their starts conditioned on
        it), one starts a desktop at ``c`` and the other ``R - 3`` start every
        desktop after ``c`` (uniform on ``[c, W]``); each term is an integral
        of order statistics of uniforms in closed form, and ``c`` is
        integrated out by Gauss-Jacobi quadrature on ``G(c) ~ Beta(3, R - 2)``,
        ``G(c) = 1 - (1 - c/W)^n``. This is exact for equal ``n`` per node
        (the remainder of ``N / H`` is spread as a mean); the Monte Carlo twin
        agrees within its sampling error (tests: H = 8, N = 80, W = 600 s: 7.00
        boot sets fetched and 0.28 read remotely, twin 7.00 and 0.34 +- 0.06
        over 20 seeds).
        A given ``detection_delay_s`` is taken as fixed, independent of the
        starts.

        ``bytes_per_node = f * boot_bytes``, ``total = R * bytes_per_node``,
        ``time = max(min(t_d, T) + f k m_b tau, L + T) + rtt + tau``

        with ``L = E[max over remote nodes of their first start after t_d -
        T]`` (the desktop that reads the last boot block first after
        detection; 0 when ``W = 0``), ``tau = 8 block / link_bps`` and ``k``
        copies on the busiest link (``R`` from the owner alone; 1 with the map
        of immutable blocks, the fluid bound, reached when nodes boot at
        staggered times). Over a window ``time`` is an approximation (mean
        ``t_d``, starts not conditioned on it, the gaps between a node's starts
        left out; a node whose desktops all started before ``t_d - T`` fetches
        nothing and does not count): within 6 % of the twin's mean in the
        tests, where bytes agree within the sampling error. A fetch pays ``rtt + tau`` plus, from the owner alone, the
        wait behind the other nodes asking for the same block at the same
        instant, ``(R - 1) tau / 2``, or the fluid backlog when the link is
        overloaded (taken at its peak, all nodes reading at once).
    Steady phase (IRM over the used blocks, Zipf ``alpha``)
        A remote node serves ``lambda = n * replica_read_iops * read_size /
        block`` block reads per second; after ``n`` reads it has fetched ``D(n)``
        blocks (:func:`expected_distinct`). Warm means the next read is local
        with probability ``target``: ``n* =`` :func:`reads_to_local_share`,
        ``bytes_per_node = D(n*) * block``,
        ``time = t_d + max(n* / lambda, k * D(n*) * tau)``,
        ``remote_read_bytes = R lambda t_d block``.

    The first read of a block pays ``rtt + tau`` plus queueing at the source
    link: for the boot phase the fluid backlog ``max(rho - 1, 0) * T_f / 2``
    (deterministic arrivals); for the steady phase the M/D/1 wait
    ``rho tau / (2 (1 - rho))``, ``inf`` (and ``stable = False``) when
    ``rho >= 1``.

    A single node fetches nothing and is warm at once; two or three nodes never
    trigger Shadow Clones (``detected = False``, time ``inf``, bytes 0).

    Parameters
    ----------
    n_desktops : array_like of int
        Desktops N, desktop ``d`` on node ``d mod H``.
    cluster : hcimodel.cluster.Cluster, optional
        Nodes H (node 0 owns the replica), each node's link (``link_bps``,
        bit/s) and the round trip between CVMs (``rtt_s``, s); default
        ``Cluster()`` (4 nodes, 10 GbE, 0.2 ms).
    replica : Replica, optional
    workload : WorkloadProfile or str, optional
        Default ``'boot'`` for the boot phase, ``'task'`` for the steady phase.
    phase : {'boot', 'steady'}
    source : {'single', 'map'}
        Fetch from the owner's CVM only, or from any node holding the block.
    detection_delay_s : array_like, optional
        Detection delay (s); default from :func:`detection_delay`.
    start_window_s, detection_lag_s : array_like
        Inputs of :func:`detection_delay` (s; broadcast with N). The
        lag is not published: the default 0 is the best case (assumed); see
        :func:`lag_sensitivity`.
    target : float
        Steady phase: share of reads local that counts as warm, in (0, 1).

    Returns
    -------
    WarmUp
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    check_choice("phase", phase, PHASES)
    check_choice("source", source, SOURCES)
    wl = as_profile(workload or ("boot" if phase == "boot" else "task"))
    link, rtt = float(cluster.link_bps), float(cluster.rtt_s)
    tgt = check_in_range("target", target, 0.0, 1.0, low_inclusive=False,
                         high_inclusive=False, scalar=True)
    H = np.asarray(int(cluster.n_nodes))
    N = check_integer("n_desktops", n_desktops, minimum=1)
    W = check_nonnegative("start_window_s", start_window_s)
    lag = check_nonnegative("detection_lag_s", detection_lag_s)
    H, N, W, lag = np.broadcast_arrays(H, N, W, lag)
    if detection_delay_s is None:
        td = detection_delay(H, N, W, lag)
    else:
        td = check_nonnegative("detection_delay_s", detection_delay_s, allow_inf=True)
        td = np.where(H == 1, 0.0, np.where(np.minimum(N, H) - 1 >= DETECTION_REMOTE_CVMS,
                                            td, np.inf))
    td = np.broadcast_to(td, H.shape).astype(float)
    detected = np.isfinite(td)
    single = H == 1
    R, n = remote_placement(H, N)  # remote nodes with desktops, desktops on each
    M = R * n  # desktops on remote nodes
    b = float(replica.block_bytes)
    tau = 8.0 * b / link
    k = _link_time_factor(source, R + 1.0)
    askers = np.where(source == "single", R, 1.0)  # copies the busiest source link sends

    if phase == "boot":
        r, T = boot_pace(replica, wl)
        m = float(replica.n_boot_blocks)
        f = np.zeros(H.shape)  # share of the boot set a remote node fetches
        read_s = np.full(H.shape, T)  # boot seconds a remote desktop reads remotely
        last_first = np.zeros(H.shape)
        for i in np.ndindex(H.shape):
            if not detected[i] or single[i]:
                continue
            f[i], read_s[i], last_first[i] = _boot_window(
                float(R[i]), float(n[i]), float(W[i]), float(lag[i]), T,
                None if detection_delay_s is None else float(td[i]))
        tdc = np.where(detected, np.minimum(td, T), T)
        fetched = f * m
        rho = askers * r * tau
        link_time = f * k * m * tau
        with np.errstate(invalid="ignore"):
            backlog = np.maximum(rho - 1.0, 0.0) * (T - tdc) / 2.0
        if source == "single":  # R nodes ask for the same block at the same instant
            backlog = backlog + np.where(rho < 1.0, np.maximum(R - 1.0, 0.0) * tau / 2.0, 0.0)
        fetch_lat = rtt + tau + backlog
        time = np.where(detected, np.maximum(tdc + link_time, last_first + T) + rtt + tau,
                        np.inf)
        remote = M * read_s * r * b
        stable = rho < 1.0
    else:
        p = replica.popularity()
        lam = n * block_read_rate(wl, replica)
        n_star = float(reads_to_local_share(tgt, p))
        fetched = np.broadcast_to(expected_distinct(n_star, p), H.shape).astype(float)
        # fetch rate at the busiest source link: all remote nodes miss at the start
        rho = askers * lam * tau
        stable = rho < 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = np.where(stable, rho * tau / (2.0 * (1.0 - rho)), np.inf)
        fetch_lat = rtt + tau + wait
        time = np.where(detected, td + np.maximum(n_star / lam, k * fetched * tau), np.inf)
        tdc = np.where(detected, td, 0.0)
        remote = R * lam * tdc * b

    bytes_node = np.where(single | ~detected, 0.0, fetched * b)
    time = np.where(single, 0.0, time)
    remote = np.where(single, 0.0, remote)
    # numbered from the owner (0; nodes below N host desktops), then in the cluster's
    # numbering, where the owner is replica_node: node i is (i + replica_node) mod H
    node = np.arange(int(cluster.n_nodes))
    by_node = np.roll(np.where((node >= 1) & (node < N[..., None]), bytes_node[..., None], 0.0),
                      int(cluster.replica_node), axis=-1)
    return WarmUp(phase, source, H.copy(), N.copy(), detected | single,
                  np.where(single, 0.0, td), bytes_node, R * bytes_node, remote,
                  time, np.where(single, 0.0, fetch_lat), np.where(single, 0.0, rho),
                  np.asarray(stable | single), by_node)


def lag_sensitivity(lags_s=(0.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0), n_desktops: int = 400,
                    cluster: Cluster | None = None, **kwargs) -> pl.DataFrame:
    """Boot-storm warm-up over a range of detection lags (the lag is not published).

    The Nutanix Bible states the trigger (reads from more than two remote
    CVMs, all reads) but no time to act on it: the default lag of
    :func:`warmup` is 0, the best case. Each lag delays detection by as much,
    and every boot block read meanwhile crosses the network instead of being
    fetched once per node.

    Parameters
    ----------
    lags_s : array_like
        Detection lags (s, >= 0).
    n_desktops : int
    cluster : hcimodel.cluster.Cluster, optional
        Default ``Cluster(n_nodes=8)`` (two NX-3000 blocks of 4 nodes).
    **kwargs
        Other arguments of :func:`warmup` (boot phase; not ``detection_lag_s``
        or ``detection_delay_s``).

    Returns
    -------
    polars.DataFrame
        One row per lag, sorted: lag_s, detection_delay_s, fetched_bytes
        (``total_bytes``), remote_read_bytes, network_bytes (their sum) and
        time_s.
    """
    import polars as pl

    for bad in ("detection_lag_s", "detection_delay_s", "phase"):
        if bad in kwargs:
            raise ValueError(f"{bad} is set by lag_sensitivity (got {bad}={kwargs[bad]!r})")
    lags = np.atleast_1d(check_nonnegative("lags_s", lags_s)).astype(float).ravel()
    if cluster is None:
        cluster = Cluster(n_nodes=8)  # two NX-3000 blocks: a pool of 400 over 8 nodes
    w = warmup(check_integer("n_desktops", n_desktops, minimum=1, scalar=True), cluster,
               phase="boot", detection_lag_s=lags, **kwargs)
    return pl.DataFrame({"lag_s": lags, "detection_delay_s": w.detection_delay_s,
                         "fetched_bytes": w.total_bytes,
                         "remote_read_bytes": w.remote_read_bytes,
                         "network_bytes": w.total_bytes + w.remote_read_bytes,
                         "time_s": w.time_s}).sort("lag_s")
