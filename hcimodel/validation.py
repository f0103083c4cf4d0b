"""Validation of inputs at the edges of every model: the one path bad input takes.

Every public function in hcimodel checks its inputs with these helpers, so a bad
value always raises a :class:`ValueError` that names the parameter, the value it
was given and the range that is allowed. The helpers never change a value the
user passed in: they return a *new* float (or int) array, or a Python scalar
when ``scalar=True``.

What is accepted
----------------
- **Real numbers**: Python ``int`` and ``float``, numpy integer and floating
  scalars and arrays, and sequences of them. Booleans, strings, bytes, complex
  numbers, ``None`` and ragged sequences are rejected (``True`` is not a
  number of servers, ``'3'`` is not a load).
- **Integers** are bounded *before* any cast to a C integer: a count of
  ``2**63`` or more is rejected with the allowed range, never an
  ``OverflowError``; whole floats (``4.0``) are accepted.
- **Scalars**: with ``scalar=True`` a sequence or array of more than zero
  dimensions is rejected with a ValueError naming the parameter; without it
  array-likes are accepted and broadcast, as documented by each function.
- **Choices** (:func:`check_choice`): a value compared with the allowed ones
  without hashing it, so an array or a list gives a clear message too; flags
  (:func:`check_bool`) are ``True`` or ``False``; parameter objects
  (:func:`check_instance`) are of their class, ``None`` meaning the default.
- **Durations** (:func:`check_duration`) lie in ``[0, MAX_SECONDS]`` (1e15 s)
  and event rates (:func:`check_rate`) are at least ``1 / MAX_SECONDS``, so
  that no sum of them inside a model overflows into ``inf - inf`` = NaN.

``tests/test_fuzz.py`` holds every public function to this: only ValueError
escapes, and no result holds a NaN.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "INT64_MAX",
    "as_float_array",
    "check_positive",
    "check_nonnegative",
    "check_probability",
    "check_integer",
    "check_in_range",
    "check_finite",
    "check_choice",
    "check_bool",
    "check_real_or_choice",
    "check_duration",
    "check_rate",
    "check_instance",
    "MAX_SECONDS",
]

#: Largest integer a count may take: it must fit a C ``int64``.
INT64_MAX = 2**63 - 1

#: Longest duration a model takes (s): 1e15 s, about 31.7 million years. Any
#: longer is a typo, and the bound keeps sums of up to 2**63 such durations
#: finite (no ``inf - inf`` = NaN inside a model or a simulation).
MAX_SECONDS = 1e15


def _describe(value) -> str:
    try:
        arr = np.asarray(value)
    except Exception:  # ragged or exotic: fall back to repr
        return _short_repr(value)
    if arr.dtype.kind == "O" or arr.ndim == 0:
        return _short_repr(value)
    if arr.size <= 6:
        return repr(arr.tolist())
    return f"array of shape {arr.shape}"


def _short_repr(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _not_real(name, value):
    return ValueError(f"{name} must be a real number or an array of real numbers "
                      f"(got {_short_repr(value)})")


def _real_array(name: str, value) -> np.ndarray:
    """``value`` as a float64 copy; bool, str, complex, None and ragged input rejected."""
    if value is None or isinstance(value, (bool, np.bool_, str, bytes, complex, np.complexfloating)):
        raise _not_real(name, value)
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise _not_real(name, value) from None
    kind = raw.dtype.kind
    if kind in "iuf":
        return np.array(raw, dtype=np.float64, copy=True)
    if kind == "O" and raw.size > 0:
        # Python ints beyond int64, Fractions, Decimals: real numbers, not bools.
        flat = raw.ravel()
        if all(isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))
               for x in flat):
            try:
                return np.array([float(x) for x in flat], dtype=np.float64).reshape(raw.shape)
            except (TypeError, ValueError, OverflowError):
                raise _not_real(name, value) from None
    raise _not_real(name, value)


def _bound(what: str, value, *, integral: bool = False):
    """A bound passed to a helper (``low``, ``minimum``...): a real number, not NaN."""
    ok = (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
          and not (isinstance(value, float | np.floating) and np.isnan(value)))
    if ok and integral:
        ok = isinstance(value, numbers.Integral) or float(value) in (np.inf, -np.inf) \
            or float(value).is_integer()
    if not ok:
        kind = "an integer (or +-inf)" if integral else "a real number"
        raise ValueError(f"{what} must be {kind} (got {_short_repr(value)})")
    return value


def _to_scalar(name: str, arr: np.ndarray, value):
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, not a sequence or array "
                         f"(got {_describe(value)})")
    return arr.item()


def as_float_array(name: str, value, *, scalar: bool = False):
    """Return ``value`` as a float64 array, rejecting NaN and anything not a real number.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : array_like
        The value the user passed.
    scalar : bool
        Require a single number and return it as a Python ``float``.

    Returns
    -------
    numpy.ndarray or float
        A float64 copy (never a view of the caller's array).

    Raises
    ------
    ValueError
        If ``value`` is not a real number (bool, str, complex, None, ragged),
        contains NaN, or is a sequence where ``scalar`` asks for one number.
    """
    arr = _real_array(name, value)
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN (got {_describe(value)})")
    return _to_scalar(name, arr, value) if scalar else arr


def check_in_range(name: str, value, low=-np.inf, high=np.inf, *,
                   low_inclusive=True, high_inclusive=True, scalar: bool = False):
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
    scalar : bool
        Require a single number and return it as a Python ``float``.

    Returns
    -------
    numpy.ndarray or float
        ``value`` as a new float64 array (a float when ``scalar``).
    """
    low, high = _bound("low", low), _bound("high", high)
    arr = as_float_array(name, value)
    ok_low = arr >= low if low_inclusive else arr > low
    ok_high = arr <= high if high_inclusive else arr < high
    if not (np.all(ok_low) and np.all(ok_high)):
        lo = "[" if low_inclusive else "("
        hi = "]" if high_inclusive else ")"
        raise ValueError(
            f"{name} must be in {lo}{low:g}, {high:g}{hi} (got {_describe(value)})"
        )
    return _to_scalar(name, arr, value) if scalar else arr


def check_finite(name: str, value, *, scalar: bool = False):
    """Check that ``value`` is a finite real number (or array of them)."""
    return check_in_range(name, value, -np.inf, np.inf, low_inclusive=False,
                          high_inclusive=False, scalar=scalar)


def check_positive(name: str, value, *, allow_inf: bool = False, scalar: bool = False):
    """Check ``value > 0`` (finite unless ``allow_inf``) and return it as floats."""
    return check_in_range(name, value, 0.0, np.inf, low_inclusive=False,
                          high_inclusive=allow_inf, scalar=scalar)


def check_nonnegative(name: str, value, *, allow_inf: bool = False, scalar: bool = False):
    """Check ``value >= 0`` (finite unless ``allow_inf``) and return it as floats."""
    return check_in_range(name, value, 0.0, np.inf, high_inclusive=allow_inf, scalar=scalar)


def check_duration(name: str, value, *, positive: bool = False, allow_inf: bool = False,
                   scalar: bool = False):
    """Check a duration in seconds: in ``[0, MAX_SECONDS]`` (``(0, ...]`` if ``positive``).

    ``allow_inf`` also accepts ``inf`` (e.g. "never").
    """
    arr = as_float_array(name, value)
    high_ok = (arr <= MAX_SECONDS) | (arr == np.inf) if allow_inf else arr <= MAX_SECONDS
    ok = (arr > 0 if positive else arr >= 0) & high_ok
    if not np.all(ok):
        lo = "(0" if positive else "[0"
        raise ValueError(f"{name} must be in {lo}, {MAX_SECONDS:g}] s"
                         f"{' or inf' if allow_inf else ''} (got {_describe(value)})")
    return _to_scalar(name, arr, value) if scalar else arr


def check_rate(name: str, value, *, scalar: bool = False):
    """Check an event rate (1/s): finite and at least ``1 / MAX_SECONDS``.

    A rate below one event per :data:`MAX_SECONDS` (1e-15 /s) would make
    simulated times overflow; a zero rate is not a rate of a process.
    """
    arr = check_in_range(name, value, 0.0, np.inf, low_inclusive=False, high_inclusive=False)
    if np.any(arr < 1.0 / MAX_SECONDS):
        raise ValueError(f"{name} must be in [{1.0 / MAX_SECONDS:g}, inf) per s "
                         f"(got {_describe(value)})")
    return _to_scalar(name, arr, value) if scalar else arr


def check_probability(name: str, value, *, scalar: bool = False):
    """Check ``0 <= value <= 1`` and return it as floats."""
    return check_in_range(name, value, 0.0, 1.0, scalar=scalar)


def _int_range(minimum, maximum) -> str:
    def fmt(b):
        return f"{int(b)}" if isinstance(b, numbers.Integral) or np.isfinite(b) else f"{b:g}"
    if maximum >= INT64_MAX:
        return f"in [{fmt(minimum)}, 2**63 - 1]"
    return f"in [{fmt(minimum)}, {fmt(maximum)}]"


def check_integer(name: str, value, minimum: int = 1, maximum: float = INT64_MAX, *,
                  scalar: bool = False):
    """Check that ``value`` holds whole numbers in ``[minimum, maximum]``.

    Floats that are whole (``4.0``) are accepted; ``4.5``, booleans, strings,
    NaN and infinity are not. The bounds are checked on the exact value
    *before* it is cast to int64, so ``2**63`` or ``1e20`` is a ValueError
    stating the range, never an ``OverflowError`` or a wrapped-around count.
    The bounds are clipped to the int64 range ``[-2**63, 2**63 - 1]``.

    Returns
    -------
    numpy.ndarray or int
        ``value`` as a new int64 array (a Python ``int`` when ``scalar``).
    """
    minimum = max(_bound("minimum", minimum, integral=True), -INT64_MAX - 1)
    maximum = min(_bound("maximum", maximum, integral=True), INT64_MAX)
    what = f"{name} must be an integer {_int_range(minimum, maximum)}"
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{what} (got {value!r})")
    if isinstance(value, numbers.Integral):          # exact Python / numpy int
        iv = int(value)
        if iv < minimum or iv > maximum:
            raise ValueError(f"{what} (got {_short_repr(value)})")
        arr = np.array(iv, dtype=np.int64)
    else:
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{what} (got {_short_repr(value)})") from None
        if raw.dtype.kind == "b":
            raise ValueError(f"{what} (got {_describe(value)})")
        if raw.dtype.kind in "iu":
            if raw.size and (raw.min() < minimum or raw.max() > maximum):
                raise ValueError(f"{what} (got {_describe(value)})")
            arr = raw.astype(np.int64)
        elif raw.dtype.kind == "O" and raw.size and all(
                isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))
                for x in raw.ravel()):
            ints = [int(x) for x in raw.ravel()]
            if min(ints) < minimum or max(ints) > maximum:
                raise ValueError(f"{what} (got {_describe(value)})")
            arr = np.array(ints, dtype=np.int64).reshape(raw.shape)
        else:
            try:
                farr = as_float_array(name, value)
            except ValueError:
                raise ValueError(f"{what} (got {_describe(value)})") from None
            if (not np.all(np.isfinite(farr)) or np.any(farr != np.round(farr))
                    or np.any(farr < minimum) or np.any(farr > maximum)
                    or np.any(farr >= 2.0**63)):
                raise ValueError(f"{what} (got {_describe(value)})")
            arr = farr.astype(np.int64)
    return _to_scalar(name, arr, value) if scalar else arr


def _choices(allowed) -> tuple:
    if isinstance(allowed, (str, bytes)):
        return (allowed,)
    try:
        return tuple(allowed)
    except TypeError:
        raise ValueError(f"allowed must be a sequence of choices (got {_short_repr(allowed)})") \
            from None


def check_choice(name: str, value, allowed):
    """Check that ``value`` is one of ``allowed`` and return the allowed object.

    The comparison never hashes ``value`` and never compares arrays element by
    element, so ``np.array(3)`` or a list gives the same clear ValueError as a
    misspelt string. Strings match strings only (``np.str_`` included).
    """
    allowed = _choices(allowed)
    for a in allowed:
        if isinstance(a, str):
            if isinstance(value, str) and str(value) == a:
                return a
        elif isinstance(a, bool) or a is None:
            if value is a or (isinstance(value, np.bool_) and bool(value) is a):
                return a
        elif type(value) is type(a):
            try:
                if bool(value == a):
                    return a
            except Exception:  # pragma: no cover - exotic __eq__
                pass
    raise ValueError(f"{name} must be one of {list(allowed)} (got {_short_repr(value)})")


def check_bool(name: str, value) -> bool:
    """Check that ``value`` is a boolean (``True``/``False`` or ``np.bool_``)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False (got {_short_repr(value)})")


def check_instance(name: str, value, cls, *, default=None):
    """Check that ``value`` is a ``cls``; ``None`` gives ``default()`` (or None).

    Replaces ``value or cls()``, which silently took ``0``, ``''`` or
    ``False`` for the default.
    """
    try:
        isinstance(None, cls)
    except TypeError:
        raise ValueError(f"cls must be a class or a tuple of classes (got {_short_repr(cls)})") \
            from None
    if value is None and default is not None:
        return default() if callable(default) else default
    if not isinstance(value, cls):
        kind = getattr(cls, "__name__", None) or " or ".join(
            getattr(c, "__name__", repr(c)) for c in cls)
        raise ValueError(f"{name} must be a {kind}{' or None' if default is not None else ''} "
                         f"(got {type(value).__name__} {_short_repr(value)})")
    return value


def check_real_or_choice(name: str, value, allowed, low=-np.inf, high=np.inf, *,
                         low_inclusive=True, high_inclusive=True):
    """A parameter that is either one of the strings ``allowed`` or a number in a range.

    Returns the matching string, or the number as a float64 array.
    """
    allowed = _choices(allowed)
    low, high = _bound("low", low), _bound("high", high)
    if isinstance(value, str):
        return check_choice(name, value, allowed)
    try:
        return check_in_range(name, value, low, high, low_inclusive=low_inclusive,
                              high_inclusive=high_inclusive)
    except ValueError:
        lo = "[" if low_inclusive else "("
        hi = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be one of {list(allowed)} or a number in "
                         f"{lo}{low:g}, {high:g}{hi} (got {_describe(value)})") from None
