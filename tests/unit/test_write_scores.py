"""`judgments.write_scores`: a rescore writes only the rows whose score or model
version changed, each at most once, and clears the photos the new model no
longer scores (issue 21 §2: rescoring 100k photos is the cost of its writes)."""

from __future__ import annotations

import numpy as np

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
