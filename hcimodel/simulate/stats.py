"""Small statistics shared by the Monte Carlo kernels.

Replications of a simulation are independent, so an estimate's uncertainty is
stated with a Student-t confidence interval over the per-replication values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import as_float_array, check_in_range, check_integer

__all__ = ["ConfidenceInterval", "confidence_interval"]


@dataclass(frozen=True)
class ConfidenceInterval:
    """A two-sided Student-t confidence interval for a mean.

    Attributes
    ----------
    mean : numpy.ndarray or float
        Sample mean over replications (same unit as the samples).
    half_width : numpy.ndarray or float
        Half-width of the interval (same unit); ``inf`` with fewer than two
        replications, since one replication says nothing about its spread.
    low, high : numpy.ndarray or float
        ``mean - half_width`` and ``mean + half_width``.
    level : float
        Confidence level, e.g. 0.95.
    n : int
        Number of replications.
    """

    mean: np.ndarray | float
    half_width: np.ndarray | float
    low: np.ndarray | float
    high: np.ndarray | float
    level: float
    n: int

    def contains(self, value) -> np.ndarray | bool:
        """Return whether ``value`` lies inside ``[low, high]``."""
        value = as_float_array("value", value)
        out = (self.low <= value) & (value <= self.high)
        return bool(out) if np.ndim(out) == 0 else out


def confidence_interval(samples, level: float = 0.95, *, axis: int = 0) -> ConfidenceInterval:
    r"""Student-t confidence interval of the mean over independent replications.

    .. math::

        \bar x \pm t_{(1+\ell)/2,\;n-1}\, \frac{s}{\sqrt n}

    with :math:`s` the sample standard deviation (``ddof=1``).

    Parameters
    ----------
    samples : array_like
        One value per replication along ``axis`` (any unit; the interval is in
        the same unit). Must not be empty, NaN or infinite.
    level : float, default 0.95
        Confidence level, in the open interval (0, 1).
    axis : int, default 0
        Axis that indexes the replications.

    Returns
    -------
    ConfidenceInterval
        Mean, half-width, bounds, level and number of replications. With a
        single replication the half-width is ``inf``.

    Raises
    ------
    ValueError
        If ``samples`` is empty or not finite, or ``level`` is outside (0, 1).
    """
    x = as_float_array("samples", samples)
    if x.ndim == 0:
        x = x.reshape(1)
    axis = check_integer("axis", axis, minimum=-x.ndim, maximum=x.ndim - 1, scalar=True)
    if x.shape[axis] == 0:
        raise ValueError("samples must hold at least one replication (got an empty array)")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite (got inf)")
    level = check_in_range("level", level, 0.0, 1.0, low_inclusive=False,
                                 high_inclusive=False, scalar=True)
    n = int(x.shape[axis])
    mean = x.mean(axis=axis)
    if n < 2:
        half = np.full_like(mean, np.inf)
    else:
        from scipy import stats as _sps

        sd = x.std(axis=axis, ddof=1)
        half = _sps.t.ppf(0.5 + level / 2.0, n - 1) * sd / np.sqrt(n)
    if np.ndim(mean) == 0:
        mean, half = float(mean), float(half)
    return ConfidenceInterval(mean=mean, half_width=half, low=mean - half,
                              high=mean + half, level=level, n=n)
