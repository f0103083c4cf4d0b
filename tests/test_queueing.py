"""Tests of hcimodel.queueing: printed values, exact arithmetic, properties, bad input."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize

from hcimodel import queueing as qm
from hcimodel.queueing.erlang import _erlang_b_recurrence

SETTINGS = settings(max_examples=40, deadline=None)

rates = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
fractions01 = st.floats(min_value=1e-3, max_value=0.995)
servers_st = st.integers(min_value=1, max_value=200)


# ---------------------------------------------------------------------------
# Exact references in rational arithmetic
# ---------------------------------------------------------------------------
def erlang_b_fraction(c, a):
    """Erlang B by the recurrence in exact rational arithmetic."""
    a = Fraction(a)
    b = Fraction(1)
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c_fraction(c, a):
    a = Fraction(a)
    b = erlang_b_fraction(c, a)
    rho = a / c
    return b / (1 - rho * (1 - b))


def mva_fraction(demands, think, population, delay=0):
    """Exact MVA (Reiser & Lavenberg) in rational arithmetic, every population."""
    d = [Fraction(x) for x in demands]
    z, d0 = Fraction(think), Fraction(delay)
    q = [Fraction(0)] * len(d)
    out = []
    for n in range(1, population + 1):
        rk = [dk * (1 + qk) for dk, qk in zip(d, q)]
        r = sum(rk) + d0
        x = Fraction(n) / (r + z)
        q = [x * v for v in rk]
        out.append((x, r, list(q), rk))
    return out


# ---------------------------------------------------------------------------
# Printed / hand-computed examples
# ---------------------------------------------------------------------------
def test_erlang_c_printed_example():
    # shared/REFERENCES.md (Queueing): c = 4, a = 3 -> C = 27/53, W = 80/53 at mu = 1.
    assert erlang_c_fraction(4, 3) == Fraction(27, 53)
    assert float(qm.erlang_c(4, 3.0)) == pytest.approx(27 / 53, rel=1e-13)
    m = qm.mmc(3.0, 1.0, 4)
    assert float(m.p_wait) == pytest.approx(27 / 53, rel=1e-13)
    assert float(m.mean_response) == pytest.approx(80 / 53, rel=1e-13)
    # Wq = C/(c mu - lambda) = 27/53 s, Lq = lambda Wq = 81/53, L = lambda W = 240/53
    assert float(m.mean_wait) == pytest.approx(27 / 53, rel=1e-13)
    assert float(m.mean_queue_length) == pytest.approx(81 / 53, rel=1e-13)
    assert float(m.mean_in_system) == pytest.approx(240 / 53, rel=1e-13)


def test_erlang_b_printed_example():
    # Erlang B tables (e.g. Kleinrock vol. 1, or any teletraffic table):
    # 10 circuits offered 5 erlangs block 1.84 % of calls. The exact rational
    # value from the recurrence is 0.0183845703...
    exact = erlang_b_fraction(10, 5)
    assert round(float(exact), 4) == 0.0184
    assert float(qm.erlang_b(10, 5.0)) == pytest.approx(float(exact), rel=1e-12)


def test_mm2_half_load():
    # M/M/2 at rho = 1/2 (a = 1): P(wait) = 2 rho^2 / (1 + rho) = 1/3 (Kleinrock §3.5),
    # by hand: B(2, 1) = 1/5, C = (1/5) / (1 - 1/2 * 4/5) = 1/3.
    assert erlang_b_fraction(2, 1) == Fraction(1, 5)
    assert erlang_c_fraction(2, 1) == Fraction(1, 3)
    m = qm.mmc(1.0, 1.0, 2)
    assert float(m.p_wait) == pytest.approx(1 / 3, rel=1e-14)
    # Wq = C / (c mu - lambda) = 1/3 s
    assert float(m.mean_wait) == pytest.approx(1 / 3, rel=1e-14)


@pytest.mark.parametrize("c,a", [(1, 0.5), (3, 2.5), (7, 6.9), (20, 13), (50, 49.5)])
def test_erlang_exact_fractions(c, a):
    b = erlang_b_fraction(c, Fraction(a).limit_denominator(100))
    cc = erlang_c_fraction(c, Fraction(a).limit_denominator(100))
    assert float(qm.erlang_b(c, a)) == pytest.approx(float(b), rel=1e-11)
    assert float(qm.erlang_c(c, a)) == pytest.approx(float(cc), rel=1e-11)


def test_mva_hand_example():
    # Two queueing stations D = (1, 2) s, think time Z = 3 s, computed by hand:
    # n=1: R = 3,                 X = 1/6,    Q = (1/6, 1/3)
    # n=2: R = 7/6 + 8/3 = 23/6,  X = 12/41,  Q = (14/41, 32/41)
    # n=3: R = 55/41 + 146/41 = 201/41,  X = 3/(201/41 + 3) = 41/108
    hand_x = [Fraction(1, 6), Fraction(12, 41), Fraction(41, 108)]
    hand_r = [Fraction(3), Fraction(23, 6), Fraction(201, 41)]
    exact = mva_fraction([1, 2], 3, 3)
    assert [e[0] for e in exact] == hand_x
    assert [e[1] for e in exact] == hand_r
    res = qm.mva([1.0, 2.0], 3.0, 3)
    np.testing.assert_allclose(res.throughput, [float(x) for x in hand_x], rtol=1e-12)
    np.testing.assert_allclose(res.response_time, [float(x) for x in hand_r], rtol=1e-12)
    np.testing.assert_allclose(res.queue_length[1], [14 / 41, 32 / 41], rtol=1e-12)
    np.testing.assert_array_equal(res.population, [1, 2, 3])


def test_mva_fraction_reference_with_delay():
    d, z, d0, n = [Fraction(1, 50), Fraction(3, 100), Fraction(1, 200)], Fraction(1, 2), \
        Fraction(1, 1000), 25
    exact = mva_fraction(d, z, n, d0)
    res = qm.mva([float(x) for x in d], float(z), n, delay=float(d0))
    np.testing.assert_allclose(res.throughput, [float(e[0]) for e in exact], rtol=1e-12)
    np.testing.assert_allclose(res.response_time, [float(e[1]) for e in exact], rtol=1e-12)
    np.testing.assert_allclose(res.queue_length, [[float(v) for v in e[2]] for e in exact],
                               rtol=1e-12)
    np.testing.assert_allclose(res.residence_time, [[float(v) for v in e[3]] for e in exact],
                               rtol=1e-12)
    np.testing.assert_allclose(res.utilization, res.throughput[:, None] * np.array(d, float),
                               rtol=1e-14)


def test_mva_balanced_closed_form():
    # Balanced network, K stations of demand D, no think time (Lazowska et al. §5.4):
    # X(n) = n / ((n + K - 1) D).
    k, dem, n = 4, 0.25, 200
    res = qm.mva([dem] * k, 0.0, n)
    nn = np.arange(1, n + 1)
    np.testing.assert_allclose(res.throughput, nn / ((nn + k - 1) * dem), rtol=1e-12)


# ---------------------------------------------------------------------------
# Erlang in log space vs the recurrence
# ---------------------------------------------------------------------------
def test_erlang_log_space_vs_recurrence_large_c():
    c = np.array([1, 2, 10, 100, 1000, 10_000, 100_000])[:, None]
    f = np.array([0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999, 1.0, 1.001, 1.1, 2.0, 10.0])
    a = c * f[None, :]
    b = qm.erlang_b(c, a)
    ref = _erlang_b_recurrence(c, a)
    assert np.all(np.isfinite(b)) and np.all((b >= 0) & (b <= 1))
    np.testing.assert_allclose(b, ref, rtol=1e-8, atol=1e-300)
    cw = qm.erlang_c(c, a)
    rho = a / c
    with np.errstate(invalid="ignore", divide="ignore"):
        cref = np.where(rho < 1, ref / (1 - rho * (1 - ref)), 1.0)
    assert np.all(np.isfinite(cw)) and np.all((cw >= 0) & (cw <= 1))
    np.testing.assert_allclose(cw, cref, rtol=1e-8, atol=1e-300)
    # heavily overloaded loss system: B -> 1 - c/a (the Poisson cdf underflows here)
    big = qm.erlang_b(100_000, 1e6)
    assert float(big) == pytest.approx(1 - 0.1, rel=1e-4)


def test_erlang_zero_load_and_shapes():
    assert float(qm.erlang_b(5, 0.0)) == 0.0
    assert float(qm.erlang_c(5, 0.0)) == 0.0
    out = qm.erlang_c(np.array([1, 2, 3])[:, None], np.array([0.5, 0.9]))
    assert out.shape == (3, 2)


# ---------------------------------------------------------------------------
# Open queues: properties
# ---------------------------------------------------------------------------
@SETTINGS
@given(mu=rates, c=servers_st, f1=fractions01, f2=fractions01)
def test_mmc_monotone_in_load(mu, c, f1, f2):
    lo, hi = sorted((f1, f2))
    m = qm.mmc(np.array([lo, hi]) * c * mu, mu, c)
    assert m.p_wait[0] <= m.p_wait[1] * (1 + 1e-12)
    assert m.mean_wait[0] <= m.mean_wait[1] * (1 + 1e-12)
    assert m.mean_in_system[0] <= m.mean_in_system[1] * (1 + 1e-12)


@SETTINGS
@given(mu=rates, c=servers_st, f=fractions01)
def test_mmc_decreasing_in_servers(mu, c, f):
    lam = f * c * mu
    m = qm.mmc(lam, mu, np.array([c, c + 1, c + 5]))
    assert np.all(np.diff(m.p_wait) <= 1e-15)
    assert np.all(np.diff(m.mean_wait) <= 1e-15 * m.mean_wait[0])
    b = qm.erlang_b(np.array([c, c + 1]), lam / mu)
    assert b[1] <= b[0]


@SETTINGS
@given(mu=rates, c=servers_st, f=fractions01)
def test_mmc_little_and_busy_servers(mu, c, f):
    lam = f * c * mu
    m = qm.mmc(lam, mu, c)
    assert m.stable
    np.testing.assert_allclose(m.mean_in_system, lam * m.mean_response, rtol=1e-12)
    np.testing.assert_allclose(m.mean_queue_length, lam * m.mean_wait, rtol=1e-12)
    # L - Lq = mean number in service = lambda / mu
    np.testing.assert_allclose(m.mean_in_system - m.mean_queue_length, lam / mu, rtol=1e-9)
    np.testing.assert_allclose(m.utilization, f, rtol=1e-12)


@SETTINGS
@given(mu=rates, f=fractions01)
def test_mmc_one_server_is_mm1(mu, f):
    lam = f * mu
    a, b = qm.mmc(lam, mu, 1), qm.mm1(lam, mu)
    for name in ("utilization", "p_wait", "mean_wait", "mean_response",
                 "mean_queue_length", "mean_in_system"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-10)
    qs = np.array([0.1, 0.5, 0.9, 0.99])
    np.testing.assert_allclose(a.response_quantile(qs), b.response_quantile(qs), rtol=1e-9)
    # atol: at q = 1 - P(wait) (f = 0.9, q = 0.1) Erlang C's last-ulp P(wait) turns
    # the zero wait into 2e-15 of the scale 1 / (mu - lam)
    np.testing.assert_allclose(a.wait_quantile(qs), b.wait_quantile(qs), rtol=1e-10,
                               atol=1e-12 / (mu - lam))
    t = np.array([0.0, 0.5, 2.0]) / (mu - lam)
    np.testing.assert_allclose(a.response_tail(t), np.exp(-(mu - lam) * t), rtol=1e-9)


def test_light_load_limit():
    mu, c = 1.0, np.array([1, 2, 8])
    m = qm.mmc(1e-9 * c, mu, c)
    assert np.all(m.p_wait < 1e-8)
    np.testing.assert_allclose(m.mean_response, 1 / mu, rtol=1e-8)
    z = qm.mmc(0.0, mu, c)
    np.testing.assert_array_equal(z.p_wait, 0.0)
    np.testing.assert_array_equal(z.wait_quantile(0.99), 0.0)


@pytest.mark.parametrize("lam,mu,c", [(0.7, 1.0, 1), (3.0, 1.0, 4), (9.5, 1.0, 10),
                                      (2.0, 3.0, 2), (0.2, 1.0, 3)])
def test_mmc_distributions(lam, mu, c):
    m = qm.mmc(lam, mu, c)
    # The tails integrate to the means: E[Wq] = int P(Wq > t) dt, E[T] = int P(T > t) dt.
    iw, _ = integrate.quad(lambda t: float(m.wait_tail(t)), 0, np.inf)
    it, _ = integrate.quad(lambda t: float(m.response_tail(t)), 0, np.inf)
    assert iw == pytest.approx(float(m.mean_wait), rel=1e-7)
    assert it == pytest.approx(float(m.mean_response), rel=1e-7)
    assert float(m.wait_tail(0.0)) == pytest.approx(float(m.p_wait), rel=1e-14)
    qs = np.array([0.0, 0.05, 0.3, 0.5, 0.9, 0.99, 0.9999])
    tq = m.response_quantile(qs)
    assert np.all(np.diff(tq) > 0)
    np.testing.assert_allclose(m.response_tail(tq), 1 - qs, rtol=1e-9, atol=1e-15)
    wq = m.wait_quantile(qs)
    above = qs > 1 - m.p_wait
    np.testing.assert_allclose(m.wait_tail(wq[above]), 1 - qs[above], rtol=1e-12)
    np.testing.assert_array_equal(wq[~above], 0.0)
    assert np.isinf(m.response_quantile(1.0)) and np.isinf(m.wait_quantile(1.0))


def test_response_quantile_theta_equals_mu():
    # c mu - lambda = mu: the hypoexponential part is Erlang-2 (removable singularity)
    m = qm.mmc(1.0, 1.0, 2)
    t = m.response_quantile(0.9)
    assert np.isfinite(t)
    assert float(m.response_tail(t)) == pytest.approx(0.1, rel=1e-10)
    it, _ = integrate.quad(lambda s: float(m.response_tail(s)), 0, np.inf)
    assert it == pytest.approx(float(m.mean_response), rel=1e-8)


def test_mmc_broadcast_quantiles():
    m = qm.mmc(np.array([[1.0], [2.5]]), 1.0, np.array([2, 3, 4]))
    assert m.mean_wait.shape == (2, 3)
    assert m.response_quantile(0.95).shape == (2, 3)
    assert m.wait_tail(np.array([0.0, 1.0, 2.0])).shape == (2, 3)
    assert not m.stable[1, 0] and np.isinf(m.response_quantile(0.95)[1, 0])


@SETTINGS
@given(lam=rates, es=st.floats(1e-4, 10.0), cs2=st.floats(0.0, 20.0))
def test_mg1_pollaczek_khinchine(lam, es, cs2):
    m = qm.mg1(lam, es, cs2)
    rho = lam * es
    if rho >= 1:
        assert not m.stable and np.isinf(m.mean_wait)
        return
    es2 = (1 + cs2) * es ** 2
    np.testing.assert_allclose(m.mean_wait, lam * es2 / (2 * (1 - rho)), rtol=1e-12)
    np.testing.assert_allclose(m.mean_in_system, lam * m.mean_response, rtol=1e-12)


@SETTINGS
@given(mu=rates, f=fractions01, c=servers_st)
def test_model_consistency(mu, f, c):
    lam = f * mu
    mm1, md1 = qm.mm1(lam, mu), qm.md1(lam, mu)
    np.testing.assert_allclose(qm.mg1(lam, 1 / mu, 1.0).mean_wait, mm1.mean_wait, rtol=1e-12)
    np.testing.assert_allclose(md1.mean_wait, mm1.mean_wait / 2, rtol=1e-12)
    np.testing.assert_allclose(qm.gg1_kingman(lam, mu, 1.0, 1.0).mean_wait, mm1.mean_wait,
                               rtol=1e-12)
    np.testing.assert_allclose(qm.gg1_kingman(lam, mu, 0.3, 2.0).mean_wait,
                               qm.ggc_allen_cunneen(lam, mu, 1, 0.3, 2.0).mean_wait, rtol=1e-10)
    lam_c = f * c * mu
    mmc = qm.mmc(lam_c, mu, c)
    ac = qm.ggc_allen_cunneen(lam_c, mu, c, 1.0, 1.0)
    # atol: for many servers at light load the wait is subnormal (~1e-312 s)
    np.testing.assert_allclose(ac.mean_wait, mmc.mean_wait, rtol=1e-12, atol=1e-300)
    ac2 = qm.ggc_allen_cunneen(lam_c, mu, c, 0.5, 0.0)
    np.testing.assert_allclose(ac2.mean_wait, mmc.mean_wait * 0.25, rtol=1e-12, atol=1e-300)


def test_distribution_methods_only_markovian():
    with pytest.raises(NotImplementedError, match="M/M/1 and M/M/c"):
        qm.md1(0.5, 1.0).wait_quantile(0.9)
    with pytest.raises(NotImplementedError):
        qm.gg1_kingman(0.5, 1.0, 1.0, 1.0).response_quantile(0.9)


@pytest.mark.parametrize("make", [
    lambda lam: qm.mm1(lam, 1.0),
    lambda lam: qm.mmc(lam, 1.0, 3),
    lambda lam: qm.mg1(lam, 1.0, 0.5),
    lambda lam: qm.md1(lam, 1.0),
    lambda lam: qm.gg1_kingman(lam, 1.0, 2.0, 0.5),
    lambda lam: qm.ggc_allen_cunneen(lam, 1.0, 3, 2.0, 0.5),
])
def test_unstable_is_inf_never_nan(make):
    # capacity 1/s for the single servers, 3/s for the three-server ones
    m = make(np.array([0.5, 1.0, 3.0, 7.0]))
    for name in ("utilization", "p_wait", "mean_wait", "mean_response",
                 "mean_queue_length", "mean_in_system"):
        assert not np.any(np.isnan(getattr(m, name))), name
    unstable = m.utilization >= 1
    assert np.array_equal(m.stable, ~unstable)
    assert np.all(np.isinf(m.mean_wait[unstable]))
    assert np.all(np.isinf(m.mean_response[unstable]))
    assert np.all(np.isinf(m.mean_queue_length[unstable]))
    assert np.all(np.isinf(m.mean_in_system[unstable]))
    assert np.all(m.p_wait[unstable] == 1.0)
    assert np.all(np.isfinite(m.mean_wait[~unstable]))
    if m.model in ("M/M/1", "M/M/c"):
        assert np.all(np.isinf(m.response_quantile(0.5)[unstable]))
        assert np.all(m.wait_tail(10.0)[unstable] == 1.0)
        assert not np.any(np.isnan(m.response_quantile(0.5)))


# ---------------------------------------------------------------------------
# Closed networks
# ---------------------------------------------------------------------------
demand_lists = st.lists(st.floats(0.0, 2.0), min_size=1, max_size=5).filter(
    lambda d: sum(d) > 1e-3)


@SETTINGS
@given(d=demand_lists, z=st.floats(0.0, 20.0), n=st.integers(1, 300),
       d0=st.floats(0.0, 1.0))
def test_mva_properties(d, z, n, d0):
    res = qm.mva(d, z, n, delay=d0)
    x, r = res.throughput, res.response_time
    nn = res.population
    assert np.all(np.diff(x) >= -1e-12 * x[1:])          # non-decreasing in N
    assert np.all(np.diff(r) >= -1e-12 * r[1:])          # response non-decreasing
    np.testing.assert_allclose(x * (r + z), nn, rtol=1e-10)  # Little: N = X (R + Z)
    np.testing.assert_allclose(res.queue_length.sum(axis=1) + x * (z + d0), nn, rtol=1e-10)
    assert np.all(res.utilization <= 1 + 1e-12)
    b = qm.asymptotic_bounds(d, z, nn, delay=d0)
    assert np.all(x <= b.throughput_upper * (1 + 1e-12))
    assert np.all(x >= b.throughput_lower * (1 - 1e-12))
    assert np.all(r >= b.response_lower * (1 - 1e-12))
    assert np.all(r <= b.response_upper * (1 + 1e-12))
    s = qm.mva_schweitzer(d, z, n, delay=d0)
    np.testing.assert_allclose(s.throughput * (s.response_time + z), n, rtol=1e-8)
    assert s.throughput[0] <= b.throughput_upper[-1] * (1 + 1e-12)
    assert s.queue_length.shape == (1, len(d))


def test_schweitzer_exact_at_one_and_close_to_exact():
    d, z = [0.01, 0.02, 0.005], 0.1
    np.testing.assert_allclose(qm.mva_schweitzer(d, z, 1).throughput,
                               qm.mva(d, z, 1).throughput, rtol=1e-12)
    exact = qm.mva(d, z, 400)
    for n in (2, 5, 10, 20, 50, 100, 400):
        s = qm.mva_schweitzer(d, z, n)
        # Bard-Schweitzer errors are a few per cent around the knee (at most 5.7 % over
        # N = 1..400 for this network), vanishing at both ends
        assert s.throughput[0] == pytest.approx(exact.throughput[n - 1], rel=0.06)
        np.testing.assert_allclose(s.queue_length[0],
                                   s.throughput[0] * s.residence_time[0], rtol=1e-12)


def test_mva_large_population_is_fast():
    import time

    qm.mva([0.01, 0.02], 1.0, 2)                      # compile / load the kernel
    t0 = time.perf_counter()
    res = qm.mva([0.004, 0.0015, 0.002, 0.001], 1.0, 100_000, delay=0.0005)
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.5
    assert res.throughput.shape == (100_000,)
    assert res.queue_length.shape == (100_000, 4)
    assert res.throughput[-1] == pytest.approx(1 / 0.004, rel=1e-9)
    s = qm.mva_schweitzer([0.004, 0.0015, 0.002, 0.001], 1.0, 100_000, delay=0.0005)
    assert s.throughput[0] == pytest.approx(res.throughput[-1], rel=1e-6)


@SETTINGS
@given(d=demand_lists, z=st.floats(0.0, 20.0), n=st.integers(1, 500), d0=st.floats(0.0, 1.0))
def test_multiclass_one_class_equals_schweitzer(d, z, n, d0):
    mc = qm.mva_multiclass_schweitzer([d], [z], [n], delay=d0)
    s = qm.mva_schweitzer(d, z, n, delay=d0)
    np.testing.assert_allclose(mc.throughput, s.throughput, rtol=1e-7)
    np.testing.assert_allclose(mc.response_time, s.response_time, rtol=1e-7)
    np.testing.assert_allclose(mc.queue_length, s.queue_length, rtol=1e-6, atol=1e-8 * n)
    np.testing.assert_allclose(mc.utilization, s.utilization[0], rtol=1e-7)


@pytest.mark.parametrize("n_cls,per_class", [(2, 5), (4, 10), (8, 25)])
def test_multiclass_symmetric_classes(n_cls, per_class):
    d, z = np.array([0.01, 0.02, 0.005]), 0.3
    mc = qm.mva_multiclass_schweitzer(np.tile(d, (n_cls, 1)), np.full(n_cls, z),
                                      np.full(n_cls, per_class))
    n = n_cls * per_class
    # identical classes: R_k = D_k (1 + Q_k - Q_k/(R N_r)) = D_k (1 + (N-1)/N Q_k),
    # i.e. exactly single-class Schweitzer at the total population
    s = qm.mva_schweitzer(d, z, n)
    np.testing.assert_allclose(mc.throughput.sum(), s.throughput[0], rtol=1e-8)
    np.testing.assert_allclose(mc.queue_length.sum(axis=0), s.queue_length[0], rtol=1e-7)
    np.testing.assert_allclose(mc.utilization, s.utilization[0], rtol=1e-8)
    # and close to exact MVA
    exact = qm.mva(d, z, n)
    assert mc.throughput.sum() == pytest.approx(exact.throughput[-1], rel=0.06)
    np.testing.assert_allclose(mc.response_time, mc.response_time[0], rtol=1e-9)


def test_multiclass_replica_hotspot_shape():
    # H nodes: class h reads its local CVM h and the shared replica CVM (station H).
    h = 4
    d = np.zeros((h, h + 1))
    d[np.arange(h), np.arange(h)] = 0.004
    d[:, h] = 0.0015
    pops = np.array([10, 20, 30, 40])
    res = qm.mva_multiclass_schweitzer(d, 1.0, pops, delay=0.0002)
    assert res.queue_length.shape == (h, h + 1) and res.utilization.shape == (h + 1,)
    np.testing.assert_allclose(res.throughput * (res.response_time + 1.0), pops, rtol=1e-8)
    np.testing.assert_allclose(res.utilization, (res.throughput[:, None] * d).sum(axis=0))
    assert np.all(res.utilization <= 1 + 1e-12)
    assert np.all(np.diff(res.utilization[:h]) > 0)   # busier nodes with more desktops


def test_asymptotic_bounds_values():
    b = qm.asymptotic_bounds([1.0, 2.0], 3.0, np.array([1, 2, 10]))
    np.testing.assert_allclose(b.throughput_upper, [1 / 6, 2 / 6, 0.5])
    np.testing.assert_allclose(b.throughput_lower, [1 / 6, 2 / 9, 10 / 33])
    np.testing.assert_allclose(b.response_lower, [3, 3, 17])
    assert b.saturation_population == pytest.approx(3.0)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("call,name", [
    (lambda: qm.mm1(-1.0, 1.0), "arrival_rate"),
    (lambda: qm.mm1(float("nan"), 1.0), "arrival_rate"),
    (lambda: qm.mm1(0.5, 0.0), "service_rate"),
    (lambda: qm.mm1(0.5, [1.0, float("nan")]), "service_rate"),
    (lambda: qm.mmc(0.5, 1.0, 0), "servers"),
    (lambda: qm.mmc(0.5, 1.0, 2.5), "servers"),
    (lambda: qm.mmc(0.5, -1.0, 2), "service_rate"),
    (lambda: qm.erlang_b(0, 1.0), "servers"),
    (lambda: qm.erlang_c(3, -0.1), "offered_load"),
    (lambda: qm.erlang_c(3, float("nan")), "offered_load"),
    (lambda: qm.mg1(0.5, 0.0, 1.0), "mean_service_s"),
    (lambda: qm.mg1(0.5, 1.0, -1.0), "scv_service"),
    (lambda: qm.md1(0.5, float("nan")), "service_rate"),
    (lambda: qm.gg1_kingman(0.5, 1.0, -1.0, 1.0), "scv_arrival"),
    (lambda: qm.ggc_allen_cunneen(0.5, 1.0, 0, 1.0, 1.0), "servers"),
    (lambda: qm.mmc(0.5, 1.0, 2).wait_quantile(1.5), "q"),
    (lambda: qm.mmc(0.5, 1.0, 2).wait_tail(-1.0), "t"),
    (lambda: qm.mva([0.1, 0.2], 1.0, 2.5), "population"),
    (lambda: qm.mva([0.1, 0.2], 1.0, 0), "population"),
    (lambda: qm.mva([0.1, -0.2], 1.0, 3), "demands"),
    (lambda: qm.mva([], 1.0, 3), "demands"),
    (lambda: qm.mva([[0.1, 0.2]], 1.0, 3), "demands"),
    (lambda: qm.mva([0.1, 0.2], float("nan"), 3), "think_time"),
    (lambda: qm.mva([0.1, 0.2], 1.0, 3, delay=-1.0), "delay"),
    (lambda: qm.mva([0.0, 0.0], 0.0, 3), "demands"),
    (lambda: qm.mva_schweitzer([0.1], 1.0, 3.5), "population"),
    (lambda: qm.mva_schweitzer([0.1], 1.0, 3, tol=0.0), "tol"),
    (lambda: qm.mva_multiclass_schweitzer([[0.1, 0.2]], [1.0], [1.5]), "populations"),
    (lambda: qm.mva_multiclass_schweitzer([[0.1, 0.2]], [-1.0], [1]), "think_time_s"),
    (lambda: qm.mva_multiclass_schweitzer([[0.1], [0.2]], [1.0, 1.0, 1.0], [1, 1]),
     "think_time_s"),
    (lambda: qm.mva_multiclass_schweitzer([0.1, 0.2], [1.0], [1]), "demands"),
    (lambda: qm.asymptotic_bounds([0.1], 1.0, 0), "population"),
])
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_schweitzer_multiclass_reports_nonconvergence():
    with pytest.raises(RuntimeError, match="max_iter"):
        qm.mva_multiclass_schweitzer([[0.01, 0.02], [0.02, 0.01]], [0.1, 0.1], [50, 50],
                                     max_iter=2)


# ---------------------------------------------------------------- tails

@pytest.mark.parametrize("p", [0.5, 0.95, 0.99])
def test_mixture_quantile_inverts_the_cdf(p):
    w, a, d = np.array([0.9, 0.1]), np.array([5e3, 2e4]), np.array([3e-4, 0.0])
    t = qm.shifted_exponential_mixture_quantile(p, w, a, d)
    cdf = np.sum(w * -np.expm1(-a * np.clip(t - d, 0, None)))
    assert cdf == pytest.approx(p, abs=1e-12)
    # a single exponential: the textbook quantile -ln(1-p)/a
    assert qm.shifted_exponential_mixture_quantile(p, [1.0], [2.0], [0.0]) == pytest.approx(
        -np.log1p(-p) / 2.0, rel=1e-12)


def test_dm1_sigma_against_brentq():
    rho = np.array([0.05, 0.3, 0.5, 0.8, 0.95, 0.999])
    sig = qm.dm1_sigma(rho)
    for r, s in zip(rho, sig):
        ref = optimize.brentq(lambda x: x - np.exp(-(1 - x) / r), 0.0, 1 - (1 - r) / 10,
                              xtol=1e-15)
        assert s == pytest.approx(ref, rel=1e-10, abs=1e-14)
    assert qm.dm1_sigma(0.5) == pytest.approx(0.2031878699, rel=1e-9)
    assert list(qm.dm1_sigma([0.0, 1.0, 3.0])) == [0.0, 1.0, 1.0]
