"""Every whitepaper figure as a function.

Each figure function computes its numbers (closed forms, and seeded Monte Carlo
points where the figure shows them), draws them in the package style, and
writes ``<name>.png`` (screen), ``<name>.svg`` (print) and ``<name>.csv`` (the
numbers drawn) into a folder. :func:`reproduce` regenerates them all;
``hcimodel reproduce`` calls it. Nothing here selects a matplotlib backend:
figures for files are drawn outside pyplot, figures drawn in a notebook show
inline.

The functions that compute the data (``*_data``) and draw it (``draw_*``) are
public too, so notebooks show the same numbers the figures draw. One module per
model: :mod:`.hotspot`, ...
"""

from __future__ import annotations

from pathlib import Path

from matplotlib._pylab_helpers import Gcf

from ._registry import FIGURES, SEED
from .hotspot import *  # noqa: F401,F403  (registers its figures)
from .cache import *  # noqa: F401,F403
from .replication import *  # noqa: F401,F403
from .shadowclone import *  # noqa: F401,F403
from .clones import *  # noqa: F401,F403

__all__ = ["FIGURES", "SEED", "reproduce"]


def reproduce(out_dir: Path | str = "papers/figures", names=None, progress=None,
              skipped: list | None = None) -> list[Path]:
    """Regenerate figures (all, or those in ``names``) into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Folder for the PNG, SVG and CSV files (created if missing).
    names : iterable of str, optional
        Names of figures (keys of :data:`FIGURES`); default all.
    progress : callable, optional
        Called with each figure's name before it is drawn.
    skipped : list, optional
        If given, a figure whose real data set is absent (``FileNotFoundError``
        from :func:`hcimodel.traces.data_path`) is skipped and ``(name, reason)``
        appended here; otherwise the error propagates.

    Returns
    -------
    list of pathlib.Path
        The files written (PNG, CSV and SVG of each figure).
    """
    unknown = set(names or ()) - set(FIGURES)
    if unknown:
        raise ValueError(f"figure names must be among {sorted(FIGURES)} (got {sorted(unknown)})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fn in FIGURES.items():
        if names and name not in names:
            continue
        if progress:
            progress(name)
        before = set(Gcf.figs)
        try:
            written.extend(fn(out))
        except FileNotFoundError as err:
            if skipped is None:
                raise
            skipped.append((name, str(err)))
        finally:
            # a figure function that drew through pyplot: close what it opened, and
            # only that (a notebook's own figures stay)
            for num in set(Gcf.figs) - before:
                Gcf.destroy(num)
    return written
