"""``hcimodel rto``: time to recover a pool at the recovery site, phase by phase."""

from __future__ import annotations

from ._base import count, emit, fmt_count

OPTIONS = {"n_desktops": "--desktops", "power_on_parallelism": "--parallelism"}

#: Phases in the order they happen (a planned failover has no detection or
#: decision; an unplanned one no final sync), with their labels.
TIMELINE = (("detection_s", "detection"), ("decision_s", "decision"),
            ("final_sync_s", "final sync"), ("activation_s", "activation"),
            ("power_on_s", "power-on"), ("boot_s", "boot"), ("ready_s", "ready"))


def add_parser(sub):
    p = sub.add_parser(
        "rto", help="time to recover a pool at the recovery site (RTO)",
        description="Time from a failure until every desktop of a pool is usable at the "
                    "recovery site: detection, decision, activation of the protection "
                    "domains, registration and power-on, the boot storm, the agents ready. "
                    "Phase durations are assumptions (see hcimodel.replication.rto).")
    p.add_argument("--desktops", type=count(1, 100_000), default=1000, metavar="N",
                   help="desktops to recover")
    p.add_argument("--parallelism", type=count(1, 10_000), default=20, metavar="N",
                   help="desktops registered and powered on at a time")
    p.add_argument("--planned", action="store_true",
                   help="planned failover: no detection or decision, a final sync, no data "
                        "loss")
    return p


def run(args) -> int:
    from .. import replication, units

    res = replication.rto(args.desktops, args.parallelism, planned=args.planned)
    skip = {"final_sync_s"} if not args.planned else {"detection_s", "decision_s"}
    phases = [(k, label) for k, label in TIMELINE if k not in skip]
    row = {"n_desktops": args.desktops, "parallelism": args.parallelism,
           "planned": bool(args.planned),
           **{k: float(getattr(res, k)) for k, _ in phases}, "total_s": float(res.total_s)}

    def text():
        kind = "planned failover" if args.planned else "unplanned failover"
        yield (f"{kind} of {fmt_count(args.desktops)} desktops, {fmt_count(args.parallelism)} "
               "powered on at a time")
        for k, label in phases:
            yield f"  {label:<14}{units.format_duration(row[k]):>12}"
        yield f"  {'total (RTO)':<14}{units.format_duration(row['total_s']):>12}"

    emit(args, [row], text)
    return 0
