"""The replica hot spot of linked clones, and how Shadow Clones or full clones remove it.

N desktops are spread evenly over the H nodes of a cluster. Each node's
Controller VM (CVM) serves the I/O of its node as one FCFS queue with
exponential service at rate ``cvm_iops``, a per-node figure (:class:`hcimodel.cluster.Cluster`).

**One read path for every strategy** (:class:`hcimodel.cluster.ReadPath`, Nutanix Bible, "AOS
Storage"). A read of a desktop's *private* data (its delta disk, local after
data locality) is served by its own CVM: from the node's cache (memory, then
the SSD part) or, on a miss, from the node's extent store (SSD hot tier, else
HDD cold tier). A read of *shared* data (the base image; share
``replica_read_fraction`` of reads) depends on the strategy:

``linked_clones``
    The replica vDisk is owned by one CVM (``replica_node``): every shared read
    of every node is served there, from its cache or its extent store. This is
    the hot spot.
``shadow_clones``
    Linked clones with Shadow Clones: a node serves from its own cache the
    share ``cached_share`` of the base it has already fetched (1 once warmed
    up); a miss of a cached block goes to the extent store, on this node when
    it holds one of the extent's RF replicas and otherwise to one of those
    nodes (whose CVM serves it from its cache or its extent store;
    :meth:`hcimodel.cluster.Cluster.extent_share`); a block not yet fetched is read through the
    owner CVM.
``full_clones``
    Full clones made by native (VAAI) cloning share their parent's extents,
    which live on the parent's RF replica nodes. A node's first read of a
    shared extent goes there (no detection delay, spread over the RF
    replicas, not one node; :meth:`hcimodel.cluster.Cluster.extent_share`); once the node
    has cached it it is served locally. The warm-up progress ``cached_share``
    ``t`` seconds after deployment is :func:`hcimodel.fullclone.cached_share`
    (its occupancy closed form; 1 once warmed up). A cache miss goes to the
    extent store as for Shadow Clones. After warm-up the steady state equals
    warmed Shadow Clones.

A read served by another node's CVM pays a network delay (one round trip plus
the transfer of the block); each device adds its access time (memory, SSD,
HDD: :class:`hcimodel.cluster.TierLatencies`).

**Writes** (RF, default 2): each write is served by the local CVM (local oplog)
and by RF - 1 other CVMs chosen uniformly (remote oplogs), adding load to CVMs,
a network leg, and link traffic. Its latency is that of the slower leg.

Two regimes are modelled:

* **Steady state** as an open Jackson network: each CVM is an M/M/1 queue
  whose arrival rate is the sum of the flows routed to it
  (:func:`steady_state`), with its exact Monte Carlo twin
  (:func:`simulate_steady_state`).
* **The boot storm** as a closed network: N desktops, each alternating a think
  time and one I/O at a CVM, solved by approximate multiclass MVA with one class
  per node (:func:`boot_storm`), and its Monte Carlo twin in which every desktop
  must complete its boot I/Os (:func:`simulate_boot_storm`).

The largest pool (:func:`max_pool_size`) is the smallest of the storage limit
(a latency target), the host's CPU and its memory (:class:`Host`).

Submodules
----------
:mod:`.paths`    the read path, routing and I/O flows (:func:`read_components`,
                 :func:`routing`);
:mod:`.results`  :class:`SteadyState` and :class:`BootStorm`, each returned by a
                 closed form and its twin;
:mod:`.steady`   :func:`steady_state` and :func:`simulate_steady_state`;
:mod:`.boot`     :func:`boot_storm` and :func:`simulate_boot_storm`;
:mod:`.pool`     :func:`max_pool_size`, :class:`Host`, :class:`PoolSize`.
"""

from .boot import *  # noqa: F401,F403
from .boot import __all__ as _boot_all
from .paths import *  # noqa: F401,F403
from .paths import __all__ as _paths_all
from .pool import *  # noqa: F401,F403
from .pool import __all__ as _pool_all
from .results import *  # noqa: F401,F403
from .results import __all__ as _results_all
from .steady import *  # noqa: F401,F403
from .steady import __all__ as _steady_all

__all__ = [*_paths_all, *_results_all, *_steady_all, *_boot_all, *_pool_all]
