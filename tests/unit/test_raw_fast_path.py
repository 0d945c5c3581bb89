"""The RAW fast path: a large embedded JPEG is measured instead of the sensor.

Rules (imaging/raw/decode.py): an embedded JPEG of >= 1440 px on its long edge
is the metrics source and the preview (`MetricsSource.RAW_EMBEDDED`) and the
sensor data is never looked at; a smaller, blank or undecodable preview sends
the file down the sensor path (`RAW_HALF`); the displayed size is the
sensor's; the preview is turned upright by the same rule as before (its own
EXIF orientation is trusted, an already upright preview is not turned twice).
The DNGs are generated: a Bayer DNG (tests.imaging_helpers.make_dng) with a
JPEG preview IFD appended (tests.raw_helpers.add_jpeg_preview).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from curator.imaging.decode import DecodedImage, decode_image
from curator.imaging.exif import read_exif
from curator.imaging.raw.decode import FAST_PREVIEW_LONG_EDGE
from curator.imaging.technical import measure_file
from curator.imaging.types import MetricsSource, TechnicalRequest
from tests.imaging_helpers import QUADRANT_COLOURS, make_dng, quadrants, texture
from tests.raw_helpers import add_jpeg_preview

SENSOR = (2000, 1500)  # its half-size render is 1000 x 750


def _decode(path: Path) -> DecodedImage:
    data = path.read_bytes()
    exif = read_exif(data, is_raw=True)
    return decode_image(data, is_raw=True, exif_orientation=exif.orientation)


def _textured(width: int, height: int) -> Image.Image:
    return Image.fromarray(texture(width, height)).convert("RGB")


def _dng(tmp_path: Path, preview: Image.Image | None, **kwargs: object) -> Path:
    tag = kwargs.pop("preview_tag", None)
    path = make_dng(tmp_path / "shot.dng", *SENSOR, **kwargs)  # type: ignore[arg-type]
    if preview is not None:
        add_jpeg_preview(path, preview, orientation=tag)  # type: ignore[arg-type]
    return path


def _close(pixel: tuple[int, ...], colour: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def test_a_large_preview_is_measured_and_the_sensor_never_looked_at(tmp_path: Path) -> None:
    # A constant sensor would fail as "empty" on the sensor path: the fast path
    # measures the preview without unpacking it, so there is no note either.
    path = _dng(tmp_path, _textured(1600, 1200), pattern="flat")
    decoded = _decode(path)
    assert decoded.metrics_source is MetricsSource.RAW_EMBEDDED
    assert decoded.notes == ()
    assert decoded.luma.shape == (1200, 1600)  # the preview's pixels, not 750 x 1000
    assert float(decoded.luma.std()) > 20
    assert (decoded.width, decoded.height) == SENSOR  # the photo's size, not the preview's
    assert decoded.preview.size == (1440, 1080)


def test_a_full_size_preview_is_dct_scaled_like_a_jpeg(tmp_path: Path) -> None:
    path = make_dng(tmp_path / "big.dng", 6000, 4000, pattern="gradient")
    add_jpeg_preview(path, _textured(6000, 4000))
    decoded = _decode(path)
    assert decoded.metrics_source is MetricsSource.RAW_EMBEDDED
    assert decoded.luma.shape == (1000, 1500)  # libjpeg's 1/4 scale, >= 1440 px
    assert decoded.preview.size == (1440, 960)


@pytest.mark.parametrize(
    ("preview", "why"),
    [
        (None, "no preview"),
        (_textured(FAST_PREVIEW_LONG_EDGE - 40, 1000), "smaller than 1440 px"),
        (Image.new("RGB", (1600, 1200), (0, 0, 0)), "a blank placeholder"),
    ],
)
def test_without_a_usable_large_preview_the_sensor_is_measured(
    tmp_path: Path, preview: Image.Image | None, why: str
) -> None:
    decoded = _decode(_dng(tmp_path, preview))
    assert decoded.metrics_source is MetricsSource.RAW_HALF, why
    assert decoded.luma.shape == (750, 1000), why
    assert (decoded.width, decoded.height) == SENSOR


def test_an_undecodable_preview_falls_back_to_the_sensor(tmp_path: Path) -> None:
    path = _dng(tmp_path, _textured(1600, 1200))
    data = bytearray(path.read_bytes())
    start = data.rfind(b"\xff\xd8\xff")  # the appended preview's SOI
    data[start + 600 : start + 4000] = b"\x00" * 3400  # its tables and first scan lines
    path.write_bytes(bytes(data))
    decoded = _decode(path)
    assert decoded.metrics_source is MetricsSource.RAW_HALF
    assert decoded.luma.shape == (750, 1000)


def _quadrant_preview() -> Image.Image:
    return Image.fromarray(quadrants(1600, 1200))


def test_a_stored_landscape_preview_is_turned_by_the_raw_orientation(tmp_path: Path) -> None:
    decoded = _decode(_dng(tmp_path, _quadrant_preview(), orientation=6))
    assert decoded.metrics_source is MetricsSource.RAW_EMBEDDED
    assert (decoded.width, decoded.height) == (1500, 2000)
    preview = decoded.preview
    assert preview.size == (1080, 1440)
    # Orientation 6 turns 90° clockwise: the stored top-left lands top-right.
    assert _close(preview.getpixel((preview.width - 10, 10)), QUADRANT_COLOURS["tl"])  # type: ignore[arg-type]


def test_an_upright_preview_is_not_turned_twice(tmp_path: Path) -> None:
    upright = _quadrant_preview().transpose(Image.Transpose.ROTATE_270)  # already portrait
    decoded = _decode(_dng(tmp_path, upright, orientation=6))
    assert decoded.preview.size == (1080, 1440)
    assert _close(decoded.preview.getpixel((1070, 10)), QUADRANT_COLOURS["tl"])  # type: ignore[arg-type]


def test_the_previews_own_orientation_tag_is_trusted(tmp_path: Path) -> None:
    decoded = _decode(_dng(tmp_path, _quadrant_preview(), orientation=1, preview_tag=8))
    assert decoded.preview.size == (1080, 1440)
    # Orientation 8 turns 90° counter-clockwise: the stored top-left lands bottom-left.
    assert _close(decoded.preview.getpixel((10, 1430)), QUADRANT_COLOURS["tl"])  # type: ignore[arg-type]


def test_the_technical_stage_records_the_fast_path(tmp_path: Path) -> None:
    path = _dng(tmp_path, _textured(1600, 1200))
    result = measure_file(TechnicalRequest(path=str(path), cache_dir=str(tmp_path / "cache")))
    assert result.metrics_source is MetricsSource.RAW_EMBEDDED
    assert result.sharpness is not None and result.exposure is not None
    assert (result.width, result.height) == SENSOR
    assert result.preview_key and (tmp_path / "cache" / result.preview_key).is_file()
