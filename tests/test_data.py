"""The real trace ships with the repository (``data/``) and reads from ``.gz``."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from hcimodel import traces

# data/README.md and REFERENCES.md ("Real data"): sha256 of the uncompressed trace.
REAL_SHA256 = "3e67d66a07e9292bb47f6c765eb24ab3ea3f1f7de7d64a1b9e8c28b38b7439b9"


def test_the_real_trace_ships_in_data(monkeypatch):
    monkeypatch.delenv("HCIMODEL_DATA", raising=False)
    path = traces.data_path("cloudPhysicsIO.vscsi")
    assert path.name == "cloudPhysicsIO.vscsi.gz"
    assert path.parent.name == "data"
    assert (path.parent / "README.md").read_text().count(REAL_SHA256) == 1
    assert hashlib.sha256(traces.read_bytes(path)).hexdigest() == REAL_SHA256


def test_gz_and_plain_read_the_same(real_trace_path, real_trace_file):
    assert traces.read_vscsi(real_trace_path).equals(traces.read_vscsi(real_trace_file))


def test_user_folder_comes_first_and_may_hold_gz(tmp_path, monkeypatch, real_trace_file):
    (tmp_path / "mine.vscsi.gz").write_bytes(gzip.compress(real_trace_file.read_bytes()[:320]))
    monkeypatch.setenv("HCIMODEL_DATA", str(tmp_path))
    path = traces.data_path("mine.vscsi")
    assert path == tmp_path / "mine.vscsi.gz"
    assert traces.read_vscsi(path).height == 10
    (tmp_path / "cloudPhysicsIO.vscsi").write_bytes(real_trace_file.read_bytes()[:64])
    assert traces.data_path("cloudPhysicsIO.vscsi") == tmp_path / "cloudPhysicsIO.vscsi"


def test_bad_gzip_names_the_file(tmp_path):
    bad = tmp_path / "bad.vscsi.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="bad.vscsi.gz.*not a valid gzip"):
        traces.read_vscsi(bad)


def test_a_csv_trace_reads_from_gz(tmp_path):
    text = "time,op,offset,size\n0,r,0,4096\n1,w,4096,8192\n"
    plain = tmp_path / "t.csv"
    plain.write_text(text)
    packed = tmp_path / "t.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    kw = dict(time_col="time", op_col="op", offset_col="offset", size_col="size")
    assert traces.read_csv_trace(packed, **kw).equals(traces.read_csv_trace(plain, **kw))


def test_package_never_looks_beside_the_repository():
    from pathlib import Path
    root = Path(traces.__file__).resolve().parent
    for f in root.rglob("*.py"):
        assert "shared/data" not in f.read_text() and '"shared"' not in f.read_text(), f
