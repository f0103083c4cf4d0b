"""size(): the composed numbers against the models called directly, and properties.

The scenarios use a small image (200 MB used, 20 MB private per desktop) so that
the cache model solves quickly; the composition does not depend on the sizes.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcimodel import contentcache, hotspot, replication, shadowclone
from hcimodel.sizing import loads, size
from hcimodel.sizing.core import Engine, Inputs
from hcimodel.workload import PROFILES

SMALL = """
[pools.office]
count = {count}
image = "200 MB"
private = "20 MB"
boot_read = "150 MB"
clone = ["linked_clones", "shadow_clones", "full_clones"]
{extra}
[node]
cores = 16
cvm_vcpu = 6
memory = "256 GiB"
cvm_memory = "32 GiB"
ssd = "800 GB"
hdd = "4 TB"
[cluster]
consolidation = 5
{cluster}
[protection]
mode = "async"
rpo = "4 h"
wan = "{wan}"
[targets]
read_latency_p95 = "{lat}"
boot_storm = "{boot}"
rto = "4 h"
hit_ratio = 0.5
"""


def scenario(count=300, extra="", cluster="", wan="100 Mbit/s", lat="2 ms", boot="15 min"):
    return loads(SMALL.format(count=count, extra=extra, cluster=cluster, wan=wan, lat=lat,
                              boot=boot))


LIGHT = 'vcpu = 1\nmemory = "1 GiB"\ndisk = "1 GiB"'  # CPU and memory do not bind


@pytest.fixture(scope="module")
def base():
    return size(scenario(), tornado=False, largest=False)


# ------------------------------------------------------------------ composition
def test_cpu_memory_capacity_by_hand(base):
    for s in base.strategies:
        # CPU: 300 desktops x 2 vCPU / ((16 - 6) cores x 5) = 12 usable nodes, + N+1
        assert s.limits["cpu"] == 12 + 1
        # memory: 300 x 4 GiB / (256 - 32) GiB = 5.36 -> 6, + 1
        assert s.limits["memory"] == 6 + 1
        # capacity: RF2 x (images + 300 x 5 GiB) x 1.25 / ((0.8 + 4) TB x 0.8)
        images = (1 if s.strategy == "full_clones" else 2) * 200e6
        need = math.ceil(2 * (images + 300 * 5 * 2**30) * 1.25 / (4.8e12 * 0.8))
        assert s.limits["capacity"] == need + 1
        assert s.limits["minimum"] == 3
        assert s.nodes == 13 and s.binding == ("cpu",)


def _cluster(h):
    return hotspot.Cluster(n_nodes=h, cvm_iops=20_000, rtt_s=200e-6, link_bps=10e9)


def _p95(strategy, n, h, iops=PROFILES["login"].iops):
    wl = PROFILES["login"].__class__(**{**PROFILES["login"].__dict__, "iops": iops})
    res = hotspot.steady_state(n, wl, strategy, _cluster(h))
    return max(float(res.read_latency[g]["p95"][0]) for g in hotspot.GROUPS
               if not np.isnan(res.read_latency[g]["p95"][0]))


def test_latency_limit_is_the_smallest_cluster_meeting_the_target():
    # 3,000 linked clones on 20,000-IOPS CVMs: the replica's CVM binds
    res = size(scenario(count=3000, lat="1 ms", extra=LIGHT),
               tornado=False, largest=False)
    s = res.strategy("linked_clones")
    u = int(s.limits["read_latency"]) - 1  # usable nodes (N+1)
    assert _p95("linked_clones", 3000, u) <= 1e-3
    assert u == 1 or _p95("linked_clones", 3000, u - 1) > 1e-3
    # the metric at the answer is the model's number (boot storms of 3,000 linked clones
    # never meet 15 min: the answer is then the 64-node maximum)
    assert math.isinf(s.nodes) and s.binding == ("boot_storm",)
    h = 64 - 1
    assert s.metrics["read_latency_p95_s"] == pytest.approx(_p95("linked_clones", 3000, h),
                                                             rel=1e-12)


def test_boot_storm_limit_and_metrics_against_the_models():
    res = size(scenario(count=2000, boot="4 min", extra=LIGHT), tornado=False, largest=False)
    full = res.strategy("full_clones")
    u = int(full.limits["boot_storm"]) - 1

    def storm(strategy, h):
        return float(hotspot.boot_storm(2000, strategy, _cluster(h),
                                        boot_read_bytes=150e6).duration_s[0])
    assert storm("full_clones", u) <= 240 and storm("full_clones", u - 1) > 240
    # Shadow Clones: the storm cannot end before the warm-up (shadowclone.warmup)
    sc = res.strategy("shadow_clones")
    h = int(sc.nodes) - 1
    w = shadowclone.warmup(h, 2000, replica=shadowclone.Replica(
        size_bytes=200e6, used_bytes=200e6, boot_bytes=150e6), link_bps=10e9, rtt_s=200e-6)
    assert sc.metrics["boot_storm_s"] == pytest.approx(max(storm("shadow_clones", h),
                                                           float(w.time_s)), rel=1e-12)
    assert sc.metrics["warmup_bytes"] == pytest.approx(float(w.total_bytes), rel=1e-12)
    assert full.metrics["warmup_bytes"] == 0


def test_cache_metrics_against_contentcache(base):
    s = base.strategy("full_clones")
    per_node = math.ceil(300 / s.metrics["usable_nodes"])
    from hcimodel.clonepool import ClonePool
    pool = ClonePool(n_desktops=per_node, base_blocks=math.ceil(200e6 / 4096),
                     private_blocks=math.ceil(20e6 / 4096),
                     shared_read_fraction=PROFILES["knowledge"].replica_read_fraction,
                     read_iops=PROFILES["knowledge"].read_iops)
    m = contentcache.content_cache_model(pool, 32 * 2**30, rule="unified", dedup=True)
    assert s.metrics["hit_ratio"] == pytest.approx(float(m.hits.hit_ratio), rel=1e-12)
    # Unified Cache: (32 GiB - 12 GiB) x 0.45 = 9 GiB (Nutanix Bible)
    assert s.metrics["cache_per_node_bytes"] == pytest.approx(9 * 2**30)


@pytest.mark.filterwarnings("ignore:n_desktops = 300 exceeds the guideline")
def test_rpo_and_bandwidth_against_replication(base):
    p = base.protection
    w = 9.0 * (1 - 0.25) * 10e3  # knowledge: 9 IOPS, 75 % writes of 10 kB
    change = replication.ChangeModel(write_bytes_per_s=w)
    link = replication.Link(bandwidth_bps=100e6)
    interval = 7200.0  # RPO/2 within async's >= 1 h
    ref = replication.async_rpo(interval, 300, change, link)
    assert p["interval_s"] == interval
    assert p["worst_loss_s"] == pytest.approx(float(ref.worst_loss_s), rel=1e-12)
    assert p["bandwidth_needed_bps"] == pytest.approx(
        float(replication.required_bandwidth(4 * 3600, interval, 300, change, link)), rel=1e-12)
    assert p["protection_domains"] == 6  # 300 desktops, 50 per PD


def test_rto_against_replication(base):
    s = base.strategy("full_clones")
    h = int(s.nodes)
    ref = replication.rto(300, 20, cluster=_cluster(h), strategy="full_clones",
                          boot_read_bytes=150e6)
    assert s.metrics["rto_s"] == pytest.approx(float(ref.total_s), rel=1e-12)


def test_floating_pools_need_no_replication():
    res = size(scenario(extra="persistent = false"), tornado=False, largest=False)
    assert res.protection["protected_desktops"] == 0
    assert "rto_s" not in res.strategies[0].metrics
    assert res.strategies[0].limits["rto"] == 0 + 1


# ------------------------------------------------------------------ sentences
def test_unmet_rpo_gets_a_sentence_with_the_bandwidth_that_would_meet_it():
    res = size(scenario(count=300, wan="10 Mbit/s"), tornado=False, largest=False)
    p = res.protection
    assert not p["met"]
    msg = next(m for m in res.messages if m.startswith("RPO"))
    assert f"{p['bandwidth_needed_bps'] / 1e6:.1f} Mbit/s" in msg
    # and at that bandwidth the target is met
    ok = size(scenario(count=300, wan=f"{p['bandwidth_needed_bps'] * 1.0001:.0f} bit/s"),
              tornado=False, largest=False)
    assert ok.protection["met"]


def test_async_cannot_meet_an_hour():
    res = size(loads(SMALL.format(count=100, extra="", cluster="", wan="10 Gbit/s", lat="2 ms",
                                  boot="15 min").replace('rpo = "4 h"', 'rpo = "1 h"')),
               tornado=False, largest=False)
    assert any("NearSync" in m for m in res.messages)


def test_unreachable_latency_says_why():
    res = size(scenario(count=3000, lat="60 us", cluster="max_nodes = 8"), tornado=False,
               largest=False)
    s = res.strategy("linked_clones")
    assert math.isinf(s.nodes) and "read_latency" in s.binding
    assert any(m.startswith("linked_clones: the login-storm p95") and "Shadow Clones" in m
               for m in res.messages)


def test_unmet_hit_ratio_names_the_cvm_memory():
    text = SMALL.format(count=300, extra="", cluster="", wan="1 Gbit/s", lat="2 ms",
                        boot="15 min").replace("hit_ratio = 0.5", "hit_ratio = 0.99").replace(
        'private = "20 MB"', 'private = "1 GB"')
    res = size(loads(text), tornado=False, largest=False)
    assert any("CVM cache serves" in m and "CVM of" in m for m in res.messages)


# ------------------------------------------------------------------ properties
@settings(max_examples=8, deadline=None)
@given(st.integers(1, 4000), st.integers(1, 4000))
def test_more_desktops_never_need_fewer_nodes(a, b):
    lo, hi = sorted((a, b))
    for strat in ("linked_clones", "shadow_clones", "full_clones"):
        n = [Engine(s).nodes(Inputs(s), strat)["nodes"][0]
             for s in (scenario(count=lo), scenario(count=hi))]
        assert n[0] <= n[1]


def test_more_bandwidth_never_worsens_the_rpo():
    worst = []
    for wan in ("5 Mbit/s", "20 Mbit/s", "50 Mbit/s", "100 Mbit/s", "1 Gbit/s"):
        s = scenario(wan=wan)
        res, _, _ = Engine(s).rpo(Inputs(s))
        worst.append(float(res.worst_loss_s[0]))
    assert all(a >= b for a, b in zip(worst, worst[1:]))
    assert math.isinf(worst[0]) and math.isfinite(worst[-1])


UNCERTAIN = ('login_iops = {min = 8, max = 13}\nreplica_read_fraction = {min = 0.3, max = 0.9}\n'
             'steady_iops = {min = 6, max = 12}\nvcpu = {min = 1, max = 3}')


def test_higher_confidence_never_needs_fewer_nodes():
    s = scenario(count=1500, extra=UNCERTAIN, wan="1 Gbit/s", boot="6 min")
    nodes = [size(s, confidence=c, n_draws=200, tornado=False, largest=False)
             .strategy("shadow_clones").nodes_at_confidence for c in (0.2, 0.5, 0.8, 0.95)]
    assert all(a <= b for a, b in zip(nodes, nodes[1:]))
    res = size(s, n_draws=200, tornado=False, largest=False)
    for st_ in res.strategies:
        assert np.all(np.diff(st_.probability) >= 0)
        assert np.all(st_.probability <= st_.probability_nodes)


def test_zero_width_range_gives_the_deterministic_answer_exactly():
    det = size(scenario(extra="login_iops = 11.0\nsteady_iops = 9.5"), tornado=False)
    zero = size(scenario(extra='login_iops = {min = 11.0, max = 11.0}\n'
                               'steady_iops = {dist = "triangular", min = 9.5, mode = 9.5, '
                               'max = 9.5}'), tornado=False)
    assert zero.n_draws == 0
    for a, b in zip(det.strategies, zero.strategies):
        assert a.nodes == b.nodes and a.limits == b.limits and a.metrics == b.metrics
        assert a.largest_pool == b.largest_pool
        assert np.array_equal(a.probability, b.probability)
    assert det.protection == zero.protection and det.messages == zero.messages


def test_draws_are_seeded_and_reported():
    s = scenario(count=1500, extra=UNCERTAIN, wan="1 Gbit/s", boot="6 min")
    a = size(s, seed=3, n_draws=100, tornado=False, largest=False)
    b = size(s, seed=3, n_draws=100, tornado=False, largest=False)
    assert a.seed == 3 and a.n_draws == 100
    assert [x.probability.tolist() for x in a.strategies] == \
        [x.probability.tolist() for x in b.strategies]


def test_tornado_ranks_the_inputs():
    s = scenario(count=1500, extra=UNCERTAIN, wan="1 Gbit/s", boot="6 min")
    res = size(s, n_draws=50, largest=False)
    t = res.tornado
    assert set(t["input"].unique()) == {"pools.office.login_iops",
                                        "pools.office.replica_read_fraction",
                                        "pools.office.steady_iops", "pools.office.vcpu"}
    # vCPU moves the CPU-bound node count most: 1 to 3 vCPU per desktop
    assert t.filter(t["rank"] == 1)["input"][0] == "pools.office.vcpu"
    nodes = t.filter((t["input"] == "pools.office.vcpu") & (t["metric"] == "nodes")
                     & (t["strategy"] == "full_clones"))
    assert nodes["value_low"][0] < nodes["value_high"][0]


def test_largest_pool_is_consistent_with_the_nodes_needed(base):
    s = base.strategy("full_clones")
    for h, n in s.largest_pool.items():
        sc = scenario(count=int(n))
        assert Engine(sc).nodes(Inputs(sc), "full_clones")["nodes"][0] <= h
        sc = scenario(count=int(n) + 1)
        assert Engine(sc).nodes(Inputs(sc), "full_clones")["nodes"][0] > h


def test_result_frames_and_dicts(base):
    f = base.to_frame()
    assert f.columns == ["strategy", "section", "metric", "value"]
    assert f.filter((f["section"] == "answer") & (f["metric"] == "nodes")).height == 3
    d = base.to_dict()
    assert d["version"] and d["seed"] == 0 and d["inputs"]["pools.office.count"] == 300
    import json
    json.dumps(d)


def test_bad_arguments():
    s = scenario()
    with pytest.raises(ValueError, match="confidence"):
        size(s, confidence=1.0)
    with pytest.raises(ValueError, match="n_draws"):
        size(s, n_draws=0)
    with pytest.raises(ValueError, match="scenario must be"):
        size(42)


TWO_POOLS = """
[pools.office]
count = 200
image = "200 MB"
private = "20 MB"
boot_read = "150 MB"
clone = ["shadow_clones", "full_clones"]
[pools.kiosk]
count = 300
vcpu = 1
memory = "2 GiB"
image = "200 MB"
private = "20 MB"
boot_read = "150 MB"
persistent = false
clone = "full_clones"
[node]
cores = 16
cvm_vcpu = 6
[cluster]
consolidation = 5
[protection]
rpo = "4 h"
"""


def test_two_pools_add_up_and_only_persistent_desktops_are_replicated():
    s = loads(TWO_POOLS)
    assert s.strategies() == ("shadow_clones", "full_clones")
    e = Engine(s)
    inp = Inputs(s)
    # CPU: (200 x 2 + 300 x 1) vCPU / ((16 - 6) x 5) = 14 usable nodes, + N+1
    assert e.nodes(inp, "shadow_clones")["cpu"][0] == 15
    # memory: (200 x 4 + 300 x 2) GiB / (256 - 32) GiB = 6.25 -> 7, + 1
    assert e.nodes(inp, "full_clones")["memory"][0] == 8
    assert e.protected(inp)[0] == 200
    # the kiosk pool keeps full clones when the office pool is sized with Shadow Clones
    assert dict(e.pools("shadow_clones")) == {"office": "shadow_clones", "kiosk": "full_clones"}
    # each pool's latency has the other pool's login I/O as background on every CVM
    u = 5
    other = 300 * PROFILES["login"].iops
    ref = _p95_at(200, u, cvm=20_000 - other / u)
    row = tuple(float(c[0]) for c in e.latency_args(inp, "office"))
    assert e.p95("shadow_clones", u, row) == pytest.approx(ref, rel=1e-12)


def _p95_at(n, h, cvm):
    res = hotspot.steady_state(n, PROFILES["login"], "shadow_clones",
                               hotspot.Cluster(n_nodes=h, cvm_iops=cvm))
    return max(float(res.read_latency[g]["p95"][0]) for g in hotspot.GROUPS)


def test_draws_use_every_level_equally_often():
    from hcimodel.sizing.api import draw_inputs
    s = scenario(extra=UNCERTAIN)
    d = draw_inputs(s, 650, np.random.default_rng(1), levels=65)
    x = d["pools.office.login_iops"]
    values, counts = np.unique(x, return_counts=True)
    assert values.size == 65 and np.all(counts == 10)
    # the midpoints of 65 equal-probability strata of uniform(8, 13)
    assert values[0] == pytest.approx(8 + 5 * 0.5 / 65) and values[-1] == pytest.approx(13 - 5 * 0.5 / 65)
    assert set(np.unique(d["pools.office.vcpu"])) <= {1.0, 2.0, 3.0}  # counts are whole
