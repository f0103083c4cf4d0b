"""hcimodel's LRU replay and miss-ratio curve against libcachesim, and Che's solve.

On the real CloudPhysics vSCSI trace cut into 4 KiB block keys (reads only with
``--quick``), like with like, setup included on both sides:

* :func:`hcimodel.simulate.lru_hits` (one whole call, dense-id remap included)
  against libcachesim 0.3.5 ``LRU`` (cache construction, reader and
  ``process_trace`` over an oracleGeneral file of the same keys), once with
  libcachesim's default hash table (``hashpower=24``: 2**24 buckets, allocated
  and cleared on every construction) and once with a table sized for the trace
  (``2**ceil(log2(distinct keys))`` buckets); the miss counts are checked equal;
* one :func:`hcimodel.simulate.miss_ratio_curve` (every capacity) against
  libcachesim replaying 10 capacities (sized tables);
* :func:`hcimodel.caching.che_lru` at 64 capacities on Zipf catalogs (no peer).

Times are medians of interleaved runs with the load average beside them. Run
``python benchmarks/caching.py [--quick]``; the trace is found through
``HCIMODEL_DATA`` (see :func:`hcimodel.traces.data_path`).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, row  # noqa: E402


def _write_oracle(keys, path):
    rec = np.dtype([("t", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")])
    a = np.zeros(keys.size, rec)
    a["t"] = np.arange(keys.size) // 1000
    a["id"] = keys
    a["size"] = 1
    a["next"] = -1
    a.tofile(path)


def trace_keys(quick: bool):
    """Block keys of the real trace, or None (with the reason) when it is absent."""
    from hcimodel.traces import block_keys, data_path, read_vscsi

    try:
        df = read_vscsi(data_path("cloudPhysicsIO.vscsi"))
    except FileNotFoundError as err:
        return None, str(err)
    return block_keys(df, 4096, ops="read" if quick else None), ""


def collect(quick: bool) -> list[dict]:
    from hcimodel.caching import che_lru, zipf_rates
    from hcimodel.simulate import lru_hits, miss_ratio_curve

    rows = []
    keys, why = trace_keys(quick)
    if keys is None:
        rows.append(row("caching", "LRU replay (real trace absent)", 0, "lru_hits", np.nan,
                        note=why))
    else:
        import libcachesim as lcs

        n = keys.size
        n_distinct = int(np.unique(keys).size)
        hp = max(10, math.ceil(math.log2(n_distinct)))
        repeat = 3
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "keys.oracleGeneral")
            _write_oracle(keys, path)

            def replay(cap, **kw):
                reader = lcs.TraceReader(trace=path,
                                         trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE)
                return lcs.LRU(cap, **kw).process_trace(reader)[0]

            for cap in (1_000, 20_000, 100_000):
                ours_miss = int(np.count_nonzero(~lru_hits(keys, cap)))
                assert ours_miss == round(replay(cap) * n) == round(replay(cap, hashpower=hp) * n)
                t = interleaved({"ours": lambda: lru_hits(keys, cap),
                                 "default": lambda: replay(cap),
                                 "sized": lambda: replay(cap, hashpower=hp)}, repeat)
                case = f"LRU replay, real trace, capacity {cap:,} blocks"
                rows.append(row("caching", case, n, "lru_hits", t["ours"],
                                "libcachesim LRU (hashpower 24)", t["default"],
                                f"{n_distinct:,} distinct keys; identical misses"))
                rows.append(row("caching", case, n, "lru_hits", t["ours"],
                                f"libcachesim LRU (hashpower {hp})", t["sized"],
                                f"{n_distinct:,} distinct keys; identical misses"))
            caps = np.unique(np.geomspace(100, n_distinct, 10).astype(np.int64))
            curve = miss_ratio_curve(keys)
            gap = max(abs(curve.at(c) - replay(int(c), hashpower=hp)) for c in caps)
            t = interleaved({"ours": lambda: miss_ratio_curve(keys),
                             "ten": lambda: [replay(int(c), hashpower=hp) for c in caps]},
                            1 if quick else 2, warm=False)
            rows.append(row("caching", "miss-ratio curve: one pass vs 10 LRU replays", n,
                            "miss_ratio_curve", t["ours"], f"libcachesim 10 x LRU (hashpower {hp})",
                            t["ten"], f"{curve.capacity.size:,} capacities; largest gap {gap:.1e}"))
    for n_items in (131_072, 10_000_000):
        lam = zipf_rates(n_items, 0.8)
        caps = np.geomspace(1, 0.99 * n_items, 64)
        t = interleaved({"che": lambda: che_lru(lam, caps)}, 3)
        rows.append(row("caching", "che_lru, Zipf 0.8 catalog, 64 capacities", n_items, "che_lru",
                        t["che"], note="target < 0.1 s"))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="read requests only, fewer rounds")
    args = ap.parse_args(argv)
    for r in collect(args.quick):
        ratio = f"{r['ratio']:,.1f}x" if np.isfinite(r["ratio"]) else "-"
        print(f"{r['case']:<50} n={r['n']:>10,} ours {r['ours_s']:.4f} s  {r['peer'] or '-'} "
              f"{r['peer_s']:.3f} s  ratio {ratio}  load {r['load']:.1f}  {r['note']}")


if __name__ == "__main__":
    main()
