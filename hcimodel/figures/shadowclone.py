"""Figures of the Shadow Clones warm-up (notebook 02)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .. import clones
from .. import occupancy
from .. import shadowclone as sc
from ..cluster import Cluster
from ..units import DAY_S, GB, HOUR_S
from ._registry import SEED, axes, register, render, styled, subplots

__all__ = ["warmup_cost_data", "draw_warmup_cost", "shadow_clone_warmup_cost",
           "warmup_curve_data", "draw_warmup_curve", "shadow_clone_warmup_curve",
           "break_even_data", "draw_break_even", "shadow_clone_break_even",
           "cadence_data", "draw_cadence", "shadow_clone_cadence"]

_LABELS = {"no_shadow_clones": "linked clones, no Shadow Clones (remote reads)",
           "shadow_clones": "linked clones + Shadow Clones",
           "full_clones": "full clones, native cloning"}


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
            ws = [sc.warmup(h * desktops_per_node, Cluster(int(h), link_bps=link),
                            source=source, detection_delay_s=0.0) for h in H]
            for metric in ("total_bytes", "time_s"):
                frames.append(pl.DataFrame({
                    "link_gbps": link / 1e9, "source": source, "n_nodes": H,
                    "origin": "closed form", "metric": metric,
                    "value": [float(getattr(w, metric)) for w in ws]}))
    seeds = np.random.SeedSequence([SEED, 200]).spawn(len(mc_nodes))
    for h, seed in zip(mc_nodes, seeds):
        mc = sc.simulate_warmup(2 * h, Cluster(h, link_bps=1e9), detection_delay_s=0.0,
                                rng=seed)
        frames.append(pl.DataFrame({
            "link_gbps": 1.0, "source": "single", "n_nodes": [h, h], "origin": "monte carlo",
            "metric": ["total_bytes", "time_s"],
            "value": [float(mc.total_bytes), float(mc.time_s)]}))
    df = pl.concat([f.with_columns(pl.col("n_nodes").cast(pl.Int64)) for f in frames])
    return df.sort(["link_gbps", "source", "origin", "metric", "n_nodes"])


@styled
def draw_warmup_cost(df: pl.DataFrame, axs=None):
    """Draw :func:`warmup_cost_data` in two panels; returns the figure.

    Where curves coincide (three of the four warm-up times sit on the boot
    pace) each keeps its own marker, placed at different H, and a note says so.
    """
    if axs is None:
        fig, (a1, a2) = subplots(1, 2, figsize=(9.6, 4))
    else:
        (a1, a2), fig = axs, axs[0].figure
    cf = df.filter(pl.col("origin") == "closed form")
    tb = cf.filter((pl.col("metric") == "total_bytes") & (pl.col("link_gbps") == 10.0)
                   & (pl.col("source") == "single"))
    boot_mb = sc.Replica().boot_bytes / 1e6
    a1.plot(tb["n_nodes"], tb["value"] / GB, label=f"closed form: (H - 1) x {boot_mb:.0f} MB")
    mc = df.filter(pl.col("origin") == "monte carlo")
    mcb = mc.filter(pl.col("metric") == "total_bytes")
    a1.plot(mcb["n_nodes"], mcb["value"] / GB, "o", label="Monte Carlo")
    a1.axvspan(0.5, sc.DETECTION_REMOTE_CVMS + 0.5, color="0.92", zorder=0)
    a1.text(0.8, 0.97 * tb["value"].max() / GB, "H ≤ 3: Shadow Clones\nnever start",
            fontsize=8, va="top", color="0.3")
    a1.set_xlabel("nodes H")
    a1.set_ylabel("bytes fetched by the cluster (GB)")
    a1.set_title("Boot set fetched once per node")
    a1.legend(loc="lower right")
    styles = {(10.0, "single"): ("o", "-"), (10.0, "map"): ("s", "--"),
              (1.0, "map"): ("^", ":"), (1.0, "single"): ("v", "-")}
    started = pl.col("n_nodes") > sc.DETECTION_REMOTE_CVMS  # before: never detected
    times = cf.filter((pl.col("metric") == "time_s") & started).sort(
        ["link_gbps", "source", "n_nodes"], descending=[True, True, False])
    for k, ((link, source), part) in enumerate(times.group_by(["link_gbps", "source"],
                                                              maintain_order=True)):
        marker, ls = styles.get((link, source), ("o", "-"))
        a2.plot(part["n_nodes"], part["value"] / 60, linestyle=ls, marker=marker,
                markevery=(2 * k, 8), markersize=6, markerfacecolor="white",
                label=f"{link:g} GbE, {'owner only' if source == 'single' else 'map'}")
    mct = mc.filter(pl.col("metric") == "time_s")
    a2.plot(mct["n_nodes"], mct["value"] / 60, "D", color="black", markersize=5,
            label="Monte Carlo, 1 GbE, owner only")
    pace = float(times["value"].min()) / 60
    a2.axvspan(0.5, sc.DETECTION_REMOTE_CVMS + 0.5, color="0.92", zorder=0)
    a2.annotate("three curves coincide: the boot pace,\nnot the network, sets the time",
                (28, pace), xytext=(12, pace * 0.6), fontsize=8, color="0.3",
                arrowprops={"arrowstyle": "->", "color": "0.5", "linewidth": 0.8})
    a2.set_ylim(0, None)
    a2.set_xlim(a1.get_xlim())
    a2.set_xlabel("nodes H")
    a2.set_ylabel("time to warm the boot set (min)")
    a2.set_title("Boot pace, then the owner's link")
    a2.legend(loc="lower right", fontsize=8)
    return fig


@register
def shadow_clone_warmup_cost(out_dir: Path) -> tuple[Path, Path]:
    """Bytes fetched and time to warm up the boot set versus the number of nodes."""
    return render(out_dir, "shadow_clone_warmup_cost", warmup_cost_data(), draw_warmup_cost)


# ------------------------------------------------------------------ warm-up curve

def warmup_curve_data(alphas=(0.0, 0.6, 0.9, 1.1), n_nodes: int = 4, n_desktops: int = 100,
                      hours: float = 72.0, mc_hours=(1.0, 2.0, 4.0, 6.0, 8.0),
                      mc_alphas=None) -> pl.DataFrame:
    """Share of reads served locally versus time after detection (steady state, IRM).

    Task workers on a 10 GB used replica (4 KiB blocks). Closed form on a grid
    of times (every 6 min for the first 8 h, every 30 min after): the next
    read's local share and the cumulative share. Seeded
    Monte Carlo points of the cumulative share near each of ``mc_hours``: one
    run per alpha in ``mc_alphas`` (default all ``alphas``) over
    ``max(mc_hours)`` hours of a clone-pool stream of the closed form's pool
    (:func:`hcimodel.shadowclone.replica_pool`), read off its warm-up curve
    (:attr:`~hcimodel.shadowclone.WarmUp.curve`) at the point nearest
    each time: the mean over the non-owner nodes of ``1 - fetched / reads``,
    drawn at the mean time of those reads. Tidy frame: alpha, hours, origin,
    statistic, share.
    """
    mc_alphas = alphas if mc_alphas is None else mc_alphas
    mc_hours = np.asarray(mc_hours, dtype=float)
    lam = n_desktops / n_nodes * sc.block_read_rate("task", sc.Replica())
    t = np.unique(np.concatenate([np.linspace(0.0, min(8.0, hours), 81),
                                  np.linspace(0.0, hours, 145)]))
    frames = []
    seeds = np.random.SeedSequence([SEED, 300]).spawn(len(alphas))
    for a, seed in zip(alphas, seeds):
        rep = sc.Replica(alpha=a)
        p = rep.popularity()
        n = lam * t * HOUR_S
        for stat, share in (("next read", occupancy.local_share(n, p)),
                            ("cumulative", occupancy.local_share(n, p, cumulative=True))):
            frames.append(pl.DataFrame({"alpha": a, "hours": t, "origin": "closed form",
                                        "statistic": stat, "share": share}))
        if a not in mc_alphas or mc_hours.size == 0:
            continue
        k = int(lam * mc_hours.max() * HOUR_S)
        mc = sc.simulate_warmup(n_desktops, Cluster(n_nodes), replica=rep, phase="steady",
                                detection_delay_s=0.0, n_reads_per_node=k, rng=seed)
        curve = mc.curve.filter(pl.col("node") != 0)  # node 0 owns the replica
        points = []
        for _, part in curve.group_by("node", maintain_order=True):
            reads = part["reads"].to_numpy()
            idx = np.abs(reads[:, None] / lam / HOUR_S - mc_hours[None, :]).argmin(axis=0)
            points.append(part[idx].select("reads", "local_share"))
        hrs = np.mean([q["reads"].to_numpy() for q in points], axis=0) / lam / HOUR_S
        share = np.mean([q["local_share"].to_numpy() for q in points], axis=0)
        frames.append(pl.DataFrame({"alpha": a, "hours": hrs, "origin": "monte carlo",
                                    "statistic": "cumulative", "share": share}))
    return pl.concat(frames).sort(["alpha", "origin", "statistic", "hours"])


@styled
def draw_warmup_curve(df: pl.DataFrame, axs=None, early_hours: float = 8.0):
    """Draw :func:`warmup_curve_data` in two panels; returns the figure.

    Left: the first ``early_hours`` with the Monte Carlo points; right: the
    whole span. Colour gives the Zipf exponent, line style the statistic (two
    legends).
    """
    from matplotlib.lines import Line2D

    if axs is None:
        fig, (a1, a2) = subplots(1, 2, figsize=(9.6, 4), sharey=True,
                                 gridspec_kw={"width_ratios": [1, 1.4]})
    else:
        (a1, a2), fig = axs, axs[0].figure
    for a in df["alpha"].unique().sort():
        part = df.filter((pl.col("alpha") == a) & (pl.col("origin") == "closed form"))
        nxt = part.filter(pl.col("statistic") == "next read")
        cum = part.filter(pl.col("statistic") == "cumulative")
        mc = df.filter((pl.col("alpha") == a) & (pl.col("origin") == "monte carlo"))
        for ax, end in ((a1, early_hours), (a2, None)):
            n = nxt if end is None else nxt.filter(pl.col("hours") <= end)
            c = cum if end is None else cum.filter(pl.col("hours") <= end)
            line, = ax.plot(n["hours"], n["share"], label=f"α = {a:g}")
            ax.plot(c["hours"], c["share"], ":", color=line.get_color())
            ax.plot(mc["hours"], mc["share"], "o", color=line.get_color(),
                    markerfacecolor="white", markeredgewidth=1.2)
    a1.set_ylim(0, 1)
    a1.set_xlim(0, early_hours)
    a2.set_xlim(0, None)
    a1.set_ylabel("share of replica reads served locally")
    a1.set_xlabel("hours after detection")
    a2.set_xlabel("hours after detection (25 task workers per node)")
    a1.set_title(f"The first {early_hours:g} hours")
    a2.set_title("Three days")
    kinds = [Line2D([], [], color="0.3", label="closed form: next read"),
             Line2D([], [], color="0.3", linestyle=":", label="closed form: cumulative"),
             Line2D([], [], color="0.3", marker="o", markerfacecolor="white",
                    linestyle="none", label="Monte Carlo: cumulative")]
    a2.add_artist(a2.legend(title="Zipf exponent", loc="lower right"))
    a2.legend(handles=kinds, loc="lower left", bbox_to_anchor=(0.2, 0.0))
    fig.suptitle("Warm-up of a Shadow Clone: share of replica reads served locally",
                 x=0.01, ha="left")
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
    P = np.maximum(t * HOUR_S, 1.0)
    df = clones.lifecycle(P, n_desktops, Cluster(n_nodes), replica=rep,
                          start_window_s=start_window_s)
    df = df.with_columns((pl.col("interval_s") / HOUR_S).alias("hours"))
    return (df.select("strategy", "hours", pl.col("bytes_per_cycle").alias("bytes"))
            .sort(["strategy", "hours"]))


@styled
def draw_break_even(df: pl.DataFrame, ax=None):
    """Draw :func:`break_even_data`; returns the figure."""
    fig, ax = axes(ax)
    n_patch = float(df.filter(pl.col("strategy") == "full_clones")["bytes"].max()) / GB
    for strategy in ("no_shadow_clones", "shadow_clones", "full_clones"):
        part = df.filter(pl.col("strategy") == strategy)
        label = (f"full clones: one patch instead ({n_patch:,.0f} GB of RF2 writes)"
                 if strategy == "full_clones" else _LABELS[strategy])
        ax.plot(part["hours"], part["bytes"] / GB, label=label,
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
    df = clones.lifecycle(days * DAY_S, n_desktops, Cluster(n_nodes),
                          replica=sc.Replica(alpha=alpha), start_window_s=start_window_s)
    return (df.with_columns((pl.col("interval_s") / DAY_S).alias("interval_days"))
            .select("strategy", "interval_days", "bytes_per_month", "local_share")
            .sort(["strategy", "interval_days"]))


@styled
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
