"""The ``hcimodel`` command (also ``python -m hcimodel``).

Each sub-command lives in its own module, listed in :data:`COMMANDS`. A module
defines

``add_parser(subparsers)``
    ``p = subparsers.add_parser("name", help=..., description=...)``, adds its
    options with the types of :mod:`hcimodel.cli._base` (``size()``,
    ``bitrate()``, ``duration()``, ``count()``, ``number()``: units required,
    bounds checked, one-line errors) and returns ``p``. ``--format
    text|csv|json`` is added for it unless the module sets ``FORMAT = False``.
``run(args) -> int``
    Computes the whole answer first, then prints it with
    ``_base.emit(args, rows, lines)``; raises ``_base.UsageError`` (or lets an
    API ``ValueError`` escape) for bad input.
``OPTIONS`` (optional)
    ``{"api_parameter": "--option"}``: names put back into API error messages.

``add_parsers(subparsers)`` (instead of the two above)
    Adds several commands, each with ``set_defaults(run=...)``; they get no
    ``--format`` of ours (``hcimodel.sizing.cli``: ``size`` and ``example``).

To add a command defined elsewhere, write those functions in its module and
append the module path to :data:`COMMANDS`. Import heavy modules inside
``run`` so that ``hcimodel --help`` stays fast.

Bad input prints one line, ``hcimodel: error: ...``, on stderr and exits with
status 2; nothing is printed on stdout before it.
"""

from __future__ import annotations

import importlib
import sys

from .. import __version__
from ._base import Parser, UsageError, api_message

__all__ = ["main", "COMMANDS", "build_parser"]

#: Modules defining a sub-command, in the order ``--help`` lists them.
COMMANDS = [
    "hcimodel.cli.reproduce",
    "hcimodel.cli.hotspot",
    "hcimodel.cli.boot",
    "hcimodel.cli.warmup",
    "hcimodel.cli.cache",
    "hcimodel.cli.rpo",
    "hcimodel.cli.rto",
    "hcimodel.sizing.cli",  # size, example
    "hcimodel.cli.defaults",
    "hcimodel.cli.paper",
]
#: Listed commands whose module may be absent from a checkout (skipped then).
OPTIONAL = {"hcimodel.sizing.cli"}

_DESCRIPTION = """\
Models of virtual-desktop (VDI) storage on hyperconverged clusters.

Sizes, bandwidths and durations need a unit: "24 GiB", "10 Gbit/s", "15 min".
Model commands print a table, or records for scripts with --format csv|json.
Run 'hcimodel COMMAND --help' for the options of a command and their defaults."""


def build_parser() -> Parser:
    """The argument parser of every registered command."""
    from ._base import add_format

    p = Parser(prog="hcimodel", description=_DESCRIPTION)
    p.add_argument("--version", action="version", version=f"hcimodel {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           title="commands")
    for path in COMMANDS:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as err:
            if path in OPTIONAL and err.name in (path, path.rpartition(".")[0]):
                continue
            raise
        before = set(sub.choices)
        if hasattr(module, "add_parsers"):  # several commands, each with its own run
            module.add_parsers(sub)
            added = [sub.choices[name] for name in sub.choices if name not in before]
        else:
            cmd = module.add_parser(sub)
            if cmd is None:  # tolerate an add_parser that does not return its parser
                cmd = sub.choices[(set(sub.choices) - before).pop()]
            if getattr(module, "FORMAT", True) and "--format" not in cmd._option_string_actions:
                add_format(cmd)
            cmd.set_defaults(run=module.run)
            added = [cmd]
        for cmd in added:
            cmd.set_defaults(api_options=getattr(module, "OPTIONS", {}))
    return p


def _error(message: str) -> int:
    print(f"hcimodel: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def main(argv=None) -> int:
    """Entry point of the ``hcimodel`` console script; returns the exit status.

    As with argparse, a bad command line (and ``--help``, ``--version``) ends in
    ``SystemExit`` (status 2, or 0) once its line is printed; bad input found
    while the command runs returns 2. Either way the message is one line on
    stderr and nothing was printed on stdout.
    """
    import warnings

    try:
        args, extra = build_parser().parse_known_args(argv)
        if extra:
            raise UsageError(f"unrecognized arguments: {' '.join(extra)} "
                             f"(see 'hcimodel {args.command} --help')")
    except UsageError as err:
        raise SystemExit(_error(err)) from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            # numpy's floating-point notes are arithmetic inside a model, not advice
            warnings.filterwarnings("ignore", ".*encountered in", RuntimeWarning)
            status = args.run(args)
        seen = set()
        for w in caught:  # one line of text each, no source path
            text = api_message(w.message, args.api_options)
            if text not in seen:
                seen.add(text)
                print(f"hcimodel: warning: {text}", file=sys.stderr)
        return status
    except UsageError as err:
        return _error(err)
    except ValueError as err:
        return _error(api_message(err, args.api_options))
    except OverflowError:
        return _error("a number is too large for the model; give a smaller value")
    except BrokenPipeError:  # piped into head: stop quietly
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # a file or folder that cannot be read or written
        where = f" {err.filename}" if getattr(err, "filename", None) else ""
        return _error(f"cannot use{where}: {err.strerror or err}")
    except KeyboardInterrupt:
        print("hcimodel: interrupted", file=sys.stderr)
        return 130
