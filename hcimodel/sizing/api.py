"""``size(scenario)``: nodes per clone strategy, what binds, the odds, the sentences
(the draws, the odds and the tornado are computed in :mod:`.uncertainty`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from .. import __version__, units
from ..validation import check_bool, check_choice, check_instance, check_integer
from . import models
from .core import LIMITS, Engine, Inputs, fmt_bps
from .scenario import Scenario, load, loads
from .uncertainty import (MAX_HIT_SOLVES, _empty_tornado, _needed, _quick, _rpo_odds, _tornado,
                          draw_inputs, hit_odds)

__all__ = ["StrategySizing", "SizingResult", "size", "example_text", "example_scenario",
           "largest_pool"]


def example_text() -> str:
    """The built-in example scenario (commented TOML)."""
    return resources.files("hcimodel.sizing").joinpath("example.toml").read_text("utf-8")


def example_scenario() -> Scenario:
    """The built-in example, parsed."""
    return loads(example_text(), "example.toml")


@dataclass(frozen=True)
class StrategySizing:
    """The answer for one clone strategy.

    Attributes
    ----------
    strategy : str
    nodes : float
        Nodes needed (headroom included); ``inf`` above ``cluster.max_nodes``.
    binding : tuple of str
        The limits that ask for ``nodes`` (see :data:`hcimodel.sizing.core.LIMITS`).
    limits : dict
        Nodes each limit asks for (headroom included; ``inf`` when unreachable).
    metrics : dict
        At the answer (``cluster.max_nodes`` when unreachable): desktops per
        usable node, p95 read latency (s), boot storm (s), hit ratio, cache per
        node (bytes), Shadow Clone warm-up bytes and time (s), RTO (s).
    probability : numpy.ndarray
        P(every node-dependent target holds) at each node count of
        :attr:`SizingResult.node_range` over the draws: CPU, memory, capacity,
        the login-storm latency, the boot storm and the RTO. The RPO does not
        depend on the node count and is reported on its own
        (:attr:`SizingResult.protection`). The hit ratio is not drawn (its model
        costs about a second per solve): it is checked at the answer, with a
        sentence when missed, and its odds there are
        ``metrics["hit_ratio_probability"]`` (:func:`hcimodel.sizing.uncertainty.hit_odds`).
    probability_all : numpy.ndarray
        The same with the RPO target too (every target).
    nodes_at_confidence : float
        Smallest node count whose :attr:`probability` (node-dependent targets)
        reaches the confidence (``inf`` if none).
    largest_pool : dict
        Largest count of the first pool per node count (every other input fixed).
    """

    strategy: str
    nodes: float
    binding: tuple
    limits: dict
    metrics: dict
    probability: np.ndarray = field(repr=False)
    probability_all: np.ndarray = field(repr=False)
    nodes_at_confidence: float = math.inf
    largest_pool: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class SizingResult:
    """Everything :func:`size` found, with the inputs, seed and package version.

    ``protection`` holds the RPO side, which does not depend on the node count
    (protection domains, interval, delta, worst and mean loss, least bandwidth
    for the target; with uncertain inputs the probability that the RPO target
    holds and the bandwidth that meets it at the confidence); ``tornado`` one row
    per (uncertain input, strategy): nodes needed at the low and high end of
    its range, others at their nominal values; ``messages`` a plain sentence
    for every target that is not met; ``notes`` what the models flag about
    their own assumptions at the answer (the RTO's activation time per
    protection domain, its infrastructure order, Shadow Clones at recovery).
    """

    name: str
    inputs: dict
    version: str
    seed: int
    confidence: float
    n_draws: int
    levels: int
    strategies: tuple
    protection: dict
    node_range: np.ndarray = field(repr=False)
    tornado: pl.DataFrame = field(repr=False)
    messages: tuple = ()
    scenario_text: str = field(default="", repr=False)
    notes: tuple = ()

    def strategy(self, name: str) -> StrategySizing:
        for s in self.strategies:
            if s.strategy == name:
                return s
        raise ValueError(f"strategy must be one of {[s.strategy for s in self.strategies]} "
                         f"(got {name!r})")

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: strategy, section, metric, value (float); sorted."""
        rows = []
        for s in self.strategies:
            rows.append((s.strategy, "answer", "nodes", s.nodes))
            rows.append((s.strategy, "answer", f"nodes_at_{self.confidence:g}",
                         s.nodes_at_confidence))
            rows += [(s.strategy, "limit", k, v) for k, v in s.limits.items()]
            rows += [(s.strategy, "metric", k, v) for k, v in s.metrics.items()]
            rows += [(s.strategy, "probability", f"{int(h)}_nodes", float(p))
                     for h, p in zip(self.node_range, s.probability)]
            rows += [(s.strategy, "probability_all", f"{int(h)}_nodes", float(p))
                     for h, p in zip(self.node_range, s.probability_all)]
            rows += [(s.strategy, "largest_pool", f"{int(h)}_nodes", float(n))
                     for h, n in s.largest_pool.items()]
        rows += [("all", "protection", k, float(v)) for k, v in self.protection.items()
                 if isinstance(v, (int, float, bool, np.floating, np.integer, np.bool_))]
        return pl.DataFrame(rows, schema=["strategy", "section", "metric", "value"],
                            orient="row").sort(["strategy", "section", "metric"])

    def to_dict(self) -> dict:
        """JSON-able dict (``inf`` as the string ``"inf"``)."""
        def clean(x):
            if isinstance(x, dict):
                return {str(k): clean(v) for k, v in x.items()}
            if isinstance(x, (list, tuple, np.ndarray)):
                return [clean(v) for v in list(x)]
            if isinstance(x, (np.bool_, bool)):
                return bool(x)
            if isinstance(x, (float, np.floating, np.integer, int)):
                v = float(x)
                if math.isnan(v):
                    return None
                if math.isinf(v):
                    return "inf" if v > 0 else "-inf"
                return int(v) if v == int(v) and abs(v) < 2**53 else v
            return x
        return clean({
            "name": self.name, "version": self.version, "seed": self.seed,
            "confidence": self.confidence, "n_draws": self.n_draws, "levels": self.levels,
            "inputs": self.inputs, "node_range": self.node_range,
            "strategies": [{"strategy": s.strategy, "nodes": s.nodes, "binding": s.binding,
                            "limits": s.limits, "metrics": s.metrics,
                            "nodes_at_confidence": s.nodes_at_confidence,
                            "probability": s.probability,
                            "probability_all": s.probability_all,
                            "largest_pool": s.largest_pool} for s in self.strategies],
            "protection": self.protection,
            "tornado": self.tornado.to_dicts(),
            "messages": list(self.messages), "notes": list(self.notes)})


# ------------------------------------------------------------------ metrics and sentences

def _metrics(engine: Engine, strategy: str, nodes: float) -> dict:
    s = engine.s
    inp = Inputs(s)
    h = int(min(nodes, engine.max_nodes)) if math.isfinite(nodes) else engine.max_nodes
    u = max(h - engine.headroom, 1)
    total = sum(inp.num(f"pools.{n}.count")[0] for n in s.pools)
    hits, wbytes, wtime = [], 0.0, 0.0
    for name, strat in engine.pools(strategy):
        hits.append(engine.hit(u, engine.cache_args(name)))
        b = tuple(float(c[0]) for c in engine.boot_args(inp, name))
        w = engine._call(("warm", strat, u, *b), lambda b=b, strat=strat: models.warmup(
            strat, u, int(b[0]), image_bytes=b[2], boot_read_bytes=b[1], link_bps=b[5],
            rtt_s=b[4], rf=engine.rf))
        if w is not None:
            wbytes += w.total_bytes
            wtime = max(wtime, w.time_s)
    q = _quick(engine, strategy, nodes)
    out = {"usable_nodes": float(u), "desktops_per_node": float(total / u),
           "read_latency_p95_s": q["read_latency_p95_s"], "boot_storm_s": q["boot_storm_s"],
           "hit_ratio": min(hits),
           "cache_per_node_bytes": models.cache_bytes(inp.num("node.cvm_memory")[0],
                                                      s.cache["rule"], inp.num("cache.ssd")[0]),
           "warmup_bytes": wbytes, "warmup_s": wtime}
    if not math.isnan(q["rto_s"]):
        out["rto_s"] = q["rto_s"]
    return out


def _sentences(engine: Engine, st: StrategySizing, conf: float, p_max: float) -> list[str]:
    s, inp, m = engine.s, Inputs(engine.s), st.metrics
    t = {k: inp.num(f"targets.{k}")[0] for k in ("read_latency_p95", "boot_storm", "rto",
                                                  "hit_ratio")}
    name = st.strategy
    out = []
    fd = units.format_duration
    mx = engine.max_nodes
    for lim, v in st.limits.items():
        if math.isfinite(v):
            continue
        if lim in ("cpu", "memory", "capacity"):
            need = engine.closed_limits(inp, name)[lim][0] + engine.headroom
            out.append(f"{name}: {lim} alone needs {int(need)} nodes, more than the "
                       f"{mx}-node maximum (cluster.max_nodes); split the desktops over "
                       f"several clusters or use larger nodes.")
        elif lim == "read_latency":
            hint = ("the replica's CVM serves the replica reads of every node; Shadow Clones "
                    "or full clones remove that hot spot" if name == "linked_clones" else
                    "a faster CVM (node.cvm_iops) or fewer login IOPS per desktop would")
            out.append(f"{name}: the login-storm p95 read latency is "
                       f"{fd(m['read_latency_p95_s'])} even on {mx} nodes, above the "
                       f"{fd(t['read_latency_p95'])} target: {hint}; a target of "
                       f"{fd(m['read_latency_p95_s'])} would be met.")
        elif lim == "boot_storm":
            k = _boot_batch(engine, name)
            out.append(f"{name}: booting every desktop at once takes {fd(m['boot_storm_s'])} "
                       f"even on {mx} nodes, above the {fd(t['boot_storm'])} target; boot at "
                       f"most {k:,} desktops at a time, or relax the target.")
        elif lim == "rto":
            pr = s.protection
            pds = math.ceil(engine.protected(inp)[0] / inp.num("protection.desktops_per_pd")[0])
            fixed = (inp.num("protection.detection")[0] + inp.num("protection.decision")[0]
                     + pds * inp.num("protection.activation")[0])
            out.append(f"{name}: recovery takes {fd(m.get('rto_s', math.inf))} even with {mx} "
                       f"nodes at the recovery site, above the {fd(t['rto'])} target; "
                       f"detection, decision and the activation of {pds} protection domains "
                       f"one at a time alone take {fd(fixed)} (mode {pr['mode']}): activate "
                       f"domains in parallel, shorten the decision, or raise "
                       f"protection.power_on_parallelism.")
    if m["hit_ratio"] < t["hit_ratio"]:
        first = next(iter(s.pools))
        args = engine.cache_args(first)
        per_node = int(math.ceil(args[0] / m["usable_nodes"]))
        mem = engine._call(("cvm_for_hit", t["hit_ratio"], per_node, *args[1:]),
                           lambda: models.cvm_memory_for_hit(
                               t["hit_ratio"], per_node, image_bytes=args[1],
                               private_bytes=args[2], profile=args[3], rule=args[5],
                               dedup=args[7]))
        out.append(f"{name}: the CVM cache serves {m['hit_ratio']:.0%} of reads at "
                   f"{per_node} desktops per node, below the {t['hit_ratio']:.0%} target; a CVM "
                   f"of {units.format_bytes(mem)} ({s.cache['rule']} rule) would reach it "
                   f"(more nodes help only slowly).")
    if not math.isfinite(st.nodes_at_confidence) and engine.s.uncertain():
        out.append(f"{name}: no cluster of up to {mx} nodes meets every node-dependent target "
                   f"(latency, boot storm, RTO, CPU, memory, capacity) with probability "
                   f"{conf:.0%} (at most {p_max:.0%}).")
    return out


def _boot_batch(engine: Engine, strategy: str) -> int:
    inp = Inputs(engine.s)
    name, strat = next(iter(engine.pools(strategy)))
    row = [float(c[0]) for c in engine.boot_args(inp, name)]
    target = inp.num("targets.boot_storm")[0]
    u = engine.max_usable

    def ok(n):
        r = (float(n), *row[1:])
        return engine.boot(strat, u, r) <= target
    lo, hi = 0, int(row[0])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def _rpo_block(engine: Engine) -> tuple[dict, list[str]]:
    s, inp = engine.s, Inputs(engine.s)
    res, bw, pds = engine.rpo(inp)
    if res is None:
        return {"mode": s.protection["mode"], "protected_desktops": 0.0}, []
    target = inp.num("protection.rpo")[0]
    interval = engine.interval(inp)[0]
    out = {"mode": s.protection["mode"], "protected_desktops": float(engine.protected(inp)[0]),
           "protection_domains": float(pds[0]), "interval_s": float(res.interval_s.ravel()[0]),
           "delta_bytes": float(res.delta_bytes.ravel()[0]),
           "transfer_s": float(res.transfer_s.ravel()[0]),
           "worst_loss_s": float(res.worst_loss_s.ravel()[0]),
           "mean_loss_s": float(res.mean_loss_s.ravel()[0]),
           "rpo_target_s": float(target), "met": bool(res.worst_loss_s.ravel()[0] <= target),
           "fallback": bool(res.fallback.ravel()[0]),
           "bandwidth_needed_bps": float(bw[0]), "wan_bps": float(inp.num("protection.wan")[0])}
    msgs = []
    fd = units.format_duration
    if not out["met"]:
        if interval >= target:
            mode = s.protection["mode"]
            alt = models.bandwidth(target, min(900.0, target / 2), engine.protected(inp)[:1],
                                   *_change_link(engine, inp))
            msgs.append(f"RPO: {mode} snapshots are {fd(interval)} apart, so the worst loss "
                        f"({fd(out['worst_loss_s'])}) cannot stay within the {fd(target)} "
                        f"target at any bandwidth; NearSync every {fd(min(900.0, target / 2))} "
                        f"over {fmt_bps(float(alt[0]))} would meet it.")
        elif not bool(res.stable.ravel()[0]) or out["fallback"]:
            msgs.append(f"RPO: each snapshot's delta ({units.format_bytes(out['delta_bytes'])} "
                        f"at the peak hour) takes {fd(out['transfer_s'])} to send over "
                        f"{fmt_bps(out['wan_bps'])}, longer than the snapshot interval, so the "
                        f"backlog grows; the {fd(target)} target needs "
                        f"{fmt_bps(out['bandwidth_needed_bps'])} (or fewer protected desktops: "
                        f"floating pools need no replication).")
        else:
            msgs.append(f"RPO: the worst loss is {fd(out['worst_loss_s'])}, above the "
                        f"{fd(target)} target; {fmt_bps(out['bandwidth_needed_bps'])} of WAN "
                        f"would meet it.")
    return out, msgs


def _change_link(engine: Engine, inp: Inputs):
    n = engine.protected(inp)
    profile = next(p["profile"] for p in engine.s.pools.values() if p["persistent"])
    iops = sum(inp.num(f"pools.{k}.count") * inp.num(f"pools.{k}.steady_iops")
               for k, p in engine.s.pools.items() if p["persistent"])
    return (models.change_model(iops / n, profile),
            models.link(inp.num("protection.wan"), inp.num("protection.efficiency"),
                        inp.num("protection.compression"), inp.num("protection.distance")))


def largest_pool(engine: Engine, strategy: str, nodes) -> dict:
    """Largest count of the first pool that every node-dependent limit allows on each
    node count (the hit ratio aside), every other input at its nominal value.

    CPU, memory and capacity are linear in the count, so they bound it in closed
    form; below that bound, integer bisection on the model limits (more desktops
    never need fewer nodes).
    """
    check_instance("engine", engine, Engine)
    s = engine.s
    check_choice("strategy", strategy, s.strategies())
    nodes = np.ravel(check_integer("nodes", nodes, minimum=engine.min_nodes,
                                   maximum=engine.max_nodes))
    first = next(iter(s.pools))
    path = f"pools.{first}.count"

    def need(n: int) -> float:
        sc = s.replace(path, float(n))
        e = Engine(sc, engine.memo)
        return float(e.nodes(Inputs(sc), strategy, exact=False)["nodes"][0])

    def raw(n: float) -> dict:
        sc = s.replace(path, float(n))
        return {k: float(v[0]) for k, v in Engine(sc, engine.memo).closed_raw(
            Inputs(sc), strategy).items()}
    r0, r1 = raw(0.0), raw(1.0)
    out = {}
    for h in nodes:
        u = h - engine.headroom
        bound = 10**6
        for k in r0:
            slope = r1[k] - r0[k]
            if slope > 0:
                bound = min(bound, int(math.floor((u - r0[k]) / slope * (1 + 1e-12))))
        if bound < 1 or need(1) > h:
            out[int(h)] = 0.0
            continue
        if need(bound) <= h:
            out[int(h)] = float(bound)
            continue
        lo, hi = 1, bound
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if need(mid) <= h else (lo, mid)
        out[int(h)] = float(lo)
    return out


# ------------------------------------------------------------------ entry point

def _as_scenario(scenario) -> Scenario:
    if scenario is None:
        return example_scenario()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, Path)):
        return load(scenario)
    raise ValueError(f"scenario must be a Scenario, a path to a TOML file or None "
                     f"(got {type(scenario).__name__})")


def size(scenario=None, *, confidence: float = 0.9, n_draws: int = 1000, seed: int = 0,
         levels: int = 65, tornado: bool = True, largest: bool = True) -> SizingResult:
    """Size a cluster for a scenario, for each clone strategy it names.

    Parameters
    ----------
    scenario : Scenario, path or None
        A parsed scenario (:func:`hcimodel.sizing.loads`), a TOML file, or
        None for the built-in example.
    confidence : float
        Probability, in (0, 1), that every target must hold for
        ``nodes_at_confidence``.
    n_draws : int
        Monte Carlo draws of the uncertain inputs (none are made when no input
        is uncertain: the probability is then 0 or 1).
    seed : int
        Seed of the draws (reports echo it).
    levels : int
        Equally likely values per uncertain input (:func:`hcimodel.sizing.uncertainty.draw_inputs`).
    tornado, largest : bool
        Compute the tornado ranking and the largest pool per node count.

    Returns
    -------
    SizingResult
    """
    s = _as_scenario(scenario)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) \
            or not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1) (got {confidence!r})")
    for name, v, lo in (("n_draws", n_draws, 1), ("levels", levels, 1), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo} (got {v!r})")
    tornado = check_bool("tornado", tornado)
    largest = check_bool("largest", largest)
    engine = Engine(s)
    nominal = Inputs(s)
    uncertain = s.uncertain()
    draws = n_draws if uncertain else 1
    inp = Inputs(s, draw_inputs(s, draws, np.random.default_rng(seed), levels), draws)

    protection, messages = _rpo_block(engine)
    if uncertain:
        odds, more = _rpo_odds(engine, inp, confidence)
        protection.update(odds)
        if more and messages:  # one sentence per unmet target: the odds join the RPO's
            messages[-1] = f"{messages[-1]} Over the uncertain inputs, {more[0]}"
        else:
            messages += [f"RPO: over the uncertain inputs, {m}" for m in more]
    results, needs = [], {}
    for strat in s.strategies():
        lim = engine.nodes(nominal, strat, exact=True)
        limits = {k: float(lim[k][0]) for k in LIMITS}
        nodes = float(lim["nodes"][0])
        binding = tuple(k for k in LIMITS if limits[k] == nodes) if math.isfinite(nodes) \
            else tuple(k for k in LIMITS if not math.isfinite(limits[k]))
        needs[strat] = _needed(engine, inp, strat)
        results.append((strat, nodes, binding, limits))
    finite = [v for _, n, _, _ in results for v in [n] if math.isfinite(v)]
    finite += [float(np.max(nd[0][np.isfinite(nd[0])])) for nd in needs.values()
               if np.any(np.isfinite(nd[0]))]
    top = int(min(engine.max_nodes, max(finite, default=engine.min_nodes) + 2))
    node_range = np.arange(engine.min_nodes, max(top, engine.min_nodes) + 1)

    out = []
    for strat, nodes, binding, limits in results:
        need_nodes, need_all = needs[strat]
        prob = np.array([np.mean(need_nodes <= h) for h in node_range])
        prob_all = np.array([np.mean(need_all <= h) for h in node_range])
        ok = np.flatnonzero(prob >= confidence - 1e-12)
        at_conf = float(node_range[ok[0]]) if ok.size else math.inf
        metrics = _metrics(engine, strat, nodes)
        if uncertain:
            p_hit = hit_odds(engine, inp, strat, nodes)
            if p_hit is None:
                messages.append(f"{strat}: the odds of the hit-ratio target are not drawn: the "
                                f"uncertain cache inputs would need more than "
                                f"{MAX_HIT_SOLVES} solves of the cache model.")
            else:
                metrics["hit_ratio_probability"] = p_hit
        big = {}
        if largest:
            centre = int(nodes) if math.isfinite(nodes) else engine.max_nodes
            hs = [h for h in range(centre - 2, centre + 3) if engine.min_nodes <= h <= engine.max_nodes]
            big = largest_pool(engine, strat, hs)
        st = StrategySizing(strat, nodes, binding, limits, metrics, prob, prob_all, at_conf, big)
        messages += _sentences(engine, st, confidence, float(prob.max(initial=0.0)))
        out.append(st)

    answers = {st.strategy: st.nodes for st in out}
    frame = (_tornado(s, engine, uncertain, answers) if (tornado and uncertain)
             else _empty_tornado())
    return SizingResult(s.name, s.to_dict(), __version__, int(seed), float(confidence),
                        int(draws if uncertain else 0), int(levels), tuple(out), protection,
                        node_range, frame, tuple(messages), s.text,
                        notes=_rto_notes(engine, out))


def _rto_notes(engine: Engine, answers) -> tuple:
    """The notes of :func:`hcimodel.replication.rto` at each strategy's answer (nominal
    inputs), once each."""
    if engine.s.protection["mode"] == "none" or engine.protected(Inputs(engine.s))[0] <= 0:
        return ()
    cols, phases = engine.rto_args(Inputs(engine.s))
    n, cvm, rtt, link, boot, par, per_pd = (float(c[0]) for c in cols)
    out: dict = {}
    for st in answers:
        strat = next(x for _, x in engine.pools(st.strategy))
        h = int(st.metrics["usable_nodes"]) + engine.headroom
        r = models.rto(int(n), h, strat, cvm_iops=cvm, rtt_s=rtt, link_bps=link,
                       boot_read_bytes=boot, parallelism=int(par), desktops_per_pd=int(per_pd),
                       detection_s=phases[0][:1], decision_s=phases[1][:1],
                       activation_s=phases[2][:1], rf=engine.rf)
        for note in r.notes:
            out.setdefault(note, []).append(st.strategy)
    every = len(answers)
    return tuple(f"RTO: {n}" if len(who) == every else f"RTO ({', '.join(who)}): {n}"
                 for n, who in out.items())
