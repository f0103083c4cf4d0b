"""Shared fixtures: the real trace shipped in ``data/``."""

from __future__ import annotations

import pytest

from hcimodel.traces import data_path, read_bytes

REAL_TRACE = "cloudPhysicsIO.vscsi"


@pytest.fixture(scope="session")
def real_trace_path():
    """Path of the shipped real trace (``data/cloudPhysicsIO.vscsi.gz``)."""
    return data_path(REAL_TRACE)


@pytest.fixture(scope="session")
def real_trace_file(real_trace_path, tmp_path_factory):
    """The real trace decompressed to a plain file, for readers that need one
    (libcachesim's own vSCSI reader)."""
    out = tmp_path_factory.mktemp("data") / REAL_TRACE
    out.write_bytes(read_bytes(real_trace_path))
    return out
