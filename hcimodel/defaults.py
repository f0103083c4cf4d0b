"""Every default of the domain models, with its value, unit and source.

The values are read from the code itself (function signatures and dataclass
fields of the domain modules, and the workload profiles), never typed twice;
the source of each is kept beside it in ``defaults.toml`` (this folder), keyed
by ``module.parameter``. A source is a published figure (with its reference,
see ``REFERENCES.md``) or starts with ``assumed`` and says what range the
notebooks show. ``tests/test_defaults.py`` fails when a default has no source
or a source no longer names a default.

``hcimodel defaults`` prints the table (``--format csv|json`` for scripts), and
the whitepaper includes it.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import numbers
import tomllib
from pathlib import Path

__all__ = ["MODULES", "CONTROLS", "collect_defaults", "sources", "defaults_table"]

#: Domain modules whose public functions and dataclasses carry model defaults.
MODULES = (
    "cluster",
    "hotspot",
    "shadowclone",
    "contentcache",
    "clonepool",
    "workload",
    "replication.change",
    "replication.rpo",
    "replication.rto",
    "replication.simulate",
    "fullclone",
    "clones",
)

#: Parameters that steer a computation (sample sizes, tolerances, the point in
#: time asked about, the grid of a sensitivity sweep), not the modelled system:
#: not listed as defaults.
CONTROLS = frozenset({
    "n_reps", "n_replications", "n_customers", "n_intervals", "n_failures", "warmup",
    "rtol", "tol", "max_iter", "upper", "salt", "replay_s", "n_jobs", "time_s",
    "seed", "target", "replica_node", "owner", "n_points", "lo_s", "n_patches", "lags_s",
    "n_requests",
})

_UNITS = (("_bytes_per_s", "byte/s"), ("_per_s", "1/s"), ("_bps", "bit/s"),
          ("_bytes", "byte"), ("iops", "1/s"), ("_km", "km"), ("_s", "s"))


def _unit(name: str) -> str:
    """Unit from the SI suffix of a parameter's name (DESIGN.md conventions)."""
    stem = name.split("_per_")[0] if "_s_per_" in name else name
    for suffix, unit in _UNITS:
        if stem.endswith(suffix):
            return unit
    return "1"


def _module(name: str):
    try:
        return importlib.import_module(f"hcimodel.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"hcimodel.{name}":
            return None  # a module not (yet) in this tree
        raise


def _numbers(pname: str, value) -> list[tuple[str, float]]:
    """The numbers of one default, each with its key suffix.

    A number gives itself (suffix ``''``); a sequence of numbers one entry per
    element (suffix ``''``: one row per value under the parameter's key); a
    sequence of ``(name, number)`` pairs, such as
    :data:`hcimodel.replication.INFRASTRUCTURE`, one entry per pair, keyed
    ``parameter.name``; a dataclass object, the numbers it sets apart from its
    class's defaults, keyed ``parameter.field``. Anything else (booleans,
    strings) gives none.
    """
    def real(x):
        return isinstance(x, numbers.Real) and not isinstance(x, bool)

    if real(value):
        return [("", float(value))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # an object default (PoolLife's Cluster(n_nodes=8)): the fields it sets apart
        # from its own class's defaults, keyed ``parameter.field``
        base = {f.name: f.default for f in dataclasses.fields(value)}
        return [(f".{f.name}{suffix}", v) for f in dataclasses.fields(value)
                if getattr(value, f.name) != base[f.name]
                for suffix, v in _numbers(f.name, getattr(value, f.name))]
    if not isinstance(value, tuple | list) or not value:
        return []
    if all(real(x) for x in value):
        return [("", float(x)) for x in value]
    if all(isinstance(x, tuple | list) and len(x) == 2 and isinstance(x[0], str)
           and real(x[1]) for x in value):
        return [(f".{name}", float(x)) for name, x in value]
    return []


def collect_defaults() -> list[dict]:
    """Numeric defaults of the public API of :data:`MODULES`.

    Numbers, and the numbers inside sequence defaults (:func:`_numbers`: one
    row per element; a named pair ``(name, number)`` as ``parameter.name``).

    Returns
    -------
    list of dict
        One record per ``(module, parameter, value)`` with keys ``key``
        (``module.parameter``), ``parameter``, ``value``, ``unit`` and
        ``used_by`` (the functions or classes that default to that value).
    """
    found: dict[tuple, dict] = {}
    for modname in MODULES:
        mod = _module(modname)
        if mod is None:
            continue
        names = getattr(mod, "__all__", [n for n in vars(mod) if not n.startswith("_")])
        for attr in names:
            obj = getattr(mod, attr)
            home = getattr(obj, "__module__", None) or ""
            # a package (hotspot) re-exports its submodules' names: they count as its own
            if home != mod.__name__ and not (hasattr(mod, "__path__")
                                             and home.startswith(mod.__name__ + ".")):
                continue
            if dataclasses.is_dataclass(obj) and isinstance(obj, type):
                params = [(f.name, f.default if f.default_factory is dataclasses.MISSING
                           else f.default_factory()) for f in dataclasses.fields(obj)]
            elif inspect.isfunction(obj):
                params = [(p.name, p.default) for p in inspect.signature(obj).parameters.values()]
            else:
                continue
            for pname, value in params:
                if pname in CONTROLS:
                    continue
                for suffix, v in _numbers(pname, value):
                    k = (modname, pname + suffix, v)
                    rec = found.setdefault(k, {"key": f"{modname}.{pname}{suffix}",
                                               "parameter": pname + suffix, "value": v,
                                               "unit": _unit(pname), "used_by": []})
                    rec["used_by"].append(attr)
    profiles = _module("workload")
    if profiles is not None:
        for p in profiles.PROFILES.values():
            for f in dataclasses.fields(p):
                value = getattr(p, f.name)
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    found[("profile", p.name, f.name)] = {
                        "key": f"workload.PROFILES.{p.name}.{f.name}", "parameter": f.name,
                        "value": float(value), "unit": _unit(f.name),
                        "used_by": [f"profile {p.name!r}"], "source": p.source}
    return sorted(found.values(), key=lambda r: (r["key"], r["value"]))


def sources() -> dict[str, str]:
    """``module.parameter`` -> source text, from ``defaults.toml``."""
    raw = tomllib.loads(Path(__file__).with_name("defaults.toml").read_text())
    return {f"{mod}.{param}": text for mod, table in raw.items() for param, text in table.items()}


def defaults_table():
    """The table of defaults: one row per default, with its source.

    Returns
    -------
    polars.DataFrame
        Columns ``parameter`` (``module.parameter``), ``value``, ``unit``,
        ``status`` (``published``, ``assumed``, or ``missing`` for a default
        with no source, which the test suite rejects), ``source`` and
        ``used_by``.
    """
    import polars as pl

    src = sources()
    rows = []
    for rec in collect_defaults():
        text = rec.get("source") or src.get(rec["key"], "")
        rows.append({"parameter": rec["key"], "value": rec["value"], "unit": rec["unit"],
                     "status": ("missing" if not text else
                                "assumed" if "assumed" in text.lower() else "published"),
                     "source": text, "used_by": ", ".join(rec["used_by"])})
    return pl.DataFrame(rows, schema={"parameter": pl.String, "value": pl.Float64,
                                      "unit": pl.String, "status": pl.String,
                                      "source": pl.String, "used_by": pl.String})
