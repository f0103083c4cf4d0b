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


def _draw_one(name: str, out: Path):
    """Draw one registered figure into ``out``: (paths written, or the reason it
    was skipped for want of its real data set). Closes what it opened in pyplot."""
    before = set(Gcf.figs)
    try:
        return list(FIGURES[name](out)), None
    except FileNotFoundError as err:
        return [], str(err)
    finally:
        # a figure function that drew through pyplot: close what it opened, and
        # only that (a notebook's own figures stay)
        for num in set(Gcf.figs) - before:
            Gcf.destroy(num)


def reproduce(out_dir: Path | str = "papers/figures", names=None, progress=None,
              skipped: list | None = None, n_jobs: int = 1) -> list[Path]:
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
        appended here; otherwise a ``FileNotFoundError`` is raised.
    n_jobs : int
        Figures drawn at once in separate processes (joblib; ``-1``: every
        core). The files are the same whatever ``n_jobs`` is: every figure
        draws from its own seed.

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
    todo = [name for name in FIGURES if not names or name in names]
    if n_jobs == 1 or len(todo) < 2:
        def results():
            for name in todo:
                if progress:
                    progress(name)
                yield name, _draw_one(name, out)
    else:
        from joblib import Parallel, delayed

        if progress:
            for name in todo:
                progress(name)
        done = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_draw_one)(name, out) for name in todo)

        def results():
            yield from zip(todo, done)
    written = []
    for name, (paths, missing) in results():
        if missing is not None:
            if skipped is None:
                raise FileNotFoundError(missing)
            skipped.append((name, missing))
        written.extend(paths)
    return written
