"""Faces as MWG regions (interop.xmp.regions): written into a fresh packet,
replaced where they are Curator's own, never touched where another tool wrote
any region, and the same faces give the same bytes."""

from __future__ import annotations

from curator.interop.xmp.edit import XmpEdit
from curator.interop.xmp.regions import FaceArea, FaceRegions, read_regions
from curator.interop.xmp.write import merge_sidecar, parse_sidecar, sidecar_xml
from tests.xmp_helpers import packet

ONE = FaceRegions(720, 900, (FaceArea((0.4, 0.1, 0.2, 0.25), "open", 82.04, True),))
TWO = FaceRegions(
    720,
    900,
    (
        FaceArea((0.1, 0.1, 0.2, 0.2), "closed", 60.0, True),
        FaceArea((0.6, 0.5, 0.1, 0.1), "open", None, False),
    ),
)
THEIRS = (
    '<mwg-rs:Regions rdf:parseType="Resource"'
    ' xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
    ' xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">'
    '<mwg-rs:RegionList><rdf:Bag><rdf:li><rdf:Description mwg-rs:Name="Ann"'
    ' mwg-rs:Type="Face"><mwg-rs:Area stArea:x="0.3" stArea:y="0.3" stArea:w="0.1"'
    ' stArea:h="0.1" stArea:unit="normalized"/></rdf:Description></rdf:li></rdf:Bag>'
    "</mwg-rs:RegionList></mwg-rs:Regions>"
)


def regions_in(data: bytes) -> list[tuple[str, tuple[float, float, float, float]]]:
    return read_regions(parse_sidecar(data)[0])


def test_a_fresh_packet_holds_the_faces_centred_and_normalised() -> None:
    data = sidecar_xml(XmpEdit(faces=ONE))
    assert regions_in(data) == [("Face", (0.5, 0.225, 0.2, 0.25))]
    text = data.decode()
    assert "<stDim:w>720</stDim:w>" in text and "<stDim:unit>pixel</stDim:unit>" in text
    assert "<curator:eyes>open</curator:eyes>" in text
    assert "<curator:face_sharpness>82</curator:face_sharpness>" in text
    assert sidecar_xml(XmpEdit(faces=ONE)) == data  # deterministic


def test_curator_s_own_regions_are_replaced_and_removed_with_the_faces() -> None:
    ours = sidecar_xml(XmpEdit(faces=ONE))
    replaced = merge_sidecar(ours, XmpEdit(faces=TWO))
    assert [r[0] for r in regions_in(replaced)] == ["Face", "Face"]
    assert "closed" in replaced.decode() and "82" not in replaced.decode()
    gone = merge_sidecar(ours, XmpEdit(faces=FaceRegions(720, 900, ())))
    assert regions_in(gone) == [] and "mwg-rs:Regions" not in gone.decode()


def test_another_tool_s_regions_are_kept_exactly() -> None:
    theirs = packet(body=THEIRS)
    merged = merge_sidecar(theirs, XmpEdit(rating=3, faces=TWO))
    assert regions_in(merged) == [("Face", (0.3, 0.3, 0.1, 0.1))]
    assert 'mwg-rs:Name="Ann"' in merged.decode() and "curator:eyes" not in merged.decode()


def test_unsaid_faces_leave_the_packet_s_regions_alone() -> None:
    ours = sidecar_xml(XmpEdit(faces=ONE))
    assert regions_in(merge_sidecar(ours, XmpEdit(rating=2))) == regions_in(ours)
