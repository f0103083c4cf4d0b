"""Random streams, following SPEC 7.

Every stochastic function in hcimodel takes a keyword ``rng=None`` and normalises
it with :func:`as_generator`. Parallel work spawns independent child streams from
one :class:`numpy.random.SeedSequence` with :func:`spawn_generators`, always the
same number of children whatever the number of workers, so results are
bit-identical for any ``n_jobs``.
"""

from __future__ import annotations

import numpy as np

from .validation import check_integer

__all__ = ["as_generator", "as_seed_sequence", "spawn_generators", "MAX_STREAMS"]

#: Most child streams :func:`spawn_generators` makes at once (each Generator
#: holds a few KiB).
MAX_STREAMS = 2**20


def _bad_seed(name, value):
    return ValueError(f"{name} must be None, an integer >= 0, a sequence of them, a "
                      f"SeedSequence or a Generator (got {value!r:.80})")


def as_generator(rng=None) -> np.random.Generator:
    """Normalise ``rng`` (None, int, SeedSequence or Generator) to a Generator.

    Anything else (a bool, a float, a string, a negative integer) raises a
    ValueError naming ``rng``.
    """
    if isinstance(rng, (bool, np.bool_)):
        raise _bad_seed("rng", rng)
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError, OverflowError):
        raise _bad_seed("rng", rng) from None


def as_seed_sequence(seed=None) -> np.random.SeedSequence:
    """Normalise ``seed`` (None, int, SeedSequence or Generator) to a SeedSequence.

    A Generator contributes the seed sequence it was built from, so spawning from
    it is reproducible in the same way as spawning from the seed itself.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.seed_seq
    if isinstance(seed, (bool, np.bool_)):
        raise _bad_seed("seed", seed)
    try:
        return np.random.SeedSequence(seed)
    except (TypeError, ValueError, OverflowError):
        raise _bad_seed("seed", seed) from None


def spawn_generators(seed, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent Generators spawned from ``seed``.

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        Root of the streams.
    n : int
        Number of child streams, in [0, :data:`MAX_STREAMS`].
    """
    n = check_integer("n", n, minimum=0, maximum=MAX_STREAMS, scalar=True)
    return [np.random.default_rng(s) for s in as_seed_sequence(seed).spawn(n)]
