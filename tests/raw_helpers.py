"""Camera-like RAW files for tests and benches: a DNG with an embedded JPEG preview.

`make_dng` (tests.imaging_helpers) writes a bare Bayer DNG (one IFD: the raw
data). Real cameras also embed a JPEG rendering of the photo, often full
size; `add_jpeg_preview` appends one to an existing DNG/TIFF file the way
TIFF/EP RAWs (NEF, DNG from cameras, ...) carry it: a second IFD chained
after IFD0 (NewSubFileType 1, a reduced-resolution image) whose
JPEGInterchangeFormat/Length tags point at a complete JPEG stream. LibRaw's
``extract_thumb`` returns it; the raw IFD is left exactly as it was.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image

_SHORT, _LONG = 3, 4


def add_jpeg_preview(
    path: Path, preview: Image.Image, *, quality: int = 90, orientation: int | None = None
) -> Path:
    """Append `preview` (saved as JPEG, with its own EXIF orientation tag when
    `orientation` is given; else no EXIF, and LibRaw then prepends its own block
    with the RAW's orientation) as an embedded preview IFD of the TIFF at `path`."""
    buffer = io.BytesIO()
    rgb = preview.convert("RGB")
    if orientation is None:
        rgb.save(buffer, "JPEG", quality=quality)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        exif[0x0131] = "Synthetic camera"  # Software: the camera's block, not LibRaw's
        rgb.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    jpeg = buffer.getvalue()
    data = bytearray(Path(path).read_bytes())
    order = {b"II": "<", b"MM": ">"}[bytes(data[:2])]
    # Walk the IFD chain to the last IFD's "next IFD" pointer.
    offset = struct.unpack_from(order + "I", data, 4)[0]
    while True:
        count = struct.unpack_from(order + "H", data, offset)[0]
        next_at = offset + 2 + 12 * count
        following = struct.unpack_from(order + "I", data, next_at)[0]
        if following == 0:
            break
        offset = following
    if len(data) % 2:
        data += b"\x00"
    jpeg_at = len(data)
    data += jpeg
    if len(data) % 2:
        data += b"\x00"
    ifd_at = len(data)
    width, height = preview.size
    entries = [
        (0x00FE, _LONG, 1),  # NewSubFileType: reduced-resolution image
        (0x0100, _LONG, width),
        (0x0101, _LONG, height),
        (0x0103, _SHORT, 6),  # Compression: old-style JPEG
        (0x0106, _SHORT, 6),  # PhotometricInterpretation: YCbCr
        (0x0201, _LONG, jpeg_at),  # JPEGInterchangeFormat
        (0x0202, _LONG, len(jpeg)),  # JPEGInterchangeFormatLength
    ]
    data += struct.pack(order + "H", len(entries))
    for tag, kind, value in entries:
        if kind == _SHORT:
            data += struct.pack(order + "HHIHH", tag, kind, 1, value, 0)
        else:
            data += struct.pack(order + "HHII", tag, kind, 1, value)
    data += struct.pack(order + "I", 0)
    struct.pack_into(order + "I", data, next_at, ifd_at)
    Path(path).write_bytes(bytes(data))
    return Path(path)
