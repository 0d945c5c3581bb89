"""Schema v16 (m016): the taste scores move from `photo` into their own narrow
table. An existing catalog keeps every score and model version, the gallery
shows the same preference order and the same MATCH set as before, the old
columns and index are gone, and a photo row deleted takes its score along."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curator.catalog import gallery_filters
from curator.catalog.db import Catalog
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids, list_photos
from tests.old_catalogs import catalog_at_version

N = 400
CULLS = ("unreviewed", "kept", "rejected")


def _score(pid: int) -> float | None:
    return None if pid % 6 == 0 else float((pid * 37) % 100) + (0.25 if pid % 4 == 0 else 0.0)


def _v15_catalog(path: Path) -> None:
    con = catalog_at_version(path, 15)
    con.executemany(
        "INSERT INTO photo (id, path, content_hash, cull, preference_score,"
        " preference_model_version, deleted_at, imported_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
        [
            (
                pid,
                f"/lib/{pid:04d}.jpg".encode(),
                f"h{pid}",
                CULLS[pid % 3],
                _score(pid),
                None if _score(pid) is None else 3,
                "2025-02-01 00:00:00" if pid % 13 == 0 else None,
            )
            for pid in range(1, N + 1)
        ],
    )
    con.execute("PRAGMA user_version = 15")
    con.commit()
    con.close()


def _old_ids(path: Path, where: str, order: str) -> list[int]:
    """What the v15 gallery listed, by its own SQL over the old columns."""
    con = sqlite3.connect(path)
    try:
        sql = f"SELECT id FROM photo WHERE deleted_at IS NULL{where} ORDER BY {order}"
        return [int(pid) for (pid,) in con.execute(sql)]
    finally:
        con.close()


@pytest.mark.parametrize("tables", [False, True])
def test_a_v15_catalog_keeps_every_score_its_order_and_its_match_set(
    tmp_path: Path, tables: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy  # noqa: F401  (loaded, as in the app once the first paint is done)

    monkeypatch.setattr(gallery_filters, "_IN_NUMPY_FROM", 1 if tables else 10**9)
    monkeypatch.setattr(gallery_filters, "SCORES_OF_FEW_BELOW", 0 if tables else 10**9)
    path = tmp_path / "v15.sqlite"
    _v15_catalog(path)
    by_score = "preference_score IS NULL, preference_score DESC, id"
    before = {
        "all": _old_ids(path, "", by_score),
        "unreviewed": _old_ids(path, " AND cull = 'unreviewed'", by_score),
        "match": _old_ids(path, " AND preference_score >= 70", by_score),
        "match by time": _old_ids(path, " AND preference_score >= 70", "id"),
    }
    assert len(before["match"]) > 50 and len(before["all"]) > len(before["match"])
    with Catalog.open(path) as cat:
        db = cat.db
        stored = db.execute_sql(
            "SELECT photo_id, score, model_version FROM photo_preference ORDER BY photo_id"
        ).fetchall()
        assert stored == [
            (pid, _score(pid), 3) for pid in range(1, N + 1) if _score(pid) is not None
        ]
        columns = {str(row[1]) for row in db.execute_sql("PRAGMA table_info(photo)")}
        assert not {"preference_score", "preference_model_version"} & columns
        indexes = {str(n) for (n,) in db.execute_sql("SELECT name FROM sqlite_master")}
        assert "photo_gallery_preference" not in indexes and "photo_preference_order" in indexes

        pref = GallerySort.PREFERENCE
        assert gallery_query_ids(GalleryQuery(sort=pref)) == before["all"]
        assert gallery_query_ids(GalleryQuery(sort=pref, cull="unreviewed")) == before["unreviewed"]
        assert gallery_query_ids(GalleryQuery(sort=pref, match_only=True)) == before["match"]
        match_by_time = gallery_query_ids(GalleryQuery(match_only=True))
        assert sorted(match_by_time) == before["match by time"]
        listed = {p["id"]: p for p in list_photos(match_threshold=70.0)}
        assert all(listed[pid]["preference_score"] == _score(pid) for pid in listed)
        assert {pid for pid in listed if listed[pid]["match"]} == set(before["match"])


def test_a_deleted_photo_row_takes_its_score_along(tmp_path: Path) -> None:
    path = tmp_path / "v15.sqlite"
    _v15_catalog(path)
    with Catalog.open(path) as cat:
        db = cat.db
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("SELECT 1 FROM photo_preference WHERE photo_id = 1").fetchone()
        db.execute_sql("DELETE FROM photo WHERE id = 1")
        assert (
            db.execute_sql("SELECT 1 FROM photo_preference WHERE photo_id = 1").fetchone() is None
        )
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
