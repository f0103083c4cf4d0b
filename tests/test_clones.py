"""Linked clones + Shadow Clones vs VAAI full clones: the comparison, its flips and its verdict."""

import numpy as np
import polars as pl
import pytest

from hcimodel import clones as cl
from hcimodel import fullclone as fc
from hcimodel.clones.network import _full_once_bytes
from hcimodel.cluster import Cluster
from hcimodel.units import DAY_S


@pytest.fixture(scope="module")
def default():
    comp = cl.compare()
    return comp, cl.verdict(comp)


def test_verdict_covers_every_criterion(default):
    comp, v = default
    assert set(v["criterion"]) == set(cl.CRITERIA)
    assert v.equals(v.sort(["criterion", "metric"]))
    assert not v["linked_shadow"].is_nan().any() and not v["full_vaai"].is_nan().any()
    assert set(v["winner"]) <= {"linked_shadow", "full_vaai", "tie"}
    assert (v["factor"] >= 1.0).all()
    assert comp.metrics.equals(comp.metrics.sort(["criterion", "metric", "strategy"]))


def test_verdict_where_numbers_support_the_source(default):
    """The source: native cloning better for performance. Ours: after an update, yes;
    warm steady state, a tie; cache sharing without dedup, no."""
    _, v = default
    row = {m: r for m, r in zip(v["metric"], v.iter_rows(named=True))}
    assert row["rewarm_after_update"]["winner"] == "full_vaai"
    assert row["rewarm_after_update"]["source_verdict"] == "supports"
    assert row["steady_p95_read_latency"]["winner"] == "tie"
    assert row["hit_ratio_no_dedup"]["winner"] == "linked_shadow"
    assert row["hit_ratio_no_dedup"]["source_verdict"] == "contradicts"
    assert row["hit_ratio_dedup"]["winner"] == "tie"
    # 400 desktops x 1 GB patches, RF2: full clones send more than the recompose warm-up
    assert row["bytes_per_month"]["winner"] == "linked_shadow"
    assert row["peak_raw_bytes"]["winner"] == "linked_shadow"


def test_operations_reference_values():
    # derived: ceil(400 / 12) = 34 waves x 600 s; 1,800 s + ceil(400 / 50) x 150 s
    ops = cl.operations()
    assert ops["recompose_s"] == 34 * 600.0
    assert ops["refresh_s"] == 34 * 180.0
    assert ops["patch_window_s"] == 1800.0 + 8 * 150.0
    assert ops["patch_write_bps_per_node"] == pytest.approx(400 * 1e9 * 2 / 8 / 3000.0)
    # monotone: a higher concurrency limit never lengthens the recompose
    d = [cl.operations(maintenance_limit=k)["recompose_s"] for k in range(1, 60)]
    assert np.all(np.diff(d) <= 0)


def test_network_bytes_reference_values():
    life = cl.PoolLife()
    df = cl.network_per_month(life).sort("strategy")
    # full clones per update: N p (RF - 1)
    assert df["bytes_per_update"][0] == 400 * 1e9 * 1
    # linked clones per update: the new replica's RF - 1 copies plus the Shadow Clone cycle
    lc = cl.lifecycle(life.update_interval_s, 400, Cluster(8), replica=life.parent,
                      start_window_s=life.start_window_s)
    warm = float(lc.filter(pl.col("strategy") == "shadow_clones")["bytes_per_cycle"][0])
    assert df["bytes_per_update"][1] == pytest.approx(10e9 + warm, rel=1e-12)


def test_network_monotone():
    P = np.array([1, 3, 7, 14, 30, 60]) * DAY_S
    df = cl.network_per_month(cl.PoolLife(), P)
    for s in cl.STRATEGIES:
        v = df.filter(pl.col("strategy") == s).sort("interval_s")["bytes_per_month"].to_numpy()
        assert np.all(np.diff(v) < 0), s  # rarer updates, fewer bytes per month
    full = [cl.network_per_month(patch_bytes=p).filter(pl.col("strategy") == "full_vaai")
            ["bytes_per_month"][0] for p in (0.0, 0.5e9, 1e9, 2e9)]
    assert np.all(np.diff(full) > 0)


def test_flip_patch_bytes_is_a_root():
    p = cl.flip_patch_bytes()
    assert p is not None and 0 < p < 1e9
    v = cl.network_per_month(patch_bytes=p)["bytes_per_month"].to_numpy()
    assert v[0] == pytest.approx(v[1], rel=1e-6)
    below = cl.network_per_month(patch_bytes=0.9 * p).sort("strategy")["bytes_per_month"]
    assert below[0] < below[1]  # smaller patches: full clones send less


def test_flip_update_interval():
    """A small pool (40 desktops): full clones pay less per monthly update, linked clones
    less when updates are daily (little steady state to re-fetch) or yearly (full
    clones' one-time warm-up dominates): two flips, each a root."""
    life = cl.PoolLife(n_desktops=40)
    roots = cl.flip_update_interval(life)
    assert len(roots) == 2 and DAY_S < roots[0] < roots[1] < life.life_s
    for P in roots:
        v = cl.network_per_month(life, P)["bytes_per_month"].to_numpy()
        assert v[0] == pytest.approx(v[1], rel=1e-6)
    for P, cheaper in ((0.5 * roots[0], "linked_shadow"), (np.sqrt(roots[0] * roots[1]),
                                                           "full_vaai"),
                       (min(1.5 * roots[1], life.life_s), "linked_shadow")):
        df = cl.network_per_month(life, P).sort("bytes_per_month")
        assert df["strategy"][0] == cheaper
    # the default pool (400 desktops): linked clones win at every cadence
    assert cl.flip_update_interval() == []


def test_capacity_timeline():
    df = cl.capacity_timeline(n_points=361)
    full = df.filter(pl.col("strategy") == "full_vaai")["raw_bytes"].to_numpy()
    linked = df.filter(pl.col("strategy") == "linked_shadow")["raw_bytes"].to_numpy()
    dedup = df.filter(pl.col("strategy") == "full_vaai_dedup")["raw_bytes"].to_numpy()
    assert np.all(np.diff(full) >= 0)  # full clones keep what they write
    assert np.all(dedup <= full)
    assert linked.max() < full[-1]
    assert full[0] == linked[0] == 2 * 10e9  # RF2 copies of the image, nothing written yet
    # a recompose holds two replicas: the peak is at least RF x 2 x used
    assert linked.max() >= 2 * 2 * 10e9


def test_limits_one_node_and_rf_equal_nodes():
    one = cl.network_per_month(n_nodes=1, rf=1, n_desktops=50).sort("strategy")
    assert one["bytes_per_month"].to_list() == [0.0, 0.0]  # RF1 writes nothing remote
    c = cl.compare(n_nodes=1, rf=1, n_desktops=50, cache=False)
    assert c.value("rewarm_after_update", "linked_shadow") == 0.0
    full_once = _full_once_bytes(cl.PoolLife(cluster=Cluster(n_nodes=3, replication_factor=3),
                                                n_desktops=100))
    assert full_once == 0.0  # every node holds every extent


def test_rf_raises_full_clone_patch_bytes():
    a = cl.network_per_month(rf=2).filter(pl.col("strategy") == "full_vaai")["bytes_per_update"]
    b = cl.network_per_month(rf=3).filter(pl.col("strategy") == "full_vaai")["bytes_per_update"]
    assert b[0] == 2 * a[0]


def test_pool_life_holds_one_cluster():
    life = cl.PoolLife()
    assert life.cluster == Cluster(n_nodes=8) and (life.n_nodes, life.rf) == (8, 2)
    # replace takes the cluster's fields (rf for replication_factor) and rebuilds it once
    other = life.replace(n_nodes=4, rf=3, rtt_s=1e-3, n_desktops=40)
    assert other.cluster == Cluster(n_nodes=4, replication_factor=3, rtt_s=1e-3)
    assert other.n_desktops == 40 and life.cluster == Cluster(n_nodes=8)
    fast = Cluster(n_nodes=8, cvm_iops=50_000.0)
    assert life.replace(cluster=fast, rf=3).cluster == Cluster(n_nodes=8, cvm_iops=50_000.0,
                                                              replication_factor=3)
    # the comparison runs on the very cluster of the life, and it drives the boot storm
    comp = cl.compare(life.replace(cluster=fast), cache=False)
    assert comp.life.cluster is fast
    base = cl.compare(life, cache=False)
    assert comp.value("boot_storm_duration", "full_vaai") < \
        base.value("boot_storm_duration", "full_vaai")


def test_bad_input():
    with pytest.raises(ValueError, match="replication_factor"):
        cl.PoolLife(cluster=Cluster(replication_factor=9))
    with pytest.raises(ValueError, match="cluster.replication_factor"):
        cl.PoolLife(cluster=Cluster(n_nodes=2, replication_factor=3))
    with pytest.raises(ValueError, match="cluster must be a Cluster"):
        cl.PoolLife(cluster=None)
    with pytest.raises(ValueError, match="months"):
        cl.PoolLife(months=0)
    with pytest.raises(ValueError, match="comparison"):
        cl.verdict("nope")
    with pytest.raises(ValueError, match="life"):
        cl.compare(life=3)
    with pytest.raises(ValueError, match="metric"):
        cl.compare(cache=False).value("nope", "full_vaai")


def test_patch_cycle_feeds_the_cache_criterion(default):
    comp, _ = default
    pc = fc.patch_cycle(comp.life.n_updates, comp.life.n_desktops, parent=comp.life.parent)
    assert comp.value("shared_fraction_end_of_life", "full_vaai") == pytest.approx(
        pc.shared_fraction[-1])


def test_verdict_flip_columns(default):
    _, v = default
    has_value = v.filter(pl.col("flip_value").is_not_null())
    assert has_value["flip_parameter"].null_count() == 0
    row = v.filter(pl.col("metric") == "bytes_per_update")
    assert row["flip_value"][0] == pytest.approx(cl.flip_patch_bytes(per="update"), rel=1e-9)
    p = row["flip_value"][0]  # at the flip, one update costs the same bytes either way
    per_update = cl.network_per_month(patch_bytes=p).sort("strategy")["bytes_per_update"]
    assert per_update[0] == pytest.approx(per_update[1], rel=1e-6)
    # operations: the maintenance limit at which a recompose lasts one patch window
    lim = v.filter(pl.col("metric") == "image_update_duration")["flip_value"][0]
    assert lim == pytest.approx(400 * 600.0 / 3000.0)
    # capacity: full clones take more for any pool here, so no flip
    assert v.filter(pl.col("metric") == "peak_raw_bytes")["flip_value"][0] is None
