"""Faces leave Curator only as MWG regions in what Curator writes: a sidecar
`curator xmp write` makes, an export's copy; regions another tool wrote are
never altered. Read back by exiftool, as Lightroom and digiKam read them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.exiftool import read_tags
from tests.faces_helpers import FACES_DATA, PORTRAITS, installed_model
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.xmp_helpers import packet, write_sidecar

NAMED_REGION = (
    '<mwg-rs:Regions rdf:parseType="Resource"'
    ' xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
    ' xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"'
    ' xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#">'
    '<mwg-rs:AppliedToDimensions stDim:w="720" stDim:h="900" stDim:unit="pixel"/>'
    '<mwg-rs:RegionList><rdf:Bag><rdf:li><rdf:Description mwg-rs:Name="Barack Obama"'
    ' mwg-rs:Type="Face"><mwg-rs:Area stArea:x="0.54" stArea:y="0.24" stArea:w="0.31"'
    ' stArea:h="0.25" stArea:unit="normalized"/></rdf:Description></rdf:li></rdf:Bag>'
    "</mwg-rs:RegionList></mwg-rs:Regions>"
)


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    installed_model()
    lib = tmp_path / "shoot"
    lib.mkdir()
    for name in PORTRAITS:
        shutil.copy(FACES_DATA / name, lib / name)
    assert import_json(lib)["stages"]["faces"] == {"done": 2}
    return lib


def regions(tags: dict[str, Any]) -> dict[str, Any]:
    info = tags.get("XMP-mwg-rs:RegionInfo")
    assert isinstance(info, dict), sorted(tags)
    return info


def test_a_sidecar_curator_writes_carries_its_faces_as_regions(shoot: Path) -> None:
    photo = shoot / PORTRAITS[0]
    assert run_cli("pick", str(photo))[0] == 0
    code, _out, err = run_cli("xmp", "write", "--all")
    assert code == 0, err
    sidecar = next(shoot.glob(f"{photo.stem}*.xmp"))
    info = regions(read_tags(sidecar))
    listed = next(p for p in list_json() if Path(p["path"]).name == PORTRAITS[0])
    assert info["AppliedToDimensions"] == {
        "W": listed["width"],
        "H": listed["height"],
        "Unit": "pixel",
    }
    [region] = info["RegionList"]
    assert region["Type"] == "Face" and "Name" not in region
    x, y, w, h = listed["faces"][0]["box"]
    area = region["Area"]
    assert area["Unit"] == "normalized"
    assert area["X"] == pytest.approx(x + w / 2, abs=1e-4)  # MWG: the centre
    assert area["Y"] == pytest.approx(y + h / 2, abs=1e-4)
    assert (area["W"], area["H"]) == (pytest.approx(w, abs=1e-4), pytest.approx(h, abs=1e-4))
    # The other photo was not decided in Curator: no sidecar at all.
    assert not list(shoot.glob(f"{Path(PORTRAITS[1]).stem}*.xmp"))


def test_regions_another_tool_wrote_are_never_altered(shoot: Path) -> None:
    photo = shoot / PORTRAITS[0]
    sidecar = write_sidecar(shoot / f"{photo.stem}.xmp", packet(body=NAMED_REGION))
    before = read_tags(sidecar)
    assert run_cli("pick", str(photo))[0] == 0
    code, _out, err = run_cli("xmp", "write", "--all")
    assert code == 0, err
    after = read_tags(sidecar)
    assert regions(after) == regions(before)  # the named face, as it was
    assert [r["Name"] for r in regions(after)["RegionList"]] == ["Barack Obama"]


def test_an_exported_copy_carries_the_regions(shoot: Path, tmp_path: Path) -> None:
    photo = shoot / PORTRAITS[1]
    assert run_cli("rate", "--stars", "5", str(photo))[0] == 0
    out = tmp_path / "out"
    code, _out, err = run_cli("export", "--approved", str(out), "--json", "--no-progress")
    assert code == 0, err
    copy = next(out.rglob("*.jpg"))
    [region] = regions(read_tags(copy))["RegionList"]  # embedded in the JPEG copy
    assert region["Type"] == "Face" and 0 < region["Area"]["W"] < 1


def test_a_renditions_regions_apply_to_the_rendition(shoot: Path, tmp_path: Path) -> None:
    """A rendition's regions say its own size, not the original's (the boxes,
    fractions, are the same on both)."""
    from PIL import Image

    photo = shoot / PORTRAITS[1]
    assert run_cli("rate", "--stars", "5", str(photo))[0] == 0
    listed = next(p for p in list_json() if Path(p["path"]).name == PORTRAITS[1])
    edge = max(listed["width"], listed["height"]) * 2 // 3  # smaller than the original
    out = tmp_path / "out"
    code, _out, err = run_cli(
        "export", "--approved", str(out), "--renditions", str(edge), "--no-progress"
    )
    assert code == 0, err
    copy = next(out.rglob("*.jpg"))
    with Image.open(copy) as img:
        width, height = img.size
    assert max(width, height) == edge
    info = regions(read_tags(copy))
    assert info["AppliedToDimensions"] == {"W": width, "H": height, "Unit": "pixel"}
