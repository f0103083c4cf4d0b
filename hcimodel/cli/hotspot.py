"""``hcimodel hotspot``: the replica hot spot of one pool, for the three clone strategies."""

from __future__ import annotations

import argparse

from ._base import bitrate, count, duration, emit, fmt_count, fmt_num, number, size

#: Clone strategies of :data:`hcimodel.hotspot.STRATEGIES` (kept here so that
#: ``--help`` needs no numpy; a test checks they agree).
STRATEGIES = ("linked_clones", "shadow_clones", "full_clones")
#: Steady-state profiles of :data:`hcimodel.workload.PROFILES` (all but ``boot``).
STEADY_PROFILES = ("login", "task", "knowledge", "power")

MAX_NODES = 128
OPTIONS = {"n_desktops": "--desktops", "n_nodes": "--nodes", "cvm_iops": "--cvm-iops",
           "rtt_s": "--rtt", "link_bps": "--link", "latency_target_s": "--target-ms",
           "cores": "--cores", "memory_bytes": "--host-memory",
           "desktop_memory_bytes": "--desktop-memory", "cvm_memory_bytes": "the CVM's memory"}


def profile_name(text: str) -> str:
    if text == "boot":
        raise argparse.ArgumentTypeError(
            "the boot storm is not a steady state; use 'hcimodel boot' for it")
    if text not in STEADY_PROFILES:
        raise argparse.ArgumentTypeError(
            f"unknown profile {text!r}; choose from {', '.join(STEADY_PROFILES)}")
    return text


def add_cluster_options(p, nodes: int = 4) -> None:
    """--nodes, --cvm-iops, --rtt, --link: the cluster of :class:`hcimodel.cluster.Cluster`."""
    p.add_argument("--nodes", type=count(1, MAX_NODES), default=nodes, metavar="N",
                   help="nodes in the cluster, one CVM each")
    p.add_argument("--cvm-iops", type=number(100, 1e7, low_inclusive=True), default="25000",
                   metavar="IOPS", help="I/Os per second one CVM serves")
    p.add_argument("--rtt", type=duration("0.2 ms", allow_zero=True, high="1 s"), default="0.2 ms",
                   metavar="TIME",
                   help="network round trip between two CVMs")
    p.add_argument("--link", type=bitrate("10 Gbit/s"), default="10 Gbit/s", metavar="RATE",
                   help="network link of each node")


def cluster_from(args):
    from ..cluster import Cluster
    return Cluster(n_nodes=args.nodes, cvm_iops=args.cvm_iops, rtt_s=args.rtt,
                   link_bps=args.link)


def add_parser(sub):
    p = sub.add_parser(
        "hotspot", help="replica hot spot of one pool (steady state)",
        description="Read latency and CVM utilization of one pool in steady state, for "
                    "linked clones (replica on one CVM), Shadow Clones and full clones, "
                    "with the largest pool that keeps the p95 read latency within a "
                    "target and the largest pool that is stable at all.")
    p.add_argument("--desktops", type=count(1, 1_000_000), default=800, metavar="N",
                   help="desktops in the pool, spread evenly over the nodes")
    add_cluster_options(p)
    p.add_argument("--profile", type=profile_name, default="login", metavar="NAME",
                   help=f"workload profile: {', '.join(STEADY_PROFILES)}")
    p.add_argument("--target-ms", type=number(0.001, 60_000, low_inclusive=True), default="2",
                   metavar="MS", help="p95 read latency target, in milliseconds")
    p.add_argument("--cores", type=count(1, 1024), default=16, metavar="N",
                   help="physical cores per node (the host's CPU limit)")
    p.add_argument("--host-memory", type=size("256 GiB", low="32 GiB", high="64 TiB"),
                   default="256 GiB", metavar="SIZE",
                   help="memory per node, 24 GiB of it for the CVM (host memory limit)")
    p.add_argument("--desktop-memory", type=size("2 GiB", low="256 MiB", high="1 TiB"),
                   default="2 GiB", metavar="SIZE", help="memory of one desktop")
    return p


def largest_stable_pool(workload, strategy: str, cluster, upper: int = 10**7) -> int:
    """Largest N with every CVM's utilization below 1 (utilization is linear in N)."""
    import math

    from .. import hotspot

    def stable(n: int) -> bool:
        return n <= 0 or bool(hotspot.steady_state(n, workload, strategy, cluster).stable[0])

    u1 = float(hotspot.steady_state(1, workload, strategy, cluster).max_utilization[0])
    n = min(upper, max(0, math.ceil(1.0 / u1) - 1))
    while n > 0 and not stable(n):
        n -= 1
    while n < upper and stable(n + 1):
        n += 1
    return n


def _pool_columns(pool) -> dict:
    """The limits of :func:`hcimodel.hotspot.max_pool_size` as record fields."""
    return {"max_pool": int(pool), "binding": pool.binding, "max_pool_storage": pool.storage,
            "max_pool_cpu": pool.cpu, "max_pool_memory": pool.memory}


def run(args) -> int:
    from .. import hotspot, workload

    cluster = cluster_from(args)
    host = hotspot.Host(cores=args.cores, memory_bytes=args.host_memory,
                        desktop_memory_bytes=args.desktop_memory)
    prof = workload.profile(args.profile)
    group = "other_nodes" if args.nodes > 1 else "replica_node"
    target_s = args.target_ms * 1e-3
    rows = []
    for strategy in hotspot.STRATEGIES:
        res = hotspot.steady_state(args.desktops, prof, strategy, cluster)
        lat = {s: float(res.read_latency[group][s][0]) for s in ("mean", "p95", "p99")}
        rows.append({
            "strategy": strategy, "n_desktops": args.desktops, "n_nodes": args.nodes,
            "profile": prof.name, "max_cvm_utilization": float(res.max_utilization[0]),
            "stable": bool(res.stable[0]),
            **{f"{s}_read_latency_s": v for s, v in lat.items()},
            "latency_target_s": target_s,
            **_pool_columns(hotspot.max_pool_size(target_s, prof, strategy, cluster,
                                                  host=host, group=group)),
            "max_stable_pool": largest_stable_pool(prof, strategy, cluster),
        })

    def text():
        where = "on the other nodes" if args.nodes > 1 else "on the one node"
        yield (f"{fmt_count(args.desktops)} desktops on {args.nodes} nodes, {prof.name} profile "
               f"({prof.iops:.1f} IOPS per desktop, {prof.replica_io_fraction:.0%} of I/Os "
               f"to the replica); read latency of desktops {where}")
        yield (f"{'strategy':<15}{'max CVM util':>13}{'mean ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
               f"{'max pool':>11}{'binds':>9}{'stable to':>11}")
        for r in rows:
            if r["stable"]:
                ms = "".join(fmt_num(1e3 * r[f"{s}_read_latency_s"])
                             for s in ("mean", "p95", "p99"))
            else:
                ms = f"{'unstable':>30}"
            yield (f"{r['strategy']:<15}{fmt_num(r['max_cvm_utilization'], 13)}{ms}"
                   f"{fmt_count(r['max_pool']):>11}{r['binding']:>9}"
                   f"{fmt_count(r['max_stable_pool']):>11}")
        first = rows[0]
        yield (f"max pool: the smallest of the storage limit (p95 read latency within "
               f"{args.target_ms:g} ms: "
               + ", ".join(f"{fmt_count(r['max_pool_storage'])} {r['strategy'].split('_')[0]}"
                           for r in rows)
               + f"), CPU ({fmt_count(first['max_pool_cpu'])}) and memory "
               f"({fmt_count(first['max_pool_memory'])}) of {args.nodes} hosts; stable to: "
               "largest pool whose CVMs keep up (utilization below 1)")
        for r in rows:
            if not r["stable"]:
                yield (f"{r['strategy']} is unstable at {fmt_count(args.desktops)} desktops: its "
                       f"busiest CVM would run at utilization {r['max_cvm_utilization']:.3g} "
                       f"(1 or more: the queue grows without bound); the largest stable pool is "
                       f"{fmt_count(r['max_stable_pool'])} desktops, and "
                       f"{fmt_count(r['max_pool_storage'])} keep p95 within "
                       f"{args.target_ms:g} ms")

    emit(args, rows, text)
    return 0
