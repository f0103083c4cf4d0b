"""The registry of figures and what every figure module shares."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["FIGURES", "SEED", "register", "axes"]

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
