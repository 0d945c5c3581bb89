"""The gallery's id lists: which photos a `GalleryQuery` shows, in its order.

`gallery_sql` is the one SELECT of ids; `gallery_query_ids` lists them without
a row per photo (sets applied outside SQL, score sorts placed by packed
scores); `gallery_ids_among` does the same for a few photos;
`gallery_ranks` places photos relative to each other.

Invariants: every list is exactly `gallery_sql(q)`'s ids in its order
(tests/unit/test_gallery_ids.py); a search keeps its rank order; parameters
are bound; each ORDER BY matches an index of migration 4 (`GallerySort`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from curator.catalog import gallery_filters as gf
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.gallery_filters import FILE_NAME_SQL, metadata_where, ordered_ids
from curator.catalog.models import PREFERENCE_OF_PHOTO, Photo, Stage, StageStatus
from curator.catalog.paths_codec import shown_sql
from curator.catalog.people.filters import FLAGGED_SQL
from curator.catalog.types import NO_LABEL, GalleryQuery, GallerySort

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
    only those photos (one parameter). `sets_in_python`: without the sets
    `gallery_query_ids` tests itself. `match_probe`: MATCH as a lookup per
    photo (`gf.MATCH_PROBE_SQL`) rather than a set built first."""
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
    if q.label == NO_LABEL:
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
    """`gallery_sql(q)`'s ids, in its order (only the first `limit` when given).
    A whole list takes the failed lane, the MATCH set and the metadata sets
    as set tests (`gf.ids_in`): SQLite's IN probe per row cost ~17 ms over 70k
    unreviewed photos of 100k, a set test ~3 ms."""
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
    """On SQLite, when `q` narrows to one camera whose photos in its pass are
    few (at most `_FEW_PER_PAGE` pages, counted in m021's `photo_camera_cull`):
    the WHERE terms that find them by that index. Walking the scores' order
    instead looks up ~36 photos per one that passes (35-80 ms for one camera's
    kept ones at 100,000 photos, where finding and sorting those 2,800 takes
    ~8 ms). None: walk the scores (PostgreSQL weighs the two itself)."""
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
