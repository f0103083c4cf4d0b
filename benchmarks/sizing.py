"""Time of `hcimodel size` on the built-in example, and of 10,000 uncertainty draws.

Targets (printed, not asserted): the example in under 2 s in a warm process; the
Monte Carlo of 10,000 draws of its uncertain inputs in under 10 s on one core.
Wall time and the CPU time of this process are both printed (on a shared
machine the CPU time is the fairer figure). Also printed: the import of the
package and the command end to end (``hcimodel size`` in a new process, a second run,
so numba's cache is warm), and with ``--profile`` the functions that take the
most time in the warm run. Run ``python benchmarks/sizing.py`` (``--quick`` for
2,000 draws).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one core


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def _command() -> tuple[float, float]:
    """Wall and CPU (user + system of the child) seconds of ``hcimodel size``."""
    before = os.times()
    w = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from hcimodel.cli import main; main(['size'])"],
                   check=True,
                   stdout=subprocess.DEVNULL, env=os.environ.copy())
    after = os.times()
    return (time.perf_counter() - w, (after.children_user - before.children_user)
            + (after.children_system - before.children_system))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 draws instead of 10,000")
    ap.add_argument("--profile", action="store_true", help="cProfile the warm run")
    args = ap.parse_args(argv)
    draws = 2_000 if args.quick else 10_000

    _, w, c = _timed(lambda: __import__("hcimodel.sizing.api"))
    print(f"import hcimodel.sizing.api: {w:.2f} s wall, {c:.2f} s CPU")
    from hcimodel import sizing
    from hcimodel.sizing.uncertainty import draw_inputs
    from hcimodel.sizing.core import Engine, Inputs

    scenario = sizing.example_scenario()
    _, w, c = _timed(lambda: sizing.size(scenario))
    print(f"example, first call (numba compiled or loaded): {w:.2f} s wall, {c:.2f} s CPU")
    res, w, c = _timed(lambda: sizing.size(scenario))
    print(f"example, warm process (1,000 draws, tornado, largest pool): {w:.2f} s wall, "
          f"{c:.2f} s CPU (target < 2 s)")
    print("  nodes: " + ", ".join(f"{s.strategy} {s.nodes:g} (at {res.confidence:.0%}: "
                                  f"{s.nodes_at_confidence:g})" for s in res.strategies))
    if args.profile:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.enable()
        sizing.size(scenario)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(r"hcimodel", 15)

    _command()  # the first run may compile or load numba's cache
    w, c = _command()
    print(f"`hcimodel size` end to end, second run: {w:.2f} s wall, {c:.2f} s CPU "
          f"(start-up and imports included)")

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
