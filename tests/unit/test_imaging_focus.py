"""Missed focus (issue 20 §2, imaging.focus): a soft subject on a sharp scene is
flagged and scored as soft; a sharp subject on bokeh, a depth of field falling off
from one side, a plain centre and a frame blurred everywhere are left to the frame
score, unchanged."""

from __future__ import annotations

import math
from itertools import pairwise

import cv2
import numpy as np
import pytest

from curator.imaging.focus import (
    LEVEL_EXPONENT,
    MISSED_FOCUS_NOTE,
    SOFT_FROM,
    SOFT_FULL,
    subject_ellipse,
    subject_focus,
)
from curator.imaging.metrics import (
    directional_energy,
    measure_sharpness,
    pooled_level,
    sharpness_level,
    sharpness_score,
    tile_detail,
    working_scale,
)
from curator.records import SHAKE_NOTE
from tests.bench.score_series import JPEG_SOURCES
from tests.imaging_helpers import fixture, texture

BLUR_LINE = 30.0  # the gallery's BLUR badge
WIDTH, HEIGHT = 1536, 1024
# Blocks of 8 px at the working scale: texture with edges and plain interiors (finer
# blocks read partly as noise, which `noise_energy` then estimates on the blurred
# subject instead — the noise discount's limit, not this judgment's).
SHARP = texture(WIDTH, HEIGHT, seed=7, block=12)


def _ellipse(fraction: float) -> np.ndarray:
    """A central ellipse of `fraction` of the frame (the bench's missed-focus subject)."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    s = math.sqrt(fraction / math.pi)
    return np.asarray(
        ((xx - WIDTH / 2) / (WIDTH * s)) ** 2 + ((yy - HEIGHT / 2) / (HEIGHT * s)) ** 2 <= 1
    )


def _blur(luma: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(luma, (0, 0), sigma)


def _soft_where(mask: np.ndarray, sigma: float, base: np.ndarray = SHARP) -> np.ndarray:
    out = base.copy()
    out[mask] = _blur(base, sigma)[mask]
    return out


def _unjudged_score(luma: np.ndarray) -> float:
    """The frame score without the subject's focus (the pooling alone)."""
    return sharpness_score(sharpness_level(*directional_energy(working_scale(luma))))


@pytest.mark.parametrize("fraction", [0.10, 0.25])
def test_a_soft_subject_on_a_sharp_scene_is_flagged(fraction: float) -> None:
    missed = _soft_where(_ellipse(fraction), 3.0)
    pooled = _unjudged_score(missed)
    result = measure_sharpness(missed)
    assert pooled > 60  # the pooling alone reads the sharp wall behind the subject
    assert result.note == MISSED_FOCUS_NOTE
    assert result.score is not None and result.score < BLUR_LINE
    # At most about as sharp as the whole frame blurred as much as its subject, not 0.
    whole = measure_sharpness(_blur(SHARP, 3.0)).score
    assert whole is not None and 0 < result.score <= whole + 10


def test_noise_does_not_hide_a_missed_subject() -> None:
    missed = _soft_where(_ellipse(0.10), 3.0).astype(np.float32)
    noise = np.random.default_rng(1).normal(0, 6, missed.shape).astype(np.float32)
    noisy = np.clip(missed + noise, 0, 255).astype(np.uint8)
    result = measure_sharpness(noisy)
    assert result.note == MISSED_FOCUS_NOTE
    assert result.score is not None and result.score < BLUR_LINE


def test_a_sharp_subject_on_bokeh_is_not_flagged() -> None:
    subject = _ellipse(0.05)
    bokeh = _blur(SHARP, 4.0)
    bokeh[subject] = SHARP[subject]
    result = measure_sharpness(bokeh)
    assert result.note is None
    assert result.score == _unjudged_score(bokeh) and result.score > 60


@pytest.mark.parametrize("eighths", [1, 5])
def test_an_off_centre_sharp_subject_on_bokeh_is_not_flagged(eighths: int) -> None:
    # The centre is soft here, but the sharp part is compact and on one side:
    # a sharp subject off the centre (top left, bottom right), not a missed one.
    h, w = HEIGHT // 4, WIDTH // 4
    y0, x0 = HEIGHT * eighths // 8, WIDTH * eighths // 8
    bokeh = _blur(SHARP, 4.0)
    bokeh[y0 : y0 + h, x0 : x0 + w] = SHARP[y0 : y0 + h, x0 : x0 + w]
    result = measure_sharpness(bokeh)
    assert result.note is None and result.score == _unjudged_score(bokeh)


def test_depth_of_field_falling_off_from_one_side_is_not_flagged() -> None:
    # Focus on the foreground (the lower half), the distance soft: sharp on one side only.
    upper = np.zeros((HEIGHT, WIDTH), bool)
    upper[: HEIGHT // 2] = True
    falloff = _soft_where(upper, 3.0)
    result = measure_sharpness(falloff)
    assert result.note is None and result.score == _unjudged_score(falloff)


def test_a_plain_centre_is_not_a_missed_subject() -> None:
    # A plain sky or wall in the middle has no coarse contrast: not judged.
    plain = SHARP.copy()
    plain[_ellipse(0.15)] = 128
    result = measure_sharpness(plain)
    assert result.note is None and result.score == _unjudged_score(plain)


@pytest.mark.parametrize("sigma", [0.0, 1.0, 3.0, -21.0])
def test_a_frame_sharp_or_blurred_everywhere_keeps_the_frame_score(sigma: float) -> None:
    # sigma < 0: a horizontal shake of |sigma| px instead of a blur.
    if sigma < 0:
        luma = cv2.filter2D(SHARP, -1, np.full((1, int(-sigma)), 1 / -sigma, np.float32))
    else:
        luma = SHARP if sigma == 0 else _blur(SHARP, sigma)
    result = measure_sharpness(luma)
    assert result.note == (SHAKE_NOTE if sigma < 0 else None)  # a shake is said, not a missed focus
    assert result.score == _unjudged_score(luma)


def test_a_slightly_softer_subject_is_left_alone_and_the_fall_has_no_cliff() -> None:
    work = working_scale(SHARP)
    energy, noise = directional_energy(work)
    detail = tile_detail(energy, noise)
    centre = subject_ellipse(*detail.shape)
    factors, ratios, noted = [], [], []
    for scale in (1.0, 0.6, SOFT_FROM * 1.01, SOFT_FROM * 0.9, 0.25, SOFT_FULL * 0.9, 0.05):
        scaled = detail.copy()
        scaled[centre] *= scale  # the subject's fine detail only, its contrast unchanged
        focus = subject_focus(work, scaled, noise)
        assert focus.ratio is not None and focus.ratio == pytest.approx(scale, rel=0.05)
        factors.append(focus.factor)
        ratios.append(focus.ratio)
        noted.append(focus.missed)
    assert factors[:3] == [1.0, 1.0, 1.0]
    assert all(b < a for a, b in pairwise(factors[2:]))
    assert factors[3] > 0.9  # just under the line: barely lowered
    # The note from halfway down the ramp: not for a subject barely softer.
    assert noted == [False, False, False, False, False, True, True]
    # Past SOFT_FULL the level falls by the whole ratio ** LEVEL_EXPONENT.
    assert factors[-2] == pytest.approx(ratios[-2] ** LEVEL_EXPONENT, rel=1e-2)


def test_the_pooling_split_keeps_the_frame_level() -> None:
    energy, noise = directional_energy(working_scale(SHARP))
    assert pooled_level(tile_detail(energy, noise)) == sharpness_level(energy, noise)


# Real photos: the camera fixtures big enough to judge (none is a missed-focus shot).
REAL = JPEG_SOURCES


def _real(relative: str) -> np.ndarray:
    luma = cv2.imread(str(fixture(relative)), cv2.IMREAD_GRAYSCALE)
    assert luma is not None
    return working_scale(luma, 1440)


@pytest.mark.parametrize("relative", REAL)
def test_real_photos_are_not_missed_focus(relative: str) -> None:
    luma = _real(relative)
    result = measure_sharpness(luma)
    assert result.note is None and result.score == _unjudged_score(luma)


@pytest.mark.parametrize("relative", ["jpeg/iphone6_hdr_NO.jpg", "jpeg/exiv2_SM-G930V_orient6.jpg"])
def test_a_real_photo_whose_subject_is_soft_is_flagged(relative: str) -> None:
    luma = _real(relative)
    height, width = luma.shape
    yy, xx = np.mgrid[0:height, 0:width]
    s = math.sqrt(0.10 / math.pi)
    subject = ((xx - width / 2) / (width * s)) ** 2 + ((yy - height / 2) / (height * s)) ** 2 <= 1
    missed = luma.copy()
    missed[subject] = _blur(luma, 3.0)[subject]
    result = measure_sharpness(missed)
    assert _unjudged_score(missed) > 75
    assert result.note == MISSED_FOCUS_NOTE
    assert result.score is not None and result.score < BLUR_LINE


def _sample_photo(name: str) -> np.ndarray:
    """scikit-learn's two bundled photos (640 x 427, no download): a temple sharp
    everywhere, and a flower sharp in the middle of a soft background."""
    from sklearn.datasets import load_sample_image

    return np.ascontiguousarray(cv2.cvtColor(load_sample_image(name), cv2.COLOR_RGB2GRAY))


@pytest.mark.parametrize("name", ["china.jpg", "flower.jpg"])
def test_bundled_sample_photos_are_not_missed_focus(name: str) -> None:
    luma = _sample_photo(name)
    result = measure_sharpness(luma)
    assert result.note is None and result.score == _unjudged_score(luma)


def test_the_sample_temple_with_its_middle_soft_is_flagged() -> None:
    luma = _sample_photo("china.jpg")
    height, width = luma.shape
    yy, xx = np.mgrid[0:height, 0:width]
    s = math.sqrt(0.25 / math.pi)
    subject = ((xx - width / 2) / (width * s)) ** 2 + ((yy - height / 2) / (height * s)) ** 2 <= 1
    missed = luma.copy()
    missed[subject] = _blur(luma, 3.0)[subject]
    result = measure_sharpness(missed)
    assert _unjudged_score(missed) > 90
    assert result.note == MISSED_FOCUS_NOTE
    assert result.score is not None and result.score < BLUR_LINE
