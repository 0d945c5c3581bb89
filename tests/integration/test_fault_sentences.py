"""Fault suite, sentences not tracebacks (issue 22 §4).

- Lightroom catalogs holding `inf`, `NaN`, text, 99 and −5 where Lightroom
  writes numbers: the import ends (exit 0), names each image left out, and
  the user's ratings in Curator stay exactly as they were.
- A lightly damaged catalog: `list` and `rate` end with one sentence saying
  it is damaged and how to restore a backup (exit 3), never a traceback.
- A catalog that stays busy past every retry: the sentence says the change
  was NOT saved.
- A file name holding terminal escape sequences is printed escaped by `list`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from peewee import OperationalError

from curator.cli import catalog_fault
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.integration.fault_helpers import report
from tests.lrcat import LrcatBuilder

HOSTILE_VALUES: tuple[tuple[str, object, object], ...] = (
    # (file, rating, pick)
    ("inf.jpg", "inf", 0.0),
    ("nan.jpg", "NaN", 0.0),
    ("text.jpg", "five stars", 0.0),
    ("high.jpg", 99.0, 0.0),
    ("low.jpg", -5.0, 0.0),
    ("pick.jpg", 3.0, "Infinity"),
)


def _ratings() -> dict[str, object]:
    return {Path(p["path"]).name: p["rating"] for p in list_json()}


def test_non_numeric_lightroom_values_are_left_out_with_a_note(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    names = [name for name, _, _ in HOSTILE_VALUES] + ["good.jpg"]
    for i, name in enumerate(names):
        make_jpeg(lib / name, 200 + i, 150)
    assert import_json(lib, "--stages", "technical")["new"] == len(names)
    assert run_cli("rate", "--stars", "2", *(str(lib / n) for n in names))[0] == 0

    lr = LrcatBuilder(tmp_path / "hostile.lrcat")
    root = lr.root(f"{lib}/")
    tag = lr.keyword("Boats")
    for name, rating, pick in HOSTILE_VALUES:
        image = lr.image(root, "", name, rating=1.0)
        lr.conn.execute(
            "UPDATE Adobe_images SET rating = ?, pick = ?, touchTime = ? WHERE id_local = ?",
            (rating, pick, "inf", image),
        )
        lr.tag(image, tag)
    good = lr.image(root, "", "good.jpg", rating=4.0)
    lr.conn.execute("UPDATE Adobe_images SET touchTime = 'NaN' WHERE id_local = ?", (good,))
    lr.conn.execute(
        "INSERT INTO AgLibraryKeywordImage (id_local, image, tag) VALUES (9999, 'x', 'y')"
    )
    lrcat = lr.close()

    code, out, err = run_cli("import-lightroom", str(lrcat), "--json")
    assert code == 0 and "Traceback" not in err, err
    result = json.loads(out)
    left_out = {Path(i["path"]).name for i in result["invalid_values"]}
    assert left_out == {name for name, _, _ in HOSTILE_VALUES}, result["invalid_values"]
    ratings = _ratings()
    assert {n: ratings[n] for n, _, _ in HOSTILE_VALUES} == {n: 2 for n, _, _ in HOSTILE_VALUES}
    # The good image's 4 stars, touched at no valid time, are older than Curator's 2.
    assert ratings["good.jpg"] in (2, 4)

    code, out, err = run_cli("import-lightroom", str(lrcat))
    assert code == 0 and "Traceback" not in err, err
    assert "values Lightroom never writes" in out and "rating 99" in out
    report("lightroom-values", hostile_images=len(HOSTILE_VALUES), ratings_cleared=0)


def _damage(catalog: Path) -> None:
    """Scribble over every page after the first two: the header still opens."""
    data = bytearray(catalog.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):
        data[offset : offset + 64] = b"\xa5" * 64
    catalog.write_bytes(bytes(data))


def test_a_damaged_catalog_gets_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"p{i}.jpg", 200 + i, 150) for i in range(6)]
    import_json(lib, "--stages", "technical")
    catalog = resolve_paths().catalog
    for suffix in ("-wal", "-shm"):
        Path(f"{catalog}{suffix}").unlink(missing_ok=True)
    _damage(catalog)
    tried = 0
    for args in (("list",), ("rate", "--stars", "3", str(photos[0])), ("status",)):
        code, out, err = run_cli(*args)
        tried += 1
        assert code == 3, (args, out, err)
        assert "Traceback" not in err and err.count("\n") == 1, err
        assert "damaged" in err and "curator restore" in err, err  # and how to get out
    report("damaged-catalog", commands=tried, tracebacks=0)


def test_an_import_into_a_lightly_damaged_catalog_says_so(tmp_path: Path) -> None:
    """Issue 22 §4: a catalog that opens but whose stage table is damaged; the
    import used to print a traceback and blame the folder ("Could not read
    …"). It names the catalog as damaged, says how to restore, exits 3."""
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(4):
        make_jpeg(lib / f"p{i}.jpg", 200 + i, 150)
    import_json(lib, "--stages", "technical")
    catalog = resolve_paths().catalog
    with sqlite3.connect(catalog) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        query = "SELECT rootpage FROM sqlite_master WHERE name = 'stage_run'"
        (root,) = db.execute(query).fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    for suffix in ("-wal", "-shm"):
        Path(f"{catalog}{suffix}").unlink(missing_ok=True)
    data = bytearray(catalog.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 64] = b"\xff" * 64  # the table's b-tree page header
    catalog.write_bytes(bytes(data))
    code, out, err = run_cli("import", str(lib), "--no-progress")
    assert code == 3, (out, err)
    assert "Traceback" not in err, err
    assert "is damaged" in err and "curator restore" in err, err
    assert "Could not read" not in err, err  # the folder is fine


def test_a_catalog_busy_past_every_retry_says_the_change_was_not_saved() -> None:
    sentence = catalog_fault(OperationalError("database is locked"), resolve_paths())
    assert sentence is not None and "NOT saved" in sentence
    damaged = catalog_fault(sqlite3.DatabaseError("database disk image is malformed"), None)
    assert damaged is not None and "curator restore" in damaged
    assert catalog_fault(ValueError("something else"), None) is None


@pytest.mark.parametrize("name", ["evil\x1b[31mred\x1b[0m.jpg", "bell\x07.jpg"])
def test_escape_sequences_in_file_names_are_printed_escaped(tmp_path: Path, name: str) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / name, 200, 150)
    import_json(lib, "--stages", "technical")
    code, out, err = run_cli("list")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert name.encode("unicode_escape").decode().replace("\\x", "\\x") in out or "\\x1b" in out
