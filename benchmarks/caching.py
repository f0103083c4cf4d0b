"""Time hcimodel's LRU replay and miss-ratio curve against libcachesim.

On the real CloudPhysics vSCSI trace, cut into 4 KiB block keys (all requests):

* requests/s of :func:`hcimodel.simulate.lru_hits` (dense-id remap included)
  beside libcachesim's LRU and SLRU replaying the same keys through its C
  loop (``process_trace`` over an oracleGeneral file, the fastest path it has);
* the time of one :func:`hcimodel.simulate.miss_ratio_curve` (every capacity)
  against libcachesim replaying 10 capacities.

Targets: LRU replay at least as fast as libcachesim's; the one-pass curve at
least 5x faster than the 10 replays. Run ``python benchmarks/caching.py``
(``--quick`` for fewer repetitions and the read requests only). Building a
libcachesim cache (its hash table) is left out of its time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def best_of(fn, repeat, setup=None):
    """Best wall time of ``fn(setup())`` over ``repeat`` runs after a warm-up;
    ``setup`` (e.g. building a cache) is not timed."""
    setup = setup or (lambda: None)
    fn(setup())  # warm-up (numba cache load, file pages)
    times = []
    for _ in range(repeat):
        arg = setup()
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="reads only, one repetition")
    args = ap.parse_args(argv)

    import libcachesim as lcs

    from hcimodel.simulate import lru_hits, miss_ratio_curve
    from hcimodel.traces import block_keys, data_path, read_vscsi

    repeat = 1 if args.quick else 3
    df = read_vscsi(data_path("cloudPhysicsIO.vscsi"))
    keys = block_keys(df, 4096, ops="read" if args.quick else None)
    n = keys.size
    n_distinct = np.unique(keys).size
    print(f"trace: {df.height} requests -> {n} block keys ({n_distinct} distinct), "
          f"{'reads' if args.quick else 'all ops'}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keys.oracleGeneral"
        rec = np.dtype([("t", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")])
        a = np.zeros(n, rec)
        a["t"] = np.arange(n) // 1000
        a["id"] = keys
        a["size"] = 1
        a["next"] = -1
        a.tofile(path)
        reader = lcs.TraceReader(trace=str(path), trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE)

        print("\nLRU replay, requests/s (capacity in 4 KiB blocks)")
        print(f"{'capacity':>9} {'hcimodel':>12} {'lcs LRU':>12} {'lcs SLRU':>12} {'ratio':>7}")
        ratios = []
        for cap in (1_000, 20_000, 100_000):
            t_ours = best_of(lambda _: lru_hits(keys, cap), repeat)
            t_lru = best_of(lambda c: c.process_trace(reader), repeat, lambda: lcs.LRU(cap))
            t_slru = best_of(lambda c: c.process_trace(reader), repeat, lambda: lcs.SLRU(cap))
            ours_miss = np.count_nonzero(~lru_hits(keys, cap))
            lcs_miss = round(lcs.LRU(cap).process_trace(reader)[0] * n)
            assert ours_miss == lcs_miss, (cap, ours_miss, lcs_miss)
            ratios.append(t_lru / t_ours)
            print(f"{cap:>9} {n / t_ours:>12,.0f} {n / t_lru:>12,.0f} {n / t_slru:>12,.0f} "
                  f"{t_lru / t_ours:>6.1f}x")

        caps = np.unique(np.geomspace(100, n_distinct, 10).astype(np.int64))
        t_mrc = best_of(lambda _: miss_ratio_curve(keys), repeat)

        def ten_caches():
            return [lcs.LRU(int(c)) for c in caps]

        def ten_replays(caches):
            return [cache.process_trace(reader)[0] for cache in caches]

        t_ten = best_of(ten_replays, 1, ten_caches)
        curve = miss_ratio_curve(keys)
        theirs = ten_replays(ten_caches())
        worst = max(abs(curve.at(c) - m) for c, m in zip(caps, theirs))
        print(f"\nmiss-ratio curve: hcimodel one pass ({curve.capacity.size:,} capacities) "
              f"{t_mrc:.3f} s; libcachesim {len(caps)} replays {t_ten:.3f} s; "
              f"ratio {t_ten / t_mrc:.1f}x (largest gap {worst:.1e})")
        t_sh = best_of(lambda _: miss_ratio_curve(keys, sampling_rate=0.1), repeat)
        print(f"SHARDS R=0.1 curve: {t_sh:.3f} s")
        print(f"\nLRU replay vs libcachesim: {min(ratios):.1f}x to {max(ratios):.1f}x "
              "(target >= 1x)")
        print(f"one-pass curve vs 10 replays: {t_ten / t_mrc:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
