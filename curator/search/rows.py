"""What a list of search hits shows of each photo (the CLI's lines and --json):
plain dataclasses, deleted photos left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, NamedTuple

from curator.catalog.backends.dialect import chunks
from curator.catalog.backends.named_rows import select_list
from curator.catalog.missing import last_known_path
from curator.catalog.models import Photo
from curator.catalog.paths_codec import display_path

__all__ = ["HitRow", "hit_rows"]


@dataclass(frozen=True)
class HitRow:
    """One found photo as people read it."""

    photo_id: int
    path: str  # printable (undecodable bytes as U+FFFD); the last known one if missing
    rating: int | None
    cull: str
    picked: bool
    subject: str | None
    tags: tuple[str, ...]  # live tags (user and AI), sorted
    missing: bool


class _Columns(NamedTuple):
    """One photo's columns as `_COLUMNS_SQL` reads them."""

    id: Annotated[int, "p.id"]
    path: Annotated[bytes, "p.path"]
    rating: Annotated[int | None, "p.rating"]
    cull: Annotated[str, "p.cull"]
    picked: Annotated[int, "p.picked"]
    missing: Annotated[int, "p.missing_since IS NOT NULL"]
    subject: Annotated[str | None, "d.subject"]


_COLUMNS_SQL = (
    f"SELECT {select_list(_Columns)} FROM photo p LEFT JOIN description d ON d.photo_id = p.id"
)


def hit_rows(photo_ids: Iterable[int]) -> dict[int, HitRow]:
    """The rows of these photos, by id (unknown or deleted ids are left out)."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    db = Photo._meta.database
    out: dict[int, HitRow] = {}
    for chunk in chunks(ids):  # stay under SQLite's variable limit
        marks = ", ".join("?" * len(chunk))
        tags: dict[int, list[str]] = defaultdict(list)
        for pid, name in db.execute_sql(
            "SELECT pt.photo_id, t.name FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id"
            f" WHERE pt.photo_id IN ({marks}) AND pt.removed_at IS NULL ORDER BY t.name",
            chunk,
        ):
            tags[int(pid)].append(str(name))
        found = db.execute_sql(
            f"{_COLUMNS_SQL} WHERE p.id IN ({marks}) AND p.deleted_at IS NULL", chunk
        )
        for row in map(_Columns._make, found):
            out[int(row.id)] = HitRow(
                photo_id=int(row.id),
                path=display_path(last_known_path(row.path)),
                rating=None if row.rating is None else int(row.rating),
                cull=str(row.cull),
                picked=bool(row.picked),
                subject=row.subject,
                tags=tuple(tags.get(int(row.id), ())),
                missing=bool(row.missing),
            )
    return out
