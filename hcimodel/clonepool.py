r"""Read streams of a pool of clones of one base image, with and without dedup.

A pool of :math:`N` desktops is cloned from one base image of :math:`B` cache
blocks (4 KiB, the Nutanix cache-fill unit). Each desktop also owns
:math:`P` *private* blocks (profile, page file, its own data). Every desktop
issues reads at the same rate; a share :math:`s` of them go to base blocks,
chosen by a Zipf law of exponent :math:`\alpha` (the same popularity ranking in
every desktop: they run the same OS), the rest to its private blocks (Zipf of
exponent :math:`\alpha_p`).

**Writes replace shared content with unique content.** A desktop that writes a
base block gives it content of its own. Each (desktop, base block) pair is
written independently with probability :math:`w(t)`, the *written fraction*,
which may grow with time as a desktop overwrites not-yet-written base blocks at
rate :math:`r` (per second, per block):

.. math:: w(t) = 1 - (1 - w_0)\, e^{-r t}.

Which pairs are written is fixed by a seeded hash of (desktop, block), so it
needs no memory and a block once written stays written.

**The cache key of a read** (the map from (desktop, block) to what a cache
compares) depends on the clone type and on de-duplication:

============ ================================ =====================================
clone type   without dedup (key = location)   with dedup (key = content fingerprint)
============ ================================ =====================================
``linked``   an unwritten base block is read  the same: the replica holds one copy
             from the one replica disk:       of each block, so dedup finds nothing
             key (replica, block), shared.    more to merge in the base.
             A written block is on the delta
             disk: key (desktop, block).
``full``     every clone holds its own copy:  ``unshare='block'`` (default): a base
             key (desktop, block).            block is shared iff this desktop has
                                              not written it; ``unshare='chunk'``:
                                              iff its whole 16 KiB fingerprint chunk
                                              is unchanged (all its 4 KiB blocks
                                              unwritten). Else unique.
============ ================================ =====================================

Private blocks are always unique. **Dedup granularity** (``unshare``): AOS
fingerprints 16 KiB chunks (``fingerprint_bytes``), coarser than the 4 KiB
cache fill (``block_bytes``), but the Nutanix Bible says de-duplicated data is
pulled into the cache at 4 KiB and that a write to a de-duplicated extent
leaves its untouched part shared. So by default (``unshare='block'``) a write
unshares only the 4 KiB blocks it writes: a base block of a full clone stays a
duplicate with probability :math:`1 - w`. ``unshare='chunk'`` is the coarser
reading, one write unsharing its whole chunk: :math:`(1 - w)^k` with
:math:`k` blocks per chunk. ``full`` means clones that are real copies (e.g.
made by a copy, then de-duplicated at ingest); full clones made by native
(VAAI) cloning share the parent's extents until written and cache like
``linked``.

The stream (:func:`clone_pool_stream`) carries both keys, so one stream replays
with and without dedup; :func:`item_rates` gives the analytic counterpart, the
request rate of every cache key under the independent reference model (IRM),
for :mod:`hcimodel.caching`.

References
----------
Nutanix Bible, "AOS Storage" (granularity: 4 KiB cache fill, 16 KiB dedup
chunks, dedup data pulled into the cache at 4 KiB, a write to a de-duplicated
extent leaves the untouched part shared); ``shared/REFERENCES.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .caching import merge_duplicate_rates, zipf_rates
from .streams import as_generator, inverse_cdf_index
from .validation import (check_choice, check_in_range, check_integer, check_nonnegative,
                         check_positive, check_probability)

__all__ = ["CLONE_TYPES", "UNSHARE", "ClonePool", "ClonePoolStream", "clone_pool_stream", "item_rates",
           "ItemRates"]

#: Clone types understood by :class:`ClonePool`.
CLONE_TYPES = ("linked", "full")
#: What a write to a de-duplicated base block unshares (:class:`ClonePool`).
UNSHARE = ("block", "chunk")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True)
class ClonePool:
    """A pool of desktops cloned from one base image.

    Parameters
    ----------
    n_desktops : int
        Desktops in the pool, ``>= 1``.
    base_blocks : int
        Cache blocks of the base image that desktops read, ``>= 1``.
    private_blocks : int
        Private blocks read by each desktop, ``>= 0``.
    alpha : float
        Zipf exponent of base-block popularity, ``>= 0``.
    private_alpha : float
        Zipf exponent of private-block popularity, ``>= 0``.
    shared_read_fraction : float
        Share :math:`s` of reads that go to base blocks, in [0, 1]
        (1 if ``private_blocks == 0``).
    written_fraction : float
        :math:`w_0`, share of base blocks each desktop has overwritten at
        time 0, in [0, 1].
    overwrite_rate_per_s : float
        :math:`r`, rate at which a desktop overwrites each still-unwritten base
        block (1/s), ``>= 0``.
    read_iops : float
        Reads per second of one desktop (1/s), ``> 0``; only the time axis of
        a stream and absolute rates depend on it, not hit ratios.
    clone_type : {'linked', 'full'}
        See the module docstring.
    block_bytes : int
        Cache block (fill) size, bytes (4096).
    fingerprint_bytes : int
        Dedup fingerprint chunk, bytes (16384); a multiple of ``block_bytes``.
    unshare : {'block', 'chunk'}
        What a desktop's write to a de-duplicated base block unshares in a
        full clone: ``'block'`` (default), only the 4 KiB blocks written, the
        rest of the chunk stays shared (Nutanix Bible: dedup data is cached at
        4 KiB and a write leaves the untouched part of the extent shared);
        ``'chunk'``, the whole fingerprint chunk.
    """

    n_desktops: int = 100
    base_blocks: int = 1 << 15
    private_blocks: int = 1 << 13
    alpha: float = 0.8
    private_alpha: float = 0.8
    shared_read_fraction: float = 0.9
    written_fraction: float = 0.1
    overwrite_rate_per_s: float = 0.0
    read_iops: float = 5.25
    clone_type: str = "linked"
    block_bytes: int = 4096
    fingerprint_bytes: int = 16384
    unshare: str = "block"

    def __post_init__(self):
        check_integer("n_desktops", self.n_desktops, minimum=1, scalar=True)
        check_integer("base_blocks", self.base_blocks, minimum=1, scalar=True)
        check_integer("private_blocks", self.private_blocks, minimum=0, scalar=True)
        check_nonnegative("alpha", self.alpha, scalar=True)
        check_nonnegative("private_alpha", self.private_alpha, scalar=True)
        check_probability("shared_read_fraction", self.shared_read_fraction, scalar=True)
        if self.private_blocks == 0 and self.shared_read_fraction != 1:
            raise ValueError("shared_read_fraction must be 1 when private_blocks is 0 "
                             f"(got {self.shared_read_fraction!r})")
        check_probability("written_fraction", self.written_fraction, scalar=True)
        check_nonnegative("overwrite_rate_per_s", self.overwrite_rate_per_s, scalar=True)
        check_positive("read_iops", self.read_iops, scalar=True)
        check_choice("clone_type", self.clone_type, CLONE_TYPES)
        check_integer("block_bytes", self.block_bytes, minimum=1, scalar=True)
        check_integer("fingerprint_bytes", self.fingerprint_bytes, minimum=1, scalar=True)
        if self.fingerprint_bytes % self.block_bytes:
            raise ValueError("fingerprint_bytes must be a multiple of block_bytes "
                             f"{self.block_bytes} (got {self.fingerprint_bytes!r})")
        if self.unshare not in UNSHARE:
            raise ValueError(f"unshare must be one of {list(UNSHARE)} (got {self.unshare!r})")

    @classmethod
    def from_profile(cls, profile, **kwargs) -> "ClonePool":
        """A pool whose read rate and shared share come from a VDI profile.

        ``read_iops`` and ``shared_read_fraction`` are the profile's
        :attr:`~hcimodel.workload.WorkloadProfile.read_iops` and
        ``replica_read_fraction``; other fields from ``kwargs``.
        """
        from .workload import WorkloadProfile
        from .workload import profile as _profile
        p = profile if isinstance(profile, WorkloadProfile) else _profile(profile)
        return cls(read_iops=p.read_iops, shared_read_fraction=p.replica_read_fraction, **kwargs)

    def replace(self, **changes) -> "ClonePool":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    @property
    def blocks_per_chunk(self) -> int:
        """Cache blocks per fingerprint chunk, :math:`k`."""
        return self.fingerprint_bytes // self.block_bytes

    @property
    def unshare_blocks(self) -> int:
        """Cache blocks one write unshares in a full clone: 1, or :attr:`blocks_per_chunk`."""
        return 1 if self.unshare == "block" else self.blocks_per_chunk

    @property
    def logical_blocks(self) -> int:
        """Logical (desktop, block) addresses of the pool, :math:`N (B + P)`."""
        return self.n_desktops * (self.base_blocks + self.private_blocks)

    def written_fraction_at(self, time_s) -> np.ndarray:
        r""":math:`w(t) = 1 - (1 - w_0) e^{-r t}` at ``time_s`` (s, ``>= 0``)."""
        t = check_nonnegative("time_s", time_s, allow_inf=True)
        with np.errstate(invalid="ignore"):
            decay = np.where(np.isinf(t) & (self.overwrite_rate_per_s == 0), 1.0,
                             np.exp(-self.overwrite_rate_per_s * t))
        return 1.0 - (1.0 - self.written_fraction) * decay

    def shared_probability(self, dedup: bool, time_s=0.0) -> np.ndarray:
        """Probability that a (desktop, base block) pair reads a shared cache key.

        ``linked``: :math:`1 - w`, with or without dedup; ``full``: 0 without
        dedup, with dedup :math:`1 - w` (``unshare='block'``) or
        :math:`(1 - w)^k` (``unshare='chunk'``, k blocks per chunk).
        """
        w = self.written_fraction_at(time_s)
        if self.clone_type == "linked":
            return 1.0 - w
        return (1.0 - w) ** self.unshare_blocks if dedup else np.zeros_like(w)


def _uniform_hash(salt: np.uint64, x: np.ndarray) -> np.ndarray:
    """splitmix64 of ``salt ^ x`` as uniforms in [0, 1)."""
    z = (x.astype(np.uint64) ^ salt) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _keys(pool, salt, desktop, block, w):
    """(written, content key, location key) of reads of ``block`` by ``desktop``.

    ``w`` is the written fraction at each read; (desktop, base block) is
    written iff its hash uniform is below ``w``.
    """
    B, P = pool.base_blocks, pool.private_blocks
    salt = np.uint64(salt)

    def is_written(blk):
        return (_uniform_hash(salt, desktop * B + blk) < w) & (blk < B)

    written = (block >= B) | is_written(block)
    unique_key = B + desktop * (B + P) + block
    if pool.clone_type == "linked":
        location_key = np.where(written, unique_key, block)
        return written, location_key, location_key
    k = pool.unshare_blocks
    intact = ~written
    first = block - block % k
    for j in range(k):
        if not np.any(intact):
            break
        intact &= ~is_written(first + j)
    return written, np.where(intact, block, unique_key), unique_key


@dataclass(frozen=True)
class ClonePoolStream:
    """A read stream of a clone pool, with the cache keys of every read.

    Attributes
    ----------
    time_s : numpy.ndarray of float64
        Issue time of each read (s), Poisson at ``n_desktops * read_iops``.
    desktop : numpy.ndarray of int64
        Desktop issuing the read, ``0 .. N-1``.
    block : numpy.ndarray of int64
        Logical block of that desktop: ``0 .. B-1`` base, ``B .. B+P-1`` private.
    written : numpy.ndarray of bool
        Whether the block holds content written by the desktop (private blocks
        always do; base blocks if overwritten by the time of the read).
    content_key : numpy.ndarray of int64
        Key with dedup (content fingerprint mapped to an integer).
    location_key : numpy.ndarray of int64
        Key without dedup (disk and block).
    pool : ClonePool
        The pool it was drawn from.
    salt : int
        Seed of the hash that decides which (desktop, block) pairs are written.
    """

    time_s: np.ndarray
    desktop: np.ndarray
    block: np.ndarray
    written: np.ndarray
    content_key: np.ndarray
    location_key: np.ndarray
    pool: ClonePool = field(repr=False)
    salt: int = field(repr=False, default=0)

    def item_rates(self, dedup: bool, *, time_s: float = 0.0) -> "ItemRates":
        """Rates of the cache keys for *this* stream's layout of written blocks.

        Like :func:`item_rates`, but with the (desktop, block) pairs actually
        written in this stream (at ``time_s``) instead of their expected
        numbers: every pair is keyed as the stream keys it and equal keys are
        merged with :func:`hcimodel.caching.merge_duplicate_rates`. The
        difference from :func:`item_rates` is the sampling noise of the layout,
        largest when few desktops share the most popular chunks.
        """
        pool = self.pool
        t = check_in_range("time_s", time_s, 0.0, np.inf, scalar=True)
        N, B, P = pool.n_desktops, pool.base_blocks, pool.private_blocks
        rho, s = pool.read_iops, pool.shared_read_fraction
        d = np.repeat(np.arange(N, dtype=np.int64), B)
        b = np.tile(np.arange(B, dtype=np.int64), N)
        _, content, location = _keys(pool, self.salt, d, b, float(pool.written_fraction_at(t)))
        keys = content if dedup else location
        lam = np.tile(rho * s * zipf_rates(B, pool.alpha), N)
        rates = merge_duplicate_rates(lam, keys)
        mult = merge_duplicate_rates(np.ones(keys.size), keys)
        if P and s < 1:
            lam_p = np.tile(rho * (1 - s) * zipf_rates(P, pool.private_alpha), N)
            rates = np.concatenate([rates, lam_p])
            mult = np.concatenate([mult, np.ones(N * P)])
        return ItemRates(rates, mult, np.ones(rates.size, np.int64))

    def keys(self, dedup: bool) -> np.ndarray:
        """Cache keys of the reads: ``content_key`` if ``dedup`` else ``location_key``."""
        return self.content_key if dedup else self.location_key

    def __len__(self) -> int:
        return self.desktop.size


def _zipf_cdf(n, alpha):
    c = np.cumsum(zipf_rates(n, alpha))
    c /= c[-1]
    return c


def clone_pool_stream(pool: ClonePool, n_requests: int, *, rng=None) -> ClonePoolStream:
    """Draw a read stream of a clone pool and key every read with and without dedup.

    Parameters
    ----------
    pool : ClonePool
        The pool.
    n_requests : int
        Number of reads, ``>= 1``.
    rng : None, int, SeedSequence or Generator
        Random stream (SPEC 7); it also seeds which blocks are written.

    Returns
    -------
    ClonePoolStream
        Keys are integers: a shared base block ``b`` has key ``b``; a unique
        (desktop ``d``, block ``j``) has key ``B + d (B + P) + j``. Requests are
        independent (the IRM), except that keys change as blocks get written
        when ``overwrite_rate_per_s > 0``.
    """
    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    n = check_integer("n_requests", n_requests, minimum=1, scalar=True)
    gen = as_generator(rng)
    N, B, P = pool.n_desktops, pool.base_blocks, pool.private_blocks
    salt = np.uint64(gen.integers(0, 2**63, dtype=np.int64))
    time_s = np.cumsum(gen.exponential(1.0 / (N * pool.read_iops), n))
    desktop = gen.integers(0, N, n, dtype=np.int64)
    shared = gen.random(n) < pool.shared_read_fraction
    u = gen.random(n)
    block = np.empty(n, np.int64)
    block[shared] = inverse_cdf_index(_zipf_cdf(B, pool.alpha), u[shared])
    if P:
        block[~shared] = B + inverse_cdf_index(_zipf_cdf(P, pool.private_alpha), u[~shared])
    written, content_key, location_key = _keys(pool, salt, desktop, block,
                                               pool.written_fraction_at(time_s))
    return ClonePoolStream(time_s, desktop, block, written, content_key, location_key, pool,
                           int(salt))


@dataclass(frozen=True)
class ItemRates:
    """Request rates and multiplicities of the cache keys of a pool (IRM), by groups.

    Keys with the same rate and multiplicity form a group: the ``N`` copies of
    a base block in ``N`` full clones without dedup are one group of ``N``
    keys, not ``N`` entries. Pass ``group_rates`` with
    ``weights=group_count`` to the solvers of :mod:`hcimodel.caching`: the
    result is that of the expanded catalog (:attr:`rates`) without building
    it.

    Attributes
    ----------
    group_rates : numpy.ndarray
        Read rate of each key of the group (1/s).
    group_multiplicity : numpy.ndarray
        Logical (desktop, block) addresses that map to each key of the group:
        a cached shared key serves that many addresses.
    group_count : numpy.ndarray of int64
        Number of keys in the group, ``>= 1``. :func:`item_rates` gives at
        most ``2 B + P`` groups, whatever the number of desktops.
    """

    group_rates: np.ndarray = field(repr=False)
    group_multiplicity: np.ndarray = field(repr=False)
    group_count: np.ndarray = field(repr=False)

    @property
    def rates(self) -> np.ndarray:
        """Read rate of every key, expanded (``n_items`` floats, built on each access)."""
        return np.repeat(self.group_rates, self.group_count)

    @property
    def multiplicity(self) -> np.ndarray:
        """Logical addresses of every key, expanded like :attr:`rates`."""
        return np.repeat(self.group_multiplicity, self.group_count)

    @property
    def n_items(self) -> int:
        """Number of cache keys."""
        return int(self.group_count.sum())

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(self.group_rates.size)

    @property
    def total_rate(self) -> float:
        """Sum of the rates (1/s)."""
        return float(self.group_rates @ self.group_count)


def _spread(value, n):
    """Integers c_b (b < n) with cumulative sums within 1 of ``value * (b + 1)``.

    The systematic rounding of a constant expected count ``value`` per block.
    A whole ``value`` gives itself; otherwise the floor of the running sum
    (the same operations as ``floor(cumsum(full(n, value)) + 1e-9)``, done in
    place).
    """
    if float(value).is_integer():
        # cumsum of a whole number is exact below 2**53, and so is its floor
        return np.full(n, int(value), np.int64)
    cum = np.cumsum(np.full(n, value))
    cum += 1e-9
    np.floor(cum, out=cum)
    out = np.empty(n, np.int64)
    out[0] = cum[0]
    np.subtract(cum[1:], cum[:-1], out=out[1:], casting="unsafe")
    return out


def item_rates(pool: ClonePool, dedup: bool, *, time_s: float = 0.0) -> ItemRates:
    r"""Request rate of every cache key of the pool: the analytic twin of a stream.

    Base block :math:`b` is read by one desktop at rate
    :math:`\lambda_b = \rho\, s\, z_b(\alpha)` (:math:`\rho` = ``read_iops``,
    :math:`z` the Zipf law). Of the :math:`N` desktops, :math:`N \pi` read it
    under the shared key (:math:`\pi` = :meth:`ClonePool.shared_probability`),
    which is one item of rate :math:`N \pi \lambda_b`; the others read it under
    keys of their own, :math:`N (1 - \pi)` items of rate :math:`\lambda_b`.
    Private block :math:`j` gives :math:`N` items of rate
    :math:`\rho (1 - s) z_j(\alpha_p)`. Expected counts that are not whole are
    rounded systematically over neighbouring blocks (whose rates differ
    little), so the total count is exact to one item. For dedup on/off the
    keys are those of :class:`ClonePoolStream` (``content_key`` /
    ``location_key``); equal keys are merged as by
    :func:`hcimodel.caching.merge_duplicate_rates`.

    Parameters
    ----------
    pool : ClonePool
    dedup : bool
        Key by content (True) or by location (False).
    time_s : float
        Time at which the written fraction is taken (s).

    Returns
    -------
    ItemRates
        In groups only: at most ``2 B + P`` groups whatever ``n_desktops``
        (a shared key, the unique copies of each base block, the copies of
        each private block); :attr:`ItemRates.rates` expands them on demand.
    """
    if not isinstance(pool, ClonePool):
        raise ValueError(f"pool must be a ClonePool (got {type(pool).__name__})")
    t = check_in_range("time_s", time_s, 0.0, np.inf, scalar=True)
    N, B, P = pool.n_desktops, pool.base_blocks, pool.private_blocks
    rho = pool.read_iops
    lam_b = rho * pool.shared_read_fraction * zipf_rates(B, pool.alpha)
    pi = float(pool.shared_probability(bool(dedup), t))
    n_shared = _spread(N * pi, B)
    n_unique = N - n_shared
    has_private = bool(P) and pool.shared_read_fraction < 1
    # Groups, in this order: the shared key of each block read under it, the
    # unique keys of each block with any, the N copies of each private block.
    # Filled in place: the arrays are 2 B + P long, so no temporaries of that size.
    has_shared = n_shared > 0
    has_unique = n_unique > 0
    k_s, k_u = int(has_shared.sum()), int(has_unique.sum())
    n_groups = k_s + k_u + (P if has_private else 0)
    gr = np.empty(n_groups)
    gm = np.empty(n_groups)
    gc = np.empty(n_groups, np.int64)
    sh, un = slice(0, k_s), slice(k_s, k_s + k_u)
    if k_s == B:
        np.multiply(lam_b, n_shared, out=gr[sh])
        gm[sh] = n_shared
    elif k_s:
        gr[sh] = lam_b[has_shared] * n_shared[has_shared]
        gm[sh] = n_shared[has_shared]
    gc[sh] = 1
    if k_u == B:
        gr[un] = lam_b
        gc[un] = n_unique
    elif k_u:
        gr[un] = lam_b[has_unique]
        gc[un] = n_unique[has_unique]
    gm[un] = 1.0
    if has_private:
        pr = slice(k_s + k_u, n_groups)
        gr[pr] = rho * (1 - pool.shared_read_fraction) * zipf_rates(P, pool.private_alpha)
        gm[pr] = 1.0
        gc[pr] = N
    return ItemRates(gr, gm, gc)
