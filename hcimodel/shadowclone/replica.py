"""The replica as Shadow Clones see it, where desktops run, and how fast they read it.

Desktop ``d`` runs on node ``d mod H`` and node 0 owns the replica
(:func:`remote_placement`); a desktop reads the replica at
:func:`block_read_rate` block reads per second, and boots at :func:`boot_pace`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..caching import zipf_rates
from ..validation import (check_in_range, check_instance, check_integer, check_nonnegative,
                          check_positive)
from ..workload import BOOT_SHARED_READ_BYTES, WorkloadProfile, as_profile

__all__ = ["PHASES", "SOURCES", "DETECTION_REMOTE_CVMS", "Replica", "remote_placement",
           "boot_pace", "block_read_rate"]

#: Read patterns: the deterministic boot sequence, or independent steady reads (IRM).
PHASES = ("boot", "steady")
#: Fetch from the owner's CVM only, or from any node holding the block (the map).
SOURCES = ("single", "map")
#: Shadow Clones start when reads come from more than two remote CVMs.
DETECTION_REMOTE_CVMS = 3


@dataclass(frozen=True)
class Replica:
    """The replica disk as Shadow Clones see it.

    Parameters
    ----------
    size_bytes : float
        Provisioned size of the replica (bytes). Default 32 GB (25-40 GB typical).
    used_bytes : float
        Part of the replica actually written, the working set of the steady
        state (bytes). Default 10 GB (typical).
    boot_bytes : float
        Boot working set: bytes one desktop reads from the replica to boot.
        Default :data:`hcimodel.workload.BOOT_SHARED_READ_BYTES`, 378 MB: the
        replica's share (90 %, assumed) of the 420 MB a whole Windows 7 boot
        reads (hIOmon trace, :data:`hcimodel.workload.BOOT_READ_BYTES`). The
        hot spot's boot storm loads the CVMs with all 420 MB and sends the same
        378 MB to the replica, so both models describe the same boot.
    block_bytes : int
        Fetch unit (bytes). Default 4096, the cache granularity.
    alpha : float
        Zipf exponent of block popularity in the steady state (0 = uniform).
    """

    size_bytes: float = 32e9
    used_bytes: float = 10e9
    boot_bytes: float = BOOT_SHARED_READ_BYTES
    block_bytes: int = 4096
    alpha: float = 0.0

    def __post_init__(self):
        size = check_positive("size_bytes", self.size_bytes, scalar=True)
        used = check_in_range("used_bytes", self.used_bytes, 0.0, size, low_inclusive=False,
                              scalar=True)
        check_in_range("boot_bytes", self.boot_bytes, 0.0, used, low_inclusive=False,
                       scalar=True)
        check_integer("block_bytes", self.block_bytes, minimum=512, scalar=True)
        check_nonnegative("alpha", self.alpha, scalar=True)
        if self.block_bytes > self.boot_bytes:
            raise ValueError(f"block_bytes must be <= boot_bytes = {self.boot_bytes:g} "
                             f"(got {self.block_bytes})")

    @property
    def n_blocks(self) -> int:
        """Blocks of the used part of the replica, ``ceil(used / block)``."""
        return int(np.ceil(self.used_bytes / self.block_bytes))

    @property
    def n_boot_blocks(self) -> int:
        """Blocks of the boot set, ``ceil(boot / block)``."""
        return int(np.ceil(self.boot_bytes / self.block_bytes))

    def popularity(self) -> np.ndarray:
        """Probability of each used block in the steady state (Zipf, sums to 1)."""
        return zipf_rates(self.n_blocks, self.alpha, 1.0)


def remote_placement(H, N):
    """Remote nodes hosting desktops ``R`` and their mean desktops ``n`` (floats).

    Desktop ``d`` runs on node ``d mod H`` and node 0 owns the replica: the
    owner hosts ``ceil(N / H)`` desktops, the ``R = min(N, H) - 1`` other nodes
    with desktops share the remaining ``M = N - ceil(N / H)``. Nodes without a
    desktop read nothing, fetch nothing and are never seen by the detection.
    ``n = M / R`` (1 where ``R = 0``).
    """
    H = check_integer("H", H, minimum=1).astype(float)
    N = check_integer("N", N, minimum=1).astype(float)
    R = np.minimum(N, H) - 1.0
    M = N - np.ceil(N / H)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(R > 0, M / np.where(R > 0, R, 1.0), 1.0)
    return R, n



def boot_pace(replica: Replica | None = None, workload: WorkloadProfile | str = "boot"):
    """Block reads per second of one booting desktop on the replica, and its boot time.

    ``r = replica_read_iops * read_size / block``; the boot set is read in
    ``T_read = m_b / r`` seconds.

    Returns
    -------
    (float, float)
        ``r`` (blocks/s) and ``T_read`` (s).
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    r = block_read_rate(workload, replica)
    return r, replica.n_boot_blocks / r


def block_read_rate(workload: WorkloadProfile | str = "task",
                    replica: Replica | None = None) -> float:
    """Block reads per second one desktop sends to the shared image (1/s).

    ``replica_read_iops * read_size / block``: a desktop read of
    ``read_size_bytes`` touches ``read_size / block`` blocks on average. The
    one definition of the shared read rate used by the boot pace
    (:func:`boot_pace`), the steady phase of :func:`warmup`, :func:`hcimodel.clones.lifecycle`,
    :func:`replica_pool` and :mod:`hcimodel.fullclone`.

    Parameters
    ----------
    workload : WorkloadProfile or str
        Default ``'task'`` (steady state).
    replica : Replica, optional
        The shared image (its block size); default ``Replica()``.

    Returns
    -------
    float
        Block reads per second (1/s).
    """
    replica = check_instance("replica", replica, Replica, default=Replica)
    wl = as_profile(workload)
    return wl.replica_read_iops * wl.read_size_bytes / replica.block_bytes
