"""Every closed form beside its Monte Carlo twin, through the one helper (hcimodel.twins).

Tolerances: the hot-spot steady state is an exact twin (the same Jackson
network), so Monte Carlo noise alone separates them (200k customers per
replication: read latencies within 2 %, utilisations within 3 %); the boot
storm's closed form is piecewise-stationary MVA, within 6 % of the simulated
storm (whitepaper, validation chapter); the warm-ups count the same fetched
blocks (a deterministic boot sequence: within 0.1 %).
"""

import numpy as np
import pytest

from hcimodel import fullclone, hotspot, shadowclone, twins
from hcimodel.cluster import Cluster


def _worst(frame, prefix=""):
    rows = frame.filter(frame["metric"].str.starts_with(prefix))
    assert rows.height > 0
    return float(np.max(np.abs(rows["relative"].to_numpy())))


def test_hot_spot_steady_state_and_its_twin():
    cf = hotspot.steady_state([200, 800], "login", "linked_clones")
    mc = hotspot.simulate_steady_state([200, 800], "login", "linked_clones", rng=1)
    cmp = twins.compare(cf, mc)
    assert set(cmp["metric"]) == set(hotspot.SteadyState.METRICS)
    assert _worst(cmp, "read_latency") < 0.02
    assert _worst(cmp, "cvm_utilization") < 0.03


def test_one_node_cluster_skips_the_group_it_lacks():
    one = Cluster(n_nodes=1)
    cf = hotspot.steady_state([50], "login", "linked_clones", one)
    mc = hotspot.simulate_steady_state([50], "login", "linked_clones", one, rng=2)
    cmp = twins.compare(cf, mc)
    assert not any("other_nodes" in m for m in cmp["metric"])
    assert cmp.height == 4  # three replica-node statistics and one CVM


def test_boot_storm_and_its_twin():
    cf = hotspot.boot_storm([40, 160], boot_read_bytes=40e6)
    mc = hotspot.simulate_boot_storm([40, 160], boot_read_bytes=40e6, rng=1)
    cmp = twins.compare(cf, mc, ["duration_s", "mean_completion_s"])
    assert _worst(cmp) < 0.06


def test_warm_ups_and_their_twins():
    small = shadowclone.Replica(used_bytes=40e6, boot_bytes=4e6, alpha=0.8)
    cl = Cluster(8)
    cmp = twins.compare(shadowclone.warmup(32, cl, replica=small, detection_delay_s=0.0),
                        shadowclone.simulate_warmup(32, cl, replica=small,
                                                    detection_delay_s=0.0, rng=1),
                        ["total_bytes", "bytes_per_node"])
    assert _worst(cmp) < 1e-3
    cl3 = Cluster(8, replication_factor=2)
    cmp = twins.compare(fullclone.warmup(32, cl3, parent=small),
                        fullclone.simulate_warmup(32, cl3, parent=small, rng=1),
                        ["total_bytes"])
    assert _worst(cmp) < 0.05


def test_compare_refuses_mixed_or_unknown_results():
    cf = hotspot.boot_storm([40], boot_read_bytes=40e6)
    with pytest.raises(ValueError, match="twin must be a BootStorm"):
        twins.compare(cf, hotspot.steady_state([40]))
    with pytest.raises(ValueError, match="closed must be a model result"):
        twins.compare(3.0, 4.0)
    with pytest.raises(ValueError, match="metrics"):
        twins.compare(cf, cf, ["nope"])
    with pytest.raises(ValueError, match="path 'nope'"):
        twins.metric(cf, "nope")
    assert twins.metric(cf, "duration_s").shape == (1,)


def test_content_cache_hits_and_its_twin():
    """Content Cache: the closed form (Che-type approximation on the expected
    layout of writes) against the replay of a seeded stream of 20 full clones.

    Within 0.01 absolute on every ratio, the tolerance tests/test_contentcache.py
    and tests/test_clonepool.py accept between the approximation and the replay
    (seeds 1-4 give at most 0.0022 without dedup, 0.0046 with; 3 million reads,
    the first half a warm-up).
    """
    from hcimodel import contentcache
    from hcimodel.clonepool import ClonePool

    pool = ClonePool(clone_type="full", n_desktops=20, base_blocks=4096, private_blocks=1024,
                     written_fraction=0.2)
    mem, ssd = np.array([16, 64]) * 2**20, 32 * 2**20
    for dedup in (False, True):
        cf = contentcache.content_cache_hits(pool, mem, ssd, dedup=dedup)
        mc = contentcache.simulate_content_cache_hits(pool, mem, ssd, dedup=dedup,
                                                      n_requests=3_000_000, warmup=0.5, rng=1)
        cmp = twins.compare(cf, mc)
        assert set(cmp["metric"]) == set(contentcache.CacheHits.METRICS)
        assert cmp.height == 2 * len(contentcache.CacheHits.METRICS)
        assert float(np.max(np.abs(cmp["difference"].to_numpy()))) < 0.01


def test_replication_rpo_and_its_twin():
    """Two staggered domains that never wait for each other: the simulated snapshots
    are the closed form's deterministic cycle, to rounding (FLAT day, mean rate)."""
    from hcimodel import replication as rep

    flat = rep.ChangeModel(daily_profile=rep.FLAT_DAY)
    cf = rep.async_rpo(3600.0, np.array([50, 30]), flat, rate="mean")
    mc = rep.simulate_rpo(3600.0, [50, 30], flat, rate="mean",
                          run=rep.MonteCarlo(n_intervals=300), rng=1)
    cmp = twins.compare(cf, mc)
    assert set(cmp["metric"]) == set(rep.AsyncRPO.METRICS)
    assert _worst(cmp) < 1e-9


def test_patch_cycle_and_its_twin():
    """The share of the parent still shared after k patches: the closed form's
    expectation against one drawn pool (0.09 % apart at 40 desktops, seed 1; 1 % allowed)."""
    small = shadowclone.Replica(used_bytes=40e6, boot_bytes=4e6, alpha=0.8)
    cf = fullclone.patch_cycle(6, 40, parent=small, patch_bytes=4e6)
    mc = fullclone.simulate_patch_cycle(6, 40, parent=small, patch_bytes=4e6, rng=1)
    cmp = twins.compare(cf, mc, ["shared_fraction", "raw_bytes_dedup"])
    assert _worst(cmp) < 0.01
