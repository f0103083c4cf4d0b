"""The agreements notebooks 01-04 state, checked here rather than by ``assert`` in reader cells.

Each test repeats the computation of one notebook cell (same seeds, same sizes)
and holds its numbers to the tolerance the notebook's text gives. Tolerances:
Monte Carlo against closed form as stated beside each test.
"""

import numpy as np
import polars as pl
import pytest

from hcimodel import caching, contentcache, hotspot, occupancy, replication as rep, shadowclone as sc
from hcimodel.clonepool import ClonePool, clone_pool_stream
from hcimodel.figures import cache as cache_figures
from hcimodel.figures import replication as replication_figures
from hcimodel.simulate import lru_hits, segmented_lru_replay
from hcimodel.workload import PROFILES
from hcimodel.cluster import Cluster, SitePair


# ------------------------------------------------------------------ 01 replica hot spot

def test_01_steady_state_monte_carlo_within_3_percent_p99_within_5():
    cluster = Cluster()
    login = PROFILES["login"]
    cf = hotspot.steady_state(2400, login, "linked_clones", cluster)
    mc = hotspot.simulate_steady_state(2400, login, "linked_clones", cluster, rng=2015)
    assert mc.to_frame().height == 6
    for row in mc.to_frame().iter_rows(named=True):
        expected = float(cf.read_latency[row["group"]][row["statistic"]][0])
        tol = 0.05 if row["statistic"] == "p99" else 0.03
        assert abs(row["latency_s"] / expected - 1) < tol, row


def test_01_boot_storm_mva_against_monte_carlo():
    from hcimodel.figures import hotspot as hotspot_figures

    boot = hotspot_figures.boot_storm_data(n_max=400, mc_points=(40, 240), boot_read_bytes=42e6)
    check = boot.filter(pl.col("source") == "monte carlo")
    assert check.height == 8
    for row in check.iter_rows(named=True):
        closed = hotspot.boot_storm(row["n_desktops"], strategy=row["strategy"], boot_read_bytes=42e6)
        expected = float(getattr(closed, row["metric"])[0])
        tol = 0.03 if row["metric"] == "mean_completion_s" else 0.06  # one run per point
        assert abs(row["value"] / expected - 1) < tol, row


# ------------------------------------------------------------------ 02 Shadow Clones

@pytest.mark.parametrize("H, N", [(4, 8), (8, 16), (16, 32)])
def test_02_detection_delay_within_four_standard_errors(H, N):
    sims = sc.simulate_detection_delay(H, N, 600.0, n_replications=20_000, rng=2015)
    cf = float(sc.detection_delay(H, N, 600.0))
    se = float(sims.std() / np.sqrt(sims.size))
    assert abs(float(sims.mean()) - cf) < 4 * se


@pytest.mark.parametrize("td", [0.0, 20.0])
def test_02_boot_storm_bytes_and_time_within_0_1_percent(td):
    block = sc.Replica().block_bytes
    cf = sc.warmup(16, Cluster(8), detection_delay_s=td)
    mc = sc.simulate_warmup(16, Cluster(8), detection_delay_s=td, rng=2015)
    assert abs(mc.total_bytes / float(cf.total_bytes) - 1) < 1e-3
    assert abs(mc.time_s / float(cf.time_s) - 1) < 1e-3
    assert abs(mc.remote_read_bytes - float(cf.remote_read_bytes)) <= 16 * block


def test_02_first_read_latency_within_2_percent():
    cf = sc.warmup(16, Cluster(8), detection_delay_s=0.0)
    mc = sc.simulate_warmup(16, Cluster(8), detection_delay_s=0.0, rng=2015)
    fetch_mean = float(mc.latency.filter(kind="fetch")["mean_s"][0])
    assert abs(fetch_mean / float(cf.fetch_latency_s) - 1) < 0.02


@pytest.mark.parametrize("alpha", [0.0, 0.9])
def test_02_steady_fetches_within_four_sd_of_occupancy(alpha):
    small = sc.Replica(size_bytes=1e9, used_bytes=40e6, boot_bytes=4e6, alpha=alpha)
    mc = sc.simulate_warmup(80, Cluster(8), replica=small, phase="steady", detection_delay_s=0.0,
                            n_reads_per_node=2 * small.n_blocks, rng=2015)
    cf = float(occupancy.expected_distinct(mc.reads_per_node[1:], small.popularity()).mean())
    got = float(mc.bytes_by_node[1:].mean()) / small.block_bytes
    assert abs(got - cf) < 4 * np.sqrt(small.n_blocks / 7)


def test_02_pool_with_private_blocks_fetches_at_most_the_zipf_closed_form():
    pool = ClonePool(n_desktops=80, base_blocks=10_000, private_blocks=2_000, alpha=0.8,
                     shared_read_fraction=0.8, written_fraction=0.1)
    mc = sc.simulate_warmup(80, Cluster(8), phase="steady", pool=pool, detection_delay_s=0.0,
                            n_reads_per_node=20_000, rng=2015)
    d = occupancy.expected_distinct(mc.reads_per_node[1:], sc.pool_popularity(pool))
    got = mc.bytes_by_node[1:] / pool.block_bytes
    noise = 4 * np.sqrt(float(d.mean()) / 7)
    bound = 0.33 * 0.1 / (10 * 0.9) * float(d.mean()) + noise
    assert -bound < float((got - d).mean()) < noise


def test_02_trace_replay_fetches_each_distinct_block_once_and_follows_the_irm_early():
    from hcimodel import traces

    try:
        trace = traces.read_vscsi(traces.data_path("cloudPhysicsIO.vscsi"))
    except FileNotFoundError as err:
        pytest.skip(str(err))
    keys, req = traces.block_keys(trace, 4096, ops="read", return_index=True)
    H = 4
    tmc = sc.replay_trace(keys, Cluster(H), request=req, times=trace["time_s"].to_numpy()[req],
                          assign="random", rng=2015)
    nodes = sc.assign_requests(req, H, "random", rng=2015)
    for h in range(1, H):
        assert int(tmc.bytes_by_node[h]) // 4096 == np.unique(keys[nodes == h]).size
    cur = tmc.curve.filter(pl.col("node") == 1)
    k = cur["reads"].to_numpy()
    irm_k = occupancy.expected_distinct(k, sc.empirical_popularity(keys))
    early = k <= 4000
    assert np.all(np.abs(cur["fetched_blocks"].to_numpy()[early] - irm_k[early])
                  <= 0.03 * irm_k[early] + 2)


# ------------------------------------------------------------------ 03 Content Cache

@pytest.mark.parametrize("ct", ["linked", "full"])
def test_03_replays_within_0_01_of_the_closed_forms(ct):
    p = cache_figures.FIGURE_POOL.replace(clone_type=ct)
    s = clone_pool_stream(p, 1_500_000, rng=2015)
    if ct == "linked":  # content keys are the location keys: one replay serves both
        assert np.array_equal(s.content_key, s.location_key)
    for dedup in ((True,) if ct == "linked" else (False, True)):
        rates = s.item_rates(dedup).rates
        keys = s.keys(dedup)
        lru = lru_hits(keys, 4000)[700_000:].mean()
        che = float(caching.che_lru(rates, 4000).hit_ratio)
        out = segmented_lru_replay(keys, 2048, 2048, 8192)[700_000:]
        cc = contentcache.content_cache(rates, 2048, 2048, 8192)
        assert abs(lru - che) < 0.01
        assert abs(np.mean(out == 1) - float(cc.memory_hit_ratio)) < 0.01
        assert abs(np.mean(out == 2) - float(cc.ssd_hit_ratio)) < 0.01


def test_03_hit_ratio_replays_within_0_03_of_the_closed_form():
    df = cache_figures.cache_size_data()
    cf = df.filter(pl.col("source") == "closed form")
    replay = df.filter(pl.col("source") == "replay")
    assert replay.height == 12
    for (ct, dedup), part in replay.group_by(["clone_type", "dedup"], maintain_order=True):
        ref = cf.filter((pl.col("clone_type") == ct) & (pl.col("dedup") == dedup))
        closed = np.interp(np.log(part["cache_mib"]), np.log(ref["cache_mib"]), ref["hit_ratio"])
        assert float(np.max(np.abs(closed - part["hit_ratio"].to_numpy()))) < 0.03, (ct, dedup)


# ------------------------------------------------------------------ 04 RPO and RTO

@pytest.mark.parametrize("rpo_h", [2, 4, 8])
def test_04_required_bandwidth_meets_the_half_rpo_rule(rpo_h):
    r = rpo_h * 3600.0
    b = float(rep.required_bandwidth(r, None, 50))
    check = rep.async_rpo(r / 2, 50, bandwidth_bps=b)
    assert bool(rep.meets_rpo_rule(check.transfer_s, r)) and bool(check.meets(r))


def test_04_flat_profile_monte_carlo_reproduces_the_closed_form():
    flat = rep.ChangeModel(daily_profile=rep.FLAT_DAY)
    cf = rep.async_rpo(3600.0, 50, flat, rate="mean")
    mc = rep.simulate_rpo(3600.0, [50], flat, rate="mean", target_rpo_s=3650.0,
                          run=rep.MonteCarlo(n_intervals=500), rng=2015)
    i, s = 3600.0, float(cf.transfer_s)
    assert 3650.0 < i + s  # the target lies inside the sawtooth: a share of time misses it
    assert abs(mc.estimate("mean_loss_s") / float(cf.mean_loss_s) - 1) < 1e-9
    assert abs(mc.estimate("worst_loss_s") / float(cf.worst_loss_s) - 1) < 1e-9
    assert abs(mc.estimate("miss_fraction") - (i + s - 3650.0) / i) < 1e-6
    assert abs(mc.estimate("p95_loss_s") / (s + 0.95 * i) - 1) < 0.01


def test_04_backlog_monte_carlo_mean_within_2_percent_p99_within_5():
    flat = rep.ChangeModel(daily_profile=rep.FLAT_DAY)
    slow = SitePair(bandwidth_bps=12e6)
    cf = rep.async_rpo(3600.0, 50, flat, slow, rate="mean", transfer_scv=1.0)
    mc = rep.simulate_rpo(3600.0, [50], flat, slow, rate="mean", delta_scv=1.0,
                          run=rep.MonteCarlo(n_intervals=5000, n_replications=8), rng=4)
    assert abs(mc.estimate("mean_loss_s") / float(cf.mean_loss_s) - 1) < 0.02
    assert abs(mc.estimate("worst_loss_s") / float(cf.worst_loss_s) - 1) < 0.05


def test_04_shared_link_twin_is_exact_and_noise_only_adds():
    dom = replication_figures.domains_data(max_domains=6)
    wide = dom.pivot(on="source", index=["schedule", "n_domains"], values="loss_s")
    assert wide.height == 12
    for row in wide.iter_rows(named=True):
        assert abs(row["monte carlo"] / row["closed form"] - 1) < 1e-9, row
        assert row["monte carlo, SCV 0.25"] > row["closed form"], row


def test_04_rto_phases_in_time_order_add_up():
    from hcimodel.replication.rto import PHASES

    r = rep.rto(300, 20)
    # the order notebook 04 lists them in
    phases = ("detection_s", "decision_s", "final_sync_s", "activation_s", "infrastructure_s",
              "power_on_s", "boot_s", "ready_s")
    assert phases == PHASES
    total = sum(float(getattr(r, k)) for k in phases)
    assert total == pytest.approx(float(r.total_s), rel=1e-12)
