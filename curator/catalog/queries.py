"""Read-side queries returning plain objects (dicts/dataclasses), never peewee rows:
the CLI prints them and the GUI shows them, neither needing to know the schema.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import curator.records as records
from curator.camera_names import camera_name
from curator.catalog import gallery_filters as gf
from curator.catalog import paths_codec
from curator.catalog.approval import taste_summary as latest_taste_summary
from curator.catalog.backends.dialect import Dialect, dialect_of
from curator.catalog.backends.seat import current_seat
from curator.catalog.gallery_filters import FILE_NAME_SQL, metadata_where, ordered_ids
from curator.catalog.gallery_filters import gallery_content_types as gallery_content_types
from curator.catalog.gallery_filters import gallery_tags as gallery_tags
from curator.catalog.missing import last_known_path
from curator.catalog.models import (
    PREFERENCE_OF_PHOTO,
    Description,
    Embedding,
    Photo,
    PhotoPath,
    PhotoPreference,
    PhotoTag,
    Stage,
    StageRun,
    StageStatus,
    Tag,
)
from curator.catalog.paths_codec import decode_path, display_path, shown_sql
from curator.catalog.people import store as people_store
from curator.catalog.people import summary as faces_summary
from curator.catalog.people.filters import FLAGGED_SQL
from curator.catalog.proposals.packed import proposal_record
from curator.catalog.proposals.store import proposals_of
from curator.catalog.types import GalleryFilter as GalleryFilter  # the value types live there
from curator.catalog.types import GalleryQuery as GalleryQuery
from curator.catalog.types import GalleryRow as GalleryRow
from curator.catalog.types import GallerySort as GallerySort

STAGES: tuple[str, ...] = tuple(s.value for s in Stage)


def list_photos(match_threshold: float = 70.0) -> list[dict[str, Any]]:
    """Every photo with its fields, other paths, judgments and per-stage state, by capture time.

    Paths are as the OS spells them (`decode_path`): a name that is not valid
    UTF-8 keeps its bytes as surrogate escapes (``os.fsdecode``), so it can be
    passed back to `curator keep PATH` (JSON shows them as ``\\udcXX``).
    """
    extra: dict[int, list[str]] = defaultdict(list)
    for pid, path in (
        PhotoPath.select(PhotoPath.photo, PhotoPath.path).order_by(PhotoPath.path).tuples()
    ):
        extra[pid].append(decode_path(path))
    stages: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for run in StageRun.select().order_by(StageRun.stage):
        stages[run.photo_id][run.stage] = {
            "status": run.status,
            "attempts": run.attempts,
            "version": run.stage_version,
            "reason": run.failure_reason,
        }
    descriptions = {d.photo_id: d for d in Description.select()}
    tags: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, name, source, confidence in (
        PhotoTag.select(PhotoTag.photo, Tag.name, PhotoTag.source, PhotoTag.confidence)
        .join(Tag)
        .where(PhotoTag.removed_at.is_null())
        .order_by(PhotoTag.id)
        .tuples()
    ):
        tags[pid].append({"name": name, "source": source, "confidence": confidence})
    embedded: dict[int, list[str]] = defaultdict(list)
    for pid, model in Embedding.select(Embedding.photo, Embedding.model).tuples():
        embedded[pid].append(model)
    preference = {
        int(pid): (float(score), int(version))
        for pid, score, version in PhotoPreference.select(
            PhotoPreference.photo, PhotoPreference.score, PhotoPreference.model_version
        ).tuples()
    }
    paired = paths_codec.follower_paths()  # a RAW+JPEG pair is one photo, listed as its RAW
    faces = people_store.faces_listing()  # absent for a photo the faces stage has not looked at
    proposed = proposals_of(current_seat().user)  # this photographer's; absent: none
    out: list[dict[str, Any]] = []
    query = (
        Photo.select()
        .where(paths_codec.shown_photos())
        .order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.path)
    )
    for p in query:
        out.append(
            {
                "id": p.id,
                "path": decode_path(last_known_path(p.path)),
                "missing": p.missing_since is not None,
                "other_paths": extra.get(p.id, []),
                "paired_with": [decode_path(f) for f in paired.get(p.id, [])],
                "content_hash": p.content_hash,
                "format": p.format,
                "size": p.size,
                "width": p.width,
                "height": p.height,
                "orientation": p.orientation,
                "captured_at": p.captured_at.isoformat() if p.captured_at else None,
                "camera_make": p.camera_make,
                "camera_model": p.camera_model,
                "lens": p.lens,
                "iso": p.iso,
                "exposure_time": p.exposure_time,
                "f_number": p.f_number,
                "focal_length": p.focal_length,
                "sharpness_score": p.sharpness_score,
                "laplacian_var": p.laplacian_var,
                "sharpness_tile_p90": p.sharpness_tile_p90,
                "sharpness_note": p.sharpness_note,
                "noise_level": p.noise_level,
                "drive_mode": p.drive_mode,
                "sequence_index": p.sequence_index,
                "exposure_score": p.exposure_score,
                "exposure_ev": p.exposure_ev,
                "highlight_clip": p.highlight_clip,
                "shadow_clip": p.shadow_clip,
                "mean_luminance": p.mean_luminance,
                "metrics_source": p.metrics_source,
                "preview_key": p.preview_key,
                "thumbnail_key": p.thumbnail_key,
                "notes": p.notes,
                "cull": p.cull,
                "rating": p.rating,
                "picked": bool(p.picked),
                "label": p.label,
                **_description_fields(descriptions.get(p.id)),
                "tags": tags.get(p.id, []),
                "embeddings": embedded.get(p.id, []),
                "preference_score": preference.get(p.id, (None, None))[0],
                "preference_model_version": preference.get(p.id, (None, None))[1],
                "match": p.id in preference and preference[p.id][0] >= match_threshold,
                "burst_group": p.burst_group,
                "burst_best": bool(p.burst_best),
                **({"faces": faces[p.id]} if p.id in faces else {}),
                **({"proposal": proposed[p.id]} if p.id in proposed else {}),
                "stages": {s: stages[p.id].get(s, {"status": "pending"}) for s in STAGES},
            }
        )
    return out


def _description_fields(d: Description | None) -> dict[str, Any]:
    if d is None:
        return {"subject": None, "content_type": None, "lighting": None, "mood": None}
    return {
        "subject": d.subject,
        "content_type": d.content_type,
        "lighting": d.lighting_critique,
        "mood": d.artistic_mood,
        "description_model": d.model,
    }


# --- gallery ------------------------------------------------------------------


# GalleryRow fields read as the catalog stores them, after the ones made from
# columns (`gallery_rows`). The grid, filmstrip and loupe read ~100 rows at a
# time on the UI thread: one statement of plain SQL (the taste score, a failed
# technical stage's sentence and the faces summary joined in: at most one row
# each), rows as tuples, only the date converted. Three peewee queries with
# their converters took ~5 of a switch's ~45 ms on PostgreSQL (issue 34 §6).
# fmt: off
_AS_STORED = (
    "captured_at", "lens", "iso", "exposure_time", "f_number", "focal_length", "width",
    "height", "thumbnail_key", "preview_key", "sharpness_score", "exposure_score",
    "preference_score", "cull", "rating", "highlight_clip", "shadow_clip", "burst_group",
    "label", "exposure_ev", "sharpness_note",
)
# fmt: on


@lru_cache(maxsize=4)
def _rows_sql(dialect: Dialect, measures: tuple[str, ...]) -> str:  # + records.CHECK_MEASURES
    stored = ", ".join("pp.score" if n == "preference_score" else n for n in _AS_STORED + measures)
    faces = faces_summary.columns("pf")  # the faces summary's table
    return (
        "SELECT photo.id, path, camera_make, camera_model, picked, burst_best,"
        f" missing_since IS NOT NULL, rotation, {stored}, sr.id IS NOT NULL, sr.failure_reason,"
        f" pf.photo_id IS NOT NULL, {faces}, cp.verdict, cp.reasons, cp.confidence, cp.highlight"
        " FROM photo"
        " LEFT JOIN photo_preference pp ON pp.photo_id = photo.id"
        " LEFT JOIN stage_run sr ON sr.photo_id = photo.id AND sr.stage = ? AND sr.status = ?"
        " LEFT JOIN photo_faces pf ON pf.photo_id = photo.id"
        " LEFT JOIN cull_proposal cp ON cp.photo_id = photo.id AND cp.owner = ?"
        f" WHERE photo.id IN {dialect.id_list()} AND photo.deleted_at IS NULL"
    )


def gallery_rows(photo_ids: Iterable[int]) -> dict[int, GalleryRow]:
    """Display fields of the given photos (missing or deleted ids are left out)."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: dict[int, GalleryRow] = {}
    db = Photo._meta.database
    dialect = dialect_of(db)
    sql, date = _rows_sql(dialect, records.CHECK_MEASURES), Photo.captured_at.python_value
    failed = (Stage.TECHNICAL.value, StageStatus.FAILED.value)
    owner = current_seat().user  # this photographer's proposals (catalog.proposals)
    n_stored, end = len(_AS_STORED), len(_AS_STORED) + len(records.CHECK_MEASURES)
    for start in range(0, len(ids), 500):  # a read's size, as the view asks them
        rows = db.execute_sql(sql, [*failed, owner, dialect.id_param(ids[start : start + 500])])
        for pid, path_b, make, model, picked, best, missing, rotation, *rest in rows.fetchall():
            stored = dict(zip(_AS_STORED, rest, strict=False), measures=tuple(rest[n_stored:end]))
            stored["captured_at"] = date(stored["captured_at"])
            is_failed, reason, has_faces, *faces = rest[end:-4]
            verdict, reasons, confidence, highlight = rest[-4:]
            path = display_path(last_known_path(bytes(path_b)))
            out[int(pid)] = GalleryRow(
                id=int(pid),
                file_name=os.path.basename(path),
                path=path,
                camera=camera_name(make, model),
                picked=bool(picked),
                failed_reason=(reason or "This photo could not be measured.")
                if is_failed
                else None,
                burst_best=bool(best),
                missing=bool(missing),
                rotation=int(rotation or 0),
                faces=faces_summary.summary_from(faces) if has_faces else None,
                proposal=None
                if verdict is None
                else proposal_record(int(pid), verdict, reasons, confidence, highlight),
                **stored,
            )
    return out


# --- gallery filters and sorts (raw SQL: 100k photos in a few ms) --------------


_SCORE = PREFERENCE_OF_PHOTO  # a photo's taste score (schema v16: its own table)
_ORDER_BY = {
    GallerySort.CAPTURE_TIME: "captured_at IS NULL, captured_at, path",
    GallerySort.PREFERENCE: f"{_SCORE} IS NULL, {_SCORE} DESC, id",
    GallerySort.SHARPNESS: "sharpness_score IS NULL, sharpness_score DESC, id",
    GallerySort.RATING: "rating IS NULL, rating DESC, captured_at IS NULL, captured_at, id",
    GallerySort.FILE_NAME: f"{FILE_NAME_SQL}, path",
    # A face verdict's likely reject first (closed eyes, a soft face); then equal
    # scores, and the unscored after them, in the capture-time order above.
    GallerySort.LIKELY_REJECTS: (
        f"id NOT IN ({FLAGGED_SQL}), {_SCORE} IS NULL, {_SCORE}, captured_at IS NULL,"
        " captured_at, path"
    ),
}

_AMONG_SQL = "id IN (SELECT value FROM json_each(?))"
# The photos the technical stage failed on (their own lane, never a review pass).
_FAILED_IDS = "SELECT photo_id AS id FROM stage_run WHERE stage = ? AND status = ?"
_FAILED_SQL = f"id IN ({_FAILED_IDS})"
# PostgreSQL plans `NOT id IN (subquery)` as a filter that no index-ordered walk
# may carry (a score sort's first page: a parallel hash join of every photo,
# ~150 ms at 100,000), and the same test as NOT EXISTS as an anti join, a probe
# of (photo_id, stage) per photo walked (~3 ms).
_NOT_FAILED_PG = (
    "NOT EXISTS (SELECT 1 FROM stage_run WHERE stage_run.photo_id = photo.id"
    " AND stage = ? AND status = ?)"
)


# The photos carrying one live tag (its name the parameter).
_TAGGED = (
    "SELECT pt.photo_id FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id"
    " WHERE t.name = ? AND pt.removed_at IS NULL"
)
_TAGGED_IDS = _TAGGED.replace("SELECT pt.photo_id ", "SELECT pt.photo_id AS id ", 1)


def _not_failed_sql() -> str:
    """The review passes' "not failed" over `photo` (see `_NOT_FAILED_PG`)."""
    return _NOT_FAILED_PG if dialect_of(Photo._meta.database).is_postgres else f"NOT {_FAILED_SQL}"


def gallery_sql(
    q: GalleryQuery,
    among: Sequence[int] | None = None,
    *,
    sets_in_python: bool = False,
    match_probe: bool = False,
) -> tuple[str, list[object]]:
    """The SELECT (ids, in gallery order) for `q`, with its parameters; `among`:
    only those photos (one JSON parameter, so the batch size has no limit).
    `sets_in_python`: without the failed lane of a review pass, the MATCH set
    under a sort other than the score, the tags left out and the metadata
    filter's id sets (`gallery_query_ids` applies them). `match_probe`: MATCH (under a sort
    other than the score) as a lookup per photo (`gf.MATCH_PROBE_SQL`) rather
    than a set built first."""
    where, params = _gallery_where(q, among, sets_in_python=sets_in_python, match_probe=match_probe)
    return f"SELECT id FROM photo WHERE {where} ORDER BY {_ORDER_BY[q.sort]}", params


def _gallery_where(
    q: GalleryQuery,
    among: Sequence[int] | None,
    *,
    sets_in_python: bool,
    match_probe: bool = False,
) -> tuple[str, list[object]]:
    """`gallery_sql`'s WHERE terms (over `photo`'s columns, unqualified) and parameters."""
    where = [shown_sql()]  # live photos, a RAW+JPEG pair once
    params: list[object] = []
    if among is not None:
        where.append(_AMONG_SQL)
        params.append(json.dumps([int(pid) for pid in among]))
    if q.cull is not None:
        where.append("cull = ?")
        params.append(q.cull)
        if q.cull != "rejected" and not sets_in_python:  # the review passes: failed: own lane
            where.append(_not_failed_sql())
            params.extend([Stage.TECHNICAL.value, StageStatus.FAILED.value])
    if q.label == "none":
        where.append("label IS NULL")
    elif q.label is not None:
        where.append("label = ?")
        params.append(q.label)
    if q.min_rating is not None:
        where.append("rating >= ?")
        params.append(int(q.min_rating))
    by_score = q.sort in (GallerySort.PREFERENCE, GallerySort.LIKELY_REJECTS)
    if q.match_only and (by_score or not sets_in_python):  # a range of the scores' index
        if by_score:
            where.append(f"{_SCORE} >= ?")
        else:
            where.append(gf.MATCH_PROBE_SQL if match_probe else f"+id IN ({gf.MATCH_SQL})")
        params.append(float(q.match_threshold))
    if q.content_type is not None:  # one of eight kinds, ~1/8 of the photos: SQLite
        # walks the sort's index past the kind's ids (100,000 photos, first page
        # 14.6 -> 2.7 ms; a kind with no photo walks all, 9 ms). A tag or a
        # project is a few photos: looked up by id (walking them: 1.7 -> 12 ms).
        where.append("+id IN (SELECT photo_id FROM description WHERE content_type = ?)")
        params.append(q.content_type)
    for name in dict.fromkeys((*([q.tag] if q.tag is not None else []), *q.tags_all)):
        where.append(f"id IN ({_TAGGED})")
        params.append(name)
    for name in dict.fromkeys(q.tags_none) if not sets_in_python else ():  # Alt+click
        where.append(f"id NOT IN ({_TAGGED})")
        params.append(name)
    if q.burst_only:
        where.append("burst_group IS NOT NULL")
    if q.failed_only:
        where.append(_FAILED_SQL)
        params.extend([Stage.TECHNICAL.value, StageStatus.FAILED.value])
    if q.missing_only:
        where.append("missing_since IS NOT NULL")
    if q.project_id is not None:
        where.append("id IN (SELECT photo_id FROM project_photo WHERE project_id = ?)")
        params.append(int(q.project_id))
    more, more_params = metadata_where(q.metadata, sets_in_python=sets_in_python)
    where.extend(more)
    params.extend(more_params)
    return " AND ".join(where), params


def gallery_where(q: GalleryQuery) -> tuple[str, list[object]]:
    """The WHERE terms (over `photo`, unqualified) and parameters of every photo
    the gallery shows for `q`, a search's ranked photos included, in SQL alone
    and without an order: for queries over that set (the tag counts)."""
    return _gallery_where(replace(q, ranked_ids=None), q.ranked_ids, sets_in_python=False)


def gallery_query_ids(q: GalleryQuery, limit: int | None = None) -> list[int]:
    """Photo ids matching `q`, in its order (no rows built: `ordered_ids`); only
    the first `limit` of them when given (a search's rank order ignores it).

    A whole list takes a review pass's failed lane, the MATCH set (under a sort
    other than the score) and the metadata sets as set tests (`gf.ids_in`), each
    set from its own query: SQLite's IN probe per scanned row cost ~17 ms over
    70k unreviewed photos of 100k, a set test ~3 ms. The ids are those of
    `gallery_sql(q)`, in its order.
    """
    if q.sort in _SCORE_HEAD_ORDER and q.ranked_ids is None:
        return _by_score(q) if limit is None else _score_head(q, limit)
    if q.sort in _SCORE_HEAD_ORDER:  # a search keeps its rank order: any sort will do
        q = replace(q, sort=GallerySort.SHARPNESS)
    if q.ranked_ids is not None:  # asked over the ranked photos alone, where that is cheaper
        plain = replace(q, ranked_ids=None)
        head = gf.ranked_head(q.ranked_ids, limit, lambda ids: gallery_ids_among(plain, ids))
        if head is not None:
            return head
    ids = _filtered_ids(q, limit)
    if q.ranked_ids is None:
        return gf.id_list(ids)
    # A search: its ranked photos that the filters keep, in rank order (the
    # intersection outside SQL: no 32k-parameter limit, a few ms at 100k).
    return gf.ranked_among(q.ranked_ids, ids)


def _filtered_ids(q: GalleryQuery, limit: int | None) -> gf.IdValues:
    """`gallery_query_ids`' ids before a search's ranking, as parsed (numpy's
    array for a long list)."""
    in_python = limit is None
    page = limit is not None and q.ranked_ids is None
    sql, params = gallery_sql(q, sets_in_python=in_python, match_probe=page and _probes_match(q))
    if page:
        sql, params = f"{sql} LIMIT ?", [*params, limit]
    ids = gf.ordered_id_values(sql, params)
    if in_python and q.cull is not None and q.cull != "rejected":
        failed = ordered_ids(_FAILED_IDS, [Stage.TECHNICAL.value, StageStatus.FAILED.value])
        ids = gf.ids_in(ids, failed, inside=False) if failed else ids
    if (
        in_python
        and q.match_only
        and q.sort not in (GallerySort.PREFERENCE, GallerySort.LIKELY_REJECTS)
    ):
        ids = gf.ids_in(ids, gf.ordered_id_values(gf.MATCH_SQL, [float(q.match_threshold)]))
    for set_sql, set_params in gf.python_id_sets(q.metadata) if in_python else ():
        ids = gf.ids_in(ids, gf.ordered_id_values(set_sql, set_params))
    # The tags left out (the cloud's Alt+click): SQLite's NOT IN probe per row
    # cost ~30 of the ~47 ms "all photos but one tag" took at 100,000 photos.
    for name in dict.fromkeys(q.tags_none) if in_python else ():
        ids = gf.ids_in(ids, gf.ordered_id_values(_TAGGED_IDS, [name]), inside=False)
    return ids


def _probes_match(q: GalleryQuery) -> bool:
    """Whether `q`'s first page looks its MATCH up per photo walked: on SQLite,
    under a sort other than the score, when the MATCH set is wide (a first page
    of "MATCH + kept, by sharpness" at 100,000 photos: 33 -> 7 ms). PostgreSQL's
    planner weighs a semi-join against a hashed set itself."""
    return (
        q.match_only
        and q.sort not in _SCORE_HEAD_ORDER
        and not dialect_of(Photo._meta.database).is_postgres
        and gf.match_is_wide(q.match_threshold)
    )


def _score_head(q: GalleryQuery, limit: int) -> list[int]:
    """The first `limit` of a score sort's list (a first page): the scores' order
    index walked (forwards by preference, backwards for the likeliest rejects)
    with each photo looked up by id until `limit` pass the filters (CROSS JOIN
    keeps that index outside), then the unscored in the sort's own order. On
    SQLite, one camera's few photos are found first instead (`_few_of_one_camera`)."""
    scored_order, unscored_order = _SCORE_HEAD_ORDER[q.sort]
    few = _few_of_one_camera(q, limit)
    where, params = (
        _gallery_where(replace(q, match_only=False), None, sets_in_python=False)
        if few is None
        else few
    )
    first: list[int] = []
    if q.sort is GallerySort.LIKELY_REJECTS:  # a face verdict's likely rejects lead
        flagged = f"SELECT id FROM photo WHERE {where} AND id IN ({FLAGGED_SQL})"
        if q.match_only:
            flagged += f" AND {_SCORE} >= ?"
        flagged += f" ORDER BY {_ORDER_BY[q.sort]} LIMIT ?"
        bar = [float(q.match_threshold)] if q.match_only else []
        first = ordered_ids(flagged, [*params, *bar, limit])
        if len(first) == limit:
            return first
        where += f" AND photo.id NOT IN ({FLAGGED_SQL})"
        limit -= len(first)
    match = ""  # MATCH: a range of that index, not a walk past the low scores (~100 ms)
    if q.match_only:
        match, params = " AND photo_preference.score >= ?", [*params, float(q.match_threshold)]
    tables = "photo_preference CROSS JOIN photo" if few is None else "photo JOIN photo_preference"
    scored_sql = (
        f"SELECT photo.id AS id FROM {tables} ON photo.id = photo_preference.photo_id"
        f" WHERE {where}{match} ORDER BY {scored_order} LIMIT ?"
    )
    head = first + ordered_ids(scored_sql, [*params, limit])
    if len(head) == len(first) + limit or q.match_only:
        return head
    unscored_sql = (
        f"SELECT id FROM photo WHERE {where}"
        f" AND id NOT IN (SELECT photo_id FROM photo_preference) ORDER BY {unscored_order} LIMIT ?"
    )
    return head + ordered_ids(unscored_sql, [*params, len(first) + limit - len(head)])


_FEW_PER_PAGE = 8  # a camera's photos in a pass: "few" up to this many first pages


def _few_of_one_camera(q: GalleryQuery, limit: int) -> tuple[str, list[object]] | None:
    """On SQLite, when `q` narrows to one camera whose photos in `q`'s pass are
    few (at most `_FEW_PER_PAGE` pages, counted in `photo_camera_cull`, m021):
    the WHERE terms and parameters that find them by that index (the camera as
    a plain condition). Walking the scores' order until `limit` pass costs a
    lookup per photo walked, ~36 per page's photo for one camera's kept ones
    (35-80 ms at 100,000 photos); those 2,800 found and sorted, ~8 ms. None:
    walk the scores (many photos pass, so the walk stops soon; or PostgreSQL,
    whose planner weighs the two itself)."""
    camera = q.metadata.camera
    if not camera or dialect_of(Photo._meta.database).is_postgres:
        return None
    cap = _FEW_PER_PAGE * limit
    count_sql = f"SELECT 1 FROM photo WHERE deleted_at IS NULL AND {gf.CAMERA_SQL} = ?"
    count_params: list[object] = [camera]
    if q.cull is not None:
        count_sql += " AND cull = ?"
        count_params.append(q.cull)
    found = Photo._meta.database.execute_sql(
        f"SELECT count(*) FROM ({count_sql} LIMIT ?)", [*count_params, cap + 1]
    ).fetchone()[0]
    if int(found) > cap:
        return None
    plain = replace(q, match_only=False, metadata=replace(q.metadata, camera=None))
    where, params = _gallery_where(plain, None, sets_in_python=False)
    return f"{where} AND {gf.CAMERA_SQL} = ?", [*params, camera]


_SCORE_HEAD_ORDER = {  # `_ORDER_BY`'s for the scored photos, then for the unscored
    GallerySort.PREFERENCE: ("photo_preference.score DESC, photo_preference.photo_id", "id"),
    GallerySort.LIKELY_REJECTS: (
        "photo_preference.score, photo.captured_at IS NULL, photo.captured_at, photo.path",
        _ORDER_BY[GallerySort.CAPTURE_TIME],
    ),
}


def _by_score(q: GalleryQuery) -> list[int]:
    """`q` sorted by a score sort (`gf.by_preference`, `gf.by_likely_rejects`):
    the photos its filters keep, listed under the narrowest sort whose order
    the score sort needs (sharpness: its index carries the filter columns;
    the likeliest rejects break ties by capture time), then placed by score."""
    bar = float(q.match_threshold) if q.match_only else None
    if q.sort is GallerySort.PREFERENCE:
        kept = _filtered_ids(replace(q, sort=GallerySort.SHARPNESS, match_only=False), None)
        return gf.by_preference(kept, bar)
    kept = _filtered_ids(replace(q, sort=GallerySort.CAPTURE_TIME, match_only=False), None)
    ordered = gf.by_likely_rejects(kept, bar)
    return gf.id_list(_filtered_ids(q, None)) if ordered is None else ordered


def gallery_ids_among(q: GalleryQuery, photo_ids: Sequence[int]) -> list[int]:
    """Those of `photo_ids` that `q` selects, in its order — a query over these
    rows only (a live import's batch), never the whole catalog."""
    if not photo_ids:
        return []
    sql, params = gallery_sql(q, among=photo_ids)
    ids = [int(pid) for (pid,) in Photo._meta.database.execute_sql(sql, params)]
    return ids if q.ranked_ids is None else gf.ranked_among(q.ranked_ids, ids)


def gallery_ranks(sort: GallerySort, photo_ids: Sequence[int]) -> dict[int, int]:
    """Each of `photo_ids`' place in `sort`'s order among themselves (no filter:
    what only places photos relative to each other)."""
    sql = f"SELECT id FROM photo WHERE {_AMONG_SQL} ORDER BY {_ORDER_BY[sort]}"
    rows = Photo._meta.database.execute_sql(sql, [json.dumps([int(p) for p in photo_ids])])
    return {int(pid): rank for rank, (pid,) in enumerate(rows)}


def catalog_is_empty() -> bool:
    """No live photo at all (the gallery then invites an import)."""
    return Photo.select(Photo.id).where(Photo.deleted_at.is_null()).first() is None


# --- loupe side panel -------------------------------------------------------------


@dataclass(frozen=True)
class PhotoTagInfo:
    """One live tag of a photo (AI tags the user removed are left out)."""

    name: str
    source: str  # "ai" | "user"
    confidence: float | None  # 0-100 for AI tags once the embed stage measured it


@dataclass(frozen=True)
class PhotoDetails:
    """What the loupe's side panel shows beyond `GalleryRow`, and where the original is."""

    photo_id: int
    original_path: str  # as the OS spells it (may hold surrogate escapes): for opening;
    # "" for a missing photo (opening it fails as "the original file is missing")
    file_format: str | None  # imaging.types.FileFormat value ("raw", "jpeg", ...)
    subject: str | None
    content_type: str | None
    mood: str | None
    lighting: str | None
    tags: tuple[PhotoTagInfo, ...]  # user tags first, then AI tags by confidence
    burst_size: int  # frames in the photo's burst group; 0 when it is in none
    burst_best: bool
    metrics_source: str | None = None  # a MetricsSource value: which pixels were measured
    caption: str | None = None  # another tool's or the photographer's caption (dc:description)
    taste: records.TasteSummary | None = None  # the live taste model's size and honest quality
    noise_level: float | None = None  # noise sd at the working scale (imaging.metrics)
    people: people_store.FacesDetail | None = None  # the faces stage's verdicts; why none


def photo_details(photo_id: int) -> PhotoDetails | None:
    """The panel's fields of one photo (None when it is gone or deleted)."""
    photo = (
        Photo.select(
            Photo.id,
            Photo.path,
            Photo.format,
            Photo.burst_group,
            Photo.burst_best,
            Photo.missing_since,
            Photo.metrics_source,
            Photo.caption,
            Photo.noise_level,
        )
        .where(Photo.id == photo_id, Photo.deleted_at.is_null())
        .first()
    )
    if photo is None:
        return None
    description = Description.get_or_none(Description.photo == photo_id)
    tag_rows = (
        PhotoTag.select(Tag.name, PhotoTag.source, PhotoTag.confidence)
        .join(Tag)
        .where(PhotoTag.photo == photo_id, PhotoTag.removed_at.is_null())
        .tuples()
    )
    tags = sorted(
        (PhotoTagInfo(str(name), str(source), confidence) for name, source, confidence in tag_rows),
        key=lambda t: (t.source != "user", -(t.confidence or 0.0), t.name),
    )
    burst_size = 0
    if photo.burst_group is not None:
        burst_size = (
            Photo.select()
            .where(Photo.burst_group == photo.burst_group, Photo.deleted_at.is_null())
            .count()
        )
    fields = _description_fields(description)
    return PhotoDetails(
        photo_id=int(photo.id),
        # A missing photo's last path may hold other bytes now: never open it.
        original_path="" if photo.missing_since is not None else decode_path(photo.path),
        file_format=photo.format,
        subject=fields["subject"],
        content_type=fields["content_type"],
        mood=fields["mood"],
        lighting=fields["lighting"],
        tags=tuple(tags),
        burst_size=burst_size,
        burst_best=bool(photo.burst_best),
        metrics_source=photo.metrics_source,
        caption=photo.caption or None,
        taste=latest_taste_summary(),
        noise_level=photo.noise_level,
        people=people_store.faces_detail(int(photo.id)),
    )


def tag_names() -> list[str]:
    """Every tag name live on some photo, sorted (the tag field's completions)."""
    rows = (
        Tag.select(Tag.name)
        .join(PhotoTag)
        .where(PhotoTag.removed_at.is_null())
        .distinct()
        .order_by(Tag.name)
        .tuples()
    )
    return [str(name) for (name,) in rows]


def paths_needing_technical(photo_ids: Iterable[int]) -> list[str]:
    """File paths (as the OS spells them) of these photos whose technical stage
    is not done — after a Retry they must be read again. Missing photos have
    no file to read and are left out."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = Photo._meta.database.execute_sql(
            "SELECT p.path FROM photo p JOIN stage_run s ON s.photo_id = p.id"
            f" AND s.stage = ? WHERE p.id IN ({marks}) AND s.status != ?"
            " AND p.deleted_at IS NULL AND p.missing_since IS NULL ORDER BY p.id",
            [Stage.TECHNICAL.value, *chunk, StageStatus.DONE.value],
        ).fetchall()
        out.extend(decode_path(path) for (path,) in rows)
    return out
