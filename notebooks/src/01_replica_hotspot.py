# %% [markdown]
# # 01 — The replica hot spot of linked clones
#
# Horizon View Composer clones a parent VM once into a **replica** disk; every linked
# clone reads its operating-system blocks from that one replica. On an HCI cluster the
# replica's data lives on the node whose Controller VM (CVM) wrote it, so reads from
# desktops on every other node cross the network and queue at that one CVM.
#
# This notebook puts numbers on that story with `hcimodel.hotspot`:
#
# 1. the **steady state** (login storm) as an open network of M/M/1 CVM queues, checked
#    against its exact Monte Carlo twin;
# 2. the **knee**: the largest pool one replica can serve within a latency target;
# 3. the **boot storm** as a closed network solved by MVA, checked against an
#    event-by-event simulation in which every desktop boots and leaves.
#
# Three strategies are set side by side: linked clones with one replica, linked clones
# with **Shadow Clones** warmed up (each node serves replica reads locally), and
# **full clones** made by native (VAAI) cloning, which share their parent's extents
# until they write them and warm up once, from the parent's RF replica nodes (section 4).
# The largest pool is then the smallest of this storage limit and the host's own CPU and
# memory limits (section 4).

# %%
import numpy as np
import polars as pl

from hcimodel import hotspot
from hcimodel.cluster import Cluster
from hcimodel.figures import hotspot as hotspot_figures
from hcimodel.units import GiB
from hcimodel.workload import PROFILES

pl.Config.set_tbl_rows(20)
cluster = Cluster()
login = PROFILES["login"]
print(f"cluster: {cluster.n_nodes} nodes, {cluster.cvm_iops:,.0f} IOPS per CVM, "
      f"RTT {cluster.rtt_s * 1e3:.1f} ms, link {cluster.link_bps / 1e9:.0f} Gbit/s")
print(f"login storm: {login.iops} IOPS per desktop, {login.read_fraction:.0%} reads of "
      f"{login.read_size_bytes / 1e3:.0f} kB, {login.replica_read_fraction:.0%} of reads to the replica")
print(f"source: {login.source}")

# %% [markdown]
# ## 1. Steady state: where the load lands
#
# With N desktops spread evenly, CVM j receives `λ_j = (N/H) · iops · Σ_i P[i, j]`, where
# `P[i, j]` is the share of a node-i desktop's I/Os served by CVM j. Under linked clones
# the replica's CVM takes every replica read of the pool.

# %%
rows = []
for strategy in hotspot.STRATEGIES:
    res = hotspot.steady_state(2400, login, strategy, cluster)
    rows.append({"strategy": strategy,
                 "replica CVM util": round(float(res.cvm_utilization[0, 0]), 3),
                 "other CVM util": round(float(res.cvm_utilization[0, 1]), 3),
                 "mean ms (other nodes)": round(1e3 * float(res.read_latency["other_nodes"]["mean"][0]), 3),
                 "p99 ms (other nodes)": round(1e3 * float(res.read_latency["other_nodes"]["p99"][0]), 3)})
pl.DataFrame(rows).sort("strategy")

# %% [markdown]
# The closed form gives the read latency of a desktop as a mixture of shifted
# exponentials (a replica read pays the network delay plus the replica CVM's response;
# a delta read pays its own CVM's response). The Monte Carlo twin simulates every CVM by
# the Lindley recursion with tagged arrivals. The table sets the two side by side; the
# test suite (`tests/test_notebook_claims.py`) holds them within 3 % for means and p95,
# 5 % for p99.

# %%
cf = hotspot.steady_state(2400, login, "linked_clones", cluster)
mc = hotspot.simulate_steady_state(2400, login, "linked_clones", cluster, rng=2015)
rows = []
for row in mc.to_frame().iter_rows(named=True):
    expected = float(cf.read_latency[row["group"]][row["statistic"]][0])
    rows.append({"desktops on": row["group"].replace("_", " "), "statistic": row["statistic"],
                 "closed form (ms)": round(expected * 1e3, 3),
                 "Monte Carlo (ms)": round(row["latency_s"] * 1e3, 3),
                 "95 % CI (ms)": f"{row['ci_low'] * 1e3:.3f} to {row['ci_high'] * 1e3:.3f}",
                 "difference": f"{row['latency_s'] / expected - 1:+.2%}"})
pl.DataFrame(rows)

# %% [markdown]
# ## 2. The knee of the hot spot
#
# Latency stays flat while the replica CVM has headroom, then climbs steeply as its
# utilization nears 1. Shadow Clones and full clones spread the replica reads over all
# CVMs, so their curves (identical in the steady state) stay low. Lines are closed form,
# points Monte Carlo with 95 % confidence intervals.

# %%
lat = hotspot_figures.hotspot_latency_data(login.name, cluster, mc_points=(1600, 3000))
fig = hotspot_figures.draw_hotspot_latency(lat)

# %%
for strategy in hotspot.STRATEGIES:
    for target_ms in (1.0, 2.0, 5.0):
        n = hotspot.max_pool_size(target_ms * 1e-3, login, strategy, cluster, host=None)
        print(f"{strategy:<14} p95 within {target_ms:.0f} ms: up to {n:,} desktops")

# %%
util = hotspot_figures.hotspot_utilization_data(login.name, mc_points=(1600, 3400))
fig = hotspot_figures.draw_hotspot_utilization(util)

# %% [markdown]
# How many nodes does it take? With linked clones the knee barely moves when nodes are
# added: the replica's CVM still serves every replica read of the pool, so no cluster
# size lets a single replica serve more than `cvm_iops / (iops * replica share)`
# desktops. With Shadow Clones the knee grows in proportion to H.

# %%
for n_nodes in (2, 4, 8, 16):
    c = Cluster(n_nodes=n_nodes)
    linked = hotspot.max_pool_size(2e-3, login, "linked_clones", c, host=None)
    shadow = hotspot.max_pool_size(2e-3, login, "shadow_clones", c, host=None)
    print(f"{n_nodes:>2} nodes: linked clones {linked:>6,}  shadow clones {shadow:>6,} desktops")
bound = cluster.cvm_iops / login.replica_read_iops
print(f"bound for one replica, any cluster size: {bound:,.0f} desktops")

# %% [markdown]
# ## 3. The boot storm
#
# A boot is read-heavy (the `boot` profile: about 188 IOPS per desktop, 84 % reads of
# 19 kB, 420 MB read per boot). Booting N desktops at once is a **closed** network: each
# desktop thinks, issues one I/O, waits for it, and stops when its boot I/Os are done.
# The closed form is Schweitzer's multiclass MVA (one class per node), piecewise
# stationary as classes finish; the twin simulates it event by event. Here each desktop
# reads 42 MB (a tenth of a boot) to keep the notebook quick; the whitepaper figure uses
# the full 420 MB. The table compares them; the tests hold the mean completion time within
# 3 % and the storm's duration within 6 % (one run per point).

# %%
boot = hotspot_figures.boot_storm_data(n_max=400, mc_points=(40, 240), boot_read_bytes=42e6)
check = boot.filter(pl.col("source") == "monte carlo").sort(["strategy", "metric", "n_desktops"])
rows = []
for row in check.iter_rows(named=True):
    closed = hotspot.boot_storm(row["n_desktops"], strategy=row["strategy"], boot_read_bytes=42e6)
    expected = float(getattr(closed, row["metric"])[0])
    rows.append({"strategy": row["strategy"], "desktops": row["n_desktops"],
                 "quantity": row["metric"].replace("_s", "").replace("_", " ") + " (s)",
                 "MVA": round(expected, 2), "Monte Carlo": round(row["value"], 2),
                 "difference": f"{row['value'] / expected - 1:+.2%}"})
pl.DataFrame(rows)

# %%
fig = hotspot_figures.draw_boot_storm(boot)

# %% [markdown]
# ## 4. The read path, RF writes and node density
#
# The model above now follows the published read and write paths (Nutanix Bible,
# "AOS Storage"):
#
# * **reads**: a hit in the serving node's cache (memory, then SSD) is served there;
#   a miss goes to the extent store, on the SSD hot tier or the HDD cold tier. Private
#   data is local (data locality). Shared data goes to the replica's owner CVM under
#   linked clones; with Shadow Clones and VAAI full clones a node serves what it has
#   cached and sends misses to the nodes holding the extent's RF replicas (local with
#   probability about RF/H);
# * **writes** go to the local oplog and to RF − 1 remote oplogs (RF2 by default): load
#   on other CVMs, a network leg, link traffic;
# * **CVM capacity** is a per-node figure (25,000 IOPS assumed for an NX-3000/3050-class
#   hybrid node), not the per-SSD 20,000 IOPS of the View 5.2 guide;
# * **the largest pool** is the smallest of the storage limit and the host's CPU and
#   memory limits (NX-3000: 16 cores, up to 256 GB per node, "up to 400 VMs" per block).
#
# Where a login-storm read of a desktop on another node is served (warmed up unless
# noted); `cached_share = 0` is the first read of every block after cloning:

# %%
import dataclasses

pl.Config.set_fmt_str_lengths(90)
pl.Config.set_tbl_width_chars(160)

def where_served(strategy, cached_share=1.0, node=3):
    comps = hotspot.read_components(login, strategy, cluster, node, cached_share)
    local = sum(w for w, j, _ in comps if j == node)
    remote = {j: sum(w for w, k, _ in comps if k == j) for j in range(cluster.n_nodes) if j != node}
    mean_extra = sum(w * s for w, _, s in comps)
    return {"strategy": strategy, "cached_share": cached_share, "local": round(local, 3),
            "remote, per node": " / ".join(f"{remote[j]:.3f}" for j in sorted(remote)),
            "mean network + device ms": round(1e3 * mean_extra, 3)}


pl.DataFrame([where_served("linked_clones"), where_served("shadow_clones"),
              where_served("shadow_clones", 0.0), where_served("full_clones"),
              where_served("full_clones", 0.0)])

# %% [markdown]
# Before warm-up, Shadow Clones read every shared block through the owner CVM (one node,
# like linked clones), while VAAI full clones read it from the parent's RF replica nodes
# (node 0 holds every extent, the other copy sits on any other node): the warm-up of full
# clones spreads the remote reads and needs no detection. Once warmed up the two are the same. How the remote-read share
# falls as the nodes cache the base (login storm, 1,200 desktops):

# %%
rows = []
for share in (0.0, 0.25, 0.5, 0.75, 1.0):
    for strategy in ("shadow_clones", "full_clones"):
        res = hotspot.steady_state(1200, login, strategy, cluster, cached_share=share)
        rows.append({"cached share": share, "strategy": strategy,
                     "busiest CVM util": round(float(res.max_utilization[0]), 3),
                     "p95 ms (other nodes)": round(1e3 * float(res.read_latency["other_nodes"]["p95"][0]), 3)})
pl.DataFrame(rows).sort(["cached share", "strategy"])

# %% [markdown]
# ### Sensitivity to the replica share of login-storm reads
#
# The Dell View 4.5 study's "about 90 %" is the share of array I/O served by SSD, not the
# share of reads that go to the replica (it only says "most" do). The replica share is
# therefore an assumption (0.9 by default). The storage limit of one replica (2 ms p95,
# 4 nodes, host limits left out):

# %%
rows = []
for share in (0.5, 0.7, 0.8, 0.9, 0.95, 1.0):
    prof = dataclasses.replace(login, replica_read_fraction=share)
    rows.append({"replica share": share,
                 "linked clones": int(hotspot.max_pool_size(2e-3, prof, "linked_clones", cluster, host=None)),
                 "shadow clones": int(hotspot.max_pool_size(2e-3, prof, "shadow_clones", cluster, host=None))})
pl.DataFrame(rows)

# %% [markdown]
# ### Sensitivity to the CVM's capacity
#
# No per-node IOPS figure for a mixed VDI load of the 2012–14 nodes is published: one
# SSD's "typically 20,000 IOPS" (View 5.2) bounds it below, a cache-resident 4 KB
# read demonstration of about 120,000 IOPS per NX-3450 node (2014) above. The storage
# limit scales with it (2 ms p95, 4 nodes) until, for linked clones near 8,900 desktops,
# the replica node's 10 GbE link saturates (it sends every remote replica read):

# %%
rows = []
for iops in (10_000, 20_000, 25_000, 40_000, 80_000):
    c = dataclasses.replace(cluster, cvm_iops=float(iops))
    rows.append({"cvm_iops": iops,
                 "linked clones": int(hotspot.max_pool_size(2e-3, login, "linked_clones", c, host=None)),
                 "shadow clones": int(hotspot.max_pool_size(2e-3, login, "shadow_clones", c, host=None))})
pl.DataFrame(rows)

# %% [markdown]
# ### RF writes
#
# Half of a login storm's I/Os are writes; each lands on the local CVM and on RF − 1
# others. How much the largest pool per replica moves with RF (2 ms p95, storage limit),
# and what a write costs at 800 desktops:

# %%
rows = []
for rf in (1, 2, 3):
    c = dataclasses.replace(cluster, replication_factor=rf)
    res = hotspot.steady_state(800, login, "linked_clones", c)
    rows.append({"RF": rf,
                 "linked clones": int(hotspot.max_pool_size(2e-3, login, "linked_clones", c, host=None)),
                 "shadow clones": int(hotspot.max_pool_size(2e-3, login, "shadow_clones", c, host=None)),
                 "replica CVM util @800": round(float(res.cvm_utilization[0, 0]), 3),
                 "write mean ms @800": round(1e3 * float(res.write_latency["other_nodes"]["mean"][0]), 3),
                 "write p99 ms @800": round(1e3 * float(res.write_latency["other_nodes"]["p99"][0]), 3),
                 "max link util @800": round(float(res.link_utilization[0].max()), 4)})
pl.DataFrame(rows)

# %% [markdown]
# ### Node density: which limit binds
#
# CPU: cores × vCPU:pCPU ratio / desktop vCPUs (Horizon View 5.2: "8 to 10 virtual
# desktops per CPU core"); memory: host memory less the CVM's 24 GiB, over the desktop's
# memory. On the default NX-3000-class node (16 cores, 256 GiB, 1 vCPU / 2 GiB desktops)
# memory binds at 116 desktops per node — close to the block's published "up to 400 VMs"
# (about 100 per node) — long before storage:

# %%
pools = {s: hotspot.max_pool_size(2e-3, login, s, cluster) for s in hotspot.STRATEGIES}
for strategy, n in pools.items():
    print(f"{strategy:<14} largest pool {int(n):>5,} ({n.binding} binds): storage {n.storage:,}, "
          f"CPU {n.cpu:,}, memory {n.memory:,}")
rows = []
storage = pools["linked_clones"].storage
for label, host in [("128 GB node", hotspot.Host(memory_bytes=128 * GiB)),
                    ("256 GB node (default)", hotspot.Host()),
                    ("1.5 GB desktops", hotspot.Host(desktop_memory_bytes=1.5 * GiB)),
                    ("1.5 GB, 10 vCPU/core", hotspot.Host(vcpus_per_core=10, desktop_memory_bytes=1.5 * GiB)),
                    ("2 vCPU / 4 GB desktops", hotspot.Host(desktop_vcpus=2, desktop_memory_bytes=4 * GiB))]:
    n = hotspot.PoolSize(storage, cluster.n_nodes * host.cpu_desktops_per_node,
                         cluster.n_nodes * host.memory_desktops_per_node)
    rows.append({"host": label, "CPU per node": host.cpu_desktops_per_node,
                 "memory per node": host.memory_desktops_per_node,
                 "largest pool, linked clones": int(n), "binds": n.binding})
pl.DataFrame(rows)

# %% [markdown]
# ### What changed, and why
#
# Headline numbers before and after the read path, RF writes, the per-node CVM figure
# and the host limits (login storm, 4 nodes, 2 ms p95; boot storm with the full 420 MB):

# %%
was = {"max pool, linked clones": "2,977", "max pool, shadow clones": "7,048",
       "max pool, full clones": "7,048",
       "boot 100 desktops, linked clones (s)": "149.1", "boot 400 desktops, linked clones (s)": "435.9",
       "boot 100 desktops, shadow/full (s)": "142.6", "boot 400 desktops, shadow/full (s)": "151.7",
       "bytes written per boot (MB)": "80", "peak-hour write rate, task worker (B/s)": "68,960"}
why = {"max pool, linked clones": "host memory binds (116 per node); storage alone allows more",
       "max pool, shadow clones": "host memory binds; RF2 write legs lower the storage limit",
       "max pool, full clones": "as Shadow Clones once warmed up",
       "boot 100 desktops, linked clones (s)": "device times and RF2 write legs; 25,000 IOPS CVM",
       "boot 400 desktops, linked clones (s)": "25,000 IOPS CVM; replica CVM still the bottleneck",
       "boot 100 desktops, shadow/full (s)": "device times and RF2 write legs",
       "boot 400 desktops, shadow/full (s)": "device times and RF2 write legs",
       "bytes written per boot (MB)": "24 MB (hIOmon), was 16 % of 26,316 I/Os x 19 kB",
       "peak-hour write rate, task worker (B/s)": "3.5 IOPS is the office-hours rate, not the daily mean"}
b_linked = hotspot.boot_storm([100, 400], "boot", "linked_clones", cluster).duration_s
b_shadow = hotspot.boot_storm([100, 400], "boot", "shadow_clones", cluster).duration_s
from hcimodel import workload as wl
from hcimodel.replication import ChangeModel
boot_p = wl.PROFILES["boot"]
written = wl.BOOT_READ_BYTES / (boot_p.read_size_bytes * boot_p.read_fraction) * (1 - boot_p.read_fraction) * boot_p.write_size_bytes
cm = ChangeModel()
now = {"max pool, linked clones": f"{int(pools['linked_clones']):,} (storage {pools['linked_clones'].storage:,})",
       "max pool, shadow clones": f"{int(pools['shadow_clones']):,} (storage {pools['shadow_clones'].storage:,})",
       "max pool, full clones": f"{int(pools['full_clones']):,} (storage {pools['full_clones'].storage:,})",
       "boot 100 desktops, linked clones (s)": f"{b_linked[0]:.1f}",
       "boot 400 desktops, linked clones (s)": f"{b_linked[1]:.1f}",
       "boot 100 desktops, shadow/full (s)": f"{b_shadow[0]:.1f}",
       "boot 400 desktops, shadow/full (s)": f"{b_shadow[1]:.1f}",
       "bytes written per boot (MB)": f"{written / 1e6:.0f}",
       "peak-hour write rate, task worker (B/s)": f"{cm.write_bytes_per_s * cm.peak_factor:,.0f}"}
pl.DataFrame({"number": list(was), "was": list(was.values()), "now": [now[k] for k in was],
              "why": [why[k] for k in was]})

# %% [markdown]
# ## What the numbers say
#
# * In a login storm a single replica CVM serves about 3,100 desktops on a 4-node
#   cluster within 2 ms p95 (storage limit); more nodes move that knee little (4,283 on
#   16 nodes), towards the bound of about 5,300 set by the replica CVM alone. Shadow
#   Clones and warmed full clones spread the load and grow with the cluster (5,975 on 4
#   nodes, 22,901 on 16).
# * The storage limit is not what binds a 2015 node: host memory allows 116 task workers
#   per node (464 on 4 nodes), close to the published "up to 400 VMs" per block, for
#   every strategy. The hot spot matters for the latency of a pool that fits, and for
#   denser hosts.
# * In a boot storm the replica CVM saturates near 160 desktops booted at once; beyond
#   that, boot time grows linearly with N (the replica CVM is the bottleneck) while
#   Shadow Clones and full clones keep it nearly flat.
# * RF2 write legs lower the one-replica limit by about a sixth (3,759 with RF1, 3,100
#   with RF2);
#   the replica share of reads (an assumption) moves it between 2,940 and 3,965.
# * Warmed Shadow Clones and full clones behave the same in steady state. They differ
#   while cold: before detection Shadow Clones read every shared block through the
#   owner CVM, while full clones read from the parent's RF replica nodes and need no
#   detection; and a recompose drops the shadow clones, while a patch leaves the full
#   clones' caches in place (notebooks 02 and 06).
#
# **Limits.** The CVM is one M/M/1 server with an assumed per-node capacity (25,000
# IOPS; the sensitivity above), every desktop runs the same profile, and the boot storm
# checked against its twin in section 3 reads a tenth of a real boot (the table of what
# changed uses the full 420 MB).
