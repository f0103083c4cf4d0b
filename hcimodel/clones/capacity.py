"""Raw capacity over the pool's life (:func:`capacity_timeline`) and the
durations of image updates and refreshes (:func:`operations`)."""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import fullclone as fc
from ..units import DAY_S
from ..validation import check_integer
from .life import PoolLife, _life

__all__ = ["capacity_timeline", "operations"]


# ------------------------------------------------------------------ capacity

def capacity_timeline(life: PoolLife | None = None, n_points: int = 241,
                      **overrides) -> pl.DataFrame:
    r"""Raw capacity (RF copies) over the pool's life, each strategy (bytes).

    ``linked_shadow``: ``RF (used + N g (t mod refresh or update))`` -- one
    replica, delta disks growing by ``g`` per day and reset by the next refresh
    or recompose -- plus a second replica (``RF used``) during each recompose
    (drawn at the update instants, the peak).
    ``full_vaai``: ``RF (used + N (g t + private_k))`` with ``private_k`` the
    image blocks made private by ``k`` patches (:func:`hcimodel.fullclone.patch_cycle`);
    ``full_vaai_dedup`` counts patched content once (identical in every guest).

    Returns
    -------
    polars.DataFrame
        strategy, days, raw_bytes; sorted.
    """
    life = _life(life, overrides)
    n = check_integer("n_points", n_points, minimum=2, maximum=100_000, scalar=True)
    upd = life.update_interval_s
    # the grid holds every update instant, where the second replica peaks
    t = np.union1d(np.linspace(0.0, life.life_s, n),
                   upd * np.arange(1, int(life.life_s // upd) + 1))
    k = np.floor(t / upd + 1e-9).astype(np.int64)
    reset = np.minimum(life.refresh_interval_s, upd)
    since = np.mod(t, reset)
    g = life.growth_bytes_per_day / DAY_S
    R, N, used = float(life.rf), life.n_desktops, life.parent.used_bytes
    second = np.where((k > 0) & np.isclose(np.mod(t, upd), 0.0, atol=1e-6), used, 0.0)
    linked = R * (used + second + N * g * since)
    pc = fc.patch_cycle(int(k.max()), N, parent=life.parent, patch_bytes=life.patch_bytes,
                        rf=life.rf, n_nodes=life.n_nodes)
    grown = R * N * g * t  # what the full clones wrote, RF copies
    full = pc.raw_bytes[k] + grown
    full_dd = pc.raw_bytes_dedup[k] + grown
    days = t / DAY_S
    return pl.concat([pl.DataFrame({"strategy": s, "days": days, "raw_bytes": v})
                      for s, v in (("linked_shadow", linked), ("full_vaai", full),
                                   ("full_vaai_dedup", full_dd))]).sort(["strategy", "days"])


# ------------------------------------------------------------------ operations

def operations(life: PoolLife | None = None, **overrides) -> dict:
    """Durations of one image update and of a refresh (s), and the patch write load.

    Recompose and refresh run ``maintenance_limit`` desktops at a time:
    ``ceil(N / limit) x time per desktop``. A patch window is the install, all
    guests at once, then reboots ``power_limit`` at a time:
    ``install + ceil(N / power_limit) x reboot``. During it the cluster
    absorbs ``N p RF`` bytes (``patch_write_bytes``): ``patch_write_bps_per_node``
    per node.
    """
    life = _life(life, overrides)
    N = life.n_desktops
    rec = np.ceil(N / life.maintenance_limit) * life.recompose_s_per_desktop
    ref = np.ceil(N / life.maintenance_limit) * life.refresh_s_per_desktop
    win = life.patch_install_s + np.ceil(N / life.power_limit) * life.reboot_s
    written = N * life.patch_bytes * life.rf  # every guest's patch, RF copies
    return {"recompose_s": float(rec), "refresh_s": float(ref), "patch_window_s": float(win),
            "patch_write_bytes": float(written),
            "patch_write_bps_per_node": float(written / life.n_nodes / max(win, 1e-9))}
