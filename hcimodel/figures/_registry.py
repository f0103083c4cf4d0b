"""The registry of figures and what every figure module shares."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from ..plotting import save_figure, style  # noqa: E402

__all__ = ["FIGURES", "SEED", "register", "axes", "render"]

#: name -> function(out_dir) writing ``name.png`` and ``name.csv``, returning both paths.
FIGURES: dict[str, Callable[[Path], tuple[Path, Path]]] = {}

#: Root seed of every Monte Carlo point drawn in a figure.
SEED = 20151


def register(fn):
    """Register a figure function under its name (decorator)."""
    if fn.__name__ in FIGURES:
        raise ValueError(f"figure {fn.__name__!r} is registered twice")
    FIGURES[fn.__name__] = fn
    return fn


def axes(ax=None):
    """Return ``(figure, axes)``: a new pair, or the figure of the given axes."""
    if ax is None:
        fig, ax = plt.subplots()
        return fig, ax
    return ax.figure, ax


def render(out_dir: Path, name: str, df: pl.DataFrame, draw) -> tuple[Path, Path]:
    """Draw ``df`` with ``draw`` in the package style; write ``name.png`` and ``name.csv``.

    The body of every registered figure: returns the paths of
    :func:`hcimodel.plotting.save_figure`.
    """
    with style():
        return save_figure(draw(df), Path(out_dir) / name, df)
