"""Catalog opening, migrations, backups and refusal of unusable files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee
import pytest

from curator.catalog import migrations
from curator.catalog.db import Catalog, CatalogError
from curator.catalog.migrations import LATEST_VERSION, MIGRATIONS, Migration
from curator.catalog.models import Photo
from tests.old_catalogs import catalog_at_version


def test_new_catalog_is_wal_and_at_latest_version(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "sub" / "cat.sqlite") as cat:
        assert cat.db.execute_sql("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert cat.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cat.db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        tables = {
            r[0] for r in cat.db.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert {"photo", "photo_path", "stage_run", "error_log"} <= tables
    # No backup for a brand-new catalog: there was nothing to lose.
    assert not list((tmp_path / "sub").glob("*.bak"))


def test_migration_versions_are_contiguous() -> None:
    from curator.catalog.migrations import RESERVED

    expected = [v for v in range(1, LATEST_VERSION + 1) if v not in RESERVED]
    assert [m.version for m in MIGRATIONS] == expected


def test_each_migration_is_found_by_its_file_and_numbered_as_it() -> None:
    import curator.catalog.migrations as package

    files = sorted(Path(package.__file__).parent.rglob("m[0-9][0-9][0-9]_*.py"))
    assert sorted(int(f.name[1:4]) for f in files) == [m.version for m in MIGRATIONS]
    for migration in MIGRATIONS:
        assert migration.name and migration.statements, migration.version
    # A module's optional declarations reach its migration.
    rotation, seats = (next(m for m in MIGRATIONS if m.version == v) for v in (13, 19))
    assert rotation.foreign_keys_off and rotation.postgres is None
    assert not seats.foreign_keys_off and seats.postgres


def test_reopening_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "cat.sqlite"
    with Catalog.open(path):
        Photo.create(path=b"/x/a.jpg", content_hash="abc")
    with Catalog.open(path):
        assert Photo.select().count() == 1


def test_migrating_existing_data_backs_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cat.sqlite"
    with Catalog.open(path):
        Photo.create(path=b"/x/a.jpg", content_hash="abc")
    extra = Migration(
        LATEST_VERSION + 1, "test column", ("ALTER TABLE photo ADD COLUMN test_col TEXT",)
    )
    monkeypatch.setattr("curator.catalog.db.MIGRATIONS", (*MIGRATIONS, extra))
    monkeypatch.setattr("curator.catalog.db.LATEST_VERSION", extra.version)
    with Catalog.open(path) as cat:
        assert cat.db.execute_sql("PRAGMA user_version").fetchone()[0] == extra.version
    backups = list(tmp_path.glob(f"cat.sqlite.v{LATEST_VERSION}.*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
        assert con.execute("SELECT count(*) FROM photo").fetchone()[0] == 1
        cols = [r[1] for r in con.execute("PRAGMA table_info(photo)")]
        assert "test_col" not in cols
    finally:
        con.close()


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cat.sqlite"
    with Catalog.open(path):
        pass
    bad = Migration(
        LATEST_VERSION + 1, "broken", ("ALTER TABLE photo ADD COLUMN ok_col TEXT", "NOT SQL AT ALL")
    )
    monkeypatch.setattr("curator.catalog.db.MIGRATIONS", (*MIGRATIONS, bad))
    monkeypatch.setattr("curator.catalog.db.LATEST_VERSION", bad.version)
    with pytest.raises(CatalogError, match="Could not upgrade"):
        Catalog.open(path)
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert "ok_col" not in [r[1] for r in con.execute("PRAGMA table_info(photo)")]
    finally:
        con.close()


def test_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(CatalogError, match="not a Curator catalog"):
        Catalog.open(path)
    assert path.read_text().startswith("these are my notes")  # untouched


def test_refuses_a_foreign_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(CatalogError, match="did not create"):
        Catalog.open(path)


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "cat.sqlite"
    with Catalog.open(path):
        pass
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    con.commit()
    con.close()
    with pytest.raises(CatalogError, match="newer Curator"):
        Catalog.open(path)


def test_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="is a folder"):
        Catalog.open(tmp_path)


def test_a_v1_catalog_is_upgraded_with_its_photos_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    for statement in MIGRATIONS[0].statements:
        con.execute(statement)
    con.execute(
        "INSERT INTO photo (path, content_hash, imported_at, updated_at) "
        "VALUES (x'2f612e6a7067', 'h1', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
    )
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with Catalog.open(path) as cat:
        assert cat.db.execute_sql("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert Photo.get(Photo.content_hash == "h1").path == b"/a.jpg"
        assert cat.db.execute_sql("SELECT count(*) FROM decision").fetchone()[0] == 0
    assert len(list(tmp_path.glob("old.sqlite.v1.*.bak"))) == 1


def test_a_v5_catalog_keeps_every_decision_and_admits_labels(tmp_path: Path) -> None:
    """m006 rebuilds the decision log (to admit `label`): every row, id, stamp and
    undo link survives, foreign keys hold, and the log stays append-only."""
    path = tmp_path / "v5.sqlite"
    con = catalog_at_version(path, 5)
    con.execute(
        "INSERT INTO photo (id, path, content_hash, imported_at, updated_at) "
        "VALUES (7, x'2f612e6a7067', 'h1', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
    )
    con.execute(
        "INSERT INTO decision (id, photo_id, kind, old_value, new_value, pass, created_at) "
        "VALUES (1, 7, 'rating', NULL, '4', 'rating', '2025-01-02 00:00:00')"
    )
    con.execute(
        "INSERT INTO decision (id, photo_id, kind, old_value, new_value, pass, undoes, created_at)"
        " VALUES (2, 7, 'rating', '4', NULL, 'rating', 1, '2025-01-03 00:00:00')"
    )
    con.execute("PRAGMA user_version = 5")
    con.commit()
    con.close()
    with Catalog.open(path) as cat:
        db = cat.db
        rows = db.execute_sql(
            "SELECT id, photo_id, kind, new_value, undoes, created_at FROM decision ORDER BY id"
        ).fetchall()
        assert rows == [
            (1, 7, "rating", "4", None, "2025-01-02 00:00:00"),
            (2, 7, "rating", None, 1, "2025-01-03 00:00:00"),
        ]
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        from curator.catalog.decisions import set_label, undo_last

        assert [r.new_value for r in set_label(7, "Red")] == ["red"]
        assert Photo.get_by_id(7).label == "red"
        undo_last()
        assert Photo.get_by_id(7).label is None
        with pytest.raises(peewee.IntegrityError, match="append-only"):
            db.execute_sql("DELETE FROM decision WHERE id = 1")
        with pytest.raises(peewee.IntegrityError, match="append-only"):
            db.execute_sql("UPDATE decision SET new_value = '5' WHERE id = 1")
        with pytest.raises(peewee.IntegrityError):
            db.execute_sql(
                "INSERT INTO decision (photo_id, kind, pass, created_at) "
                "VALUES (7, 'bogus', 'cli', '2025-01-04 00:00:00')"
            )


def test_an_sqlite_too_old_for_the_schema_is_refused_with_a_sentence_and_nothing_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 16 drops columns (SQLite 3.35): an older SQLite would fail half
    way with "near DROP: syntax error". It is refused before the file is opened."""
    path = tmp_path / "catalog.sqlite"
    Catalog.open(path).close()
    before = path.read_bytes()
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.34.1")
    with pytest.raises(CatalogError, match=r"needs SQLite 3\.35\.0 or newer.*uses SQLite 3\.34\.1"):
        Catalog.open(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "new.sqlite").exists()
    with pytest.raises(CatalogError):
        Catalog.open(tmp_path / "new.sqlite")
    assert not (tmp_path / "new.sqlite").exists()  # no empty catalog left behind


def test_a_catalog_another_process_creates_meanwhile_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four `curator import`s of a fresh home at once (CI, under load): one read
    the version (0, nothing yet), another process's first migration committed,
    then it read the tables, and refused the file as "not Curator's". Here the
    other process's open runs exactly between the two reads (a trace callback
    on the statement that lists the tables)."""
    from curator.catalog import db as db_module

    path = tmp_path / "cat.sqlite"
    started: list[bool] = []
    interleaved: list[bool] = []  # only once the other commit went through

    class Racing(db_module.CatalogDatabase):
        def _connect(self) -> sqlite3.Connection:
            connection: sqlite3.Connection = super()._connect()

            def between(statement: str) -> None:
                if "sqlite_master" in statement and not started:
                    started.append(True)  # (an exception here is swallowed by sqlite3)
                    other = sqlite3.connect(path, timeout=0.5)  # another process's first migration
                    with other:
                        for sql in MIGRATIONS[0].statements:
                            other.execute(sql)
                        other.execute(f"PRAGMA user_version = {MIGRATIONS[0].version}")
                    other.close()
                    interleaved.append(True)

            connection.set_trace_callback(between)
            return connection

    monkeypatch.setattr(db_module, "CatalogDatabase", Racing)
    with Catalog.open(path) as catalog:
        assert interleaved == [True]
        version = catalog.db.execute_sql("PRAGMA user_version").fetchone()[0]
        assert version == LATEST_VERSION


def test_a_catalog_locked_past_the_busy_timeout_is_waited_for_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process creating or migrating the catalog may hold its lock past
    SQLite's busy timeout on a loaded machine: the open waits it out (it once
    failed as "not a Curator catalog (database is locked)")."""
    from peewee import OperationalError

    from curator.catalog import db as catalog_db

    real = catalog_db._connect
    calls = []

    def locked_twice(path: Path, *, read_only: bool) -> object:
        calls.append(read_only)
        if len(calls) <= 2:
            raise OperationalError("database is locked")
        return real(path, read_only=read_only)

    monkeypatch.setattr(catalog_db, "_connect", locked_twice)
    with catalog_db.Catalog.open(tmp_path / "cat.sqlite") as catalog:
        assert catalog.db.execute_sql("PRAGMA user_version").fetchone()[0] > 0
    assert calls == [False, False, False]
