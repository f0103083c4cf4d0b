"""Figures of the comparison of linked clones + Shadow Clones with VAAI full clones (notebook 06)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .. import clones as cl
from .. import fullclone as fc
from .. import occupancy
from .. import shadowclone as sc
from ..cluster import Cluster
from ..units import DAY_S, GB, HOUR_S, TB
from ._registry import SEED, axes, register, render, styled

__all__ = ["clone_network_data", "draw_clone_network", "clones_network_cadence",
           "clone_rewarm_data", "draw_clone_rewarm", "clones_rewarm",
           "clone_capacity_data", "draw_clone_capacity", "clones_capacity",
           "clone_operations_data", "draw_clone_operations", "clones_operations",
           "clone_verdict_data", "draw_clone_verdict", "clones_verdict"]

_LABELS = {"linked_shadow": "linked clones + Shadow Clones",
           "full_vaai": "full clones, native (VAAI) cloning",
           "full_vaai_dedup": "full clones, patched content deduplicated"}



# ------------------------------------------------------------------ network vs cadence

def clone_network_data(patch_gb=(0.25, 1.0, 4.0)) -> pl.DataFrame:
    """Network bytes per month versus the days between image updates (closed forms).

    The default pool (:class:`hcimodel.clones.PoolLife`: 8 nodes, 400 desktops,
    RF2); full clones for each patch size in ``patch_gb`` (GB written per
    guest per update). Tidy frame: strategy, patch_gb, interval_days,
    bytes_per_month.
    """
    days = np.array([1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90], dtype=float)
    life = cl.PoolLife()
    frames = []
    for p in patch_gb:
        df = cl.network_per_month(life.replace(patch_bytes=p * GB), days * DAY_S)
        keep = ["full_vaai"] if frames else ["full_vaai", "linked_shadow"]
        frames.append(df.filter(pl.col("strategy").is_in(keep)).with_columns(
            pl.when(pl.col("strategy") == "full_vaai").then(pl.lit(float(p)))
            .otherwise(pl.lit(None, dtype=pl.Float64)).alias("patch_gb")))
    return (pl.concat(frames)
            .with_columns((pl.col("interval_s") / DAY_S).alias("interval_days"))
            .select("strategy", "patch_gb", "interval_days", "bytes_per_month")
            .sort(["strategy", "patch_gb", "interval_days"], nulls_last=True))


@styled
def draw_clone_network(df: pl.DataFrame, ax=None):
    """Draw :func:`clone_network_data`; returns the figure."""
    fig, ax = axes(ax)
    lk = df.filter(pl.col("strategy") == "linked_shadow")
    ax.plot(lk["interval_days"], lk["bytes_per_month"] / GB, "o-", color="black",
            label=_LABELS["linked_shadow"] + " (new replica + re-warm-up)")
    for p in df.filter(pl.col("strategy") == "full_vaai")["patch_gb"].unique().sort():
        part = df.filter((pl.col("strategy") == "full_vaai") & (pl.col("patch_gb") == p))
        ax.plot(part["interval_days"], part["bytes_per_month"] / GB, "s--",
                label=f"full clones, {p:g} GB patched per guest (RF2 writes)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("days between image updates")
    ax.set_ylabel("network bytes per month (GB)")
    ax.set_title("Recompose warm-up vs patch writes (8 nodes, 400 desktops)")
    ax.legend(fontsize=7)
    return fig


@register
def clones_network_cadence(out_dir: Path) -> tuple[Path, Path]:
    """Network bytes per month versus the image-update cadence, both strategies."""
    return render(out_dir, "clones_network_cadence", clone_network_data(), draw_clone_network)


# ------------------------------------------------------------------ re-warm after an update

def clone_rewarm_data(hours: float = 96.0, mc_hours=(1.0, 6.0)) -> pl.DataFrame:
    """Share of a node's shared reads served locally, hours after an image update.

    Closed forms for the default pool (task workers, 50 per node, Zipf 0.9 over
    a 10 GB image): linked clones after a recompose (a non-owner node fetches
    every block again: :func:`hcimodel.occupancy.local_share`, detection
    taken as immediate); full clones after a patch (nothing dropped: 1); full
    clones at their first deployment (once in the pool's life:
    ``1 - (1 - q)(1 - L)``, q the share of extents the node holds). Seeded
    Monte Carlo points of the first deployment's cumulative local share
    (:func:`hcimodel.fullclone.simulate_warmup` on a 40 MB image at the same
    read rate, scaled in reads) beside their closed form. Tidy frame:
    case, origin, hours, share.
    """
    life = cl.PoolLife()
    rep = life.parent
    lam = float(fc.shared_read_rate(life.n_nodes, life.n_desktops, parent=rep))
    t = np.linspace(0.0, hours, 97)
    ls = occupancy.local_share(lam * t * HOUR_S, rep.popularity())
    first = fc.local_share(t * HOUR_S, life.n_nodes, life.n_desktops, rf=life.rf, parent=rep)
    frames = [pl.DataFrame({"case": c, "origin": "closed form", "hours": t, "share": v})
              for c, v in (("linked clones after a recompose", ls),
                           ("full clones after a patch", np.ones_like(t)),
                           ("full clones, first deployment", first))]
    small = sc.Replica(used_bytes=40e6, boot_bytes=4e6, alpha=rep.alpha)
    ratio = small.n_blocks / rep.n_blocks
    seeds = np.random.SeedSequence([SEED, 600]).spawn(len(mc_hours))
    for h, seed in zip(mc_hours, seeds):
        n = max(1, int(lam * h * HOUR_S * ratio))
        kw = dict(parent=small, phase="steady", n_reads_per_node=n)
        hw = Cluster(life.n_nodes, replication_factor=life.rf)
        mc = fc.simulate_warmup(life.n_desktops, hw, rng=seed, **kw)
        cf = fc.warmup(life.n_desktops, hw, **kw)
        frames.append(pl.DataFrame({"case": "full clones, first deployment (40 MB image)",
                                    "origin": ["monte carlo", "closed form"],
                                    "hours": [h, h],
                                    "share": [float(mc.local_share), float(cf.local_share)]}))
    return pl.concat(frames).sort(["case", "origin", "hours"])


@styled
def draw_clone_rewarm(df: pl.DataFrame, ax=None):
    """Draw :func:`clone_rewarm_data`; returns the figure."""
    fig, ax = axes(ax)
    for case in ("linked clones after a recompose", "full clones, first deployment",
                 "full clones after a patch"):
        part = df.filter((pl.col("case") == case) & (pl.col("origin") == "closed form"))
        ax.plot(part["hours"], part["share"], label=case,
                linestyle="--" if "patch" in case else "-")
    small = df.filter(pl.col("case").str.contains("40 MB"))
    for origin, marker in (("closed form", "x"), ("monte carlo", "o")):
        pt = small.filter(pl.col("origin") == origin)
        ax.plot(pt["hours"], pt["share"], marker, color="black", fillstyle="none",
                label=f"40 MB image, cumulative: {origin}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("hours after the image update (next read)")
    ax.set_ylabel("share of shared-image reads served locally")
    ax.set_title("A recompose restarts the warm-up; a patch does not")
    ax.legend(fontsize=7)
    return fig


@register
def clones_rewarm(out_dir: Path) -> tuple[Path, Path]:
    """Local share of shared-image reads after an image update, both strategies."""
    return render(out_dir, "clones_rewarm", clone_rewarm_data(), draw_clone_rewarm)


# ------------------------------------------------------------------ capacity over time

def clone_capacity_data(growth_mb=(50.0,)) -> pl.DataFrame:
    """Raw capacity (RF2) over a year, both strategies (closed form).

    Tidy frame: strategy, growth_mb (per desktop per day), days, raw_bytes.
    """
    frames = []
    for g in growth_mb:
        df = cl.capacity_timeline(cl.PoolLife(growth_bytes_per_day=g * 1e6), n_points=361)
        frames.append(df.with_columns(pl.lit(float(g)).alias("growth_mb")))
    return (pl.concat(frames).select("strategy", "growth_mb", "days", "raw_bytes")
            .sort(["strategy", "growth_mb", "days"]))


@styled
def draw_clone_capacity(df: pl.DataFrame, ax=None):
    """Draw :func:`clone_capacity_data`; returns the figure."""
    fig, ax = axes(ax)
    for s in ("linked_shadow", "full_vaai", "full_vaai_dedup"):
        part = df.filter(pl.col("strategy") == s)
        ax.plot(part["days"] / 30.0, part["raw_bytes"] / TB, label=_LABELS[s])
    ax.set_yscale("log")
    ax.set_xlabel("months")
    ax.set_ylabel("raw capacity, RF2 (TB, log scale)")
    ax.set_title("Delta disks reset; full clones keep what they write")
    ax.legend(fontsize=7)
    return fig


@register
def clones_capacity(out_dir: Path) -> tuple[Path, Path]:
    """Raw capacity over the pool's life, both strategies."""
    return render(out_dir, "clones_capacity", clone_capacity_data(), draw_clone_capacity)


# ------------------------------------------------------------------ operations

def clone_operations_data(limits=(12, 20)) -> pl.DataFrame:
    """Duration of one image update versus pool size (closed form).

    Recompose at each maintenance limit in ``limits`` (12: Horizon 6 API
    default; 20: Horizon 7.9) versus the patch window of full clones. Tidy
    frame: operation, limit, n_desktops, hours.
    """
    N = np.array([50, 100, 200, 400, 800, 1200, 1600, 2000])
    rows = []
    for n in N:
        life = cl.PoolLife(n_desktops=int(n)).replace(n_nodes=max(4, int(np.ceil(n / 50))))
        for lim in limits:
            rows.append(("recompose", int(lim), int(n),
                         cl.operations(life, maintenance_limit=int(lim))["recompose_s"] / HOUR_S))
        rows.append(("patch window", None, int(n), cl.operations(life)["patch_window_s"] / HOUR_S))
    return pl.DataFrame(rows, orient="row", schema={"operation": pl.Utf8, "limit": pl.Int64,
                                                    "n_desktops": pl.Int64,
                                                    "hours": pl.Float64}) \
        .sort(["operation", "limit", "n_desktops"], nulls_last=True)


@styled
def draw_clone_operations(df: pl.DataFrame, ax=None):
    """Draw :func:`clone_operations_data`; returns the figure."""
    fig, ax = axes(ax)
    for lim in df.filter(pl.col("operation") == "recompose")["limit"].unique().sort():
        part = df.filter((pl.col("operation") == "recompose") & (pl.col("limit") == lim))
        ax.plot(part["n_desktops"], part["hours"], "o-",
                label=f"recompose, {lim} at a time (10 min each)")
    pw = df.filter(pl.col("operation") == "patch window")
    ax.plot(pw["n_desktops"], pw["hours"], "s--", label="patch window (30 min, reboots 50 at a time)")
    ax.set_xlabel("desktops in the pool")
    ax.set_ylabel("hours per image update")
    ax.set_title("Recompose at the broker's concurrency limit vs patching")
    ax.legend(fontsize=7)
    return fig


@register
def clones_operations(out_dir: Path) -> tuple[Path, Path]:
    """Duration of an image update versus pool size: recompose versus patch window."""
    return render(out_dir, "clones_operations", clone_operations_data(),
                  draw_clone_operations)


# ------------------------------------------------------------------ verdict

def clone_verdict_data() -> pl.DataFrame:
    """The verdict table of the default pool (:func:`hcimodel.clones.verdict`), without flips."""
    v = cl.verdict(cl.compare(), flips=False)
    return v.select("criterion", "metric", "unit", "linked_shadow", "full_vaai", "winner",
                    "factor", "source_verdict").sort(["criterion", "metric"])


@styled
def draw_clone_verdict(df: pl.DataFrame, ax=None):
    """Draw :func:`clone_verdict_data` as signed log factors; returns the figure."""
    fig, ax = axes(ax)
    if ax.figure.get_figheight() < 5:
        ax.figure.set_size_inches(7.2, 6.0)
    d = df.sort(["criterion", "metric"], descending=True)
    cap = 1e4
    f = np.minimum(d["factor"].to_numpy(), cap)
    sign = np.where(d["winner"].to_numpy() == "full_vaai", 1.0,
                    np.where(d["winner"].to_numpy() == "tie", 0.0, -1.0))
    y = np.arange(d.height)
    colors = np.where(sign > 0, "#0072B2", np.where(sign < 0, "#D55E00", "#999999"))
    ax.barh(y, sign * np.log10(f), color=colors)
    ax.set_yticks(y, [f"{c}: {m}" for c, m in zip(d["criterion"], d["metric"])], fontsize=6)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("log10(loser / winner):  <- linked clones win | full clones win ->")
    ax.set_title(f"Who wins, by how much (capped at {cap:g}x)")
    for label in ax.get_xticklabels():
        label.set_fontsize(7)
    return fig


@register
def clones_verdict(out_dir: Path) -> tuple[Path, Path]:
    """Winner and factor of every metric of the comparison."""
    return render(out_dir, "clones_verdict", clone_verdict_data(), draw_clone_verdict)
