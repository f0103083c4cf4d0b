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
generated here in time order) replay in chunks and return a
:class:`FetchReplay`: per-node counts, a latency table by kind and the warm-up
curve of every node, in memory bounded by nodes x blocks (the replay state)
plus the reads that were not local, never by all the reads.

The kernels are compiled with numba (on first call).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

from .. import _jit as numba  # numba.njit, imported on a kernel's first call
from ..validation import (MAX_SECONDS, check_choice, check_duration, check_integer,
                          check_positive)

__all__ = ["KINDS", "FETCH_SOURCES", "FetchReplay", "replay_reads", "replay_summary",
           "replay_schedule"]

#: Kinds of read: served locally, remote before detection, fetched, waiting for a fetch.
KINDS = ("local", "remote", "fetch", "wait")
_LOCAL, _REMOTE, _FETCH, _WAIT = 0, 1, 2, 3
#: Where a fetch comes from: the owner alone, or any node holding the block.
FETCH_SOURCES = ("single", "map")
#: Reads generated, replayed and tallied at a time.
CHUNK_READS = 1 << 16


@numba.njit(cache=True, nogil=True)
def _replay(times, nodes, blocks, n_nodes, owner, t_detect, rtt, tau, use_map,
            latency, kind, fetched, sent, remote, last_fetch, avail, up_free, down_free):
    """Replay block reads in time order; links are FIFO servers of tau per block.

    A transfer from node g to node h holds g's uplink and h's downlink:
    start = max(t, up_free[g], down_free[h]), end = start + tau, and the data is
    usable at end + rtt. The state (``avail``: time each node holds each
    block, -inf for the owner, inf if not fetched; the link clocks; the per-node
    counters) is passed in and updated, so a stream can be replayed in chunks.
    """
    inf = np.inf
    for e in range(times.size):
        t = times[e]
        h = nodes[e]
        blk = blocks[e]
        a = avail[h, blk]
        if a <= t:
            latency[e] = 0.0
            kind[e] = 0
            continue
        if a < inf:  # a fetch of this block is in flight: wait for it
            latency[e] = a - t
            kind[e] = 3
            continue
        src = owner
        if use_map and t >= t_detect:
            best = max(up_free[owner], down_free[h])
            for g in range(n_nodes):
                if g != h and g != owner and avail[g, blk] <= t:
                    s = max(up_free[g], down_free[h])
                    if s < best:
                        best = s
                        src = g
        start = max(t, max(up_free[src], down_free[h]))
        end = start + tau
        up_free[src] = end
        down_free[h] = end
        latency[e] = end + rtt - t
        sent[src] += 1
        if t < t_detect:
            kind[e] = 1
            remote[h] += 1
        else:
            kind[e] = 2
            fetched[h] += 1
            avail[h, blk] = end + rtt
            if end + rtt > last_fetch[h]:
                last_fetch[h] = end + rtt


@numba.njit(cache=True, nogil=True)
def _is_sorted(t):
    """No ``t[i] < t[i - 1]``."""
    for i in range(1, t.size):
        if t[i] < t[i - 1]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _merge_runs(starts, offs, seq, node_of, pending, state, ring, ring_t, nxt,
                buf_t, buf_n, buf_b):
    """Next reads of every reader in time order, into the buffers; returns how many.

    Reader ``d`` reads ``seq[j]`` at ``starts[d] + offs[j]`` (``offs``
    non-decreasing) from node ``node_of[d]``. The reads come out sorted by
    (time, reader) with each reader's in order: exactly a stable sort of all
    reads listed reader by reader. ``pending`` lists the readers by (first
    time, reader); ``ring`` (a circular buffer, with the time of each entry's
    next read in ``ring_t``) holds the readers that have started, sorted by
    (next time, reader): a reader read is put back from the tail, where it
    almost always belongs, so a read costs O(1). ``state`` = (next pending,
    ring head, ring size); ``nxt[d]`` is reader d's next read. All carry over
    to the next call.
    """
    m = offs.size
    cap = ring.size
    p, head, size = state[0], state[1], state[2]
    n = 0
    while n < buf_t.size:
        take_ring = False
        if size > 0:
            if p >= pending.size:
                take_ring = True
            else:
                d0 = pending[p]
                t0 = starts[d0] + offs[0]
                tr = ring_t[head]
                take_ring = tr < t0 or (tr == t0 and ring[head] < d0)
        elif p >= pending.size:
            break
        if take_ring:
            d = ring[head]
            t = ring_t[head]
            head += 1
            if head == cap:
                head = 0
            size -= 1
        else:
            d = pending[p]
            t = starts[d] + offs[0]
            p += 1
        j = nxt[d]
        buf_t[n] = t
        buf_n[n] = node_of[d]
        buf_b[n] = seq[j]
        n += 1
        j += 1
        nxt[d] = j
        if j < m:  # back into the ring, from the tail
            tn = starts[d] + offs[j]
            pos = head + size
            if pos >= cap:
                pos -= cap
            while size > 0:
                prev = pos - 1 if pos > 0 else cap - 1
                if ring_t[prev] < tn or (ring_t[prev] == tn and ring[prev] < d):
                    break
                ring[pos] = ring[prev]
                ring_t[pos] = ring_t[prev]
                pos = prev
                if pos == head:
                    break
            ring[pos] = d
            ring_t[pos] = tn
            size += 1
    state[0], state[1], state[2] = p, head, size
    return n


@numba.njit(cache=True, nogil=True)
def _tally(nodes, kind, lat, counts, start, pts, fetched, crossed, seen, nf, nc, at,
           out_lat, out_kind):
    """Counts per kind, the warm-up curve, and the latencies of the reads not local.

    ``pts[start[h]:start[h + 1]]`` are node h's increasing read counts;
    ``fetched``/``crossed`` receive the node's fetches and network crossings
    among its first ``pts`` reads. ``seen``, ``nf``, ``nc`` (per node: reads,
    fetches, crossings so far) and ``at`` (next point of each node) carry over
    from one chunk to the next. The latency and kind of every read that was
    not local go to ``out_lat``/``out_kind`` (as large as the chunk), in
    order; returns how many.
    """
    k_out = 0
    for e in range(nodes.size):
        h = nodes[e]
        k = kind[e]
        counts[k] += 1
        if k != 0:
            out_lat[k_out] = lat[e]
            out_kind[k_out] = k
            k_out += 1
            if k == 2:
                nf[h] += 1
                nc[h] += 1
            elif k == 1:
                nc[h] += 1
        seen[h] += 1
        i = at[h]
        if i < start[h + 1] and pts[i] == seen[h]:
            fetched[i] = nf[h]
            crossed[i] = nc[h]
            at[h] = i + 1
    return k_out


def _replay_state(n_nodes, n_blocks, owner):
    """Initial (avail, up_free, down_free) of :func:`_replay`: only the owner holds blocks."""
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
    if not _is_sorted(t):
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
    _replay(t, nd, bk, H, own, td, rtt, tau, use_map, lat, kind, fetched, sent,
            remote, last, *_replay_state(H, m, own))
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
        p95_s, p99_s, max_s; plus a row 'all'.
    curve : polars.DataFrame
        The warm-up curve of every node that read: node, reads (the first k
        reads of that node, about 48 points spaced geometrically up to all of
        them), fetched_blocks (fetches among them) and local_share (share of
        them that crossed no network, ``1 - (fetches + remote reads) / k``; a
        read waiting for a fetch in flight counts as local). Sorted by node, reads.
    replay_s : float
        Wall time spent in the replay kernel (s).
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


def _order_stat(k, n_zero, nonzero):
    """k-th smallest of ``n_zero`` zeros and the partitioned positive ``nonzero``."""
    return 0.0 if k < n_zero else float(nonzero[k - n_zero])


def _quantiles_with_zeros(nonzero, n_zero, qs):
    """``np.quantile`` (linear) of ``n_zero`` zeros and the positive ``nonzero``, exactly.

    Without building the array of zeros: the virtual index ``(n - 1) q``, its
    neighbours and numpy's interpolation (``_lerp``: from below, or from above
    when the weight is at least 1/2) are those of :func:`numpy.quantile`.
    """
    n = n_zero + nonzero.size
    qs = np.asarray(qs, dtype=float)
    v = (n - 1) * qs
    lo = np.floor(v)
    gamma = v - lo
    lo = lo.astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    lo = np.where(v >= n - 1, n - 1, lo)
    need = np.unique(np.concatenate([lo, hi]))
    need = need[need >= n_zero] - n_zero
    if need.size:
        nonzero.partition(need)
    out = []
    for a_k, b_k, g in zip(lo, hi, gamma):
        a, b = _order_stat(a_k, n_zero, nonzero), _order_stat(b_k, n_zero, nonzero)
        diff = b - a
        out.append(b - diff * (1.0 - g) if g >= 0.5 else a + diff * g)
    return out


class _Tally:
    """Streaming counts of a replay: kinds, warm-up curves, latencies not local."""

    def __init__(self, per_node, chunk, n_points=48):
        pts = [np.unique(np.round(np.geomspace(1, k, n_points)).astype(np.int64)) if k else
               np.empty(0, dtype=np.int64) for k in per_node]
        self.start = np.concatenate([[0], np.cumsum([p.size for p in pts])]).astype(np.int64)
        self.pts = np.concatenate(pts).astype(np.int64)
        self.fetched = np.zeros(self.pts.size, dtype=np.int64)
        self.crossed = np.zeros(self.pts.size, dtype=np.int64)
        h = len(per_node)
        self.state = (np.zeros(h, dtype=np.int64), np.zeros(h, dtype=np.int64),
                      np.zeros(h, dtype=np.int64), self.start[:-1].copy())
        self.counts = np.zeros(len(KINDS), dtype=np.int64)
        self.out_lat = np.empty(chunk)
        self.out_kind = np.empty(chunk, dtype=np.int8)
        self.parts = []

    def add(self, nodes, kind, lat):
        k = _tally(nodes, kind, lat, self.counts, self.start, self.pts, self.fetched,
                   self.crossed, *self.state, self.out_lat, self.out_kind)
        if k:
            self.parts.append((self.out_lat[:k].copy(), self.out_kind[:k].copy()))

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

        A local read waits exactly 0 s, so the 'all' row is taken from the reads
        that were not local and the count of local ones."""
        import polars as pl

        lat = np.concatenate([p[0] for p in self.parts]) if self.parts else np.empty(0)
        kind = np.concatenate([p[1] for p in self.parts]) if self.parts else \
            np.empty(0, np.int8)
        self.parts = []
        total = int(self.counts.sum())
        rows = []
        for k, name in enumerate(KINDS):
            n = int(self.counts[k])
            if n == 0 or k == _LOCAL:
                rows.append((name, n, n / max(total, 1), 0.0, 0.0, 0.0, 0.0, 0.0))
                continue
            x = lat[kind == k]
            mean, top = float(x.mean()), float(x.max())
            q = np.quantile(x, [0.5, 0.95, 0.99], overwrite_input=True)
            rows.append((name, n, n / max(total, 1), mean, float(q[0]), float(q[1]),
                         float(q[2]), top))
        if total == 0:
            rows.append(("all", 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
        else:
            mean = float(lat.sum() / total) if lat.size else 0.0
            top = float(lat.max()) if lat.size else 0.0
            q = _quantiles_with_zeros(lat, total - lat.size, [0.5, 0.95, 0.99])
            rows.append(("all", total, 1.0, mean, q[0], q[1], q[2], top))
        return pl.DataFrame(rows, orient="row", schema=["kind", "reads", "share", "mean_s",
                                                        "p50_s", "p95_s", "p99_s",
                                                        "max_s"]).sort("kind")


class _Replayer:
    """One replay in chunks: the state, the kernel, the tally."""

    def __init__(self, H, m, own, tau, rtt, use_map, td, per_node, chunk):
        self.args = (H, own, td, rtt, tau, use_map)
        self.fetched, self.sent, self.remote = (np.zeros(H, dtype=np.int64) for _ in range(3))
        self.last = np.zeros(H)
        self.state = _replay_state(H, m, own)
        self.lat = np.empty(chunk)
        self.kind = np.empty(chunk, dtype=np.int8)
        self.tally = _Tally(per_node, chunk)
        self.per_node = np.asarray(per_node, dtype=np.int64)
        self.replay_s = 0.0

    def run(self, t, nd, bk):
        n = t.size
        H, own, td, rtt, tau, use_map = self.args
        lat, kind = self.lat[:n], self.kind[:n]
        t0 = _time.perf_counter()
        _replay(t, nd, bk, H, own, td, rtt, tau, use_map, lat, kind, self.fetched, self.sent,
                self.remote, self.last, *self.state)
        self.replay_s += _time.perf_counter() - t0
        self.tally.add(nd, kind, lat)

    def result(self, first_s, last_s) -> FetchReplay:
        return FetchReplay(self.fetched, self.remote, self.sent, self.last, self.per_node,
                           int(self.per_node.sum()), float(first_s), float(last_s),
                           self.tally.latency(), self.tally.curve(), self.replay_s)


def replay_summary(times, nodes, blocks, *, n_nodes: int, n_blocks: int, detection_s: float,
                   owner: int = 0, link_bps: float = 10e9, rtt_s: float = 200e-6,
                   block_bytes: int = 4096, source: str = "single") -> FetchReplay:
    """:func:`replay_reads`, replayed in chunks and summarised (:class:`FetchReplay`).

    Parameters and the replay are those of :func:`replay_reads`; no per-read
    array is kept beyond one chunk.
    """
    H, m, own, tau, rtt, use_map, td = _link(n_nodes, n_blocks, owner, link_bps, rtt_s,
                                             block_bytes, source, detection_s)
    t, nd, bk = _reads(times, nodes, blocks, H, m)
    per_node = np.bincount(nd, minlength=H).astype(np.int64)
    chunk = min(CHUNK_READS, max(t.size, 1))
    run = _Replayer(H, m, own, tau, rtt, use_map, td, per_node, chunk)
    for i in range(0, t.size, chunk):
        run.run(t[i:i + chunk], nd[i:i + chunk], bk[i:i + chunk])
    return run.result(t[0] if t.size else 0.0, t[-1] if t.size else 0.0)


def replay_schedule(starts, offsets, sequence, reader_node, *, n_nodes: int, n_blocks: int,
                    detection_s: float, owner: int = 0, link_bps: float = 10e9,
                    rtt_s: float = 200e-6, block_bytes: int = 4096,
                    source: str = "single") -> FetchReplay:
    """Every reader reads one sequence from its start: generated and replayed in chunks.

    Reader ``d`` reads ``sequence[j]`` at ``starts[d] + offsets[j]`` from node
    ``reader_node[d]``. The reads are merged in time order (ties by reader,
    each reader's reads in order: a stable sort of all reads listed reader by
    reader) about :data:`CHUNK_READS` at a time and replayed as by
    :func:`replay_reads`. Memory: the replay state (nodes x blocks), one chunk,
    and the latencies of the reads that were not local.

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
    if offs.size != seq.size or offs.size == 0 or not _is_sorted(offs):
        raise ValueError(f"offsets must be non-decreasing, one per block of sequence "
                         f"({seq.size}) (got {offs.size})")
    if node_of.size != starts.size or starts.size == 0:
        raise ValueError(f"reader_node must give the node of each reader ({starts.size}) "
                         f"(got {node_of.size})")
    N, k = starts.size, offs.size
    total = N * k
    chunk = min(CHUNK_READS, total)
    per_node = np.bincount(node_of, minlength=H).astype(np.int64) * k
    run = _Replayer(H, m, own, tau, rtt, use_map, td, per_node, chunk)
    pending = np.argsort(starts + offs[0], kind="stable").astype(np.int64)
    state = np.zeros(3, dtype=np.int64)
    ring, ring_t = np.zeros(N, dtype=np.int64), np.zeros(N)
    nxt = np.zeros(N, dtype=np.int64)
    buf_t, buf_n, buf_b = np.empty(chunk), np.empty(chunk, np.int64), np.empty(chunk, np.int64)
    pos, first, last = 0, 0.0, 0.0
    while pos < total:
        n = _merge_runs(starts, offs, seq, node_of, pending, state, ring, ring_t, nxt,
                        buf_t[:min(chunk, total - pos)], buf_n, buf_b)
        if pos == 0:
            first = buf_t[0]
        last = buf_t[n - 1]
        run.run(buf_t[:n], buf_n[:n], buf_b[:n])
        pos += n
    return run.result(first, last)
