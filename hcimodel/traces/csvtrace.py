"""CSV block traces in any column layout and unit: :func:`read_csv_trace`."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..validation import check_bool, check_choice, check_integer
from .files import MAX_REQUEST_BYTES, _SCHEMA, TraceSpan, _check_path, _log, _op_series, read_bytes

__all__ = ["read_csv_trace"]


# ----------------------------------------------------------------------------
# CSV traces
# ----------------------------------------------------------------------------
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_READ_WORDS = ("read", "r", "rs", "0")
_WRITE_WORDS = ("write", "w", "ws", "1")


def _unit_bytes(name: str, unit) -> int:
    if isinstance(unit, str):
        table = {"bytes": 1, "sectors": 512, "kib": 1024, "blocks": 4096}
        if unit.lower() not in table:
            raise ValueError(f"{name} must be one of {sorted(table)} or a positive "
                             f"integer number of bytes (got {unit!r})")
        return table[unit.lower()]
    return check_integer(name, unit, minimum=1, scalar=True)


def read_csv_trace(
    path,
    *,
    time_col="time",
    op_col="op",
    offset_col="offset",
    size_col="size",
    time_unit: str = "s",
    offset_unit="bytes",
    size_unit="bytes",
    has_header: bool = True,
    separator: str = ",",
    relative_time: bool = True,
    device_bytes=None,
    with_span: bool = False,
):
    """Read a plain CSV block trace into the common trace schema.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file, one request per line, in issue order.
    time_col, op_col, offset_col, size_col : str or int
        Column names (with a header) or 0-based column positions.
    time_unit : {"s", "ms", "us", "ns"}
        Unit of the time column.
    offset_unit, size_unit : {"bytes", "sectors", "kib", "blocks"} or int
        Unit of the offset and size columns: bytes, 512-byte sectors, KiB,
        4 KiB blocks, or a positive number of bytes per unit.
    has_header : bool
        Whether the first line holds column names.
    separator : str
        Field separator (one character).
    relative_time : bool
        If true (default) ``time_s`` counts from the first request, as in
        :func:`read_vscsi`; otherwise it is the file's time in seconds.
    device_bytes : int, optional
        Size of the traced disk (bytes): a request reaching past it is rejected.
    with_span : bool
        Also return a :class:`TraceSpan`, as :func:`read_vscsi` does.

    Returns
    -------
    polars.DataFrame
        The schema of the module docstring (``time_s``, ``op``,
        ``offset_bytes``, ``size_bytes``).

    Raises
    ------
    ValueError
        For a bad unit or missing column, and on the first malformed record,
        naming its 0-based record index, line number and byte offset. A record
        is malformed when a field is missing or does not parse, the op is not
        one of ``read/r/rs/0`` or ``write/w/ws/1`` (any case), the offset or
        size is negative, the size is 0 or above :data:`MAX_REQUEST_BYTES`
        (16 MiB) once in bytes, the request ends past 2**63 - 1 bytes or past
        ``device_bytes``, or the time is earlier than the previous record's.
    """
    path = _check_path(path)
    check_choice("time_unit", time_unit, sorted(_TIME_UNITS))
    off_mult = _unit_bytes("offset_unit", offset_unit)
    size_mult = _unit_bytes("size_unit", size_unit)
    has_header = check_bool("has_header", has_header)
    relative_time = check_bool("relative_time", relative_time)
    with_span = check_bool("with_span", with_span)
    if device_bytes is not None:
        device_bytes = check_integer("device_bytes", device_bytes, minimum=1, scalar=True)
    if not isinstance(separator, str) or len(separator) != 1 or separator in "\r\n\"":
        raise ValueError(f"separator must be one character other than a quote or a line end "
                         f"(got {separator!r:.40})")

    raw = read_bytes(path)
    try:
        df = pl.read_csv(
            raw, has_header=has_header, separator=separator, infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{path}: not a readable CSV trace ({str(exc).splitlines()[0]})") \
            from None
    # byte offset of each data line (quoted newlines are not supported)
    nl = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n"))
    line_starts = np.concatenate(([0], nl + 1))
    skip = 1 if has_header else 0

    def col(spec, role):
        if isinstance(spec, int) and not isinstance(spec, bool):
            if not 0 <= spec < df.width:
                raise ValueError(f"{role} must be a column position in [0, {df.width - 1}] "
                                 f"(got {spec})")
            return df.to_series(spec)
        if spec not in df.columns:
            raise ValueError(f"{role} must name a column of {path.name} "
                             f"(got {spec!r}; columns are {df.columns})")
        return df[spec]

    t_raw = col(time_col, "time_col")
    op_raw = col(op_col, "op_col")
    off_raw = col(offset_col, "offset_col")
    size_raw = col(size_col, "size_col")

    def fail(i: int, what: str):
        line = i + skip
        offset = int(line_starts[line]) if line < line_starts.size else len(raw)
        raise ValueError(f"{path}: record {i} (line {line + 1}) at byte offset {offset}: {what}")

    bad = []
    t = t_raw.str.strip_chars().cast(pl.Float64, strict=False)
    off = off_raw.str.strip_chars().cast(pl.Int64, strict=False)
    size = size_raw.str.strip_chars().cast(pl.Int64, strict=False)
    op_low = op_raw.str.strip_chars().str.to_lowercase()
    is_read = op_low.is_in(_READ_WORDS).fill_null(False).to_numpy()
    is_write = op_low.is_in(_WRITE_WORDS).fill_null(False).to_numpy()
    for name, parsed, orig in (("time", t, t_raw), ("offset", off, off_raw),
                               ("size", size, size_raw)):
        idx = np.flatnonzero(parsed.is_null().to_numpy())
        if idx.size:
            i = int(idx[0])
            bad.append((i, f"{name} field {orig[i]!r} is missing or not a number"))
    idx = np.flatnonzero(~(is_read | is_write))
    if idx.size:
        i = int(idx[0])
        bad.append((i, f"op field {op_raw[i]!r} is neither a read nor a write"))
    tv = t.fill_null(np.nan).to_numpy()
    idx = np.flatnonzero(~np.isfinite(tv) & ~t.is_null().to_numpy())
    if idx.size:
        bad.append((int(idx[0]), f"time {float(tv[idx[0]])!r} is not finite"))
    for name, parsed in (("offset", off), ("size", size)):
        idx = np.flatnonzero((parsed.fill_null(0) < 0).to_numpy())
        if idx.size:
            i = int(idx[0])
            bad.append((i, f"{name} {parsed[i]} is negative"))
    back = np.flatnonzero(tv[1:] < tv[:-1])
    if back.size:
        i = int(back[0]) + 1
        bad.append((i, f"time {float(tv[i])!r} earlier than the previous record's "
                       f"{float(tv[i - 1])!r}"))
    # plausibility in bytes, in exact Python integers where int64 could wrap
    off_i = off.fill_null(0).to_numpy().astype(np.int64)
    size_i = size.fill_null(1).to_numpy().astype(np.int64)
    size_b = size_i.astype(np.float64) * size_mult
    idx = np.flatnonzero((size_i >= 0) & ((size_i == 0) | (size_b > MAX_REQUEST_BYTES)))
    if idx.size:
        i = int(idx[0])
        bad.append((i, f"implausible transfer length {int(size_i[i]) * size_mult} bytes "
                       f"(must be in [1, {MAX_REQUEST_BYTES}], 16 MiB)"))
    limit = (2**63 - 1) if device_bytes is None else device_bytes
    end_f = off_i.astype(np.float64) * off_mult + size_b  # rounding only matters near limit
    idx = np.flatnonzero((off_i >= 0) & (size_i >= 0) & (end_f > limit * (1 - 1e-12)))
    for i in idx.tolist():  # exact check of the few candidates
        end = int(off_i[i]) * off_mult + int(size_i[i]) * size_mult
        if end > limit:
            where = "the device's" if device_bytes is not None else "the largest offset,"
            bad.append((i, f"request at byte {int(off_i[i]) * off_mult} of "
                           f"{int(size_i[i]) * size_mult} bytes reaches past {where} "
                           f"{limit} bytes"))
            break
    if bad:
        fail(*min(bad, key=lambda b: b[0]))

    time_s = tv * _TIME_UNITS[time_unit]
    if relative_time and time_s.size:
        time_s = time_s - time_s[0]
    frame = pl.DataFrame(
        {
            "time_s": time_s,
            "op": _op_series(is_write),
            "offset_bytes": off.to_numpy().astype(np.int64) * off_mult,
            "size_bytes": size.to_numpy().astype(np.int64) * size_mult,
        },
        schema=_SCHEMA,
    )
    n = frame.height
    ends = frame["offset_bytes"] + frame["size_bytes"]
    span = TraceSpan(path=str(path), n_records=n,
                     span_s=float(time_s[-1] - time_s[0]) if n else 0.0, file_bytes=len(raw),
                     first_offset_bytes=int(frame["offset_bytes"].min()) if n else 0,
                     end_offset_bytes=int(ends.max()) if n else 0)
    _log.info("%s: read %d records spanning %.6f s (bytes %d to %d of the disk)", path,
              span.n_records, span.span_s, span.first_offset_bytes, span.end_offset_bytes)
    return (frame, span) if with_span else frame
