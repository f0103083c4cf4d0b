"""Clone-pool read streams: keys with and without dedup, and their analytic rates.

The replays are exact (hcimodel.simulate); the closed forms are the
characteristic-time approximations of hcimodel.caching fed with
clonepool.item_rates. Tolerance 0.01 absolute hit ratio (issue: "analytic
models agree with seeded replays of Zipf streams within 0.01"); the margins
seen are below 0.005.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcimodel import caching, contentcache
from hcimodel.clonepool import CLONE_TYPES, ClonePool, clone_pool_stream, item_rates
from hcimodel.simulate import lru_hits, segmented_lru_replay

SMALL = dict(n_desktops=20, base_blocks=4096, private_blocks=1024, written_fraction=0.2)
WARMUP = 300_000


@pytest.fixture(scope="module", params=[("linked", "block"), ("full", "block"),
                                        ("full", "chunk")], ids=lambda p: "-".join(p))
def stream(request):
    clone_type, unshare = request.param
    pool = ClonePool(clone_type=clone_type, unshare=unshare, **SMALL)
    return clone_pool_stream(pool, 1_000_000, rng=20151)


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("kwargs, match", [
    ({"clone_type": "thin"}, "clone_type"),
    ({"fingerprint_bytes": 6000}, "fingerprint_bytes"),
    ({"unshare": "extent"}, "unshare"),
    ({"n_desktops": 0}, "n_desktops"),
    ({"written_fraction": 1.5}, "written_fraction"),
    ({"private_blocks": 0, "shared_read_fraction": 0.9}, "shared_read_fraction"),
    ({"read_iops": 0}, "read_iops"),
    ({"alpha": -1}, "alpha"),
])
def test_bad_pool_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClonePool(**kwargs)


def test_bad_stream_arguments():
    with pytest.raises(ValueError, match="n_requests"):
        clone_pool_stream(ClonePool(), 0)
    with pytest.raises(ValueError, match="pool"):
        clone_pool_stream("pool", 10)
    with pytest.raises(ValueError, match="time_s"):
        item_rates(ClonePool(), True, time_s=-1)


# ------------------------------------------------------------------ the stream

def test_stream_is_reproducible_and_seed_dependent():
    pool = ClonePool(clone_type="full", **SMALL)
    a = clone_pool_stream(pool, 10_000, rng=1)
    b = clone_pool_stream(pool, 10_000, rng=1)
    c = clone_pool_stream(pool, 10_000, rng=2)
    assert np.array_equal(a.content_key, b.content_key) and np.array_equal(a.time_s, b.time_s)
    assert not np.array_equal(a.content_key, c.content_key)


def test_stream_shares_and_key_structure(stream):
    pool = stream.pool
    B, P = pool.base_blocks, pool.private_blocks
    base = stream.block < B
    assert abs(base.mean() - pool.shared_read_fraction) < 0.003
    # base blocks are written with probability w (Bernoulli per desktop and block)
    assert abs(stream.written[base].mean() - pool.written_fraction) < 0.01
    assert np.all(stream.written[~base])
    # a key below B is a shared base block, above B a unique (desktop, block)
    for dedup in (False, True):
        k = stream.keys(dedup)
        shared = k < B
        assert np.array_equal(k[shared], stream.block[shared])
        assert np.array_equal(k[~shared], B + stream.desktop[~shared] * (B + P) + stream.block[~shared])
    if pool.clone_type == "linked":
        assert np.array_equal(stream.content_key, stream.location_key)
        assert np.array_equal(stream.location_key < B, ~stream.written)
    else:
        assert not np.any(stream.location_key < B)
        # 'chunk': 16 KiB fingerprints, 4 KiB blocks: a base block dedups iff its 4 blocks
        # are unwritten; 'block' (default, the Bible): iff it is unwritten itself
        k = pool.unshare_blocks
        assert k == (4 if pool.unshare == "chunk" else 1) and pool.blocks_per_chunk == 4
        expect = (1 - pool.written_fraction) ** k
        # request-weighted, so the layout of the few most popular chunks over 20
        # desktops adds noise (s.d. about 0.01 from the head chunk alone)
        assert abs((stream.content_key[base] < B).mean() - expect) < 0.03
        # unweighted over distinct (desktop, block) pairs read, it is much closer
        d, b = stream.desktop[base], stream.block[base]
        pair, first = np.unique(d * B + b, return_index=True)
        assert abs((stream.content_key[base][first] < B).mean() - expect) < 0.01


def test_full_clone_chunk_is_shared_only_if_every_block_is_unwritten():
    pool = ClonePool(clone_type="full", unshare="chunk", **SMALL)
    s = clone_pool_stream(pool, 300_000, rng=3)
    B = pool.base_blocks
    # the written flag of (desktop, block) pairs, learned from the stream itself
    seen = {}
    for d, b, w in zip(s.desktop.tolist(), s.block.tolist(), s.written.tolist()):
        if b < B:
            seen[(d, b)] = w
    checked = 0
    for d, b, key in zip(s.desktop[:20_000].tolist(), s.block[:20_000].tolist(),
                         s.content_key[:20_000].tolist()):
        if b >= B:
            continue
        first = b - b % 4
        flags = [seen.get((d, first + j)) for j in range(4)]
        if None in flags:
            continue
        checked += 1
        assert (key < B) == (not any(flags))
    assert checked > 1000


def test_fingerprint_at_block_size_dedups_every_unwritten_block():
    pool = ClonePool(clone_type="full", fingerprint_bytes=4096, unshare="chunk", **SMALL)
    s = clone_pool_stream(pool, 100_000, rng=4)
    assert np.array_equal(s.content_key < pool.base_blocks, ~s.written)


def test_default_unshare_block_keeps_the_untouched_part_of_a_chunk_shared():
    """Nutanix Bible: a write to a de-duplicated extent leaves its untouched part shared."""
    pool = ClonePool(clone_type="full", **SMALL)
    assert pool.unshare == "block" and pool.fingerprint_bytes == 16384
    s = clone_pool_stream(pool, 100_000, rng=4)
    assert np.array_equal(s.content_key < pool.base_blocks, ~s.written)
    chunk = pool.replace(unshare="chunk")
    w = pool.written_fraction
    assert float(pool.shared_probability(True)) == pytest.approx(1 - w)
    assert float(chunk.shared_probability(True)) == pytest.approx((1 - w) ** 4)
    # the same seed draws the same written layout: chunk sharing is a subset of block sharing
    c = clone_pool_stream(chunk, 100_000, rng=4)
    assert np.array_equal(c.written, s.written)
    assert np.all((c.content_key < pool.base_blocks) <= (s.content_key < pool.base_blocks))


def test_writes_over_time_replace_shared_content():
    pool = ClonePool(clone_type="linked", overwrite_rate_per_s=1e-3, written_fraction=0.0,
                     **{k: v for k, v in SMALL.items() if k != "written_fraction"})
    s = clone_pool_stream(pool, 400_000, rng=5)
    base = s.block < pool.base_blocks
    t_end = s.time_s[-1]
    late = base & (s.time_s > 0.9 * t_end)
    early = base & (s.time_s < 0.1 * t_end)
    assert s.written[early].mean() < s.written[late].mean()
    w_late = float(pool.written_fraction_at(0.95 * t_end))
    assert abs(s.written[late].mean() - w_late) < 0.02
    # a block once written stays written: per (desktop, block) the flag never goes back
    key = s.desktop[base] * pool.base_blocks + s.block[base]
    order = np.lexsort((s.time_s[base], key))
    k, w = key[order], s.written[base][order]
    same = k[1:] == k[:-1]
    assert not np.any(same & w[:-1] & ~w[1:])


def test_from_profile_takes_rates_of_the_profile():
    from hcimodel.workload import PROFILES
    pool = ClonePool.from_profile("login", n_desktops=10)
    assert pool.read_iops == PROFILES["login"].read_iops
    assert pool.shared_read_fraction == PROFILES["login"].replica_read_fraction


# ------------------------------------------------------------------ analytic rates

@pytest.mark.parametrize("clone_type", CLONE_TYPES)
@pytest.mark.parametrize("dedup", [False, True])
def test_item_rates_conserve_rate_and_logical_blocks(clone_type, dedup):
    pool = ClonePool(clone_type=clone_type, **SMALL)
    ir = item_rates(pool, dedup)
    assert ir.total_rate == pytest.approx(pool.n_desktops * pool.read_iops, rel=1e-12)
    assert ir.multiplicity.sum() == pool.logical_blocks
    assert np.all(ir.rates > 0)
    assert ir.n_items == int(ir.group_count.sum())
    assert np.allclose(np.repeat(ir.group_rates, ir.group_count), ir.rates)


def test_item_rates_count_of_keys():
    N, B, P = SMALL["n_desktops"], SMALL["base_blocks"], SMALL["private_blocks"]
    w = SMALL["written_fraction"]
    full = ClonePool(clone_type="full", **SMALL)
    linked = ClonePool(clone_type="linked", **SMALL)
    assert item_rates(full, False).n_items == N * (B + P)
    # linked: B shared + N w B written + N P private
    assert abs(item_rates(linked, False).n_items - (B + N * w * B + N * P)) <= 1
    for unshare, pi in (("block", 1 - w), ("chunk", (1 - w) ** 4)):
        f = full.replace(unshare=unshare)
        assert abs(item_rates(f, True).n_items - (B + N * (1 - pi) * B + N * P)) <= 1
    # dedup of linked clones finds nothing more to merge
    a, b = item_rates(linked, False), item_rates(linked, True)
    assert np.array_equal(a.rates, b.rates)


@pytest.mark.parametrize("clone_type", CLONE_TYPES)
@pytest.mark.parametrize("dedup", [False, True])
def test_item_rates_groups_do_not_grow_with_the_desktops(clone_type, dedup):
    """At most 2 B + P groups whatever N: the keys grow with N, the groups do not."""
    B, P = SMALL["base_blocks"], SMALL["private_blocks"]
    small = item_rates(ClonePool(clone_type=clone_type, **SMALL), dedup)
    pool = ClonePool(clone_type=clone_type, **{**SMALL, "n_desktops": 5_000})
    big = item_rates(pool, dedup)
    assert small.n_groups <= 2 * B + P and big.n_groups <= 2 * B + P
    assert big.n_items > 100 * small.n_items  # 250 times the desktops
    assert big.total_rate == pytest.approx(pool.n_desktops * pool.read_iops, rel=1e-12)
    assert float(big.group_count @ big.group_multiplicity) == pool.logical_blocks
    if clone_type == "full" and not dedup:
        # one group per block, the N copies of it
        assert big.n_groups == B + P and np.all(big.group_count == pool.n_desktops)


# ------------------------------------------------------------------ closed form vs replay

@pytest.mark.parametrize("dedup", [False, True])
def test_lru_replay_agrees_with_che(stream, dedup):
    ir = stream.item_rates(dedup)
    keys = stream.keys(dedup)
    for cap in (1000, 4000, 16000):
        replay = lru_hits(keys, cap)[WARMUP:].mean()
        closed = float(caching.che_lru(ir.rates, cap).hit_ratio)
        assert abs(replay - closed) < 0.01, (cap, replay, closed)


@pytest.mark.parametrize("dedup", [False, True])
def test_content_cache_replay_agrees_with_closed_form(stream, dedup):
    ir = stream.item_rates(dedup)
    keys = stream.keys(dedup)
    for cap in (2000, 12000):
        cs, cm, cd = cap // 4, cap // 4, cap // 2
        out = segmented_lru_replay(keys, cs, cm, cd)[WARMUP:]
        closed = contentcache.content_cache(ir.rates, cs, cm, cd)
        assert abs(np.mean(out == 1) - float(closed.memory_hit_ratio)) < 0.01
        assert abs(np.mean(out == 2) - float(closed.ssd_hit_ratio)) < 0.01


@pytest.mark.parametrize("clone_type", CLONE_TYPES)
def test_expected_rates_agree_with_a_realized_layout(clone_type):
    """item_rates (expected counts) versus the rates of one seeded layout of writes.

    The gap is the sampling noise of the layout over the desktops: 0.013 at 20
    desktops (head chunks of a Zipf law shared by few desktops), 0.005 at 100.
    """
    pool = ClonePool(clone_type=clone_type, **{**SMALL, "n_desktops": 100})
    s = clone_pool_stream(pool, 10, rng=20151)
    for dedup in (False, True):
        exp = caching.che_lru(item_rates(pool, dedup).rates, [1000, 4000, 16000]).hit_ratio
        real = caching.che_lru(s.item_rates(dedup).rates, [1000, 4000, 16000]).hit_ratio
        assert np.all(np.abs(exp - real) < 0.01), (dedup, exp, real)


def test_realized_rates_conserve_rate_and_logical_blocks(stream):
    for dedup in (False, True):
        ir = stream.item_rates(dedup)
        assert ir.total_rate == pytest.approx(stream.pool.n_desktops * stream.pool.read_iops)
        assert ir.multiplicity.sum() == stream.pool.logical_blocks
        assert np.unique(stream.keys(dedup)).size <= ir.n_items


def test_dedup_matters_most_for_full_clones():
    gains = {}
    for ct in CLONE_TYPES:
        pool = ClonePool(clone_type=ct, **SMALL)
        h = [float(caching.che_lru(item_rates(pool, d).rates, 8000).hit_ratio) for d in (False, True)]
        gains[ct] = h[1] - h[0]
    assert gains["linked"] == 0.0
    assert gains["full"] > 0.1


# ------------------------------------------------------------------ properties

@settings(max_examples=25, deadline=None)
@given(clone_type=st.sampled_from(CLONE_TYPES), w=st.floats(0, 1), seed=st.integers(0, 2**32),
       cap=st.integers(0, 3000), n=st.integers(1, 6))
def test_dedup_never_lowers_an_lru_hit(clone_type, w, seed, cap, n):
    """Merging keys only shortens stack distances: request by request, not just on average."""
    pool = ClonePool(n_desktops=n, base_blocks=512, private_blocks=128, written_fraction=w,
                     clone_type=clone_type)
    s = clone_pool_stream(pool, 5000, rng=seed)
    without = lru_hits(s.location_key, cap)
    with_dedup = lru_hits(s.content_key, cap)
    assert np.all(with_dedup >= without)


@settings(max_examples=25, deadline=None)
@given(clone_type=st.sampled_from(CLONE_TYPES), w=st.floats(0, 1), alpha=st.floats(0, 1.5),
       caps=st.lists(st.floats(0, 5000), min_size=2, max_size=6), n=st.integers(1, 8))
def test_closed_form_hit_ratio_monotone_in_capacity_and_dedup(clone_type, w, alpha, caps, n):
    pool = ClonePool(n_desktops=n, base_blocks=512, private_blocks=128, written_fraction=w,
                     alpha=alpha, clone_type=clone_type)
    caps = np.sort(np.asarray(caps))
    h = {d: caching.che_lru(item_rates(pool, d).rates, caps).hit_ratio for d in (False, True)}
    for d in (False, True):
        assert np.all(np.diff(h[d]) >= -1e-12)
    assert np.all(h[True] >= h[False] - 1e-12)
