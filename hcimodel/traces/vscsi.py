"""VMware vSCSI (version 1) binary block traces: :func:`read_vscsi`."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..validation import check_bool, check_integer
from .files import (MAX_REQUEST_BYTES, _SCHEMA, TraceSpan, _check_path, _corrupt, _log, _op_series,
                    read_bytes)

__all__ = ["VSCSI_RECORD_DTYPE", "VSCSI_READ_COMMANDS", "VSCSI_WRITE_COMMANDS", "read_vscsi"]

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
