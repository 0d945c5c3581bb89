"""A rendition's EXIF is written in the standard's types whatever the original
holds (export.rendition): an original whose ComponentsConfiguration was saved
as SHORTs (read back by Pillow as a tuple of numbers, where the standard says
UNDEFINED) still renders, its value carried as the standard's four bytes, and
the tags the standard requires are there."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image

from curator.export.plan import CaptureInfo
from curator.export.rendition import render_jpeg

_SHORT, _LONG = 3, 4


def _exif_with_byte_components() -> bytes:
    """A little-endian EXIF block: IFD0 with a pointer to an Exif IFD whose one
    entry is ComponentsConfiguration typed SHORT (count 4: Y Cb Cr -, its 8
    bytes after the IFD)."""
    ifd0_at = 8
    exif_at = ifd0_at + 2 + 12 + 4
    data_at = exif_at + 2 + 12 + 4
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, _LONG, 1, exif_at) + b"\0" * 4
    sub = struct.pack("<H", 1) + struct.pack("<HHII", 0x9101, _SHORT, 4, data_at) + b"\0" * 4
    data = struct.pack("<4H", 1, 2, 3, 0)
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", ifd0_at) + ifd0 + sub + data


def test_an_odd_originals_exif_renders_in_the_standards_types(tmp_path: Path) -> None:
    original = tmp_path / "odd.jpg"
    Image.new("RGB", (640, 480), (120, 90, 60)).save(
        original, "JPEG", exif=_exif_with_byte_components()
    )
    with Image.open(original) as img:  # the premise: Pillow reads the value as numbers
        assert img.getexif().get_ifd(0x8769)[0x9101] == (1, 2, 3, 0)
    made = render_jpeg(str(original), 320, "ab" * 32, CaptureInfo())
    with Image.open(io.BytesIO(made)) as rendition:
        assert rendition.size == (320, 240)
        exif = rendition.getexif()
        sub = exif.get_ifd(0x8769)
    assert sub[0x9101] == b"\x01\x02\x03\x00"
    assert sub[0x9000] == b"0232" and sub[0xA001] == 1  # Exif version, sRGB
    assert (sub[0xA002], sub[0xA003]) == (320, 240)
    assert exif[0x0128] == 2 and float(exif[0x011A]) == 72.0  # resolution unit, dpi
