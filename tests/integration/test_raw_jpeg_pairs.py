"""RAW+JPEG is one photo (issue 19 §3): one tile, one decision on both files,
undone together; the setting off shows two; an upgraded catalog reconciles the
decisions the two files had by migration m015's rule and loses none."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from curator.catalog import paths_codec
from curator.catalog.db import Catalog
from curator.catalog.decisions import (
    add_tag,
    decision_log,
    rotate,
    set_cull,
    set_picked,
    set_rating,
    undo_last,
)
from curator.catalog.judgments import burst_frames
from curator.catalog.models import CullState, Photo, PhotoTag
from curator.catalog.paths_codec import display_path
from curator.catalog.projects import add_photos, create_project
from curator.catalog.queries import GalleryQuery, gallery_query_ids, gallery_rows
from curator.paths import resolve_paths
from curator.settings import save_changes
from curator.ui.gallery.flags import photo_flags
from curator.ui.gallery.model import with_pairs
from curator.ui.gallery.view import GREY, flag_pills
from tests.imaging_helpers import make_dng, make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli, status_json

WHEN = datetime(2024, 5, 6, 7, 8, 9)


@pytest.fixture(autouse=True)
def _pairing_restored() -> Iterator[None]:
    yield
    paths_codec.set_pairing(True)


def _shoot(folder: Path) -> Path:
    """DSC0001 as RAW + JPEG (the JPEG's extension in another case), and a lone JPEG."""
    folder.mkdir()
    make_dng(folder / "DSC0001.DNG", 64, 48, captured_at=WHEN)
    make_jpeg(folder / "dsc0001.jpg", 64, 48, captured_at=WHEN, pattern="texture")
    make_jpeg(folder / "DSC0002.JPG", 64, 48, captured_at=WHEN.replace(minute=30))
    return folder


def _ids(cat: Catalog) -> dict[str, int]:
    return {Path(paths_codec.decode_path(p.path)).name: int(p.id) for p in Photo.select()}


def _values(pid: int) -> tuple[object, ...]:
    p = Photo.get_by_id(pid)
    return (p.cull, p.rating, bool(p.picked), p.label, p.rotation)


def test_an_imported_pair_is_one_tile_and_one_decision(tmp_path: Path, curator_home: Path) -> None:
    result = import_json(_shoot(tmp_path / "shoot"))
    assert result["new"] == 3
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        raw, jpeg, lone = ids["DSC0001.DNG"], ids["dsc0001.jpg"], ids["DSC0002.JPG"]
        assert Photo.get_by_id(jpeg).pair_lead_id == raw  # the RAW leads
        assert sorted(gallery_query_ids(GalleryQuery())) == sorted([raw, lone])
        assert {f.photo_id for f in burst_frames("none")} == {raw, lone}  # one frame
        rows = with_pairs(gallery_rows([raw, lone]))
        assert (rows[raw].paired_with, rows[lone].paired_with) == ("dsc0001.jpg", "")
        assert ("RAW+JPEG", GREY) in flag_pills(photo_flags(rows[raw], 70.0))[1]
        assert not any(text == "RAW+JPEG" for text, _ in flag_pills(photo_flags(rows[lone], 70))[1])
        # The RAW's thumbnail not ready yet: the tile shows the JPEG's meanwhile.
        jpeg_thumb = Photo.get_by_id(jpeg).thumbnail_key
        assert jpeg_thumb is not None
        Photo.update(thumbnail_key=None).where(Photo.id == raw).execute()
        assert with_pairs(gallery_rows([raw]))[raw].thumbnail_key == jpeg_thumb

        rated = set_rating(raw, 4, pass_="cull", keep=True)
        assert {r.photo_id for r in rated} == {raw}  # one photo to the user
        set_picked(jpeg, True, pass_="cull")  # either file decides for both
        rotate(raw, 1, pass_="cull")
        add_tag(raw, "harbour")
        for pid in (raw, jpeg):
            assert _values(pid) == (CullState.KEPT.value, 4, True, None, 1)
            assert [t.tag.name for t in PhotoTag.select().where(PhotoTag.photo == pid)] == [
                "harbour"
            ]
        assert _values(lone) == (CullState.UNREVIEWED.value, None, False, None, 0)

        undone = undo_last()  # the tag, on both; said of one photo ("of DSC0001.DNG")
        assert undone is not None and {r.photo_id for r in undone} == {raw}
        undo_last()  # the turn, on both: one undo step for the pair
        assert _values(raw)[4] == 0 and _values(jpeg)[4] == 0
        assert not PhotoTag.select().where(PhotoTag.photo.in_([raw, jpeg])).exists()


def test_pairing_off_shows_and_decides_each_file_alone(tmp_path: Path, curator_home: Path) -> None:
    import_json(_shoot(tmp_path / "shoot"))
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        raw, jpeg = ids["DSC0001.DNG"], ids["dsc0001.jpg"]
        set_cull(raw, CullState.KEPT)
        paths_codec.set_pairing(False)
        assert sorted(gallery_query_ids(GalleryQuery())) == sorted(ids.values())
        set_cull(jpeg, CullState.REJECTED)
        assert _values(raw)[0] == CullState.KEPT.value  # decided alone
        paths_codec.set_pairing(True)  # regrouped; both files keep their decisions
        assert sorted(gallery_query_ids(GalleryQuery())) == sorted([raw, ids["DSC0002.JPG"]])
        assert (_values(raw)[0], _values(jpeg)[0]) == ("kept", "rejected")


def test_a_jpeg_added_beside_a_culled_raw_takes_its_decision(
    tmp_path: Path, curator_home: Path
) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    make_dng(shoot / "A.DNG", 64, 48, captured_at=WHEN)
    import_json(shoot)
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        raw = _ids(cat)["A.DNG"]
        set_rating(raw, 5)
        set_cull(raw, CullState.REJECTED)
    make_jpeg(shoot / "A.JPG", 64, 48, captured_at=WHEN)
    import_json(shoot)
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        jpeg = _ids(cat)["A.JPG"]
        assert Photo.get_by_id(jpeg).pair_lead_id == raw
        assert _values(jpeg) == _values(raw) == ("rejected", 5, False, None, 0)
        logged = {(r["kind"], r["new"], r["pass"]) for r in decision_log(jpeg)}
        assert logged == {("rating", "5", "pairing"), ("cull", "rejected", "pairing")}


def test_a_raw_the_technical_stage_failed_on_leads_no_jpeg(
    tmp_path: Path, curator_home: Path
) -> None:
    """A RAW cut short while copying beside its good JPEG: the JPEG is a photo of
    its own (its pixels are the shot's only ones: cull, rate and export it), the
    RAW keeps its tile and its failure sentence. Copied again whole, the RAW is
    measured and leads the pair again, with the JPEG's decisions (none lost)."""
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    make_dng(shoot / "B.DNG", 64, 48, captured_at=WHEN)
    whole = (shoot / "B.DNG").read_bytes()
    (shoot / "B.DNG").write_bytes(whole[:300])  # cut short
    make_jpeg(shoot / "B.JPG", 64, 48, captured_at=WHEN, pattern="texture")
    import_json(shoot)
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        raw, jpeg = ids["B.DNG"], ids["B.JPG"]
        assert Photo.get_by_id(jpeg).pair_lead_id is None
        assert sorted(gallery_query_ids(GalleryQuery())) == sorted([raw, jpeg])
        assert gallery_rows([raw])[raw].failed and not gallery_rows([jpeg])[jpeg].failed
        set_rating(jpeg, 4, pass_="cull", keep=True)
        assert _values(raw)[:2] == ("unreviewed", None)  # decided alone
    listed = {Path(r["path"]).name: r for r in list_json()}
    assert set(listed) == {"B.DNG", "B.JPG"}

    (shoot / "B.DNG").write_bytes(whole)  # copied again, whole
    import_json(shoot)
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        assert Photo.get_by_id(jpeg).pair_lead_id == raw
        assert gallery_query_ids(GalleryQuery()) == [raw]
        assert _values(raw) == _values(jpeg) == ("kept", 4, False, None, 0)


def test_with_pairing_off_a_jpeg_added_beside_a_raw_stays_undecided(
    tmp_path: Path, curator_home: Path
) -> None:
    save_changes(resolve_paths().settings_file, {"pair_raw_jpeg": False})
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    make_dng(shoot / "A.DNG", 64, 48, captured_at=WHEN)
    import_json(shoot)
    assert run_cli("reject", str(shoot / "A.DNG"))[0] == 0
    make_jpeg(shoot / "A.JPG", 64, 48, captured_at=WHEN)
    import_json(shoot)
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        assert Photo.get_by_id(ids["A.JPG"]).pair_lead_id == ids["A.DNG"]  # paired, for later
        assert (_values(ids["A.DNG"])[0], _values(ids["A.JPG"])[0]) == ("rejected", "unreviewed")
        assert decision_log(ids["A.JPG"]) == []


def _v13_catalog(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from curator.catalog import migrations

    v13 = tuple(m for m in migrations.MIGRATIONS if m.version <= 13)
    monkeypatch.setattr("curator.catalog.db.MIGRATIONS", v13)
    monkeypatch.setattr("curator.catalog.db.LATEST_VERSION", 13)
    Catalog.open(path).close()
    monkeypatch.undo()


def test_m015_pairs_a_v13_catalog_and_reconciles_by_the_newest_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v13.sqlite"
    _v13_catalog(path, monkeypatch)
    photos = [  # id, path, format, cull, rating, picked, label
        (1, "/s/IMG_1.CR2", "raw", "kept", 3, 1, None),
        (2, "/s/img_1.jpg", "jpeg", "rejected", 5, 0, "red"),
        (3, "/s/IMG_2.CR2", "raw", "unreviewed", None, 0, None),
        (4, "/s/IMG_2.JPG", "jpeg", "unreviewed", None, 0, "blue"),  # no log: an import's
        (5, "/s/IMG_3.JPG", "jpeg", "kept", 2, 0, None),  # no RAW: not paired
        (6, "/t/IMG_1.JPG", "jpeg", "unreviewed", None, 0, None),  # another folder
    ]
    log = [  # photo, kind, old, new, at
        (1, "rating", None, "3", "2026-01-01 10:00:00"),
        (1, "pick", "0", "1", "2026-01-01 10:00:01"),
        (1, "cull", "unreviewed", "kept", "2026-01-01 10:00:01"),
        (2, "cull", "unreviewed", "rejected", "2026-01-02 09:00:00"),  # newest flag
        (2, "rating", None, "5", "2025-12-31 09:00:00"),  # older than the RAW's 3
        (2, "label", None, "red", "2025-12-31 09:00:00"),  # the only label decision
    ]
    with sqlite3.connect(path) as raw:
        for pid, p, fmt, cull, rating, picked, label in photos:
            raw.execute(
                "INSERT INTO photo (id, path, format, cull, rating, picked, label,"
                " imported_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026', '2026')",
                (pid, p.encode(), fmt, cull, rating, picked, label),
            )
        raw.executemany(
            "INSERT INTO decision (photo_id, kind, old_value, new_value, pass, created_at)"
            " VALUES (?, ?, ?, ?, 'cull', ?)",
            log,
        )
    before = len(log)

    with Catalog.open(path):
        assert {int(p.id): p.pair_lead_id for p in Photo.select()} == {
            1: None,
            2: 1,
            3: None,
            4: 3,
            5: None,
            6: None,
        }
        # The flag decided last (the JPEG's reject) wins for the pair, and unpicks;
        # the rating decided last (the RAW's 3) wins; the only label decided wins.
        assert _values(1) == _values(2) == ("rejected", 3, False, "red", 0)
        # No log on either: the decided value (the JPEG's blue) beats nothing.
        assert _values(3) == _values(4) == ("unreviewed", None, False, "blue", 0)
        assert _values(5) == ("kept", 2, False, None, 0)
        rows = decision_log()
        assert [(r["photo_id"], r["kind"], r["new"]) for r in rows[:before]] == [
            (p, k, n) for p, k, _, n, _ in log
        ]  # every decision either file had is still in the log
        added = {(r["photo_id"], r["kind"], r["old"], r["new"]) for r in rows[before:]}
        assert added == {
            (1, "cull", "kept", "rejected"),
            (1, "pick", "1", "0"),
            (2, "rating", "5", "3"),
            (1, "label", None, "red"),
            (3, "label", None, "blue"),
        }
        assert {r["pass"] for r in rows[before:]} == {"pairing"}
        assert len({r["at"] for r in rows[before:]}) == 1  # one group: one undo step
        assert sorted(gallery_query_ids(GalleryQuery())) == [1, 3, 5, 6]


def test_a_purged_raw_frees_its_jpeg(tmp_path: Path, curator_home: Path, os_trash: Path) -> None:
    import_json(_shoot(tmp_path / "shoot"))
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        raw, jpeg = ids["DSC0001.DNG"], ids["dsc0001.jpg"]
        paths_codec.set_pairing(False)
        set_cull(raw, CullState.REJECTED)  # the RAW alone
    code, _, err = run_cli("purge-rejected", "--yes", "--json")
    assert code == 0, err
    with Catalog.open(curator_home / "catalog.sqlite"):
        paths_codec.set_pairing(True)
        assert Photo.get_by_id(raw).deleted_at is not None
        assert Photo.get_by_id(jpeg).pair_lead_id is None
        assert sorted(gallery_query_ids(GalleryQuery())) == sorted([jpeg, ids["DSC0002.JPG"]])
        assert _values(jpeg)[0] == CullState.UNREVIEWED.value


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        (None, {"DSC0001.DNG", "dsc0001.jpg", "DSC0002.JPG"}),  # the setting's default: both
        ("raw", {"DSC0001.DNG", "DSC0002.JPG"}),
        ("jpeg", {"dsc0001.jpg", "DSC0002.JPG"}),
    ],
)
def test_export_sends_the_pair_files_asked_for(
    tmp_path: Path, curator_home: Path, choice: str | None, sent: set[str]
) -> None:
    import_json(_shoot(tmp_path / "shoot"))
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        paths_codec.set_pairing(True)
        create_project("Harbour")
        add_photos("Harbour", [ids["DSC0001.DNG"], ids["DSC0002.JPG"]])  # what the grid shows
    args = ["--project", "Harbour", str(tmp_path / "out"), "--no-progress"]
    code, _, err = run_cli("export", *args, *(["--pairs", choice] if choice else []))
    assert code == 0, err
    out = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    names = {p.name for p in out if p.suffix.lower() != ".xmp"}
    assert names - {"manifest.json"} == sent


def test_xmp_write_on_one_file_writes_the_pair(tmp_path: Path, curator_home: Path) -> None:
    shoot = _shoot(tmp_path / "shoot")
    import_json(shoot)
    assert run_cli("rate", "--stars", "4", str(shoot / "DSC0001.DNG"))[0] == 0
    code, _, err = run_cli("xmp", "write", str(shoot / "DSC0001.DNG"))
    assert code == 0, err
    # The sidecar-naming rule: the RAW owns DSC0001.xmp, the JPEG gets its own.
    for sidecar in (shoot / "DSC0001.xmp", shoot / "dsc0001.jpg.xmp"):
        assert 'xmp:Rating="4"' in sidecar.read_text() or "<xmp:Rating>4<" in sidecar.read_text()
    assert not (shoot / "DSC0002.xmp").exists()


def test_the_review_passes_hold_a_pair_once(tmp_path: Path, curator_home: Path) -> None:
    from curator.pipeline.stages.score import review_order

    import_json(_shoot(tmp_path / "shoot"))
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        assert sorted(review_order("cull", "none")) == sorted(
            [ids["DSC0001.DNG"], ids["DSC0002.JPG"]]
        )
        paths_codec.set_pairing(False)
        assert sorted(review_order("cull", "none")) == sorted(ids.values())


def test_a_pair_whose_name_is_not_utf8_pairs_and_lists(tmp_path: Path, curator_home: Path) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    stem = os.fsdecode(b"caf\xe9 \xe0 Paris")  # Latin-1 bytes: no UTF-8 text
    make_dng(shoot / f"{stem}.DNG", 64, 48, captured_at=WHEN)
    make_jpeg(shoot / f"{stem}.jpg", 64, 48, captured_at=WHEN)
    assert import_json(shoot)["new"] == 2
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        raw, jpeg = ids[f"{stem}.DNG"], ids[f"{stem}.jpg"]
        assert Photo.get_by_id(jpeg).pair_lead_id == raw
        assert gallery_query_ids(GalleryQuery()) == [raw]
        assert with_pairs(gallery_rows([raw]))[raw].paired_with == display_path(
            os.fsencode(f"{stem}.jpg")
        )


def test_the_quick_look_pairs_before_anything_is_measured(catalog: Catalog) -> None:
    from curator.catalog.quicklook import apply_quick_looks
    from curator.records import FileFormat, QuickLook

    def look(name: str, fmt: FileFormat) -> QuickLook:
        return QuickLook(f"/shoot/{name}", f"hash-{name}", 10, 1, fmt, f"quick-{name}")

    first = apply_quick_looks(catalog.db, [look("IMG_7.JPG", FileFormat.JPEG)], "v")
    assert gallery_query_ids(GalleryQuery()) == first  # alone: its own tile
    (raw,) = apply_quick_looks(catalog.db, [look("img_7.cr3", FileFormat.RAW)], "v")
    assert Photo.get_by_id(first[0]).pair_lead_id == raw
    assert gallery_query_ids(GalleryQuery()) == [raw]  # one tile from the first look
    assert with_pairs(gallery_rows([raw]))[raw].paired_with == "IMG_7.JPG"


def test_a_search_finds_a_pair_once_as_its_raw(tmp_path: Path, curator_home: Path) -> None:
    # Words alone (ranked in photo_fts), words with a filter (the joined query)
    # and "similar" results all show the pair as the gallery does: once.
    from curator.search.catalog_reads import live_ids
    from curator.search.text import ranked_ids, text_search

    import_json(_shoot(tmp_path / "shoot"))
    with Catalog.open(curator_home / "catalog.sqlite") as cat:
        ids = _ids(cat)
        raw, jpeg = ids["DSC0001.DNG"], ids["dsc0001.jpg"]
        for query in ("dsc0001", "dsc0001 unreviewed"):
            assert [h.photo_id for h in text_search(query)] == [raw], query
            assert ranked_ids(query) == [raw], query  # the gallery's search
        assert live_ids([raw, jpeg]) == {raw}
        assert live_ids([jpeg], pairs_once=False) == {jpeg}  # "more like" the JPEG itself
        paths_codec.set_pairing(False)
        assert sorted(h.photo_id for h in text_search("dsc0001")) == sorted([raw, jpeg])
        assert sorted(ranked_ids("dsc0001")) == sorted([raw, jpeg])
        assert live_ids([raw, jpeg]) == {raw, jpeg}


def test_list_and_status_count_photos_as_the_gallery_does(
    tmp_path: Path, curator_home: Path
) -> None:
    """Three RAW+JPEG pairs are three photos to `list` and `status` (each listed
    once, as its RAW, naming its JPEG); with pairing off, six."""
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    for i in range(3):
        make_dng(shoot / f"DSC000{i}.DNG", 64, 48, captured_at=WHEN.replace(minute=i))
        make_jpeg(shoot / f"DSC000{i}.JPG", 64, 48, captured_at=WHEN.replace(minute=i))
    assert import_json(shoot)["new"] == 6

    listed = list_json()
    assert [Path(p["path"]).name for p in listed] == ["DSC0000.DNG", "DSC0001.DNG", "DSC0002.DNG"]
    assert [[Path(f).name for f in p["paired_with"]] for p in listed] == [
        ["DSC0000.JPG"],
        ["DSC0001.JPG"],
        ["DSC0002.JPG"],
    ]
    code, text, _ = run_cli("list")
    assert code == 0
    lines = text.splitlines()
    assert lines[-1] == "3 photos"
    assert all("RAW+JPEG" in line and "DSC000" in line for line in lines[:-1]), text
    report = status_json()
    assert (report["photos"], report["files"]) == (3, 6)
    assert report["stages"]["technical"]["done"] == 3
    assert sum(report["stages"]["describe"].values()) == 3
    code, text, _ = run_cli("status")
    assert text.startswith("3 photos in the catalog (6 files: 3 RAW+JPEG)"), text

    save_changes(resolve_paths().settings_file, {"pair_raw_jpeg": False})
    listed = list_json()
    assert len(listed) == 6 and all(p["paired_with"] == [] for p in listed)
    assert run_cli("list")[1].splitlines()[-1] == "6 photos"
    assert "RAW+JPEG" not in run_cli("list")[1]
    report = status_json()
    assert (report["photos"], report["files"]) == (6, 6)
    assert report["stages"]["technical"]["done"] == 6
    assert run_cli("status")[1].startswith("6 photos in the catalog\n")
