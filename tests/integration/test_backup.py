"""Catalog backups (`catalog/backup.py`, `curator backup`, `curator restore`):
a backup → restore brings back every decision; a damaged or foreign file is
refused with a sentence and changes nothing; rotation keeps N; the daily and
weekly rules; a restore is refused while an import or the app holds the
catalog."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from curator.catalog import backup as backup_module
from curator.catalog.backup import (
    BackupInfo,
    backup_due,
    check_backup,
    list_backups,
    make_backup,
)
from curator.catalog.migrations import LATEST_VERSION
from curator.engine.lock import AppLock, ImportLock
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli


def _decisions() -> dict[str, tuple[object, ...]]:
    return {
        Path(p["path"]).name: (p["cull"], p["rating"], p["picked"], p.get("label"))
        for p in list_json()
    }


@pytest.fixture
def decided(tmp_path: Path) -> list[Path]:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"p{i}.jpg", 160 + i, 120) for i in range(6)]
    import_json(lib, "--stages", "technical")
    assert run_cli("keep", str(photos[0]), str(photos[1]))[0] == 0
    assert run_cli("reject", str(photos[2]))[0] == 0
    assert run_cli("rate", "--stars", "4", str(photos[1]))[0] == 0
    assert run_cli("pick", str(photos[3]))[0] == 0
    assert run_cli("label", "--color", "green", str(photos[4]))[0] == 0
    return photos


def test_backup_then_restore_brings_back_every_decision(
    decided: list[Path], curator_home: Path
) -> None:
    before = _decisions()
    code, out, err = run_cli("backup")
    assert code == 0, err
    assert "backed up and verified" in out
    [backup] = list_backups(curator_home / "backups", resolve_paths().catalog)
    assert check_backup(backup.path) == LATEST_VERSION

    # Change every decision after the backup.
    for photo in decided:
        assert run_cli("reject", str(photo))[0] == 0
        assert run_cli("rate", "--stars", "1", str(photo))[0] == 0
    assert _decisions() != before

    code, out, err = run_cli("restore", str(backup.path))
    assert code == 0, err
    assert "Restored the catalog" in out
    assert _decisions() == before
    # The catalog as it was (every photo rejected) was backed up first.
    backups = list_backups(curator_home / "backups", resolve_paths().catalog)
    assert len(backups) == 2
    conn = sqlite3.connect(backups[0].path)
    assert {r[0] for r in conn.execute("SELECT cull FROM photo")} == {"rejected"}
    conn.close()


def test_a_damaged_or_foreign_file_is_refused_with_a_sentence(
    decided: list[Path], tmp_path: Path
) -> None:
    before = _decisions()
    code, _, _ = run_cli("backup", "--to", str(tmp_path / "b"))
    assert code == 0
    [good] = list_backups(tmp_path / "b", resolve_paths().catalog)
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(good.path.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):  # scribble over every page's header
        data[offset : offset + 64] = b"\xa5" * 64
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 100)
    for bad, says in (
        (damaged, "not a usable Curator catalog backup"),
        (foreign, "not a Curator catalog"),
        (text, "not a usable Curator catalog backup"),
        (tmp_path / "absent.sqlite", "no backup file"),
    ):
        code, out, err = run_cli("restore", str(bad))
        assert code == 3, (bad, out, err)
        assert says in err
        assert err.count("\n") == 1 and "Traceback" not in err  # one sentence
    assert _decisions() == before
    # Nothing was backed up or restored for a refused file.
    catalog = resolve_paths().catalog
    assert list_backups(catalog.parent / "backups", catalog) == []


def test_a_newer_schema_is_refused(decided: list[Path], tmp_path: Path) -> None:
    assert run_cli("backup", "--to", str(tmp_path / "b"))[0] == 0
    [good] = list_backups(tmp_path / "b", resolve_paths().catalog)
    conn = sqlite3.connect(good.path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    code, _, err = run_cli("restore", str(good.path))
    assert code == 3
    assert "newer Curator" in err


@pytest.mark.parametrize("lock_kind", [ImportLock, AppLock])
def test_restore_is_refused_while_an_import_or_the_app_holds_the_catalog(
    decided: list[Path], tmp_path: Path, lock_kind: type[ImportLock]
) -> None:
    assert run_cli("backup", "--to", str(tmp_path / "b"))[0] == 0
    [good] = list_backups(tmp_path / "b", resolve_paths().catalog)
    assert run_cli("reject", str(decided[0]))[0] == 0
    after = _decisions()
    lock = lock_kind(resolve_paths().catalog)
    assert lock.acquire(0)
    try:
        code, _, err = run_cli("restore", str(good.path))
    finally:
        lock.release()
    assert code == 3
    assert "Can't restore now" in err
    assert _decisions() == after
    assert run_cli("restore", str(good.path))[0] == 0  # free again: it goes


def test_restore_replaces_a_catalog_too_damaged_to_open(
    decided: list[Path], tmp_path: Path
) -> None:
    before = _decisions()
    assert run_cli("backup", "--to", str(tmp_path / "b"))[0] == 0
    [good] = list_backups(tmp_path / "b", resolve_paths().catalog)
    catalog = resolve_paths().catalog
    for suffix in ("-wal", "-shm"):
        Path(f"{catalog}{suffix}").unlink(missing_ok=True)
    catalog.write_bytes(b"garbage" * 1000)
    assert run_cli("status")[0] == 3  # the damaged catalog can't be used
    code, _, err = run_cli("restore", str(good.path))
    assert code == 0, err
    assert _decisions() == before
    kept = [p for p in (catalog.parent / "backups").iterdir() if ".damaged" in p.name]
    assert kept and kept[0].read_bytes() == b"garbage" * 1000  # nothing thrown away


def test_rotation_keeps_the_newest_n(decided: list[Path], tmp_path: Path) -> None:
    catalog = resolve_paths().catalog
    folder = tmp_path / "b"
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    other = folder / "other.20260301T120000Z.backup.sqlite"  # another catalog's: untouched
    folder.mkdir()
    other.write_bytes(b"x")
    made = []
    for day in range(8):
        result = make_backup(catalog, folder, keep=3, now=start + timedelta(days=day))
        made.append(result.backup.path)
    kept = list_backups(folder, catalog)
    assert [b.path for b in kept] == made[:-4:-1]  # the newest three, newest first
    assert [b.made_at for b in kept] == [start + timedelta(days=d) for d in (7, 6, 5)]
    assert other.exists()
    assert not list(folder.glob("*.partial"))


@pytest.mark.parametrize("directory_order", ["by name", "reversed"])
def test_backups_made_in_the_same_second_list_in_the_order_they_were_made(
    decided: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, directory_order: str
) -> None:
    # A backup, then the copy a restore keeps, within one second: the restore's
    # copy is the newest whatever order the directory lists them in (a CI run
    # where both named the same second listed them in directory order).
    catalog = resolve_paths().catalog
    folder = tmp_path / "b"
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    first = make_backup(catalog, folder, keep=5, now=now).backup.path
    safety = make_backup(catalog, folder, keep=5, now=now, before_restore=True).backup.path
    third = make_backup(catalog, folder, keep=5, now=now).backup.path
    assert len({first, safety, third}) == 3
    real_scandir = backup_module.os.scandir
    monkeypatch.setattr(
        backup_module.os,
        "scandir",
        lambda path: sorted(
            real_scandir(path), key=lambda e: e.name, reverse=directory_order == "reversed"
        ),
    )
    listed = list_backups(folder, catalog)
    assert [b.path for b in listed] == [third, safety, first]
    assert [b.before_restore for b in listed] == [False, True, False]


def test_a_killed_backup_leaves_no_final_file_and_is_cleaned_up(
    decided: list[Path], tmp_path: Path
) -> None:
    catalog = resolve_paths().catalog
    folder = tmp_path / "b"
    folder.mkdir()
    leftover = folder / f"{catalog.stem}.20260101T000000Z.backup.sqlite.partial"
    leftover.write_bytes(b"half")
    assert list_backups(folder, catalog) == []
    make_backup(catalog, folder, keep=5)
    assert not leftover.exists()
    assert len(list_backups(folder, catalog)) == 1


def _info(made_at: datetime) -> BackupInfo:
    return BackupInfo(Path("x"), made_at, 1)


def test_once_a_day_and_once_a_week() -> None:
    tz = datetime.now().astimezone().tzinfo
    evening = datetime(2026, 5, 4, 23, 0, tzinfo=tz)
    next_morning = evening + timedelta(hours=9)
    later_that_evening = evening + timedelta(minutes=30)
    assert backup_due("daily", [], evening)
    assert not backup_due("daily", [_info(evening)], later_that_evening)
    assert backup_due("daily", [_info(evening)], next_morning)  # a new calendar day
    assert not backup_due("weekly", [_info(evening)], evening + timedelta(days=6, hours=23))
    assert backup_due("weekly", [_info(evening)], evening + timedelta(days=7))
    assert not backup_due("never", [], evening)
