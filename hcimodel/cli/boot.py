"""``hcimodel boot``: boot-storm duration versus pool size, per clone strategy."""

from __future__ import annotations

from ._base import UsageError, count, emit, fmt_count, size
from .hotspot import STRATEGIES, add_cluster_options, cluster_from

OPTIONS = {"n_desktops": "--desktops", "n_nodes": "--nodes", "cvm_iops": "--cvm-iops",
           "rtt_s": "--rtt", "link_bps": "--link", "boot_read_bytes": "--boot-read"}


def add_parser(sub):
    p = sub.add_parser(
        "boot", help="boot storm: time to boot a pool, per clone strategy",
        description="Time until every desktop of a pool booting at once has read its boot "
                    "data, for linked clones (replica on one CVM), Shadow Clones and full "
                    "clones, from a closed queueing network (multiclass MVA).")
    p.add_argument("--desktops", type=count(1, 100_000), nargs="+",
                   default=[100, 200, 400, 800, 1600], metavar="N",
                   help="pool sizes, desktops booting at once (default: 100 200 400 800 1600)")
    add_cluster_options(p)
    p.add_argument("--strategy", choices=(*STRATEGIES, "all"), default="all",
                   help="clone strategy")
    p.add_argument("--boot-read", type=size("420 MB", low="1 MB", high="1 TB"), default="420 MB",
                   metavar="SIZE",
                   help="data each desktop reads to boot (hIOmon trace)")
    return p


def run(args) -> int:
    from .. import hotspot, units, workload

    boot = workload.profile("boot")
    if args.cvm_iops <= boot.iops:
        raise UsageError(f"--cvm-iops must be above {boot.iops:.0f}, the I/Os per second of one "
                         f"booting desktop (got {args.cvm_iops:g})")
    cluster = cluster_from(args)
    sizes = sorted(set(args.desktops))
    strategies = hotspot.STRATEGIES if args.strategy == "all" else (args.strategy,)
    rows = []
    for strategy in strategies:
        res = hotspot.boot_storm(sizes, strategy=strategy, cluster=cluster,
                                 boot_read_bytes=args.boot_read)
        for i, n in enumerate(sizes):
            rows.append({
                "strategy": strategy, "n_desktops": n, "n_nodes": args.nodes,
                "duration_s": float(res.duration_s[i]),
                "mean_completion_s": float(res.mean_completion_s[i]),
                "throughput_iops": float(res.throughput_iops[i]),
                "io_latency_s": float(res.io_latency_s[i]),
                "max_cvm_utilization": float(res.cvm_utilization[i].max()),
            })

    def text():
        yield (f"boot storm on {args.nodes} nodes ({args.cvm_iops:g} IOPS per CVM), "
               f"{units.format_bytes(args.boot_read)} read per desktop; time until the last "
               "desktop has booted")
        yield f"{'desktops':>10}" + "".join(f"{s:>16}" for s in strategies)
        for n in sizes:
            cells = "".join(f"{units.format_duration(r['duration_s']):>16}" for r in rows
                            if r["n_desktops"] == n)
            yield f"{fmt_count(n):>10}{cells}"

    emit(args, rows, text)
    return 0
