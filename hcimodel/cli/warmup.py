"""``hcimodel warmup``: bytes and time of a Shadow Clone warm-up."""

from __future__ import annotations

from ._base import bitrate, count, emit, fmt_count
from .hotspot import MAX_NODES

OPTIONS = {"n_desktops": "--desktops", "n_nodes": "--nodes", "link_bps": "--link"}


def add_parser(sub):
    p = sub.add_parser(
        "warmup", help="Shadow Clone warm-up: bytes fetched and time",
        description="Bytes each node fetches and the time until every node holds its own "
                    "copy of the replica, after a recompose (boot) or in steady state. "
                    "Shadow Clones start only when more than two remote CVMs read the "
                    "replica, so clusters of fewer than 4 nodes never warm up.")
    p.add_argument("--nodes", type=count(1, MAX_NODES), default=8, metavar="N",
                   help="nodes in the cluster")
    p.add_argument("--desktops", type=count(1, 1_000_000), default=400, metavar="N",
                   help="desktops in the pool")
    p.add_argument("--phase", choices=("boot", "steady"), default="boot",
                   help="warm-up during the first boot storm, or in steady state")
    p.add_argument("--source", choices=("single", "map"), default="single",
                   help="fetch from the owner CVM only, or from any node holding the block")
    p.add_argument("--link", type=bitrate("10 Gbit/s"), default="10 Gbit/s", metavar="RATE",
                   help="network link of each node")
    return p


FIELDS = ("detection_delay_s", "bytes_per_node", "total_bytes", "remote_read_bytes", "time_s",
          "fetch_latency_s", "link_utilization")


def run(args) -> int:
    from .. import shadowclone, units
    from ..cluster import Cluster

    res = shadowclone.warmup(args.desktops, Cluster(args.nodes, link_bps=args.link),
                             phase=args.phase, source=args.source)
    row = {"phase": args.phase, "source": args.source, "n_nodes": args.nodes,
           "n_desktops": args.desktops, "detected": bool(res.detected),
           **{f: float(getattr(res, f)) for f in FIELDS}, "stable": bool(res.stable)}

    def text():
        yield (f"Shadow Clone warm-up, {args.phase}: {fmt_count(args.desktops)} desktops on "
               f"{args.nodes} nodes, fetches from "
               f"{'the owner CVM' if args.source == 'single' else 'any holder (map)'}")
        if args.nodes == 1:
            yield "  one node: the replica is local, nothing to fetch"
            return
        if not row["detected"]:
            yield ("  never detected: reads come from at most two remote CVMs, so the replica "
                   "stays remote (the hot spot); Shadow Clones need 4 nodes or more")
            return
        yield f"  detection delay      {units.format_duration(row['detection_delay_s'])}"
        yield f"  fetched per node     {units.format_bytes(row['bytes_per_node'])}"
        yield f"  fetched in total     {units.format_bytes(row['total_bytes'])}"
        yield f"  remote reads before  {units.format_bytes(row['remote_read_bytes'])}"
        yield f"  time to warm up      {units.format_duration(row['time_s'])}"
        yield f"  first-read latency   {units.format_duration(row['fetch_latency_s'])}"
        if not row["stable"]:
            yield (f"  the link is the bottleneck: fetches offer it {row['link_utilization']:.3g} "
                   "of its capacity, so the link, not the reads, sets the pace")

    emit(args, [row], text)
    return 0
