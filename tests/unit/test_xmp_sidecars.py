"""Which sidecar files an original gets: darktable's `name.ext.xmp` and
Lightroom's `name.xmp` are both updated when there, one is created when none is."""

from __future__ import annotations

from pathlib import Path

from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.sidecars import SidecarStatus, update_sidecars
from curator.interop.xmp.write import existing_sidecars

DATA = Path(__file__).resolve().parents[1] / "data" / "xmp"


def _original(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"original bytes")
    return path


def test_darktables_own_sidecar_is_merged_and_no_second_one_made(tmp_path: Path) -> None:
    raw = _original(tmp_path, "IMG_1.CR2")
    dt = tmp_path / "IMG_1.CR2.xmp"
    dt.write_bytes((DATA / "darktable.xmp").read_bytes())
    outcomes = update_sidecars(raw, XmpFields(rating=5))
    assert [(Path(o.sidecar or "").name, o.status) for o in outcomes] == [
        ("IMG_1.CR2.xmp", SidecarStatus.MERGED)
    ]
    assert not (tmp_path / "IMG_1.xmp").exists()
    assert b'xmp:Rating="5"' in dt.read_bytes()
    assert raw.read_bytes() == b"original bytes"


def test_both_spellings_are_updated_when_both_exist(tmp_path: Path) -> None:
    raw = _original(tmp_path, "IMG_2.NEF")
    (tmp_path / "IMG_2.NEF.xmp").write_bytes((DATA / "darktable.xmp").read_bytes())
    (tmp_path / "IMG_2.xmp").write_bytes((DATA / "lightroom.xmp").read_bytes())
    assert [p.name for p in existing_sidecars(raw)] == ["IMG_2.NEF.xmp", "IMG_2.xmp"]
    outcomes = update_sidecars(raw, XmpFields(label="Green"))
    assert {o.status for o in outcomes} == {SidecarStatus.MERGED}
    assert b'xmp:Label="Green"' in (tmp_path / "IMG_2.xmp").read_bytes()
    # darktable's own list: green is its 2.
    assert b"<rdf:li>2</rdf:li>" in (tmp_path / "IMG_2.NEF.xmp").read_bytes()


def test_a_jpeg_beside_its_raw_does_not_take_the_raws_sidecar(tmp_path: Path) -> None:
    _original(tmp_path, "IMG_3.CR3")
    jpeg = _original(tmp_path, "IMG_3.JPG")
    lightroom = (DATA / "lightroom.xmp").read_bytes()
    (tmp_path / "IMG_3.xmp").write_bytes(lightroom)  # the RAW's, from Lightroom
    outcomes = update_sidecars(jpeg, XmpFields(rating=2))
    assert [(Path(o.sidecar or "").name, o.status) for o in outcomes] == [
        ("IMG_3.JPG.xmp", SidecarStatus.WRITTEN)
    ]
    assert (tmp_path / "IMG_3.xmp").read_bytes() == lightroom


def test_a_missing_original_gets_no_sidecar(tmp_path: Path) -> None:
    outcomes = update_sidecars(tmp_path / "gone.jpg", XmpFields(rating=3))
    assert [o.status for o in outcomes] == [SidecarStatus.MISSING]
    assert list(tmp_path.iterdir()) == []


def test_dry_run_reports_without_writing(tmp_path: Path) -> None:
    jpeg = _original(tmp_path, "a.jpg")
    lightroom = (DATA / "lightroom.xmp").read_bytes()
    (tmp_path / "a.xmp").write_bytes(lightroom)
    outcomes = update_sidecars(jpeg, XmpFields(rating=1), dry_run=True)
    assert [o.status for o in outcomes] == [SidecarStatus.MERGED]
    assert (tmp_path / "a.xmp").read_bytes() == lightroom
