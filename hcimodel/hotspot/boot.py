"""The boot storm of the hot-spot model: closed form (phased MVA) and Monte Carlo twin.

:func:`boot_storm` solves the closed network of a boot storm by
piecewise-stationary multiclass MVA; :func:`simulate_boot_storm` simulates it
event by event (:func:`hcimodel.simulate.simulate_finite_jobs`). Both return
:class:`~hcimodel.hotspot.BootStorm` (the model is described in
:mod:`hcimodel.hotspot`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import queueing
from ..cluster import Cluster
from ..streams import as_generator
from ..validation import check_instance, check_probability
from ..workload import BOOT_READ_BYTES, WorkloadProfile, as_profile
from .paths import _check_boot_bytes, _check_pool, _check_strategy, _flows
from .results import BootStorm

__all__ = ["boot_storm", "simulate_boot_storm", "MAX_SIMULATED_IOS"]


#: Most I/Os :func:`simulate_boot_storm` simulates (8 bytes of memory each, several arrays).
MAX_SIMULATED_IOS = 10**9


@dataclass(frozen=True)
class _BootNetwork:
    """Parameters of the closed network of one boot storm."""

    populations: np.ndarray  # (H,) desktops per node
    demands: np.ndarray  # (H, H) s of CVM j per I/O of a desktop on node i
    visit_prob: np.ndarray  # (H, H)
    think_s: float  # desktop think time between I/Os (s)
    delay_s: np.ndarray  # (H,) mean network delay per I/O of a desktop on node i (s)
    ios_per_desktop: int


def _boot_network(n: int, workload: WorkloadProfile, strategy: str, cluster: Cluster,
                  boot_read_bytes: float, cached_share: float = 1.0) -> _BootNetwork:
    """The closed network of a boot storm.

    One desktop I/O becomes ``1 + (1 - read_fraction)(RF - 1)`` cycles: the
    read or the local write leg, and each remote oplog leg taken in series (an
    upper bound on the parallel legs). The think time is shortened so that one
    desktop alone still issues the profile's IOPS.
    """
    H = cluster.n_nodes
    pops = np.full(H, n // H)
    pops[(cluster.replica_node + np.arange(n % H)) % H] += 1
    fl = _flows(workload, strategy, cluster, cached_share)
    per_io = fl.rate / workload.iops  # visits per desktop I/O
    legs = np.bincount(fl.origin, weights=per_io, minlength=H)  # the same for every node
    P = np.zeros((H, H))
    np.add.at(P, (fl.origin, fl.station), per_io)
    P /= legs[:, None]
    delay = np.bincount(fl.origin, weights=per_io * fl.shift, minlength=H) / legs
    s = cluster.service_time_s
    think = 1.0 / (workload.iops * legs[0]) - s
    if think <= 0:
        raise ValueError(
            f"workload.iops must be below cvm_iops = {cluster.cvm_iops:g} / {legs[0]:.3g} visits "
            f"per I/O so that one desktop alone can issue it (got {workload.iops:g})")
    ios = int(np.ceil(boot_read_bytes / (workload.read_size_bytes * workload.read_fraction)))
    cycles = int(np.ceil(ios * legs[0] - 1e-9))
    return _BootNetwork(pops, P * s, P, think, delay, cycles)


def _phased_mva(net: _BootNetwork):
    """Piecewise-stationary MVA of a boot storm.

    Returns each class's finish time (s) and the first (full-population) phase's
    multiclass MVA result.
    """
    pops = net.populations.astype(float)
    remaining = np.where(pops > 0, float(net.ios_per_desktop), 0.0)
    active = pops > 0
    finish = np.zeros(pops.size)
    t, first = 0.0, None
    while active.any():
        idx = np.flatnonzero(active)
        res = queueing.mva_multiclass_schweitzer(
            net.demands[idx], net.think_s, net.populations[idx], delay=net.delay_s[idx])
        first = first or (idx, res)
        per_desktop = np.asarray(res.throughput) / pops[idx]  # I/Os per second
        left = remaining[idx] / per_desktop
        dt = left.min()
        t += dt
        remaining[idx] -= per_desktop * dt
        done = idx[left <= dt * (1 + 1e-12)]
        finish[done] = t
        remaining[done] = 0.0
        active[done] = False
    return finish, first


def _boot_networks(n_desktops, workload, strategy, cluster, boot_read_bytes, cached_share):
    """Validated inputs of :func:`boot_storm` and its twin: the pool sizes, the
    cluster and one closed network per size."""
    workload = as_profile(workload)
    _check_strategy(strategy)
    cluster = check_instance("cluster", cluster, Cluster, default=Cluster)
    boot_read_bytes = _check_boot_bytes(boot_read_bytes)
    c = check_probability("cached_share", cached_share, scalar=True)
    N = _check_pool(n_desktops)
    return N, cluster, [_boot_network(int(n), workload, strategy, cluster, boot_read_bytes, c)
                        for n in N]


def boot_storm(n_desktops, workload: WorkloadProfile | str = "boot",
               strategy: str = "linked_clones", cluster: Cluster | None = None, *,
               boot_read_bytes: float = BOOT_READ_BYTES, cached_share: float = 1.0) -> BootStorm:
    """Time to boot N desktops at once, from piecewise-stationary multiclass MVA.

    Desktops on node i form class i (populations as even as possible, the
    replica's node taking the remainder first). A desktop I/O is a read along
    the read path (:func:`read_components`) or a write with its local and
    RF - 1 remote oplog legs; each leg is one cycle (the remote legs taken in
    series, an upper bound on parallel legs), so an I/O is
    ``v = 1 + (1 - read_fraction)(RF - 1)`` cycles. Each desktop alternates a
    think time ``Z = 1 / (v iops) - s`` (so that one desktop alone issues the
    profile's IOPS) and one cycle, served by CVM j with probability
    ``P[i, j] / v`` (:func:`routing`) plus the mean constant delay (network
    and device) of a cycle. Each desktop needs
    ``K = boot_read_bytes / (read_size * read_fraction)`` I/Os, ``v K`` cycles.

    Schweitzer's approximate MVA gives every class's throughput ``X_i`` at the
    current populations; the class that would finish first at those rates ends
    a phase, and the remaining classes carry on with their remaining I/Os in a
    new MVA solution (at most H phases). The mean completion time is the
    population-weighted mean of the class finish times. The last desktop to
    finish also carries the spread of its own think times, independent across
    desktops (the queueing part is shared): with ``sigma`` below,
    ``duration = T_last + sigma * Phi^-1((N - 0.375) / (N + 0.25))`` (Blom's
    expected maximum of N normals; ``sigma = sqrt(v K) Z``).

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N.
    workload : WorkloadProfile or str
        Defaults to the ``boot`` profile (188 IOPS, 84 % reads of 19 KB,
        24 MB written per boot).
    strategy : {'linked_clones', 'shadow_clones', 'full_clones'}
    cluster : Cluster, optional
    boot_read_bytes : float
        Bytes each desktop reads to boot, all reads (default
        :data:`hcimodel.workload.BOOT_READ_BYTES`, 420 MB, hIOmon trace).
    cached_share : float
        Share of the base each node has already cached (Shadow Clones, full
        clones), in [0, 1]; 1 by default (warmed up). Use 0 for the first boot
        after a recompose or a VAAI clone. The shared part of the boot reads,
        ``replica_read_fraction x boot_read_bytes`` (378 MB by default,
        :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`), is the boot set of
        :class:`hcimodel.shadowclone.Replica` fetched by the warm-ups.

    Returns
    -------
    BootStorm
        ``duration_s`` and ``mean_completion_s`` as above; throughput, I/O
        latency and CVM utilization at the start of the storm (all desktops
        booting).
    """
    from scipy import special

    N, cluster, nets = _boot_networks(n_desktops, workload, strategy, cluster,
                                      boot_read_bytes, cached_share)
    dur, mean_done, thr, lat, util = [], [], [], [], []
    for n, net in zip(N, nets):
        finish, (idx, res) = _phased_mva(net)
        X = np.asarray(res.throughput)
        R = np.asarray(res.response_time)  # includes the network delay
        sigma = np.sqrt(net.ios_per_desktop) * net.think_s
        blom = special.ndtri((n - 0.375) / (n + 0.25))
        dur.append(finish.max() + sigma * blom)
        mean_done.append(np.sum(finish * net.populations) / n)
        thr.append(X.sum())
        lat.append(np.sum(X * R) / X.sum())
        util.append(np.asarray(res.utilization))
    return BootStorm(strategy, N, np.array(dur), np.array(mean_done), np.array(thr),
                     np.array(lat), np.array(util))


def simulate_boot_storm(n_desktops, workload: WorkloadProfile | str = "boot",
                        strategy: str = "linked_clones", cluster: Cluster | None = None, *,
                        boot_read_bytes: float = BOOT_READ_BYTES, cached_share: float = 1.0,
                        rng=None) -> BootStorm:
    """Monte Carlo twin of :func:`boot_storm`: every desktop boots, then leaves.

    The closed network of :func:`boot_storm` simulated event by event
    (:func:`hcimodel.simulate.simulate_finite_jobs`): exponential think times
    and service, the mean constant delay (network, device) of each class, and each
    desktop completing exactly its boot I/Os. Unlike the closed form, the
    population shrinks as desktops finish.

    Parameters
    ----------
    n_desktops : int or array_like of int
        Pool sizes N, simulated one after the other from the same stream.
    workload, strategy, cluster, boot_read_bytes, cached_share
        As in :func:`boot_storm`.
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    BootStorm
        ``duration_s`` (time until every desktop has booted, s),
        ``mean_completion_s`` (mean time at which a desktop has booted, s),
        ``throughput_iops`` (CVM visits over the duration, 1/s),
        ``io_latency_s`` with ``io_latency_p95_s`` and ``io_latency_p99_s``
        (s) and ``cvm_utilization`` (M, H), all over the whole storm.
    """
    from ..simulate.closed_network import simulate_finite_jobs  # numba: only when simulating
    N, cluster, nets = _boot_networks(n_desktops, workload, strategy, cluster,
                                      boot_read_bytes, cached_share)
    for n, net in zip(N, nets):
        if int(n) * net.ios_per_desktop > MAX_SIMULATED_IOS:
            raise ValueError(f"n_desktops x boot_read_bytes must be at most "
                             f"{MAX_SIMULATED_IOS:.0e} simulated I/Os (got {n} desktops x "
                             f"{net.ios_per_desktop} I/Os)")
    rng = as_generator(rng)
    fields = {k: [] for k in ("dur", "mean", "thr", "lat", "util", "p95", "p99")}
    for net in nets:
        res = simulate_finite_jobs(
            np.full(cluster.n_nodes, cluster.service_time_s), net.visit_prob, net.think_s,
            net.populations, net.ios_per_desktop, delay_s=net.delay_s, rng=rng)
        fields["dur"].append(float(res.makespan_s))
        fields["mean"].append(float(np.mean(res.completion_time_s)))
        fields["thr"].append(res.n_requests / float(res.makespan_s))
        fields["lat"].append(float(res.mean_response_all_s))
        fields["util"].append(np.asarray(res.utilization))
        fields["p95"].append(float(res.p95_response_s))
        fields["p99"].append(float(res.p99_response_s))
    a = {k: np.array(v) for k, v in fields.items()}
    return BootStorm(strategy, N, a["dur"], a["mean"], a["thr"], a["lat"], a["util"],
                     io_latency_p95_s=a["p95"], io_latency_p99_s=a["p99"])
