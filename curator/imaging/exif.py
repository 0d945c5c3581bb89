"""EXIF reading from in-memory file bytes into `ExifData`.

exifread (``details=False``) reads JPEG, TIFF, HEIF and TIFF-based RAWs; shims
hand it Fujifilm RAF's and Canon CR3's EXIF; Pillow's ``getexif()`` is the
fallback for non-RAW files.

Invariants: `read_exif` never raises (whatever could be read); strings are cut
at the first NUL and stripped, empty ones None; dates are naive, as written,
placeholders None; `orientation` is 1..8 (1 when absent or invalid).
"""

from __future__ import annotations

import io
import logging
import re
import struct
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import exifread
from PIL import Image, UnidentifiedImageError

from curator.imaging.drive_mode import read_drive
from curator.imaging.types import ExifData

# exifread logs "File format not recognized." at WARNING for every non-EXIF file
# (Kodak .raw, CR3...). That is expected here, not a warning worth showing.
logging.getLogger("exifread").setLevel(logging.ERROR)

EXIF_ORIENTATION_TAG = 0x0112  # IFD0's Orientation (1..8)
# The default pixel guard (Settings.max_image_megapixels), in pixels.
DEFAULT_MAX_PIXELS = 250_000_000

_DATE_RE = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")

# Pillow tag ids of the dates, read by the fallback (IFD0 and the Exif sub-IFD 0x8769).
_PIL_DATETIME = 0x0132
_PIL_DATE_ORIGINAL, _PIL_DATE_DIGITIZED, _PIL_SUBSEC_ORIGINAL = 0x9003, 0x9004, 0x9291


def read_exif(data: bytes, *, is_raw: bool, max_pixels: int = DEFAULT_MAX_PIXELS) -> ExifData:
    """Read the catalogued EXIF fields from a whole file's bytes; never raises.

    `max_pixels` is the decoders' pixel guard: Pillow's PNG `getexif()` decodes
    the whole image to find an eXIf chunk after the pixels, so an image that
    declares more pixels is not asked for its EXIF at all (the decode then
    refuses it with the guard's sentence)."""
    fields: dict[str, Any] = {}
    try:
        tags = _exifread_tags(data)
        fields = _from_exifread(tags)
        fields.update(_drive(data, tags))
    except Exception:
        # exifread raises a zoo of types on malformed input (IndexError, KeyError,
        # struct.error, ValueError, ...). EXIF is optional metadata; losing it must
        # not fail the photo, so this is the one deliberately broad catch.
        fields = {}
    if not fields and not is_raw:
        fields = _from_pillow(data, max_pixels)
    return ExifData(**fields)


def _drive(data: bytes, tags: Mapping[str, Any]) -> dict[str, Any]:
    """Drive mode and sequence index (imaging.drive_mode): exifread does not
    parse maker notes with ``details=False`` (parsing them all costs ~100 ms)."""
    make = clean_text(tags["Image Make"].values) if "Image Make" in tags else None
    mode_tag = tags.get("EXIF ExposureMode")
    exposure_mode = _as_int(mode_tag.values) if mode_tag is not None else None
    mode, seq = read_drive(data, make, exposure_mode)
    out: dict[str, Any] = {}
    _put(out, "drive_mode", mode)
    _put(out, "sequence_index", seq)
    return out


def _exifread_tags(data: bytes) -> dict[str, Any]:
    """exifread's tags, reaching into the two RAW containers it does not parse:
    Fujifilm RAF (EXIF lives in the embedded JPEG) and Canon CR3 (ISO-BMFF whose
    CMT1/CMT2 boxes hold bare TIFF blocks for IFD0 and the Exif IFD)."""
    if data.startswith(b"FUJIFILMCCD-RAW"):
        offset, length = struct.unpack(">II", data[84:92])
        data = data[offset : offset + length]
    elif data[4:12] == b"ftypcrx ":
        tags: dict[str, Any] = {}
        for box, prefix in ((b"CMT1", "Image "), (b"CMT2", "EXIF ")):
            at = data.find(box, 0, 1 << 16)
            if at < 4:
                continue
            size = int.from_bytes(data[at - 4 : at], "big")
            block = exifread.process_file(
                io.BytesIO(data[at + 4 : at - 4 + size]), details=False, extract_thumbnail=False
            )
            # Each block parses as an IFD0 ("Image ..."); name them after the IFD they are.
            tags.update({prefix + key.split(" ", 1)[-1]: tag for key, tag in block.items()})
        return tags
    return dict(exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False))


def _from_exifread(tags: Mapping[str, Any]) -> dict[str, Any]:
    def get(*names: str) -> Any:
        for name in names:
            tag = tags.get(name)
            if tag is not None:
                return tag.values
        return None

    fields: dict[str, Any] = {}
    captured = None
    for date_tag, subsec_tag in (
        ("EXIF DateTimeOriginal", "EXIF SubSecTimeOriginal"),
        ("Image DateTimeOriginal", "EXIF SubSecTimeOriginal"),  # IFD0 (some DNG/TIFF writers)
        ("EXIF DateTimeDigitized", "EXIF SubSecTimeDigitized"),
        ("Image DateTime", "EXIF SubSecTime"),
    ):
        captured = parse_exif_datetime(get(date_tag), get(subsec_tag))
        if captured is not None:
            break
    _put(fields, "captured_at", captured)
    _put(fields, "capture_subsec", subsec_ms(get(subsec_tag) if captured is not None else None))
    for name, exifread_names, _pillow_tag, convert in _FIELDS:
        _put(fields, name, convert(get(*exifread_names)))
    return fields


def _from_pillow(data: bytes, max_pixels: int) -> dict[str, Any]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > max_pixels:
                return {}  # a decompression bomb: its EXIF is not worth the memory
            exif = img.getexif()
            ifds = {"ifd0": dict(exif), "exif": dict(exif.get_ifd(0x8769))}
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        struct.error,
    ):
        return {}
    sub = ifds["exif"]
    fields: dict[str, Any] = {}
    for date_tag in (_PIL_DATE_ORIGINAL, _PIL_DATE_DIGITIZED):
        subsec = sub.get(_PIL_SUBSEC_ORIGINAL) if date_tag == _PIL_DATE_ORIGINAL else None
        captured = parse_exif_datetime(sub.get(date_tag), subsec)
        if captured is not None:
            break
    else:
        captured = parse_exif_datetime(ifds["ifd0"].get(_PIL_DATETIME), None)
    _put(fields, "captured_at", captured)
    if captured is not None and date_tag == _PIL_DATE_ORIGINAL:
        _put(fields, "capture_subsec", subsec_ms(sub.get(_PIL_SUBSEC_ORIGINAL)))
    for name, _exifread_names, (ifd, tag), convert in _FIELDS:
        _put(fields, name, convert(ifds[ifd].get(tag)))
    return fields


def _put(fields: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        fields[key] = value


def valid_orientation(value: int | None) -> int:
    """`value` when it is a valid EXIF orientation (1..8), else 1."""
    return value if value is not None and 1 <= value <= 8 else 1


def clean_text(value: object) -> str | None:
    """A tidy EXIF string: cut at the first NUL, padding stripped, "" -> None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple):
        return None  # a numeric tag where text was expected: ignore it
    text = str(value).split("\x00", 1)[0].strip()
    return text or None


def parse_exif_datetime(value: object, subsec: object = None) -> datetime | None:
    """Parse ``YYYY:MM:DD HH:MM:SS`` (+ SubSecTime digits) into a naive datetime.

    Returns None for absent, placeholder (``0000:00:00 ...``) or impossible dates.
    """
    text = clean_text(value)
    if text is None:
        return None
    match = _DATE_RE.match(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        parsed = datetime(year, month, day, hour, minute, second)
    except ValueError:  # 0000:00:00, month 13, Feb 30...
        return None
    digits = re.sub(r"\D", "", clean_text(subsec) or "")
    if digits:
        # SubSecTime is the decimal fraction's digits: "80" = .80 s, "016" = .016 s.
        parsed = parsed.replace(microsecond=int(digits[:6].ljust(6, "0")))
    return parsed


def subsec_ms(value: object) -> int | None:
    """SubSecTime digits as milliseconds (0–999): "80" -> 800, "016" -> 16; None
    when absent or not digits."""
    digits = re.sub(r"\D", "", clean_text(value) or "")
    return int(digits[:3].ljust(3, "0")) if digits else None


def _first(value: object) -> object:
    # exifread gives a list of values; a DOUBLE tag written by Pillow nests a tuple.
    while isinstance(value, list | tuple):
        value = value[0] if value else None
    return value


def _as_number(value: object, convert: Callable[[float], float | int]) -> float | int | None:
    value = _first(value)
    if value is None or isinstance(value, str | bytes):
        return None
    try:
        # exifread's Ratio and Pillow's IFDRational are both numbers.Rational-like.
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if number != number or number in (float("inf"), float("-inf")):  # NaN / 0-denominator
        return None
    return convert(number)


def _as_float(value: object) -> float | None:
    number = _as_number(value, float)
    return None if number is None or number <= 0 else float(number)


def _as_signed_float(value: object) -> float | None:
    """A finite float of any sign (ExposureBiasValue is −1.3, 0 or +0.7)."""
    number = _as_number(value, float)
    return None if number is None else round(float(number), 4)


def _as_nonnegative_int(value: object) -> int | None:
    number = _as_int(value)
    return number if number is not None and number >= 0 else None


def _as_int(value: object) -> int | None:
    number = _as_number(value, round)
    return None if number is None else int(number)


def _as_positive_int(value: object) -> int | None:
    number = _as_int(value)
    return number if number is not None and number > 0 else None


def _orientation(value: object) -> int | None:
    number = _as_int(value)
    return None if number is None else valid_orientation(number)


# The catalogued fields both readers read alike: (the `ExifData` field, exifread's
# tag names in order of preference, Pillow's (IFD, tag), the conversion). The dates
# and their sub-seconds are read apart (`_from_exifread`, `_from_pillow`).
_FIELDS: tuple[tuple[str, tuple[str, ...], tuple[str, int], Callable[[object], object]], ...] = (
    ("camera_make", ("Image Make",), ("ifd0", 0x010F), clean_text),
    ("camera_model", ("Image Model",), ("ifd0", 0x0110), clean_text),
    ("lens", ("EXIF LensModel", "MakerNote LensModel"), ("exif", 0xA434), clean_text),
    (
        "iso",
        ("EXIF ISOSpeedRatings", "EXIF PhotographicSensitivity"),
        ("exif", 0x8827),
        _as_positive_int,
    ),
    ("exposure_time", ("EXIF ExposureTime",), ("exif", 0x829A), _as_float),
    ("f_number", ("EXIF FNumber",), ("exif", 0x829D), _as_float),
    ("focal_length", ("EXIF FocalLength",), ("exif", 0x920A), _as_float),
    ("pixel_width", ("EXIF ExifImageWidth",), ("exif", 0xA002), _as_positive_int),
    ("pixel_height", ("EXIF ExifImageLength",), ("exif", 0xA003), _as_positive_int),
    ("exposure_bias", ("EXIF ExposureBiasValue",), ("exif", 0x9204), _as_signed_float),
    ("sequence_number", ("EXIF ImageNumber",), ("exif", 0x9211), _as_nonnegative_int),
    ("body_serial", ("EXIF BodySerialNumber",), ("exif", 0xA431), clean_text),
    ("orientation", ("Image Orientation",), ("ifd0", EXIF_ORIENTATION_TAG), _orientation),
)
