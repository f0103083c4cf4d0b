"""Random streams, following SPEC 7.

Every stochastic function in hcimodel takes a keyword ``rng=None`` and normalises
it with :func:`as_generator`. Parallel work spawns independent child streams from
one :class:`numpy.random.SeedSequence` with :func:`spawn_generators`, always the
same number of children whatever the number of workers, so results are
bit-identical for any ``n_jobs``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_generator", "as_seed_sequence", "spawn_generators"]


def as_generator(rng=None) -> np.random.Generator:
    """Normalise ``rng`` (None, int, SeedSequence or Generator) to a Generator."""
    return np.random.default_rng(rng)


def as_seed_sequence(seed=None) -> np.random.SeedSequence:
    """Normalise ``seed`` (None, int, SeedSequence or Generator) to a SeedSequence.

    A Generator contributes the seed sequence it was built from, so spawning from
    it is reproducible in the same way as spawning from the seed itself.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.seed_seq
    return np.random.SeedSequence(seed)


def spawn_generators(seed, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent Generators spawned from ``seed``.

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        Root of the streams.
    n : int
        Number of child streams.
    """
    return [np.random.default_rng(s) for s in as_seed_sequence(seed).spawn(n)]
