"""``hcimodel reproduce``: regenerate the whitepaper figures, or check them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ._base import UsageError, count

FORMAT = False


def add_parser(sub):
    p = sub.add_parser(
        "reproduce", help="regenerate the whitepaper figures (PNG, SVG and CSV)",
        description="Regenerate every figure (or those named) into a folder: a PNG, an "
                    "SVG and the CSV of the numbers drawn. With --check, regenerate into a "
                    "temporary folder and compare the CSVs with those in --out.")
    p.add_argument("--out", type=Path, default=Path("papers/figures"), metavar="FOLDER",
                   help="folder for the figures (its parent folder must exist)")
    p.add_argument("--check", action="store_true",
                   help="compare freshly generated CSVs with those in --out; exit 1 if "
                        "any differs")
    p.add_argument("--jobs", type=count(1, 256), default=os.cpu_count() or 1, metavar="N",
                   help="figures drawn at once (the files do not depend on it)")
    p.add_argument("figures", nargs="*", metavar="FIGURE",
                   help="names of figures to make (default: all)")
    return p


def _check_out(out: Path, check: bool) -> None:
    """Refuse, before any work, an --out that cannot be written or compared."""
    if check:
        if not out.exists():
            raise UsageError(f"--out: folder '{out}' does not exist, so there is nothing to "
                             f"check against; make it with 'hcimodel reproduce --out {out}'")
        if not out.is_dir():
            raise UsageError(f"--out: '{out}' is not a folder; give the folder of the figures "
                             "to check against")
        return
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"--out: '{out}' is a file, not a folder; give a folder for the "
                             "figures")
        if not os.access(out, os.W_OK | os.X_OK):
            raise UsageError(f"--out: folder '{out}' is not writable; give another folder")
        return
    parent = out.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"--out: folder '{parent}' that would hold '{out.name}' does not "
                         "exist; create it first or give another folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out: cannot create '{out}' (folder '{parent}' is not writable)")


def _report_skipped(skipped) -> None:
    for name, reason in skipped:
        print(f"hcimodel: skipped {name}: {' '.join(str(reason).split())}", file=sys.stderr)


def run(args) -> int:
    import filecmp
    import tempfile

    _check_out(args.out, args.check)
    from .. import figures

    unknown = sorted(set(args.figures) - set(figures.FIGURES))
    if unknown:
        raise UsageError(f"unknown figure {', '.join(unknown)}; figures are "
                         f"{', '.join(sorted(figures.FIGURES))}")
    names = args.figures or None
    skipped: list = []
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            written = figures.reproduce(tmp, names, skipped=skipped, n_jobs=args.jobs)
            csvs = [p for p in written if p.suffix == ".csv"]
            missing = [p.name for p in csvs if not (args.out / p.name).is_file()]
            differ = [p.name for p in csvs if p.name not in missing
                      and not filecmp.cmp(p, args.out / p.name, shallow=False)]
        _report_skipped(skipped)
        if missing or differ:
            parts = ([f"missing from {args.out}: {', '.join(missing)}"] if missing else []) + \
                    ([f"differ from {args.out}: {', '.join(differ)}"] if differ else [])
            print(f"hcimodel: figures {'; '.join(parts)}")
            return 1
        print(f"hcimodel: {len(csvs)} figures match {args.out}")
        return 0
    written = figures.reproduce(args.out, names, skipped=skipped, n_jobs=args.jobs,
                                progress=lambda n: print(f"  {n}", file=sys.stderr))
    _report_skipped(skipped)
    print(f"hcimodel: wrote {len(written)} files to {args.out}")
    return 0
