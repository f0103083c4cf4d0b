"""Property-based fuzz of every public function of the package (issue 11).

Every public callable of the modules in :data:`MODULES` (their ``__all__``,
functions and self-validating parameter classes) is called from a small valid
call (:data:`BASE`) with one, two or three arguments replaced by random or
adversarial values: huge integers (2**63 and beyond), booleans, strings,
complex numbers, NaN, inf, negative numbers, sequences where scalars go,
empty and nested arrays, None and foreign objects. The only exception allowed
to escape is ValueError; a returned result must hold no NaN anywhere and,
wherever it has both a worst and a mean, worst >= mean.

The search is derandomized with a fixed budget per function, so the test
runs the same examples on every run, in well under a minute. Hypothesis's
example database is not written (``database=None``); ``.hypothesis/`` is in
``.gitignore`` all the same.

A new public function fails :func:`test_every_public_function_has_a_base_call`
until it is given a valid base call here.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import os
import struct
import tempfile
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Modules whose public callables are fuzzed: foundations, general theory and
#: domain models (figures, plotting and the command line are applications,
#: fuzzed through the CLI tests).
MODULES = ("validation", "units", "streams", "sweep", "queueing", "caching", "simulate",
           "traces", "twins", "occupancy", "workload", "clonepool", "cluster", "hotspot", "shadowclone",
           "contentcache",
           "replication", "fullclone", "clones", "sizing")

#: A small scenario (a small image keeps the content cache model quick) and one
#: with an uncertain input, for the sizing entries.
SCENARIO = '[pools.office]\ncount = 20\nimage = "200 MB"\ndisk = "200 MB"\n'
UNCERTAIN = SCENARIO + "steady_iops = {min = 8, max = 10}\n"

#: Examples per function (derandomized); HCIMODEL_FUZZ_EXAMPLES raises it for a
#: deeper local run (still derandomized: a given budget always runs the same cases).
EXAMPLES = int(os.environ.get("HCIMODEL_FUZZ_EXAMPLES", "24"))


# ----------------------------------------------------------------------------- base calls
def _tmp_files():
    d = Path(tempfile.mkdtemp(prefix="hcimodel-fuzz-"))
    vscsi = d / "t.vscsi"
    vscsi.write_bytes(b"".join(struct.pack("<IIIHHQQ", i, 4096, 1, 0x28, 0x0100, 8 * i, 10 * i)
                               for i in range(4)))
    csv = d / "t.csv"
    csv.write_text("time,op,offset,size\n0,read,0,4096\n1,write,4096,512\n")
    return vscsi, csv


_VSCSI, _CSV = _tmp_files()
_SCENARIO_FILE = _VSCSI.with_name("scenario.toml")
_SCENARIO_FILE.write_text(SCENARIO)


def _objects():
    from hcimodel import clones, replication, shadowclone, sizing
    from hcimodel.clonepool import ClonePool, clone_pool_stream
    from hcimodel.cluster import Cluster, SitePair, TierLatencies
    from hcimodel.sizing.core import Engine

    pool = ClonePool(n_desktops=4, base_blocks=64, private_blocks=16)
    life = clones.PoolLife(cluster=Cluster(n_nodes=4), n_desktops=20, months=2)
    return {
        "pool": pool,
        "stream": clone_pool_stream(pool, 200, rng=1),
        "trace": pl.DataFrame({"time_s": [0.0, 1.0], "op": ["read", "write"],
                               "offset_bytes": [0, 4096], "size_bytes": [4096, 8192]},
                              schema={"time_s": pl.Float64, "op": pl.Enum(["read", "write"]),
                                      "offset_bytes": pl.Int64, "size_bytes": pl.Int64}),
        "change": replication.ChangeModel(),
        "link": SitePair(),
        "run": replication.MonteCarlo(n_intervals=50, n_replications=2, n_failures=50),
        "cluster": Cluster(),
        "replica": shadowclone.Replica(used_bytes=4096 * 200, boot_bytes=4096 * 50),
        "warm": shadowclone.warmup(8, replica=shadowclone.Replica(used_bytes=4096 * 200,
                                                                  boot_bytes=4096 * 50)),
        "latencies": TierLatencies(),
        "life": life,
        "comparison": clones.compare(life),
        "scenario": sizing.loads(SCENARIO),
        "uncertain": sizing.loads(UNCERTAIN),
        "engine": Engine(sizing.loads(SCENARIO)),
    }


def _model(x, rng):
    return {"y": float(x)}


def base_calls() -> dict[str, dict]:
    """A small valid call of every public function, by qualified name."""
    o = _objects()
    pop = np.array([0.5, 0.3, 0.2])
    return {
        # validation
        "validation.as_float_array": dict(name="x", value=[1.0, 2.0]),
        "validation.check_positive": dict(name="x", value=2.0),
        "validation.check_nonnegative": dict(name="x", value=0.0),
        "validation.check_probability": dict(name="x", value=0.5),
        "validation.check_integer": dict(name="n", value=3),
        "validation.check_in_range": dict(name="x", value=0.5, low=0.0, high=1.0),
        "validation.check_finite": dict(name="x", value=0.5),
        "validation.check_choice": dict(name="mode", value="a", allowed=("a", "b")),
        "validation.check_bool": dict(name="flag", value=True),
        "validation.check_duration": dict(name="t", value=[0.0, 5.0]),
        "validation.check_rate": dict(name="r", value=2.0),
        "validation.check_instance": dict(name="x", value=(1, 2), cls=tuple, default=tuple),
        "validation.check_real_or_choice": dict(name="rate", value="peak",
                                                allowed=("mean", "peak"), low=0.0),
        # units and streams
        "units.parse_bytes": dict(text="4 GiB"),
        "units.parse_bitrate": dict(text="10 Gbit/s"),
        "units.parse_duration": dict(text="15 min"),
        "units.format_bytes": dict(n_bytes=4096.0),
        "units.format_duration": dict(seconds=90.0),
        "streams.as_generator": dict(rng=1),
        "streams.as_seed_sequence": dict(seed=1),
        "streams.spawn_generators": dict(seed=1, n=2),
        "streams.inverse_cdf_index": dict(cdf=[0.25, 0.5, 1.0], u=[0.1, 0.6, 0.99]),
        # sweep
        "sweep.sweep": dict(model=_model, grid={"x": [0.5, 1.0]}, n_replications=1, seed=1),
        # queueing
        "queueing.erlang_b": dict(servers=2, offered_load=1.0),
        "queueing.erlang_c": dict(servers=2, offered_load=1.0),
        "queueing.mm1": dict(arrival_rate=0.5, service_rate=1.0),
        "queueing.mmc": dict(arrival_rate=1.0, service_rate=1.0, servers=2),
        "queueing.mg1": dict(arrival_rate=0.5, mean_service_s=1.0, scv_service=1.0),
        "queueing.md1": dict(arrival_rate=0.5, service_rate=1.0),
        "queueing.gg1_kingman": dict(arrival_rate=0.5, service_rate=1.0, scv_arrival=1.0,
                                     scv_service=1.0),
        "queueing.ggc_allen_cunneen": dict(arrival_rate=1.0, service_rate=1.0, servers=2,
                                           scv_arrival=1.0, scv_service=1.0),
        "queueing.mva": dict(demands=[0.1, 0.2], think_time_s=1.0, population=3),
        "queueing.mva_schweitzer": dict(demands=[0.1, 0.2], think_time_s=1.0, population=3),
        "queueing.mva_multiclass_schweitzer": dict(demands=[[0.1, 0.2], [0.2, 0.1]],
                                                   think_time_s=1.0, populations=[2, 3]),
        "queueing.asymptotic_bounds": dict(demands=[0.1, 0.2], think_time_s=1.0, population=3),
        "queueing.shifted_exponential_mixture_quantile": dict(p=0.95, weights=[0.5, 0.5],
                                                              rates=[1.0, 2.0], shifts=[0.0, 0.1]),
        "queueing.dm1_sigma": dict(rho=0.5),
        # caching
        "caching.zipf_rates": dict(n_items=50, alpha=0.8),
        "caching.merge_duplicate_rates": dict(rates=[1.0, 2.0, 3.0], content_ids=[0, 1, 0]),
        "caching.che_lru": dict(rates=pop, capacity=1),
        "caching.fifo_random": dict(rates=pop, capacity=1),
        "caching.two_lru": dict(rates=pop, meta_capacity=2, capacity=1),
        "caching.lru_m": dict(rates=pop, capacities_per_list=[1, 1]),
        # simulate
        "simulate.confidence_interval": dict(samples=[1.0, 2.0, 4.0]),
        "simulate.dense_ids": dict(keys=[5, 3, 5]),
        "simulate.fifo_multiserver_waits": dict(interarrival_s=[1.0, 0.5, 0.2],
                                                service_s=[1.0, 1.0, 1.0], servers=2),
        "simulate.lindley_waits": dict(interarrival_s=[1.0, 0.5, 0.2], service_s=[1.0, 1.0, 1.0]),
        "simulate.lru_hits": dict(keys=[1, 2, 1, 3, 1], capacity=2),
        "simulate.lru_m_replay": dict(keys=[1, 2, 1, 3, 1], capacities_per_list=[1, 1]),
        "simulate.miss_ratio_curve": dict(keys=[1, 2, 1, 3, 1]),
        "simulate.segmented_lru_replay": dict(keys=[1, 2, 1, 3, 1, 2], probation_capacity=1,
                                              protected_capacity=1, lower_tier_capacity=1),
        "simulate.shards_sample": dict(keys=[1, 2, 1, 3, 1], rate=0.5),
        "simulate.simulate_finite_jobs": dict(service_s=[0.01, 0.01], visit_prob=[0.5, 0.5],
                                              think_time_s=0.05, population_per_class=3,
                                              requests_per_customer=5, rng=1),
        "simulate.simulate_closed_network": dict(service_s=[0.01, 0.01], visit_prob=[0.5, 0.5],
                                                 think_time_s=0.05, population_per_class=3,
                                                 n_requests=200, rng=1),
        "simulate.simulate_mmc": dict(arrival_rate=0.5, service_rate=1.0, servers=1,
                                      n_customers=200, rng=1),
        "simulate.simulate_queue": dict(interarrival_s=[1.0, 0.5, 0.2, 1.0],
                                        service_s=[1.0, 1.0, 1.0, 0.5]),
        "simulate.stack_distances": dict(keys=[1, 2, 1, 3, 1]),
        "simulate.two_lru_hits": dict(keys=[1, 2, 1, 3, 1], meta_capacity=2, capacity=1),
        # traces
        "traces.data_path": dict(name="no-such-file-here.vscsi"),
        "traces.read_vscsi": dict(path=_VSCSI),
        "traces.read_csv_trace": dict(path=_CSV),
        "traces.read_bytes": dict(path=_VSCSI),
        "traces.block_keys": dict(trace=o["trace"]),
        # workload and clone pools
        "workload.WorkloadProfile": dict(name="x", iops=10.0, read_fraction=0.5,
                                         read_size_bytes=4096.0, write_size_bytes=4096.0,
                                         replica_read_fraction=0.5),
        "workload.profile": dict(name="login"),
        "workload.as_profile": dict(workload="boot"),
        "clonepool.ClonePool": dict(n_desktops=4, base_blocks=64, private_blocks=16),
        "clonepool.clone_pool_stream": dict(pool=o["pool"], n_requests=100, rng=1),
        "clonepool.item_rates": dict(pool=o["pool"], dedup=True),
        # hotspot
        "cluster.Cluster": dict(n_nodes=4),
        "hotspot.routing": dict(workload="task", strategy="linked_clones",
                                cluster=o["cluster"], cached_share=0.5),
        "hotspot.steady_state": dict(n_desktops=[10, 20]),
        "hotspot.simulate_steady_state": dict(n_desktops=10, n_customers=200, n_replications=2,
                                             rng=1),
        "hotspot.max_pool_size": dict(latency_target_s=2e-3, upper=64),
        "hotspot.boot_storm": dict(n_desktops=[4, 8], boot_read_bytes=4e6),
        "hotspot.Host": dict(cores=16, desktop_vcpus=2),
        "cluster.ReadPath": dict(cache_hit_shared=0.8),
        "hotspot.read_components": dict(workload="task", strategy="linked_clones",
                                        cluster=o["cluster"], node=0, cached_share=0.5),
        "hotspot.simulate_boot_storm": dict(n_desktops=4, boot_read_bytes=1e6, rng=1),
        # shadowclone
        "shadowclone.Replica": dict(used_bytes=4096 * 200, boot_bytes=4096 * 50),
        "shadowclone.detection_delay": dict(n_nodes=4, n_desktops=20, start_window_s=60.0),
        "shadowclone.boot_pace": dict(replica=o["replica"]),
        "shadowclone.warmup": dict(n_desktops=20, cluster=o["cluster"], replica=o["replica"]),
        "shadowclone.block_read_rate": dict(workload="task", replica=o["replica"]),
        "shadowclone.lag_sensitivity": dict(lags_s=(0.0, 5.0), n_desktops=20,
                                            cluster=o["cluster"], replica=o["replica"]),
        "shadowclone.remote_placement": dict(H=4, N=3),
        "shadowclone.simulate_warmup": dict(n_desktops=8, cluster=o["cluster"],
                                            replica=o["replica"], rng=1),
        "shadowclone.simulate_detection_delay": dict(n_nodes=4, n_desktops=20,
                                                     start_window_s=60.0, n_replications=20, rng=1),
        "simulate.replay_reads": dict(times=[0.0, 1.0, 2.0, 3.0], nodes=[0, 1, 2, 1],
                                         blocks=[0, 1, 0, 1], n_nodes=3, n_blocks=2,
                                         detection_s=0.5),
        "simulate.replay_summary": dict(times=[0.0, 1.0, 2.0, 3.0], nodes=[0, 1, 2, 1],
                                        blocks=[0, 1, 0, 1], n_nodes=3, n_blocks=2,
                                        detection_s=0.5),
        "simulate.replay_schedule": dict(starts=[0.0, 0.5, 1.0], offsets=[0.0, 0.1],
                                         sequence=[0, 1], reader_node=[0, 1, 2], n_nodes=3,
                                         n_blocks=2, detection_s=0.2),
        "shadowclone.replica_pool": dict(n_desktops=4, replica=o["replica"]),
        "shadowclone.pool_popularity": dict(pool=o["pool"]),
        "shadowclone.replica_read_rate": dict(pool=o["pool"], n_nodes=4),
        "shadowclone.replica_reads": dict(stream=o["stream"], n_nodes=2),
        "twins.compare": dict(closed=o["warm"], twin=o["warm"]),
        "twins.metric": dict(result=o["warm"], path="total_bytes"),
        "shadowclone.replay_stream": dict(stream=o["stream"], cluster=o["cluster"]),
        "shadowclone.empirical_popularity": dict(keys=[1, 2, 1, 3]),
        "shadowclone.assign_requests": dict(request=[0, 0, 1, 2], n_nodes=2, rng=1),
        "shadowclone.replay_trace": dict(keys=[1, 2, 1, 3, 2, 1], cluster=o["cluster"], rng=1),
        # occupancy
        "occupancy.expected_distinct": dict(n_reads=10, popularity=pop),
        "occupancy.coupon_collector": dict(n_reads=10, n_blocks=5),
        "occupancy.expected_reads_to_fetch_all": dict(n_blocks=5),
        "occupancy.local_share": dict(n_reads=10, popularity=pop),
        "occupancy.reads_to_local_share": dict(target=0.5, popularity=pop),
        "occupancy.payback_reads": dict(popularity=pop),
        # contentcache
        "contentcache.cache_sizing": dict(cvm_memory_bytes=24 * 2**30),
        "cluster.TierLatencies": dict(),
        "contentcache.content_cache_hits": dict(pool=o["pool"], memory_bytes=4096 * 20),
        "contentcache.simulate_content_cache_hits": dict(pool=o["pool"], memory_bytes=4096 * 20,
                                                         ssd_bytes=4096 * 10, n_requests=400,
                                                         rng=1),
        "contentcache.extent_cache_hits": dict(pool=o["pool"], memory_bytes=4096 * 20),
        "contentcache.content_cache_model": dict(pool=o["pool"], cvm_memory_bytes=24 * 2**30),
        "contentcache.cache_needed": dict(pool=o["pool"], target_hit_ratio=0.5),
        "contentcache.extent_cache": dict(rates=pop, capacity=1),
        "contentcache.content_cache": dict(rates=pop, single_touch_capacity=1,
                                           multi_touch_memory_capacity=1,
                                           multi_touch_ssd_capacity=1),
        "contentcache.view_storage_accelerator": dict(pool=o["pool"], cache_bytes=2**30),
        # replication
        "replication.ChangeModel": dict(),
        "replication.MonteCarlo": dict(n_intervals=50, n_replications=2, n_failures=50),
        "cluster.SitePair": dict(),
        "replication.check_domain_size": dict(n_desktops=10),
        "replication.deterministic_loss": dict(interval_s=3600.0, transfer_s=600.0,
                                               target_s=4000.0),
        "replication.backlog_wait": dict(interval_s=3600.0, transfer_s=600.0),
        "replication.async_rpo": dict(interval_s=3600.0, n_desktops=10, transfer_scv=1.0),
        "replication.meets_rpo_rule": dict(transfer_s=450.0, rpo_s=900.0),
        "replication.required_bandwidth": dict(target_rpo_s=7200.0, n_desktops=10),
        "replication.shared_link_loss": dict(interval_s=3600.0, transfer_s=600.0, n_domains=3),
        "replication.sync_write_latency": dict(distance_km=50.0),
        "replication.simulate_rpo": dict(interval_s=3600.0, domains=(10,), rng=1, run=o["run"]),
        "replication.profile_rate_factor": dict(change=o["change"], start_s=0.0, end_s=3600.0),
        "replication.replica_age": dict(t=[100.0, 5000.0], creation_s=[0.0, 3600.0],
                                        completion_s=[60.0, 3700.0]),
        "replication.rto": dict(n_desktops=[20, 40], power_on_parallelism=10),
        "replication.failback": dict(recovery_period_s=86400.0, n_desktops=10),
        "replication.activation_sensitivity": dict(n_desktops=100,
                                                   activation_s_per_pd=(30.0, 60.0)),
        # full clones and the comparison of both strategies
        "cluster.holder_share": dict(n_nodes=4, rf=2),
        "fullclone.fetching_nodes": dict(n_nodes=4, n_desktops=20, rf=2),
        "fullclone.shared_read_rate": dict(n_nodes=4, n_desktops=20, parent=o["replica"],
                                           workload="task", written_fraction=0.1),
        "fullclone.cached_share": dict(time_s=60.0, n_nodes=4, n_desktops=20,
                                       parent=o["replica"]),
        "fullclone.local_share": dict(time_s=60.0, n_nodes=4, n_desktops=20, rf=2,
                                      parent=o["replica"]),
        "fullclone.warmup": dict(n_desktops=20, cluster=o["cluster"], parent=o["replica"]),
        "fullclone.simulate_warmup": dict(n_desktops=8, cluster=o["cluster"],
                                          parent=o["replica"], n_reads_per_node=100, rng=1),
        "fullclone.patch_cycle": dict(n_patches=3, n_desktops=20, parent=o["replica"],
                                      patch_bytes=1e6),
        "fullclone.simulate_patch_cycle": dict(n_patches=3, n_desktops=20, parent=o["replica"],
                                               patch_bytes=1e6, rng=1),
        "clones.lifecycle": dict(interval_s=86400.0 * 7, n_desktops=20, cluster=o["cluster"],
                                 replica=o["replica"]),
        "clones.PoolLife": dict(cluster=o["cluster"], n_desktops=20, months=2),
        "clones.compare": dict(life=o["life"], cache=False),
        "clones.network_per_month": dict(life=o["life"], interval_s=[86400.0 * 7]),
        "clones.capacity_timeline": dict(life=o["life"], n_points=11),
        "clones.operations": dict(life=o["life"]),
        "clones.flip_update_interval": dict(life=o["life"], lo_s=86400.0),
        "clones.flip_patch_bytes": dict(life=o["life"]),
        "clones.verdict": dict(comparison=o["comparison"], flips=False),
        # sizing: the application layer's entry and its parser
        "sizing.size": dict(scenario=o["scenario"], confidence=0.9, n_draws=20, seed=1,
                            levels=5, tornado=False, largest=False),
        "sizing.draw_inputs": dict(scenario=o["uncertain"], n_draws=10, rng=1, levels=5),
        "sizing.example_scenario": dict(),
        "sizing.example_text": dict(),
        "sizing.largest_pool": dict(engine=o["engine"], strategy="shadow_clones", nodes=[4]),
        "sizing.load": dict(path=_SCENARIO_FILE),
        "sizing.loads": dict(text=SCENARIO, source="fuzz"),
    }


def public_callables() -> dict[str, object]:
    """Every public function and self-validating parameter class of :data:`MODULES`."""
    out = {}
    for name in MODULES:
        mod = importlib.import_module(f"hcimodel.{name}")
        names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
        for attr in names:
            obj = getattr(mod, attr)
            if not getattr(obj, "__module__", "").startswith("hcimodel"):
                continue
            if inspect.isclass(obj):
                if not hasattr(obj, "__post_init__"):  # result containers do not validate
                    continue
            elif not inspect.isfunction(obj):
                continue
            out[f"{name}.{attr}"] = obj
    return out


# ------------------------------------------------------------------- adversarial values
class _Foreign:
    def __repr__(self):
        return "<foreign object>"


ADVERSARIAL = [
    None, True, False, np.True_, "3", "", "abc", b"x", 1 + 2j, np.complex128(1),
    math.nan, math.inf, -math.inf, np.float64("nan"), -1, -1.5, 0, 0.0, -0.0, 1e-308, 5e-324,
    7,  # valid alone, yet above the 4 nodes of the base calls (rf, node, replica_node)
    2**63, -2**63 - 1, 2**64, 10**20, -10**20, 1e19, 1e308, -1e308, np.uint64(2**63),
    [], (), np.array([]), np.array(3), np.array([np.nan]), np.array([[1.0, 2.0]]),
    [1, 2, 3], (0.1, 0.2), [[1, 2], [3]], [True, False], ["a", "b"], [1, None], [2**64],
    {"a": 1}, {1, 2}, _Foreign(), range(3), np.zeros((2, 0)),
]

# Valid but astronomically large counts (2**40 customers) would only test the
# machine's memory: random integers are small or beyond int64, random floats
# moderate or extreme (1e308 as a count is beyond int64 too).
_values = st.one_of(
    st.sampled_from(ADVERSARIAL),
    st.integers(min_value=-3, max_value=40),
    st.integers(min_value=2**63, max_value=2**70),
    st.integers(min_value=-2**70, max_value=-2**63),
    st.floats(min_value=-1e3, max_value=1e3),
    st.floats(min_value=1e300, allow_infinity=True, allow_nan=False),
    st.lists(st.floats(min_value=-10, max_value=1e3), max_size=4),
    st.text(max_size=4),
)


# ------------------------------------------------------------------------ result checks
def _walk(value, path="result", seen=None):
    """Yield (path, value) of every numeric leaf of a result."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{path}.{f.name}", seen)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}[{k!r}]", seen)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]", seen)
    elif isinstance(value, pl.DataFrame):
        for col in value.columns:
            if value[col].dtype.is_numeric():  # a null (documented "none") is not a NaN
                yield f"{path}[{col!r}]", value[col].drop_nulls().to_numpy()
    elif isinstance(value, (np.ndarray, float, np.floating)):
        yield path, value


def check_result(result) -> None:
    """No NaN anywhere; worst >= mean wherever a result has both."""
    for path, leaf in _walk(result):
        arr = np.asarray(leaf)
        if arr.dtype.kind in "fc":
            assert not np.isnan(arr).any(), f"NaN in {path}: {leaf!r}"
    if dataclasses.is_dataclass(result):
        names = {f.name for f in dataclasses.fields(result)}
        for worst, mean in (("worst_loss_s", "mean_loss_s"), ("worst_s", "mean_s")):
            if {worst, mean} <= names:
                w = np.asarray(getattr(result, worst), dtype=float)
                m = np.asarray(getattr(result, mean), dtype=float)
                assert np.all(w >= m), f"{worst} {w} below {mean} {m}"


def call(func, kwargs, qualname=None):
    """Call ``func``; let a ValueError through, fail on anything else or a NaN result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                result = func(**kwargs)
            except ValueError:
                return None
            except Exception as exc:
                kind, text, _why = ALLOWED.get(qualname, (None, None, None))
                if kind is not None and isinstance(exc, kind) and text in str(exc):
                    return None
                raise
    check_result(result)
    return result


# ---------------------------------------------------------------------------- tests
CALLABLES = public_callables()
BASE = base_calls()


@pytest.fixture(autouse=True, scope="module")
def _scratch_cwd(tmp_path_factory):
    """Run in a scratch folder: a fuzzed path (sweep's checkpoint='3') writes there."""
    old = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("fuzz-cwd"))
    yield
    os.chdir(old)


@pytest.fixture(autouse=True, scope="module")
def _memory_guard():
    """Cap the address space while fuzzing: a runaway allocation fails fast."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = 8 * 2**30
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):  # pragma: no cover - not allowed here
        pass
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_every_public_function_has_a_base_call():
    missing = sorted(set(CALLABLES) - set(BASE))
    assert not missing, f"give these public functions a base call in BASE: {missing}"
    stale = sorted(set(BASE) - set(CALLABLES))
    assert not stale, f"BASE names functions that are not public: {stale}"


@pytest.mark.parametrize("qualname", sorted(CALLABLES))
def test_base_call_is_valid(qualname):
    """The base call itself must succeed (else the fuzz only tests the error path)."""
    func = CALLABLES[qualname]
    if qualname == "traces.data_path":
        with pytest.raises(FileNotFoundError):  # documented: lists where it looked
            func(**BASE[qualname])
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_result(func(**BASE[qualname]))


#: Parameters left at their base value: they start processes or clusters
#: (parallelism is tested in test_sweep.py), not a matter of input validation.
NOT_FUZZED = {"sweep.sweep": {"n_jobs", "backend"}}

#: Documented exceptions other than ValueError: (type, text in the message, why).
ALLOWED = {
    "queueing.mva_schweitzer": (RuntimeError, "converge",
                                "documented: no convergence within the max_iter asked for"),
    "queueing.mva_multiclass_schweitzer": (RuntimeError, "converge",
                                           "documented: no convergence within max_iter"),
    "traces.read_vscsi": (OSError, "", "a missing or unreadable file is the usual OSError"),
    "traces.read_csv_trace": (OSError, "", "a missing or unreadable file is the usual OSError"),
    "traces.read_bytes": (OSError, "", "a missing or unreadable file is the usual OSError"),
}


def _fuzzable(qualname):
    func = CALLABLES[qualname]
    params = [p.name for p in inspect.signature(func).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
              and p.name not in NOT_FUZZED.get(qualname, ())]
    return func, params


@pytest.mark.parametrize("qualname", sorted(set(CALLABLES) - {"traces.data_path"}))
def test_only_valueerror_escapes(qualname):
    func, params = _fuzzable(qualname)
    base = BASE[qualname]
    if not params:  # nothing to fuzz: the base call is the whole input space
        call(func, base, qualname)
        return

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(params), _values, min_size=1, max_size=3))
    def run(changes):
        call(func, {**base, **changes}, qualname)

    run()


def test_adversarial_values_one_parameter_at_a_time():
    """Every parameter of every function against every fixed adversarial value."""
    failures = []
    for qualname in sorted(set(CALLABLES) - {"traces.data_path"}):
        func, params = _fuzzable(qualname)
        for p in params:
            for v in ADVERSARIAL:
                try:
                    call(func, {**BASE[qualname], p: v}, qualname)
                except Exception as exc:  # noqa: BLE001 - collected and reported
                    failures.append(f"{qualname}({p}={v!r}): {type(exc).__name__}: {exc}"[:300])
    assert not failures, f"{len(failures)} calls broke the contract:\n" + "\n".join(failures)


# ------------------------------------------------------------------- edge cases
def _one_node():
    from hcimodel.cluster import Cluster
    return Cluster(n_nodes=1)


#: Valid but degenerate calls (one node, one desktop, an empty group): results
#: must still hold no NaN (a group with no node is left out, not filled with NaN).
EDGE_CASES = [
    ("hotspot.steady_state", lambda: dict(n_desktops=[1, 10], cluster=_one_node())),
    ("hotspot.steady_state", lambda: dict(n_desktops=10**6)),  # unstable: inf, not NaN
    ("hotspot.simulate_steady_state", lambda: dict(n_desktops=10, cluster=_one_node(),
                                                   n_customers=200, n_replications=2, rng=1)),
    ("hotspot.boot_storm", lambda: dict(n_desktops=[1, 4], cluster=_one_node(),
                                        boot_read_bytes=1e6)),
    ("hotspot.max_pool_size", lambda: dict(latency_target_s=2e-3, cluster=_one_node(),
                                           group="replica_node", upper=64)),
    ("replication.rto", lambda: dict(n_desktops=1, power_on_parallelism=1,
                                     cluster=_one_node())),
    ("shadowclone.warmup", lambda: dict(n_desktops=1, cluster=_one_node())),
    ("shadowclone.warmup", lambda: dict(n_desktops=20, start_window_s=5e-324)),
    ("fullclone.warmup", lambda: dict(n_desktops=1, cluster=dataclasses.replace(
        _one_node(), replication_factor=1))),
    ("clones.lifecycle", lambda: dict(interval_s=86400.0, n_desktops=1, cluster=dataclasses.replace(
        _one_node(), replication_factor=1))),
]


@pytest.mark.parametrize("qualname, make", EDGE_CASES,
                         ids=[f"{q}-{i}" for i, (q, _) in enumerate(EDGE_CASES)])
def test_degenerate_valid_calls_hold_no_nan(qualname, make):
    result = call(CALLABLES[qualname], make(), qualname)
    assert result is not None, "a valid degenerate call was refused"
    if hasattr(result, "to_frame"):
        check_result(result.to_frame())


# ---------------------------------------------------------------- methods of results
#: Public methods of parameter sets and results: (function whose base call makes
#: the object, method, a valid call of it).
METHODS = [
    ("caching.che_lru", "item_hit_ratio", {}),
    ("contentcache.content_cache", "item_hit_ratio", {}),
    ("contentcache.content_cache", "item_probabilities", {}),
    ("caching.lru_m", "item_hit_ratio", {}),
    ("caching.lru_m", "item_list_probability", {}),
    ("caching.two_lru", "item_hit_ratio", {}),
    ("clonepool.ClonePool", "from_profile", {"profile": "task"}),
    ("clonepool.ClonePool", "replace", {"n_desktops": 8}),
    ("clonepool.ClonePool", "shared_probability", {"dedup": True, "time_s": 10.0}),
    ("clonepool.ClonePool", "written_fraction_at", {"time_s": 10.0}),
    ("clonepool.clone_pool_stream", "item_rates", {"dedup": True}),
    ("clonepool.clone_pool_stream", "keys", {"dedup": False}),
    ("cluster.TierLatencies", "mean_s", {"memory_hit_ratio": 0.5, "ssd_hit_ratio": 0.2,
                                              "miss_ratio": 0.3}),
    ("contentcache.content_cache_model", "to_frame", {}),
    ("fullclone.warmup", "to_frame", {}),
    ("fullclone.patch_cycle", "to_frame", {}),
    ("clones.PoolLife", "replace", {"n_desktops": 8}),
    ("sizing.size", "to_frame", {}),
    ("sizing.size", "to_dict", {}),
    ("sizing.size", "strategy", {"name": "shadow_clones"}),
    ("sizing.loads", "replace", {"path": "pools.office.count", "value": 30.0}),
    ("cluster.Cluster", "remote_delay_s", {"size_bytes": 4096.0}),
    ("hotspot.boot_storm", "to_frame", {}),
    ("hotspot.steady_state", "to_frame", {}),
    ("queueing.mm1", "response_quantile", {"q": 0.95}),
    ("queueing.mm1", "response_tail", {"t": 1.0}),
    ("queueing.mm1", "wait_quantile", {"q": 0.95}),
    ("queueing.mm1", "wait_tail", {"t": 1.0}),
    ("queueing.mmc", "wait_quantile", {"q": 0.95}),
    ("replication.ChangeModel", "rate_factor", {"rate": "peak"}),
    ("replication.ChangeModel", "unique_bytes", {"interval_s": 3600.0}),
    ("cluster.SitePair", "transfer_s", {"changed_bytes": 1e9}),
    ("replication.async_rpo", "meets", {"rpo_s": 7200.0}),
    ("replication.async_rpo", "to_frame", {}),
    ("replication.rto", "to_frame", {}),
    ("replication.simulate_rpo", "estimate", {"metric": "mean_loss_s"}),
    ("replication.simulate_rpo", "to_frame", {}),
    ("shadowclone.Replica", "popularity", {}),
    ("shadowclone.warmup", "to_frame", {}),
    ("simulate.confidence_interval", "contains", {"value": 2.0}),
    ("simulate.miss_ratio_curve", "at", {"capacity": 2}),
    ("simulate.simulate_mmc", "ci", {"name": "mean_wait_s"}),
]


def _made(qualname):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CALLABLES[qualname](**BASE[qualname])


@pytest.mark.parametrize("maker, method, kwargs", METHODS,
                         ids=[f"{m}.{n}" for m, n, _ in METHODS])
def test_methods_of_results_only_raise_valueerror(maker, method, kwargs):
    bound = getattr(_made(maker), method)
    check_result(call(bound, kwargs) if kwargs else bound())
    assert call(bound, kwargs) is not None or not kwargs  # the base call is valid
    for p in kwargs:
        for v in ADVERSARIAL:
            call(bound, {**kwargs, p: v})


# ------------------------------------------------------------- the scenario parser
def _toml_scalar():
    words = ["", "abc", "4 GiB", "10 Gbit/s", "15 min", "-1 GB", "1e999 B", "nan", "N+1",
             "unified", "nearsync", "task", "shadow_clones", "full_clones", "0 s", "1 h"]
    return st.one_of(
        st.integers(min_value=-3, max_value=2000).map(str),
        st.sampled_from(["9223372036854775807", "-9223372036854775808", "0", "1"]),
        st.sampled_from(["nan", "inf", "-inf", "1e308", "-0.0", "5e-324", "0.5", "2.5"]),
        st.sampled_from(["true", "false"]),
        st.sampled_from(words).map(lambda w: f'"{w}"'),
    )


def _toml_value():
    scalar = _toml_scalar()
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(st.sampled_from(["uniform", "triangular", "loguniform", "normal", '"x']),
                  scalar, scalar, scalar).map(
            lambda t: f'{{dist = "{t[0]}", min = {t[1]}, mode = {t[2]}, max = {t[3]}}}'),
        st.tuples(scalar, scalar).map(lambda t: f"{{min = {t[0]}, max = {t[1]}}}"),
        st.just("{}"),
    )


def _field_paths():
    from hcimodel.sizing import FIELDS

    out = [("pools.office", k) for k in FIELDS["pool"]]
    out += [(sec, k) for sec, fields in FIELDS.items() if sec != "pool" for k in fields]
    return out + [("pools.office", "no_such_key"), ("cluster", "no_such_key")]


def _scenario_text(changes) -> str:
    sections = {"pools.office": {"count": "20", "image": '"200 MB"', "disk": '"200 MB"'}}
    for (sec, key), value in changes:
        sections.setdefault(sec, {})[key] = value
    return "\n".join(f"[{sec}]\n" + "\n".join(f"{k} = {v}" for k, v in kv.items())
                     for sec, kv in sections.items()) + "\n"


_scenario_changes = st.lists(st.tuples(st.sampled_from(_field_paths()), _toml_value()),
                             min_size=1, max_size=3)


@settings(max_examples=8 * EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(_scenario_changes)
def test_scenario_parser_only_raises_valueerror(changes):
    """Random values for every key of every section: a Scenario without NaN or a ValueError."""
    from hcimodel import sizing

    result = call(sizing.loads, {"text": _scenario_text(changes)}, "sizing.loads")
    if result is not None:
        for path, _kind, value in result.items():
            if isinstance(value, float):
                assert not math.isnan(value), f"NaN at {path}"


def _plausible(field):
    """Values of a field's kind over its range (most parse), as TOML text."""
    from hcimodel import hotspot

    lo = field.low if math.isfinite(field.low) else 0.0
    hi = min(field.high, lo + 100.0)
    unit = {"bytes": " MB", "bitrate": " Mbit/s", "duration": " s"}.get(field.kind)
    if field.kind == "bool":
        return st.sampled_from(["true", "false"])
    if field.kind == "choice":
        return st.sampled_from([f'"{c}"' for c in field.choices])
    if field.kind == "strategies":
        return st.lists(st.sampled_from(hotspot.STRATEGIES), min_size=1, max_size=3,
                        unique=True).map(lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]")
    if field.kind == "text":
        return st.just('"fuzzed"')
    if field.kind == "count":
        num = st.integers(min_value=int(lo), max_value=int(min(hi, lo + 40)))
    elif field.kind == "fraction":
        num = st.floats(min_value=0.0, max_value=1.0)
    else:
        num = st.floats(min_value=lo, max_value=hi)
    text = num.map(lambda v: f'"{v:g}{unit}"' if unit else f"{v:g}" if isinstance(v, float)
                   else str(v))
    if not field.uncertain:
        return text
    return st.one_of(text, st.tuples(text, text).map(lambda t: f"{{min = {t[0]}, max = {t[1]}}}"))


def _plausible_change():
    from hcimodel.sizing import FIELDS

    return st.sampled_from(_field_paths()[:-2]).flatmap(
        lambda p: _plausible(FIELDS["pool" if p[0].startswith("pools") else p[0]][p[1]]).map(
            lambda v: (p, v)))


@settings(max_examples=max(EXAMPLES // 3, 4), derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(_plausible_change(), min_size=1, max_size=2))
def test_size_of_fuzzed_scenarios(changes):
    """size() on scenarios the parser accepts: only ValueError, no NaN in the result."""
    from hcimodel import sizing

    try:
        scenario = sizing.loads(_scenario_text(changes))
    except ValueError:
        return
    call(sizing.size, dict(scenario=scenario, n_draws=8, levels=3, tornado=True,
                           largest=False), "sizing.size")
