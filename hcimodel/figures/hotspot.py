"""Figures of the replica hot spot and the boot storm (notebook 01)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .. import hotspot
from ..workload import BOOT_READ_BYTES, as_profile
from ._registry import SEED, axes, cycle_colour, register, render, styled
from ..cluster import Cluster

__all__ = ["hotspot_latency_data", "draw_hotspot_latency", "hotspot_latency",
           "hotspot_utilization_data", "draw_hotspot_utilization", "hotspot_utilization",
           "boot_storm_data", "draw_boot_storm", "boot_storm_duration"]

_LABELS = {"linked_clones": "linked clones, one replica",
           "shadow_clones": "linked clones + Shadow Clones",
           "full_clones": "full clones, native cloning"}
_MARKERS = {"linked_clones": "o", "shadow_clones": "s", "full_clones": "^"}


# ------------------------------------------------------------------ replica hot spot

def hotspot_latency_data(workload: str = "login", cluster: Cluster | None = None,
                         n_max: int = 3400, mc_points=(800, 1600, 2400, 3000)) -> pl.DataFrame:
    """p95 read latency of desktops on other nodes than the replica's, versus N.

    Returns a tidy frame (strategy, n_desktops, source, latency_s, ci_low,
    ci_high): ``source`` is ``'closed form'`` on a fine grid of N and
    ``'monte carlo'`` at ``mc_points`` (5 seeded replications, 95 % CI).
    """
    cluster = cluster or Cluster()
    grid = np.unique(np.linspace(50, n_max, 120).astype(int))
    frames = []
    for k, strategy in enumerate(hotspot.STRATEGIES):
        res = hotspot.steady_state(grid, workload, strategy, cluster)
        lat = res.read_latency["other_nodes"]["p95"]
        frames.append(pl.DataFrame({
            "strategy": strategy, "n_desktops": grid, "source": "closed form",
            "latency_s": lat, "ci_low": lat, "ci_high": lat}))
        if strategy == "full_clones":
            continue  # identical to shadow clones in the steady state
        seeds = np.random.SeedSequence([SEED, k]).spawn(len(mc_points))
        for n, seed in zip(mc_points, seeds):
            sim = hotspot.simulate_steady_state(n, workload, strategy, cluster, rng=seed)
            low, high = sim.ci["other_nodes"]["p95"][0]
            frames.append(pl.DataFrame({
                "strategy": strategy, "n_desktops": n, "source": "monte carlo",
                "latency_s": sim.read_latency["other_nodes"]["p95"][0], "ci_low": low,
                "ci_high": high}))
    df = pl.concat([f.with_columns(pl.col("n_desktops").cast(pl.Int64)) for f in frames])
    return df.sort(["strategy", "source", "n_desktops"])


@styled
def draw_hotspot_latency(df: pl.DataFrame, target_s: float = 2e-3, ax=None):
    """Draw :func:`hotspot_latency_data`; returns the figure."""
    fig, ax = axes(ax)
    for strategy in hotspot.STRATEGIES:
        cf = df.filter((pl.col("strategy") == strategy) & (pl.col("source") == "closed form"))
        line, = ax.plot(cf["n_desktops"], cf["latency_s"] * 1e3, label=_LABELS[strategy],
                        linestyle="--" if strategy == "full_clones" else "-")
        mc = df.filter((pl.col("strategy") == strategy) & (pl.col("source") == "monte carlo"))
        if mc.height:
            ax.errorbar(mc["n_desktops"], mc["latency_s"] * 1e3,
                        yerr=[(mc["latency_s"] - mc["ci_low"]) * 1e3,
                              (mc["ci_high"] - mc["latency_s"]) * 1e3],
                        fmt=_MARKERS[strategy], color=line.get_color(), capsize=2)
    knee = hotspot.max_pool_size(target_s, "login", "linked_clones", host=None)
    ax.axhline(target_s * 1e3, color="grey", linewidth=0.8)
    ax.axvline(knee, color="grey", linewidth=0.8, linestyle=":")
    ax.annotate(f"{knee:,} desktops within {target_s * 1e3:g} ms p95", (knee, target_s * 1e3),
                xytext=(-10, 12), textcoords="offset points", ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("desktops in the pool (4 nodes, login storm)")
    ax.set_ylabel("p95 read latency, other nodes (ms)")
    ax.set_title("The replica hot spot: lines closed form, points Monte Carlo")
    ax.legend()
    return fig


@register
def hotspot_latency(out_dir: Path) -> tuple[Path, Path]:
    """p95 read latency versus pool size for the three clone strategies (login storm)."""
    return render(out_dir, "hotspot_latency", hotspot_latency_data(), draw_hotspot_latency)


def _simulated_busy_fraction(n_desktops: int, workload, strategy: str, cluster: Cluster,
                             n_ios: int, rng) -> np.ndarray:
    """Measured utilization of every CVM: the share of I/Os that find it busy.

    Each node's desktops send Poisson I/Os, routed to CVM j with probability
    :func:`hcimodel.hotspot.routing`; each CVM is a FIFO queue with exponential
    service (Lindley recursion), simulated for the time the busiest one takes
    to receive ``n_ios`` I/Os. By PASTA the share of arrivals that wait is the
    time-averaged busy fraction, so it estimates rho below saturation and
    tends to 1 above it (the CVM never idles; its queue grows without bound).
    """
    from ..simulate.queues import lindley_waits

    H = cluster.n_nodes
    P = hotspot.routing(workload, strategy, cluster)  # reads and RF write legs
    lam = ((n_desktops / H) * workload.iops * P).sum(axis=0)
    horizon = n_ios / lam.max()
    busy = np.empty(H)
    for j in range(H):
        m = max(int(round(lam[j] * horizon)), 2)
        w = lindley_waits(rng.exponential(1.0 / lam[j], m),
                          rng.exponential(1.0 / cluster.cvm_iops, m))
        busy[j] = np.mean(w[m // 10:] > 0.0)  # first tenth: warm-up
    return busy


def hotspot_utilization_data(workload: str = "login", n_max: int = 3400,
                             mc_points=(800, 1600, 2400, 3400),
                             n_ios: int = 200_000) -> pl.DataFrame:
    """Utilization of the replica's CVM and of the other CVMs versus N.

    ``source`` is ``'closed form'`` (offered load lambda / mu on a grid of N;
    above 1 the CVM is saturated) or ``'monte carlo'`` at ``mc_points`` (one
    seeded run per point: the busy fraction measured by
    :func:`_simulated_busy_fraction`, at most 1). Tidy frame (strategy,
    n_desktops, cvm, source, utilization).
    """
    cluster = Cluster()
    profile = as_profile(workload)
    grid = np.unique(np.linspace(50, n_max, 68).astype(int))
    frames = []
    for k, strategy in enumerate(hotspot.STRATEGIES):
        util = hotspot.steady_state(grid, profile, strategy, cluster).cvm_utilization
        for col, cvm in ((cluster.replica_node, "replica CVM"), (1, "other CVMs")):
            frames.append(pl.DataFrame({"strategy": strategy, "n_desktops": grid, "cvm": cvm,
                                        "source": "closed form", "utilization": util[:, col]}))
        seeds = np.random.SeedSequence([SEED, 600, k]).spawn(len(mc_points))
        for n, seed in zip(mc_points, seeds):
            busy = _simulated_busy_fraction(n, profile, strategy, cluster, n_ios,
                                            np.random.default_rng(seed))
            frames.append(pl.DataFrame({"strategy": strategy, "n_desktops": [n, n],
                                        "cvm": ["replica CVM", "other CVMs"],
                                        "source": "monte carlo",
                                        "utilization": [busy[cluster.replica_node], busy[1]]}))
    df = pl.concat([f.with_columns(pl.col("n_desktops").cast(pl.Int64)) for f in frames])
    return df.sort(["strategy", "cvm", "source", "n_desktops"])


@styled
def draw_hotspot_utilization(df: pl.DataFrame, ax=None):
    """Draw :func:`hotspot_utilization_data`; returns the figure.

    Offered load is drawn up to 1 only: where the replica's CVM saturates a
    vertical mark gives the pool size. Shadow Clones and full clones load every
    CVM alike, so their lines coincide; markers at different N keep each
    visible.
    """
    fig, ax = axes(ax)
    styles = [("linked_clones", "replica CVM", "-", "o"),
              ("linked_clones", "other CVMs", "--", "o"),
              ("shadow_clones", "replica CVM", "-", "s"),
              ("full_clones", "replica CVM", ":", "^")]
    names = {("linked_clones", "replica CVM"): "linked clones: the replica's CVM",
             ("linked_clones", "other CVMs"): "linked clones: every other CVM",
             ("shadow_clones", "replica CVM"): "Shadow Clones: every CVM",
             ("full_clones", "replica CVM"): "full clones: every CVM"}
    colours = {"linked_clones": cycle_colour(1), "shadow_clones": cycle_colour(0),
               "full_clones": cycle_colour(2)}
    for strategy, cvm, ls, marker in styles:
        part = df.filter((pl.col("strategy") == strategy) & (pl.col("cvm") == cvm))
        cf = part.filter(pl.col("source") == "closed form")
        below = cf.filter(pl.col("utilization") < 1.0)
        colour = colours[strategy]
        width = 3.5 if strategy == "shadow_clones" else 1.8
        ax.plot(below["n_desktops"], below["utilization"], linestyle=ls, color=colour,
                linewidth=width, alpha=0.6 if strategy == "shadow_clones" else 1.0,
                label=names[(strategy, cvm)])
        mc = part.filter(pl.col("source") == "monte carlo")
        ax.plot(mc["n_desktops"], mc["utilization"], marker, color=colour,
                markerfacecolor="white", markeredgewidth=1.2, markersize=6)
        if below.height < cf.height:  # saturates within the range
            n1, u1 = below["n_desktops"][-1], below["utilization"][-1]
            n2, u2 = cf["n_desktops"][below.height], cf["utilization"][below.height]
            n_sat = n1 + (1.0 - u1) * (n2 - n1) / (u2 - u1)
            ax.plot([n1, n_sat], [u1, 1.0], linestyle=ls, color=colour)
            ax.axvline(n_sat, color=colour, linewidth=0.8, linestyle=":")
            ax.annotate(f"replica CVM saturated\nfrom about {n_sat:,.0f} desktops",
                        (n_sat, 1.0), xytext=(-8, -30), textcoords="offset points",
                        ha="right", fontsize=8, color="0.25")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.plot([], [], "o", color="0.3", markerfacecolor="white",
            label="Monte Carlo: measured busy fraction (1: saturated)")
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("desktops in the pool (4 nodes, login storm)")
    ax.set_ylabel("CVM utilization")
    ax.set_title("Where the load lands: lines closed form, points Monte Carlo")
    ax.legend(loc="upper left")
    return fig


@register
def hotspot_utilization(out_dir: Path) -> tuple[Path, Path]:
    """Utilization of the replica's CVM and of the other CVMs versus pool size."""
    return render(out_dir, "hotspot_utilization", hotspot_utilization_data(),
                  draw_hotspot_utilization)


def boot_storm_data(n_max: int = 400, mc_points=(40, 120, 240),
                    boot_read_bytes: float = BOOT_READ_BYTES) -> pl.DataFrame:
    """Boot-storm duration versus pool size: MVA on a grid, Monte Carlo points.

    Returns a tidy frame (strategy, n_desktops, source, metric, value) with the
    metrics ``duration_s`` (until the last desktop has booted) and
    ``mean_completion_s``; ``source`` is ``'closed form'`` or ``'monte carlo'``
    (one seeded run per point, every desktop reading ``boot_read_bytes``).
    """
    grid = np.unique(np.linspace(4, n_max, 50).astype(int))
    frames = []
    for k, strategy in enumerate(hotspot.STRATEGIES):
        res = hotspot.boot_storm(grid, strategy=strategy, boot_read_bytes=boot_read_bytes)
        for metric in ("duration_s", "mean_completion_s"):
            frames.append(pl.DataFrame({"strategy": strategy, "n_desktops": grid,
                                        "source": "closed form", "metric": metric,
                                        "value": getattr(res, metric)}))
        if strategy == "full_clones":
            continue  # identical to warmed Shadow Clones during a boot storm
        seeds = np.random.SeedSequence([SEED, 100 + k]).spawn(len(mc_points))
        for n, seed in zip(mc_points, seeds):
            sim = hotspot.simulate_boot_storm(n, strategy=strategy,
                                              boot_read_bytes=boot_read_bytes, rng=seed)
            frames.append(pl.DataFrame({
                "strategy": strategy, "n_desktops": [n, n], "source": "monte carlo",
                "metric": ["duration_s", "mean_completion_s"],
                "value": [sim.duration_s[0], sim.mean_completion_s[0]]}))
    df = pl.concat([f.with_columns(pl.col("n_desktops").cast(pl.Int64)) for f in frames])
    return df.sort(["strategy", "source", "metric", "n_desktops"])


@styled
def draw_boot_storm(df: pl.DataFrame, ax=None):
    """Draw :func:`boot_storm_data`; returns the figure."""
    fig, ax = axes(ax)
    for strategy in hotspot.STRATEGIES:
        part = df.filter((pl.col("strategy") == strategy) & (pl.col("metric") == "duration_s"))
        cf = part.filter(pl.col("source") == "closed form")
        line, = ax.plot(cf["n_desktops"], cf["value"] / 60, label=_LABELS[strategy],
                        linestyle="--" if strategy == "full_clones" else "-")
        mc = part.filter(pl.col("source") == "monte carlo")
        if mc.height:
            ax.plot(mc["n_desktops"], mc["value"] / 60, _MARKERS[strategy],
                    color=line.get_color())
    ax.set_xlabel("desktops booted at once (4 nodes, boot profile)")
    ax.set_ylabel("time until every desktop has booted (min)")
    ax.set_title("Boot storm: lines MVA, points Monte Carlo")
    ax.legend()
    return fig


@register
def boot_storm_duration(out_dir: Path) -> tuple[Path, Path]:
    """Time to boot N desktops at once, for the three clone strategies."""
    return render(out_dir, "boot_storm_duration", boot_storm_data(), draw_boot_storm)
