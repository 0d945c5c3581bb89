"""The values an export is planned, run and reported with (no Qt, no catalog):
`plan_export(request)` reads the catalog → `run_export(plan, progress,
cancel)` does only file work (the GUI's on a worker) → `ExportResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class PairExport(StrEnum):
    """Which files of a RAW+JPEG photo an export copies (export.plan)."""

    BOTH = "both"
    RAW = "raw"
    JPEG = "jpeg"


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for."""

    dest: Path
    project: str | None = None  # None: the approved set, into DEST/approved/
    renditions_long_edge: int | None = None  # None: copies of the originals
    dry_run: bool = False
    match_threshold: float = 70.0  # preference that counts as approved (with a judgment)
    sidecar_names: str = "auto"  # the xmp_sidecar_names setting (see export.xmp_out)
    # The taste model's held-out Spearman its MATCH needs to approve (catalog.approval).
    match_min_quality: float = 0.5
    # Which files of a RAW+JPEG pair go out (the pair_export setting): both | raw | jpeg.
    pairs: str = PairExport.BOTH.value


class FileStatus(StrEnum):
    EXPORTED = "exported"
    SKIPPED_EXISTING = "skipped_existing"  # the same bytes are already there
    FAILED = "failed"
    PLANNED = "planned"  # --dry-run: would be exported


@dataclass(frozen=True)
class ExportedFile:
    """One photo's outcome; `name` is relative to the request's DEST."""

    name: str
    source: str
    status: FileStatus
    message: str | None = None  # why it failed (or a note), in one sentence
    sidecar: str | None = None  # the XMP sidecar written beside it, relative to DEST
    refreshed: bool = False  # already there; its XMP was brought up to date

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "source": self.source, "status": self.status}
        if self.message:
            out["message"] = self.message
        if self.sidecar:
            out["sidecar"] = self.sidecar
        if self.refreshed:
            out["refreshed"] = True
        return out


@dataclass(frozen=True)
class ExportProgress:
    """Where a running export is: for the bar, the rate and the ETA."""

    done: int
    total: int
    bytes_done: int
    elapsed_s: float
    current: str = ""  # the file being written

    @property
    def rate(self) -> float:
        """Photos a second so far (0 before the first)."""
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the rate so far; None until there is a rate."""
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None


@dataclass
class ExportResult:
    """What an export did; `to_json` is the CLI's `--json` object."""

    dest: Path
    files: list[ExportedFile] = field(default_factory=list)
    cancelled: bool = False
    error: str | None = None  # what stopped the export as a whole, in one sentence

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status is status)

    def to_json(self) -> dict[str, Any]:
        return {
            "exported": self.count(FileStatus.EXPORTED) + self.count(FileStatus.PLANNED),
            "skipped_existing": self.count(FileStatus.SKIPPED_EXISTING),
            "refreshed": sum(1 for f in self.files if f.refreshed),
            "failed": self.count(FileStatus.FAILED),
            "dest": str(self.dest),
            "dry_run": any(f.status is FileStatus.PLANNED for f in self.files),
            "cancelled": self.cancelled,
            **({"error": self.error} if self.error else {}),
            "files": [f.to_json() for f in self.files],
        }
