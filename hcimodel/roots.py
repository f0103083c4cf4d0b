"""One vectorised root finder for the monotone equations of every model.

Quantiles of latency mixtures, response-time tails, the reads needed to reach a
local share, the cache needed for a hit ratio: each is the point where a
monotone function of one variable crosses a level, solved for many inputs at
once. :func:`bisect` does it for all of them, element-wise over numpy arrays,
with a fixed number of halvings (each halving gains one bit, so 80 of them
resolve any bracket of doubles to its last bits) and no Python loop over the
elements.

Callers transform the variable when the bracket spans decades (solve in
``log x``) and keep their own bracket, which is where the model's knowledge
is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["bisect"]


def bisect(below: Callable[[np.ndarray], np.ndarray], lo, hi, *,
           iterations: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Bracket, element-wise, where a monotone predicate turns false.

    Parameters
    ----------
    below : callable
        ``below(x)`` returns a boolean array of the broadcast shape of ``lo``
        and ``hi``: True where the root lies above ``x`` (for an increasing
        ``f`` and level ``c``: ``f(x) < c``). It must be monotone in ``x``
        (True, then False).
    lo, hi : array_like
        A bracket of every element (``lo <= root <= hi``), finite.
    iterations : int
        Halvings (default 80: the bracket shrinks by 2**-80).

    Returns
    -------
    lo, hi : numpy.ndarray
        The final bracket: ``below(lo)`` is True (or ``lo`` the starting end) and
        ``below(hi)`` False (or ``hi`` the starting end).

    Examples
    --------
    >>> lo, hi = bisect(lambda x: x * x < 2.0, 0.0, 2.0)
    >>> float(hi)
    1.4142135623730951
    """
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    lo, hi = lo.copy(), hi.copy()
    for _ in range(int(iterations)):
        mid = 0.5 * (lo + hi)
        up = np.asarray(below(mid), dtype=bool)
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    return lo, hi
