"""Sizing for sales engineers: one scenario file in, a defensible report out.

A scenario (TOML, human units; :mod:`.scenario`) describes desktop pools, the
node model, the cluster, the cache, protection and targets. :func:`size`
composes the domain models (through the adapter :mod:`.models`: the host's
node density and the read path with RF writes of :mod:`hcimodel.hotspot`, the
Shadow Clone and VAAI full-clone warm-ups, the cache, replication and
recovery) into the nodes needed per clone strategy, the limit that binds, the
cache hit ratio, the warm-up after an image update, protection domains, the
WAN bandwidth for the RPO target and the RPO and RTO achieved; uncertain
inputs (ranges or distributions) are drawn to give, per node count, the
probability that the node-dependent targets hold, the nodes needed at a
confidence, the odds of the RPO (which does not depend on the node count) and
the bandwidth that meets it, and a tornado ranking.
Reports: :mod:`.report` (Markdown, CSV, JSON, self-contained HTML); command
line: :mod:`.cli` (``hcimodel size``, ``hcimodel example``).

This is an application layer: it imports the domain modules; nothing imports it.

Examples
--------
>>> from hcimodel import sizing
>>> res = sizing.size(sizing.loads('[pools.office]\\ncount = 200'), tornado=False)
>>> [s.strategy for s in res.strategies]
['shadow_clones']
"""

import importlib

_EXPORTS = {
    "size": "api", "SizingResult": "api", "StrategySizing": "api", "draw_inputs": "uncertainty",
    "example_scenario": "api", "example_text": "api", "largest_pool": "api",
    "LIMITS": "core", "FIELDS": "scenario", "Scenario": "scenario", "Uncertain": "scenario",
    "load": "scenario", "loads": "scenario",
}
__all__ = list(_EXPORTS)


def __getattr__(name):  # lazy, so that `hcimodel --help` does not load the models
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
