"""Figures of the Shadow Clones warm-up (notebook 02)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import polars as pl

from .. import shadowclone as sc
from ._registry import SEED, axes, register, render

__all__ = ["warmup_cost_data", "draw_warmup_cost", "shadow_clone_warmup_cost",
           "warmup_curve_data", "draw_warmup_curve", "shadow_clone_warmup_curve",
           "break_even_data", "draw_break_even", "shadow_clone_break_even",
           "cadence_data", "draw_cadence", "shadow_clone_cadence"]

_LABELS = {"no_shadow_clones": "linked clones, no Shadow Clones (remote reads)",
           "shadow_clones": "linked clones + Shadow Clones",
           "full_clones": "full clones, native cloning"}
GB = 1e9
HOUR = 3600.0


# ------------------------------------------------------------------ bytes and time vs nodes

def warmup_cost_data(n_max: int = 64, desktops_per_node: int = 50,
                     mc_nodes=(4, 8, 16)) -> pl.DataFrame:
    """Bytes fetched and time to warm up the boot set versus nodes (boot storm).

    Closed form on H = 1..n_max (``desktops_per_node`` desktops per node, all
    powered on at once, detection at once) for 10 GbE and 1 GbE links, from the
    owner alone and through the map; seeded Monte Carlo points (2 desktops per
    node, the replica's whole 378 MB boot set) at ``mc_nodes`` on 1 GbE, single source.
    Tidy frame: link_gbps, source, n_nodes, origin, metric, value.
    """
    H = np.arange(1, n_max + 1)
    frames = []
    for link in (10e9, 1e9):
        for source in sc.SOURCES:
            w = sc.warmup(H, H * desktops_per_node, source=source, link_bps=link,
                          detection_delay_s=0.0)
            for metric in ("total_bytes", "time_s"):
                frames.append(pl.DataFrame({
                    "link_gbps": link / 1e9, "source": source, "n_nodes": H,
                    "origin": "closed form", "metric": metric,
                    "value": getattr(w, metric).astype(float)}))
    seeds = np.random.SeedSequence([SEED, 200]).spawn(len(mc_nodes))
    for h, seed in zip(mc_nodes, seeds):
        mc = sc.simulate_warmup(h, 2 * h, link_bps=1e9, detection_delay_s=0.0, rng=seed)
        frames.append(pl.DataFrame({
            "link_gbps": 1.0, "source": "single", "n_nodes": [h, h], "origin": "monte carlo",
            "metric": ["total_bytes", "time_s"], "value": [mc.total_bytes, mc.time_s]}))
    df = pl.concat([f.with_columns(pl.col("n_nodes").cast(pl.Int64)) for f in frames])
    return df.sort(["link_gbps", "source", "origin", "metric", "n_nodes"])


def draw_warmup_cost(df: pl.DataFrame):
    """Draw :func:`warmup_cost_data` in two panels; returns the figure."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.6, 4))
    cf = df.filter(pl.col("origin") == "closed form")
    tb = cf.filter((pl.col("metric") == "total_bytes") & (pl.col("link_gbps") == 10.0)
                   & (pl.col("source") == "single"))
    boot_mb = sc.Replica().boot_bytes / 1e6
    a1.plot(tb["n_nodes"], tb["value"] / GB, label=f"closed form: (H - 1) x {boot_mb:.0f} MB")
    mc = df.filter(pl.col("origin") == "monte carlo")
    mcb = mc.filter(pl.col("metric") == "total_bytes")
    a1.plot(mcb["n_nodes"], mcb["value"] / GB, "o", label="Monte Carlo")
    a1.set_xlabel("nodes H")
    a1.set_ylabel("bytes fetched by the cluster (GB)")
    a1.set_title("Boot set fetched once per node")
    a1.legend()
    for (link, source), part in cf.filter(pl.col("metric") == "time_s").group_by(
            ["link_gbps", "source"], maintain_order=True):
        a2.plot(part["n_nodes"], part["value"] / 60,
                label=f"{link:g} GbE, {'owner only' if source == 'single' else 'map'}",
                linestyle="-" if source == "single" else ":")
    mct = mc.filter(pl.col("metric") == "time_s")
    a2.plot(mct["n_nodes"], mct["value"] / 60, "o", color="black", label="Monte Carlo, 1 GbE")
    a2.set_xlabel("nodes H")
    a2.set_ylabel("time to warm the boot set (min)")
    a2.set_title("Boot pace, then the owner's link")
    a2.legend(fontsize=7)
    return fig


@register
def shadow_clone_warmup_cost(out_dir: Path) -> tuple[Path, Path]:
    """Bytes fetched and time to warm up the boot set versus the number of nodes."""
    return render(out_dir, "shadow_clone_warmup_cost", warmup_cost_data(), draw_warmup_cost)


# ------------------------------------------------------------------ warm-up curve

def warmup_curve_data(alphas=(0.0, 0.6, 0.9, 1.1), n_nodes: int = 4, n_desktops: int = 100,
                      hours: float = 72.0, mc_hours: float = 1.0,
                      mc_alphas=(0.0, 0.9)) -> pl.DataFrame:
    """Share of reads served locally versus time after detection (steady state, IRM).

    Task workers on a 10 GB used replica (4 KiB blocks). Closed form on a grid
    of times: the next read's local share and the cumulative share. Seeded
    Monte Carlo points of the cumulative share at ``mc_hours`` (one run per
    alpha in ``mc_alphas``: a clone-pool stream of the closed form's pool,
    :func:`hcimodel.shadowclone.replica_pool`; mean over the non-owner nodes of
    1 - fetched / reads). Tidy frame: alpha, hours, origin, statistic, share.
    """
    lam = n_desktops / n_nodes * sc.block_read_rate("task", sc.Replica())
    t = np.linspace(0.0, hours, 145)
    frames = []
    seeds = np.random.SeedSequence([SEED, 300]).spawn(len(alphas))
    for a, seed in zip(alphas, seeds):
        rep = sc.Replica(alpha=a)
        p = rep.popularity()
        n = lam * t * HOUR
        for stat, share in (("next read", sc.local_share(n, p)),
                            ("cumulative", sc.local_share(n, p, cumulative=True))):
            frames.append(pl.DataFrame({"alpha": a, "hours": t, "origin": "closed form",
                                        "statistic": stat, "share": share}))
        if a not in mc_alphas:
            continue
        k = int(lam * mc_hours * HOUR)
        mc = sc.simulate_warmup(n_nodes, n_desktops, replica=rep, phase="steady",
                                detection_delay_s=0.0, n_reads_per_node=k, rng=seed)
        fetched = mc.bytes_per_node[1:] / rep.block_bytes
        share = float(1.0 - (fetched / mc.reads_per_node[1:]).mean())
        frames.append(pl.DataFrame({"alpha": a, "hours": [mc_hours], "origin": "monte carlo",
                                    "statistic": "cumulative", "share": [share]}))
    return pl.concat(frames).sort(["alpha", "origin", "statistic", "hours"])


def draw_warmup_curve(df: pl.DataFrame, ax=None):
    """Draw :func:`warmup_curve_data`; returns the figure."""
    fig, ax = axes(ax)
    for a in df["alpha"].unique().sort():
        part = df.filter((pl.col("alpha") == a) & (pl.col("origin") == "closed form"))
        nxt = part.filter(pl.col("statistic") == "next read")
        line, = ax.plot(nxt["hours"], nxt["share"], label=f"Zipf alpha = {a:g}")
        cum = part.filter(pl.col("statistic") == "cumulative")
        ax.plot(cum["hours"], cum["share"], ":", color=line.get_color())
        mc = df.filter((pl.col("alpha") == a) & (pl.col("origin") == "monte carlo"))
        ax.plot(mc["hours"], mc["share"], "o", color=line.get_color())
    ax.set_ylim(0, 1)
    ax.set_xlabel("hours after detection (25 task workers per node)")
    ax.set_ylabel("share of replica reads served locally")
    ax.set_title("Warm-up curve: next read (solid), cumulative (dotted), MC (points)")
    ax.legend()
    return fig


@register
def shadow_clone_warmup_curve(out_dir: Path) -> tuple[Path, Path]:
    """Share of reads served locally versus time after detection, by Zipf exponent."""
    return render(out_dir, "shadow_clone_warmup_curve", warmup_curve_data(), draw_warmup_curve)


# ------------------------------------------------------------------ break-even

def break_even_data(n_nodes: int = 8, n_desktops: int = 400, alpha: float = 0.9,
                    hours: float = 24.0, start_window_s: float = 600.0) -> pl.DataFrame:
    """Cumulative network bytes after a recompose: remote reads vs Shadow Clones.

    The pool boots (all desktops over ``start_window_s``; detection from
    :func:`hcimodel.shadowclone.detection_delay`), then task workers read in
    the steady state. No Shadow Clones: every non-owner replica read crosses
    the network. Shadow Clones: remote reads until detection, the boot set once
    per node, then ``D(lambda t)`` blocks per node. Full clones: the patch's
    RF-replicated writes (:func:`hcimodel.fullclone.patch_cycle`).
    Tidy frame: strategy, hours, bytes.
    """
    rep = sc.Replica(alpha=alpha)
    t = np.linspace(0.0, hours, 97)
    P = np.maximum(t * HOUR, 1.0)
    df = sc.lifecycle(P, n_nodes, n_desktops, replica=rep, start_window_s=start_window_s)
    df = df.with_columns((pl.col("interval_s") / HOUR).alias("hours"))
    return (df.select("strategy", "hours", pl.col("bytes_per_cycle").alias("bytes"))
            .sort(["strategy", "hours"]))


def draw_break_even(df: pl.DataFrame, ax=None):
    """Draw :func:`break_even_data`; returns the figure."""
    fig, ax = axes(ax)
    for strategy in ("no_shadow_clones", "shadow_clones", "full_clones"):
        part = df.filter(pl.col("strategy") == strategy)
        ax.plot(part["hours"], part["bytes"] / GB, label=_LABELS[strategy],
                linestyle="--" if strategy == "full_clones" else "-")
    ax.set_xlabel("hours after a recompose (8 nodes, 400 desktops)")
    ax.set_ylabel("replica bytes on the network (GB, cumulative)")
    ax.set_title("Shadow Clones pay off from the first boot")
    ax.legend()
    return fig


@register
def shadow_clone_break_even(out_dir: Path) -> tuple[Path, Path]:
    """Cumulative network bytes after a recompose, Shadow Clones versus remote reads."""
    return render(out_dir, "shadow_clone_break_even", break_even_data(), draw_break_even)


# ------------------------------------------------------------------ recompose cadence

def cadence_data(n_nodes: int = 8, n_desktops: int = 400, alpha: float = 0.9,
                 start_window_s: float = 600.0) -> pl.DataFrame:
    """Network bytes per month versus the time between recomposes (closed form).

    Tidy frame: strategy, interval_days, bytes_per_month, local_share.
    """
    days = np.array([1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60], dtype=float)
    df = sc.lifecycle(days * 86400.0, n_nodes, n_desktops, replica=sc.Replica(alpha=alpha),
                      start_window_s=start_window_s)
    return (df.with_columns((pl.col("interval_s") / 86400.0).alias("interval_days"))
            .select("strategy", "interval_days", "bytes_per_month", "local_share")
            .sort(["strategy", "interval_days"]))


def draw_cadence(df: pl.DataFrame, ax=None):
    """Draw :func:`cadence_data`; returns the figure."""
    fig, ax = axes(ax)
    for strategy in ("no_shadow_clones", "shadow_clones"):
        part = df.filter(pl.col("strategy") == strategy)
        ax.plot(part["interval_days"], part["bytes_per_month"] / GB, "o-",
                label=_LABELS[strategy])
    ax.set_yscale("log")
    ax.set_xlabel("days between recomposes (or refreshes)")
    ax.set_ylabel("replica bytes on the network per month (GB)")
    ax.set_title("The cost of the recompose cadence")
    ax.legend()
    return fig


@register
def shadow_clone_cadence(out_dir: Path) -> tuple[Path, Path]:
    """Monthly network bytes versus the recompose cadence."""
    return render(out_dir, "shadow_clone_cadence", cadence_data(), draw_cadence)
