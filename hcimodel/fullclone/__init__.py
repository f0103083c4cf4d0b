r"""Full clones made by native (VAAI) cloning: the warm-up of shared extents, and patching.

A native clone is a metadata copy: it shares its parent's extents, which sit on
the parent's ``RF`` replica nodes, until it writes them (REFERENCES: "Native
(VAAI) clones are metadata copies"). Desktops are spread evenly over the H
nodes (desktop ``d`` on node ``d mod H``). A node that holds a replica of an
extent reads it locally; any other node's first read of a shared block goes
remote, to one of the extent's replica nodes, and the block is then cached
locally. Unlike Shadow Clones (:mod:`hcimodel.shadowclone`):

* there is **no detection delay**: the storage knows the common parent, so no
  access-pattern heuristic decides to cache it (the source material's argument);
* the **sources are the RF replica nodes**, not one owner: a block's fetches
  are served by one of its ``RF`` holders;
* **nothing is dropped when the image changes**: there is no recompose; the
  image is updated by patching inside every guest (:func:`patch_cycle`), which
  writes in every desktop (RF-replicated) and erodes sharing, since a patched
  block becomes the desktop's own (and local, after data locality).

Placement
    The parent VM was written on node 0, so node 0 holds every extent (data
    locality); the other ``RF - 1`` replicas of each extent (1 MiB, REFERENCES)
    sit on distinct nodes drawn uniformly from the ``H - 1`` others. A node
    other than node 0 therefore holds a given extent with probability
    :math:`q = (RF - 1)/(H - 1)` (:func:`holder_share`), and a block is fetched
    by :math:`k_f = (\min(N, H) - 1)(1 - q)` nodes on average
    (:func:`fetching_nodes`): 0 on one node, 0 when ``RF = H``.
    Which holder serves a fetch is drawn uniformly per extent (*assumed*: the
    Bible does not say which replica a remote read goes to).

Warm-up progress ``t`` seconds after deployment (:func:`cached_share`, from
the shared read rate of :func:`shared_read_rate`) is what the ``full_clones``
strategy of :mod:`hcimodel.hotspot` takes as its ``cached_share``; the hot
spot routes the rest to the extents' holders with the placement above
(:meth:`hcimodel.cluster.Cluster.extent_share`).

Closed forms (:func:`warmup`, :func:`patch_cycle`) reuse the occupancy
functions of :mod:`hcimodel.occupancy` (:func:`~hcimodel.occupancy.expected_distinct`,
:func:`~hcimodel.occupancy.local_share`,
:func:`~hcimodel.occupancy.reads_to_local_share`); their Monte Carlo twins
(:func:`simulate_warmup`, :func:`simulate_patch_cycle`) return the same result
types. The warm-up twin replays every block read with
:func:`hcimodel.simulate.fetch_replay.replay_reads` (no detection, one replay per source
node), on the boot sequence or on a :func:`hcimodel.clonepool.clone_pool_stream`.

Units are SI: bytes, seconds, bits per second.
"""

from .patch import *  # noqa: F401,F403
from .patch import __all__ as _patch_all
from .warmup import *  # noqa: F401,F403
from .warmup import __all__ as _warmup_all

__all__ = [*_warmup_all, *_patch_all]
