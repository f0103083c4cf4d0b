"""Memory the CVM gives its read caches (NOS 3.5 and Unified Cache rules), tier latencies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..units import GiB
from ..validation import check_nonnegative

__all__ = ["SIZING_RULES", "CacheSizing", "cache_sizing"]

#: Cache-sizing rules understood by :func:`cache_sizing`.
SIZING_RULES = ("nos35", "unified")


# ---------------------------------------------------------------------------
# Sizing rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CacheSizing:
    """Memory given to the read caches of one CVM (bytes, arrays).

    Attributes
    ----------
    rule : str
        ``"nos35"`` or ``"unified"``.
    cvm_memory_bytes : numpy.ndarray
        CVM memory.
    stargate_bytes : numpy.ndarray
        Memory of the Stargate process (NOS 3.5: CVM − 8 GiB; unified: CVM − 12 GiB).
    total_cache_bytes : numpy.ndarray
        Memory of all read caches.
    extent_cache_bytes : numpy.ndarray
        Extent Cache (0 under the unified rule).
    content_cache_bytes : numpy.ndarray
        Content Cache memory (NOS 3.5) or Unified Cache memory.
    content_cache_enabled : numpy.ndarray of bool
        False where the rule turns the Content Cache off.
    """

    rule: str
    cvm_memory_bytes: np.ndarray
    stargate_bytes: np.ndarray
    total_cache_bytes: np.ndarray
    extent_cache_bytes: np.ndarray
    content_cache_bytes: np.ndarray
    content_cache_enabled: np.ndarray


def cache_sizing(cvm_memory_bytes, rule: str = "nos35") -> CacheSizing:
    r"""Cache memory of a CVM under the NOS 3.5 rule or the Unified Cache rule.

    NOS 3.5: :math:`S = M - 8\,\mathrm{GiB}`, :math:`C = 0.4\, S`,
    :math:`E = \min(C, \max(0.6\, C, 4\,\mathrm{GiB}))`, content
    :math:`= C - E` if :math:`\ge 1\,\mathrm{GiB}` else 0 (and :math:`E = C`).
    Unified: :math:`C = 0.45\,(M - 12\,\mathrm{GiB})`, all of it one cache.
    Memory below the reserved 8 or 12 GiB gives no cache.

    Parameters
    ----------
    cvm_memory_bytes : array_like
        CVM memory :math:`M` (bytes), ``>= 0``.
    rule : {'nos35', 'unified'}

    Returns
    -------
    CacheSizing

    Examples
    --------
    >>> s = cache_sizing(24 * GiB)
    >>> [round(float(x) / GiB, 3) for x in (s.total_cache_bytes, s.extent_cache_bytes, s.content_cache_bytes)]
    [6.4, 4.0, 2.4]
    >>> round(float(cache_sizing(32 * GiB, "unified").content_cache_bytes) / GiB, 3)
    9.0
    """
    m = check_nonnegative("cvm_memory_bytes", cvm_memory_bytes)
    if rule == "nos35":
        stargate = np.maximum(m - 8 * GiB, 0.0)
        total = 0.4 * stargate
        extent = np.minimum(total, np.maximum(0.6 * total, 4 * GiB))
        content = total - extent
        on = content >= 1 * GiB * (1 - 1e-12)
        content = np.where(on, content, 0.0)
        extent = np.where(on, extent, total)
    elif rule == "unified":
        stargate = np.maximum(m - 12 * GiB, 0.0)
        total = 0.45 * stargate
        extent = np.zeros_like(total)
        content = total
        on = content > 0
    else:
        raise ValueError(f"rule must be one of {list(SIZING_RULES)} (got {rule!r})")
    return CacheSizing(rule, m, stargate, total, extent, content, on)
