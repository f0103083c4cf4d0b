"""Tests of hcimodel.simulate.closed_network against exact MVA and by construction.

Exact single-class MVA (Reiser & Lavenberg 1980), coded here so the test does not
depend on hcimodel.queueing: with demands D_k = p_k s_k and think time Z (the pure
delay d is an infinite-server station, so it adds to Z for throughput),
    R_k(n) = D_k (1 + Q_k(n-1)),  X(n) = n / (Z + sum_k R_k(n)),  Q_k(n) = X(n) R_k(n).
The mean response time of a request is sum_k R_k(N) + d.
"""

import numpy as np
import pytest

from hcimodel.simulate.closed_network import simulate_finite_jobs, simulate_closed_network


def exact_mva(demand_s, think_s, population):
    demand_s = np.asarray(demand_s, dtype=float)
    q = np.zeros_like(demand_s)
    for n in range(1, population + 1):
        r = demand_s * (1.0 + q)
        x = n / (think_s + r.sum())
        q = x * r
    return x, r.sum(), q, x * demand_s


SERVICE = np.array([0.010, 0.020, 0.005])
VISIT = np.array([0.5, 0.3, 0.2])
THINK = 0.5
DELAY = 0.002
N = 40


@pytest.fixture(scope="module")
def steady():
    return simulate_closed_network(SERVICE, VISIT, THINK, N, delay_s=DELAY,
                                   n_requests=200_000, rng=20240601)


def test_single_class_matches_exact_mva(steady):
    x, r, q, u = exact_mva(SERVICE * VISIT, THINK + DELAY, N)
    # stated tolerances for this seeded run of 200,000 requests
    assert steady.throughput_per_s == pytest.approx(x, rel=0.02)
    assert steady.mean_response_s[0] == pytest.approx(r + DELAY, rel=0.02)
    assert steady.mean_response_all_s == pytest.approx(r + DELAY, rel=0.02)
    np.testing.assert_allclose(steady.utilization, u, rtol=0.02)
    np.testing.assert_allclose(steady.mean_queue_length, q, rtol=0.05)
    assert steady.p95_response_s < steady.p99_response_s
    assert steady.n_requests == 200_000 and steady.warmup_requests == 20_000


def test_littles_law_holds_in_the_window(steady):
    # customers at stations = X * (R - d); holds sample-path wise up to edge effects
    at_stations = steady.mean_queue_length.sum()
    assert at_stations == pytest.approx(
        steady.throughput_per_s * (steady.mean_response_all_s - DELAY), rel=0.01)


def test_exponential_delay_is_insensitive():
    x, r, _, _ = exact_mva(SERVICE * VISIT, THINK + DELAY, N)
    res = simulate_closed_network(SERVICE, VISIT, THINK, N, delay_s=DELAY,
                                  delay_distribution="exponential", n_requests=100_000, rng=3)
    assert res.throughput_per_s == pytest.approx(x, rel=0.02)
    assert res.mean_response_s[0] == pytest.approx(r + DELAY, rel=0.02)


def test_heavy_load_bottleneck():
    # N large, Z small: the bottleneck station saturates, X -> 1 / max D_k
    s = np.array([0.004, 0.010])
    p = np.array([0.5, 0.5])
    x, r, _, u = exact_mva(s * p, 0.01, 30)
    res = simulate_closed_network(s, p, 0.01, 30, n_requests=100_000, rng=4)
    assert res.throughput_per_s == pytest.approx(x, rel=0.02)
    assert res.mean_response_s[0] == pytest.approx(r, rel=0.02)
    assert res.utilization[1] == pytest.approx(u[1], abs=0.01)


def test_identical_classes_aggregate_to_single_class():
    x, r, _, _ = exact_mva(SERVICE * VISIT, THINK, N)
    res = simulate_closed_network(SERVICE, np.vstack([VISIT, VISIT]), [THINK, THINK],
                                  [N // 2, N // 2], n_requests=100_000, rng=5)
    assert res.throughput_per_s == pytest.approx(x, rel=0.02)
    np.testing.assert_allclose(res.throughput_per_class_per_s, x / 2, rtol=0.03)
    np.testing.assert_allclose(res.mean_response_s, r, rtol=0.03)


def test_zero_probability_station_is_never_visited():
    res = simulate_closed_network([0.01, 0.01, 0.01], [[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]],
                                  0.1, [3, 2], n_requests=5_000, rng=6)
    assert res.utilization[2] == 0.0
    assert res.mean_queue_length[2] == 0.0


def test_empty_class_has_infinite_mean_response():
    res = simulate_closed_network([0.01], [[1.0], [1.0]], 0.1, [3, 0], n_requests=2_000, rng=7)
    assert np.isinf(res.mean_response_s[1]) and np.isfinite(res.mean_response_s[0])
    assert res.throughput_per_class_per_s[1] == 0.0


def test_reproducible_with_seed():
    kw = dict(delay_s=0.001, n_requests=5_000)
    a = simulate_closed_network(SERVICE, VISIT, THINK, 10, rng=42, **kw)
    b = simulate_closed_network(SERVICE, VISIT, THINK, 10, rng=np.random.default_rng(42), **kw)
    c = simulate_closed_network(SERVICE, VISIT, THINK, 10, rng=43, **kw)
    assert a.throughput_per_s == b.throughput_per_s
    np.testing.assert_array_equal(a.mean_queue_length, b.mean_queue_length)
    assert a.throughput_per_s != c.throughput_per_s
    s1 = simulate_finite_jobs(SERVICE, VISIT, THINK, 10, 50, keep_responses=True, rng=8)
    s2 = simulate_finite_jobs(SERVICE, VISIT, THINK, 10, 50, keep_responses=True, rng=8)
    np.testing.assert_array_equal(s1.completion_time_s, s2.completion_time_s)
    np.testing.assert_array_equal(s1.response_times_s, s2.response_times_s)


def test_boot_storm_bookkeeping():
    p = np.array([[0.5, 0.3, 0.2], [0.0, 0.5, 0.5]])
    res = simulate_finite_jobs(SERVICE, p, THINK, [10, 20], 100, delay_s=DELAY,
                              keep_responses=True, rng=9)
    assert res.n_requests == 3_000
    assert res.response_times_s.shape == (3_000,)
    assert res.completion_time_s.shape == (30,)
    np.testing.assert_array_equal(res.customer_class, [0] * 10 + [1] * 20)
    assert res.makespan_s == res.completion_time_s.max()
    assert np.all(np.isfinite(res.completion_time_s))
    assert np.all(res.response_times_s >= DELAY)
    assert res.mean_response_all_s == pytest.approx(res.response_times_s.mean(), rel=1e-12)
    assert np.all((res.utilization >= 0) & (res.utilization <= 1))
    assert res.p95_response_s <= res.p99_response_s
    # each desktop thinks 100 times (mean 0.5 s each): completion near 100 x (Z + R)
    assert res.completion_time_s.min() > 25.0
    without = simulate_finite_jobs(SERVICE, p, THINK, [10, 20], 100, rng=9)
    assert without.response_times_s is None


def test_boot_storm_single_desktop_is_a_renewal_process():
    # one desktop, no think time, one station: responses are i.i.d. service + delay,
    # makespan is the sum of m of them
    m = 20_000
    res = simulate_finite_jobs([0.01], [1.0], 0.0, 1, m, delay_s=0.003, rng=10)
    assert res.mean_response_all_s == pytest.approx(0.013, rel=0.02)
    assert res.makespan_s == pytest.approx(m * 0.013, rel=0.02)
    assert res.mean_queue_length[0] == pytest.approx(0.01 / 0.013, rel=0.02)
    # response - d is exponential(0.01 s): p99 = d + 0.01 ln 100
    assert res.p99_response_s == pytest.approx(0.003 + 0.01 * np.log(100), rel=0.05)


@pytest.mark.parametrize(
    "kwargs,name",
    [
        (dict(service_s=[0.01, -0.01]), "service_s"),
        (dict(service_s=[0.01, 0.0]), "service_s"),
        (dict(visit_prob=[0.5, 0.6]), "visit_prob"),
        (dict(visit_prob=[0.5, 0.3, 0.2]), "visit_prob"),
        (dict(visit_prob=[1.5, -0.5]), "visit_prob"),
        (dict(think_time_s=-1.0), "think_time_s"),
        (dict(think_time_s=[0.1, 0.2]), "think_time_s"),
        (dict(population_per_class=0), "population_per_class"),
        (dict(population_per_class=2.5), "population_per_class"),
        (dict(delay_s=-0.001), "delay_s"),
        (dict(delay_distribution="gamma"), "delay_distribution"),
    ],
)
def test_bad_inputs_raise_naming_parameter(kwargs, name):
    args = dict(service_s=[0.01, 0.02], visit_prob=[0.5, 0.5], think_time_s=0.1,
                population_per_class=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        simulate_closed_network(**args, n_requests=10)
    with pytest.raises(ValueError, match=name):
        simulate_finite_jobs(**args, requests_per_customer=2)


def test_bad_counts_raise():
    with pytest.raises(ValueError, match="requests_per_customer"):
        simulate_finite_jobs([0.01], [1.0], 0.1, 2, 0)
    with pytest.raises(ValueError, match="n_requests"):
        simulate_closed_network([0.01], [1.0], 0.1, 2, n_requests=0)
    with pytest.raises(ValueError, match="warmup_requests"):
        simulate_closed_network([0.01], [1.0], 0.1, 2, warmup_requests=-1)
