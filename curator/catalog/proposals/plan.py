"""The proposal's plan: the catalog read once into plain `ProposalFrame`s.

Three statements: the scope's shown photos that are undecided or in a burst,
with measures, burst, taste score (catalog.taste.choice) and faces summary, in
capture order; the key faces of photos in bursts (cull.moments, cull.looks);
the people of the scope's faces (`ProposalFrame.people`). A decided photo only
says its moment or person already has a keep. Rows by name (`_PlanRow`,
`KeyFaceRow`: catalog.backends.named_rows), converted a slice at a time
(`bulk_read`). No file is read.

`Scope`: the catalog, a folder, a project, ids, or a gallery query's photos
(`queries.gallery_query_ids`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, fields
from itertools import chain
from typing import Annotated, Any, NamedTuple

from curator.catalog.backends.bulk_read import SLICE, fetch_all, slices
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.backends.named_rows import select_list
from curator.catalog.models import Photo
from curator.catalog.paths_codec import encode_path, shown_sql
from curator.catalog.people import summary as faces_summary
from curator.catalog.people.key_faces import KeyFaceRow, key_faces_of, key_faces_sql
from curator.catalog.projects import ProjectRef, project_photo_ids
from curator.catalog.queries import gallery_query_ids
from curator.catalog.types import GalleryQuery
from curator.figures import figures_beyond
from curator.records import (
    SHAKE_NOTE,
    CullState,
    Face,
    FigureValues,
    FramePerson,
    ProposalFrame,
)

DECIDED_SQL = "(photo.cull != 'unreviewed' OR photo.picked = 1 OR photo.rating IS NOT NULL)"
# The photos with a face in a person (coverage reads their decided ones too).
WITH_PERSON_SQL = 'SELECT f."photo_id" FROM "face_person" fp JOIN "face" f ON f."id" = fp."face_id"'


@dataclass(frozen=True)
class Scope:
    """Which photos a proposal is for: all (every field None), under `folder`, in
    `project`, these `photo_ids`, or those `query` shows; the first one set counts."""

    folder: str | None = None
    project: ProjectRef | None = None
    photo_ids: tuple[int, ...] | None = None
    query: GalleryQuery | None = None


def _folder_range(folder: str) -> tuple[bytes, bytes]:
    """The stored paths under `folder`, as a range of bytes: [prefix, prefix + 1)."""
    prefix = encode_path(os.path.abspath(os.path.expanduser(folder)).rstrip(os.sep) + os.sep)
    return prefix, prefix[:-1] + bytes([prefix[-1] + 1])


def _scope_sql(scope: Scope) -> tuple[str, list[object]]:
    if scope.folder is not None:
        low, high = _folder_range(scope.folder)
        return (
            " AND ((photo.path >= ? AND photo.path < ?) OR photo.id IN"
            " (SELECT photo_id FROM photo_path WHERE path >= ? AND path < ?))",
            [low, high, low, high],
        )
    ids: list[int] | tuple[int, ...] | None = None
    if scope.project is not None:
        ids = project_photo_ids(scope.project)
    elif scope.photo_ids is not None:
        ids = scope.photo_ids
    elif scope.query is not None:
        ids = gallery_query_ids(scope.query)
    if ids is None:
        return "", []
    dialect = dialect_of(Photo._meta.database)
    return f" AND photo.id IN {dialect.id_list()}", [dialect.id_param(ids)]


class _PlanRow(NamedTuple):
    """One photo as the plan's statement reads it (each field's SQL beside it:
    catalog.backends.named_rows); the faces summary's columns follow it
    (catalog.people.summary), read when the stage `looked`, then the stored
    figures the frame has no field for (`frame_figures`), by name into `figures`."""

    photo_id: Annotated[int, "photo.id"]
    cull: Annotated[str, "photo.cull"]
    picked: Annotated[int, "photo.picked"]
    rating: Annotated[int | None, "photo.rating"]
    sharpness_score: Annotated[float | None, "sharpness_score"]
    exposure_score: Annotated[float | None, "exposure_score"]
    exposure_ev: Annotated[float | None, "exposure_ev"]
    highlight_clip: Annotated[float | None, "highlight_clip"]
    exposure_time: Annotated[float | None, "exposure_time"]
    focal_length: Annotated[float | None, "focal_length"]
    burst: Annotated[int | None, "burst_group"]
    burst_best: Annotated[int, "burst_best"]
    taste: Annotated[float | None, "pp.score"]
    sharpness_note: Annotated[str | None, "photo.sharpness_note"]
    looked: Annotated[int, "pf.photo_id IS NOT NULL"]


_OWN = len(_PlanRow._fields)  # the summary's columns start here
_FIGURES = _OWN + len(faces_summary.COLUMNS)  # and the stored figures here
_FRAME_FIELDS = frozenset(f.name for f in fields(ProposalFrame))


def frame_figures() -> tuple[str, ...]:
    """The stored figures a proposal frame has no field for (curator.figures)."""
    return figures_beyond(_FRAME_FIELDS)


_COLUMNS = f"{select_list(_PlanRow)}, {faces_summary.columns('pf')}"


# The photos the technical stage failed on: their own lane (the Failed filter),
# never proposed, counted or accepted (they measured nothing to judge).
FAILED_SQL = (
    "EXISTS (SELECT 1 FROM stage_run sr WHERE sr.photo_id = photo.id"
    " AND sr.stage = 'technical' AND sr.status = 'failed')"
)


def failed_in_scope(scope: Scope = Scope()) -> int:
    """How many of the scope's undecided photos the technical stage failed on
    (a proposal leaves them out, and says so)."""
    where, params = _scope_sql(scope)
    sql = (
        f"SELECT COUNT(*) FROM photo WHERE {shown_sql()} AND NOT {DECIDED_SQL}"
        f" AND {FAILED_SQL}{where}"
    )
    return int(Photo._meta.database.execute_sql(sql, params).fetchone()[0])


def plan_frames(scope: Scope = Scope()) -> list[ProposalFrame]:
    """The frames a proposal reads, in capture order (see the module docstring)."""
    db = Photo._meta.database
    where, params = _scope_sql(scope)
    shown = shown_sql()  # unqualified names: the joined tables have no id nor deleted_at
    named = frame_figures()
    sql = (
        f"SELECT {_COLUMNS}{''.join(f', photo.{m}' for m in named)} FROM photo"
        " LEFT JOIN photo_preference pp ON pp.photo_id = photo.id"
        " LEFT JOIN photo_faces pf ON pf.photo_id = photo.id"
        f" WHERE {shown} AND (NOT {DECIDED_SQL} OR photo.burst_group IS NOT NULL"
        f" OR photo.id IN ({WITH_PERSON_SQL})) AND NOT {FAILED_SQL}{where}"
        " ORDER BY photo.captured_at IS NULL, photo.captured_at, photo.capture_subsec, photo.id"
    )
    cursor = db.execute_sql(sql, params)
    first = cursor.fetchmany(SLICE)
    # Both read before the frames: the result above is already the client's (psycopg)
    # or a statement of its own (SQLite), so the cursor reads on after them.
    key_faces = _key_faces() if first else {}
    people = _people(shown, where, params) if first else {}
    frames: list[ProposalFrame] = []
    for rows in chain([first], slices(cursor)):  # the GIL and the rows let go a slice at a time
        frames.extend(_frames(rows, key_faces, people, named))
    return frames


def _frames(
    rows: list[tuple[Any, ...]],
    key_faces: dict[int, tuple[Face, ...]],
    people: dict[int, tuple[FramePerson, ...]],
    named: tuple[str, ...],
) -> list[ProposalFrame]:
    """One slice of the plan's rows as frames (`named`: the figures read last)."""
    kept, rejected = CullState.KEPT, CullState.REJECTED
    frames: list[ProposalFrame] = []
    for values in rows:
        row = _PlanRow._make(values[:_OWN])
        decided: CullState | None = None
        if row.cull == kept.value or row.picked or row.rating is not None:
            decided = kept if row.cull != rejected.value else rejected
        elif row.cull == rejected.value:
            decided = rejected
        pid = int(row.photo_id)
        mine = key_faces.get(pid, ()) if row.burst is not None else ()
        frames.append(
            ProposalFrame(
                photo_id=pid,
                sharpness_score=row.sharpness_score,
                exposure_score=row.exposure_score,
                exposure_ev=row.exposure_ev,
                highlight_clip=row.highlight_clip,
                exposure_time=row.exposure_time,
                focal_length=row.focal_length,
                shaken=row.sharpness_note == SHAKE_NOTE,
                burst=None if row.burst is None else int(row.burst),
                burst_best=bool(row.burst_best),
                faces=faces_summary.summary_from(values[_OWN:_FIGURES]) if row.looked else None,
                key_boxes=tuple([f.box for f in mine]) if mine else (),
                key_faces=mine,
                taste=None if row.taste is None else float(row.taste),
                decided=decided,
                people=people.get(pid, ()),
                figures=FigureValues.of(named, tuple(values[_FIGURES:])),
            )
        )
    return frames


def _people(shown: str, where: str, params: list[object]) -> dict[int, tuple[FramePerson, ...]]:
    """The people of the scope's live photos' faces: photo id -> its people, each
    once, by person id."""
    rows = fetch_all(
        Photo._meta.database.execute_sql(
            'SELECT f."photo_id", p."id", p."name" FROM "face_person" fp'
            ' JOIN "face" f ON f."id" = fp."face_id" JOIN "person" p ON p."id" = fp."person_id"'
            f' WHERE f."photo_id" IN (SELECT photo.id FROM photo WHERE {shown}{where})',
            params,
        )
    )
    out: dict[int, dict[int, FramePerson]] = defaultdict(dict)
    for photo, person, name in rows:  # no DISTINCT nor ORDER BY: two temp B-trees saved
        out[int(photo)][int(person)] = FramePerson(int(person), None if name is None else str(name))
    return {photo: tuple(people[k] for k in sorted(people)) for photo, people in out.items()}


def _key_faces() -> dict[int, tuple[Face, ...]]:
    """The key faces of every live photo in a burst (box, eyes and how open,
    smile, where they look, sharpness), in the stage's order (`key_faces`)."""
    sql = key_faces_sql(
        " JOIN photo ON photo.id = face.photo_id",
        " AND photo.burst_group IS NOT NULL AND photo.deleted_at IS NULL",
    )
    return key_faces_of(fetch_all(Photo._meta.database.execute_sql(sql)), KeyFaceRow.face)
