"""``hcimodel paper``: write the whitepaper's tables and render it to HTML and PDF."""

from __future__ import annotations

from pathlib import Path

from ._base import UsageError

FORMAT = False


def add_parser(sub):
    p = sub.add_parser(
        "paper", help="render the whitepaper (papers/whitepaper.md) to HTML and PDF",
        description="Recompute the whitepaper's tables from the code (papers/tables/), "
                    "expand them into papers/whitepaper.md and render HTML (pandoc) and "
                    "PDF (pandoc to Typst). Figures come from 'hcimodel reproduce', run it "
                    "first when a model changed.")
    p.add_argument("--source", default="papers/whitepaper.md", metavar="FILE",
                   help="the Markdown source")
    p.add_argument("--out", default="papers/build", metavar="DIR",
                   help="folder for whitepaper.html and whitepaper.pdf")
    p.add_argument("--to", choices=("html", "pdf", "both"), default="both",
                   help="what to render")
    p.add_argument("--tables-only", action="store_true",
                   help="write the tables (papers/tables/) and stop")
    return p


def run(args) -> int:
    from .. import paper

    source = Path(args.source)
    if not source.is_file():
        raise UsageError(f"--source: {source} does not exist (run from the repository root, "
                         "or give the path of whitepaper.md)")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} is a file, not a folder")
    if args.tables_only:
        written = paper.write_tables(source.parent / "tables")
    else:
        formats = ("html", "pdf") if args.to == "both" else (args.to,)
        try:
            written = paper.build(source, out, formats=formats)
        except FileNotFoundError as err:
            raise UsageError(str(err)) from None
    for path in written:
        print(path)
    return 0
