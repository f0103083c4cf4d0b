"""Figures of the replica hot spot and the boot storm (notebook 01)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .. import hotspot
from ..workload import BOOT_READ_BYTES
from ._registry import SEED, axes, register, render

__all__ = ["hotspot_latency_data", "draw_hotspot_latency", "hotspot_latency",
           "hotspot_utilization_data", "draw_hotspot_utilization", "hotspot_utilization",
           "boot_storm_data", "draw_boot_storm", "boot_storm_duration"]

_LABELS = {"linked_clones": "linked clones, one replica",
           "shadow_clones": "linked clones + Shadow Clones",
           "full_clones": "full clones, native cloning"}
_MARKERS = {"linked_clones": "o", "shadow_clones": "s", "full_clones": "^"}


# ------------------------------------------------------------------ replica hot spot

def hotspot_latency_data(workload: str = "login", cluster: hotspot.Cluster | None = None,
                         n_max: int = 3400, mc_points=(800, 1600, 2400, 3000)) -> pl.DataFrame:
    """p95 read latency of desktops on other nodes than the replica's, versus N.

    Returns a tidy frame (strategy, n_desktops, source, latency_s, ci_low,
    ci_high): ``source`` is ``'closed form'`` on a fine grid of N and
    ``'monte carlo'`` at ``mc_points`` (5 seeded replications, 95 % CI).
    """
    cluster = cluster or hotspot.Cluster()
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
            row = sim.filter((pl.col("group") == "other_nodes") & (pl.col("statistic") == "p95"))
            frames.append(pl.DataFrame({
                "strategy": strategy, "n_desktops": n, "source": "monte carlo",
                "latency_s": row["estimate"][0], "ci_low": row["ci_low"][0],
                "ci_high": row["ci_high"][0]}))
    df = pl.concat([f.with_columns(pl.col("n_desktops").cast(pl.Int64)) for f in frames])
    return df.sort(["strategy", "source", "n_desktops"])


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
    ax.annotate(f"{knee} desktops within {target_s * 1e3:g} ms p95", (knee, target_s * 1e3),
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


def hotspot_utilization_data(workload: str = "login", n_max: int = 3400) -> pl.DataFrame:
    """Utilization of the replica's CVM and of the other CVMs versus N (closed form)."""
    grid = np.unique(np.linspace(50, n_max, 68).astype(int))
    frames = []
    for strategy in ("linked_clones", "shadow_clones"):
        util = hotspot.steady_state(grid, workload, strategy).cvm_utilization
        frames.append(pl.DataFrame({"strategy": strategy, "n_desktops": grid,
                                    "cvm": "replica CVM", "utilization": util[:, 0]}))
        frames.append(pl.DataFrame({"strategy": strategy, "n_desktops": grid,
                                    "cvm": "other CVMs", "utilization": util[:, 1]}))
    return pl.concat(frames).sort(["strategy", "cvm", "n_desktops"])


def draw_hotspot_utilization(df: pl.DataFrame, ax=None):
    """Draw :func:`hotspot_utilization_data`; returns the figure."""
    fig, ax = axes(ax)
    for (strategy, cvm), part in df.group_by(["strategy", "cvm"], maintain_order=True):
        ax.plot(part["n_desktops"], part["utilization"], label=f"{_LABELS[strategy]}: {cvm}",
                linestyle="-" if cvm == "replica CVM" else ":")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_ylim(0, 1.2)
    ax.set_xlabel("desktops in the pool (4 nodes, login storm)")
    ax.set_ylabel("CVM utilization")
    ax.set_title("Where the load lands")
    ax.legend()
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
        res = hotspot.boot_storm(grid, strategy, boot_read_bytes=boot_read_bytes)
        for metric in ("duration_s", "mean_completion_s"):
            frames.append(pl.DataFrame({"strategy": strategy, "n_desktops": grid,
                                        "source": "closed form", "metric": metric,
                                        "value": getattr(res, metric)}))
        if strategy == "full_clones":
            continue  # identical to warmed Shadow Clones during a boot storm
        seeds = np.random.SeedSequence([SEED, 100 + k]).spawn(len(mc_points))
        for n, seed in zip(mc_points, seeds):
            sim = hotspot.simulate_boot_storm(n, strategy, boot_read_bytes=boot_read_bytes,
                                              rng=seed)
            frames.append(pl.DataFrame({
                "strategy": strategy, "n_desktops": [n, n], "source": "monte carlo",
                "metric": ["duration_s", "mean_completion_s"],
                "value": [sim["duration_s"], sim["mean_completion_s"]]}))
    df = pl.concat([f.with_columns(pl.col("n_desktops").cast(pl.Int64)) for f in frames])
    return df.sort(["strategy", "source", "metric", "n_desktops"])


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
