"""Protection domains: the RPO and RTO a replication schedule really delivers.

Submodules
----------
:mod:`.change`    the change model (write rate, daily profile, overwrite
                  coalescing); the two sites and their WAN link are
                  :class:`hcimodel.cluster.SitePair` (``sites=`` everywhere);
:mod:`.rpo`       closed forms: worst and mean data loss, the backlog on the link
                  (D/M/1 exact, D/G/1 approximate), the bandwidth for a target
                  RPO, the RPO/2 rule, sync write latency;
:mod:`.simulate`  the Monte Carlo twin of :func:`async_rpo`: deltas, a FIFO link
                  shared by several protection domains, failures (sampled as a
                  :class:`MonteCarlo` run says); its :class:`RPOSimulation` is an
                  :class:`AsyncRPO` per domain, with the distribution of data loss;
:mod:`.rto`       the recovery time (detection to usable desktops) and failback.

Entry points: :func:`async_rpo` and :func:`rto`. Facts and defaults are in
``shared/REFERENCES.md`` (*Replication and recovery*); every assumed default
says so in its docstring.
"""

from .change import *  # noqa: F401,F403
from .change import __all__ as _change_all
from .rpo import *  # noqa: F401,F403
from .rpo import __all__ as _rpo_all
from .rto import *  # noqa: F401,F403
from .rto import __all__ as _rto_all
from .simulate import *  # noqa: F401,F403
from .simulate import __all__ as _sim_all

__all__ = [*_change_all, *_rpo_all, *_sim_all, *_rto_all]
