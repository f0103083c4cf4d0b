"""``hcimodel rto``: time to recover a pool at the recovery site, phase by phase."""

from __future__ import annotations

import re

from ._base import count, emit, fmt_count

OPTIONS = {"n_desktops": "--desktops", "power_on_parallelism": "--parallelism"}



def _label(phase: str) -> str:
    """'power_on_s' -> 'power on'."""
    return phase[:-2].replace("_", " ")


def add_parser(sub):
    p = sub.add_parser(
        "rto", help="time to recover a pool at the recovery site (RTO)",
        description="Time from a failure until every desktop of a pool is usable at the "
                    "recovery site: detection, decision, activation of the protection "
                    "domains, the infrastructure services (directory, broker database, "
                    "vCenter, connection servers), registration and power-on, the boot "
                    "storm (on Shadow Clones), the agents ready. "
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
    phases = [k for k in replication.PHASES if k not in skip]  # in time order
    row = {"n_desktops": args.desktops, "parallelism": args.parallelism,
           "planned": bool(args.planned),
           **{k: float(getattr(res, k)) for k in phases}, "total_s": float(res.total_s)}
    notes = []
    for note in res.notes:
        for k in replication.PHASES:
            note = re.sub(rf"\b{k}\b", _label(k), note)
        notes.append(note)

    def text():
        kind = "planned failover" if args.planned else "unplanned failover"
        yield (f"{kind} of {fmt_count(args.desktops)} desktops, {fmt_count(args.parallelism)} "
               "powered on at a time")
        for k in phases:
            yield f"  {_label(k):<16}{units.format_duration(row[k]):>12}"
        yield f"  {'total (RTO)':<16}{units.format_duration(row['total_s']):>12}"
        for note in notes:
            yield f"note: {note}"

    emit(args, [row], text)
    return 0
