"""`curator import-lightroom`: a Lightroom Classic catalog's decisions, read-only,
on catalogs built with Lightroom's own schema (`tests/lrcat.py`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, decision_state, photo_id_for_path
from curator.paths import resolve_paths
from curator.records import ColorLabel
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.lrcat import LrcatBuilder

LONG_AGO = datetime(2020, 1, 1, 12, 0, 0)
NOW = datetime.utcnow()


def make_lrcat(path: Path, root: Path, version: str = "1300025") -> Path:
    """lib/a–d (in Curator) and other/e (not); a virtual copy of a; keywords with parents."""
    lr = LrcatBuilder(path, version)
    r = lr.root(f"{root}/")
    a = lr.image(r, "lib/", "a.jpg", rating=5.0, touched=LONG_AGO)
    lr.image(r, "lib/", "b.jpg", rating=3.0, pick=-1.0, touched=LONG_AGO)  # rejected
    lr.image(r, "lib/", "c.jpg", pick=1.0, label="Red", touched=LONG_AGO)
    d = lr.image(r, "lib/", "d.JPG", touched=LONG_AGO, caption="Boats at the quay")
    lr.image(r, "other/", "e.jpg", rating=4.0, touched=LONG_AGO)
    lr.image(r, "lib/", "a.jpg", rating=1.0, label="Blue", master=a, copy_name="Copy 1")
    harbour = lr.keyword("Places|Dorset|Harbour")
    boats = lr.keyword("Boats")
    for image, keyword in ((d, harbour), (d, boats), (a, harbour)):
        lr.tag(image, keyword)
    return lr.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _library(tmp_path: Path, names: tuple[str, ...] = ("a.jpg", "b.jpg", "c.jpg", "d.JPG")) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i, name in enumerate(names):
        make_jpeg(lib / name, 300 + i, 200)
    assert import_json(lib, "--stages", "technical")["new"] == len(names)
    return lib


def _import(lrcat: Path, *args: str) -> dict[str, Any]:
    code, out, err = run_cli("import-lightroom", str(lrcat), "--json", *args)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def test_ratings_flags_labels_keywords_and_captions_arrive_as_decisions(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    before, listing = _digest(lrcat), sorted(p.name for p in tmp_path.iterdir())

    report = _import(lrcat)
    assert (report["images"], report["matched"], report["applied"]) == (5, 4, 4)
    assert report["not_in_catalog"] == 1
    assert report["missing_folders"] == [{"folder": str(tmp_path / "other"), "images": 1}]
    assert report["conflicts"] == []

    photos = {Path(p["path"]).name: p for p in list_json()}
    assert (photos["a.jpg"]["cull"], photos["a.jpg"]["rating"]) == ("kept", 5)  # the master's
    assert photos["b.jpg"]["cull"] == "rejected"
    assert (photos["c.jpg"]["cull"], photos["c.jpg"]["picked"]) == ("kept", True)
    # Keywords keep their parents: every level is a tag, as in Lightroom's XMP.
    assert {t["name"] for t in photos["d.JPG"]["tags"]} == {"places", "dorset", "harbour", "boats"}
    with Catalog.open(resolve_paths().catalog):
        pid_c = photo_id_for_path(str(lib / "c.jpg"))
        assert pid_c is not None and decision_state(pid_c).label is ColorLabel.RED
        log = decision_log()
    assert log and {d["pass"] for d in log} == {"lightroom"}
    code, out, _ = run_cli("search", "quay", "--json")  # the caption is searchable
    assert code == 0 and [Path(h["path"]).name for h in json.loads(out)] == ["d.JPG"]

    # Lightroom's file is untouched: same bytes, no journal or lock left beside it.
    assert _digest(lrcat) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing

    again = _import(lrcat)  # nothing new
    assert (again["applied"], again["unchanged"]) == (0, 4)
    with Catalog.open(resolve_paths().catalog):
        assert len(decision_log()) == len(log)


def test_conflicts_go_to_the_later_change_by_lightrooms_own_touch_time(tmp_path: Path) -> None:
    lib = _library(tmp_path, ("a.jpg", "b.jpg"))
    # In Curator: a rejected now (after Lightroom's last edit of a), b rated 2
    # now (but Lightroom changes b later still, below).
    assert run_cli("reject", str(lib / "a.jpg"))[0] == 0
    assert run_cli("rate", "--stars", "2", str(lib / "b.jpg"))[0] == 0
    lr = LrcatBuilder(tmp_path / "Photos.lrcat")
    r = lr.root(f"{tmp_path}/")
    lr.image(r, "lib/", "a.jpg", rating=4.0, pick=1.0, touched=LONG_AGO)
    lr.image(r, "lib/", "b.jpg", rating=5.0, touched=NOW + timedelta(hours=1))
    lrcat = lr.close()
    # The .lrcat file itself is newer than everything (any Lightroom session touches
    # it): that must not undo the reject made in Curator after a's last edit.
    report = _import(lrcat)
    photos = {Path(p["path"]).name: p for p in list_json()}
    assert photos["a.jpg"]["cull"] == "rejected" and photos["a.jpg"]["picked"] is False
    assert photos["b.jpg"]["rating"] == 5
    decided = {(Path(c["path"]).name, c["field"]): c for c in report["conflicts"]}
    assert decided[("a.jpg", "picked")]["winner"] == "curator"
    assert decided[("b.jpg", "rating")]["winner"] == "lightroom"
    assert (decided[("b.jpg", "rating")]["curator"], decided[("b.jpg", "rating")]["other"]) == (
        "2",
        "5",
    )
    code, out, _ = run_cli("import-lightroom", str(lrcat))
    assert code == 0 and "the later change won" not in out  # already taken: no conflict now


def test_a_moved_root_is_found_by_map_and_by_path_time_and_size(tmp_path: Path) -> None:
    nas = tmp_path / "nas" / "Photos"
    (nas / "2023").mkdir(parents=True)
    (nas / "2024").mkdir(parents=True)
    when = datetime(2023, 5, 1, 10, 0, 0)
    make_jpeg(nas / "2023" / "IMG_1.jpg", 300, 200, captured_at=when)
    make_jpeg(nas / "2024" / "IMG_2.jpg", 301, 200, captured_at=when + timedelta(days=400))
    import_json(nas, "--stages", "technical")
    lr = LrcatBuilder(tmp_path / "Win.lrcat")
    r = lr.root("C:/Photos/")
    lr.image(r, "2023/", "IMG_1.jpg", rating=4.0, captured=when, size=(300, 200))
    lr.image(r, "2024/", "IMG_2.jpg", rating=2.0, captured=when + timedelta(days=400))
    lrcat = lr.close()

    found = _import(lrcat)  # no --map: found by path under the root, time and size
    assert (found["matched"], found["not_in_catalog"]) == (2, 0)
    assert found["found_elsewhere"] == [
        {"lightroom": "C:/Photos/", "curator": f"{nas}/", "images": 2}
    ]
    ratings = {Path(p["path"]).name: p["rating"] for p in list_json()}
    assert ratings == {"IMG_1.jpg": 4, "IMG_2.jpg": 2}

    mapped = _import(lrcat, "--map", f"C:/Photos={nas}")  # the same, by the map
    assert (mapped["matched"], mapped["found_elsewhere"]) == (2, [])
    code, _, err = run_cli("import-lightroom", str(lrcat), "--map", "C:/Photos")
    assert code == 2 and "OLD=NEW" in err


def test_copies_label_sets_pairs_and_private_keywords(tmp_path: Path) -> None:
    lib = _library(tmp_path, ("a.jpg", "b.jpg", "c.jpg", "d.jpg", "IMG_5.DNG", "IMG_5.JPG"))
    lr = LrcatBuilder(tmp_path / "Photos.lrcat")
    r = lr.root(f"{tmp_path}/")
    a = lr.image(r, "lib/", "a.jpg")  # unrated master...
    lr.image(r, "lib/", "a.jpg", rating=4.0, master=a, copy_name="Black & white")  # ...rated copy
    lr.image(r, "lib/", "b.jpg", label="Rot")  # German Lightroom
    lr.image(r, "lib/", "c.jpg", label="Good to Use")  # the Review Status set
    d = lr.image(r, "lib/", "d.jpg", label="Proof sent")  # a set Curator doesn't know
    lr.image(r, "lib/", "IMG_5.DNG", rating=5.0, sidecars="JPG,xmp")  # RAW+JPEG as one
    lr.tag(d, lr.keyword("Clients|Client A", include_on_export=False))
    lr.tag(d, lr.keyword("Sea"))
    report = _import(lr.close())
    assert report["from_virtual_copies"] == [{"path": str(lib / "a.jpg"), "copy": "Black & white"}]
    assert report["labels_as_keywords"] == [{"path": str(lib / "d.jpg"), "label": "Proof sent"}]
    photos = {Path(p["path"]).name: p for p in list_json()}
    assert photos["a.jpg"]["rating"] == 4
    assert photos["IMG_5.DNG"]["rating"] == 5 and photos["IMG_5.JPG"]["rating"] == 5
    with Catalog.open(resolve_paths().catalog):
        labels = {
            name: decision_state(pid).label
            for name in ("b.jpg", "c.jpg")
            if (pid := photo_id_for_path(str(lib / name))) is not None
        }
    assert labels == {"b.jpg": ColorLabel.RED, "c.jpg": ColorLabel.GREEN}
    assert {t["name"] for t in photos["d.jpg"]["tags"]} == {
        "client a",
        "clients",
        "sea",
        "proof sent",
    }

    # A private keyword (Include on Export off) is searchable but never exported.
    assert run_cli("pick", str(lib / "d.jpg"))[0] == 0
    code, _, err = run_cli("export", "--approved", str(tmp_path / "out"), "--no-progress")
    assert code == 0, err
    sidecar = (tmp_path / "out" / "approved" / "d.xmp").read_text(encoding="utf-8")
    assert "Sea" in sidecar and "Client A" not in sidecar and "Clients" not in sidecar
    code, out, _ = run_cli("search", 'tag:"client a"', "--json")
    assert code == 0 and [Path(h["path"]).name for h in json.loads(out)] == ["d.jpg"]


def test_a_locked_or_unknown_catalog_is_refused_with_a_sentence(tmp_path: Path) -> None:
    _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    lock = tmp_path / "Photos.lrcat.lock"  # Lightroom has it open
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
    assert _import(lrcat)["applied"] == 4
    assert _digest(lrcat) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_a_catalog_with_its_changes_still_in_the_wal_is_read_with_them(tmp_path: Path) -> None:
    _library(tmp_path)
    lrcat = make_lrcat(tmp_path / "Photos.lrcat", tmp_path)
    holder = sqlite3.connect(lrcat)  # Lightroom's connection, open, not checkpointed
    assert holder.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    holder.execute("PRAGMA wal_autocheckpoint=0")
    holder.execute("UPDATE Adobe_images SET rating = 2.0 WHERE rating = 5.0")  # a: 5 → 2
    holder.commit()
    try:
        side = {p.name: _digest(p) for p in tmp_path.iterdir() if p.name.startswith("Photos")}
        assert "Photos.lrcat-wal" in side
        assert _import(lrcat)["applied"] == 4
        assert {Path(p["path"]).name: p["rating"] for p in list_json()}["a.jpg"] == 2
        # Neither the catalog nor its -wal/-shm changed, and nothing new appeared.
        after = {p.name: _digest(p) for p in tmp_path.iterdir() if p.name.startswith("Photos")}
        assert after == side
    finally:
        holder.close()
