"""A turn made in Curator goes out as XMP `tiff:Orientation` (issue 19 §2),
read back by exiftool: composed with the file's own EXIF orientation, merged
into another tool's sidecar without changing anything else, and never written
into the original."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import photo_id_for_path, rotate, undo_last
from curator.paths import resolve_paths
from tests.exiftool import read_tags
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, run_cli
from tests.integration.export_helpers import decide, export_cli

SIDECAR = Path(__file__).resolve().parents[1] / "data" / "xmp" / "lightroom_keywords.xmp"


def _turn(path: Path, quarter_turns: int) -> None:
    with Catalog.open(resolve_paths().catalog):
        photo_id = photo_id_for_path(str(path))
        assert photo_id is not None
        rotate(photo_id, quarter_turns, pass_="cull")


def _undo() -> None:
    with Catalog.open(resolve_paths().catalog):
        assert undo_last() is not None


def _write() -> None:
    code, _out, err = run_cli("xmp", "write", "--all")
    assert code == 0, err


def _orientation(sidecar: Path) -> Any:
    return read_tags(sidecar, "-n").get("XMP-tiff:Orientation")


def _sidecar(photo: Path) -> Path:
    """The one sidecar `xmp write` made beside `photo` (name.xmp or name.ext.xmp)."""
    (found,) = photo.parent.glob(f"{photo.stem}*.xmp")
    return found


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sideways(tmp_path: Path, fixtures_dir: Path) -> Path:
    """A JPEG stored sideways with EXIF orientation 6, imported."""
    lib = tmp_path / "lib"
    lib.mkdir()
    photo = lib / "p.jpg"
    shutil.copyfile(fixtures_dir / "jpeg" / "orientation" / "landscape_6.jpg", photo)
    import_json(lib, "--stages", "technical")
    return photo


def test_a_turn_is_written_as_the_composed_orientation_never_into_the_original(
    sideways: Path,
) -> None:
    original = _sha(sideways)
    _turn(sideways, 1)  # right, on top of the camera's 6: upside down (3)
    _write()
    sidecar = _sidecar(sideways)
    assert _orientation(sidecar) == 3
    assert _sha(sideways) == original
    assert read_tags(sideways, "-n")["IFD0:Orientation"] == 6  # the file's own, untouched

    _turn(sideways, -2)  # two turns left: the camera's 6 turned left once, upright (1)
    _write()
    assert _orientation(sidecar) == 1

    _undo()  # back to one turn right
    _write()
    assert _orientation(sidecar) == 3
    assert _sha(sideways) == original


def test_a_photo_never_turned_gets_no_orientation(sideways: Path) -> None:
    code, _out, err = run_cli("rate", "--stars", "3", str(sideways))
    assert code == 0, err
    _write()
    tags = read_tags(_sidecar(sideways), "-n")
    assert tags.get("XMP-xmp:Rating") == 3 and "XMP-tiff:Orientation" not in tags


def test_a_turn_merges_into_another_tools_sidecar_and_keeps_the_rest(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photo = lib / "a.jpg"
    shutil.copyfile(fixtures_dir / "jpeg" / "orientation" / "landscape_1.jpg", photo)
    sidecar = lib / "a.xmp"
    shutil.copyfile(SIDECAR, sidecar)
    past = time.time_ns() - 86_400 * 10**9  # Lightroom saved it yesterday
    os.utime(sidecar, ns=(past, past))
    import_json(lib, "--stages", "technical")
    skip = ("XMP-tiff:Orientation", "XMP-curator:", "System:", "File:", "SourceFile", "ExifTool:")
    before = {k: v for k, v in read_tags(sidecar).items() if not k.startswith(skip)}

    _turn(photo, -1)  # left: orientation 8
    _write()
    after = read_tags(sidecar)
    assert read_tags(sidecar, "-n")["XMP-tiff:Orientation"] == 8
    assert {k: v for k, v in after.items() if not k.startswith(skip)} == before


def test_an_export_copy_carries_the_turn_and_a_rendition_is_turned(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photo = make_jpeg(lib / "a.jpg", 800, 600)
    import_json(lib, "--stages", "technical")
    decide("pick", photo)
    original = _sha(photo)
    _turn(photo, 1)

    code, _result, err = export_cli("--approved", str(tmp_path / "copies"))
    assert code == 0, err
    copy = tmp_path / "copies" / "approved" / "a.jpg"
    assert read_tags(copy, "-n")["XMP-tiff:Orientation"] == 6  # inside the copy
    assert "XMP-tiff:Orientation" not in read_tags(photo, "-n")  # the original: never
    assert _sha(photo) == original

    code, _result, err = export_cli("--approved", str(tmp_path / "small"), "--renditions", "400")
    assert code == 0, err
    rendition = tmp_path / "small" / "approved" / "a.jpg"
    tags = read_tags(rendition, "-n")
    assert (tags["File:ImageWidth"], tags["File:ImageHeight"]) == (300, 400)  # turned right
    assert "XMP-tiff:Orientation" not in tags and tags.get("IFD0:Orientation", 1) == 1
