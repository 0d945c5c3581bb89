"""`curator import-lightroom`: a Lightroom Classic catalog's decisions, read-only."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, decision_state, photo_id_for_path
from curator.paths import resolve_paths
from curator.records import ColorLabel
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli

# The tables and columns Curator reads, with Lightroom Classic's own types.
SCHEMA = """
CREATE TABLE Adobe_variablesTable (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, name, type, value NOT NULL DEFAULT '');
CREATE TABLE AgLibraryRootFolder (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL,
    absolutePath UNIQUE NOT NULL DEFAULT '', name NOT NULL DEFAULT '',
    relativePathFromCatalog);
CREATE TABLE AgLibraryFolder (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, parentId INTEGER,
    pathFromRoot NOT NULL DEFAULT '', rootFolder INTEGER NOT NULL DEFAULT 0, visibility INTEGER);
CREATE TABLE AgLibraryFile (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, baseName NOT NULL DEFAULT '',
    extension NOT NULL DEFAULT '', folder INTEGER NOT NULL DEFAULT 0,
    idx_filename NOT NULL DEFAULT '', originalFilename NOT NULL DEFAULT '');
CREATE TABLE Adobe_images (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, captureTime,
    colorLabels NOT NULL DEFAULT '', fileFormat NOT NULL DEFAULT 'unset', masterImage INTEGER,
    pick NOT NULL DEFAULT 0, rating, rootFile INTEGER NOT NULL DEFAULT 0,
    touchTime NOT NULL DEFAULT 0);
CREATE TABLE AgLibraryKeyword (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, dateCreated NOT NULL DEFAULT '',
    genealogy NOT NULL DEFAULT '', lc_name, name, parent INTEGER);
CREATE TABLE AgLibraryKeywordImage (
    id_local INTEGER PRIMARY KEY, image INTEGER NOT NULL DEFAULT 0, tag INTEGER NOT NULL DEFAULT 0);
"""


def make_lrcat(path: Path, root: Path, version: str = "1300025") -> Path:
    """A catalog with lib/a–d (in Curator) and other/e (not), a virtual copy of a."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    q = conn.execute
    q("INSERT INTO Adobe_variablesTable VALUES (1, 'v1', 'Adobe_DBVersion', NULL, ?)", (version,))
    q("INSERT INTO AgLibraryRootFolder VALUES (1, 'r1', ?, 'root', NULL)", (f"{root}/",))
    q("INSERT INTO AgLibraryFolder VALUES (10, 'f10', NULL, '', 1, NULL)")
    q("INSERT INTO AgLibraryFolder VALUES (11, 'f11', 10, 'lib/', 1, NULL)")
    q("INSERT INTO AgLibraryFolder VALUES (12, 'f12', 10, 'other/', 1, NULL)")
    files = [(21, "a", "jpg", 11), (22, "b", "jpg", 11), (23, "c", "jpg", 11)]
    files += [(24, "d", "JPG", 11), (25, "e", "jpg", 12)]
    for fid, base, ext, folder in files:
        q(
            "INSERT INTO AgLibraryFile VALUES (?, ?, ?, ?, ?, ?, ?)",
            (fid, f"g{fid}", base, ext, folder, f"{base}.{ext}", f"{base}.{ext}"),
        )
    # id, colorLabels, masterImage, pick, rating, rootFile: Lightroom stores
    # pick and rating as REAL.
    images = [
        (31, "", None, 0.0, 5.0, 21),  # a: five stars
        (32, "", None, -1.0, 3.0, 22),  # b: rejected (beats its 3 stars)
        (33, "Red", None, 1.0, None, 23),  # c: picked, red
        (34, "", None, 0.0, None, 24),  # d: keywords only
        (35, "", None, 0.0, 4.0, 25),  # e: not in Curator's catalog
        (36, "Blue", 31, 1.0, 1.0, 21),  # a virtual copy of a: left out
    ]
    for iid, label, master, pick, rating, root_file in images:
        q(
            "INSERT INTO Adobe_images (id_local, id_global, colorLabels, masterImage, pick, "
            "rating, rootFile) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (iid, f"i{iid}", label, master, pick, rating, root_file),
        )
    q("INSERT INTO AgLibraryKeyword (id_local, id_global, name) VALUES (40, 'k0', NULL)")
    q("INSERT INTO AgLibraryKeyword VALUES (41, 'k1', '', '/40', 'harbour', 'Harbour', 40)")
    q("INSERT INTO AgLibraryKeyword VALUES (42, 'k2', '', '/40', 'boats', 'Boats', 40)")
    for kid, image, tag in ((51, 34, 41), (52, 34, 42), (53, 31, 41)):
        q("INSERT INTO AgLibraryKeywordImage VALUES (?, ?, ?)", (kid, image, tag))
    conn.commit()
    conn.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i, name in enumerate(("a.jpg", "b.jpg", "c.jpg", "d.JPG")):
        make_jpeg(lib / name, 300 + i, 200)
    assert import_json(lib, "--stages", "technical")["new"] == 4
    return lib


def test_ratings_flags_labels_and_keywords_arrive_as_decisions(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    before, listing = _digest(lrcat), sorted(p.name for p in tmp_path.iterdir())

    code, out, err = run_cli("import-lightroom", str(lrcat), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["images"], report["matched"], report["applied"]) == (5, 4, 4)
    assert report["not_in_catalog"] == 1
    assert report["missing_folders"] == [{"folder": str(tmp_path / "other"), "images": 1}]

    photos = {Path(p["path"]).name: p for p in list_json()}
    assert (photos["a.jpg"]["cull"], photos["a.jpg"]["rating"]) == ("kept", 5)
    assert photos["b.jpg"]["cull"] == "rejected"
    assert (photos["c.jpg"]["cull"], photos["c.jpg"]["picked"]) == ("kept", True)
    assert {t["name"] for t in photos["d.JPG"]["tags"]} == {"harbour", "boats"}
    assert {t["name"] for t in photos["a.jpg"]["tags"]} == {"harbour"}
    with Catalog.open(resolve_paths().catalog):
        pid_c = photo_id_for_path(str(lib / "c.jpg"))
        assert pid_c is not None and decision_state(pid_c).label is ColorLabel.RED
        log = decision_log()
    assert log and {d["pass"] for d in log} == {"lightroom"}

    # Lightroom's file is untouched: same bytes, no journal or lock left beside it.
    assert _digest(lrcat) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing

    # Again: nothing new.
    code, out, _ = run_cli("import-lightroom", str(lrcat), "--json")
    again = json.loads(out)
    assert code == 0 and (again["applied"], again["unchanged"]) == (0, 4)
    with Catalog.open(resolve_paths().catalog):
        assert len(decision_log()) == len(log)


def test_the_summary_says_to_import_the_missing_folder_first(tmp_path: Path) -> None:
    _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    code, out, _ = run_cli("import-lightroom", str(lrcat))
    assert code == 0
    assert "4 took decisions" in out and "import their folder first" in out
    assert str(tmp_path / "other") in out


def test_a_locked_or_unknown_catalog_is_refused_with_a_sentence(tmp_path: Path) -> None:
    _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    lock = tmp_path / "Photos.lrcat.lock"
    lock.write_text("")
    code, _, err = run_cli("import-lightroom", str(lrcat))
    assert code == 3 and "close Lightroom" in err and err.count("\n") == 1
    lock.unlink()

    # SQLite busy: another connection holds a write lock.
    holder = sqlite3.connect(lrcat)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run_cli("import-lightroom", str(lrcat))
    finally:
        holder.rollback()
        holder.close()
    assert code == 3 and "busy" in err

    future = make_lrcat(tmp_path / "Future.lrcat", tmp_path, version="2500000")
    code, _, err = run_cli("import-lightroom", str(future))
    assert code == 2 and "version 2500000" in err

    odd = tmp_path / "Odd.lrcat"
    conn = sqlite3.connect(odd)
    conn.execute("CREATE TABLE Adobe_images (id_local INTEGER PRIMARY KEY, rating)")
    conn.close()
    code, _, err = run_cli("import-lightroom", str(odd))
    assert code == 2 and "not a Lightroom Classic catalog" in err and "AgLibraryFile" in err

    junk = tmp_path / "Junk.lrcat"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    code, _, err = run_cli("import-lightroom", str(junk))
    assert code == 2 and "not a Lightroom catalog" in err
    code, _, err = run_cli("import-lightroom", str(tmp_path / "nowhere.lrcat"))
    assert code == 2 and "no Lightroom catalog" in err
    with Catalog.open(resolve_paths().catalog):
        assert decision_log() == []


def test_a_wal_mode_catalog_is_read_without_leaving_files_beside_it(tmp_path: Path) -> None:
    _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    conn = sqlite3.connect(lrcat)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()  # a clean close checkpoints and removes the -wal file
    before, listing = _digest(lrcat), sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run_cli("import-lightroom", str(lrcat), "--json")
    assert code == 0, err
    assert json.loads(out)["applied"] == 4
    assert _digest(lrcat) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
