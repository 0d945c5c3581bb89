"""Decode one image file's bytes into full-resolution luma + an oriented preview.

`decode_image` makes a `DecodedImage` (luma for the metrics, an upright RGB
preview, the displayed size, the real format); RAW goes to
imaging.raw.decode. `decode_for_display` is the loupe's 100 % decoder, with
the preview's very pixel conversion; `decode_display_request` is its
never-raising form for a child process.

Raster files:
- content decides: Pillow's JPEG, PNG, TIFF, WebP and HEIF only; else an
  `UnsupportedFormatError` (`describe_contents`);
- the pixel count is checked against `max_pixels` before decoding
  (`DecompressionBombError`);
- JPEG: one DCT-scaled decode (imaging.jpegscale) covering the preview and
  `metrics.WORKING_LONG_EDGE` (24 MP: ~85 ms instead of ~235 ms, metrics
  within 6 points); truncation raises (``ImageFile.LOAD_TRUNCATED_IMAGES``
  stays False);
- others: one Pillow decode; 16-bit grey scaled, odd modes via OpenCV, alpha
  on white.

Invariants: `luma` is a C-contiguous 2-D uint8 array in stored orientation;
`preview` is RGB and upright; every failure is a typed `ImagingError`.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import cv2
import numpy as np
import pillow_heif
from PIL import Image, ImageFile, UnidentifiedImageError

from curator.imaging.decoded import PIXEL_ERRORS, DecodedImage, check_pixel_count
from curator.imaging.errors import (
    CorruptImageError,
    DecompressionBombError,
    ImagingError,
    UnsupportedFormatError,
)
from curator.imaging.exif import EXIF_ORIENTATION_TAG, read_exif, valid_orientation
from curator.imaging.formats import is_raw_path
from curator.imaging.jpegscale import decode_jpeg_scaled
from curator.imaging.orientation import (
    apply_orientation,
    apply_orientation_pixels,
    displayed_size,
    fit_long_edge,
)
from curator.imaging.regular import read_regular
from curator.imaging.types import FileFormat, MetricsSource

pillow_heif.register_heif_opener()
# Pillow's own bomb guard is off: `max_pixels` is enforced here before decoding, and
# Pillow's lower limit (179 MP) would refuse legitimate panoramas with the wrong error.
Image.MAX_IMAGE_PIXELS = None

_PIL_FORMATS: dict[str, FileFormat] = {
    "JPEG": FileFormat.JPEG,
    "MPO": FileFormat.JPEG,  # multi-picture JPEG (many cameras): the first frame is the photo
    "PNG": FileFormat.PNG,
    "TIFF": FileFormat.TIFF,
    "WEBP": FileFormat.WEBP,
    "HEIF": FileFormat.HEIF,
}

# Containers whose bytes are plainly raster: a RAW name over them (a camera JPEG
# renamed .nef) is decoded as raster.
RASTER_CONTAINERS = ("jpeg", "png", "webp", "heif")
# Pillow's JPEG opener returns an MPO image itself when the file is one.
_PIL_OPENERS = ["JPEG", "PNG", "TIFF", "WEBP", "HEIF"]

TRUNCATED_MESSAGE = (
    "The file is cut short: only part of the picture is there "
    "(often an interrupted copy or a failing card)."
)


def decode_image(
    data: bytes,
    *,
    is_raw: bool,
    preview_long_edge: int = 1440,
    max_pixels: int = 250_000_000,
    exif_orientation: int = 1,
    camera: str | None = None,
) -> DecodedImage:
    """Decode a whole file's bytes. `is_raw` comes from the extension (see
    `RASTER_CONTAINERS`); `exif_orientation` and `camera` are hints for RAW files
    (when LibRaw reports no orientation; the camera name in messages)."""
    if is_raw and sniff_container(data) not in RASTER_CONTAINERS:
        from curator.imaging.raw.decode import decode_raw  # rawpy only when needed

        return decode_raw(
            data,
            preview_long_edge=preview_long_edge,
            max_pixels=max_pixels,
            exif_orientation=exif_orientation,
            camera=camera,
        )
    return decode_raster(data, preview_long_edge=preview_long_edge, max_pixels=max_pixels)


def decode_raster(data: bytes, *, preview_long_edge: int, max_pixels: int) -> DecodedImage:
    """Decode a JPEG/PNG/TIFF/WebP/HEIF file's bytes (see the module docstring)."""
    img = _open_raster(data)
    with img:
        file_format = _PIL_FORMATS[str(img.format)]
        stored = img.size
        check_pixel_count(stored[0], stored[1], max_pixels)
        try:
            if file_format is not FileFormat.JPEG:
                # Decode before reading EXIF: Pillow's PNG `getexif()` loads the pixels
                # itself, and `_orientation_of` swallows its errors — a damaged IDAT
                # would then leave a zero-filled (black) image that "loaded" fine.
                img.load()
            orientation = _orientation_of(img)
            if file_format is FileFormat.JPEG:
                luma, preview = decode_jpeg_scaled(img, preview_long_edge)
            else:
                luma, preview = _decode_other(img, data, preview_long_edge)
        except PIXEL_ERRORS as exc:
            raise _pixel_error(exc) from exc
    width, height = displayed_size(stored, orientation)
    return DecodedImage(
        luma=luma,
        preview=apply_orientation(preview, orientation),
        width=width,
        height=height,
        format=file_format,
        metrics_source=MetricsSource.IMAGE,
        orientation=orientation,
    )


def _open_raster(data: bytes) -> Image.Image:
    """Pillow's lazy image over `data` (header parsed, no pixel decoded yet)."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Truncation detection relies on Pillow raising; never trade it silently.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for Curator")
    try:
        return Image.open(io.BytesIO(data), formats=_PIL_OPENERS)
    except UnidentifiedImageError as exc:
        raise _not_identified(data, exc) from exc
    except Image.DecompressionBombError as exc:  # only if someone re-enabled Pillow's guard
        raise DecompressionBombError(
            "The image declares more pixels than the safety limit; Curator did not open "
            "it to protect your computer's memory.",
            str(exc),
        ) from exc
    except PIXEL_ERRORS as exc:
        raise CorruptImageError(
            "The picture's header is damaged, so Curator cannot tell what it contains.",
            str(exc),
        ) from exc


def _orientation_of(img: Image.Image) -> int:
    try:
        value = img.getexif().get(EXIF_ORIENTATION_TAG)
    except PIXEL_ERRORS:
        return 1  # a broken EXIF block must not fail an otherwise good picture
    return valid_orientation(value) if isinstance(value, int) else 1


def _decode_other(img: Image.Image, data: bytes, long_edge: int) -> tuple[np.ndarray, Image.Image]:
    img.load()
    rgb_or_grey = _to_8bit(img)
    if rgb_or_grey is None:
        rgb_or_grey = _decode_with_opencv(data)
    array = np.asarray(rgb_or_grey)
    if array.ndim == 2:
        luma = array
        preview_source = rgb_or_grey.convert("RGB")
    else:
        luma = cv2.cvtColor(array, cv2.COLOR_RGB2GRAY)
        preview_source = rgb_or_grey
    return np.ascontiguousarray(luma), fit_long_edge(preview_source, long_edge)


def _to_8bit(img: Image.Image) -> Image.Image | None:
    """An 8-bit "L" or "RGB" version of a loaded image, or None if Pillow can't."""
    mode = img.mode
    if mode in ("RGB", "L"):
        return img
    if mode.startswith("I;16") or mode in ("I", "F"):
        array = np.asarray(img)
        if mode == "F":
            top = 1.0 if float(array.max(initial=0.0)) <= 1.0 else 255.0
            return Image.fromarray(np.clip(array * (255.0 / top), 0, 255).astype(np.uint8))
        # 16-bit samples: map 0..65535 linearly onto 0..255 (the code values are
        # already gamma-encoded in photographic TIFF/PNG files).
        return Image.fromarray(_scale_16_to_8(array))
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    try:
        return img.convert("RGB")
    except ValueError:  # "conversion not supported" for exotic modes
        return None


def _scale_16_to_8(array: np.ndarray) -> np.ndarray:
    wide = np.clip(array.astype(np.float32), 0, 65535)
    return np.ascontiguousarray((wide * (255.0 / 65535.0) + 0.5).astype(np.uint8))


def _decode_with_opencv(data: bytes) -> Image.Image:
    array = cv2.imdecode(
        np.frombuffer(data, np.uint8),
        cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH | cv2.IMREAD_IGNORE_ORIENTATION,
    )
    if array is None:
        raise UnsupportedFormatError(
            "Curator recognised this picture's format but cannot decode its kind of pixel "
            "data (an unusual colour mode or bit depth).",
            "Pillow could not convert the mode and OpenCV imdecode returned None",
        )
    if array.dtype == np.uint16:
        array = _scale_16_to_8(array)
    elif array.dtype != np.uint8:
        array = np.clip(array, 0, 1).astype(np.float32) * 255.0
        array = array.astype(np.uint8)
    return Image.fromarray(cv2.cvtColor(array, cv2.COLOR_BGR2RGB))


def _pixel_error(exc: Exception) -> CorruptImageError:
    text = str(exc)
    if isinstance(exc, EOFError) or "truncated" in text or "incomplete" in text:
        return CorruptImageError(TRUNCATED_MESSAGE, text)
    return CorruptImageError(
        "The picture data is damaged: the file was recognised but its pixels could not be decoded.",
        text,
    )


def sniff_container(data: bytes) -> str | None:
    """A guess at the container from the first bytes: "jpeg", "png", "tiff", "webp",
    "heif", or None. Used for messages and to route misnamed files; Pillow and
    LibRaw still have the last word."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "heif"
    return None


_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"GIF8", "a GIF image, which Curator does not import"),
    (b"BM", "a BMP image, which Curator does not import"),
    (b"8BPS", "a Photoshop document"),
    (b"\x1f\x8b", "a compressed (gzip) archive"),
    (b"Rar!", "a RAR archive"),
    (b"ID3", "an MP3 audio file"),
)


def describe_contents(data: bytes) -> str:
    """A short phrase saying what unrecognised bytes look like ("text", "a PDF ...")."""
    for magic, description in _OTHER_MAGIC:
        if data.startswith(magic):
            return description
    if data[4:8] == b"ftyp":
        return "a video or other media file"
    sample = data[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the sample's end is still text.
        text = sample[:-4].decode("utf-8", errors="replace") if len(sample) > 4 else ""
    if text and "\x00" not in text and "\ufffd" not in text:
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable / len(text) > 0.95:
            return "text"
    return "unrecognised data"


def _not_identified(data: bytes, exc: Exception) -> Exception:
    container = sniff_container(data)
    if container is not None:
        names = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "webp": "WebP", "heif": "HEIC"}
        return CorruptImageError(
            f"The file starts like a {names[container]} picture but the rest is damaged or "
            "missing (often an interrupted copy or a failing card).",
            str(exc),
        )
    return UnsupportedFormatError(
        "This file is not a picture Curator can read: its contents are not JPEG, PNG, "
        f"TIFF, WebP or HEIC (it looks like {describe_contents(data)}).",
        str(exc),
    )


# --- full resolution, for the 100 % view --------------------------------------


@dataclass(frozen=True)
class DisplayRequest:
    """One original to decode at full size, or as a screen rendition of
    `long_edge` pixels (picklable: it crosses to a child process)."""

    path: str
    max_pixels: int = 250_000_000
    long_edge: int | None = None  # a rendition for the screen: at most this long edge


@dataclass(frozen=True)
class DisplayDecode:
    """What `decode_display_request` returns: the pixels, or a human sentence."""

    pixels: np.ndarray | None  # (h, w, 3) uint8 RGB, upright
    error: str | None = None


def decode_for_display(
    path: str | os.PathLike[str], *, max_pixels: int = 250_000_000
) -> np.ndarray:
    """The original's full-resolution pixels for the 100 % view: a C-contiguous
    (height, width, 3) uint8 RGB array, upright, in the tone of the preview
    `decode_image` makes (the same 8-bit conversion; for RAW,
    `raw.decode.decode_raw_for_display`). Raises `ImagingError` with a human
    sentence, or OSError when the file cannot be read."""
    data = read_regular(path)  # never a FIFO or device: it would hang or read forever
    if is_raw_path(path) and sniff_container(data) not in RASTER_CONTAINERS:
        from curator.imaging.raw.decode import decode_raw_for_display  # rawpy only when needed

        orientation = read_exif(data, is_raw=True).orientation
        return decode_raw_for_display(data, max_pixels=max_pixels, exif_orientation=orientation)
    return decode_raster_for_display(data, max_pixels=max_pixels)


def decode_raster_for_display(data: bytes, *, max_pixels: int) -> np.ndarray:
    """A JPEG/PNG/TIFF/WebP/HEIF file's full-resolution RGB (see `decode_for_display`)."""
    img = _open_raster(data)
    with img:
        check_pixel_count(img.width, img.height, max_pixels)
        orientation = _orientation_of(img)
        try:
            img.load()
            if _PIL_FORMATS[str(img.format)] is FileFormat.JPEG:
                rgb = img if img.mode == "RGB" else img.convert("RGB")
            else:
                # Exactly the preview's conversion (`_decode_other`): same tone.
                eight_bit = _to_8bit(img) or _decode_with_opencv(data)
                rgb = eight_bit if eight_bit.mode == "RGB" else eight_bit.convert("RGB")
        except PIXEL_ERRORS as exc:
            raise _pixel_error(exc) from exc
        upright = rgb if orientation == 1 else apply_orientation(rgb, orientation)
        return np.ascontiguousarray(np.asarray(upright))


def screen_rendition(pixels: np.ndarray, long_edge: int) -> np.ndarray:
    """`pixels` with the long edge `long_edge` at most, area-averaged (every original
    pixel counts: the most detail a screen of that size can show)."""
    height, width = pixels.shape[:2]
    if max(height, width) <= long_edge:
        return pixels
    scale = long_edge / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.ascontiguousarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA))


def decode_display_request(request: DisplayRequest) -> DisplayDecode:
    """`decode_for_display` for a child process (`engine.isolation.ChildProcessPool`):
    never raises, the failure is a sentence."""
    try:
        pixels = decode_for_display(request.path, max_pixels=request.max_pixels)
        if request.long_edge is not None:
            pixels = screen_rendition(pixels, request.long_edge)
        return DisplayDecode(pixels)
    except ImagingError as exc:
        said = "preview" in exc.message
        return DisplayDecode(None, exc.message if said else f"{exc.message} Showing the preview.")
    except FileNotFoundError:
        return DisplayDecode(
            None,
            "The original file is missing (moved, renamed or on a disk that is not "
            "connected), so only the preview can be shown.",
        )
    except PermissionError:
        return DisplayDecode(
            None, "Curator may not read the original file (permissions); showing the preview."
        )
    except MemoryError:
        return DisplayDecode(
            None, "Not enough memory to open the original at full size; showing the preview."
        )
    except OSError as exc:
        return DisplayDecode(
            None, f"The original could not be read ({exc.strerror or exc}); showing the preview."
        )


DETAIL_LONG_EDGE = 3072  # a detail decode's cap: a 24 MP JPEG at half its size (its DCT scaling)


def decode_detail(
    data: bytes, *, orientation: int, long_edge: int = DETAIL_LONG_EDGE
) -> np.ndarray | None:
    """The upright RGB pixels of a raster file's bytes at up to `long_edge` (a
    JPEG DCT-scaled to no less than 3/4 of it), for a second, sharper look at a
    frame (a group's small faces: `ml.faces.groups`); None when the file does
    not decode. A second decode: only asked for a frame that needs it."""
    try:
        img = _open_raster(data)
        if max(img.size) > long_edge and img.format == "JPEG":
            # The largest DCT reduction that keeps 3/4 of `long_edge`.
            ratio = 0.75 * long_edge / max(img.size)
            img.draft("RGB", (int(img.width * ratio) + 1, int(img.height * ratio) + 1))
        img.load()
        eight = _to_8bit(img)  # 16-bit and float samples scaled as the preview's were
        if eight is None:
            return None
        # One copy of the pixels, into numpy: the turn is a view of it.
        rgb = eight if eight.mode == "RGB" else eight.convert("RGB")
        if max(rgb.size) > long_edge:
            rgb = fit_long_edge(rgb, long_edge)
        return apply_orientation_pixels(np.asarray(rgb), orientation)
    except (ImagingError, MemoryError):
        return None
    except PIXEL_ERRORS:
        return None
