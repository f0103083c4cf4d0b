r"""Fetch on first read: replay block reads by nodes, with links as FIFO servers.

Blocks live on one *owner* node. Readers on nodes read blocks in time order.
Before a detection time every read from another node crosses the network to
the owner and is not kept (a *remote* read); from then on a node's first read
of a block *fetches* it (from the owner, or with ``source='map'`` from any
node already holding it, whichever link frees first) and every later read of
it there is *local*; a read arriving while that node's fetch of the block is
in flight *waits* for it. A transfer from node g to node h holds g's uplink
and h's downlink for ``tau = 8 block / link`` seconds (FIFO), and the data is
usable ``rtt`` later.

:func:`replay_reads` returns every read's extra latency and kind;
:func:`replay_summary` (reads given as arrays) and :func:`replay_schedule`
(every reader reads one sequence at a fixed pace from its own start time,
generated here in time order) replay and tally in one compiled pass and
return a :class:`FetchReplay`: per-node counts, a latency table by kind and
the warm-up curve of every node, in memory bounded by nodes x blocks (the
replay state) plus one count per distinct latency, never by the reads.

The kernels (:mod:`._fetch_kernels`) are compiled with numba on first call.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

from ..validation import (MAX_SECONDS, check_choice, check_duration, check_integer,
                          check_positive)

__all__ = ["KINDS", "FETCH_SOURCES", "FetchReplay", "replay_reads", "replay_summary",
           "replay_schedule"]

#: Kinds of read: served locally, remote before detection, fetched, waiting for a fetch.
KINDS = ("local", "remote", "fetch", "wait")
_LOCAL, _REMOTE, _FETCH, _WAIT = 0, 1, 2, 3
#: Where a fetch comes from: the owner alone, or any node holding the block.
FETCH_SOURCES = ("single", "map")


def _replay_state(n_nodes, n_blocks, owner):
    """Initial (avail, up_free, down_free) of a replay: only the owner holds blocks."""
    avail = np.full((n_nodes, n_blocks), np.inf)
    avail[owner, :] = -np.inf
    return avail, np.zeros(n_nodes), np.zeros(n_nodes)


def _link(n_nodes, n_blocks, owner, link_bps, rtt_s, block_bytes, source, detection_s):
    """Checked (H, m, owner, tau, rtt, map?, detection) of a replay."""
    check_choice("source", source, FETCH_SOURCES)
    H = check_integer("n_nodes", n_nodes, minimum=1, scalar=True)
    m = check_integer("n_blocks", n_blocks, minimum=1, scalar=True)
    own = check_integer("owner", owner, minimum=0, maximum=H - 1, scalar=True)
    td = check_duration("detection_s", detection_s, allow_inf=True, scalar=True)
    tau = 8.0 * check_integer("block_bytes", block_bytes, minimum=1, scalar=True) / \
        check_positive("link_bps", link_bps, scalar=True)
    if tau > MAX_SECONDS:
        raise ValueError(f"link_bps must carry a {block_bytes}-byte block within "
                         f"{MAX_SECONDS:g} s (got {link_bps!r})")
    rtt = check_duration("rtt_s", rtt_s, scalar=True)
    return H, m, own, float(tau), float(rtt), source == "map", float(td)


def _reads(times, nodes, blocks, H, m):
    """Checked reads as contiguous arrays, stably sorted by time if they were not."""
    t = np.ascontiguousarray(check_duration("times", times), dtype=np.float64)
    nd = np.ascontiguousarray(check_integer("nodes", nodes, minimum=0), dtype=np.int64)
    bk = np.ascontiguousarray(check_integer("blocks", blocks, minimum=0), dtype=np.int64)
    if not (t.shape == nd.shape == bk.shape and t.ndim == 1):
        raise ValueError(f"times, nodes and blocks must be 1-D of one length "
                         f"(got {t.shape}, {nd.shape}, {bk.shape})")
    if t.size and (nd.min() < 0 or nd.max() >= H):
        raise ValueError(f"nodes must be in [0, {H - 1}]")
    if t.size and (bk.min() < 0 or bk.max() >= m):
        raise ValueError(f"blocks must be in [0, {m - 1}]")
    if not _kernels().is_sorted(t):
        order = np.argsort(t, kind="stable")
        t, nd, bk = t[order], nd[order], bk[order]
    return t, nd, bk


def replay_reads(times, nodes, blocks, *, n_nodes: int, n_blocks: int, detection_s: float,
                 owner: int = 0, link_bps: float = 10e9, rtt_s: float = 200e-6,
                 block_bytes: int = 4096, source: str = "single") -> dict:
    """Replay a stream of block reads, fetching each block on a node's first read.

    Parameters
    ----------
    times : array_like of float
        Time of each read (s), in [0, 1e15]; sorted here (stable) if needed.
    nodes : array_like of int
        Node of the reader issuing each read.
    blocks : array_like of int
        Block id of each read, in [0, n_blocks).
    n_nodes, n_blocks : int
    detection_s : float
        Time from which first reads fetch (s); ``inf`` for never.
    owner : int
        Node holding every block.
    link_bps, rtt_s : float
        Link of each node (bit/s) and round trip between nodes (s).
    block_bytes : int
        Bytes per block (the transfer unit).
    source : {'single', 'map'}
        Fetch from the owner only, or from any node holding the block.

    Returns
    -------
    dict
        ``latency_s`` and ``kind`` (0 local, 1 remote, 2 fetch, 3 wait for a
        fetch in flight) per read in time order; per node ``fetched_blocks``,
        ``remote_blocks``, ``sent_blocks``, ``last_fetch_s`` (0 if none).
    """
    H, m, own, tau, rtt, use_map, td = _link(n_nodes, n_blocks, owner, link_bps, rtt_s,
                                             block_bytes, source, detection_s)
    t, nd, bk = _reads(times, nodes, blocks, H, m)
    lat = np.empty(t.size)
    kind = np.empty(t.size, dtype=np.int8)
    fetched, sent, remote = (np.zeros(H, dtype=np.int64) for _ in range(3))
    last = np.zeros(H)
    _replay_arrays(t, nd, bk, (H, own, td, rtt, tau, use_map),
                   (*_replay_state(H, m, own), fetched, sent, remote, last), (lat, kind),
                   None, None, np.zeros(3, dtype=np.int64))
    return {"latency_s": lat, "kind": kind, "fetched_blocks": fetched,
            "remote_blocks": remote, "sent_blocks": sent, "last_fetch_s": last}


@dataclass(frozen=True)
class FetchReplay:
    """What a chunked replay keeps: per-node counts, latencies by kind, warm-up curves.

    Attributes
    ----------
    fetched_blocks, remote_blocks, sent_blocks : numpy.ndarray of int, shape (H,)
        Per node: blocks fetched, reads sent to the owner before detection, blocks
        its uplink sent.
    last_fetch_s : numpy.ndarray, shape (H,)
        Time the node's last fetch completed (s; 0 if none).
    reads_per_node : numpy.ndarray of int, shape (H,)
    n_reads : int
    first_s, last_s : float
        Time of the first and the last read (s; 0 if none).
    latency : polars.DataFrame
        Extra read latency (s) by kind: kind, reads, share, mean_s, p50_s,
        p95_s, p99_s, max_s; plus a row 'all'. Exact: kept as a count per
        distinct latency, the quantiles and maxima are those of the list of
        every read's latency (:func:`numpy.quantile`, linear) and the means the
        exact means rounded once.
    curve : polars.DataFrame
        The warm-up curve of every node that read: node, reads (the first k
        reads of that node, about 48 points spaced geometrically up to all of
        them), fetched_blocks (fetches among them) and local_share (share of
        them that crossed no network, ``1 - (fetches + remote reads) / k``; a
        read waiting for a fetch in flight counts as local). Sorted by node, reads.
    replay_s : float
        Wall time spent in the compiled replay (s): for :func:`replay_schedule`
        the one pass that generates, replays and tallies the reads.
    """

    fetched_blocks: np.ndarray
    remote_blocks: np.ndarray
    sent_blocks: np.ndarray
    last_fetch_s: np.ndarray
    reads_per_node: np.ndarray
    n_reads: int
    first_s: float
    last_s: float
    latency: pl.DataFrame = field(repr=False)
    curve: pl.DataFrame = field(repr=False)
    replay_s: float = field(repr=False, default=0.0)


def _kernels():
    """The compiled kernels (:mod:`._fetch_kernels`; numba is imported here, on first use)."""
    from . import _fetch_kernels

    return _fetch_kernels


def _empty(*dtypes):
    """Empty arrays standing for the parts of a replay kernel a call does not use."""
    return tuple(np.empty(0, dtype=d) for d in dtypes)


#: dtypes of the schedule (starts, offs, seq, node_of, pending, ring, ring_t, nxt).
_SCHED = (float, float, np.int64, np.int64, np.int64, np.int64, float, np.int64)
#: dtypes of the per-read output (latency, kind).
_OUT = (float, np.int8)


def _replay_arrays(t, nd, bk, link, rs, out, tl, hist, ms):
    """Replay reads given as arrays (from ``ms[0]``): every read out, or tallied."""
    kernel = _kernels().summarise_reads if out is None else _kernels().replay_reads
    return kernel(t, nd, bk, _empty(*_SCHED), ms, np.zeros(1), link, rs, out or _empty(*_OUT),
                  tl or _Tally.no_tally(), hist or _Tally.no_table())


def _exact_mean(vals, cnts, n):
    """``sum(cnts * vals) / n`` correctly rounded (vals >= 0; exact for < 2**37 reads).

    Each value is ``M 2**E`` with an integer 53-bit ``M``: the sum is formed in
    integers, exponent by exponent, and divided once (Python's int division
    rounds correctly).
    """
    if n == 0 or vals.size == 0:
        return 0.0
    frac, ex = np.frexp(vals)
    mant = (frac * 2.0 ** 53).astype(np.uint64)
    ex = ex.astype(np.int64) - 53
    c = cnts.astype(np.uint64)
    lo_e = int(ex.min())
    total = 0
    for e in np.unique(ex):
        sel = ex == e
        hi = int(((mant[sel] >> np.uint64(27)) * c[sel]).sum())
        lo = int(((mant[sel] & np.uint64((1 << 27) - 1)) * c[sel]).sum())
        total += ((hi << 27) + lo) << int(e - lo_e)
    return total / (n << -lo_e) if lo_e < 0 else float((total << lo_e) / n)


def _quantiles(vals, cnts, n_zero, qs):
    """``np.quantile`` (linear) of ``n_zero`` zeros and ``cnts[i]`` copies of ``vals[i]``.

    ``vals`` sorted, distinct. The virtual index ``(n - 1) q``, its neighbours
    and numpy's interpolation (``_lerp``: from below, or from above when the
    weight is at least 1/2) are those of :func:`numpy.quantile`, so the result
    is bit for bit the one of the expanded array.
    """
    cum = np.cumsum(cnts)
    n = n_zero + (int(cum[-1]) if cum.size else 0)

    def order_stat(k):  # k-th smallest, from 0
        return 0.0 if k < n_zero else float(vals[np.searchsorted(cum, k - n_zero,
                                                                  side="right")])

    out = []
    for q in np.asarray(qs, dtype=float):
        v = (n - 1) * q
        lo = int(np.floor(v))
        g = v - lo
        hi = min(lo + 1, n - 1)
        lo = n - 1 if v >= n - 1 else lo
        a, b = order_stat(lo), order_stat(hi)
        diff = b - a
        out.append(b - diff * (1.0 - g) if g >= 0.5 else a + diff * g)
    return out


#: Initial size of the table of latency values (doubles when half full).
TABLE_SIZE = 1 << 10


class _Tally:
    """Streaming counts of a replay: kinds, warm-up curves, latencies not local.

    The latencies of the reads that were not local are kept as a count per
    distinct (value, kind), in a hash table that doubles when half full.
    """

    def __init__(self, per_node, n_points=48):
        pts = [np.unique(np.round(np.geomspace(1, k, n_points)).astype(np.int64)) if k else
               np.empty(0, dtype=np.int64) for k in per_node]
        self.start = np.concatenate([[0], np.cumsum([p.size for p in pts])]).astype(np.int64)
        self.pts = np.concatenate(pts).astype(np.int64)
        self.fetched = np.zeros(self.pts.size, dtype=np.int64)
        self.crossed = np.zeros(self.pts.size, dtype=np.int64)
        h = len(per_node)
        self.counts = np.zeros(len(KINDS), dtype=np.int64)  # local ones: see latency()
        self.n_reads = int(np.sum(per_node))
        at = self.start[:-1].copy()
        next_pt = np.where(at < self.start[1:], self.pts[np.minimum(at, self.pts.size - 1)]
                           if self.pts.size else -1, -1).astype(np.int64)
        self.tl = (self.counts, self.start, self.pts, self.fetched, self.crossed,
                   np.zeros(h, dtype=np.int64), np.zeros(h, dtype=np.int64),
                   np.zeros(h, dtype=np.int64), at, next_pt)
        self.hist = self._table(TABLE_SIZE)

    @staticmethod
    def no_tally():
        return _empty(*(np.int64,) * 10)

    @staticmethod
    def no_table():
        return _Tally._table(2)

    @staticmethod
    def _table(size):
        size = 1 << max(int(size) - 1, 1).bit_length()  # a power of 2, >= 2
        used = np.array([0, 64 - (size.bit_length() - 1)], dtype=np.int64)  # entries, shift
        return (np.zeros(size), np.zeros(size, dtype=np.int8), np.zeros(size, dtype=np.int64),
                used)

    def grow(self):
        new = self._table(2 * self.hist[0].size)
        _kernels().rehash(self.hist, new)
        self.hist = new

    def curve(self) -> pl.DataFrame:
        import polars as pl

        if not self.pts.size:
            return pl.DataFrame(schema={"node": pl.Int64, "reads": pl.Int64,
                                        "fetched_blocks": pl.Int64, "local_share": pl.Float64})
        node = np.repeat(np.arange(self.start.size - 1, dtype=np.int64), np.diff(self.start))
        return pl.DataFrame({"node": node, "reads": self.pts, "fetched_blocks": self.fetched,
                             "local_share": 1.0 - self.crossed / self.pts}).sort(["node", "reads"])

    def latency(self) -> pl.DataFrame:
        """Latency rows: reads per kind, their share, mean, p50, p95, p99 and max (s).

        Exact from the counts per distinct value: the quantiles and the maximum
        are those of the full list of latencies (:func:`numpy.quantile`,
        linear); the mean is the exact mean rounded once. A local read waits
        exactly 0 s, so the 'all' row is the values not local and the count of
        local reads.
        """
        import polars as pl

        self.counts[_LOCAL] = self.n_reads - self.counts[1:].sum()
        key, kind, cnt, _ = self.hist
        full = cnt > 0
        order = np.argsort(key[full], kind="stable")
        key, kind, cnt = key[full][order], kind[full][order], cnt[full][order]
        total = int(self.counts.sum())
        qs = (0.5, 0.95, 0.99)
        rows = []
        for k, name in enumerate(KINDS):
            n = int(self.counts[k])
            if n == 0 or k == _LOCAL:
                rows.append((name, n, n / max(total, 1), 0.0, 0.0, 0.0, 0.0, 0.0))
                continue
            v, c = key[kind == k], cnt[kind == k]
            rows.append((name, n, n / max(total, 1), _exact_mean(v, c, n),
                         *_quantiles(v, c, 0, qs), float(v[-1])))
        if total == 0:
            rows.append(("all", 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
        else:
            v, c = key, cnt  # sorted by value; equal values of two kinds side by side
            rows.append(("all", total, 1.0, _exact_mean(v, c, total),
                         *_quantiles(v, c, int(self.counts[_LOCAL]), qs),
                         float(v[-1]) if v.size else 0.0))
        return pl.DataFrame(rows, orient="row", schema=["kind", "reads", "share", "mean_s",
                                                        "p50_s", "p95_s", "p99_s",
                                                        "max_s"]).sort("kind")


class _Replayer:
    """One replay: the link, the replay state, the tally, the time in the kernels."""

    def __init__(self, H, m, own, tau, rtt, use_map, td, per_node):
        self.link = (H, own, td, rtt, tau, use_map)
        self.fetched, self.sent, self.remote = (np.zeros(H, dtype=np.int64) for _ in range(3))
        self.last = np.zeros(H)
        self.rs = (*_replay_state(H, m, own), self.fetched, self.sent, self.remote, self.last)
        self.tally = _Tally(per_node)
        self.per_node = np.asarray(per_node, dtype=np.int64)
        self.replay_s = 0.0

    def arrays(self, t, nd, bk):
        """Replay and tally reads given as arrays, growing the table as asked."""
        ms = np.zeros(3, dtype=np.int64)
        t0 = _time.perf_counter()
        while _replay_arrays(t, nd, bk, self.link, self.rs, None, self.tally.tl,
                             self.tally.hist, ms):
            self.tally.grow()
        self.replay_s += _time.perf_counter() - t0

    def schedule(self, sched, clock):
        """Merge, replay and tally the reads of a schedule, growing the table as asked."""
        ms = np.zeros(3, dtype=np.int64)
        no = np.empty(0)
        no_i = np.empty(0, dtype=np.int64)
        t0 = _time.perf_counter()
        while _kernels().summarise_schedule(no, no_i, no_i, sched, ms, clock, self.link,
                                            self.rs, _empty(*_OUT), self.tally.tl,
                                            self.tally.hist):
            self.tally.grow()
        self.replay_s += _time.perf_counter() - t0

    def result(self, first_s, last_s) -> FetchReplay:
        return FetchReplay(self.fetched, self.remote, self.sent, self.last, self.per_node,
                           int(self.per_node.sum()), float(first_s), float(last_s),
                           self.tally.latency(), self.tally.curve(), self.replay_s)


def replay_summary(times, nodes, blocks, *, n_nodes: int, n_blocks: int, detection_s: float,
                   owner: int = 0, link_bps: float = 10e9, rtt_s: float = 200e-6,
                   block_bytes: int = 4096, source: str = "single") -> FetchReplay:
    """:func:`replay_reads`, summarised as it goes (:class:`FetchReplay`).

    Parameters and the replay are those of :func:`replay_reads`; one compiled
    pass replays and tallies the reads, keeping no per-read array.
    """
    H, m, own, tau, rtt, use_map, td = _link(n_nodes, n_blocks, owner, link_bps, rtt_s,
                                             block_bytes, source, detection_s)
    t, nd, bk = _reads(times, nodes, blocks, H, m)
    run = _Replayer(H, m, own, tau, rtt, use_map, td, np.bincount(nd, minlength=H))
    run.arrays(t, nd, bk)
    return run.result(t[0] if t.size else 0.0, t[-1] if t.size else 0.0)


def replay_schedule(starts, offsets, sequence, reader_node, *, n_nodes: int, n_blocks: int,
                    detection_s: float, owner: int = 0, link_bps: float = 10e9,
                    rtt_s: float = 200e-6, block_bytes: int = 4096,
                    source: str = "single") -> FetchReplay:
    """Every reader reads one sequence from its start: generated, replayed and tallied at once.

    Reader ``d`` reads ``sequence[j]`` at ``starts[d] + offsets[j]`` from node
    ``reader_node[d]``. One compiled pass merges the reads in time order (ties
    by reader, each reader's reads in order: a stable sort of all reads listed
    reader by reader), replays each as :func:`replay_reads` does and tallies
    it; no read is stored. Memory: the replay state (nodes x blocks), a few
    numbers per reader and per distinct latency.

    Parameters
    ----------
    starts : array_like of float
        Start of each reader (s, >= 0).
    offsets : array_like of float
        Time of each read after the start (s), non-decreasing.
    sequence : array_like of int
        Block read at each offset, in [0, n_blocks).
    reader_node : array_like of int
        Node of each reader, in [0, n_nodes).
    n_nodes, n_blocks, detection_s, owner, link_bps, rtt_s, block_bytes, source
        As in :func:`replay_reads`.

    Returns
    -------
    FetchReplay
    """
    H, m, own, tau, rtt, use_map, td = _link(n_nodes, n_blocks, owner, link_bps, rtt_s,
                                             block_bytes, source, detection_s)
    starts = np.ascontiguousarray(check_duration("starts", starts), dtype=np.float64).ravel()
    offs = np.ascontiguousarray(check_duration("offsets", offsets), dtype=np.float64).ravel()
    seq = np.ascontiguousarray(check_integer("sequence", sequence, minimum=0, maximum=m - 1),
                               dtype=np.int64).ravel()
    node_of = np.ascontiguousarray(check_integer("reader_node", reader_node, minimum=0,
                                                 maximum=H - 1), dtype=np.int64).ravel()
    if offs.size != seq.size or offs.size == 0 or not _kernels().is_sorted(offs):
        raise ValueError(f"offsets must be non-decreasing, one per block of sequence "
                         f"({seq.size}) (got {offs.size})")
    if node_of.size != starts.size or starts.size == 0:
        raise ValueError(f"reader_node must give the node of each reader ({starts.size}) "
                         f"(got {node_of.size})")
    N = starts.size
    run = _Replayer(H, m, own, tau, rtt, use_map, td,
                    np.bincount(node_of, minlength=H) * offs.size)
    pending = np.argsort(starts + offs[0], kind="stable").astype(np.int64)
    ring = 1 << max(N - 1, 0).bit_length()  # a power of 2, >= N
    sched = (starts, offs, seq, node_of, pending, np.zeros(ring, dtype=np.int64), np.zeros(ring),
             np.zeros(ring, dtype=np.int64))
    clock = np.zeros(1)
    run.schedule(sched, clock)
    return run.result(starts[pending[0]] + offs[0], clock[0])
