"""The sizing engine: limits per clone strategy, inverse solves, plain sentences.

Everything here works on *draws*: each numeric input is an array of D values
(D = 1 and the nominal values for the deterministic answer), so the
deterministic answer and the Monte Carlo run share one code path and a range of
width zero gives exactly the deterministic answer.

Nodes needed, per strategy (usable nodes ``u`` = nodes minus the N+1/N+2
headroom, which must carry every target with nodes down):

* CPU and memory: ``sum over pools of count / desktops per node``, the desktops
  one node carries by its cores and by its memory less the CVM's reservation
  from :class:`hcimodel.hotspot.Host` (the node-density code of
  :func:`hcimodel.hotspot.max_pool_size`, through :func:`.models.desktops_per_node`);
* capacity: ``RF x (images + sum(count x disk)) x (1 + growth) / ((SSD + HDD) x fill)``,
  images = the base image once per pool for full clones, twice for linked clones
  (the replica and the new one during a recompose);
* I/O latency: the smallest ``u`` whose login-storm p95 read latency
  (:func:`.models.read_p95`: the read path through cache and extent store,
  writes with their RF - 1 remote legs) meets the target, each pool with the
  other pools' CVM visits as background load on every CVM;
* boot storm: the smallest ``u`` booting each pool within the target right after
  its image is (re)deployed (:func:`.models.boot_duration`: the storm with the
  Shadow Clone or full-clone warm-up), one pool at a time;
* RTO: the smallest recovery site (``u`` + headroom nodes) that recovers the
  persistent desktops within the target (:func:`.models.rto`);
* the minimum cluster for the replication factor (3 nodes for RF2, 5 for RF3).

Every limit is monotone in the node count, so each is found by integer
bisection, and "every node-dependent target holds at H nodes" is "H >= nodes
needed". The RPO does not depend on the node count: it is reported on its own,
with its probability and the bandwidth that meets it. The cache hit ratio
(:func:`.models.hit_ratio`, about a second per solve) is checked at the answer,
not searched: more nodes raise it only slowly (fewer desktops per node), and the
sentence for a missed target names the CVM memory that meets it.
"""

from __future__ import annotations

import math

import numpy as np

from ..replication import MODE_INTERVAL_S
from . import models
from .scenario import FIELDS, Scenario, Uncertain

__all__ = ["LIMITS", "Inputs", "Engine", "MIN_NODES"]

#: Node-dependent limits, in the order used to break ties for "which binds".
LIMITS = ("minimum", "cpu", "memory", "capacity", "read_latency", "boot_storm", "rto")
#: Smallest cluster per replication factor (Nutanix: 3 nodes for RF2, 5 for RF3).
MIN_NODES = {2: 3, 3: 5}
_HEADROOM = {"N+0": 0, "N+1": 1, "N+2": 2}
_COUNTS = {k for sec in FIELDS.values() for k, f in sec.items() if f.kind == "count"}


class Inputs:
    """Numeric inputs as arrays over D draws (nominal values where not drawn)."""

    def __init__(self, scenario: Scenario, drawn: dict | None = None, n: int = 1):
        self.scenario = scenario
        self.drawn = drawn or {}
        self.n = n

    def raw(self, path: str):
        return self.scenario.get(path)

    def num(self, path: str) -> np.ndarray:
        if path in self.drawn:
            return self.drawn[path]
        v = self.scenario.get(path)
        x = v.nominal if isinstance(v, Uncertain) else float(v)
        if path.rsplit(".", 1)[-1] in _COUNTS:
            x = float(math.floor(x + 0.5))
        return np.full(self.n, x)

    def nominal(self, path: str) -> float:
        return float(Inputs(self.scenario).num(path)[0])


def _rows(columns) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of stacked columns and the row of each draw."""
    keys = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    return uniq, np.asarray(inv).reshape(-1)


def _search(ok, n: int, lo: int, hi: int) -> np.ndarray:
    """Smallest integer u in [lo, hi] with ok(u) for each of n draws, else inf.

    ``ok(u, idx)`` returns a bool array for the draws ``idx``; it must be
    monotone (false then true) in u. Vectorized bisection: each step evaluates
    ``ok`` once per distinct midpoint.
    """
    out = np.full(n, np.inf)
    idx = np.arange(n)
    if hi < lo:
        return out
    good_hi = ok(hi, idx)
    idx = idx[good_hi]
    good_lo = ok(lo, idx)
    out[idx[good_lo]] = lo
    idx = idx[~good_lo]
    a = np.full(idx.size, lo)  # ok(a) false
    b = np.full(idx.size, hi)  # ok(b) true
    while np.any(b - a > 1):
        mid = (a + b) // 2
        active = b - a > 1
        for m in np.unique(mid[active]):
            sel = active & (mid == m)
            res = ok(int(m), idx[sel])
            a[sel] = np.where(res, a[sel], m)
            b[sel] = np.where(res, m, b[sel])
    out[idx] = b
    return out


class Engine:
    """Limits, metrics and sentences for one scenario; model calls memoized."""

    def __init__(self, scenario: Scenario, memo: dict | None = None, *, corners: bool = True):
        self.s = scenario
        self.memo = {} if memo is None else memo
        self.corners = bool(corners)
        self.floored = False
        self.headroom = _HEADROOM[scenario.cluster["headroom"]]
        self.rf = int(scenario.cluster["rf"])
        self.min_nodes = MIN_NODES[self.rf]
        self.max_nodes = int(scenario.cluster["max_nodes"])
        self.max_usable = self.max_nodes - self.headroom

    # ------------------------------------------------------------------ helpers
    def _call(self, key, fn):
        if key not in self.memo:
            self.memo[key] = fn()
        return self.memo[key]

    def pools(self, strategy: str):
        """(name, strategy used by this pool) for every pool."""
        for name, pool in self.s.pools.items():
            yield name, (strategy if strategy in pool["clone"] else pool["clone"][0])

    def protected(self, inp: Inputs) -> np.ndarray:
        total = np.zeros(inp.n)
        for name, pool in self.s.pools.items():
            if pool["persistent"]:
                total = total + inp.num(f"pools.{name}.count")
        return total

    def interval(self, inp: Inputs) -> np.ndarray:
        """Snapshot interval: given, or RPO/2 clipped to the mode's limits (s)."""
        mode = self.s.protection["mode"]
        if self.s.protection["interval"] is not None:
            return inp.num("protection.interval")
        lo, hi = MODE_INTERVAL_S[mode]
        return np.clip(inp.num("protection.rpo") / 2.0, lo, hi)

    # ------------------------------------------------------------------ closed-form limits
    def closed_raw(self, inp: Inputs, strategy: str) -> dict:
        """Usable nodes asked by CPU, memory and capacity before rounding up (arrays).

        Each is linear in every pool's count (used by :func:`largest_pool`).
        """
        cpu = mem = data = 0.0
        node = [inp.num(k) for k in ("node.cores", "node.cvm_vcpu", "cluster.consolidation",
                                     "node.memory", "node.cvm_memory")]
        for name, strat in self.pools(strategy):
            p = f"pools.{name}."
            n = inp.num(p + "count")
            per_cpu, per_mem = self.per_node(node + [inp.num(p + "vcpu"), inp.num(p + "memory")])
            with np.errstate(divide="ignore"):
                cpu = cpu + np.where(n > 0, n / per_cpu, 0.0)
                mem = mem + np.where(n > 0, n / per_mem, 0.0)
            images = 1.0 if strat == "full_clones" else 2.0
            data = data + images * inp.num(p + "image") + n * inp.num(p + "disk")
        raw = (inp.num("node.ssd") + inp.num("node.hdd")) * inp.num("cluster.fill")
        stored = self.rf * data * (1.0 + inp.num("cluster.growth"))
        with np.errstate(divide="ignore", invalid="ignore"):
            cap = np.where(stored == 0, 0.0, np.where(raw > 0, stored / np.where(
                raw > 0, raw, 1.0), np.inf))
        return {"cpu": cpu, "memory": mem, "capacity": cap}

    def per_node(self, columns) -> tuple[np.ndarray, np.ndarray]:
        """Desktops per node by CPU and by memory (:func:`.models.desktops_per_node`),
        one host per distinct row of (cores, CVM vCPUs, consolidation, memory, CVM
        memory, desktop vCPUs, desktop memory); arrays over draws (float, 0 when
        not even one desktop fits)."""
        uniq, inv = _rows(columns)
        out = np.empty((len(uniq), 2))
        for g, row in enumerate(uniq):
            row = tuple(float(x) for x in row)
            out[g] = self._call(("host", *row), lambda r=row: models.desktops_per_node(
                cores=r[0], cvm_vcpu=r[1], consolidation=r[2], memory_bytes=r[3],
                cvm_memory_bytes=r[4], vcpu=r[5], desktop_memory_bytes=r[6]))
        return out[inv, 0], out[inv, 1]

    def closed_limits(self, inp: Inputs, strategy: str) -> dict:
        """Usable nodes needed by CPU, memory and capacity (whole nodes, arrays)."""
        # a relative 1e-12 below a whole number is rounding, not a need for one more node
        return {k: np.ceil(v * (1 - 1e-12)) for k, v in self.closed_raw(inp, strategy).items()}

    # ------------------------------------------------------------------ model limits
    def latency_args(self, inp: Inputs, name: str):
        others = np.zeros(inp.n)
        for o in self.s.pools:
            if o != name:
                others = others + inp.num(f"pools.{o}.count") * inp.num(f"pools.{o}.login_iops")
        p = f"pools.{name}."
        return [inp.num(p + "count"), inp.num(p + "login_iops"),
                inp.num(p + "replica_read_fraction"), inp.num("node.cvm_iops"),
                inp.num("node.rtt"), inp.num("node.link"), others]

    def visits(self, u: int) -> float:
        """CVM visits per login-storm I/O on ``u`` nodes (:func:`.models.cvm_visits_per_io`)."""
        return self._call(("visits", self.rf, u), lambda: models.cvm_visits_per_io(self.rf, u))

    def p95(self, strat: str, u: int, row) -> float:
        n, iops, rrf, cvm, rtt, link, others = row
        # other pools' I/O (with its write legs) spread over the usable nodes
        cvm_eff = cvm - others * self.visits(u) / u if others else cvm

        def run():
            if cvm_eff <= 0:
                return math.inf
            return models.read_p95(strat, int(n), u, iops=iops, replica_read_fraction=rrf,
                                   cvm_iops=cvm_eff, rtt_s=rtt, link_bps=link, rf=self.rf)
        return self._call(("p95", strat, u, *row), run)

    def boot_args(self, inp: Inputs, name: str):
        p = f"pools.{name}."
        return [inp.num(p + "count"), inp.num(p + "boot_read"), inp.num(p + "image"),
                inp.num("node.cvm_iops"), inp.num("node.rtt"), inp.num("node.link")]

    def boot(self, strat: str, u: int, row) -> float:
        n, boot, image, cvm, rtt, link = row
        return self._call(("boot", strat, u, *row), lambda: models.boot_duration(
            strat, int(n), u, boot_read_bytes=boot, image_bytes=image, cvm_iops=cvm,
            rtt_s=rtt, link_bps=link, rf=self.rf))

    def cache_args(self, name: str) -> tuple:
        """Cache inputs at their nominal values (the cache model is not drawn)."""
        nom = Inputs(self.s)
        p = f"pools.{name}."
        return (nom.num(p + "count")[0], nom.num(p + "image")[0], nom.num(p + "private")[0],
                self.s.pools[name]["profile"], nom.num("node.cvm_memory")[0],
                self.s.cache["rule"], nom.num("cache.ssd")[0], self.s.cache["dedup"])

    def hit(self, u: int, args: tuple) -> float:
        n, image, private, profile, cvm_mem, rule, ssd, dedup = args
        per_node = int(math.ceil(n / u))
        return self._call(("hit", per_node, *args[1:]), lambda: models.hit_ratio(
            per_node, image_bytes=image, private_bytes=private, profile=profile,
            cvm_memory_bytes=cvm_mem, rule=rule, ssd_bytes=ssd, dedup=dedup))

    def rto_args(self, inp: Inputs):
        """Scalar inputs of the recovery (the first pool's boot read stands for every
        pool) and the phase times, which :func:`.models.rto` takes as arrays."""
        name = next(iter(self.s.pools))
        return ([self.protected(inp), inp.num("node.cvm_iops"), inp.num("node.rtt"),
                 inp.num("node.link"), inp.num(f"pools.{name}.boot_read"),
                 inp.num("protection.power_on_parallelism"),
                 inp.num("protection.desktops_per_pd")],
                [inp.num("protection.detection"), inp.num("protection.decision"),
                 inp.num("protection.activation")])

    def rto_total(self, strat: str, u: int, row, phases) -> np.ndarray:
        n, cvm, rtt, link, boot, par, per_pd = row
        key = ("rto", strat, u, *row, *(tuple(np.asarray(p).tolist()) for p in phases))
        return self._call(key, lambda: np.asarray(models.rto(
            int(n), u + self.headroom, strat, cvm_iops=cvm, rtt_s=rtt, link_bps=link,
            boot_read_bytes=boot, parallelism=int(par), desktops_per_pd=int(per_pd),
            detection_s=phases[0], decision_s=phases[1], activation_s=phases[2],
            rf=self.rf).total_s,
            dtype=float))

    def _settled(self, rows: np.ndarray, floors: np.ndarray, signs, test) -> np.ndarray:
        """Rows whose limit is at or below their floor, settled by one model call per
        group: the *corner* row.

        ``signs`` says, per column, how the limit moves with the input: +1 harder
        as it grows (more desktops, IOPS, bytes, round trip, phase times), -1
        easier (a faster CVM or link, a looser target), 0 not known (the corner
        then groups the rows by that column). If the corner (every +1 column at
        its largest, every -1 column at its smallest value in the group) passes
        the test on the group's smallest floor, every row of the group passes on
        its own floor (the models are monotone in these inputs and in the node
        count; ``corners=False`` on the engine turns this off, and the tests
        check that the answers are the same). Returns a bool mask over rows.
        """
        done = np.zeros(len(rows), bool)
        finite = np.isfinite(floors)
        if not self.corners or not finite.any():
            return done
        signs = np.asarray(signs)
        free = rows[:, signs == 0]
        keys, grp = np.unique(free[finite], axis=0, return_inverse=True)
        grp = np.asarray(grp).reshape(-1)
        idx = np.flatnonzero(finite)
        for g in range(len(keys)):
            members = idx[grp == g]
            sub = rows[members]
            corner = np.where(signs > 0, sub.max(axis=0), np.where(signs < 0, sub.min(axis=0),
                                                                   sub[0]))
            u = int(max(floors[members].min(), 1))
            if test(u, tuple(float(x) for x in corner)):
                done[members] = True
        return done

    def _grouped(self, columns, test, floor: np.ndarray, signs) -> np.ndarray:
        """Per draw: the smallest u >= floor (and >= 1) with test(u, row), else inf.

        Draws with the same inputs (and floor) share one search; with a floor, the
        rows settled by their corner (:meth:`_settled`) need no search.
        """
        uniq, inv = _rows([*columns, floor])
        out = np.empty(len(uniq))
        floors = uniq[:, -1]
        done = self._settled(uniq[:, :-1], floors, signs, test) if self.floored else \
            np.zeros(len(uniq), bool)
        out[done] = np.maximum(floors[done], 1)
        for g in np.flatnonzero(~done):
            row = tuple(float(x) for x in uniq[g])
            if not np.isfinite(row[-1]):
                out[g] = np.inf
                continue
            out[g] = _search(lambda u, idx: np.full(idx.size, test(u, row[:-1])), 1,
                             int(max(row[-1], 1)), self.max_usable)[0]
        return out[inv]

    #: How each limit moves with its inputs (see :meth:`_settled`), in the order of
    #: latency_args / boot_args / rto_args, the target last.
    _LAT_SIGNS = (1, 1, 0, -1, 1, -1, 1, -1)
    _BOOT_SIGNS = (0, 1, 0, -1, 1, -1, -1)
    _RTO_SIGNS = (0, -1, 1, -1, 1, 0, -1, 1, 1, 1, -1)

    def model_limits(self, inp: Inputs, strategy: str, floor=None) -> dict:
        """Usable nodes needed by latency, boot storm and RTO (arrays over draws).

        With ``floor`` (usable nodes already needed by other limits) a limit at or
        below the floor is reported as the floor: enough to know the nodes needed,
        and at most one model call per draw instead of a search.
        """
        self.floored = floor is not None
        zero = np.zeros(inp.n) if floor is None else np.asarray(floor, float)
        lat = boot = np.zeros(inp.n)
        lat_target = inp.num("targets.read_latency_p95")
        boot_target = inp.num("targets.boot_storm")
        for name, strat in self.pools(strategy):
            cols = self.latency_args(inp, name) + [lat_target]
            lat = np.maximum(lat, self._grouped(
                cols, lambda u, r, s=strat: self.p95(s, u, r[:-1]) <= r[-1],
                zero if floor is None else np.maximum(zero, lat), self._LAT_SIGNS))
        f2 = zero if floor is None else np.maximum(zero, lat)
        for name, strat in self.pools(strategy):
            cols = self.boot_args(inp, name) + [boot_target]
            boot = np.maximum(boot, self._grouped(
                cols, lambda u, r, s=strat: self.boot(s, u, r[:-1]) <= r[-1],
                f2 if floor is None else np.maximum(f2, boot), self._BOOT_SIGNS))
        f3 = zero if floor is None else np.maximum(f2, boot)
        return {"read_latency": lat, "boot_storm": boot,
                "rto": self.rto_limit(inp, strategy, f3)}

    def rto_limit(self, inp: Inputs, strategy: str, floor: np.ndarray) -> np.ndarray:
        if self.s.protection["mode"] == "none" or not np.any(self.protected(inp) > 0):
            return np.zeros(inp.n)
        strat = next(s for _, s in self.pools(strategy))
        cols, phases = self.rto_args(inp)
        target = inp.num("targets.rto")
        out = np.zeros(inp.n)
        todo = self.protected(inp) > 0
        if self.floored:
            # one corner per draw-free group: the phases and the target are per draw
            rows = np.column_stack([*cols, *phases, target])

            def test(u, r):
                return bool(self.rto_total(strat, u, r[:7], [np.array([x]) for x in r[7:10]])[0]
                            <= r[10])
            done = self._settled(rows, np.asarray(floor, float), self._RTO_SIGNS, test) & todo
            out[done] = np.maximum(np.asarray(floor, float)[done], 1)
            todo &= ~done
        uniq, inv = _rows([*cols, floor])
        for g, row in enumerate(uniq):
            row = tuple(float(x) for x in row)
            members = np.flatnonzero((inv == g) & todo)
            if not members.size:
                continue
            if not np.isfinite(row[-1]):
                out[members] = np.inf
                continue
            ph = [p[members] for p in phases]
            tg = target[members]

            def ok(u, idx, row=row[:-1], ph=ph, tg=tg):
                return self.rto_total(strat, u, row, ph)[idx] <= tg[idx]
            out[members] = _search(ok, members.size, int(max(row[-1], 1)), self.max_usable)
        return out

    # ------------------------------------------------------------------ RPO
    def rpo(self, inp: Inputs):
        """(AsyncRPO, least bandwidth in bit/s, PDs) as arrays over draws; (None, None, 0)
        when nothing is replicated.

        Every persistent desktop is replicated over the one WAN link; the change rate
        per desktop is the count-weighted steady IOPS of the persistent pools with the
        write mix of the first persistent pool's profile.
        """
        pr = self.s.protection
        n = self.protected(inp)
        if pr["mode"] == "none" or not np.any(n > 0):
            return None, None, np.zeros(inp.n)
        profile = next(p["profile"] for p in self.s.pools.values() if p["persistent"])
        iops = np.zeros(inp.n)  # count-weighted steady IOPS of the protected desktops
        for nm, pool in self.s.pools.items():
            if pool["persistent"]:
                iops = iops + inp.num(f"pools.{nm}.count") * inp.num(f"pools.{nm}.steady_iops")
        change = models.change_model(iops / n, profile)
        wan = models.link(inp.num("protection.wan"), inp.num("protection.efficiency"),
                          inp.num("protection.compression"), inp.num("protection.distance"))
        interval = self.interval(inp)
        res = models.rpo(interval, n, change, wan, pr["mode"])
        bw = np.broadcast_to(models.bandwidth(inp.num("protection.rpo"), interval, n, change,
                                              wan), (inp.n,))
        pds = np.ceil(n / inp.num("protection.desktops_per_pd"))
        return res, bw, pds

    def rpo_ok(self, inp: Inputs) -> np.ndarray:
        res, _, _ = self.rpo(inp)
        if res is None:
            return np.ones(inp.n, bool)
        worst = np.broadcast_to(res.worst_loss_s, (inp.n,))
        return np.asarray(worst <= inp.num("protection.rpo"))

    # ------------------------------------------------------------------ nodes
    def nodes(self, inp: Inputs, strategy: str, *, exact: bool = True) -> dict:
        """Total nodes each limit asks for (usable + headroom; arrays), and 'nodes'.

        ``exact=False`` (the Monte Carlo) searches the model limits only above
        the closed-form ones: the nodes needed are the same, the model limits
        below them are reported as equal to them.
        """
        closed = self.closed_limits(inp, strategy)
        floor = None
        if not exact:
            floor = np.maximum(np.max(np.stack(list(closed.values())), axis=0),
                               self.min_nodes - self.headroom)
            floor = np.where(floor > self.max_usable, np.inf, floor)
        lim = {**closed, **self.model_limits(inp, strategy, floor)}
        out = {"minimum": np.full(inp.n, float(self.min_nodes))}
        for k, v in lim.items():
            v = np.where(v > self.max_usable, np.inf, v)
            out[k] = v + self.headroom
        total = np.max(np.stack([out[k] for k in LIMITS]), axis=0)
        out["nodes"] = total
        return out


def fmt_bps(bps: float) -> str:
    if not math.isfinite(bps):
        return "unbounded"
    if bps >= 1e9:
        return f"{bps / 1e9:.2f} Gbit/s"
    return f"{bps / 1e6:.1f} Mbit/s"


def fmt_nodes(x: float) -> str:
    return "more than the maximum" if not math.isfinite(x) else f"{int(x)}"


__all__ += ["fmt_bps", "fmt_nodes"]
