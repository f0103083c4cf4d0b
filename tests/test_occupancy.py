"""Occupancy under independent reads: exact small cases, limits, robustness."""

import math

import numpy as np
import pytest

from hcimodel import occupancy as occ
from hcimodel.caching import zipf_rates


# ------------------------------------------------------------------ occupancy

def test_uniform_occupancy_is_the_coupon_collector():
    m = 1000
    p = np.full(m, 1 / m)
    n = np.array([0, 1, 10, 500, 1000, 5000, 1e6])
    np.testing.assert_allclose(occ.expected_distinct(n, p), occ.coupon_collector(n, m), rtol=1e-12)
    assert occ.expected_distinct(1, p) == pytest.approx(1.0)
    assert occ.coupon_collector(np.inf, m) == pytest.approx(m)


def test_coupon_collector_exact_small_case():
    # m = 2: D(n) = 2 (1 - 2^-n); E[T] = 2 * (1 + 1/2) = 3
    assert occ.coupon_collector(3, 2) == pytest.approx(2 * (1 - 1 / 8))
    assert occ.expected_reads_to_fetch_all(2) == pytest.approx(3.0)
    # m H_m for m = 10: H_10 = 7381/2520
    assert occ.expected_reads_to_fetch_all(10) == pytest.approx(10 * 7381 / 2520, rel=1e-12)


def test_occupancy_is_robust_for_a_million_blocks():
    m = 10**6
    n = np.array([1.0, 1e3, 1e6, 1e7, 1e9])
    d = occ.coupon_collector(n, m)
    assert np.all(np.isfinite(d)) and np.all(np.diff(d) > 0)
    assert d[0] == pytest.approx(1.0, rel=1e-9)
    assert d[-1] == pytest.approx(m, rel=1e-12)
    p = zipf_rates(m, 0.8)
    dz = occ.expected_distinct(n, p)
    assert np.all(np.isfinite(dz)) and np.all(np.diff(dz) > 0) and dz[-1] <= m
    # Zipf concentrates reads: fewer distinct blocks than uniform at the same reads
    assert np.all(dz[1:-1] < d[1:-1])


def test_binned_occupancy_matches_the_exact_sum():
    p = zipf_rates(200_000, 0.9)  # more distinct values than the bin count
    n = np.array([1e3, 1e5, 1e6])
    lq = np.log1p(-p)
    exact = np.array([-np.expm1(k * lq).sum() for k in n])
    np.testing.assert_allclose(occ.expected_distinct(n, p), exact, rtol=1e-6)


def test_local_share_and_reads_to_target():
    m = 5000
    p = np.full(m, 1 / m)
    n = occ.reads_to_local_share(0.9, p)
    assert n == pytest.approx(math.log(0.1) / math.log1p(-1 / m))
    assert occ.local_share(n, p) == pytest.approx(0.9)
    pz = zipf_rates(m, 1.0)
    nz = occ.reads_to_local_share(0.9, pz)
    assert occ.local_share(nz, pz) == pytest.approx(0.9, abs=1e-9)
    # popular blocks make half the reads local sooner; the long tail delays 90 %
    assert occ.reads_to_local_share(0.5, pz) < occ.reads_to_local_share(0.5, p)
    assert nz > n
    assert occ.reads_to_local_share(1.0, p) == np.inf
    # cumulative share: (n - D(n)) / n
    k = 3000.0
    assert occ.local_share(k, p, cumulative=True) == pytest.approx(
        1 - occ.coupon_collector(k, m) / k)


def test_payback_uniform_solves_one_minus_exp_equals_half():
    m = 20_000
    n = occ.payback_reads(np.full(m, 1 / m))
    # 1 - exp(-x) = x / 2  ->  x = 1.5936...
    assert n / m == pytest.approx(1.5936242600400401, rel=2e-3)
    assert float(occ.local_share(n, np.full(m, 1 / m), cumulative=True)) == pytest.approx(0.5)


@pytest.mark.parametrize("p, n", [([1.0], 2.0), ([0.5, 0.5], None)])
def test_payback_small_cases(p, n):
    got = occ.payback_reads(p)
    if n is not None:  # one block: fetched once, then local: share 1/2 at the second read
        assert got == pytest.approx(n)
    # two equal blocks: D(n) = 2 (1 - 2^-n) = n / 2
    assert float(occ.expected_distinct(got, p)) == pytest.approx(got / 2, rel=1e-9)


def test_payback_zipf_is_the_half_share_point():
    p = zipf_rates(100_000, 0.9)  # binned groups
    n = occ.payback_reads(p)
    assert float(occ.local_share(n, p, cumulative=True)) == pytest.approx(0.5, abs=1e-9)
    assert n < occ.payback_reads(np.full(100_000, 1e-5))  # popular blocks pay back sooner


@pytest.mark.parametrize("call, name", [
    (lambda: occ.expected_distinct(-1, [1.0]), "n_reads"),
    (lambda: occ.expected_distinct(1, [0.5, 0.6]), "popularity"),
    (lambda: occ.coupon_collector(1, 0), "n_blocks"),
    (lambda: occ.reads_to_local_share(1.5, [1.0]), "target"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
