"""Sharpness and exposure measures: synthetic cases and the fixture calibration."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from curator.imaging.metrics import (
    measure_exposure,
    measure_sharpness,
    tile_variances,
    working_scale,
)
from tests.imaging_helpers import fixture, texture


def _luma(relative: str) -> np.ndarray:
    path = fixture(relative)
    luma = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)
    assert luma is not None
    return luma


def _blur(luma: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(luma, (0, 0), sigma)


SHARP = texture(2400, 1600, seed=3, block=6)


def test_blur_lowers_the_score() -> None:
    sharp = measure_sharpness(SHARP)
    soft = measure_sharpness(_blur(SHARP, 6))
    assert sharp.score >= 90
    assert soft.score < sharp.score - 40
    assert soft.laplacian_var < sharp.laplacian_var / 10
    assert soft.tile_p90 < sharp.tile_p90 / 10


def test_sharp_subject_on_blurred_background_counts_as_sharp() -> None:
    blurred = _blur(SHARP, 6)
    mixed = blurred.copy()
    mixed[400:1200, 600:1800] = SHARP[400:1200, 600:1800]  # a subject on 25 % of the frame
    sharp_score = measure_sharpness(SHARP).score
    mixed_score = measure_sharpness(mixed).score
    blurred_score = measure_sharpness(blurred).score
    assert mixed_score > blurred_score + 30
    assert mixed_score >= sharp_score - 15
    # The global variance alone would not say so: it is far below the sharp frame's.
    assert measure_sharpness(mixed).laplacian_var < measure_sharpness(SHARP).laplacian_var / 2


def test_measure_does_not_depend_much_on_resolution() -> None:
    # The same scene at 2400 px and 1200 px: per-pixel Laplacian variance differs a lot,
    # the score (computed at the 1024 px working scale) hardly at all.
    scene = _blur(SHARP, 1.5)
    half = cv2.resize(scene, (1200, 800), interpolation=cv2.INTER_AREA)
    full_raw = cv2.Laplacian(scene, cv2.CV_32F).var()
    half_raw = cv2.Laplacian(half, cv2.CV_32F).var()
    assert half_raw > 1.5 * full_raw
    assert abs(measure_sharpness(scene).score - measure_sharpness(half).score) < 10


def test_soft_fixtures_score_below_sharp_fixtures() -> None:
    soft = [
        measure_sharpness(_luma(name)).score
        for name in ("jpeg/jolla_leaf_soft.jpg", "jpeg/canon_sd300_1-6s_soft.jpg")
    ]
    sharp = [
        measure_sharpness(_luma(name)).score
        for name in (
            "jpeg/olympus_ep3_iso1600.jpg",
            "jpeg/exiv2_FurnaceCreekInn2.jpg",
            "jpeg/nokia83_5G.jpg",
        )
    ]
    assert max(soft) < 45
    assert min(sharp) > 85
    assert max(soft) + 40 < min(sharp)


def test_flat_frame_scores_zero() -> None:
    flat = np.full((600, 800), 128, np.uint8)
    result = measure_sharpness(flat)
    assert result.score == 0 and result.laplacian_var == 0


def test_tiles_and_working_scale() -> None:
    assert working_scale(np.zeros((3000, 6000), np.uint8)).shape == (512, 1024)
    small = np.zeros((300, 400), np.uint8)
    assert working_scale(small) is small
    lap = np.zeros((768, 1024), np.float32)
    lap[:96, :128] = np.tile([[-1.0, 1.0]], (96, 64))  # one busy tile out of 64
    variances = tile_variances(lap)
    assert variances.shape == (64,)
    assert np.count_nonzero(variances) == 1 and variances.max() == pytest.approx(1.0)
    assert tile_variances(np.zeros((20, 40), np.float32)).shape == (2,)


def test_invalid_luma_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        measure_sharpness(np.zeros((0, 0), np.uint8))
    with pytest.raises(ValueError):
        measure_exposure(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ValueError):
        measure_exposure(np.zeros((10, 10), np.float32))


def test_exposure_fractions_and_mean_are_exact() -> None:
    luma = np.zeros((100, 100), np.uint8)
    luma[:10] = 255  # 10 % clipped highlights
    luma[10:30] = 5  # 20 % at the shadow threshold
    luma[30:] = 100
    result = measure_exposure(luma)
    assert result.highlight_clip == pytest.approx(0.10)
    assert result.shadow_clip == pytest.approx(0.20)
    assert result.mean_luminance == pytest.approx(0.1 * 255 + 0.2 * 5 + 0.7 * 100)


def test_underexposed_fixture_scores_badly() -> None:
    assert measure_exposure(_luma("jpeg/exiv2_D7000_underexposed.jpg")).score < 20


@pytest.mark.parametrize(
    "relative",
    [
        "jpeg/sony_a200_unset_clock.jpg",  # low-key: 70 % near-black, bright flower
        "jpeg/exiv2_canon6D_highkey.jpg",  # high-key: mean 207, nothing clipped
        "jpeg/nikon_d70s_dark.jpg",  # dusk street, lights
        "jpeg/olympus_ep3_iso1600.jpg",
    ],
)
def test_low_key_and_high_key_fixtures_score_well(relative: str) -> None:
    result = measure_exposure(_luma(relative))
    assert result.score >= 80, result


def test_synthetic_exposure_rules() -> None:
    rng = np.random.default_rng(0)
    low_key = np.full((400, 600), 2, np.uint8)
    low_key[150:250, 250:350] = rng.integers(120, 240, (100, 100), dtype=np.uint8)
    assert measure_exposure(low_key).score >= 90  # big black background is a choice

    high_key = rng.integers(190, 245, (400, 600), dtype=np.uint8)
    assert measure_exposure(high_key).score >= 90

    blown = high_key.copy()
    blown[:160] = 255  # 40 % clipped
    assert measure_exposure(blown).score < 20

    murky = rng.integers(0, 40, (400, 600), dtype=np.uint8)  # nothing reaches mid-grey
    assert measure_exposure(murky).score < 30

    assert measure_exposure(np.zeros((50, 50), np.uint8)).score == 0
