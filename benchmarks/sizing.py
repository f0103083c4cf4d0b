"""Time of `hcimodel size` on the built-in example, and of 10,000 uncertainty draws.

Targets (printed, not asserted): the example in under 2 s in a warm process; the
Monte Carlo of 10,000 draws of its uncertain inputs in under 10 s on one core.
Wall time and the CPU time of this process are both printed (on a shared
machine the CPU time is the fairer figure). Run ``python benchmarks/sizing.py``
(``--quick`` for 2,000 draws).
"""

from __future__ import annotations

import argparse
import os
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one core


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 draws instead of 10,000")
    args = ap.parse_args(argv)
    draws = 2_000 if args.quick else 10_000

    from hcimodel import sizing
    from hcimodel.sizing.api import draw_inputs
    from hcimodel.sizing.core import Engine, Inputs

    scenario = sizing.example_scenario()
    _, w, c = _timed(lambda: sizing.size(scenario))
    print(f"example, cold process: {w:.2f} s wall, {c:.2f} s CPU")
    res, w, c = _timed(lambda: sizing.size(scenario))
    print(f"example, warm process (1,000 draws, tornado, largest pool): {w:.2f} s wall, "
          f"{c:.2f} s CPU (target < 2 s)")
    print(f"  nodes: " + ", ".join(f"{s.strategy} {s.nodes:g}" for s in res.strategies))

    import numpy as np

    def monte_carlo():
        engine = Engine(scenario)
        inp = Inputs(scenario, draw_inputs(scenario, draws, np.random.default_rng(0)), draws)
        return {s: engine.nodes(inp, s, exact=False)["nodes"] for s in scenario.strategies()}
    need, w, c = _timed(monte_carlo)
    print(f"{draws:,} draws of {len(scenario.uncertain())} uncertain inputs, "
          f"{len(need)} strategies: {w:.2f} s wall, {c:.2f} s CPU (target < 10 s)")
    for s, n in need.items():
        print(f"  {s}: nodes needed p10/p50/p90 = "
              + "/".join(f"{np.quantile(n, q):g}" for q in (0.1, 0.5, 0.9)))


if __name__ == "__main__":
    main()
