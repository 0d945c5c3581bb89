"""Warnings about a photo's capture data for the loupe's side panel (pure).

- a camera clock never set: a photo taken in the first hour of a 1 January
  (cameras count up from a default date) or before 1995 is flagged;
- a capture date more than a day in the future;
- measured on a small embedded preview (the RAW could not be decoded).
"""

from __future__ import annotations

from datetime import datetime, timedelta

EARLIEST_PLAUSIBLE_YEAR = 1995


def clock_warning(captured_at: datetime | None, now: datetime) -> str | None:
    """A short warning when the capture time looks wrong, else None."""
    if captured_at is None:
        return None
    if captured_at.year < EARLIEST_PLAUSIBLE_YEAR:
        return "camera clock probably never set"
    if captured_at.month == 1 and captured_at.day == 1 and captured_at.hour == 0:
        return "camera clock probably never set (a camera's default date)"
    if captured_at > now + timedelta(days=1):
        return "in the future: the camera clock is wrong"
    return None


def measured_text(metrics_source: str | None) -> str:
    """What the sharpness and exposure scores were measured on."""
    return {
        "image": "the full image",
        "raw_half": "the RAW (half size)",
        "raw_embedded": "the camera's embedded JPEG",
        "raw_preview": "the small embedded preview (RAW not decodable): less reliable",
    }.get(metrics_source or "", "—")
