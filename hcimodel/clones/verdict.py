"""Both strategies criterion by criterion (:func:`compare`, :class:`Comparison`)
and who wins each metric, by how much and where it flips (:func:`verdict`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .. import fullclone as fc
from .. import hotspot
from .. import shadowclone as sc
from ..clonepool import ClonePool, item_rates
from ..contentcache import SINGLE_TOUCH_FRACTION, cache_sizing, content_cache
from ..replication.change import MAX_DESKTOPS_PER_PD
from ..replication.rto import rto
from ..units import DAY_S
from ..validation import check_bool
from .capacity import capacity_timeline, operations
from .life import STRATEGIES, PoolLife, _life
from .network import _flip, flip_patch_bytes, flip_update_interval, lifecycle, network_per_month

__all__ = ["Comparison", "compare", "verdict"]


# ------------------------------------------------------------------ the comparison

@dataclass(frozen=True)
class Comparison:
    """The numbers of :func:`compare`.

    Attributes
    ----------
    life : PoolLife
    metrics : polars.DataFrame
        Tidy: criterion, metric, unit, strategy, value, better ('lower' or
        'higher'); sorted.
    """

    life: PoolLife
    metrics: pl.DataFrame

    def value(self, metric: str, strategy: str) -> float:
        """One number of :attr:`metrics`."""
        row = self.metrics.filter((pl.col("metric") == metric) & (pl.col("strategy") == strategy))
        if row.height != 1:
            raise ValueError(f"metric must be one of {sorted(set(self.metrics['metric']))} and "
                             f"strategy one of {STRATEGIES} (got {metric!r}, {strategy!r})")
        return float(row["value"][0])


def _cache_hit(life: PoolLife, written: float, dedup: bool) -> float:
    """Hit ratio of one node's Unified Cache for its desktops (memory only).

    The Unified Cache's structure (:func:`hcimodel.contentcache.content_cache`, the
    single-touch pool a quarter of the memory, as in
    :func:`hcimodel.contentcache.content_cache_hits`) on the per-key rates of
    :func:`hcimodel.clonepool.item_rates`; only the hit ratio, not the bytes
    held (which cost most of the solve).
    """
    per_node = max(1, life.n_desktops // life.n_nodes)
    pool = ClonePool.from_profile("task", n_desktops=per_node, base_blocks=life.parent.n_blocks,
                                  private_blocks=life.private_blocks, alpha=life.parent.alpha,
                                  written_fraction=written, clone_type="linked",
                                  block_bytes=life.parent.block_bytes,
                                  fingerprint_bytes=life.parent.block_bytes)
    ir = item_rates(pool, dedup)
    mem = float(cache_sizing(life.cvm_memory_bytes, "unified").content_cache_bytes) \
        / pool.block_bytes
    f = SINGLE_TOUCH_FRACTION  # single-touch share of the cache memory (assumed)
    res = content_cache(ir.group_rates, f * mem, (1 - f) * mem, 0.0, weights=ir.group_count)
    return float(np.ravel(res.hit_ratio)[0])


def compare(life: PoolLife | None = None, *, cache: bool = True, **overrides) -> Comparison:
    """Both strategies over one pool's life, criterion by criterion (closed forms).

    Parameters
    ----------
    life : PoolLife, optional
        The pool and the hardware (defaults documented there).
    cache : bool
        Compute the cache criterion (a few seconds: it solves the Unified Cache
        on the pool's image).
    **overrides
        Fields of :class:`PoolLife` to change.

    Returns
    -------
    Comparison
    """
    life = _life(life, overrides)
    cache = check_bool("cache", cache)
    H, N, R = life.n_nodes, life.n_desktops, life.rf
    cl = life.cluster
    rows = []

    def add(criterion, metric, unit, better, linked, full):
        for s, v in zip(STRATEGIES, (linked, full)):
            rows.append((criterion, metric, unit, s, float(v), better))

    # latency: once warm both read locally; the transient after an update differs
    def p95(profile, strategy):
        return hotspot.steady_state(N, profile, strategy, cl).read_latency["other_nodes"]["p95"][0] \
            if H > 1 else hotspot.steady_state(N, profile, strategy, cl) \
            .read_latency["replica_node"]["p95"][0]

    add("latency", "steady_p95_read_latency", "s", "lower", p95("task", "shadow_clones"),
        p95("task", "full_clones"))
    add("latency", "login_storm_p95_read_latency", "s", "lower", p95("login", "shadow_clones"),
        p95("login", "full_clones"))
    add("latency", "cold_login_storm_p95_read_latency", "s", "lower",
        p95("login", "linked_clones"), p95("login", "full_clones"))
    boot = {s: float(hotspot.boot_storm(N, strategy=s, cluster=cl).duration_s[0])
            for s in ("shadow_clones", "full_clones")}
    add("latency", "boot_storm_duration", "s", "lower", boot["shadow_clones"],
        boot["full_clones"])
    steady_sc = sc.warmup(N, cl, replica=life.parent, phase="steady",
                          start_window_s=life.start_window_s)
    warm_s = float(steady_sc.time_s) if H > 1 else 0.0
    add("latency", "rewarm_after_update", "s", "lower", warm_s, 0.0)
    lc = lifecycle(DAY_S, N, cl, replica=life.parent, start_window_s=life.start_window_s,
                   patch_bytes=life.patch_bytes)
    first_day = float(lc.filter(pl.col("strategy") == "shadow_clones")["local_share"][0])
    add("latency", "remote_share_first_day_after_update", "share", "lower",
        1.0 - first_day, 0.0)

    # network
    net = network_per_month(life).sort("strategy")
    add("network", "bytes_per_month", "B", "lower", net["bytes_per_month"][1],
        net["bytes_per_month"][0])
    add("network", "bytes_per_update", "B", "lower", net["bytes_per_update"][1],
        net["bytes_per_update"][0])

    # cache: linked clones are reset by recompose; full clones carry the life's patches
    pc = fc.patch_cycle(life.n_updates, N, parent=life.parent, patch_bytes=life.patch_bytes,
                        rf=R, n_nodes=H)
    w_end = float(1.0 - pc.shared_fraction[-1])
    add("cache", "shared_fraction_end_of_life", "share", "higher", 1.0, 1.0 - w_end)
    if cache:
        # linked clones: the replica's blocks, keyed alike with or without dedup (the
        # clone pool's dedup gain for linked clones is exactly 0); full clones with
        # dedup: the patched content is identical in every guest, shared again (a bound)
        h_linked = _cache_hit(life, 0.0, False)
        h_full = _cache_hit(life, min(w_end, 1.0 - 1e-9), False)
        add("cache", "hit_ratio_no_dedup", "share", "higher", h_linked, h_full)
        add("cache", "hit_ratio_dedup", "share", "higher", h_linked, h_linked)

    # capacity
    cap = capacity_timeline(life)
    peak = cap.group_by("strategy").agg(pl.col("raw_bytes").max()).sort("strategy")
    pk = dict(zip(peak["strategy"], peak["raw_bytes"]))
    add("capacity", "peak_raw_bytes", "B", "lower", pk["linked_shadow"], pk["full_vaai"])
    add("capacity", "peak_raw_bytes_dedup", "B", "lower", pk["linked_shadow"],
        pk["full_vaai_dedup"])

    # operations
    ops = operations(life)
    add("operations", "image_update_duration", "s", "lower", ops["recompose_s"],
        ops["patch_window_s"])
    add("operations", "update_write_bytes", "B", "lower", life.parent.used_bytes * R,
        ops["patch_write_bytes"])

    # protection and recovery
    pds = (np.ceil(N / MAX_DESKTOPS_PER_PD), np.ceil(N / life.full_desktops_per_pd))
    add("protection", "protection_domains", "count", "lower", *pds)
    linked_repl = life.parent.used_bytes + (0.0 if life.floating
                                            else N * life.delta_bytes_at_reset)
    add("protection", "bytes_to_replicate", "B", "lower", linked_repl,
        life.parent.used_bytes + N * life.kept_bytes_per_desktop)
    # linked clones boot at the recovery site through Shadow Clones and their detection
    r_l = rto(N, cluster=cl, strategy="linked_clones", desktops_per_pd=MAX_DESKTOPS_PER_PD)
    r_f = rto(N, cluster=cl, strategy="full_clones", desktops_per_pd=life.full_desktops_per_pd)
    add("protection", "rto", "s", "lower", float(np.ravel(r_l.total_s)[0]),
        float(np.ravel(r_f.total_s)[0]))
    add("protection", "image_updates_during_recovery", "allowed", "higher", 0.0, 1.0)

    df = pl.DataFrame(rows, orient="row",
                      schema=["criterion", "metric", "unit", "strategy", "value", "better"])
    return Comparison(life, df.sort(["criterion", "metric", "strategy"]))


# ------------------------------------------------------------------ verdict

def _winner(linked, full, better):
    if np.isclose(linked, full, rtol=1e-6, atol=1e-12):
        return "tie", 1.0
    lo_wins = (linked < full) == (better == "lower")
    win, lose = (linked, full) if lo_wins else (full, linked)
    ratio = (lose / win if better == "lower" else win / lose) if win > 0 and lose > 0 else np.inf
    return ("linked_shadow" if lo_wins else "full_vaai"), float(ratio)


def verdict(comparison: Comparison | None = None, *, flips: bool = True) -> pl.DataFrame:
    """Who wins each metric, by how much, where it flips, and the source's verdict.

    Parameters
    ----------
    comparison : Comparison, optional
        From :func:`compare` (default: ``compare()``).
    flips : bool
        Solve the flip points (brentq; a few seconds).

    Returns
    -------
    polars.DataFrame
        criterion, metric, unit, linked_shadow, full_vaai, winner, factor
        (loser over winner; ``inf`` when the winner's value is 0), flip_parameter,
        flip_value (null when no flip in the searched range), flip_note,
        source_verdict ('supports', 'contradicts', 'tie', 'not a performance
        claim'); sorted by criterion, metric.
    """
    flips = check_bool("flips", flips)
    comp = comparison if comparison is not None else compare()
    if not isinstance(comp, Comparison):
        raise ValueError(f"comparison must be a Comparison (got {type(comp).__name__})")
    life = comp.life
    wide = comp.metrics.pivot(on="strategy", index=["criterion", "metric", "unit", "better"],
                              values="value")
    ops = operations(life)
    flip = {}
    if flips:
        p_int = flip_update_interval(life)
        p_b = flip_patch_bytes(life, per="update")
        flip["bytes_per_month"] = (
            "update_interval_s", p_int[0] if p_int else None,
            "no flip between 1 day and the life" if not p_int else
            "the winner changes at update intervals of " + ", ".join(
                f"{x / DAY_S:.1f}" for x in p_int) + " days")
        flip["bytes_per_update"] = (
            "patch_bytes", p_b,
            "linked clones send more even with empty patches" if p_b is None else
            "patches smaller than this make full clones send fewer bytes per update")
    # operations: the concurrency limit at which a recompose is as short as a patch window
    lim = life.n_desktops * life.recompose_s_per_desktop / max(ops["patch_window_s"], 1e-9)
    flip["image_update_duration"] = (
        "maintenance_limit", float(lim),
        "a maintenance limit above this makes the recompose shorter (continuous waves)")
    flip["hit_ratio_no_dedup"] = ("dedup", 1.0, "dedup of the identical patched content "
                                  "removes the gap (patch writes >= 64 KiB are fingerprinted)")
    flip["protection_domains"] = ("full_desktops_per_pd", float(MAX_DESKTOPS_PER_PD),
                                  "full clones need as many PDs at 50 desktops per PD")
    span, kept = life.delta_bytes_at_reset, life.kept_bytes_per_desktop
    u = life.parent.used_bytes
    n_cap = _flip(lambda n: u + n * kept - max(2.0 * u, u + n * span), 1e-9, 1e9)
    flip["peak_raw_bytes"] = (
        ("n_desktops", None, "full clones take more raw capacity for any pool of one desktop "
         "or more") if n_cap is None or n_cap < 1 else
        ("n_desktops", n_cap, "pools smaller than this take less raw capacity as full clones "
         "(the second replica of a recompose outweighs what the clones keep)"))
    perf = {"latency", "cache"}
    rows = []
    for r in wide.iter_rows(named=True):
        win, fac = _winner(r["linked_shadow"], r["full_vaai"], r["better"])
        par, val, note = flip.get(r["metric"], (None, None, None))
        if win == "tie":
            src = "tie"
        elif r["criterion"] in perf:
            src = "supports" if win == "full_vaai" else "contradicts"
        else:
            src = "not a performance claim"
        rows.append({"criterion": r["criterion"], "metric": r["metric"], "unit": r["unit"],
                     "linked_shadow": r["linked_shadow"], "full_vaai": r["full_vaai"],
                     "winner": win, "factor": fac, "flip_parameter": par, "flip_value": val,
                     "flip_note": note, "source_verdict": src})
    schema = {"criterion": pl.Utf8, "metric": pl.Utf8, "unit": pl.Utf8,
              "linked_shadow": pl.Float64, "full_vaai": pl.Float64, "winner": pl.Utf8,
              "factor": pl.Float64, "flip_parameter": pl.Utf8, "flip_value": pl.Float64,
              "flip_note": pl.Utf8, "source_verdict": pl.Utf8}
    return pl.DataFrame(rows, schema=schema).sort(["criterion", "metric"])
