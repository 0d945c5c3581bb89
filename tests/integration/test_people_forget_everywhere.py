"""Issue 74 §6: forgetting means forgotten, backups included. After `curator
people forget` (or an import with `people_recognition` off) no descriptor's
bytes and no name are found in the catalog's file, its write-ahead log, any
backup Curator keeps (made on quit or by `curator backup`, a copy made before
a migration) or the cache, as the privacy test searches what an export
wrote; each backup still verifies; a copy that cannot be rewritten is named
with how to delete it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curator.catalog.backup import check_backup, list_backups
from tests.integration.cli_helpers import import_json, run_cli
from tests.integration.test_people_corrections import people
from tests.integration.test_people_privacy import (
    TABLES,
    catalog_file,  # noqa: F401  (a fixture)
    counts,
    shoot_of_two_men,
    stored_vectors,
)

NAME = "Zebedee Quillfeather"  # a name no other byte of the catalog spells


def _forms(vectors: list[bytes]) -> list[bytes]:
    """What a descriptor's bytes look like in a file: its start and its middle
    (32 bytes each: eight floats), and the name given."""
    return [v[:32] for v in vectors] + [v[256:288] for v in vectors] + [NAME.encode()]


def _holding(files: list[Path], forms: list[bytes]) -> dict[str, int]:
    """Each file that holds one of `forms`, and how many of them."""
    held = {}
    for path in files:
        data = path.read_bytes() if path.is_file() else b""
        found = sum(form in data for form in forms)
        if found:
            held[str(path)] = found
    return held


def _migration_copy(catalog: Path) -> Path:
    """A copy as `catalog.db.backup_catalog` makes before a migration."""
    copy = catalog.with_name(f"{catalog.name}.v27.20260101T000000Z.bak")
    src, dst = sqlite3.connect(catalog), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy


def test_forget_leaves_no_descriptor_in_the_catalog_its_log_its_backups_or_the_cache(
    curator_home: Path, tmp_path: Path
) -> None:
    from tests.faces_helpers import installed_model

    installed_model()
    catalog = curator_home / "catalog.sqlite"
    shoot = shoot_of_two_men(tmp_path / "shoot")
    reader = None
    try:
        import_json(shoot)
        # Held open (a read opens the file): the CLI's close then keeps the log.
        reader = sqlite3.connect(catalog)
        reader.execute('SELECT COUNT(*) FROM "photo"').fetchone()
        (person, *_) = people()
        assert run_cli("people", "name", str(person["id"]), NAME)[0] == 0
        vectors = stored_vectors(str(catalog))
        assert len(vectors) == 2  # the two men's faces, described by the real model
        forms = _forms(vectors)
        assert run_cli("backup")[0] == 0
        assert run_cli("backup")[0] == 0
        backups = [b.path for b in list_backups(curator_home / "backups", catalog)]
        assert len(backups) == 2
        backups.append(_migration_copy(catalog))
        wal = Path(f"{catalog}-wal")
        cache = [p for p in (curator_home / "cache").rglob("*") if p.is_file()]
        before = _holding([catalog, wal, *backups], forms)
        assert all(str(b) in before for b in backups), before  # the search finds them
        assert str(catalog) in before or str(wal) in before, before

        code, out, err = run_cli("people", "forget")

        assert code == 0, err
        assert "forgot 2 face descriptors and 1 people" in out
        for backup in backups:
            assert f"Erased them from the backup {backup}" in out, out
        assert "Erased them from 3 of the catalog's 3 backups" in out
        assert "Nothing of them is left in the catalog's file or its write-ahead log." in out
        assert wal.exists()  # kept by the reader, emptied by the checkpoint
        cache = sorted({*cache, *(p for p in (curator_home / "cache").rglob("*") if p.is_file())})
        assert cache  # the previews and thumbnails are searched too
        assert _holding([catalog, wal, *backups, *cache], forms) == {}
        for backup in backups[:2]:  # the checksum recorded anew: a restore still takes it
            assert check_backup(backup) > 0
    finally:
        if reader is not None:
            reader.close()
    assert counts(str(catalog)) == dict.fromkeys(TABLES, 0)


def test_a_backup_that_cannot_be_rewritten_is_named_with_how_to_delete_it(
    catalog_file: str,  # noqa: F811
) -> None:
    catalog = Path(catalog_file)
    assert run_cli("backup")[0] == 0
    folder = catalog.parent / "backups"
    broken = folder / "catalog.20200101T000000Z.backup.sqlite"
    broken.write_bytes(b"not a database, but named as a backup is")
    damaged = folder / "catalog.20200101T000000Z.damaged"  # a restore's raw copy
    damaged.write_bytes(catalog.read_bytes())

    code, out, err = run_cli("people", "forget")

    assert code == 0, err
    assert "forgot 4 face descriptors" in out
    for left in (broken, damaged):
        assert f"Could not erase them from {left} (" in out, out
        assert f"rm '{left}'" in out
    assert "Erased them from 1 of the catalog's 3 backups" in out
    assert "2 could not be rewritten" in out


def test_recognition_off_erases_the_backups_at_the_next_import(
    catalog_file: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.faces_helpers import installed_model

    catalog = Path(catalog_file)
    forms = _forms(stored_vectors(catalog_file))
    assert run_cli("backup")[0] == 0
    (backup,) = [b.path for b in list_backups(catalog.parent / "backups", catalog)]
    assert _holding([backup], forms)
    held = backup.read_bytes()
    installed_model()
    monkeypatch.setenv("CURATOR_PEOPLE_RECOGNITION", "false")

    result = import_json(shoot_of_two_men(tmp_path / "shoot"))

    assert result["stages"]["people"] == {"forgotten": 4, "backups_erased": 1}
    assert _holding([catalog, Path(f"{catalog}-wal"), backup], forms) == {}
    assert check_backup(backup) > 0
    # A backup that still holds them (an old one, copied back into the folder)
    # is erased at the next people step, though the catalog holds nothing now.
    older = backup.with_name("catalog.20200101T000000Z.backup.sqlite")
    older.write_bytes(held)
    code, out, err = run_cli("people")
    assert code == 0, err
    assert "Erased them from 1 of the catalog's 2 backups" in out, out
    assert _holding([older], forms) == {}


def test_a_studio_catalog_forgets_in_its_backups_and_says_what_the_server_keeps(
    curator_home: Path, pg_url: str
) -> None:
    """A PostgreSQL catalog: its backups (SQLite copies in the seat's folder)
    are erased as any; the server's own files, WAL and dumps are named as its
    administrator's."""
    from curator.catalog.db import Catalog
    from curator.catalog.people.forget import POSTGRES_NOTE
    from tests.integration.test_people_corrections import add_faces, near

    add_faces(pg_url, {f"ada{i}": v for i, v in enumerate(near(1, 4))})
    with Catalog.open(pg_url) as cat:
        rows = cat.db.execute_sql('SELECT "vector" FROM "face_descriptor"').fetchall()
        forms = _forms([bytes(r[0]) for r in rows])
        local = cat.path
    assert run_cli("--catalog", pg_url, "backup", "--no-progress")[0] == 0
    (backup,) = [b.path for b in list_backups(local.parent / "backups", local)]
    assert _holding([backup], forms)

    code, out, err = run_cli("--catalog", pg_url, "people", "forget")

    assert code == 0, err
    assert "forgot 4 face descriptors" in out
    assert f"Erased them from the backup {backup}" in out
    assert POSTGRES_NOTE in out
    assert _holding([backup], forms) == {}
    assert check_backup(backup) > 0
