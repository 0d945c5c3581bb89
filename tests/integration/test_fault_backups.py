"""Fault suite, backups and restore (issue 22 §3).

- A restore keeps a copy of the catalog it replaces, and that copy never
  counts toward the `backup_keep` backups: with 5 kept, all 5 survive.
- A same-length bit flip inside a backup (the integrity check cannot see it)
  is refused by the checksum recorded when the backup was made.
- Damaged backups (truncated, scribbled over, zeroed) and an SQLite file
  that only has `photo` and `decision` tables are refused with one sentence,
  exit 3, and the catalog is unchanged.
- What a killed backup leaves (`.partial`, `.partial-journal`, an orphan
  checksum) is removed by the next backup.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from curator.catalog.backup import checksum_path, list_backups, make_backup
from curator.catalog.migrations import LATEST_VERSION
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.integration.fault_helpers import report


def _decisions() -> dict[str, tuple[object, ...]]:
    return {Path(p["path"]).name: (p["cull"], p["rating"]) for p in list_json()}


@pytest.fixture
def decided(tmp_path: Path) -> list[Path]:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"p{i}.jpg", 160 + i, 120) for i in range(4)]
    import_json(lib, "--stages", "technical")
    assert run_cli("reject", str(photos[0]))[0] == 0
    assert run_cli("rate", "--stars", "3", str(photos[1]))[0] == 0
    return photos


def _refused(bad: Path, says: str) -> None:
    code, out, err = run_cli("restore", str(bad))
    assert code == 3, (bad.name, out, err)
    assert says in err, err
    assert err.count("\n") == 1 and "Traceback" not in err, err  # one sentence


def test_restore_never_rotates_out_a_backup(decided: list[Path], curator_home: Path) -> None:
    catalog = resolve_paths().catalog
    folder = curator_home / "backups"
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    made = [
        make_backup(catalog, folder, keep=5, now=start + timedelta(days=d)).backup.path
        for d in range(5)
    ]
    code, _, err = run_cli("restore", str(made[-1]))
    assert code == 0, err
    backups = list_backups(folder, catalog)
    assert sorted(b.path for b in backups if not b.before_restore) == sorted(made)  # all 5 kept
    [safety] = [b for b in backups if b.before_restore]
    assert checksum_path(safety.path).is_file()
    # The next ordinary backup rotates to 5 ordinary ones; the safety copy stays.
    make_backup(catalog, folder, keep=5)
    after = list_backups(folder, catalog)
    assert len([b for b in after if not b.before_restore]) == 5
    assert safety.path in {b.path for b in after}
    assert not made[0].exists() and not checksum_path(made[0]).exists()
    report("restore-rotation", kept_before=5, kept_after_restore=5, safety_copies=1)


def _state(path: Path) -> tuple[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        check = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        return check, conn.execute("SELECT kind, new_value FROM decision ORDER BY id").fetchall()
    finally:
        conn.close()


def _flip_a_decision(data: bytes, path: Path) -> bytes | None:
    """`data` with one bit of the decision log's "rejected" flipped where SQLite's
    integrity check still says "ok" (a value outside every index), or None."""
    _, log = _state(path)
    scratch = path.with_name("scratch.sqlite")
    at = data.find(b"rejected")
    while at >= 0:
        candidate = bytearray(data)
        candidate[at] ^= 0x01  # "rejected" -> "sejected": the same length
        scratch.write_bytes(bytes(candidate))
        check, changed = _state(scratch)
        scratch.unlink()
        if check == "ok" and changed != log:
            return bytes(candidate)
        at = data.find(b"rejected", at + 1)
    return None


def test_a_same_length_bit_flip_is_refused_by_the_checksum(
    decided: list[Path], tmp_path: Path
) -> None:
    before = _decisions()
    assert run_cli("backup", "--to", str(tmp_path / "b"))[0] == 0
    [good] = list_backups(tmp_path / "b", resolve_paths().catalog)
    original = good.path.read_bytes()
    flipped = _flip_a_decision(original, good.path)
    assert flipped is not None, "no byte of the decision log could be flipped unseen"
    good.path.write_bytes(flipped)
    _refused(good.path, "checksum")
    assert _decisions() == before


def test_damaged_and_impostor_backups_are_refused(decided: list[Path], tmp_path: Path) -> None:
    before = _decisions()
    assert run_cli("backup", "--to", str(tmp_path / "b"))[0] == 0
    [good] = list_backups(tmp_path / "b", resolve_paths().catalog)
    data = good.path.read_bytes()
    damaged: dict[str, bytes] = {
        "truncated": data[: len(data) // 2],
        "header-only": data[:100],
        "zeroed-middle": data[:4096] + b"\x00" * (len(data) - 8192) + data[-4096:],
        "scribbled": bytes(b ^ 0x5A if 5000 < i < 9000 else b for i, b in enumerate(data)),
        "empty": b"",
    }
    tried = 0
    for name, content in damaged.items():
        for with_checksum in (True, False):  # a copy carried away without its checksum too
            bad = tmp_path / f"{name}-{with_checksum}.backup.sqlite"
            bad.write_bytes(content)
            if with_checksum:
                checksum_path(bad).write_bytes(checksum_path(good.path).read_bytes())
            _refused(bad, "not")
            tried += 1
    impostor = tmp_path / "impostor.sqlite"
    conn = sqlite3.connect(impostor)
    conn.execute("CREATE TABLE photo (x)")
    conn.execute("CREATE TABLE decision (y)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION}")
    conn.commit()
    conn.close()
    _refused(impostor, "not a whole Curator catalog")
    assert _decisions() == before
    code, _, err = run_cli("list")
    assert code == 0 and "Traceback" not in err
    report("damaged-backups", refused=tried + 1, restored=0)


def test_a_killed_backup_leaves_nothing_behind_after_the_next(
    decided: list[Path], tmp_path: Path
) -> None:
    catalog = resolve_paths().catalog
    folder = tmp_path / "b"
    folder.mkdir()
    stem = f"{catalog.stem}.20260101T000000Z.backup.sqlite"
    leftovers = [
        folder / f"{stem}.partial",
        folder / f"{stem}.partial-journal",  # SQLite's journal of the half-made copy
        folder / f"{stem}.blake3",  # a checksum whose backup never got its name
    ]
    for leftover in leftovers:
        leftover.write_bytes(b"half")
    result = make_backup(catalog, folder, keep=5)
    assert [p for p in leftovers if p.exists()] == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [result.backup.path.name, checksum_path(result.backup.path).name]
    )
