"""Workload figures held to their published sources, with the tolerance each source allows."""

import numpy as np
import pytest

from hcimodel import hotspot, workload
from hcimodel.replication.change import ChangeModel
from hcimodel.workload import PROFILES


@pytest.mark.parametrize("name, low, high", [
    ("login", 8, 13),      # 1,014 task workers in a login storm: 8-13 IOPS each (Dell EqualLogic, View 4.5)
    ("task", 3, 4),        # task worker steady state: 3-4 IOPS (same study)
    ("knowledge", 8, 10),  # average user: 8-10 IOPS
    ("power", 14, 20),     # heavy user: 14-20 IOPS
])
def test_profile_iops_within_the_published_range(name, low, high):
    assert low <= PROFILES[name].iops <= high


def test_one_boot_reads_420_mb_and_writes_24_mb():
    # hIOmon trace: about 420 MB read and 24 MB written per Windows 7 boot; vendor
    # measurements give 20-30 MB written.
    boot = PROFILES["boot"]
    ios = workload.BOOT_READ_BYTES / (boot.read_size_bytes * boot.read_fraction)
    written = ios * (1 - boot.read_fraction) * boot.write_size_bytes
    assert workload.BOOT_READ_BYTES == 420e6
    assert written == pytest.approx(workload.BOOT_WRITE_BYTES, rel=1e-12)
    assert 20e6 <= written <= 30e6
    # 16 % writes (H. Klein), 62,000 I/Os over 330 s
    assert boot.read_fraction == pytest.approx(0.84) and boot.iops == pytest.approx(62_000 / 330)
    assert workload.BOOT_SHARED_READ_BYTES == pytest.approx(420e6 * boot.replica_read_fraction)


def test_one_desktop_boots_in_two_to_three_minutes():
    # Horizon documentation: a desktop takes two to three minutes to start; vendor
    # measurements: 500-600 MB read in 2-3 min.
    for strategy in hotspot.STRATEGIES:
        t = float(hotspot.boot_storm(1, strategy=strategy).duration_s[0])
        assert 120.0 <= t <= 180.0, (strategy, t)


def test_office_day_peak_factor_agrees_with_its_documentation():
    # the documented peak factor is derived from the shape: 1.375 / mean(levels)
    levels = workload.OFFICE_DAY_LEVELS
    assert levels.shape == (24,) and workload.OFFICE_DAY.mean() == pytest.approx(1.0, abs=1e-12)
    assert workload.OFFICE_DAY_PEAK_FACTOR == pytest.approx(1.375 / levels.mean(), rel=1e-12)
    assert workload.OFFICE_DAY_PEAK_FACTOR == pytest.approx(2.627, abs=5e-4)  # as documented
    assert ChangeModel().peak_factor == pytest.approx(workload.OFFICE_DAY_PEAK_FACTOR, rel=1e-12)


def test_change_rate_is_the_published_steady_state_in_office_hours():
    # Task worker steady state (Dell EqualLogic): 3.5 IOPS x 75 % writes x 10 kB = 26,250 B/s.
    # That is the office-hours level, so the daily mean is lower and the peak hour is
    # 1.375 x the steady state, not the steady state scaled by the peak factor again.
    task = PROFILES["task"]
    steady = task.iops * (1 - task.read_fraction) * task.write_size_bytes
    assert workload.TASK_WRITE_BYTES_PER_S == pytest.approx(26_250.0)
    model = ChangeModel()
    office_hours = model.write_bytes_per_s * model.daily_profile[9]
    assert office_hours == pytest.approx(steady, rel=1e-12)
    peak = model.write_bytes_per_s * model.peak_factor
    assert peak == pytest.approx(1.375 * steady, rel=1e-12)
    # the peak hour stays below the login storm's own write rate (10.5 IOPS x 50 % x 10 kB)
    login = PROFILES["login"]
    assert peak < login.iops * (1 - login.read_fraction) * login.write_size_bytes
    assert np.isclose(model.write_bytes_per_s, workload.TASK_MEAN_WRITE_BYTES_PER_S)


def test_replica_share_is_labelled_an_assumption():
    for name in ("boot", "login", "task"):
        assert "assumed" in PROFILES[name].source
    assert "SSD" in PROFILES["login"].source


def test_every_module_uses_the_one_boot_read_definition():
    """Issue 10: the boot reads are defined once, in workload.

    All boot reads (420 MB, hIOmon) load the CVMs in the hot spot's boot storm and
    the recovery-site storm of rto; their shared part, 90 % (assumed) = 378 MB, is
    the boot set the Shadow Clone and full-clone warm-ups fetch.
    """
    import inspect

    from hcimodel import fullclone, replication, shadowclone

    shared = workload.BOOT_SHARED_READ_BYTES
    assert shared == pytest.approx(378e6, rel=1e-12)
    assert shadowclone.Replica().boot_bytes == shared
    for fn in (hotspot.boot_storm, hotspot.simulate_boot_storm, replication.rto):
        assert inspect.signature(fn).parameters["boot_read_bytes"].default \
            == workload.BOOT_READ_BYTES, fn.__name__
    # the same boot, read at the same pace: the Shadow Clone boot sequence takes as long
    # as the hot spot's lone desktop issuing its K = 420 MB / (19 kB x 0.84) reads at 188 IOPS
    boot = PROFILES["boot"]
    _, T = shadowclone.boot_pace()
    k = workload.BOOT_READ_BYTES / (boot.read_size_bytes * boot.read_fraction)
    assert T == pytest.approx(k / boot.iops, rel=1e-3)  # 140.1 s (block rounding)
    # the hot spot's shared boot reads equal the warm-up's boot set (per desktop)
    assert boot.replica_read_fraction * workload.BOOT_READ_BYTES == pytest.approx(shared)
    # full clones fetch the same boot set: (H - RF) x 378 MB on 8 nodes, RF2
    w = fullclone.warmup(8, 400)
    assert float(w.total_bytes) == pytest.approx(6 * shadowclone.Replica().n_boot_blocks * 4096)
