"""Figures of the de-duplicated read cache (notebook 03)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .. import caching, contentcache
from ..clonepool import ClonePool, clone_pool_stream, item_rates
from ..cluster import TierLatencies
from ..units import MiB
from ..simulate import miss_ratio_curve, segmented_lru_replay
from ..traces import block_keys, data_path, read_vscsi
from ._registry import SEED, axes, cycle_colour, register, render, styled

__all__ = ["FIGURE_POOL", "cache_size_data", "draw_cache_size", "cache_hit_ratio",
           "cache_clones_data", "draw_cache_clones", "cache_dedup_clones",
           "cache_tiers_data", "draw_cache_tiers", "cache_tier_split",
           "trace_mrc_data", "draw_trace_mrc", "cache_trace_mrc"]

#: The pool of the figures: small enough to replay in seconds.
FIGURE_POOL = ClonePool(n_desktops=20, base_blocks=4096, private_blocks=1024,
                        written_fraction=0.2)
_CURVES = (("linked", True), ("full", False), ("full", True))
_LABEL = {("linked", True): "linked clones (dedup on or off)",
          ("full", False): "full clones, no dedup", ("full", True): "full clones, dedup"}


def _memory_only(ir, blocks, f=0.5):
    """Hit ratio of a memory-only Content Cache at each capacity: one vectorized solve
    on the grouped rates of :func:`hcimodel.clonepool.item_rates`."""
    b = np.ravel(blocks)
    return contentcache.content_cache(ir.group_rates, f * b, (1 - f) * b, 0.0,
                                      weights=ir.group_count).hit_ratio


# ------------------------------------------------------------------ hit ratio vs cache size

def cache_size_data(pool: ClonePool = FIGURE_POOL, n_requests: int = 600_000,
                    warmup: int = 200_000, replay_mib=(4, 16, 64, 160)) -> pl.DataFrame:
    """Hit ratio of a memory-only Content Cache versus its size, with replayed points.

    Tidy frame (clone_type, dedup, source, cache_mib, hit_ratio): ``'closed
    form'`` on a grid, ``'replay'`` at ``replay_mib`` (one seeded stream per
    clone type, first ``warmup`` reads dropped). Half the memory is the
    single-touch pool.
    """
    grid = np.geomspace(1, 400, 25)
    frames = []
    for k, (ct, dedup) in enumerate(_CURVES):
        p = pool.replace(clone_type=ct)
        h = _memory_only(item_rates(p, dedup), grid * MiB / p.block_bytes)
        frames.append(pl.DataFrame({"clone_type": ct, "dedup": dedup, "source": "closed form",
                                    "cache_mib": grid, "hit_ratio": h}))
        s = clone_pool_stream(p, n_requests, rng=np.random.SeedSequence([SEED, 3, k]))
        keys = s.keys(dedup)
        for mib in replay_mib:
            half = int(mib * MiB / p.block_bytes / 2)
            out = segmented_lru_replay(keys, half, half, 0)[warmup:]
            frames.append(pl.DataFrame({"clone_type": ct, "dedup": dedup, "source": "replay",
                                        "cache_mib": float(mib), "hit_ratio": float(np.mean(out > 0))}))
    return pl.concat(frames).sort(["clone_type", "dedup", "source", "cache_mib"])


@styled
def draw_cache_size(df: pl.DataFrame, ax=None):
    """Draw :func:`cache_size_data`; returns the figure."""
    fig, ax = axes(ax)
    for ct, dedup in _CURVES:
        part = df.filter((pl.col("clone_type") == ct) & (pl.col("dedup") == dedup))
        cf = part.filter(pl.col("source") == "closed form")
        line, = ax.plot(cf["cache_mib"], cf["hit_ratio"], label=_LABEL[(ct, dedup)])
        rp = part.filter(pl.col("source") == "replay")
        ax.plot(rp["cache_mib"], rp["hit_ratio"], "o", color=line.get_color())
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("cache memory (MiB, 4 KiB blocks)")
    ax.set_ylabel("read hit ratio")
    ax.set_title("20 clones: lines closed form, points replay")
    ax.legend()
    return fig


@register
def cache_hit_ratio(out_dir: Path) -> tuple[Path, Path]:
    """Hit ratio versus cache size, linked and full clones, with and without dedup."""
    return render(out_dir, "cache_hit_ratio", cache_size_data(), draw_cache_size)


# ------------------------------------------------------------------ hit ratio vs clones

def cache_clones_data(pool: ClonePool = FIGURE_POOL, cache_mib: float = 64.0,
                      n_desktops=(1, 2, 5, 10, 20, 50, 100, 200)) -> pl.DataFrame:
    """Hit ratio of a memory-only Content Cache versus the number of clones (closed form).

    Tidy frame (clone_type, dedup, n_desktops, hit_ratio, amplification) at a
    fixed cache of ``cache_mib``; ``amplification`` is effective (logical)
    over physical bytes held.
    """
    rows = []
    for ct in ("linked", "full"):
        for dedup in (False, True):
            for n in n_desktops:
                p = pool.replace(clone_type=ct, n_desktops=int(n))
                h = contentcache.content_cache_hits(p, cache_mib * MiB, dedup=dedup,
                                                    single_touch_fraction=0.5)
                rows.append({"clone_type": ct, "dedup": dedup, "n_desktops": int(n),
                             "hit_ratio": float(h.hit_ratio), "amplification": float(h.amplification)})
    return pl.DataFrame(rows).sort(["clone_type", "dedup", "n_desktops"])


@styled
def draw_cache_clones(df: pl.DataFrame, ax=None):
    """Draw :func:`cache_clones_data`; returns the figure.

    Linked clones share the replica's blocks whether dedup is on or not, so
    their two curves coincide: drawn as a wide pale line under a thin one,
    with different markers, and a note.
    """
    fig, ax = axes(ax)
    styles = {("linked", False): dict(color=cycle_colour(1), linewidth=5, alpha=0.35, marker="s",
                                      markersize=9, linestyle="-"),
              ("linked", True): dict(color=cycle_colour(1), linewidth=1.5, marker="o", markersize=4,
                                     linestyle="--"),
              ("full", False): dict(color=cycle_colour(2), marker="s", linestyle="--"),
              ("full", True): dict(color=cycle_colour(3), marker="o", linestyle="-")}
    for ct, dedup in (("linked", False), ("linked", True), ("full", False), ("full", True)):
        part = df.filter((pl.col("clone_type") == ct) & (pl.col("dedup") == dedup))
        ax.plot(part["n_desktops"], part["hit_ratio"],
                label=f"{ct} clones, {'dedup' if dedup else 'no dedup'}", **styles[(ct, dedup)])
    linked = df.filter(pl.col("clone_type") == "linked")
    same = (linked.filter(pl.col("dedup"))["hit_ratio"].to_numpy()
            == linked.filter(~pl.col("dedup"))["hit_ratio"].to_numpy())
    if same.all():
        last = linked.filter(pl.col("dedup"))
        ax.annotate("linked clones: dedup on = off, one curve\n"
                    "(the clones already share the replica)",
                    (float(last["n_desktops"][-3]), float(last["hit_ratio"][-3])),
                    xytext=(0, 14), textcoords="offset points", ha="center", va="bottom",
                    fontsize=8, color="0.25")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("desktops cloned from one base image")
    ax.set_ylabel("read hit ratio (64 MiB cache)")
    ax.set_title("Dedup keeps full clones sharing the cache")
    ax.legend(loc="lower left")
    return fig


@register
def cache_dedup_clones(out_dir: Path) -> tuple[Path, Path]:
    """Hit ratio versus number of clones at a fixed cache, with and without dedup."""
    return render(out_dir, "cache_dedup_clones", cache_clones_data(), draw_cache_clones)


# ------------------------------------------------------------------ memory / SSD split

def cache_tiers_data(pool: ClonePool = FIGURE_POOL.replace(n_desktops=100, clone_type="full"),
                     memory_mib: float = 32.0, ssd_mib=None) -> pl.DataFrame:
    """Memory and SSD hit ratios and mean read latency versus the SSD part (closed form).

    Full clones, dedup on, a Content Cache of ``memory_mib`` memory (a quarter
    single-touch) and a growing SSD part; the tier latencies are the assumed
    defaults of :class:`hcimodel.cluster.TierLatencies`. Tidy frame
    (ssd_mib, quantity, value).
    """
    ssd = np.asarray(ssd_mib if ssd_mib is not None else np.linspace(0, 512, 17), dtype=float)
    lat = TierLatencies()
    frames = []
    for dedup in (False, True):
        h = contentcache.content_cache_hits(pool, memory_mib * MiB, ssd * MiB, dedup=dedup)
        tag = "dedup" if dedup else "no dedup"
        for q, v in (("memory hit ratio", h.memory_hit_ratio), ("SSD hit ratio", h.ssd_hit_ratio),
                     ("hit ratio", h.hit_ratio),
                     ("mean read latency (ms)", 1e3 * lat.mean_s(h.memory_hit_ratio, h.ssd_hit_ratio,
                                                                  h.miss_ratio))):
            frames.append(pl.DataFrame({"dedup": tag, "ssd_mib": ssd, "quantity": q,
                                        "value": np.asarray(v, dtype=float)}))
    return pl.concat(frames).sort(["dedup", "quantity", "ssd_mib"])


@styled
def draw_cache_tiers(df: pl.DataFrame, ax=None):
    """Draw :func:`cache_tiers_data`; returns the figure."""
    fig, ax = axes(ax)
    for tag, ls in (("dedup", "-"), ("no dedup", "--")):
        for q in ("memory hit ratio", "SSD hit ratio", "hit ratio"):
            part = df.filter((pl.col("dedup") == tag) & (pl.col("quantity") == q))
            ax.plot(part["ssd_mib"], part["value"], linestyle=ls, label=f"{q}, {tag}")
    ax.set_ylim(0, 1)
    ax.set_xlabel("SSD part of the multi-touch pool (MiB; 32 MiB memory)")
    ax.set_ylabel("share of reads")
    ax.set_title("100 full clones: where the Content Cache serves reads")
    ax.legend(fontsize=7, ncol=2)
    return fig


@register
def cache_tier_split(out_dir: Path) -> tuple[Path, Path]:
    """Memory and SSD hit ratios versus the SSD part of the Content Cache."""
    return render(out_dir, "cache_tier_split", cache_tiers_data(), draw_cache_tiers)


# ------------------------------------------------------------------ real trace

def trace_mrc_data(name: str = "cloudPhysicsIO.vscsi", block_size: int = 4096,
                   n_points: int = 60) -> pl.DataFrame:
    """LRU miss-ratio curve of the reads of a real trace, and the IRM prediction.

    ``source`` is ``'replay'`` (exact Mattson stack distances of the 4 KiB
    read keys) or ``'IRM (Che)'`` (:func:`hcimodel.caching.che_lru` on each
    key's empirical read frequency): the gap is what the independent
    reference model misses of the trace's temporal locality. Raises
    :class:`FileNotFoundError` when the trace is absent.
    """
    keys = block_keys(read_vscsi(data_path(name)), block_size, ops="read")
    mrc = miss_ratio_curve(keys)
    _, counts = np.unique(keys, return_counts=True)
    caps = np.unique(np.geomspace(1, counts.size, n_points).astype(np.int64))
    irm = 1.0 - caching.che_lru(counts.astype(float), caps).hit_ratio
    return pl.concat([
        pl.DataFrame({"source": "replay", "capacity_blocks": caps,
                      "miss_ratio": mrc.at(caps).astype(float)}),
        pl.DataFrame({"source": "IRM (Che)", "capacity_blocks": caps, "miss_ratio": irm}),
    ]).sort(["source", "capacity_blocks"])


@styled
def draw_trace_mrc(df: pl.DataFrame, ax=None):
    """Draw :func:`trace_mrc_data`; returns the figure."""
    fig, ax = axes(ax)
    for src, ls in (("replay", "-"), ("IRM (Che)", "--")):
        part = df.filter(pl.col("source") == src)
        ax.plot(part["capacity_blocks"] * 4096 / MiB, part["miss_ratio"], linestyle=ls,
                label=src)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("LRU cache (MiB, 4 KiB blocks)")
    ax.set_ylabel("read miss ratio")
    ax.set_title("CloudPhysics vSCSI trace: reads")
    ax.legend()
    return fig


@register
def cache_trace_mrc(out_dir: Path) -> tuple[Path, Path]:
    """Miss-ratio curve of the real CloudPhysics trace (needs the data file)."""
    return render(out_dir, "cache_trace_mrc", trace_mrc_data(), draw_trace_mrc)
