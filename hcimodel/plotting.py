"""Plotting style and reproducible figure files.

Every whitepaper figure is drawn under the package style (:func:`style`) and saved
with :func:`save_figure`, which writes the PNG with stable metadata (the same
figure gives the same bytes on every run) and, beside it, the CSV of the numbers
drawn. Figures are :class:`matplotlib.figure.Figure` objects rendered by Agg
(:func:`new_figure`), so nothing here needs a display or touches pyplot's global
state.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

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
    with style_path() as path, matplotlib.style.context(path):
        if rc:
            with matplotlib.rc_context(dict(rc)):
                yield
        else:
            yield


def new_figure(nrows: int = 1, ncols: int = 1, **subplot_kw) -> tuple[Figure, object]:
    """Create a figure rendered by Agg, outside pyplot, and its axes.

    Call it inside :func:`style` so the figure takes the package size and dpi.

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes, as in :meth:`matplotlib.figure.Figure.subplots`.
    **subplot_kw
        Passed to :meth:`~matplotlib.figure.Figure.subplots` (``sharex``,
        ``squeeze``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes or array of Axes
    """
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, ax


def _base_path(path) -> Path:
    path = Path(os.fspath(path))
    if path.suffix.lower() in (".png", ".csv"):
        path = path.with_suffix("")
    if not path.name:
        raise ValueError(f"path must name a file (got {str(path)!r})")
    return path


def save_figure(fig: Figure, path, data: pl.DataFrame, *, dpi: float | None = None,
                float_precision: int = 6, metadata: Mapping[str, str | None] | None = None
                ) -> tuple[Path, Path]:
    """Write a figure as ``path.png`` and the numbers it draws as ``path.csv``.

    The PNG carries no version string nor timestamp, so saving the same figure
    twice gives identical bytes. The CSV holds ``data`` in the order given
    (sort it first), with floats in scientific notation with
    ``float_precision`` decimals, so tiny last-bit differences between
    platforms do not change the file.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save (rendered with Agg; no display is needed).
    path : str or path-like
        Base name of the two files; a ``.png`` or ``.csv`` suffix is dropped.
        Missing parent directories are created.
    data : polars.DataFrame
        The numbers drawn, in tidy form.
    dpi : float, optional
        Resolution; default the figure's own dpi (150 under :func:`style`).
        The image is cropped to the drawn content (``bbox_inches="tight"``).
    float_precision : int, default 6
        Decimals of floats in the CSV (``1.234568e-4``).
    metadata : mapping, optional
        Extra PNG text chunks (e.g. ``{"Title": ...}``); merged over
        :data:`STABLE_PNG_METADATA`. Values must not change between runs.

    Returns
    -------
    png_path, csv_path : pathlib.Path

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

    meta = {**STABLE_PNG_METADATA, **(metadata or {})}
    # format="png" renders with Agg whatever the figure's own (possibly interactive)
    # canvas; crop and dpi are explicit so the file does not depend on rcParams.
    fig.savefig(png_path, format="png", dpi=dpi if dpi is not None else fig.dpi,
                bbox_inches="tight", pad_inches=0.05, metadata=meta)
    data.write_csv(csv_path, float_precision=float_precision, float_scientific=True,
                   line_terminator="\n")
    return png_path, csv_path
