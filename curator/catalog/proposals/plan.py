"""The proposal's plan: the catalog read once into plain `ProposalFrame`s.

Two statements, whatever the catalog's size: every shown photo of the scope
(live; of a RAW+JPEG pair only its lead, as the gallery shows it) that is
undecided or in a burst, with its technical measures, burst, taste score
(`photo_preference`: on a seat that shows one photographer's taste, theirs:
catalog.taste.choice) and faces summary joined in, in capture order; then
the key faces of the photos in bursts: their boxes (what tells the moments
of a burst apart: cull.moments) and how they look (what a moment's keep
says of its people: cull.looks). A decided photo (kept or rejected, picked,
or rated) is read only when it is in a burst or shows a person: it is never
proposed, it only says its moment (or its person: cull.coverage) already has
a keep. A third statement reads the people of the scope's faces (m025:
person, face_person), each frame's once (`ProposalFrame.people`). No file is
read. Each result is converted a slice at a time (`bulk_read`): at 100,000
photos one `fetchall()` held the GIL ~110 ms on PostgreSQL while the
window waited for it; and the frames are made a slice at a time, so the
rows are let go as they are used (the app collects garbage on the UI
thread: every object alive at its collection is walked there).

The scope: the whole catalog, the photos with a path under a folder
(primary or another copy's path), a project's photos, some photos by id
(the grid's selection), or the photos a gallery query shows (the grid's
filters and search: `queries.gallery_query_ids`, resolved here, on the
reading thread, so the window never lists them itself).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
from typing import Any

import curator.records as records
from curator.catalog.backends.bulk_read import SLICE, fetch_all, slices
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.models import Photo
from curator.catalog.paths_codec import encode_path, shown_sql
from curator.catalog.projects import ProjectRef, project_photo_ids
from curator.catalog.queries import gallery_query_ids
from curator.catalog.types import GalleryQuery
from curator.records import (
    SHAKE_NOTE,
    CullState,
    EyeState,
    Face,
    FacesSummary,
    FramePerson,
    Looking,
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


_COLUMNS = (
    "photo.id, photo.cull, photo.picked, photo.rating, sharpness_score, exposure_score,"
    " exposure_ev, highlight_clip, exposure_time, focal_length, burst_group, burst_best,"
    " pp.score, pf.photo_id IS NOT NULL, pf.faces, pf.judged, pf.key_faces, pf.closed_eyes,"
    " pf.soft_face, pf.eyes_open, pf.key_sharpness, photo.sharpness_note,"
    " pf.ready, pf.looking, pf.smiling"
)  # then the measures a cull check reads (`records.CHECK_MEASURES`), into `measures`


def plan_frames(scope: Scope = Scope()) -> list[ProposalFrame]:
    """The frames a proposal reads, in capture order (see the module docstring)."""
    db = Photo._meta.database
    where, params = _scope_sql(scope)
    shown = shown_sql()  # unqualified names: the joined tables have no id nor deleted_at
    sql = (
        f"SELECT {_COLUMNS}{''.join(f', photo.{m}' for m in records.CHECK_MEASURES)} FROM photo"
        " LEFT JOIN photo_preference pp ON pp.photo_id = photo.id"
        " LEFT JOIN photo_faces pf ON pf.photo_id = photo.id"
        f" WHERE {shown} AND (NOT {DECIDED_SQL} OR photo.burst_group IS NOT NULL"
        f" OR photo.id IN ({WITH_PERSON_SQL})){where}"
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
        frames.extend(_frames(rows, key_faces, people))
    return frames


def _frames(
    rows: list[tuple[Any, ...]],
    key_faces: dict[int, tuple[Face, ...]],
    people: dict[int, tuple[FramePerson, ...]],
) -> list[ProposalFrame]:
    """One slice of the plan's rows as frames."""
    kept, rejected = CullState.KEPT, CullState.REJECTED
    frames: list[ProposalFrame] = []
    for (
        pid,
        cull,
        picked,
        rating,
        sharp,
        expo,
        ev,
        clip,
        shutter,
        focal,
        burst,
        best,
        taste,
        has_faces,
        n_faces,
        judged,
        key,
        closed,
        soft,
        eyes_open,
        key_sharp,
        note,
        ready,
        looking,
        smiling,
        *measures,
    ) in rows:
        decided: CullState | None = None
        if cull == kept.value or picked or rating is not None:
            decided = kept if cull != rejected.value else rejected
        elif cull == rejected.value:
            decided = rejected
        mine = key_faces.get(int(pid), ()) if burst is not None else ()
        faces = None
        if has_faces:
            faces = FacesSummary(
                count=int(n_faces),
                judged=int(judged),
                key=int(key),
                closed_eyes=bool(closed),
                soft_face=bool(soft),
                eyes_open=bool(eyes_open),
                key_sharpness=key_sharp,
                smiling=bool(smiling),
                looking=bool(looking),
                ready=int(ready or 0),
            )
        frames.append(
            ProposalFrame(
                photo_id=int(pid),
                sharpness_score=sharp,
                exposure_score=expo,
                exposure_ev=ev,
                highlight_clip=clip,
                exposure_time=shutter,
                focal_length=focal,
                shaken=note == SHAKE_NOTE,
                burst=None if burst is None else int(burst),
                burst_best=bool(best),
                faces=faces,
                key_boxes=tuple(f.box for f in mine),
                key_faces=mine,
                taste=None if taste is None else float(taste),
                decided=decided,
                people=people.get(int(pid), ()),
                measures=tuple(measures),
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
    smile, where they look), in the stage's order."""
    rows = fetch_all(
        Photo._meta.database.execute_sql(
            "SELECT face.photo_id, face.x, face.y, face.w, face.h, face.size_px, face.eyes,"
            " face.openness, face.smile, face.looking FROM face"
            " JOIN photo ON photo.id = face.photo_id"
            " WHERE face.is_key = 1 AND photo.burst_group IS NOT NULL"
            " AND photo.deleted_at IS NULL ORDER BY face.photo_id, face.idx"
        )
    )
    out: dict[int, list[Face]] = defaultdict(list)
    for pid, x, y, w, h, size, eyes, openness, smile, looking in rows:
        out[int(pid)].append(
            Face(
                (float(x), float(y), float(w), float(h)),
                int(size),
                True,
                eyes=EyeState(eyes) if eyes in {e.value for e in EyeState} else EyeState.UNKNOWN,
                openness=None if openness is None else float(openness),
                key=True,
                smile=None if smile is None else float(smile),
                looking=Looking(looking) if looking in {v.value for v in Looking} else None,
            )
        )
    return {pid: tuple(f) for pid, f in out.items()}
