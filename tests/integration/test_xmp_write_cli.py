"""`curator xmp write` on real camera files copied into tmp: sidecars appear beside
decided photos only, an existing Lightroom sidecar is merged without losing its
develop settings, a re-run changes nothing, --dry-run writes nothing, a folder
that can't be written fails alone with a sentence and exit 1, and the originals
keep their bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import add_tag, photo_id_for_path, set_label
from curator.interop.xmp.fields import CURATOR_NS
from curator.interop.xmp.write import NS_DC, NS_RDF, NS_XMP
from curator.paths import resolve_paths
from curator.records import ColorLabel
from tests.integration.cli_helpers import import_json, run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "xmp"
CRS = "http://ns.adobe.com/camera-raw-settings/1.0/"


@pytest.fixture
def lib(tmp_path: Path, fixtures_dir: Path) -> Path:
    """Fixture files COPIED into tmp (sidecars are never written beside the shared set)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    jpegs = sorted((fixtures_dir / "jpeg").glob("*.jpg"), key=lambda p: p.stat().st_size)[:4]
    for name, source in zip(("a.jpg", "b.jpg", "c.jpg", "IMG_1.jpg"), jpegs, strict=True):
        shutil.copyfile(source, lib / name)
    shutil.copyfile(fixtures_dir / "raw" / "LG-H815_sample_1mp.dng", lib / "IMG_1.dng")
    (lib / "undecided.jpg").write_bytes(
        (fixtures_dir / "jpeg" / "canon_sx60_hdr_NO.jpg").read_bytes()
    )
    summary = import_json(lib, "--stages", "technical")
    assert summary["new"] == 6, summary
    return lib


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if p.suffix.lower() != ".xmp"
    }


def _write(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("xmp", "write", "--json", *args)
    report: dict[str, Any] = json.loads(out) if out.strip() else {}
    return code, report, err


def _desc(path: Path) -> ET.Element:
    found = ET.fromstring(path.read_bytes()).findall(f".//{{{NS_RDF}}}Description")
    assert len(found) == 1
    return found[0]


def _rating(desc: ET.Element) -> str | None:
    return desc.get(f"{{{NS_XMP}}}Rating") or desc.findtext(f"{{{NS_XMP}}}Rating")


def _decide(lib: Path) -> None:
    assert run_cli("rate", "--stars", "4", str(lib / "a.jpg"))[0] == 0
    assert run_cli("rate", "--stars", "5", str(lib / "b.jpg"))[0] == 0
    assert run_cli("reject", str(lib / "b.jpg"))[0] == 0
    assert (
        run_cli("pick", str(lib / "c.jpg"), str(lib / "IMG_1.jpg"), str(lib / "IMG_1.dng"))[0] == 0
    )
    with Catalog.open(resolve_paths().catalog):
        a = photo_id_for_path(str(lib / "a.jpg"))
        assert a is not None
        set_label(a, ColorLabel.RED)
        add_tag(a, "harbour & boats")


def test_xmp_write_all_writes_merges_and_leaves_originals_alone(lib: Path) -> None:
    _decide(lib)
    (lib / "c.xmp").write_bytes((DATA / "lightroom.xmp").read_bytes())
    before = _hashes(lib)

    code, report, err = _write("--all")
    assert code == 0, err
    assert (report["written"], report["merged"], report["failed"]) == (4, 1, 0)
    assert report["unchanged"] == 0 and report["dry_run"] is False
    assert _hashes(lib) == before  # no original touched

    a = _desc(lib / "a.xmp")
    assert _rating(a) == "4"
    assert a.findtext(f"{{{NS_XMP}}}Label") == "Red"
    subject = [li.text for li in a.iter(f"{{{NS_RDF}}}li")]
    assert "harbour & boats" in subject
    assert a.findtext(f"{{{CURATOR_NS}}}exposure") is not None  # the technical stage ran
    # These small fixtures (< 640 px) are too small to judge for sharpness: no made-up value.
    assert a.findtext(f"{{{CURATOR_NS}}}sharpness") is None
    assert _rating(_desc(lib / "b.xmp")) == "-1"  # rejected beats five stars
    c = _desc(lib / "c.xmp")  # merged into Lightroom's sidecar
    assert c.get(f"{{{CRS}}}Exposure2012") == "+0.35"
    assert c.find(f"{{{CRS}}}ToneCurvePV2012") is not None
    assert _rating(c) == "3"  # Curator has no stars for c: Lightroom's stay
    assert c.findtext(f"{{{CURATOR_NS}}}picked") == "True"
    # A RAW+JPEG pair: the RAW owns IMG_1.xmp, the JPEG gets IMG_1.jpg.xmp.
    assert (lib / "IMG_1.xmp").is_file() and (lib / "IMG_1.jpg.xmp").is_file()
    assert not (lib / "undecided.xmp").exists()
    sidecars = {Path(f["sidecar"]).name: f["status"] for f in report["files"]}
    assert sidecars == {
        "a.xmp": "written",
        "b.xmp": "written",
        "c.xmp": "merged",
        "IMG_1.xmp": "written",
        "IMG_1.jpg.xmp": "written",
    }

    code, again, err = _write("--all")  # a re-run finds nothing to do
    assert code == 0, err
    assert (again["written"], again["merged"], again["unchanged"]) == (0, 0, 5)


def test_dry_run_writes_nothing_and_paths_select_photos(lib: Path) -> None:
    _decide(lib)
    code, report, err = _write("--dry-run", str(lib / "a.jpg"))
    assert code == 0, err
    assert report["dry_run"] and report["written"] == 1
    assert not list(lib.glob("*.xmp"))

    code, report, err = _write(str(lib / "a.jpg"), str(lib / "undecided.jpg"))
    assert code == 0, err
    assert report["written"] == 1 and report["undecided"] == 1
    # A folder without sidecars: darktable's and digiKam's name.ext.xmp (Lightroom
    # reads a JPEG's embedded XMP, never a sidecar).
    assert [p.name for p in lib.glob("*.xmp")] == ["a.jpg.xmp"]

    code, report, err = _write(str(lib))  # a folder: every decided photo under it
    assert code == 0, err
    assert (report["written"], report["unchanged"]) == (4, 1)
    # ...and the others follow the folder's spelling, the DNG too.
    assert sorted(p.name for p in lib.glob("*.xmp")) == [
        "IMG_1.dng.xmp",
        "IMG_1.jpg.xmp",
        "a.jpg.xmp",
        "b.jpg.xmp",
        "c.jpg.xmp",
    ]

    code, _, err = _write(str(lib / "nowhere.jpg"))
    assert code == 2 and "not in the catalog" in err
    code, _out, err = run_cli("xmp", "write")
    assert code == 2 and "--all" in err


def test_an_existing_sidecar_that_is_not_xmp_is_left_alone(lib: Path) -> None:
    _decide(lib)
    bad = b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'
    (lib / "a.xmp").write_bytes(bad)
    code, report, err = _write("--all")
    assert code == 1
    assert report["failed"] == 1 and report["written"] == 4
    assert (lib / "a.xmp").read_bytes() == bad
    assert "DOCTYPE" in err and "a.xmp" in err


def test_a_folder_that_cannot_be_written_fails_alone_with_a_sentence(
    lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide(lib)
    import curator.interop.xmp.sidecars as sidecars

    real = sidecars.write_sidecar

    def refuse_b(path: Path, data: bytes) -> None:
        # Root ignores folder permissions, so a read-only folder is simulated
        # where it bites: the write of b's sidecar.
        if path.name == "b.jpg.xmp":
            raise PermissionError(13, "Permission denied", str(path))
        real(path, data)

    with monkeypatch.context() as m:
        m.setattr(sidecars, "write_sidecar", refuse_b)
        code, out, err = run_cli("xmp", "write", "--all")
    assert code == 1
    # The DNG, in a folder without sidecars, gets both names: IMG_1.dng.xmp and IMG_1.xmp.
    assert "5 written, 0 merged, 0 unchanged, 1 failed" in out
    assert f"Can't write {lib / 'b.jpg.xmp'}: the folder is read-only" in err
    assert not (lib / "b.jpg.xmp").exists() and (lib / "a.jpg.xmp").is_file()


def test_the_sidecar_keeps_dc_subject_of_a_merged_file_when_curator_has_no_tags(lib: Path) -> None:
    assert run_cli("pick", str(lib / "c.jpg"))[0] == 0
    (lib / "c.xmp").write_bytes((DATA / "lightroom.xmp").read_bytes())
    code, report, err = _write(str(lib / "c.jpg"))
    assert code == 0 and report["merged"] == 1, err
    c = _desc(lib / "c.xmp")
    bag = [li.text for li in c.findall(f"{{{NS_DC}}}subject/{{{NS_RDF}}}Bag/{{{NS_RDF}}}li")]
    assert bag == ["harbour", "boats"]
