"""VDI workload profiles: how much, how big, and where desktops read.

Each profile is a frozen dataclass of per-desktop figures taken from the
published measurements collected in ``shared/REFERENCES.md``; the source of
every number is in :attr:`WorkloadProfile.source`. Where a source gives a range
the profile takes the middle and says so, and where a figure is an assumption
(not published) the source says *assumed*.

Profiles
--------
``boot``       Windows 7 boot storm: about 62,000 I/Os over 330 s for one desktop
               (H. Klein), 16 % writes, reads of 19 KB (hIOmon trace); one boot
               reads :data:`BOOT_READ_BYTES` = 420 MB and writes
               :data:`BOOT_WRITE_BYTES` = 24 MB (hIOmon).
``login``      Login storm (Dell EqualLogic, View 4.5, 1,014 desktops): 50/50
               R/W, 36 KB reads, 10 KB writes, 8–13 IOPS. The paper's "about
               90 %" is the share of array I/O served by SSD, not the replica
               share of reads (it says only that "most" reads go to the
               replica): the replica share is an assumption (0.9 by default;
               notebook 01 shows the sensitivity).
``task``       Task worker steady state (same study): 25/75 R/W, 18 KB / 10 KB,
               3–4 IOPS.
``knowledge``  Average user steady state: 8–10 IOPS.
``power``      Heavy user steady state: 14–20 IOPS.

Over the day the write rate follows :data:`OFFICE_DAY`, hourly multipliers of
the office-hours steady state (the published 3–4 IOPS of a task worker is the
rate during office hours, level 1): :data:`TASK_WRITE_BYTES_PER_S` is that
steady rate, :data:`TASK_MEAN_WRITE_BYTES_PER_S` its mean over 24 hours and
:data:`OFFICE_DAY_PEAK_FACTOR` the peak hour over the daily mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import check_choice, check_positive, check_probability

__all__ = ["WorkloadProfile", "PROFILES", "profile", "as_profile", "BOOT_READ_BYTES",
           "BOOT_WRITE_BYTES", "BOOT_SHARED_READ_BYTES", "OFFICE_DAY_LEVELS", "OFFICE_DAY",
           "OFFICE_DAY_PEAK_FACTOR", "TASK_WRITE_BYTES_PER_S", "TASK_MEAN_WRITE_BYTES_PER_S"]


@dataclass(frozen=True)
class WorkloadProfile:
    """Per-desktop I/O profile.

    Parameters
    ----------
    name : str
        Short name of the profile.
    iops : float
        I/O operations per second issued by one desktop (1/s).
    read_fraction : float
        Share of I/Os that are reads, in [0, 1].
    read_size_bytes, write_size_bytes : float
        Mean size of a read and of a write (bytes).
    replica_read_fraction : float
        Share of reads that go to the replica (base image) disk of a linked
        clone rather than to its own delta disk, in [0, 1].
    source : str
        Where the figures come from.
    """

    name: str
    iops: float
    read_fraction: float
    read_size_bytes: float
    write_size_bytes: float
    replica_read_fraction: float
    source: str = ""

    def __post_init__(self):
        for what in ("name", "source"):
            if not isinstance(getattr(self, what), str):
                raise ValueError(f"{what} must be a str (got {getattr(self, what)!r:.80})")
        check_positive("iops", self.iops, scalar=True)
        check_probability("read_fraction", self.read_fraction, scalar=True)
        check_positive("read_size_bytes", self.read_size_bytes, scalar=True)
        check_positive("write_size_bytes", self.write_size_bytes, scalar=True)
        check_probability("replica_read_fraction", self.replica_read_fraction, scalar=True)

    @property
    def read_iops(self) -> float:
        """Reads per second of one desktop (1/s)."""
        return self.iops * self.read_fraction

    @property
    def replica_read_iops(self) -> float:
        """Reads per second that one desktop sends to the replica (1/s)."""
        return self.read_iops * self.replica_read_fraction

    @property
    def replica_io_fraction(self) -> float:
        """Share of all I/Os of a desktop that are replica reads."""
        return self.read_fraction * self.replica_read_fraction


KB = 1000.0

#: Bytes one desktop reads to boot Windows 7, all reads (base image and its own
#: disk): about 420 MB (hIOmon trace). The one definition used by the hot spot's
#: boot storm and by the Shadow Clone warm-up.
BOOT_READ_BYTES = 420e6
#: Bytes one desktop writes while it boots: 24 MB (hIOmon trace; vendor
#: measurements give 20-30 MB).
BOOT_WRITE_BYTES = 24e6
#: Boot reads per desktop and mean read size (hIOmon, H. Klein).
_BOOT_READ_FRACTION = 0.84
_BOOT_READ_SIZE = 19 * KB
_BOOT_IOS = BOOT_READ_BYTES / (_BOOT_READ_SIZE * _BOOT_READ_FRACTION)

PROFILES: dict[str, WorkloadProfile] = {
    p.name: p
    for p in (
        WorkloadProfile(
            "boot", iops=62_000 / 330, read_fraction=_BOOT_READ_FRACTION,
            read_size_bytes=_BOOT_READ_SIZE,
            write_size_bytes=BOOT_WRITE_BYTES / (_BOOT_IOS * (1 - _BOOT_READ_FRACTION)),
            replica_read_fraction=0.9,
            source="62,000 I/Os over 330 s, 16 % writes (H. Klein); reads of 19 KB, "
                   "420 MB read and 24 MB written per boot (hIOmon trace; write size "
                   "derived: 24 MB over the boot's writes, 5.7 kB); replica share of "
                   "reads 90 % assumed (OS files)",
        ),
        WorkloadProfile(
            "login", iops=10.5, read_fraction=0.5, read_size_bytes=36 * KB,
            write_size_bytes=10 * KB, replica_read_fraction=0.9,
            source="Dell EqualLogic, View 4.5, 1,014 desktops: 50/50 R/W, 36 KB / 10 KB, "
                   "8-13 IOPS (middle taken); replica share of reads 90 % assumed (the "
                   "paper says 'most'; its 'about 90 %' is the SSD share of array I/O)",
        ),
        WorkloadProfile(
            "task", iops=3.5, read_fraction=0.25, read_size_bytes=18 * KB,
            write_size_bytes=10 * KB, replica_read_fraction=0.5,
            source="Dell EqualLogic steady state: 25/75 R/W, 18 KB / 10 KB, 3-4 IOPS "
                   "(middle taken); replica share 50 % assumed",
        ),
        WorkloadProfile(
            "knowledge", iops=9.0, read_fraction=0.25, read_size_bytes=18 * KB,
            write_size_bytes=10 * KB, replica_read_fraction=0.5,
            source="8-10 IOPS average user (middle taken); mix and sizes of the task "
                   "worker and replica share 50 % assumed",
        ),
        WorkloadProfile(
            "power", iops=17.0, read_fraction=0.25, read_size_bytes=18 * KB,
            write_size_bytes=10 * KB, replica_read_fraction=0.5,
            source="14-20 IOPS heavy user (middle taken); mix and sizes of the task "
                   "worker and replica share 50 % assumed",
        ),
    )
}


#: Shared (base-image) bytes of one boot: the replica share of the boot profile's reads.
BOOT_SHARED_READ_BYTES = BOOT_READ_BYTES * PROFILES["boot"].replica_read_fraction

#: Hourly write-rate levels of an office day relative to the office-hours steady
#: state (level 1 = the published task-worker steady state): quiet night, a
#: login peak at 8 h, office hours, lunch, evening. *Assumed* shape.
OFFICE_DAY_LEVELS = np.array([0.125] * 7 + [0.5, 1.375] + [1.0] * 3 + [0.75] + [1.0] * 4
                             + [0.75, 0.375] + [0.1875] * 5)
#: The same shape normalised to mean 1 (multipliers of the daily mean rate).
OFFICE_DAY = OFFICE_DAY_LEVELS / OFFICE_DAY_LEVELS.mean()
#: Peak hour over the daily mean: 1.375 / 0.5234 = 2.627 (*derived* from the shape).
OFFICE_DAY_PEAK_FACTOR = float(OFFICE_DAY.max())

_TASK = PROFILES["task"]
#: Write rate of a task worker in office hours (bytes/s): 3.5 IOPS x 75 % writes
#: x 10 kB = 26,250 B/s (Dell EqualLogic steady state, 3-4 IOPS).
TASK_WRITE_BYTES_PER_S = _TASK.iops * (1 - _TASK.read_fraction) * _TASK.write_size_bytes
#: Its mean over 24 hours under :data:`OFFICE_DAY_LEVELS` (bytes/s): 13,740 B/s.
#: The peak hour is then 1.375 x the steady state (36,094 B/s), not 2.627 x.
TASK_MEAN_WRITE_BYTES_PER_S = TASK_WRITE_BYTES_PER_S * float(OFFICE_DAY_LEVELS.mean())


def as_profile(workload) -> WorkloadProfile:
    """Return ``workload`` if it is a profile, else the profile of that name.

    Raises
    ------
    ValueError
        If ``workload`` is neither a :class:`WorkloadProfile` nor a name in
        :data:`PROFILES`.
    """
    if isinstance(workload, WorkloadProfile):
        return workload
    if isinstance(workload, str) and workload in PROFILES:
        return PROFILES[workload]
    raise ValueError(f"workload must be a WorkloadProfile or one of {sorted(PROFILES)} "
                     f"(got {workload!r})")


def profile(name: str) -> WorkloadProfile:
    """Return the named profile (one of ``PROFILES``).

    Raises
    ------
    ValueError
        If ``name`` is not a known profile.
    """
    return PROFILES[check_choice("profile", name, sorted(PROFILES))]
