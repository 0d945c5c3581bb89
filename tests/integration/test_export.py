"""`curator export` and the export engine on real camera files.

Photos are imported from the shared fixtures and decided through the CLI;
the approval rule, byte-identical copies, safe names, re-runs, cancel,
dry-run, the manifest and the sidecars are checked on what lands on disk.
"""

from __future__ import annotations

import json
import os
import threading
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from curator.export.types import ExportProgress, ExportRequest, FileStatus
from curator.fs.names import safe_component
from tests.exiftool import read_tags
from tests.integration.cli_helpers import import_json
from tests.integration.export_helpers import (
    decide,
    export,
    export_cli,
    file_hash,
    make_project,
    set_preference,
    temp_files,
    tree,
    without_xmp,
)

MANIFEST_FIELDS = {
    "file",
    "original_path",
    "content_hash",
    "captured_at",
    "camera",
    "lens",
    "rating",
    "picked",
    "preference_score",
    "sharpness",
    "exposure",
    "subject",
    "content_type",
    "mood",
    "lighting",
    "tags",
    "projects",
}
NS_XMP = "{http://ns.adobe.com/xap/1.0/}"


@pytest.fixture
def jpegs(fixtures_dir: Path) -> Path:
    folder = fixtures_dir / "jpeg"
    import_json(folder, "--stages", "technical")
    return folder


def _names(result_json: dict[str, object], status: str) -> set[str]:
    files = result_json["files"]
    assert isinstance(files, list)
    return {Path(f["name"]).name for f in files if f["status"] == status}


def test_the_approval_rule_decides_what_goes_out(jpegs: Path, tmp_path: Path) -> None:
    rejected_5 = jpegs / "nikon_d70s_dark.jpg"
    unjudged_match = jpegs / "canon_sd300_1-6s_soft.jpg"
    two_stars_liked = jpegs / "olympus_ep3_iso1600.jpg"
    kept_liked = jpegs / "jolla_leaf_soft.jpg"
    kept_not_liked = jpegs / "sony_a200_unset_clock.jpg"
    four_stars = jpegs / "iphone6_hdr_NO.jpg"
    picked = jpegs / "nokia83_5G.jpg"
    decide("rate", rejected_5, stars=5)
    decide("reject", rejected_5)
    decide("rate", two_stars_liked, stars=2)
    decide("keep", kept_liked, kept_not_liked)
    decide("rate", four_stars, stars=4)
    decide("pick", picked)
    for path, score in (
        (unjudged_match, 95.0),
        (two_stars_liked, 95.0),
        (kept_liked, 80.0),
        (kept_not_liked, 50.0),
        (rejected_5, 99.0),
    ):
        set_preference(path, score)

    dest = tmp_path / "out"
    code, result, err = export_cli("--approved", str(dest), "--no-progress")
    assert code == 0, err
    wanted = {kept_liked.name, four_stars.name, picked.name}
    assert _names(result, "exported") == wanted
    assert result["exported"] == 3 and result["failed"] == 0
    folder = dest / "approved"
    on_disk = {p.name for p in folder.iterdir()}
    assert on_disk == wanted | {Path(n).stem + ".xmp" for n in wanted} | {"manifest.json"}

    # Originals: every byte of the original but its XMP, which carries the
    # decisions inside the copy (Lightroom reads a JPEG's own XMP, not a sidecar);
    # the original's modification time; the original itself untouched.
    for name in wanted:
        copy, original = folder / name, jpegs / name
        assert without_xmp(copy.read_bytes()) == without_xmp(original.read_bytes())
        assert copy.read_bytes() != original.read_bytes()
        assert copy.stat().st_mtime_ns == original.stat().st_mtime_ns
        assert file_hash(original) == file_hash(original)  # read, never written

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["file"]: e for e in manifest["files"]}
    assert set(entries) == wanted
    for name, entry in entries.items():
        assert set(entry) >= MANIFEST_FIELDS, MANIFEST_FIELDS - set(entry)
        assert entry["content_hash"] == file_hash(jpegs / name)
        assert entry["original_path"] == str(jpegs / name)
        assert entry["sharpness"] is not None and entry["camera"]
    assert entries[four_stars.name]["rating"] == 4
    assert entries[picked.name]["picked"] is True
    assert entries[kept_liked.name]["preference_score"] == 80.0

    # The sidecar is XMP that says the rating.
    sidecar = ET.parse(folder / (four_stars.stem + ".xmp")).getroot()
    ratings = [
        d.get(f"{NS_XMP}Rating") or (d.findtext(f"{NS_XMP}Rating"))
        for d in sidecar.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
    ]
    assert "4" in ratings


def test_a_second_export_adds_nothing(jpegs: Path, tmp_path: Path) -> None:
    decide("rate", jpegs / "jolla_leaf_soft.jpg", jpegs / "nokia83_5G.jpg", stars=5)
    dest = tmp_path / "out"
    assert export_cli("--approved", str(dest))[0] == 0
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in dest.rglob("*") if p.is_file()}
    manifest_before = (dest / "approved" / "manifest.json").read_text(encoding="utf-8")

    code, result, _ = export_cli("--approved", str(dest))
    assert code == 0
    assert result["exported"] == 0 and result["skipped_existing"] == 2
    after = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in dest.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    for path, stamp in before.items():
        if path.name != "manifest.json":
            assert after[path] == stamp, path  # not rewritten
    listed = json.loads(manifest_before)["files"]
    assert [e["file"] for e in listed] == ["jolla_leaf_soft.jpg", "nokia83_5G.jpg"]


def test_dry_run_lists_and_writes_nothing(jpegs: Path, tmp_path: Path) -> None:
    decide("pick", jpegs / "jolla_leaf_soft.jpg")
    dest = tmp_path / "out"
    code, result, _ = export_cli("--approved", str(dest), "--dry-run")
    assert code == 0
    assert _names(result, "planned") == {"jolla_leaf_soft.jpg"}
    assert result["exported"] == 1 and result["dry_run"] is True
    assert not dest.exists()  # not even the folder

    assert export_cli("--approved", str(dest))[0] == 0
    decide("pick", jpegs / "nokia83_5G.jpg")
    snapshot = tree(dest)
    code, result, _ = export_cli("--approved", str(dest), "--dry-run", "--renditions", "512")
    assert code == 0 and tree(dest) == snapshot
    code, result, _ = export_cli("--approved", str(dest), "--dry-run")
    assert _names(result, "planned") == {"nokia83_5G.jpg"}
    assert _names(result, "skipped_existing") == {"jolla_leaf_soft.jpg"}
    assert tree(dest) == snapshot


def test_a_project_named_to_escape_stays_inside_dest(jpegs: Path, tmp_path: Path) -> None:
    member, rejected = jpegs / "jolla_leaf_soft.jpg", jpegs / "nokia83_5G.jpg"
    make_project("../../x", member, rejected, jpegs / "iphone6_hdr_NO.jpg")
    decide("reject", rejected)
    dest = tmp_path / "deep" / "er" / "out"
    code, result, err = export_cli("--project", "../../x", str(dest))
    assert code == 0, err
    # A project exports its members that are not rejected, judged or not.
    assert _names(result, "exported") == {member.name, "iphone6_hdr_NO.jpg"}
    assert result["left_out"] == [{"path": str(rejected), "reason": "rejected"}]
    inside = dest.resolve()
    everything = [p.resolve() for p in tmp_path.rglob("*") if p.is_file()]
    outside = [p for p in everything if not p.is_relative_to(inside)]
    assert [p for p in outside if "curator-home" not in p.parts] == []
    (folder,) = [p for p in dest.iterdir()]
    assert folder.name == safe_component("../../x") and folder.parent == dest
    assert not (tmp_path / "x").exists() and not (tmp_path / "deep" / "x").exists()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["set"] == "../../x"
    assert all(e["projects"] == ["../../x"] for e in manifest["files"])


def test_bad_usage_exits_2(jpegs: Path, tmp_path: Path) -> None:
    code, _, err = export_cli("--project", "nope", str(tmp_path / "out"))
    assert code == 2 and "no project named" in err
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    code, _, err = export_cli("--approved", str(a_file))
    assert code == 2 and "is a file" in err
    code, _, err = export_cli("--approved", str(tmp_path / "o"), "--renditions", "10")
    assert code == 2 and "--renditions" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists()


def test_a_clash_gets_a_suffix_and_nothing_is_overwritten(jpegs: Path, tmp_path: Path) -> None:
    decide("pick", jpegs / "jolla_leaf_soft.jpg")
    folder = tmp_path / "out" / "approved"
    folder.mkdir(parents=True)
    (folder / "jolla_leaf_soft.jpg").write_bytes(b"someone else's file")
    code, result, _ = export_cli("--approved", str(tmp_path / "out"))
    assert code == 0
    assert _names(result, "exported") == {"jolla_leaf_soft-2.jpg"}
    assert (folder / "jolla_leaf_soft.jpg").read_bytes() == b"someone else's file"
    copy, original = folder / "jolla_leaf_soft-2.jpg", jpegs / "jolla_leaf_soft.jpg"
    assert without_xmp(copy.read_bytes()) == without_xmp(original.read_bytes())
    assert (folder / "jolla_leaf_soft-2.xmp").is_file()
    # The re-run finds its own copy under the suffixed name.
    code, result, _ = export_cli("--approved", str(tmp_path / "out"))
    assert result["skipped_existing"] == 1 and result["exported"] == 0


@pytest.mark.parametrize("edge", [None, 256], ids=["originals", "renditions"])
def test_cancel_midway_leaves_no_partial_file_and_a_rerun_completes(
    jpegs: Path, tmp_path: Path, edge: int | None
) -> None:
    chosen = sorted(p for p in jpegs.glob("*.jpg"))[:6]
    decide("rate", *chosen, stars=5)
    request = ExportRequest(dest=tmp_path / "out", renditions_long_edge=edge)
    cancel = threading.Event()
    seen: list[ExportProgress] = []

    def progress(p: ExportProgress) -> None:
        seen.append(p)
        if p.done >= 2:
            cancel.set()

    first = export(request, progress=progress, cancel=cancel)
    assert first.cancelled
    assert first.count(FileStatus.EXPORTED) == 2
    folder = tmp_path / "out" / "approved"
    assert temp_files(folder) == []
    images = sorted(p for p in folder.iterdir() if p.suffix == ".jpg")
    assert len(images) == 2
    for image in images:
        if edge is None:
            original = (jpegs / image.name).read_bytes()
            assert without_xmp(image.read_bytes()) == without_xmp(original)
        else:
            with Image.open(image) as img:
                img.load()  # a whole JPEG
                assert max(img.size) == edge
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in manifest["files"]) == [p.name for p in images]
    assert seen[0].done == 0 and seen[0].total == 6 and seen[-1].bytes_done > 0
    assert seen[-1].rate > 0 and seen[-1].eta_s is not None

    second = export(request)
    assert not second.cancelled
    assert second.count(FileStatus.SKIPPED_EXISTING) == 2
    assert second.count(FileStatus.EXPORTED) == 4
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".jpg") == sorted(
        p.name for p in chosen
    )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 6
    assert temp_files(folder) == []


def test_a_missing_original_fails_with_a_sentence_and_exit_1(tmp_path: Path) -> None:
    from tests.imaging_helpers import make_jpeg

    lib = tmp_path / "lib"
    lib.mkdir()
    a = make_jpeg(lib / "a.jpg", 300, 200)
    b = make_jpeg(lib / "b.jpg", 320, 200)
    import_json(lib, "--stages", "technical")
    decide("pick", a, b)
    b.unlink()  # gone after the import, before the export: not yet marked missing
    code, result, _ = export_cli("--approved", str(tmp_path / "out"))
    assert code == 1
    assert _names(result, "exported") == {"a.jpg"}
    (failed,) = [f for f in result["files"] if f["status"] == "failed"]
    assert "missing" in failed["message"] and failed["message"].endswith(".")


def test_renditions_are_upright_sized_and_keep_exif(fixtures_dir: Path, tmp_path: Path) -> None:
    from tests.imaging_helpers import QUADRANT_COLOURS, make_jpeg

    lib = tmp_path / "lib"
    lib.mkdir()
    when = datetime(2024, 5, 6, 7, 8, 9)
    turned = make_jpeg(lib / "turned.jpg", 1200, 800, orientation=6, captured_at=when)
    import_json(lib, "--stages", "technical")
    raw_folder = fixtures_dir / "raw"
    import_json(raw_folder, "--stages", "technical")
    dng = raw_folder / "LG-H815_sample_1mp.dng"
    decide("rate", turned, dng, stars=5)

    dest = tmp_path / "out"
    code, result, err = export_cli("--approved", str(dest), "--renditions", "600")
    assert code == 0, err
    folder = dest / "approved"
    assert _names(result, "exported") == {"turned.jpg", "LG-H815_sample_1mp.jpg"}

    with Image.open(folder / "turned.jpg") as img:
        assert img.size == (400, 600)  # stored 1200x800, shown 800x1200, long edge 600
        exif = img.getexif()
        assert exif.get(0x0112) == 1
        assert (exif.get(0x010F), exif.get(0x0110)) == ("Curator", "Synthetic")
        top_left = img.convert("RGB").getpixel((20, 20))
    # Orientation 6 turns the stored bottom-left quadrant to the top-left.
    assert isinstance(top_left, tuple)
    assert all(abs(a - b) < 30 for a, b in zip(top_left, QUADRANT_COLOURS["bl"], strict=True))

    with Image.open(folder / "LG-H815_sample_1mp.jpg") as img:
        assert max(img.size) == 600  # the DNG shows 600 x 338
        exif = img.getexif()
        assert exif.get(0x010F) == "LG Mobile" and exif.get(0x0112) == 1
        assert exif.get_ifd(0x8769).get(36867) == "2015:06:08 12:10:44"

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {e["rendition_long_edge"] for e in manifest["files"]} == {600}

    # A re-run recognises its renditions (no record needed beyond the file itself).
    code, result, _ = export_cli("--approved", str(dest), "--renditions", "600")
    assert result["skipped_existing"] == 2 and result["exported"] == 0
    # Another long edge is another rendition: it does not take the first one's name.
    code, result, _ = export_cli("--approved", str(dest), "--renditions", "300")
    assert _names(result, "exported") == {"turned-2.jpg", "LG-H815_sample_1mp-2.jpg"}
    with Image.open(folder / "turned-2.jpg") as img:
        assert img.size == (200, 300)


def test_the_cli_prints_a_summary_and_a_progress_bar(jpegs: Path, tmp_path: Path) -> None:
    from tests.integration.cli_helpers import run_cli

    decide("pick", jpegs / "jolla_leaf_soft.jpg")
    code, out, err = run_cli("export", "--approved", str(tmp_path / "out"))
    assert code == 0
    assert "approved: exported 1 (originals), 0 already there, 0 failed" in out
    assert "photo" in err  # tqdm's bar on stderr
    assert os.path.isfile(tmp_path / "out" / "approved" / "jolla_leaf_soft.jpg")


def test_nothing_approved_says_so_and_creates_nothing(jpegs: Path, tmp_path: Path) -> None:
    from tests.integration.cli_helpers import run_cli

    set_preference(jpegs / "jolla_leaf_soft.jpg", 99.0)  # liked, but never judged
    code, out, _ = run_cli("export", "--approved", str(tmp_path / "out"))
    assert code == 0 and "Nothing to export: no photo is approved yet" in out
    assert not (tmp_path / "out" / "approved").exists()


def test_exiftool_reads_the_exported_sidecar(jpegs: Path, tmp_path: Path) -> None:
    from curator.catalog.db import Catalog
    from curator.catalog.decisions import add_tag, photo_id_for_path, set_label
    from curator.paths import resolve_paths

    photo = jpegs / "jolla_leaf_soft.jpg"
    decide("rate", photo, stars=4)
    with Catalog.open(resolve_paths().catalog):
        photo_id = photo_id_for_path(str(photo))
        assert photo_id is not None
        add_tag(photo_id, "leaf & light")
        set_label(photo_id, "green")
    assert export_cli("--approved", str(tmp_path / "out"))[0] == 0
    sidecar = tmp_path / "out" / "approved" / "jolla_leaf_soft.xmp"
    tags = read_tags(sidecar)
    assert tags["XMP-xmp:Rating"] == 4 and tags["XMP-xmp:Label"] == "Green"
    assert tags["XMP-dc:Subject"] in ("leaf & light", ["leaf & light"])
    assert tags["XMP-xmp:CreatorTool"].startswith("Curator ")
