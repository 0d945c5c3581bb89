"""A JPEG rendition of an original at a long edge: upright, sRGB, EXIF kept.

Responsibility: `render_jpeg(source, long_edge, content_hash, capture)` returns
the bytes of the rendition (the runner writes them to a temporary name and
renames). Pixels come from the loupe's full-quality decoder
(`imaging.decode.decode_for_display`), so RAW files render as Curator shows
them, already turned upright; they are shrunk (never enlarged) to the long
edge and, when the original carries an ICC profile that is not sRGB,
converted to sRGB.

EXIF: the original's EXIF as Pillow reads it (raster originals), with the
orientation reset to 1 (the pixels are upright now), the pixel dimensions set
to the rendition's, and the embedded thumbnail dropped (it would show the old
picture); RAW originals, whose EXIF Pillow cannot read, get the catalog's
capture fields (make, model, lens, time, ISO, exposure, aperture, focal
length). A maker note that would not fit JPEG's 64 KiB EXIF segment is left out.

Identity: the JPEG comment says `curator-export source-blake3=<hash>
long-edge=<n>`, so a later run recognises its own rendition in the folder
(`rendition_marker_of`) without any other record: a re-run after a crash
renders nothing twice.
"""

from __future__ import annotations

import io
import os
from datetime import datetime

from PIL import Image, ImageCms

from curator.export.plan import CaptureInfo
from curator.imaging.decode import decode_for_display
from curator.imaging.formats import is_raw_path
from curator.imaging.orientation import fit_long_edge

QUALITY = 92
_MAX_EXIF = 65_000  # JPEG's APP1 segment holds 65,533 bytes of EXIF

# EXIF tags (IFD0 and the Exif sub-IFD)
_ORIENTATION, _WIDTH, _HEIGHT, _MAKE, _MODEL, _DATETIME = 0x0112, 0x0100, 0x0101, 271, 272, 306
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_PIXEL_X, _PIXEL_Y, _MAKER_NOTE = 0xA002, 0xA003, 0x927C
_DATETIME_ORIGINAL, _ISO, _EXPOSURE, _FNUMBER, _FOCAL, _LENS = (
    36867,
    34855,
    33434,
    33437,
    37386,
    42036,
)


def rendition_marker(content_hash: str, long_edge: int) -> str:
    return f"curator-export source-blake3={content_hash} long-edge={long_edge}"


def rendition_marker_of(path: str | os.PathLike[str]) -> str | None:
    """The marker comment of a JPEG this exporter wrote; None for any other file."""
    try:
        with Image.open(path) as img:
            comment = img.info.get("comment")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if isinstance(comment, bytes):
        return comment.decode("ascii", errors="replace")
    return None


def render_jpeg(source: str, long_edge: int, content_hash: str, capture: CaptureInfo) -> bytes:
    """The rendition's JPEG bytes (see the module docstring).

    Raises `ImagingError` (a human sentence) when the original cannot be
    decoded, OSError when it cannot be read.
    """
    pixels = decode_for_display(source)
    image = fit_long_edge(Image.fromarray(pixels), long_edge)
    exif: Image.Exif | None = None
    icc: bytes | None = None
    if not is_raw_path(source):
        try:
            with Image.open(source) as original:
                exif = original.getexif()
                icc = original.info.get("icc_profile")
        except (OSError, ValueError):
            exif = None
    if icc:
        image = _to_srgb(image, icc)
    if image.mode != "RGB":
        image = image.convert("RGB")
    exif_bytes = _exif_bytes(exif if exif else _exif_from_capture(capture), image.size)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=QUALITY,
        exif=exif_bytes,
        comment=rendition_marker(content_hash, long_edge).encode("ascii"),
    )
    return out.getvalue()


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """`image` converted from the profile `icc` to sRGB (unchanged when `icc`
    is sRGB already or cannot be used)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(source) or ""
        if "srgb" in description.lower():
            return image
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _exif_from_capture(capture: CaptureInfo) -> Image.Exif:
    exif = Image.Exif()
    if capture.make:
        exif[_MAKE] = capture.make
    if capture.model:
        exif[_MODEL] = capture.model
    sub: dict[int, object] = {}
    if capture.captured_at is not None:
        stamp = _exif_time(capture.captured_at)
        exif[_DATETIME] = stamp
        sub[_DATETIME_ORIGINAL] = stamp
    if capture.iso:
        sub[_ISO] = int(capture.iso)
    if capture.exposure_time:
        sub[_EXPOSURE] = float(capture.exposure_time)
    if capture.f_number:
        sub[_FNUMBER] = float(capture.f_number)
    if capture.focal_length:
        sub[_FOCAL] = float(capture.focal_length)
    if capture.lens:
        sub[_LENS] = capture.lens
    if sub:
        exif.get_ifd(_EXIF_IFD).update(sub)
    return exif


def _exif_time(when: datetime) -> str:
    return when.strftime("%Y:%m:%d %H:%M:%S")


def _exif_bytes(exif: Image.Exif, size: tuple[int, int]) -> bytes:
    exif[_ORIENTATION] = 1
    if _WIDTH in exif or _HEIGHT in exif:
        exif[_WIDTH], exif[_HEIGHT] = size
    sub = exif.get_ifd(_EXIF_IFD)
    if _PIXEL_X in sub or _PIXEL_Y in sub:
        sub[_PIXEL_X], sub[_PIXEL_Y] = size
    data = exif.tobytes()
    if len(data) > _MAX_EXIF:
        sub.pop(_MAKER_NOTE, None)
        data = exif.tobytes()
    if len(data) > _MAX_EXIF:  # still too big: keep IFD0 only
        for tag in (_EXIF_IFD, _GPS_IFD):
            exif.pop(tag, None)
        data = exif.tobytes()
    return data
