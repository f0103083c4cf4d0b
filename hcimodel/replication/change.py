"""What a protection domain sends: the change model.

A desktop writes at a mean rate ``w`` (bytes/s), shaped over the day by an
hourly profile. Writes that hit the same block within one snapshot interval
are sent once (*overwrite coalescing*), so the unique bytes changed in an
interval grow sub-linearly with it. The default model is a hot working set of
``H`` bytes written uniformly at random (independent references) plus a share
``f`` of writes to cold, never-rewritten blocks:

.. math::

    U(t) = f\\,w t + H\\left(1 - e^{-(1-f)\\,w t / H}\\right)

(bytes changed per desktop in an interval of ``t`` seconds at rate ``w``). A
measured curve ``U(t)`` (e.g. from a block trace) can replace it. Because both
depend on the written volume ``w t`` only, an interval at ``r`` times the mean
rate changes ``U(r t)`` bytes.

The delta is compressed and deduplicated before it crosses the WAN (only
changed data is sent, compressed: REFERENCES.md, *Replication and recovery*),
at a share ``efficiency`` of the nominal bandwidth of the sites' link
(:class:`hcimodel.cluster.SitePair`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..validation import (check_nonnegative, check_positive, check_probability,
                          check_real_or_choice)
from ..workload import OFFICE_DAY, TASK_MEAN_WRITE_BYTES_PER_S

__all__ = ["FLAT_DAY", "ChangeModel",
           "MAX_DESKTOPS_PER_PD", "MAX_ENTITIES_PER_CG", "check_domain_size"]

#: A flat day (every hour at the mean rate).
FLAT_DAY = np.ones(24)

#: Linked clones in a protection domain: at most 50 desktops (Leibovici, 2015).
MAX_DESKTOPS_PER_PD = 50
#: The health check flags consistency groups of more than 20 entities (KB 6247).
MAX_ENTITIES_PER_CG = 20

#: Mean write rate of a task worker over the day: its office-hours steady state
#: (3.5 IOPS x 75 % writes x 10 kB, Dell EqualLogic) under the office-day shape
#: (:data:`hcimodel.workload.OFFICE_DAY_LEVELS`).
TASK_WRITE_BYTES_PER_S = TASK_MEAN_WRITE_BYTES_PER_S


def check_domain_size(n_desktops, n_consistency_groups=1) -> np.ndarray:
    """Validate desktops per protection domain; warn beyond the guidelines.

    Raises ``ValueError`` for a count below 1; emits a ``UserWarning`` above 50
    linked-clone desktops per PD (Leibovici, 2015) and when a consistency group
    holds more than 20 entities (the health check of KB 6247 flags it).
    Returns the counts as an int64 array.
    """
    from ..validation import check_integer
    n = check_integer("n_desktops", n_desktops, minimum=1)
    g = check_integer("n_consistency_groups", n_consistency_groups, minimum=1)
    if np.any(n > MAX_DESKTOPS_PER_PD):
        warnings.warn(f"n_desktops = {int(np.max(n))} exceeds the guideline of at most "
                      f"{MAX_DESKTOPS_PER_PD} linked-clone desktops per protection domain "
                      "(Leibovici, 2015); split the pool", UserWarning, stacklevel=3)
    if np.any(np.ceil(n / g) > MAX_ENTITIES_PER_CG) and np.any(g > 1):
        warnings.warn(f"a consistency group holds more than {MAX_ENTITIES_PER_CG} entities; "
                      "the health check flags it (KB 6247)", UserWarning, stacklevel=3)
    return n


@dataclass(frozen=True)
class ChangeModel:
    """How fast one desktop changes data, and how much of it is unique.

    Parameters
    ----------
    write_bytes_per_s : float
        Mean write rate of one desktop over the day (bytes/s). Default 13,740
        B/s: the task worker of the Dell EqualLogic study (3.5 IOPS, 75 %
        writes of 10 kB = 26,250 B/s in office hours) averaged over the
        office day.
    daily_profile : array_like, shape (24,)
        Hourly multipliers of the write rate; normalised to mean 1. Default
        :data:`hcimodel.workload.OFFICE_DAY` (assumed shape, peak factor 2.63).
    hot_set_bytes : float
        Hot working set of one desktop (bytes) over which rewrites coalesce.
        Default 256 MB (*assumed*: page file, temp, profile and logs).
    cold_fraction : float
        Share of writes to blocks never rewritten, in [0, 1]. Default 0.2
        (*assumed*).
    curve_s, curve_bytes : array_like, optional
        A measured coalescing curve: unique bytes changed per desktop in an
        interval of ``curve_s`` seconds at the mean rate. When given it
        replaces the hot-set model (linear interpolation, through the origin,
        extrapolated beyond the last point with the last slope).
    """

    write_bytes_per_s: float = TASK_WRITE_BYTES_PER_S
    daily_profile: np.ndarray = field(default_factory=lambda: OFFICE_DAY.copy())
    hot_set_bytes: float = 256e6
    cold_fraction: float = 0.2
    curve_s: np.ndarray | None = None
    curve_bytes: np.ndarray | None = None

    def __post_init__(self):
        check_nonnegative("write_bytes_per_s", self.write_bytes_per_s)
        prof = check_nonnegative("daily_profile", self.daily_profile)
        if prof.shape != (24,) or prof.sum() <= 0:
            raise ValueError("daily_profile must hold 24 hourly factors >= 0, not all zero "
                             f"(got shape {prof.shape})")
        object.__setattr__(self, "daily_profile", prof / prof.mean())
        check_positive("hot_set_bytes", self.hot_set_bytes)
        check_probability("cold_fraction", self.cold_fraction)
        if (self.curve_s is None) != (self.curve_bytes is None):
            raise ValueError("curve_s and curve_bytes must be given together")
        if self.curve_s is not None:
            t = check_positive("curve_s", self.curve_s)
            u = check_nonnegative("curve_bytes", self.curve_bytes)
            if t.ndim != 1 or t.shape != u.shape or t.size < 1:
                raise ValueError("curve_s and curve_bytes must be 1-D of the same length "
                                 f"(got {t.shape} and {u.shape})")
            if np.any(np.diff(t) <= 0) or np.any(np.diff(u) < 0):
                raise ValueError("curve_s must increase and curve_bytes must not decrease")
            if np.any(u > self.write_bytes_per_s * t * (1 + 1e-9)):
                warnings.warn("curve_bytes exceeds write_bytes_per_s * curve_s: more unique "
                              "bytes than written; check the units", UserWarning, stacklevel=3)
            object.__setattr__(self, "curve_s", t)
            object.__setattr__(self, "curve_bytes", u)

    @property
    def peak_factor(self) -> float:
        """Peak hourly rate over the mean rate."""
        return float(self.daily_profile.max())

    def rate_factor(self, rate) -> np.ndarray:
        """Multiplier of the mean rate: ``'mean'`` 1, ``'peak'`` the peak factor, or a number."""
        r = check_real_or_choice("rate", rate, ("mean", "peak"), 0.0, np.inf,
                                 high_inclusive=False)
        if isinstance(r, str):
            return np.asarray(1.0 if r == "mean" else self.peak_factor)
        return r

    def unique_bytes(self, interval_s, rate="mean") -> np.ndarray:
        r"""Unique bytes one desktop changes in an interval (bytes).

        Parameters
        ----------
        interval_s : array_like
            Interval length (s), ``>= 0``.
        rate : {'mean', 'peak'} or array_like
            Write rate as a multiple of the mean rate.

        Returns
        -------
        numpy.ndarray
            :math:`U(r t) = f w r t + H (1 - e^{-(1-f) w r t / H})`, or the
            measured curve at ``r t``; broadcast over the inputs.
        """
        t = check_nonnegative("interval_s", interval_s) * self.rate_factor(rate)
        if self.curve_s is not None:
            ts = np.concatenate([[0.0], self.curve_s])
            us = np.concatenate([[0.0], self.curve_bytes])
            slope = (us[-1] - us[-2]) / (ts[-1] - ts[-2])
            inside = np.interp(t, ts, us)
            return np.where(t > ts[-1], us[-1] + slope * (t - ts[-1]), inside)
        w, f, H = self.write_bytes_per_s, self.cold_fraction, self.hot_set_bytes
        return f * w * t + H * -np.expm1(-(1.0 - f) * w * t / H)
