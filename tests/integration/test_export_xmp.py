"""Exports carry the decisions into Lightroom (issue 18 §3): XMP inside the exported
JPEG, PNG, TIFF and DNG copies and every rendition (never the original), both
hashes in the manifest, re-exports that refresh what Curator wrote and leave
what the user wrote, a RAW+JPEG pair renamed together, private keywords kept home."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import rawpy
from PIL import Image

from curator.catalog.db import Catalog
from curator.catalog.decisions import add_tag, photo_id_for_path, set_label
from curator.catalog.models import PhotoKeyword
from curator.paths import resolve_paths
from tests.exiftool import read_tags
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, run_cli
from tests.integration.export_helpers import decide, export_cli, file_hash, without_xmp


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {e["file"]: e for e in doc["files"]}


def _tag_photo(path: Path, *, label: str | None = None) -> None:
    with Catalog.open(resolve_paths().catalog):
        pid = photo_id_for_path(str(path))
        assert pid is not None
        add_tag(pid, "harbour")
        PhotoKeyword.create(
            photo=pid, text="Harbour", path="Places|Dorset|Harbour", tag="harbour", source="xmp"
        )
        PhotoKeyword.create(photo=pid, text="Client X", tag="client x", source="lightroom")
        add_tag(pid, "client x")
        PhotoKeyword.update(private=True).where(PhotoKeyword.text == "Client X").execute()
        if label:
            set_label(pid, label)


def test_copies_of_every_embedding_format_carry_the_decisions_inside(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    jpeg = make_jpeg(lib / "boat.jpg", 640, 480)
    pixels = np.asarray(Image.open(jpeg).convert("RGB"))
    Image.fromarray(pixels).save(lib / "boat_t.tif", compression="tiff_lzw")
    Image.fromarray(pixels).save(lib / "boat_p.png")
    dng = lib / "LG.dng"
    shutil.copyfile(fixtures_dir / "raw" / "LG-H815_sample_1mp.dng", dng)
    originals = {p.name: file_hash(p) for p in lib.iterdir()}
    import_json(lib, "--stages", "technical")
    photos = sorted(lib.iterdir())
    decide("rate", *photos, stars=5)
    for photo in photos:
        _tag_photo(photo, label="green")

    dest = tmp_path / "out"
    code, _result, err = export_cli("--approved", str(dest))
    assert code == 0, err
    folder = dest / "approved"
    assert {p.name: file_hash(p) for p in lib.iterdir()} == originals  # originals untouched
    manifest = _manifest(folder)
    for name in originals:
        tags = read_tags(folder / name)
        assert tags["XMP-xmp:Rating"] == 5, name
        assert tags["XMP-xmp:Label"] == "Green", name
        assert "Places|Dorset|Harbour" in _as_list(tags["XMP-lr:HierarchicalSubject"]), name
        assert "Client X" not in str(tags), name  # Lightroom's "Include on Export" off
        entry = manifest[name]
        assert entry["content_hash"] == originals[name]  # the original's hash...
        assert entry["file_blake3"] == file_hash(folder / name)  # ...and the copy's
        assert entry["file_blake3"] != entry["content_hash"]
    dng_tags = read_tags(folder / "LG.dng")
    assert dng_tags["XMP-crs:Version"] == "9.3.1"  # Camera Raw's own XMP kept in the copy
    with rawpy.imread(str(folder / "LG.dng")) as raw:  # still a DNG LibRaw reads
        assert raw.raw_image_visible.shape == rawpy.imread(str(dng)).raw_image_visible.shape
    for name in ("boat_t.tif", "boat_p.png"):
        with Image.open(folder / name) as img:
            assert np.array_equal(np.asarray(img.convert("RGB")), pixels), name
    assert without_xmp((folder / "boat.jpg").read_bytes()) == jpeg.read_bytes()

    again = export_cli("--approved", str(dest))[1]  # a re-run: everything already there
    assert again["skipped_existing"] == 4 and again["exported"] == again["refreshed"] == 0


def test_a_re_export_refreshes_what_curator_wrote_and_leaves_what_the_user_wrote(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a, b = make_jpeg(lib / "a.jpg", 400, 300), make_jpeg(lib / "b.jpg", 401, 300)
    import_json(lib, "--stages", "technical")
    decide("rate", a, b, stars=5)
    dest = tmp_path / "out"
    folder = dest / "approved"
    assert export_cli("--approved", str(dest))[0] == 0
    assert export_cli("--approved", str(dest), "--renditions", "200")[0] == 0
    # The user edits b's sidecar in Lightroom; the decisions change in Curator.
    user_sidecar = (folder / "b.xmp").read_bytes().replace(b"<xmp:Rating>5", b"<xmp:Rating>2")
    (folder / "b.xmp").write_bytes(user_sidecar)
    decide("rate", a, b, stars=4)
    with Catalog.open(resolve_paths().catalog):
        for path in (a, b):
            pid = photo_id_for_path(str(path))
            assert pid is not None
            set_label(pid, "yellow")

    code, result, err = export_cli("--approved", str(dest))
    assert code == 0, err
    assert result["exported"] == 0 and result["refreshed"] == 2
    assert read_tags(folder / "a.jpg")["XMP-xmp:Rating"] == 4  # inside the copy
    assert read_tags(folder / "a.xmp")["XMP-xmp:Label"] == "Yellow"  # our sidecar
    assert (folder / "b.xmp").read_bytes() == user_sidecar  # the user's: untouched
    manifest = _manifest(folder)
    assert manifest["a.jpg"]["rating"] == 4 and manifest["a.jpg"]["label"] == "yellow"
    assert manifest["a.jpg"]["file_blake3"] == file_hash(folder / "a.jpg")

    code, result, _ = export_cli("--approved", str(dest), "--renditions", "200")
    assert result["refreshed"] == 2 and result["exported"] == 0  # no new render, no -2
    renditions = sorted(p.name for p in folder.glob("*-2.jpg"))
    assert len(renditions) == 2
    assert read_tags(folder / renditions[0])["XMP-xmp:Rating"] == 4
    assert _manifest(folder)[renditions[0]]["rendition_long_edge"] == 200

    # A copy the user edited after the export is left as it is.
    edited = (folder / "a.jpg").read_bytes() + b"\x00"
    (folder / "a.jpg").write_bytes(edited)
    decide("rate", a, stars=5)
    code, result, _ = export_cli("--approved", str(dest))
    (mine,) = [f for f in result["files"] if f["name"].endswith("/a.jpg")]
    assert mine["status"] == "skipped_existing" and "left as it is" in mine["message"]
    assert (folder / "a.jpg").read_bytes() == edited


def test_a_raw_jpeg_pair_is_renamed_together_and_sizes_are_recorded(tmp_path: Path) -> None:
    from tests.imaging_helpers import make_dng

    lib = tmp_path / "lib"
    lib.mkdir()
    make_dng(lib / "IMG_0002.DNG", 256, 192)
    make_jpeg(lib / "IMG_0002.JPG", 900, 600)
    import_json(lib, "--stages", "technical")
    decide("rate", *lib.iterdir(), stars=5)
    folder = tmp_path / "out" / "approved"
    folder.mkdir(parents=True)
    (folder / "IMG_0002.JPG").write_bytes(b"someone else's photo")
    code, result, err = export_cli("--approved", str(tmp_path / "out"))
    assert code == 0, err
    names = sorted(Path(f["name"]).name for f in result["files"] if f["status"] == "exported")
    assert names == ["IMG_0002-2.DNG", "IMG_0002-2.JPG"]  # never IMG_0002.DNG + -2.JPG
    assert (folder / "IMG_0002.JPG").read_bytes() == b"someone else's photo"
    # The RAW owns IMG_0002-2.xmp (Lightroom's), with darktable's spelling beside
    # it; the JPEG, whose XMP is inside, gets its own IMG_0002-2.JPG.xmp.
    sidecars = sorted(p.name for p in folder.glob("*.xmp"))
    assert sidecars == ["IMG_0002-2.DNG.xmp", "IMG_0002-2.JPG.xmp", "IMG_0002-2.xmp"]

    for edge in ("2048", "128"):
        code, result, err = export_cli("--approved", str(tmp_path / "out"), "--renditions", edge)
        assert code == 0, err
    manifest = _manifest(folder)
    renditions = {n: e for n, e in manifest.items() if e["rendition_requested"]}
    # IMG_0002 is someone else's, IMG_0002-2 the copies': each size takes the next
    # number from the base name, never IMG_0002-3-2.jpg.
    assert sorted(renditions) == [
        "IMG_0002-3.jpg",
        "IMG_0002-4.jpg",
        "IMG_0002_JPG-3.jpg",
        "IMG_0002_JPG-4.jpg",
    ]
    # The size actually written: never enlarged to the 2048 asked for.
    assert renditions["IMG_0002_JPG-3.jpg"]["rendition_long_edge"] == 900
    assert renditions["IMG_0002_JPG-3.jpg"]["rendition_requested"] == 2048
    assert renditions["IMG_0002_JPG-4.jpg"]["rendition_long_edge"] == 128


def test_renditions_carry_the_decisions_and_the_cli_says_what_was_refreshed(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 800, 600)
    import_json(lib, "--stages", "technical")
    decide("pick", a)
    _tag_photo(a)
    code, _result, err = export_cli("--approved", str(tmp_path / "out"), "--renditions", "400")
    assert code == 0, err
    tags = read_tags(tmp_path / "out" / "approved" / "a.jpg")
    assert tags["XMP-xmp:Rating"] == 0 and tags["XMP-curator:Picked"] is True
    assert tags["XMP-digiKam:PickLabel"] == 3 and tags["XMP-photomech:Tagged"] in (True, "Yes")
    assert _as_list(tags["XMP-lr:HierarchicalSubject"]) == ["Places|Dorset|Harbour"]
    decide("rate", a, stars=3)
    code, out, _ = run_cli("export", "--approved", str(tmp_path / "out"), "--renditions", "400")
    assert code == 0 and "(1 with their XMP brought up to date)" in out
