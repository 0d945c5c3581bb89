"""Drive mode and sequence index from EXIF and maker notes (issue 20 §1): the
camera fixtures against ExifTool's reading, and generated maker notes for the
brands whose bracket frames the fixtures lack."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from curator.imaging.drive_mode import read_drive
from curator.imaging.exif import read_exif
from curator.imaging.formats import is_raw_path
from curator.records import DriveMode
from tests.imaging_helpers import fixture

SINGLE, CONTINUOUS, BRACKET = DriveMode.SINGLE, DriveMode.CONTINUOUS, DriveMode.BRACKET

# What `exiftool -ContinuousDrive -ShootingMode -ReleaseMode -SequenceNumber
# -BurstMode -AutoBracketing -ExposureMode` says of each fixture.
EXIFTOOL = {
    "jpeg/canon_ixus40_portrait_content.jpg": SINGLE,  # ContinuousDrive: Single
    "jpeg/canon_sd300_1-6s_soft.jpg": SINGLE,
    "jpeg/canon_sx60_hdr_NO.jpg": SINGLE,
    "jpeg/exiv2_canon6D_highkey.jpg": BRACKET,  # ExposureMode: Auto bracket (AEB +2)
    "jpeg/exiv2_D7000_underexposed.jpg": SINGLE,  # ShootingMode: Single-Frame
    "jpeg/nikon_d70s_dark.jpg": CONTINUOUS,  # ShootingMode: Continuous
    "raw_truncated/exiftool_CanonRaw.cr2": SINGLE,
    "raw_truncated/exiftool_Nikon.nef": SINGLE,
    "raw_truncated/exiftool_FujiFilm.raf": SINGLE,  # AutoBracketing: Off
    "raw_truncated/exiftool_Panasonic.rw2": SINGLE,  # BurstMode: Off
    "raw_truncated/filetype_sony-zv-e10.arw": SINGLE,  # ReleaseMode: Normal, Single
    "jpeg/iphone6_hdr_NO.jpg": None,  # no maker note that says
    # ExifTool cannot read this cut-off file's maker note either (it lies past the end).
    "raw_truncated/exifpy_sony_a7iii.ARW": None,
}


@pytest.mark.parametrize(("relative", "expected"), sorted(EXIFTOOL.items()))
def test_fixtures_read_as_exiftool_reads_them(relative: str, expected: DriveMode | None) -> None:
    path = fixture(relative)
    exif = read_exif(path.read_bytes(), is_raw=is_raw_path(str(path)))
    assert exif.drive_mode == expected


def _ifd_entries(entries: list[tuple[int, int]], order: str = "<") -> bytes:
    """An IFD of SHORT tags with inline values (no offsets to get wrong)."""
    body = struct.pack(order + "H", len(entries))
    for tag, value in entries:
        body += struct.pack(order + "HHIHH", tag, 3, 1, value, 0)
    return body + struct.pack(order + "I", 0)


def _jpeg(note: bytes, make: str, exposure_mode: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = make
    sub = exif.get_ifd(0x8769)
    sub[0x927C] = note
    if exposure_mode is not None:
        sub[0xA402] = exposure_mode
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_sony_bracket_frames_carry_their_place() -> None:
    note = b"SONY DSC \x00\x00\x00" + _ifd_entries([(0xB049, 5), (0xB04A, 3)])
    assert read_drive(_jpeg(note, "SONY"), "SONY") == (BRACKET, 3)
    single = b"SONY DSC \x00\x00\x00" + _ifd_entries([(0xB049, 0), (0xB04A, 0)])
    assert read_drive(_jpeg(single, "SONY"), "SONY") == (SINGLE, None)
    burst = b"SONY DSC \x00\x00\x00" + _ifd_entries([(0xB049, 2), (0xB04A, 7)])
    assert read_drive(_jpeg(burst, "SONY"), "SONY") == (CONTINUOUS, 7)


def test_nikon_panasonic_and_fujifilm_notes() -> None:
    nikon = b"Nikon\x00\x02\x10\x00\x00" + b"II*\x00" + struct.pack("<I", 8)
    nikon += _ifd_entries([(0x0089, 0x10)])  # ShootingMode: exposure bracketing
    assert read_drive(_jpeg(nikon, "NIKON CORPORATION"), "NIKON CORPORATION")[0] == BRACKET
    pana = b"Panasonic\x00\x00\x00" + _ifd_entries([(0x002A, 2), (0x002B, 2)])
    assert read_drive(_jpeg(pana, "Panasonic"), "Panasonic") == (BRACKET, 2)
    fuji = b"FUJIFILM" + struct.pack("<I", 12) + _ifd_entries([(0x1100, 1), (0x1101, 4)])
    assert read_drive(_jpeg(fuji, "FUJIFILM"), "FUJIFILM") == (BRACKET, 4)


def test_exif_auto_bracket_makes_any_frame_a_bracket_frame() -> None:
    data = _jpeg(b"\x00" * 16, "Anything", exposure_mode=2)
    assert read_exif(data, is_raw=False).drive_mode == BRACKET
    assert read_exif(_jpeg(b"\x00" * 16, "Anything", 0), is_raw=False).drive_mode is None


def test_garbage_notes_say_nothing(tmp_path: Path) -> None:
    for note in (b"SONY DSC \x00\x00\x00\xff\xff", b"Nikon\x00\x02\x10\x00\x00II*\x00\xff"):
        assert read_drive(_jpeg(note, "SONY"), "SONY")[0] in (None, SINGLE, CONTINUOUS, BRACKET)
    assert read_drive(b"not a picture", "SONY") == (None, None)
    assert read_drive(b"", None) == (None, None)
