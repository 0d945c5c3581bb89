"""Running an export plan: only file work (no catalog, no Qt).

`run_export(plan, progress=, cancel=)` writes each planned photo into the
plan's folder, then its XMP sidecar, then the folder's `manifest.json`.

The protocol, per file (this is what makes cancel, Ctrl+C and kill safe):
1. Pick the name: the planned name, else `name-2`, `name-3`… A candidate
   already on disk is *this photo* when it holds the same bytes (an original:
   the same size and blake3 as the catalog's content hash) or is our
   rendition of it (its JPEG comment names the content hash and long edge):
   the file is `skipped_existing`, nothing is written. Any other file there
   (or a sidecar of that stem) is never touched: the next suffix is tried.
2. Write to a temporary name in the same folder (`.curator-tmp-<pid>-…`,
   hidden, created exclusively), streaming: an original is copied in chunks
   while hashed (a source that no longer matches its catalog hash fails
   instead of exporting other bytes), then gets the original's times
   (`shutil.copystat`, as `shutil.copy2` does); fsync.
3. Publish without overwriting: `os.link(tmp, final)` fails if a file
   appeared at the final name meanwhile (then step 1 goes on with the next
   suffix); on file systems without hard links (FAT, exFAT, some network
   shares) `os.replace` after a last existence check. The temporary name is
   removed in a `finally`, so cancel, Ctrl+C or an error leave no temp file;
   a SIGKILL can leave one, which the next run in that folder removes (its
   owner process is gone). No partial file ever sits at a final name.
4. The sidecar (`name.xmp`), written the same way, only when none exists.

Cancel is checked between files and between chunks of a copy; what was
finished stays, and the manifest lists it. A re-run completes the export:
finished files are found by step 1 and skipped.

A full or read-only destination stops the run: the remaining files fail
with that sentence instead of each failing slowly on its own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import blake3

from curator.export.manifest import merge_entries, now_iso, read_entries, write_manifest
from curator.export.names import sidecar_name, with_suffix_number
from curator.export.plan import ExportPlan, PlannedFile
from curator.export.render_ahead import (
    RawRender,
    RenderAhead,
    RenderFailed,
    read_sentence,
    render_isolated,
)
from curator.export.types import ExportedFile, ExportProgress, ExportResult, FileStatus
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.write import sidecar_xml

TMP_PREFIX = ".curator-tmp-"
CHUNK = 4 * 1024 * 1024
MAX_SUFFIX = 9999

ProgressFn = Callable[[ExportProgress], None]
SidecarFn = Callable[[XmpFields], bytes]


class _Cancelled(Exception):
    pass


class _DestinationError(Exception):
    """The destination itself cannot be written (full, read-only): stop the run."""


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
    writer = sidecar
    request = plan.request
    result = ExportResult(dest=request.dest)
    tracker = _Tracker(len(plan.files), progress, time.monotonic())
    folder = plan.folder
    if not request.dry_run and plan.files:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            result.error = str(_destination_error(exc, folder))
            result.files = [_failed(plan, planned, result.error) for planned in plan.files]
            return result
        remove_stale_temps(folder)
    tracker.report()
    claimed: set[str] = set()
    entries: list[dict[str, Any]] = []
    sources = [_existing_source(planned) for planned in plan.files]
    edge = request.renditions_long_edge
    renders = None
    if edge is not None and not request.dry_run:
        count = workers if workers is not None else min(2, os.cpu_count() or 1)
        renders = RenderAhead(folder, plan.files, sources, edge, count, raw_render=raw_render)
    try:
        _run_files(plan, sources, renders, claimed, entries, writer, tracker, cancel, result)
    finally:
        if renders is not None:
            renders.close()
    if not request.dry_run and entries:
        previous = read_entries(folder)
        try:
            write_manifest(folder, plan.set_name, merge_entries(previous, entries, folder))
        except OSError as exc:
            why = _destination_error(exc, folder)
            result.error = (
                f"The exported files are complete, but manifest.json was not written: {why}"
            )
    return result


def _run_files(
    plan: ExportPlan,
    sources: list[str | None],
    renders: RenderAhead | None,
    claimed: set[str],
    entries: list[dict[str, Any]],
    writer: SidecarFn | None,
    tracker: _Tracker,
    cancel: threading.Event | None,
    result: ExportResult,
) -> None:
    stop: str | None = None
    for index, planned in enumerate(plan.files):
        if stop is not None:
            result.files.append(_failed(plan, planned, stop))
            continue
        if cancel is not None and cancel.is_set():
            result.cancelled = True
            break
        if renders is not None:
            renders.ahead(index)
        source = sources[index]

        def render(index: int = index, source: str | None = source) -> bytes:
            assert renders is not None and source is not None
            return renders.take(index, source)

        try:
            exported, entry = _export_one(
                plan, planned, source, render, claimed, writer, tracker, cancel
            )
        except _Cancelled:
            result.cancelled = True
            break
        except _DestinationError as exc:
            stop = str(exc)
            result.files.append(_failed(plan, planned, stop))
            continue
        finally:
            if renders is not None:
                renders.drop(index)
        result.files.append(exported)
        if entry is not None:
            entries.append(entry)
        tracker.done += 1
        tracker.report(exported.name)


def remove_stale_temps(folder: Path) -> None:
    """Remove temporary files a killed export left in `folder` (their process is gone)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(TMP_PREFIX):
            continue
        pid_text = name[len(TMP_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            (folder / name).unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours from an earlier run in this process: none can be running
    if os.name != "posix":
        return False  # an open file can't be removed on Windows anyway
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rel(plan: ExportPlan, name: str) -> str:
    return f"{plan.folder.name}/{name}"


def _failed(plan: ExportPlan, planned: PlannedFile, message: str) -> ExportedFile:
    return ExportedFile(_rel(plan, planned.name), planned.source, FileStatus.FAILED, message)


def _export_one(
    plan: ExportPlan,
    planned: PlannedFile,
    source: str | None,
    render: Callable[[], bytes],
    claimed: set[str],
    writer: SidecarFn | None,
    tracker: _Tracker,
    cancel: threading.Event | None,
) -> tuple[ExportedFile, dict[str, Any] | None]:
    request = plan.request
    edge = request.renditions_long_edge
    if source is None:
        message = (
            "The original file is missing (moved, renamed or on a disk that is not "
            "connected); import its folder again to find it."
        )
        return _failed(plan, planned, message), None
    data: bytes | None = None  # the rendition, made once a name needs it
    for n in range(1, MAX_SUFFIX + 1):
        name = with_suffix_number(planned.name, n)
        if name.casefold() in claimed:
            continue
        final = plan.folder / name
        if final.exists():
            if _is_this_photo(final, planned, edge):
                claimed.add(name.casefold())
                status = FileStatus.SKIPPED_EXISTING
                side = _sidecar(plan, name, planned, writer, dry_run=request.dry_run)
                return _outcome(plan, planned, name, status, side, edge)
            continue
        if (plan.folder / sidecar_name(name)).exists():
            continue  # someone's sidecar of that stem: don't adopt it
        if request.dry_run:
            claimed.add(name.casefold())
            return _outcome(plan, planned, name, FileStatus.PLANNED, None, edge)
        if edge is not None and data is None:
            try:
                data = render()
            except RenderFailed as exc:
                return _failed(plan, planned, str(exc)), None
        try:
            published = _write_file(source, final, planned, data, tracker, cancel)
        except _SourceProblem as exc:
            return _failed(plan, planned, str(exc)), None
        if not published:
            continue  # a file appeared at that name meanwhile
        claimed.add(name.casefold())
        side = _sidecar(plan, name, planned, writer, dry_run=False)
        return _outcome(plan, planned, name, FileStatus.EXPORTED, side, edge)
    message = f"No free name for {planned.name} in {plan.folder} (tried {MAX_SUFFIX} suffixes)."
    return _failed(plan, planned, message), None


def _existing_source(planned: PlannedFile) -> str | None:
    for path in (planned.source, *planned.other_sources):
        if os.path.isfile(path):
            return path
    return None


def _outcome(
    plan: ExportPlan,
    planned: PlannedFile,
    name: str,
    status: FileStatus,
    sidecar: str | None,
    edge: int | None,
) -> tuple[ExportedFile, dict[str, Any] | None]:
    exported = ExportedFile(
        _rel(plan, name),
        planned.source,
        status,
        sidecar=_rel(plan, sidecar) if sidecar else None,
    )
    if status is FileStatus.PLANNED:
        return exported, None
    entry = {
        "file": name,
        **planned.manifest,
        "rendition_long_edge": edge,
        "sidecar": sidecar,
        "exported_at": now_iso(),
    }
    return exported, entry


# --- identity of what is already there ----------------------------------------


def _is_this_photo(path: Path, planned: PlannedFile, edge: int | None) -> bool:
    if edge is not None:
        from curator.export.rendition import rendition_marker, rendition_marker_of

        return rendition_marker_of(path) == rendition_marker(planned.content_hash, edge)
    try:
        if planned.size is not None and path.stat().st_size != planned.size:
            return False
        return _hash_file(path) == planned.content_hash
    except OSError:
        return False


def _hash_file(path: Path) -> str:
    hasher = blake3.blake3(max_threads=1)
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


# --- writing ---------------------------------------------------------------------


class _SourceProblem(Exception):
    """This original cannot be exported (the sentence says why); others can."""


def _temp_path(folder: Path, name: str) -> Path:
    return folder / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{name}"


def _write_file(
    source: str,
    final: Path,
    planned: PlannedFile,
    data: bytes | None,
    tracker: _Tracker,
    cancel: threading.Event | None,
) -> bool:
    """Write the file under a temporary name and publish it at `final`; False when
    `final` was taken meanwhile. Raises _SourceProblem, _DestinationError, _Cancelled."""
    tmp = _temp_path(final.parent, final.name)
    try:
        try:
            out = open(tmp, "xb")  # noqa: SIM115 (closed below, before publishing)
        except OSError as exc:
            raise _destination_error(exc, final.parent) from exc
        with out:
            if data is not None:
                _write(out, data, final.parent)
                tracker.bytes_done += len(data)
            else:
                _copy(source, out, planned, tracker, cancel, final)
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _destination_error(exc, final.parent) from exc
        if data is None:
            shutil.copystat(source, tmp)  # times and mode, as shutil.copy2
            # ...but the copy stays the user's to rename or delete (originals are
            # often read-only on the card or archive they were imported from).
            os.chmod(tmp, stat.S_IMODE(os.stat(tmp).st_mode) | stat.S_IWUSR)
        return _publish(tmp, final)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _copy(
    source: str,
    out: Any,
    planned: PlannedFile,
    tracker: _Tracker,
    cancel: threading.Event | None,
    final: Path,
) -> None:
    hasher = blake3.blake3(max_threads=1)
    try:
        src = open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise _SourceProblem(read_sentence(exc)) from exc
    with src:
        while True:
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            try:
                chunk = src.read(CHUNK)
            except OSError as exc:
                raise _SourceProblem(read_sentence(exc)) from exc
            if not chunk:
                break
            hasher.update(chunk)
            _write(out, chunk, final.parent)
            tracker.bytes_done += len(chunk)
            if len(chunk) == CHUNK:
                tracker.report(final.name)
    if hasher.hexdigest() != planned.content_hash:
        raise _SourceProblem(
            "The original file has changed since it was imported; import its folder "
            "again, then export."
        )


def _write(out: Any, data: bytes, folder: Path) -> None:
    try:
        out.write(data)
    except OSError as exc:
        raise _destination_error(exc, folder) from exc


def _destination_error(exc: OSError, folder: Path) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _DestinationError(f"The destination disk is full ({folder}); nothing more fits.")
    if exc.errno == errno.EROFS:
        return _DestinationError(f"The destination {folder} is on a read-only disk.")
    if isinstance(exc, PermissionError):
        return _DestinationError(f"Curator may not write into {folder} (permission denied).")
    return _DestinationError(f"Writing into {folder} failed ({exc.strerror or exc}).")


def _publish(tmp: Path, final: Path) -> bool:
    """Give `tmp` the name `final` without ever replacing a file there."""
    try:
        os.link(tmp, final)
        return True
    except FileExistsError:
        return False
    except OSError:
        pass  # no hard links on this file system: check, then rename
    if final.exists():
        return False
    try:
        os.replace(tmp, final)
    except OSError as exc:
        raise _destination_error(exc, final.parent) from exc
    return True


def _sidecar(
    plan: ExportPlan,
    name: str,
    planned: PlannedFile,
    writer: SidecarFn | None,
    *,
    dry_run: bool,
) -> str | None:
    """Write `name`'s sidecar when none exists; its name, or None without a writer."""
    if writer is None:
        return None
    side = sidecar_name(name)
    path = plan.folder / side
    if dry_run or path.exists():
        return side
    data = writer(planned.xmp)
    tmp = _temp_path(plan.folder, side)
    try:
        try:
            with open(tmp, "xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise _destination_error(exc, plan.folder) from exc
        _publish(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return side
