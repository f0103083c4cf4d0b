"""Tests of hcimodel.simulate.queues: exactness, closed forms, reproducibility, input checks.

Closed forms used as references (REFERENCES.md, "Queueing"):
- M/M/1: Wq = rho / (mu - lambda), P(wait) = rho.
- M/M/c: Erlang C through the Erlang B recurrence B_0 = 1,
  B_k = a B_{k-1} / (k + a B_{k-1}), C = B / (1 - rho (1 - B)), Wq = C / (c mu - lambda).
  Printed example: c = 4, a = 3 -> C = 27/53, W = 80/53 at mu = 1.
"""

import numpy as np
import pytest

from hcimodel.simulate import _queue_kernels as q
from hcimodel.simulate.queues import (
    fifo_multiserver_waits,
    lindley_waits,
    simulate_mmc,
    simulate_queue,
)
from hcimodel.simulate.stats import confidence_interval


def lindley_loop(a, s):
    """Plain-loop Lindley recursion (the definition)."""
    w = np.zeros(len(s))
    for n in range(1, len(s)):
        w[n] = max(0.0, w[n - 1] + s[n - 1] - a[n])
    return w


def kw_reference(a, s, c):
    """Slow pure-Python Kiefer-Wolfowitz recursion on the workload vector."""
    v = [0.0] * c
    w = []
    for n in range(len(s)):
        w.append(v[0])
        v[0] += s[n]
        step = a[n + 1] if n + 1 < len(s) else 0.0
        v = sorted(max(x - step, 0.0) for x in v)
    return np.array(w)


def erlang_c(c, a):
    """Erlang C probability of waiting, offered load a = lambda/mu Erlangs."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1.0 - rho * (1.0 - b))


def test_erlang_c_printed_example():
    # REFERENCES.md: c = 4, a = 3 -> C = 27/53
    assert erlang_c(4, 3.0) == pytest.approx(27 / 53, rel=1e-14)


def _draw(rng, n, rho, c=1, reps=None):
    shape = n if reps is None else (reps, n)
    return rng.exponential(1.0 / (rho * c), shape), rng.exponential(1.0, shape)


@pytest.mark.parametrize("rho", [0.3, 0.9, 1.2])
def test_lindley_matches_loop(rho):
    rng = np.random.default_rng(11)
    a, s = _draw(rng, 20_000, rho)
    w = lindley_waits(a, s)
    ref = lindley_loop(a, s)
    # rounding: a few ulps of max |U_n| (U = cumulative sum of S - A)
    scale = max(1.0, np.abs(np.cumsum(s[:-1] - a[1:])).max())
    np.testing.assert_allclose(w, ref, rtol=0, atol=1e-13 * scale)
    assert w[0] == 0.0 and np.all(w >= 0)


def test_lindley_batch_axis_equals_rows():
    rng = np.random.default_rng(12)
    a, s = _draw(rng, 3_000, 0.8, reps=5)
    w = lindley_waits(a, s)
    assert w.shape == (5, 3_000)
    for r in range(5):
        np.testing.assert_array_equal(w[r], lindley_waits(a[r], s[r]))
    w3 = lindley_waits(a.reshape(5, 1, -1), s.reshape(5, 1, -1))
    np.testing.assert_array_equal(w3[:, 0], w)


def test_lindley_does_not_modify_inputs():
    rng = np.random.default_rng(13)
    a, s = _draw(rng, 100, 0.8)
    a0, s0 = a.copy(), s.copy()
    lindley_waits(a, s)
    fifo_multiserver_waits(a, s, 3)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(s, s0)


def test_kw_single_server_equals_lindley():
    rng = np.random.default_rng(14)
    a, s = _draw(rng, 20_000, 0.9, reps=3)
    # public function: bit-exact
    np.testing.assert_array_equal(fifo_multiserver_waits(a, s, 1), lindley_waits(a, s))
    # the compiled KW kernels themselves with c = 1: within rounding
    np.testing.assert_allclose(q._kw_waits(a, s, 1), lindley_waits(a, s), rtol=0, atol=1e-10)
    out = np.empty_like(a)
    q._kw(a, s, 1, True, out)
    np.testing.assert_allclose(out, lindley_waits(a, s), rtol=0, atol=1e-10)


@pytest.mark.parametrize("c", [2, 3, 7, 33, 80])
@pytest.mark.parametrize("rho", [0.5, 0.95])
def test_kw_matches_python_reference(c, rho):
    rng = np.random.default_rng(100 + c)
    a, s = _draw(rng, 1_500, rho, c=c)
    np.testing.assert_allclose(fifo_multiserver_waits(a, s, c), kw_reference(a, s, c),
                               rtol=0, atol=1e-11)


def test_kw_scan_and_heap_agree():
    rng = np.random.default_rng(15)
    a, s = _draw(rng, 10_000, 0.9, c=16, reps=2)
    o1, o2 = np.empty_like(a), np.empty_like(a)
    q._kw(a, s, 16, False, o1)
    q._kw(a, s, 16, True, o2)
    np.testing.assert_array_equal(o1, o2)


def test_kw_deterministic_dd_c():
    # D/D/2 with service 3 s and arrivals every 1 s: the queue grows by 1 every 2 customers
    a = np.ones(10)
    s = np.full(10, 3.0)
    w = fifo_multiserver_waits(a, s, 2)
    np.testing.assert_allclose(w, kw_reference(a, s, 2), atol=1e-12)
    assert w[-1] > 0


def test_many_servers_never_wait():
    rng = np.random.default_rng(16)
    a, s = _draw(rng, 200, 0.5, c=1)
    assert np.all(fifo_multiserver_waits(a, s, 200) == 0.0)


def test_mm1_mean_wait_matches_closed_form():
    lam, mu = 0.7, 1.0
    r = simulate_mmc(lam, mu, 1, 200_000, n_replications=8, rng=2024)
    wq = lam / mu / (mu - lam)
    ci = r.ci("mean_wait_s")
    # stated tolerance: 3 % relative, and the closed form inside a 99.9 % CI
    assert ci.mean == pytest.approx(wq, rel=0.03)
    assert confidence_interval(r.mean_wait_s, 0.999).contains(wq)
    assert r.p_wait.mean() == pytest.approx(lam / mu, abs=0.01)
    assert r.mean_response_s.mean() == pytest.approx(1 / (mu - lam), rel=0.03)
    # response time of M/M/1 is exponential(mu - lambda): p95 = ln(20)/(mu - lambda)
    assert r.p95_response_s.mean() == pytest.approx(np.log(20) / (mu - lam), rel=0.03)
    assert r.n_customers == 180_000 and r.n_warmup == 20_000 and r.n_replications == 8


@pytest.mark.parametrize("c,a_erl", [(4, 3.0), (16, 13.0)])
def test_mmc_matches_erlang_c(c, a_erl):
    mu = 1.0
    lam = a_erl * mu
    r = simulate_mmc(lam, mu, c, 200_000, n_replications=6, rng=7 + c)
    pw = erlang_c(c, a_erl)
    wq = pw / (c * mu - lam)
    assert r.mean_wait_s.mean() == pytest.approx(wq, rel=0.04)
    assert r.p_wait.mean() == pytest.approx(pw, abs=0.015)
    assert r.mean_response_s.mean() == pytest.approx(wq + 1 / mu, rel=0.02)
    if c == 4:  # printed example: W = 80/53
        assert r.mean_response_s.mean() == pytest.approx(80 / 53, rel=0.02)


def test_simulate_queue_md1_half_of_mm1():
    # M/D/1: Wq = lambda E[S^2] / (2 (1 - rho)) = rho / (2 mu (1 - rho))
    lam = 0.8

    def arrivals(rng, shape):
        return rng.exponential(1 / lam, shape)

    def service(rng, shape):
        return np.ones(shape)

    r = simulate_queue(arrivals, service, 1, n_customers=200_000, n_replications=6, rng=5)
    assert r.mean_wait_s.mean() == pytest.approx(0.8 / (2 * 0.2), rel=0.04)


def test_simulate_queue_arrays_match_mmc():
    g = np.random.default_rng(9)
    a = g.standard_exponential((3, 5_000)) * (1.0 / 0.8)
    s = g.standard_exponential((3, 5_000)) * 1.0
    r1 = simulate_queue(a, s, 2, warmup=0.2)
    r2 = simulate_mmc(0.8, 1.0, 2, 5_000, n_replications=3, warmup=0.2, rng=9)
    np.testing.assert_array_equal(r1.mean_wait_s, r2.mean_wait_s)
    np.testing.assert_array_equal(r1.p99_response_s, r2.p99_response_s)
    r1d = simulate_queue(a[0], s[0], 2, warmup=0.2)
    assert r1d.mean_wait_s.shape == (1,)
    assert r1d.mean_wait_s[0] == r1.mean_wait_s[0]



@pytest.mark.parametrize(
    "lam,c,n,reps,warmup",
    [
        (0.9, 1, 20_000, 4, 0.1),
        (1.3, 1, 5_000, 3, 0.25),    # unstable: waits grow, still exact
        (0.5, 1, 1, 2, 0.0),         # a single customer per replication
        (3.6, 4, 20_000, 4, 0.1),
        (3.0, 4, 3_001, 5, 0.5),     # not a multiple of the draw block
        (45.0, 50, 4_000, 3, 0.2),   # heap kernel (c > HEAP_THRESHOLD)
    ],
)
def test_mmc_engine_equals_array_path_bit_for_bit(lam, c, n, reps, warmup):
    # the compiled engine (draws inside the loop) against the array path on the
    # same stream: numpy draws all interarrivals, then all services
    seed = 31 + c + n
    g = np.random.default_rng(seed)
    a = g.standard_exponential((reps, n))
    a *= 1.0 / lam
    s = g.standard_exponential((reps, n))
    s *= 1.0 / 1.0
    ref = simulate_queue(a, s, c, warmup=warmup)
    g2 = np.random.default_rng(seed)
    r = simulate_mmc(lam, 1.0, c, n, n_replications=reps, warmup=warmup, rng=g2)
    for f in ("mean_wait_s", "mean_response_s", "p_wait", "p95_response_s", "p99_response_s"):
        np.testing.assert_array_equal(getattr(r, f), getattr(ref, f), err_msg=f)
        assert getattr(r, f).dtype == np.float64 and getattr(r, f).shape == (reps,)
    assert (r.n_customers, r.n_warmup, r.servers) == (ref.n_customers, ref.n_warmup, c)
    # the Generator is left where numpy's draws leave it
    assert g2.bit_generator.state == g.bit_generator.state
    # the waits themselves, warm-up included
    g3 = np.random.default_rng(seed)
    n_warm = int(np.floor(warmup * n))
    w, resp, waited = q._mmc_engine(g3, lam, 1.0, c, reps, n, n_warm)
    w_ref = fifo_multiserver_waits(a, s, c)
    np.testing.assert_array_equal(w, w_ref)
    np.testing.assert_array_equal(resp, w_ref[:, n_warm:] + s[:, n_warm:])
    np.testing.assert_array_equal(waited, (w_ref[:, n_warm:] > 0).sum(axis=-1))


def test_reproducible_with_seed():
    r1 = simulate_mmc(0.9, 1.0, 3, 10_000, n_replications=3, rng=123)
    r2 = simulate_mmc(0.9, 1.0, 3, 10_000, n_replications=3, rng=np.random.default_rng(123))
    r3 = simulate_mmc(0.9, 1.0, 3, 10_000, n_replications=3, rng=124)
    for f in ("mean_wait_s", "mean_response_s", "p_wait", "p95_response_s", "p99_response_s"):
        np.testing.assert_array_equal(getattr(r1, f), getattr(r2, f))
    assert not np.array_equal(r1.mean_wait_s, r3.mean_wait_s)


def test_confidence_interval():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    ci = confidence_interval(x, 0.95)
    # t_{0.975, 3} = 3.182446305284263 (scipy), s = sqrt(5/3)
    assert ci.mean == 2.5
    assert ci.half_width == pytest.approx(3.182446305284263 * np.sqrt(5 / 3) / 2, rel=1e-12)
    assert ci.n == 4 and ci.low < 2.5 < ci.high
    assert confidence_interval([3.0]).half_width == np.inf
    two = confidence_interval(np.array([[1.0, 10.0], [3.0, 30.0]]))
    np.testing.assert_allclose(two.mean, [2.0, 20.0])
    with pytest.raises(ValueError, match="level"):
        confidence_interval(x, 1.5)
    with pytest.raises(ValueError, match="samples"):
        confidence_interval([])


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: lindley_waits([1.0, -1.0], [1.0, 1.0]), "interarrival_s"),
        (lambda: lindley_waits([1.0, 1.0], [1.0, -0.5]), "service_s"),
        (lambda: lindley_waits([1.0, np.nan], [1.0, 1.0]), "interarrival_s"),
        (lambda: lindley_waits([1.0, 1.0, 1.0], [1.0, 1.0]), "same shape"),
        (lambda: lindley_waits([], []), "at least one"),
        (lambda: fifo_multiserver_waits([1.0, 1.0], [1.0, 1.0], 0), "servers"),
        (lambda: fifo_multiserver_waits([1.0, 1.0], [1.0, 1.0], 2.5), "servers"),
        (lambda: fifo_multiserver_waits([1.0, 1.0], [1.0, -1.0], 2), "service_s"),
        (lambda: simulate_mmc(-1.0, 1.0, 1, 100), "arrival_rate"),
        (lambda: simulate_mmc(1.0, 0.0, 1, 100), "service_rate"),
        (lambda: simulate_mmc(0.5, 1.0, 0, 100), "servers"),
        (lambda: simulate_mmc(0.5, 1.0, 1, 0), "n_customers"),
        (lambda: simulate_mmc(0.5, 1.0, 1, 100, warmup=1.0), "warmup"),
        (lambda: simulate_mmc(0.5, 1.0, 1, 100, n_replications=0), "n_replications"),
        (lambda: simulate_queue(lambda g, sh: np.ones(sh), np.ones(3)), "n_customers"),
    ],
)
def test_bad_inputs_raise_naming_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()

