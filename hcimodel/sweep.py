"""Parameter sweeps with reproducible random streams, in parallel and resumable.

:func:`sweep` runs a model over every point of a grid, ``n_replications`` times each, and
returns the results as a tidy polars DataFrame. Each (point, replication) task
draws from its own random stream, derived from the root seed, the index of the
point in the grid and the replication number only::

    SeedSequence(entropy=root.entropy,
                 spawn_key=root.spawn_key + (point_index, replication))

so a result does not depend on ``n_jobs``, on the backend (sequential, loky,
dask), on the order in which tasks finish, nor on whether the sweep was resumed
from a checkpoint (SPEC 7, see :mod:`hcimodel.streams`).

Tasks are grouped in batches of ``batch_size`` consecutive tasks; the batches
never depend on ``n_jobs``. They run through :class:`joblib.Parallel`: loky
processes locally, or the workers of a dask cluster when a
:class:`distributed.Client` exists (or ``backend="dask"``).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from .streams import as_seed_sequence
from .validation import check_integer

__all__ = ["sweep"]

#: Columns added by :func:`sweep` after the grid parameters.
RESULT_COLUMNS = ("replication", "metric", "value")

#: Show a progress bar automatically above this many tasks (stderr a tty).
PROGRESS_MIN_TASKS = 100

#: Largest number of joblib workers ``n_jobs`` may ask for (either sign).
MAX_JOBS = 4096

#: Largest number of batches an automatic ``batch_size`` produces.
AUTO_MAX_BATCHES = 256

#: A checkpoint is rewritten at most this often (and always at the end, or
#: when the sweep stops on an exception).
CHECKPOINT_INTERVAL_S = 5.0

_CHECKPOINT_FORMAT = "hcimodel.sweep/2"
_META_KEY = b"hcimodel.sweep"
_POINT = "__hcimodel_point__"


# --------------------------------------------------------------------------- grid


def _grid_points(grid) -> tuple[pl.DataFrame, list[dict]]:
    """Return (frame of unique points, list of keyword dicts passed to the model)."""
    if isinstance(grid, pl.DataFrame):
        if grid.width == 0:
            raise ValueError("grid must have at least one parameter column (got a DataFrame with no columns)")
        if grid.height == 0:
            raise ValueError(f"grid must hold at least one point (got an empty DataFrame with columns {grid.columns})")
        _check_param_names(grid.columns)
        if any(dtype == pl.Object for dtype in grid.dtypes):
            raise ValueError("grid columns must have a sortable polars dtype (got an Object column)")
        if grid.is_duplicated().any():
            dup = grid.filter(grid.is_duplicated()).row(0, named=True)
            raise ValueError(
                f"grid must not repeat a point (got {dup} more than once); use n_replications for replications"
            )
        return grid, grid.rows(named=True)

    if not isinstance(grid, Mapping):
        raise ValueError(
            f"grid must be a dict of parameter name -> sequence of values or a polars DataFrame "
            f"(got {type(grid).__name__})"
        )
    if len(grid) == 0:
        raise ValueError("grid must have at least one parameter (got an empty dict)")
    names = list(grid)
    _check_param_names(names)
    columns = []
    for name in names:
        values = grid[name]
        if (isinstance(values, (str, bytes))
                or not isinstance(values, (Sequence, np.ndarray, pl.Series, range))
                or (isinstance(values, np.ndarray) and values.ndim != 1)):
            raise ValueError(
                f"grid[{name!r}] must be a sequence of values (got {type(values).__name__} {values!r})"
            )
        values = list(values)
        if len(values) == 0:
            raise ValueError(f"grid[{name!r}] must hold at least one value (got an empty sequence)")
        series = _as_series(name, values)
        if series.n_unique() != len(values):
            raise ValueError(f"grid[{name!r}] must not repeat a value (got {values!r})")
        columns.append((series, values))

    # Cartesian product, first key varying slowest (itertools.product order).
    sizes = [len(v) for _, v in columns]
    n_points = math.prod(sizes)
    idx = np.indices(sizes).reshape(len(sizes), n_points)
    frame = pl.DataFrame([s.gather(i) for (s, _), i in zip(columns, idx)])
    kwargs = [dict(zip(names, combo)) for combo in itertools.product(*(v for _, v in columns))]
    return frame, kwargs


def _check_param_names(names) -> None:
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid parameter names must be identifiers (got {name!r})")
        if name in RESULT_COLUMNS or name in ("rng", _POINT):
            raise ValueError(
                f"grid parameter name {name!r} is reserved; reserved names are "
                f"{[*RESULT_COLUMNS, 'rng']}"
            )


def _as_series(name: str, values: list) -> pl.Series:
    try:
        series = pl.Series(name, values)
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in values)
        if not numeric:
            raise ValueError(
                f"grid[{name!r}] must hold values of one type (got {values!r})"
            ) from None
        series = pl.Series(name, values, dtype=pl.Float64, strict=False)
    if series.dtype == pl.Object:
        raise ValueError(f"grid[{name!r}] must hold numbers, strings or other sortable scalars (got {values!r})")
    return series


def _fingerprint(points: pl.DataFrame) -> str:
    """SHA-256 of the points: names, dtypes and exact values, in order."""
    h = hashlib.sha256()
    h.update(json.dumps([points.columns, [str(d) for d in points.dtypes]]).encode())
    for row in points.iter_rows():
        h.update(repr(row).encode())
        h.update(b"\n")
    return h.hexdigest()


# --------------------------------------------------------------------------- tasks


def _metric_value(metric, value) -> float:
    if isinstance(value, (str, bytes, bool, np.bool_)):
        ok = False
    else:
        arr = np.asarray(value)
        ok = arr.ndim == 0 and arr.dtype.kind in "iuf"
    if not ok:
        raise ValueError(
            f"model must return real numbers as metric values (got {value!r} for metric {metric!r})"
        )
    out = float(value)
    if math.isnan(out):
        raise ValueError(f"model returned NaN for metric {metric!r}; return inf for an unstable regime")
    return out


def _run_batch(model, tasks, entropy, spawn_key, pool_size):
    """Run one batch of (point index, replication, keyword dict) tasks."""
    points, reps, metrics, values = [], [], [], []
    for point_idx, rep, kwargs in tasks:
        seq = np.random.SeedSequence(entropy=entropy, spawn_key=(*spawn_key, point_idx, rep),
                                     pool_size=pool_size)
        result = model(**kwargs, rng=np.random.default_rng(seq))
        if not isinstance(result, Mapping):
            raise ValueError(
                f"model must return a dict of metric name -> float (got {type(result).__name__} "
                f"at point {kwargs}, replication {rep})"
            )
        if len(result) == 0:
            raise ValueError(f"model returned no metrics (empty dict) at point {kwargs}, replication {rep}")
        for metric, value in result.items():
            if not isinstance(metric, str):
                raise ValueError(f"model must return metric names as str (got {metric!r})")
            points.append(point_idx)
            reps.append(rep)
            metrics.append(metric)
            values.append(_metric_value(metric, value))
    return pl.DataFrame(
        {_POINT: points, "replication": reps, "metric": metrics, "value": values},
        schema={_POINT: pl.Int64, "replication": pl.Int64, "metric": pl.String, "value": pl.Float64},
    )


def _empty_results() -> pl.DataFrame:
    return _run_batch(None, [], 0, (), 4)


# ---------------------------------------------------------------------- checkpoint


def _checkpoint_digest(meta: dict, frame: pl.DataFrame) -> str:
    """SHA-256 over the sweep's metadata and the rows' bytes, in canonical order.

    The metadata (seed entropy, spawn key, pool size, grid fingerprint,
    ``n_replications``, row count; everything but the digest itself) is hashed as
    sorted-key JSON; then the rows sorted by (point, replication, metric):
    points and replications as little-endian int64, values as little-endian
    float64 bit patterns, metric names as UTF-8 with a length prefix. Any edit
    of a row or of the stored seed or grid changes it. It guards against
    accidental edits and mixed-up files, not against a forger (no secret key).
    """
    h = hashlib.sha256()
    core = {k: v for k, v in meta.items() if k != "digest"}
    h.update(json.dumps(core, sort_keys=True).encode())
    rows = frame.sort([_POINT, "replication", "metric"])
    h.update(rows.height.to_bytes(8, "little"))
    for col, dtype in ((_POINT, "<i8"), ("replication", "<i8"), ("value", "<f8")):
        h.update(np.ascontiguousarray(rows[col].to_numpy(), dtype=dtype).tobytes())
    for name in rows["metric"].to_list():
        raw = name.encode()
        h.update(len(raw).to_bytes(8, "little"))
        h.update(raw)
    return h.hexdigest()


def _read_checkpoint(path: Path):
    """Return (metadata dict, results frame) of an existing checkpoint.

    Refused with a ValueError naming the file: unreadable or foreign files, an
    older format (no digest), and any file whose rows or stored seed and grid
    no longer match the digest written with them.
    """
    import pyarrow.parquet as pq

    try:
        schema_meta = pq.read_schema(path).metadata or {}
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a bad checkpoint
        raise ValueError(f"checkpoint {str(path)!r} is not a readable parquet file ({exc})") from None
    if _META_KEY not in schema_meta:
        raise ValueError(f"checkpoint {str(path)!r} was not written by hcimodel.sweep (no sweep metadata)")
    try:
        meta = json.loads(schema_meta[_META_KEY])
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise ValueError(f"checkpoint {str(path)!r} has unreadable sweep metadata; delete it "
                         "to start again") from None
    if meta.get("format") != _CHECKPOINT_FORMAT:
        raise ValueError(f"checkpoint {str(path)!r} has format {meta.get('format')!r}, expected {_CHECKPOINT_FORMAT!r}")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - a damaged body is a bad checkpoint too
        raise ValueError(f"checkpoint {str(path)!r} is not a readable parquet file ({exc})") from None
    if frame.schema != _empty_results().schema:
        raise ValueError(f"checkpoint {str(path)!r} has columns {dict(frame.schema)}, not those of a sweep")
    if meta.get("n_rows") != frame.height or meta.get("digest") != _checkpoint_digest(meta, frame):
        raise ValueError(
            f"checkpoint {str(path)!r} has been modified since the sweep wrote it (its rows, "
            f"seed or grid do not match the digest stored with them: {frame.height} rows, "
            f"{meta.get('n_rows')} written); it is not resumed from: delete it to start again")
    return meta, frame


def _write_checkpoint(path: Path, meta: dict, frame: pl.DataFrame) -> None:
    """Write atomically: a temporary file next to ``path``, then rename."""
    import pyarrow.parquet as pq

    meta = {**meta, "n_rows": frame.height}
    meta["digest"] = _checkpoint_digest(meta, frame)
    table = frame.to_arrow()
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _entropy_to_json(entropy):
    # Entropy may exceed 64 bits: store it as decimal strings.
    if isinstance(entropy, (numbers.Integral,)):
        return str(int(entropy))
    return [str(int(e)) for e in entropy]


def _entropy_from_json(value):
    if isinstance(value, str):
        return int(value)
    return [int(e) for e in value]


def _check_compatible(path: Path, stored: dict, meta: dict) -> None:
    for key, what in (("fingerprint", "grid points"), ("entropy", "seed"), ("spawn_key", "seed"),
                      ("pool_size", "seed"), ("n_replications", "n_replications")):
        if stored.get(key) != meta[key]:
            if key == "fingerprint":
                detail = (f"its grid has {stored.get('n_points')} points with parameters "
                          f"{stored.get('params')}, this one {meta['n_points']} with {meta['params']}")
            elif key == "n_replications":
                detail = f"it has n_replications={stored.get('n_replications')}, this sweep n_replications={meta['n_replications']}"
            else:
                detail = "it was run with a different seed"
            raise ValueError(
                f"checkpoint {str(path)!r} belongs to another sweep ({what} differ: {detail}); "
                "use another checkpoint path or delete it"
            )


# ---------------------------------------------------------------------- execution


def _dask_client_exists() -> bool:
    # No client can exist before distributed is imported; skip the (slow) import.
    if "distributed" not in sys.modules:
        return False
    try:
        from distributed import get_client
    except ImportError:
        return False
    try:
        get_client()
    except ValueError:
        return False
    return True


def _show_progress(progress, n_tasks: int) -> bool:
    if progress is None:
        try:
            tty = sys.stderr.isatty()
        except (AttributeError, ValueError):
            tty = False
        return tty and n_tasks > PROGRESS_MIN_TASKS
    if not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"progress must be None, True or False (got {progress!r})")
    return bool(progress)


def sweep(
    model: Callable[..., Mapping[str, float]],
    grid,
    *,
    n_replications: int = 1,
    seed=None,
    n_jobs: int | None = 1,
    backend: str | None = None,
    checkpoint: str | os.PathLike | None = None,
    progress: bool | None = None,
    batch_size: int | None = None,
) -> pl.DataFrame:
    """Run ``model`` over every point of ``grid``, ``n_replications`` times each.

    Parameters
    ----------
    model : callable
        ``model(**point, rng=numpy.random.Generator) -> dict[str, float]``,
        mapping metric names to values. Values must be real numbers; ``inf`` is
        allowed (an unstable regime), NaN is not. Deterministic models may ignore
        ``rng``. With parallel backends the model must be picklable (cloudpickle
        handles lambdas and local functions).
    grid : dict of str to sequence, or polars.DataFrame
        Either parameter name -> values, swept as a cartesian product (the first
        key varies slowest, like :func:`itertools.product`), or a DataFrame whose
        rows are the explicit points (no duplicates). The names ``replication``,
        ``metric``, ``value`` and ``rng`` are reserved.
    n_replications : int, default 1
        Replications per point, each with its own random stream.
    seed : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Root of the random streams. Task (point ``i``, replication ``r``) draws
        from ``SeedSequence(entropy=root.entropy, spawn_key=root.spawn_key +
        (i, r))``. With ``seed=None`` fresh entropy is drawn, except when
        resuming from an existing ``checkpoint``, whose stored entropy is reused.
    n_jobs : int or None, default 1
        Number of joblib workers (``-1``: all cores). Has no effect on the
        result, only on speed. Ignored by the dask backend (which uses every
        worker of the cluster).
    backend : str or None
        joblib backend (``"loky"``, ``"threading"``, ``"sequential"``,
        ``"dask"``). ``None``: ``"dask"`` if a :class:`distributed.Client` exists,
        else joblib's default (loky, or in-process when ``n_jobs == 1``).
    checkpoint : str or path-like, optional
        Parquet file where completed tasks are saved (atomically, at most every
        ``CHECKPOINT_INTERVAL_S`` seconds, at the end, and when the sweep stops on
        an exception). If it exists, its tasks are not run again, and the result
        equals that of an uninterrupted sweep exactly. A checkpoint of another
        grid, seed or ``n_replications`` is refused, and so is one edited since it was
        written: it carries a SHA-256 digest of its rows (in canonical order)
        and of the seed and grid it belongs to, checked before anything is
        resumed (a ValueError naming the file).
    progress : bool or None
        Show a tqdm progress bar. ``None``: only when there are more than
        ``PROGRESS_MIN_TASKS`` tasks to run and stderr is a terminal.
    batch_size : int or None
        Tasks per joblib job. ``None``: ``ceil(n_tasks / 256)``, so at most 256
        batches; it depends on the size of the sweep, never on ``n_jobs``.

    Returns
    -------
    polars.DataFrame
        Tidy long form: one column per grid parameter, then ``replication``
        (Int64), ``metric`` (String) and ``value`` (Float64); one row per
        (point, replication, metric), sorted by the grid parameters (in grid
        order), ``replication`` and ``metric``.

    Raises
    ------
    ValueError
        For an empty grid or an empty list of values, ``n_replications < 1``, a
        non-callable model, a model that returns something other than a
        non-empty dict of real numbers, or a checkpoint of another sweep.

    Examples
    --------
    >>> def model(x, rng):
    ...     return {"y": x + rng.normal()}
    >>> df = sweep(model, {"x": [0.0, 1.0]}, n_replications=3, seed=42)
    >>> df.columns
    ['x', 'replication', 'metric', 'value']
    >>> df.height
    6
    """
    if not callable(model):
        raise ValueError(f"model must be callable (got {type(model).__name__} {model!r})")
    n_replications = check_integer("n_replications", n_replications, minimum=1, scalar=True)
    if n_jobs is not None:
        if (isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral)
                or n_jobs == 0 or abs(int(n_jobs)) > MAX_JOBS):
            raise ValueError(f"n_jobs must be None or a non-zero integer in [-{MAX_JOBS}, "
                             f"{MAX_JOBS}] (got {n_jobs!r})")
        n_jobs = int(n_jobs)
    if backend is not None and not isinstance(backend, str):
        raise ValueError(f"backend must be None or a joblib backend name (got {backend!r})")
    if batch_size is not None:
        batch_size = check_integer("batch_size", batch_size, minimum=1, scalar=True)
    if checkpoint is not None and (not isinstance(checkpoint, (str, os.PathLike))
                                   or isinstance(os.fspath(checkpoint), bytes)
                                   or os.fspath(checkpoint) == ""):
        raise ValueError(f"checkpoint must be None or the path of a parquet file "
                         f"(got {checkpoint!r})")
    if checkpoint is not None and Path(checkpoint).is_dir():
        raise ValueError(f"checkpoint {os.fspath(checkpoint)!r} is a folder, not a parquet file")

    points, kwargs = _grid_points(grid)
    n_points = points.height
    n_tasks = n_points * n_replications
    if batch_size is None:
        batch_size = max(1, -(-n_tasks // AUTO_MAX_BATCHES))

    # ---- checkpoint and seed
    ckpt_path = Path(checkpoint) if checkpoint is not None else None
    stored_meta, done = None, _empty_results()
    if ckpt_path is not None and ckpt_path.exists():
        stored_meta, done = _read_checkpoint(ckpt_path)
    if seed is None and stored_meta is not None:
        root = np.random.SeedSequence(_entropy_from_json(stored_meta["entropy"]),
                                      spawn_key=tuple(stored_meta["spawn_key"]),
                                      pool_size=int(stored_meta["pool_size"]))
    else:
        root = as_seed_sequence(seed)
    entropy, spawn_key, pool_size = root.entropy, tuple(root.spawn_key), root.pool_size

    meta = None
    if ckpt_path is not None:
        ckpt_path.parent.mkdir(parents=True, exist_ok=True)  # fail now, not after the work
        meta = {
            "format": _CHECKPOINT_FORMAT,
            "entropy": _entropy_to_json(entropy),
            "spawn_key": list(spawn_key),
            "pool_size": pool_size,
            "n_replications": n_replications,
            "n_points": n_points,
            "params": points.columns,
            "fingerprint": _fingerprint(points),
            "model": getattr(model, "__qualname__", type(model).__qualname__),
        }
        if stored_meta is not None:
            _check_compatible(ckpt_path, stored_meta, meta)
            bad = done.filter((pl.col(_POINT) >= n_points) | (pl.col("replication") >= n_replications))
            if bad.height:
                raise ValueError(f"checkpoint {str(ckpt_path)!r} holds tasks outside this grid")

    # ---- tasks still to run, in a fixed order, batched independently of n_jobs
    done_ids = set()
    if done.height:
        ids = done.select((pl.col(_POINT) * n_replications + pl.col("replication")).unique())
        done_ids = set(ids.to_series().to_list())
    todo = [t for t in range(n_tasks) if t not in done_ids]
    batches = [
        [(t // n_replications, t % n_replications, kwargs[t // n_replications]) for t in todo[i:i + batch_size]]
        for i in range(0, len(todo), batch_size)
    ]

    parts = [done] if done.height else []
    if batches:
        parts.extend(_execute(model, batches, (entropy, spawn_key, pool_size), n_jobs=n_jobs,
                              backend=backend, progress=_show_progress(progress, len(todo)),
                              n_tasks=len(todo), ckpt=(ckpt_path, meta, parts[:1])))
    elif ckpt_path is not None and stored_meta is None:
        _write_checkpoint(ckpt_path, meta, _empty_results())

    results = pl.concat(parts) if parts else _empty_results()
    out = (
        results.join(points.with_row_index(_POINT).with_columns(pl.col(_POINT).cast(pl.Int64)),
                     on=_POINT, how="left")
        .select(*points.columns, *RESULT_COLUMNS)
        .sort([*points.columns, "replication", "metric"])
    )
    return out


def _execute(model, batches, stream, *, n_jobs, backend, progress, n_tasks, ckpt):
    """Run the batches; return the list of result frames (checkpointing as they come)."""
    from joblib import Parallel, delayed, parallel_config

    ckpt_path, meta, previous = ckpt
    new_parts: list[pl.DataFrame] = []

    if backend is None and _dask_client_exists():
        backend = "dask"
    if backend == "dask" and not _dask_client_exists():
        raise ValueError("backend='dask' needs a running distributed.Client (got none)")
    config = parallel_config(backend=backend) if backend is not None else contextlib.nullcontext()

    last_write = time.monotonic()

    def flush():
        nonlocal last_write
        if ckpt_path is not None:
            _write_checkpoint(ckpt_path, meta, pl.concat([*previous, *new_parts]) if (previous or new_parts)
                              else _empty_results())
            last_write = time.monotonic()

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_tasks, unit="task", desc="sweep")
    try:
        with config:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            entropy, spawn_key, pool_size = stream
            for part in parallel(delayed(_run_batch)(model, b, entropy, spawn_key, pool_size)
                                 for b in batches):
                new_parts.append(part)
                if bar is not None:
                    bar.update(part.select(pl.struct(_POINT, "replication").n_unique()).item())
                if ckpt_path is not None and time.monotonic() - last_write >= CHECKPOINT_INTERVAL_S:
                    flush()
    finally:
        if bar is not None:
            bar.close()
        flush()
    return new_parts
