"""A photo's key faces as the catalog stores them: the `face` rows marked
`is_key`, read by one row type (`KeyFaceRow`) as `Face` or `KeyEyes` records, for the
proposal plan (catalog.proposals.plan) and the burst star's eyes
(`judgments.key_eyes`).

Rules: an eyes value this version does not know reads UNKNOWN and a gaze it
does not know None, so a newer catalog's faces still read; a key face is
judged. Rows come in the stage's order: by photo, then its `idx`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, NamedTuple, TypeVar

from curator.catalog.backends.named_rows import select_list
from curator.records import EyeState, Face, KeyEyes, Looking

R = TypeVar("R")
_EYES = {e.value: e for e in EyeState}
_LOOKS = {v.value: v for v in Looking}


class KeyFaceRow(NamedTuple):
    """A key face's stored columns (its box, size, eyes, look and sharpness)."""

    photo_id: Annotated[int, "face.photo_id"]
    x: Annotated[float, "face.x"]
    y: Annotated[float, "face.y"]
    w: Annotated[float, "face.w"]
    h: Annotated[float, "face.h"]
    size_px: Annotated[int, "face.size_px"]
    eyes: Annotated[str, "face.eyes"]
    openness: Annotated[float | None, "face.openness"]
    smile: Annotated[float | None, "face.smile"]
    looking: Annotated[str | None, "face.looking"]
    sharpness: Annotated[float | None, "face.sharpness"]

    def face(self) -> Face:
        """The key face as a record (see the module docstring's rules)."""
        return Face(
            (float(self.x), float(self.y), float(self.w), float(self.h)),
            int(self.size_px),
            True,
            eyes=_EYES.get(self.eyes, EyeState.UNKNOWN),
            openness=None if self.openness is None else float(self.openness),
            key=True,
            smile=None if self.smile is None else float(self.smile),
            looking=_LOOKS.get(self.looking) if self.looking is not None else None,
            sharpness=None if self.sharpness is None else float(self.sharpness),
        )

    def key_eyes(self) -> KeyEyes:
        """`KeyEyes.of` the key face, without the `Face` between (a 50,000-frame
        burst read makes 100,000 of them)."""
        return KeyEyes.at(
            (float(self.x), float(self.y), float(self.w), float(self.h)),
            None if self.openness is None else float(self.openness),
            _EYES.get(self.eyes, EyeState.UNKNOWN),
            None if self.smile is None else float(self.smile),
            _LOOKS.get(self.looking) if self.looking is not None else None,
            None if self.sharpness is None else float(self.sharpness),
        )


def key_faces_sql(join: str = "", where: str = "") -> str:
    """The SELECT of key faces' `KeyFaceRow` columns, in the stage's order;
    `join` (" JOIN photo ON …") and `where` (" AND …") narrow it."""
    return (
        f"SELECT {select_list(KeyFaceRow)} FROM face{join} WHERE face.is_key = 1{where}"
        " ORDER BY face.photo_id, face.idx"
    )


def key_faces_of(
    rows: Iterable[Sequence[Any]], record: Callable[[KeyFaceRow], R]
) -> dict[int, tuple[R, ...]]:
    """`key_faces_sql`'s rows as each photo's key faces, by photo id, each made
    by `record` (`KeyFaceRow.face` or `KeyFaceRow.key_eyes`)."""
    out: defaultdict[int, list[R]] = defaultdict(list)
    for row in map(KeyFaceRow._make, rows):
        out[int(row.photo_id)].append(record(row))
    return {pid: tuple(found) for pid, found in out.items()}
