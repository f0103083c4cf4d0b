"""Tests of hcimodel.simulate.cache_replay: LRU replay, stack distances, MRCs, SHARDS.

Three checks: (1) against a plain-Python LRU written from the definition,
(2) against libcachesim 0.3.5 (the peer named in REFERENCES.md), miss for miss,
(3) on the real CloudPhysics vSCSI trace.
"""

from collections import OrderedDict

import numpy as np
import pytest

from hcimodel.simulate import (
    MissRatioCurve,
    dense_ids,
    lru_hits,
    miss_ratio_curve,
    shards_sample,
    stack_distances,
)

lcs = pytest.importorskip("libcachesim", reason="libcachesim (test extra) not installed")


def reference_lru(keys, capacity, sizes=None):
    """LRU from its definition, with libCacheSim's edge cases (see lru_hits)."""
    cache = OrderedDict()
    occupied = 0
    hits = []
    for i, k in enumerate(keys):
        s = 1 if sizes is None else int(sizes[i])
        if k in cache:
            cache.move_to_end(k)
            hits.append(True)
            continue
        hits.append(False)
        if s > capacity:
            continue
        while occupied + s > capacity:
            _, v = cache.popitem(last=False)
            occupied -= v
        cache[k] = s
        occupied += s
    return np.array(hits, dtype=bool)


def lcs_hits(keys, capacity, sizes=None, cls=None):
    """Per-request hits of libcachesim's LRU (Python loop over cache.get)."""
    cache = (cls or lcs.LRU)(int(capacity))
    sizes = np.ones(len(keys), np.int64) if sizes is None else sizes
    out = np.empty(len(keys), bool)
    for i, (k, s) in enumerate(zip(keys.tolist(), sizes.tolist())):
        out[i] = cache.get(lcs.Request(obj_size=s, obj_id=k, op=lcs.ReqOp.OP_READ))
    return out


def write_oracle_general(path, keys, sizes):
    """Write keys as a libCacheSim oracleGeneral trace (24-byte records)."""
    rec = np.dtype([("t", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")])
    a = np.zeros(len(keys), rec)
    a["t"] = np.arange(len(keys)) // 1000
    a["id"] = keys
    a["size"] = sizes
    a["next"] = -1
    a.tofile(path)
    return lcs.TraceReader(trace=str(path), trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE)


def lcs_misses(reader, n, capacity, cls=None):
    """Number of misses and missed bytes of a libcachesim replay (C loop)."""
    omr, bmr = (cls or lcs.LRU)(int(capacity)).process_trace(reader)
    return round(omr * n), bmr


@pytest.fixture(scope="module")
def real(real_trace_file):
    from hcimodel.traces import block_keys, read_vscsi
    path = real_trace_file
    df = read_vscsi(path)
    return {
        "path": path,
        "df": df,
        "reads": block_keys(df, 4096, ops="read"),
        "all": block_keys(df, 4096, ops=None),
    }


# ------------------------------------------------------------------ synthetic
def stream(seed, n=4000, m=300):
    rng = np.random.default_rng(seed)
    return (rng.zipf(1.2, n) % m).astype(np.int64) * 7919 - 10**12, rng


@pytest.mark.parametrize("capacity", [0, 1, 2, 3, 17, 100, 299, 1000])
def test_lru_count_matches_definition(capacity):
    keys, _ = stream(1)
    np.testing.assert_array_equal(lru_hits(keys, capacity), reference_lru(keys, capacity))


@pytest.mark.parametrize("capacity", [0, 1, 99, 100, 101, 512, 5000, 10**6])
def test_lru_bytes_matches_definition(capacity):
    # sizes vary from request to request of one key: a hit keeps the stored size
    keys, rng = stream(2)
    sizes = rng.integers(0, 200, keys.size)
    np.testing.assert_array_equal(lru_hits(keys, capacity, sizes),
                                  reference_lru(keys, capacity, sizes))


def test_lru_edge_cases_match_libcachesim():
    # hand-made streams probing each rule of libCacheSim's LRU
    cases = [
        # too large: a miss that evicts nothing
        ([1, 2, 3, 1, 2], [4, 4, 20, 4, 4], 10),
        # a hit with another size keeps the stored size
        ([1, 2, 1, 2, 1, 3, 2], [4, 4, 8, 4, 8, 2, 4], 10),
        # exact fit, then evict everything for a full-size object
        ([1, 2, 1, 3, 1], [5, 5, 5, 10, 5], 10),
        # a hit larger than the cache is still a hit
        ([1, 2, 1, 1, 2], [5, 5, 12, 5, 5], 10),
    ]
    for keys, sizes, cap in cases:
        keys, sizes = np.array(keys), np.array(sizes)
        np.testing.assert_array_equal(lru_hits(keys, cap, sizes), lcs_hits(keys, cap, sizes))


def test_lru_random_matches_libcachesim():
    keys, rng = stream(3, n=3000)
    keys = keys - keys.min()  # libcachesim takes unsigned ids
    sizes = rng.integers(1, 300, keys.size)
    for cap in (1, 5, 50, 250):
        np.testing.assert_array_equal(lru_hits(keys, cap), lcs_hits(keys, cap))
    for cap in (200, 1000, 20_000):
        np.testing.assert_array_equal(lru_hits(keys, cap, sizes), lcs_hits(keys, cap, sizes))


def test_dense_ids_both_paths():
    keys = np.array([5, 3, 5, 9, 3, 3, 11])
    ids, m = dense_ids(keys)
    assert ids.tolist() == [0, 1, 0, 2, 1, 1, 3] and m == 4
    wide = keys * 10**15  # forces the hash-table path
    ids2, m2 = dense_ids(wide)
    assert ids2.tolist() == ids.tolist() and m2 == 4
    assert dense_ids(np.array([], np.int64))[1] == 0
    big = np.array([2**63 - 1, -(2**63), 0, 2**63 - 1])
    assert dense_ids(big)[0].tolist() == [0, 1, 2, 0]


def test_stack_distances_by_hand():
    #            a  b  c  a  a  c  b  d  a
    keys = np.array([1, 2, 3, 1, 1, 3, 2, 4, 1])
    assert stack_distances(keys).tolist() == [-1, -1, -1, 3, 1, 2, 3, -1, 4]
    sizes = np.array([10, 20, 30, 10, 10, 30, 20, 40, 10])
    assert stack_distances(keys, sizes).tolist() == [-1, -1, -1, 60, 10, 40, 60, -1, 100]


def test_mrc_equals_replay_at_every_capacity():
    keys, _ = stream(4, n=3000, m=400)
    curve = miss_ratio_curve(keys)
    m = dense_ids(keys)[1]
    assert isinstance(curve, MissRatioCurve) and curve.unit == "items"
    np.testing.assert_array_equal(curve.capacity, np.arange(1, m + 1))
    for c in curve.capacity:
        misses = np.count_nonzero(~lru_hits(keys, c))
        assert curve.n_misses[c - 1] == misses
        assert curve.miss_ratio[c - 1] == misses / keys.size
    assert np.all(np.diff(curve.miss_ratio) <= 0)
    # beyond the number of distinct keys only cold misses remain
    assert curve.n_misses[-1] == m


def test_mrc_bytes_equals_replay_including_too_large_objects():
    keys, rng = stream(5, n=3000)
    per_key = rng.integers(1, 500, keys.max() - keys.min() + 1)
    sizes = per_key[keys - keys.min()]
    caps = [0, 1, 50, 250, 499, 500, 2000, 20_000, 200_000]
    curve = miss_ratio_curve(keys, sizes, capacities=caps)
    assert curve.unit == "bytes"
    for c, nm in zip(caps, curve.n_misses):
        assert nm == np.count_nonzero(~lru_hits(keys, c, sizes)), c
    default = miss_ratio_curve(keys, sizes)
    assert default.capacity.size > 10
    for c, nm in zip(default.capacity, default.n_misses):
        assert nm == np.count_nonzero(~lru_hits(keys, c, sizes))


def test_mrc_rejects_varying_sizes_and_bad_input():
    keys = np.array([1, 2, 1])
    with pytest.raises(ValueError, match="same for every request of a key"):
        miss_ratio_curve(keys, [4, 4, 8])
    with pytest.raises(ValueError, match="sampling_rate"):
        miss_ratio_curve(keys, sampling_rate=0)
    with pytest.raises(ValueError, match="sampling_rate"):
        miss_ratio_curve(keys, sampling_rate=1.5)
    with pytest.raises(ValueError, match="max_capacity"):
        miss_ratio_curve(keys, max_capacity=0)
    with pytest.raises(ValueError, match="capacities"):
        miss_ratio_curve(keys, capacities=[3, 2])
    with pytest.raises(ValueError, match="capacity"):
        lru_hits(keys, -1)
    with pytest.raises(ValueError, match="capacity"):
        lru_hits(keys, 2.5)
    with pytest.raises(ValueError, match="sizes"):
        lru_hits(keys, 10, [1, 2])
    with pytest.raises(ValueError, match="sizes"):
        lru_hits(keys, 10, [1, -2, 3])
    with pytest.raises(ValueError, match="keys"):
        lru_hits(np.array([1.5, 2.0]), 10)
    assert lru_hits(np.array([], np.int64), 3).size == 0
    empty = miss_ratio_curve(np.array([], np.int64), max_capacity=3)
    assert empty.miss_ratio.tolist() == [0.0, 0.0, 0.0]


def test_shards_sample_is_spatial_and_deterministic():
    keys, _ = stream(6, n=20_000, m=5000)
    mask = shards_sample(keys, 0.25)
    np.testing.assert_array_equal(mask, shards_sample(keys, 0.25))
    # every request of a key is kept or dropped together
    for k in np.unique(keys)[:200]:
        assert len(set(mask[keys == k].tolist())) == 1
    frac = np.unique(keys[mask]).size / np.unique(keys).size
    assert abs(frac - 0.25) < 0.05
    assert shards_sample(keys, 1.0).all()


# ------------------------------------------------------------------ real trace
@pytest.mark.parametrize("which", ["reads", "all"])
def test_real_block_keys_match_libcachesim_by_count(real, which, tmp_path):
    keys = real[which]
    reader = write_oracle_general(tmp_path / "k.bin", keys, np.ones(keys.size, np.int64))
    curve = miss_ratio_curve(keys)
    for cap in (50_000, 205_000):
        misses = np.count_nonzero(~lru_hits(keys, cap))
        assert lcs_misses(reader, keys.size, cap)[0] == misses
        assert curve.at(cap) * keys.size == pytest.approx(misses, abs=1e-6)


def test_real_block_keys_match_libcachesim_by_bytes(real, tmp_path):
    keys = real["all"]
    sizes = np.full(keys.size, 4096)
    reader = write_oracle_general(tmp_path / "k.bin", keys, sizes)
    caps = [512 * 2**20 + 100]
    curve = miss_ratio_curve(keys, sizes, capacities=caps)
    for cap, nm in zip(caps, curve.n_misses):
        hits = lru_hits(keys, cap, sizes)
        n_miss, byte_mr = lcs_misses(reader, keys.size, cap)
        assert n_miss == np.count_nonzero(~hits) == nm
        assert byte_mr == pytest.approx(np.mean(~hits), rel=1e-12)


def test_real_whole_requests_match_libcachesim_miss_for_miss(real):
    # libCacheSim's own vSCSI reader: key = sector number, size = length, and a
    # sector is re-read with other lengths (the stored size rule matters)
    df = real["df"]
    reader = lcs.TraceReader(trace=str(real["path"]), trace_type=lcs.TraceType.VSCSI_TRACE)
    reqs = list(reader)
    keys = df["offset_bytes"].to_numpy() // 512
    sizes = df["size_bytes"].to_numpy()
    assert [r.obj_id for r in reqs[:1000]] == keys[:1000].tolist()
    for cap in (64 * 2**20,):
        cache = lcs.LRU(cap)
        theirs = np.fromiter((cache.get(r) for r in reqs), bool, len(reqs))
        np.testing.assert_array_equal(lru_hits(keys, cap, sizes), theirs)
        omr, _ = lcs.LRU(cap).process_trace(reader)
        assert round(omr * len(reqs)) == np.count_nonzero(~theirs)
    # by count: give every object size 1
    idx = np.flatnonzero((df["op"] == "read").to_numpy())
    for cap in (5000,):
        np.testing.assert_array_equal(lru_hits(keys[idx], cap), lcs_hits(keys[idx], cap))


def test_real_shards_within_002(real):
    # SHARDS (Waldspurger et al. 2015) at R = 0.1 against the exact curve.
    # The read curve has a cliff (a ~200k-block loop) that any sample shifts a
    # little sideways, so the vertical gap is taken with 2 % horizontal slack.
    for which in ("reads", "all"):
        keys = real[which]
        exact = miss_ratio_curve(keys)
        caps = np.unique(np.geomspace(10, exact.capacity[-1], 200).astype(np.int64))
        est = miss_ratio_curve(keys, capacities=caps, sampling_rate=0.1)
        assert est.sampling_rate == 0.1
        mae = np.abs(est.miss_ratio - exact.at(caps)).mean()
        assert mae < 0.01, (which, mae)
        upper = exact.at(np.floor(caps / 1.02)) + 0.02
        lower = exact.at(np.ceil(caps * 1.02)) - 0.02
        assert np.all((est.miss_ratio <= upper) & (est.miss_ratio >= lower)), which
