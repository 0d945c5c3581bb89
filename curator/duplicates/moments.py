"""Whether two photos' EXIF says they are different moments.

A duplicate is one exposure stored twice; a burst's frames, a bracket's and
a re-shot pose are different exposures however alike they look. Two photos
are different moments when both carry what tells them apart and it differs:
the capture time (to the second), the sub-second, the camera's sequence
number, the exposure (time, aperture, ISO, bias: a bracket). A photo with
no capture time (a web copy, a screenshot) says nothing: it may be a copy of
either. Pure.
"""

from __future__ import annotations

from curator.records import DuplicateInput

_RELATIVE = 0.01  # exposure figures closer than this are the same (rounding in EXIF)


def _differ(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) > _RELATIVE * max(abs(a), abs(b), 1e-9)


def different_moments(a: DuplicateInput, b: DuplicateInput) -> str | None:
    """Why `a` and `b` are different moments, in words; None when nothing says so."""
    if a.captured_at is None or b.captured_at is None:
        return None
    if a.captured_at.replace(microsecond=0) != b.captured_at.replace(microsecond=0):
        return "taken at different times"
    if None not in (a.capture_subsec, b.capture_subsec) and a.capture_subsec != b.capture_subsec:
        return "frames of a burst (the same second, a different instant)"
    if None not in (a.sequence_number, b.sequence_number) and (
        a.sequence_number != b.sequence_number
    ):
        return "frames of a sequence (the camera's counter differs)"
    if (a.exposure_bias is not None and b.exposure_bias is not None) and abs(
        a.exposure_bias - b.exposure_bias
    ) > 0.05:
        return "frames of a bracket (a different exposure bias)"
    if any(
        _differ(x, y)
        for x, y in (
            (a.exposure_time, b.exposure_time),
            (a.f_number, b.f_number),
            (a.iso, b.iso),
        )
    ):
        return "different exposures (a bracket or a re-shot frame)"
    return None
