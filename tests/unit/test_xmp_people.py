"""People's names in XMP (issue 50 §5): Curator's regions carry a named face's
`mwg-rs:Name`, a photo's people go out as the person keywords Lightroom and
digiKam use, only Curator's own person keywords are ever taken out again, and
faces other tools named are read back (MWG and Microsoft regions), never
Curator's own."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from curator.catalog.people.region_names import PhotoFacesForNaming
from curator.interop.face_names import match_regions, upright_box
from curator.interop.xmp.edit import PeopleEdit, PlannedEdit, XmpEdit
from curator.interop.xmp.fields import NamedRegion
from curator.interop.xmp.named_regions import named_regions
from curator.interop.xmp.people_keywords import owned_now, plan_people, with_people
from curator.interop.xmp.read import parse_packet
from curator.interop.xmp.regions import FaceArea, FaceRegions
from curator.interop.xmp.state import XmpState
from curator.interop.xmp.write import merge_sidecar, parse_sidecar, sidecar_xml
from tests.xmp_helpers import bag, packet

DIGIKAM_NAMED = (
    '<mwg-rs:Regions rdf:parseType="Resource"'
    ' xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
    ' xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"'
    ' xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#">'
    '<mwg-rs:AppliedToDimensions stDim:w="720" stDim:h="900" stDim:unit="pixel"/>'
    "<mwg-rs:RegionList><rdf:Bag>"
    '<rdf:li><rdf:Description mwg-rs:Name="Ann Lee" mwg-rs:Type="Face">'
    '<mwg-rs:Area stArea:x="0.5" stArea:y="0.3" stArea:w="0.2" stArea:h="0.2"'
    ' stArea:unit="normalized"/></rdf:Description></rdf:li>'
    '<rdf:li><rdf:Description mwg-rs:Name="Rex" mwg-rs:Type="Pet">'
    '<mwg-rs:Area stArea:x="0.2" stArea:y="0.8" stArea:w="0.1" stArea:h="0.1"'
    ' stArea:unit="normalized"/></rdf:Description></rdf:li>'
    '<rdf:li><rdf:Description mwg-rs:Type="Face">'
    '<mwg-rs:Area stArea:x="0.8" stArea:y="0.3" stArea:w="0.1" stArea:h="0.1"'
    ' stArea:unit="normalized"/></rdf:Description></rdf:li>'
    "</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>"
)
MICROSOFT_NAMED = (
    '<MP:RegionInfo rdf:parseType="Resource" xmlns:MP="http://ns.microsoft.com/photo/1.2/"'
    ' xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"'
    ' xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">'
    "<MPRI:Regions><rdf:Bag><rdf:li>"
    '<rdf:Description MPReg:Rectangle="0.1, 0.2, 0.3, 0.25"'
    ' MPReg:PersonDisplayName="Bo Chen"/>'
    "</rdf:li></rdf:Bag></MPRI:Regions></MP:RegionInfo>"
)
FACE = FaceArea((0.4, 0.2, 0.2, 0.2), "open", 80.0, True)


def lists(data: bytes) -> dict[str, list[str]]:
    """Each keyword list of a packet (dc:subject, lr:..., digiKam:TagsList) by local name."""
    root, _ = parse_sidecar(data)
    out: dict[str, list[str]] = {}
    for local in ("subject", "hierarchicalSubject", "TagsList"):
        for prop in root.iter():
            if prop.tag.endswith("}" + local):
                items = prop.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")
                out[local] = [li.text or "" for li in items]
    return out


# -- names out --------------------------------------------------------------------


def test_a_named_face_region_carries_the_name_and_an_unnamed_one_none() -> None:
    regions = FaceRegions(
        720,
        900,
        (FaceArea(FACE.box, "open", 80.0, True, "Ann Lee"), FaceArea(FACE.box, "x", None, False)),
    )
    data = sidecar_xml(XmpEdit(faces=regions))
    text = data.decode()
    assert text.count("<mwg-rs:Name>Ann Lee</mwg-rs:Name>") == 1
    assert text.count("<mwg-rs:Name>") == 1
    # Curator's own regions are never read back as another tool's names.
    assert parse_packet(data).named_faces == ()


def test_a_fresh_sidecar_holds_the_person_keywords_lightroom_and_digikam_read() -> None:
    data = sidecar_xml(
        XmpEdit(people=plan_people(["Ann Lee"], frozenset(), parse_packet(packet())))
    )
    assert lists(data) == {
        "subject": ["Ann Lee"],
        "hierarchicalSubject": ["People|Ann Lee"],
        "TagsList": ["People/Ann Lee"],
    }


def test_a_name_with_separators_is_one_keyword_level() -> None:
    edit = plan_people(["AC/DC | Angus"], frozenset(), parse_packet(packet()))
    assert edit.add == ("People|AC-DC - Angus", "AC-DC - Angus")


def test_a_tagslist_curator_starts_states_every_keyword_the_file_has() -> None:
    # digiKam reads TagsList first and then ignores the other lists.
    theirs = packet(
        body=bag("dc:subject", ["Holiday", "Places", "Chicago"])
        + bag("lr:hierarchicalSubject", ["Places|Chicago", "darktable|format|jpg"])
    )
    edit = plan_people(["Ann Lee"], frozenset(), parse_packet(theirs))
    after = lists(merge_sidecar(theirs, XmpEdit(people=edit)))
    assert after["TagsList"] == ["Places/Chicago", "Holiday", "People/Ann Lee"]
    assert after["subject"] == ["Holiday", "Places", "Chicago", "Ann Lee"]
    assert after["hierarchicalSubject"] == [
        "Places|Chicago",
        "darktable|format|jpg",
        "People|Ann Lee",
    ]


def test_a_rename_takes_out_only_curators_own_person_keywords() -> None:
    # Curator wrote Ann; the user has their own People|Bo and a flat "Ann Lee"
    # of a trip keyword nobody may touch.
    mine = frozenset({"People|Ann", "Ann"})
    data = packet(
        body=bag("dc:subject", ["Ann", "Bo", "Trip"])
        + bag("lr:hierarchicalSubject", ["People|Ann", "People|Bo", "Trips|Ann"])
        + bag("digiKam:TagsList", ["People/Ann", "People/Bo", "Trips/Ann"])
    )
    edit = plan_people(["Ann Lee", "Bo"], mine, parse_packet(data))
    # "Ann" stays in dc:subject: it is still the leaf of the user's Trips|Ann.
    assert edit == PeopleEdit(("People|Ann Lee", "Ann Lee"), frozenset({"People|Ann"}))
    after = lists(merge_sidecar(data, XmpEdit(people=edit)))
    assert after == {
        "subject": ["Ann", "Bo", "Trip", "Ann Lee"],
        "hierarchicalSubject": ["People|Bo", "Trips|Ann", "People|Ann Lee"],
        "TagsList": ["People/Bo", "Trips/Ann", "People/Ann Lee"],
    }


def test_a_keyword_the_user_had_already_is_never_taken_out() -> None:
    data = packet(body=bag("dc:subject", ["Ann"]) + bag("lr:hierarchicalSubject", ["People|Ann"]))
    current = parse_packet(data)
    assert plan_people(["Ann"], frozenset(), current) == PeopleEdit()  # nothing to add
    # Curator never owned them: a cleared name leaves them.
    assert plan_people([], frozenset(), current) == PeopleEdit()
    # ...while its own are taken out, and a list left empty goes.
    mine = frozenset({"People|Ann", "Ann"})
    edit = plan_people([], mine, current)
    assert edit == PeopleEdit((), mine)
    assert lists(merge_sidecar(data, XmpEdit(people=edit))) == {}


def test_a_name_the_files_own_region_gives_adds_no_keyword() -> None:
    current = parse_packet(packet(body=DIGIKAM_NAMED))
    assert plan_people(["ann lee"], frozenset(), current) == PeopleEdit()
    planned = with_people(PlannedEdit(XmpEdit()), ["Ann Lee"], frozenset(), current, XmpEdit())
    assert planned.edit == XmpEdit()  # the sidecar stays byte-identical


def test_a_change_of_names_carries_curators_regions_along() -> None:
    extras = XmpEdit(faces=FaceRegions(720, 900, (FACE,)), scores={"sharpness": 50.0})
    planned = with_people(
        PlannedEdit(XmpEdit()), ["Ann"], frozenset(), parse_packet(packet()), extras
    )
    assert planned.edit.people == PeopleEdit(("People|Ann", "Ann"))
    assert planned.edit.faces == extras.faces and planned.edit.scores == extras.scores


def test_what_curator_owns_after_a_write() -> None:
    after = frozenset({"ann", "bo", "trip"})
    assert owned_now(frozenset(), None, fresh=True, wanted=["Ann"], keywords_after=after) == {
        "People|Ann",
        "Ann",
    }
    edit = PeopleEdit(("People|Bo", "Bo"), frozenset({"People|Cy", "Cy"}))
    owned = frozenset({"People|Cy", "Cy", "People|Ann", "Ann"})
    assert owned_now(owned, edit, fresh=False, wanted=[], keywords_after=after) == {
        "People|Ann",
        "Ann",
        "People|Bo",
        "Bo",
    }


def test_the_synced_state_remembers_curators_person_keywords() -> None:
    state = XmpState(rating=2, keywords=frozenset({"ann"}), people=frozenset({"People|Ann", "Ann"}))
    assert XmpState.from_json(state.to_json()) == state
    # A state without them reads and writes exactly as before.
    assert "people" not in XmpState(rating=2).to_json()


def test_descriptors_never_reach_a_sidecar() -> None:
    # Privacy (issue 50 §6): what goes out of a face is its box, verdicts and name.
    area = FaceArea(FACE.box, "open", 80.0, True, "Ann")
    text = sidecar_xml(XmpEdit(faces=FaceRegions(720, 900, (area,)))).decode()
    root = ET.fromstring(text.split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
    curator = {el.tag.split("}")[1] for el in root.iter() if "ns.curator.app" in el.tag}
    assert curator == {"eyes", "face_sharpness", "key_face"}
    assert set(FaceArea.__dataclass_fields__) == {"box", "eyes", "sharpness", "key", "name"}


# -- names in ---------------------------------------------------------------------


def test_faces_other_tools_named_are_read_mwg_and_microsoft() -> None:
    found = parse_packet(packet(body=DIGIKAM_NAMED + MICROSOFT_NAMED)).named_faces
    assert [(r.name, r.dims) for r in found] == [("Ann Lee", (720, 900)), ("Bo Chen", None)]
    ann, bo = found
    assert ann.box == pytest.approx((0.4, 0.2, 0.2, 0.2))  # MWG's centre made left, top
    assert bo.box == pytest.approx((0.1, 0.2, 0.3, 0.25))  # Microsoft: left, top already


def test_the_element_form_of_a_named_region_is_read_too() -> None:
    body = (
        '<mwg-rs:Regions rdf:parseType="Resource"'
        ' xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
        ' xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">'
        '<mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<mwg-rs:Type>Face</mwg-rs:Type><mwg-rs:Name> Ann   Lee </mwg-rs:Name>"
        '<mwg-rs:Area rdf:parseType="Resource"><stArea:x>0.95</stArea:x><stArea:y>0.5</stArea:y>'
        "<stArea:w>0.2</stArea:w><stArea:h>0.2</stArea:h>"
        "<stArea:unit>normalized</stArea:unit></mwg-rs:Area>"
        "</rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>"
    )
    root, _ = parse_sidecar(packet(body=body))
    [region] = named_regions(root)
    assert region.name == "Ann Lee" and region.dims is None
    x, y, w, h = region.box
    assert (round(x, 6), round(y, 6), round(x + w, 6), round(h, 6)) == (0.85, 0.4, 1.0, 0.2)


def _photo(*faces: tuple[float, float, float, float], rotation: int = 0) -> PhotoFacesForNaming:
    return PhotoFacesForNaming(
        720, 900, rotation, tuple((10 + i, box) for i, box in enumerate(faces))
    )


def test_a_region_names_the_face_it_overlaps_most_each_face_once() -> None:
    photo = _photo((0.1, 0.1, 0.2, 0.2), (0.6, 0.1, 0.2, 0.2))
    regions = [
        NamedRegion("Bo", (0.58, 0.08, 0.26, 0.26)),  # a larger box around face 11
        NamedRegion("Ann", (0.1, 0.1, 0.2, 0.2)),
        NamedRegion("Cy", (0.62, 0.12, 0.16, 0.16)),  # face 11 again: taken by the better match
        NamedRegion("Di", (0.4, 0.7, 0.1, 0.1)),  # no face there
    ]
    assert sorted(match_regions(regions, photo)) == [(10, "Ann"), (11, "Cy")]


def test_a_region_on_the_turned_picture_is_turned_back_before_matching() -> None:
    # The photographer turned the portrait a quarter clockwise in Curator; the
    # other tool drew on the picture as turned (900 x 720).
    face = (0.1, 0.2, 0.2, 0.1)  # upright
    turned = (1.0 - (0.2 + 0.1), 0.1, 0.1, 0.2)
    photo = _photo(face, rotation=1)
    region = NamedRegion("Ann", turned, (900, 720))
    assert upright_box(region, photo) == pytest.approx(face)
    assert match_regions([region], photo) == [(10, "Ann")]
    # Drawn on the upright picture (its own shape), it is taken as it is.
    assert match_regions([NamedRegion("Ann", face, (720, 900))], photo) == [(10, "Ann")]


def test_a_region_on_the_pixels_as_stored_gets_the_exif_orientation() -> None:
    # A camera held upright: stored 900 x 720, EXIF orientation 6 shows it 720 x 900.
    face = (0.1, 0.2, 0.2, 0.1)  # upright
    stored = (0.2, 1.0 - (0.1 + 0.2), 0.1, 0.2)  # the same face on the stored pixels
    photo = PhotoFacesForNaming(720, 900, 0, ((10, face),), orientation=6)
    region = NamedRegion("Ann", stored, (900, 720))
    assert upright_box(region, photo) == pytest.approx(face)
    assert match_regions([region], photo) == [(10, "Ann")]
