"""The catalog's read for the faces stage's look again (`ml.faces.relook`).

`frames_to_look_again(version, gap_s)`, two queries: the live photos with a
capture time and a preview whose faces stage is done at `version` with no face
and no note (`records.LOOKED_AGAIN`); then, only if there are any, the frames
with key faces and their boxes. Only frames within `gap_s` of one of the other
become records; camera, time and aspect as `judgments.burst_frames` reads them.

Invariants: reads only; no ml import (plain tuples go out).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from itertools import compress
from typing import TYPE_CHECKING, Any, NamedTuple

from curator.catalog.judgments import stored_datetime
from curator.catalog.models import Photo, Stage, StageStatus

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Box = tuple[float, float, float, float]


class FrameRow(NamedTuple):
    """One frame: its id, camera ("make model", or None), capture time,
    displayed aspect (None when its size is not known) and key faces' boxes
    (fractions of the frame, largest first; empty for a frame to look at again)."""

    photo_id: int
    camera: str | None
    when: datetime
    aspect: float | None
    faces: tuple[Box, ...] = ()


class ToLookAgain(NamedTuple):
    """A frame to look at again and what its request needs."""

    frame: FrameRow
    preview_key: str
    noise_sd: float | None
    sharpness: float | None


_FRAME = "photo.id, camera_make, camera_model, captured_at, width, height"
_LIVE = "photo.deleted_at IS NULL AND photo.captured_at IS NOT NULL"


def frames_to_look_again(version: str, gap_s: float) -> tuple[list[ToLookAgain], list[FrameRow]]:
    """(frames to look at again, frames with key faces): module docstring.
    Only frames shot less than `gap_s` from one of the other list are made
    records (`_near_in_time`): a 100,000-photo catalog's 59,000 frames
    without a face cost 0.8 s as records, its few beside a face nothing."""
    db = Photo._meta.database
    param = db.param
    wanted = db.execute_sql(
        f"SELECT {_FRAME}, preview_key, noise_level, sharpness_score"
        " FROM photo JOIN photo_faces pf ON pf.photo_id = photo.id"
        " JOIN stage_run sr ON sr.photo_id = photo.id"
        f" AND sr.stage = {param} AND sr.status = {param} AND sr.stage_version = {param}"
        f" WHERE {_LIVE} AND photo.preview_key IS NOT NULL"
        f" AND pf.faces = 0 AND pf.note IS NULL AND pf.version = {param}",
        (Stage.FACES.value, StageStatus.DONE.value, version, version),
    ).fetchall()
    if not wanted:
        return [], []
    faced = db.execute_sql(
        f"SELECT {_FRAME}, f.x, f.y, f.w, f.h"
        " FROM photo JOIN face f ON f.photo_id = photo.id"
        f" WHERE {_LIVE} AND f.is_key = 1"
        " ORDER BY photo.id, f.idx"
    ).fetchall()
    if not faced:
        return [], []
    wanted_at, faced_at = _seconds(wanted), _seconds(faced)
    todo = []
    for row in compress(wanted, _near_in_time(wanted_at, faced_at, gap_s)):
        frame = _frame(row[:6])
        if frame is not None:
            todo.append(ToLookAgain(frame, str(row[6]), row[7], row[8]))
    boxes: dict[int, list[Box]] = defaultdict(list)
    frames: dict[int, FrameRow] = {}
    for row in compress(faced, _near_in_time(faced_at, wanted_at, gap_s)):
        pid = int(row[0])
        if pid not in frames:
            frame = _frame(row[:6])
            if frame is None:
                continue
            frames[pid] = frame
        boxes[pid].append((float(row[6]), float(row[7]), float(row[8]), float(row[9])))
    with_faces = [frame._replace(faces=tuple(boxes[pid])) for pid, frame in frames.items()]
    return todo, with_faces


def _seconds(rows: list[tuple[Any, ...]]) -> NDArray[np.float64]:
    """Each row's capture time (its 4th column) in seconds (NaN: unreadable),
    parsed by numpy at once (a stored time is ISO text on SQLite, a datetime
    on PostgreSQL: both print as "2024-05-01 10:00:00.150000")."""
    import numpy as np

    texts = [str(row[3]) for row in rows]
    try:
        stamps = np.array(texts, dtype="datetime64[us]")
    except ValueError:  # one odd value: the rows one by one
        stamps = np.array(
            [stored_datetime(t) or np.datetime64("NaT") for t in texts], dtype="datetime64[us]"
        )
    seconds = stamps.astype(np.int64).astype(np.float64) / 1e6
    seconds[np.isnat(stamps)] = np.nan
    return seconds


def _near_in_time(
    times: NDArray[np.float64], others: NDArray[np.float64], gap_s: float
) -> list[bool]:
    """Whether each of `times` is less than `gap_s` from one of `others`."""
    import numpy as np

    known = np.sort(others[~np.isnan(others)])
    if not len(known):
        return [False] * len(times)
    at = np.clip(np.searchsorted(known, times), 1, len(known)) - 1
    before = np.abs(times - known[at])
    after = np.abs(known[np.clip(at + 1, 0, len(known) - 1)] - times)
    near = np.minimum(before, after) < gap_s
    return np.asarray(near & ~np.isnan(times), dtype=bool).tolist()


def _frame(row: tuple[Any, ...]) -> FrameRow | None:
    pid, make, model, stored_when, width, height = row
    when = stored_datetime(stored_when)
    if when is None:
        return None
    camera = " ".join(str(p) for p in (make, model) if p) or None
    aspect = None
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        aspect = width / height
    return FrameRow(int(pid), camera, when, aspect)


__all__ = ["FrameRow", "ToLookAgain", "frames_to_look_again"]
