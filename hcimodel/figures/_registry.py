"""The registry of figures and what every figure module shares.

No backend is selected here. A figure drawn for a file (:func:`render`, which
:func:`hcimodel.figures.reproduce` calls) is a :class:`matplotlib.figure.Figure`
outside pyplot, rendered by Agg when saved, so ``hcimodel reproduce`` needs no
display and no backend switch. A figure drawn directly (``draw_*(df)`` in a
notebook) is made by :func:`matplotlib.pyplot.subplots`, so Jupyter's inline
backend shows it.
"""

from __future__ import annotations

import contextvars
import functools
from pathlib import Path
from typing import Callable

import polars as pl

from ..plotting import new_figure, save_figure, style

__all__ = ["FIGURES", "SEED", "register", "styled", "axes", "subplots", "render",
           "cycle_colour"]

#: name -> function(out_dir) writing ``name.png``, ``name.csv`` and ``name.svg``,
#: returning their paths.
FIGURES: dict[str, Callable[[Path], tuple[Path, ...]]] = {}

#: Root seed of every Monte Carlo point drawn in a figure.
SEED = 20151

#: True while :func:`render` draws a figure for its files: new figures are then
#: made outside pyplot.
_OFF_SCREEN = contextvars.ContextVar("hcimodel_figures_off_screen", default=False)


def register(fn):
    """Register a figure function under its name (decorator)."""
    if fn.__name__ in FIGURES:
        raise ValueError(f"figure {fn.__name__!r} is registered twice")
    FIGURES[fn.__name__] = fn
    return fn


def cycle_colour(n: int) -> str:
    """The n-th colour of the current cycle as a hex string.

    Call it while drawing (under the style): a ``"C1"`` colour name would be
    looked up again when the figure is rendered, and a notebook renders after
    the style has been left.
    """
    from matplotlib.colors import to_hex

    return to_hex(f"C{n}")


def styled(draw):
    """Decorator: run a ``draw_*`` function under the package style.

    So that a figure drawn in a notebook looks like the file :func:`render`
    writes, with no ``with style():`` around the call.
    """
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with style():
            return draw(*args, **kwargs)

    return wrapper


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, **subplot_kw):
    """Return ``(figure, axes)`` of a new figure.

    Outside pyplot (:func:`hcimodel.plotting.new_figure`) while :func:`render`
    draws for a file; otherwise through :func:`matplotlib.pyplot.subplots`, so
    that an interactive or inline backend displays it.
    """
    if _OFF_SCREEN.get():
        return new_figure(nrows, ncols, figsize=figsize, **subplot_kw)
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=figsize, **subplot_kw)


def axes(ax=None):
    """Return ``(figure, axes)``: a new pair (:func:`subplots`), or the figure of the given axes."""
    if ax is None:
        return subplots()
    return ax.figure, ax


def render(out_dir: Path, name: str, df: pl.DataFrame, draw) -> tuple[Path, Path, Path]:
    """Draw ``df`` with ``draw`` in the package style; write ``name.png``, ``.csv`` and ``.svg``.

    The body of every registered figure: returns the paths of
    :func:`hcimodel.plotting.save_figure`. The figure is made outside pyplot
    and needs no backend.
    """
    token = _OFF_SCREEN.set(True)
    try:
        with style():
            return save_figure(draw(df), Path(out_dir) / name, df)
    finally:
        _OFF_SCREEN.reset(token)
