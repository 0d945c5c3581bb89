"""Bringing the sidecars beside originals up to date (the run step of `xmp write`).

`update_sidecars(original, fields, planner=…)` creates or merges every sidecar
already there (`write.existing_sidecars`) and new ones by the
`xmp_sidecar_names` setting (`SidecarNames`). `auto` follows the folder's
spelling, else writes `name.ext.xmp`, plus `name.xmp` for a RAW (a reject
reaches darktable only in `name.ext.xmp`: docs/decisions/interop.md).
An existing sidecar changes only as far as `planner` (`xmp.edit`) says.

Invariants: the original is never opened for writing; a sidecar is written
atomically and only when its bytes change; a failure is reported and never
stops the others. No catalog, no Qt.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from curator.imaging.regular import FileTooLargeError, read_regular
from curator.interop.xmp.edit import Authored, PlannedEdit, XmpEdit
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.read import MAX_PACKET_BYTES, XmpError, parse_packet
from curator.interop.xmp.state import XmpState, state_of
from curator.interop.xmp.write import (
    RAW_SUFFIXES,
    XmpWriteError,
    existing_sidecars,
    merge_sidecar,
    sidecar_path_for,
    sidecar_xml,
    write_sidecar,
)

Planner = Callable[[XmpFields, datetime | None], PlannedEdit]
"""(what the sidecar says now, its mtime as naive UTC) → the edit to make."""


class SidecarNames(StrEnum):
    """Which sidecar names new sidecars get (the `xmp_sidecar_names` setting)."""

    AUTO = "auto"  # follow the sidecars beside the photo, else the folder's
    LIGHTROOM = "lightroom"  # name.xmp
    DARKTABLE = "darktable"  # name.ext.xmp
    BOTH = "both"


class SidecarStatus(StrEnum):
    WRITTEN = "written"  # a new sidecar
    MERGED = "merged"  # an existing sidecar updated, its other fields kept
    UNCHANGED = "unchanged"  # already says all of it, or nothing Curator decided changed
    FAILED = "failed"
    MISSING = "missing"  # the original is not on disk: nothing written


@dataclass(frozen=True)
class SidecarOutcome:
    original: str
    sidecar: str | None
    status: SidecarStatus
    reason: str = ""  # one sentence for a failure
    kept: tuple[str, ...] = ()  # fields the sidecar's newer value kept
    state: XmpState | None = None  # what the sidecar says now (None: unknown)
    mtime_ns: int | None = None
    edit: XmpEdit | None = None  # what was (or would be) changed


class FolderIndex:
    """The file names of each folder, listed once and grouped by the part before
    the first dot, so an original's siblings and sidecars are a dict look-up,
    not a folder scan per photo (10,000 photos in a folder: 10^8 name checks)."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, list[str]]] = {}
        self._styles: dict[Path, frozenset[SidecarNames]] = {}

    @staticmethod
    def _key(name: str) -> str:
        return name.lower().partition(".")[0]

    def _groups(self, folder: Path) -> dict[str, list[str]]:
        groups = self._folders.get(folder)
        if groups is None:
            groups = {}
            try:
                listed = os.listdir(folder)
            except OSError:
                listed = []
            for name in listed:
                groups.setdefault(self._key(name), []).append(name)
            self._folders[folder] = groups
        return groups

    def near(self, original: Path) -> list[str]:
        """Names in `original`'s folder that share its first dot-part (itself included)."""
        return self._groups(original.parent).get(self._key(original.name), [])

    def styles(self, folder: Path) -> frozenset[SidecarNames]:
        """The sidecar spellings found in `folder`: DARKTABLE for `a.ext.xmp`,
        LIGHTROOM for `a.xmp` (computed once per folder)."""
        found = self._styles.get(folder)
        if found is None:
            styles: set[SidecarNames] = set()
            for names in self._groups(folder).values():
                for name in names:
                    if name.lower().endswith(".xmp"):
                        inner = Path(name[:-4]).suffix
                        styles.add(SidecarNames.DARKTABLE if inner else SidecarNames.LIGHTROOM)
            found = self._styles[folder] = frozenset(styles)
        return found

    def add(self, path: Path) -> None:
        """Note a file just written, if its folder was listed already."""
        groups = self._folders.get(path.parent)
        if groups is not None and path.name not in groups.get(self._key(path.name), []):
            groups.setdefault(self._key(path.name), []).append(path.name)


def sidecar_targets(
    original: Path, names: list[str], convention: SidecarNames, index: FolderIndex
) -> list[Path]:
    """The sidecars `original` gets: the ones already there, and new ones by `convention`."""
    existing = existing_sidecars(original, names)
    lightroom = sidecar_path_for(original, names)  # name.xmp, or name.ext.xmp when not owned
    darktable = original.with_name(original.name + ".xmp")
    if convention is SidecarNames.AUTO:
        if existing:
            return existing
        styles = index.styles(original.parent)
        if styles:
            wanted = [darktable] if SidecarNames.DARKTABLE in styles else []
            wanted += [lightroom] if SidecarNames.LIGHTROOM in styles else []
        elif original.suffix.lower() in RAW_SUFFIXES:
            wanted = [darktable, lightroom]
        else:
            wanted = [darktable]
    elif convention is SidecarNames.LIGHTROOM:
        wanted = [lightroom]
    elif convention is SidecarNames.DARKTABLE:
        wanted = [darktable]
    else:
        wanted = [darktable, lightroom]
    out = list(existing)
    for path in wanted:
        if all(path.name.lower() != p.name.lower() for p in out):
            out.append(path)
    return out


def update_sidecars(
    original: Path,
    fields: XmpFields,
    *,
    planner: Planner | None = None,
    convention: SidecarNames = SidecarNames.AUTO,
    dry_run: bool = False,
    index: FolderIndex | None = None,
) -> list[SidecarOutcome]:
    """Create or merge the sidecars of `original`; with `dry_run`, only say what
    would happen. Pass one `index` for many originals (it lists each folder once)."""
    if not original.is_file():
        return [SidecarOutcome(str(original), None, SidecarStatus.MISSING, "the file is not there")]
    index = index or FolderIndex()
    targets = sidecar_targets(original, index.near(original), convention, index)
    outcomes = [_update_one(original, t, fields, planner, dry_run) for t in targets]
    if not dry_run:
        for o in outcomes:
            if o.status is SidecarStatus.WRITTEN and o.sidecar:
                index.add(Path(o.sidecar))
    return outcomes


def _update_one(
    original: Path, target: Path, fields: XmpFields, planner: Planner | None, dry_run: bool
) -> SidecarOutcome:
    def outcome(
        status: SidecarStatus,
        reason: str = "",
        *,
        kept: tuple[str, ...] = (),
        state: XmpState | None = None,
        mtime_ns: int | None = None,
        edit: XmpEdit | None = None,
    ) -> SidecarOutcome:
        return SidecarOutcome(
            str(original), str(target), status, reason, kept, state, mtime_ns, edit
        )

    if target == original or target.suffix.lower() != ".xmp":
        return outcome(SidecarStatus.FAILED, f"{target} is not a sidecar name; nothing written.")
    try:
        # Only a regular file, and no more than any real sidecar: a FIFO would
        # hang the command and a link to /dev/zero would fill the memory.
        existing = read_regular(target, MAX_PACKET_BYTES)
        mtime_ns: int | None = target.stat().st_mtime_ns
    except FileNotFoundError:
        existing, mtime_ns = None, None
    except FileTooLargeError:
        return outcome(
            SidecarStatus.FAILED,
            f"{target} is larger than any real sidecar ({MAX_PACKET_BYTES // 2**20} MB); "
            "it was left as it is.",
        )
    except OSError as exc:
        return outcome(SidecarStatus.FAILED, f"Can't read {target}: {exc.strerror or exc}.")
    kept: tuple[str, ...] = ()
    edit: XmpEdit | None = None
    current: XmpFields | None = None
    try:
        if existing is None:
            data, status = sidecar_xml(fields), SidecarStatus.WRITTEN
        elif planner is None:
            data, status = merge_sidecar(existing, fields), SidecarStatus.MERGED
        else:
            try:
                current = parse_packet(existing)
            except XmpError as exc:
                raise XmpWriteError(f"It is not XMP Curator can read ({exc}).") from None
            planned = planner(current, _utc(mtime_ns))
            kept, edit = planned.kept, planned.edit
            if edit == XmpEdit():
                return outcome(
                    SidecarStatus.UNCHANGED, kept=kept, state=state_of(current), mtime_ns=mtime_ns
                )
            data, status = merge_sidecar(existing, edit), SidecarStatus.MERGED
    except XmpWriteError as exc:
        return outcome(SidecarStatus.FAILED, f"{target}: {exc}")
    except RecursionError:  # a structure the depth check let through: still one photo
        return outcome(
            SidecarStatus.FAILED, f"{target}: its structure is too deep to edit; left as it is."
        )
    try:
        state: XmpState | None = state_of(parse_packet(data))
    except XmpError:
        state = None
    if data == existing:
        return outcome(SidecarStatus.UNCHANGED, kept=kept, state=state, mtime_ns=mtime_ns)
    if not dry_run:
        try:
            write_sidecar(target, data)
            mtime_ns = target.stat().st_mtime_ns
        except PermissionError as exc:
            return outcome(
                SidecarStatus.FAILED,
                f"Can't write {target}: the folder is read-only or not yours "
                f"({exc.strerror or exc}).",
            )
        except OSError as exc:
            return outcome(SidecarStatus.FAILED, f"Can't write {target}: {exc.strerror or exc}.")
    return outcome(status, kept=kept, state=state, mtime_ns=mtime_ns, edit=edit)


def synced_state(
    outcome: SidecarOutcome, catalog: XmpState, authored: Authored
) -> tuple[XmpState, bool]:
    """(what to remember as the sidecar's state after `outcome`, whether it holds
    another tool's newer values for an import): a field this run did not write
    that still differs from Curator's decision is remembered as Curator's, so
    the next run does not take the difference for a change made in Curator."""
    state = outcome.state or XmpState()
    edit = outcome.edit or XmpEdit()
    pending = False

    def settle(written: bool, mine: object, theirs: object, when: object) -> object:
        nonlocal pending
        if written:
            return mine
        if mine != theirs and when is not None:
            pending = True
            return mine
        return theirs

    rating = settle(edit.rating is not None, catalog.rating, state.rating, authored.rating)
    picked = settle(edit.picked is not None, catalog.picked, state.picked, authored.picked)
    label = settle(edit.label is not None, catalog.label, state.label, authored.label)
    keywords = set(state.keywords)
    for tag, (live, _when) in authored.tags.items():
        if (tag in keywords) != live:
            pending = True
            (keywords.add if live else keywords.discard)(tag)
    return (
        XmpState(
            rating=int(str(rating)),
            picked=bool(picked),
            label=label if isinstance(label, str) else None,
            keywords=frozenset(keywords),
        ),
        pending,
    )


def _utc(mtime_ns: int | None) -> datetime | None:
    if mtime_ns is None:
        return None
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(tzinfo=None)
