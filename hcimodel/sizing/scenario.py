"""The scenario file: what is sized, read from TOML with human units.

A scenario has six sections (``hcimodel example`` prints a commented one):
``[pools.NAME]`` (one table per desktop pool), ``[node]``, ``[cluster]``,
``[cache]``, ``[protection]`` and ``[targets]``, plus an optional
``[scenario]`` with a ``name``. Every key has a default whose source is given
in :data:`FIELDS` (a published figure from ``REFERENCES.md``, or *assumed*),
except ``pools.NAME.count``, which is required.

Any numeric key may be uncertain: a table ``{min = 8, max = 13}`` (uniform),
``{dist = "triangular", min = ..., mode = ..., max = ...}`` or
``{dist = "loguniform", min = ..., max = ...}``; sizes, rates and durations
keep their units inside (``{min = "420 MB", max = "600 MB"}``).

Errors are one line naming the key path, the value and what is allowed, e.g.
``pools.knowledge.count: -5 is not allowed; expected an integer >= 1``.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .. import units
from ..units import GiB
from ..cluster import Cluster
from ..hotspot import STRATEGIES, Host
from ..workload import PROFILES

__all__ = ["Field", "FIELDS", "Uncertain", "Scenario", "loads", "load", "DISTRIBUTIONS"]

DISTRIBUTIONS = ("uniform", "triangular", "loguniform")


@dataclass(frozen=True)
class Field:
    """One key of a scenario section.

    ``kind`` is one of ``count`` (whole number), ``number``, ``fraction``
    (in [0, 1]), ``bytes``, ``bitrate``, ``duration``, ``km``, ``bool``,
    ``choice``, ``strategies``, ``text``. Numbers lie in ``[low, high]``
    (``low_open``: ``low`` itself excluded). ``source`` says where the
    default comes from.
    """

    kind: str
    default: object
    source: str
    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    choices: tuple = ()
    uncertain: bool = True


_A = "assumed"
_CLUSTER = Cluster()
FIELDS: dict[str, dict[str, Field]] = {
    "scenario": {
        "name": Field("text", "scenario", "label only", uncertain=False),
    },
    "pool": {
        "count": Field("count", None, "required", low=1, high=1e6),
        "profile": Field("choice", "knowledge", "hcimodel.workload profiles",
                         choices=("task", "knowledge", "power"), uncertain=False),
        "persistent": Field("bool", True, "persistent desktops are replicated; floating "
                            "ones are recreated, not replicated (DESIGN.md)", uncertain=False),
        "clone": Field("strategies", ("shadow_clones",), "Shadow Clones on by default since "
                       "AOS 4.0.2 (Nutanix Bible)", uncertain=False),
        "vcpu": Field("count", 2, _A + " (a two-vCPU desktop)", low=1, high=128),
        "memory": Field("bytes", 4.0 * GiB, _A + " (4 GiB per desktop)", low=0, low_open=True),
        "disk": Field("bytes", 5.0 * GiB, _A + " (data each desktop writes and keeps: delta "
                      "disk or a full clone's own blocks)"),
        "image": Field("bytes", 10e9, "replica disks of 25-40 GB with about 10 GB used "
                       "(REFERENCES.md)", low=0, low_open=True),
        "private": Field("bytes", GiB, _A + " (private data each desktop reads, as in "
                         "`hcimodel cache`)"),
        "login_iops": Field("number", PROFILES["login"].iops, "8-13 IOPS per desktop in a "
                            "login storm, middle taken (Dell EqualLogic, View 4.5)",
                            low=0, low_open=True, high=1e4),
        "replica_read_fraction": Field("fraction", PROFILES["login"].replica_read_fraction,
                                       _A + " (share of login-storm reads that go to the "
                                       "replica; REFERENCES.md: an assumption)"),
        "steady_iops": Field("number", None, "the profile's IOPS (knowledge worker 8-10, "
                             "middle taken)", low=0, low_open=True, high=1e4),
        "boot_read": Field("bytes", 420e6, "420 MB read per Windows 7 boot (hIOmon trace)",
                           low=0, low_open=True),
    },
    "node": {
        "name": Field("text", "generic node", "label only", uncertain=False),
        "cores": Field("count", 20, _A + " (2 x 10-core sockets)", low=1, high=1024),
        "cvm_vcpu": Field("count", 0, "none: hcimodel.hotspot.Host counts no CPU for the "
                          "CVM (NX-3000 check: about 100 desktops per node); give the CVM's "
                          "vCPUs to reserve that many whole cores for it", high=1024),
        "memory": Field("bytes", 256.0 * GiB, _A + " (256 GiB per node)", low=0, low_open=True),
        "cvm_memory": Field("bytes", 32.0 * GiB, "32 GiB CVM: the Unified Cache rule's "
                            "example (Nutanix Bible)", low=0, low_open=True),
        "ssd": Field("bytes", 1.6e12, _A + " (2 x 800 GB SSD)"),
        "hdd": Field("bytes", 4e12, _A + " (4 x 1 TB HDD)"),
        "link": Field("bitrate", 10e9, "dual 10 GbE per node (NX-3000)", low=0, low_open=True),
        "cvm_iops": Field("number", _CLUSTER.cvm_iops, "random-read IOPS one node's CVM "
                          "sustains, assumed (hcimodel.cluster.Cluster: between one SSD's "
                          "20,000 and a cache-resident 120,000 per node)", low=1000, high=1e8),
        "rtt": Field("duration", 200e-6, _A + " (0.2 ms in one rack)"),
    },
    "cluster": {
        "rf": Field("count", 2, "RF2 default, RF3 optional (Nutanix Bible)", low=2, high=3,
                    uncertain=False),
        "headroom": Field("choice", "N+1", _A + " (N+1: targets hold with one node down)",
                          choices=("N+0", "N+1", "N+2"), uncertain=False),
        "consolidation": Field("number", Host().vcpus_per_core, "8 desktop vCPUs per "
                               "physical core (View 5.2 planning guide: 8-10 desktops per core, "
                               "the lower end; hcimodel.hotspot.Host)",
                               low=0, low_open=True, high=64),
        "fill": Field("fraction", 0.8, _A + " (share of raw capacity that may be filled)",
                      low=0, low_open=True),
        "growth": Field("number", 0.25, _A + " (growth of stored data over the planning "
                        "horizon, as a share)", high=100),
        "max_nodes": Field("count", 64, "64 hosts per vSphere cluster (VMware configuration "
                           "maximums, vSphere 6)", low=1, high=1024, uncertain=False),
    },
    "cache": {
        "rule": Field("choice", "unified", "Unified Cache: (CVM memory - 12 GB) x 0.45 "
                      "(Nutanix Bible)", choices=("unified", "nos35"), uncertain=False),
        "dedup": Field("bool", True, _A + " (dedup on the desktop container)",
                       uncertain=False),
        "ssd": Field("bytes", 0.0, _A + " (SSD given to the multi-touch pool)"),
    },
    "protection": {
        "mode": Field("choice", "async", "async (>= 1 h, AOS 4.x) or NearSync (<= 15 min, "
                      "AOS 5.5+)", choices=("async", "nearsync", "none"), uncertain=False),
        "rpo": Field("duration", 4 * 3600.0, _A + " (4 h target)", low=0, low_open=True),
        "interval": Field("duration", None, "RPO/2 (vSphere Replication rule) within the "
                          "mode's limits", low=0, low_open=True),
        "wan": Field("bitrate", 100e6, _A + " (100 Mbit/s WAN)", low=0, low_open=True),
        "distance": Field("km", 100.0, _A + " (100 km)"),
        "desktops_per_pd": Field("count", 50, "at most 50 linked clones per PD (Leibovici, "
                                 "2015)", low=1, high=1e6),
        "efficiency": Field("fraction", 0.8, _A + " (payload share of the WAN)",
                            low=0, low_open=True),
        "compression": Field("number", 2.0, _A + " (2:1; only changed data is sent, "
                             "compressed)", low=1, high=100),
        "power_on_parallelism": Field("count", 20, _A + " (power-ons at a time)", low=1,
                                      high=1e5),
        "detection": Field("duration", 300.0, _A + " (5 min to notice the outage)"),
        "decision": Field("duration", 900.0, _A + " (15 min to decide to fail over)"),
        "activation": Field("duration", 120.0, _A + " (2 min to activate one PD)"),
    },
    "targets": {
        "read_latency_p95": Field("duration", 2e-3, _A + " (2 ms p95 read latency in the "
                                  "login storm)", low=0, low_open=True),
        "boot_storm": Field("duration", 900.0, _A + " (15 min; one desktop boots in 2-3 min, "
                            "Horizon documentation)", low=0, low_open=True),
        "rto": Field("duration", 4 * 3600.0, _A + " (4 h)", low=0, low_open=True),
        "hit_ratio": Field("fraction", 0.6, _A + " (60 % of reads from the CVM cache)"),
    },
}

_SECTIONS = ("scenario", "pools", "node", "cluster", "cache", "protection", "targets")
_POOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Uncertain:
    """An uncertain input: ``dist`` over ``[low, high]`` (``mode`` for triangular).

    Values are in SI units (bytes, bit/s, s). :attr:`nominal` is the value the
    deterministic answer uses: the midpoint (uniform), the mode (triangular),
    the geometric mean (log-uniform).
    """

    dist: str
    low: float
    high: float
    mode: float | None = None

    @property
    def nominal(self) -> float:
        if self.dist == "triangular":
            return float(self.mode)
        if self.dist == "loguniform":
            return math.sqrt(self.low * self.high)
        return 0.5 * (self.low + self.high)

    def ppf(self, q):
        """Quantile function (vectorized over ``q`` in [0, 1])."""
        import numpy as np
        q = np.asarray(q, dtype=float)
        a, b = self.low, self.high
        if b == a:
            return np.full(q.shape, a)
        if self.dist == "uniform":
            return a + q * (b - a)
        if self.dist == "loguniform":
            return np.exp(np.log(a) + q * (np.log(b) - np.log(a)))
        c = self.mode
        fc = (c - a) / (b - a)
        left = a + np.sqrt(q * (b - a) * (c - a))
        right = b - np.sqrt((1 - q) * (b - a) * (b - c))
        return np.where(q < fc, left, right)

    def describe(self, kind: str) -> str:
        f = _formatter(kind)
        if self.dist == "triangular":
            return f"triangular({f(self.low)}, {f(self.mode)}, {f(self.high)})"
        return f"{self.dist}({f(self.low)}, {f(self.high)})"


def _formatter(kind):
    if kind == "bytes":
        return units.format_bytes
    if kind == "duration":
        return units.format_duration
    if kind == "bitrate":
        return lambda v: f"{v / 1e6:g} Mbit/s"
    if kind == "km":
        return lambda v: f"{v:g} km"
    return lambda v: f"{v:g}"


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario.

    Attributes
    ----------
    name : str
    pools : dict
        ``pools[name][key]``: a float, an :class:`Uncertain`, or a str/bool/tuple.
    node, cluster, cache, protection, targets : dict
        ``section[key]`` as for pools; every key present (defaults filled in).
    text : str
        The TOML text it was read from (echoed in reports).
    """

    name: str
    pools: dict
    node: dict
    cluster: dict
    cache: dict
    protection: dict
    targets: dict
    text: str = field(default="", repr=False)

    def section(self, name: str) -> dict:
        return getattr(self, name)

    def items(self):
        """Every (path, kind, value) of the scenario, pools first."""
        for pname, pool in self.pools.items():
            for key, value in pool.items():
                yield f"pools.{pname}.{key}", FIELDS["pool"][key].kind, value
        for sec in ("node", "cluster", "cache", "protection", "targets"):
            for key, value in getattr(self, sec).items():
                yield f"{sec}.{key}", FIELDS[sec][key].kind, value

    def uncertain(self) -> dict:
        """``{path: Uncertain}`` for every uncertain input of positive width."""
        return {p: v for p, _, v in self.items()
                if isinstance(v, Uncertain) and v.high > v.low}

    def strategies(self) -> tuple:
        """Clone strategies to size, in the order first named."""
        out = []
        for pool in self.pools.values():
            for s in pool["clone"]:
                if s not in out:
                    out.append(s)
        return tuple(out)

    def _path(self, path) -> list:
        if not isinstance(path, str) or path not in {p for p, _, _ in self.items()}:
            raise ValueError(f"path must name an input of the scenario, as 'pools.NAME.KEY' "
                             f"or 'SECTION.KEY' (got {path!r:.80})")
        return path.split(".")

    def get(self, path: str):
        parts = self._path(path)
        if parts[0] == "pools":
            return self.pools[parts[1]][parts[2]]
        return getattr(self, parts[0])[parts[1]]

    def replace(self, path: str, value) -> "Scenario":
        """A copy with one input replaced (the path is checked; the value only for NaN:
        callers pass values of the field's kind)."""
        import numpy as np

        parts = self._path(path)
        try:
            nan = bool(np.isnan(np.asarray(value, dtype=float)).any())
        except (TypeError, ValueError):
            nan = False
        if nan:
            raise ValueError(f"{path}: value must not be NaN (got {value!r:.80})")
        if parts[0] == "pools":
            pools = {k: dict(v) for k, v in self.pools.items()}
            pools[parts[1]][parts[2]] = value
            return Scenario(self.name, pools, self.node, self.cluster, self.cache,
                            self.protection, self.targets, self.text)
        sec = dict(getattr(self, parts[0]))
        sec[parts[1]] = value
        kw = {s: getattr(self, s) for s in ("node", "cluster", "cache", "protection",
                                               "targets")}
        kw[parts[0]] = sec
        return Scenario(self.name, self.pools, text=self.text, **kw)

    def to_dict(self) -> dict:
        """Inputs as JSON-able values (uncertain ones as their description)."""
        out = {"name": self.name}
        for path, kind, value in self.items():
            if isinstance(value, Uncertain):
                out[path] = value.describe(kind)
            elif isinstance(value, tuple):
                out[path] = list(value)
            elif isinstance(value, float) and kind in ("bytes", "bitrate", "duration", "km"):
                out[path] = _formatter(kind)(value)
            else:
                out[path] = value
        return out


# --------------------------------------------------------------------------- parsing

def _fail(path, value, allowed) -> None:
    raise ValueError(f"{path}: {value!r} is not allowed; expected {allowed}")


def _allowed(f: Field) -> str:
    lo = "(" if f.low_open else "["
    rng = f"in {lo}{_fmt_bound(f, f.low)}, {_fmt_bound(f, f.high)}]"
    return {
        "count": f"a whole number {rng}",
        "number": f"a number {rng}",
        "fraction": f"a number {rng}",
        "bytes": f"a size with a unit such as '4 GiB' or '1.6 TB', {rng}",
        "bitrate": f"a bandwidth with a unit such as '100 Mbit/s', {rng}",
        "duration": f"a duration with a unit such as '15 min' or '2 ms', {rng}",
        "km": f"a distance such as '100 km' (or a number of km), {rng}",
    }[f.kind]


def _fmt_bound(f, v):
    if v == math.inf:
        return "inf"
    if f.kind in ("bytes", "bitrate", "duration", "km"):
        return _formatter(f.kind)(v)
    return f"{v:g}"


_KM = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(km)?\s*$", re.I)


def _scalar(path: str, value, f: Field) -> float:
    """One number of kind ``f.kind`` in SI units, range-checked."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        _fail(path, value, _allowed(f))
    k = f.kind
    if k in ("bytes", "bitrate", "duration"):
        if not isinstance(value, str):
            raise ValueError(f"{path}: {value!r} has no unit; expected {_allowed(f)}")
        parser = {"bytes": units.parse_bytes, "bitrate": units.parse_bitrate,
                  "duration": units.parse_duration}[k]
        try:
            x = parser(value, path)
        except ValueError:
            _fail(path, value, _allowed(f))
        if not re.search(r"[A-Za-zµ]", value):
            raise ValueError(f"{path}: {value!r} has no unit; expected {_allowed(f)}")
    elif k == "km":
        m = _KM.match(value) if isinstance(value, str) else None
        if isinstance(value, str) and m is None:
            _fail(path, value, _allowed(f))
        x = float(m.group(1)) if m else float(value)
    else:
        if isinstance(value, str):
            _fail(path, value, _allowed(f))
        x = float(value)
        if k == "count" and (not math.isfinite(x) or x != round(x)):
            _fail(path, value, _allowed(f))
    if k == "fraction":
        f = Field(k, None, "", low=f.low, high=min(f.high, 1.0), low_open=f.low_open)
    ok = math.isfinite(x) and (x > f.low if f.low_open else x >= f.low) and x <= f.high
    if not ok:
        _fail(path, value, _allowed(f))
    return x


def _value(path: str, value, f: Field):
    k = f.kind
    if k == "text":
        if not isinstance(value, str) or len(value) > 200:
            _fail(path, value, "a text of at most 200 characters")
        return value
    if k == "bool":
        if not isinstance(value, bool):
            _fail(path, value, "true or false")
        return value
    if k == "choice":
        if value not in f.choices:
            _fail(path, value, "one of " + ", ".join(repr(c) for c in f.choices))
        return value
    if k == "strategies":
        items = [value] if isinstance(value, str) else value
        if (not isinstance(items, list) or not items
                or any(not isinstance(s, str) or s not in STRATEGIES for s in items)
                or len(set(items)) != len(items)):
            _fail(path, value, "a strategy or a list of distinct strategies among "
                  + ", ".join(repr(s) for s in STRATEGIES))
        return tuple(items)
    if isinstance(value, dict):
        if not f.uncertain:
            _fail(path, value, "a single value (this input cannot be uncertain)")
        return _uncertain(path, value, f)
    return _scalar(path, value, f)


def _uncertain(path: str, table: dict, f: Field) -> Uncertain:
    dist = table.get("dist", "uniform")
    if dist not in DISTRIBUTIONS:
        _fail(f"{path}.dist", dist, "one of " + ", ".join(repr(d) for d in DISTRIBUTIONS))
    need = {"min", "max", "mode"} if dist == "triangular" else {"min", "max"}
    for key in table:
        if key not in need | {"dist"}:
            raise ValueError(f"{path}.{key}: unknown key for a {dist} range; allowed keys: "
                             + ", ".join(sorted(need | {'dist'})))
    for key in sorted(need):
        if key not in table:
            raise ValueError(f"{path}.{key}: missing; a {dist} range needs "
                             + ", ".join(sorted(need)))
    lo, hi = _scalar(f"{path}.min", table["min"], f), _scalar(f"{path}.max", table["max"], f)
    if hi < lo:
        _fail(f"{path}.max", table["max"], f"a value >= min ({table['min']!r})")
    mode = None
    if dist == "triangular":
        mode = _scalar(f"{path}.mode", table["mode"], f)
        if not lo <= mode <= hi:
            _fail(f"{path}.mode", table["mode"], "a value between min and max")
    if dist == "loguniform" and lo <= 0:
        _fail(f"{path}.min", table["min"], "a value > 0 for a loguniform range")
    return Uncertain(dist, lo, hi, mode)


def _section(path: str, table, fields: dict[str, Field]) -> dict:
    if not isinstance(table, dict):
        _fail(path, table, "a table")
    out = {}
    for key, value in table.items():
        if key not in fields:
            raise ValueError(f"{path}.{key}: unknown key; allowed keys: " + ", ".join(fields))
        out[key] = _value(f"{path}.{key}", value, fields[key])
    for key, f in fields.items():
        if key not in out:
            if f.default is None and key == "count":
                raise ValueError(f"{path}.{key}: missing; every pool needs a count of desktops")
            out[key] = f.default
    return out


def loads(text: str, source: str = "scenario") -> Scenario:
    """Parse a scenario from TOML text.

    Raises
    ------
    ValueError
        One line: a TOML syntax error with its line and column, or the key path,
        the value and what is allowed.
    """
    if not isinstance(text, str):
        raise ValueError(f"{source}: expected TOML text (got {type(text).__name__})")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{source}: TOML syntax error: {err}") from None
    for key in data:
        if key not in _SECTIONS:
            raise ValueError(f"{key}: unknown section; allowed sections: " + ", ".join(_SECTIONS))
    pools_in = data.get("pools")
    if not isinstance(pools_in, dict) or not pools_in:
        raise ValueError("pools: missing; describe at least one pool as [pools.NAME] with a count")
    pools = {}
    for pname, table in pools_in.items():
        if not _POOL_NAME.match(pname):
            _fail(f"pools.{pname}", pname, "a pool name of letters, digits, '-' or '_'")
        pools[pname] = _section(f"pools.{pname}", table, FIELDS["pool"])
        if pools[pname]["steady_iops"] is None:
            pools[pname]["steady_iops"] = PROFILES[pools[pname]["profile"]].iops
    sec = {s: _section(s, data.get(s, {}), FIELDS[s])
           for s in ("scenario", "node", "cluster", "cache", "protection", "targets")}
    node = sec["node"]
    cores, cvm = node["cores"], node["cvm_vcpu"]
    for name, big_name, big, small in (("node.cvm_vcpu", "node.cores", cores, cvm),
                                       ("node.cvm_memory", "node.memory", node["memory"],
                                        node["cvm_memory"])):
        hi_small = small.high if isinstance(small, Uncertain) else small
        lo_big = big.low if isinstance(big, Uncertain) else big
        if hi_small >= lo_big:
            raise ValueError(f"{name}: {hi_small:g} is not allowed; expected less than "
                             f"{big_name} ({lo_big:g}) so that desktops have room")
    return Scenario(sec["scenario"]["name"], pools, node, sec["cluster"], sec["cache"],
                    sec["protection"], sec["targets"], text)


def load(path) -> Scenario:
    """Read a scenario file (TOML); errors name the file."""
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes) \
            or os.fspath(path) == "":
        raise ValueError(f"path must be a str or os.PathLike naming a scenario file "
                         f"(got {path!r:.80})")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{p}: cannot read the scenario ({err.__class__.__name__}: "
                         f"{getattr(err, 'strerror', None) or err})") from None
    return loads(text, str(p))
