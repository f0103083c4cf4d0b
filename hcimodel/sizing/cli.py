"""Command-line glue: ``hcimodel size`` and ``hcimodel example``.

``hcimodel.cli`` calls :func:`add_parsers` on its sub-parsers; the handlers
raise ``ValueError`` on bad input, which the main command turns into one line
and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parsers", "run_size", "run_example"]


def _confidence(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return v


def add_parsers(subparsers) -> None:
    """Add ``size`` and ``example`` to an argparse sub-parser collection."""
    s = subparsers.add_parser(
        "size", help="size a cluster for a scenario (TOML); the built-in example without one",
        description="Nodes per clone strategy, the limit that binds, latency, boot storm, "
                    "hit ratio, RPO and RTO, the probability that the node-dependent targets "
                    "hold per node count, and the odds of the RPO apart.")
    s.add_argument("scenario", nargs="?", type=Path, default=None,
                   help="scenario file (TOML); see `hcimodel example`")
    s.add_argument("--format", choices=("md", "csv", "json", "html"), default="md",
                   help="report format (default md)")
    s.add_argument("--out", type=Path, default=None, help="write the report to FILE")
    s.add_argument("--confidence", type=_confidence, default=0.9,
                   help="probability that the node-dependent targets must hold for 'nodes at "
                        "confidence', and that the RPO bandwidth must meet (default 0.9)")
    s.add_argument("--seed", type=_seed, default=0, help="seed of the draws (default 0)")
    s.add_argument("--draws", type=int, default=1000,
                   help="Monte Carlo draws of the uncertain inputs (default 1000)")
    s.set_defaults(run=run_size)
    e = subparsers.add_parser("example", help="print the built-in example scenario, commented")
    e.set_defaults(run=run_example)


def run_size(args) -> int:
    """Handler of ``hcimodel size``: prints or writes the report; 0 on success."""
    from . import report
    from .api import size

    if args.draws < 1:
        raise ValueError(f"--draws must be a whole number >= 1 (got {args.draws})")
    res = size(args.scenario, confidence=args.confidence, seed=args.seed, n_draws=args.draws)
    text = report.render(res, args.format)
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as err:
            raise ValueError(f"--out: cannot write {args.out} ({err.strerror})") from None
        print(f"hcimodel: wrote {args.format} report to {args.out}")
    return 0


def run_example(args) -> int:
    """Handler of ``hcimodel example``: prints the example scenario."""
    from .api import example_text

    sys.stdout.write(example_text())
    return 0
