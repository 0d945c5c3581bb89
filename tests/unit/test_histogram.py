"""The viewing tools' numpy: histogram counts, clipping masks at the catalog's
levels, focus-peaking edges."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from curator.imaging import metrics
from curator.imaging.histogram import (
    HIGHLIGHT_LEVEL,
    HIGHLIGHT_RGBA,
    SHADOW_LEVEL,
    SHADOW_RGBA,
    clipping_masks,
    clipping_rgba,
    histogram,
    luma,
    peaking_mask,
)


def random_image(seed: int = 1, h: int = 60, w: int = 80) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def test_the_loupe_marks_what_the_catalog_counts_as_clipped() -> None:
    """One pair of levels (imaging.histogram's): the loupe's masks and the exposure
    measure read them alike, and the histogram loads without OpenCV."""
    grey = np.repeat(np.arange(256, dtype=np.uint8)[None, :], 4, axis=0)
    blown, crushed = clipping_masks(np.dstack([grey] * 3))
    measure = metrics.measure_exposure(grey)
    assert measure.highlight_clip == pytest.approx(blown.mean(), abs=1e-6)
    assert measure.shadow_clip == pytest.approx(crushed.mean(), abs=1e-6)
    assert blown.sum() == 4 * (256 - HIGHLIGHT_LEVEL) and crushed.sum() == 4 * (SHADOW_LEVEL + 1)
    code = "import sys, curator.imaging.histogram; print('cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_histogram_counts_every_pixel_of_every_channel() -> None:
    rgb = random_image()
    hist = histogram(rgb)
    assert hist.pixels == 60 * 80
    for name, counts in hist.channels():
        assert counts.shape == (256,) and int(counts.sum()) == hist.pixels, name
    assert int(hist.red[200]) == int((rgb[..., 0] == 200).sum())
    assert int(hist.luma[17]) == int((luma(rgb) == 17).sum())


def test_clipping_marks_exactly_any_channel_at_250_and_all_channels_at_5() -> None:
    rgb = random_image(2)
    # Edge cases written in: one channel at 250 / 249; all at 5; one at 6.
    rgb[0, 0] = (250, 0, 0)
    rgb[0, 1] = (249, 249, 249)
    rgb[0, 2] = (5, 5, 5)
    rgb[0, 3] = (5, 6, 5)
    rgb[0, 4] = (0, 0, 255)
    blown, crushed = clipping_masks(rgb)
    for y in range(rgb.shape[0]):
        for x in range(rgb.shape[1]):
            r, g, b = (int(v) for v in rgb[y, x])
            assert blown[y, x] == (max(r, g, b) >= 250), (y, x, r, g, b)
            assert crushed[y, x] == (max(r, g, b) <= 5), (y, x, r, g, b)
    assert blown[0, 0] and not blown[0, 1] and crushed[0, 2] and not crushed[0, 3]
    overlay = clipping_rgba(rgb)
    assert tuple(overlay[0, 0]) == HIGHLIGHT_RGBA and tuple(overlay[0, 2]) == SHADOW_RGBA
    assert (overlay[..., 3] > 0).sum() == blown.sum() + crushed.sum()
    assert not (blown & crushed).any()


def test_peaking_marks_a_hard_edge_not_a_gentle_ramp() -> None:
    rgb = np.zeros((40, 80, 3), np.uint8)
    rgb[:, 40:] = 255  # a hard vertical edge at x = 40
    rgb[:, :40] = np.linspace(0, 60, 40, dtype=np.uint8)[None, :, None]  # a ramp
    mask = peaking_mask(rgb)
    assert mask[:, 39:41].all()
    assert not mask[:, 2:37].any()
