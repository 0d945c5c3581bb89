"""Camera-like files for tests and benches: a DNG with an embedded JPEG preview,
a JPEG with an EXIF thumbnail.

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


def _ifd(entries: list[tuple[int, int, int, bytes]], start: int, next_ifd: int) -> bytes:
    """A little-endian TIFF IFD at `start` (values over 4 bytes follow it)."""
    data_at = start + 2 + 12 * len(entries) + 4
    head, extra = struct.pack("<H", len(entries)), b""
    for tag, kind, count, payload in sorted(entries):
        if len(payload) <= 4:
            head += struct.pack("<HHI", tag, kind, count) + payload.ljust(4, b"\x00")
        else:
            head += struct.pack("<HHII", tag, kind, count, data_at + len(extra))
            extra += payload + (b"\x00" if len(payload) % 2 else b"")
    return head + struct.pack("<I", next_ifd) + extra


def exif_with_thumbnail(
    thumbnail: Image.Image, *, orientation: int = 1, model: str = "Synthetic camera"
) -> bytes:
    """An APP1 EXIF body (``Exif\\0\\0`` + TIFF) as a camera writes it: IFD0 with
    Make/Model/Orientation and IFD1 holding a JPEG thumbnail (JPEGInterchangeFormat)."""
    buffer = io.BytesIO()
    thumbnail.convert("RGB").save(buffer, "JPEG", quality=80)
    thumb = buffer.getvalue()
    ascii_ = 2
    ifd0_entries = [
        (0x010F, ascii_, 8, b"Curator\x00"),
        (0x0110, ascii_, len(model) + 1, model.encode() + b"\x00"),
        (0x0112, _SHORT, 1, struct.pack("<H", orientation)),
    ]
    ifd0_len = len(_ifd(ifd0_entries, 8, 0))
    ifd1_at = 8 + ifd0_len
    ifd1_entries = [
        (0x0103, _SHORT, 1, struct.pack("<H", 6)),
        (0x0201, _LONG, 1, struct.pack("<I", 0)),
        (0x0202, _LONG, 1, struct.pack("<I", len(thumb))),
    ]
    thumb_at = ifd1_at + len(_ifd(ifd1_entries, ifd1_at, 0))
    ifd1_entries[1] = (0x0201, _LONG, 1, struct.pack("<I", thumb_at))
    tiff = (
        b"II*\x00"
        + struct.pack("<I", 8)
        + _ifd(ifd0_entries, 8, ifd1_at)
        + _ifd(ifd1_entries, ifd1_at, 0)
        + thumb
    )
    return b"Exif\x00\x00" + tiff


def make_camera_jpeg(
    path: Path,
    picture: Image.Image,
    *,
    orientation: int = 1,
    thumbnail_size: tuple[int, int] = (160, 120),
    quality: int = 90,
) -> Path:
    """`picture` saved as a camera does: EXIF with an embedded thumbnail (letterboxed
    into `thumbnail_size`, 160 x 120 by default, whatever the picture's aspect)."""
    small = picture.convert("RGB").copy()
    small.thumbnail(thumbnail_size)
    boxed = Image.new("RGB", thumbnail_size, (0, 0, 0))
    boxed.paste(
        small, ((thumbnail_size[0] - small.width) // 2, (thumbnail_size[1] - small.height) // 2)
    )
    exif = exif_with_thumbnail(boxed, orientation=orientation)
    picture.convert("RGB").save(path, "JPEG", quality=quality, exif=exif)
    return path
