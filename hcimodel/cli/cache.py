"""``hcimodel cache``: Content Cache hit ratios and read latency, with and without dedup."""

from __future__ import annotations

from ._base import count, emit, fmt_count, size

OPTIONS = {"n_desktops": "--desktops", "cvm_memory_bytes": "--cvm-memory",
           "ssd_bytes": "--ssd", "base_blocks": "--base-image",
           "private_blocks": "--private"}


def add_parser(sub):
    p = sub.add_parser(
        "cache", help="Content Cache with and without dedup",
        description="Share of reads served from CVM memory, from SSD and missed, and the "
                    "mean read latency, for one pool of clones with de-duplication off "
                    "and on.")
    p.add_argument("--desktops", type=count(1, 10_000), default=100, metavar="N",
                   help="clones in the pool")
    p.add_argument("--clone-type", choices=("linked", "full"), default="full",
                   help="linked clones share one replica; full clones are copies")
    p.add_argument("--cvm-memory", type=size("24 GiB", low="1 MiB", high="4 TiB"), default="24 GiB",
                   metavar="SIZE",
                   help="memory of the CVM")
    p.add_argument("--rule", choices=("nos35", "unified"), default="nos35",
                   help="cache-sizing rule: NOS 3.5 (Content Cache and Extent Cache) or the "
                        "later Unified Cache")
    p.add_argument("--ssd", type=size("16 GiB", allow_zero=True, high="64 TiB"), default="0 B",
                   metavar="SIZE",
                   help="SSD given to the multi-touch pool")
    p.add_argument("--base-image", type=size("10 GiB", high="64 GiB"), default="10 GiB",
                   metavar="SIZE",
                   help="read part of the base (replica) image, the used part of a typical "
                        "25-40 GB replica")
    p.add_argument("--private", type=size("1 GiB", allow_zero=True, high="64 GiB"),
                   default="1 GiB", metavar="SIZE",
                   help="private data each desktop reads (profile, page file, own data); "
                        "an assumption, not a measurement; 0 sends every read to the base "
                        "image")
    return p


def run(args) -> int:
    import math

    from .. import contentcache, units
    from ..clonepool import ClonePool

    block = ClonePool.block_bytes
    # whole 4 KiB cache blocks, a partial block counting as one
    base_blocks, private_blocks = (math.ceil(b / block) for b in (args.base_image, args.private))
    # without private data every read goes to the base image
    extra = {} if private_blocks else {"shared_read_fraction": 1.0}
    pool = ClonePool(n_desktops=args.desktops, clone_type=args.clone_type,
                     base_blocks=base_blocks, private_blocks=private_blocks, **extra)
    rows = []
    for dedup in (False, True):
        m = contentcache.content_cache_model(pool, args.cvm_memory, rule=args.rule,
                                             ssd_bytes=args.ssd, dedup=dedup)
        h = m.hits
        rows.append({
            "n_desktops": args.desktops, "clone_type": args.clone_type, "rule": args.rule,
            "base_image_bytes": base_blocks * block, "private_bytes": private_blocks * block,
            "cvm_memory_bytes": args.cvm_memory, "ssd_bytes": float(m.ssd_bytes),
            "dedup": dedup, "cache": m.cache,
            "memory_hit_ratio": float(h.memory_hit_ratio), "ssd_hit_ratio": float(h.ssd_hit_ratio),
            "miss_ratio": float(h.miss_ratio),
            "mean_read_latency_s": float(m.mean_read_latency_s),
        })

    def text():
        yield (f"{fmt_count(args.desktops)} {args.clone_type} clones of a "
               f"{units.format_bytes(base_blocks * block)} base image, "
               f"{units.format_bytes(private_blocks * block)} private each")
        yield (f"CVM memory {units.format_bytes(args.cvm_memory)}, rule {args.rule}, "
               f"SSD {units.format_bytes(args.ssd)}")
        yield f"{'dedup':<7}{'cache':<9}{'memory hit':>11}{'SSD hit':>9}{'miss':>8}{'latency':>11}"
        for r in rows:
            yield (f"{'on' if r['dedup'] else 'off':<7}{r['cache']:<9}"
                   f"{r['memory_hit_ratio']:>11.3f}{r['ssd_hit_ratio']:>9.3f}"
                   f"{r['miss_ratio']:>8.3f}"
                   f"{units.format_duration(r['mean_read_latency_s']):>11}")

    emit(args, rows, text)
    return 0
