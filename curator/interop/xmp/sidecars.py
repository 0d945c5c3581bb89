"""Bringing the sidecars beside originals up to date (the run step of `xmp write`).

`update_sidecars(original, fields)` decides which sidecar files belong to an
original, then creates or merges each one:

- every sidecar already there for it is updated: `name.ext.xmp` (darktable's
  and digiKam's default) and `name.xmp` (Lightroom's) when it owns that name
  (see `write.sidecar_path_for`), so whichever tool reads the folder sees
  the decisions;
- with none there, `sidecar_path_for(original)` is created.

Invariants: the original is never opened for writing (a target equal to the
original is refused); a sidecar is written atomically and only when its bytes
change ("unchanged" otherwise); a sidecar that can't be read or merged (not
XMP, a DOCTYPE, unreadable) is left as it is and reported; one failure never
stops the others. Pure file work: no catalog, no Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.write import (
    XmpWriteError,
    existing_sidecars,
    merge_sidecar,
    sidecar_path_for,
    sidecar_xml,
    write_sidecar,
)


class SidecarStatus(StrEnum):
    WRITTEN = "written"  # a new sidecar
    MERGED = "merged"  # an existing sidecar updated, its other fields kept
    UNCHANGED = "unchanged"  # already says all of it
    FAILED = "failed"
    MISSING = "missing"  # the original is not on disk: nothing written


@dataclass(frozen=True)
class SidecarOutcome:
    original: str
    sidecar: str | None
    status: SidecarStatus
    reason: str = ""  # one sentence for a failure


class FolderIndex:
    """The file names of each folder, listed once and grouped by the part before
    the first dot ("IMG_1" for IMG_1.CR2, IMG_1.JPG.xmp, IMG_1.xmp), so finding an
    original's siblings and sidecars costs a dict look-up, not a folder scan per
    photo (10,000 photos in one folder would otherwise be 10^8 name checks)."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, list[str]]] = {}

    @staticmethod
    def _key(name: str) -> str:
        return name.lower().partition(".")[0]

    def near(self, original: Path) -> list[str]:
        """Names in `original`'s folder that share its first dot-part (itself included)."""
        groups = self._folders.get(original.parent)
        if groups is None:
            groups = {}
            try:
                listed = os.listdir(original.parent)
            except OSError:
                listed = []
            for name in listed:
                groups.setdefault(self._key(name), []).append(name)
            self._folders[original.parent] = groups
        return groups.get(self._key(original.name), [])

    def add(self, path: Path) -> None:
        """Note a file just written, if its folder was listed already."""
        groups = self._folders.get(path.parent)
        if groups is not None and path.name not in groups.get(self._key(path.name), []):
            groups.setdefault(self._key(path.name), []).append(path.name)


def update_sidecars(
    original: Path,
    fields: XmpFields,
    *,
    dry_run: bool = False,
    index: FolderIndex | None = None,
) -> list[SidecarOutcome]:
    """Create or merge the sidecars of `original`; with `dry_run`, only say what
    would happen. Pass one `index` for many originals (it lists each folder once)."""
    if not original.is_file():
        return [SidecarOutcome(str(original), None, SidecarStatus.MISSING, "the file is not there")]
    index = index or FolderIndex()
    names = index.near(original)
    targets = existing_sidecars(original, names) or [sidecar_path_for(original, names)]
    outcomes = [_update_one(original, target, fields, dry_run) for target in targets]
    if not dry_run:
        for o in outcomes:
            if o.status is SidecarStatus.WRITTEN and o.sidecar:
                index.add(Path(o.sidecar))
    return outcomes


def _update_one(original: Path, target: Path, fields: XmpFields, dry_run: bool) -> SidecarOutcome:
    def outcome(status: SidecarStatus, reason: str = "") -> SidecarOutcome:
        return SidecarOutcome(str(original), str(target), status, reason)

    if target == original or target.suffix.lower() != ".xmp":
        return outcome(SidecarStatus.FAILED, f"{target} is not a sidecar name; nothing written.")
    try:
        existing = target.read_bytes()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        return outcome(SidecarStatus.FAILED, f"Can't read {target}: {exc.strerror or exc}.")
    try:
        if existing is None:
            data, status = sidecar_xml(fields), SidecarStatus.WRITTEN
        else:
            data, status = merge_sidecar(existing, fields), SidecarStatus.MERGED
    except XmpWriteError as exc:
        return outcome(SidecarStatus.FAILED, f"{target}: {exc}")
    if data == existing:
        return outcome(SidecarStatus.UNCHANGED)
    if not dry_run:
        try:
            write_sidecar(target, data)
        except PermissionError as exc:
            return outcome(
                SidecarStatus.FAILED,
                f"Can't write {target}: the folder is read-only or not yours "
                f"({exc.strerror or exc}).",
            )
        except OSError as exc:
            return outcome(SidecarStatus.FAILED, f"Can't write {target}: {exc.strerror or exc}.")
    return outcome(status)
