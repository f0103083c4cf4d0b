import numpy as np
import pytest

from hcimodel.streams import as_generator, as_seed_sequence, spawn_generators


def test_as_generator_normalises():
    g = np.random.default_rng(1)
    assert as_generator(g) is g
    assert as_generator(5).random() == np.random.default_rng(5).random()
    assert isinstance(as_generator(None), np.random.Generator)


def test_spawned_streams_are_reproducible_and_distinct():
    a = [g.random(3) for g in spawn_generators(42, 4)]
    b = [g.random(3) for g in spawn_generators(42, 4)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert len({tuple(x) for x in a}) == 4


def test_seed_sequence_from_generator():
    ss = np.random.SeedSequence(9)
    assert as_seed_sequence(ss) is ss
    assert as_seed_sequence(np.random.default_rng(ss)) is ss
    assert as_seed_sequence(3).entropy == 3


def test_inverse_cdf_index_is_searchsorted():
    from hcimodel.caching import zipf_rates
    from hcimodel.streams import inverse_cdf_index

    rng = np.random.default_rng(7)
    for n, alpha in ((1, 0.0), (7, 0.0), (1000, 0.8), (100_000, 1.1)):
        cdf = np.cumsum(zipf_rates(n, alpha))
        cdf /= cdf[-1]
        u = rng.random(20_000)
        top = np.nextafter(1.0, 0.0)
        u[:4] = [0.0, min(cdf[0], top), np.nextafter(cdf[0], 0.0), top]
        ref = np.minimum(np.searchsorted(cdf, u, side="right"), n - 1)
        np.testing.assert_array_equal(inverse_cdf_index(cdf, u), ref)
    # zero-probability items (flat steps of the cdf) are never drawn, as with searchsorted
    cdf = np.array([0.25, 0.25, 0.5, 0.5, 0.5, 1.0])
    u = rng.random(10_000)
    np.testing.assert_array_equal(inverse_cdf_index(cdf, u),
                                  np.minimum(np.searchsorted(cdf, u, side="right"), 5))
    with pytest.raises(ValueError, match="cdf"):
        inverse_cdf_index([], u)
