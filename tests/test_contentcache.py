"""The Content Cache domain model: sizing rules, tiers, capacity, inverse, VSA."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcimodel import caching, contentcache
from hcimodel.clonepool import ClonePool, ItemRates, clone_pool_stream, item_rates
from hcimodel.units import GiB, MiB
from hcimodel.cluster import TierLatencies
from hcimodel.contentcache import (VSA_DEFAULT_BYTES, cache_needed,
                                   cache_sizing, content_cache_hits, content_cache_model,
                                   extent_cache_hits, view_storage_accelerator)
from hcimodel.simulate import lru_hits, segmented_lru_replay

SMALL = dict(n_desktops=20, base_blocks=4096, private_blocks=1024, written_fraction=0.2)
TINY = dict(n_desktops=10, base_blocks=1024, private_blocks=256, written_fraction=0.2)
BLOCK = 4096


# ------------------------------------------------------------------ sizing rules (printed examples)

def test_nos35_printed_example():
    """itbloodpressure.com (2014): 24 GB CVM -> 6.4 GB cache -> 4 GB Extent + 2.4 GB Content."""
    s = cache_sizing(24 * GiB, "nos35")
    assert float(s.stargate_bytes) == pytest.approx(16 * GiB, rel=1e-12)
    assert float(s.total_cache_bytes) == pytest.approx(6.4 * GiB, rel=1e-12)
    assert float(s.extent_cache_bytes) == pytest.approx(4.0 * GiB, rel=1e-12)
    assert float(s.content_cache_bytes) == pytest.approx(2.4 * GiB, rel=1e-12)
    assert bool(s.content_cache_enabled)


def test_unified_printed_example():
    """Unified Cache: (CVM memory - 12 GB) x 0.45; 32 GB -> 9 GB."""
    s = cache_sizing(32 * GiB, "unified")
    assert float(s.content_cache_bytes) == pytest.approx(9 * GiB, rel=1e-12)
    assert float(s.extent_cache_bytes) == 0.0


def test_nos35_branches():
    s = cache_sizing(np.array([16, 20, 32, 64]) * GiB, "nos35")
    # 16: cache 3.2 < 4 -> all extent, content off; 20: 4.8 -> 4 + 0.8 < 1 -> off
    # 32: 9.6 -> 5.76 + 3.84 (60 % above 4 GiB); 64: 22.4 -> 13.44 + 8.96
    assert np.allclose(s.total_cache_bytes / GiB, [3.2, 4.8, 9.6, 22.4])
    assert np.allclose(s.extent_cache_bytes / GiB, [3.2, 4.8, 5.76, 13.44])
    assert np.allclose(s.content_cache_bytes / GiB, [0, 0, 3.84, 8.96])
    assert s.content_cache_enabled.tolist() == [False, False, True, True]
    assert np.allclose(s.extent_cache_bytes + s.content_cache_bytes, s.total_cache_bytes)
    tiny = cache_sizing([4 * GiB, 8 * GiB], "unified")
    assert np.all(tiny.content_cache_bytes == 0)


def test_bad_sizing_input():
    with pytest.raises(ValueError, match="rule"):
        cache_sizing(32 * GiB, "aos6")
    with pytest.raises(ValueError, match="cvm_memory_bytes"):
        cache_sizing(-1.0)


def test_tier_latencies():
    lat = TierLatencies()
    # a miss is read from the extent store: 95 % SSD hot tier, 5 % HDD (0.5175 ms)
    miss = 0.95 * 0.15e-3 + 0.05 * 7.5e-3
    assert lat.miss_s == pytest.approx(miss, rel=1e-15)
    assert lat.mean_s(1, 0, 0) == 10e-6 and lat.mean_s(0, 0, 1) == pytest.approx(miss)
    assert lat.mean_s(0.5, 0.25, 0.25) == pytest.approx(0.5 * 10e-6 + 0.25 * 0.15e-3 + 0.25 * miss)
    assert TierLatencies(hot_tier_hit=0.0).miss_s == 7.5e-3  # all misses from HDD
    with pytest.raises(ValueError, match="ssd_s"):
        TierLatencies(ssd_s=-1)
    with pytest.raises(ValueError, match="hot_tier_hit"):
        TierLatencies(hot_tier_hit=1.5)


# ------------------------------------------------------------------ hit ratios of a pool

@pytest.mark.parametrize("clone_type", ["linked", "full"])
def test_content_cache_hits_is_caching_on_item_rates(clone_type):
    pool = ClonePool(clone_type=clone_type, **SMALL)
    mem = np.array([4, 16, 64]) * MiB
    h = content_cache_hits(pool, mem, 32 * MiB, dedup=True, single_touch_fraction=0.25)
    ref = contentcache.content_cache(item_rates(pool, True).rates, 0.25 * mem / BLOCK,
                                0.75 * mem / BLOCK, 32 * MiB / BLOCK)
    assert np.allclose(h.memory_hit_ratio, ref.memory_hit_ratio)
    assert np.allclose(h.ssd_hit_ratio, ref.ssd_hit_ratio)
    assert np.allclose(h.memory_hit_ratio + h.ssd_hit_ratio + h.miss_ratio, 1)
    # physical bytes held never exceed the cache; logical bytes never fall below them
    assert np.all(h.cached_bytes <= mem + 32 * MiB + 1)
    assert np.all(h.effective_capacity_bytes >= h.cached_bytes - 1e-6)


def test_effective_capacity_when_everything_fits():
    pool = ClonePool(clone_type="full", **SMALL)
    h = content_cache_hits(pool, 10 * GiB, dedup=True)
    assert float(h.hit_ratio) == 1.0
    assert float(h.effective_capacity_bytes) == pytest.approx(pool.logical_blocks * BLOCK)
    assert float(h.cached_bytes) == pytest.approx(item_rates(pool, True).n_items * BLOCK)
    # dedup of full clones: each cached block serves several desktops
    assert float(h.amplification) > 1.3
    e = extent_cache_hits(pool, 10 * GiB)
    assert float(e.amplification) == pytest.approx(1.0)


def test_effective_capacity_matches_per_item_sum():
    pool = ClonePool(clone_type="full", **SMALL)
    ir = item_rates(pool, True)
    h = content_cache_hits(pool, 8 * MiB, 8 * MiB, dedup=True)
    res = contentcache.content_cache(ir.rates, 0.25 * 8 * MiB / BLOCK, 0.75 * 8 * MiB / BLOCK,
                                8 * MiB / BLOCK)
    mem, ssd, _ = res.item_probabilities()
    assert float(h.effective_capacity_bytes) == pytest.approx(
        float(((mem + ssd) * ir.multiplicity).sum()) * BLOCK, rel=1e-9)
    assert float(h.cached_bytes) == pytest.approx(float((mem + ssd).sum()) * BLOCK, rel=1e-9)


def test_replay_of_a_stream_agrees_with_the_model():
    """Seeded replay of a full-clone stream, through the byte-level API, within 0.01.

    The multi-touch SSD part fills slowly (only promoted entries enter it), so
    the first 700,000 reads are a warm-up; after 250,000 reads only, the SSD
    hit ratio is still 0.02-0.1 below its steady state.
    """
    pool = ClonePool(clone_type="full", **SMALL)
    s = clone_pool_stream(pool, 1_500_000, rng=7)
    mem, ssd, f = 16 * MiB, 32 * MiB, 0.5
    cs = cm = int(f * mem / BLOCK)
    for dedup in (False, True):
        ir = s.item_rates(dedup)
        closed = contentcache.content_cache(ir.rates, cs, cm, ssd / BLOCK)
        out = segmented_lru_replay(s.keys(dedup), cs, cm, int(ssd / BLOCK))[700_000:]
        assert abs(np.mean(out == 1) - float(closed.memory_hit_ratio)) < 0.01
        assert abs(np.mean(out == 2) - float(closed.ssd_hit_ratio)) < 0.01
        model = content_cache_hits(pool, mem, ssd, dedup=dedup, single_touch_fraction=f)
        # expected-layout model vs this seed's replay: layout noise at 20 desktops included
        assert abs(np.mean(out > 0) - float(model.hit_ratio)) < 0.02


def test_grouped_solve_equals_the_expanded_catalog():
    """content_cache_hits solves on groups; the expanded per-key catalog gives the same.

    40 desktops: 204,800 keys without dedup, above the 2**17 at which the
    solvers compress a catalog in log bins (the groups are binned alike).
    """
    pool = ClonePool(clone_type="full", **{**SMALL, "n_desktops": 40})
    mem, ssd = np.array([4, 16, 64]) * MiB, 32 * MiB
    for dedup in (False, True):
        ir = item_rates(pool, dedup)
        h = content_cache_hits(pool, mem, ssd, dedup=dedup)
        ref = contentcache.content_cache(ir.rates, 0.25 * mem / BLOCK, 0.75 * mem / BLOCK, ssd / BLOCK)
        for q in ("memory_hit_ratio", "ssd_hit_ratio", "miss_ratio"):
            np.testing.assert_allclose(getattr(h, q), getattr(ref, q), rtol=0, atol=1e-10)
        held = ref.item_hit_ratio()
        np.testing.assert_allclose(h.cached_bytes, held.sum(axis=-1) * BLOCK, rtol=1e-10)
        np.testing.assert_allclose(h.effective_capacity_bytes,
                                   held @ ir.multiplicity * BLOCK, rtol=1e-10)
    e = extent_cache_hits(pool, mem)
    ref = contentcache.extent_cache(item_rates(pool, False).rates, mem / BLOCK)
    np.testing.assert_allclose(e.hit_ratio, ref.hit_ratio, rtol=0, atol=1e-10)


#: A realistic image (shared/REFERENCES.md: replicas of 25-40 GB with about 10 GB
#: used) and an assumed 1 GiB of private data per desktop, in 4 KiB blocks.
REALISTIC = dict(clone_type="full", base_blocks=10 * 2**30 // BLOCK, private_blocks=2**30 // BLOCK)


@pytest.mark.parametrize("n_desktops", [100, 1_000])
def test_realistic_pool_is_solved_on_groups(monkeypatch, n_desktops):
    """10 GiB base, 1 GiB private, 100 and 1,000 full clones, dedup on/off, both rules.

    Without dedup the pool has N (B + P) keys: 288 M for 100 desktops, 2.9 G
    for 1,000, 2.2 GiB or 22 GiB as one float per key. The model must never
    build such arrays: the per-key expansions are never asked for, every
    solver gets at most 2 B + P rates, and the peak of traced memory stays
    below a dozen arrays of 2 B + P floats and below half one per-key array.
    """
    import tracemalloc

    pool = ClonePool(n_desktops=n_desktops, **REALISTIC)
    B, P = pool.base_blocks, pool.private_blocks

    def expanded(self):
        raise AssertionError("the per-key rates of the pool were expanded")

    monkeypatch.setattr(ItemRates, "rates", property(expanded))
    monkeypatch.setattr(ItemRates, "multiplicity", property(expanded))
    sizes = []
    from hcimodel.contentcache import model

    for name in ("content_cache", "extent_cache"):
        def spy(rates, *args, _solver=getattr(model, name), **kwargs):
            sizes.append(np.size(rates))
            return _solver(rates, *args, **kwargs)
        monkeypatch.setattr(model, name, spy)
    n_items = []
    tracemalloc.start()
    try:
        for rule in ("nos35", "unified"):
            for dedup in (False, True):
                m = content_cache_model(pool, 24 * GiB, rule=rule, ssd_bytes=200 * GiB,
                                        dedup=dedup)
                h = m.hits
                assert 0 < float(h.hit_ratio) < 1
                assert float(h.memory_hit_ratio + h.ssd_hit_ratio + h.miss_ratio) == \
                    pytest.approx(1.0, abs=1e-12)
                # (times solved on log bins, bytes summed over exact groups: 1e-8)
                assert float(h.cached_bytes) <= (float(m.sizing.total_cache_bytes)
                                                 + 200 * GiB) * (1 + 1e-7)
                n_items.append(h.n_items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sizes) == 4 and max(sizes) <= 2 * B + P
    assert max(n_items) == n_desktops * (B + P)  # full clones, no dedup: a key per copy
    assert peak < 12 * 8 * (2 * B + P)
    assert peak < 8 * max(n_items) / 2  # far below one float per key of the no-dedup catalog


# ------------------------------------------------------------------ the domain model

def test_model_picks_the_cache_of_the_rule():
    pool = ClonePool(clone_type="full", **SMALL)
    m = content_cache_model(pool, 24 * GiB, rule="nos35", dedup=False, ssd_bytes=GiB)
    assert m.cache == "extent" and float(m.ssd_bytes) == 0.0
    assert float(m.hits.ssd_hit_ratio) == 0.0
    ref = extent_cache_hits(pool, 4 * GiB)
    assert float(m.hits.hit_ratio) == pytest.approx(float(ref.hit_ratio))
    m = content_cache_model(pool, 24 * GiB, rule="nos35", dedup=True, ssd_bytes=GiB)
    assert m.cache == "content"
    ref = content_cache_hits(pool, 2.4 * GiB, GiB, dedup=True)
    assert float(m.hits.hit_ratio) == pytest.approx(float(ref.hit_ratio))
    # Content Cache off (20 GiB CVM): no SSD part either
    m = content_cache_model(pool, 20 * GiB, rule="nos35", dedup=True, ssd_bytes=GiB)
    assert float(m.ssd_bytes) == 0.0 and float(m.hits.hit_ratio) == 0.0
    m = content_cache_model(pool, [24 * GiB, 32 * GiB], rule="unified", dedup=False)
    assert m.cache == "unified"
    df = m.to_frame()
    assert df.height == 2 and {"hit_ratio", "mean_read_latency_s",
                                "effective_capacity_bytes"} <= set(df.columns)


def test_model_latency_from_tiers():
    pool = ClonePool(clone_type="full", **SMALL)
    lat = TierLatencies(memory_s=1e-6, ssd_s=1e-4, hdd_s=1e-2, hot_tier_hit=0.0)
    m = content_cache_model(pool, 13 * GiB, rule="unified", ssd_bytes=8 * MiB, dedup=True,
                            latencies=lat)
    h = m.hits
    assert float(m.mean_read_latency_s) == pytest.approx(
        float(h.memory_hit_ratio) * 1e-6 + float(h.ssd_hit_ratio) * 1e-4 + float(h.miss_ratio) * 1e-2)
    with pytest.raises(ValueError, match="latencies"):
        content_cache_model(pool, latencies=3)


def test_dedup_matters_most_for_full_clones():
    gain = {}
    for ct in ("linked", "full"):
        pool = ClonePool(clone_type=ct, **SMALL)
        h = [float(content_cache_hits(pool, 32 * MiB, dedup=d).hit_ratio) for d in (False, True)]
        gain[ct] = h[1] - h[0]
    assert gain["linked"] == pytest.approx(0.0, abs=1e-12)
    assert gain["full"] > 0.1


# ------------------------------------------------------------------ inverse

@pytest.mark.parametrize("cache", ["content", "extent"])
def test_cache_needed_inverts_the_hit_ratio(cache):
    pool = ClonePool(clone_type="full", **TINY)
    targets = np.array([0.2, 0.5, 0.8, 0.95])
    need = cache_needed(pool, targets, dedup=True, cache=cache, ssd_fraction=0.5, rtol=1e-3)
    assert np.all(np.diff(need) > 0)
    ir = item_rates(pool, cache == "content")
    blocks = need / BLOCK
    for c, t in zip(blocks, targets):
        if cache == "extent":
            at = lambda x: float(contentcache.extent_cache(ir.rates, x).hit_ratio)  # noqa: E731
        else:
            at = lambda x: float(contentcache.content_cache(ir.rates, 0.125 * x, 0.375 * x,  # noqa: E731
                                                       0.5 * x).hit_ratio)
        assert at(c) >= t
        assert at(c * (1 - 2e-3)) < t


def test_cache_needed_dedup_needs_less():
    pool = ClonePool(clone_type="full", **TINY)
    a = cache_needed(pool, 0.7, dedup=False)
    b = cache_needed(pool, 0.7, dedup=True)
    assert b < 0.7 * a


@pytest.mark.parametrize("kwargs, match", [
    ({"target_hit_ratio": 1.0}, "target_hit_ratio"),
    ({"target_hit_ratio": 0.5, "ssd_fraction": 1.0}, "ssd_fraction"),
    ({"target_hit_ratio": 0.5, "cache": "lru"}, "cache"),
    ({"target_hit_ratio": 0.5, "single_touch_fraction": 0}, "single_touch_fraction"),
])
def test_cache_needed_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cache_needed(ClonePool(**TINY), **kwargs)


# ------------------------------------------------------------------ View Storage Accelerator

def test_vsa_range_and_default():
    pool = ClonePool(clone_type="full", **SMALL)
    assert VSA_DEFAULT_BYTES == 1024 * MiB
    for bad in (99 * MiB, 2049 * MiB):
        with pytest.raises(ValueError, match="cache_bytes"):
            view_storage_accelerator(pool, bad)
    with pytest.raises(ValueError, match="desktops_per_host"):
        view_storage_accelerator(pool, desktops_per_host=21)
    h = view_storage_accelerator(pool, [100 * MiB, 2048 * MiB])
    assert np.all(np.diff(h.hit_ratio) >= 0) and float(h.ssd_hit_ratio[0]) == 0.0


def test_vsa_dedups_at_4k():
    """CBRC digests each 4 KiB block: it merges more than 16 KiB fingerprints do."""
    pool = ClonePool(clone_type="full", unshare="chunk", **{**SMALL, "base_blocks": 2**15})
    vsa = float(view_storage_accelerator(pool, 100 * MiB).hit_ratio)
    at16k = float(caching.che_lru(item_rates(pool, True).rates, 100 * MiB / BLOCK).hit_ratio)
    at4k = float(caching.che_lru(item_rates(pool.replace(fingerprint_bytes=BLOCK), True).rates,
                                 100 * MiB / BLOCK).hit_ratio)
    assert vsa == pytest.approx(at4k) and vsa > at16k


def test_vsa_replay():
    """LRU replay keyed by 4 KiB content agrees with the VSA model within 0.01."""
    pool = ClonePool(clone_type="full", fingerprint_bytes=BLOCK, **SMALL)
    s = clone_pool_stream(pool, 600_000, rng=11)
    cap = 100 * MiB
    replay = lru_hits(s.content_key, int(cap / BLOCK))[150_000:].mean()
    closed = float(caching.che_lru(s.item_rates(True).rates, cap / BLOCK).hit_ratio)
    assert abs(replay - closed) < 0.01
    model = float(view_storage_accelerator(pool, cap).hit_ratio)
    assert abs(replay - model) < 0.02


# ------------------------------------------------------------------ properties

@settings(max_examples=12, deadline=None)
@given(clone_type=st.sampled_from(["linked", "full"]), w=st.floats(0, 1),
       mem=st.lists(st.integers(0, 3000), min_size=2, max_size=4),
       ssd=st.integers(0, 3000), n=st.integers(1, 8))
def test_content_cache_hit_ratio_monotone_in_memory_and_dedup(clone_type, w, mem, ssd, n):
    """Capacities in whole blocks (sub-block capacities are not physical): memory in
    multiples of 4 blocks, so that both of its pools (a quarter single-touch) hold
    whole blocks. (With 1 and 2 blocks of memory, pools of 0.25 and 0.5 block, the
    hit ratio fell by 4.6e-6: a sub-block artefact of the approximation.)"""
    pool = ClonePool(n_desktops=n, base_blocks=512, private_blocks=128, written_fraction=w,
                     clone_type=clone_type)
    mem = np.sort(np.asarray(mem)) * 4 * BLOCK
    ssd = ssd * BLOCK
    h = {d: content_cache_hits(pool, mem, ssd, dedup=d).hit_ratio for d in (False, True)}
    for d in (False, True):
        assert np.all(np.diff(h[d]) >= -1e-9)
    assert np.all(h[True] >= h[False] - 1e-9)


@settings(max_examples=20, deadline=None)
@given(cvm=st.lists(st.floats(0, 512), min_size=2, max_size=6), rule=st.sampled_from(["nos35", "unified"]))
def test_sizing_never_shrinks_the_total_cache(cvm, rule):
    s = cache_sizing(np.sort(np.asarray(cvm)) * GiB, rule)
    assert np.all(np.diff(s.total_cache_bytes) >= 0)
    assert np.all(s.extent_cache_bytes + s.content_cache_bytes <= s.total_cache_bytes * (1 + 1e-12))


# ------------------------------------------------------------------ the Monte Carlo twin

def test_twin_shapes_and_fields_follow_the_closed_form():
    pool = ClonePool(clone_type="full", **TINY)
    mem, ssd = [[2 * MiB], [8 * MiB]], [0.0, 4 * MiB]
    cf = content_cache_hits(pool, mem, ssd, dedup=True)
    mc = contentcache.simulate_content_cache_hits(pool, mem, ssd, n_requests=20_000, rng=3)
    assert isinstance(mc, contentcache.CacheHits)
    for name in ("memory_hit_ratio", "ssd_hit_ratio", "miss_ratio", "hit_ratio",
                 "cached_bytes", "effective_capacity_bytes"):
        assert getattr(mc, name).shape == getattr(cf, name).shape == (2, 2), name
    assert (mc.dedup, mc.n_items) == (cf.dedup, cf.n_items)
    np.testing.assert_allclose(mc.memory_hit_ratio + mc.ssd_hit_ratio + mc.miss_ratio, 1.0)
    assert np.all(mc.ssd_hit_ratio[:, 0] == 0)  # no SSD part, no SSD hit
    assert np.all(mc.effective_capacity_bytes >= mc.cached_bytes)
    scalar = contentcache.simulate_content_cache_hits(pool, 2 * MiB, n_requests=5_000, rng=3)
    assert scalar.hit_ratio.shape == () == content_cache_hits(pool, 2 * MiB).hit_ratio.shape


def test_twin_is_the_replay_of_the_pool_stream():
    """Same seed: the twin's ratios are those of segmented_lru_replay on clone_pool_stream,
    with the capacities the closed form uses (f M, (1 - f) M and D, in blocks)."""
    pool = ClonePool(clone_type="full", **TINY)
    n, w, mem, ssd = 30_000, 0.4, 2 * MiB, 1 * MiB
    for dedup in (False, True):
        mc = contentcache.simulate_content_cache_hits(pool, mem, ssd, dedup=dedup,
                                                      single_touch_fraction=0.5, n_requests=n,
                                                      warmup=w, rng=11)
        keys = clone_pool_stream(pool, n, rng=11).keys(dedup)
        half = int(mem / BLOCK / 2)
        out = segmented_lru_replay(keys, half, half, int(ssd / BLOCK))[int(w * n):]
        assert float(mc.memory_hit_ratio) == np.mean(out == 1)
        assert float(mc.ssd_hit_ratio) == np.mean(out == 2)
        assert float(mc.miss_ratio) == np.mean(out == 0)


def test_twin_takes_the_written_fraction_at_time_s():
    pool = ClonePool(clone_type="full", overwrite_rate_per_s=1e-3, **TINY)
    later = pool.replace(written_fraction=float(pool.written_fraction_at(600.0)),
                         overwrite_rate_per_s=0.0)
    a = contentcache.simulate_content_cache_hits(pool, 2 * MiB, time_s=600.0, n_requests=10_000,
                                                 rng=5)
    b = contentcache.simulate_content_cache_hits(later, 2 * MiB, n_requests=10_000, rng=5)
    assert float(a.hit_ratio) == float(b.hit_ratio) and a.n_items == b.n_items


def test_twin_with_a_cache_holding_everything_misses_first_reads_only():
    pool = ClonePool(**TINY)
    n = 20_000
    mc = contentcache.simulate_content_cache_hits(pool, np.inf, np.inf, n_requests=n, warmup=0.0,
                                                  single_touch_fraction=1.0, rng=2)
    keys = clone_pool_stream(pool, n, rng=2).keys(True)
    assert float(mc.miss_ratio) == pytest.approx(np.unique(keys).size / n, abs=1e-12)


@pytest.mark.parametrize("kwargs, name", [
    (dict(memory_bytes=-1.0), "memory_bytes"),
    (dict(memory_bytes=MiB, ssd_bytes=np.nan), "ssd_bytes"),
    (dict(memory_bytes=[MiB, MiB], ssd_bytes=[0.0, 0.0, 0.0]), "memory_bytes and ssd_bytes"),
    (dict(memory_bytes=MiB, n_requests=0), "n_requests"),
    (dict(memory_bytes=MiB, n_requests=2**63), "n_requests"),
    (dict(memory_bytes=MiB, warmup=1.0), "warmup"),
    (dict(memory_bytes=MiB, single_touch_fraction=0.0), "single_touch_fraction"),
    (dict(memory_bytes=MiB, time_s=-1.0), "time_s"),
])
def test_twin_bad_input_names_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        contentcache.simulate_content_cache_hits(ClonePool(**TINY), **kwargs)
    with pytest.raises(ValueError, match="pool"):
        contentcache.simulate_content_cache_hits("pool", MiB)
