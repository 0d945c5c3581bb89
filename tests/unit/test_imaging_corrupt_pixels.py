"""Damaged pixel data fails the decode; it never comes back as zero-filled pixels.

Regression: Pillow's PNG `getexif()` loads the image itself, and the
orientation read swallowed that load's error, leaving a half-black image
that then "loaded" fine. Each format here gets garbage written mid-file
(the size unchanged) and must raise `CorruptImageError`.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageFile

from curator.imaging.decode import decode_raster
from curator.imaging.errors import CorruptImageError


def _pattern() -> np.ndarray:
    yy, xx = np.mgrid[0:480, 0:640]
    return np.dstack([xx % 256, yy % 256, (xx + yy) % 256]).astype(np.uint8)


def _damaged(fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(_pattern()).save(buffer, fmt, **options)
    data = bytearray(buffer.getvalue())
    mid = len(data) // 2
    data[mid : mid + 256] = np.random.default_rng(3).integers(0, 256, 256, dtype=np.uint8).tobytes()
    return bytes(data)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("PNG", {"interlace": 1}),
        ("JPEG", {"quality": 90}),
        ("TIFF", {"compression": "tiff_deflate"}),
        ("TIFF", {"compression": "tiff_lzw"}),
        ("WEBP", {}),
    ],
)
def test_garbage_mid_file_fails_the_decode(fmt: str, options: dict[str, Any]) -> None:
    with pytest.raises(CorruptImageError) as info:
        decode_raster(_damaged(fmt, **options), preview_long_edge=1440, max_pixels=10**8)
    assert "damaged" in info.value.message or "cut short" in info.value.message


def test_an_intact_png_still_decodes_fully() -> None:
    buffer = io.BytesIO()
    Image.fromarray(_pattern()).save(buffer, "PNG")
    decoded = decode_raster(buffer.getvalue(), preview_long_edge=1440, max_pixels=10**8)
    expected = np.asarray(Image.fromarray(_pattern()).convert("L"), dtype=np.float64).mean()
    assert abs(float(decoded.luma.mean()) - expected) < 1.0


def test_truncated_images_are_never_loaded_leniently(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        decode_raster(_damaged("PNG"), preview_long_edge=1440, max_pixels=10**8)
