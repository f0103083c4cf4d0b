"""``hcimodel defaults``: every default of the models, with its published source."""

from __future__ import annotations

from ._base import emit


def add_parser(sub):
    p = sub.add_parser(
        "defaults", help="every model default with its value, unit and source",
        description="Every numeric default of the domain models, read from the code, with "
                    "the published figure it comes from or the word 'assumed' (and the "
                    "range the notebooks show). The whitepaper prints the same table.")
    p.add_argument("--assumed", action="store_true",
                   help="list only the defaults that are assumptions")
    p.add_argument("--grep", metavar="TEXT", default=None,
                   help="list only defaults whose name contains TEXT (case-insensitive)")
    return p


def run(args) -> int:
    from ..defaults import defaults_table

    table = defaults_table()
    rows = [r for r in table.iter_rows(named=True)
            if (not args.assumed or r["status"] == "assumed")
            and (args.grep is None or args.grep.lower() in r["parameter"].lower())]

    def text():
        for r in rows:
            yield f"{r['parameter']} = {r['value']:g} {r['unit'] if r['unit'] != '1' else ''}".rstrip()
            yield f"    {r['status']}: {r['source']}"
        yield f"{len(rows)} defaults ({sum(r['status'] == 'assumed' for r in rows)} assumed)"

    emit(args, rows, text)
    return 0
