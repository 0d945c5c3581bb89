"""`taste.store.write_scores`: the scores live in the narrow `photo_preference`
table (schema v16); a rescore writes only the rows whose score changed, each
at most once, a retrain replaces the table, the photos the new model no
longer scores lose theirs, and no photo row is ever written (issue 21 §2:
rescoring 100k photos is the cost of its writes)."""

from __future__ import annotations

import numpy as np
import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.taste import store as taste_store
from curator.catalog.taste.store import write_scores


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/photos/{name}".encode(), content_hash=None).id)


def _scores(catalog: Catalog, ids: list[int]) -> list[tuple[float | None, int | None]]:
    stored = {
        int(pid): (float(score), int(version))
        for pid, score, version in catalog.db.execute_sql(
            "SELECT photo_id, score, model_version FROM photo_preference"
        )
    }
    return [stored.get(pid, (None, None)) for pid in ids]


def _count_writes(catalog: Catalog) -> None:
    """Temp triggers that record every score row written (inserted or updated)
    and every photo row updated."""
    db = catalog.db
    db.execute_sql("CREATE TEMP TABLE IF NOT EXISTS written (id INTEGER, what TEXT)")
    for event in ("INSERT", "UPDATE"):
        db.execute_sql(
            f"CREATE TEMP TRIGGER IF NOT EXISTS score_{event.lower()} AFTER {event}"
            " ON photo_preference BEGIN INSERT INTO written VALUES (NEW.photo_id, 'score'); END"
        )
    db.execute_sql(
        "CREATE TEMP TRIGGER IF NOT EXISTS photo_written AFTER UPDATE ON photo "
        "BEGIN INSERT INTO written VALUES (NEW.id, 'photo'); END"
    )
    db.execute_sql("DELETE FROM written")


def _written(catalog: Catalog, what: str = "score") -> list[int]:
    rows = catalog.db.execute_sql("SELECT id FROM written WHERE what = ?", (what,))
    return sorted(int(i) for (i,) in rows)


def test_a_rescore_writes_only_what_changed_and_each_row_once(catalog: Catalog) -> None:
    ids = [_photo(f"{i}.jpg") for i in range(4)]
    write_scores(1, ids, np.array([10.0, 20.0, 30.0, 40.0]))
    assert _scores(catalog, ids) == [(10.0, 1), (20.0, 1), (30.0, 1), (40.0, 1)]

    _count_writes(catalog)
    write_scores(1, ids, np.array([10.0, 20.004, 35.0, 40.0]))  # 20.004 rounds to 20.0
    assert _written(catalog) == [ids[2]]
    assert _scores(catalog, ids) == [(10.0, 1), (20.0, 1), (35.0, 1), (40.0, 1)]

    # A new model version: every row it scores is written once (never cleared first).
    _count_writes(catalog)
    write_scores(2, ids[:3], np.array([10.0, 21.0, 35.0]))
    assert _written(catalog) == sorted(ids[:3])  # ids[3]: no score any more
    assert _scores(catalog, ids) == [(10.0, 2), (21.0, 2), (35.0, 2), (None, None)]
    assert _written(catalog, "photo") == []  # the wide photo rows are never written


def test_no_photo_index_or_column_carries_a_score(catalog: Catalog) -> None:
    """Since schema v16 the scores are only in their own table: a rescore
    rewrites no index of the wide photo rows."""
    photo_sql = [
        str(sql)
        for (sql,) in catalog.db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'photo' AND sql IS NOT NULL"
            " AND type IN ('table', 'index')"
        )
    ]
    assert photo_sql and not [sql for sql in photo_sql if "preference" in sql]


def _order_index(catalog: Catalog) -> str:
    row = catalog.db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'photo_preference_order'"
    ).fetchone()
    return str(row[0]) if row else ""


def _schema_version(catalog: Catalog) -> int:
    return int(catalog.db.execute_sql("PRAGMA schema_version").fetchone()[0])


def test_a_retrain_of_many_photos_rebuilds_the_order_index_as_it_was(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past REBUILD_INDEX_FROM photos a new version drops the scores' order index
    and builds it again in the same transaction (issue 21 §2): the same index,
    every row written once, the preference order read from it alone."""
    monkeypatch.setattr(taste_store, "REBUILD_INDEX_FROM", 5)
    before = _order_index(catalog)
    assert before.startswith("CREATE INDEX photo_preference_order")
    ids = [_photo(f"{i}.jpg") for i in range(8)]
    extra = _photo("gone.jpg")
    write_scores(1, [*ids, extra], np.linspace(5.0, 95.0, 9))

    _count_writes(catalog)
    scores = np.array([50.0, 10.0, 90.0, 30.0, 70.0, 20.0, 80.0, 40.0])
    schema = _schema_version(catalog)
    write_scores(2, ids, scores)
    assert _schema_version(catalog) > schema  # the index was dropped and built again
    assert _written(catalog) == sorted(ids)  # each once; `extra` lost its score
    assert _order_index(catalog) == before
    assert _scores(catalog, [*ids, extra]) == [(float(s), 2) for s in scores] + [(None, None)]
    sql = "SELECT photo_id FROM photo_preference ORDER BY score DESC, photo_id"
    plan = " ".join(str(r[-1]) for r in catalog.db.execute_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "COVERING INDEX photo_preference_order" in plan
    by_score = [pid for _, pid in sorted(zip(-scores, ids, strict=True))]
    assert [int(pid) for (pid,) in catalog.db.execute_sql(sql)] == by_score

    # The same version again: nothing moved, nothing written.
    _count_writes(catalog)
    schema = _schema_version(catalog)
    write_scores(2, ids, scores)
    assert _written(catalog) == [] and _schema_version(catalog) == schema


def test_scores_are_stored_as_the_doubles_numpy_round_gives(catalog: Catalog) -> None:
    """The scores travel to SQLite packed with their ids in one JSON array; what is
    stored is exactly numpy's `round(score, 2)`, a score that is not a number
    leaves the photo without one, and a score off the 0..100 scale is
    refused rather than stored wrong."""
    rng = np.random.default_rng(7)
    ids = [_photo(f"{i}.jpg") for i in range(500)]
    scores = np.concatenate([[0.0, 100.0, 0.005, 99.995, 57.2349], rng.uniform(0, 100, 495)])
    write_scores(1, ids, scores)
    assert _scores(catalog, ids) == [(float(s), 1) for s in np.round(scores, 2)]

    write_scores(2, ids[:3], np.array([np.nan, 12.5, np.nan]))
    assert _scores(catalog, ids[:3]) == [(None, None), (12.5, 2), (None, None)]
    write_scores(2, ids[:2], np.array([np.nan, np.nan]))  # the same version: scores go
    assert _scores(catalog, ids[:2]) == [(None, None), (None, None)]
    write_scores(2, ids[:2], np.array([30.0, 12.5]))

    with pytest.raises(ValueError, match=r"0\.\.100"):
        write_scores(3, ids[:1], np.array([100.5]))
    assert _scores(catalog, ids[:2]) == [(30.0, 2), (12.5, 2)]  # nothing written
