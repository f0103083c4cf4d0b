r"""Linked clones with Shadow Clones versus full clones with native (VAAI) cloning.

The source material ends on a question -- "What are the advantages and
trade-offs between using Linked Clones with Shadow Cloning vs. Full Clones with
native VAAI Cloning?" -- and a verdict: native cloning is better "from a
performance, change tracking, de-fragmentation and coalescing perspective".
:func:`compare` answers it with numbers over a pool's life (months), the same
desktops and hardware for both strategies (:class:`PoolLife`), criterion by
criterion, and :func:`verdict` turns the answer into a table: who wins, by how
much, and where the answer flips.

Strategies
----------
``linked_shadow``
    Linked clones (View Composer) on Shadow Clones. An image update is a
    *recompose*: a new replica is written (``RF`` copies), a second replica
    lives beside the old one while desktops move, delta disks are reset, and
    the Shadow Clones are re-detected and re-fetched
    (:func:`lifecycle`). A *refresh* resets delta disks.
``full_vaai``
    Full clones made by native cloning (:mod:`hcimodel.fullclone`): the shared
    extents warm up once, with no detection and no drop; an image update is a
    patch inside every guest: ``N p`` bytes written, ``RF - 1`` remote copies,
    sharing eroded patch after patch.

Criteria (rows of :func:`verdict`)
----------------------------------
* **latency**: steady-state and login-storm p95 read latency and the boot
  storm (:mod:`hcimodel.hotspot`; once warm both read locally), and the
  transient after each image update (Shadow Clones re-warm, full clones stay
  warm);
* **network**: bytes per month, recompose warm-up plus the new replica versus
  RF-replicated patch writes plus the one-time warm-up spread over the life;
* **cache**: hit ratio of a node's cache with and without dedup
  (:mod:`hcimodel.contentcache`) after the life's patches;
* **capacity**: raw bytes (RF copies): replica(s) plus delta disks reset by
  refresh and recompose, versus parent plus clones that keep what they write;
* **operations**: recompose duration at the broker's concurrency limit versus
  a patch window;
* **protection**: protection domains (at most 50 linked clones per PD), bytes
  to replicate (a floating pool of linked clones replicates its image only),
  RTO (:func:`hcimodel.replication.rto`), and what recovery mode forbids.

What is not modelled: de-fragmentation and coalescing (the source's other two
words); guest writes common to both strategies (the same in both, left out of
the network comparison); the patch download itself.

Units are SI (bytes, seconds); months are 30 days.

Submodules
----------
:mod:`.life`      :class:`PoolLife` (the pool and hardware both strategies
                  share) and the constants (:data:`STRATEGIES`,
                  :data:`CRITERIA`, Horizon's limits, :data:`SOURCE_VERDICT`);
:mod:`.network`   :func:`lifecycle`, :func:`network_per_month` and the flip
                  points :func:`flip_update_interval`, :func:`flip_patch_bytes`;
:mod:`.capacity`  :func:`capacity_timeline` and :func:`operations`;
:mod:`.verdict`   :class:`Comparison`, :func:`compare` and :func:`verdict`.
"""

from .capacity import *  # noqa: F401,F403
from .capacity import __all__ as _capacity_all
from .life import *  # noqa: F401,F403
from .life import __all__ as _life_all
from .network import *  # noqa: F401,F403
from .network import __all__ as _network_all
from .verdict import *  # noqa: F401,F403
from .verdict import __all__ as _verdict_all

__all__ = [*_network_all, *_life_all, *_verdict_all, *_capacity_all]
