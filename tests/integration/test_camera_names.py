"""One camera name for one photo: the loupe's panel, the Filter popup's list
and button, `manifest.json`, `curator list` and a RAW failure's sentence all
say what `camera_names.camera_name` says, while the filter still matches the
make and model stored exactly as the file wrote them.

Real camera files (copied into tmp): an Olympus whose make is "OLYMPUS
IMAGING CORP.", a Nikon whose model repeats "NIKON", a Canon, and a cut-short
Sony ARW (make "SONY") that fails to decode."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from curator.camera_names import camera_name
from curator.catalog.gallery_filters import MetadataFilter, metadata_choices
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery, gallery_query_ids, gallery_rows
from curator.export.plan import plan_export
from curator.export.types import ExportRequest
from tests.integration.cli_helpers import import_json, run_cli

FILES = {
    "jpeg/olympus_ep3_iso1600.jpg": "Olympus E-P3",
    "jpeg/nikon_d70s_dark.jpg": "Nikon D70s",
    "jpeg/canon_sx60_hdr_NO.jpg": "Canon PowerShot SX60 HS",
}
BROKEN_RAW = "raw_truncated/filetype_sony-zv-e10.arw"  # SONY / ZV-E10, cut short


def test_camera_name_says_the_maker_once() -> None:
    assert camera_name("OLYMPUS IMAGING CORP.", "E-P3") == "Olympus E-P3"
    assert camera_name("NIKON CORPORATION", "NIKON D70s") == "Nikon D70s"
    assert camera_name("Canon", "Canon EOS 6D") == "Canon EOS 6D"
    assert camera_name("FUJIFILM", "X-T3") == "Fujifilm X-T3"
    assert camera_name(None, "X-T3") == "X-T3" and camera_name("Kodak", None) == "Kodak"
    assert camera_name("Leica Camera AG", "LEICA M10") == "Leica M10"
    assert camera_name(None, None) is None and camera_name(" ", "") is None


@pytest.fixture
def shoot(tmp_path: Path, fixtures_dir: Path) -> dict[str, int]:
    """The files imported (technical stage); {expected name: photo id}."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    for name in (*FILES, BROKEN_RAW):
        shutil.copy(fixtures_dir / name, folder / Path(name).name)
    result = import_json(folder, "--stages", "technical")
    assert (result["new"], result["failed"]) == (len(FILES), 1), result
    by_name = {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}
    return {want: by_name[Path(name).name] for name, want in FILES.items()}


def test_panel_filter_manifest_and_list_say_the_same_name(
    shoot: dict[str, int], tmp_path: Path
) -> None:
    rows = gallery_rows(list(shoot.values()))
    choices = {c.value: c.label for c in metadata_choices().cameras}
    Photo.update(cull="kept", rating=5).execute()  # approved, so the export plans each one
    manifest = {f.photo_id: f.manifest for f in plan_export(ExportRequest(dest=tmp_path)).files}
    code, listing, _ = run_cli("list")
    assert code == 0
    for want, pid in shoot.items():
        photo = Photo.get_by_id(pid)
        assert rows[pid].camera == want  # the loupe's panel shows row.camera
        key = photo.camera_model or photo.camera_make
        assert choices[key] == want  # the Filter popup's entry for it
        assert manifest[pid]["camera"] == want  # manifest.json
        name = Path(bytes(photo.path).decode()).name
        line = next(ln for ln in listing.splitlines() if name in ln)
        assert want in line  # `curator list`
        # The filter matches the stored model, not the shown name, and says the name.
        narrowed = MetadataFilter(camera=key, camera_label=choices[key])
        assert gallery_query_ids(GalleryQuery(metadata=narrowed)) == [pid]
        assert narrowed.describe() == want
    # The shown name is not what is matched: "Olympus E-P3" is no stored model.
    assert gallery_query_ids(GalleryQuery(metadata=MetadataFilter(camera="Olympus E-P3"))) == []
    olympus = Photo.get_by_id(shoot["Olympus E-P3"])
    assert olympus.camera_make == "OLYMPUS IMAGING CORP."  # stored as the file wrote it


def test_a_raw_failure_names_the_camera_the_same_way(shoot: dict[str, int]) -> None:
    code, out, _ = run_cli("status", "--json")
    assert code == 0
    (failed,) = [f for f in json.loads(out)["failed"] if f["path"].endswith(".arw")]
    assert "(Sony ZV-E10)" in failed["reason"], failed["reason"]
    assert "SONY" not in failed["reason"]
