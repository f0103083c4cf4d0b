import numpy as np

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
