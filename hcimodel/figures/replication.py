"""Figures of replication: data loss, the link backlog, shared links, RTO (notebook 04)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .. import replication as rep
from ..cluster import SitePair
from ..units import DAY_S, HOUR_S
from ..workload import BOOT_READ_BYTES
from ._registry import SEED, axes, register, render, styled

__all__ = ["sawtooth_data", "draw_sawtooth", "rpo_sawtooth",
           "loss_vs_interval_data", "draw_loss_vs_interval", "rpo_loss_vs_interval",
           "backlog_data", "draw_backlog", "rpo_backlog",
           "domains_data", "draw_domains", "rpo_domains",
           "rto_data", "draw_rto", "rto_pool_size"]

FLAT = rep.ChangeModel(daily_profile=rep.FLAT_DAY)


# ------------------------------------------------------------------ sawtooth

def sawtooth_data(interval_s: float = 3600.0, bandwidth_bps: float = 30e6,
                  n_desktops: int = 50, days: float = 2.0) -> pl.DataFrame:
    """Age of the replica over ``days`` under the office-day profile.

    Deterministic deltas that follow the daily profile interval by interval
    (Monte Carlo twin, one run). Tidy frame: ``time_h``, ``age_s``, and
    ``bound_s`` (closed-form worst loss I + S at the mean and at the peak hour).
    """
    sites = SitePair(bandwidth_bps=bandwidth_bps)
    k = int(days * DAY_S / interval_s) + 2
    sim = rep.simulate_rpo(interval_s, [n_desktops], sites=sites, rate="profile",
                           run=rep.MonteCarlo(n_intervals=max(k, 10), n_replications=2,
                                              n_failures=1), rng=SEED)
    a, c = sim.creation_s[0], sim.completion_s[0]
    t = np.linspace(interval_s, days * DAY_S, 4000)
    age = rep.replica_age(t, a, c)
    mean = float(rep.async_rpo(interval_s, n_desktops, sites=sites, rate="mean").worst_loss_s)
    peak = float(rep.async_rpo(interval_s, n_desktops, sites=sites, rate="peak").worst_loss_s)
    return pl.DataFrame({"time_h": t / 3600.0, "age_s": age,
                         "bound_mean_s": mean, "bound_peak_s": peak}).sort("time_h")


@styled
def draw_sawtooth(df: pl.DataFrame, ax=None):
    """Draw :func:`sawtooth_data`; returns the figure."""
    fig, ax = axes(ax)
    ax.plot(df["time_h"], df["age_s"] / 60, label="age of the replica (data lost on failure)")
    ax.axhline(df["bound_peak_s"][0] / 60, color="grey", linestyle="--",
               label="closed form I + S, peak hour")
    ax.axhline(df["bound_mean_s"][0] / 60, color="grey", linestyle=":",
               label="closed form I + S, mean rate")
    ax.set_xlabel("time (h), office-day write profile")
    ax.set_ylabel("replica age (min)")
    ax.set_title("Hourly async replication of 50 desktops over 30 Mbit/s")
    ax.set_ylim(0, 1.45 * df["bound_peak_s"][0] / 60)
    ax.legend(loc="upper left", ncols=2, fontsize=8)
    return fig


@register
def rpo_sawtooth(out_dir: Path) -> tuple[Path, Path]:
    """The sawtooth of replica age over two office days."""
    return render(out_dir, "rpo_sawtooth", sawtooth_data(), draw_sawtooth)


# ------------------------------------------------------------------ loss vs interval

def loss_vs_interval_data(bandwidths_bps=(10e6, 20e6, 50e6, 100e6),
                          n_desktops: int = 50) -> pl.DataFrame:
    """Worst and mean data loss versus the snapshot interval, per bandwidth.

    Closed form at the peak hour (async, 1–24 h). Tidy: ``bandwidth_mbps``,
    ``interval_h``, ``metric`` (worst_loss_s, mean_loss_s), ``value`` (s; inf
    when unstable).
    """
    grid = np.linspace(HOUR_S, DAY_S, 93)
    b = np.asarray(bandwidths_bps, dtype=float)[:, None]
    res = rep.async_rpo(grid[None, :], n_desktops, bandwidth_bps=b)
    frames = []
    for metric in ("worst_loss_s", "mean_loss_s"):
        v = getattr(res, metric)
        frames.append(pl.DataFrame({
            "bandwidth_mbps": np.repeat(b[:, 0] / 1e6, grid.size),
            "interval_h": np.tile(grid / 3600.0, b.size), "metric": metric,
            "value": v.ravel()}))
    return pl.concat(frames).sort(["bandwidth_mbps", "metric", "interval_h"])


@styled
def draw_loss_vs_interval(df: pl.DataFrame, ax=None):
    """Draw :func:`loss_vs_interval_data`; returns the figure.

    Colour gives the bandwidth, line style the statistic (worst or mean loss);
    an interval with no line is unstable at that bandwidth, and the shortest
    stable interval is marked.
    """
    from matplotlib.lines import Line2D

    fig, ax = axes(ax)
    for (bw,), part in df.group_by(["bandwidth_mbps"], maintain_order=True):
        w = part.filter(pl.col("metric") == "worst_loss_s")
        m = part.filter(pl.col("metric") == "mean_loss_s")
        line, = ax.plot(w["interval_h"], w["value"] / 3600, label=f"{bw:g} Mbit/s")
        ax.plot(m["interval_h"], m["value"] / 3600, linestyle=":", color=line.get_color())
        ok = w.filter(pl.col("value").is_finite())
        if ok.height < w.height and ok.height:
            x0, y0 = float(ok["interval_h"][0]), float(ok["value"][0]) / 3600
            ax.plot([x0], [y0], "|", color=line.get_color(), markersize=10)
            ax.annotate(f"{bw:g} Mbit/s: unstable (no line)\nbelow a {x0:.1f} h interval",
                        (x0, y0), xytext=(x0 + 4.0, 0.25 * y0), ha="left",
                        va="center", fontsize=8, color=line.get_color(),
                        arrowprops={"arrowstyle": "->", "color": line.get_color(),
                                    "linewidth": 0.8})
    ax.plot([1, 24], [1, 24], color="grey", linewidth=0.8)
    ax.set_xlabel("snapshot interval (h)")
    ax.set_ylabel("data loss (h)")
    ax.set_title("Data loss of 50 desktops at the peak hour")
    colours = ax.legend(title="link bandwidth", loc="upper left")
    ax.add_artist(colours)
    kinds = [Line2D([], [], color="0.3", label="worst loss, I + S"),
             Line2D([], [], color="0.3", linestyle=":", label="mean loss"),
             Line2D([], [], color="grey", linewidth=0.8, label="loss = interval")]
    ax.legend(handles=kinds, loc="lower right")
    return fig


@register
def rpo_loss_vs_interval(out_dir: Path) -> tuple[Path, Path]:
    """Worst and mean data loss versus snapshot interval and bandwidth."""
    return render(out_dir, "rpo_loss_vs_interval", loss_vs_interval_data(), draw_loss_vs_interval)


# ------------------------------------------------------------------ backlog

def backlog_data(scvs=(0.0, 1.0, 2.0), mc_rho=(0.5, 0.8, 0.9),
                 n_intervals: int = 4000) -> pl.DataFrame:
    """Mean wait on the link, in transfer times, versus utilisation S/I.

    Closed form (:func:`hcimodel.replication.backlog_wait`: D/D/1, D/M/1
    exact, D/G/1 approximate) on a grid, Monte Carlo points at ``mc_rho``
    (hourly snapshots of one PD, gamma deltas, 8 replications, 95 % CI).
    Tidy: ``scv``, ``rho``, ``source``, ``wait_over_s``, ``ci_low``, ``ci_high``.
    """
    rho = np.linspace(0.02, 0.98, 97)
    frames = []
    for j, scv in enumerate(scvs):
        w, _ = rep.backlog_wait(1.0, rho, scv)
        frames.append(pl.DataFrame({"scv": scv, "rho": rho, "source": "closed form",
                                    "wait_over_s": w / rho, "ci_low": w / rho,
                                    "ci_high": w / rho}))
        if scv == 0:
            continue
        u = FLAT.unique_bytes(3600.0) * 50
        for i, r in enumerate(mc_rho):
            sites = SitePair(bandwidth_bps=8 * u / (2.0 * 0.8 * r * 3600.0))
            sim = rep.simulate_rpo(3600.0, [50], FLAT, sites, rate="mean", delta_scv=scv,
                                   run=rep.MonteCarlo(n_intervals=n_intervals, n_replications=8,
                                                      n_failures=10),
                                   rng=np.random.SeedSequence([SEED, 400 + 10 * j + i]))
            row = sim.estimates.filter((pl.col("metric") == "wait_s")
                                       & (pl.col("domain") == 0))
            s = r * 3600.0
            frames.append(pl.DataFrame({"scv": scv, "rho": r, "source": "monte carlo",
                                        "wait_over_s": row["estimate"][0] / s,
                                        "ci_low": row["ci_low"][0] / s,
                                        "ci_high": row["ci_high"][0] / s}))
    return pl.concat(frames).sort(["scv", "source", "rho"])


@styled
def draw_backlog(df: pl.DataFrame, ax=None):
    """Draw :func:`backlog_data`; returns the figure."""
    fig, ax = axes(ax)
    names = {0.0: "deterministic (D/D/1)", 1.0: "exponential (D/M/1, exact)",
             2.0: "SCV 2 (D/G/1, approximation)"}
    for (scv,), part in df.group_by(["scv"], maintain_order=True):
        cf = part.filter(pl.col("source") == "closed form")
        line, = ax.plot(cf["rho"], cf["wait_over_s"], label=names.get(scv, f"SCV {scv:g}"))
        mc = part.filter(pl.col("source") == "monte carlo")
        if mc.height:
            ax.errorbar(mc["rho"], mc["wait_over_s"],
                        yerr=[mc["wait_over_s"] - mc["ci_low"], mc["ci_high"] - mc["wait_over_s"]],
                        fmt="o", color=line.get_color(), capsize=2)
    ax.axvline(1.0, color="grey", linewidth=0.8)
    ax.set_ylim(0, 15)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("link utilisation ρ = transfer time / interval")
    ax.set_ylabel("mean wait behind earlier transfers / transfer time")
    ax.set_title("The backlog blows up near saturation (points: Monte Carlo)")
    ax.legend(loc="upper left")
    return fig


@register
def rpo_backlog(out_dir: Path) -> tuple[Path, Path]:
    """Mean backlog wait versus link utilisation: D/D/1, D/M/1, D/G/1, Monte Carlo."""
    return render(out_dir, "rpo_backlog", backlog_data(), draw_backlog)


# ------------------------------------------------------------------ shared link

def domains_data(max_domains: int = 14, bandwidth_bps: float = 100e6,
                 n_desktops: int = 50, interval_s: float = 3600.0) -> pl.DataFrame:
    """Worst data loss of the last PD versus the number of PDs sharing one link.

    Closed form (deterministic transfers at the peak hour); Monte Carlo with
    the same deterministic deltas (``'monte carlo'``: the worst loss, equal to
    the closed form) and with gamma deltas of SCV 0.25 (``'monte carlo, SCV
    0.25'``: the 99th percentile of the peak age of the worst-served domain, 4
    replications). Tidy: ``schedule``, ``n_domains``, ``source``, ``loss_s``.
    """
    sites = SitePair(bandwidth_bps=bandwidth_bps)
    s = float(rep.async_rpo(interval_s, n_desktops, sites=sites).transfer_s)
    rows = []
    for schedule in ("aligned", "staggered"):
        for p in range(1, max_domains + 1):
            w = rep.shared_link_loss(interval_s, s, p, schedule)
            rows.append({"schedule": schedule, "n_domains": p, "source": "closed form",
                         "loss_s": float(w.max())})
            for source, scv in (("monte carlo", 0.0), ("monte carlo, SCV 0.25", 0.25)):
                sim = rep.simulate_rpo(interval_s, [n_desktops] * p, sites=sites, rate="peak",
                                       schedule=schedule, delta_scv=scv,
                                       run=rep.MonteCarlo(n_intervals=400, n_replications=4,
                                                          n_failures=10),
                                       rng=np.random.SeedSequence([SEED, 500, p]))
                # deterministic deltas: the largest peak age; gamma deltas: its p99
                worst = float(np.max(sim.worst_loss_s if scv else sim.max_loss_s))
                rows.append({"schedule": schedule, "n_domains": p, "source": source,
                             "loss_s": worst})
    return pl.DataFrame(rows).sort(["schedule", "source", "n_domains"])


@styled
def draw_domains(df: pl.DataFrame, ax=None):
    """Draw :func:`domains_data`; returns the figure.

    The y scale covers the stable range. Where the link is saturated (the
    closed form is ``inf``) the range is shaded and marked unstable, and the
    Monte Carlo losses there, which grow with the length of the run, are
    drawn as arrows at the top with their values written beside them.
    """
    fig, ax = axes(ax)
    cf_all = df.filter(pl.col("source") == "closed form")
    finite = df.filter(pl.col("n_domains").is_in(
        cf_all.filter(pl.col("loss_s").is_finite())["n_domains"].implode()))
    top = 1.15 * float(finite["loss_s"].max()) / 60
    unstable = sorted(set(cf_all.filter(~pl.col("loss_s").is_finite())["n_domains"]))
    offsets = {"aligned": -0.08, "staggered": 0.08}
    for (schedule,), part in df.group_by(["schedule"], maintain_order=True):
        dx = offsets.get(schedule, 0.0)
        cf = part.filter((pl.col("source") == "closed form") & pl.col("loss_s").is_finite())
        line, = ax.plot(cf["n_domains"], cf["loss_s"] / 60,
                        label=f"{schedule}: closed form (deterministic)")
        colour = line.get_color()
        for source, marker, fill, shift, text in (
                ("monte carlo", "o", colour, 0.0, "Monte Carlo, same deltas"),
                ("monte carlo, SCV 0.25", "^", "white", dx, "Monte Carlo p99, deltas SCV 0.25")):
            mc = part.filter(pl.col("source") == source)
            ok = mc.filter(~pl.col("n_domains").is_in(unstable))
            ax.plot(ok["n_domains"] + shift, ok["loss_s"] / 60, marker, color=colour,
                    markerfacecolor=fill, linestyle="none", label=f"{schedule}: {text}")
    if unstable:
        p0 = min(unstable) - 0.5
        ax.axvspan(p0, max(unstable) + 0.5, color="0.9", zorder=0)
        over = df.filter(pl.col("n_domains").is_in(unstable) & (pl.col("source") != "closed form"))
        lo, hi = float(over["loss_s"].min()) / 60, float(over["loss_s"].max()) / 60
        ax.text(p0 + 0.5, 0.5 * top,
                f"unstable:\nthe link is\nsaturated\n(P·S > I)\n\nMonte Carlo\nloss grows\n"
                f"with the run:\n{lo:,.0f}–{hi:,.0f}\nmin",
                ha="center", va="center", fontsize=8, color="0.25")
        for p in unstable:
            ax.annotate("", (p, 0.99 * top), xytext=(p, 0.86 * top),
                        arrowprops={"arrowstyle": "->", "color": "0.35", "linewidth": 1.2})
    ax.set_ylim(0, top)
    ax.set_xlim(0.5, float(df["n_domains"].max()) + 0.5)
    ax.set_xlabel("protection domains P of 50 desktops on one 100 Mbit/s link")
    ax.set_ylabel("worst data loss of the last domain (min)")
    ax.set_title("Aligned versus staggered schedules (hourly, peak hour)")
    ax.legend(loc="lower left", ncols=2, fontsize=7.5)
    return fig


@register
def rpo_domains(out_dir: Path) -> tuple[Path, Path]:
    """Worst data loss versus protection domains sharing a link, aligned and staggered."""
    return render(out_dir, "rpo_domains", domains_data(), draw_domains)


# ------------------------------------------------------------------ RTO

def rto_data(pool_sizes=None, parallelism=(5, 20, 50),
             boot_read_bytes: float = BOOT_READ_BYTES) -> pl.DataFrame:
    """RTO versus pool size for several power-on parallelisms (closed form).

    Tidy: ``power_on_parallelism``, ``n_desktops``, ``phase``, ``seconds``.
    """
    n = np.unique(np.linspace(50, 1500, 30).astype(int)) if pool_sizes is None else \
        np.asarray(pool_sizes)
    res = rep.rto(n[:, None], np.asarray(parallelism)[None, :],
                  boot_read_bytes=boot_read_bytes)
    return res.to_frame().sort(["power_on_parallelism", "phase", "n_desktops"])


@styled
def draw_rto(df: pl.DataFrame, ax=None):
    """Draw :func:`rto_data`; returns the figure.

    Curves that coincide (the storage, not the power-on parallelism, sets the
    pace of large recoveries) keep their own markers at different N, and a
    note says where they merge.
    """
    fig, ax = axes(ax)
    total = df.filter(pl.col("phase") == "total_s")
    styles = (("o", "-"), ("s", "--"), ("^", ":"), ("D", "-."))
    curves = list(total.group_by(["power_on_parallelism"], maintain_order=True))
    for i, ((k,), part) in enumerate(curves):
        marker, ls = styles[i % len(styles)]
        step = max(part.height // 8, 1)
        ax.plot(part["n_desktops"], part["seconds"] / 60, linestyle=ls, marker=marker,
                markevery=(i * step // max(len(curves), 1), step), markerfacecolor="white",
                markersize=6, label=f"{k} power-ons at a time")
    # where the two highest parallelisms give the same RTO
    if len(curves) >= 2:
        a, b = curves[-2][1], curves[-1][1]
        same = np.isclose(a["seconds"].to_numpy(), b["seconds"].to_numpy(), rtol=1e-9)
        if same.any() and not same.all():
            n0 = int(a["n_desktops"][int(np.argmax(same))])
            y0 = float(a["seconds"][int(np.argmax(same))]) / 60
            ax.annotate(f"{curves[-2][0][0]} and {curves[-1][0][0]} at a time coincide "
                        f"from {n0:,} desktops:\nthe boot storm at the recovery site,\n"
                        "not the power-ons, sets the pace",
                        (n0, y0), xytext=(0.42, 0.06), textcoords="axes fraction",
                        fontsize=8, color="0.25", va="bottom",
                        arrowprops={"arrowstyle": "->", "color": "0.5", "linewidth": 0.8})
    ax.set_xlabel("desktops recovered")
    ax.set_ylabel("RTO: failure to every desktop usable (min)")
    ax.set_title("RTO: 20 min detection + decision, 25 min infrastructure,\n"
                 "boot storm on Shadow Clones (detected at the recovery site)")
    ax.legend(loc="upper left")
    return fig


@register
def rto_pool_size(out_dir: Path) -> tuple[Path, Path]:
    """RTO versus pool size and power-on parallelism."""
    return render(out_dir, "rto_pool_size", rto_data(), draw_rto)
