"""Patching native clones in place: closed form and Monte Carlo twin
(:mod:`hcimodel.fullclone`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cluster import _rf
from ..shadowclone import Replica
from ..streams import as_generator
from ..validation import check_instance, check_integer, check_nonnegative
from .warmup import PATCH_BYTES

__all__ = ["PatchCycle", "patch_cycle", "simulate_patch_cycle"]


@dataclass(frozen=True)
class PatchCycle:
    """Image updates applied by patching inside every guest, patch after patch.

    Arrays over ``patches`` = 0, 1, ..., K (0 = freshly cloned).

    Attributes
    ----------
    patches : numpy.ndarray of int
    shared_fraction : numpy.ndarray
        Share of the parent's used blocks a desktop still shares (unwritten).
    private_bytes_per_desktop : numpy.ndarray
        Bytes of the image a desktop has made its own by patching (bytes).
    written_bytes_per_patch : float
        Bytes each guest writes per patch (bytes).
    network_bytes_per_patch : float
        Bytes the cluster sends per patch: every guest's writes to ``RF - 1``
        remote oplogs, ``N p (RF - 1)`` (bytes).
    raw_bytes : numpy.ndarray
        Raw capacity of parent and patched blocks, RF copies, without dedup:
        ``RF (used + N private)`` (bytes).
    raw_bytes_dedup : numpy.ndarray
        The same when patched content, identical in every guest, is
        de-duplicated: ``RF (used + private)`` (bytes; a lower bound).
    """

    patches: np.ndarray
    shared_fraction: np.ndarray
    private_bytes_per_desktop: np.ndarray
    written_bytes_per_patch: float
    network_bytes_per_patch: float
    raw_bytes: np.ndarray
    raw_bytes_dedup: np.ndarray

    #: What :func:`patch_cycle` and :func:`simulate_patch_cycle` both give
    #: (:meth:`to_frame`, :func:`hcimodel.twins.compare`).
    METRICS = ("shared_fraction", "private_bytes_per_desktop", "raw_bytes", "raw_bytes_dedup")

    def to_frame(self) -> pl.DataFrame:
        """Tidy frame: patches, metric, value; sorted."""
        import polars as pl

        return pl.concat([pl.DataFrame({"patches": self.patches.astype(np.int64), "metric": m,
                                        "value": getattr(self, m).astype(float)})
                          for m in self.METRICS]).sort(["metric", "patches"])


def _patch_inputs(n_patches, n_desktops, parent, patch_bytes, rf, n_nodes):
    K = check_integer("n_patches", n_patches, minimum=0, scalar=True)
    N = check_integer("n_desktops", n_desktops, minimum=1, scalar=True)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    R = _rf(rf, H, scalar=True)
    p = check_nonnegative("patch_bytes", patch_bytes, scalar=True)
    parent = check_instance("parent", parent, Replica, default=Replica)
    return K, N, R, p, parent


def _patch_cycle(k, shared, N, R, p, parent):
    private = parent.used_bytes * (1.0 - shared)
    return PatchCycle(k, shared, private, p, N * p * (R - 1.0),
                      R * (parent.used_bytes + N * private), R * (parent.used_bytes + private))


def patch_cycle(n_patches: int = 12, n_desktops: int = 100, *, parent: Replica | None = None,
                patch_bytes: float = PATCH_BYTES, rf: int = 2, n_nodes: int = 4) -> PatchCycle:
    r"""Sharing lost, bytes written and sent, capacity, over successive patches.

    Each patch writes ``p`` bytes in every guest, over blocks of the image drawn
    uniformly (*assumed*; the same files in every guest), a share
    :math:`f = \min(p / \text{used}, 1)` of the image. After k patches a
    desktop still shares :math:`s_k = (1 - f)^k` of the parent's used blocks;
    the rest is its own (written locally, ``RF - 1`` remote copies):
    ``private_k = used (1 - s_k)``. Patches that rewrite the same files erode
    less: :math:`s_k` is a lower bound on sharing.

    Parameters
    ----------
    n_patches : int
        Patches K (>= 0), e.g. 12 for a year of monthly updates.
    n_desktops : int
    parent : hcimodel.shadowclone.Replica, optional
    patch_bytes : float
        Bytes each guest writes per patch (default :data:`PATCH_BYTES`, assumed).
    rf : int
        Replication factor (default 2).
    n_nodes : int
        Nodes (only to check ``rf``).

    Returns
    -------
    PatchCycle
    """
    K, N, R, p, parent = _patch_inputs(n_patches, n_desktops, parent, patch_bytes, rf, n_nodes)
    f = min(p / parent.used_bytes, 1.0)
    k = np.arange(K + 1)
    return _patch_cycle(k, (1.0 - f) ** k, N, R, p, parent)


def simulate_patch_cycle(n_patches: int = 12, n_desktops: int = 100, *,
                         parent: Replica | None = None, patch_bytes: float = PATCH_BYTES,
                         rf: int = 2, n_nodes: int = 4, rng=None) -> PatchCycle:
    """Monte Carlo twin of :func:`patch_cycle`: draw the blocks each patch writes.

    Each patch writes ``round(f m)`` distinct blocks of the ``m`` used blocks,
    drawn uniformly; the shared fraction is the share never written so far.
    """
    K, N, R, p, parent = _patch_inputs(n_patches, n_desktops, parent, patch_bytes, rf, n_nodes)
    rng = as_generator(rng)
    m = parent.n_blocks
    per = int(round(min(p / parent.used_bytes, 1.0) * m))
    written = np.zeros(m, dtype=bool)
    shared = [1.0]
    for _ in range(K):
        written[rng.choice(m, per, replace=False)] = True
        shared.append(1.0 - written.mean())
    return _patch_cycle(np.arange(K + 1), np.array(shared), N, R, p, parent)
