"""``hcimodel rpo``: data loss of an async or near-sync replication schedule."""

from __future__ import annotations

import math

from ._base import UsageError, bitrate, count, duration, emit, fmt_count

OPTIONS = {"n_desktops": "--desktops", "interval_s": "--interval",
           "bandwidth_bps": "--bandwidth", "target_rpo_s": "--target", "rpo_s": "--target"}

#: Default snapshot interval per mode: async at its shortest (1 h, AOS 4.x),
#: near-sync at its longest (15 min).
DEFAULT_INTERVAL = {"async": "1 h", "nearsync": "15 min"}


def add_parser(sub):
    p = sub.add_parser(
        "rpo", help="data loss of a replication schedule (RPO)",
        description="Worst and mean data loss of a protection domain replicated on a "
                    "schedule: async (snapshots 1 h or more apart) or near-sync (1 to 15 "
                    "min). With --target, says whether the schedule meets that RPO and "
                    "what bandwidth or interval would.")
    p.add_argument("--mode", choices=("async", "nearsync"), default="async",
                   help="replication mode")
    p.add_argument("--interval", type=duration("1 h", high="30 d"), default=None, metavar="TIME",
                   help="snapshot interval (default 1 h for async, 15 min for nearsync)")
    p.add_argument("--desktops", type=count(1, 10_000), default=50, metavar="N",
                   help="desktops in the protection domain (guideline: at most 50)")
    p.add_argument("--bandwidth", type=bitrate("100 Mbit/s"), default="100 Mbit/s",
                   metavar="RATE",
                   help="WAN bandwidth")
    p.add_argument("--target", type=duration("2 h", high="365 d"), default=None, metavar="TIME",
                   help="RPO target: the most data loss allowed, e.g. '2 h'")
    return p


def format_bitrate(bps: float) -> str:
    """'1.25 Gbit/s', '42.0 Mbit/s', '0.5 kbit/s'."""
    if not math.isfinite(bps):
        return "unbounded"
    for unit, scale in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if bps >= scale or unit == "kbit/s":
            return f"{bps / scale:.{2 if unit == 'Gbit/s' else 1}f} {unit}"
    raise AssertionError("unreachable")


def _interval(args, limits) -> float:
    """The snapshot interval, checked against the mode with advice on the right mode."""
    from .. import units

    interval = (args.interval if args.interval is not None
                else units.parse_duration(DEFAULT_INTERVAL[args.mode]))
    (a_lo, _), (n_lo, n_hi) = limits["async"], limits["nearsync"]
    text = units.format_duration(interval)
    if interval < n_lo:
        raise UsageError(f"--interval {text}: the shortest snapshot interval is "
                         f"{units.format_duration(n_lo)} (--mode nearsync); for no data loss at "
                         "all use synchronous replication (Metro Availability)")
    if args.mode == "async" and interval < a_lo:
        if interval <= n_hi:
            raise UsageError(f"--interval {text} is shorter than async allows "
                             f"({units.format_duration(a_lo)} or more); intervals of "
                             f"{units.format_duration(n_lo)} to {units.format_duration(n_hi)} "
                             "are near-sync: add --mode nearsync")
        raise UsageError(f"--interval {text} falls between the modes: async snapshots are "
                         f"{units.format_duration(a_lo)} or more apart, near-sync ones "
                         f"{units.format_duration(n_lo)} to {units.format_duration(n_hi)}; "
                         f"use --interval '1 h', or --mode nearsync with --interval '15 min'")
    if args.mode == "nearsync" and interval > n_hi:
        advice = ("use --mode async" if interval >= a_lo else
                  "use --interval '15 min', or --mode async with --interval '1 h'")
        raise UsageError(f"--interval {text} is longer than near-sync allows "
                         f"({units.format_duration(n_lo)} to {units.format_duration(n_hi)}); "
                         f"{advice}")
    return interval


def _cheapest_schedule(target: float, n: int, sites, replication):
    """(mode, interval, bandwidth) needing the least bandwidth to meet ``target``, or None."""
    (a_lo, _), (n_lo, n_hi) = (replication.MODE_INTERVAL_S[m] for m in ("async", "nearsync"))
    best = None
    for mode, interval in (("async", max(a_lo, target / 2)),
                           ("nearsync", min(max(n_lo, target / 2), n_hi))):
        bw = float(replication.required_bandwidth(target, interval, n, sites=sites))
        if math.isfinite(bw) and (best is None or bw < best[2]):
            best = (mode, interval, bw)
    return best


def run(args) -> int:
    from .. import replication, units
    from ..cluster import SitePair

    interval = _interval(args, replication.MODE_INTERVAL_S)
    sites = SitePair(bandwidth_bps=args.bandwidth)
    res = replication.async_rpo(interval, args.desktops, sites=sites, mode=args.mode)
    stable, fallback = bool(res.stable), bool(res.fallback)
    # bandwidth at which a transfer takes exactly the interval (stability boundary)
    keep_up = float(replication.required_bandwidth(2 * interval, interval, args.desktops,
                                                   sites=sites))
    row = {"mode": args.mode, "n_desktops": args.desktops, "bandwidth_bps": args.bandwidth,
           "requested_interval_s": interval, "fallback": fallback,
           "interval_s": float(res.interval_s), "delta_bytes": float(res.delta_bytes),
           "transfer_s": float(res.transfer_s), "utilization": float(res.utilization),
           "stable": stable, "worst_loss_s": float(res.worst_loss_s),
           "mean_loss_s": float(res.mean_loss_s), "keep_up_bandwidth_bps": keep_up,
           "target_s": args.target}
    advice = []
    if args.target is not None:
        t = args.target
        met = bool(res.meets(t))
        need = float(replication.required_bandwidth(t, interval, args.desktops, sites=sites))
        best = _cheapest_schedule(t, args.desktops, sites, replication)
        row.update(target_met=met, needed_bandwidth_bps=need,
                   suggested_mode=best and best[0], suggested_interval_s=best and best[1],
                   suggested_bandwidth_bps=best and best[2])
        goal = f"RPO {units.format_duration(t)}"
        if met:
            advice.append(f"  {goal}: met (needs at least {format_bitrate(need)} at this "
                          "interval)")
        elif math.isfinite(need):
            advice.append(f"  {goal}: missed; at this interval it needs "
                          f"{format_bitrate(need)} (have {format_bitrate(args.bandwidth)})")
        else:
            advice.append(f"  {goal}: missed; an interval of {units.format_duration(interval)} "
                          "alone leaves no time for the transfer")
        if not met and best is not None and not (math.isfinite(need) and need <= best[2]):
            advice.append(f"  to meet it: --mode {best[0]} --interval "
                          f"'{units.format_duration(best[1])}' with at least "
                          f"{format_bitrate(best[2])}")
        elif not met and best is None:
            advice.append(f"  no periodic schedule meets an RPO of {units.format_duration(t)} "
                          "(snapshots are at least 1 min apart): use synchronous replication "
                          "(Metro Availability)")

    def text():
        yield (f"{args.mode} replication of {fmt_count(args.desktops)} desktops every "
               f"{units.format_duration(interval)} over {format_bitrate(args.bandwidth)}")
        if fallback:
            yield (f"  near-sync cannot keep up below {format_bitrate(keep_up)}: it falls back "
                   f"to snapshots every {units.format_duration(row['interval_s'])}")
        yield f"  delta per snapshot  {units.format_bytes(row['delta_bytes'])}"
        yield f"  transfer time       {units.format_duration(row['transfer_s'])}"
        if stable:
            yield f"  worst data loss     {units.format_duration(row['worst_loss_s'])}"
            yield f"  mean data loss      {units.format_duration(row['mean_loss_s'])}"
        else:
            need_now = float(replication.required_bandwidth(
                2 * row["interval_s"], row["interval_s"], args.desktops, sites=sites))
            yield (f"  unstable: a transfer takes longer than the interval (utilization "
                   f"{row['utilization']:.3g}), so the backlog and the data loss grow without "
                   f"bound; it needs more than {format_bitrate(need_now)} to keep up")
        yield from advice

    emit(args, [row], text)
    return 0
