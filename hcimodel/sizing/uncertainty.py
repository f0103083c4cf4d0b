"""The uncertain inputs of a sizing: their draws (:func:`draw_inputs`), the
probability that a target holds over them (nodes needed per draw,
:func:`hit_odds`, the RPO's odds) and the one-at-a-time tornado ranking."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from .. import units
from ..streams import as_generator
from ..validation import check_instance, check_integer
from .core import Engine, Inputs, _rows, fmt_bps
from .scenario import FIELDS, Scenario, _formatter

__all__ = ["draw_inputs", "hit_odds", "MAX_HIT_SOLVES"]

_COUNT_KEYS = {k for sec in FIELDS.values() for k, f in sec.items() if f.kind == "count"}


# ------------------------------------------------------------------ uncertainty

def draw_inputs(scenario: Scenario, n_draws: int, rng, levels: int = 65) -> dict:
    """Draw every uncertain input: ``{path: array (n_draws,)}``.

    Each input takes ``levels`` equally likely values, the midpoints of equal-
    probability strata of its distribution (``ppf((k + 1/2) / levels)``), each
    used equally often and combined with the other inputs at random. The
    discrete levels let the models that cannot vectorize be solved once per
    level. Counts are rounded to whole numbers.
    """
    check_instance("scenario", scenario, Scenario)
    n_draws = check_integer("n_draws", n_draws, minimum=1, scalar=True)
    levels = check_integer("levels", levels, minimum=1, scalar=True)
    rng = as_generator(rng)
    out = {}
    q = (np.arange(levels) + 0.5) / levels
    for path, u in scenario.uncertain().items():
        values = u.ppf(q)
        if path.rsplit(".", 1)[-1] in _COUNT_KEYS:
            values = np.floor(values + 0.5)
        idx = rng.permutation(np.arange(n_draws) % levels)
        out[path] = values[idx]
    return out


def _needed(engine: Engine, inp: Inputs, strategy: str) -> tuple[np.ndarray, np.ndarray]:
    need = engine.nodes(inp, strategy, exact=False)["nodes"]
    return need, np.where(engine.rpo_ok(inp), need, np.inf)


#: Most hit-ratio solves (about a second each) :func:`hit_odds` spends on the draws.
MAX_HIT_SOLVES = 12
#: Per pool, the cache inputs that lower the hit ratio as they grow; per node, those
#: that raise it (content_cache_model is monotone in each).
_HIT_DOWN = ("count", "image", "private")
_HIT_UP = ("node.cvm_memory", "cache.ssd")


def _hit_paths(s: Scenario) -> list[tuple[str, int]]:
    return ([(f"pools.{n}.{k}", -1) for n in s.pools for k in _HIT_DOWN]
            + [(p, 1) for p in _HIT_UP])


def hit_odds(engine: Engine, inp: Inputs, strategy: str, nodes: float):
    """Probability over the draws that the hit-ratio target holds at ``nodes``.

    The hit ratio (the smallest over the pools, :func:`.models.hit_ratio`, about a
    second per solve) depends only on the pools' count, image and private bytes,
    the CVM memory and the SSD cache. When none of them is drawn, one solve
    (memoized: the one of the answer) decides every draw against its drawn
    target. Otherwise each distinct combination of them is solved, up to
    :data:`MAX_HIT_SOLVES`; beyond that, when one input alone is drawn and the
    target is fixed, bisection over its sorted values (the model is monotone in
    it); else the two corners (every input at its worst and at its best) settle
    the odds when they agree. Returns the probability, or None when it would
    take more solves than that (the report says so).
    """
    s = engine.s
    h = int(min(nodes, engine.max_nodes)) if math.isfinite(nodes) else engine.max_nodes
    u = max(h - engine.headroom, 1)
    paths = _hit_paths(s)
    target = inp.num("targets.hit_ratio")

    def hit_of(row) -> float:
        v = dict(zip((p for p, _ in paths), row))
        out = []
        for name in s.pools:
            p = f"pools.{name}."
            out.append(engine.hit(u, (v[p + "count"], v[p + "image"], v[p + "private"],
                                      s.pools[name]["profile"], v["node.cvm_memory"],
                                      s.cache["rule"], v["cache.ssd"], s.cache["dedup"])))
        return min(out)

    cols = [inp.num(p) for p, _ in paths]
    uniq, inv = _rows(cols)
    if len(uniq) <= MAX_HIT_SOLVES:
        hits = np.array([hit_of(tuple(float(x) for x in r)) for r in uniq])
        return float(np.mean(hits[inv] >= target - 1e-12))
    drawn = [i for i in range(len(paths)) if np.unique(uniq[:, i]).size > 1]
    if len(drawn) == 1 and np.unique(target).size == 1:
        i = drawn[0]
        sign = paths[i][1]
        vals = np.unique(uniq[:, i])  # ascending; the hit ratio moves with sign
        base = uniq[0].copy()
        ok = lambda k: hit_of(tuple(float(x) for x in np.where(  # noqa: E731
            np.arange(len(base)) == i, vals[k], base))) >= target[0] - 1e-12
        # passing values: a suffix when the hit ratio rises with the input, else a prefix
        order = np.arange(vals.size) if sign > 0 else np.arange(vals.size)[::-1]
        lo, hi = -1, vals.size  # ok(order[hi]) assumed true, ok(order[lo]) false
        if not ok(order[-1]):
            return 0.0
        hi = vals.size - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if ok(order[mid]) else (mid, hi)
        passing = vals[order[hi:]]
        return float(np.mean(np.isin(inp.num(paths[i][0]), passing)))
    signs = np.array([g for _, g in paths])
    worst = np.where(signs < 0, uniq.max(axis=0), uniq.min(axis=0))
    best = np.where(signs < 0, uniq.min(axis=0), uniq.max(axis=0))
    if hit_of(tuple(float(x) for x in worst)) >= float(target.max()) - 1e-12:
        return 1.0
    if hit_of(tuple(float(x) for x in best)) < float(target.min()) - 1e-12:
        return 0.0
    return None


def _rpo_odds(engine: Engine, inp: Inputs, confidence: float) -> tuple[dict, list[str]]:
    """The RPO over the draws: the probability that its target holds, the worst loss
    and the least bandwidth at the confidence (the smallest value that at least that
    share of the draws stays within), and a sentence when the odds fall short."""
    res, bw, _ = engine.rpo(inp)
    if res is None:
        return {}, []
    worst = np.broadcast_to(np.asarray(res.worst_loss_s, float), (inp.n,))
    bw = np.broadcast_to(np.asarray(bw, float), (inp.n,))
    target = inp.num("protection.rpo")
    p = float(np.mean(worst <= target))
    q = lambda a: float(np.quantile(a, confidence, method="inverted_cdf"))  # noqa: E731
    out = {"probability_met": p, "worst_loss_at_confidence_s": q(worst),
           "bandwidth_at_confidence_bps": q(bw)}
    msgs = []
    if p < confidence - 1e-12:
        msgs.append(f"the {units.format_duration(float(target[0]))} target holds with "
                    f"probability {p:.0%}, below {confidence:.0%}, at any node count; "
                    f"{fmt_bps(out['bandwidth_at_confidence_bps'])} of WAN meets it with "
                    f"probability {confidence:.0%}.")
    return out, msgs


_TORNADO_METRICS = ("nodes", "read_latency_p95_s", "boot_storm_s", "rto_s", "rpo_transfer_s",
                    "hit_ratio")


def _empty_tornado() -> pl.DataFrame:
    return pl.DataFrame(schema={"rank": pl.Int64, "input": pl.Utf8, "strategy": pl.Utf8,
                                "low": pl.Utf8, "high": pl.Utf8, "metric": pl.Utf8,
                                "value_low": pl.Float64, "value_high": pl.Float64,
                                "nominal": pl.Float64, "relative_swing": pl.Float64})


def _quick(engine: Engine, strategy: str, nodes: float) -> dict:
    """Nodes-dependent metrics without the cache: latency, boot storm, RTO (at ``nodes``)."""
    s, inp = engine.s, Inputs(engine.s)
    h = int(min(nodes, engine.max_nodes)) if math.isfinite(nodes) else engine.max_nodes
    u = max(h - engine.headroom, 1)
    lat, boot = [], []
    for name, strat in engine.pools(strategy):
        lat.append(engine.p95(strat, u, tuple(float(c[0]) for c in engine.latency_args(inp, name))))
        boot.append(engine.boot(strat, u, tuple(float(c[0]) for c in engine.boot_args(inp, name))))
    out = {"read_latency_p95_s": max(lat), "boot_storm_s": max(boot), "rto_s": math.nan}
    if s.protection["mode"] != "none" and engine.protected(inp)[0] > 0:
        cols, phases = engine.rto_args(inp)
        strat = next(x for _, x in engine.pools(strategy))
        out["rto_s"] = float(engine.rto_total(strat, u, tuple(float(c[0]) for c in cols),
                                              [p[:1] for p in phases])[0])
    return out


def _tornado(s: Scenario, engine: Engine, uncertain: dict, answers: dict) -> pl.DataFrame:
    """One-at-a-time: each uncertain input at the low and high end of its range, the
    others at their nominal values; nodes needed, and latency, boot storm and RTO at
    the nominal answer's node count, and the RPO transfer time."""
    rows = []
    base = {st: {"nodes": answers[st], **_quick(engine, st, answers[st]),
                 "rpo_transfer_s": _transfer(engine), "hit_ratio": _hit(engine, st, answers[st])}
            for st in s.strategies()}
    for path, u in uncertain.items():
        f = _formatter(_kind(path))
        ends = {}
        for end, value in (("low", u.low), ("high", u.high)):
            e = Engine(s.replace(path, value), engine.memo)
            ends[end] = {st: {"nodes": float(e.nodes(Inputs(e.s), st, exact=False)["nodes"][0]),
                              **_quick(e, st, answers[st]), "rpo_transfer_s": _transfer(e),
                              "hit_ratio": _hit(e, st, answers[st])}
                         for st in s.strategies()}
        for st in s.strategies():
            for m in _TORNADO_METRICS:
                lo, hi, nom = ends["low"][st][m], ends["high"][st][m], base[st][m]
                with np.errstate(invalid="ignore", divide="ignore"):
                    rel = abs(hi - lo) / abs(nom) if nom else (0.0 if hi == lo else math.inf)
                rel = 0.0 if (math.isnan(rel) or (lo == hi)) else rel
                rows.append({"input": path, "strategy": st, "low": f(u.low), "high": f(u.high),
                             "metric": m, "value_low": lo, "value_high": hi, "nominal": nom,
                             "relative_swing": rel})
    frame = pl.DataFrame(rows)
    key = frame.group_by("input").agg(
        pl.col("relative_swing").filter(pl.col("metric") == "nodes").max().alias("n"),
        pl.col("relative_swing").max().alias("r"))
    key = key.sort(["n", "r", "input"], descending=[True, True, False]).with_row_index(
        "rank", offset=1).select(["input", pl.col("rank").cast(pl.Int64)])
    return (frame.join(key, on="input").sort(["rank", "strategy", "metric"])
            .select(list(_empty_tornado().columns)))


def _hit(engine: Engine, strategy: str, nodes: float) -> float:
    """Hit ratio at ``nodes`` (nominal inputs; memoized, so an input that does not
    reach the cache model costs no solve)."""
    h = int(min(nodes, engine.max_nodes)) if math.isfinite(nodes) else engine.max_nodes
    u = max(h - engine.headroom, 1)
    return min(engine.hit(u, engine.cache_args(name)) for name, _ in engine.pools(strategy))


def _transfer(engine: Engine) -> float:
    res = engine.rpo(Inputs(engine.s))[0]
    return math.nan if res is None else float(np.ravel(res.transfer_s)[0])


def _kind(path: str) -> str:
    parts = path.split(".")
    sec, key = ("pool", parts[2]) if parts[0] == "pools" else (parts[0], parts[1])
    return FIELDS[sec][key].kind
