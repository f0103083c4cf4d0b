"""Tests of hcimodel.caching: characteristic-time hit ratios under the IRM.

Three kinds of checks:

1. closed forms against seeded exact replays of IRM Zipf streams (alpha 0.6 to
   1.0, catalogs of 10^3 and 10^4 items; 4 x 10^5 requests with 10^5 of warm-up,
   8 x 10^5 with 2.5 x 10^5 for the Content Cache), within 0.01 absolute;
2. independent recomputations (scipy.optimize.brentq on the defining equation)
   and exact special cases (uniform popularity: h = C / N for every policy);
3. properties (hypothesis): monotone in capacity, de-duplication never hurts,
   Content Cache tiers sum to 1; bad input raises ValueError naming the parameter.
"""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from hcimodel.caching import (
    che_lru,
    fifo_random,
    lru_m,
    merge_duplicate_rates,
    two_lru,
    zipf_rates,
)
from hcimodel.contentcache import content_cache, extent_cache
from hcimodel.simulate import lru_hits, lru_m_replay, segmented_lru_replay, two_lru_hits

SETTINGS = settings(max_examples=40, deadline=None)
TOL = 0.01          # absolute hit-ratio tolerance, closed form vs replay
N_REQUESTS = 800_000  # Content Cache: its multi-touch pool fills slowly
WARMUP = 250_000
SHORT = 400_000       # LRU, FIFO, 2-LRU, LRU(m): a shorter prefix of the same stream
SHORT_WARMUP = 100_000


@numba.njit(cache=True)
def fifo_hits(keys, n_items, capacity):
    """FIFO replay: insert on a miss at the tail of a ring buffer, no refresh on hits."""
    ring = np.full(max(capacity, 1), -1, dtype=np.int64)
    inside = np.zeros(n_items, dtype=np.bool_)
    pos = 0
    out = np.zeros(keys.size, dtype=np.bool_)
    for t in range(keys.size):
        k = keys[t]
        if inside[k]:
            out[t] = True
        elif capacity > 0:
            old = ring[pos]
            if old >= 0:
                inside[old] = False
            ring[pos] = k
            inside[k] = True
            pos = (pos + 1) % capacity
    return out


def irm_stream(rates, n, seed):
    """Seeded IRM stream: i.i.d. keys with probabilities proportional to rates."""
    cdf = np.cumsum(rates)
    cdf /= cdf[-1]
    u = np.random.default_rng(seed).random(n)
    return np.minimum(np.searchsorted(cdf, u, side="right"), rates.size - 1)


CASES = [(1_000, 0.6, 11), (10_000, 0.8, 12), (10_000, 1.0, 13)]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"N{c[0]}-a{c[1]}")
def zipf_case(request):
    n, alpha, seed = request.param
    lam = zipf_rates(n, alpha)
    return n, lam, irm_stream(lam, N_REQUESTS, seed)


# ---------------------------------------------------------------------------
# 1. Closed form vs exact replay
# ---------------------------------------------------------------------------


def test_che_lru_vs_replay(zipf_case):
    n, lam, keys = zipf_case
    keys = keys[:SHORT]
    caps = np.array([n // 100, n // 20, n // 5, n // 2])
    model = che_lru(lam, caps).hit_ratio
    for c, h in zip(caps, model):
        sim = lru_hits(keys, int(c))[SHORT_WARMUP:].mean()
        assert abs(sim - h) < TOL, (n, c, sim, h)


def test_fifo_vs_replay(zipf_case):
    n, lam, keys = zipf_case
    keys = keys[:SHORT]
    caps = np.array([n // 100, n // 20, n // 5, n // 2])
    model = fifo_random(lam, caps).hit_ratio
    for c, h in zip(caps, model):
        sim = fifo_hits(keys, n, int(c))[SHORT_WARMUP:].mean()
        assert abs(sim - h) < TOL, (n, c, sim, h)


def test_two_lru_vs_replay(zipf_case):
    n, lam, keys = zipf_case
    keys = keys[:SHORT]
    for c1, c2 in [(n // 10, n // 10), (n // 20, n // 5), (n // 2, n // 20), (n, n // 50)]:
        sim = two_lru_hits(keys, c1, c2)[SHORT_WARMUP:].mean()
        model = float(two_lru(lam, c1, c2).hit_ratio)
        assert abs(sim - model) < TOL, (n, c1, c2, sim, model)


def test_lru_m_vs_replay(zipf_case):
    n, lam, keys = zipf_case
    keys = keys[:SHORT]
    for caps in [(n // 20, n // 20), (n // 50, n // 10), (n // 10, n // 50, n // 50)]:
        out = lru_m_replay(keys, caps)[SHORT_WARMUP:]
        sim = np.bincount(out, minlength=len(caps) + 1)[1:] / out.size
        model = lru_m(lam, np.array(caps)).list_hit_ratio
        np.testing.assert_allclose(model, sim, atol=TOL, rtol=0)


CC_CAPS = [  # (single-touch, multi-touch memory, multi-touch SSD) as fractions of N
    (0.05, 0.05, 0.10),
    (0.02, 0.01, 0.10),
    (0.10, 0.02, 0.20),
    (0.20, 0.10, 0.0),
    (0.01, 0.10, 0.10),
    (0.60, 0.05, 0.05),  # single-touch pool that never fills (T1 = inf)
    (0.05, 0.0, 0.30),   # no multi-touch memory: promotions go straight to SSD
]


def test_content_cache_vs_replay(zipf_case):
    n, lam, keys = zipf_case
    for frac in CC_CAPS:
        caps = [int(round(f * n)) for f in frac]
        out = segmented_lru_replay(keys, *caps)[WARMUP:]
        sim = np.bincount(out, minlength=3) / out.size
        r = content_cache(lam, *caps)
        model = [float(r.miss_ratio), float(r.memory_hit_ratio), float(r.ssd_hit_ratio)]
        np.testing.assert_allclose(model, sim, atol=TOL, rtol=0, err_msg=f"N={n} caps={caps}")


def test_dedup_merge_vs_replay():
    # 2,000 logical blocks holding 1,000 distinct contents: a de-duplicated cache
    # keyed by content sees the merged rates.
    rng = np.random.default_rng(21)
    lam = zipf_rates(2_000, 0.8)
    content = rng.integers(0, 1_000, size=2_000)
    keys = irm_stream(lam, N_REQUESTS, 22)
    merged = merge_duplicate_rates(lam, content)
    _, dense = np.unique(content, return_inverse=True)
    for c in (50, 200):
        sim_dedup = lru_hits(dense[keys], c)[WARMUP:].mean()
        sim_plain = lru_hits(keys, c)[WARMUP:].mean()
        assert abs(sim_dedup - float(extent_cache(merged, c).hit_ratio)) < TOL
        assert abs(sim_plain - float(extent_cache(lam, c).hit_ratio)) < TOL
        assert sim_dedup > sim_plain


# ---------------------------------------------------------------------------
# 2. Independent recomputations and exact special cases
# ---------------------------------------------------------------------------


def test_che_against_brentq():
    lam = zipf_rates(1_000, 0.8)
    for c in (10, 100, 500):
        t = brentq(lambda t: np.sum(-np.expm1(-lam * t)) - c, 1e-9, 1e12,
                   xtol=1e-12, rtol=1e-14)
        h = np.sum(lam * -np.expm1(-lam * t)) / lam.sum()
        r = che_lru(lam, c)
        assert r.characteristic_time == pytest.approx(t, rel=1e-10)
        assert r.hit_ratio == pytest.approx(h, rel=1e-10)
    # Values recomputed with brentq above, pasted for zipf_rates(1000, 0.8).
    np.testing.assert_allclose(che_lru(lam, [10, 100]).hit_ratio, [0.08161898, 0.37779022],
                               atol=1e-8)


def test_fifo_and_two_lru_against_brentq():
    lam = zipf_rates(2_000, 0.7, total_rate=50.0)
    c = 300
    t = brentq(lambda t: np.sum(lam * t / (1 + lam * t)) - c, 1e-9, 1e12, xtol=1e-12, rtol=1e-14)
    assert fifo_random(lam, c).characteristic_time == pytest.approx(t, rel=1e-10)
    c1, c2 = 150, 250
    t1 = brentq(lambda t: np.sum(-np.expm1(-lam * t)) - c1, 1e-9, 1e12, xtol=1e-12, rtol=1e-14)
    a = -np.expm1(-lam * t1)

    def h(t2):
        b = -np.expm1(-lam * t2)
        return a * b / (np.exp(-lam * t2) + a * b)

    t2 = brentq(lambda t: np.sum(h(t)) - c2, 1e-9, 1e12, xtol=1e-12, rtol=1e-14)
    r = two_lru(lam, c1, c2)
    assert r.meta_characteristic_time == pytest.approx(t1, rel=1e-10)
    assert r.characteristic_time == pytest.approx(t2, rel=1e-10)
    assert r.hit_ratio == pytest.approx(np.sum(lam * h(t2)) / lam.sum(), rel=1e-10)


def test_uniform_popularity_is_exact():
    # With equal rates every policy caches C of the N items: h = C / N.
    lam = np.full(500, 0.3)
    caps = np.array([0, 1, 50, 250, 499.5, 500])
    for fn in (che_lru, fifo_random, extent_cache):
        np.testing.assert_allclose(fn(lam, caps).hit_ratio, caps / 500, atol=1e-12)
    np.testing.assert_allclose(two_lru(lam, 100, caps[1:-1]).hit_ratio, caps[1:-1] / 500,
                               atol=1e-12)
    np.testing.assert_allclose(lru_m(lam, [[20, 100], [30, 150]]).hit_ratio, [0.1, 0.5],
                               atol=1e-12)


def test_special_cases_reduce_to_che():
    lam = zipf_rates(3_000, 0.9)
    caps = np.array([5.0, 60, 700, 2_500])
    che = che_lru(lam, caps)
    # LRU(1) is LRU.
    np.testing.assert_allclose(lru_m(lam, caps[None, :]).hit_ratio, che.hit_ratio, rtol=1e-10)
    # A meta cache holding the whole catalog admits everything: 2-LRU is LRU.
    np.testing.assert_allclose(two_lru(lam, 3_000, caps).hit_ratio, che.hit_ratio, rtol=1e-10)
    # Extent Cache is Che.
    np.testing.assert_allclose(extent_cache(lam, caps).hit_ratio, che.hit_ratio, rtol=0)


def test_item_probabilities_are_consistent():
    lam = zipf_rates(1_000, 0.8, total_rate=7.0)
    caps = np.array([[10.0, 100.0], [400.0, 900.0]])
    for fn in (che_lru, fifo_random):
        r = fn(lam, caps)
        hi = r.item_hit_ratio()
        assert hi.shape == (2, 2, 1_000)
        np.testing.assert_allclose(hi.sum(axis=-1), caps, rtol=1e-10)      # occupancy = C
        np.testing.assert_allclose(hi @ lam / lam.sum(), r.hit_ratio, rtol=1e-12)
    r2 = two_lru(lam, 200, caps)
    np.testing.assert_allclose(r2.item_hit_ratio().sum(axis=-1), caps, rtol=1e-10)
    rm = lru_m(lam, np.stack([caps / 2, caps / 2]))
    occ = rm.item_list_probability().sum(axis=-1)
    np.testing.assert_allclose(occ, np.stack([caps / 2, caps / 2]), rtol=1e-9)
    np.testing.assert_allclose(rm.item_hit_ratio() @ lam / lam.sum(), rm.hit_ratio, rtol=1e-10)
    cc = content_cache(lam, 30, caps / 2, caps / 2)
    mem, ssd, miss = cc.item_probabilities()
    np.testing.assert_allclose(mem + ssd + miss, 1.0, atol=1e-12)
    np.testing.assert_allclose(mem @ lam / lam.sum(), cc.memory_hit_ratio, rtol=1e-10)
    np.testing.assert_allclose(ssd @ lam / lam.sum(), cc.ssd_hit_ratio, rtol=1e-10)


def test_content_cache_occupancies():
    # The three occupancy constraints of the docstring hold at the solution.
    lam = zipf_rates(5_000, 0.8)
    cs, cm, cd = 200.0, 150.0, 600.0
    r = content_cache(lam, cs, cm, cd)
    a = -np.expm1(-lam * r.single_touch_time)
    y = np.exp(-lam * r.multi_touch_time)
    q, s = a / (y + a), a * y / (y + a)
    assert s.sum() == pytest.approx(cs, rel=1e-9)
    assert (q - s).sum() == pytest.approx(cm + cd, rel=1e-9)
    assert (q * -np.expm1(-lam * r.memory_time)).sum() == pytest.approx(cm, rel=1e-9)
    assert r.memory_time < r.multi_touch_time


def test_edge_capacities():
    lam = np.concatenate([zipf_rates(100, 0.8), np.zeros(50)])  # 50 never-requested items
    r = che_lru(lam, [0, 100, 150, np.inf])
    np.testing.assert_array_equal(r.hit_ratio, [0, 1, 1, 1])
    np.testing.assert_array_equal(r.characteristic_time, [0, np.inf, np.inf, np.inf])
    assert np.all(np.isfinite(r.item_hit_ratio()))
    np.testing.assert_array_equal(r.item_hit_ratio()[1], (lam > 0).astype(float))
    np.testing.assert_array_equal(fifo_random(lam, [0, 100]).hit_ratio, [0, 1])
    t = two_lru(lam, [0, 10, 10], [10, 0, 100])
    np.testing.assert_array_equal(t.hit_ratio, [0, 0, 1])
    assert np.all(~np.isnan(t.characteristic_time))
    np.testing.assert_array_equal(lru_m(lam, [[60], [40]]).hit_ratio, [1.0])
    cc = content_cache(lam, [0, 10, 10], [10, 50, 0], [10, 50, 0])
    np.testing.assert_array_equal(cc.miss_ratio[:2], [1, 0])
    # No multi-touch pool: every other request of an item is a miss.
    assert 0 < cc.memory_hit_ratio[2] < 0.5 and cc.ssd_hit_ratio[2] == 0
    for arr in (cc.single_touch_time, cc.multi_touch_time, cc.memory_time):
        assert not np.any(np.isnan(arr))


def test_vectorized_equals_scalar_and_keeps_shape():
    lam = zipf_rates(2_000, 0.75)
    caps = np.array([[3.0, 30.0, 300.0], [1_000.0, 1_900.0, 2_500.0]])
    r = che_lru(lam, caps)
    assert r.hit_ratio.shape == caps.shape and r.characteristic_time.shape == caps.shape
    for idx in np.ndindex(caps.shape):
        assert che_lru(lam, caps[idx]).hit_ratio == pytest.approx(r.hit_ratio[idx], rel=1e-12)
    cc = content_cache(lam, caps, 50.0, [[100.0], [0.0]])
    assert cc.hit_ratio.shape == caps.shape
    for idx in np.ndindex(caps.shape):
        one = content_cache(lam, caps[idx], 50.0, [100.0, 0.0][idx[0]])
        assert one.ssd_hit_ratio == pytest.approx(cc.ssd_hit_ratio[idx], rel=1e-9, abs=1e-12)


def test_compressed_catalog_matches_exact_sum():
    # 10^6 items: above the compression threshold; check the equation on all items.
    lam = zipf_rates(1_000_000, 0.7)
    caps = np.array([100.0, 10_000.0, 300_000.0])
    r = che_lru(lam, caps)
    for c, t, h in zip(caps, r.characteristic_time, r.hit_ratio):
        occ = np.sum(-np.expm1(-lam * t))
        assert occ == pytest.approx(c, rel=1e-7)
        assert h == pytest.approx(np.sum(lam * -np.expm1(-lam * t)) / lam.sum(), rel=1e-7)


def _exact(monkeypatch):
    """Solve item by item whatever the catalog size (the uncompressed reference)."""
    import hcimodel.caching as caching

    monkeypatch.setattr(caching, "_COMPRESS_ABOVE", 1 << 62)


@pytest.mark.parametrize("kind", ["zipf0.5", "zipf0.8", "zipf1.2", "lognormal"])
def test_compressed_equals_the_exact_solve(kind, monkeypatch):
    """Two-point Gauss bins (module docstring): within 1e-8 of the item-by-item solve.

    Bound: relative occupancy error <= 3.2e-3 * 2**-28 = 1.2e-11 for LRU; T and
    the miss ratio are ill-conditioned only near saturation (here 0.999 N).
    Measured when written: hit ratio 1.7e-11, T 1.2e-10, miss ratio 1.9e-9.
    """
    n = 20_000
    if kind == "lognormal":
        lam = np.random.default_rng(5).lognormal(0.0, 2.0, n)
    else:
        lam = zipf_rates(n, float(kind[4:]))
    caps = np.geomspace(0.5, 0.999 * n, 24)
    comp = [che_lru(lam, caps), fifo_random(lam, caps), two_lru(lam, 0.2 * n, caps),
            lru_m(lam, np.stack([caps / 4, caps / 4, caps / 2])),
            content_cache(lam, 0.05 * caps, 0.25 * caps, 0.7 * caps)]
    _exact(monkeypatch)
    exact = [che_lru(lam, caps), fifo_random(lam, caps), two_lru(lam, 0.2 * n, caps),
             lru_m(lam, np.stack([caps / 4, caps / 4, caps / 2])),
             content_cache(lam, 0.05 * caps, 0.25 * caps, 0.7 * caps)]
    for a, b in zip(comp, exact):
        np.testing.assert_allclose(a.hit_ratio, b.hit_ratio, rtol=1e-8, atol=0)
        np.testing.assert_allclose(1 - a.hit_ratio, 1 - b.hit_ratio, rtol=1e-8, atol=1e-15)
    for a, b in zip(comp[:3], exact[:3]):
        np.testing.assert_allclose(a.characteristic_time, b.characteristic_time, rtol=1e-8)
    np.testing.assert_allclose(comp[3].characteristic_times, exact[3].characteristic_times,
                               rtol=1e-8)
    np.testing.assert_allclose(_cc_ratios(comp[4]), _cc_ratios(exact[4]), rtol=1e-8, atol=1e-15)


def test_compressed_size_never_falls_with_the_catalog():
    # The cost of a solve is (capacities x representatives): no cliff at any size.
    # Exact up to 256 rates, then two points per occupied bin (a fall of a few
    # points is bin alignment, not a cliff).
    import hcimodel.caching as caching

    ns = (200, 256, 257, 1_000, 1_025, 5_000, 131_072, 131_073, 1_000_000)
    for lam_of in (lambda n: zipf_rates(n, 0.8),
                   lambda n: np.random.default_rng(n).lognormal(0.0, 2.0, n)):
        sizes = np.array([caching._catalog(lam_of(n)).rates.size for n in ns])
        assert np.all(sizes >= 0.9 * np.maximum.accumulate(sizes)), sizes
        assert sizes[-1] < 6_000      # about 2 x 128 per factor of two in rate


@pytest.mark.parametrize("alpha", [0.0, 0.8, 1.5])
@pytest.mark.parametrize("caps", [[10, 10, 10, 10], [1, 1000, 1], [4000, 500, 499],
                                  [1, 1, 1, 4990], [4990, 1, 1], [0.01, 0.01], [300] * 16])
def test_lru_m_solves_hard_configurations(alpha, caps):
    # Near-saturated and very unequal lists: the list occupancies still match.
    lam = zipf_rates(5_000, alpha)
    r = lru_m(lam, caps)
    np.testing.assert_allclose(r.item_list_probability().sum(axis=-1), caps, rtol=1e-8)
    assert 0 < r.hit_ratio <= 1


def test_extreme_rates_give_no_nan():
    lam = np.array([1e-200, 1e-5, 1.0, 1e200])
    results = [che_lru(lam, [1, 3.9999]), fifo_random(lam, [1, 3.9999]),
               two_lru(lam, 2, [1, 3.9999]), lru_m(lam, [[1, 2], [1, 1.9]])]
    for r in results:
        assert np.all(np.isfinite(r.hit_ratio)) and np.all((r.hit_ratio >= 0) & (r.hit_ratio <= 1))
    cc = content_cache(lam, [1, 2, 0.5], [1, 0.5, 0], [1, 1, 3.4])
    for arr in (cc.memory_hit_ratio, cc.ssd_hit_ratio, cc.miss_ratio):
        assert np.all(np.isfinite(arr))
    # Che's T for C = 1: the 1e200 item is cached, the others hardly.
    t = che_lru(lam, 1.0).characteristic_time
    assert np.sum(-np.expm1(-lam * t)) == pytest.approx(1.0, rel=1e-10)


# ---------------------------------------------------------------------------
# 3. Properties
# ---------------------------------------------------------------------------

rates_st = st.lists(st.floats(1e-4, 1e3), min_size=2, max_size=60).map(np.array)


@SETTINGS
@given(rates=rates_st, caps=st.lists(st.floats(0, 80), min_size=2, max_size=6))
def test_hit_ratio_never_falls_with_capacity(rates, caps):
    caps = np.sort(np.array(caps))
    for fn in (che_lru, fifo_random):
        h = fn(rates, caps).hit_ratio
        assert np.all(np.diff(h) >= -1e-10)  # solver noise ~1e-12
        assert np.all((h >= 0) & (h <= 1))
    h2 = two_lru(rates, 5.0, caps).hit_ratio
    assert np.all(np.diff(h2) >= -1e-10)
    hc = content_cache(rates, 3.0, 2.0, caps).hit_ratio
    assert np.all(np.diff(hc) >= -1e-9)


@SETTINGS
@given(rates=rates_st, data=st.data())
def test_dedup_never_lowers_hit_ratio(rates, data):
    ids = np.array(data.draw(st.lists(st.integers(0, 20), min_size=rates.size,
                                      max_size=rates.size)))
    cap = data.draw(st.floats(0.5, 40))
    merged = merge_duplicate_rates(rates, ids)
    assert merged.sum() == pytest.approx(rates.sum(), rel=1e-12)
    assert merged.size == np.unique(ids).size
    # the characteristic-time solve is exact to ~1e-12, and the order of the rates moves
    # the last bits (a permutation alone: 1.3e-12 seen), so allow 1e-10
    assert che_lru(merged, cap).hit_ratio >= che_lru(rates, cap).hit_ratio - 1e-10


@SETTINGS
@given(rates=rates_st, cs=st.floats(0, 50), cm=st.floats(0, 50), cd=st.floats(0, 80))
def test_content_cache_tiers_sum_to_one(rates, cs, cm, cd):
    r = content_cache(rates, cs, cm, cd)
    parts = np.array([r.memory_hit_ratio, r.ssd_hit_ratio, r.miss_ratio])
    assert np.all((parts >= 0) & (parts <= 1))
    assert parts.sum() == pytest.approx(1.0, abs=1e-12)
    assert r.hit_ratio == pytest.approx(parts[0] + parts[1], abs=1e-12)
    # Moving capacity from SSD to memory never changes the total, only the split.
    total = content_cache(rates, cs, cm + cd, 0.0)
    assert total.hit_ratio == pytest.approx(r.hit_ratio, abs=1e-8)
    assert total.ssd_hit_ratio == 0.0


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: che_lru([1.0, -1.0], 1), "rates"),
        (lambda: che_lru([[1.0, 2.0]], 1), "rates"),
        (lambda: che_lru([], 1), "rates"),
        (lambda: che_lru([0.0, 0.0], 1), "rates"),
        (lambda: che_lru([1.0, np.nan], 1), "rates"),
        (lambda: che_lru([1.0, 2.0], -1), "capacity"),
        (lambda: fifo_random([1.0, 2.0], np.nan), "capacity"),
        (lambda: extent_cache([1.0, 2.0], "big"), "capacity"),
        (lambda: two_lru([1.0, 2.0], -1, 1), "meta_capacity"),
        (lambda: two_lru([1.0, 2.0], 1, -2), "capacity"),
        (lambda: two_lru([1.0, 2.0], [1, 2], [1, 2, 3]), "meta_capacity"),
        (lambda: lru_m([1.0, 2.0], [1, 0]), "capacities_per_list"),
        (lambda: lru_m([1.0, 2.0], 3), "capacities_per_list"),
        (lambda: content_cache([1.0, 2.0], -1, 1, 1), "single_touch_capacity"),
        (lambda: content_cache([1.0, 2.0], 1, -1, 1), "multi_touch_memory_capacity"),
        (lambda: content_cache([1.0, 2.0], 1, 1, np.nan), "multi_touch_ssd_capacity"),
        (lambda: zipf_rates(0, 0.8), "n_items"),
        (lambda: zipf_rates(10.5, 0.8), "n_items"),
        (lambda: zipf_rates(10, -0.1), "alpha"),
        (lambda: zipf_rates(10, 0.8, total_rate=0), "total_rate"),
        (lambda: merge_duplicate_rates([1.0, 2.0], [1]), "content_ids"),
        (lambda: merge_duplicate_rates([1.0, 2.0], [1.5, 2]), "content_ids"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_zipf_rates():
    lam = zipf_rates(1_000, 0.8, total_rate=12.0)
    assert lam.sum() == pytest.approx(12.0)
    assert np.all(np.diff(lam) < 0)
    assert lam[0] / lam[9] == pytest.approx(10**0.8)
    np.testing.assert_allclose(zipf_rates(4, 0.0), 0.25)


# ------------------------------------------------------------------ multiplicities (weights=)

def _grouped_catalog(n_groups, max_weight, seed):
    """Rates with repeats, zero rates and zero weights: (rates, weights, expanded rates)."""
    rng = np.random.default_rng(seed)
    lam = zipf_rates(n_groups, 0.8) * rng.uniform(0.5, 2.0, n_groups)
    lam[3] = 0.0                       # a zero rate with a positive weight
    w = rng.integers(0, max_weight + 1, n_groups)
    w[0] = 0                           # the most popular rate: no item at all
    return lam, w, np.repeat(lam, w)


def _cc_ratios(r):
    return np.stack([r.memory_hit_ratio, r.ssd_hit_ratio, r.miss_ratio])


@pytest.mark.parametrize("n_groups, max_weight", [
    (400, 12),        # about 2,400 items: solved item by item
    (3_000, 180),     # about 270,000 items: above 2**17, compressed in log bins
])
def test_weighted_catalog_equals_expanded(n_groups, max_weight):
    """sum_i m_i g(lambda_i T) = C on the groups gives the expanded catalog's answer.

    Both forms go through the same equations (and the same log bins above
    2**17 items); they differ only by the order of floating-point sums.
    """
    lam, w, ex = _grouped_catalog(n_groups, max_weight, seed=n_groups)
    n = ex[ex > 0].size
    caps = np.array([0.0, 1.0, 17.0, 0.01 * n, 0.3 * n, 0.9 * n, n, 2.0 * n])
    for fn in (che_lru, extent_cache, fifo_random):
        a, b = fn(ex, caps), fn(lam, caps, weights=w)
        np.testing.assert_allclose(b.hit_ratio, a.hit_ratio, rtol=0, atol=1e-10)
        np.testing.assert_allclose(b.characteristic_time, a.characteristic_time, rtol=1e-10)
    a, b = two_lru(ex, 0.1 * n, caps), two_lru(lam, 0.1 * n, caps, weights=w)
    np.testing.assert_allclose(b.hit_ratio, a.hit_ratio, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b.characteristic_time, a.characteristic_time, rtol=1e-10)
    lists = np.array([[0.05, 0.2, 0.4], [0.1, 0.3, 0.4]]) * n
    a, b = lru_m(ex, lists), lru_m(lam, lists, weights=w)
    np.testing.assert_allclose(b.list_hit_ratio, a.list_hit_ratio, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b.characteristic_times, a.characteristic_times, rtol=1e-10)
    cs = n * np.array([0.0, 0.01, 0.05, 0.1, 0.02])
    cm = n * np.array([0.05, 0.0, 0.1, 0.2, 0.0])
    cd = n * np.array([0.3, 0.2, 0.0, 2.0, 0.0])
    a, b = content_cache(ex, cs, cm, cd), content_cache(lam, cs, cm, cd, weights=w)
    np.testing.assert_allclose(_cc_ratios(b), _cc_ratios(a), rtol=0, atol=1e-10)
    for t in ("single_touch_time", "multi_touch_time", "memory_time"):
        np.testing.assert_allclose(getattr(b, t), getattr(a, t), rtol=1e-10)
    # per-item probabilities are one per given rate, those of each of its copies
    np.testing.assert_allclose(np.repeat(b.item_hit_ratio(), w, axis=-1), a.item_hit_ratio(),
                               rtol=0, atol=1e-10)


def test_weights_of_ones_are_the_default():
    lam = zipf_rates(2_000, 0.9)
    caps = [10.0, 300.0]
    np.testing.assert_allclose(che_lru(lam, caps, weights=np.ones(lam.size)).hit_ratio,
                               che_lru(lam, caps).hit_ratio, rtol=0, atol=1e-12)
    a = content_cache(lam, 50, 100, 400)
    b = content_cache(lam, 50, 100, 400, weights=np.ones(lam.size))
    np.testing.assert_allclose(_cc_ratios(b), _cc_ratios(a), rtol=0, atol=1e-12)


def test_millions_of_copies_cost_nothing():
    """10**9 items in 2,000 groups: solved on the groups, the catalog size counts items."""
    lam = zipf_rates(2_000, 0.8)
    w = np.full(lam.size, 500_000)
    n = float(w.sum())
    rw = che_lru(lam, [0.5 * n, n], weights=w)
    # N identical copies of a catalog, N times the cache: the same hit ratio
    np.testing.assert_allclose(rw.hit_ratio[0], che_lru(lam, 1_000).hit_ratio, atol=1e-8)
    assert rw.hit_ratio[1] == 1.0 and np.isinf(rw.characteristic_time[1])
    cc = content_cache(lam, 0.05 * n, 0.1 * n, 0.3 * n, weights=w)
    ref = content_cache(lam, 100, 200, 600)
    np.testing.assert_allclose(_cc_ratios(cc), _cc_ratios(ref), atol=1e-8)


@pytest.mark.parametrize("weights, match", [
    ([1.0, 2.0, 3.0], "weights must have the shape"),
    ([1.0, -1.0], "weights"),
    ([1.0, np.nan], "weights"),
    ([0.0, 0.0], "weights must be positive"),
])
def test_bad_weights_name_the_parameter(weights, match):
    with pytest.raises(ValueError, match=match):
        che_lru([1.0, 2.0], 1, weights=weights)
    with pytest.raises(ValueError, match=match):
        content_cache([1.0, 2.0], 1, 1, 1, weights=weights)
