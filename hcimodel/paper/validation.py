"""The validation chapter's tables: each model beside a reference, with the error.

Every row sets one number of ours (``ours``: the closed form, or our exact
engine where the reference is a peer engine) beside a reference of one of
four kinds:

``textbook``  a value printed in a textbook, a paper or ``REFERENCES.md``;
``peer``      an independent implementation run here on the same inputs
              (ciw for queues, libcachesim for caches);
``twin``      the model's own Monte Carlo twin (seeded);
``real``      a real trace (the CloudPhysics vSCSI trace in ``data/``).

Each table function returns a polars frame with the columns of
:data:`COLUMNS`; numbers are rounded to 6 significant digits so that the
committed tables compare exactly across machines. The peers are optional
dependencies (the ``test`` extra installs them); a table whose peer is missing
raises :class:`ImportError`.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

__all__ = ["COLUMNS", "VALIDATION_TABLES", "queueing_table", "caching_table",
           "domain_table"]

#: Columns of every validation table.
COLUMNS = ["model", "quantity", "kind", "reference", "reference_value", "ours",
           "rel_error"]

#: Root seed of every Monte Carlo run in the validation tables.
SEED = 20151


def _sig(x: float, digits: int = 6) -> float:
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits - 1}e}")


def _row(model, quantity, kind, reference, ref_value, ours) -> dict:
    ref_value, ours = float(ref_value), float(ours)
    err = abs(ours - ref_value) / abs(ref_value) if ref_value else abs(ours - ref_value)
    err = 0.0 if err < 1e-12 else err  # floating-point noise, not a model error
    return {"model": model, "quantity": quantity, "kind": kind, "reference": reference,
            "reference_value": _sig(ref_value), "ours": _sig(ours), "rel_error": _sig(err, 3)}


def _frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c: (pl.Float64 if c in ("reference_value", "ours",
                                                              "rel_error") else pl.String)
                                      for c in COLUMNS}, orient="row")


# ------------------------------------------------------------------ queueing
def _ciw_mmc(lam: float, mu: float, c: int, horizon_s: float, warmup_s: float, seed: int):
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[c],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon_s)
    recs = [r for r in sim.get_all_records()
            if r.record_type == "service" and warmup_s < r.arrival_date < horizon_s - 100.0]
    return float(np.mean([r.waiting_time + r.service_time for r in recs]))


def queueing_table() -> pl.DataFrame:
    """Erlang C and M/M/c: printed example, our Monte Carlo engine and ciw."""
    from .. import queueing
    from ..simulate import simulate_mmc

    rows = [
        _row("M/M/c", "P(wait), c = 4, a = 3", "textbook",
             "Erlang C example, 27/53 (REFERENCES.md, Queueing)", 27 / 53,
             queueing.erlang_c(4, 3.0)),
        _row("M/M/c", "mean response (s), c = 4, a = 3, mu = 1", "textbook",
             "80/53 (REFERENCES.md, Queueing)", 80 / 53,
             queueing.mmc(3.0, 1.0, 4).mean_response),
    ]
    lam, mu, c = 2.1, 1.0, 3
    exact = float(queueing.mmc(lam, mu, c).mean_response)
    sim = simulate_mmc(lam, mu, c, 400_000, n_replications=4, rng=SEED)
    rows.append(_row("M/M/c", "mean response (s), c = 3, rho = 0.7", "twin",
                     "our Monte Carlo engine, 4 x 400,000 customers",
                     float(sim.mean_response_s.mean()), exact))
    rows.append(_row("M/M/c", "mean response (s), c = 3, rho = 0.7", "peer",
                     "ciw 3.2, 25,000 s after 1,000 s warm-up, seed 7",
                     _ciw_mmc(lam, mu, c, 25_000.0, 1_000.0, 7), exact))
    return _frame(rows)


# ------------------------------------------------------------------- caching
def caching_table() -> pl.DataFrame:
    """LRU: Che's approximation against the exact replay; the replay against
    libcachesim on the real trace; the IRM against the real trace."""
    import libcachesim as lcs

    from .. import caching, traces
    from ..simulate import lru_hits, miss_ratio_curve

    rows = []
    n_items, alpha, n_req = 10_000, 0.8, 1_000_000
    rates = caching.zipf_rates(n_items, alpha)
    gen = np.random.default_rng(SEED)
    keys = gen.choice(n_items, size=n_req, p=rates / rates.sum())
    for cap in (100, 1_000):
        che = float(caching.che_lru(rates, cap).hit_ratio)
        replay = float(lru_hits(keys, cap)[n_req // 10:].mean())
        rows.append(_row("LRU", f"hit ratio, Zipf({n_items:,}, {alpha}), C = {cap:,}", "twin",
                         "exact replay of 1e6 IRM requests (ours)", replay, che))

    trace = traces.read_vscsi(traces.data_path("cloudPhysicsIO.vscsi"))
    blocks = traces.block_keys(trace, 4096, ops="read")
    mrc = miss_ratio_curve(blocks)
    with _oracle_file(blocks) as path:
        for cap in (1_000, 16_384, 65_536):
            reader = lcs.TraceReader(trace=str(path), trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE)
            omr, _ = lcs.LRU(cap).process_trace(reader)
            ours = 1.0 - float(lru_hits(blocks, cap).mean())
            rows.append(_row("LRU", f"miss ratio, real trace reads, C = {cap:,} blocks", "peer",
                             "libcachesim 0.3 LRU on the same keys", omr, ours))
            rows.append(_row("LRU", f"miss ratio, real trace reads, C = {cap:,} blocks", "real",
                             "our replay; ours = one-pass Mattson curve", ours,
                             float(mrc.at(cap))))
    # the IRM with the trace's own frequencies against the measured replay
    _, counts = np.unique(blocks, return_counts=True)
    cap = 65_536
    che = float(caching.che_lru(counts.astype(float), cap).hit_ratio)
    measured = float(lru_hits(blocks, cap).mean())
    rows.append(_row("LRU (IRM)", f"hit ratio, real trace reads, C = {cap:,} blocks", "real",
                     "measured replay (the trace is not IRM)", measured, che))
    return _frame(rows)


class _oracle_file:
    """A temporary oracleGeneral file of block keys (libcachesim's fastest reader)."""

    def __init__(self, keys):
        self.keys = np.asarray(keys)

    def __enter__(self):
        import tempfile
        from pathlib import Path

        self._dir = tempfile.TemporaryDirectory()
        path = Path(self._dir.name) / "keys.oracleGeneral"
        rec = np.zeros(self.keys.size, dtype=[("t", "<u4"), ("id", "<u8"), ("size", "<u4"),
                                               ("next", "<i8")])
        rec["t"] = np.arange(self.keys.size, dtype=np.uint32)
        rec["id"] = self.keys.astype(np.uint64)
        rec["size"] = 1
        rec["next"] = -1
        rec.tofile(path)
        return path

    def __exit__(self, *exc):
        self._dir.cleanup()


# -------------------------------------------------------------------- domain
def domain_table() -> pl.DataFrame:
    """The domain models: printed or derived values and their Monte Carlo twins."""
    from .. import queueing, replication, shadowclone

    rows = []
    # REFERENCES.md, Replication: deterministic transfer S <= I: worst I + S, mean I/2 + S
    worst, mean, _ = replication.deterministic_loss(3600.0, 600.0)
    worst, mean = float(worst), float(mean)
    rows.append(_row("RPO", "worst loss (s), I = 3600 s, S = 600 s", "textbook",
                     "I + S (REFERENCES.md, derived)", 4200.0, worst))
    rows.append(_row("RPO", "mean loss (s), I = 3600 s, S = 600 s", "textbook",
                     "I/2 + S (REFERENCES.md, derived)", 2400.0, mean))
    from scipy.optimize import brentq

    sigma = brentq(lambda s: s - math.exp(-(1 - s) / 0.5), 1e-12, 1 - 1e-12, xtol=1e-14)
    rows.append(_row("RPO", "D/M/1 root sigma, rho = 0.5", "textbook",
                     "sigma = exp(-(1 - sigma)/rho), brentq", sigma,
                     float(queueing.dm1_sigma(0.5))))
    for window in (0.0, 600.0):
        cf = float(shadowclone.detection_delay(8, 80, window))
        mc = float(np.mean(shadowclone.simulate_detection_delay(8, 80, window, n_replications=20_000,
                                                                  rng=SEED)))
        rows.append(_row("Shadow Clones", f"detection delay (s), H = 8, N = 80, window {window:.0f} s",
                         "twin", "Monte Carlo, 20,000 runs", mc, cf))
    rows += _twin_rows()
    return _frame(rows)


def _twin_rows() -> list[dict]:
    """Hot spot, Shadow Clone and full-clone warm-ups, Content Cache: closed form
    against the Monte Carlo twin (seeded)."""
    from .. import fullclone, hotspot, shadowclone
    from ..cluster import Cluster
    from ..clonepool import ClonePool, clone_pool_stream
    from ..contentcache import content_cache_hits
    from ..simulate import segmented_lru_replay

    rows = []
    n = 800
    cf = hotspot.steady_state(n, "login", "linked_clones")
    mc = hotspot.simulate_steady_state(n, "login", "linked_clones", rng=SEED)
    for group in ("replica_node", "other_nodes"):
        got = float(mc.read_latency[group]["p95"][0])
        rows.append(_row("Hot spot", f"p95 read latency (s), {group}, {n} linked clones, login",
                         "twin", "tagged Lindley queues, 5 x 200,000 I/Os", got,
                         float(cf.read_latency[group]["p95"][0])))
    H, N = 8, 64
    cl = Cluster(H)
    w, sw = shadowclone.warmup(N, cl), shadowclone.simulate_warmup(N, cl, rng=SEED)
    rows.append(_row("Shadow Clones", f"bytes fetched in a boot storm, H = {H}, N = {N}", "twin",
                     "block-level replay of every read", float(sw.total_bytes),
                     float(w.total_bytes)))
    f, sf = fullclone.warmup(N, cl), fullclone.simulate_warmup(N, cl, rng=SEED)
    rows.append(_row("Full clones (VAAI)", f"bytes fetched in a boot storm, H = {H}, N = {N}",
                     "twin", "block-level replay, random RF2 placement", float(sf.total_bytes),
                     float(f.total_bytes)))
    pool = ClonePool(n_desktops=20, clone_type="full")
    keys = clone_pool_stream(pool, 600_000, rng=SEED).keys(True)
    for mib in (16, 64):
        half = int(mib * 2**20 / pool.block_bytes / 2)
        replay = float(np.mean(segmented_lru_replay(keys, half, half, 0)[200_000:] > 0))
        model = float(content_cache_hits(pool, mib * 2**20, dedup=True,
                                         single_touch_fraction=0.5).hit_ratio)
        rows.append(_row("Content Cache", f"hit ratio, 20 full clones, dedup, {mib} MiB memory",
                         "twin", "exact replay of 600,000 reads", replay, model))
    return rows


#: name -> function returning a validation table.
VALIDATION_TABLES = {
    "validation_queueing": queueing_table,
    "validation_caching": caching_table,
    "validation_domain": domain_table,
}
