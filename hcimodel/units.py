"""Human units at the edges, SI numbers inside.

Scenario files, the command line and plots speak in "32 GiB", "10 Gbit/s" and
"15 min"; every model works in bytes, bits per second and seconds. These parsers
are the only place where the two meet.

Examples
--------
>>> parse_bytes("32 GiB")
34359738368.0
>>> parse_bitrate("10 Gbit/s")
10000000000.0
>>> parse_duration("15 min")
900.0
"""

from __future__ import annotations

import re

import numpy as np

from .validation import as_float_array

__all__ = ["KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB", "MINUTE_S", "HOUR_S", "DAY_S",
           "MONTH_S", "parse_bytes", "parse_bitrate", "parse_duration", "format_bytes",
           "format_duration"]

#: Binary byte multiples (IEC), bytes.
KiB, MiB, GiB, TiB = 2.0**10, 2.0**20, 2.0**30, 2.0**40
#: Decimal byte multiples (SI), bytes.
KB, MB, GB, TB = 1e3, 1e6, 1e9, 1e12
#: Durations (s). A month is 30 days, the unit of the monthly figures.
MINUTE_S, HOUR_S, DAY_S = 60.0, 3600.0, 86_400.0
MONTH_S = 30 * DAY_S

_BYTE_UNITS = {
    "b": 1.0, "byte": 1.0, "bytes": 1.0,
    "kb": KB, "mb": MB, "gb": GB, "tb": TB, "pb": 1e15,
    "kib": KiB, "mib": MiB, "gib": GiB, "tib": TiB, "pib": 2.0**50,
}
_BIT_UNITS = {
    "bit/s": 1.0, "bps": 1.0, "b/s": 1.0,
    "kbit/s": 1e3, "kbps": 1e3, "kb/s": 1e3,
    "mbit/s": 1e6, "mbps": 1e6, "mb/s": 1e6,
    "gbit/s": 1e9, "gbps": 1e9, "gb/s": 1e9, "gbe": 1e9,
    "tbit/s": 1e12, "tbps": 1e12,
}
_TIME_UNITS = {
    "us": 1e-6, "µs": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6,
    "ms": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
    "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
    "min": MINUTE_S, "mins": MINUTE_S, "minute": MINUTE_S, "minutes": MINUTE_S,
    "h": HOUR_S, "hr": HOUR_S, "hour": HOUR_S, "hours": HOUR_S,
    "d": DAY_S, "day": DAY_S, "days": DAY_S,
}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _parse(name: str, text, units: dict[str, float], default_unit: str) -> float:
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        value = float(text)
    elif isinstance(text, str):
        m = _NUMBER.match(text)
        unit = m.group(2).lower() if m else None
        if m is None or (unit and unit not in units):
            allowed = ", ".join(sorted(set(units)))
            raise ValueError(
                f"{name}: cannot read {text!r}; expected a number followed by one of "
                f"{allowed} (e.g. '4 {default_unit}')"
            )
        value = float(m.group(1)) * units[unit or default_unit.lower()]
    else:
        raise ValueError(f"{name}: expected a number or a string such as '4 {default_unit}' (got {text!r})")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite quantity >= 0 (got {text!r})")
    return value


def parse_bytes(text, name: str = "size") -> float:
    """Parse a size such as ``"32 GiB"`` or ``"1.5 TB"`` into bytes.

    Decimal prefixes (kB, MB, GB) are powers of 1000, binary ones (KiB, MiB,
    GiB) powers of 1024. A bare number is taken as bytes.
    """
    return _parse(name, text, _BYTE_UNITS, "B")


def parse_bitrate(text, name: str = "bandwidth") -> float:
    """Parse a bandwidth such as ``"10 Gbit/s"`` or ``"100 Mbps"`` into bit/s.

    A bare number is taken as bit/s.
    """
    return _parse(name, text, _BIT_UNITS, "bit/s")


def parse_duration(text, name: str = "duration") -> float:
    """Parse a duration such as ``"15 min"``, ``"2 h"`` or ``"500 us"`` into seconds.

    A bare number is taken as seconds.
    """
    return _parse(name, text, _TIME_UNITS, "s")


def format_bytes(n_bytes: float) -> str:
    """Format a byte count with a binary prefix, e.g. ``format_bytes(2**31) == '2.0 GiB'``."""
    value = as_float_array("n_bytes", n_bytes, scalar=True)
    if not np.isfinite(value):
        return "unbounded"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{value:.0f} B"
        value /= 1024
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """Format seconds readably, e.g. ``format_duration(90) == '1.5 min'``."""
    s = as_float_array("seconds", seconds, scalar=True)
    if not np.isfinite(s):
        return "unbounded"
    if s == 0:
        return "0 s"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    if s < 60:
        return f"{s:.1f} s"
    if s < 3600:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.2f} h"
