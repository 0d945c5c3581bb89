"""The duplicates review's words (no Qt): what each copy shows under it, the
group line, and the keys, as one table that drives both the key handling
(`ui.duplicates.review`) and the line of hints under the copies.

A copy's caption says what tells the copies of one picture apart: its
format, pixels, file size and compression (bytes a pixel), its folder, a
sidecar beside it, the decisions on it and the names of its people.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from curator.catalog.duplicates.keeper import DuplicateCopy

NONE_FOUND = "No near-duplicates: every picture is stored once."
KEEP = "KEEP"
MAX_KEYED_COPIES = 9  # 1–9 choose a copy


@dataclass(frozen=True)
class ReviewKey:
    action: str  # what the review does (`DuplicatesReview.act`)
    keys: tuple[str, ...]  # QKeySequence portable text
    says: str  # the hint, shown once for the keys of one action


KEYS: tuple[ReviewKey, ...] = (
    ReviewKey("keeper_previous", ("Left",), "← / → or 1–9 choose the keeper"),
    ReviewKey("keeper_next", ("Right",), ""),
    *(ReviewKey(f"keeper_{n}", (str(n),), "") for n in range(1, MAX_KEYED_COPIES + 1)),
    ReviewKey("resolve", ("Return", "Enter"), "Enter keeps it, rejects the others"),
    ReviewKey("next", ("N", "Space"), "N / Space next group"),
    ReviewKey("previous", ("P",), "P back"),
    ReviewKey("apart", ("A",), "A: the copy under the pointer is not a duplicate"),
    ReviewKey("zoom", ("Z",), "Z zoom"),
    ReviewKey("undo", ("Ctrl+Z",), "Ctrl+Z undo"),
    ReviewKey("close", ("Esc",), "Esc close"),
)


def hints() -> str:
    """The keys in one line, from `KEYS`."""
    return "  ·  ".join(k.says for k in KEYS if k.says)


def group_line(index: int, count: int, copies: int) -> str:
    """ "Group 3 of 12 · 3 copies" (or the sentence when there are none)."""
    if count == 0:
        return NONE_FOUND
    return f"Group {index + 1} of {count} · {copies} copies"


def size_text(size: int | None) -> str:
    if not size:
        return "? B"
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} B"


def file_line(copy: DuplicateCopy) -> str:
    """ "JPEG · 3000×2000 · 2.1 MB · 0.35 B/px · XMP" """
    parts = [(copy.format or "file").upper()]
    parts.append(f"{copy.width}×{copy.height}" if copy.width and copy.height else "?×?")
    parts.append(size_text(copy.size))
    if copy.bytes_per_pixel is not None:
        parts.append(f"{copy.bytes_per_pixel:.2f} B/px")
    if copy.has_xmp:
        parts.append("XMP")
    return " · ".join(parts)


def decisions_line(copy: DuplicateCopy) -> str:
    """ "★★★ · picked · red · rejected", or "no decisions"."""
    parts = []
    if copy.rating:
        parts.append("★" * copy.rating)
    if copy.picked:
        parts.append("picked")
    if copy.label:
        parts.append(copy.label)
    if copy.cull in ("kept", "rejected"):
        parts.append(copy.cull)
    return " · ".join(parts) or "no decisions"


def people_line(copy: DuplicateCopy) -> str:
    return ", ".join(copy.people) if copy.people else ""


def caption_lines(copy: DuplicateCopy) -> list[str]:
    """What the copy shows under it, a line each: name, file, folder, decisions
    (and its people's names when it has any)."""
    decided = decisions_line(copy)
    people = people_line(copy)
    return [
        os.path.basename(copy.path),
        file_line(copy),
        copy.folder,
        f"{decided} · {people}" if people else decided,
    ]


def keeper_title(copy: DuplicateCopy, keeper_id: int, why: str) -> str:
    """The pane's title: "KEEP — the original RAW" for the keeper, else "copy"."""
    if copy.photo_id == keeper_id:
        return f"{KEEP} — {why}"
    return "rejected copy" if copy.rejected else "copy"


def resolved_text(copies: Sequence[DuplicateCopy]) -> str | None:
    """ "Resolved: inn.jpg kept" when one copy is left and the others rejected."""
    live = [c for c in copies if not c.rejected]
    if len(live) != 1 or len(copies) < 2:
        return None
    return f"Resolved: {os.path.basename(live[0].path)} kept, the others rejected"
