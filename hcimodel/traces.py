"""Real block traces in, fixed-size block keys out.

A *block trace* is a table of I/O requests, one row per request, in the order
they were issued. Every reader here returns the same tidy polars schema:

============== ================================ =========================================
column         dtype                            meaning
============== ================================ =========================================
``time_s``     ``Float64``                      issue time, seconds since the first request
``op``         ``Enum(["read", "write"])``      the operation
``offset_bytes`` ``Int64``                      byte offset of the first byte on the disk
``size_bytes`` ``Int64``                        length of the transfer, bytes
============== ================================ =========================================

``op`` is a polars :class:`~polars.Enum` with exactly the categories
``"read"`` and ``"write"`` (:data:`OP_DTYPE`), so ``pl.col("op") == "read"``
works as with a string column while storing one byte per request.

:func:`block_keys` cuts every request into the fixed-size blocks it touches,
which is what a block cache (4 KiB in the Nutanix Content/Unified Cache) keys on.
:func:`data_path` finds a real data set: in the folder named by the
``HCIMODEL_DATA`` environment variable (users' own, larger traces), else in the
repository's ``data/`` folder, which ships the CloudPhysics vSCSI trace
gzip-compressed (``data/README.md`` gives its origin, checksum and terms). Every
reader opens ``.gz`` files transparently.

A malformed file never yields a partial table: the readers raise
:class:`ValueError` naming the index of the first bad record and its byte
offset in the file.
"""

from __future__ import annotations

import gzip
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from .validation import check_bool, check_choice, check_integer

_log = logging.getLogger(__name__)

__all__ = [
    "OP_DTYPE",
    "VSCSI_RECORD_DTYPE",
    "VSCSI_READ_COMMANDS",
    "VSCSI_WRITE_COMMANDS",
    "MAX_REQUEST_BYTES",
    "TraceSpan",
    "data_path",
    "read_bytes",
    "read_vscsi",
    "read_csv_trace",
    "block_keys",
]

#: polars dtype of the ``op`` column.
OP_DTYPE = pl.Enum(["read", "write"])

#: One vSCSI version-1 record: 32 bytes, little-endian ``<IIIHHQQ``.
VSCSI_RECORD_DTYPE = np.dtype(
    [
        ("serial", "<u4"),       # request serial / tag (not monotone)
        ("length", "<u4"),       # transfer length, bytes
        ("sg_count", "<u4"),     # scatter-gather entries
        ("command", "<u2"),      # SCSI operation code
        ("version", "<u2"),      # record format version, high byte = 1
        ("lbn", "<u8"),          # logical block number, 512-byte sectors
        ("timestamp_us", "<u8"),  # issue time, microseconds
    ]
)
assert VSCSI_RECORD_DTYPE.itemsize == 32

#: SCSI operation codes read as ``"read"``: READ(6), READ(10), READ(12), READ(16).
VSCSI_READ_COMMANDS = (0x08, 0x28, 0xA8, 0x88)
#: SCSI operation codes read as ``"write"``: WRITE(6), WRITE(10), WRITE(12), WRITE(16).
VSCSI_WRITE_COMMANDS = (0x0A, 0x2A, 0xAA, 0x8A)

_SECTOR_BYTES = 512

#: Largest plausible transfer of one vSCSI request, 16 MiB: a record claiming
#: more (or zero bytes) is taken as corrupt, since the format has no checksum.
#: The real trace's requests are 512 B to 68 KiB.
MAX_REQUEST_BYTES = 16 * 2**20


@dataclass(frozen=True)
class TraceSpan:
    """What a reader read: ``n_records`` requests over ``span_s`` seconds.

    ``file_bytes`` is the size of the file read, ``first_offset_bytes`` the
    lowest byte offset and ``end_offset_bytes`` one past the highest byte any
    request touched (0 for an empty trace). A file cut exactly on a record
    boundary reads as a valid shorter trace: compare ``n_records`` and
    ``span_s`` with what you expect.
    """

    path: str
    n_records: int
    span_s: float
    file_bytes: int
    first_offset_bytes: int
    end_offset_bytes: int
_SCHEMA = {
    "time_s": pl.Float64,
    "op": OP_DTYPE,
    "offset_bytes": pl.Int64,
    "size_bytes": pl.Int64,
}


# ----------------------------------------------------------------------------
# where the real data lives
# ----------------------------------------------------------------------------
def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def data_path(name: str) -> Path:
    """Return the path of a real data file.

    The file is looked for, in order, in the folder named by the
    ``HCIMODEL_DATA`` environment variable (when set) and in the repository's
    ``data/`` folder; in each, under ``name`` and then gzip-compressed under
    ``name + ".gz"``. The readers of this module open either transparently.

    Parameters
    ----------
    name : str
        File name inside the data folder, e.g. ``"cloudPhysicsIO.vscsi"``.

    Returns
    -------
    pathlib.Path
        The first existing candidate.

    Raises
    ------
    FileNotFoundError
        If no candidate exists; the message lists every place searched.

    Notes
    -----
    ``data/`` sits beside the package in a source checkout (an editable
    install); it is not part of an installed wheel, so users of a wheel set
    ``HCIMODEL_DATA``.
    """
    folders = []
    env = os.environ.get("HCIMODEL_DATA")
    if env:
        folders.append(Path(env))
    folders.append(_repo_root() / "data")
    candidates = [folder / n for folder in folders for n in (name, name + ".gz")]
    for cand in candidates:
        if cand.is_file():
            return cand
    where = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"data file {name!r} not found (looked in: {where}); set HCIMODEL_DATA "
        "to the folder that holds it"
    )


def read_bytes(path) -> bytes:
    """Return the bytes of a trace file, decompressing a ``.gz`` file.

    Parameters
    ----------
    path : str or os.PathLike
        The file; a name ending in ``.gz`` is read through :mod:`gzip`.

    Raises
    ------
    ValueError
        If ``path`` is not a str or path-like, or a ``.gz`` file is not valid
        gzip data (names the file).
    OSError
        If the file is missing or unreadable.
    """
    path = _check_path(path)
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: not a valid gzip file ({err})") from None


def _op_series(is_write: np.ndarray) -> pl.Series:
    words = np.array(["read", "write"], dtype=object)
    return pl.Series("op", words[np.asarray(is_write, dtype=np.intp)], dtype=OP_DTYPE)


# ----------------------------------------------------------------------------
# vSCSI binary traces
# ----------------------------------------------------------------------------
def _check_path(path) -> Path:
    """A path given as str or path-like; file-system errors stay OSErrors."""
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes) \
            or os.fspath(path) == "":
        raise ValueError(f"path must be a str or os.PathLike naming a file (got {path!r:.80})")
    return Path(path)


def _corrupt(path, index: int, offset: int, what: str) -> ValueError:
    return ValueError(f"{path}: record {index} at byte offset {offset}: {what}")


def read_vscsi(path, *, device_bytes=None, with_span: bool = False):
    """Read a VMware vSCSI (version 1) block trace.

    Each record is 32 little-endian bytes ``<IIIHHQQ>``: serial, transfer
    length (bytes), scatter-gather count, SCSI command, version (high byte
    ``1``), logical block number (512-byte sectors) and issue timestamp (µs).
    The file (or its ``.gz``) is read in one call and validated with
    vectorized checks.

    Parameters
    ----------
    path : str or os.PathLike
        The trace file.
    device_bytes : int, optional
        Size of the traced disk (bytes), when known: a request reaching past
        it is rejected as corrupt.
    with_span : bool
        Also return a :class:`TraceSpan` (records and seconds read). The span
        and count are logged at INFO level on the ``hcimodel.traces`` logger
        either way.

    Returns
    -------
    polars.DataFrame
        Columns ``time_s`` (Float64, seconds since the first record's
        timestamp), ``op`` (:data:`OP_DTYPE`, ``"read"``/``"write"``),
        ``offset_bytes`` (Int64, ``lbn * 512``) and ``size_bytes`` (Int64),
        one row per record in file order. An empty file gives an empty frame.
    span : TraceSpan
        Only with ``with_span``.

    Raises
    ------
    ValueError
        On the first malformed record, naming its index and byte offset.
        A record is malformed when

        * the file ends inside it (file size not a multiple of 32 bytes);
        * its version's high byte is not 1;
        * its command is not a READ or WRITE of 6, 10, 12 or 16 bytes
          (:data:`VSCSI_READ_COMMANDS`, :data:`VSCSI_WRITE_COMMANDS`);
        * its timestamp is earlier than the previous record's (timestamps
          must be non-decreasing; the serial is a tag and may go backwards);
        * its byte offset ``lbn * 512`` does not fit in a signed 64-bit integer;
        * its length is 0 or above :data:`MAX_REQUEST_BYTES` (16 MiB): the
          format has no checksum, so an implausible length is the only sign
          of a damaged record;
        * it reaches past ``device_bytes``, when that is given.

        Within those bounds a changed length or block number cannot be
        detected.

    Notes
    -----
    The real trace ``cloudPhysicsIO.vscsi`` (CloudPhysics, shipped with
    libCacheSim) holds only READ(10)/WRITE(10) records of version ``0x0100``:
    113,872 requests, 46,974 reads, 66,898 writes, over 7,200.09 s.
    """
    path = _check_path(path)
    if device_bytes is not None:
        device_bytes = check_integer("device_bytes", device_bytes, minimum=1, scalar=True)
    with_span = check_bool("with_span", with_span)
    raw = np.frombuffer(read_bytes(path), dtype=np.uint8)
    rec = VSCSI_RECORD_DTYPE.itemsize
    n_full, tail = divmod(raw.size, rec)
    bad = []  # (index, what) of the first problem of each kind
    if tail:
        bad.append((n_full, f"truncated: only {tail} of {rec} bytes before end of file"))
    arr = raw[: n_full * rec].view(VSCSI_RECORD_DTYPE)

    version_bad = np.flatnonzero((arr["version"] >> 8) != 1)
    if version_bad.size:
        i = int(version_bad[0])
        bad.append((i, f"bad version 0x{int(arr['version'][i]):04x} (high byte must be 1)"))
    cmd = arr["command"]
    is_read = np.isin(cmd, VSCSI_READ_COMMANDS)
    is_write = np.isin(cmd, VSCSI_WRITE_COMMANDS)
    cmd_bad = np.flatnonzero(~(is_read | is_write))
    if cmd_bad.size:
        i = int(cmd_bad[0])
        bad.append((i, f"unknown SCSI command 0x{int(cmd[i]):02x} (expected a READ or WRITE)"))
    ts = arr["timestamp_us"]
    back = np.flatnonzero(ts[1:] < ts[:-1])
    if back.size:
        i = int(back[0]) + 1
        bad.append((i, f"timestamp {int(ts[i])} us earlier than the previous record's "
                       f"{int(ts[i - 1])} us"))
    lbn_bad = np.flatnonzero(arr["lbn"] > np.uint64((2**63 - 1) // _SECTOR_BYTES))
    if lbn_bad.size:
        i = int(lbn_bad[0])
        bad.append((i, f"logical block number {int(arr['lbn'][i])} too large"))
    length = arr["length"]
    len_bad = np.flatnonzero((length == 0) | (length > MAX_REQUEST_BYTES))
    if len_bad.size:
        i = int(len_bad[0])
        bad.append((i, f"implausible transfer length {int(length[i])} bytes (must be in "
                       f"[1, {MAX_REQUEST_BYTES}], 16 MiB)"))
    # one past the last byte of each request; lbn is capped so uint64 cannot wrap
    end = np.minimum(arr["lbn"], np.uint64((2**63 - 1) // _SECTOR_BYTES)) * np.uint64(
        _SECTOR_BYTES) + length.astype(np.uint64)
    if device_bytes is not None:
        past = np.flatnonzero(end > np.uint64(device_bytes))
        if past.size:
            i = int(past[0])
            bad.append((i, f"request at byte {int(arr['lbn'][i]) * _SECTOR_BYTES} of "
                           f"{int(length[i])} bytes reaches past the device's "
                           f"{device_bytes} bytes"))
    if bad:
        i, what = min(bad, key=lambda t: t[0])
        raise _corrupt(path, i, i * rec, what)

    if n_full:
        time_s = (ts - ts[0]).astype(np.float64) * 1e-6
    else:
        time_s = np.empty(0, dtype=np.float64)
    frame = pl.DataFrame(
        {
            "time_s": time_s,
            "op": _op_series(is_write),
            "offset_bytes": arr["lbn"].astype(np.int64) * _SECTOR_BYTES,
            "size_bytes": arr["length"].astype(np.int64),
        },
        schema=_SCHEMA,
    )
    span = TraceSpan(
        path=str(path), n_records=int(n_full),
        span_s=float(time_s[-1]) if n_full else 0.0, file_bytes=int(raw.size),
        first_offset_bytes=int(arr["lbn"].min()) * _SECTOR_BYTES if n_full else 0,
        end_offset_bytes=int(end.max()) if n_full else 0)
    _log.info("%s: read %d records spanning %.6f s (bytes %d to %d of the disk)", path,
              span.n_records, span.span_s, span.first_offset_bytes, span.end_offset_bytes)
    return (frame, span) if with_span else frame


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
