"""The fetch-on-first-read replay: the one-pass summaries equal the replay of every read."""

from fractions import Fraction

import numpy as np
import pytest

from hcimodel.simulate import fetch_replay as fr


def _storm(N=24, H=6, m=2000, r=400.0, window=5.0, seed=3):
    """A boot storm: N readers of m blocks at pace r, starts over a window (ties included)."""
    starts = np.random.default_rng(seed).random(N) * window
    starts[:4] = starts[4]  # ties between readers: resolved by reader index
    offs = np.arange(m) / r
    times = (starts[:, None] + offs[None, :]).ravel()
    return starts, offs, times, np.repeat(np.arange(N) % H, m), np.tile(np.arange(m), N)


def _exact_mean(x):
    return float(sum((Fraction(float(v)) for v in x), Fraction(0)) / x.size)


def _check_summary(part, whole, n_nodes):
    """Every number of a FetchReplay against replay_reads on all reads at once."""
    for name in ("fetched_blocks", "remote_blocks", "sent_blocks", "last_fetch_s"):
        np.testing.assert_array_equal(getattr(part, name), whole[name])
    lat, kind = whole["latency_s"], whole["kind"]
    rows = {r["kind"]: r for r in part.latency.iter_rows(named=True)}
    for k, name in enumerate(fr.KINDS):
        x = lat[kind == k]
        row = rows[name]
        assert row["reads"] == x.size
        if x.size:
            q = np.quantile(x, [0.5, 0.95, 0.99])
            assert (row["p50_s"], row["p95_s"], row["p99_s"]) == tuple(q)  # bit for bit
            assert row["max_s"] == x.max()
            assert row["mean_s"] == _exact_mean(x)  # the exact mean, rounded once
            assert row["mean_s"] == pytest.approx(x.mean(), rel=1e-14)
    a = rows["all"]
    assert (a["p50_s"], a["p95_s"], a["p99_s"]) == tuple(np.quantile(lat, [0.5, 0.95, 0.99]))
    assert a["max_s"] == lat.max() and a["mean_s"] == _exact_mean(lat)
    # the warm-up curve: fetches and crossings among each node's first k reads
    for h in range(n_nodes):
        mine = kind[whole["nodes"] == h]
        c = part.curve.filter(node=h)
        k = c["reads"].to_numpy()
        np.testing.assert_array_equal(c["fetched_blocks"], np.cumsum(mine == 2)[k - 1])
        np.testing.assert_array_equal(c["local_share"],
                                      1.0 - np.cumsum((mine == 1) | (mine == 2))[k - 1] / k)


@pytest.mark.parametrize("source", fr.FETCH_SOURCES)
@pytest.mark.parametrize("table", [2, fr.TABLE_SIZE])
def test_one_pass_boot_replay_is_the_replay_of_every_read_sorted(source, table, monkeypatch):
    """Merged, replayed and tallied in one pass (restarted each time the table of
    latencies grows): the numbers of replay_reads on every read sorted by time."""
    H = 6
    starts, offs, times, nodes, blocks = _storm(H=H)
    kw = dict(n_nodes=H, n_blocks=offs.size, detection_s=0.5, link_bps=2e8, source=source)
    whole = fr.replay_reads(times, nodes, blocks, **kw)
    order = np.argsort(times, kind="stable")
    whole["nodes"] = nodes[order]
    monkeypatch.setattr(fr, "TABLE_SIZE", table)
    part = fr.replay_schedule(starts, offs, np.arange(offs.size), np.arange(starts.size) % H,
                              **kw)
    assert (part.first_s, part.last_s) == (times.min(), times.max())
    _check_summary(part, whole, H)
    summ = fr.replay_summary(times, nodes, blocks, **kw)
    for name in ("fetched_blocks", "remote_blocks", "sent_blocks", "last_fetch_s"):
        np.testing.assert_array_equal(getattr(summ, name), getattr(part, name))
    assert summ.latency.equals(part.latency) and summ.curve.equals(part.curve)


def test_summary_is_exact_with_many_distinct_latencies(monkeypatch):
    """Queueing on a slow link gives every fetch its own latency: the table grows from
    2 entries to thousands and the quantiles stay those of the full list."""
    rng = np.random.default_rng(7)
    n, H, m = 30_000, 5, 3_000
    times = np.sort(rng.random(n) * 2.0)
    nodes = rng.integers(0, H, n)
    blocks = rng.integers(0, m, n)
    kw = dict(n_nodes=H, n_blocks=m, detection_s=0.3, link_bps=1e8, source="map")
    whole = fr.replay_reads(times, nodes, blocks, **kw)
    whole["nodes"] = nodes
    assert np.unique(whole["latency_s"]).size > 1000
    monkeypatch.setattr(fr, "TABLE_SIZE", 2)
    _check_summary(fr.replay_summary(times, nodes, blocks, **kw), whole, H)


def test_quantiles_of_counts_are_numpy_quantiles():
    """The order statistics of values with counts (and zeros) interpolate as numpy's."""
    rng = np.random.default_rng(1)
    for n_zero in (0, 1, 7, 1000):
        vals = np.unique(rng.random(rng.integers(1, 40)) * 1e-3)
        cnts = rng.integers(1, 50, vals.size)
        full = np.concatenate([np.zeros(n_zero), np.repeat(vals, cnts)])
        qs = [0.0, 0.5, 0.95, 0.99, 1.0]
        assert fr._quantiles(vals, cnts, n_zero, qs) == list(np.quantile(full, qs))
        assert fr._exact_mean(vals, cnts, full.size) == _exact_mean(full)
