"""Compiled kernels of :mod:`hcimodel.simulate.fetch_replay`.

Kept apart so that importing the replay module (and the domain models
above it) does not import numba; :mod:`~hcimodel.simulate.fetch_replay`
imports this one on its first replay. One kernel, :func:`_replay`, takes the
reads from arrays or merges them from the readers' schedules (no intermediate
arrays), replays each, and writes every read's latency and kind or tallies
them; it is compiled once per use (:data:`replay_reads`,
:data:`summarise_reads`, :data:`summarise_schedule`). It is one function on
purpose: numba counts the references of arrays passed to a helper, which
costs more than the replay of a read.

Tally: counts per kind, per-node warm-up curve points, and the latency of
every read that was not local as a count per distinct value (an open-address
hash table keyed by (value, kind)): exact order statistics in memory bounded by
the number of distinct latencies, a few dozen to a few thousand in practice.
"""

from __future__ import annotations

import types

import numba
import numpy as np

#: Multiplier of the hash (Fibonacci hashing of the value's bits).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, nogil=True)
def _slot(bits, k, shift, mask):
    """Home slot of (value, kind) in the table: Fibonacci hashing of the value's bits."""
    return (np.int64((np.uint64(bits) * _GOLDEN) >> np.uint64(shift)) ^ k) & mask


@numba.njit(cache=True, nogil=True)
def is_sorted(t):
    """No ``t[i] < t[i - 1]``."""
    for i in range(1, t.size):
        if t[i] < t[i - 1]:
            return False
    return True


def _replay(times, nodes, blocks, sched, ms, clock, link, rs, out, tl, hist):
    """Replay reads in time order; return True if stopped to grow ``hist`` (call again).

    The globals ``FROM_SCHEDULE`` and ``PER_READ`` choose where the reads come
    from and what is kept; numba takes globals as constants, so each variant
    (:func:`_variant`) is compiled without the branches of the others.

    Reads: with ``FROM_SCHEDULE`` False, ``times``, ``nodes``, ``blocks`` from
    index ``ms[0]``. Otherwise merged from ``sched`` = (starts, offs, seq,
    node_of, pending, ring, ring_t, ring_j): reader ``d`` reads ``seq[j]`` at
    ``starts[d] + offs[j]`` (``offs`` non-decreasing) from node
    ``node_of[d]``, and the reads come out sorted by (time, reader) with each
    reader's in order, exactly a stable sort of all reads listed reader by
    reader. ``pending`` lists the readers by (first time, reader); ``ring`` (a
    circular buffer of a power-of-2 size, with the time and index of each
    entry's next read in ``ring_t`` and ``ring_j``) holds the readers that
    have started, sorted by (next time, reader): a reader read is put back
    from the tail, where it almost always belongs, so a read costs O(1).
    ``ms`` = (next pending, ring head, ring size) and the ring carry over to
    the next call; ``clock[0]`` receives the time of the last read.

    Replay, ``link`` = (n_nodes, owner, t_detect, rtt, tau, use_map) and the
    state ``rs`` = (avail, up_free, down_free, fetched, sent, remote,
    last_fetch), updated in place: ``avail`` is the time each node holds each
    block (-inf for the owner, inf if not fetched). Links are FIFO servers: a
    transfer from node g to node h holds g's uplink and h's downlink, start =
    max(t, up_free[g], down_free[h]), end = start + tau, the data usable at
    end + rtt.

    Output: with ``PER_READ``, every read's latency and kind into ``out`` =
    (latency, kind). Otherwise the tally ``tl`` = (counts per kind, local
    ones left out; start, pts, pt_fetched, pt_crossed, seen, nf, nc, at,
    next_pt): ``pts[start[h]:start[h + 1]]`` are node h's increasing read
    counts at which ``pt_fetched`` and ``pt_crossed`` receive its fetches and
    network crossings so far (``seen``, ``nf``, ``nc``; ``at`` the next point,
    ``next_pt`` its read count or -1), and a read not local adds one to
    its (value, kind) entry of ``hist`` = (keys, kinds, counts, [entries,
    shift]) by linear probing; the kernel stops once the table is half full.
    """
    starts, offs, seq, node_of, pending, ring, ring_t, ring_j = sched
    n_nodes, owner, t_detect, rtt, tau, use_map = link
    avail, up_free, down_free, fetched, sent, remote, last_fetch = rs
    latency, kind = out
    counts, start, pts, pt_fetched, pt_crossed, seen, nf, nc, at, next_pt = tl
    hkey, hkind, hcnt, used = hist
    last_lat, last_k, last_slot = -1.0, 0, 0
    mask = hkey.size - 1
    shift = used[1]
    bf = np.empty(1)
    bi = bf.view(np.int64)
    m = offs.size
    wrap = ring.size - 1  # the ring's size is a power of 2
    n_pending = pending.size
    p, head, size = ms[0], ms[1], ms[2]
    t0 = starts[pending[p]] + offs[0] if FROM_SCHEDULE and p < n_pending else np.inf
    inf = np.inf
    full = False
    t = clock[0]
    while not full:
        # the next read: (t, h, blk), of reader d when from the schedule
        if not FROM_SCHEDULE:
            if p >= times.size:
                break
            t = times[p]
            h = nodes[p]
            blk = blocks[p]
            p += 1
            d = 0
            j = 0
        else:
            if size > 0 and (ring_t[head] < t0 or (ring_t[head] == t0
                                                   and ring[head] < pending[p])):
                d = ring[head]
                t = ring_t[head]
                j = ring_j[head]
                head = (head + 1) & wrap
                size -= 1
            elif p < n_pending:
                d = pending[p]
                t = t0
                j = 0
                p += 1
                t0 = starts[pending[p]] + offs[0] if p < n_pending else inf
            else:
                break
            h = node_of[d]
            blk = seq[j]
        # replay it: kind k (0 local, 1 remote, 2 fetch, 3 wait) and extra latency
        a = avail[h, blk]
        if a <= t:
            k = 0
            lat = 0.0
        elif a < inf:  # a fetch of this block is in flight: wait for it
            k = 3
            lat = a - t
        else:
            src = owner
            if use_map and t >= t_detect:
                best = max(up_free[owner], down_free[h])
                for g in range(n_nodes):
                    if g != h and g != owner and avail[g, blk] <= t:
                        s = max(up_free[g], down_free[h])
                        if s < best:
                            best = s
                            src = g
            begin = max(t, max(up_free[src], down_free[h]))
            end = begin + tau
            up_free[src] = end
            down_free[h] = end
            lat = end + rtt - t
            sent[src] += 1
            if t < t_detect:
                k = 1
                remote[h] += 1
            else:
                k = 2
                fetched[h] += 1
                avail[h, blk] = end + rtt
                if end + rtt > last_fetch[h]:
                    last_fetch[h] = end + rtt
        # keep it
        if PER_READ:
            latency[p - 1] = lat
            kind[p - 1] = k
        else:
            if k != 0:
                counts[k] += 1
                if k == 2:
                    nf[h] += 1
                    nc[h] += 1
                elif k == 1:
                    nc[h] += 1
                if lat == last_lat and k == last_k:  # as the read before: same entry
                    hcnt[last_slot] += 1
                else:
                    bf[0] = lat
                    slot = _slot(bi[0], k, shift, mask)
                    while True:
                        c = hcnt[slot]
                        if c == 0:
                            hkey[slot] = lat
                            hkind[slot] = k
                            hcnt[slot] = 1
                            used[0] += 1
                            full = 2 * used[0] >= hkey.size
                            break
                        if hkey[slot] == lat and hkind[slot] == k:
                            hcnt[slot] = c + 1
                            break
                        slot = (slot + 1) & mask
                    last_lat, last_k, last_slot = lat, k, slot
            c = seen[h] + 1
            seen[h] = c
            if c == next_pt[h]:  # a point of the node's warm-up curve
                i = at[h]
                pt_fetched[i] = nf[h]
                pt_crossed[i] = nc[h]
                at[h] = i + 1
                next_pt[h] = pts[i + 1] if i + 1 < start[h + 1] else -1
        # a reader's next read back into the ring, from the tail
        if FROM_SCHEDULE:
            j += 1
            if j < m:
                tn = starts[d] + offs[j]
                pos = (head + size) & wrap
                while size > 0:
                    prev = (pos - 1) & wrap
                    if ring_t[prev] < tn or (ring_t[prev] == tn and ring[prev] < d):
                        break
                    ring[pos] = ring[prev]
                    ring_t[pos] = ring_t[prev]
                    ring_j[pos] = ring_j[prev]
                    pos = prev
                    if pos == head:
                        break
                ring[pos] = d
                ring_t[pos] = tn
                ring_j[pos] = j
                size += 1
    ms[0], ms[1], ms[2] = p, head, size
    clock[0] = t
    return full


def _variant(name, from_schedule, per_read):
    """:func:`_replay` compiled for one source of reads and one output (cached by ``name``)."""
    fn = types.FunctionType(_replay.__code__, {**globals(), "FROM_SCHEDULE": from_schedule,
                                               "PER_READ": per_read}, name)
    fn.__qualname__ = name  # numba's cache files are named after it
    fn.__module__ = __name__
    fn.__doc__ = _replay.__doc__
    return numba.njit(cache=True, nogil=True)(fn)


#: Reads as arrays, every read's latency and kind out (:func:`~.fetch_replay.replay_reads`).
replay_reads = _variant("replay_reads", False, True)
#: Reads as arrays, tallied (:func:`~.fetch_replay.replay_summary`).
summarise_reads = _variant("summarise_reads", False, False)
#: Reads merged from the readers' schedules, tallied (:func:`~.fetch_replay.replay_schedule`).
summarise_schedule = _variant("summarise_schedule", True, False)


@numba.njit(cache=True, nogil=True)
def rehash(hist, new):
    """Move the entries of the (value, kind) -> count table ``hist`` into the larger ``new``."""
    hkey, hkind, hcnt, _ = hist
    nkey, nkind, ncnt, nused = new
    mask = nkey.size - 1
    bf = np.empty(1)
    bi = bf.view(np.int64)
    for s in range(hkey.size):
        if hcnt[s] == 0:
            continue
        bf[0] = hkey[s]
        k = hkind[s]
        slot = _slot(bi[0], k, nused[1], mask)
        while ncnt[slot] != 0:
            slot = (slot + 1) & mask
        nkey[slot] = hkey[s]
        nkind[slot] = k
        ncnt[slot] = hcnt[s]
        nused[0] += 1
