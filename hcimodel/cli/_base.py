"""What every ``hcimodel`` command shares: the parser, option types, errors, output.

Everything here is light (standard library only, numpy and the models are
imported when a value is parsed or a command runs), so ``hcimodel --help``
starts at once.

Option types (for ``add_argument(type=...)``) turn the user's words into SI
numbers and reject, in one line naming the option, what cannot be meant:

* :func:`size`, :func:`bitrate`, :func:`duration` need a unit ("24 GiB",
  "10 Gbit/s", "15 min"); a bare number is refused with an example, except 0;
* :func:`count` is a whole number within stated bounds (no overflow);
* :func:`number` is a finite number within bounds, for options whose unit is
  in their name (``--target-ms``, ``--cvm-iops``).

Errors: raise :class:`UsageError` (or let a ``ValueError`` of the API escape;
:func:`api_message` renames its parameters to the options typed).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

__all__ = ["Parser", "UsageError", "size", "bitrate", "duration", "count", "number",
           "add_format", "emit", "api_message", "fmt_count", "fmt_num"]


class UsageError(Exception):
    """Bad input: printed as one line ``hcimodel: error: ...``, exit status 2."""


class _Formatter(argparse.HelpFormatter):
    """Wraps each line of a description on its own and shows each option's default."""

    def _fill_text(self, text, width, indent):
        import textwrap
        return "\n".join(textwrap.fill(line, width, initial_indent=indent,
                                        subsequent_indent=indent) if line else ""
                         for line in text.splitlines())

    def add_argument(self, action):
        super().add_argument(action)
        # argparse undercounts the indent of sub-commands, which wraps their help
        if action.help is not argparse.SUPPRESS and hasattr(action, "_get_subactions"):
            for sub in action._get_subactions():
                width = len(self._format_action_invocation(sub))
                self._action_max_length = max(self._action_max_length,
                                              width + self._current_indent + self._indent_increment)

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if ("%(default)" in text or "(default" in text or default is None or default is False
                or default == argparse.SUPPRESS or not action.option_strings):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and whose help shows defaults."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class",
                          lambda prog: _Formatter(prog, max_help_position=32))
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line, no usage block
        message = re.sub(r"^argument ([^:]*?)(?:/[^:]*)?: ", r"\1: ", str(message))
        raise UsageError(f"{message} (see '{self.prog} --help')")


# --------------------------------------------------------------------------- option types

def _bad(text: str, what: str, example: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"cannot read {text!r}: give {what}, e.g. '{example}'")


def _quantity(parse, what: str, example: str, allow_zero: bool, low=None, high=None):
    """``low``, ``high``: the smallest and largest non-zero values accepted, as text."""
    def convert(text: str) -> float:
        text = str(text).strip()
        try:
            bare = float(text)
        except ValueError:
            bare = None
        if bare is not None:
            if bare == 0 and allow_zero:
                return 0.0
            raise argparse.ArgumentTypeError(
                f"{text!r} has no unit: give {what} with its unit, e.g. '{example}'")
        try:
            value = parse(text)
        except ValueError:
            raise _bad(text, what, example) from None
        if value == 0 and not allow_zero:
            raise argparse.ArgumentTypeError(
                f"must be more than 0 (got {text!r}), e.g. '{example}'")
        if value and low is not None and value < parse(low):
            raise argparse.ArgumentTypeError(f"must be at least {low} (got {text!r})")
        if high is not None and value > parse(high):
            raise argparse.ArgumentTypeError(f"must be at most {high} (got {text!r})")
        return value

    convert.__name__ = what  # argparse names the type in some messages
    return convert


def size(example: str = "24 GiB", *, allow_zero: bool = False, low: str | None = None,
         high: str | None = None):
    """Type for a size in bytes ("24 GiB", "1.5 TB"); a bare number is refused.

    ``low``, ``high``: the plausible range, e.g. ``high="64 GiB"`` (a model's
    cost grows with it).
    """
    def parse(text):
        from .. import units
        return units.parse_bytes(text)
    return _quantity(parse, "a size", example, allow_zero, low, high)


def bitrate(example: str = "10 Gbit/s", *, low: str = "1 kbit/s", high: str = "10 Tbit/s"):
    """Type for a bandwidth in bit/s ("10 Gbit/s", "100 Mbps") within a plausible range."""
    def parse(text):
        from .. import units
        return units.parse_bitrate(text)
    return _quantity(parse, "a bandwidth", example, False, low, high)


def duration(example: str = "15 min", *, allow_zero: bool = False, low: str | None = None,
             high: str | None = None):
    """Type for a duration in s ("15 min", "0.2 ms", "2 h") within ``[low, high]``."""
    def parse(text):
        from .. import units
        return units.parse_duration(text)
    return _quantity(parse, "a duration", example, allow_zero, low, high)


def fmt_num(x: float, width: int = 10) -> str:
    """A table cell: 3 decimals, or 3 significant digits when that would not fit."""
    text = f"{x:.3f}"
    return f"{text if len(text) < width else f'{x:.3g}':>{width}}"


def fmt_count(n) -> str:
    """A whole number with thousands separators: ``1,000,000``."""
    return f"{int(n):,}"


def count(low: int = 1, high: int = 1_000_000):
    """Type for a whole number in ``[low, high]`` (no overflow whatever its size)."""
    def convert(text: str) -> int:
        t = str(text).strip()
        if len(t) > 30 or not re.fullmatch(r"[-+]?\d+", t):
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {fmt_count(low)} to {fmt_count(high)} "
                f"(got {_clip(text)!r})")
        value = int(t)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be from {fmt_count(low)} to {fmt_count(high)} (got {_clip(text)})")
        return value

    convert.__name__ = "whole number"
    return convert


def number(low: float, high: float, *, low_inclusive: bool = False):
    """Type for a finite number in ``(low, high]`` (``[low, high]`` if ``low_inclusive``)."""
    def convert(text: str) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number (got {_clip(text)!r})") from None
        ok_low = value >= low if low_inclusive else value > low
        if not (math.isfinite(value) and ok_low and value <= high):
            left = "[" if low_inclusive else "("
            raise argparse.ArgumentTypeError(
                f"must be a number in {left}{_num(low)}, {_num(high)}] (got {_clip(text)})")
        return value

    convert.__name__ = "number"
    return convert


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _clip(text, n: int = 40) -> str:
    text = str(text)
    return text if len(text) <= n else text[:n] + "..."


# --------------------------------------------------------------------------- errors

def api_message(err: Exception, options: dict[str, str]) -> str:
    """The message of an API ``ValueError`` with parameter names replaced by options.

    ``options`` maps API parameter names to the options typed, e.g.
    ``{"n_desktops": "--desktops"}``.
    """
    msg = " ".join(str(err).split())
    for param, option in sorted(options.items(), key=lambda kv: -len(kv[0])):
        msg = re.sub(rf"(?<![\w-]){re.escape(param)}(?!\w)", option, msg)
    return msg


# --------------------------------------------------------------------------- output

FORMATS = ("text", "csv", "json")


def add_format(parser: argparse.ArgumentParser) -> None:
    """Add ``--format text|csv|json`` (machine-readable: one record per row)."""
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text for people; csv or json for scripts (one record per "
                             "row, SI units named in the column names)")


def _plain(value):
    """A JSON/CSV-friendly scalar: numpy scalars to Python, inf and NaN to None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def emit(args, rows: list[dict], text) -> None:
    """Print a command's answer: ``text`` (lines or a callable giving them) or ``rows``.

    ``rows`` are records with the same keys; csv prints a header and one line per
    record, json a list with one object per line. Unbounded values (inf) are
    empty in csv and null in json; each record says whether it is stable where
    that applies.
    """
    fmt = getattr(args, "format", "text")
    out = sys.stdout
    if fmt == "json":
        body = ",\n".join(json.dumps({k: _plain(v) for k, v in r.items()}) for r in rows)
        out.write(f"[\n{body}\n]\n" if rows else "[]\n")
    elif fmt == "csv":
        import csv
        if rows:
            w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow({k: ("" if (v := _plain(val)) is None else v) for k, val in r.items()})
    else:
        lines = text() if callable(text) else text
        out.write("".join(f"{line}\n" for line in lines))
