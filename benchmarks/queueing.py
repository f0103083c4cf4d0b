"""Customers simulated per second: hcimodel's FIFO queue kernels against ciw.

Runs M/M/1 (lambda = 0.9/s, mu = 1/s) and M/M/4 (lambda = 3.6/s, mu = 1/s) with

- hcimodel, three ways: the kernel alone on pre-drawn exponentials
  (``lindley_waits`` / ``fifo_multiserver_waits``, input validation included);
  the M/M/c engine of ``simulate_mmc``, which draws the exponentials inside the
  compiled recursion (interarrivals in one pass, services in blocks as the
  recursion reaches them) and returns the waits, the responses after the
  warm-up and the count of customers who waited ("+draws"); and the whole
  ``simulate_mmc`` (engine, means and the p95/p99 partition);
- ciw 3.2.7 on the same rates (``simulate_until_max_time``), counting
  ``len(Q.get_all_records())`` customers;

and prints the throughputs and their ratio. Targets: > 20 M customers/s for the
single-server engine and >= 1000x ciw. Also times the closed-network kernel
(requests per second). Times are the best of ``--repeat`` runs on one core.

Usage::

    python benchmarks/queueing.py            # 10 M customers per engine run
    python benchmarks/queueing.py --quick    # 1 M customers, small ciw run
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from hcimodel.simulate.closed_network import simulate_closed_network
from hcimodel.simulate.queues import (_mmc_engine, fifo_multiserver_waits, lindley_waits,
                                      simulate_mmc)


def best_time(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def ours(lam, mu, c, n, repeat):
    """Return customers/s: (kernel only, engine with its draws, simulate_mmc)."""
    rng = np.random.default_rng(0)
    a = rng.standard_exponential(n) * (1.0 / lam)
    s = rng.standard_exponential(n) * (1.0 / mu)

    def kernel():
        if c == 1:
            lindley_waits(a, s)
        else:
            fifo_multiserver_waits(a, s, c)

    def with_draws():
        # what simulate_mmc runs before its estimates (warm-up 10 %)
        _mmc_engine(np.random.default_rng(1), lam, mu, c, 1, n, n // 10)

    def full():
        simulate_mmc(lam, mu, c, n, rng=2)

    kernel()  # compile / warm caches
    simulate_mmc(lam, mu, c, 1000, rng=0)
    return (n / best_time(kernel, repeat), n / best_time(with_draws, repeat),
            n / best_time(full, repeat))


def ciw_rate(lam, mu, c, n_target, repeat):
    """Return (customers/s, customers) for ciw simulating about n_target customers."""
    import ciw

    horizon = n_target / lam
    best, count = np.inf, 0
    for _ in range(repeat):
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=lam)],
            service_distributions=[ciw.dists.Exponential(rate=mu)],
            number_of_servers=[c],
        )
        ciw.seed(0)
        t0 = time.perf_counter()
        q = ciw.Simulation(network)
        q.simulate_until_max_time(horizon)
        count = len(q.get_all_records())
        best = min(best, time.perf_counter() - t0)
    return count / best, count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 M customers per engine run and a small ciw run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    args = parser.parse_args(argv)
    n = 1_000_000 if args.quick else 10_000_000
    n_ciw = 2_000 if args.quick else 20_000

    print(f"customers per engine run: {n:,}; ciw: about {n_ciw:,} customers; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    header = (f"{'queue':<6} {'kernel M/s':>11} {'+draws M/s':>11} {'mmc M/s':>9} "
              f"{'ciw /s':>9} {'ratio':>9}")
    print(header)
    print("-" * len(header))
    rows = {}
    for name, lam, mu, c in [("M/M/1", 0.9, 1.0, 1), ("M/M/4", 3.6, 1.0, 4)]:
        k, d, f = ours(lam, mu, c, n, args.repeat)
        ciw_r, _ = ciw_rate(lam, mu, c, n_ciw, 1 if args.quick else 2)
        ratio = d / ciw_r
        rows[name] = (k, d, f, ciw_r, ratio)
        print(f"{name:<6} {k / 1e6:>11.1f} {d / 1e6:>11.1f} {f / 1e6:>9.1f} "
              f"{ciw_r:>9,.0f} {ratio:>8,.0f}x")
    print("ratio = (engine with its draws) / ciw; simulate_mmc / ciw: "
          + ", ".join(f"{k} {v[2] / v[3]:,.0f}x" for k, v in rows.items()))

    for c in (16, 64, 256):
        k, d, _ = ours(0.9 * c, 1.0, c, n // 2, args.repeat)
        print(f"M/M/{c:<3} kernel {k / 1e6:6.1f} M/s, with draws {d / 1e6:6.1f} M/s")

    n_req = 200_000 if args.quick else 1_000_000
    simulate_closed_network([0.01, 0.02], [0.5, 0.5], 0.5, 40, n_requests=1_000, rng=0)
    t = best_time(lambda: simulate_closed_network([0.01, 0.02, 0.005], [0.5, 0.3, 0.2], 0.5,
                                                  40, n_requests=n_req, rng=0), 1)
    warm = max(n_req // 10, 800)
    print(f"closed network (3 stations, 40 desktops): {(n_req + warm) / t / 1e6:.2f} M requests/s")

    k1, d1, _, _, r1 = rows["M/M/1"]
    r4 = rows["M/M/4"][4]
    print(f"target > 20 M customers/s single-server: kernel {k1 / 1e6:.1f}, engine with draws "
          f"{d1 / 1e6:.1f} -> {'met' if d1 > 20e6 else 'NOT met'}")
    print(f"target >= 1000x ciw: M/M/1 {r1:,.0f}x, M/M/4 {r4:,.0f}x -> "
          f"{'met' if min(r1, r4) >= 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
