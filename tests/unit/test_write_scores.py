"""`judgments.write_scores`: a rescore writes only the rows whose score or model
version changed, each at most once, and clears the photos the new model no
longer scores (issue 21 §2: rescoring 100k photos is the cost of its writes)."""

from __future__ import annotations

import numpy as np
import pytest

from curator.catalog import judgments
from curator.catalog.db import Catalog
from curator.catalog.judgments import write_scores
from curator.catalog.models import Photo


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/photos/{name}".encode(), content_hash=None).id)


def _scores(ids: list[int]) -> list[tuple[float | None, int | None]]:
    return [
        (p.preference_score, p.preference_model_version)
        for p in (Photo.get_by_id(pid) for pid in ids)
    ]


def _count_row_writes(catalog: Catalog) -> None:
    """A temp trigger that records every photo row an UPDATE writes."""
    db = catalog.db
    db.execute_sql("CREATE TEMP TABLE IF NOT EXISTS written (id INTEGER)")
    db.execute_sql(
        "CREATE TEMP TRIGGER IF NOT EXISTS photo_written AFTER UPDATE ON photo "
        "BEGIN INSERT INTO written VALUES (NEW.id); END"
    )
    db.execute_sql("DELETE FROM written")


def _written(catalog: Catalog) -> list[int]:
    return sorted(int(i) for (i,) in catalog.db.execute_sql("SELECT id FROM written"))


def test_a_rescore_writes_only_what_changed_and_each_row_once(catalog: Catalog) -> None:
    ids = [_photo(f"{i}.jpg") for i in range(4)]
    write_scores(1, ids, np.array([10.0, 20.0, 30.0, 40.0]))
    assert _scores(ids) == [(10.0, 1), (20.0, 1), (30.0, 1), (40.0, 1)]

    _count_row_writes(catalog)
    write_scores(1, ids, np.array([10.0, 20.004, 35.0, 40.0]))  # 20.004 rounds to 20.0
    assert _written(catalog) == [ids[2]]
    assert _scores(ids) == [(10.0, 1), (20.0, 1), (35.0, 1), (40.0, 1)]

    # A new model version: every row it scores is written once (never cleared first).
    _count_row_writes(catalog)
    write_scores(2, ids[:3], np.array([10.0, 21.0, 35.0]))
    assert _written(catalog) == sorted(ids)  # ids[3]: cleared, the others rescored
    assert _scores(ids) == [(10.0, 2), (21.0, 2), (35.0, 2), (None, None)]


def test_only_the_preference_sort_index_carries_the_score(catalog: Catalog) -> None:
    """Each index holding preference_score is rewritten for every photo a rescore
    writes (schema v12): only the preference sort's own index keeps it."""
    names = [
        str(name)
        for (name,) in catalog.db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'photo'"
            " AND sql LIKE '%preference_score%' ORDER BY name"
        )
    ]
    assert names == ["photo_gallery_preference"]


def _preference_index(catalog: Catalog) -> str:
    row = catalog.db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'photo_gallery_preference'"
    ).fetchone()
    return str(row[0]) if row else ""


def _schema_version(catalog: Catalog) -> int:
    return int(catalog.db.execute_sql("PRAGMA schema_version").fetchone()[0])


def test_a_retrain_of_many_photos_rebuilds_the_preference_index_as_it_was(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past REBUILD_INDEX_FROM photos a new version drops the preference index and
    builds it again in the same transaction (issue 21 §2): the same index, every
    row written once, the preference sort read from it in score order."""
    monkeypatch.setattr(judgments, "REBUILD_INDEX_FROM", 5)
    before = _preference_index(catalog)
    assert before.startswith("CREATE INDEX photo_gallery_preference")
    ids = [_photo(f"{i}.jpg") for i in range(8)]
    extra = _photo("gone.jpg")
    write_scores(1, [*ids, extra], np.linspace(5.0, 95.0, 9))

    _count_row_writes(catalog)
    scores = np.array([50.0, 10.0, 90.0, 30.0, 70.0, 20.0, 80.0, 40.0])
    schema = _schema_version(catalog)
    write_scores(2, ids, scores)
    assert _schema_version(catalog) > schema  # the index was dropped and built again
    assert _written(catalog) == sorted([*ids, extra])  # each once; `extra` cleared
    assert _preference_index(catalog) == before
    assert _scores(ids) == [(float(s), 2) for s in scores]
    sql = (
        "SELECT id FROM photo WHERE deleted_at IS NULL"
        " ORDER BY preference_score IS NULL, preference_score DESC, id"
    )
    plan = " ".join(str(r[-1]) for r in catalog.db.execute_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "photo_gallery_preference" in plan
    by_score = [pid for _, pid in sorted(zip(-scores, ids, strict=True))] + [extra]
    assert [int(pid) for (pid,) in catalog.db.execute_sql(sql)] == by_score

    # The same version again: nothing moved, nothing written.
    _count_row_writes(catalog)
    schema = _schema_version(catalog)
    write_scores(2, ids, scores)
    assert _written(catalog) == [] and _schema_version(catalog) == schema


def test_scores_are_stored_as_the_doubles_numpy_round_gives(catalog: Catalog) -> None:
    """The scores travel to SQLite packed with their ids in one JSON array; what is
    stored is exactly numpy's `round(score, 2)` (what the temp-table rows held),
    a score that is not a number stays NULL, and a score off the 0..100 scale is
    refused rather than stored wrong."""
    rng = np.random.default_rng(7)
    ids = [_photo(f"{i}.jpg") for i in range(500)]
    scores = np.concatenate([[0.0, 100.0, 0.005, 99.995, 57.2349], rng.uniform(0, 100, 495)])
    write_scores(1, ids, scores)
    assert _scores(ids) == [(float(s), 1) for s in np.round(scores, 2)]

    write_scores(2, ids[:2], np.array([np.nan, 12.5]))
    assert _scores(ids[:2]) == [(None, 2), (12.5, 2)]

    with pytest.raises(ValueError, match=r"0\.\.100"):
        write_scores(3, ids[:1], np.array([100.5]))
    assert _scores(ids[:2]) == [(None, 2), (12.5, 2)]  # nothing written
