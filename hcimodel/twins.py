"""A closed form beside its Monte Carlo twin, field by field.

Every domain model returns one result type from its closed form ``X(...)`` and
from its twin ``simulate_X(...)``. The type names the numbers both carry in a
class attribute ``METRICS``: attribute names, or dotted paths into nested
mappings (``"read_latency.other_nodes.p95"``). :func:`compare` lays two results
of one type side by side, so a test, a notebook or the whitepaper's validation
chapter checks a model against its twin with one call.
"""

from __future__ import annotations

import numpy as np

from .validation import check_choice

__all__ = ["metric", "compare"]


def _lookup(result, path: str) -> np.ndarray:
    """The value at ``path``; KeyError when a mapping along it lacks the key."""
    head, *rest = path.split(".")
    value = getattr(result, head)
    for key in rest:
        value = value[key]
    return np.asarray(value, dtype=float)


def metric(result, path: str) -> np.ndarray:
    """The value at ``path`` of ``result``: an attribute, then mapping keys, dot-separated.

    Parameters
    ----------
    result
        A model result.
    path : str
        E.g. ``"total_bytes"`` or ``"read_latency.other_nodes.p95"``.

    Returns
    -------
    numpy.ndarray
        The value as floats.
    """
    if not isinstance(path, str):
        raise ValueError(f"path must be a string such as 'total_bytes' (got {path!r})")
    try:
        return _lookup(result, path)
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"path {path!r} names no numeric value of the "
                         f"{type(result).__name__} result ({err})") from None


def compare(closed, twin, metrics=None):
    """A closed form and its twin side by side, metric by metric.

    Parameters
    ----------
    closed, twin
        Two results of one type that has ``METRICS`` (e.g.
        ``hcimodel.shadowclone.warmup(...)`` and
        ``hcimodel.shadowclone.simulate_warmup(...)``).
    metrics : sequence of str, optional
        A subset of ``METRICS``; default all of them. A metric missing from
        both results (a group a cluster does not have) is left out; missing
        from one only, it raises.

    Returns
    -------
    polars.DataFrame
        One row per metric and element (arrays are broadcast together and
        flattened, in C order): ``metric``, ``closed``, ``twin``,
        ``difference`` (twin - closed) and ``relative`` (difference / |closed|;
        0 where both are equal, inf where only ``closed`` is 0).
    """
    import polars as pl

    if not isinstance(twin, type(closed)):  # a twin's type may extend the closed form's
        raise ValueError(f"twin must be a {type(closed).__name__} like closed "
                         f"(got {type(twin).__name__})")
    allowed = getattr(type(closed), "METRICS", None)
    if allowed is None:
        raise ValueError(f"closed must be a model result with METRICS (got "
                         f"{type(closed).__name__})")
    if metrics is None:
        metrics = allowed
    elif isinstance(metrics, str) or not isinstance(metrics, (list, tuple)):
        raise ValueError(f"metrics must be a list of names among {allowed} (got {metrics!r})")
    metrics = [check_choice("metrics", m, allowed) for m in metrics]
    rows = []
    for m in metrics:
        try:
            x = _lookup(closed, m)
        except KeyError:
            x = None
        try:
            y = _lookup(twin, m)
        except KeyError:
            y = None
        if x is None and y is None:
            continue
        if x is None or y is None:
            raise ValueError(f"metrics: {m!r} is in only one of the two results")
        a, b = np.broadcast_arrays(x, y)
        for u, v in zip(a.ravel(), b.ravel()):
            d = 0.0 if u == v else v - u
            rel = 0.0 if d == 0 else (d / abs(u) if u != 0 else np.inf)
            rows.append((m, float(u), float(v), float(d), float(rel)))
    return pl.DataFrame(rows, orient="row",
                        schema=["metric", "closed", "twin", "difference", "relative"])
