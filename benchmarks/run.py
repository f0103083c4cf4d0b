"""Run every benchmark and write the tables of the whitepaper's performance section.

Usage::

    python benchmarks/run.py [--quick] [--out benchmarks]

Runs ``queueing``, ``caching``, ``shadowclone`` and ``scaling`` (and any other
``benchmarks/*.py`` that defines ``collect(quick)``), then writes

* ``results.md``: both tables in markdown, with the machine, the versions and
  the load average (the machine may be shared: read ratios, not absolute times);
* ``results.csv``: one row per comparison (benchmark, case, n, ours, ours_s,
  peer, peer_s, ratio = peer_s / ours_s, load, note);
* ``scaling.csv``: one row per engine (three sizes, their times, the fitted
  exponent of time against size).

Every comparison is like with like: the same work on both sides, setup
included, medians of interleaved runs. ``--quick`` keeps the whole run to
about two minutes. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import importlib
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
ORDER = ["queueing", "caching", "shadowclone", "sweep"]


def _modules():
    skip = ORDER + ["run", "scaling"]
    names = ORDER + sorted(p.stem for p in HERE.glob("*.py")
                           if p.stem not in skip and not p.stem.startswith("_"))
    for name in names:
        mod = importlib.import_module(name)
        if hasattr(mod, "collect"):
            yield name, mod


def _fmt_s(x):
    if x != x:  # NaN
        return "-"
    return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"


def _versions():
    out = []
    for name in ("numpy", "numba", "ciw", "libcachesim"):
        try:
            out.append(f"{name} {importlib.import_module(name).__version__}")
        except Exception:  # noqa: BLE001 - a peer that is not installed
            out.append(f"{name} absent")
    return ", ".join(out)


def write_tables(rows, scaling, out: Path, quick: bool, elapsed: float, note: str):
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(out / "scaling.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(scaling[0]))
        w.writeheader()
        w.writerows(scaling)
    lines = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py{' --quick' if quick else ''}` on "
        f"{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s in all; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {_versions()}.",
        "",
    ]
    if note:
        lines += [f"**{note}**", ""]
    lines += [
        "Like with like: both sides do the same work (same customers, same keys), setup "
        "included, median of interleaved runs after a warm-up; *load* is the 1-minute load "
        "average during the run. *ratio* = peer time / our time (for the end-to-end "
        "Shadow Clones row: kernel time / end-to-end time).",
        "",
        "| benchmark | case | n | ours | time | peer | time | ratio | load | note |",
        "|---|---|---:|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = "-" if r["ratio"] != r["ratio"] else (
            f"{r['ratio']:,.0f}x" if r["ratio"] >= 10 else f"{r['ratio']:.2f}")
        lines.append(f"| {r['benchmark']} | {r['case']} | {r['n']:,} | {r['ours']} | "
                     f"{_fmt_s(r['ours_s'])} | {r['peer'] or '-'} | {_fmt_s(r['peer_s'])} | "
                     f"{ratio} | {r['load']:.1f} | {r['note']} |")
    lines += [
        "",
        "## Scaling",
        "",
        "Time of one whole call at three sizes 10x apart (median of 3); *exponent* is the "
        "slope of log time on log size (1 = linear).",
        "",
        "| engine | unit | n1 | t1 | n2 | t2 | n3 | t3 | exponent | load | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in scaling:
        lines.append(f"| {r['engine']} | {r['unit']} | {r['n1']:,} | {_fmt_s(r['t1_s'])} | "
                     f"{r['n2']:,} | {_fmt_s(r['t2_s'])} | {r['n3']:,} | {_fmt_s(r['t3_s'])} | "
                     f"{r['exponent']:.2f} | {r['load']:.1f} | {r['note']} |")
    (out / "results.md").write_text("\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs, about two minutes")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.csv")
    ap.add_argument("--note", default="", help="a line for the table (e.g. the machine's state)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = []
    for name, mod in _modules():
        t1 = time.perf_counter()
        got = mod.collect(args.quick)
        rows += got
        print(f"{name}: {len(got)} rows in {time.perf_counter() - t1:.0f} s", flush=True)
    import scaling

    t1 = time.perf_counter()
    sc_rows = scaling.collect(args.quick)
    print(f"scaling: {len(sc_rows)} engines in {time.perf_counter() - t1:.0f} s", flush=True)
    write_tables(rows, sc_rows, args.out, args.quick, time.perf_counter() - t0, args.note)
    print(f"wrote {args.out / 'results.md'}, results.csv, scaling.csv")


if __name__ == "__main__":
    main()
