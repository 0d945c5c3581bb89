"""EXIF reading on the real camera fixtures and on hostile inputs."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image

from curator.imaging.exif import clean_text, parse_exif_datetime, read_exif
from curator.imaging.types import ExifData
from tests.imaging_helpers import exif_block, fixture

# path -> (DateTimeOriginal incl. SubSecTimeOriginal, make, model, orientation)
FIXTURE_EXIF: dict[str, tuple[str, str, str, int]] = {
    "jpeg/iphone6_hdr_NO.jpg": ("2015-04-10 20:12:23.016", "Apple", "iPhone 6", 1),
    "jpeg/iphone6_hdr_YES.jpg": ("2015-04-10 20:12:23.550", "Apple", "iPhone 6", 1),
    "jpeg/canon_sx60_hdr_NO.jpg": ("2015-02-09 22:47:44", "Canon", "Canon PowerShot SX60 HS", 6),
    "jpeg/exiv2_SM-G930V_orient6.jpg": ("2018-04-10 18:28:03", "samsung", "SM-G930V", 6),
    "jpeg/exiv2_D7000_underexposed.jpg": (
        "2012-12-30 17:24:44.800",
        "NIKON CORPORATION",
        "NIKON D7000",
        1,
    ),
    "jpeg/nokia83_5G.jpg": ("2022-08-14 14:12:31", "HMD Global", "Nokia 8.3 5G", 1),
    "jpeg/sony_a200_unset_clock.jpg": ("2007-01-01 00:00:00", "SONY", "DSLR-A200", 1),
    "jpeg/polaroid_ion230_future_date.jpg": ("2026-11-24 14:41:16", "WWL", "ION230", 1),
    "raw_edge/Pixel7_noise_test.dng": ("2024-07-04 21:45:43.691465", "Google", "Pixel 7", 8),
    "raw_truncated/exiv2_Canon-R6-pruned.CR3": (
        "2021-05-12 12:21:21.920",
        "Canon",
        "Canon EOS R6",
        1,
    ),
    "raw_truncated/exiftool_FujiFilm.raf": ("2007-05-22 13:58:30", "FUJIFILM", "FinePix S5Pro", 1),
    "raw_truncated/exiftool_Panasonic.rw2": ("2008-08-06 15:21:56", "Panasonic", "DMC-LX3", 1),
}


@pytest.mark.parametrize("relative", sorted(FIXTURE_EXIF))
def test_fixture_exif(relative: str) -> None:
    captured_at, make, model, orientation = FIXTURE_EXIF[relative]
    path = fixture(relative)
    exif = read_exif(path.read_bytes(), is_raw=path.suffix.lower() not in (".jpg", ".jpeg"))
    assert exif.captured_at == datetime.fromisoformat(captured_at)
    assert exif.camera_make == make
    assert exif.camera_model == model
    assert exif.orientation == orientation


def test_embedded_nul_and_padding_are_removed() -> None:
    exif = read_exif(fixture("jpeg/polaroid_ion230_future_date.jpg").read_bytes(), is_raw=False)
    assert exif.camera_make == "WWL"  # stored as "WWL     "
    assert exif.camera_model is not None and "\x00" not in exif.camera_model


def test_exposure_numbers_are_floats_from_rationals() -> None:
    exif = read_exif(fixture("jpeg/exiv2_D7000_underexposed.jpg").read_bytes(), is_raw=False)
    assert exif.iso == 6400
    assert exif.exposure_time == pytest.approx(1 / 125)
    assert exif.f_number == pytest.approx(6.7)
    assert exif.focal_length == pytest.approx(18.0)
    assert (exif.pixel_width, exif.pixel_height) == (520, 344)


def test_files_without_exif_give_defaults() -> None:
    kodak = read_exif(fixture("raw/Kodak_C330_FORMAT_NONE_YRGB.raw").read_bytes(), is_raw=True)
    assert kodak == ExifData()
    assert read_exif(b"hello, I am not a photo", is_raw=False) == ExifData()
    assert read_exif(b"", is_raw=True) == ExifData()


def test_damaged_exif_never_raises() -> None:
    data = fixture("jpeg/canon_sd300_1-6s_soft.jpg").read_bytes()
    for cut in (20, 200, 700, 3000):
        result = read_exif(data[:cut], is_raw=False)
        assert result.orientation in range(1, 9)
    garbage = bytearray(data[:4000])
    garbage[30:600] = bytes(range(256)) * 2 + bytes(58)
    assert isinstance(read_exif(bytes(garbage), is_raw=False), ExifData)


def test_png_exif_is_read_through_the_pillow_fallback() -> None:
    buffer = io.BytesIO()
    when = datetime(2023, 3, 4, 5, 6, 7)
    exif = exif_block(orientation=6, captured_at=when, make="Acme", model="X1")
    Image.new("RGB", (8, 8)).save(buffer, "PNG", exif=exif)
    result = read_exif(buffer.getvalue(), is_raw=False)
    assert result.camera_make == "Acme"
    assert result.camera_model == "X1"
    assert result.orientation == 6
    assert result.captured_at == when


def test_invalid_orientation_becomes_one() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=exif_block(orientation=9))
    assert read_exif(buffer.getvalue(), is_raw=False).orientation == 1


@pytest.mark.parametrize(
    ("value", "subsec", "expected"),
    [
        ("2024:02:29 23:59:58", None, datetime(2024, 2, 29, 23, 59, 58)),
        ("2024:02:29 23:59:58", "5", datetime(2024, 2, 29, 23, 59, 58, 500000)),
        ("2024:02:29 23:59:58\x00\x00", "016 ", datetime(2024, 2, 29, 23, 59, 58, 16000)),
        ("0000:00:00 00:00:00", None, None),
        ("    :  :     :  :  ", None, None),
        ("2023:02:29 10:00:00", None, None),
        ("not a date", None, None),
        (None, "12", None),
        (b"2020:01:02 03:04:05", None, datetime(2020, 1, 2, 3, 4, 5)),
    ],
)
def test_parse_exif_datetime(value: object, subsec: object, expected: datetime | None) -> None:
    assert parse_exif_datetime(value, subsec) == expected


def test_clean_text() -> None:
    assert clean_text("ION230\x00F") == "ION230"
    assert clean_text("  SONY \x00\x00") == "SONY"
    assert clean_text("\x00\x00") is None
    assert clean_text(b"Canon\x00") == "Canon"
    assert clean_text([1, 2]) is None


@pytest.mark.parametrize("container", ["JPEG", "PNG"])  # exifread, then the Pillow fallback
@pytest.mark.parametrize(
    ("bias", "subsec", "number"), [((-13, 10), "45", 1234), ((7, 10), "016", 0)]
)
def test_bracket_fields_are_read(
    container: str, bias: tuple[int, int], subsec: str, number: int
) -> None:
    from PIL.TiffImagePlugin import IFDRational

    exif = exif_block(captured_at=datetime(2024, 5, 1, 10, 0, 0))
    sub = exif.get_ifd(0x8769)
    sub[0x9291] = subsec  # SubSecTimeOriginal
    sub[0x9204] = IFDRational(*bias)  # ExposureBiasValue, SRATIONAL as cameras write it
    sub[0x9211] = number  # ImageNumber
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, container, exif=exif)
    result = read_exif(buffer.getvalue(), is_raw=False)
    assert result.exposure_bias == pytest.approx(bias[0] / bias[1])
    assert result.capture_subsec == int(subsec.ljust(3, "0")[:3])  # "45" = 450 ms
    assert result.captured_at is not None
    assert result.captured_at.microsecond == result.capture_subsec * 1000
    assert result.sequence_number == number


def test_bracket_fields_are_none_when_absent() -> None:
    buffer = io.BytesIO()
    exif = exif_block(captured_at=datetime(2024, 5, 1, 10, 0, 0))
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=exif)
    result = read_exif(buffer.getvalue(), is_raw=False)
    assert (result.exposure_bias, result.capture_subsec, result.sequence_number) == (
        None,
        None,
        None,
    )


def test_a_real_phone_pair_carries_its_sub_seconds() -> None:
    a = read_exif(fixture("jpeg/iphone6_hdr_NO.jpg").read_bytes(), is_raw=False)
    b = read_exif(fixture("jpeg/iphone6_hdr_YES.jpg").read_bytes(), is_raw=False)
    assert (a.capture_subsec, b.capture_subsec) == (16, 550)
    assert a.captured_at is not None and b.captured_at is not None
    assert a.captured_at < b.captured_at


def test_the_body_serial_is_read_for_ingest_names() -> None:
    exif = exif_block(captured_at=datetime(2024, 5, 12, 10, 0, 0), make="SONY", model="ILCE-7M3")
    exif.get_ifd(0x8769)[0xA431] = "4012345 "
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert read_exif(data, is_raw=False).body_serial == "4012345"
    assert read_exif(data[:4096], is_raw=False).body_serial == "4012345"  # from the head
    assert read_exif(b"not a photo", is_raw=False).body_serial is None


@pytest.mark.parametrize("relative", sorted(FIXTURE_EXIF))
def test_an_ingest_names_a_fixture_by_the_capture_time_the_import_reads(relative: str) -> None:
    """An ingest reads a file's first 1 MiB for its name, the whole file when
    that holds no capture time (the Pixel's DNG keeps its IFD at the end)."""
    from curator.imaging.formats import is_raw_path
    from curator.ingest.plan import facts_of
    from curator.ingest.source import CardFile

    path = fixture(relative)
    whole = read_exif(path.read_bytes(), is_raw=is_raw_path(relative))
    st = path.stat()
    facts = facts_of(CardFile(str(path), path.name, st.st_size, st.st_mtime_ns, True))
    assert facts.dated == (whole.captured_at is not None)
    if whole.captured_at is not None:
        assert facts.moment == whole.captured_at
