"""The sentences the export dialog shows (pure functions over the export value
types; no Qt): `preview_text` (what a dry run will send), `progress_text`
and `summary_text` (what a finished or cancelled export did, with the first
failure's reason).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from curator.engine.progress import duration_text
from curator.export.types import ExportProgress, ExportResult, FileStatus


def photos(n: int) -> str:
    return f"{n} photo" if n == 1 else f"{n} photos"


def export_folder(result: ExportResult) -> Path:
    """The folder under DEST the files go to (DEST/approved, DEST/<project>):
    the first path component of the files' names, which are relative to DEST."""
    for f in result.files:
        parts = PurePosixPath(f.name.replace("\\", "/")).parts
        if len(parts) > 1:
            return result.dest / parts[0]
    return result.dest


def preview_text(
    result: ExportResult,
    folder: Path | None = None,
    *,
    project: str | None = None,
    left_out: int = 0,
) -> str:
    """What Export would do now (from a dry run that wrote nothing)."""
    new = result.count(FileStatus.PLANNED) + result.count(FileStatus.EXPORTED)
    there = result.count(FileStatus.SKIPPED_EXISTING)
    folder = folder or export_folder(result)
    if new == 0 and there == 0:
        if project is None:
            return (
                "Nothing to export: no photo is approved yet (approved: kept, picked or "
                "rated by you, not rejected, and rated 4–5, picked, or a MATCH)."
            )
        why = f" ({left_out} rejected, missing or deleted)" if left_out else ""
        return f"Nothing to export: the project {project!r} has no photo to send{why}."
    if new == 0:
        text = f"All {photos(there)} are already in {folder}: nothing new to export"
    else:
        text = f"{photos(new)} will go out to {folder}"
        if there:
            text += f" ({there} already there will be left as they are)"
    if left_out:
        text += f"; {left_out} of the project's photos stay home (rejected, missing or deleted)"
    return text + "."


def progress_text(p: ExportProgress) -> str:
    """The line under the progress bar: count, rate and time left."""
    text = f"{p.done} / {p.total}"
    if p.done and p.elapsed_s > 0:
        text += f" · {p.rate:.1f} photos/s"
        eta = p.eta_s
        if eta is not None and p.done < p.total:
            text += f" · about {duration_text(eta)} left"
    return text


def first_failure(result: ExportResult) -> str | None:
    for f in result.files:
        if f.status is FileStatus.FAILED:
            reason = f.message or "no reason given"
            return f"{PurePosixPath(f.name).name or f.source}: {reason}"
    return None


def summary_text(result: ExportResult, folder: Path | None = None) -> str:
    """One sentence (two with a failure) about what went out."""
    exported = result.count(FileStatus.EXPORTED)
    there = result.count(FileStatus.SKIPPED_EXISTING)
    failed = result.count(FileStatus.FAILED)
    if result.cancelled:
        return f"Cancelled: {exported} exported; run Export again to finish."
    parts = [f"{photos(exported)} exported to {folder or export_folder(result)}"]
    if there:
        parts.append(f"{there} already there")
    if failed:
        parts.append(f"{failed} failed")
    text = ", ".join(parts) + "."
    if result.error:  # what stopped the export as a whole (the manifest, say)
        text += f" {result.error}"
    reason = first_failure(result)
    if reason:
        text += f" First failure: {reason}"
        if not text.endswith((".", ")")):
            text += "."
    return text
