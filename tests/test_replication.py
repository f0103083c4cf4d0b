"""Protection domains: closed forms by hand, published rules, Monte Carlo agreement."""

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcimodel import replication as rep
from hcimodel.cluster import Cluster, SitePair

FLAT = rep.ChangeModel(daily_profile=rep.FLAT_DAY)


# ------------------------------------------------------------------ change model, link

def test_unique_bytes_hot_set_by_hand():
    ch = rep.ChangeModel(write_bytes_per_s=1000.0, hot_set_bytes=1e6, cold_fraction=0.2,
                         daily_profile=rep.FLAT_DAY)
    # 0.2 * 1e6 + 1e6 * (1 - exp(-0.8)) = 200,000 + 550,671.0360
    assert ch.unique_bytes(1000.0) == pytest.approx(750_671.0360, rel=1e-9)
    assert ch.unique_bytes(0.0) == 0.0
    # sub-linear: less than written, more than the cold share
    t = np.array([60.0, 3600.0, 86400.0])
    u = ch.unique_bytes(t)
    assert np.all(u < 1000.0 * t) and np.all(u > 0.2 * 1000.0 * t)
    # rate factor r at interval t equals interval r t at the mean rate
    assert ch.unique_bytes(500.0, rate=2.0) == pytest.approx(ch.unique_bytes(1000.0))


def test_measured_curve_interpolates_and_extrapolates():
    ch = rep.ChangeModel(write_bytes_per_s=100.0, daily_profile=rep.FLAT_DAY,
                         curve_s=[100.0, 200.0], curve_bytes=[5000.0, 8000.0])
    assert ch.unique_bytes([50.0, 150.0, 300.0]) == pytest.approx([2500.0, 6500.0, 11000.0])


def test_daily_profile_normalised_and_peak():
    ch = rep.ChangeModel()
    assert ch.daily_profile.mean() == pytest.approx(1.0)
    assert ch.peak_factor == pytest.approx(2.2 / (20.1 / 24))
    assert rep.profile_rate_factor(ch, 0.0, 86400.0) == pytest.approx(1.0)
    assert rep.profile_rate_factor(ch, 8 * 3600.0, 9 * 3600.0) == pytest.approx(ch.peak_factor)


def test_link_transfer_and_rtt_by_hand():
    link = SitePair(bandwidth_bps=100e6, efficiency=0.8, compression_ratio=2.0, setup_s=3.0)
    # 1 GB changed -> 0.5 GB sent -> 4e9 bit at 80 Mbit/s = 50 s, + 3 s
    assert link.transfer_s(1e9) == pytest.approx(53.0)
    assert SitePair(distance_km=100).rtt_s == pytest.approx(1e-3)  # 1 ms per 100 km


# ------------------------------------------------------------------ closed forms

def test_deterministic_loss_by_hand():
    worst, mean, miss = rep.deterministic_loss(3600.0, 600.0, target_s=4000.0)
    assert worst == 4200.0 and mean == 2400.0
    assert miss == pytest.approx(200.0 / 3600.0)
    worst, mean, miss = rep.deterministic_loss(3600.0, 4000.0, target_s=4000.0)
    assert np.isinf(worst) and np.isinf(mean) and miss == 1.0


def test_backlog_wait_dm1_and_unstable():
    w, ok = rep.backlog_wait(3600.0, 1800.0, 1.0)
    s = 0.2031878699
    assert ok and w == pytest.approx(s / (1 - s) * 1800.0, rel=1e-8)
    w0, _ = rep.backlog_wait(3600.0, 1800.0, 0.0)
    assert w0 == 0.0
    w, ok = rep.backlog_wait([3600.0, 3600.0], [3600.0, 5000.0], 1.0)
    assert np.all(np.isinf(w)) and not np.any(ok) and not np.any(np.isnan(w))


def test_async_rpo_matches_hand_computation():
    ch, link = FLAT, SitePair()
    res = rep.async_rpo(3600.0, 50, ch, link, rate="mean")
    delta = 50 * ch.unique_bytes(3600.0)
    s = 8 * delta / (2.0 * 0.8 * 100e6)
    assert res.delta_bytes == pytest.approx(delta)
    assert res.transfer_s == pytest.approx(s)
    assert res.worst_loss_s == pytest.approx(3600 + s)
    assert res.mean_loss_s == pytest.approx(1800 + s)
    assert bool(res.stable) and not bool(res.fallback)
    frame = res.to_frame()
    assert set(frame["metric"]) >= {"worst_loss_s", "mean_loss_s"}


def test_async_rpo_unstable_is_inf_not_nan():
    res = rep.async_rpo([3600.0, 7200.0], 50, FLAT, bandwidth_bps=1e6, transfer_scv=1.0)
    assert not np.any(res.stable)
    assert np.all(np.isinf(res.worst_loss_s)) and np.all(np.isinf(res.mean_loss_s))
    assert not np.any(np.isnan(res.wait_s))


def test_nearsync_falls_back_to_hourly():
    office = rep.ChangeModel(write_bytes_per_s=26_250.0, daily_profile=rep.FLAT_DAY)
    res = rep.async_rpo([60.0, 900.0], 50, office, mode="nearsync", rate="mean",
                        bandwidth_bps=[[6.2e6], [50e6]])
    # at 6.2 Mbit/s the 1-min schedule cannot keep up, the hourly one can (coalescing)
    assert res.fallback[0, 0] and res.interval_s[0, 0] == 3600.0 and res.stable[0, 0]
    assert not res.fallback[1].any() and list(res.interval_s[1]) == [60.0, 900.0]


def test_rpo_half_rule_is_the_closed_form_at_interval_half_rpo():
    # vSphere Replication: 15-min RPO -> transfers of at most 7.5 min
    assert rep.meets_rpo_rule(450.0, 900.0) and not rep.meets_rpo_rule(451.0, 900.0)
    rpo = 7200.0
    bw = np.geomspace(2e6, 200e6, 60)
    res = rep.async_rpo(rpo / 2, 50, FLAT, rate="mean", bandwidth_bps=bw)
    assert np.array_equal(res.meets(rpo), rep.meets_rpo_rule(res.transfer_s, rpo))
    assert res.meets(rpo).any() and not res.meets(rpo).all()


def test_required_bandwidth_delivers_the_target():
    for target, interval in ((7200.0, None), (10800.0, 3600.0), (14400.0, 3600.0)):
        b = rep.required_bandwidth(target, interval, 50, FLAT, rate="mean")
        res = rep.async_rpo(interval or target / 2, 50, FLAT, rate="mean", bandwidth_bps=b)
        assert float(res.worst_loss_s) <= target * (1 + 1e-12)
        slower = rep.async_rpo(interval or target / 2, 50, FLAT, rate="mean",
                               bandwidth_bps=0.99 * b)
        assert float(slower.worst_loss_s) > target or not bool(slower.stable)
    assert np.isinf(rep.required_bandwidth(3600.0, 3600.0, 50, FLAT))


def test_shared_link_aligned_versus_staggered_by_hand():
    assert list(rep.shared_link_loss(3600.0, 600.0, 3, "aligned")) == [4200.0, 4800.0, 5400.0]
    assert list(rep.shared_link_loss(3600.0, 600.0, 3, "staggered")) == [4200.0] * 3
    assert np.all(np.isinf(rep.shared_link_loss(3600.0, 1300.0, 3, "staggered")))


def test_sync_write_latency_by_hand():
    wan = SitePair()  # only if sync writes had to share the 100 Mbit/s async WAN link
    lat = rep.sync_write_latency(100.0, 10e3, sites=wan)
    # RTT 1 ms + 8e4 bit at 80 Mbit/s = 1 ms, no queue
    assert lat.added_s == pytest.approx(2e-3) and lat.queue_s == 0.0
    # M/D/1 on the link: rho = 0.5 -> Wq = rho / (2 mu (1 - rho)) = 0.5 ms
    lat = rep.sync_write_latency(100.0, 10e3, write_rate_bytes_per_s=5e6, sites=wan)
    assert lat.queue_s == pytest.approx(0.5e-3)
    lat = rep.sync_write_latency(0.0, 10e3, write_rate_bytes_per_s=20e6, sites=wan)
    assert np.isinf(lat.added_s) and not lat.stable


def test_sync_write_latency_uses_its_own_metro_link():
    # default metro link: 10 Gbit/s at 80 %, 100 km: RTT 1 ms + 8e4 bit at 8 Gbit/s = 10 us
    lat = rep.sync_write_latency(100.0, 10e3)
    assert lat.serialization_s == pytest.approx(1e-5) and lat.added_s == pytest.approx(1.01e-3)
    assert rep.sync_write_latency().added_s == pytest.approx(1.01e-3)  # distance of the link
    metro = SitePair(bandwidth_bps=1e9, distance_km=50.0)
    lat = rep.sync_write_latency(sites=metro)
    assert lat.rtt_s == pytest.approx(0.5e-3) and lat.serialization_s == pytest.approx(1e-4)
    # rho = 0.5 on the metro link: 500 MB/s of 10 kB writes -> Wq = 5 us
    lat = rep.sync_write_latency(100.0, 10e3, write_rate_bytes_per_s=500e6)
    assert lat.queue_s == pytest.approx(0.5 * 1e-5 / (2 * 0.5))


# ------------------------------------------------------------------ Monte Carlo twin

def test_mc_deterministic_matches_closed_form():
    res = rep.async_rpo(3600.0, 50, FLAT, rate="mean")
    sim = rep.simulate_rpo(3600.0, [50], FLAT, rate="mean", target_rpo_s=3700.0,
                           run=rep.MonteCarlo(n_intervals=500), rng=11)
    s, i = float(res.transfer_s), 3600.0
    assert sim.estimate("mean_loss_s") == pytest.approx(float(res.mean_loss_s), rel=1e-9)
    assert sim.estimate("worst_loss_s") == pytest.approx(float(res.worst_loss_s), rel=1e-9)
    assert sim.estimate("miss_fraction") == pytest.approx((i + s - 3700.0) / i, rel=1e-6)
    # loss uniform on [S, I + S]
    assert sim.estimate("p95_loss_s") == pytest.approx(s + 0.95 * i, rel=0.01)
    assert sim.estimate("p99_loss_s") == pytest.approx(s + 0.99 * i, rel=0.01)


def test_twin_compares_field_by_field_with_the_closed_form():
    # two staggered domains that never wait for each other: each is the closed form of
    # one domain alone on the link, field by field, and the long frames line up
    domains = [50, 30]
    cf = rep.async_rpo(3600.0, np.array(domains), FLAT, rate="mean")
    sim = rep.simulate_rpo(3600.0, domains, FLAT, rate="mean",
                           run=rep.MonteCarlo(n_intervals=300), rng=1)
    assert isinstance(sim, rep.AsyncRPO)
    for f in dataclasses.fields(rep.AsyncRPO):
        a, b = getattr(cf, f.name), getattr(sim, f.name)
        if f.name == "mode":
            assert a == b == "async"
        else:
            assert np.shape(a) == np.shape(b) == (2,), f.name
            np.testing.assert_allclose(np.asarray(b, float), np.asarray(a, float), rtol=1e-9,
                                       atol=1e-9, err_msg=f.name)
    fc, fs = cf.to_frame(), sim.to_frame()
    assert fc.columns == ["point", "interval_s", "stable", "metric", "value"]
    assert fs.columns[:5] == fc.columns and {"ci_low", "ci_high"} <= set(fs.columns)
    both = fc.join(fs, on=["point", "metric"], suffix="_mc")
    assert both.height == fc.height == 2 * len(rep.AsyncRPO.METRICS)
    np.testing.assert_allclose(both["value_mc"], both["value"], rtol=1e-9, atol=1e-9)
    assert set(fs["metric"]) == {*rep.AsyncRPO.METRICS, "p95_loss_s", "p99_loss_s", "max_loss_s"}


def test_twin_schedule_takes_offsets_and_marks_an_overloaded_link_unstable():
    sites = SitePair(bandwidth_bps=50e6)
    given = rep.simulate_rpo(3600.0, [50] * 2, FLAT, sites, rate="mean", schedule=[0.0, 1800.0],
                             run=rep.MonteCarlo(n_intervals=100), rng=1)
    stag = rep.simulate_rpo(3600.0, [50] * 2, FLAT, sites, rate="mean",
                            run=rep.MonteCarlo(n_intervals=100), rng=1)
    assert given.estimates.equals(stag.estimates) and np.all(given.stable)
    over = rep.simulate_rpo(3600.0, [50] * 8, FLAT, SitePair(bandwidth_bps=8e6), rate="mean",
                            run=rep.MonteCarlo(n_intervals=100), rng=1)
    assert not np.any(over.stable) and over.utilization.sum() > 1
    with pytest.raises(ValueError, match="schedule"):
        rep.simulate_rpo(3600.0, [50] * 2, schedule=[0.0, 3600.0])
    with pytest.raises(ValueError, match="n_intervals"):
        rep.MonteCarlo(n_intervals=5)
    with pytest.raises(ValueError, match="failures"):
        rep.MonteCarlo(failures="weibull")


@pytest.mark.parametrize("scv, tol_mean, tol_worst", [(1.0, 0.02, 0.05), (2.0, 0.03, 0.10),
                                                      (0.5, 0.02, 0.05)])
def test_mc_random_transfers_match_dg1(scv, tol_mean, tol_worst):
    link = SitePair(bandwidth_bps=16e6)  # rho about 0.37
    res = rep.async_rpo(3600.0, 50, FLAT, link, rate="mean", transfer_scv=scv)
    sim = rep.simulate_rpo(3600.0, [50], FLAT, link, rate="mean", delta_scv=scv,
                           run=rep.MonteCarlo(n_intervals=5000, n_replications=8), rng=3)
    assert sim.estimate("mean_loss_s") == pytest.approx(float(res.mean_loss_s), rel=tol_mean)
    assert sim.estimate("worst_loss_s") == pytest.approx(float(res.worst_loss_s), rel=tol_worst)
    if scv == 1.0:  # D/M/1 is exact: the wait within the Monte Carlo CI
        est = sim.estimates
        row = est.filter((est["metric"] == "wait_s") & (est["domain"] == 0))
        assert row["ci_low"][0] <= float(res.wait_s) <= row["ci_high"][0]


def test_mc_shared_link_aligned_versus_staggered():
    link = SitePair(bandwidth_bps=50e6)
    s = float(rep.async_rpo(3600.0, 50, FLAT, link, rate="mean").transfer_s)
    expect = rep.shared_link_loss(3600.0, s, 4, "aligned")
    sim = rep.simulate_rpo(3600.0, [50] * 4, FLAT, link, rate="mean", schedule="aligned",
                           run=rep.MonteCarlo(n_intervals=200), rng=5)
    for p in range(4):
        assert sim.estimate("max_loss_s", p) == pytest.approx(expect[p], rel=1e-9)
    stag = rep.simulate_rpo(3600.0, [50] * 4, FLAT, link, rate="mean", schedule="staggered",
                            run=rep.MonteCarlo(n_intervals=200), rng=5)
    assert stag.estimate("max_loss_s", -1) == pytest.approx(3600.0 + s, rel=1e-9)


def test_mc_poisson_failures_same_law():
    link = SitePair(bandwidth_bps=20e6)
    kw = dict(rate="mean", delta_scv=1.0)
    uni = rep.simulate_rpo(3600.0, [50], FLAT, link, rng=8, **kw,
                           run=rep.MonteCarlo(n_intervals=2000, n_replications=6))
    poi = rep.simulate_rpo(3600.0, [50], FLAT, link, rng=8, **kw, run=rep.MonteCarlo(
        n_intervals=2000, n_replications=6, failures="poisson", failure_rate_per_s=1 / 3600.0))
    assert poi.estimate("failures") == pytest.approx(0.9 * 2000 - 1, rel=0.1)
    assert poi.estimate("p95_loss_s") == pytest.approx(uni.estimate("p95_loss_s"), rel=0.08)


def test_mc_unstable_backlog_grows():
    sim = rep.simulate_rpo(3600.0, [50], FLAT, rate="mean",
                           sites=SitePair(bandwidth_bps=2e6),
                           run=rep.MonteCarlo(n_intervals=200), rng=1)
    assert sim.estimate("mean_loss_s") > 20 * 3600.0


def test_mc_bit_identical_for_a_seed():
    kw = dict(rate="profile", delta_scv=0.5, run=rep.MonteCarlo(n_intervals=300),
              target_rpo_s=5000.0)
    a = rep.simulate_rpo(3600.0, [50, 40], **kw, rng=2015)
    b = rep.simulate_rpo(3600.0, [50, 40], **kw, rng=np.random.default_rng(2015))
    assert a.estimates.equals(b.estimates)
    c = rep.simulate_rpo(3600.0, [50, 40], **kw, rng=2016)
    assert not a.estimates.equals(c.estimates)


# ------------------------------------------------------------------ RTO and failback

def test_rto_phases_by_hand():
    from hcimodel import hotspot
    kw = dict(boot_read_bytes=42e6, shadow_clones=False, infrastructure_s=())
    r = rep.rto(100, 10, **kw)
    d = hotspot.boot_storm([1, 100], strategy="linked_clones", boot_read_bytes=42e6).duration_s
    assert r.activation_s == 240.0  # 2 PDs of 50, 120 s each, one at a time
    assert r.power_on_s == 100.0  # 10 waves of 10 s
    assert r.boot_s == pytest.approx(max(100 + d[0], 10 + d[1]) - 100)
    assert r.total_s == pytest.approx(300 + 900 + 240 + 100 + float(r.boot_s) + 60)
    p = rep.rto(100, 10, planned=True, final_sync_s=120.0, **kw)
    assert p.total_s == pytest.approx(float(r.total_s) - 1200 + 120) and p.planned
    assert set(r.to_frame()["phase"]) == {*rep.PHASES, "total_s"}


def test_rto_infrastructure_first_and_phases_in_time_order():
    kw = dict(boot_read_bytes=42e6, shadow_clones=False)
    r = rep.rto(100, 10, **kw)
    bare = rep.rto(100, 10, infrastructure_s=(), **kw)
    # directory/DNS 5 min -> broker database 5 min -> vCenter 10 min -> connection servers 5 min
    assert [n for n, _ in rep.INFRASTRUCTURE] == ["directory_dns", "broker_database", "vcenter",
                                                  "connection_servers"]
    assert float(r.infrastructure_s) == 1500.0
    assert float(r.total_s) == pytest.approx(float(bare.total_s) + 1500.0)
    f = r.to_frame()
    assert f["phase"].to_list() == [*rep.PHASES, "total_s"]
    assert f["step"].to_list() == list(range(1, len(rep.PHASES) + 2))
    assert f.filter(phase="total_s")["share"][0] == 1.0
    assert f.filter(phase="activation_s")["assumed"][0]
    with pytest.raises(ValueError, match="infrastructure"):
        rep.rto(100, infrastructure_s=(("vcenter", -1.0),))


def test_rto_flags_only_the_assumed_defaults_the_caller_kept():
    def flags(r):
        f = r.to_frame()
        return dict(zip(f["phase"], f["assumed"]))

    kw = dict(boot_read_bytes=42e6, shadow_clones=False)
    default = flags(rep.rto(100, 10, **kw))
    assert default == {"detection_s": True, "decision_s": True, "final_sync_s": False,
                       "activation_s": True, "infrastructure_s": True, "power_on_s": True,
                       "boot_s": False, "ready_s": True, "total_s": False}
    given = flags(rep.rto(100, 10, detection_s=60.0, decision_s=0.0, ready_s=30.0,
                          activation_s_per_pd=90.0, activation_parallelism=4,
                          infrastructure_s=(("vcenter", 420.0),), **kw))
    assert not any(given[p] for p in ("detection_s", "decision_s", "ready_s", "activation_s",
                                      "infrastructure_s"))
    assert given["power_on_s"]  # register_s and power_on_s kept their assumed defaults
    # one assumed input left is enough to flag the phase
    assert flags(rep.rto(100, 10, activation_s_per_pd=90.0, **kw))["activation_s"]
    # a planned failover skips detection and decision (planned zeros), and its final sync
    # is assumed only when left at its default
    planned = flags(rep.rto(100, 10, planned=True, **kw))
    assert not planned["detection_s"] and not planned["decision_s"] and planned["final_sync_s"]
    assert not flags(rep.rto(100, 10, planned=True, final_sync_s=120.0, **kw))["final_sync_s"]
    assert not flags(rep.rto(100, 10, infrastructure_s=(), **kw))["infrastructure_s"]
    # per element: the default detection time is assumed, the given one is not
    r = rep.rto(100, 10, detection_s=[300.0, 120.0], **kw)
    f = r.to_frame().filter(phase="detection_s").sort("seconds")
    assert f["assumed"].to_list() == [False, True]


def test_activation_sensitivity_names_an_array_argument():
    with pytest.raises(ValueError, match="detection_s must be a single value"):
        rep.activation_sensitivity(100, [60.0, 120.0], detection_s=[300.0, 600.0])
    with pytest.raises(ValueError, match="detection_ss must be an argument of rto"):
        rep.activation_sensitivity(100, [60.0], detection_ss=300.0)
    df = rep.activation_sensitivity(100, [60.0, 120.0], detection_s=600.0,
                                    cluster=Cluster(n_nodes=8))
    assert df.height == 2 and df["total_s"][1] - df["total_s"][0] == pytest.approx(120.0)


def test_rto_uses_shadow_clones_by_default():
    """AOS 4.0.2+: the recovery-site boot storm gets Shadow Clones after detection."""
    from hcimodel import hotspot, shadowclone
    on = rep.rto(1000, 20, infrastructure_s=())
    off = rep.rto(1000, 20, infrastructure_s=(), shadow_clones=False)
    assert bool(on.shadow_clones) and not bool(off.shadow_clones)
    d_sc = hotspot.boot_storm([1, 1000], strategy="shadow_clones").duration_s
    # 4 nodes, power-ons over 500 s: detection at the third remote node's first power-on
    td = float(shadowclone.detection_delay(4, 1000, 500.0))
    n_pre = int(np.ceil(1000 * td / 500.0))
    d_pre = float(hotspot.boot_storm(n_pre, strategy="linked_clones").duration_s[0])
    assert float(on.boot_s) == pytest.approx(max(500 + d_sc[0], 10 + d_sc[1], 10 + d_pre) - 500)
    assert float(on.boot_s) < float(off.boot_s)
    # a lag longer than the power-ons: every desktop boots as a linked clone first
    late = rep.rto(1000, 20, infrastructure_s=(), detection_lag_s=1e4)
    assert float(late.boot_s) == pytest.approx(float(off.boot_s))
    # three nodes never detect: the storm is the linked clones'
    small = Cluster(n_nodes=3)
    assert float(rep.rto(200, cluster=small).boot_s) == pytest.approx(
        float(rep.rto(200, cluster=small, shadow_clones=False).boot_s))


def test_activation_is_flagged_and_its_sensitivity_shown():
    r = rep.rto(1000)
    assert float(r.activation_share) == pytest.approx(float(r.activation_s / r.total_s))
    assert "activation_s" in r.notes[0] and "assumed" in r.notes[0]
    df = rep.activation_sensitivity(1000, [30.0, 120.0, 600.0])
    # 20 PDs one at a time: the RTO moves by 20 s per second of activation
    assert np.diff(df["total_s"].to_numpy()) == pytest.approx([20 * 90.0, 20 * 480.0])
    assert df["activation_share"][1] == pytest.approx(float(r.activation_share))
    with pytest.raises(ValueError, match="activation_s_per_pd"):
        rep.activation_sensitivity(1000, [-1.0])


def test_failback_by_hand():
    ch = rep.ChangeModel(write_bytes_per_s=100.0, daily_profile=rep.FLAT_DAY,
                         curve_s=[3600.0, 86400.0], curve_bytes=[3e5, 2e6])
    fb = rep.failback(86400.0, 10, ch, SitePair(bandwidth_bps=1e6))
    assert fb.changed_bytes == 2e7 and fb.sent_bytes == 1e7
    assert fb.transfer_s == pytest.approx(8e7 / 0.8e6)


# ------------------------------------------------------------------ monotonicity

@settings(max_examples=40, deadline=None)
@given(i=st.floats(3600.0, 86400.0), di=st.floats(1.0, 20000.0),
       bw=st.floats(5e6, 1e9), n=st.integers(1, 50))
def test_loss_grows_with_interval_and_shrinks_with_bandwidth(i, di, bw, n):
    a = rep.async_rpo([i, i + di], n, bandwidth_bps=bw)
    # coalescing: S/I falls with I, so a longer interval can be stable where a
    # shorter one is not; where both are stable, loss grows with the interval
    assert a.utilization[1] <= a.utilization[0] * (1 + 1e-12)
    if a.stable[0]:
        assert a.stable[1]
        assert a.mean_loss_s[0] <= a.mean_loss_s[1] and a.worst_loss_s[0] <= a.worst_loss_s[1]
    b = rep.async_rpo(i, n, bandwidth_bps=[bw, 1.5 * bw], transfer_scv=1.0)
    assert b.mean_loss_s[1] <= b.mean_loss_s[0] and b.wait_s[1] <= b.wait_s[0]


@settings(max_examples=40, deadline=None)
@given(rho=st.floats(0.01, 0.99), scv=st.floats(0.0, 3.0))
def test_wait_grows_with_load_and_variability(rho, scv):
    w, _ = rep.backlog_wait(1.0, [rho, min(rho * 1.05, 0.999)], scv)
    assert w[0] <= w[1]
    w2, _ = rep.backlog_wait(1.0, rho, [scv, scv + 0.5])
    assert w2[0] <= w2[1]


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 300), k=st.integers(1, 50))
def test_rto_grows_with_pool_and_shrinks_with_parallelism(n, k):
    r = rep.rto([[n], [n + 25]], [k, k + 5], boot_read_bytes=42e6)
    assert np.all(r.total_s[0] <= r.total_s[1] + 1e-9)
    assert np.all(r.total_s[:, 1] <= r.total_s[:, 0] + 1e-9)


# ------------------------------------------------------------------ bad inputs

@pytest.mark.parametrize("call, name", [
    (lambda: rep.simulate_rpo(3600.0, domains=[]), "domains"),
    (lambda: rep.ChangeModel(write_bytes_per_s=-1.0), "write_bytes_per_s"),
    (lambda: rep.ChangeModel(cold_fraction=1.5), "cold_fraction"),
    (lambda: rep.ChangeModel(daily_profile=np.ones(12)), "daily_profile"),
    (lambda: SitePair(bandwidth_bps=0.0), "bandwidth_bps"),
    (lambda: SitePair(compression_ratio=0.5), "compression_ratio"),
    (lambda: rep.async_rpo(900.0), "interval_s"),
    (lambda: rep.async_rpo(1800.0, mode="nearsync"), "interval_s"),
    (lambda: rep.async_rpo(30.0, mode="nearsync"), "interval_s"),
    (lambda: rep.async_rpo(3600.0, mode="sync"), "mode"),
    (lambda: rep.async_rpo(3600.0, 0), "n_desktops"),
    (lambda: rep.async_rpo(3600.0, transfer_scv=-1), "transfer_scv"),
    (lambda: rep.simulate_rpo(3600.0, schedule="random"), "schedule"),
    (lambda: rep.rto(0), "n_desktops"),
    (lambda: rep.rto(100, 0), "power_on_parallelism"),
    (lambda: rep.rto(100, detection_s=-5), "detection_s"),
    (lambda: rep.failback(-1.0, 10), "recovery_period_s"),
])
def test_bad_inputs_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_rate_is_a_choice_or_a_factor():
    # validation.check_real_or_choice: one message for a bad name and a bad number
    assert FLAT.rate_factor("mean") == 1.0 and FLAT.rate_factor(2.5) == 2.5
    assert rep.ChangeModel().rate_factor("peak") == rep.ChangeModel().peak_factor
    for bad in ("max", -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match=r"rate must be one of \['mean', 'peak'\]"):
            rep.async_rpo(3600.0, 10, rate=bad)
    with pytest.raises(ValueError, match=r"rate must be one of \['mean', 'peak', 'profile'\]"):
        rep.simulate_rpo(3600.0, rate="hourly")


def test_guidelines_warn():
    with pytest.warns(UserWarning, match="50 linked-clone desktops"):
        rep.async_rpo(3600.0, 60)
    with pytest.warns(UserWarning, match="KB 6247"):
        rep.check_domain_size(50, 2)
    with pytest.warns(UserWarning, match="5 ms"):
        rep.sync_write_latency(600.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep.async_rpo(3600.0, 50)
        rep.sync_write_latency(100.0)
