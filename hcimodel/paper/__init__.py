"""The whitepaper that regenerates itself: its tables from code, its rendering.

``papers/whitepaper.md`` is ordinary Markdown (pandoc's dialect) with two
directives, each alone on a line:

``{{table NAME}}``     the table ``NAME`` of :func:`tables`, as written by
                       :func:`write_tables` into ``papers/tables/NAME.md``;
``{{include PATH}}``   the text of a file, ``PATH`` relative to the repository
                       root (e.g. the benchmark table ``benchmarks/results.md``),
                       its headings two levels deeper.

Figures are plain Markdown images of ``figures/NAME.png`` (written by
``hcimodel reproduce``). :func:`build` expands the directives and renders HTML
(pandoc, one self-contained file with MathML) and PDF (pandoc to Typst, then
the Typst compiler); both come as Python wheels (``pypandoc-binary``,
``typst``), so the README's install is all it needs.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["tables", "write_tables", "table_markdown", "expand", "references", "build"]

_DIRECTIVE = re.compile(r"^\{\{(table|include)\s+(\S+)\}\}\s*$", re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def tables() -> dict:
    """name -> function returning the table's polars frame (validation, verdict, defaults)."""
    from .validation import VALIDATION_TABLES

    out = dict(VALIDATION_TABLES)
    out["clones_verdict"] = _clones_verdict
    out["sizing_example"] = _sizing_example
    try:  # the defaults table comes from the registry of defaults
        from ..defaults import defaults_table
    except ImportError:  # pragma: no cover - until the registry lands
        pass
    else:
        out["defaults"] = defaults_table
    return out


def _clones_verdict():
    """The verdict of :func:`hcimodel.clones.verdict` on the default pool life."""
    from ..clones import verdict

    return verdict().select("criterion", "metric", "unit", "linked_shadow", "full_vaai",
                            "winner", "factor", "flip_note", "source_verdict")


def _sizing_example():
    """``hcimodel size`` on the built-in example: the answer, the nodes each limit
    asks for, and the main metrics, one column per clone strategy."""
    import polars as pl

    from ..sizing import size

    df = size().to_frame().filter(pl.col("section").is_in(["answer", "limit", "metric"]))
    return (df.pivot(on="strategy", index=["section", "metric"], values="value")
            .sort(["section", "metric"]))


_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def _size_pipe_tables(text: str) -> str:
    """Give every pipe table's separator dashes as wide as its column's longest
    cell (capped at 60), keeping the alignment colons: pandoc turns them into
    relative column widths."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == 0 or not _SEPARATOR.match(line):
            continue
        j = i + 1
        while j < len(lines) and lines[j].startswith("|"):
            j += 1
        cells = [[c.strip() for c in row.strip().strip("|").split("|")]
                 for row in [lines[i - 1]] + lines[i + 1:j]]
        seps = [c.strip() for c in line.strip().strip("|").split("|")]
        out = []
        for k, sep in enumerate(seps):
            w = min(max([3] + [len(r[k]) for r in cells if k < len(r)]), 60)
            out.append((":" if sep.startswith(":") else "") + "-" * w
                       + (":" if sep.endswith(":") else ""))
        lines[i] = "|" + "|".join(out) + "|"
    return "\n".join(lines)


def table_markdown(df) -> str:
    """A polars frame as a pipe table: every row, floats to 6 significant digits."""
    def cell(v):
        text = f"{v:.6g}" if isinstance(v, float) else str(v)
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * df.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.iter_rows()]
    return _size_pipe_tables("\n".join(lines)) + "\n"


def write_tables(out_dir: Path | str = "papers/tables", names=None) -> list[Path]:
    """Compute tables (all, or ``names``) and write ``NAME.csv`` and ``NAME.md``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    registry = tables()
    unknown = set(names or ()) - set(registry)
    if unknown:
        raise ValueError(f"table names must be among {sorted(registry)} (got {sorted(unknown)})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fn in registry.items():
        if names and name not in names:
            continue
        df = fn()
        csv, md = out / f"{name}.csv", out / f"{name}.md"
        df.write_csv(csv)
        md.write_text(table_markdown(df))
        written += [csv, md]
    return written


def expand(text: str, tables_dir: Path, root: Path) -> str:
    """Replace every ``{{table NAME}}`` and ``{{include PATH}}`` line of ``text``."""
    def sub(m):
        kind, arg = m.group(1), m.group(2)
        path = tables_dir / f"{arg}.md" if kind == "table" else root / arg
        if not path.is_file():
            raise FileNotFoundError(f"{kind} {arg!r}: {path} is missing "
                                    "(run `hcimodel paper` to write the tables)")
        body = path.read_text().rstrip("\n")
        if kind == "include":  # an included document's headings nest under the section
            body = re.sub(r"^(#+) ", lambda h: "#" * min(len(h.group(1)) + 2, 6) + " ",
                          body, flags=re.M)
            body = _size_pipe_tables(body)
        return body
    return _DIRECTIVE.sub(sub, text)


def references(text: str) -> dict[str, list[str]]:
    """The figures (image paths), tables and includes a Markdown source refers to."""
    refs = {"figure": _IMAGE.findall(text), "table": [], "include": []}
    for kind, arg in _DIRECTIVE.findall(text):
        refs[kind].append(arg)
    return refs


def build(source: Path | str = "papers/whitepaper.md", out_dir: Path | str = "papers/build",
          formats=("html", "pdf"), write: bool = True) -> list[Path]:
    """Render the whitepaper: write its tables, expand it, render HTML and PDF.

    Parameters
    ----------
    source : path
        The Markdown source; its folder holds ``figures/`` and ``tables/``.
    out_dir : path
        Folder for ``whitepaper.md`` (expanded), ``.html`` and ``.pdf``.
    formats : iterable of {"html", "pdf"}
        What to render.
    write : bool
        Recompute the tables first (else use those already written).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import pypandoc
    import typst

    source = Path(source).resolve()
    bad = set(formats) - {"html", "pdf"}
    if bad:
        raise ValueError(f"formats must be among ['html', 'pdf'] (got {sorted(bad)})")
    base = source.parent
    root = base.parent
    tables_dir = base / "tables"
    written = write_tables(tables_dir) if write else []
    text = source.read_text()
    missing = [f for f in references(text)["figure"] if not (base / f).is_file()]
    if missing:
        raise FileNotFoundError(f"figures missing (run `hcimodel reproduce`): {missing}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    expanded = out / "whitepaper.md"
    expanded.write_text(expand(text, tables_dir, root))
    written.append(expanded)
    common = [f"--resource-path={base}", "--standalone", "--toc", "--number-sections"]
    if "html" in formats:
        html = out / "whitepaper.html"
        css = Path(__file__).with_name("whitepaper.css")
        pypandoc.convert_file(str(expanded), "html5", outputfile=str(html),
                              extra_args=common + ["--embed-resources", "--mathml",
                                                   f"--css={css}"])
        written.append(html)
    if "pdf" in formats:
        typ = out / "whitepaper.typ"
        header = Path(__file__).with_name("whitepaper-typst.typ")
        pypandoc.convert_file(str(expanded), "typst", outputfile=str(typ),
                              extra_args=common + [f"--include-in-header={header}"])
        # pandoc writes image paths as found in the source: make them absolute
        typ.write_text(re.sub(r'image\("(figures/[^"]+)"',
                              lambda m: f'image("{(base / m.group(1)).as_posix()}"',
                              typ.read_text()))
        pdf = out / "whitepaper.pdf"
        typst.compile(str(typ), output=str(pdf), root="/")
        written += [typ, pdf]
    return written
