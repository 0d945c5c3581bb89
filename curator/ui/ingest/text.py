"""The sentences the ingest dialog shows (pure functions over the ingest's
value types; no Qt): `preview_text` (what will be copied, what is skipped,
the space free, or how much to free when it will not fit: `fits`),
`names_text` (the first names, card name → new name), `progress_text` and
`done_text` (the summary of `curator.ingest.summary`).
"""

from __future__ import annotations

from curator.engine.progress import duration_text
from curator.ingest.summary import headline, summary_lines
from curator.ingest.types import IngestProgress, IngestResult, human_bytes
from curator.ui.ingest.controller import IngestPreview


def photos(n: int) -> str:
    return f"{n:,} photo" if n == 1 else f"{n:,} photos"


def preview_text(preview: IngestPreview) -> str:
    """What Ingest would do now (a plan that wrote nothing)."""
    if preview.error:
        return preview.error
    if preview.photos == 0:
        return f"No photo in {preview.request.source}: nothing to ingest."
    text = f"{photos(preview.photos)} ({human_bytes(preview.size)}) in {preview.request.source}"
    if preview.known:
        text += f"; {preview.known:,} were ingested before and are skipped"
    text += "."
    for d, (root, free) in enumerate(preview.free):
        if free is None:
            continue
        text += f" {root} has {human_bytes(free)} free"
        short = preview.short[d] if d < len(preview.short) else 0
        if short:
            owed = human_bytes(preview.owed[d])
            text += (
                f", not enough for the {owed} to copy there: free {human_bytes(short)} more "
                "first, or Curator copies the photos that fit and then says what is left"
            )
        text += "."
    if preview.problems == 1:
        text += " 1 file can't be read (it is listed after the ingest)."
    elif preview.problems:
        text += f" {preview.problems:,} files can't be read (they are listed after the ingest)."
    return text


def fits(preview: IngestPreview) -> bool:
    """Every destination has room for what it is to be copied (as far as known)."""
    return not any(preview.short)


def names_text(preview: IngestPreview) -> str:
    """The first names the photos get, one per line (card name → new name)."""
    lines = []
    for name in preview.names:
        if name.copy:
            lines.append(f"{name.source}  →  {name.target}")
        else:
            lines.append(f"{name.source}  (ingested before: skipped)")
    return "\n".join(lines)


def progress_text(p: IngestProgress) -> str:
    parts = [
        f"{p.photos_done:,} of {photos(p.photos_total)}",
        f"{human_bytes(p.bytes_done)} of {human_bytes(p.bytes_total)}",
    ]
    rate, eta = p.rate, p.eta_s
    if rate is not None:
        parts.append(f"{human_bytes(rate)}/s")
    if eta is not None and p.bytes_done < p.bytes_total:
        parts.append(f"about {duration_text(eta)} left")
    return " · ".join(parts)


def done_text(result: IngestResult) -> str:
    return "\n".join([headline(result), *summary_lines(result)])
