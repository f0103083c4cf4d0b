"""Shared fixtures: the real trace shipped in ``data/``; one hypothesis profile.

Every property test runs the same examples on every machine (derandomized, no
example database): a run that passes in CI passes again, and a failure found
once is found every time.
"""

from __future__ import annotations

import io

import numpy as np
import polars as pl
import pytest
from hypothesis import settings

from hcimodel.traces import data_path, read_bytes

REAL_TRACE = "cloudPhysicsIO.vscsi"

settings.register_profile("hcimodel", derandomize=True, database=None, deadline=None)
settings.load_profile("hcimodel")


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


def assert_same_numbers(new: str, old: str, rtol: float = 2e-6) -> None:
    """Two figure CSVs hold the same table: every text cell equal, every float equal
    to the CSV's last printed digit (floats are written with 7 significant digits,
    so a last-bit difference between platforms can flip the 7th digit, no more)."""
    a, b = (pl.read_csv(io.StringIO(t), infer_schema_length=None) for t in (new, old))
    assert a.columns == b.columns and a.height == b.height, "different table shape"
    for col in a.columns:
        if a[col].dtype.is_float() or b[col].dtype.is_float():
            np.testing.assert_allclose(a[col].cast(pl.Float64).to_numpy(),
                                       b[col].cast(pl.Float64).to_numpy(),
                                       rtol=rtol, atol=0, equal_nan=True, err_msg=col)
        else:
            assert a[col].to_list() == b[col].to_list(), col


@pytest.fixture
def same_numbers():
    """Compare two CSV texts as tables (see :func:`assert_same_numbers`)."""
    return assert_same_numbers
