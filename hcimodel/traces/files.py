"""The parts both readers share: the tidy schema (:data:`OP_DTYPE`,
:class:`TraceSpan`), where the real data lives (:func:`data_path`) and the bytes
of a (gzip-compressed) file (:func:`read_bytes`)."""

from __future__ import annotations

import gzip
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

#: The readers' logger (``hcimodel.traces``, as before the package).
_log = logging.getLogger("hcimodel.traces")

__all__ = ["OP_DTYPE", "MAX_REQUEST_BYTES", "TraceSpan", "data_path", "read_bytes"]

#: polars dtype of the ``op`` column.
OP_DTYPE = pl.Enum(["read", "write"])

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
    return Path(__file__).resolve().parent.parent.parent


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


def _check_path(path) -> Path:
    """A path given as str or path-like; file-system errors stay OSErrors."""
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes) \
            or os.fspath(path) == "":
        raise ValueError(f"path must be a str or os.PathLike naming a file (got {path!r:.80})")
    return Path(path)


def _corrupt(path, index: int, offset: int, what: str) -> ValueError:
    return ValueError(f"{path}: record {index} at byte offset {offset}: {what}")
