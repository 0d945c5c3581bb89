"""The XMP writer: a fresh sidecar parses back with every field, escaped, and
exiftool (what Lightroom, darktable and digiKam users check with) reads each
field back; file names follow Lightroom/darktable; writes are atomic."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from curator.interop.xmp.fields import CURATOR_NS, XmpFields
from curator.interop.xmp.write import (
    CREATOR_TOOL,
    NS_DC,
    NS_LR,
    NS_RDF,
    NS_X,
    NS_XMP,
    sidecar_path_for,
    sidecar_xml,
    write_sidecar,
)
from tests.exiftool import read_tags

NASTY = ("sea & sky", '<b>"quoted"</b>', "it's", "café", "🌊 wave", "a]]>b")
FIELDS = XmpFields(
    rating=4,
    label="Red",
    picked=True,
    keywords=NASTY,
    description='A boat "at" dusk & <the> harbour — 🌅',
    scores={"preference": 87.5, "sharpness": 61.0, "exposure": 42.25},
)
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _description(root: ET.Element) -> ET.Element:
    found = root.findall(f"{{{NS_RDF}}}RDF/{{{NS_RDF}}}Description")
    assert len(found) == 1
    return found[0]


def _bag(desc: ET.Element, uri: str, local: str) -> list[str]:
    return [
        li.text or "" for li in desc.findall(f"{{{uri}}}{local}/{{{NS_RDF}}}Bag/{{{NS_RDF}}}li")
    ]


def test_a_fresh_sidecar_parses_back_with_every_field() -> None:
    data = sidecar_xml(FIELDS)
    text = data.decode("utf-8")
    assert text.startswith('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>')
    assert text.rstrip().endswith('<?xpacket end="w"?>')
    root = ET.fromstring(data)
    assert root.tag == f"{{{NS_X}}}xmpmeta"
    desc = _description(root)
    assert desc.findtext(f"{{{NS_XMP}}}Rating") == "4"
    assert desc.findtext(f"{{{NS_XMP}}}Label") == "Red"
    assert desc.findtext(f"{{{NS_XMP}}}CreatorTool") == CREATOR_TOOL
    assert CREATOR_TOOL.startswith("Curator ")
    assert _bag(desc, NS_DC, "subject") == list(NASTY)
    assert _bag(desc, NS_LR, "hierarchicalSubject") == list(NASTY)
    alt = desc.findall(f"{{{NS_DC}}}description/{{{NS_RDF}}}Alt/{{{NS_RDF}}}li")
    assert [(li.get(LANG), li.text) for li in alt] == [("x-default", FIELDS.description)]
    assert desc.findtext(f"{{{CURATOR_NS}}}preference") == "87.5"
    assert desc.findtext(f"{{{CURATOR_NS}}}sharpness") == "61"
    assert desc.findtext(f"{{{CURATOR_NS}}}exposure") == "42.25"
    assert desc.findtext(f"{{{CURATOR_NS}}}picked") == "True"


def test_standard_prefixes_and_no_generated_ones() -> None:
    text = sidecar_xml(FIELDS).decode("utf-8")
    for prefix, uri in (("x", NS_X), ("rdf", NS_RDF), ("xmp", NS_XMP), ("dc", NS_DC)):
        assert f'xmlns:{prefix}="{uri}"' in text
    assert 'xmlns:lr="http://ns.adobe.com/lightroom/1.0/"' in text
    assert f'xmlns:curator="{CURATOR_NS}"' in text
    assert "ns0:" not in text and "xmlns:ns" not in text


def test_a_reject_is_rating_minus_one_whatever_the_stars() -> None:
    desc = _description(ET.fromstring(sidecar_xml(XmpFields(rating=5, rejected=True))))
    assert desc.findtext(f"{{{NS_XMP}}}Rating") == "-1"


def test_fields_not_given_are_not_written() -> None:
    desc = _description(ET.fromstring(sidecar_xml(XmpFields())))
    names = {child.tag for child in desc}
    assert names == {f"{{{NS_XMP}}}CreatorTool"}


def test_characters_xml_cannot_carry_are_dropped_not_written() -> None:
    data = sidecar_xml(XmpFields(keywords=("bell\x07 tag", "tab\tok"), label="Re\x00d"))
    desc = _description(ET.fromstring(data))  # parses: no control character got through
    assert _bag(desc, NS_DC, "subject") == ["bell tag", "tab\tok"]
    assert desc.findtext(f"{{{NS_XMP}}}Label") == "Red"


def test_score_keys_become_valid_property_names() -> None:
    data = sidecar_xml(XmpFields(scores={"content type": 1.0, "2nd": 2.0, "nan": float("nan")}))
    desc = _description(ET.fromstring(data))
    assert desc.findtext(f"{{{CURATOR_NS}}}content_type") == "1"
    assert desc.findtext(f"{{{CURATOR_NS}}}_2nd") == "2"
    assert desc.find(f"{{{CURATOR_NS}}}nan") is None  # NaN is not a value anyone can read


def test_hierarchical_keywords_add_every_level_to_the_flat_list() -> None:
    data = sidecar_xml(XmpFields(keywords=("sea",), hierarchical=("Places|Harbour",)))
    desc = _description(ET.fromstring(data))
    # A flat keyword is a one-level hierarchical one (as Lightroom and darktable write).
    assert _bag(desc, NS_LR, "hierarchicalSubject") == ["sea", "Places|Harbour"]
    assert _bag(desc, NS_DC, "subject") == ["sea", "Places", "Harbour"]


# ------------------------------------------------------------------ exiftool


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@pytest.mark.parametrize("rating, rejected", [(3, None), (5, True)])
def test_exiftool_reads_every_field_back(
    tmp_path: Path, rating: int, rejected: bool | None
) -> None:
    fields = XmpFields(
        rating=rating,
        rejected=rejected,
        label="Green",
        picked=False,
        keywords=NASTY,
        hierarchical=("Places|Harbour", "sea & sky"),
        description=FIELDS.description,
        scores={"preference": 87.5, "sharpness": 61.0, "exposure": 42.25},
        texts={"content type": "street", "mood": 'calm & "quiet" <dusk>'},
    )
    path = tmp_path / "IMG_1.xmp"
    write_sidecar(path, sidecar_xml(fields))
    tags = read_tags(path)
    assert tags["XMP-xmp:Rating"] == (-1 if rejected else rating)
    assert tags["XMP-xmp:Label"] == "Green"
    assert tags["XMP-xmp:CreatorTool"] == CREATOR_TOOL
    assert _as_list(tags["XMP-dc:Subject"]) == [*NASTY, "Places", "Harbour"]
    assert _as_list(tags["XMP-lr:HierarchicalSubject"]) == [*NASTY, "Places|Harbour"]
    assert tags["XMP-dc:Description"] == FIELDS.description
    # exiftool names properties of a namespace it doesn't know by capitalising
    # the local name, and reads "True"/"False" as booleans.
    assert tags["XMP-curator:Preference"] == 87.5
    assert tags["XMP-curator:Sharpness"] == 61
    assert tags["XMP-curator:Exposure"] == 42.25
    assert tags["XMP-curator:Content_type"] == "street"
    assert tags["XMP-curator:Mood"] == 'calm & "quiet" <dusk>'
    assert tags["XMP-curator:Picked"] is False


# ------------------------------------------------------------------ paths and writes


def test_sidecar_name_is_the_stem_dot_xmp() -> None:
    assert sidecar_path_for(Path("/p/IMG_1.CR2")) == Path("/p/IMG_1.xmp")
    assert sidecar_path_for(Path("/p/a.b.jpg"), ["a.b.jpg", "other.CR2"]) == Path("/p/a.b.xmp")


def test_a_raw_jpeg_pair_does_not_share_one_sidecar() -> None:
    names = ["IMG_1.CR2", "IMG_1.JPG", "IMG_1.xmp", "IMG_2.JPG"]
    raw = sidecar_path_for(Path("/p/IMG_1.CR2"), names)
    jpeg = sidecar_path_for(Path("/p/IMG_1.JPG"), names)
    assert raw == Path("/p/IMG_1.xmp")  # the RAW owns name.xmp, as in Lightroom
    assert jpeg == Path("/p/IMG_1.JPG.xmp")  # darktable's and digiKam's spelling
    assert sidecar_path_for(Path("/p/IMG_2.JPG"), names) == Path("/p/IMG_2.xmp")
    # Two non-RAW files: the alphabetically first extension owns name.xmp.
    pair = ["b.jpg", "b.tif"]
    assert sidecar_path_for(Path("/p/b.jpg"), pair) == Path("/p/b.xmp")
    assert sidecar_path_for(Path("/p/b.tif"), pair) == Path("/p/b.tif.xmp")


def test_write_sidecar_replaces_atomically_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "IMG_1.xmp"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_sidecar(path, b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["IMG_1.xmp"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_write_sidecar_in_a_read_only_folder_raises_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OSError):
            write_sidecar(folder / "IMG_1.xmp", b"x")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
