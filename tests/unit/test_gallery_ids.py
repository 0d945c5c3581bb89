"""`queries.gallery_query_ids` lists exactly `gallery_sql`'s ids in its order
(issue 21 §2: the review passes drop their failed photos in Python and long
lists are parsed by numpy, both only to be faster)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from curator.catalog import gallery_filters
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.db import Catalog
from curator.catalog.gallery_filters import MetadataFilter, ids_in, parse_ids, ranked_among
from curator.catalog.models import utcnow
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids, gallery_sql
from tests.bench.bulk import insert_many, loading

N = 3_000  # ids of 4 digits: the whole list is a string past parse_ids' numpy threshold
CULLS = ("unreviewed", "kept", "rejected")


def _populate(cat: Catalog, *, odd_scores: bool = False) -> set[int]:
    """N photos in every pass, some failed in the technical stage; the failed ids.
    Capture times tie in threes (a burst in one second) and some are missing;
    file names run against the ids, so a tie broken by id would show. Scores are
    whole numbers, many equal, as `write_scores` stores them (hundredths);
    `odd_scores`: a few are not a whole number of hundredths (a catalog
    written by other means)."""
    now, t0 = utcnow(), datetime(2024, 1, 1)
    failed = {pid for pid in range(1, N + 1) if pid % 7 == 0}
    db = cat.db
    with loading(db, analyze=False):  # on PostgreSQL: the text index built once, at the end
        insert_many(
            db,
            "INSERT INTO photo (id, path, captured_at, cull, deleted_at, imported_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    pid,
                    f"/p/{N - pid:05d}.jpg".encode(),
                    None if pid % 13 == 0 else t0 + timedelta(seconds=(pid * 7919) % N // 3),
                    CULLS[pid % 3],
                    now if pid % 11 == 0 else None,  # purged: scored, in no list
                    now,
                    now,
                )
                for pid in range(1, N + 1)
            ],
        )
        insert_many(
            db,  # the taste scores' own table (schema v16); many ties
            "INSERT INTO photo_preference (photo_id, score, model_version) VALUES (?, ?, 1)",
            [
                (pid, (pid * 31) % 100 + (0.001 if odd_scores and pid % 17 == 0 else 0.0))
                for pid in range(1, N + 1)
                if pid % 5
            ],
        )
        insert_many(
            db,
            "INSERT INTO stage_run (photo_id, stage, status, attempts, stage_version,"
            " updated_at) VALUES (?, 'technical', ?, 1, 'v', ?)",
            [(pid, "failed" if pid in failed else "done", now) for pid in range(1, N + 1)],
        )
    return failed


def _plain(cat: Catalog, q: GalleryQuery) -> list[int]:
    sql, params = gallery_sql(q)
    return [int(pid) for (pid,) in cat.db.execute_sql(sql, params).fetchall()]


@pytest.mark.parametrize("tables", [False, True])
@pytest.mark.parametrize("match", [False, True])
@pytest.mark.parametrize("cull", [None, *CULLS])
@pytest.mark.parametrize(
    "sort", [GallerySort.CAPTURE_TIME, GallerySort.PREFERENCE, GallerySort.LIKELY_REJECTS]
)
def test_the_ids_are_the_plain_querys_in_its_order(
    catalog: Catalog,
    cull: str | None,
    sort: GallerySort,
    match: bool,
    tables: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`tables`: the ids parsed into an array and the failed lane and the MATCH
    set applied through numpy's id table (`gallery_filters.ids_in`, as for a
    list of 100k), not set tests."""
    import numpy  # noqa: F401  (loaded, as in the app once the first paint is done)

    monkeypatch.setattr(gallery_filters, "_IN_NUMPY_FROM", 1 if tables else 10**9)
    monkeypatch.setattr(gallery_filters, "_PARSE_IN_NUMPY_FROM", 1 if tables else 10**9)
    # by preference: the whole score index merged (tables) or the few kept sorted
    monkeypatch.setattr(gallery_filters, "SCORES_OF_FEW_BELOW", 0 if tables else 10**9)
    # the likeliest rejects: sorted in numpy (a catalog's scores in hundredths) or,
    # with scores that are not (`odd_scores`, here with `tables`), by SQL itself
    sorted_here = []
    by_likely_rejects = gallery_filters.by_likely_rejects

    def watched(*args: object) -> list[int] | None:
        out = by_likely_rejects(*args)  # type: ignore[arg-type]
        sorted_here.append(out is not None)
        return out

    monkeypatch.setattr(gallery_filters, "by_likely_rejects", watched)
    odd = tables and sort is GallerySort.LIKELY_REJECTS
    failed = _populate(catalog, odd_scores=odd)
    q = GalleryQuery(cull=cull, sort=sort, match_only=match)
    ids = gallery_query_ids(q)
    assert ids == _plain(catalog, q)
    assert all(type(pid) is int for pid in ids[:10])
    assert ids[:100] == gallery_query_ids(q, 100)  # the first page is the list's head
    assert ids == gallery_query_ids(q, N)  # a page past the scored photos: then the unscored
    expected = {
        pid
        for pid in range(1, N + 1)
        if pid % 11  # purged photos keep their score row but are in no list
        and (cull is None or CULLS[pid % 3] == cull)
        and not (cull in ("unreviewed", "kept") and pid in failed)  # the failed lane
        and not (match and (pid % 5 == 0 or (pid * 31) % 100 < 70))  # MATCH: score ≥ 70
    }
    assert set(ids) == expected and len(ids) == len(expected)
    assert expected & failed if cull in (None, "rejected") else not expected & failed
    if sort is GallerySort.LIKELY_REJECTS:
        assert sorted_here and set(sorted_here) == {not odd}


@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("cull", [None, *CULLS])
def test_a_first_page_under_match_is_the_lists_head_probed_or_from_the_set(
    catalog: Catalog, cull: str | None, wide: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MATCH under a sort other than the score: on SQLite a first page looks each
    walked photo's score up when the MATCH set is wide (`MATCH_PROBE_SQL`), and
    builds the set first when it is narrow; either way it is the list's head."""
    monkeypatch.setattr(gallery_filters, "MATCH_WIDE", 1 if wide else 10**9)
    seen: list[str] = []
    ordered = gallery_filters.ordered_id_values

    def watched(sql: str, params: object) -> object:
        seen.append(sql)
        return ordered(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(gallery_filters, "ordered_id_values", watched)
    _populate(catalog)
    for sort in (GallerySort.CAPTURE_TIME, GallerySort.SHARPNESS, GallerySort.FILE_NAME):
        q = GalleryQuery(cull=cull, sort=sort, match_only=True)
        whole = _plain(catalog, q)
        assert whole and gallery_query_ids(q) == whole
        for limit in (1, 24, 100, N):
            seen.clear()
            assert gallery_query_ids(q, limit) == whole[:limit], (sort, limit)
            probed = any("match_score" in sql for sql in seen)
            assert probed == (wide and not dialect_of(catalog.db).is_postgres), seen


def _ranked_among_plainly(ranked: list[int], kept: list[int]) -> list[int]:
    """The straightforward intersection: the first place of each ranked id the filters keep."""
    keep, seen, out = set(kept), set(), []
    for pid in ranked:
        if pid in keep and pid not in seen:
            seen.add(pid)
            out.append(pid)
    return out


@pytest.mark.parametrize(
    "case", ["shuffled", "duplicates", "kept a few", "ids far apart", "negative", "none kept"]
)
def test_a_long_ranking_keeps_what_the_plain_intersection_keeps(case: str) -> None:
    """`ranked_among`'s numpy table (a long ranking) gives the very list, order
    and first places of duplicates, that a plain loop gives."""
    import numpy as np

    rng = np.random.default_rng(7)
    ranked = [int(p) for p in rng.permutation(np.arange(1, 8_001))]
    kept = [int(p) for p in rng.permutation(np.arange(1, 8_001))[:6_000]]
    if case == "duplicates":
        ranked = ranked + ranked[::-3] + [ranked[5]] * 4
    elif case == "kept a few":
        kept = kept[:25]
    elif case == "ids far apart":  # a table that large is not built: the Python path
        ranked = [*ranked, 10**15, 3, 10**15]
        kept = [*kept, 10**15]
    elif case == "negative":
        ranked = [-1, *ranked]
        kept = [-1, *kept]
    elif case == "none kept":
        kept = [9_999_999]
    found = ranked_among(tuple(ranked), kept)
    assert found == _ranked_among_plainly(ranked, kept)
    assert all(type(pid) is int for pid in found[:10])
    assert ranked_among(tuple(ranked[:50]), kept) == _ranked_among_plainly(ranked[:50], kept)
    assert ranked_among((), kept) == [] and ranked_among(tuple(ranked), []) == []


@pytest.mark.parametrize("tables", [False, True])
def test_a_metadata_filter_lists_the_plain_querys_ids_in_its_order(
    catalog: Catalog, tables: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The camera/lens/ISO and file-name sets applied to the sorted list
    outside SQL (`metadata_id_sets`, `tables`: through numpy's id table) list
    exactly what the plain query's `+id IN (…)` lists, in its order."""
    import numpy  # noqa: F401  (loaded, as in the app once the first paint is done)

    monkeypatch.setattr(gallery_filters, "_IN_NUMPY_FROM", 1 if tables else 10**9)
    monkeypatch.setattr(gallery_filters, "_PARSE_IN_NUMPY_FROM", 1 if tables else 10**9)
    # by preference: the whole score index merged (tables) or the few kept sorted
    monkeypatch.setattr(gallery_filters, "SCORES_OF_FEW_BELOW", 0 if tables else 10**9)
    _populate(catalog)
    catalog.db.execute_sql(
        "UPDATE photo SET camera_model = CASE id % 3 WHEN 0 THEN 'X-T3' WHEN 1 THEN 'R6' END,"
        " camera_make = 'Fujifilm', lens = CASE WHEN id % 4 = 0 THEN 'Lens 50mm' END,"
        " iso = 100 * (id % 40)"
    )
    filters = [
        MetadataFilter(camera="X-T3"),
        MetadataFilter(camera="Fujifilm"),  # no model: the make names the camera
        MetadataFilter(lens="Lens 50mm", iso_min=800, iso_max=3200),
        MetadataFilter(name_contains="12"),
        MetadataFilter(camera="R6", name_contains="7", date_from=date(2024, 1, 1)),
        MetadataFilter(camera="nobody's camera"),
    ]
    for metadata in filters:
        for cull in (None, "kept", "unreviewed"):
            for sort in (GallerySort.CAPTURE_TIME, GallerySort.PREFERENCE, GallerySort.FILE_NAME):
                q = GalleryQuery(cull=cull, sort=sort, metadata=metadata, match_only=cull is None)
                ids = gallery_query_ids(q)
                assert ids == _plain(catalog, q), (metadata, cull, sort)
                assert ids[:50] == gallery_query_ids(q, 50)
    assert gallery_query_ids(GalleryQuery(metadata=filters[0]))  # the filters found some
    assert gallery_query_ids(GalleryQuery(metadata=filters[1]))


@pytest.mark.parametrize("far_apart", [False, True])
def test_the_likeliest_rejects_place_each_photo_by_its_own_score(
    catalog: Catalog, far_apart: bool
) -> None:
    """`by_likely_rejects` finds each photo's score through a table indexed by id,
    or (ids far apart: a table would not fit) a binary search: either way the
    order is SQL's, equal scores in capture-time order, the unscored last."""
    import numpy

    step = 10**8 if far_apart else 1
    now, t0 = utcnow(), datetime(2024, 1, 1)
    ids = [pid * step + 7 for pid in range(1, 41)]
    with catalog.db.atomic():
        insert_many(
            catalog.db,
            "INSERT INTO photo (id, path, captured_at, imported_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (pid, f"/p/{-n % 40:02d}.jpg".encode(), t0 + timedelta(minutes=n % 4), now, now)
                for n, pid in enumerate(ids)
            ],
        )
        insert_many(
            catalog.db,
            "INSERT INTO photo_preference (photo_id, score, model_version) VALUES (?, ?, 1)",
            [(pid, (n % 5) * 12.5) for n, pid in enumerate(ids) if n % 6],
        )
    q = GalleryQuery(sort=GallerySort.LIKELY_REJECTS)
    capture_order = gallery_query_ids(GalleryQuery(sort=GallerySort.CAPTURE_TIME))
    assert gallery_filters.by_likely_rejects(numpy.asarray(capture_order), None) == _plain(
        catalog, q
    )
    assert gallery_query_ids(q) == _plain(catalog, q)


@pytest.mark.parametrize("case", ["some unranked", "all ranked", "none ranked", "ids far apart"])
def test_ranked_then_rest_is_the_plain_sort_by_rank_then_id(case: str) -> None:
    """`ranked_then_rest` (the preference sort's merge: numpy's tables for a long
    list) gives what a plain loop gives: the kept ids in rank order, then the
    kept ids without a rank, ascending."""
    import numpy as np

    rng = np.random.default_rng(5)
    ranked = [int(p) for p in rng.permutation(np.arange(1, 9_001))[:7_000]]
    kept = [int(p) for p in rng.permutation(np.arange(1, 9_001))[:6_000]]
    if case == "all ranked":
        kept = ranked[::2]
    elif case == "none ranked":
        ranked = []
    elif case == "ids far apart":  # a table that large is not built: the Python path
        ranked, kept = [*ranked, 10**15], [*kept, 10**15, 10**14]
    keep = set(kept)
    expected = [pid for pid in ranked if pid in keep]
    expected += sorted(keep - set(ranked))
    for r, k in ((ranked, kept), (np.array(ranked, dtype=np.int64), np.array(kept))):
        found = gallery_filters.ranked_then_rest(r, k)
        assert found == expected
        assert all(type(pid) is int for pid in found[:10])
    assert gallery_filters.ranked_then_rest(ranked[:20], kept[:30]) == (
        [pid for pid in ranked[:20] if pid in set(kept[:30])]
        + sorted(set(kept[:30]) - set(ranked[:20]))
    )


@pytest.mark.parametrize("inside", [True, False])
@pytest.mark.parametrize("case", ["shuffled", "few members", "ids far apart", "negative"])
def test_a_long_list_keeps_what_a_set_test_keeps(case: str, inside: bool) -> None:
    """`ids_in`'s numpy table gives the very list, in the same order, that a
    set test per id gives (duplicates in `ids` kept, as the set test keeps them)."""
    import numpy as np

    rng = np.random.default_rng(11)
    ids = [int(p) for p in rng.permutation(np.arange(1, 9_001))] + [17, 17]
    members = [int(p) for p in rng.permutation(np.arange(1, 9_001))[:4_000]]
    if case == "few members":
        members = members[:3]
    elif case == "ids far apart":  # a table that large is not built: the set path
        ids, members = [*ids, 10**15], [*members, 10**15]
    elif case == "negative":
        ids, members = [-5, *ids], [-5, *members]
    keep = set(members)
    found = ids_in(ids, members, inside=inside)
    assert found == [pid for pid in ids if (pid in keep) == inside]
    assert all(type(pid) is int for pid in found[:10])
    assert ids_in(ids, [], inside=inside) == ([] if inside else ids)


@pytest.mark.parametrize("walk", ["among", "whole set"])
@pytest.mark.parametrize("tables", [False, True])
def test_a_search_under_a_filter_lists_its_ranking_the_filter_keeps(
    catalog: Catalog, tables: bool, walk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gallery_query_ids` with a ranking (`tables`: numpy's path, as for 100k
    ids): the ranked photos the filter keeps, in rank order, as the plain
    query's set says; its first page the same list's head. `walk`: the
    ranking asked of the filters a chunk at a time, or (past RANKED_WALK)
    the filters' whole set listed once."""
    import numpy  # noqa: F401  (loaded, as in the app once the first paint is done)

    monkeypatch.setattr(gallery_filters, "RANKED_CHUNK", 300)
    monkeypatch.setattr(gallery_filters, "RANKED_WALK", 10**9 if walk == "among" else 600)

    monkeypatch.setattr(gallery_filters, "_IN_NUMPY_FROM", 1 if tables else 10**9)
    monkeypatch.setattr(gallery_filters, "_PARSE_IN_NUMPY_FROM", 1 if tables else 10**9)
    # by preference: the whole score index merged (tables) or the few kept sorted
    monkeypatch.setattr(gallery_filters, "SCORES_OF_FEW_BELOW", 0 if tables else 10**9)
    failed = _populate(catalog)
    ranking = tuple([pid for pid in range(N, 0, -1) if pid % 4] + [12, 8, 8])
    for cull in (None, "kept"):
        q = GalleryQuery(cull=cull, ranked_ids=ranking)
        kept = set(_plain(catalog, GalleryQuery(cull=cull)))
        expected = [pid for pid in range(N, 0, -1) if pid % 4 and pid in kept]
        expected += [pid for pid in (12, 8) if pid in kept and pid not in expected]
        assert gallery_query_ids(q) == expected
        head = gallery_query_ids(q, 400)  # the first page, or all (the whole set listed)
        assert head == expected[: len(head)] and len(head) in (400, len(expected))
        if walk == "among":
            assert len(head) == 400
        assert (cull is None) == bool(set(expected) & failed)


def test_a_long_id_list_parses_as_a_short_one_does() -> None:
    import numpy  # noqa: F401  (loaded: the long list takes numpy's path)

    ids = [(i * 7919) % 100_003 + 1 for i in range(10_000)]
    text = ",".join(map(str, ids))
    assert len(text) > 20_000
    parsed = parse_ids(text)
    assert parsed == ids and all(type(pid) is int for pid in parsed[:10])
    assert parse_ids("3,1,2") == [3, 1, 2]


def test_a_long_id_list_never_imports_numpy() -> None:
    """Before the first paint numpy is not loaded (issue 21 §1); a whole review
    pass listed then is parsed without it."""
    script = (
        "import sys\n"
        "from curator.catalog.gallery_filters import parse_ids\n"
        "assert 'numpy' not in sys.modules\n"
        "assert parse_ids(','.join(map(str, range(1, 50_001)))) == list(range(1, 50_001))\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "False"


def test_gallery_rows_reads_exactly_the_live_photos_asked_for(catalog: Catalog) -> None:
    """The rows around a tile are asked with the ids as one parameter
    (`Dialect.in_ids`): live photos only, each once, whatever else is asked."""
    from curator.catalog.queries import gallery_rows

    failed = _populate(catalog)
    asked = [5, 7, 11, 22, 7, 10**9, 2999, 14, *range(100, 130)]
    rows = gallery_rows(asked)
    live = {pid for pid in asked if pid <= N and pid % 11}
    assert set(rows) == live
    assert all(rows[pid].id == pid for pid in rows)
    assert {pid for pid, row in rows.items() if row.failed_reason} == live & failed
    assert rows[5].cull == CULLS[5 % 3] and rows[5].file_name == f"{N - 5:05d}.jpg"


@pytest.mark.parametrize("sort", [GallerySort.PREFERENCE, GallerySort.LIKELY_REJECTS])
def test_one_cameras_few_photos_in_a_pass_are_found_first_and_listed_as_the_plain_query(
    catalog: Catalog, sort: GallerySort, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A score sort under a camera filter whose photos in the pass are few
    (`lists._few_of_one_camera`, SQLite) finds them in `photo_camera_cull`
    and sorts their scores, instead of walking the scores' order; many, it
    walks. Either way the first page is the plain query's head, the unscored
    after the scored, MATCH and a face verdict's likely rejects as always."""
    from curator.catalog.gallery import lists

    _populate(catalog)
    catalog.db.execute_sql(  # a rare body (1 in 20 photos), a common one, the rest
        "UPDATE photo SET camera_model = CASE WHEN id % 20 = 0 THEN 'Rare'"
        " WHEN id % 2 = 0 THEN 'Common' ELSE 'Other' END, camera_make = 'Maker'"
    )
    chosen: list[bool] = []
    real = lists._few_of_one_camera

    def watched(q: GalleryQuery, limit: int) -> object:
        found = real(q, limit)
        chosen.append(found is not None)
        return found

    monkeypatch.setattr(lists, "_few_of_one_camera", watched)
    postgres = dialect_of(catalog.db).is_postgres
    for camera, few in (("Rare", True), ("Common", False)):
        for cull in (None, "kept", "rejected"):
            for match in (False, True):
                q = GalleryQuery(
                    cull=cull, sort=sort, match_only=match, metadata=MetadataFilter(camera=camera)
                )
                plain = _plain(catalog, q)
                chosen.clear()
                for limit in (20, 60, len(plain) + 5):  # the scored, then the unscored too
                    assert gallery_query_ids(q, limit) == plain[:limit], (camera, cull, limit)
                # 'Rare' in a pass: ~50 photos, within 8 pages of 20; 'Common': ~500
                assert chosen[0] is (few and not postgres), (camera, cull, chosen)
    if not postgres:
        plan = catalog.db.execute_sql(
            "EXPLAIN QUERY PLAN SELECT photo.id FROM photo JOIN photo_preference"
            " ON photo.id = photo_preference.photo_id WHERE deleted_at IS NULL AND cull = ?"
            f" AND {gallery_filters.CAMERA_SQL} = ? ORDER BY photo_preference.score DESC",
            ["kept", "Rare"],
        ).fetchall()
        assert any("photo_camera_cull" in str(row) for row in plan), plan
