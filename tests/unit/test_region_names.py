"""Names read from other tools' regions onto the catalog's faces
(catalog.people.region_names, interop.face_names), on both backends: a face
joins or founds a named person, an unnamed person takes the name, two people
are never merged, a name the photographer gave is never changed, and a face
taken out of a person stays out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curator.catalog.models import Photo
from curator.catalog.paths_codec import encode_path
from curator.catalog.people.naming import name_person, people_list, take_face_out
from curator.catalog.people.persons import apply_people, persons_of_faces
from curator.catalog.people.region_names import (
    NamesTaken,
    face_names_by_photo,
    faces_for_naming,
    name_faces,
    named_photo_ids,
)
from curator.catalog.people.store import apply_faces
from curator.interop.face_names import take_region_names
from curator.interop.xmp.fields import NamedRegion
from curator.pipeline.stages.xmp import XmpPlan, apply_xmp, read_xmp_plan
from curator.records import EyeState, Face, FacesFound
from tests.imaging_helpers import make_jpeg
from tests.xmp_helpers import packet, write_sidecar

pytestmark = pytest.mark.parametrize("catalog_backend", ["sqlite", "postgresql"], indirect=True)

LEFT, RIGHT = (0.1, 0.2, 0.2, 0.25), (0.6, 0.2, 0.2, 0.25)
NAMED = (  # digiKam's form; the centre of LEFT
    '<mwg-rs:Regions rdf:parseType="Resource"'
    ' xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"'
    ' xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">'
    '<mwg-rs:RegionList><rdf:Bag><rdf:li><rdf:Description mwg-rs:Name="Ann Lee"'
    ' mwg-rs:Type="Face"><mwg-rs:Area stArea:x="0.2" stArea:y="0.325" stArea:w="0.2"'
    ' stArea:h="0.25" stArea:unit="normalized"/></rdf:Description></rdf:li></rdf:Bag>'
    "</mwg-rs:RegionList></mwg-rs:Regions>"
)


def _photo(catalog: Any, name: str, *boxes: tuple[float, float, float, float]) -> list[int]:
    """A 900 x 720 photo with a judged face in each box; its face ids in order."""
    photo = Photo.create(path=f"/shoot/{name}.jpg".encode(), content_hash=name)
    Photo.update(width=900, height=720).where(Photo.id == photo.id).execute()
    faces = tuple(Face(b, 200, True, EyeState.OPEN, None, 0.3, 70.0, True, 0.9) for b in boxes)
    apply_faces(catalog.db, [(int(photo.id), FacesFound(faces, "v"))])
    found = faces_for_naming([int(photo.id)])[int(photo.id)]
    return [face for face, _box in found.faces]


def _people() -> dict[str | None, int]:
    return {row.name: row.faces for row in people_list()}


def test_a_face_without_a_person_founds_or_joins_the_named_person(catalog: Any) -> None:
    [a] = _photo(catalog, "a", LEFT)
    [b] = _photo(catalog, "b", LEFT)
    taken = name_faces(catalog.db, [(a, "Ann  Lee")])
    assert taken == NamesTaken(joined=1, new_people=1)
    assert name_faces(catalog.db, [(b, "ann lee")]) == NamesTaken(joined=1)  # case-insensitive
    assert _people() == {"Ann Lee": 2}
    assert persons_of_faces()[a] == persons_of_faces()[b]
    [c] = _photo(catalog, "c", LEFT)
    [d] = _photo(catalog, "d", LEFT)
    name_faces(catalog.db, [(c, "Élodie"), (d, "élodie")])  # one name in any case
    assert _people() == {"Ann Lee": 2, "Élodie": 2}


def test_an_unnamed_person_takes_the_name_and_two_people_are_never_merged(catalog: Any) -> None:
    a1, a2 = _photo(catalog, "a", LEFT, RIGHT)
    [b1] = _photo(catalog, "b", LEFT)
    [c1] = _photo(catalog, "c", LEFT)
    apply_people(catalog.db, {}, [[a1, b1], [a2, c1]])  # two clusters, no names
    assert name_faces(catalog.db, [(a1, "Ann")]) == NamesTaken(named=1)
    assert _people() == {"Ann": 2, None: 2}
    # The other cluster's face is named Ann too: that face alone moves to Ann,
    # its cluster is not merged into her.
    assert name_faces(catalog.db, [(c1, "Ann")]) == NamesTaken(joined=1)
    assert _people() == {"Ann": 3, None: 1}
    assert persons_of_faces()[a2][1] is None


def test_a_name_the_photographer_gave_is_never_changed(catalog: Any) -> None:
    [a] = _photo(catalog, "a", LEFT)
    [b] = _photo(catalog, "b", LEFT)
    apply_people(catalog.db, {}, [[a, b]])
    person = persons_of_faces()[a][0]
    name_person(catalog.db, person, "Ann")
    assert name_faces(catalog.db, [(a, "Annie")]) == NamesTaken(conflicts=1)
    assert _people() == {"Ann": 2}


def test_a_face_taken_out_of_a_person_is_not_put_back_by_a_name(catalog: Any) -> None:
    [a] = _photo(catalog, "a", LEFT)
    [b] = _photo(catalog, "b", LEFT)
    apply_people(catalog.db, {}, [[a, b]])
    name_person(catalog.db, persons_of_faces()[a][0], "Ann")
    take_face_out(catalog.db, b)
    assert name_faces(catalog.db, [(b, "Ann")]) == NamesTaken(ruled_out=1)
    assert b not in persons_of_faces()


def test_regions_name_the_faces_they_show_and_the_names_go_out(catalog: Any) -> None:
    left, right = _photo(catalog, "a", LEFT, RIGHT)
    photo = int(Photo.get(Photo.content_hash == "a").id)
    regions = [
        NamedRegion("Bo", (0.58, 0.18, 0.24, 0.3), (900, 720)),
        NamedRegion("Cy", (0.1, 0.8, 0.1, 0.1), (900, 720)),  # shows no face
    ]
    assert take_region_names({photo: regions}) == NamesTaken(joined=1, new_people=1)
    assert persons_of_faces()[right][1] == "Bo" and left not in persons_of_faces()
    assert face_names_by_photo([photo]) == {photo: (None, "Bo")}
    assert named_photo_ids() == [photo]


def test_an_imports_xmp_step_names_the_faces_a_sidecar_names(catalog: Any, tmp_path: Path) -> None:
    jpeg = make_jpeg(tmp_path / "a.jpg", 90, 72)
    photo = Photo.create(path=encode_path(str(jpeg)), content_hash="a", width=900, height=720)
    face = Face(LEFT, 200, True, EyeState.OPEN, None, 0.3, 70.0, True, 0.9)
    apply_faces(catalog.db, [(int(photo.id), FacesFound((face,), "v"))])
    write_sidecar(tmp_path / "a.xmp", packet('xmp:Rating="3"', body=NAMED))
    readings = read_xmp_plan(XmpPlan(paths=(str(jpeg),)))
    assert [r.name for r in readings[0].named_faces] == ["Ann Lee"]
    applied = apply_xmp(readings)
    assert applied.faces_named == 1 and applied.applied == 1
    assert _people() == {"Ann Lee": 1}
