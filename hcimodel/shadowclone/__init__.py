r"""Shadow Clones: the network cost and the time of warming up, and when they pay off.

A replica (base disk of linked clones) lives on one node, the *owner*. Its
desktops are spread over the H nodes of a cluster. Until Shadow Clones are
*detected* (reads from more than two remote CVMs, and only reads), every replica
read from another node crosses the network to the owner's CVM: the hot spot of
:mod:`hcimodel.hotspot`. From detection on, each non-owner node fetches a block
over the network on its first local read and serves it locally afterwards.

The fetch unit is the 4 KiB cache granularity (the Nutanix Bible states no
other), a parameter of :class:`Replica`. Everything is counted in *block
reads*: a desktop read of ``read_size_bytes`` touches ``read_size / block``
blocks on average.

Two read patterns are modelled:

``'boot'`` (deterministic boot sequence)
    Every desktop reads the same boot set of ``m_b = boot_bytes / block`` blocks
    once, in the same order, at a steady pace ``r`` (blocks/s). A non-owner node
    fetches each block of the boot set exactly once, when the first desktop that
    boots there after detection reads it. This is the real-world boot storm.
``'steady'`` (independent reference model, IRM)
    Each node reads blocks of the used part of the replica independently, block
    ``i`` with probability ``p_i`` (Zipf with exponent ``alpha``; uniform at
    ``alpha = 0``). After ``n`` reads a node holds
    :math:`D(n) = \sum_i 1 - (1 - p_i)^n` distinct blocks (occupancy), which is
    :math:`m (1 - (1 - 1/m)^n)` when uniform (coupon collector).

Closed forms (:func:`detection_delay`, :func:`warmup`, on the occupancy
theory of :mod:`hcimodel.occupancy`; the lifecycle is
:func:`hcimodel.clones.lifecycle`) are checked against a block-level Monte
Carlo twin (:func:`simulate_warmup`, :func:`simulate_detection_delay`): a
numba replay (:mod:`hcimodel.simulate.fetch_replay`) of every read of every
desktop in time order, with links as FIFO servers, fetch sources (the owner
alone, or any node already holding the block through the map of immutable
blocks) and the detection rule applied to simulated start times. Both return
one :class:`WarmUp` (:func:`hcimodel.twins.compare` sets them side by side). The hardware is a
:class:`hcimodel.cluster.Cluster` (nodes, link, round trip).

Submodules
----------
:mod:`.replica`     the replica, the placement of desktops, read rates;
:mod:`.detection`   when Shadow Clones start, closed form and twin;
:mod:`.warmup`      the closed forms of the warm-up;
:mod:`.simulate`    the twin, :func:`simulate_warmup`;
:mod:`.streams`     clone-pool streams as replica reads;
:mod:`.trace`       a real trace as replica reads;
:mod:`.result`      the one result type, :class:`WarmUp`.

The boot sequence is generated here. The steady state is a stream of
:func:`hcimodel.clonepool.clone_pool_stream`: its replica reads (base blocks the
desktop has not written; :func:`replica_reads`) are replayed with desktop ``d``
on node ``d mod H`` (:func:`replay_stream`), and their popularity is the pool's
Zipf law (:func:`pool_popularity`). A real trace's block keys replay as the
replica's reads spread over the nodes (:func:`replay_trace`), against the IRM
with the trace's own block frequencies (:func:`empirical_popularity`).

Units are SI throughout: bytes, seconds, bits per second.
"""

from .replica import *  # noqa: F401,F403
from .replica import __all__ as _replica_all
from .detection import *  # noqa: F401,F403
from .detection import __all__ as _detection_all
from .result import *  # noqa: F401,F403
from .result import __all__ as _result_all
from .warmup import *  # noqa: F401,F403
from .warmup import __all__ as _warmup_all
from .streams import *  # noqa: F401,F403
from .streams import __all__ as _streams_all
from .trace import *  # noqa: F401,F403
from .trace import __all__ as _trace_all
from .simulate import *  # noqa: F401,F403
from .simulate import __all__ as _simulate_all

__all__ = [*_replica_all, *_detection_all, *_result_all, *_warmup_all, *_simulate_all,
           *_streams_all, *_trace_all]
