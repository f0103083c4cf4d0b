"""``njit`` that imports numba on a kernel's first call, not at module import.

Importing numba costs a few tenths of a second; a module that merely defines
compiled kernels (``queueing``, ``shadowclone``) should not make every user of
its closed forms pay it. ``@njit(cache=True)`` here behaves as numba's: on the
first call the Python function is compiled (or loaded from numba's cache) with
the same options, and every later call goes straight to the compiled kernel.
A kernel wrapped this way is called from Python only, never from another
kernel. The Python function stays available as ``.py_func``, as with numba.
"""

from __future__ import annotations

import functools

__all__ = ["njit"]


class _LazyKernel:
    def __init__(self, py_func, options):
        self.py_func = py_func
        self._options = options
        self._dispatcher = None
        functools.update_wrapper(self, py_func)

    def __call__(self, *args, **kwargs):
        dispatcher = self._dispatcher
        if dispatcher is None:
            import numba

            dispatcher = self._dispatcher = numba.njit(**self._options)(self.py_func)
        return dispatcher(*args, **kwargs)


def njit(*args, **options):
    """``@njit`` or ``@njit(cache=True, ...)``, compiled on first call."""
    if args and callable(args[0]) and not options:
        return _LazyKernel(args[0], {})
    return lambda fn: _LazyKernel(fn, options)
