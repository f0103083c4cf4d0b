r"""How much a de-duplicated read cache buys a pool of clones.

From a desktop pool (:class:`hcimodel.clonepool.ClonePool`), the CVM memory, the
SSD given to the cache, de-duplication on or off and the clone type, this module
gives the share of reads served from memory, from SSD and missed, the effective
(logical) capacity of the cache, the mean read latency, and the cache needed
for a target hit ratio. Host-RAM caching by VMware's View Storage Accelerator
is set beside it.

The cache
---------
The read caches of the CVM (``shared/DESIGN.md``):

* **Content Cache** (2015): a single-touch memory pool, then a multi-touch pool
  of a memory part and an SSD part, keyed by content fingerprint. Its hit
  ratios are :func:`hcimodel.contentcache.content_cache` on the per-content rates of
  :func:`hcimodel.clonepool.item_rates` (:func:`content_cache_hits`); its
  Monte Carlo twin (:func:`simulate_content_cache_hits`) replays
  :func:`hcimodel.clonepool.clone_pool_stream` through the two-tier segmented
  LRU of :func:`hcimodel.simulate.segmented_lru_replay` (single-touch pool =
  probationary segment, multi-touch pool = protected segment, memory then
  SSD). Both return :class:`CacheHits`.
* **Extent Cache**: memory-only LRU of non-fingerprinted extents, keyed by
  location (:func:`hcimodel.contentcache.extent_cache`).
* **Unified Cache** (later releases): one cache of the Content Cache's
  structure for all data; keyed by content where the container has dedup, by
  location otherwise.

Which cache serves the pool (:func:`content_cache_model`): with the
``"nos35"`` sizing rule, a container with dedup reads through the Content
Cache and one without through the Extent Cache; with the ``"unified"`` rule,
the Unified Cache serves both, keyed by content or by location.

Sizing rules (:func:`cache_sizing`, itbloodpressure.com 2014 and the Nutanix
Bible; "GB" of CVM memory taken as GiB):

* NOS 3.5: Stargate memory = CVM memory − 8 GiB; cache = 40 % of it; Extent
  Cache = 60 % of the cache but at least 4 GiB where the cache allows; Content
  Cache = the rest if at least 1 GiB, else off (its share then goes to the
  Extent Cache, an assumption). 24 GiB → 6.4 GiB → 4 GiB + 2.4 GiB.
* Unified Cache: (CVM memory − 12 GiB) × 0.45. 32 GiB → 9 GiB.

Assumptions (not published; change them with the parameters):

* the single-touch pool takes ``single_touch_fraction = 0.25`` of the cache
  memory, the multi-touch memory part the rest;
* tier latencies (:class:`TierLatencies`): memory 10 µs, SSD 0.15 ms, a miss
  read from the extent store (its SSD hot tier 95 % of the time, else HDD at
  7.5 ms: 0.52 ms on average); typical orders of magnitude, not measurements.

Every solve runs on the grouped rates of :class:`hcimodel.clonepool.ItemRates`
(a rate, its number of keys), never on per-key arrays: N full clones without
dedup cost what one does. A realistic image (10 GiB base, 1 GiB private per
desktop, 100 or 1,000 desktops) solves in a fraction of a second in about 300 MB.

What dedup merges depends on the pool's granularity
(:attr:`hcimodel.clonepool.ClonePool.unshare`): by default a write unshares
only the 4 KiB blocks written (Nutanix Bible), ``unshare='chunk'`` the whole
16 KiB fingerprint chunk. For the 20 full clones of notebook 03 (20 % of base
blocks written) dedup cuts the memory for 80 % hits 8.2-fold with ``'block'``
(192.7 → 23.4 MiB) and 2.0-fold with ``'chunk'`` (→ 94.1 MiB).

All capacities are in bytes at the edges and in cache blocks
(``pool.block_bytes``, 4 KiB) inside. Hit ratios hold under the independent
reference model (IRM) in the steady state.

References
----------
Nutanix Bible, "AOS Storage" (Content Cache, Extent Cache, Unified Cache);
itbloodpressure.com (2014), NOS 3.5 cache sizing; VMware View 5.x Storage
Accelerator (CBRC) documentation. See ``shared/REFERENCES.md``.

Submodules
----------
:mod:`.policy`  the cache policies: :func:`content_cache`, :func:`extent_cache`;
:mod:`.sizing`  the memory rules (:func:`cache_sizing`) and :class:`TierLatencies`;
:mod:`.model`   a pool in the caches, the domain model, the inverse, VSA;
:mod:`.simulate` the Monte Carlo twin, :func:`simulate_content_cache_hits`.
"""

from .model import *  # noqa: F401,F403
from .model import __all__ as _model_all
from .policy import *  # noqa: F401,F403
from .policy import __all__ as _policy_all
from .sizing import *  # noqa: F401,F403
from .sizing import __all__ as _sizing_all
from .simulate import simulate_content_cache_hits  # noqa: F401

__all__ = [*_policy_all, *_sizing_all, *_model_all, "simulate_content_cache_hits"]
