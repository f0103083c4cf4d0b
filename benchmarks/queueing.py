"""Customers simulated per second: hcimodel's M/M/c simulation against ciw.

Like with like: M/M/1 (lambda = 0.9/s, mu = 1/s) and M/M/4 (lambda = 3.6/s,
mu = 1/s), the same number of customers on both sides, setup included:

- hcimodel: one whole call of :func:`hcimodel.simulate.simulate_mmc`
  (validation, draws, the compiled recursion, the estimates);
- ciw 3.2.7: build the network and the simulation, then
  ``simulate_until_max_customers(n, method="Finish")``.

Times are medians of interleaved runs (ours, ciw, ours, ciw, ...) after a
warm-up, with the load average printed beside them; the mean waits of both
runs are shown (they agree within Monte Carlo error). Also the closed-network
engine in requests per second (no peer).

Usage::

    python benchmarks/queueing.py            # 200,000 customers, 3 rounds
    python benchmarks/queueing.py --quick    # 20,000 customers, 5 rounds
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleaved, load, row  # noqa: E402

QUEUES = [("M/M/1", 0.9, 1.0, 1), ("M/M/4", 3.6, 1.0, 4)]


def _ciw_run(lam, mu, c, n, seed, out):
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[c],
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_customers(n, method="Finish")
    recs = q.get_all_records()
    out["n"] = len(recs)
    out["wait"] = float(np.mean([r.waiting_time for r in recs[n // 10:]]))


def collect(quick: bool) -> list[dict]:
    from hcimodel.simulate import simulate_mmc
    from hcimodel.simulate.closed_network import simulate_closed_network

    n = 20_000 if quick else 200_000
    rows = []
    for name, lam, mu, c in QUEUES:
        ours, theirs = {}, {}

        def run_ours():
            ours["r"] = simulate_mmc(lam, mu, c, n, rng=1)

        def run_ciw():
            _ciw_run(lam, mu, c, n, 1, theirs)

        la = load()
        t = interleaved({"ours": run_ours, "ciw": run_ciw}, repeat=5 if quick else 3)
        rho = lam / (c * mu)
        note = (f"rho={rho:.1f}; {theirs['n']:,} ciw customers; mean wait "
                f"{float(ours['r'].mean_wait_s[0]):.2f} s (ours) vs {theirs['wait']:.2f} s (ciw)")
        rows.append(row("queueing", f"{name} customers", n, "simulate_mmc", t["ours"], "ciw 3.2.7",
                        t["ciw"], note, load_avg=max(la, load())))
    m = 100_000 if quick else 1_000_000
    kw = dict(n_requests=m, warmup_requests=0, rng=0)
    t = interleaved({"cn": lambda: simulate_closed_network([0.01, 0.02, 0.005], [0.5, 0.3, 0.2],
                                                             0.5, 40, **kw)}, repeat=3)
    rows.append(row("queueing", "closed network, 3 stations x 40 desktops, requests", m,
                    "simulate_closed_network", t["cn"],
                    note=f"{m / t['cn'] / 1e6:.1f} M requests/s"))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 customers instead of 200,000")
    args = ap.parse_args(argv)
    for r in collect(args.quick):
        ratio = f"{r['ratio']:,.0f}x" if np.isfinite(r["ratio"]) else "-"
        print(f"{r['case']:<52} n={r['n']:>9,} ours {r['ours_s']:.4f} s  peer "
              f"{r['peer_s']:.3f} s  ratio {ratio:>7}  load {r['load']:.1f}  {r['note']}")


if __name__ == "__main__":
    main()
