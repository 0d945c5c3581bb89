"""A JPEG rendition of an original at a long edge: upright, sRGB, EXIF kept.

`render_jpeg` decodes with the loupe's decoder
(`imaging.decode.decode_for_display`; a RAW that cannot render falls back to
its embedded JPEG), shrinks (never enlarges) to the long edge, converts to
sRGB, applies the quarter-turns and tags orientation 1. EXIF is the
original's with orientation 1, the new size, colour space sRGB and no
thumbnail and no maker note (its offsets point into the original; a RAW gets
the catalog's capture fields), completed with the tags the EXIF standard
requires, each in the standard's type. The JPEG
comment `curator-export source-blake3=<hash> long-edge=<n>` identifies the
rendition later (`rendition_marker_of`).
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
from datetime import datetime

from PIL import Image, ImageCms, TiffTags

from curator.export.plan import CaptureInfo
from curator.imaging.decode import decode_for_display, decode_image
from curator.imaging.decoded import PIXEL_ERRORS, check_pixel_count
from curator.imaging.errors import ImagingError
from curator.imaging.exif import read_exif, valid_orientation
from curator.imaging.formats import is_raw_path
from curator.imaging.orientation import apply_orientation, fit_long_edge, turn_clockwise
from curator.imaging.regular import read_regular

QUALITY = 92
_FAST_PATH_ERRORS: tuple[type[Exception], ...] = (*PIXEL_ERRORS, ImagingError)
MAX_PIXELS = 250_000_000  # as the loupe's decoder: refuse decompression bombs
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


def rendition_marker(content_hash: str, long_edge: int, quarter_turns: int = 0) -> str:
    """The JPEG comment naming a rendition; a photo the user turned says so
    (` turn=N`), so turning it later makes the old rendition not this one."""
    marker = f"curator-export source-blake3={content_hash} long-edge={long_edge}"
    turns = quarter_turns % 4
    return f"{marker} turn={turns}" if turns else marker


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


def render_jpeg(
    source: str,
    long_edge: int,
    content_hash: str,
    capture: CaptureInfo,
    *,
    xmp: bytes | None = None,
    quarter_turns: int = 0,
) -> bytes:
    """The rendition's JPEG bytes (see the module docstring), with `xmp` (a packet)
    in its XMP segment and `quarter_turns` applied. Raises `ImagingError` (a
    sentence) when the original cannot be decoded, OSError when not read."""
    image, exif = rendered_pixels(source, long_edge, quarter_turns)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=QUALITY,
        exif=rendition_exif(exif, capture, image.size),
        comment=rendition_marker(content_hash, long_edge, quarter_turns).encode("ascii"),
        **({"xmp": xmp} if xmp else {}),
    )
    return out.getvalue()


def rendered_pixels(
    source: str, long_edge: int, quarter_turns: int = 0
) -> tuple[Image.Image, Image.Exif | None]:
    """A rendition's pixels (upright, sRGB, RGB, at most `long_edge`, turned by
    `quarter_turns`) and the original's EXIF (None for a RAW or none read)."""
    image = turn_clockwise(_upright(source, long_edge), quarter_turns)
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
    return image, exif


# What a copy for someone else (a client gallery) leaves out unless asked:
# where it was taken and what identifies the camera and its owner.
_PRIVATE_EXIF = (0xA430, 0xA431, 0xA435, 0xA420)  # owner, body and lens serials, unique id
_PRIVATE_IFD0 = (0xC62F,)  # DNG's CameraSerialNumber


def rendition_exif(
    exif: Image.Exif | None, capture: CaptureInfo, size: tuple[int, int], *, private: bool = True
) -> bytes:
    """The EXIF bytes of a rendition of `size`: the original's (`exif`) or the
    catalog's capture fields, orientation 1, sRGB, no maker note; with
    `private=False`, also without GPS, serial numbers and the owner's name."""
    chosen = exif if exif else _exif_from_capture(capture)
    if not private:
        chosen.pop(_GPS_IFD, None)
        for tag in _PRIVATE_IFD0:
            chosen.pop(tag, None)
        sub = chosen.get_ifd(_EXIF_IFD)
        for tag in _PRIVATE_EXIF:
            sub.pop(tag, None)
    return _exif_bytes(chosen, size)


def _upright(source: str, long_edge: int) -> Image.Image:
    """The original's upright pixels at (at most) `long_edge` (a RAW that cannot
    be rendered: the picture Curator shows for it, see the module docstring)."""
    fast = _jpeg_at_size(source, long_edge)
    if fast is not None:
        return fast
    try:
        return fit_long_edge(Image.fromarray(decode_for_display(source)), long_edge)
    except ImagingError as exc:
        if not is_raw_path(source):
            raise _for_export(exc) from exc
        first = exc
    data = read_regular(source)
    try:
        decoded = decode_image(
            data,
            is_raw=True,
            preview_long_edge=long_edge,
            exif_orientation=read_exif(data, is_raw=True).orientation,
        )
    except ImagingError as exc:
        raise _for_export(first) from exc
    return decoded.preview


def _jpeg_at_size(source: str, long_edge: int) -> Image.Image | None:
    """A JPEG decoded straight at the smallest DCT scale (1/2, 1/4, 1/8) that still
    covers `long_edge`, upright: the pixels `decode_for_display` would give, shrunk
    by libjpeg's own low-pass instead of after a full decode (3-4x faster for a
    2048 px rendition of a 24 MP JPEG). None for anything else, or on any error
    (`decode_for_display` then decodes it and says what is wrong)."""
    if is_raw_path(source):
        return None  # a RAW's embedded JPEG is decode_for_display's business
    try:
        with Image.open(source) as img:
            if img.format != "JPEG":
                return None
            check_pixel_count(img.width, img.height, MAX_PIXELS)
            scale = min(1.0, long_edge / max(img.size))
            img.draft("RGB", (math.ceil(img.width * scale), math.ceil(img.height * scale)))
            orientation = img.getexif().get(_ORIENTATION)
            rgb = img.convert("RGB")
    except _FAST_PATH_ERRORS:
        return None
    if isinstance(orientation, int) and orientation != 1:
        rgb = apply_orientation(rgb, valid_orientation(orientation))
    return fit_long_edge(rgb, long_edge)


def _for_export(exc: ImagingError) -> ImagingError:
    """The decoder's sentence without the loupe's "showing the preview" ending."""
    text = re.split(r"[;,]? ?[Ss]howing (?:the|the camera's) preview(?: instead)?", exc.message)[0]
    text = text.strip().rstrip(".;,") + "."
    if text.split(" ", 1)[0] in ("This", "The"):
        text = text[0].lower() + text[1:]
    return type(exc)(f"Curator cannot render this photo: {text}", exc.detail)


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


# What the EXIF standard requires of a JPEG's IFD0 and Exif IFD, where the
# original's EXIF (or the catalog's capture fields) lacks it: `exiftool -validate`
# finds nothing missing in what a rendition carries.
_REQUIRED_IFD0 = {0x011A: 72.0, 0x011B: 72.0, 0x0128: 2, 0x0213: 1}  # 72 dpi, centred
_REQUIRED_EXIF = {
    0x9000: b"0232",  # the Exif version, 2.32
    0x9101: b"\x01\x02\x03\x00",  # the components' configuration: Y Cb Cr
    0xA000: b"0100",  # the Flashpix version, 1.0
}
_COLOR_SPACE = 0xA001  # 1: sRGB, what every rendition is converted to
# Exif IFD tags whose type Pillow's table lacks: it would write an original's
# value back as bytes of numbers (int8u) or an unsigned rational, which
# `exiftool -validate` calls non-standard. The types are the EXIF standard's.
_EXIF_TYPES = {
    0x9101: ("ComponentsConfiguration", TiffTags.UNDEFINED),
    0x9201: ("ShutterSpeedValue", TiffTags.SIGNED_RATIONAL),
    0x9203: ("BrightnessValue", TiffTags.SIGNED_RATIONAL),
    0x9204: ("ExposureBiasValue", TiffTags.SIGNED_RATIONAL),
    0x8833: ("ISOSpeed", TiffTags.LONG),
    0x9286: ("UserComment", TiffTags.UNDEFINED),
    0xA300: ("FileSource", TiffTags.UNDEFINED),
    0xA301: ("SceneType", TiffTags.UNDEFINED),
}
_EXIF_GROUP = TiffTags.TAGS_V2_GROUPS.setdefault(_EXIF_IFD, {})
for _tag, (_name, _type) in _EXIF_TYPES.items():
    _EXIF_GROUP.setdefault(_tag, TiffTags.TagInfo(_tag, _name, _type, 0))
TiffTags.TAGS_V2.setdefault(0xC4A5, TiffTags.TagInfo(0xC4A5, "PrintIM", TiffTags.UNDEFINED, 0))


def _undefined(value: object) -> object:
    """An original's value of an UNDEFINED tag as bytes, however Pillow read it
    (bytes; a tuple of numbers where the file said BYTE; text); else as it is."""
    if isinstance(value, tuple | list) and all(isinstance(v, int) and 0 <= v < 256 for v in value):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    return value


def _exif_bytes(exif: Image.Exif, size: tuple[int, int]) -> bytes:
    exif[_ORIENTATION] = 1
    if _WIDTH in exif or _HEIGHT in exif:
        exif[_WIDTH], exif[_HEIGHT] = size
    for tag, value in _REQUIRED_IFD0.items():
        exif.setdefault(tag, value)
    sub = exif.get_ifd(_EXIF_IFD)
    for tag, required in _REQUIRED_EXIF.items():
        sub.setdefault(tag, required)
    sub[_COLOR_SPACE] = 1
    sub[_PIXEL_X], sub[_PIXEL_Y] = size
    # A maker note holds offsets into the original's file: moved into the
    # rendition's EXIF it points at the wrong bytes (exiftool: "possibly
    # incorrect maker notes offsets"), so a rendition carries none.
    sub.pop(_MAKER_NOTE, None)
    for tag, (_name, kind) in _EXIF_TYPES.items():
        if kind == TiffTags.UNDEFINED and tag in sub:
            sub[tag] = _undefined(sub[tag])
    try:
        data = exif.tobytes()
    except (TypeError, ValueError, struct.error):  # an original's odd value Pillow can't write
        for tag in _EXIF_TYPES:
            sub.pop(tag, None)  # the rendition goes without those tags rather than fail
        data = exif.tobytes()
    if len(data) > _MAX_EXIF:  # still too big: keep IFD0 only
        for tag in (_EXIF_IFD, _GPS_IFD):
            exif.pop(tag, None)
        data = exif.tobytes()
    return data
