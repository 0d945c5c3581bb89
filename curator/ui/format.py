"""Human-readable text for photo fields (pure functions; no Qt)."""

from __future__ import annotations

from datetime import datetime

from curator.catalog.queries import GalleryRow
from curator.pipeline.progress import duration_text

__all__ = ["duration_text"]


def exposure_text(row: GalleryRow) -> str:
    """'1/250 s · f/2.8 · ISO 200 · 35 mm' with whatever is known."""
    parts = []
    if row.exposure_time:
        t = row.exposure_time
        parts.append(f"1/{round(1 / t)} s" if t < 0.5 else f"{t:g} s")
    if row.f_number:
        parts.append(f"f/{row.f_number:g}")
    if row.iso:
        parts.append(f"ISO {row.iso}")
    if row.focal_length:
        parts.append(f"{row.focal_length:g} mm")
    return " · ".join(parts) or "—"


def when_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "unknown"


def score_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} / 100"


def state_text(row: GalleryRow) -> str:
    state = {"kept": "Kept", "rejected": "Rejected"}.get(row.cull, "Unreviewed")
    if row.picked:
        state += " · Pick"
    return state


def rating_text(rating: int | None) -> str:
    return "★" * rating + "☆" * (5 - rating) if rating else "no rating"
