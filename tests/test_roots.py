"""The shared vectorised root finder."""

import math

import numpy as np
import pytest

from hcimodel.roots import bisect


def test_bisect_square_roots_to_the_last_bit():
    c = np.array([0.5, 2.0, 10.0, 1e6])
    lo, hi = bisect(lambda x: x * x < c, 0.0, np.maximum(c, 1.0))
    assert np.all(lo <= hi)
    np.testing.assert_allclose(hi, np.sqrt(c), rtol=4 * np.finfo(float).eps)


def test_bisect_broadcasts_bracket_and_keeps_the_ends_when_the_root_is_outside():
    lo, hi = bisect(lambda x: np.full(np.shape(x), True), 0.0, [1.0, 2.0])
    np.testing.assert_array_equal(hi, [1.0, 2.0])  # never False: hi stays the top end
    lo, hi = bisect(lambda x: np.full(np.shape(x), False), [0.0, -1.0], 3.0)
    np.testing.assert_array_equal(lo, [0.0, -1.0])


def test_bisect_solves_an_exponential_quantile():
    # p-quantile of Exp(rate): -log(1 - p) / rate (the hot spot's latency mixtures)
    p, rate = 0.95, np.array([1.0, 250.0])
    _, hi = bisect(lambda t: -np.expm1(-rate * t) < p, 0.0, 100.0)
    assert hi == pytest.approx(-math.log(1 - p) / rate, rel=1e-13)
