"""Decode a RAW file's bytes (rawpy/LibRaw) into a `DecodedImage`, distrusting silent garbage.

Fast path: an embedded JPEG of at least `FAST_PREVIEW_LONG_EDGE` is the
metrics source and the preview (`MetricsSource.RAW_EMBEDDED`); the sensor is
never unpacked.

Sensor path: metrics from a half-size render with the camera white balance
and no auto-brighten (imaging.raw.render, LibRaw's postprocess for other
sensors; JPEG-tiled DNGs via imaging.raw.jpeg_dng). The preview is the
embedded one when large enough, else the render.

The sensor data is *unusable* when the file is too small for its sensor
(`MIN_BYTES_PER_PIXEL`), the raw values are constant (`sensor_is_constant`),
or LibRaw raises; a nearly white render (`SATURATED_FRACTION`) is *suspect*.
Then an embedded preview of at least `MIN_PREVIEW_LONG_EDGE` is used with a
note, else a typed error with a sentence (`_LIBRAW_ERRORS`).

Invariants: those of imaging.decode; the displayed size is the sensor's,
oriented. Only LibRaw's and Pillow's exceptions are caught. Costs:
docs/decisions/imaging.md.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, cast

import cv2
import numpy as np
import rawpy
from PIL import Image

from curator.imaging.decoded import PIXEL_ERRORS, DecodedImage, check_pixel_count
from curator.imaging.errors import (
    CorruptImageError,
    DecompressionBombError,
    ImagingError,
    UnsupportedFormatError,
)
from curator.imaging.exif import EXIF_ORIENTATION_TAG, valid_orientation
from curator.imaging.histogram import HIGHLIGHT_LEVEL
from curator.imaging.jpegscale import decode_jpeg_scaled
from curator.imaging.orientation import (
    apply_orientation,
    displayed_size,
    fit_long_edge,
    fit_long_edge_pixels,
    orientation_from_flip,
    swaps_axes,
)
from curator.imaging.raw.jpeg_dng import read_sensor
from curator.imaging.raw.messages import libraw_messages, with_libraw_said
from curator.imaging.raw.render import SensorSource, render_half_size
from curator.imaging.types import FileFormat, MetricsSource

MIN_BYTES_PER_PIXEL = 0.005
MIN_PREVIEW_LONG_EDGE = 160
SATURATED_FRACTION = 0.80
FAST_PREVIEW_LONG_EDGE = 1440  # an embedded JPEG this large is measured instead of the sensor
FULL_SIZE_FRACTION = 0.95  # an embedded preview this close to the sensor size is "full size"
_EXIF_SOFTWARE_TAG = 0x0131


@dataclass(frozen=True)
class _Thumb:
    image: Image.Image  # RGB, as stored (not yet oriented)
    own_orientation: int | None  # the embedded JPEG's own EXIF orientation, if it has one
    stored_long_edge: int = 0  # the embedded image's long edge before any draft scaling


@dataclass(frozen=True)
class _Header:
    """What LibRaw tells of a RAW before its sensor is unpacked: the stored raw
    size, LibRaw's flip as an EXIF orientation, the orientation to display (the
    flip when LibRaw has one, else the EXIF tag's) and the sensor's visible size
    (width, height; zero when LibRaw reports none)."""

    raw_size: tuple[int, int]
    flip_orientation: int
    orientation: int
    sensor_size: tuple[int, int]

    @classmethod
    def of(cls, raw: rawpy.RawPy, exif_orientation: int, *, max_pixels: int = 0) -> _Header:
        """`raw`'s header; with `max_pixels`, a `DecompressionBombError` past it."""
        sizes = raw.sizes
        raw_size = (int(sizes.raw_width), int(sizes.raw_height))
        if max_pixels:
            check_pixel_count(*raw_size, max_pixels)
        flip_orientation = orientation_from_flip(int(sizes.flip))
        chosen = flip_orientation if flip_orientation != 1 else exif_orientation
        return cls(
            raw_size,
            flip_orientation,
            valid_orientation(chosen),
            (int(sizes.width), int(sizes.height)),
        )

    def raw_pixels(self) -> int:
        return self.raw_size[0] * self.raw_size[1]

    def cut_short(self, file_bytes: int) -> bool:
        """Whether `file_bytes` is far too small for the sensor (`MIN_BYTES_PER_PIXEL`)."""
        pixels = self.raw_pixels()
        return pixels > 0 and file_bytes / pixels < MIN_BYTES_PER_PIXEL


def _open(data: bytes, camera: str | None) -> rawpy.RawPy:
    """LibRaw's reader of `data`; a typed error with a sentence when it cannot open it."""
    try:
        return rawpy.imread(io.BytesIO(data))
    except rawpy.LibRawError as exc:
        raise _libraw_error(exc, camera, "open") from exc


def _nearly_white(luma: np.ndarray) -> bool:
    """Whether a render is almost entirely white: `SATURATED_FRACTION` of its
    luma at or above the blown level (`HIGHLIGHT_LEVEL`). The sensor data then
    decoded wrongly or is blown out; the embedded preview is trusted instead."""
    return float(np.count_nonzero(luma >= HIGHLIGHT_LEVEL)) / luma.size >= SATURATED_FRACTION


def decode_raw(
    data: bytes,
    *,
    preview_long_edge: int,
    max_pixels: int,
    exif_orientation: int = 1,
    camera: str | None = None,
) -> DecodedImage:
    """Decode RAW bytes; see the module docstring for the fallback rules."""
    with _open(data, camera) as raw:
        header = _Header.of(raw, exif_orientation, max_pixels=max_pixels)
        flip_orientation, orientation = header.flip_orientation, header.orientation
        sensor_size, raw_pixels = header.sensor_size, header.raw_pixels()
        cut_short = header.cut_short(len(data))
        embedded = _embedded(raw)
        if not cut_short and embedded is not None:
            fast = decode_embedded_jpeg(
                embedded,
                preview_long_edge=preview_long_edge,
                orientation=orientation,
                sensor_size=sensor_size,
            )
            if fast is not None:
                return fast
        thumb = _extract_thumb(embedded, preview_long_edge)

        problem: str | None = None  # why the sensor data is unusable
        failure: ImagingError | None = None  # what to raise if there is no usable preview
        rgb: np.ndarray | None = None
        rgb_orientation = 1  # what is still to be applied to `rgb` to display it
        if cut_short:
            problem = "The RAW file is far too small for its sensor (it was cut short)"
            failure = CorruptImageError(
                f"This RAW file is incomplete ({_human_bytes(len(data))} for "
                f"{_megapixel_phrase(raw_pixels)} sensor) and has no usable preview — it was "
                "probably cut short while copying.",
                f"{len(data)} bytes for {header.raw_size[0]}x{header.raw_size[1]} raw pixels "
                f"({len(data) / raw_pixels:.5f} bytes/pixel < {MIN_BYTES_PER_PIXEL})",
            )
        else:
            with libraw_messages() as said:  # its own lines, kept for the error log
                try:
                    # A DNG's JPEG tiles are decoded by libjpeg-turbo, in a third to a
                    # half of LibRaw's time (`jpeg_dng`); every other sensor is LibRaw's.
                    sensor: SensorSource = read_sensor(data, max_pixels=max_pixels) or raw
                    if sensor_is_constant(sensor.raw_image_visible):  # LibRaw's unpack
                        problem = "The sensor data is empty"
                        failure = CorruptImageError(
                            "This RAW file's sensor data is empty (every pixel has the same "
                            "value) and it has no usable preview.",
                            "raw_image_visible std < 1",
                        )
                    else:
                        rgb = render_half_size(sensor)
                        if rgb is not None:
                            # Our render keeps the stored orientation; LibRaw's is turned by flip.
                            rgb_orientation = flip_orientation
                        else:
                            rgb = raw.postprocess(
                                half_size=True,
                                use_camera_wb=True,
                                output_bps=8,
                                no_auto_bright=True,
                            )
                except rawpy.LibRawError as exc:
                    failure = _libraw_error(exc, camera, "unpack")
                    problem = (
                        "LibRaw cannot decode this camera's sensor data"
                        if isinstance(failure, UnsupportedFormatError)
                        else "The sensor data is damaged or incomplete"
                    )
            if failure is not None:
                failure.detail = with_libraw_said(failure.detail, said)

    notes: list[str] = []
    if rgb is not None:
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if rgb_orientation != 1:
            luma = np.asarray(apply_orientation(Image.fromarray(luma), rgb_orientation))
        if _nearly_white(luma):
            if thumb is not None:
                problem = "The sensor data decodes to an almost entirely white frame"
                rgb = None
            else:
                notes.append(
                    "The sensor data decodes to an almost entirely white frame; it may be "
                    "blown out or decoded wrongly, and there is no embedded preview to check."
                )
    if rgb is not None:
        if thumb is not None and max(thumb.image.size) >= preview_long_edge:
            preview = _orient_thumb(thumb, orientation, sensor_size)
            preview = fit_long_edge(preview, preview_long_edge)
        else:
            preview = apply_orientation(shrink_render(rgb, preview_long_edge), rgb_orientation)
        width, height = displayed_size(sensor_size, orientation)
        return DecodedImage(
            luma=np.ascontiguousarray(luma),
            preview=preview,
            width=width,
            height=height,
            format=FileFormat.RAW,
            metrics_source=MetricsSource.RAW_HALF,
            orientation=orientation,
            notes=tuple(notes),
        )

    if thumb is None:
        # Only reachable with `failure` set: a white render without a preview is kept.
        raise failure or CorruptImageError("This RAW file could not be decoded.", problem or "")
    upright = _orient_thumb(thumb, orientation, sensor_size)
    width, height = _displayed(sensor_size, orientation, upright.size)
    return DecodedImage(
        luma=np.ascontiguousarray(np.asarray(upright.convert("L"))),
        preview=fit_long_edge(upright, preview_long_edge),
        width=width,
        height=height,
        format=FileFormat.RAW,
        metrics_source=(
            MetricsSource.RAW_EMBEDDED
            if thumb.stored_long_edge >= FAST_PREVIEW_LONG_EDGE
            else MetricsSource.RAW_PREVIEW
        ),
        orientation=orientation,
        notes=(f"{problem}; measured on the camera's embedded preview instead.",),
    )


def embedded_thumbnail(
    data: bytes, *, long_edge: int, exif_orientation: int = 1
) -> tuple[Image.Image, int, int] | None:
    """The quick look of a RAW: its embedded preview, upright, shrunk to about
    `long_edge` (DCT-scaled), with the displayed sensor size; None when LibRaw
    cannot open the file or it embeds no usable preview. The sensor data is
    never unpacked."""
    try:
        raw = rawpy.imread(io.BytesIO(data))
    except rawpy.LibRawError:
        return None
    with raw:
        header = _Header.of(raw, exif_orientation)
        orientation, sensor_size = header.orientation, header.sensor_size
        thumb = _extract_thumb(_embedded(raw), long_edge)
    if thumb is None:
        return None
    upright = fit_long_edge(_orient_thumb(thumb, orientation, sensor_size), long_edge)
    return (upright, *_displayed(sensor_size, orientation, upright.size))


def decode_raw_for_display(
    data: bytes,
    *,
    max_pixels: int,
    exif_orientation: int = 1,
    camera: str | None = None,
) -> np.ndarray:
    """A RAW file's full-resolution RGB for the 100 % view: (h, w, 3) uint8, upright.

    The camera's embedded JPEG when it is full size (`FULL_SIZE_FRACTION`);
    else LibRaw's full demosaic with the render's parameters (camera white
    balance, 8-bit BT.709, *no* auto-brighten), so 100 % shows the preview's
    tone. Sensor data `decode_raw` calls unusable, or that LibRaw cannot
    unpack, raises an `ImagingError` sentence: the loupe keeps the preview.
    """
    with _open(data, camera) as raw:
        header = _Header.of(raw, exif_orientation, max_pixels=max_pixels)
        flip_orientation, orientation = header.flip_orientation, header.orientation
        sensor_size = header.sensor_size
        full_edge = max(displayed_size(sensor_size, orientation))
        thumb = _extract_thumb(_embedded(raw), max(full_edge, MIN_PREVIEW_LONG_EDGE))
        if thumb is not None and max(thumb.image.size) >= FULL_SIZE_FRACTION * full_edge:
            return np.ascontiguousarray(np.asarray(_orient_thumb(thumb, orientation, sensor_size)))
        unusable = CorruptImageError(
            "This RAW file's sensor data cannot be shown at full size (it is incomplete, "
            "empty or decodes wrongly); showing the camera's preview instead.",
        )
        if header.cut_short(len(data)):
            raise unusable
        cause: rawpy.LibRawError | None = None
        with libraw_messages() as said:  # its own lines, kept for the error log
            try:
                if _sensor_is_constant(raw):
                    raise unusable
                # Turned by LibRaw's flip; the same parameters as decode_raw's render.
                rgb = raw.postprocess(
                    half_size=False, use_camera_wb=True, output_bps=8, no_auto_bright=True
                )
            except rawpy.LibRawError as exc:
                cause = exc
        if cause is not None:
            failure = _libraw_error(cause, camera, "unpack")
            raise type(failure)(
                f"LibRaw cannot decode this RAW file's sensor data at full size"
                f"{_camera_phrase(camera)}; showing the preview instead.",
                with_libraw_said(failure.detail, said),
            ) from cause
    if thumb is not None:
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if _nearly_white(luma):
            raise unusable  # decode_raw showed the embedded preview instead
    if flip_orientation == 1 and orientation != 1:
        # LibRaw had no flip to apply; decode_raw turned the preview by the EXIF tag.
        return np.ascontiguousarray(
            np.asarray(apply_orientation(Image.fromarray(rgb), orientation))
        )
    return np.ascontiguousarray(rgb)


def shrink_render(rgb: np.ndarray, long_edge: int) -> Image.Image:
    """`rgb` shrunk to `long_edge` on the array (`fit_long_edge_pixels`), without
    a full-size Pillow image in between."""
    return Image.fromarray(fit_long_edge_pixels(rgb, long_edge))


def _sensor_is_constant(raw: rawpy.RawPy) -> bool:
    return sensor_is_constant(raw.raw_image_visible)  # LibRaw's unpack (needed anyway)


def sensor_is_constant(sensor: np.ndarray) -> bool:
    """Whether a 1/16 sample of the sensor deviates by under 1 ADU. The deviation
    of n values lies within spread / sqrt(2 n) .. spread / 2, so the range (a
    real sensor's spans thousands of ADU) nearly always answers without it."""
    sample = sensor[::4, ::4]
    if sample.size == 0:
        return True
    spread = int(sample.max()) - int(sample.min())
    if spread < 2:
        return True  # deviation <= 0.5
    if spread * spread > 2 * sample.size:
        return False  # deviation > 1
    return float(sample.std()) < 1.0


def _embedded(raw: rawpy.RawPy) -> rawpy.Thumbnail | None:
    """LibRaw's embedded preview (JPEG or bitmap), read without unpacking the sensor."""
    try:
        return raw.extract_thumb()
    except rawpy.LibRawError:  # no thumbnail, unsupported thumbnail kind, I/O error...
        return None


def decode_embedded_jpeg(
    thumb: rawpy.Thumbnail,
    *,
    preview_long_edge: int,
    orientation: int,
    sensor_size: tuple[int, int],
) -> DecodedImage | None:
    """The fast path: measure on the embedded JPEG, or None when it is not usable
    for that (not a JPEG, under `FAST_PREVIEW_LONG_EDGE`, undecodable or blank)."""
    if thumb.format != rawpy.ThumbFormat.JPEG:
        return None
    try:
        with Image.open(io.BytesIO(cast(bytes, thumb.data)), formats=["JPEG"]) as jpeg:
            stored = jpeg.size
            if max(stored) < FAST_PREVIEW_LONG_EDGE:
                return None
            own = _own_orientation(jpeg)
            luma, preview = decode_jpeg_scaled(jpeg, preview_long_edge)
    except PIXEL_ERRORS:  # a truncated or corrupt embedded JPEG: the sensor decides
        return None
    if float(luma[::4, ::4].std()) < 1.0:
        return None  # a blank placeholder, not a rendering of the photo
    upright = _orient_thumb(_Thumb(preview, own, max(stored)), orientation, sensor_size)
    width, height = _displayed(sensor_size, orientation, displayed_size(stored, own or orientation))
    return DecodedImage(
        luma=luma,
        preview=upright,
        width=width,
        height=height,
        format=FileFormat.RAW,
        metrics_source=MetricsSource.RAW_EMBEDDED,
        orientation=orientation,
    )


def _extract_thumb(thumb: rawpy.Thumbnail | None, preview_long_edge: int) -> _Thumb | None:
    """The embedded preview when it is usable (decodable, >= 160 px long edge)."""
    if thumb is None:
        return None
    own_orientation: int | None = None
    stored_long_edge = 0
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            jpeg_bytes = cast(bytes, thumb.data)
            with Image.open(io.BytesIO(jpeg_bytes), formats=["JPEG"]) as jpeg:
                own_orientation = _own_orientation(jpeg)
                w, h = jpeg.size
                stored_long_edge = max(w, h)
                scale = min(1.0, preview_long_edge / max(w, h))
                jpeg.draft("RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
                image = jpeg.convert("RGB")
        elif thumb.format == rawpy.ThumbFormat.BITMAP:
            array = np.asarray(thumb.data)
            if array.dtype != np.uint8:
                array = (array.astype(np.float32) * (255.0 / max(1.0, float(array.max())))).astype(
                    np.uint8
                )
            if array.ndim == 2:
                array = np.dstack([array] * 3)
            image = Image.fromarray(np.ascontiguousarray(array[:, :, :3]))
            stored_long_edge = max(image.size)
        else:
            return None
    except PIXEL_ERRORS:  # a truncated or corrupt embedded JPEG is simply not usable
        return None
    if max(image.size) < MIN_PREVIEW_LONG_EDGE:
        return None
    # A uniform preview is still accepted: the Nikon Z 9 fixture's is pure white
    # because the shot *is* blown out, and the metrics will say so.
    return _Thumb(image, own_orientation, stored_long_edge)


def _own_orientation(jpeg: Image.Image) -> int | None:
    """The embedded JPEG's own EXIF orientation, or None when it has none.

    LibRaw prepends an EXIF block of its own (Software "dcraw v9.26", carrying
    the RAW's orientation) to an embedded JPEG whose first marker is not an
    EXIF block: that tag is LibRaw's guess, not the camera's word about how
    the JPEG is stored. It is skipped; the camera's block, if one follows,
    is read; with none, `_orient_thumb`'s aspect rule decides.
    """
    for marker, payload in getattr(jpeg, "applist", ()):
        if marker != "APP1" or not payload.startswith(b"Exif\x00\x00"):
            continue
        exif = Image.Exif()
        exif.load(payload)
        software = exif.get(_EXIF_SOFTWARE_TAG)
        if isinstance(software, str) and software.startswith("dcraw"):
            continue
        tag = exif.get(EXIF_ORIENTATION_TAG)
        return tag if isinstance(tag, int) and 1 <= tag <= 8 else None
    return None


def _orient_thumb(thumb: _Thumb, orientation: int, sensor_size: tuple[int, int]) -> Image.Image:
    """The embedded preview turned upright.

    An embedded JPEG that carries its own orientation tag is trusted. Otherwise
    the RAW's orientation is applied, unless the preview's aspect already matches
    the displayed (rotated) aspect, i.e. the camera stored it upright.
    """
    if thumb.own_orientation is not None:
        return apply_orientation(thumb.image, thumb.own_orientation)
    tw, th = thumb.image.size
    sw, sh = sensor_size
    if swaps_axes(orientation) and tw != th and sw != sh and (tw > th) != (sw > sh):
        return thumb.image.copy()
    return apply_orientation(thumb.image, orientation)


_TOO_BIG = (rawpy.LibRawTooBigError, rawpy.LibRawUnsufficientMemoryError)
_UNSUPPORTED = rawpy.LibRawFileUnsupportedError
# What a LibRaw exception means, opening a file and unpacking its sensor: (LibRaw's
# kinds, our error, its sentence; "{camera}" is `_camera_phrase`'s), the first that
# matches; the last row of each takes every other LibRaw error.
_LIBRAW_ERRORS: dict[str, tuple[tuple[Any, type[ImagingError], str], ...]] = {
    "open": (
        (
            _UNSUPPORTED,
            UnsupportedFormatError,
            "LibRaw does not recognise this file as a RAW photo it can read{camera}: the "
            "camera may be too new for it, or the file is damaged or incomplete.",
        ),
        (
            _TOO_BIG,
            DecompressionBombError,
            "This RAW file declares an image too large to decode safely; Curator did not "
            "open it to protect your computer's memory.",
        ),
        (
            rawpy.LibRawError,
            CorruptImageError,
            "This RAW file is incomplete or damaged: it ends or breaks before its header "
            "could be read (often an interrupted copy or a failing card).",
        ),
    ),
    "unpack": (
        (
            (_UNSUPPORTED, rawpy.LibRawNotImplementedError),
            UnsupportedFormatError,
            "LibRaw does not support this camera's RAW format yet{camera}, and the file "
            "has no usable preview.",
        ),
        (
            _TOO_BIG,
            DecompressionBombError,
            "This RAW file needs more memory to decode than is safe; Curator stopped to "
            "protect your computer's memory.",
        ),
        (
            rawpy.LibRawError,
            CorruptImageError,
            "This RAW file's sensor data is damaged or incomplete, and it has no usable "
            "preview — it was probably cut short while copying, or the card is failing.",
        ),
    ),
}


def _libraw_error(exc: rawpy.LibRawError, camera: str | None, step: str) -> ImagingError:
    """The typed error for LibRaw's `exc` at `step` ("open" or "unpack")."""
    for kinds, error, sentence in _LIBRAW_ERRORS[step]:
        if isinstance(exc, kinds):
            return error(sentence.format(camera=_camera_phrase(camera)), _detail(exc))
    raise TypeError(f"not a LibRaw error: {exc!r}")


def _displayed(
    sensor_size: tuple[int, int], orientation: int, otherwise: tuple[int, int]
) -> tuple[int, int]:
    """The displayed (width, height): the sensor's, turned; `otherwise` when
    LibRaw reported no sensor size."""
    if sensor_size[0] > 0 and sensor_size[1] > 0:
        return displayed_size(sensor_size, orientation)
    return otherwise


def _detail(exc: Exception) -> str:
    text = str(exc)
    if text.startswith(("b'", 'b"')):  # rawpy passes LibRaw's message as bytes
        text = text[2:-1]
    return f"{type(exc).__name__}: {text}"


def _camera_phrase(camera: str | None) -> str:
    return f" ({camera})" if camera else ""


def _human_bytes(count: int) -> str:
    if count < 1024 * 1024:
        return f"{max(1, round(count / 1024))} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def _megapixel_phrase(pixels: int) -> str:
    megapixels = max(1, round(pixels / 1e6))
    spoken = str(megapixels)
    article = "an" if spoken.startswith("8") or spoken in ("11", "18") else "a"
    return f"{article} {megapixels}-megapixel"
