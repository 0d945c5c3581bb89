"""The demo's hand-written DNG develops in LibRaw to the colours of its own
preview (it used to render green: an identity ColorMatrix1 on sRGB-encoded
sensels): the sensels are linear light in sRGB's primaries, described by an
XYZ -> sRGB ColorMatrix1 for D65 with a neutral AsShotNeutral."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rawpy
from PIL import Image

from curator.install.demo import dng_with_preview, write_demo

SRGB_CURVE = (2.4, 12.92)  # LibRaw's gamma parameters for the sRGB curve

# The colour patches: primaries, secondaries, greys, a skin tone and a white (with
# no white, LibRaw's adjust_maximum_thr would brighten the frame to its brightest).
PATCHES = [
    (255, 255, 255),
    (200, 40, 40),
    (40, 170, 60),
    (50, 70, 200),
    (220, 200, 60),
    (128, 128, 128),
    (60, 60, 60),
    (230, 230, 230),
    (210, 160, 130),
]


def _develop(path: Path, **params: Any) -> np.ndarray:
    with rawpy.imread(str(path)) as raw:
        return np.asarray(raw.postprocess(output_bps=8, **params))


def test_each_colour_patch_develops_to_its_own_colour(tmp_path: Path) -> None:
    size = 48
    scene = np.zeros((size, size * len(PATCHES), 3), np.uint8)
    for i, colour in enumerate(PATCHES):
        scene[:, i * size : (i + 1) * size] = colour
    path = tmp_path / "patches.dng"
    path.write_bytes(dng_with_preview(scene, datetime(2024, 6, 1, 9, 30)))

    rgb = _develop(path, use_camera_wb=True, no_auto_bright=True, gamma=SRGB_CURVE)
    assert rgb.shape == scene.shape
    for i, colour in enumerate(PATCHES):
        inner = rgb[12:-12, i * size + 12 : (i + 1) * size - 12].reshape(-1, 3)
        got = inner.mean(axis=0)
        assert np.abs(got - np.array(colour)).max() < 10, f"patch {colour} developed as {got}"


@pytest.mark.parametrize(
    ("params", "tolerance"),
    [
        # What Curator's decoder asks of LibRaw (BT.709 curve: a little darker).
        ({"use_camera_wb": True, "no_auto_bright": True}, 0.15),
        ({"use_camera_wb": True, "no_auto_bright": True, "half_size": True}, 0.15),
        # LibRaw's defaults (daylight balance from the matrix, auto-brighten).
        ({}, 0.15),
        # The sRGB curve the preview was encoded with.
        ({"use_camera_wb": True, "no_auto_bright": True, "gamma": SRGB_CURVE}, 0.05),
    ],
)
def test_the_demo_dng_develops_to_the_colour_of_its_preview(
    tmp_path: Path, params: dict[str, Any], tolerance: float
) -> None:
    write_demo(tmp_path)
    path = tmp_path / "raw_with_preview.dng"
    with rawpy.imread(str(path)) as raw:
        thumb = raw.extract_thumb()
    preview = np.asarray(Image.open(io.BytesIO(thumb.data)).convert("RGB"), np.float64)
    want = preview.reshape(-1, 3).mean(axis=0)
    got = _develop(path, **params).reshape(-1, 3).astype(np.float64).mean(axis=0)
    assert np.all(np.abs(got / want - 1) < tolerance), f"developed {got}, preview {want}"
    # The hue too, whatever the curve: red and blue against green as in the preview.
    hue_got, hue_want = got[[0, 2]] / got[1], want[[0, 2]] / want[1]
    assert np.all(np.abs(hue_got / hue_want - 1) < 0.1), f"{hue_got} vs {hue_want}"
