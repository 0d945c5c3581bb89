"""The sentences the ingest dialog shows (pure functions over the ingest's
value types; no Qt), so each can be tested on its own.

- `preview_text(preview)`: "412 photos (12.3 GB) in /media/card/DCIM; 410 to
  copy, 2 ingested before. /photos has 120 GB free." (or the refusal);
- `names_text(preview)`: the first names, card name → new name;
- `progress_text(p)`: "123 of 412 photos · 3.1 of 12.3 GB · 95 MB/s · about
  2 min left";
- `done_text(result)`: the summary of `curator.ingest.summary`, one fact a line.
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
    for root, free in preview.free:
        if free is not None:
            short = " — not enough for this card" if free < preview.size else ""
            text += f" {root} has {human_bytes(free)} free{short}."
    if preview.problems == 1:
        text += " 1 file can't be read (it is listed after the ingest)."
    elif preview.problems:
        text += f" {preview.problems:,} files can't be read (they are listed after the ingest)."
    return text


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
