"""Published VDI-on-HCI densities beside the package's answer (plausibility).

Each entry is a published desktops-per-node figure with its source, and the
scenario that asks the package the same question. Where a source does not
state an input, the scenario names the assumption:

1. NX-3000 block (Nutanix, 2012-13; REFERENCES.md, "Nutanix storage"): 4 nodes
   in 2U, "up to 400 VMs" per block, about 100 per node; host CPU and memory,
   not storage, usually bind. Cores and memory are not in the source: the
   scenario takes :class:`hcimodel.hotspot.Host`'s defaults (2 x 8 cores,
   256 GiB, a 24 GiB CVM) and task workers with 1 vCPU and 2 GiB.
2. Nutanix G9 with Citrix Virtual Apps and Desktops (Nutanix reference
   architecture summarised by Login VSI, July 2024,
   https://www.loginvsi.com/resources/reference-architecture/nutanix-g9-and-citrix-virtual-apps-and-desktops-windows-desktops/):
   130 knowledge-worker sessions per node, bound by host CPU "rather than any
   I/O". The node is not stated, so the scenario makes CPU and memory ample
   and asks what the storage limits alone allow: at least 130 per node if the
   published binding limit holds.

``tests/test_sizing_plausibility.py`` asserts both, with the published numbers
pasted in; notebook 05 (section 6) shows :func:`plausibility`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PublishedSizing", "PUBLISHED", "NX3000_SCENARIO", "STORAGE_ONLY_SCENARIO",
           "limits_above", "plausibility"]

#: The NX-3000 question: 400 task workers on one 4-node block.
NX3000_SCENARIO = """
[pools.vms]
count = 400
profile = "task"
vcpu = 1
memory = "2 GiB"
clone = ["shadow_clones", "full_clones"]
[node]
cores = 16
memory = "256 GiB"
cvm_memory = "24 GiB"
ssd = "700 GB"
hdd = "5 TB"
[cluster]
headroom = "N+0"
consolidation = 8
"""

#: The storage limits alone: CPU and memory made ample; ``{count}`` knowledge
#: workers, ``{clone}`` a TOML list of strategies.
STORAGE_ONLY_SCENARIO = """
[pools.kw]
count = {count}
profile = "knowledge"
vcpu = 1
memory = "1 GiB"
disk = "1 GiB"
clone = {clone}
[node]
cores = 512
memory = "4096 GiB"
[cluster]
headroom = "N+0"
[targets]
read_latency_p95 = "2 ms"
boot_storm = "15 min"
"""


@dataclass(frozen=True)
class PublishedSizing:
    """One published density: where from, on what, and what binds there."""

    name: str
    source: str
    node: str
    profile: str
    per_node: float
    binding: str


PUBLISHED = (
    PublishedSizing("NX-3000 block, 'up to 400 VMs'", "REFERENCES.md, Nutanix storage",
                    "NX-3000: 16 cores*, 256 GiB*, 24 GiB CVM* (* assumed)", "task", 100.0,
                    "host CPU and memory"),
    PublishedSizing("Nutanix G9 + Citrix, Login Enterprise (2024)",
                    "https://www.loginvsi.com/resources/reference-architecture/"
                    "nutanix-g9-and-citrix-virtual-apps-and-desktops-windows-desktops/",
                    "not stated; the storage limits alone", "knowledge", 130.0, "host CPU"),
)


def limits_above(scenario, strategy: str, nodes: int) -> list[str]:
    """The limits of :data:`hcimodel.sizing.LIMITS` that ask for more than ``nodes`` nodes."""
    from .core import LIMITS, Engine, Inputs

    lim = Engine(scenario).nodes(Inputs(scenario), strategy)
    return [k for k in LIMITS if lim[k][0] > nodes]


def plausibility(strategies=("shadow_clones", "full_clones")):
    """Each published density beside the package's answer on a 4-node block.

    Returns
    -------
    polars.DataFrame
        published sizing, node, profile, clones, published_per_node,
        package_per_node, binds (the limits one more desktop would break),
        ratio (package / published).
    """
    import polars as pl

    from .api import largest_pool
    from .core import Engine
    from .scenario import loads

    nx, g9 = PUBLISHED
    clone = "[" + ", ".join(f'"{s}"' for s in strategies) + "]"
    cases = ((nx, loads(NX3000_SCENARIO), "pools.vms.count"),
             (g9, loads(STORAGE_ONLY_SCENARIO.format(count=520, clone=clone)), "pools.kw.count"))
    rows = []
    for pub, sc, count in cases:
        for strategy in strategies:
            per_block = largest_pool(Engine(sc), strategy, [4])[4]
            rows.append({"published sizing": pub.name, "node": pub.node, "profile": pub.profile,
                         "clones": strategy, "published_per_node": pub.per_node,
                         "package_per_node": per_block / 4,
                         "binds": ", ".join(limits_above(sc.replace(count, per_block + 1),
                                                         strategy, 4))})
    return pl.DataFrame(rows).with_columns(
        (pl.col("package_per_node") / pl.col("published_per_node")).round(2).alias("ratio"))
