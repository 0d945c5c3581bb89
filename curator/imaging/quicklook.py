"""The quick look: a file in the grid before it is measured.

From one file, a small upright thumbnail in the cache and the EXIF, at a
fraction of the technical stage's cost (pipeline.stages.quicklook runs it).
The thumbnail, cheapest first:
- a JPEG's EXIF thumbnail (IFD1): only the header is parsed;
- a JPEG without one: DCT 1/8 decode; with ``decode=False`` only listed;
- a RAW: its embedded preview (`raw.decode.embedded_thumbnail`);
- anything else: no quick look.
A letterboxed thumbnail is cropped to the photo's aspect (`crop_to_aspect`).

Invariants: pure; never raises (None); the file is read once and hashed as the
technical stage does; a hash in `known_hashes` returns None undecoded; only
`cache_dir` is written, at `cache.quick_look_key`.
"""

from __future__ import annotations

import io
import math
import struct

from PIL import Image

from curator.imaging.cache import quick_look_key, write_jpeg
from curator.imaging.decode import sniff_container
from curator.imaging.decoded import PIXEL_ERRORS
from curator.imaging.errors import ImagingError
from curator.imaging.exif import EXIF_ORIENTATION_TAG, read_exif, valid_orientation
from curator.imaging.formats import is_raw_path
from curator.imaging.orientation import apply_orientation, displayed_size, fit_long_edge
from curator.imaging.technical import THUMBNAIL_QUALITY, content_hash_of, read_file_once
from curator.imaging.types import FileFormat, QuickLook

DCT_SCALE = 8  # libjpeg's smallest scale: 1/8
ASPECT_TOLERANCE = 0.03  # a thumbnail whose aspect differs more was letterboxed
# Damaged pixel data, or a thumbnail too large for memory: no quick look, no harm.
_QUICK_LOOK_ERRORS: tuple[type[BaseException], ...] = (*PIXEL_ERRORS, MemoryError)


def quick_look(
    path: str,
    cache_dir: str,
    *,
    long_edge: int = 320,
    known_hashes: frozenset[str] = frozenset(),
    decode: bool = True,
) -> QuickLook | None:
    """The quick look of one file, or None (see the module docstring). With
    `decode` False a JPEG without an embedded thumbnail is listed without one."""
    try:
        data, mtime_ns = read_file_once(path)
    except ImagingError:
        return None
    if not data:
        return None
    content_hash = content_hash_of(data)
    if content_hash in known_hashes:
        return None
    is_raw = is_raw_path(path)
    exif = read_exif(data, is_raw=is_raw)
    look: tuple[Image.Image | None, int, int] | None
    try:
        if sniff_container(data) == "jpeg":
            look = jpeg_quick_look(data, long_edge, decode=decode)
            file_format = FileFormat.JPEG
        elif is_raw:
            from curator.imaging.raw.decode import embedded_thumbnail  # rawpy only when needed

            look = embedded_thumbnail(data, long_edge=long_edge, exif_orientation=exif.orientation)
            file_format = FileFormat.RAW
        else:
            return None
    except _QUICK_LOOK_ERRORS:
        return None
    if look is None:
        return None
    image, width, height = look
    key: str | None = None
    if image is not None:
        if file_format is FileFormat.RAW and width and height:
            # A RAW's small embedded thumbnail is letterboxed like a JPEG's EXIF one
            # (a 4:3 frame around a 3:2 picture): the tile keeps the photo's aspect.
            image = crop_to_aspect(image, width / height)
        key = quick_look_key(content_hash)
        try:
            write_jpeg(cache_dir, key, image, THUMBNAIL_QUALITY)
        except OSError:
            return None
    return QuickLook(
        path=path,
        content_hash=content_hash,
        size=len(data),
        mtime_ns=mtime_ns,
        format=file_format,
        thumbnail_key=key,
        width=width,
        height=height,
        exif=exif,
    )


def jpeg_quick_look(
    data: bytes, long_edge: int, *, decode: bool = True
) -> tuple[Image.Image | None, int, int]:
    """(upright thumbnail, displayed width, height) of a JPEG: its EXIF thumbnail,
    else a DCT 1/8 decode — or no thumbnail when `decode` is False. Raises
    `PIXEL_ERRORS` on damaged data."""
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
        stored = img.size
        tag = img.getexif().get(EXIF_ORIENTATION_TAG)
        orientation = valid_orientation(tag) if isinstance(tag, int) else 1
        image = _exif_thumbnail_image(img.info.get("exif"), stored)
        if image is None and decode:
            width, height = stored
            img.draft("RGB", (math.ceil(width / DCT_SCALE), math.ceil(height / DCT_SCALE)))
            image = img.convert("RGB")
    width, height = displayed_size(stored, orientation)
    if image is None:
        return None, width, height
    upright = apply_orientation(fit_long_edge(image, long_edge), orientation)
    return upright, width, height


def _exif_thumbnail_image(payload: object, stored: tuple[int, int]) -> Image.Image | None:
    """The EXIF thumbnail as RGB in the photo's aspect, or None when absent or broken."""
    thumb = exif_thumbnail(payload if isinstance(payload, bytes) else None)
    if thumb is None:
        return None
    try:
        with Image.open(io.BytesIO(thumb), formats=["JPEG"]) as small:
            image = small.convert("RGB")
    except PIXEL_ERRORS:
        return None
    return crop_to_aspect(image, stored[0] / stored[1]) if stored[1] else image


def exif_thumbnail(payload: bytes | None) -> bytes | None:
    """The JPEG thumbnail inside an EXIF block (IFD1's JPEGInterchangeFormat and
    Length; offsets from the TIFF header), or None. `payload` is the APP1 body,
    with or without its ``Exif\\0\\0`` prefix."""
    if not payload:
        return None
    tiff = payload[6:] if payload.startswith(b"Exif\x00\x00") else payload
    order = {b"II": "<", b"MM": ">"}.get(bytes(tiff[:2]))
    if order is None:
        return None
    try:
        ifd0 = struct.unpack_from(order + "I", tiff, 4)[0]
        count0 = struct.unpack_from(order + "H", tiff, ifd0)[0]
        ifd1 = struct.unpack_from(order + "I", tiff, ifd0 + 2 + 12 * count0)[0]
        if ifd1 == 0:
            return None
        count1 = struct.unpack_from(order + "H", tiff, ifd1)[0]
        values: dict[int, int] = {}
        for index in range(count1):
            entry = ifd1 + 2 + 12 * index
            tag, kind = struct.unpack_from(order + "HH", tiff, entry)
            if tag in (0x0201, 0x0202):
                fmt = "H" if kind == 3 else "I"
                values[tag] = struct.unpack_from(order + fmt, tiff, entry + 8)[0]
    except struct.error:
        return None
    offset, length = values.get(0x0201, 0), values.get(0x0202, 0)
    if not offset or not length or offset + length > len(tiff):
        return None
    thumb = bytes(tiff[offset : offset + length])
    return thumb if thumb.startswith(b"\xff\xd8") else None


def crop_to_aspect(image: Image.Image, aspect: float) -> Image.Image:
    """`image` cropped about its centre to `aspect` (width / height) when it is
    off by more than `ASPECT_TOLERANCE` (a camera's letterboxed 4:3 thumbnail)."""
    width, height = image.size
    if not height or abs(width / height - aspect) <= ASPECT_TOLERANCE * aspect:
        return image
    if width / height > aspect:  # too wide: bars left and right
        keep = max(1, round(height * aspect))
        left = (width - keep) // 2
        return image.crop((left, 0, left + keep, height))
    keep = max(1, round(width / aspect))
    top = (height - keep) // 2
    return image.crop((0, top, width, top + keep))
