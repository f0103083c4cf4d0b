"""The ``hcimodel`` command.

Sub-commands
------------
``reproduce``  regenerate every figure under ``papers/figures/`` (the default job);
               ``--check`` regenerates into a temporary folder and compares the CSVs.
``hotspot``    the replica hot spot of one pool, for the three clone strategies.
``warmup``     bytes and time of a Shadow Clone warm-up.
``cache``      Content Cache hit ratios and read latency, with and without dedup.
``rpo``        data loss of an async or near-sync replication schedule.
``rto``        time to recover a pool at the recovery site, phase by phase.
``size``       size a cluster for a scenario file (``hcimodel.sizing``).
``example``    print the built-in example scenario.

Sizes, bandwidths and durations take human units ("24 GiB", "100 Mbit/s",
"1 h").

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
    skipped: list = []
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            written = figures.reproduce(tmp, names, skipped=skipped)
            bad = [p.name for p in written if p.suffix == ".csv"
                   and not ((args.out / p.name).exists()
                            and filecmp.cmp(p, args.out / p.name, shallow=False))]
        _report_skipped(skipped)
        if bad:
            print(f"hcimodel: figures differ from {args.out}: {', '.join(bad)}")
            return 1
        print(f"hcimodel: {len(written) // 2} figures match {args.out}")
        return 0
    written = figures.reproduce(args.out, names, skipped=skipped,
                                progress=lambda n: print(f"  {n}", file=sys.stderr))
    _report_skipped(skipped)
    print(f"hcimodel: wrote {len(written)} files to {args.out}")
    return 0


def _report_skipped(skipped) -> None:
    for name, reason in skipped:
        print(f"hcimodel: skipped {name}: {reason}", file=sys.stderr)


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


def _warmup(args) -> int:
    from . import shadowclone, units

    res = shadowclone.warmup(args.nodes, args.desktops, phase=args.phase, source=args.source,
                             link_bps=units.parse_bitrate(args.link, "--link"))
    print(f"Shadow Clone warm-up, {args.phase}: {args.desktops} desktops on {args.nodes} nodes, "
          f"fetches from {'the owner CVM' if args.source == 'single' else 'any holder (map)'}")
    if not bool(res.detected):
        print("never detected: reads come from at most two remote CVMs, so the replica "
              "stays remote (the hot spot)")
        return 0
    print(f"  detection delay      {units.format_duration(float(res.detection_delay_s))}")
    print(f"  fetched per node     {units.format_bytes(float(res.bytes_per_node))}")
    print(f"  fetched in total     {units.format_bytes(float(res.total_bytes))}")
    print(f"  remote reads before  {units.format_bytes(float(res.remote_read_bytes))}")
    print(f"  time to warm up      {units.format_duration(float(res.time_s))}")
    print(f"  first-read latency   {units.format_duration(float(res.fetch_latency_s))}")
    return 0


def _cache(args) -> int:
    import numpy as np

    from . import contentcache, units
    from .clonepool import ClonePool

    base = units.parse_bytes(args.base_image, "--base-image")
    private = units.parse_bytes(args.private, "--private")
    block = ClonePool.block_bytes
    if base <= 0:
        raise ValueError(f"--base-image must be more than 0 B (got {args.base_image!r})")
    # whole 4 KiB cache blocks, a partial block counting as one
    base_blocks, private_blocks = (int(np.ceil(b / block)) for b in (base, private))
    # without private data every read goes to the base image
    extra = {} if private_blocks else {"shared_read_fraction": 1.0}
    pool = ClonePool(n_desktops=args.desktops, clone_type=args.clone_type,
                     base_blocks=base_blocks, private_blocks=private_blocks, **extra)
    memory = units.parse_bytes(args.cvm_memory, "--cvm-memory")
    ssd = units.parse_bytes(args.ssd, "--ssd")
    print(f"{args.desktops} {args.clone_type} clones of a "
          f"{units.format_bytes(base_blocks * block)} base image, "
          f"{units.format_bytes(private_blocks * block)} private each")
    print(f"CVM memory {units.format_bytes(memory)}, rule {args.rule}, "
          f"SSD {units.format_bytes(ssd)}")
    print(f"{'dedup':<7}{'cache':<9}{'memory hit':>11}{'SSD hit':>9}{'miss':>8}{'latency':>11}")
    for dedup in (False, True):
        m = contentcache.content_cache_model(pool, memory, rule=args.rule, ssd_bytes=ssd,
                                             dedup=dedup)
        h = m.hits
        print(f"{'on' if dedup else 'off':<7}{m.cache:<9}{float(h.memory_hit_ratio):>11.3f}"
              f"{float(h.ssd_hit_ratio):>9.3f}{float(h.miss_ratio):>8.3f}"
              f"{units.format_duration(float(m.mean_read_latency_s)):>11}")
    return 0


def _rpo(args) -> int:
    from . import replication, units

    link = replication.Link(bandwidth_bps=units.parse_bitrate(args.bandwidth, "--bandwidth"))
    interval = units.parse_duration(args.interval, "--interval")
    res = replication.async_rpo(interval, args.desktops, link=link, mode=args.mode)
    print(f"{args.mode} replication of {args.desktops} desktops every "
          f"{units.format_duration(interval)} over {args.bandwidth}")
    if bool(res.fallback):
        print(f"  near-sync cannot keep up: falls back to snapshots every "
              f"{units.format_duration(float(res.interval_s))}")
    print(f"  delta per snapshot  {units.format_bytes(float(res.delta_bytes))}")
    print(f"  transfer time       {units.format_duration(float(res.transfer_s))}")
    if not bool(res.stable):
        print("  unstable: a transfer takes longer than the interval, the backlog grows "
              "without bound")
        return 0
    print(f"  worst data loss     {units.format_duration(float(res.worst_loss_s))}")
    print(f"  mean data loss      {units.format_duration(float(res.mean_loss_s))}")
    if args.target:
        target = units.parse_duration(args.target, "--target")
        need = replication.required_bandwidth(target, interval, args.desktops, link=link)
        verdict = "met" if bool(res.meets(target)) else "missed"
        print(f"  RPO {units.format_duration(target)}: {verdict}; bandwidth needed "
              f"{float(need) / 1e6:.1f} Mbit/s")
    return 0


def _rto(args) -> int:
    from . import replication, units

    res = replication.rto(args.desktops, args.parallelism, planned=args.planned)
    kind = "planned failover" if args.planned else "unplanned failover"
    print(f"{kind} of {args.desktops} desktops, {args.parallelism} powered on at a time")
    for phase in replication.PHASES:
        print(f"  {phase[:-2].replace('_', ' '):<14}{units.format_duration(float(getattr(res, phase))):>12}")
    print(f"  {'total (RTO)':<14}{units.format_duration(float(res.total_s)):>12}")
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

    w = sub.add_parser("warmup", help="Shadow Clone warm-up: bytes and time")
    w.add_argument("--nodes", type=int, default=8, help="nodes in the cluster")
    w.add_argument("--desktops", type=int, default=400, help="desktops in the pool")
    w.add_argument("--phase", choices=("boot", "steady"), default="boot")
    w.add_argument("--source", choices=("single", "map"), default="single",
                   help="fetch from the owner CVM only, or from any node holding the block")
    w.add_argument("--link", default="10 Gbit/s", help="per-node link bandwidth")
    w.set_defaults(run=_warmup)

    c = sub.add_parser("cache", help="Content Cache with and without dedup")
    c.add_argument("--desktops", type=int, default=100, help="clones in the pool")
    c.add_argument("--clone-type", choices=("linked", "full"), default="full")
    c.add_argument("--cvm-memory", default="24 GiB", help="memory of the CVM")
    c.add_argument("--rule", choices=("nos35", "unified"), default="nos35",
                   help="cache-sizing rule")
    c.add_argument("--ssd", default="0 B", help="SSD share for the multi-touch pool")
    c.add_argument("--base-image", default="10 GiB",
                   help="read part of the base (replica) image (default 10 GiB, the used part "
                        "of a typical 25-40 GB replica)")
    c.add_argument("--private", default="1 GiB",
                   help="private data each desktop reads (profile, page file, own data); "
                        "the default 1 GiB is an assumption, not a measurement; 0 sends "
                        "every read to the base image")
    c.set_defaults(run=_cache)

    r = sub.add_parser("rpo", help="data loss of a replication schedule")
    r.add_argument("--interval", default="1 h", help="snapshot interval")
    r.add_argument("--desktops", type=int, default=50, help="desktops in the protection domain")
    r.add_argument("--bandwidth", default="100 Mbit/s", help="WAN bandwidth")
    r.add_argument("--mode", choices=("async", "nearsync"), default="async")
    r.add_argument("--target", default=None, help="RPO target, e.g. '2 h'")
    r.set_defaults(run=_rpo)

    t = sub.add_parser("rto", help="time to recover a pool")
    t.add_argument("--desktops", type=int, default=1000, help="desktops to recover")
    t.add_argument("--parallelism", type=int, default=20, help="desktops powered on at once")
    t.add_argument("--planned", action="store_true", help="planned failover (final sync)")
    t.set_defaults(run=_rto)

    from .sizing.cli import add_parsers as _sizing_parsers  # `size` and `example`
    _sizing_parsers(sub)
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
