"""When Shadow Clones start: the detection delay over a start window, and its twin.

Shadow Clones start once reads from more than two remote CVMs have been seen
(Nutanix Bible); desktops power on over a window and each reads the replica as
it starts. :func:`detection_delay` is the closed form (an order statistic of
the remote nodes' first starts), :func:`simulate_detection_delay` its Monte
Carlo twin.
"""

from __future__ import annotations

import numpy as np

from ..streams import as_generator
from ..validation import check_integer, check_nonnegative
from .replica import DETECTION_REMOTE_CVMS, remote_placement

__all__ = ["detection_delay", "simulate_detection_delay"]


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


def simulate_detection_delay(n_nodes: int, n_desktops: int, start_window_s: float = 0.0,
                             lag_s: float = 0.0, *, n_replications: int = 1000,
                             rng=None) -> np.ndarray:
    """Monte Carlo twin of :func:`detection_delay`: one delay per replication (s).

    Desktops start at uniform times over the window and go round-robin to the
    nodes starting from the owner (node 0); detection is the third remote node's
    first start, plus the lag (``inf`` if fewer than 3 remote nodes have desktops).
    """
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    W = check_nonnegative("start_window_s", start_window_s, scalar=True)
    lag = check_nonnegative("lag_s", lag_s, scalar=True)
    reps = check_integer("n_replications", n_replications, minimum=1, scalar=True)
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
