"""Tests of hcimodel.simulate.tiered_cache_replay: 2-LRU, LRU(m), two-tier segmented LRU.

Each numba replay is checked request for request against a plain-Python
implementation written from the state machine in its docstring (hypothesis
draws the streams and capacities), against hand-traced examples, and in its
degenerate cases. Agreement with the closed forms is in tests/test_caching.py.
"""

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcimodel.simulate import lru_hits, lru_m_replay, segmented_lru_replay, two_lru_hits
from hcimodel.simulate.tiered_cache_replay import LOWER_HIT, MISS, UPPER_HIT

SETTINGS = settings(max_examples=60, deadline=None)


# ---------------------------------------------------------------------------
# Plain-Python references (OrderedDict: last = most recently used)
# ---------------------------------------------------------------------------


def ref_two_lru(keys, c1, c2):
    meta, data, out = OrderedDict(), OrderedDict(), []
    for k in keys:
        was_meta = k in meta
        meta[k] = None
        meta.move_to_end(k)
        if len(meta) > c1:
            meta.popitem(last=False)
        if k in data:
            data.move_to_end(k)
            out.append(True)
            continue
        out.append(False)
        if was_meta:
            data[k] = None
            if len(data) > c2:
                data.popitem(last=False)
    return np.array(out, dtype=bool)


def ref_lru_m(keys, caps):
    lists = [OrderedDict() for _ in caps]
    out = []
    for k in keys:
        where = next((i for i, lst in enumerate(lists) if k in lst), None)
        if where is None:
            out.append(0)
            lists[0][k] = None
            if len(lists[0]) > caps[0]:
                lists[0].popitem(last=False)
            continue
        out.append(where + 1)
        del lists[where][k]
        up = min(where + 1, len(caps) - 1)
        lists[up][k] = None
        if len(lists[up]) > caps[up]:
            e, _ = lists[up].popitem(last=False)
            lists[where][e] = None
    return np.array(out, dtype=np.int8)


def ref_segmented_lru(keys, cs, cm, cd):
    # probationary, protected upper tier, protected lower tier
    single, mem, ssd = OrderedDict(), OrderedDict(), OrderedDict()
    out = []
    for k in keys:
        if k in mem:
            out.append(UPPER_HIT)
            del mem[k]
        elif k in ssd:
            out.append(LOWER_HIT)
            del ssd[k]
        elif k in single:
            out.append(UPPER_HIT)
            del single[k]
        else:
            out.append(MISS)
            single[k] = None
            if len(single) > cs:
                single.popitem(last=False)
            continue
        mem[k] = None
        while len(mem) > cm:
            e, _ = mem.popitem(last=False)
            ssd[e] = None
        while len(ssd) > cd:
            ssd.popitem(last=False)
    return np.array(out, dtype=np.int8)


keys_st = st.lists(st.integers(0, 15), min_size=0, max_size=300).map(
    lambda x: np.array(x, dtype=np.int64))
cap_st = st.integers(0, 12)


# ---------------------------------------------------------------------------
# Request-for-request agreement with the references
# ---------------------------------------------------------------------------


@SETTINGS
@given(keys=keys_st, c1=cap_st, c2=cap_st)
def test_two_lru_matches_reference(keys, c1, c2):
    np.testing.assert_array_equal(two_lru_hits(keys, c1, c2), ref_two_lru(keys.tolist(), c1, c2))


@SETTINGS
@given(keys=keys_st, caps=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_lru_m_matches_reference(keys, caps):
    np.testing.assert_array_equal(lru_m_replay(keys, caps), ref_lru_m(keys.tolist(), caps))


@SETTINGS
@given(keys=keys_st, cs=cap_st, cm=cap_st, cd=cap_st)
def test_segmented_lru_matches_reference(keys, cs, cm, cd):
    out = segmented_lru_replay(keys, cs, cm, cd)
    assert out.dtype == np.int8 and out.shape == keys.shape
    np.testing.assert_array_equal(out, ref_segmented_lru(keys.tolist(), cs, cm, cd))


def test_long_random_stream_matches_reference():
    rng = np.random.default_rng(5)
    keys = rng.zipf(1.3, size=20_000) % 400
    np.testing.assert_array_equal(segmented_lru_replay(keys, 20, 15, 40),
                                  ref_segmented_lru(keys.tolist(), 20, 15, 40))
    np.testing.assert_array_equal(two_lru_hits(keys, 30, 25), ref_two_lru(keys.tolist(), 30, 25))
    np.testing.assert_array_equal(lru_m_replay(keys, [10, 20, 5]),
                                  ref_lru_m(keys.tolist(), [10, 20, 5]))


# ---------------------------------------------------------------------------
# Hand-traced examples (see the state machines in the docstrings)
# ---------------------------------------------------------------------------


def test_segmented_lru_hand_trace():
    a, b, c = 0, 1, 2
    keys = [a, b, a, a, b, b, a, c, c, b, a, c]
    # S probationary, M protected upper tier, D protected lower tier
    # 1 a miss S=[a]          2 b miss S=[b] (a dropped)   3 a miss S=[a] (b dropped)
    # 4 a S-hit -> M=[a]      5 b miss S=[b]               6 b S-hit -> M=[b], a -> D=[a]
    # 7 a lower hit -> M=[a], b -> D=[b]                     8 c miss S=[c]
    # 9 c S-hit -> M=[c], a -> D=[a, b] -> b dropped       10 b miss (no history) S=[b]
    # 11 a lower hit -> M=[a], c -> D=[c]                  12 c lower hit
    expected = [0, 0, 0, 1, 0, 1, 2, 0, 1, 0, 2, 2]
    np.testing.assert_array_equal(segmented_lru_replay(keys, 1, 1, 1), expected)


def test_two_lru_hand_trace():
    a, b, c = 0, 1, 2
    keys = [a, b, a, a, c, b, c, a, c]
    # 3: a was in the meta cache -> admitted; 4: hit; 6: b pushes a out of the meta
    # cache; 7: c admitted, evicting a; 8: a not in meta -> not admitted; 9: hit.
    expected = [False, False, False, True, False, False, False, False, True]
    np.testing.assert_array_equal(two_lru_hits(keys, 2, 1), expected)


def test_lru_m_hand_trace():
    keys = [0, 1, 0, 1, 2, 0, 2, 1, 1, 3, 0]
    # Lists of sizes 2 and 1. 3: 0 hit in list 1 -> L2=[0], L1=[1]; 4: 1 hit in
    # list 1 -> L2=[1], 0 drops to the front of list 1; 5: 2 miss -> L1=[2, 0];
    # 6: 0 -> L2=[0], 1 drops -> L1=[1, 2]; 7: 2 -> L2=[2], L1=[0, 1];
    # 8: 1 -> L2=[1], L1=[2, 0]; 9: 1 hit in list 2; 10: 3 miss, 0 leaves; 11: miss.
    np.testing.assert_array_equal(lru_m_replay(keys, [2, 1]), [0, 0, 1, 1, 0, 1, 1, 1, 2, 0, 0])


# ---------------------------------------------------------------------------
# Degenerate cases
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stream():
    rng = np.random.default_rng(9)
    return rng.zipf(1.2, size=50_000) % 2_000


def test_degenerate_two_lru(stream):
    assert not two_lru_hits(stream, 0, 100).any()
    assert not two_lru_hits(stream, 100, 0).any()
    # Unbounded meta cache: an item is admitted on its second request.
    n = np.unique(stream).size
    hits = two_lru_hits(stream, n, n)
    first = np.zeros(stream.size, bool)
    first[np.unique(stream, return_index=True)[1]] = True
    second = np.zeros(stream.size, bool)
    seen = {}
    for i, k in enumerate(stream.tolist()):
        seen[k] = seen.get(k, 0) + 1
        second[i] = seen[k] == 2
    np.testing.assert_array_equal(hits, ~first & ~second)


def test_degenerate_lru_m_is_lru(stream):
    for c in (1, 10, 300):
        np.testing.assert_array_equal(lru_m_replay(stream, [c]) > 0, lru_hits(stream, c))


def test_degenerate_segmented_lru(stream):
    assert np.all(segmented_lru_replay(stream, 0, 50, 50) == MISS)
    # No protected segment: a hit empties the entry, so no two hits in a row per item.
    out = segmented_lru_replay(stream, 100, 0, 0)
    assert set(np.unique(out)) <= {MISS, UPPER_HIT}
    # No protected upper tier: promoted entries go straight to the lower tier;
    # hits and misses are those of an upper-tier-only segment of the same size.
    out = segmented_lru_replay(stream, 100, 0, 300)
    assert np.any(out == LOWER_HIT)
    np.testing.assert_array_equal(out != MISS, segmented_lru_replay(stream, 100, 300, 0) != MISS)
    # Upper-tier-only protected segment of the same total size: same hits, none lower.
    both = segmented_lru_replay(stream, 100, 150, 150)
    mem_only = segmented_lru_replay(stream, 100, 300, 0)
    np.testing.assert_array_equal(both != MISS, mem_only != MISS)
    assert not np.any(mem_only == LOWER_HIT)


def test_keys_are_relabelled(stream):
    sparse = stream.astype(np.int64) * 1_000_003 - 7  # negative and huge ids
    np.testing.assert_array_equal(segmented_lru_replay(sparse, 50, 40, 60),
                                  segmented_lru_replay(stream, 50, 40, 60))
    np.testing.assert_array_equal(two_lru_hits(sparse, 50, 40), two_lru_hits(stream, 50, 40))
    np.testing.assert_array_equal(lru_m_replay(sparse.astype(float), [30, 30]),
                                  lru_m_replay(stream, [30, 30]))
    assert segmented_lru_replay([], 1, 1, 1).shape == (0,)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: two_lru_hits([1, 2], -1, 1), "meta_capacity"),
        (lambda: two_lru_hits([1, 2], 1, 1.5), "capacity"),
        (lambda: lru_m_replay([1, 2], [1, 0]), "capacities_per_list"),
        (lambda: lru_m_replay([1, 2], [[1, 2]]), "capacities_per_list"),
        (lambda: segmented_lru_replay([1, 2], -1, 1, 1), "probation_capacity"),
        (lambda: segmented_lru_replay([1, 2], 1, np.nan, 1), "protected_capacity"),
        (lambda: segmented_lru_replay([1, 2], 1, 1, True), "lower_tier_capacity"),
        (lambda: segmented_lru_replay([[1, 2]], 1, 1, 1), "keys"),
        (lambda: segmented_lru_replay([1.5, 2], 1, 1, 1), "keys"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
