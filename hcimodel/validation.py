"""Validation of inputs at the edges of every model.

Every public function in hcimodel checks its inputs with these helpers, so a bad
value always raises a :class:`ValueError` that names the parameter, the value it
was given and the range that is allowed. The helpers never change a value the
user passed in: they return a *new* float (or int) array.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "check_positive",
    "check_nonnegative",
    "check_probability",
    "check_integer",
    "check_in_range",
]


def _describe(value) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item())
    if arr.size <= 6:
        return repr(arr.tolist())
    return f"array of shape {arr.shape}"


def as_float_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a float64 array, rejecting NaN and non-numeric input.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : array_like
        The value the user passed.

    Returns
    -------
    numpy.ndarray
        A float64 copy (never a view of the caller's array).

    Raises
    ------
    ValueError
        If ``value`` is not numeric or contains NaN.
    """
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers (got {value!r})") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN (got {_describe(value)})")
    return arr


def check_in_range(name: str, value, low=-np.inf, high=np.inf, *,
                   low_inclusive=True, high_inclusive=True) -> np.ndarray:
    """Check that every element of ``value`` lies in an interval.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : array_like
        The value to check.
    low, high : float
        Bounds of the allowed interval.
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.

    Returns
    -------
    numpy.ndarray
        ``value`` as a new float64 array.
    """
    arr = as_float_array(name, value)
    ok_low = arr >= low if low_inclusive else arr > low
    ok_high = arr <= high if high_inclusive else arr < high
    if not (np.all(ok_low) and np.all(ok_high)):
        lo = "[" if low_inclusive else "("
        hi = "]" if high_inclusive else ")"
        raise ValueError(
            f"{name} must be in {lo}{low:g}, {high:g}{hi} (got {_describe(value)})"
        )
    return arr


def check_positive(name: str, value, *, allow_inf: bool = False) -> np.ndarray:
    """Check ``value > 0`` (finite unless ``allow_inf``) and return it as floats."""
    return check_in_range(name, value, 0.0, np.inf, low_inclusive=False,
                          high_inclusive=allow_inf)


def check_nonnegative(name: str, value, *, allow_inf: bool = False) -> np.ndarray:
    """Check ``value >= 0`` (finite unless ``allow_inf``) and return it as floats."""
    return check_in_range(name, value, 0.0, np.inf, high_inclusive=allow_inf)


def check_probability(name: str, value) -> np.ndarray:
    """Check ``0 <= value <= 1`` and return it as floats."""
    return check_in_range(name, value, 0.0, 1.0)


def check_integer(name: str, value, minimum: int = 1, maximum: float = np.inf) -> np.ndarray:
    """Check that ``value`` holds whole numbers in ``[minimum, maximum]``.

    Floats that are whole (``4.0``) are accepted; ``4.5``, booleans, NaN and
    infinity are not.

    Returns
    -------
    numpy.ndarray
        ``value`` as a new int64 array.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= {minimum} (got {value!r})")
    if isinstance(value, numbers.Integral):
        arr = np.array(int(value), dtype=np.int64)
    else:
        farr = as_float_array(name, value)
        if not np.all(np.isfinite(farr)) or np.any(farr != np.round(farr)):
            raise ValueError(
                f"{name} must be an integer >= {minimum} (got {_describe(value)})"
            )
        arr = farr.astype(np.int64)
    if np.any(arr < minimum) or np.any(arr > maximum):
        rng = f">= {minimum}" if maximum == np.inf else f"in [{minimum}, {int(maximum)}]"
        raise ValueError(f"{name} must be an integer {rng} (got {_describe(value)})")
    return arr
