r"""Shadow Clones: the network cost and the time of warming up, and when they pay off.

A replica (base disk of linked clones) lives on one node, the *owner*. Its
desktops are spread over the H nodes of a cluster. Until Shadow Clones are
*detected* (reads from more than two remote CVMs, and only reads), every replica
read from another node crosses the network to the owner's CVM: the hot spot of
:mod:`hcimodel.hotspot`. From detection on, each non-owner node fetches a block
over the network on its first local read and serves it locally afterwards.

The fetch unit is the 4 KiB cache granularity (the Nutanix Bible states no
other), a parameter of :class:`Replica`. Everything is counted in *block
reads*: a desktop read of ``read_size_bytes`` touches ``read_size / block``
blocks on average.

Two read patterns are modelled:

``'boot'`` (deterministic boot sequence)
    Every desktop reads the same boot set of ``m_b = boot_bytes / block`` blocks
    once, in the same order, at a steady pace ``r`` (blocks/s). A non-owner node
    fetches each block of the boot set exactly once, when the first desktop that
    boots there after detection reads it. This is the real-world boot storm.
``'steady'`` (independent reference model, IRM)
    Each node reads blocks of the used part of the replica independently, block
    ``i`` with probability ``p_i`` (Zipf with exponent ``alpha``; uniform at
    ``alpha = 0``). After ``n`` reads a node holds
    :math:`D(n) = \sum_i 1 - (1 - p_i)^n` distinct blocks (occupancy), which is
    :math:`m (1 - (1 - 1/m)^n)` when uniform (coupon collector).

Closed forms (vectorized, :func:`expected_distinct`, :func:`coupon_collector`,
:func:`expected_reads_to_fetch_all`, :func:`local_share`, :func:`detection_delay`,
:func:`warmup`, :func:`payback_reads`; the lifecycle is :func:`hcimodel.clones.lifecycle`) are checked against a
block-level Monte Carlo twin (:func:`simulate_warmup`): a numba replay
(:func:`replay_reads`) of every read of every desktop in time order, with links
as FIFO servers, fetch sources (the owner alone, or any node already holding
the block through the map of immutable blocks) and the detection rule applied
to simulated start times.

The boot sequence is generated here. The steady state is a stream of
:func:`hcimodel.clonepool.clone_pool_stream`: its replica reads (base blocks the
desktop has not written; :func:`replica_reads`) are replayed with desktop ``d``
on node ``d mod H`` (:func:`replay_stream`), and their popularity is the pool's
Zipf law (:func:`pool_popularity`). A real trace's block keys replay as the
replica's reads spread over the nodes (:func:`replay_trace`), against the IRM
with the trace's own block frequencies (:func:`empirical_popularity`).

Units are SI throughout: bytes, seconds, bits per second.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from . import _jit as numba  # numba.njit, imported on a kernel's first call
from .streams import as_generator
from .validation import (INT64_MAX, MAX_SECONDS, check_duration, check_in_range,
                         check_instance, check_integer, check_nonnegative, check_positive,
                         check_probability)
from .clonepool import ClonePool, ClonePoolStream, clone_pool_stream
from .workload import BOOT_SHARED_READ_BYTES, WorkloadProfile, as_profile

try:  # the caching module may still be in the works
    from .caching import zipf_rates as _zipf_rates
except ImportError:  # pragma: no cover
    _zipf_rates = None

__all__ = [
    "remote_placement",
    "PHASES", "SOURCES", "DETECTION_REMOTE_CVMS",
    "Replica", "zipf_popularity", "expected_distinct", "coupon_collector",
    "expected_reads_to_fetch_all", "local_share", "reads_to_local_share",
    "detection_delay", "boot_pace", "block_read_rate", "WarmUp", "warmup", "lag_sensitivity",
    "payback_reads",
    "SimulatedWarmUp", "simulate_warmup", "simulate_detection_delay", "replay_reads",
    "replica_pool", "pool_popularity", "replica_read_rate", "replica_reads", "replay_stream",
    "ASSIGNMENTS", "empirical_popularity", "assign_requests", "replay_trace",
]

PHASES = ("boot", "steady")
SOURCES = ("single", "map")
#: Shadow Clones start when reads come from more than two remote CVMs.
DETECTION_REMOTE_CVMS = 3


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices} (got {value!r})")
    return value


@dataclass(frozen=True)
class Replica:
    """The replica disk as Shadow Clones see it.

    Parameters
    ----------
    size_bytes : float
        Provisioned size of the replica (bytes). Default 32 GB (25-40 GB typical).
    used_bytes : float
        Part of the replica actually written, the working set of the steady
        state (bytes). Default 10 GB (typical).
    boot_bytes : float
        Boot working set: bytes one desktop reads from the replica to boot.
        Default :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`, 378 MB: the
        replica's share (90 %, assumed) of the 420 MB a whole Windows 7 boot
        reads (hIOmon trace, :data:`hcimodel.workload.BOOT_READ_BYTES`). The
        hot spot's boot storm loads the CVMs with all 420 MB and sends the same
        378 MB to the replica, so both models describe the same boot.
    block_bytes : int
        Fetch unit (bytes). Default 4096, the cache granularity.
    alpha : float
        Zipf exponent of block popularity in the steady state (0 = uniform).
    """

    size_bytes: float = 32e9
    used_bytes: float = 10e9
    boot_bytes: float = BOOT_SHARED_READ_BYTES
    block_bytes: int = 4096
    alpha: float = 0.0

    def __post_init__(self):
        size = check_positive("size_bytes", self.size_bytes, scalar=True)
        used = check_in_range("used_bytes", self.used_bytes, 0.0, size, low_inclusive=False,
                              scalar=True)
        check_in_range("boot_bytes", self.boot_bytes, 0.0, used, low_inclusive=False,
                       scalar=True)
        check_integer("block_bytes", self.block_bytes, minimum=512, scalar=True)
        check_nonnegative("alpha", self.alpha, scalar=True)
        if self.block_bytes > self.boot_bytes:
            raise ValueError(f"block_bytes must be <= boot_bytes = {self.boot_bytes:g} "
                             f"(got {self.block_bytes})")

    @property
    def n_blocks(self) -> int:
        """Blocks of the used part of the replica, ``ceil(used / block)``."""
        return int(np.ceil(self.used_bytes / self.block_bytes))

    @property
    def n_boot_blocks(self) -> int:
        """Blocks of the boot set, ``ceil(boot / block)``."""
        return int(np.ceil(self.boot_bytes / self.block_bytes))

    def popularity(self) -> np.ndarray:
        """Probability of each used block in the steady state (Zipf, sums to 1)."""
        return zipf_popularity(self.n_blocks, self.alpha)


def zipf_popularity(n_blocks, alpha) -> np.ndarray:
    r"""Zipf popularity over blocks, :math:`p_i = i^{-\alpha} / \sum_j j^{-\alpha}`.

    Uses :func:`hcimodel.caching.zipf_rates` when available.

    Parameters
    ----------
    n_blocks : int
        Number of blocks m (>= 1).
    alpha : float
        Exponent (>= 0; 0 is uniform).

    Returns
    -------
    numpy.ndarray, shape (m,)
        Probabilities in decreasing order, summing to 1.
    """
    m = check_integer("n_blocks", n_blocks, minimum=1, scalar=True)
    a = check_nonnegative("alpha", alpha, scalar=True)
    if _zipf_rates is not None:
        return _zipf_rates(m, a, 1.0)
    w = np.arange(1, m + 1, dtype=float) ** (-a)  # pragma: no cover
    return w / w.sum()  # pragma: no cover


# ------------------------------------------------------------------ occupancy closed forms

_MAX_GROUPS = 16_384


def _groups(popularity):
    """(p values, counts) of a popularity vector, binned when it is very long.

    Equal probabilities are merged exactly (uniform gives one group). Beyond
    ``_MAX_GROUPS`` distinct values, blocks are binned on log p and each bin
    carries its mean p, which keeps sum(count * p) = 1 exactly; the relative
    error of the occupancy is below 1e-6 for Zipf laws over 10^7 blocks.
    """
    p = check_probability("popularity", popularity).ravel()
    key = hashlib.blake2b(p.tobytes(), digest_size=16).digest()
    hit = _GROUP_CACHE.get(key)
    if hit is not None:
        return hit
    out = _groups_uncached(p)
    if len(_GROUP_CACHE) >= 8:
        _GROUP_CACHE.pop(next(iter(_GROUP_CACHE)))
    _GROUP_CACHE[key] = out
    return out


_GROUP_CACHE: dict = {}


def _groups_uncached(p):
    if p.size == 0:
        raise ValueError("popularity must hold at least one probability (got an empty array)")
    total = p.sum()
    if not np.isclose(total, 1.0, rtol=1e-9, atol=1e-12):
        raise ValueError(f"popularity must sum to 1 (got sum {total:.12g})")
    p = p[p > 0]
    vals, counts = np.unique(p, return_counts=True)
    if vals.size <= _MAX_GROUPS:
        return vals, counts.astype(float)
    lp = np.log(vals)
    edges = np.linspace(lp[0], lp[-1], _MAX_GROUPS + 1)
    idx = np.clip(np.searchsorted(edges, lp, side="right") - 1, 0, _MAX_GROUPS - 1)
    c = np.bincount(idx, weights=counts, minlength=_MAX_GROUPS)
    mass = np.bincount(idx, weights=counts * vals, minlength=_MAX_GROUPS)
    keep = c > 0
    return mass[keep] / c[keep], c[keep]


def _reads(name, n_reads):
    return check_nonnegative(name, n_reads, allow_inf=True)


def expected_distinct(n_reads, popularity) -> np.ndarray:
    r"""Expected number of distinct blocks after n independent reads (occupancy).

    .. math:: D(n) = \sum_{i=1}^{m} \left(1 - (1 - p_i)^n\right)
              = -\sum_i \operatorname{expm1}(n \operatorname{log1p}(-p_i))

    This is the number of blocks a node has fetched after serving ``n`` reads
    under Shadow Clones (each block fetched once, on its first read).

    Parameters
    ----------
    n_reads : array_like
        Reads served by the node (>= 0, may be fractional or inf).
    popularity : array_like, shape (m,)
        Probability of each block (sums to 1).

    Returns
    -------
    numpy.ndarray
        D(n), blocks, with the shape of ``n_reads``.
    """
    n = _reads("n_reads", n_reads)
    p, c = _groups(popularity)
    with np.errstate(divide="ignore"):
        lq = np.log1p(-p)  # -inf for p = 1
    flat = n.ravel()
    out = np.empty(flat.size)
    step = max(1, 4_000_000 // p.size)
    for k in range(0, flat.size, step):
        nk = flat[k:k + step, None]
        with np.errstate(invalid="ignore"):
            x = np.where(nk > 0, nk * lq, 0.0)  # avoid 0 * -inf
        out[k:k + step] = -(np.expm1(x) * c).sum(axis=1)
    return out.reshape(n.shape)


def coupon_collector(n_reads, n_blocks) -> np.ndarray:
    r"""Expected distinct blocks after n uniform reads of m blocks.

    .. math:: D(n) = m \left(1 - (1 - 1/m)^n\right)

    Parameters
    ----------
    n_reads : array_like
        Reads (>= 0).
    n_blocks : array_like of int
        Blocks m (>= 1).

    Returns
    -------
    numpy.ndarray
        Blocks (broadcast shape).
    """
    n = _reads("n_reads", n_reads)
    m = check_integer("n_blocks", n_blocks, minimum=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(n > 0, n * np.log1p(-1.0 / m), 0.0)
    return -m * np.expm1(x)


def expected_reads_to_fetch_all(n_blocks) -> np.ndarray:
    r"""Expected uniform reads until every one of m blocks was read once.

    .. math:: E[T_m] = m H_m = m (\psi(m + 1) + \gamma)

    Parameters
    ----------
    n_blocks : array_like of int
        Blocks m (>= 1).

    Returns
    -------
    numpy.ndarray
        Reads.
    """
    from scipy import special

    m = check_integer("n_blocks", n_blocks, minimum=1).astype(float)
    return m * (special.digamma(m + 1.0) + np.euler_gamma)


def local_share(n_reads, popularity, *, cumulative: bool = False) -> np.ndarray:
    r"""Share of a node's reads served locally: the warm-up curve (IRM).

    The next read after n reads is local with probability
    :math:`1 - \sum_i p_i (1 - p_i)^n`; over the first n reads the share is
    :math:`(n - D(n)) / n`.

    Parameters
    ----------
    n_reads : array_like
        Reads served by the node since detection (>= 0).
    popularity : array_like, shape (m,)
    cumulative : bool
        Return the share over the first n reads instead of the next read's.

    Returns
    -------
    numpy.ndarray
        Share in [0, 1] (0 at n = 0).
    """
    n = _reads("n_reads", n_reads)
    if cumulative:
        d = expected_distinct(n, popularity)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, np.where(np.isinf(n), 1.0, 1.0 - d / np.where(n > 0, n, 1.0)),
                            0.0)
    p, c = _groups(popularity)
    with np.errstate(divide="ignore"):
        lq = np.log1p(-p)
    flat = n.ravel()
    out = np.empty(flat.size)
    step = max(1, 4_000_000 // p.size)
    for k in range(0, flat.size, step):
        nk = flat[k:k + step, None]
        with np.errstate(invalid="ignore"):
            x = np.where(nk > 0, nk * lq, 0.0)
        out[k:k + step] = 1.0 - (c * p * np.exp(x)).sum(axis=1)
    return np.clip(out.reshape(n.shape), 0.0, 1.0)


def reads_to_local_share(target, popularity) -> np.ndarray:
    r"""Reads a node must serve before its next read is local with probability ``target``.

    Solves :math:`\sum_i p_i (1 - p_i)^n = 1 - \text{target}` for n by bisection
    on log n (the left side decreases in n). Uniform popularity has the closed
    form :math:`n = \ln(1 - \text{target}) / \ln(1 - 1/m)`.

    Parameters
    ----------
    target : array_like
        Share in [0, 1). (1 needs infinitely many reads: ``inf``.)
    popularity : array_like, shape (m,)

    Returns
    -------
    numpy.ndarray
        Reads (``inf`` where target = 1).
    """
    t = check_probability("target", target)
    p, c = _groups(popularity)
    if p.size == 1:
        with np.errstate(divide="ignore"):
            return np.where(t < 1, np.log1p(-t) / np.log1p(-p[0]) if p[0] < 1 else 1.0, np.inf)
    lo = np.zeros(t.shape)
    hi = np.full(t.shape, 60.0)  # log(n) up to e^60
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        share = _share_groups(np.expm1(mid), p, c)
        below = share < t
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.where(t < 1, np.expm1(hi), np.inf)


def _share_groups(n, p, c):
    with np.errstate(divide="ignore"):
        lq = np.log1p(-p)
    x = np.where(n[..., None] > 0, n[..., None] * lq, 0.0)
    return 1.0 - (c * p * np.exp(x)).sum(axis=-1)


# ------------------------------------------------------------------ detection

def remote_placement(H, N):
    """Remote nodes hosting desktops ``R`` and their mean desktops ``n`` (floats).

    Desktop ``d`` runs on node ``d mod H`` and node 0 owns the replica: the
    owner hosts ``ceil(N / H)`` desktops, the ``R = min(N, H) - 1`` other nodes
    with desktops share the remaining ``M = N - ceil(N / H)``. Nodes without a
    desktop read nothing, fetch nothing and are never seen by the detection.
    ``n = M / R`` (1 where ``R = 0``).
    """
    H = check_integer("H", H, minimum=1).astype(float)
    N = check_integer("N", N, minimum=1).astype(float)
    R = np.minimum(N, H) - 1.0
    M = N - np.ceil(N / H)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(R > 0, M / np.where(R > 0, R, 1.0), 1.0)
    return R, n


def detection_delay(n_nodes, n_desktops, start_window_s=0.0, lag_s=0.0):
    r"""Expected time until reads from more than two remote CVMs have been seen.

    Desktops power on at independent uniform times over ``[0, W]``; desktop
    ``d`` runs on node ``d mod H`` (node 0 owns the replica), so the
    :math:`R = \min(N, H) - 1` remote nodes that host desktops hold
    :math:`n = (N - \lceil N/H \rceil) / R` each (on average; nodes without a
    desktop read nothing and are never seen). A desktop reads the replica as
    it starts. A remote node is seen at its first desktop's start,
    :math:`P(T_h > t) = (1 - t/W)^n`; detection is the third of the ``R``
    remote nodes to be seen, plus a bookkeeping lag:

    .. math:: E[T_d] = \text{lag} + W \sum_{k=0}^{2} \binom{R}{k}
              \sum_{j=0}^{k} \binom{k}{j} \frac{(-1)^j}{n (j + R - k) + 1}

    (the integral of :math:`P(\text{fewer than 3 seen by } t)`). Fewer than 3
    remote nodes with desktops (``H < 4`` or ``N < 4``) never trigger Shadow
    Clones: ``inf``. A single node has nothing remote: ``0`` (it never needs them).

    The lag is the time the CVMs take to mark the disk immutable and build
    the shadow clones once the rule holds. The Nutanix Bible gives no figure:
    the default 0 is the **best case** (detection at the third remote CVM's
    first read), an assumption; :func:`lag_sensitivity` shows the warm-up over
    a range of lags.

    Parameters
    ----------
    n_nodes : array_like of int
        Nodes H (>= 1).
    n_desktops : array_like of int
        Desktops N (>= 1).
    start_window_s : array_like
        Window W over which the desktops power on (s, >= 0; 0 = all at once).
    lag_s : array_like
        Time the CVMs take to mark the disk immutable once the rule holds (s;
        not published: default 0, the best case, assumed).

    Returns
    -------
    numpy.ndarray
        Expected detection delay (s), broadcast shape; ``inf`` when never detected.
    """
    H = check_integer("n_nodes", n_nodes, minimum=1).astype(float)
    N = check_integer("n_desktops", n_desktops, minimum=1).astype(float)
    W = check_nonnegative("start_window_s", start_window_s)
    lag = check_nonnegative("lag_s", lag_s)
    H, N, W, lag = np.broadcast_arrays(H, N, W, lag)
    R, n = remote_placement(H, N)
    return np.where(H == 1, 0.0, _detection_delay(R, n, W, lag))


def _detection_delay(R, n, W, lag):
    """:func:`detection_delay` from the remote nodes with desktops ``R`` and the mean
    desktops ``n`` on each (floats; ``n`` need not be whole)."""
    from scipy import special

    R, n, W, lag = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (R, n, W, lag)))
    seen = R  # remote nodes holding at least one desktop
    R = np.maximum(R, 1.0)  # (R < 3 is never detected; avoid 0/0 below)
    total = np.zeros(R.shape)
    with np.errstate(divide="ignore", invalid="ignore"):  # R < 3: never detected, masked below
        for k in range(3):
            inner = np.zeros(R.shape)
            for j in range(k + 1):
                inner += special.comb(k, j) * (-1) ** j / (n * (j + R - k) + 1.0)
            total += special.comb(R, k) * inner
    return np.where(seen >= DETECTION_REMOTE_CVMS, lag + W * total, np.inf)


def boot_pace(replica: Replica | None = None, workload: WorkloadProfile | str = "boot"):
    """Block reads per second of one booting desktop on the replica, and its boot time.

    ``r = replica_read_iops * read_size / block``; the boot set is read in
    ``T_read = m_b / r`` seconds.

    Returns
    -------
    (float, float)
        ``r`` (blocks/s) and ``T_read`` (s).
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    r = block_read_rate(workload, replica)
    return r, replica.n_boot_blocks / r


def block_read_rate(workload: WorkloadProfile | str = "task",
                    replica: Replica | None = None) -> float:
    """Block reads per second one desktop sends to the shared image (1/s).

    ``replica_read_iops * read_size / block``: a desktop read of
    ``read_size_bytes`` touches ``read_size / block`` blocks on average. The
    one definition of the shared read rate used by the boot pace
    (:func:`boot_pace`), the steady phase of :func:`warmup`, :func:`hcimodel.clones.lifecycle`,
    :func:`replica_pool` and :mod:`hcimodel.fullclone`.

    Parameters
    ----------
    workload : WorkloadProfile or str
        Default ``'task'`` (steady state).
    replica : Replica, optional
        The shared image (its block size); default ``Replica()``.

    Returns
    -------
    float
        Block reads per second (1/s).
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    wl = as_profile(workload)
    return wl.replica_read_iops * wl.read_size_bytes / replica.block_bytes


# ------------------------------------------------------------------ boot storms over a window

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


# ------------------------------------------------------------------ warm-up

@dataclass(frozen=True)
class WarmUp:
    """Closed-form warm-up of Shadow Clones over a grid of clusters.

    All arrays have the broadcast shape of ``n_nodes`` and ``n_desktops``.

    Attributes
    ----------
    phase, source : str
    n_nodes, n_desktops : numpy.ndarray
    detected : numpy.ndarray of bool
        False where Shadow Clones never start (fewer than 3 remote CVMs read).
    detection_delay_s : numpy.ndarray
        Time from the first power-on to detection (s); inf if never.
    bytes_per_node : numpy.ndarray
        Bytes fetched by a remote node that hosts desktops (mean over them;
        the owner and nodes without a desktop fetch nothing).
    total_bytes : numpy.ndarray
        Bytes fetched by the cluster, ``R * bytes_per_node`` with
        ``R = min(N, H) - 1`` remote nodes hosting desktops.
    remote_read_bytes : numpy.ndarray
        Bytes read remotely from the owner before detection (boot phase: during
        the storm; steady phase: during the detection delay).
    time_s : numpy.ndarray
        Time from the first power-on until warm (s): boot phase, the last boot
        block fetched; steady phase, the next read local with probability
        ``target``. inf if never detected.
    fetch_latency_s : numpy.ndarray
        Mean extra latency of a read that fetches (RTT + transfer + queueing at
        the source link, s).
    link_utilization : numpy.ndarray
        Load the fetches offer the busiest source link while warming up; >= 1
        means the link, not the reads, sets the pace.
    stable : numpy.ndarray of bool
        ``link_utilization < 1``.
    """

    phase: str
    source: str
    n_nodes: np.ndarray
    n_desktops: np.ndarray
    detected: np.ndarray
    detection_delay_s: np.ndarray
    bytes_per_node: np.ndarray
    total_bytes: np.ndarray
    remote_read_bytes: np.ndarray
    time_s: np.ndarray
    fetch_latency_s: np.ndarray
    link_utilization: np.ndarray
    stable: np.ndarray = field(repr=False)

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: phase, source, n_nodes, n_desktops, metric, value; sorted."""
        import polars as pl

        metrics = ("detection_delay_s", "bytes_per_node", "total_bytes", "remote_read_bytes",
                   "time_s", "fetch_latency_s", "link_utilization")
        H = self.n_nodes.ravel().astype(np.int64)
        N = self.n_desktops.ravel().astype(np.int64)
        return pl.concat([
            pl.DataFrame({"phase": self.phase, "source": self.source, "n_nodes": H,
                          "n_desktops": N, "metric": m,
                          "value": getattr(self, m).ravel().astype(float)})
            for m in metrics]).sort(["phase", "source", "n_nodes", "n_desktops", "metric"])


def _link_time_factor(source, H):
    """Fetch time of one copy per receiving node, in units of one copy's transfer.

    Single source: the owner's link sends H - 1 copies (H - 1 readers). Map: every holder
    uploads, fluid bound of Kumar and Ross, ``max(1, (H - 1) / H)`` = 1 copy.
    """
    if source == "single":
        return np.maximum(H - 1.0, 1.0)
    return np.ones_like(H)


def warmup(n_nodes=4, n_desktops=100, *, replica: Replica | None = None,
           workload: WorkloadProfile | str | None = None, phase: str = "boot",
           source: str = "single", link_bps=10e9, rtt_s=200e-6, detection_delay_s=None,
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
    n_nodes : array_like of int
        Nodes H (>= 1). Node 0 owns the replica.
    n_desktops : array_like of int
        Desktops N, desktop ``d`` on node ``d mod H``.
    replica : Replica, optional
    workload : WorkloadProfile or str, optional
        Default ``'boot'`` for the boot phase, ``'task'`` for the steady phase.
    phase : {'boot', 'steady'}
    source : {'single', 'map'}
        Fetch from the owner's CVM only, or from any node holding the block.
    link_bps : float
        Link of each node (bit/s), default 10 GbE.
    rtt_s : float
        Round trip between CVMs (s).
    detection_delay_s : array_like, optional
        Detection delay (s); default from :func:`detection_delay`.
    start_window_s, detection_lag_s : array_like
        Inputs of :func:`detection_delay` (s; broadcast with H and N). The
        lag is not published: the default 0 is the best case (assumed); see
        :func:`lag_sensitivity`.
    target : float
        Steady phase: share of reads local that counts as warm, in (0, 1).

    Returns
    -------
    WarmUp
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    _check_choice("phase", phase, PHASES)
    _check_choice("source", source, SOURCES)
    wl = as_profile(workload or ("boot" if phase == "boot" else "task"))
    link = check_positive("link_bps", link_bps, scalar=True)
    rtt = check_nonnegative("rtt_s", rtt_s, scalar=True)
    tgt = check_in_range("target", target, 0.0, 1.0, low_inclusive=False,
                         high_inclusive=False, scalar=True)
    H = check_integer("n_nodes", n_nodes, minimum=1)
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
    return WarmUp(phase, source, H.copy(), N.copy(), detected | single,
                  np.where(single, 0.0, td), bytes_node, R * bytes_node, remote,
                  time, np.where(single, 0.0, fetch_lat), np.where(single, 0.0, rho),
                  np.asarray(stable | single))


def lag_sensitivity(lags_s=(0.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0), n_nodes: int = 8,
                    n_desktops: int = 400, **kwargs) -> pl.DataFrame:
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
    n_nodes, n_desktops : int
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
    w = warmup(check_integer("n_nodes", n_nodes, minimum=1, scalar=True),
               check_integer("n_desktops", n_desktops, minimum=1, scalar=True), phase="boot",
               detection_lag_s=lags, **kwargs)
    return pl.DataFrame({"lag_s": lags, "detection_delay_s": w.detection_delay_s,
                         "fetched_bytes": w.total_bytes,
                         "remote_read_bytes": w.remote_read_bytes,
                         "network_bytes": w.total_bytes + w.remote_read_bytes,
                         "time_s": w.time_s}).sort("lag_s")


# ------------------------------------------------------------------ payback

def payback_reads(popularity) -> float:
    r"""Reads after which a node has served as many blocks locally as it fetched (IRM).

    Solves :math:`n - D(n) = D(n)`, i.e. the cumulative local share
    :math:`1 - D(n)/n` reaches 1/2: from then on the fetches have paid for
    themselves in bytes kept off the network. The share rises from 0 at
    ``n = 1`` (``D(1) = 1``) and ``D(n) <= m`` puts it at 1/2 or more by
    ``n = 2m`` (``m`` blocks of non-zero probability), so the root is bracketed
    in ``[1, 2m]`` and unique (``D(n)/n`` decreases, ``D`` being concave with
    ``D(0) = 0``). Uniform popularity over m blocks gives ``n ~ 1.594 m``
    (:math:`1 - e^{-x} = x/2`); one block gives ``n = 2``. For the
    deterministic boot sequence the answer is exact: the second desktop to boot
    on a node, ``2 m_b`` reads.

    Parameters
    ----------
    popularity : array_like, shape (m,)

    Returns
    -------
    float
        Reads n (per node).
    """
    from scipy import optimize

    p, c = _groups(popularity)
    with np.errstate(divide="ignore"):
        lq = np.log1p(-p)  # -inf for p = 1: expm1(-inf) = -1

    def excess_share(log_n):  # cumulative local share minus 1/2
        n = np.exp(log_n)
        return 0.5 + float((c * np.expm1(n * lq)).sum()) / n

    hi = np.log(2.0 * c.sum())
    if excess_share(hi) <= 0.0:  # one block: share exactly 1/2 at n = 2
        return float(np.exp(hi))
    return float(np.exp(optimize.brentq(excess_share, 0.0, hi, xtol=1e-13, rtol=1e-13)))


# ------------------------------------------------------------------ Monte Carlo twin

_LOCAL, _REMOTE, _FETCH, _WAIT = 0, 1, 2, 3
KINDS = ("local", "remote", "fetch", "wait")


@numba.njit(cache=True, nogil=True)
def _replay(times, nodes, blocks, n_nodes, owner, t_detect, rtt, tau, use_map,
            latency, kind, fetched, sent, remote, last_fetch, avail, up_free, down_free):
    """Replay block reads in time order; links are FIFO servers of tau per block.

    A transfer from node g to node h holds g's uplink and h's downlink:
    start = max(t, up_free[g], down_free[h]), end = start + tau, and the data is
    usable at end + rtt. The state (``avail``: time each node holds each
    block, -inf for the owner, inf if not fetched; the link clocks; the per-node
    counters) is passed in and updated, so a stream can be replayed in chunks.
    """
    inf = np.inf
    for e in range(times.size):
        t = times[e]
        h = nodes[e]
        blk = blocks[e]
        a = avail[h, blk]
        if a <= t:
            latency[e] = 0.0
            kind[e] = 0
            continue
        if a < inf:  # a fetch of this block is in flight: wait for it
            latency[e] = a - t
            kind[e] = 3
            continue
        src = owner
        if use_map and t >= t_detect:
            best = max(up_free[owner], down_free[h])
            for g in range(n_nodes):
                if g != h and g != owner and avail[g, blk] <= t:
                    s = max(up_free[g], down_free[h])
                    if s < best:
                        best = s
                        src = g
        start = max(t, max(up_free[src], down_free[h]))
        end = start + tau
        up_free[src] = end
        down_free[h] = end
        latency[e] = end + rtt - t
        sent[src] += 1
        if t < t_detect:
            kind[e] = 1
            remote[h] += 1
        else:
            kind[e] = 2
            fetched[h] += 1
            avail[h, blk] = end + rtt
            if end + rtt > last_fetch[h]:
                last_fetch[h] = end + rtt


@numba.njit(cache=True, nogil=True)
def _is_sorted(t):
    """No ``t[i] < t[i - 1]`` (the old ``not any(diff(t) < 0)``, without its array)."""
    for i in range(1, t.size):
        if t[i] < t[i - 1]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _fill_window(starts, offs, seq, node_of, nxt, t_end, buf_t, buf_n, buf_b):
    """Append every desktop's reads before ``t_end`` (desktop by desktop, each in
    order); ``nxt[d]`` is desktop d's next read. Returns how many were appended,
    or -1 if they would not fit in the buffers.

    Desktop ``d`` reads ``seq[j]`` at ``starts[d] + offs[j]`` from node
    ``node_of[d]``: time, node and block go to ``buf_t``, ``buf_n``, ``buf_b``.
    """
    m = offs.size
    n = 0
    for d in range(starts.size):
        j = nxt[d]
        s = starts[d]
        h = node_of[d]
        while j < m:
            t = s + offs[j]
            if t >= t_end:
                break
            if n == buf_t.size:
                return -1  # window larger than the buffer (never, by its sizing)
            buf_t[n] = t
            buf_n[n] = h
            buf_b[n] = seq[j]
            n += 1
            j += 1
        nxt[d] = j
    return n


@numba.njit(cache=True, nogil=True)
def _gather_events(order, buf_t, buf_n, buf_b, times, nodes, blocks):
    """``times, nodes, blocks = buf_t[order], buf_n[order], buf_b[order]`` in one pass."""
    for e in range(order.size):
        i = order[e]
        times[e] = buf_t[i]
        nodes[e] = buf_n[i]
        blocks[e] = buf_b[i]


@numba.njit(cache=True, nogil=True)
def _curve_counts(nodes, kind, start, pts, fetched, crossed, seen, nf, nc, at):
    """Per node, fetches and network crossings among its first ``pts`` reads.

    ``pts[start[h]:start[h + 1]]`` are node h's increasing read counts;
    ``fetched``/``crossed`` (same shape as ``pts``) receive the counts there.
    ``seen``, ``nf``, ``nc`` (per node: reads, fetches, crossings so far) and
    ``at`` (next point of each node, initially ``start[:-1]``) carry over
    from one chunk of reads to the next.
    """
    for e in range(nodes.size):
        h = nodes[e]
        k = kind[e]
        if k == 2:
            nf[h] += 1
            nc[h] += 1
        elif k == 1:
            nc[h] += 1
        seen[h] += 1
        i = at[h]
        if i < start[h + 1] and pts[i] == seen[h]:
            fetched[i] = nf[h]
            crossed[i] = nc[h]
            at[h] = i + 1


def _replay_state(n_nodes, n_blocks, owner):
    """Initial (avail, up_free, down_free) of :func:`_replay`: only the owner holds blocks."""
    avail = np.full((n_nodes, n_blocks), np.inf)
    avail[owner, :] = -np.inf
    return avail, np.zeros(n_nodes), np.zeros(n_nodes)


def replay_reads(times, nodes, blocks, *, n_nodes: int, n_blocks: int, detection_s: float,
                 owner: int = 0, link_bps: float = 10e9, rtt_s: float = 200e-6,
                 block_bytes: int = 4096, source: str = "single") -> dict:
    """Replay a stream of block reads through Shadow Clones (numba kernel).

    Parameters
    ----------
    times : array_like of float
        Time of each read (s), in [0, 1e15]; sorted here (stable) if needed.
    nodes : array_like of int
        Node of the desktop issuing each read.
    blocks : array_like of int
        Block id of each read, in [0, n_blocks).
    n_nodes, n_blocks : int
    detection_s : float
        Time at which Shadow Clones start (s); ``inf`` for never.
    owner : int
        Node holding the replica.
    link_bps, rtt_s, block_bytes : float
    source : {'single', 'map'}

    Returns
    -------
    dict
        ``latency_s`` and ``kind`` (0 local, 1 remote, 2 fetch, 3 wait for a
        fetch in flight) per read in time order; per node ``fetched_blocks``,
        ``remote_blocks``, ``sent_blocks``, ``last_fetch_s`` (0 if none).
    """
    _check_choice("source", source, SOURCES)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    m = check_integer("n_blocks", n_blocks, minimum=1, scalar=True)
    own = check_integer("owner", owner, minimum=0, maximum=H - 1, scalar=True)
    t = np.ascontiguousarray(check_duration("times", times), dtype=np.float64)
    nd = np.ascontiguousarray(check_integer("nodes", nodes, minimum=0), dtype=np.int64)
    bk = np.ascontiguousarray(check_integer("blocks", blocks, minimum=0), dtype=np.int64)
    if not (t.shape == nd.shape == bk.shape and t.ndim == 1):
        raise ValueError(f"times, nodes and blocks must be 1-D of one length "
                         f"(got {t.shape}, {nd.shape}, {bk.shape})")
    if t.size and (nd.min() < 0 or nd.max() >= H):
        raise ValueError(f"nodes must be in [0, {H - 1}]")
    if t.size and (bk.min() < 0 or bk.max() >= m):
        raise ValueError(f"blocks must be in [0, {m - 1}]")
    if not _is_sorted(t):
        order = np.argsort(t, kind="stable")
        t, nd, bk = t[order], nd[order], bk[order]
    td = check_duration("detection_s", detection_s, allow_inf=True, scalar=True)
    tau = 8.0 * check_integer("block_bytes", block_bytes, minimum=1, scalar=True) / \
        check_positive("link_bps", link_bps, scalar=True)
    if tau > MAX_SECONDS:
        raise ValueError(f"link_bps must carry a {block_bytes}-byte block within "
                         f"{MAX_SECONDS:g} s (got {link_bps!r})")
    rtt = check_duration("rtt_s", rtt_s, scalar=True)
    lat = np.empty(t.size)
    kind = np.empty(t.size, dtype=np.int8)
    fetched, sent, remote = (np.zeros(H, dtype=np.int64) for _ in range(3))
    last = np.zeros(H)
    _replay(t, nd, bk, H, own, td, rtt, tau, source == "map", lat, kind, fetched, sent,
            remote, last, *_replay_state(H, m, own))
    return {"latency_s": lat, "kind": kind, "fetched_blocks": fetched,
            "remote_blocks": remote, "sent_blocks": sent, "last_fetch_s": last}


def simulate_detection_delay(n_nodes: int, n_desktops: int, start_window_s: float = 0.0,
                             lag_s: float = 0.0, *, n_reps: int = 1000, rng=None) -> np.ndarray:
    """Monte Carlo twin of :func:`detection_delay`: one delay per replication (s).

    Desktops start at uniform times over the window and go round-robin to the
    nodes starting from the owner (node 0); detection is the third remote node's
    first start, plus the lag (``inf`` if fewer than 3 remote nodes have desktops).
    """
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    W = check_nonnegative("start_window_s", start_window_s, scalar=True)
    lag = check_nonnegative("lag_s", lag_s, scalar=True)
    reps = check_integer("n_reps", n_reps, minimum=1, scalar=True)
    rng = as_generator(rng)
    starts = rng.random((reps, N)) * W
    return _detect_from_starts(starts, np.arange(N) % H, H, lag)


def _detect_from_starts(starts, node_of, H, lag):
    if H == 1:
        return np.zeros(starts.shape[0])
    first = np.full((starts.shape[0], H), np.inf)
    for h in range(1, H):
        sel = node_of == h
        if sel.any():
            first[:, h] = starts[:, sel].min(axis=1)
    remote = np.sort(first[:, 1:], axis=1)
    if remote.shape[1] < DETECTION_REMOTE_CVMS:
        return np.full(starts.shape[0], np.inf)
    return remote[:, DETECTION_REMOTE_CVMS - 1] + lag


@dataclass(frozen=True)
class SimulatedWarmUp:
    """One Monte Carlo run (or one trace replay) of replica reads at block level.

    Attributes
    ----------
    detection_delay_s : float
    bytes_per_node : numpy.ndarray, shape (H,)
        Bytes fetched by each node (0 for the owner).
    total_bytes : float
        Bytes fetched by the cluster.
    remote_read_bytes : float
        Bytes read remotely from the owner before detection.
    time_s : float
        Time of the last fetch completed (s); inf if never detected.
    n_reads : int
        Block reads replayed.
    latency : polars.DataFrame
        Extra read latency (s) by kind: kind, reads, share, mean_s, p50_s,
        p95_s, p99_s, max_s; plus a row 'all'.
    replay_s : float
        Wall time of the replay kernel (s), for reads per second.
    reads_per_node : numpy.ndarray, shape (H,)
        Replica block reads each node served.
    curve : polars.DataFrame
        The warm-up curve of every node that read: node, reads (the first k
        reads of that node, about 48 points spaced geometrically up to all of
        them), fetched_blocks (fetches among them) and local_share (share of
        them that crossed no network, ``1 - (fetches + remote reads) / k``;
        a read waiting for a fetch in flight counts as local). Sorted by node,
        reads.
    """

    detection_delay_s: float
    bytes_per_node: np.ndarray
    total_bytes: float
    remote_read_bytes: float
    time_s: float
    n_reads: int
    latency: pl.DataFrame = field(repr=False)
    replay_s: float = field(repr=False, default=0.0)
    reads_per_node: np.ndarray = field(repr=False, default=None)
    curve: pl.DataFrame = field(repr=False, default=None)


def _latency_table(lat, counts, subsets) -> pl.DataFrame:
    """Latency rows from every read's latency ``lat`` (replay order), the
    reads per kind and, per non-local kind, its latencies in replay order.

    Consumes ``lat`` and ``subsets``: the mean and maximum are taken first, then
    the quantiles partition the arrays in place (no copy of every read)."""
    import polars as pl

    rows = []
    for k, name in list(enumerate(KINDS)) + [(-1, "all")]:
        n = lat.size if k < 0 else int(counts[k])
        if n == 0:
            rows.append((name, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        if k == _LOCAL:  # a local read waits exactly 0 s: no need to gather them
            rows.append((name, n, n / max(lat.size, 1), 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        x = lat if k < 0 else subsets[k]
        mean, top = float(x.mean()), float(x.max())
        q = np.quantile(x, [0.5, 0.95, 0.99], overwrite_input=True)
        rows.append((name, int(x.size), x.size / max(lat.size, 1), mean,
                     float(q[0]), float(q[1]), float(q[2]), top))
    return pl.DataFrame(rows, orient="row", schema=["kind", "reads", "share", "mean_s", "p50_s",
                                                    "p95_s", "p99_s", "max_s"]).sort("kind")


def _latency_frame(lat, kind) -> pl.DataFrame:
    counts = np.bincount(kind, minlength=len(KINDS))
    return _latency_table(lat, counts, {k: lat[kind == k] for k in (_REMOTE, _FETCH, _WAIT)
                                        if counts[k]})


class _CurveCounter:
    """Streaming form of :func:`_curve`: feed reads chunk by chunk, then ``frame()``."""

    def __init__(self, per_node, n_points=48):
        pts = [np.unique(np.round(np.geomspace(1, k, n_points)).astype(np.int64)) if k else
               np.empty(0, dtype=np.int64) for k in per_node]
        self.start = np.concatenate([[0], np.cumsum([p.size for p in pts])]).astype(np.int64)
        self.pts = np.concatenate(pts).astype(np.int64)
        self.fetched = np.zeros(self.pts.size, dtype=np.int64)
        self.crossed = np.zeros(self.pts.size, dtype=np.int64)
        h = len(per_node)
        self.state = (np.zeros(h, dtype=np.int64), np.zeros(h, dtype=np.int64),
                      np.zeros(h, dtype=np.int64), self.start[:-1].copy())

    def add(self, nodes, kind):
        _curve_counts(np.ascontiguousarray(nodes, dtype=np.int64), np.ascontiguousarray(kind),
                      self.start, self.pts, self.fetched, self.crossed, *self.state)

    def frame(self) -> pl.DataFrame:
        import polars as pl

        if not self.pts.size:
            return pl.DataFrame(schema={"node": pl.Int64, "reads": pl.Int64,
                                        "fetched_blocks": pl.Int64, "local_share": pl.Float64})
        node = np.repeat(np.arange(self.start.size - 1, dtype=np.int64), np.diff(self.start))
        return pl.DataFrame({"node": node, "reads": self.pts, "fetched_blocks": self.fetched,
                             "local_share": 1.0 - self.crossed / self.pts}).sort(["node", "reads"])


def _curve(nodes, kind, n_nodes, n_points=48) -> pl.DataFrame:
    """Per-node fetches and local share over the first k reads (see SimulatedWarmUp.curve)."""
    counter = _CurveCounter(np.bincount(nodes, minlength=n_nodes), n_points)
    counter.add(nodes, kind)
    return counter.frame()


def _replay_result(times, nodes, blocks, *, n_nodes, n_blocks, detection_s, owner, link_bps,
                   rtt_s, block_bytes, source) -> SimulatedWarmUp:
    """Run :func:`replay_reads` and summarise it as a :class:`SimulatedWarmUp`."""
    import time as _time

    t0 = _time.perf_counter()
    res = replay_reads(times, nodes, blocks, n_nodes=n_nodes, n_blocks=n_blocks,
                       detection_s=detection_s, owner=owner, link_bps=link_bps, rtt_s=rtt_s,
                       block_bytes=block_bytes, source=source)
    elapsed = _time.perf_counter() - t0
    b = float(block_bytes)
    fetched = res["fetched_blocks"] * b
    done = float(res["last_fetch_s"].max()) if np.isfinite(detection_s) else np.inf
    nd = np.asarray(nodes, dtype=np.int64)
    if not _is_sorted(np.ascontiguousarray(times, dtype=np.float64)):
        nd = nd[np.argsort(np.asarray(times, dtype=float), kind="stable")]  # replay order
    return SimulatedWarmUp(float(detection_s), fetched, float(fetched.sum()),
                           float(res["remote_blocks"].sum() * b), done, int(nd.size),
                           _latency_frame(res["latency_s"], res["kind"]), elapsed,
                           np.bincount(nd, minlength=n_nodes).astype(np.int64),
                           _curve(nd, res["kind"], n_nodes))


#: Reads generated, sorted and replayed at a time by :func:`_boot_replay`.
_CHUNK_READS = 1 << 16


def _boot_replay(starts, offs, seq, node_of, *, n_nodes, n_blocks, detection_s, link_bps,
                 rtt_s, block_bytes, source) -> SimulatedWarmUp:
    """:func:`_replay_result` of the boot reads, generated and replayed in chunks.

    Desktop ``d`` reads ``seq[j]`` at ``starts[d] + offs[j]`` (``offs`` evenly
    spaced). Time is cut into windows of about ``_CHUNK_READS`` reads (cache-sized); each
    window's reads are appended desktop by desktop (flat order) and stably
    sorted, so the replay order, every latency and every count are those of a
    stable sort of all N x m reads at once. Memory: the replay state (nodes x
    blocks), one chunk, and 8 bytes per read for the latencies the 'all' row of
    the latency table needs (its quantiles and mean over every read).
    """
    import time as _time

    N, m = starts.size, offs.size
    H = n_nodes
    total = N * m
    step = offs[1] - offs[0] if m > 1 else 1.0
    per_desktop = max(1, _CHUNK_READS // N)            # reads per desktop and window
    width = per_desktop * step
    cap = N * min(m, per_desktop + 3)                  # rounding: a read or two more
    buf_t, buf_n, buf_b = np.empty(cap), np.empty(cap, dtype=np.int64), np.empty(cap, np.int64)
    times, nodes, blocks = np.empty(cap), np.empty(cap, dtype=np.int64), np.empty(cap, np.int64)
    kind = np.empty(cap, dtype=np.int8)
    lat = np.empty(total)
    nxt = np.zeros(N, dtype=np.int64)
    own = 0
    tau = 8.0 * float(block_bytes) / float(link_bps)
    fetched, sent, remote = (np.zeros(H, dtype=np.int64) for _ in range(3))
    last = np.zeros(H)
    state = _replay_state(H, n_blocks, own)
    per_node = np.bincount(node_of, minlength=H).astype(np.int64) * m
    curve = _CurveCounter(per_node)
    counts = np.zeros(len(KINDS), dtype=np.int64)
    parts = {k: [] for k in (_REMOTE, _FETCH, _WAIT)}
    replay_s = 0.0
    pos = 0
    t_end = float(starts.min()) + offs[0]
    while pos < total:
        t_end += width
        n = _fill_window(starts, offs, seq, node_of, nxt,
                         t_end if pos + cap < total else np.inf, buf_t, buf_n, buf_b)
        if n < 0:
            raise RuntimeError("boot replay: a window overflowed its buffer")
        if n == 0:
            continue
        order = np.argsort(buf_t[:n], kind="stable")
        _gather_events(order, buf_t, buf_n, buf_b, times, nodes, blocks)
        t0 = _time.perf_counter()
        _replay(times[:n], nodes[:n], blocks[:n], H, own, float(detection_s), float(rtt_s),
                tau, source == "map", lat[pos:pos + n], kind[:n], fetched, sent, remote, last,
                *state)
        replay_s += _time.perf_counter() - t0
        k = kind[:n]
        counts += np.bincount(k, minlength=len(KINDS))
        for kk, lst in parts.items():
            sel = lat[pos:pos + n][k == kk]
            if sel.size:
                lst.append(sel)
        curve.add(nodes[:n], k)
        pos += n
    b = float(block_bytes)
    fb = fetched * b
    done = float(last.max()) if np.isfinite(detection_s) else np.inf
    subsets = {kk: np.concatenate(lst) for kk, lst in parts.items() if lst}
    return SimulatedWarmUp(float(detection_s), fb, float(fb.sum()), float(remote.sum() * b),
                           done, int(total), _latency_table(lat, counts, subsets), replay_s,
                           per_node, curve.frame())


# ------------------------------------------------------------------ clone-pool streams

def _check_pool(pool):
    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    if pool.clone_type != "linked":
        raise ValueError(f"pool.clone_type must be 'linked': Shadow Clones cache the replica "
                         f"of linked clones (got {pool.clone_type!r})")
    return pool


def replica_pool(n_desktops: int = 100, *, replica: Replica | None = None,
                 workload: WorkloadProfile | str = "task") -> ClonePool:
    """The clone pool whose replica reads are the steady phase of :func:`warmup`.

    ``n_desktops`` linked clones read the replica's used blocks
    (``base_blocks = replica.n_blocks``, Zipf ``replica.alpha``), each at
    ``replica_read_iops * read_size / block`` block reads per second; no
    private blocks and nothing written, so every read of the stream is a
    replica read and a node hosting ``n`` desktops serves ``lambda = n *
    replica_read_iops * read_size / block`` of them per second, as in
    :func:`warmup`.

    Returns
    -------
    hcimodel.clonepool.ClonePool
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    b = int(replica.block_bytes)
    return ClonePool(n_desktops=check_integer("n_desktops", n_desktops, minimum=1, scalar=True),
                     base_blocks=replica.n_blocks, private_blocks=0, alpha=replica.alpha,
                     shared_read_fraction=1.0, written_fraction=0.0,
                     read_iops=block_read_rate(workload, replica),
                     clone_type="linked", block_bytes=b, fingerprint_bytes=b)


def pool_popularity(pool: ClonePool) -> np.ndarray:
    r"""Popularity of the replica reads of a pool of linked clones (IRM).

    A replica read is a read of a base block the desktop has not written. The
    base block is Zipf(``alpha``) over ``base_blocks``, and whether the
    (desktop, block) pair is written is independent of the block (each pair is
    written with the same probability :math:`w(t)`), so the replica reads are
    Zipf(``alpha``) over ``base_blocks`` too, at every time. (Given one layout of
    written pairs, a node's popularity is :math:`\propto z_b U_b`, with
    :math:`U_b` its desktops that have not written block b: the same law up to
    binomial noise of relative variance :math:`w / (n (1 - w))` for n desktops
    per node.)

    Returns
    -------
    numpy.ndarray, shape (base_blocks,)
    """
    pool = _check_pool(pool)
    return zipf_popularity(pool.base_blocks, pool.alpha)


def replica_read_rate(pool: ClonePool, n_nodes, time_s=0.0) -> np.ndarray:
    r"""Replica block reads per second served by one node (mean over nodes).

    .. math:: \lambda = \frac{N}{H}\, \rho\, s\, (1 - w(t))

    with :math:`\rho` = ``pool.read_iops``, :math:`s` =
    ``shared_read_fraction`` and :math:`w(t)` the written fraction
    (:meth:`ClonePool.written_fraction_at`).

    Returns
    -------
    numpy.ndarray
        Reads per second (broadcast shape of ``n_nodes`` and ``time_s``).
    """
    pool = _check_pool(pool)
    H = check_integer("n_nodes", n_nodes, minimum=1).astype(float)
    return (pool.n_desktops / H * pool.read_iops * pool.shared_read_fraction
            * (1.0 - pool.written_fraction_at(time_s)))


def replica_reads(stream: ClonePoolStream, n_nodes: int):
    """The replica reads of a clone-pool stream, placed on nodes.

    Desktop ``d`` runs on node ``d mod H`` (node 0 owns the replica). A replica
    read is a read of a base block (``block < base_blocks``) that the desktop
    has not written; private blocks and written base blocks live on the
    desktop's own delta disk and are not Shadow Clone reads.

    Parameters
    ----------
    stream : hcimodel.clonepool.ClonePoolStream
        From :func:`hcimodel.clonepool.clone_pool_stream` of a linked-clone pool.
    n_nodes : int

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``times`` (s), ``nodes`` and ``blocks`` (base block ids) of the replica
        reads, in stream order.
    """
    if not isinstance(stream, ClonePoolStream):
        raise ValueError(f"stream must be a ClonePoolStream (got {type(stream).__name__})")
    _check_pool(stream.pool)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    keep = ~stream.written & (stream.block < stream.pool.base_blocks)
    return stream.time_s[keep], stream.desktop[keep] % H, stream.block[keep]


def replay_stream(stream: ClonePoolStream, n_nodes: int, *, detection_s: float = 0.0,
                  source: str = "single", link_bps: float = 10e9,
                  rtt_s: float = 200e-6) -> SimulatedWarmUp:
    """Replay the replica reads of a clone-pool stream through Shadow Clones.

    The reads are :func:`replica_reads` (desktop ``d`` on node ``d mod H``, node
    0 the owner); reads before ``detection_s`` go to the owner, afterwards each
    non-owner node fetches a block on its first read (:func:`replay_reads`).
    With ``detection_s = 0`` a non-owner node fetches exactly the distinct
    blocks it reads, whose expectation is :func:`expected_distinct` of its
    reads under :func:`pool_popularity`.

    Parameters
    ----------
    stream : hcimodel.clonepool.ClonePoolStream
    n_nodes : int
    detection_s : float
        Time Shadow Clones start, on the stream's clock (s); ``inf`` for never.
    source, link_bps, rtt_s
        As in :func:`warmup`.

    Returns
    -------
    SimulatedWarmUp
    """
    detection_s = check_duration("detection_s", detection_s, allow_inf=True, scalar=True)
    times, nodes, blocks = replica_reads(stream, n_nodes)
    return _replay_result(times, nodes, blocks, n_nodes=int(n_nodes),
                          n_blocks=stream.pool.base_blocks, detection_s=detection_s, owner=0,
                          link_bps=link_bps, rtt_s=rtt_s, block_bytes=stream.pool.block_bytes,
                          source=source)


# ------------------------------------------------------------------ real traces

ASSIGNMENTS = ("random", "round_robin")


def empirical_popularity(keys) -> np.ndarray:
    """Read frequency of each distinct block of a key sequence, the IRM's popularity.

    Parameters
    ----------
    keys : array_like of int
        Block keys, e.g. :func:`hcimodel.traces.block_keys` of a real trace.

    Returns
    -------
    numpy.ndarray
        ``count / len(keys)`` of each distinct key (sums to 1), in decreasing order.
    """
    k = check_integer("keys", keys, minimum=-INT64_MAX - 1).ravel()
    if k.size == 0:
        raise ValueError("keys must hold at least one block key (got an empty array)")
    _, counts = np.unique(k, return_counts=True)
    return np.sort(counts)[::-1] / k.size


def assign_requests(request, n_nodes: int, assign: str = "random", *, rng=None) -> np.ndarray:
    """Node of every block read when a trace's requests are spread over H nodes.

    All blocks of one request go to one node. ``'round_robin'``: the j-th
    distinct request (in order of first appearance) goes to node ``j mod H``.
    ``'random'``: each request goes to a node drawn uniformly and independently
    (seeded), so a block read by ``c`` requests reaches a given node with
    probability ``1 - (1 - 1/H)^c`` exactly.

    Parameters
    ----------
    request : array_like of int
        Request of each block read, e.g. the index of ``block_keys(...,
        return_index=True)``.
    n_nodes : int
    assign : {'random', 'round_robin'}
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    numpy.ndarray of int64
        Node of each block read.
    """
    _check_choice("assign", assign, ASSIGNMENTS)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    req = check_integer("request", request, minimum=-INT64_MAX - 1).ravel()
    _, first, inv = np.unique(req, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")  # order of appearance
    if assign == "round_robin":
        per_request = rank % H
    else:
        per_request = as_generator(rng).integers(0, H, rank.size)[rank]
    return per_request[inv.ravel()].astype(np.int64)


def replay_trace(keys, n_nodes: int, *, request=None, times=None, assign: str = "random",
                 detection_s: float = 0.0, source: str = "single", link_bps: float = 10e9,
                 rtt_s: float = 200e-6, block_bytes: int = 4096, rng=None) -> SimulatedWarmUp:
    """Replay a real trace's block reads as the replica's reads, spread over H nodes.

    The trace's block keys are taken as reads of the replica, in trace order;
    its requests are spread over the nodes by :func:`assign_requests` (node 0
    owns the replica and reads locally), and Shadow Clones fetch each block on
    its first read at every other node (:func:`replay_reads`). With
    ``detection_s = 0`` a non-owner node fetches exactly the distinct blocks it
    reads.

    Parameters
    ----------
    keys : array_like of int
        Block keys in trace order (any integers; renumbered densely here).
    n_nodes : int
    request : array_like of int, optional
        Request of each key (default: every key its own request).
    times : array_like of float, optional
        Time of each key (s), e.g. the trace's ``time_s`` of its request;
        default one read per microsecond. Only latency depends on it.
    assign : {'random', 'round_robin'}
    detection_s, source, link_bps, rtt_s
        As in :func:`warmup`.
    block_bytes : int
        Block size of the keys (bytes).
    rng : None, int, SeedSequence or Generator
        For ``assign='random'``.

    Returns
    -------
    SimulatedWarmUp
    """
    k = check_integer("keys", keys, minimum=-INT64_MAX - 1).ravel()
    if k.size == 0:
        raise ValueError("keys must hold at least one block key (got an empty array)")
    detection_s = check_duration("detection_s", detection_s, allow_inf=True, scalar=True)
    _, blocks = np.unique(k, return_inverse=True)
    blocks = blocks.ravel().astype(np.int64)
    req = np.arange(k.size) if request is None else check_integer(
        "request", request, minimum=-INT64_MAX - 1).ravel()
    t = np.arange(k.size) * 1e-6 if times is None else check_duration("times", times).ravel()
    if req.shape != k.shape or t.shape != k.shape:
        raise ValueError(f"request and times must have one entry per key ({k.size}) "
                         f"(got {req.size} and {t.size})")
    nodes = assign_requests(req, n_nodes, assign, rng=rng)
    return _replay_result(t, nodes, blocks, n_nodes=int(n_nodes), n_blocks=int(blocks.max()) + 1,
                          detection_s=detection_s, owner=0, link_bps=link_bps, rtt_s=rtt_s,
                          block_bytes=block_bytes, source=source)


def simulate_warmup(n_nodes: int = 4, n_desktops: int = 100, *, replica: Replica | None = None,
                    workload: WorkloadProfile | str | None = None, phase: str = "boot",
                    source: str = "single", link_bps: float = 10e9, rtt_s: float = 200e-6,
                    detection_delay_s=None, start_window_s: float = 0.0,
                    detection_lag_s: float = 0.0, n_reads_per_node: int | None = None,
                    sequence=None, pool: ClonePool | None = None, rng=None) -> SimulatedWarmUp:
    """Monte Carlo twin of :func:`warmup`: every block read replayed in time order.

    Desktop ``d`` goes to node ``d mod H`` (node 0 owns the replica) and powers
    on at a uniform time over ``[0, start_window_s]``. Detection is simulated
    from the start times (:func:`simulate_detection_delay`) unless
    ``detection_delay_s`` is given.

    Boot phase: each desktop reads ``sequence`` (default: the boot set
    ``0 .. m_b - 1``; any array of block ids, e.g.
    :func:`hcimodel.traces.block_keys` of a real trace) from its start at pace
    ``r`` (:func:`boot_pace`), open loop.

    Steady phase: a stream of ``pool`` drawn by
    :func:`hcimodel.clonepool.clone_pool_stream` (default :func:`replica_pool`
    of ``n_desktops``, ``replica`` and ``workload``, the model of
    :func:`warmup`), starting at detection; its replica reads
    (:func:`replica_reads`) are replayed. The stream is long enough for each
    node to serve about ``n_reads_per_node`` replica reads (default ``2 m``,
    ``m = base_blocks``); the exact counts are in ``reads_per_node``.

    Parameters
    ----------
    n_nodes, n_desktops, replica, workload, phase, source, link_bps, rtt_s,
    detection_delay_s, start_window_s, detection_lag_s
        As in :func:`warmup`.
    n_reads_per_node : int, optional
        Steady phase only.
    sequence : array_like of int, optional
        Boot phase only: the block ids each desktop reads, in order.
    pool : hcimodel.clonepool.ClonePool, optional
        Steady phase only: a pool of linked clones with ``pool.n_desktops ==
        n_desktops``; its stream replaces the default one (private and written
        blocks are drawn, then left out as they are not replica reads).
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    SimulatedWarmUp
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    _check_choice("phase", phase, PHASES)
    _check_choice("source", source, SOURCES)
    wl = as_profile(workload or ("boot" if phase == "boot" else "task"))
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    W = check_nonnegative("start_window_s", start_window_s, scalar=True)
    link_bps = check_positive("link_bps", link_bps, scalar=True)
    rtt_s = check_duration("rtt_s", rtt_s, scalar=True)
    if 8.0 * replica.block_bytes / link_bps > MAX_SECONDS:
        raise ValueError(f"link_bps must carry a {replica.block_bytes}-byte block within "
                         f"{MAX_SECONDS:g} s (got {link_bps!r})")
    if pool is not None:
        _check_pool(pool)
        if phase != "steady":
            raise ValueError(f"pool is for the steady phase only (got phase {phase!r})")
        if pool.n_desktops != N:
            raise ValueError(f"pool.n_desktops must equal n_desktops = {N} "
                             f"(got {pool.n_desktops})")
    rng = as_generator(rng)
    b = replica.block_bytes
    node_of = np.arange(N) % H
    starts = rng.random(N) * W
    if detection_delay_s is None:
        td = float(_detect_from_starts(starts[None, :], node_of, H,
                                       check_nonnegative("detection_lag_s", detection_lag_s,
                                                         scalar=True))[0])
    else:
        td = check_nonnegative("detection_delay_s", detection_delay_s, allow_inf=True, scalar=True)
        if H > 1 and min(N, H) - 1 < DETECTION_REMOTE_CVMS:
            td = np.inf
    if H == 1:
        td = 0.0
    if phase == "boot":
        r, _ = boot_pace(replica, wl)
        if sequence is None:
            seq = np.arange(replica.n_boot_blocks, dtype=np.int64)
        else:
            seq = np.atleast_1d(check_integer("sequence", sequence, minimum=0))
            if seq.ndim != 1 or seq.size == 0:
                raise ValueError(f"sequence must be a non-empty 1-D sequence of block ids "
                                 f"(got shape {seq.shape})")
        m = int(seq.max()) + 1
        offs = np.arange(seq.size) / r
    else:
        pool = pool if pool is not None else replica_pool(N, replica=replica, workload=wl)
        m = pool.base_blocks
        b = pool.block_bytes
        n = check_integer("n_reads_per_node", n_reads_per_node, minimum=1, scalar=True) \
            if n_reads_per_node is not None else 2 * m
        share = pool.shared_read_fraction * (1.0 - pool.written_fraction)
        if share <= 0:
            raise ValueError("pool must have replica reads: shared_read_fraction > 0 and "
                             f"written_fraction < 1 (got {pool.shared_read_fraction}, "
                             f"{pool.written_fraction})")
        stream = clone_pool_stream(pool, int(np.ceil(n * H / share)), rng=rng)
        times, nodes, blocks = replica_reads(stream, H)
        times = times + (td if np.isfinite(td) else 0.0)  # the steady state starts at detection
    if phase == "boot":  # generated and replayed in chunks, in time order
        return _boot_replay(starts, offs, seq, node_of.astype(np.int64), n_nodes=H,
                            n_blocks=m, detection_s=td, link_bps=link_bps, rtt_s=rtt_s,
                            block_bytes=b, source=source)
    out = _replay_result(times, nodes, blocks, n_nodes=H, n_blocks=m, detection_s=td, owner=0,
                         link_bps=link_bps, rtt_s=rtt_s, block_bytes=b, source=source)
    return out
