"""Compiled helper of :mod:`hcimodel.caching`: moments of rates in log bins.

Kept apart so that ``import hcimodel.caching`` does not import numba; the
caching module imports this one the first time it compresses a catalog.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def bin_moments(rates, weights, shift, lo, inv_edge, out):
    """Add, per log bin, the weighted moments of ``z = rate / edge - 1``.

    Item ``i`` falls in bin ``(bits(rates[i]) >> shift) - lo``, where
    ``bits`` is the IEEE-754 bit pattern read as an int64 (monotone in the
    rate for positive doubles). ``out[b]`` receives ``sum w``, ``sum w z``,
    ``sum w z**2`` and ``sum w z**3``; ``z`` lies in ``[0, 2**(shift-52))``.
    ``weights`` of size 0 means one item per rate. Sums run in registers
    while consecutive rates share a bin (sorted catalogs: 2 ns per rate).
    """
    bits = rates.view(np.int64)
    unit = weights.size == 0
    cur = -1
    inv = s0 = s1 = s2 = s3 = 0.0
    for i in range(rates.size):
        b = (bits[i] >> shift) - lo
        if b != cur:
            if cur >= 0:
                out[cur, 0] += s0
                out[cur, 1] += s1
                out[cur, 2] += s2
                out[cur, 3] += s3
            cur = b
            inv = inv_edge[b]
            s0 = s1 = s2 = s3 = 0.0
        z = rates[i] * inv - 1.0
        w = 1.0 if unit else weights[i]
        wz = w * z
        wzz = wz * z
        s0 += w
        s1 += wz
        s2 += wzz
        s3 += wzz * z
    if cur >= 0:
        out[cur, 0] += s0
        out[cur, 1] += s1
        out[cur, 2] += s2
        out[cur, 3] += s3
