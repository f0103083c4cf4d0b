"""Fixed-size block keys from a trace: :func:`block_keys`."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..validation import check_bool, check_choice, check_integer

__all__ = ["block_keys"]


# ----------------------------------------------------------------------------
# block keys
# ----------------------------------------------------------------------------
def block_keys(trace: pl.DataFrame, block_size: int = 4096, ops=("read",),
               *, return_index: bool = False):
    """Cut every request into the fixed-size blocks it touches.

    A request of ``size_bytes`` bytes at ``offset_bytes`` touches blocks
    ``offset_bytes // block_size`` through
    ``(offset_bytes + size_bytes - 1) // block_size``; it yields one key per
    block, in ascending order, and requests keep their trace order. A
    zero-length request yields no key.

    Parameters
    ----------
    trace : polars.DataFrame
        A trace with at least ``op``, ``offset_bytes`` and ``size_bytes``
        (as returned by :func:`read_vscsi` or :func:`read_csv_trace`).
    block_size : int
        Block size, bytes (default 4096, the Nutanix cache granularity).
    ops : str, sequence of str, or None
        Which operations to keep: ``"read"``, ``"write"``, both, or ``None``
        for every request.
    return_index : bool
        Also return, for each key, the row index of its request in ``trace``
        (so ``trace["op"].to_numpy()[index]`` is the op of each key).

    Returns
    -------
    keys : numpy.ndarray of int64
        Block numbers (byte address // ``block_size``).
    index : numpy.ndarray of int64
        Only when ``return_index``: row of ``trace`` each key came from.
    """
    bs = check_integer("block_size", block_size, minimum=1, scalar=True)
    return_index = check_bool("return_index", return_index)
    need = {"op", "offset_bytes", "size_bytes"}
    if not isinstance(trace, pl.DataFrame) or not need <= set(trace.columns):
        raise ValueError(f"trace must be a polars DataFrame with columns {sorted(need)}, as "
                         f"read_vscsi returns (got {type(trace).__name__})")
    for col in ("offset_bytes", "size_bytes"):
        if not trace[col].dtype.is_integer() or (trace.height and trace[col].min() < 0):
            raise ValueError(f"trace[{col!r}] must hold integers >= 0 "
                             f"(got dtype {trace[col].dtype})")
    if ops is None:
        ops = ("read", "write")
    elif isinstance(ops, str):
        ops = (ops,)
    if not isinstance(ops, (list, tuple)):
        raise ValueError(f"ops must be 'read', 'write', a sequence of them or None "
                         f"(got {ops!r:.80})")
    ops = tuple(ops)
    if not ops:
        raise ValueError("ops must name at least one of 'read', 'write' (got an empty sequence)")
    for op in ops:
        check_choice("ops", op, ("read", "write"))
    if set(ops) == {"read", "write"}:
        keep = np.ones(trace.height, dtype=bool)
    else:
        keep = (trace["op"] == ops[0]).to_numpy()
    rows = np.flatnonzero(keep)
    off = trace["offset_bytes"].to_numpy()[rows].astype(np.int64)
    size = trace["size_bytes"].to_numpy()[rows].astype(np.int64)
    first = off // bs
    count = np.where(size > 0, (off + size - 1) // bs - first + 1, 0)
    total = int(count.sum())
    starts = np.cumsum(count) - count
    req = np.repeat(np.arange(rows.size), count)
    keys = first[req] + (np.arange(total, dtype=np.int64) - starts[req])
    if return_index:
        return keys, rows[req].astype(np.int64)
    return keys
