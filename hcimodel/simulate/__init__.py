"""Exact Monte Carlo kernels: FIFO queues, closed networks, cache replays.

Each kernel simulates its system exactly (no fluid or mean-field shortcut), is
vectorized with numpy where the recursion allows it and compiled with numba where
the loop is truly sequential.
"""
