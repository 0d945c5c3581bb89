"""The plain data of an ingest: what is asked, what it reports while it runs,
and what it did. Frozen where it crosses threads (the dialog's worker posts
`IngestProgress`); `IngestResult` is filled by the run and read once it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from curator.ingest.template import DEFAULT_RENAME, DEFAULT_SUBFOLDER


class Role(StrEnum):
    """A destination's part; both are equal citizens (one failing never stops the other)."""

    PRIMARY = "destination"  # the copies the catalog holds (DEST)
    BACKUP = "backup"  # a second, never catalogued copy (DEST2)


@dataclass(frozen=True)
class IngestRequest:
    source: str  # a card's DCIM/ or any folder; never written
    destination: str
    backup: str | None = None
    rename: str = DEFAULT_RENAME
    subfolder: str = DEFAULT_SUBFOLDER


@dataclass(frozen=True)
class IngestProgress:
    """One report of a running ingest (the CLI's bar, the dialog)."""

    photos_done: int  # photos dealt with (copied, skipped or failed)
    photos_total: int
    bytes_done: int  # read from the card
    bytes_total: int  # to read, as far as the plan knows (known copies are not read)
    elapsed_s: float
    current: str = ""  # the card file being copied (relative to the source)
    landed: tuple[str, ...] = ()  # destination paths of photos just placed, verified

    @property
    def rate(self) -> float | None:
        """Bytes per second so far."""
        return self.bytes_done / self.elapsed_s if self.bytes_done and self.elapsed_s > 0 else None

    @property
    def eta_s(self) -> float | None:
        rate = self.rate
        return None if rate is None else max(0, self.bytes_total - self.bytes_done) / rate


@dataclass(frozen=True)
class FileFailure:
    source: str  # the card file, relative to the source
    reason: str  # a sentence
    role: Role | None = None  # the destination it failed for; None: the card itself
    errno: int | None = None  # the card file's own read error, when it had one


@dataclass(frozen=True)
class Renamed:
    """A name that was taken at a destination: the file got the next free one."""

    wanted: str  # relative to the destination
    got: str
    role: Role


@dataclass
class DestinationResult:
    root: str
    role: Role
    copied: int = 0  # photos placed now, verified
    companions: int = 0  # sidecars and companions placed now
    present: int = 0  # photos of this card already there before
    error: str = ""  # why it stopped (full, read-only, gone…), a sentence
    errno: int | None = None  # the OSError's number behind `error`, when one was
    to_free: int = 0  # a full one: bytes to free before the rest fits (the sentence's figure)
    folders: list[str] = field(default_factory=list)  # where this run's files went

    @property
    def holds(self) -> int:
        """Photos of this card that are there now (copied before or now)."""
        return self.copied + self.present


@dataclass
class IngestResult:
    """What an ingest did (the summary and `--json`)."""

    source: str
    photos: int = 0  # photos found on the card
    companions: int = 0  # sidecars and companions found with them
    left_on_card: list[str] = field(default_factory=list)  # files no photo owns (videos…)
    skipped: int = 0  # photos ingested before (the catalog or the destinations know them)
    verified: int = 0  # copies verified (every file, every destination)
    bytes_read: int = 0  # from the card
    elapsed_s: float = 0.0
    failures: list[FileFailure] = field(default_factory=list)
    problems: list[FileFailure] = field(default_factory=list)  # what the scan skipped
    destinations: list[DestinationResult] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    no_backup: list[str] = field(default_factory=list)  # photos in DEST with no backup yet
    catalog_paths: list[str] = field(default_factory=list)  # the primary copies of the card
    copy_of: dict[str, str] = field(default_factory=dict)  # card photo (rel) → its primary copy
    stopped: str = ""  # why the whole ingest stopped early (no destination left, card gone)
    cancelled: bool = False

    @property
    def copied(self) -> int:
        """Photos placed in the primary destination now."""
        return self.destinations[0].copied if self.destinations else 0

    @property
    def complete(self) -> bool:
        """Every photo is where it was asked to be: nothing failed, nothing stopped."""
        return not (
            self.failures
            or self.stopped
            or self.cancelled
            or self.no_backup
            or any(d.error for d in self.destinations)
        )


UNITS = (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3))


def human_bytes(n: float) -> str:
    """Bytes as a photographer reads them (decimal units): '3.1 GB', '412 MB'."""
    for unit, size in UNITS:
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{int(n)} bytes"


def shown_up(n: int) -> int:
    """`n` rounded up to the last digit `human_bytes` shows (a figure to free
    must never be shown smaller than it is): 48_812_345 → 48_900_000."""
    for _unit, size in UNITS:
        if n >= size:
            step = size // 10 if n < 100 * size else size
            return -(-n // step) * step
    return n
