"""VDI workload profiles: how much, how big, and where desktops read.

Each profile is a frozen dataclass of per-desktop figures taken from the
published measurements collected in ``shared/REFERENCES.md``; the source of
every number is in :attr:`WorkloadProfile.source`. Where a source gives a range
the profile takes the middle and says so, and where a figure is an assumption
(not published) the source says *assumed*.

Profiles
--------
``boot``       Windows 7 boot storm: about 62,000 I/Os over 330 s for one desktop
               (H. Klein), 16 % writes, average 19 KB (hIOmon trace).
``login``      Login storm (Dell EqualLogic, View 4.5, 1,014 desktops): 50/50
               R/W, 36 KB reads, 10 KB writes, 8–13 IOPS, about 90 % of reads
               went to the replica.
``task``       Task worker steady state (same study): 25/75 R/W, 18 KB / 10 KB,
               3–4 IOPS.
``knowledge``  Average user steady state: 8–10 IOPS.
``power``      Heavy user steady state: 14–20 IOPS.
"""

from __future__ import annotations

from dataclasses import dataclass

from .validation import check_choice, check_positive, check_probability

__all__ = ["WorkloadProfile", "PROFILES", "profile", "as_profile"]


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

PROFILES: dict[str, WorkloadProfile] = {
    p.name: p
    for p in (
        WorkloadProfile(
            "boot", iops=62_000 / 330, read_fraction=0.84, read_size_bytes=19 * KB,
            write_size_bytes=19 * KB, replica_read_fraction=0.9,
            source="62,000 I/Os over 330 s, 16 % writes (H. Klein); average 19 KB "
                   "(hIOmon trace); replica share of reads as in the login storm "
                   "(Dell EqualLogic), assumed for boot",
        ),
        WorkloadProfile(
            "login", iops=10.5, read_fraction=0.5, read_size_bytes=36 * KB,
            write_size_bytes=10 * KB, replica_read_fraction=0.9,
            source="Dell EqualLogic, View 4.5, 1,014 desktops: 50/50 R/W, 36 KB / 10 KB, "
                   "8-13 IOPS (middle taken), about 90 % of reads to the replica",
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

from .clonepool import ClonePool, ClonePoolStream, clone_pool_stream, item_rates  # noqa: E402,F401
