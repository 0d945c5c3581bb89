"""A group's copies as the review shows them, and the keeper it suggests.

`copies_of` reads what tells a group's copies apart: format, pixels, file
size, compression (bytes per pixel), folder, sidecar, the decisions on it,
its tags, people and projects. `suggested_keeper` picks the copy to keep and
says why, as a photographer would: the original RAW; else the one you
decided on (rated, picked or labelled), unless another is much larger; else
the largest in pixels, then in bytes; else the first imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

from curator.catalog.backends.bulk_read import fetch_all
from curator.catalog.backends.dialect import chunks
from curator.catalog.backends.named_rows import select_list
from curator.catalog.models import Photo
from curator.catalog.paths_codec import decode_path
from curator.records import FileFormat

MUCH_LARGER = 1.1  # a copy this many times the pixels of a decided one is kept instead


@dataclass(frozen=True)
class DuplicateCopy:
    """One copy of a group, with what tells it apart from the others."""

    photo_id: int
    path: str
    format: str | None
    width: int | None
    height: int | None
    size: int | None  # bytes
    rating: int | None
    picked: bool
    cull: str
    label: str | None
    tags: tuple[str, ...]  # the photographer's own tags
    people: tuple[str, ...]  # the names of its people
    projects: tuple[str, ...]
    has_xmp: bool  # a sidecar beside it

    @property
    def pixels(self) -> int:
        return (self.width or 0) * (self.height or 0)

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path)

    @property
    def bytes_per_pixel(self) -> float | None:
        """Its compression: bytes a pixel (a RAW ~1–2, a good JPEG ~0.3, a web copy ~0.1)."""
        return round(self.size / self.pixels, 3) if self.size and self.pixels else None

    @property
    def decided(self) -> bool:
        return self.rating is not None or self.picked or self.label is not None

    @property
    def rejected(self) -> bool:
        return self.cull == "rejected"


class _CopyRow(NamedTuple):
    """A copy's own columns (each one's SQL beside it)."""

    photo_id: Annotated[int, "id"]
    path: Annotated[bytes, "path"]
    format: Annotated[str | None, "format"]
    width: Annotated[int | None, "width"]
    height: Annotated[int | None, "height"]
    size: Annotated[int | None, "size"]
    rating: Annotated[int | None, "rating"]
    picked: Annotated[int, "picked"]
    cull: Annotated[str, "cull"]
    label: Annotated[str | None, "label"]


def copies_of(photo_ids: Iterable[int], has_sidecar: Callable[[str], bool]) -> list[DuplicateCopy]:
    """The copies of these photos, in id order; `has_sidecar(path)` says whether
    an XMP lies beside a file (interop.xmp.read `sidecar_candidates`: the catalog
    reads no folder)."""
    db = Photo._meta.database
    ids = sorted(set(int(i) for i in photo_ids))
    rows: list[Any] = []
    named: dict[tuple[str, int], list[str]] = {}
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows += fetch_all(
            db.execute_sql(
                f"SELECT {select_list(_CopyRow)} FROM photo WHERE id IN ({marks}) ORDER BY id",
                chunk,
            )
        )
        for what, sql in _NAMES_SQL.items():
            for pid, name in fetch_all(db.execute_sql(sql.format(marks=marks), chunk)):
                named.setdefault((what, int(pid)), []).append(str(name))
    return [_copy(row, named, has_sidecar) for row in rows]


def _copy(
    row: Any, named: dict[tuple[str, int], list[str]], has_sidecar: Callable[[str], bool]
) -> DuplicateCopy:
    r = _CopyRow._make(row)
    decoded, key = decode_path(r.path), int(r.photo_id)

    def names(what: str) -> tuple[str, ...]:
        return tuple(sorted(set(named.get((what, key), []))))

    return DuplicateCopy(
        key, decoded, r.format, r.width, r.height, r.size, r.rating, bool(r.picked),
        str(r.cull), r.label, tags=names("tags"), people=names("people"),
        projects=names("projects"), has_xmp=has_sidecar(decoded),
    )  # fmt: skip


_NAMES_SQL = {
    "tags": "SELECT pt.photo_id, t.name FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id"
    " WHERE pt.photo_id IN ({marks}) AND pt.source = 'user' AND pt.removed_at IS NULL",
    "people": "SELECT f.photo_id, p.name FROM face f JOIN face_person fp ON fp.face_id = f.id"
    " JOIN person p ON p.id = fp.person_id"
    " WHERE f.photo_id IN ({marks}) AND p.name IS NOT NULL AND p.name <> ''",
    "projects": "SELECT pp.photo_id, pr.name FROM project_photo pp"
    " JOIN project pr ON pr.id = pp.project_id WHERE pp.photo_id IN ({marks})",
}


def suggested_keeper(copies: Sequence[DuplicateCopy]) -> tuple[DuplicateCopy, str]:
    """The copy to keep and why, in words (see the module docstring)."""
    if not copies:
        raise ValueError("A group has copies.")
    raws = [c for c in copies if c.format == FileFormat.RAW.value]
    if raws:
        return max(raws, key=lambda c: (c.pixels, c.size or 0, -c.photo_id)), "the original RAW"
    most = max(c.pixels for c in copies)
    decided = [c for c in copies if c.decided and c.pixels * MUCH_LARGER >= most]
    if decided and len(decided) < len(copies):
        best = max(decided, key=lambda c: (c.rating or 0, c.picked, c.pixels, -c.photo_id))
        return best, "the one you rated" if best.rating is not None else "the one you decided on"
    ranked = sorted(copies, key=lambda c: (-c.pixels, -(c.size or 0), c.photo_id))
    best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else None
    kind = (best.format or "file").upper()
    if runner_up is None or best.pixels > runner_up.pixels:
        return best, f"the largest {kind}"
    if (best.size or 0) > (runner_up.size or 0):
        return best, "the largest file"
    return best, "the first imported"
