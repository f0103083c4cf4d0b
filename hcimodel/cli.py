"""The ``hcimodel`` command.

Sub-commands
------------
``reproduce``  regenerate every figure under ``papers/figures/`` (the default job);
               ``--check`` regenerates into a temporary folder and compares the CSVs.
``hotspot``    the replica hot spot of one pool, for the three clone strategies.

Bad input prints one line, ``hcimodel: error: ...``, and exits with status 2.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

__all__ = ["main"]


def _reproduce(args) -> int:
    from . import figures

    names = args.figures or None
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            written = figures.reproduce(tmp, names)
            bad = [p.name for p in written if p.suffix == ".csv"
                   and not ((args.out / p.name).exists()
                            and filecmp.cmp(p, args.out / p.name, shallow=False))]
        if bad:
            print(f"hcimodel: figures differ from {args.out}: {', '.join(bad)}")
            return 1
        print(f"hcimodel: {len(written) // 2} figures match {args.out}")
        return 0
    written = figures.reproduce(args.out, names,
                                progress=lambda n: print(f"  {n}", file=sys.stderr))
    print(f"hcimodel: wrote {len(written)} files to {args.out}")
    return 0


def _hotspot(args) -> int:
    from . import hotspot, units, workload

    cluster = hotspot.Cluster(
        n_nodes=args.nodes, cvm_iops=args.cvm_iops,
        rtt_s=units.parse_duration(args.rtt, "--rtt"),
        link_bps=units.parse_bitrate(args.link, "--link"))
    prof = workload.profile(args.profile)
    print(f"{args.desktops} desktops on {args.nodes} nodes, {prof.name} profile "
          f"({prof.iops:.1f} IOPS per desktop, {prof.replica_io_fraction:.0%} of I/Os to the replica)")
    print(f"{'strategy':<15}{'max CVM util':>13}{'mean ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
          f"{'max pool':>10}")
    for strategy in hotspot.STRATEGIES:
        res = hotspot.steady_state(args.desktops, prof, strategy, cluster)
        lat = res.read_latency["other_nodes" if args.nodes > 1 else "replica_node"]
        knee = hotspot.max_pool_size(args.target_ms * 1e-3, prof, strategy, cluster,
                                     group="other_nodes" if args.nodes > 1 else "replica_node")
        ms = [f"{1e3 * float(lat[s][0]):>10.3f}" for s in ("mean", "p95", "p99")]
        print(f"{strategy:<15}{float(res.max_utilization[0]):>13.3f}{''.join(ms)}{knee:>10d}")
    print(f"max pool: largest pool with p95 read latency within {args.target_ms:g} ms")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hcimodel", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("reproduce", help="regenerate the whitepaper figures")
    r.add_argument("--out", type=Path, default=Path("papers/figures"),
                   help="folder for PNG and CSV files (default papers/figures)")
    r.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and compare CSVs with --out")
    r.add_argument("figures", nargs="*", help="names of figures (default: all)")
    r.set_defaults(run=_reproduce)

    h = sub.add_parser("hotspot", help="replica hot spot of one pool")
    h.add_argument("--desktops", type=int, default=800, help="desktops in the pool")
    h.add_argument("--nodes", type=int, default=4, help="nodes in the cluster")
    h.add_argument("--profile", default="login", help="workload profile name")
    h.add_argument("--cvm-iops", type=float, default=20_000.0, help="I/Os per second per CVM")
    h.add_argument("--rtt", default="0.2 ms", help="network round trip, e.g. '0.2 ms'")
    h.add_argument("--link", default="10 Gbit/s", help="link bandwidth, e.g. '10 Gbit/s'")
    h.add_argument("--target-ms", type=float, default=2.0, help="p95 latency target (ms)")
    h.set_defaults(run=_hotspot)
    return p


def main(argv=None) -> int:
    """Entry point of the ``hcimodel`` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as err:
        print(f"hcimodel: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
