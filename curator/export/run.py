"""Running an export plan: only file work (no catalog, no Qt).

`run_export(plan, progress=, cancel=)` writes each planned photo into the
plan's folder with its XMP inside (`export.xmp_out`) and its sidecars, then
the manifest.

Names, one group (`export.names`) at a time: the first suffix at which every
member's name is free or already this photo's (the original's bytes, our
rendition, or the manifest's `file_blake3`). Any other file is never touched;
one of ours the user edited is left as it is. A file already there and ours
only gets its XMP brought up to date (`export.xmp_out.is_ours`).

Cancel is checked between files and chunks; what finished stays in the
manifest, so a re-run completes the export. A full or read-only destination
fails the remaining files with that sentence.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from curator.export.embed import EmbedError, with_jpeg_packet
from curator.export.files import Cancelled, SourceProblem, hash_file, write_file
from curator.export.manifest import merge_entries, now_iso, read_entries, write_manifest
from curator.export.names import base_name, with_suffix_number
from curator.export.plan import ExportPlan, PlannedFile
from curator.export.render_ahead import RawRender, RenderAhead, RenderFailed, render_isolated
from curator.export.types import ExportedFile, ExportProgress, ExportResult, FileStatus
from curator.export.xmp_out import (
    copy_source,
    embedding_for,
    is_ours,
    packet,
    rendition_packet,
    sidecar_names,
)
from curator.fs.publish import DestinationError, destination_error, remove_stale_temps
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.read import embedded_packet
from curator.interop.xmp.write import sidecar_xml, write_sidecar

MAX_SUFFIX = 9999

ProgressFn = Callable[[ExportProgress], None]
SidecarFn = Callable[[XmpFields], bytes]


@dataclass
class _Tracker:
    """Progress bookkeeping for one run."""

    total: int
    progress: ProgressFn | None
    started: float
    done: int = 0
    bytes_done: int = 0

    def report(self, current: str = "") -> None:
        if self.progress is not None:
            elapsed = time.monotonic() - self.started
            self.progress(ExportProgress(self.done, self.total, self.bytes_done, elapsed, current))


@dataclass
class _Run:
    """What one run shares: the plan, the manifest it found, names taken."""

    plan: ExportPlan
    writer: SidecarFn | None
    tracker: _Tracker
    cancel: threading.Event | None
    previous: dict[str, dict[str, Any]]
    claimed: set[str] = field(default_factory=set)
    listing: dict[str, set[str]] = field(default_factory=dict)  # first dot-part → names

    def listed(self) -> dict[str, set[str]]:
        """The folder's names by first dot-part (casefold), listed once per run."""
        if not self.listing:
            try:
                names = os.listdir(self.plan.folder)
            except OSError:
                names = []
            self.listing[""] = set()  # listed, even when empty
            for name in names:
                self.note(name)
        return self.listing

    def note(self, name: str) -> None:
        """A name that is in the folder now (listed, or just written)."""
        self.listing.setdefault(stem_key(name), set()).add(name)

    @property
    def edge(self) -> int | None:
        return self.plan.request.renditions_long_edge

    @property
    def dry_run(self) -> bool:
        return self.plan.request.dry_run


def run_export(
    plan: ExportPlan,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    sidecar: SidecarFn | None = sidecar_xml,
    workers: int | None = None,
    raw_render: RawRender = render_isolated,
) -> ExportResult:
    """Export `plan` (see the module docstring); `sidecar=None` writes no sidecars;
    `workers` render threads for renditions (default: up to 2, by CPU count);
    `raw_render` is what a RAW's crash-isolated child runs (render_ahead.py)."""
    request = plan.request
    result = ExportResult(dest=request.dest)
    tracker = _Tracker(len(plan.files), progress, time.monotonic())
    folder = plan.folder
    if not request.dry_run and plan.files:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            result.error = str(destination_error(exc, folder))
            result.files = [_failed(plan, planned, result.error) for planned in plan.files]
            return result
        remove_stale_temps(folder)
    tracker.report()
    run = _Run(plan, sidecar, tracker, cancel, read_entries(folder) if folder.is_dir() else {})
    entries: list[dict[str, Any]] = []
    sources = [_existing_source(planned) for planned in plan.files]
    renders = None
    if run.edge is not None and not request.dry_run:
        count = workers if workers is not None else min(2, os.cpu_count() or 1)
        renders = RenderAhead(folder, plan.files, sources, run.edge, count, raw_render=raw_render)
    try:
        _run_groups(run, sources, renders, entries, result)
    finally:
        if renders is not None:
            renders.close()
    if not request.dry_run and entries:
        try:
            write_manifest(folder, plan.set_name, merge_entries(run.previous, entries, folder))
        except OSError as exc:
            why = destination_error(exc, folder)
            result.error = (
                f"The exported files are complete, but manifest.json was not written: {why}"
            )
    return result


def _groups(files: tuple[PlannedFile, ...]) -> list[list[int]]:
    """Indices of the plan's files, one list per name group (members are adjacent)."""
    out: list[list[int]] = []
    for index, planned in enumerate(files):
        if out and files[out[-1][0]].group.key == planned.group.key:
            out[-1].append(index)
        else:
            out.append([index])
    return out


def _run_groups(
    run: _Run,
    sources: list[str | None],
    renders: RenderAhead | None,
    entries: list[dict[str, Any]],
    result: ExportResult,
) -> None:
    plan = run.plan
    stop: str | None = None
    for group in _groups(plan.files):
        if stop is None and run.cancel is not None and run.cancel.is_set():
            result.cancelled = True
            return
        names = None if stop is not None else _group_names(run, group)
        for index in group:
            planned = plan.files[index]
            if stop is not None or names is None:
                message = stop or (
                    f"No free name for {planned.name} in {plan.folder} "
                    f"(tried {MAX_SUFFIX} suffixes)."
                )
                result.files.append(_failed(plan, planned, message))
                continue
            if run.cancel is not None and run.cancel.is_set():
                result.cancelled = True
                return
            if renders is not None:
                renders.ahead(index)
            try:
                exported, entry = _export_one(run, index, sources[index], names[index], renders)
            except Cancelled:
                result.cancelled = True
                return
            except DestinationError as exc:
                stop = str(exc)
                result.files.append(_failed(plan, planned, stop))
                continue
            finally:
                if renders is not None:
                    renders.drop(index)
            result.files.append(exported)
            if entry is not None:
                entries.append(entry)
            run.tracker.done += 1
            run.tracker.report(exported.name)


def stem_key(name: str) -> str:
    """The part of a name before its first dot, casefolded: files that share it
    share sidecar names (IMG_1.JPG, IMG_1.xmp, IMG_1.JPG.xmp)."""
    return name.casefold().partition(".")[0]


def _group_names(run: _Run, group: list[int]) -> dict[int, str] | None:
    """The names the group's files take (see the module docstring); None when no
    suffix is free."""
    plan = run.plan
    members = [plan.files[i] for i in group]
    first = members[0].group.first_suffix
    for n in range(first, MAX_SUFFIX + 1):
        names = [with_suffix_number(base_name(m.name, m.group), n) for m in members]
        if any(stem_key(name) in run.claimed for name in names):
            continue
        if _free(run, members, names):
            run.claimed.update(stem_key(name) for name in names)
            return dict(zip(group, names, strict=True))
    return None


def _free(run: _Run, members: list[PlannedFile], names: list[str]) -> bool:
    """Whether the group may take `names`: every file already there that shares
    their stems is one of them holding this photo, or a sidecar of theirs this
    exporter wrote. A file of another photo (or the user's) with that stem
    would claim the same sidecars, so the stem is not free."""
    convention = run.plan.request.sidecar_names
    targets = dict(zip(names, members, strict=True))
    sidecars = {side: name for name in names for side in sidecar_names(name, names, convention)}
    for key in {stem_key(name) for name in names}:
        for existing in run.listed().get(key, ()):
            if existing in targets:
                if _identity(run, run.plan.folder / existing, targets[existing]) is None:
                    return False
            elif existing in sidecars:
                owner_name = sidecars[existing]
                if (run.plan.folder / owner_name).exists():
                    continue  # the sidecar of our file (left alone if the user edited it)
                owner = run.previous.get(owner_name, {})
                recorded = (owner.get("sidecar_blake3") or {}).get(existing)
                if not is_ours(run.plan.folder / existing, recorded):
                    return False  # someone's sidecar of that stem: don't adopt it
            else:
                return False
    return True


def _identity(run: _Run, path: Path, planned: PlannedFile) -> str | None:
    """ "same" (this photo, as this exporter left it), "edited" (ours, changed since),
    or None (another file)."""
    entry = run.previous.get(path.name, {})
    kind = entry.get("rendition_requested", entry.get("rendition_long_edge"))
    ours = (
        entry.get("content_hash") == planned.content_hash
        and "file_blake3" in entry
        and kind == run.edge  # a rendition is never taken for a copy, nor one size for another
    )
    try:
        if run.edge is not None:
            from curator.export.rendition import rendition_marker, rendition_marker_of

            if rendition_marker_of(path) != rendition_marker(
                planned.content_hash, run.edge, planned.rotation
            ):
                return None
            if ours and hash_file(path) != entry["file_blake3"]:
                return "edited"
            return "same"
        same_size = planned.size is not None and path.stat().st_size == planned.size
        if same_size and hash_file(path) == planned.content_hash:
            return "same"  # a plain copy (an export before XMP went inside)
        if ours:
            return "same" if hash_file(path) == entry["file_blake3"] else "edited"
        if copy_source(path) == planned.content_hash:
            return "unrecorded"  # ours, but the run that wrote it ended before its manifest
    except OSError:
        return None
    return None


def _existing_source(planned: PlannedFile) -> str | None:
    for path in (planned.source, *planned.other_sources):
        if os.path.isfile(path):
            return path
    return None


def _rel(plan: ExportPlan, name: str) -> str:
    return f"{plan.folder.name}/{name}"


def _failed(plan: ExportPlan, planned: PlannedFile, message: str) -> ExportedFile:
    return ExportedFile(_rel(plan, planned.name), planned.source, FileStatus.FAILED, message)


@dataclass
class _Written:
    """What was written for one file, for its manifest entry."""

    file_blake3: str | None = None
    sidecars: dict[str, str | None] = field(default_factory=dict)  # name → blake3
    size: tuple[int, int] | None = None  # a rendition's pixels
    note: str = ""
    refreshed: bool = False


def _export_one(
    run: _Run, index: int, source: str | None, name: str, renders: RenderAhead | None
) -> tuple[ExportedFile, dict[str, Any] | None]:
    plan, planned = run.plan, run.plan.files[index]
    if source is None:
        message = (
            "The original file is missing (moved, renamed or on a disk that is not "
            "connected); import its folder again to find it."
        )
        return _failed(plan, planned, message), None
    final = plan.folder / name
    identity = _identity(run, final, planned) if final.exists() else None
    if run.dry_run:
        status = FileStatus.SKIPPED_EXISTING if identity else FileStatus.PLANNED
        return ExportedFile(_rel(plan, name), planned.source, status), None
    written = _Written()
    if identity == "edited":
        written.note = "changed since it was exported; left as it is"
        entry = run.previous.get(name, {})
        written.file_blake3 = entry.get("file_blake3")
        return _outcome(run, planned, name, FileStatus.SKIPPED_EXISTING, written, keep=entry)
    try:
        if identity is None:
            _write_new(run, index, planned, source, final, renders, written)
            status = FileStatus.EXPORTED
        elif identity == "unrecorded":
            written.file_blake3 = hash_file(final)  # no record to prove it unedited: kept
            status = FileStatus.SKIPPED_EXISTING
        else:
            _refresh(run, planned, source, final, written)
            status = FileStatus.SKIPPED_EXISTING
    except (SourceProblem, RenderFailed) as exc:
        return _failed(plan, planned, str(exc)), None
    written.sidecars = _sidecars(run, planned, name)
    return _outcome(run, planned, name, status, written)


def _write_new(
    run: _Run,
    index: int,
    planned: PlannedFile,
    source: str,
    final: Path,
    renders: RenderAhead | None,
    written: _Written,
) -> None:
    def progress(n: int) -> None:
        run.tracker.bytes_done += n
        run.tracker.report(final.name)

    if run.edge is not None:
        assert renders is not None
        data = renders.take(index, source)
        written.size = _pixels(data)
        digest = write_file(final, data=data, progress=progress)
    else:
        try:
            embedding = embedding_for(planned, source, final.name)
        except EmbedError as exc:
            embedding, written.note = None, f"no XMP inside: {exc}"
        except OSError:
            embedding = None  # the copy itself says why the original can't be read
        digest = write_file(
            final,
            source=source,
            content_hash=planned.content_hash,
            embedding=embedding,
            progress=progress,
            cancel=run.cancel,
        )
    if digest is None:
        raise DestinationError(
            f"A file appeared at {final} while Curator was writing it; export again."
        )
    run.note(final.name)
    written.file_blake3 = digest


def _refresh(run: _Run, planned: PlannedFile, source: str, final: Path, written: _Written) -> None:
    """Bring the XMP inside our file at `final` up to date (see the module docstring)."""
    entry = run.previous.get(final.name, {})
    try:
        inside = embedded_packet(str(final))
    except (OSError, ValueError):
        inside = None
    try:
        if run.edge is not None:
            want = rendition_packet(planned, run.edge)
            data = final.read_bytes()
            written.size = _pixels(data)
            if inside != want:
                new = with_jpeg_packet(data, lambda _old: want)
                written.file_blake3 = write_file(final, data=new, overwrite_ours=True)
                written.refreshed = True
                return
        elif embedding_for(planned, source, final.name) is not None:
            original = embedded_packet(source)
            if inside != packet(planned, original):
                written.file_blake3 = write_file(
                    final,
                    source=source,
                    content_hash=planned.content_hash,
                    embedding=embedding_for(planned, source, final.name),
                    cancel=run.cancel,
                    overwrite_ours=True,
                )
                written.refreshed = True
                return
    except EmbedError as exc:
        written.note = f"no XMP inside: {exc}"
    except OSError:
        pass
    written.file_blake3 = entry.get("file_blake3") or hash_file(final)


def _sidecars(run: _Run, planned: PlannedFile, name: str) -> dict[str, str | None]:
    """Write or refresh the file's sidecars; name → blake3 (None: left as the user has it)."""
    if run.writer is None:
        return {}
    members = [
        with_suffix_number(base_name(f.name, f.group), _suffix_of(name, planned))
        for f in run.plan.files
        if f.group.key == planned.group.key
    ]
    # Its keywords are those that may leave; a rendition's pixels are turned
    # already, so only a copy of the original carries the photographer's turn.
    fields = planned.xmp if run.edge is None else replace(planned.xmp, orientation=None)
    data = run.writer(fields)
    recorded = run.previous.get(name, {}).get("sidecar_blake3") or {}
    out: dict[str, str | None] = {}
    for side in sidecar_names(name, members, run.plan.request.sidecar_names):
        path = run.plan.folder / side
        if path.exists():
            if not is_ours(path, recorded.get(side)):
                out[side] = None  # the user's (or edited by them): never overwritten
                continue
            if path.read_bytes() != data:
                try:
                    write_sidecar(path, data)
                except OSError as exc:
                    raise destination_error(exc, run.plan.folder) from exc
            out[side] = hash_file(path)
            continue
        digest = write_file(path, data=data)
        run.note(side)
        out[side] = digest
    return out


def _suffix_of(name: str, planned: PlannedFile) -> int:
    base = base_name(planned.name, planned.group)
    for n in range(1, MAX_SUFFIX + 1):
        if with_suffix_number(base, n) == name:
            return n
    return 1


def _pixels(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (OSError, ValueError):
        return None


def _outcome(
    run: _Run,
    planned: PlannedFile,
    name: str,
    status: FileStatus,
    written: _Written,
    keep: dict[str, Any] | None = None,
) -> tuple[ExportedFile, dict[str, Any] | None]:
    plan = run.plan
    sides = [s for s in written.sidecars]
    exported = ExportedFile(
        _rel(plan, name),
        planned.source,
        status,
        message=written.note or None,
        sidecar=_rel(plan, sides[0]) if sides else None,
        refreshed=written.refreshed,
    )
    if keep is not None:
        return exported, dict(keep)
    entry: dict[str, Any] = {
        "file": name,
        **planned.manifest,
        "file_blake3": written.file_blake3,
        "rendition_long_edge": max(written.size) if written.size else run.edge,
        "rendition_requested": run.edge,
        "width": written.size[0] if written.size else None,
        "height": written.size[1] if written.size else None,
        "sidecar": sides[0] if sides else None,
        "sidecars": sides,
        "sidecar_blake3": {k: v for k, v in written.sidecars.items() if v is not None},
        "exported_at": now_iso(),
    }
    return exported, entry
