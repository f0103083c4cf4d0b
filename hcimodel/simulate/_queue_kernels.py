r"""The compiled kernels of :mod:`hcimodel.simulate.queues` (numba): the
Kiefer–Wolfowitz recursion of a FIFO :math:`c`-server queue on given times, and
the M/M/c engine that draws its exponentials inside the compiled loop.

The public simulators, their checks and their results are in
:mod:`hcimodel.simulate.queues`; the references are there.
"""

from __future__ import annotations

import numba
import numpy as np

#: Above this number of servers the Kiefer–Wolfowitz kernel keeps the workload
#: vector in a binary heap; at or below it, a linear branchless scan is faster
#: (measured: 100 M customers/s at c = 4, 22 M/s at c = 32 for both).
HEAP_THRESHOLD = 32


# --------------------------------------------------------------------------
# Kiefer–Wolfowitz kernel
# --------------------------------------------------------------------------
# The per-customer steps are inlined helpers (numba IR inlining, so the
# compiled loops are the same as hand-written ones), shared by the kernels on
# given arrays and by the M/M/c engine that draws its services inside the loop.

@numba.njit(inline="always")
def _scan_take(buf, c, t, s):
    """Serve an arrival at ``t`` with service ``s`` on the first free server; return its wait."""
    j = 0
    m = buf[0]
    for k in range(1, c):
        v = buf[k]
        lt = v < m
        m = v if lt else m
        j = k if lt else j
    w = m - t
    w = w if w > 0.0 else 0.0
    buf[j] = t + w + s
    return w


@numba.njit(inline="always")
def _heap_take(heap, c, t, s):
    """Same as :func:`_scan_take` with the free times in a binary min-heap."""
    w = heap[0] - t
    if w < 0.0:
        w = 0.0
    x = t + w + s
    # heap-replace the root by x and sift it down
    j = 0
    while True:
        child = 2 * j + 1
        if child >= c:
            break
        if child + 1 < c and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] < x:
            heap[j] = heap[child]
            j = child
        else:
            break
    heap[j] = x
    return w


@numba.njit(inline="always")
def _rebase(buf, c, t):
    """Move the origin to ``t``: KW clipping (V - t)^+ keeps every value small."""
    for k in range(c):
        v = buf[k] - t
        buf[k] = v if v > 0.0 else 0.0


@numba.njit(inline="always")
def _take(buf, c, t, s, heap):
    """Start the next customer on the earliest free server: a binary min-heap
    of free times (``heap``, large ``c``) or a linear scan (small ``c``)."""
    if heap:
        return _heap_take(buf, c, t, s)
    return _scan_take(buf, c, t, s)


@numba.njit(cache=True, nogil=True)
def _kw(a, s, c, heap, out):
    """KW recursion over the free times of the ``c`` servers.

    ``buf[j]`` is the time at which server ``j`` becomes free, relative to a
    moving origin; ``t`` is the current arrival time relative to the same
    origin. Up to :data:`HEAP_THRESHOLD` servers the minimum is found by a
    linear scan compiled to conditional moves, which beats a sorted buffer or
    a heap because it never mispredicts a branch; above it, by a binary
    min-heap (``heap`` True). The choice is loop-invariant, so the compiled
    loop does not pay for it.
    """
    reps, n = a.shape
    buf = np.empty(c)
    for r in range(reps):
        buf[:] = 0.0
        t = 0.0
        since = 0
        for i in range(n):
            if i > 0:
                t += a[r, i]
            out[r, i] = _take(buf, c, t, s[r, i], heap)
            since += 1
            if since == 1024:
                since = 0
                _rebase(buf, c, t)
                t = 0.0
    return out


def _kw_waits(a: np.ndarray, s: np.ndarray, c: int) -> np.ndarray:
    """Run the KW kernel (any ``c >= 1``) on validated arrays of any batch shape."""
    shape = a.shape
    a2 = np.ascontiguousarray(a.reshape(-1, shape[-1]))
    s2 = np.ascontiguousarray(s.reshape(-1, shape[-1]))
    out = np.empty_like(a2)
    _kw(a2, s2, c, c > HEAP_THRESHOLD, out)
    return out.reshape(shape)


# --------------------------------------------------------------------------
# M/M/c engine: exponentials drawn inside the compiled loop
# --------------------------------------------------------------------------
# ``simulate_mmc`` used to draw ``a = gen.standard_exponential((reps, n))``,
# then ``s`` likewise, scale both, and run the kernels above. The engine below
# consumes the stream in that same order (numba's Generator methods are
# numpy's algorithms on the same bit generator, so the draws are the same bits
# and the Generator ends in the same state): one pass fills the interarrival
# times of all replications, then the service times are drawn, in
# (replication, customer) order, in blocks of ``_DRAW_BLOCK`` as the recursion
# reaches them, and never stored beyond the block.
# Every wait is computed by the same floating-point operations as
# ``_lindley`` / ``_kw``, so the results are bit-identical
# to the array path; the interarrival array is overwritten by the waits.

@numba.njit(inline="always")
def _fill_interarrivals(gen, inv_lam, a):
    reps, n = a.shape
    for r in range(reps):
        for i in range(n):
            a[r, i] = gen.standard_exponential() * inv_lam


#: Service times are drawn in blocks of this many into a small buffer that
#: stays in L1, then consumed by the recursion: a draw is a call through the
#: bit generator's function pointer, and interleaving it with the recursion
#: makes every iteration spill and reload the recursion's state (measured:
#: 16 ns per customer interleaved against 10 ns blocked, M/M/1).
_DRAW_BLOCK = 1024


@numba.njit(inline="always")
def _draw_block(gen, inv_mu, sb, m):
    for j in range(m):
        sb[j] = gen.standard_exponential() * inv_mu


@numba.njit(cache=True, nogil=True)
def _mmc_lindley(gen, inv_lam, inv_mu, n_warm, a, resp, waited):
    """One-server engine: ``a`` (reps, n) out: waits; ``resp`` (reps, n - n_warm)
    out: responses after the warm-up; ``waited`` (reps,) out: count of waits > 0
    after the warm-up.

    The Lindley recursion in the closed form of :func:`_lindley` (cumulative
    sum :math:`U_n`, running minimum including :math:`U_0 = 0`, then
    :math:`U_n - \\min_k U_k`), evaluated in one sequential pass.
    """
    _fill_interarrivals(gen, inv_lam, a)
    reps, n = a.shape
    sb = np.empty(_DRAW_BLOCK)
    for r in range(reps):
        u = 0.0
        lo = 0.0
        s_prev = 0.0
        k = 0
        for i0 in range(0, n, _DRAW_BLOCK):
            i1 = min(i0 + _DRAW_BLOCK, n)
            _draw_block(gen, inv_mu, sb, i1 - i0)
            for i in range(i0, i1):
                s = sb[i - i0]
                w = 0.0
                if i > 0:
                    u += s_prev - a[r, i]
                    lo = u if u < lo else lo
                    w = u - lo
                a[r, i] = w
                if i >= n_warm:
                    resp[r, i - n_warm] = w + s
                    k += w > 0.0
                s_prev = s
        waited[r] = k


@numba.njit(cache=True, nogil=True)
def _mmc(gen, inv_lam, inv_mu, c, heap, n_warm, a, resp, waited):
    """Multi-server engine (the recursion of :func:`_kw`, ``heap`` as there);
    other arguments as :func:`_mmc_lindley`."""
    _fill_interarrivals(gen, inv_lam, a)
    reps, n = a.shape
    buf = np.empty(c)
    sb = np.empty(_DRAW_BLOCK)
    for r in range(reps):
        buf[:] = 0.0
        t = 0.0
        since = 0
        k = 0
        for i0 in range(0, n, _DRAW_BLOCK):
            i1 = min(i0 + _DRAW_BLOCK, n)
            _draw_block(gen, inv_mu, sb, i1 - i0)
            for i in range(i0, i1):
                if i > 0:
                    t += a[r, i]
                s = sb[i - i0]
                w = _take(buf, c, t, s, heap)
                a[r, i] = w
                if i >= n_warm:
                    resp[r, i - n_warm] = w + s
                    k += w > 0.0
                since += 1
                if since == 1024:
                    since = 0
                    _rebase(buf, c, t)
                    t = 0.0
        waited[r] = k


def _mmc_engine(gen, lam, mu, c, reps, n, n_warm):
    """Draw and run an M/M/c simulation; return ``(waits, responses, waited)``.

    ``waits`` has shape (reps, n) (warm-up included), ``responses`` shape
    (reps, n - n_warm) (after the warm-up), ``waited`` the count per
    replication of measured customers with a wait > 0.
    """
    a = np.empty((reps, n))
    resp = np.empty((reps, n - n_warm))
    waited = np.empty(reps, dtype=np.int64)
    inv_lam, inv_mu = 1.0 / lam, 1.0 / mu
    if c == 1:
        _mmc_lindley(gen, inv_lam, inv_mu, n_warm, a, resp, waited)
    else:
        _mmc(gen, inv_lam, inv_mu, c, c > HEAP_THRESHOLD, n_warm, a, resp, waited)
    return a, resp, waited
