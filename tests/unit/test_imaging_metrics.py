"""Sharpness and exposure rules (issue 10 §1): exact cases for each rule, synthetic
degradations, and the fixtures' calibration."""

from __future__ import annotations

import math
from itertools import pairwise

import cv2
import numpy as np
import pytest

from curator.imaging.exposure import (
    clip_ev,
    exposure_judgment,
    headroom_ev,
    histogram_quantile,
    smooth_max,
    soft_excess,
    to_linear,
)
from curator.imaging.metrics import (
    MIN_JUDGED_LONG_EDGE,
    TOO_SMALL_NOTE,
    WorkingView,
    directional_energy,
    luma_histogram,
    measure_exposure,
    measure_sharpness,
    sharpness_level,
    sharpness_score,
    tile_variances,
    working_scale,
)
from curator.records import SHAKE_NOTE
from tests.bench.cull_shoot import SOURCES, source_rgb
from tests.bench.score_series import camera_shake, exposure_shift, generated_sources
from tests.imaging_helpers import fixture, texture


def _luma(relative: str) -> np.ndarray:
    path = fixture(relative)
    luma = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)
    assert luma is not None
    return luma


def _blur(luma: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(luma, (0, 0), sigma)


def _score(luma: np.ndarray) -> float:
    score = measure_sharpness(luma).score
    assert score is not None
    return score


SHARP = texture(2400, 1600, seed=3, block=6)
SCENES = {s.name: s.rgb for s in generated_sources()}


# -- sharpness: the rules, exactly ----------------------------------------------------


def test_the_score_curve_is_log_logistic_around_its_midpoint() -> None:
    from curator.imaging.metrics import MID_SHARPNESS

    assert sharpness_score(MID_SHARPNESS) == 50.0
    assert sharpness_score(2 * MID_SHARPNESS) == 80.0
    assert sharpness_score(MID_SHARPNESS / 2) == 20.0
    assert sharpness_score(0.0) == 0.0
    levels = [0.5, 1, 2, 4, 8, 16, 32]
    scores = [sharpness_score(v) for v in levels]
    assert all(a < b for a, b in pairwise(scores))
    assert scores[0] > 0.0 and scores[-1] < 100.0  # no saturation where photos live


def test_the_level_is_the_top_two_percent_of_tiles_against_all_of_them() -> None:
    energy = np.ones((4, 16, 16))
    assert sharpness_level(energy) == pytest.approx(1.0, rel=1e-5)
    energy[:, 0, :5] = 100.0  # 5 sharp tiles of 256: round(2 % of 256) = 5
    mean = (5 * 100.0 + 251 * 1.0) / 256
    expected = math.sqrt(100.0**0.9 * mean**0.1)
    assert sharpness_level(energy) == pytest.approx(expected, rel=1e-5)


def test_the_weakest_direction_weighs_three_quarters() -> None:
    energy = np.full((4, 16, 16), 16.0)
    energy[0] = 1.0  # one direction smeared (camera shake)
    tile = math.exp(0.75 * math.log(1.0) + 0.25 * math.log((1 + 3 * 16) / 4))
    assert sharpness_level(energy) == pytest.approx(math.sqrt(tile), rel=1e-5)


def test_directional_energy_sees_which_direction_carries_detail() -> None:
    stripes = np.zeros((640, 640), np.uint8)
    stripes[::2] = 100  # horizontal stripes: detail only across rows
    energy, noise = directional_energy(stripes)
    assert energy.shape == (4, 16, 16) and noise.shape == (4,)
    inner = energy[:, 1:-1, 1:-1]  # away from the reflected border rows
    assert np.allclose(inner[0], 0, atol=1e-6)  # along the rows: nothing changes
    # Across the rows the (lightly smoothed) alternation is the strongest signal;
    # the diagonals see half of it per unit length.
    assert inner[1].min() > 3.9 * inner[2].max() > 0
    assert np.allclose(inner[2], inner[3])


def test_strips_a_pixel_or_a_few_wide_are_too_small_to_judge() -> None:
    # Issue 22: a 1 x 2,000 px image scored BLUR from its long edge alone.
    for width, height in ((2000, 1), (1, 2000), (2000, 31)):
        strip = measure_sharpness(texture(width, height, seed=2))
        assert strip.score is None and strip.note == TOO_SMALL_NOTE, (width, height)
    panorama = measure_sharpness(texture(2000, 64, seed=2))
    assert panorama.score is not None


def test_frames_under_640_px_are_too_small_to_judge() -> None:
    small = texture(MIN_JUDGED_LONG_EDGE - 1, 400, seed=1)
    result = measure_sharpness(small)
    assert result.score is None and result.note == TOO_SMALL_NOTE
    assert result.laplacian_var > 0  # the raw measures are still kept
    edge = measure_sharpness(texture(MIN_JUDGED_LONG_EDGE, 400, seed=1))
    assert edge.score is not None and edge.note is None
    portrait = measure_sharpness(texture(400, MIN_JUDGED_LONG_EDGE, seed=1))
    assert portrait.score is not None


def test_flat_frame_scores_zero() -> None:
    result = measure_sharpness(np.full((600, 800), 128, np.uint8))
    assert result.score == 0 and result.laplacian_var == 0


# -- sharpness: degradations ----------------------------------------------------------


def test_blur_series_is_strictly_ordered() -> None:
    for name, rgb in SCENES.items():
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        scores = [_score(luma)] + [_score(_blur(luma, s)) for s in (0.5, 1, 1.5, 2, 3, 4)]
        assert all(a > b for a, b in pairwise(scores)), (name, scores)
        assert scores[-1] > 0 and scores[0] < 100  # no ties at the ends


def test_camera_shake_costs_at_least_half() -> None:
    for index, (name, rgb) in enumerate(SCENES.items()):
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        shaken = cv2.cvtColor(camera_shake(rgb, 21, index), cv2.COLOR_RGB2GRAY)
        assert _score(shaken) <= 0.5 * _score(luma), name


def test_a_small_sharp_subject_on_a_blurred_background_counts_as_sharp() -> None:
    blurred = _blur(SHARP, 4)
    mixed = blurred.copy()
    mixed[700:1020, 1040:1520] = SHARP[700:1020, 1040:1520]  # 4 % of the frame
    sharp_score, mixed_score, blurred_score = _score(SHARP), _score(mixed), _score(blurred)
    assert mixed_score >= 0.5 * sharp_score
    assert mixed_score > blurred_score + 30
    # The global variance alone would not say so: it is far below the sharp frame's.
    assert measure_sharpness(mixed).laplacian_var < measure_sharpness(SHARP).laplacian_var / 5


def test_measure_does_not_depend_much_on_resolution() -> None:
    # The same scene at 2400 px and 1200 px: per-pixel Laplacian variance differs a lot,
    # the score (computed at the 1024 px working scale) hardly at all.
    scene = _blur(SHARP, 1.5)
    half = cv2.resize(scene, (1200, 800), interpolation=cv2.INTER_AREA)
    full_raw = cv2.Laplacian(scene, cv2.CV_32F).var()
    half_raw = cv2.Laplacian(half, cv2.CV_32F).var()
    assert half_raw > 1.5 * full_raw
    assert abs(_score(scene) - _score(half)) < 10


def test_soft_fixtures_score_below_sharp_fixtures() -> None:
    jolla = _score(_luma("jpeg/jolla_leaf_soft.jpg"))
    sd300 = _score(_luma("jpeg/canon_sd300_1-6s_soft.jpg"))
    sharp = [
        _score(_luma(name)) for name in ("jpeg/olympus_ep3_iso1600.jpg", "jpeg/nokia83_5G.jpg")
    ]
    assert jolla < 45
    assert min(sharp) > 90
    assert max(jolla, sd300) < min(sharp)
    assert measure_sharpness(_luma("jpeg/exiv2_FurnaceCreekInn2.jpg")).score is None  # 400 px


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


@pytest.mark.parametrize(
    "name", ["jpeg/canon_ixus40_portrait_content.jpg", "jpeg/exiv2_SM-G930V_orient6.jpg"]
)
def test_a_working_view_window_is_the_working_scale_there(name: str) -> None:
    """The faces read their eye bands a window at a time: each window is what
    the whole working scale holds there, within one grey level, and a window
    past the edges is clipped to them."""
    luma = _luma(name)
    luma = cv2.resize(luma, (1440, round(1440 * luma.shape[0] / luma.shape[1])))
    whole = working_scale(luma)
    view = WorkingView(luma)
    assert view.shape == whole.shape
    rng = np.random.default_rng(7)
    for _ in range(40):
        x0, y0 = int(rng.integers(0, whole.shape[1] - 8)), int(rng.integers(0, whole.shape[0] - 8))
        x1 = x0 + int(rng.integers(1, whole.shape[1] - x0))
        y1 = y0 + int(rng.integers(1, whole.shape[0] - y0))
        window = view.window(x0, y0, x1, y1)
        assert window.dtype == np.uint8 and window.shape == (y1 - y0, x1 - x0)
        off = np.abs(window.astype(int) - whole[y0:y1, x0:x1].astype(int))
        assert off.max() <= 1 and np.count_nonzero(off) <= 0.001 * off.size + 1
    corner = view.window(-5, -5, 20, 30)
    assert corner.shape == (30, 20)
    assert np.abs(corner.astype(int) - whole[:30, :20].astype(int)).max() <= 1
    edge = view.window(whole.shape[1] - 10, 0, whole.shape[1] + 10, 10)
    assert edge.shape == (10, 10)
    small = luma[:300, :400]
    assert np.array_equal(WorkingView(small).window(10, 20, 110, 220), small[20:220, 10:110])


def test_invalid_luma_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        measure_sharpness(np.zeros((0, 0), np.uint8))
    with pytest.raises(ValueError):
        measure_exposure(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ValueError):
        measure_exposure(np.zeros((10, 10), np.float32))


# -- exposure: the rules, exactly -----------------------------------------------------


def test_exposure_fractions_and_mean_are_exact() -> None:
    luma = np.zeros((100, 100), np.uint8)
    luma[:10] = 255  # 10 % clipped highlights
    luma[10:30] = 5  # 20 % at the shadow threshold
    luma[30:] = 100
    result = measure_exposure(luma)
    assert result.highlight_clip == pytest.approx(0.10)
    assert result.shadow_clip == pytest.approx(0.20)
    assert result.mean_luminance == pytest.approx(0.1 * 255 + 0.2 * 5 + 0.7 * 100)


def test_readings_are_exact() -> None:
    assert to_linear(255) == 1.0 and to_linear(0) == 0.0
    assert to_linear(118) == pytest.approx(0.181, abs=0.001)  # middle grey
    flat = np.zeros(256)
    flat[118] = 1000
    # A bin covers level ± 0.5: the 99.5th percentile sits 0.495 above the level.
    assert histogram_quantile(flat, 0.995) == pytest.approx(118.495)
    assert headroom_ev(flat) == pytest.approx(math.log2(1 / to_linear(118.495)))
    assert headroom_ev(flat, 0.9) == pytest.approx(math.log2(1 / to_linear(118.4)))
    white = np.zeros(256)
    white[255] = 10
    assert headroom_ev(white) == 0.0
    black = np.zeros(256)
    black[0] = 10
    assert headroom_ev(black) == 8.0  # capped


def test_clipping_reads_as_ev_beyond_three_percent() -> None:
    assert clip_ev(0.0) == 0.0 and clip_ev(0.03) == pytest.approx(0.0, abs=1e-12)
    assert clip_ev(0.5) == pytest.approx(1.880794, rel=1e-5)  # probit(0.5) - probit(0.03)
    assert clip_ev(0.05) < clip_ev(0.2) < clip_ev(0.5) < clip_ev(1.0)


def test_soft_excess_and_smooth_max_are_strictly_increasing() -> None:
    xs = [-2.0, -0.5, 0.0, 0.5, 2.0, 10.0]
    values = [soft_excess(x) for x in xs]
    assert all(a < b for a, b in pairwise(values))
    assert all(v >= max(0.0, x) for v, x in zip(values, xs, strict=True))
    assert soft_excess(2.0) == pytest.approx(2.0, abs=1e-4)
    assert soft_excess(-2.0) < 1e-4
    assert smooth_max(3.0, -1.0) == pytest.approx(3.0, abs=1e-6)
    assert smooth_max(1.0, 1.0) > 1.0 and smooth_max(1.0, 1.1) > smooth_max(1.0, 1.0)


def test_the_judgment_reads_ev_as_a_photographer_does() -> None:
    # Perfect: highlights at white, the lit part within 2.4 EV, nothing clipped.
    score, ev = exposure_judgment(0.1, 1.0, 0.0, 0.0)
    assert score > 99 and abs(ev) <= 0.1
    # Highlights 1.3 EV further under white than a metered frame: ≈ −1.3 EV, and
    # about the CLIPPED line (1.2 stops scores ~60).
    score, ev = exposure_judgment(1.4, 2.0, 0.0, 0.0)
    assert ev == pytest.approx(-1.3) and 50 < score < 60
    assert exposure_judgment(0.8, 1.5, 0.0, 0.0)[0] > 85  # 0.7 EV under: no badge
    # A night frame: lamps clipped (no headroom), but its lit part 3.7 EV under
    # white (1.3 EV darker than a metered night frame): ≈ −1.3 EV.
    score, ev = exposure_judgment(0.0, 3.3, 0.0, 0.3)
    assert ev == pytest.approx(-1.2) and score < 60
    assert exposure_judgment(0.0, 1.6, 0.0, 0.12)[0] > 90  # the metered night frame
    # Crushed shadows cost only once the frame is under-exposed (low key is a choice).
    assert exposure_judgment(0.3, 1.6, 0.0, 0.7)[0] > 90
    # Clipping: 30 % of the content clipped is over-exposure, ~+1.4 EV.
    over_score, over_ev = exposure_judgment(0.0, 0.5, 0.3, 0.0)
    assert over_ev == pytest.approx(round(clip_ev(0.3), 1), abs=0.1)
    assert over_score < 60
    # A low-key subject blown white: the lit part's share counts (up to twice the
    # content's), so a mostly-dark frame with a blown subject reads over-exposed.
    assert (
        exposure_judgment(0.0, 1.0, 0.15, 0.0, 0.6)[1]
        > exposure_judgment(0.0, 1.0, 0.15, 0.0, 0.0)[1]
    )


def test_the_brightest_channel_decides_clipping_and_headroom() -> None:
    # A saturated green leaf: G clipped, luma well under 250.
    rgb = np.zeros((200, 300, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 60, 255, 40
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert luma.max() < 250
    by_luma = measure_exposure(luma)
    by_rgb = measure_exposure(luma, rgb)
    assert by_luma.highlight_clip == by_rgb.highlight_clip == 0.0  # stored: luma >= 250
    assert by_rgb.score < by_luma.score
    assert by_rgb.ev is not None and by_rgb.ev > 0


# -- exposure: degradations and fixtures ----------------------------------------------


def test_exposure_series_on_generated_scenes() -> None:
    for name, rgb in SCENES.items():

        def judged(ev: float, rgb: np.ndarray = rgb) -> tuple[float, float]:
            shifted = exposure_shift(rgb, ev)
            m = measure_exposure(cv2.cvtColor(shifted, cv2.COLOR_RGB2GRAY), shifted)
            assert m.ev is not None
            return m.score, m.ev

        original = judged(0.0)[0]
        for ev in (-2.0, 2.0):
            assert judged(ev)[0] < original, (name, ev)
        # Further from the metering, lower; and the estimate has the right sign.
        # (-0.7 EV may beat an original with a few clipped highlights: it unclips them.)
        assert judged(-2.5)[0] < judged(-1.3)[0] < judged(-0.7)[0]
        assert judged(-1.3)[0] < original
        assert judged(2.5)[0] < judged(1.3)[0] < original
        assert judged(-1.3)[1] <= -0.5 and judged(1.3)[1] >= 0.5


def test_underexposed_fixture_scores_badly() -> None:
    result = measure_exposure(_luma("jpeg/exiv2_D7000_underexposed.jpg"))
    assert result.score < 20
    assert result.ev is not None and result.ev <= -3


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
    bgr = cv2.imread(str(fixture(relative)), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    assert bgr is not None
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    result = measure_exposure(_luma(relative), rgb)
    assert result.score >= 80, result
    assert result.ev is not None and abs(result.ev) <= 0.5, result


def test_synthetic_exposure_rules() -> None:
    rng = np.random.default_rng(0)
    low_key = np.full((400, 600), 2, np.uint8)
    low_key[150:250, 250:350] = rng.integers(120, 250, (100, 100), dtype=np.uint8)
    assert measure_exposure(low_key).score >= 90  # big black background is a choice

    high_key = rng.integers(190, 245, (400, 600), dtype=np.uint8)
    assert measure_exposure(high_key).score >= 90

    blown = high_key.copy()
    blown[:160] = 255  # 40 % clipped
    blown_result = measure_exposure(blown)
    assert blown_result.score < 65 and blown_result.ev is not None and blown_result.ev > 0.5
    assert blown_result.highlight_clip == pytest.approx(0.4)  # the CLIP badge's other trigger

    murky = rng.integers(0, 40, (400, 600), dtype=np.uint8)  # nothing reaches mid-grey
    assert measure_exposure(murky).score < 20

    black = measure_exposure(np.zeros((50, 50), np.uint8))
    assert (
        black.score < 5 and black.ev == -7.9
    )  # 8 EV of headroom less the 0.1 a metered frame keeps
    assert luma_histogram(np.zeros((5, 5), np.uint8))[0] == 25


@pytest.mark.parametrize("shape", [(683, 1024), (1024, 683), (768, 1024), (677, 1019), (40, 33)])
def test_grid_means_is_opencvs_area_resize_one_axis_at_a_time(shape: tuple[int, int]) -> None:
    # The tile maps of `directional_energy` and `focus.coarse_contrast` come from
    # `grid_means` (issue 21 §3: 4x faster); it must stay the 2-D INTER_AREA
    # resize they used before, up to float rounding, or every score moves.
    from curator.imaging.orientation import grid_means

    values = np.random.default_rng(7).random(shape, dtype=np.float32) ** 2 * 1000
    rows, cols = min(16, shape[0] // 2), min(16, shape[1] // 2)
    direct = cv2.resize(values, (cols, rows), interpolation=cv2.INTER_AREA)
    ours = grid_means(values, cols, rows)
    assert ours.shape == direct.shape
    np.testing.assert_allclose(ours, direct, rtol=1e-5)


def test_exposure_reads_the_brightest_channel_the_same_on_every_layout() -> None:
    # A contiguous RGB8 preview takes OpenCV's split + max (issue 21 §3); any other
    # layout numpy's maximum over the planes: the readings must not differ.
    rng = np.random.default_rng(11)
    rgba = cv2.GaussianBlur(rng.integers(0, 256, (300, 500, 4), dtype=np.uint8), (0, 0), 2)
    rgba[:40, :, 0] = 255  # a clipped red sky: the brightest channel is not the luma
    strided = rgba[..., :3]
    contiguous = np.ascontiguousarray(strided)
    luma = cv2.cvtColor(contiguous, cv2.COLOR_RGB2GRAY)
    assert not strided.flags.c_contiguous
    assert measure_exposure(luma, contiguous) == measure_exposure(luma, strided)
    assert measure_exposure(luma, contiguous) != measure_exposure(luma)


def test_a_straight_shake_is_named_and_a_blur_or_a_sharp_frame_is_not() -> None:
    # The camera fixtures at 1600 px (the cull bench's shoot), each shaken 31 px
    # in its own direction, and blurred (sigma 4): the note tells them apart.
    named, blurs_named, sharp_named = [], [], []
    for index, source in enumerate(SOURCES):
        rgb = source_rgb(source)
        luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        shaken = cv2.cvtColor(camera_shake(rgb, 31, index), cv2.COLOR_RGB2GRAY)
        named.append(measure_sharpness(shaken).note == SHAKE_NOTE)
        blurs_named.append(measure_sharpness(_blur(luma, 4)).note == SHAKE_NOTE)
        sharp_named.append(measure_sharpness(luma).note == SHAKE_NOTE)
    assert sum(named) >= 0.5 * len(SOURCES), named  # precision first (metrics.SHAKE_RATIO)
    assert not any(blurs_named) and not any(sharp_named)
