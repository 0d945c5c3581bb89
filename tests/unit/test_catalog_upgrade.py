"""A catalog's upgrade before it is opened (catalog.upgrade):
the backup is copied in steps that report progress, a failed copy leaves the
catalog as it was and no half backup, and the command line still backs up
and migrates as before (issue 51 §1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.migrations import LATEST_VERSION
from curator.catalog.storage import DISK_FULL, StorageError
from curator.catalog.upgrade import progress as upgrade_progress
from curator.catalog.upgrade.prepare import schema_version, upgrade_catalog
from curator.catalog.upgrade.progress import UpgradeProgress, UpgradeStep
from tests.integration.cli_helpers import run_cli
from tests.old_catalogs import catalog_at_version

OLD = LATEST_VERSION - 1


def old_catalog(path: Path, photos: int = 300) -> Path:
    """A catalog an older Curator left (one migration behind), with `photos` rows."""
    con = catalog_at_version(path, OLD)
    con.execute(f"PRAGMA user_version = {OLD}")
    con.executemany(
        "INSERT INTO photo (path, content_hash, imported_at, updated_at) VALUES (?, ?, ?, ?)",
        [(f"/p/{i:05d}.jpg".encode(), f"h{i}", "2024-01-01", "2024-01-01") for i in range(photos)],
    )
    con.commit()
    con.execute("PRAGMA journal_mode = wal")  # as every Curator leaves its catalog
    con.close()
    return path


def version_of(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    finally:
        con.close()


def test_an_old_catalog_is_backed_up_in_steps_told_to_progress_then_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upgrade_progress, "BACKUP_STEP_PAGES", 8)
    path = old_catalog(tmp_path / "cat.sqlite")
    size = path.stat().st_size
    seen: list[UpgradeProgress] = []
    assert schema_version(path) == OLD
    assert upgrade_catalog(path, progress=seen.append) is True
    backups = [p for p in seen if p.step is UpgradeStep.BACKUP]
    total = backups[-1].total
    assert total == size // 4096  # every page of the file, counted by SQLite
    assert len(backups) >= total // 8  # one report a step, not one at the end
    done = [p.done for p in backups]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total
    assert backups[-1].percent == 100 and all(p.percent < 100 for p in backups[:-1])
    assert {p.size for p in seen} == {size}
    assert seen[-1] == UpgradeProgress(UpgradeStep.MIGRATE, 0, 1, size)  # then it migrates
    assert version_of(path) == LATEST_VERSION == schema_version(path)
    (backup,) = tmp_path.glob(f"cat.sqlite.v{OLD}.*.bak")
    assert version_of(backup) == OLD
    con = sqlite3.connect(backup)
    try:
        assert con.execute("SELECT count(*) FROM photo").fetchone()[0] == 300
    finally:
        con.close()
    with Catalog.open(path) as catalog:  # nothing left to do: no second backup
        assert catalog.db.execute_sql("SELECT count(*) FROM photo").fetchone()[0] == 300
    assert len(list(tmp_path.glob("*.bak"))) == 1


def test_a_disk_that_fills_during_the_backup_leaves_the_catalog_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upgrade_progress, "BACKUP_STEP_PAGES", 8)
    path = old_catalog(tmp_path / "cat.sqlite")
    before = path.read_bytes()

    def fills_at_40_percent(progress: UpgradeProgress) -> None:
        if progress.percent >= 40:
            raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(StorageError) as raised:
        upgrade_catalog(path, progress=fills_at_40_percent)
    assert raised.value.kind == DISK_FULL and "full" in str(raised.value)
    assert path.read_bytes() == before  # byte for byte
    assert list(tmp_path.glob("*.bak")) == []  # no half copy passing for a backup


def test_a_current_or_unreadable_catalog_is_left_to_the_open(tmp_path: Path) -> None:
    current = tmp_path / "current.sqlite"
    Catalog.open(current).close()
    stamp = current.stat().st_mtime_ns
    assert upgrade_catalog(current, progress=lambda p: pytest.fail("no progress")) is False
    assert current.stat().st_mtime_ns == stamp
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not a database at all\n" * 50)
    assert schema_version(bogus) is None and upgrade_catalog(bogus) is False
    assert bogus.read_text().startswith("not a database")  # its open says why, as before
    assert schema_version(tmp_path) is None  # a folder: the open says so
    new = tmp_path / "new" / "cat.sqlite"
    assert schema_version(new) == 0 and upgrade_catalog(new) is True  # created here
    assert version_of(new) == LATEST_VERSION and list(new.parent.glob("*.bak")) == []


def test_the_command_line_still_backs_up_and_migrates_an_old_catalog(tmp_path: Path) -> None:
    path = old_catalog(tmp_path / "cat.sqlite", photos=3)
    code, out, err = run_cli("status", "--catalog", str(path), "--json")
    assert code == 0, err
    assert '"photos": 3' in out
    assert version_of(path) == LATEST_VERSION
    (backup,) = tmp_path.glob(f"cat.sqlite.v{OLD}.*.bak")
    assert version_of(backup) == OLD


def old_postgresql_catalog(url: str) -> None:
    """A PostgreSQL catalog an older Curator left: migrated up to `OLD`."""
    from curator.catalog.backends import pg_schema
    from curator.catalog.migrations import MIGRATIONS

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pg_schema, "MIGRATIONS", tuple(m for m in MIGRATIONS if m.version <= OLD))
        Catalog.open(url, bind=False).close()
    assert schema_version(url) == OLD


def test_a_postgresql_catalog_is_migrated_ahead_without_a_file_backup(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seen: list[UpgradeProgress] = []
    assert schema_version(pg_url) == 0
    assert upgrade_catalog(pg_url, progress=seen.append) is True  # a new one: created
    assert seen == [] and schema_version(pg_url) == LATEST_VERSION


def test_an_old_postgresql_catalog_says_it_migrates_and_copies_nothing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old_postgresql_catalog(pg_url)
    seen: list[UpgradeProgress] = []
    assert upgrade_catalog(pg_url, progress=seen.append) is True
    assert seen == [UpgradeProgress(UpgradeStep.MIGRATE, 0, 1, 0)]  # no backup step
    assert schema_version(pg_url) == LATEST_VERSION
    assert upgrade_catalog(pg_url, progress=seen.append) is False and len(seen) == 1
    with Catalog.open(pg_url) as catalog:  # the open after it finds nothing to do
        assert catalog.is_postgres and not catalog.read_only
    assert list(tmp_path.rglob("*.bak")) == []
