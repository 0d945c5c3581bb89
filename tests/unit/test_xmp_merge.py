"""Merging Curator's fields into sidecars other tools wrote: their data survives
(darktable's history and labels, Lightroom's develop settings and caption,
prefixes, other languages, extra rdf:Description blocks), attribute-form
properties stay attributes, fields not given stay as they are, and hostile or
foreign files are refused untouched."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from curator.interop.xmp.edit import XmpEdit
from curator.interop.xmp.fields import CURATOR_NS, XmpFields
from curator.interop.xmp.write import (
    CREATOR_TOOL,
    NS_DC,
    NS_LR,
    NS_RDF,
    NS_XMP,
    XmpWriteError,
    merge_sidecar,
    parse_sidecar,
    sidecar_xml,
)
from tests.exiftool import read_tags

DATA = Path(__file__).resolve().parents[1] / "data" / "xmp"
DT = "http://darktable.sf.net/"
DK = "http://www.digikam.org/ns/1.0/"
PM = "http://ns.camerabits.com/photomechanic/1.0/"
CRS = "http://ns.adobe.com/camera-raw-settings/1.0/"
MM = "http://ns.adobe.com/xap/1.0/mm/"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FIELDS = XmpFields(
    rating=4,
    label="Blue",
    keywords=("sea", "boats & nets"),
    description="Fishing boats at dawn",
    scores={"preference": 91.0, "sharpness": 55.5},
)

Shape = tuple[str, tuple[tuple[str, str], ...], str, tuple[Any, ...]]


def _shape(elem: ET.Element) -> Shape:
    """An element's tag, attributes, text and children, whitespace-insensitive."""
    return (
        str(elem.tag),
        tuple(sorted(elem.attrib.items())),
        (elem.text or "").strip(),
        tuple(_shape(child) for child in elem),
    )


def _desc(data: bytes) -> ET.Element:
    descs = ET.fromstring(data).findall(f".//{{{NS_RDF}}}Description")
    assert len(descs) == 1
    return descs[0]


def _bag(desc: ET.Element, uri: str, local: str) -> list[str]:
    return [
        li.text or "" for li in desc.findall(f"{{{uri}}}{local}/{{{NS_RDF}}}Bag/{{{NS_RDF}}}li")
    ]


def _foreign(desc: ET.Element, uris: tuple[str, ...]) -> tuple[Any, ...]:
    """Everything in `desc` in the namespaces of another tool."""
    attrs = tuple(sorted((k, v) for k, v in desc.attrib.items() if k[1:].startswith(uris)))
    kids = tuple(_shape(c) for c in desc if str(c.tag)[1:].startswith(uris))
    return attrs, kids


def test_darktable_history_and_attributes_survive_and_rating_stays_an_attribute() -> None:
    before = (DATA / "darktable.xmp").read_bytes()
    after = merge_sidecar(before, FIELDS)
    old, new = _desc(before), _desc(after)
    foreign = (DT, MM, "http://ns.adobe.com/exif/1.0/")
    colorlabels = new.find(f"{{{DT}}}colorlabels")
    assert colorlabels is not None
    new.remove(colorlabels)  # the one darktable value Curator sets: its label
    assert _foreign(new, foreign) == _foreign(old, foreign)
    assert len(new.findall(f"{{{DT}}}history/{{{NS_RDF}}}Seq/{{{NS_RDF}}}li")) == 3
    assert new.get(f"{{{NS_XMP}}}Rating") == "4"  # updated where darktable put it
    assert new.find(f"{{{NS_XMP}}}Rating") is None  # and not duplicated as an element
    # darktable keeps labels in its own list (it reads xmp:Label first, then
    # ignores the list): blue is darktable's 3.
    assert [li.text for li in colorlabels.iter(f"{{{NS_RDF}}}li")] == ["3"]
    assert new.find(f"{{{NS_XMP}}}Label") is None
    assert _bag(new, NS_DC, "subject") == ["sea", "boats & nets"]
    # darktable's own automatic tags are its data: kept next to ours.
    assert _bag(new, NS_LR, "hierarchicalSubject") == [
        "sea",
        "boats & nets",
        "darktable|format|cr2",
    ]
    assert new.findtext(f"{{{CURATOR_NS}}}preference") == "91"
    text = after.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')  # darktable's wrapping
    assert "<?xpacket" not in text
    assert 'xmlns:darktable="http://darktable.sf.net/"' in text and "darktable:history>" in text
    assert "ns0" not in text and "xmlns:ns" not in text
    # An attribute value with escapes survives them.
    names = [li.get(f"{{{DT}}}multi_name") for li in new.iter(f"{{{NS_RDF}}}li")]
    assert '<mask & "boost">' in names


def test_lightroom_develop_settings_survive_and_its_creator_tool_is_kept() -> None:
    before = (DATA / "lightroom.xmp").read_bytes()
    after = merge_sidecar(before, FIELDS)
    old, new = _desc(before), _desc(after)
    foreign = (CRS, MM, "http://ns.adobe.com/tiff/1.0/", "http://ns.adobe.com/photoshop/1.0/")
    assert _foreign(new, foreign) == _foreign(old, foreign)
    assert new.get(f"{{{CRS}}}Exposure2012") == "+0.35"
    assert new.get(f"{{{NS_XMP}}}Rating") == "4"
    assert new.get(f"{{{NS_XMP}}}Label") == "Blue"
    assert new.get(f"{{{NS_XMP}}}ModifyDate") == old.get(f"{{{NS_XMP}}}ModifyDate")
    assert new.get(f"{{{NS_XMP}}}CreatorTool", "").startswith("Adobe Photoshop Lightroom")
    assert _bag(new, NS_DC, "subject") == ["sea", "boats & nets"]
    assert _bag(new, NS_LR, "hierarchicalSubject") == ["sea", "boats & nets"]
    alt = new.findall(f"{{{NS_DC}}}description/{{{NS_RDF}}}Alt/{{{NS_RDF}}}li")
    assert [(li.get(LANG), li.text) for li in alt] == [
        ("x-default", "Old caption"),  # a caption someone wrote is never replaced
        ("de", "Alte Bildunterschrift"),
    ]
    text = after.decode("utf-8")
    for prefix in ("crs", "stEvt", "xmpMM", "aux", "photoshop", "tiff", "lr"):
        assert f"xmlns:{prefix}=" in text
    assert text.startswith("<?xpacket") is False  # the file had no xpacket pair


def test_lightroom_label_is_removed_when_cleared() -> None:
    after = merge_sidecar((DATA / "lightroom.xmp").read_bytes(), XmpFields(label=""))
    desc = _desc(after)
    assert f"{{{NS_XMP}}}Label" not in desc.attrib and desc.find(f"{{{NS_XMP}}}Label") is None
    assert desc.get(f"{{{NS_XMP}}}Rating") == "3"


def test_fields_not_given_are_left_as_the_file_has_them() -> None:
    before = (DATA / "lightroom.xmp").read_bytes()
    after = merge_sidecar(before, XmpFields())
    assert _shape(_desc(after)) == _shape(_desc(before))


def test_element_form_properties_are_updated_in_place() -> None:
    before = sidecar_xml(XmpFields(rating=2, label="Red", description="x"))
    after = merge_sidecar(before, XmpFields(rating=5, description="y"))
    desc = _desc(after)
    tags = [str(c.tag) for c in desc]
    assert tags == [str(c.tag) for c in _desc(before)]  # same order, nothing added
    assert desc.findtext(f"{{{NS_XMP}}}Rating") == "5"
    assert desc.findtext(f"{{{NS_XMP}}}Label") == "Red"
    assert f"{{{NS_XMP}}}Rating" not in desc.attrib


def test_merging_is_idempotent_so_unchanged_files_compare_equal() -> None:
    for name in ("darktable.xmp", "lightroom.xmp"):
        once = merge_sidecar((DATA / name).read_bytes(), FIELDS)
        assert merge_sidecar(once, FIELDS) == once
    fresh = sidecar_xml(FIELDS)
    assert merge_sidecar(fresh, FIELDS) == fresh


def test_a_reject_goes_out_as_minus_one_and_digikams_pick_label_and_comes_back_off() -> None:
    rejected = merge_sidecar((DATA / "darktable.xmp").read_bytes(), XmpFields(rejected=True))
    assert _desc(rejected).get(f"{{{NS_XMP}}}Rating") == "-1"
    assert _desc(rejected).findtext(f"{{{DK}}}PickLabel") == "1"  # digiKam's Rejected
    cleared = merge_sidecar(rejected, XmpEdit(rating=0))
    assert _desc(cleared).get(f"{{{NS_XMP}}}Rating") == "0"
    assert _desc(cleared).findtext(f"{{{DK}}}PickLabel") == "0"
    # Without a rating the file's value is not Curator's to change.
    assert _desc(merge_sidecar(rejected, XmpFields())).get(f"{{{NS_XMP}}}Rating") == "-1"


def test_a_pick_goes_out_in_the_forms_digikam_and_photo_mechanic_read() -> None:
    picked = _desc(merge_sidecar((DATA / "lightroom.xmp").read_bytes(), XmpEdit(picked=True)))
    assert picked.findtext(f"{{{CURATOR_NS}}}picked") == "True"
    assert picked.findtext(f"{{{DK}}}PickLabel") == "3"  # digiKam's Accepted
    assert picked.findtext(f"{{{PM}}}Tagged") == "True"  # Photo Mechanic's tag
    unpicked = merge_sidecar(sidecar_xml(XmpFields(picked=True)), XmpEdit(picked=False))
    desc = _desc(unpicked)
    assert desc.findtext(f"{{{DK}}}PickLabel") == "0"
    assert desc.findtext(f"{{{PM}}}Tagged") == "False"


MULTI = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <!-- written by hand -->
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:format>image/x-canon-cr2</dc:format>
 </rdf:Description>
 <rdf:Description rdf:about="" xmlns:xap="http://ns.adobe.com/xap/1.0/">
  <xap:Rating>2</xap:Rating>
 </rdf:Description>
 <rdf:Description rdf:about="" xmlns:digiKam="http://www.digikam.org/ns/1.0/"
   digiKam:ColorLabel="3"/>
</rdf:RDF>
</x:xmpmeta>"""


def test_several_description_blocks_are_kept_and_updated_where_the_property_lives() -> None:
    after = merge_sidecar(MULTI, FIELDS)
    root = ET.fromstring(after)
    descs = root.findall(f".//{{{NS_RDF}}}Description")
    assert len(descs) == 3
    assert descs[0].findtext(f"{{{NS_DC}}}format") == "image/x-canon-cr2"
    assert descs[1].findtext(f"{{{NS_XMP}}}Rating") == "4"  # updated in its own block
    assert sum(d.find(f"{{{NS_XMP}}}Rating") is not None for d in descs) == 1
    assert descs[2].get(f"{{{DK}}}ColorLabel") == "5"  # kept in step: digiKam's blue
    assert descs[0].findtext(f"{{{NS_XMP}}}CreatorTool") == CREATOR_TOOL  # new: first block
    text = after.decode("utf-8")
    assert "<!-- written by hand -->" in text
    assert "xap:Rating" in text and "xmlns:xap=" in text  # the file's own prefix
    assert "xmlns:digiKam=" in text


@pytest.mark.parametrize(
    "data, words",
    [
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>',
            "DOCTYPE",
        ),
        (b"<x:xmpmeta", "well-formed"),
        (b"<html><body/></html>", "not an XMP sidecar"),
        ("<x:xmpmeta xmlns:x='adobe:ns:meta/'>é</x:xmpmeta>".encode("latin-1"), "UTF-8"),
    ],
)
def test_hostile_or_foreign_files_are_refused(data: bytes, words: str) -> None:
    with pytest.raises(XmpWriteError, match=words):
        merge_sidecar(data, FIELDS)


def test_a_billion_laughs_is_refused_before_parsing() -> None:
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i else b"&lol;" * 10)
        for i in range(1, 10)
    )
    with pytest.raises(XmpWriteError):
        parse_sidecar(lol + b"]><lolz>&lol9;</lolz>")


def test_exiftool_reads_a_merged_darktable_sidecar(tmp_path: Path) -> None:
    source = DATA / "darktable.xmp"
    path = tmp_path / "IMG_0001.xmp"
    path.write_bytes(merge_sidecar(source.read_bytes(), FIELDS))
    tags, original = read_tags(path), read_tags(source)
    assert tags["XMP-xmp:Rating"] == 4
    assert tags["XMP-darktable:Colorlabels"] == [3]  # darktable's blue
    assert tags["XMP-dc:Subject"] == ["sea", "boats & nets"]
    assert tags["XMP-curator:Preference"] == 91
    # Every darktable value reads back the same, the three-step history included.
    darktable = {k: v for k, v in original.items() if k.startswith("XMP-darktable:")}
    darktable.pop("XMP-darktable:Colorlabels", None)
    assert len(darktable["XMP-darktable:History"]) == 3
    assert {k: tags.get(k) for k in darktable} == darktable


def test_a_default_namespace_in_the_file_gets_a_prefix_and_keeps_its_meaning() -> None:
    data = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
      xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about="" xmlns="http://ns.example.com/private/1.0/">
       <Setting>kept</Setting>
      </rdf:Description></rdf:RDF></x:xmpmeta>"""
    after = merge_sidecar(data, XmpFields(rating=2))
    desc = _desc(after)
    assert desc.findtext("{http://ns.example.com/private/1.0/}Setting") == "kept"
    assert desc.findtext(f"{{{NS_XMP}}}Rating") == "2"
    assert b' xmlns="' not in after
