"""Tests of hcimodel.sweep: reproducibility, parallel backends, checkpoints, schema."""

import json
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcimodel import sweep as sweep_module
from hcimodel.sweep import sweep

GRID = {"load": [0.5, 0.2, 0.8], "kind": ["b", "a"]}


def stochastic_model(load, kind, rng):
    """A small stochastic model: a few draws whose count depends on the point."""
    n = 5 if kind == "a" else 7
    x = rng.exponential(1.0 / (1.0 - load), size=n)
    return {"mean_s": float(x.mean()), "max_s": float(x.max()), "count": n}


def deterministic_model(load, kind, rng):
    return {"rho": load, "stable": 1.0 if load < 1 else 0.0}


class FailAfter:
    """Counts its calls; raises on call number ``fail_at`` (1-based), if given."""

    def __init__(self, fail_at=None):
        self.calls = 0
        self.fail_at = fail_at

    def __call__(self, load, kind, rng):
        self.calls += 1
        if self.fail_at is not None and self.calls >= self.fail_at:
            raise RuntimeError("interrupted")
        return stochastic_model(load, kind, rng)


# ------------------------------------------------------------------ schema and sort


def test_schema_sorting_and_shape():
    df = sweep(stochastic_model, GRID, n_replications=3, seed=1)
    assert df.columns == ["load", "kind", "replication", "metric", "value"]
    assert df.schema == pl.Schema({"load": pl.Float64, "kind": pl.String, "replication": pl.Int64,
                                   "metric": pl.String, "value": pl.Float64})
    assert df.height == 3 * 2 * 3 * 3  # loads x kinds x reps x metrics
    assert df.equals(df.sort(["load", "kind", "replication", "metric"]))
    assert df["load"].to_list()[0] == 0.2 and df["kind"].to_list()[0] == "a"
    assert df.filter(pl.col("metric") == "count")["value"].dtype == pl.Float64
    # one row per (point, replication, metric)
    assert df.select("load", "kind", "replication", "metric").is_unique().all()


def test_dataframe_grid_of_explicit_points():
    points = pl.DataFrame({"load": [0.8, 0.1], "kind": ["a", "b"]})
    df = sweep(deterministic_model, points, seed=0)
    assert df.select("load", "kind").unique(maintain_order=True).rows() == [(0.1, "b"), (0.8, "a")]
    assert df.filter(pl.col("metric") == "rho")["value"].to_list() == [0.1, 0.8]


def test_same_seed_same_result_and_streams_differ():
    a = sweep(stochastic_model, GRID, n_replications=2, seed=7)
    b = sweep(stochastic_model, GRID, n_replications=2, seed=7)
    c = sweep(stochastic_model, GRID, n_replications=2, seed=8)
    assert a.equals(b)
    assert not a.equals(c)
    # replications draw from different streams
    means = a.filter(pl.col("metric") == "mean_s", pl.col("load") == 0.5, pl.col("kind") == "a")
    assert means["value"].n_unique() == 2


def test_stream_is_the_documented_seed_sequence():
    df = sweep(stochastic_model, GRID, n_replications=2, seed=123)
    # point index 3 is (load=0.2, kind="a") in cartesian order; replication 1
    rng = np.random.default_rng(np.random.SeedSequence(123, spawn_key=(3, 1)))
    expected = stochastic_model(0.2, "a", rng)
    got = df.filter(pl.col("load") == 0.2, pl.col("kind") == "a", pl.col("replication") == 1)
    assert dict(got.select("metric", "value").rows()) == expected


def test_generator_seed_equals_its_seed_sequence():
    a = sweep(stochastic_model, GRID, seed=np.random.default_rng(5))
    b = sweep(stochastic_model, GRID, seed=5)
    assert a.equals(b)


def test_inf_is_a_legitimate_value():
    df = sweep(lambda load, rng: {"wait_s": math.inf if load >= 1 else load / (1 - load)},
               {"load": [0.5, 1.0]})
    assert df["value"].to_list() == [1.0, math.inf]


# ---------------------------------------------------------------- reproducibility


def test_bit_identical_for_any_n_jobs_and_batch_size():
    ref = sweep(stochastic_model, GRID, n_replications=4, seed=2024, n_jobs=1)
    par = sweep(stochastic_model, GRID, n_replications=4, seed=2024, n_jobs=2, batch_size=3)
    thr = sweep(stochastic_model, GRID, n_replications=4, seed=2024, n_jobs=3, backend="threading",
                batch_size=1)
    assert ref.equals(par)
    assert ref.equals(thr)


def model_on_dask_worker(load, kind, rng):
    import distributed

    distributed.get_worker()  # raises ValueError outside a dask worker
    return stochastic_model(load, kind, rng)


@settings(max_examples=25, deadline=None)
@given(n_points=st.integers(1, 6), n_replications=st.integers(1, 4), batch_size=st.integers(1, 9),
       seed=st.integers(0, 2**64))
def test_result_does_not_depend_on_batching(n_points, n_replications, batch_size, seed):
    grid = {"load": [i / 10 for i in range(n_points)], "kind": ["a"]}
    ref = sweep(stochastic_model, grid, n_replications=n_replications, seed=seed)
    assert ref.equals(sweep(stochastic_model, grid, n_replications=n_replications, seed=seed, batch_size=batch_size))


def test_dask_local_cluster_gives_the_same_frame():
    distributed = pytest.importorskip("distributed")
    ref = sweep(stochastic_model, GRID, n_replications=2, seed=99)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert sweep_module._dask_client_exists()
        auto = sweep(model_on_dask_worker, GRID, n_replications=2, seed=99, batch_size=2)
        forced = sweep(model_on_dask_worker, GRID, n_replications=2, seed=99, backend="dask")
        assert sum(client.run(lambda: 1).values()) == 2
    assert ref.equals(auto)
    assert ref.equals(forced)
    assert not sweep_module._dask_client_exists()
    with pytest.raises(ValueError, match="(?i)no worker"):  # the check above really checks
        sweep(model_on_dask_worker, GRID, seed=99)


def test_backend_dask_without_client_is_refused():
    with pytest.raises(ValueError, match="distributed.Client"):
        sweep(deterministic_model, GRID, backend="dask")


# ------------------------------------------------------------------- checkpoints


def test_checkpoint_resume_equals_uninterrupted(tmp_path):
    ckpt = tmp_path / "sweep.parquet"
    full = sweep(stochastic_model, GRID, n_replications=3, seed=11)
    n_tasks = 3 * 2 * 3

    failing = FailAfter(fail_at=8)  # tasks 1..7 succeed, batches of 2 -> 3 batches saved
    with pytest.raises(RuntimeError, match="interrupted"):
        sweep(failing, GRID, n_replications=3, seed=11, checkpoint=ckpt, batch_size=2)
    saved = pl.read_parquet(ckpt)
    n_saved = saved.select(pl.struct(saved.columns[:2]).n_unique()).item()
    assert n_saved == 6

    counting = FailAfter()
    resumed = sweep(counting, GRID, n_replications=3, seed=11, checkpoint=ckpt, batch_size=2)
    assert counting.calls == n_tasks - n_saved
    assert resumed.equals(full)

    # a complete checkpoint: nothing left to compute, same answer
    again = FailAfter()
    assert sweep(again, GRID, n_replications=3, seed=11, checkpoint=ckpt).equals(full)
    assert again.calls == 0


# joblib warns that batches finished after the interrupt were not used: expected.
@pytest.mark.filterwarnings("ignore:.*successfully executed.*not used:UserWarning")
def test_checkpoint_parallel_interrupt_and_resume(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_module, "CHECKPOINT_INTERVAL_S", 0.0)
    ckpt = tmp_path / "sweep.parquet"
    full = sweep(stochastic_model, GRID, n_replications=2, seed=3)
    # interrupted by an exception raised while consuming results
    calls = {"n": 0}
    real_update = sweep_module._write_checkpoint

    def write_then_stop(path, meta, frame):
        real_update(path, meta, frame)
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(sweep_module, "_write_checkpoint", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        sweep(stochastic_model, GRID, n_replications=2, seed=3, checkpoint=ckpt, n_jobs=2, batch_size=2)
    monkeypatch.setattr(sweep_module, "_write_checkpoint", real_update)
    partial = pl.read_parquet(ckpt)
    assert 0 < partial.height < full.height
    resumed = sweep(stochastic_model, GRID, n_replications=2, seed=3, checkpoint=ckpt, n_jobs=2)
    assert resumed.equals(full)


def test_checkpoint_with_seed_none_reuses_stored_entropy(tmp_path):
    ckpt = tmp_path / "s.parquet"
    with pytest.raises(RuntimeError):
        sweep(FailAfter(fail_at=3), GRID, checkpoint=ckpt, batch_size=1)
    first = sweep(stochastic_model, GRID, checkpoint=ckpt)
    meta = json.loads(__import__("pyarrow.parquet").parquet.read_schema(ckpt).metadata[b"hcimodel.sweep"])
    assert first.equals(sweep(stochastic_model, GRID, seed=int(meta["entropy"])))


def test_checkpoint_of_another_sweep_is_refused(tmp_path):
    ckpt = tmp_path / "s.parquet"
    sweep(stochastic_model, GRID, n_replications=2, seed=1, checkpoint=ckpt)
    with pytest.raises(ValueError, match="seed"):
        sweep(stochastic_model, GRID, n_replications=2, seed=2, checkpoint=ckpt)
    with pytest.raises(ValueError, match="grid points differ"):
        sweep(stochastic_model, {"load": [0.5, 0.2], "kind": ["b", "a"]}, n_replications=2, seed=1,
              checkpoint=ckpt)
    with pytest.raises(ValueError, match="grid points differ"):  # same values, other order
        sweep(stochastic_model, {"load": [0.2, 0.5, 0.8], "kind": ["b", "a"]}, n_replications=2, seed=1,
              checkpoint=ckpt)
    with pytest.raises(ValueError, match="n_replications"):
        sweep(stochastic_model, GRID, n_replications=3, seed=1, checkpoint=ckpt)
    other = tmp_path / "other.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(other)
    with pytest.raises(ValueError, match="not written by hcimodel.sweep"):
        sweep(stochastic_model, GRID, seed=1, checkpoint=other)
    garbage = tmp_path / "garbage.parquet"
    garbage.write_text("not parquet")
    with pytest.raises(ValueError, match="not a readable parquet"):
        sweep(stochastic_model, GRID, seed=1, checkpoint=garbage)


def _tamper(path, edit_table=None, edit_meta=None):
    """Rewrite a checkpoint with an edited table and/or metadata, keeping the rest."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"hcimodel.sweep"])
    if edit_table is not None:
        table = edit_table(pl.from_arrow(table)).to_arrow()
    if edit_meta is not None:
        edit_meta(meta)
    pq.write_table(table.replace_schema_metadata({b"hcimodel.sweep": json.dumps(meta).encode()}),
                   path)


@pytest.mark.parametrize("edit_table, edit_meta", [
    # a deleted row (issue 11: 719 of 720 rows came back with no error)
    (lambda f: f.slice(1), None),
    # a changed value (it flowed into the result)
    (lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.col("value") + 1.0)
                              .otherwise(pl.col("value")).alias("value")), None),
    # a duplicated row
    (lambda f: pl.concat([f, f.slice(0, 1)]), None),
    # a changed stored seed (it resumed on a mix of two seeds)
    (None, lambda m: m.update(entropy=str(int(m["entropy"]) + 1))),
    # an edited row count or digest
    (None, lambda m: m.update(n_rows=m["n_rows"] - 1)),
    (None, lambda m: m.update(digest="0" * 64)),
])
def test_tampered_checkpoint_is_refused_never_resumed(tmp_path, edit_table, edit_meta):
    ckpt = tmp_path / "tampered.parquet"
    with pytest.raises(RuntimeError):
        sweep(FailAfter(fail_at=4), GRID, n_replications=2, checkpoint=ckpt, batch_size=1)
    _tamper(ckpt, edit_table, edit_meta)
    model = FailAfter()
    with pytest.raises(ValueError, match=r"checkpoint '.*tampered\.parquet' has been modified"):
        sweep(model, GRID, n_replications=2, checkpoint=ckpt)          # seed from the checkpoint
    assert model.calls == 0
    if edit_meta is None:  # with the right seed given explicitly, refused all the same
        with pytest.raises(ValueError, match="has been modified"):
            sweep(model, GRID, n_replications=2, checkpoint=ckpt, seed=0)
        assert model.calls == 0


def test_untouched_rewritten_checkpoint_is_still_accepted(tmp_path):
    """The digest depends on the rows and metadata only, not on how the file is written."""
    ckpt = tmp_path / "s.parquet"
    with pytest.raises(RuntimeError):
        sweep(FailAfter(fail_at=4), GRID, n_replications=2, seed=5, checkpoint=ckpt, batch_size=1)
    _tamper(ckpt, lambda f: f.reverse())                   # same rows, other order
    resumed = sweep(stochastic_model, GRID, n_replications=2, seed=5, checkpoint=ckpt)
    assert resumed.equals(sweep(stochastic_model, GRID, n_replications=2, seed=5))


def test_checkpoint_without_digest_is_refused(tmp_path):
    ckpt = tmp_path / "old.parquet"
    sweep(stochastic_model, GRID, seed=1, checkpoint=ckpt)
    _tamper(ckpt, edit_meta=lambda m: (m.pop("digest"), m.update(format="hcimodel.sweep/1")))
    with pytest.raises(ValueError, match=r"old\.parquet' has format 'hcimodel.sweep/1'"):
        sweep(stochastic_model, GRID, seed=1, checkpoint=ckpt)


# --------------------------------------------------------------------- progress


def test_progress_forced_on_and_off(capsys):
    sweep(deterministic_model, GRID, progress=True)
    assert "sweep" in capsys.readouterr().err
    sweep(deterministic_model, GRID, progress=False)
    assert capsys.readouterr().err == ""
    sweep(deterministic_model, GRID)  # auto: few tasks, stderr captured -> silent
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="progress"):
        sweep(deterministic_model, GRID, progress="yes")


# ------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"grid": {"load": []}}, r"grid\['load'\] must hold at least one value"),
        ({"grid": {}}, "at least one parameter"),
        ({"grid": {"load": 0.5}}, r"grid\['load'\] must be a sequence"),
        ({"grid": {"load": "abc"}}, r"grid\['load'\] must be a sequence"),
        ({"grid": {"load": [1, 1]}}, "must not repeat"),
        ({"grid": {"value": [1]}}, "reserved"),
        ({"grid": {"load": [1, "a"]}}, "one type"),
        ({"grid": [1, 2]}, "grid must be a dict"),
        ({"grid": pl.DataFrame({"load": []})}, "at least one point"),
        ({"grid": pl.DataFrame({"load": [1, 1]})}, "must not repeat a point"),
        ({"n_replications": 0}, r"n_replications must be an integer in \[1, 2\*\*63 - 1\]"),
        ({"n_replications": 1.5}, "n_replications"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"batch_size": 0}, "batch_size"),
        ({"model": 3}, "model must be callable"),
    ],
)
def test_bad_inputs(kwargs, match):
    args = {"model": lambda load, rng: {"y": load}, "grid": {"load": [0.1]}, **kwargs}
    with pytest.raises(ValueError, match=match):
        sweep(args.pop("model"), args.pop("grid"), **args)


@pytest.mark.parametrize(
    "result, match",
    [
        ([1.0], "must return a dict"),
        ({}, "no metrics"),
        ({"y": "1.0"}, "real numbers"),
        ({"y": None}, "real numbers"),
        ({"y": [1.0, 2.0]}, "real numbers"),
        ({"y": math.nan}, "NaN"),
        ({1: 1.0}, "metric names as str"),
    ],
)
def test_bad_model_results(result, match):
    with pytest.raises(ValueError, match=match):
        sweep(lambda load, rng: result, {"load": [0.1, 0.2]})


def test_mixed_int_float_grid_values_become_float():
    df = sweep(lambda x, rng: {"y": x * 2}, {"x": [1, 2.5]})
    assert df.schema["x"] == pl.Float64
    assert df["value"].to_list() == [2.0, 5.0]
