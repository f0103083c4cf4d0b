"""Tests of hcimodel.traces: vSCSI and CSV readers, block keys, data lookup."""

import hashlib
import struct

import numpy as np
import polars as pl
import pytest

from hcimodel.traces import (
    OP_DTYPE,
    block_keys,
    data_path,
    read_csv_trace,
    read_vscsi,
)

REAL = "cloudPhysicsIO.vscsi"
REAL_SHA256 = "3e67d66a07e9292bb47f6c765eb24ab3ea3f1f7de7d64a1b9e8c28b38b7439b9"


@pytest.fixture(scope="module")
def real_path(real_trace_file):
    return real_trace_file


def rec(serial=0, length=4096, sg=1, cmd=0x28, version=0x0100, lbn=0, ts_us=0):
    return struct.pack("<IIIHHQQ", serial, length, sg, cmd, version, lbn, ts_us)


def write(tmp_path, records, name="t.vscsi", extra=b""):
    p = tmp_path / name
    p.write_bytes(b"".join(records) + extra)
    return p


# ---------------------------------------------------------------- real trace
def test_real_trace_counts(real_path):
    # REFERENCES.md, "Real data": 113,872 requests, 46,974 reads, 66,898 writes, 7,200 s
    assert hashlib.sha256(real_path.read_bytes()).hexdigest() == REAL_SHA256
    df = read_vscsi(real_path)
    assert df.schema == pl.Schema({"time_s": pl.Float64, "op": OP_DTYPE,
                                   "offset_bytes": pl.Int64, "size_bytes": pl.Int64})
    assert df.height == 113_872
    assert (df["op"] == "read").sum() == 46_974
    assert (df["op"] == "write").sum() == 66_898
    assert df["time_s"][0] == 0.0
    assert 7200.0 <= df["time_s"].max() < 7200.1
    assert (df["offset_bytes"] % 512 == 0).all()
    assert (df["size_bytes"] > 0).all()


def test_real_trace_matches_libcachesim_reader(real_path):
    lcs = pytest.importorskip("libcachesim")
    df = read_vscsi(real_path)
    reader = lcs.TraceReader(trace=str(real_path), trace_type=lcs.TraceType.VSCSI_TRACE)
    ids, sizes, writes = [], [], []
    for req in reader:
        ids.append(req.obj_id)
        sizes.append(req.obj_size)
        writes.append(req.op == lcs.ReqOp.OP_WRITE)
    # libCacheSim keys a vSCSI request by its sector number (lbn)
    np.testing.assert_array_equal(df["offset_bytes"].to_numpy() // 512, ids)
    np.testing.assert_array_equal(df["size_bytes"].to_numpy(), sizes)
    np.testing.assert_array_equal((df["op"] == "write").to_numpy(), writes)


def test_real_trace_block_keys(real_path):
    df = read_vscsi(real_path)
    keys, idx = block_keys(df, 4096, ops=None, return_index=True)
    off = df["offset_bytes"].to_numpy()
    size = df["size_bytes"].to_numpy()
    nblocks = (off + size - 1) // 4096 - off // 4096 + 1
    assert keys.size == nblocks.sum() == 1_141_869
    assert keys.dtype == np.int64 and idx.dtype == np.int64
    assert np.all(np.diff(idx) >= 0)
    reads = block_keys(df, 4096)
    assert reads.size == 485_700
    ops = df["op"].to_numpy()[idx]
    np.testing.assert_array_equal(reads, keys[ops == "read"])


# ---------------------------------------------------------------- synthetic
def test_synthetic_roundtrip(tmp_path):
    p = write(tmp_path, [
        rec(serial=7, length=512, cmd=0x28, lbn=8, ts_us=1_000_000),
        rec(serial=3, length=8192, cmd=0x2A, lbn=16, ts_us=1_500_000),
        rec(length=4096, cmd=0x08, lbn=1, ts_us=1_500_000),   # READ(6)
        rec(length=4096, cmd=0x0A, lbn=2, ts_us=1_600_000),   # WRITE(6)
        rec(length=1024, cmd=0x88, lbn=2**40, ts_us=2_000_000),  # READ(16)
        rec(length=512, cmd=0x8A, lbn=3, ts_us=2_000_001, version=0x01FF),  # WRITE(16)
    ])
    df = read_vscsi(p)
    assert df["op"].to_list() == ["read", "write", "read", "write", "read", "write"]
    assert df["offset_bytes"].to_list() == [4096, 8192, 512, 1024, 2**40 * 512, 1536]
    assert df["size_bytes"].to_list() == [512, 8192, 4096, 4096, 1024, 512]
    np.testing.assert_allclose(df["time_s"].to_numpy(), [0, 0.5, 0.5, 0.6, 1.0, 1.000001])


def test_empty_file(tmp_path):
    df = read_vscsi(write(tmp_path, []))
    assert df.height == 0 and df.columns == ["time_s", "op", "offset_bytes", "size_bytes"]
    assert block_keys(df).size == 0


def test_truncated(tmp_path):
    p = write(tmp_path, [rec(ts_us=1), rec(ts_us=2)], extra=rec(ts_us=3)[:20])
    with pytest.raises(ValueError, match=r"record 2 at byte offset 64: truncated"):
        read_vscsi(p)


@pytest.mark.parametrize("bad, what", [
    (dict(version=0x0200), "bad version 0x0200"),
    (dict(version=0x0001), "bad version 0x0001"),
    (dict(cmd=0x12), "unknown SCSI command 0x12"),
    (dict(ts_us=5), "timestamp 5 us earlier"),
    (dict(lbn=2**63), "logical block number"),
    # issue 11: lengths the format cannot vouch for
    (dict(length=0), "implausible transfer length 0 bytes"),
    (dict(length=16 * 2**20 + 1), "implausible transfer length 16777217 bytes"),
    (dict(length=2**32 - 1), "implausible transfer length 4294967295"),
])
def test_corrupt_record(tmp_path, bad, what):
    good = [rec(lbn=i, ts_us=10 + i) for i in range(5)]
    kw = dict(lbn=3, ts_us=13) | bad
    good[3] = rec(**kw)
    with pytest.raises(ValueError, match=rf"record 3 at byte offset 96: {what}"):
        read_vscsi(write(tmp_path, good))


def test_largest_plausible_length_is_read(tmp_path):
    df = read_vscsi(write(tmp_path, [rec(length=16 * 2**20, ts_us=1)]))
    assert df["size_bytes"].to_list() == [16 * 2**20]


def test_offset_past_the_stated_device_is_rejected(tmp_path):
    records = [rec(lbn=0, ts_us=1), rec(lbn=8, length=4096, ts_us=2),
               rec(lbn=16, length=4096, ts_us=3)]
    p = write(tmp_path, records)
    # device of 12 KiB: record 2 (bytes 8192..12288) ends exactly at its end, fits
    assert read_vscsi(p, device_bytes=12288).height == 3
    with pytest.raises(ValueError, match=r"record 2 at byte offset 64: request at byte 8192 "
                                         r"of 4096 bytes reaches past the device's 12287"):
        read_vscsi(p, device_bytes=12287)
    assert read_vscsi(p).height == 3  # no device size stated: not checked
    for bad in (0, -1, 2**63, 1.5, "1 GiB", True):
        with pytest.raises(ValueError, match="device_bytes"):
            read_vscsi(p, device_bytes=bad)


def test_span_and_count_are_reported(tmp_path, caplog):
    records = [rec(lbn=8, length=512, ts_us=1_000_000), rec(lbn=2, length=4096, ts_us=3_500_000),
               rec(lbn=100, length=1024, ts_us=4_000_000)]
    p = write(tmp_path, records)
    with caplog.at_level("INFO", logger="hcimodel.traces"):
        df, span = read_vscsi(p, with_span=True)
    assert (span.n_records, span.span_s, span.file_bytes) == (3, 3.0, 96)
    assert (span.first_offset_bytes, span.end_offset_bytes) == (1024, 100 * 512 + 1024)
    assert "read 3 records spanning 3.000000 s" in caplog.text
    assert df.equals(read_vscsi(p))
    # a file cut exactly on a record boundary reads as a shorter trace, and says so
    cut = write(tmp_path, records[:2], name="cut.vscsi")
    _, short = read_vscsi(cut, with_span=True)
    assert (short.n_records, short.span_s) == (2, 2.5)
    _, empty = read_vscsi(write(tmp_path, [], name="e.vscsi"), with_span=True)
    assert (empty.n_records, empty.span_s, empty.end_offset_bytes) == (0, 0.0, 0)


def test_first_problem_reported(tmp_path):
    # a bad command at record 1 and a truncation at the end: record 1 wins
    p = write(tmp_path, [rec(ts_us=1), rec(cmd=0x99, ts_us=2), rec(ts_us=3)], extra=b"x")
    with pytest.raises(ValueError, match=r"record 1 at byte offset 32"):
        read_vscsi(p)


# ---------------------------------------------------------------- block keys
def test_block_keys_spanning():
    df = pl.DataFrame({
        "time_s": [0.0, 1.0, 2.0, 3.0, 4.0],
        "op": pl.Series(["read", "write", "read", "read", "read"], dtype=OP_DTYPE),
        "offset_bytes": [0, 4096, 4095, 8192, 100],
        "size_bytes": [4096, 4096, 2, 0, 9000],
    })
    keys, idx = block_keys(df, ops="read", return_index=True)
    assert keys.tolist() == [0, 0, 1, 0, 1, 2]
    assert idx.tolist() == [0, 2, 2, 4, 4, 4]
    assert block_keys(df, ops=("read", "write")).tolist() == [0, 1, 0, 1, 0, 1, 2]
    assert block_keys(df, ops="write").tolist() == [1]
    assert block_keys(df, block_size=512, ops="write").tolist() == list(range(8, 16))


@pytest.mark.parametrize("kw, match", [
    (dict(block_size=0), "block_size"),
    (dict(block_size=4.5), "block_size"),
    (dict(ops=("trim",)), "ops"),
    (dict(ops=()), "ops"),
])
def test_block_keys_bad_input(kw, match):
    df = pl.DataFrame({"time_s": [0.0], "op": pl.Series(["read"], dtype=OP_DTYPE),
                       "offset_bytes": [0], "size_bytes": [1]})
    with pytest.raises(ValueError, match=match):
        block_keys(df, **kw)


# ---------------------------------------------------------------- CSV
def test_csv_roundtrip(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("ts,kind,lba,len\n100,R,8,8\n150,W,16,1\n150, read ,0,16\n")
    df = read_csv_trace(p, time_col="ts", op_col="kind", offset_col="lba", size_col="len",
                        time_unit="ms", offset_unit="sectors", size_unit="sectors")
    assert df.schema["op"] == OP_DTYPE
    assert df["op"].to_list() == ["read", "write", "read"]
    assert df["offset_bytes"].to_list() == [4096, 8192, 0]
    assert df["size_bytes"].to_list() == [4096, 512, 8192]
    np.testing.assert_allclose(df["time_s"].to_numpy(), [0.0, 0.05, 0.05])


def test_csv_positions_no_header(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("1.5;w;4096;4096\n2.5;r;0;512\n")
    df = read_csv_trace(p, time_col=0, op_col=1, offset_col=2, size_col=3,
                        has_header=False, separator=";", relative_time=False)
    assert df["time_s"].to_list() == [1.5, 2.5]
    assert df["op"].to_list() == ["write", "read"]


@pytest.mark.parametrize("body, match", [
    ("1,r,0,4096\n2,x,0,4096\n", r"record 1 \(line 3\) at byte offset 31: op field"),
    ("1,r,0,4096\n2,r,abc,4096\n", r"record 1 \(line 3\) at byte offset 31: offset field"),
    ("1,r,0,4096\n2,r,0\n", r"record 1 \(line 3\) at byte offset 31: size field"),
    ("1,r,0,4096\n0.5,r,0,4096\n", r"record 1 \(line 3\) at byte offset 31: time 0.5 earlier"),
    ("1,r,0,-1\n", r"record 0 \(line 2\) at byte offset 20: size -1 is negative"),
    # issue 11: implausible lengths and offsets
    ("1,r,0,4096\n2,r,0,0\n", r"record 1 \(line 3\) at byte offset 31: implausible transfer "
                             r"length 0 bytes"),
    ("1,r,0,16777217\n", r"record 0 \(line 2\) at byte offset 20: implausible transfer "
                        r"length 16777217"),
    ("1,r,9223372036854775000,4096\n", r"record 0 .*reaches past the largest offset"),
])
def test_csv_corrupt(tmp_path, body, match):
    p = tmp_path / "t.csv"
    p.write_text("time,op,offset,size\n" + body)
    with pytest.raises(ValueError, match=match):
        read_csv_trace(p)


def test_csv_units_device_size_and_span(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("time,op,offset,size\n1,r,0,8\n3.5,w,8,8\n")
    # 32,769 sectors is 16 MiB + 512 bytes: too long once in bytes
    big = tmp_path / "big.csv"
    big.write_text("time,op,offset,size\n1,r,0,32769\n")
    with pytest.raises(ValueError, match="implausible transfer length 16777728 bytes"):
        read_csv_trace(big, size_unit="sectors")
    # offsets in sectors that overflow int64 once in bytes
    far = tmp_path / "far.csv"
    far.write_text(f"time,op,offset,size\n1,r,{2**62},8\n")
    with pytest.raises(ValueError, match="reaches past the largest offset"):
        read_csv_trace(far, offset_unit="sectors", size_unit="sectors")
    df, span = read_csv_trace(p, offset_unit="sectors", size_unit="sectors",
                              device_bytes=8192, with_span=True)
    assert df.height == 2 and (span.n_records, span.span_s) == (2, 2.5)
    assert (span.first_offset_bytes, span.end_offset_bytes) == (0, 8192)
    with pytest.raises(ValueError, match=r"record 1 \(line 3\).*past the device's 8191 bytes"):
        read_csv_trace(p, offset_unit="sectors", size_unit="sectors", device_bytes=8191)


def test_csv_bad_options(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("time,op,offset,size\n1,r,0,1\n")
    with pytest.raises(ValueError, match="time_unit"):
        read_csv_trace(p, time_unit="h")
    with pytest.raises(ValueError, match="offset_unit"):
        read_csv_trace(p, offset_unit="furlongs")
    with pytest.raises(ValueError, match="size_col"):
        read_csv_trace(p, size_col="length")


# ---------------------------------------------------------------- data_path
def test_data_path_env(tmp_path, monkeypatch):
    (tmp_path / "x.bin").write_bytes(b"1")
    monkeypatch.setenv("HCIMODEL_DATA", str(tmp_path))
    assert data_path("x.bin") == tmp_path / "x.bin"
    with pytest.raises(FileNotFoundError, match="HCIMODEL_DATA"):
        data_path("no-such-file.bin")
