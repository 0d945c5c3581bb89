"""Identity by content: duplicates, moves, edits and idempotent re-imports."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, status_json


def _by_path(photos: list[dict]) -> dict[str, dict]:
    return {p["path"]: p for p in photos}


def test_duplicates_moves_and_edits(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "day1").mkdir(parents=True)
    a = make_jpeg(lib / "day1" / "a.jpg", 640, 480, captured_at=datetime(2024, 5, 1, 10, 0, 0))
    make_jpeg(lib / "day1" / "b.jpg", 640, 480, pattern="texture")
    shutil.copy2(a, lib / "copy_of_a.JPG")

    first = import_json(lib)
    assert first["found"] == 3
    assert (first["new"], first["duplicates"], first["failed"]) == (2, 1, 0)
    photos = list_json()
    assert len(photos) == 2
    pa = next(p for p in photos if p["path"].endswith(("a.jpg", "a.JPG")))
    assert sorted([pa["path"], *pa["other_paths"]]) == [str(lib / "copy_of_a.JPG"), str(a)]
    assert pa["captured_at"] == "2024-05-01T10:00:00"
    assert pa["stages"]["technical"]["status"] == "done"

    # Re-import: nothing read again, nothing added.
    again = import_json(lib)
    assert again["unchanged"] == 3
    assert again["new"] == again["duplicates"] == again["moved"] == again["changed"] == 0
    assert len(list_json()) == 2

    # Move a.jpg into another folder: recognised, same photo id, path updated.
    (lib / "day2").mkdir()
    (lib / "day1" / "a.jpg").rename(lib / "day2" / "renamed.jpg")
    moved = import_json(lib)
    assert moved["moved"] == 1 and moved["new"] == 0
    after = _by_path(list_json())
    assert len(after) == 2
    pa_after = next(p for p in after.values() if p["id"] == pa["id"])
    assert sorted([pa_after["path"], *pa_after["other_paths"]]) == [
        str(lib / "copy_of_a.JPG"),
        str(lib / "day2" / "renamed.jpg"),
    ]

    # Edit b.jpg in place: the same photo is re-measured with its new hash.
    pb = after[str(lib / "day1" / "b.jpg")]
    make_jpeg(lib / "day1" / "b.jpg", 800, 600, pattern="quadrants")
    edited = import_json(lib)
    assert edited["changed"] == 1 and edited["new"] == 0
    pb2 = _by_path(list_json())[str(lib / "day1" / "b.jpg")]
    assert pb2["id"] == pb["id"]
    assert pb2["content_hash"] != pb["content_hash"]
    assert (pb2["width"], pb2["height"]) == (800, 600)

    # Overwrite the copy of a with other bytes: a keeps its photo, the copy
    # becomes a photo of its own.
    make_jpeg(lib / "copy_of_a.JPG", 320, 240, pattern="texture")
    split = import_json(lib)
    assert split["changed"] == 1
    final = _by_path(list_json())
    assert len(final) == 3
    kept = next(p for p in final.values() if p["id"] == pa["id"])
    assert (kept["path"], kept["other_paths"]) == (str(lib / "day2" / "renamed.jpg"), [])
    assert final[str(lib / "copy_of_a.JPG")]["content_hash"] != pa["content_hash"]
    assert status_json()["stages"]["technical"]["done"] == 3


def test_same_bytes_in_two_new_files_become_one_photo(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    src = make_jpeg(lib / "one.jpg", 400, 300, pattern="texture")
    for i in range(5):
        shutil.copy(src, lib / f"dup{i}.jpeg")
    result = import_json(lib, "--workers", "2")
    assert result["new"] == 1 and result["duplicates"] == 5
    photos = list_json()
    assert len(photos) == 1
    assert len(photos[0]["other_paths"]) == 5


def test_fixture_archive_imports_and_reimports_idempotently(fixtures_dir: Path) -> None:
    first = import_json(fixtures_dir)
    n_files = sum(1 for p in fixtures_dir.rglob("*") if p.is_file() and p.suffix.lower() != ".md")
    assert first["found"] == n_files
    accounted = sum(
        first[k] for k in ("new", "duplicates", "moved", "changed", "unchanged", "failed")
    )
    assert accounted == first["found"]
    photos = {Path(p["path"]).name: p for p in list_json()}
    # Every camera JPEG and every decodable RAW is measured, with previews.
    for name, p in photos.items():
        parent = Path(p["path"]).parent.name
        if parent in ("jpeg", "orientation", "raw", "raw_edge"):
            assert p["stages"]["technical"]["status"] == "done", (name, p["stages"])
            assert p["exposure_score"] is not None and p["exposure_ev"] is not None
            # Sharpness: a score, or (under 640 px) the note saying why there is none.
            judged = max(p["width"], p["height"]) >= 640
            assert (p["sharpness_score"] is not None) == judged or p["metrics_source"] != "image"
            assert p["sharpness_score"] is not None or p["sharpness_note"] == "too small to judge"
            assert p["thumbnail_key"] and p["preview_key"]
    assert photos["canon_sx60_hdr_NO.jpg"]["camera_model"] == "Canon PowerShot SX60 HS"
    assert photos["canon_sx60_hdr_NO.jpg"]["orientation"] == 6
    w, h = photos["canon_sx60_hdr_NO.jpg"]["width"], photos["canon_sx60_hdr_NO.jpg"]["height"]
    assert h > w  # portrait after orientation
    # Truncated RAWs that can't be shown fail with a readable reason.
    failed = [p for p in photos.values() if p["stages"]["technical"]["status"] == "failed"]
    assert failed, "the truncated RAW fixtures must fail"
    assert {Path(p["path"]).parent.name for p in failed} == {"raw_truncated"}
    assert {"exiftool_Panasonic.rw2", "exiftool_DNG.dng"} <= {Path(p["path"]).name for p in failed}
    report = status_json()
    assert report["photos"] == n_files
    assert len(report["failed"]) == len(failed)

    again = import_json(fixtures_dir)
    assert again["unchanged"] == n_files - len(failed)
    assert again["failed"] == len(failed)
    assert again["new"] == 0


def test_a_new_stage_version_backfills_only_stale_rows(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(3):
        make_jpeg(lib / f"p{i}.jpg", 300 + i, 200, pattern="texture")
    assert import_json(lib)["new"] == 3
    monkeypatch.setattr("curator.pipeline.stages.technical.STAGE_VERSION", "technical-test-2")
    rerun = import_json(lib)
    assert rerun["changed"] == 3 and rerun["new"] == 0 and rerun["unchanged"] == 0
    versions = {p["stages"]["technical"]["version"] for p in list_json()}
    assert versions == {"technical-test-2"}
    assert import_json(lib)["unchanged"] == 3
