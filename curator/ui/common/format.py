"""Human-readable text for photo fields (pure functions; no Qt)."""

from __future__ import annotations

from datetime import datetime

from curator.catalog.types import GalleryRow
from curator.cull.table import ev_text  # the CLIPPED badge says an EV the same way


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


def sharpness_text(row: GalleryRow) -> str:
    """The score, or why there is none ("too small to judge"); a score lowered for
    a reason says it: '12 / 100 · focus missed the subject'."""
    if row.sharpness_score is None and row.sharpness_note:
        return row.sharpness_note
    if row.sharpness_note:
        return f"{score_text(row.sharpness_score)} · {row.sharpness_note}"
    return score_text(row.sharpness_score)


def exposure_score_text(row: GalleryRow) -> str:
    """'62 / 100 · ≈ −1.3 EV' with whatever is known."""
    parts = [score_text(row.exposure_score)]
    if row.exposure_score is not None and row.exposure_ev is not None:
        parts.append(ev_text(row.exposure_ev))
    return " · ".join(parts)


def state_text(row: GalleryRow) -> str:
    state = {"kept": "Kept", "rejected": "Rejected"}.get(row.cull, "Unreviewed")
    if row.picked:
        state += " · Pick"
    return state


def rating_text(rating: int | None) -> str:
    return "★" * rating + "☆" * (5 - rating) if rating else "no rating"


def ago(seconds: float) -> str:
    """ "2 s", "3 min", "1 h 5 min" """
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"
