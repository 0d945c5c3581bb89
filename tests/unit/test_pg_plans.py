"""The gallery's planner aids on PostgreSQL (backends.pg_plans, issue 34 §6):
made at a writable open, made again when dropped, never failing an open, and
what they are for — the planner's estimate of one camera's photos, and the
score tables' keys carrying the score while scores are written as before.
Runs against the throwaway server of tests/pg_server.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from curator.catalog.backends import pg_plans
from curator.catalog.backends.postgres import to_postgres, to_psycopg
from curator.catalog.db import Catalog
from curator.catalog.queries import gallery_query_ids, gallery_rows, gallery_sql
from curator.catalog.types import GalleryQuery, GallerySort, MetadataFilter
from tests.bench.gallery_catalog import populate

N = 20_000


def _camera_count(cat: Catalog, camera: str) -> int:
    sql = "SELECT count(*) FROM photo WHERE COALESCE(camera_model, camera_make) = ?"
    return int(cat.db.execute_sql(sql, [camera]).fetchone()[0])


def _estimated_rows(cat: Catalog, camera: str) -> int:
    sql = to_psycopg(
        to_postgres(
            "EXPLAIN SELECT id FROM photo WHERE deleted_at IS NULL"
            " AND COALESCE(camera_model, camera_make) = ?"
        )
    )
    cursor = cat.db.cursor()
    cursor.execute(sql, [camera])
    plan = "\n".join(str(line) for (line,) in cursor.fetchall())
    found = re.search(r"rows=(\d+)", plan)
    assert found, plan
    return int(found.group(1))


def test_a_writable_open_makes_the_index_and_statistics_and_makes_them_again(
    pg_url: str,
) -> None:
    with Catalog.open(pg_url) as cat:
        index, stats, failed = pg_plans.present(cat.db)
        assert index and failed
        assert stats == (int(cat.db.server_version) >= pg_plans.EXPRESSION_STATISTICS_SINCE)
        cat.db.execute_sql(f"DROP INDEX {pg_plans.CAMERA_CULL_INDEX}")
        cat.db.execute_sql(f"DROP STATISTICS IF EXISTS {pg_plans.CAMERA_STATISTICS}")
        cat.db.execute_sql(f"DROP INDEX {pg_plans.FAILED_INDEX}")
        assert pg_plans.present(cat.db) == (False, False, False)
    with Catalog.open(pg_url) as cat:
        assert pg_plans.present(cat.db) == (index, stats, failed)
        assert pg_plans.ensure_plan_aids(cat.db) is None  # all there: nothing to do


def test_the_planner_knows_how_many_photos_one_camera_has(pg_url: str) -> None:
    """Without the statistics the planner guessed 0.5 % of the photos for any
    camera (the partial index's expression has none); with them it is within a
    factor of two of the truth, so a first page walks the time order instead
    of sorting the whole camera."""
    with Catalog.open(pg_url) as cat:
        if int(cat.db.server_version) < pg_plans.EXPRESSION_STATISTICS_SINCE:
            pytest.skip("expression statistics need PostgreSQL 14")
        populate(cat, N)
        cat.db.execute_sql(f"DROP STATISTICS {pg_plans.CAMERA_STATISTICS}")
        cat.db.execute_sql("ANALYZE photo")
        camera = "X-T3"
        true_count = _camera_count(cat, camera)
        assert true_count > N // 20  # one of a handful of bodies
        guessed = _estimated_rows(cat, camera)
        assert guessed < true_count / 5  # the guess this module is for
        assert pg_plans.ensure_plan_aids(cat.db) is None
        estimated = _estimated_rows(cat, camera)
        assert true_count / 2 <= estimated <= true_count * 2

        query = GalleryQuery(metadata=MetadataFilter(camera=camera))
        sql, params = gallery_sql(query)
        plain = [int(pid) for (pid,) in cat.db.execute_sql(sql, params).fetchall()]
        assert gallery_query_ids(query, limit=500) == plain[:500]
        assert gallery_query_ids(query) == plain


class _RefusingDb:
    """A database whose role may read the catalog but not create in it."""

    server_version = 150000

    def __init__(self) -> None:
        self.statements: list[str] = []

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        self.statements.append(sql)
        if sql.startswith("SELECT EXISTS"):  # the camera aids, the failed lane's: none there
            return _Rows([(False, False, False)])
        if sql.startswith("SELECT c.relname"):  # the score keys: one not covered
            return _Rows([("photo_preference",)])
        raise RuntimeError("permission denied for schema public\nDETAIL: more")

    def atomic(self, *_args: Any) -> Any:
        import contextlib

        return contextlib.nullcontext()


class _Rows:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def fetchone(self) -> tuple[Any, ...]:
        return self.rows[0]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


def test_a_role_that_may_not_create_them_gets_a_sentence_not_an_error() -> None:
    db = _RefusingDb()
    sentence = pg_plans.ensure_plan_aids(db)
    assert sentence is not None
    assert "permission denied for schema public" in sentence and "DETAIL" not in sentence
    assert "camera filter" in sentence
    assert any(s.startswith("CREATE INDEX") for s in db.statements)


def test_the_score_tables_keys_carry_the_score_and_scores_are_written_as_before(
    pg_url: str,
) -> None:
    from curator.catalog.models import Photo, preference_scores
    from curator.catalog.taste.store import write_scores

    def covered(cat: Catalog) -> dict[str, str]:
        rows = cat.db.execute_sql(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid WHERE i.indisprimary"
            " AND c.relname IN ('photo_preference', 'taste_score')"
        ).fetchall()
        return {str(table): str(definition) for table, definition in rows}

    with Catalog.open(pg_url) as cat:
        keys = covered(cat)
        assert set(keys) == {"photo_preference", "taste_score"}
        assert "(photo_id) INCLUDE (score)" in keys["photo_preference"]
        assert "(owner, photo_id) INCLUDE (score)" in keys["taste_score"]
        assert pg_plans.uncovered_score_keys(cat.db) == []
        # As an older Curator left it: the plain key. The next open covers it again.
        cat.db.execute_sql(
            "ALTER TABLE photo_preference DROP CONSTRAINT photo_preference_pkey,"
            " ADD PRIMARY KEY (photo_id)"
        )
        assert pg_plans.uncovered_score_keys(cat.db) == ["photo_preference"]
        ids = [Photo.create(path=f"/s/{i}.jpg".encode(), content_hash=f"h{i}").id for i in range(3)]
    with Catalog.open(pg_url) as cat:
        assert pg_plans.uncovered_score_keys(cat.db) == []
        assert covered(cat)["photo_preference"].endswith("(photo_id) INCLUDE (score)")
        # A retrain's write (ON CONFLICT on the key) and a same-version rescore.
        import numpy as np

        write_scores(1, ids, np.array([10.0, 20.0, 30.0]))
        write_scores(1, ids, np.array([10.0, 25.0, 30.0]))
        assert preference_scores(ids) == {ids[0]: 10.0, ids[1]: 25.0, ids[2]: 30.0}
        write_scores(2, ids, np.array([40.0, 50.0, 60.0]), owner="lead")
        write_scores(2, ids, np.array([40.0, 55.0, 60.0]), owner="lead")
        stored = cat.db.execute_sql(
            "SELECT photo_id, score FROM taste_score WHERE owner = 'lead' ORDER BY photo_id"
        ).fetchall()
        expected = list(zip(ids, [40.0, 55.0, 60.0], strict=True))
        assert [(int(p), float(v)) for p, v in stored] == expected


def test_every_catalog_connection_plans_serially_without_jit(pg_url: str) -> None:
    """Each of the catalog's connections sets its own planner settings
    (postgres.SESSION_SETTINGS): no JIT, no parallel workers (their start cost
    a first page 45 ms), index reads costed as cached."""
    with Catalog.open(pg_url) as cat:
        shown = {
            name: str(cat.db.execute_sql(f"SHOW {name}").fetchone()[0])
            for name in ("jit", "max_parallel_workers_per_gather", "random_page_cost", "work_mem")
        }
        assert shown == {
            "jit": "off",
            "max_parallel_workers_per_gather": "0",
            "random_page_cost": "1.1",
            "work_mem": "32MB",
        }
        cat.db.drop_connection()  # a new connection (a reconnect) sets them again
        assert str(cat.db.execute_sql("SHOW max_parallel_workers_per_gather").fetchone()[0]) == "0"


def test_a_first_page_asked_again_and_again_is_planned_for_its_own_values(
    pg_url: str,
) -> None:
    """psycopg prepares a statement on its fifth run, and after five more the
    server may keep one generic plan, made without the parameters' values:
    for 'camera + kept, by preference' that plan sorted every scored photo
    (first page 82 ms p50 at 100,000 photos; planned for its own camera and
    cull, 12-16 ms). The gallery's lists are sent unprepared
    (`Dialect.execute_planned`): however often one is asked, no generic plan
    is ever made for it, while the rows read by id stay prepared."""
    with Catalog.open(pg_url) as cat:
        if int(cat.db.server_version) < 140000:
            pytest.skip("pg_prepared_statements counts plans from PostgreSQL 14")
        populate(cat, N)
        cat.db.execute_sql("VACUUM ANALYZE")
        query = GalleryQuery(
            cull="kept", sort=GallerySort.PREFERENCE, metadata=MetadataFilter(camera="Canon EOS R6")
        )
        sql, params = gallery_sql(query)
        expected = [int(pid) for (pid,) in cat.db.execute_sql(sql, params).fetchall()][:500]
        first_rows = expected[:24]
        for _ in range(20):
            assert gallery_query_ids(query, limit=500) == expected
            assert sorted(gallery_rows(first_rows)) == sorted(first_rows)
        prepared = cat.db.execute_sql(
            "SELECT statement, generic_plans FROM pg_prepared_statements"
        ).fetchall()
        lists = [(text, n) for text, n in prepared if "photo_preference.score DESC" in text]
        assert lists == [], lists  # never prepared: planned for its values each time
        assert any("photo_faces" in text for text, _n in prepared)  # the rows read is


def test_a_review_pass_under_a_camera_reads_its_photos_from_the_index_alone(
    pg_url: str,
) -> None:
    """The (camera, cull) index carries the columns the camera expression is
    made of, so the planner may answer 'camera + kept' from the index alone
    (without them it fetched every one of the camera's kept photos from the
    table: a first page 16 ms at 100,000 photos, 8.5 from the index)."""
    with Catalog.open(pg_url) as cat:
        populate(cat, N)
        cat.db.execute_sql("VACUUM ANALYZE")  # the visibility map an index-only scan needs
        sql = to_psycopg(
            to_postgres(
                "EXPLAIN SELECT id FROM photo WHERE deleted_at IS NULL AND cull = ?"
                " AND COALESCE(camera_model, camera_make) = ?"
            )
        )
        cursor = cat.db.cursor()
        cursor.execute(sql, ["kept", "Canon EOS R6"])
        plan = "\n".join(str(line) for (line,) in cursor.fetchall())
        assert f"Index Only Scan using {pg_plans.CAMERA_CULL_INDEX}" in plan, plan


def test_a_wide_query_may_use_parallel_workers_and_the_session_gets_its_setting_back(
    pg_url: str,
) -> None:
    """`execute_sql_wide` (a text search's ranking) allows the server's parallel
    workers for its one statement; the catalog's other queries keep running
    serially after it — after a failed one too, in a transaction or not."""
    from curator.catalog.backends.postgres import WIDE_QUERY_WORKERS

    def workers(cat: Catalog) -> int:
        return int(cat.db.execute_sql("SHOW max_parallel_workers_per_gather").fetchone()[0])

    with Catalog.open(pg_url) as cat:
        seen = cat.db.execute_sql_wide("SHOW max_parallel_workers_per_gather").fetchone()[0]
        assert int(seen) == WIDE_QUERY_WORKERS > 0
        assert workers(cat) == 0
        with pytest.raises(Exception, match="no_such_table"):
            cat.db.execute_sql_wide("SELECT * FROM no_such_table")
        assert workers(cat) == 0
        with pytest.raises(Exception, match="no_such_table"), cat.db.atomic():
            cat.db.execute_sql_wide("SELECT * FROM no_such_table")
        assert workers(cat) == 0


def test_the_review_passes_leave_the_failed_photos_out_through_their_own_small_index(
    pg_url: str,
) -> None:
    """The failed lane's index (`FAILED_INDEX`) answers a review pass's 'not
    failed' probe from the index alone: each probe read the photo's technical
    run from the table (~10 µs, 5 ms of a first page), now ~1 µs; and the
    pass lists what the plain query lists."""
    with Catalog.open(pg_url) as cat:
        populate(cat, N)
        cat.db.execute_sql("VACUUM ANALYZE")
        query = GalleryQuery(cull="kept", match_only=True, sort=GallerySort.SHARPNESS)
        sql, params = gallery_sql(query)
        cursor = cat.db.cursor()
        cursor.execute(to_psycopg(to_postgres(f"EXPLAIN {sql} LIMIT 500")), params)
        plan = "\n".join(str(line) for (line,) in cursor.fetchall())
        assert f"Index Only Scan using {pg_plans.FAILED_INDEX}" in plan, plan
        plain = [int(pid) for (pid,) in cat.db.execute_sql(sql, params).fetchall()]
        assert gallery_query_ids(query, limit=500) == plain[:500]
