"""curator.interop.xmp.read: sidecars and embedded packets, every form tools write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from curator.interop.xmp.read import XmpError, find_xmp, parse_packet, read_xmp
from tests.imaging_helpers import make_jpeg
from tests.xmp_helpers import bag, embed_in_jpeg, packet, write_sidecar

SECOND = 1_000_000_000


def test_rating_as_attribute_and_as_element() -> None:
    assert parse_packet(packet('xmp:Rating="4"')).rating == 4
    assert parse_packet(packet(body="<xmp:Rating>2</xmp:Rating>")).rating == 2
    assert parse_packet(packet('xmp:Rating="3.0"')).rating == 3


def test_minus_one_is_a_reject_and_garbage_ratings_are_ignored() -> None:
    reject = parse_packet(packet('xmp:Rating="-1"'))
    assert reject.rating == -1 and reject.rejected is True
    for bad in ("2.5", "lots", "7", "-3", ""):
        fields = parse_packet(packet(f'xmp:Rating="{bad}" xmp:Label="Red"'))
        assert fields.rating is None and fields.rejected is None, bad
        assert fields.label == "Red"


def test_pick_and_reject_flags_of_digikam_and_photo_mechanic() -> None:
    assert parse_packet(packet('digiKam:PickLabel="1" xmp:Rating="4"')).rejected is True
    assert parse_packet(packet('digiKam:PickLabel="3"')).picked is True
    assert parse_packet(packet('digiKam:PickLabel="2"')).picked is None
    assert parse_packet(packet('photomechanic:Tagged="True"')).picked is True
    assert parse_packet(packet('photomechanic:Tagged="False"')).picked is None


def test_labels_from_xmp_digikam_and_darktable() -> None:
    assert parse_packet(packet('xmp:Label="Green"')).label == "Green"
    assert parse_packet(packet('digiKam:ColorLabel="5"')).label == "Blue"
    darktable = packet(body=bag("darktable:colorlabels", ["4"], "Seq"))
    assert parse_packet(darktable).label == "Purple"


def test_keywords_from_bags_comma_strings_and_hierarchy_leaves() -> None:
    data = packet(
        body=bag("dc:subject", ["harbour", "boats"])
        + bag("lr:hierarchicalSubject", ["Places|Europe|Lisbon", "boats"])
        + '<dc:description><rdf:Alt><rdf:li xml:lang="de">Boote</rdf:li>'
        '<rdf:li xml:lang="x-default">Boats &amp; gulls</rdf:li></rdf:Alt></dc:description>'
    )
    fields = parse_packet(data)
    assert fields.keywords == ("harbour", "boats", "Lisbon")
    assert fields.hierarchical == ("Places|Europe|Lisbon", "boats")
    assert fields.description == "Boats & gulls"
    comma = parse_packet(packet('dc:subject="sea, sunset ,  , gulls"'))
    assert comma.keywords == ("sea", "sunset", "gulls")
    seq_string = parse_packet(packet(body=bag("dc:subject", ["sea, sand"], "Seq")))
    assert seq_string.keywords == ("sea", "sand")


def test_bad_xml_and_doctype_are_refused() -> None:
    with pytest.raises(XmpError, match="well-formed"):
        parse_packet(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF")
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + packet(
        'xmp:Label="&lol;"'
    )
    with pytest.raises(XmpError, match="DOCTYPE"):
        parse_packet(bomb)
    with pytest.raises(XmpError, match="RDF"):
        parse_packet(b"<html><body>not xmp</body></html>")


def test_sidecar_names_any_case_and_the_newer_one_wins(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_1.CR2"
    photo.write_bytes(b"not really a raw")
    assert find_xmp(str(photo)).fields is None
    write_sidecar(tmp_path / "IMG_1.XMP", packet('xmp:Rating="2"'), 1000 * SECOND)
    found = find_xmp(str(photo))
    assert found.fields is not None and found.fields.rating == 2
    assert found.origin == str(tmp_path / "IMG_1.XMP") and found.mtime_ns == 1000 * SECOND
    write_sidecar(tmp_path / "img_1.cr2.xmp", packet('xmp:Rating="5"'), 2000 * SECOND)
    newer = find_xmp(str(photo))
    assert newer.fields is not None and newer.fields.rating == 5
    assert newer.origin == str(tmp_path / "img_1.cr2.xmp")
    os.utime(tmp_path / "IMG_1.XMP", ns=(3000 * SECOND, 3000 * SECOND))
    assert read_xmp(str(photo)) == parse_packet(packet('xmp:Rating="2"'))


def test_a_sidecar_wins_over_embedded_xmp_in_a_jpeg(tmp_path: Path) -> None:
    jpeg = make_jpeg(tmp_path / "a.jpg", 64, 48)
    embed_in_jpeg(jpeg, packet('xmp:Rating="3" xmp:Label="Red"'))
    Image.open(jpeg).load()  # still a valid JPEG
    embedded = find_xmp(str(jpeg))
    assert embedded.embedded and embedded.fields is not None
    assert (embedded.fields.rating, embedded.fields.label) == (3, "Red")
    assert embedded.mtime_ns == jpeg.stat().st_mtime_ns
    write_sidecar(tmp_path / "a.xmp", packet('xmp:Rating="1"'))
    sidecar = find_xmp(str(jpeg))
    assert not sidecar.embedded and sidecar.fields is not None
    assert (sidecar.fields.rating, sidecar.fields.label) == (1, None)


def test_embedded_xmp_in_a_tiff(tmp_path: Path) -> None:
    tiff = tmp_path / "scan.tif"
    Image.new("RGB", (16, 16)).save(tiff, "TIFF", tiffinfo={700: packet('xmp:Rating="4"')})
    fields = read_xmp(str(tiff))
    assert fields is not None and fields.rating == 4


def test_embedded_xmp_in_a_real_dng(fixtures_dir: Path) -> None:
    fields = read_xmp(str(fixtures_dir / "raw" / "LG-H815_sample_1mp.dng"))
    assert fields is not None and fields.creator_tool is not None
    assert fields.creator_tool.startswith("Adobe Photoshop Camera Raw")


def test_a_bad_sidecar_says_so_in_a_sentence_and_falls_back(tmp_path: Path) -> None:
    jpeg = make_jpeg(tmp_path / "b.jpg", 64, 48)
    embed_in_jpeg(jpeg, packet('xmp:Rating="4"'))
    write_sidecar(tmp_path / "b.jpg.xmp", b"<x:xmpmeta><broken")
    found = find_xmp(str(jpeg))
    assert found.problem is not None and "b.jpg.xmp" in found.problem
    assert found.problem.endswith(".") and "\n" not in found.problem
    assert found.fields is not None and found.fields.rating == 4  # the embedded packet
    write_sidecar(tmp_path / "b.xmp", packet('xmp:Rating="2"'), 1000 * SECOND)  # older
    other = find_xmp(str(jpeg))
    assert other.fields is not None and other.fields.rating == 2 and other.problem
    plain = tmp_path / "c.jpg"
    plain.write_bytes(b"\xff\xd8\xff\xe1\x00")  # a lying segment length
    assert read_xmp(str(plain)) is None
    assert read_xmp(str(tmp_path / "gone.jpg")) is None


def test_other_tools_ratings_labels_and_keyword_trees() -> None:
    ms = 'xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"'
    # Windows' percent scale alone (1, 25, 50, 75, 99); xmp:Rating wins when both.
    for percent, stars in (("1", 1), ("25", 2), ("50", 3), ("75", 4), ("99", 5)):
        assert parse_packet(packet(f'{ms} MicrosoftPhoto:Rating="{percent}"')).rating == stars
    assert parse_packet(packet(f'{ms} MicrosoftPhoto:Rating="99" xmp:Rating="2"')).rating == 2
    # Label sets: localised Lightroom, Bridge, Review Status, Photo Mechanic's classes.
    for text, label in (("Rot", "Red"), ("Second", "Yellow"), ("Good to Use", "Green")):
        assert parse_packet(packet(f'xmp:Label="{text}"')).label == label
    unknown = parse_packet(packet('xmp:Label="Client A"'))
    assert unknown.label is None and unknown.label_keywords == ("Client A",)
    assert parse_packet(packet('photomechanic:ColorClass="1"')).label == "Red"
    extras = parse_packet(packet('photomechanic:ColorClass="7"'))
    assert extras.label is None and extras.label_keywords == ("Extras",)
    # darktable's list of labels: the first is the label, the others are reported.
    dt = parse_packet(
        packet('darktable:xmp_version="5"', bag("darktable:colorlabels", ["3", "0"], "Seq"))
    )
    assert (dt.label, dt.extra_labels, dt.darktable) == ("Blue", ("Red",), True)
    # digiKam's tag tree when there is no lr:hierarchicalSubject.
    dk = parse_packet(packet(body=bag("digiKam:TagsList", ["Places/London", "B&amp;W"], "Seq")))
    assert dk.hierarchical == ("Places|London", "B&W")
    assert set(dk.keywords) == {"London", "B&W"}
