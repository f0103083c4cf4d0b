"""Closed-form queueing models and Mean Value Analysis of closed networks.

A package of four modules, everything re-exported here: :mod:`.erlang`,
:mod:`.open` (open queues), :mod:`.mva` (closed networks) and :mod:`.tails`
(distributions built from queues).

Open queues
-----------
:func:`erlang_b`, :func:`erlang_c`
    Blocking and waiting probabilities of c-server systems, computed in log
    space so that they stay exact to ~1e-10 for 10^5 servers at loads close to
    the server count.
:func:`mm1`, :func:`mmc`, :func:`mg1`, :func:`md1`, :func:`gg1_kingman`, :func:`ggc_allen_cunneen`
    Mean waits, queue lengths and utilisation as a :class:`QueueMetrics`. For
    M/M/1 and M/M/c the result also knows the distribution of the waiting and
    the response time (:meth:`QueueMetrics.wait_tail`,
    :meth:`QueueMetrics.wait_quantile`, :meth:`QueueMetrics.response_quantile`).

Closed networks
---------------
:func:`mva`
    Exact Mean Value Analysis (Reiser & Lavenberg) for a single class of
    customers visiting FCFS single-server stations plus pure delays, for every
    population 1..N (compiled loop; N = 10^5 takes milliseconds).
:func:`mva_schweitzer`, :func:`mva_multiclass_schweitzer`
    Bard–Schweitzer approximate MVA, single class and multiclass.
:func:`asymptotic_bounds`
    Asymptotic throughput and response-time bounds.

Tails
-----
:func:`shifted_exponential_mixture_quantile`
    Quantile of a mixture of shifted exponentials: the latency of a request
    routed to one of several M/M/1 queues, each behind its own constant delay.
:func:`dm1_sigma`
    The root of the D/M/1 queue (its waiting time is exponential with that
    probability of waiting).

Conventions
-----------
All rates are per second (1/s), all times in seconds (s). Inputs broadcast like
numpy arrays. An unstable open queue (utilisation >= 1) is a legitimate answer:
its mean wait, response time and queue lengths are ``inf`` (never NaN), its
waiting probability is 1 and its ``stable`` flag is False.

References
----------
.. [1] L. Kleinrock, *Queueing Systems, Vol. 1: Theory*, Wiley, 1975.
.. [2] D. Gross, J. F. Shortle, J. M. Thompson, C. M. Harris, *Fundamentals of
   Queueing Theory*, 4th ed., Wiley, 2008.
.. [3] M. Reiser, S. S. Lavenberg, "Mean-value analysis of closed multichain
   queuing networks", *J. ACM* 27(2):313–322, 1980.
.. [4] E. D. Lazowska, J. Zahorjan, G. S. Graham, K. C. Sevcik, *Quantitative
   System Performance*, Prentice-Hall, 1984 (chapters 5–7).
.. [5] P. J. Schweitzer, "Approximate analysis of multiclass closed networks of
   queues", Proc. Int. Conf. Stochastic Control and Optimization, 1979;
   Y. Bard, "Some extensions to multiclass queueing network analysis", 1979.
.. [6] J. F. C. Kingman, "The single server queue in heavy traffic", *Proc.
   Cambridge Phil. Soc.* 57:902–904, 1961.
.. [7] A. O. Allen, *Probability, Statistics and Queueing Theory*, 2nd ed.,
   Academic Press, 1990 (Allen–Cunneen approximation); W. Whitt,
   "Approximations for the GI/G/m queue", *Production and Operations
   Management* 2(2):114–161, 1993.
.. [8] D. L. Jagerman, "Some properties of the Erlang loss function", *Bell
   System Technical Journal* 53(3):525–551, 1974.
"""

from .erlang import *  # noqa: F401,F403
from .erlang import __all__ as _erlang_all
from .mva import *  # noqa: F401,F403
from .mva import __all__ as _mva_all
from .open import *  # noqa: F401,F403
from .open import __all__ as _open_all
from .tails import *  # noqa: F401,F403
from .tails import __all__ as _tails_all

__all__ = [*_erlang_all, *_open_all, *_mva_all, *_tails_all]
