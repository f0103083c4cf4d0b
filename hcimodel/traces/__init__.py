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

Submodules
----------
:mod:`.files`     the shared schema, :func:`data_path`, :func:`read_bytes`;
:mod:`.vscsi`     :func:`read_vscsi`;
:mod:`.csvtrace`  :func:`read_csv_trace`;
:mod:`.keys`      :func:`block_keys`.
"""

from .csvtrace import *  # noqa: F401,F403
from .files import *  # noqa: F401,F403
from .keys import *  # noqa: F401,F403
from .vscsi import *  # noqa: F401,F403

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
