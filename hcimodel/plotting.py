"""Plotting style and reproducible figure files.

Every whitepaper figure is drawn under the package style (:func:`style`) and saved
with :func:`save_figure`, which writes the PNG (screen) and the SVG (print) with
stable metadata (the same figure gives the same bytes on every run) and, beside
them, the CSV of the numbers drawn. :func:`new_figure` makes a
:class:`matplotlib.figure.Figure` rendered by Agg outside pyplot, and
:func:`save_figure` renders whatever the figure's canvas, so nothing here needs a
display, selects a backend or touches pyplot's global state (a notebook keeps its
inline backend).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import matplotlib
import matplotlib.style
import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["STYLE_NAME", "new_figure", "save_figure", "style", "style_path"]

#: File name of the package style sheet, shipped inside ``hcimodel``.
STYLE_NAME = "hcimodel.mplstyle"

#: PNG text chunks written by :func:`save_figure`. ``None`` removes the key that
#: matplotlib would otherwise fill (its version string), so the bytes depend only
#: on the figure.
STABLE_PNG_METADATA = {"Software": None}

#: SVG metadata written by :func:`save_figure`: no date, no version string.
STABLE_SVG_METADATA = {"Date": None, "Creator": None}

#: Salt of the ids inside an SVG, fixed so that they do not change between runs.
SVG_HASHSALT = "hcimodel"


@contextlib.contextmanager
def style_path() -> Iterator[Path]:
    """Context manager giving a filesystem path to the package style sheet.

    Yields
    ------
    pathlib.Path
        Path of ``hcimodel.mplstyle``, which ships beside this module. (Not
        ``importlib.resources``: under a setuptools editable install it fails
        with ``NotADirectoryError`` when run from the console script.)
    """
    yield Path(__file__).with_name(STYLE_NAME)


@contextlib.contextmanager
def style(rc: Mapping[str, object] | None = None) -> Iterator[None]:
    """Apply the hcimodel style sheet inside a ``with`` block.

    The sheet sizes text for a 6.4 x 4 in figure at 150 dpi, draws a light grid
    below the data, hides the top and right spines, and cycles through the
    colour-blind-safe palette of Okabe and Ito.

    Parameters
    ----------
    rc : mapping, optional
        rcParams applied on top of the sheet.

    Examples
    --------
    >>> with style():
    ...     fig, ax = new_figure()
    ...     _ = ax.plot([0, 1], [0, 1])

    References
    ----------
    M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
    presentations that are friendly to colorblind people", 2008.
    """
    inside = {}
    try:
        with style_path() as path, matplotlib.style.context(path), \
                matplotlib.rc_context(dict(rc or {})):
            try:
                yield
            finally:
                inside["interactive"] = matplotlib.is_interactive()
    finally:
        # The first pyplot figure of a Jupyter session loads the inline backend,
        # which switches interactive mode on so that figures show at the end of
        # each cell. Leaving the style must not switch it off again.
        if inside.get("interactive") and not matplotlib.is_interactive():
            matplotlib.interactive(True)


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=None,
               **subplot_kw) -> tuple[Figure, object]:
    """Create a figure rendered by Agg, outside pyplot, and its axes.

    Call it inside :func:`style` so the figure takes the package size and dpi.

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes, as in :meth:`matplotlib.figure.Figure.subplots`.
    figsize : (float, float), optional
        Width and height (in); default the style's 6.4 x 4.
    **subplot_kw
        Passed to :meth:`~matplotlib.figure.Figure.subplots` (``sharex``,
        ``squeeze``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes or array of Axes
    """
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    ax = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, ax


def _base_path(path) -> Path:
    path = Path(os.fspath(path))
    if path.suffix.lower() in (".png", ".csv", ".svg"):
        path = path.with_suffix("")
    if not path.name:
        raise ValueError(f"path must name a file (got {str(path)!r})")
    return path


def save_figure(fig: Figure, path, data: pl.DataFrame, *, dpi: float | None = None,
                float_precision: int = 6, metadata: Mapping[str, str | None] | None = None
                ) -> tuple[Path, Path, Path]:
    """Write a figure as ``path.png`` and ``path.svg``, the numbers it draws as ``path.csv``.

    The PNG and the SVG carry no version string nor timestamp, and the SVG's
    internal ids are salted with a constant, so saving the same figure twice
    gives identical bytes. The SVG keeps the text as paths, so it prints the
    same wherever it is opened. The CSV holds ``data`` in the order given
    (sort it first), with floats in scientific notation with
    ``float_precision`` decimals, so tiny last-bit differences between
    platforms do not change the file.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save (rendered with Agg; no display is needed).
    path : str or path-like
        Base name of the three files; a ``.png``, ``.svg`` or ``.csv`` suffix
        is dropped.
        Missing parent directories are created.
    data : polars.DataFrame
        The numbers drawn, in tidy form.
    dpi : float, optional
        Resolution of the PNG; default the figure's own dpi (150 under
        :func:`style`). Both images are cropped to the drawn content
        (``bbox_inches="tight"``).
    float_precision : int, default 6
        Decimals of floats in the CSV (``1.234568e-4``).
    metadata : mapping, optional
        Extra PNG text chunks (e.g. ``{"Title": ...}``); merged over
        :data:`STABLE_PNG_METADATA`. Values must not change between runs.

    Returns
    -------
    png_path, csv_path, svg_path : pathlib.Path

    Raises
    ------
    ValueError
        If ``fig`` is not a Figure, ``data`` is not a polars DataFrame, or
        ``float_precision`` is not an integer in [0, 17].
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure (got {type(fig).__name__})")
    if not isinstance(data, pl.DataFrame):
        raise ValueError(f"data must be a polars DataFrame of the numbers drawn (got {type(data).__name__})")
    if isinstance(float_precision, bool) or not isinstance(float_precision, int) or not 0 <= float_precision <= 17:
        raise ValueError(f"float_precision must be an integer in [0, 17] (got {float_precision!r})")
    base = _base_path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    png_path = base.with_name(base.name + ".png")
    csv_path = base.with_name(base.name + ".csv")
    svg_path = base.with_name(base.name + ".svg")

    meta = {**STABLE_PNG_METADATA, **(metadata or {})}
    # format="png" renders with Agg whatever the figure's own (possibly interactive)
    # canvas; crop and dpi are explicit so the file does not depend on rcParams.
    fig.savefig(png_path, format="png", dpi=dpi if dpi is not None else fig.dpi,
                bbox_inches="tight", pad_inches=0.05, metadata=meta)
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
        fig.savefig(svg_path, format="svg", bbox_inches="tight", pad_inches=0.05,
                    metadata=STABLE_SVG_METADATA)
    data.write_csv(csv_path, float_precision=float_precision, float_scientific=True,
                   line_terminator="\n")
    return png_path, csv_path, svg_path
