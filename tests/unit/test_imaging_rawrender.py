"""Our half-size Bayer render against LibRaw's ``postprocess(half_size=True)``."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import rawpy

from curator.imaging.metrics import measure_exposure, measure_sharpness
from curator.imaging.rawdecode import render_bayer_half_size
from tests.imaging_helpers import fixture, make_dng


def _renders(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with rawpy.imread(str(path)) as raw:
        ours = render_bayer_half_size(raw)  # first: LibRaw's processing changes raw_pattern
        assert ours is not None, path.name
        libraw = raw.postprocess(
            half_size=True, use_camera_wb=True, output_bps=8, no_auto_bright=True, user_flip=0
        )
    return ours, libraw


@pytest.mark.parametrize(
    "relative",
    [
        "raw/BMPCC4K_Blackmagic.dng",  # 16-bit white level, compressed
        "raw/Canon550D_MagicLantern_colorchart.dng",  # margins, data max < white level
        "raw_edge/Pixel7_noise_test.dng",  # per-channel black levels, nearly black frame
    ],
)
def test_bayer_render_matches_libraw(relative: str) -> None:
    ours, libraw = _renders(fixture(relative))
    height, width = libraw.shape[:2]
    assert ours.dtype == np.uint8 and ours.ndim == 3 and ours.shape[2] == 3
    assert abs(ours.shape[0] - height) <= 1 and abs(ours.shape[1] - width) <= 1
    ours = ours[:height, :width]
    # Per channel, not only in luma: white balance and colour matrix agree too.
    assert np.abs(ours.reshape(-1, 3).mean(0) - libraw.reshape(-1, 3).mean(0)).max() < 1.0
    luma_ours = cv2.cvtColor(ours, cv2.COLOR_RGB2GRAY)
    luma_libraw = cv2.cvtColor(libraw, cv2.COLOR_RGB2GRAY)
    assert float(np.abs(luma_ours.astype(np.int16) - luma_libraw).mean()) < 0.5
    sharp_ours, sharp_libraw = measure_sharpness(luma_ours), measure_sharpness(luma_libraw)
    assert sharp_ours.score == pytest.approx(sharp_libraw.score, abs=1.0)
    assert sharp_ours.laplacian_var == pytest.approx(sharp_libraw.laplacian_var, rel=0.05, abs=0.5)
    expo_ours, expo_libraw = measure_exposure(luma_ours), measure_exposure(luma_libraw)
    assert expo_ours.mean_luminance == pytest.approx(expo_libraw.mean_luminance, abs=0.5)
    assert expo_ours.score == pytest.approx(expo_libraw.score, abs=1.0)


def test_generated_dng_render_matches_libraw(tmp_path: Path) -> None:
    ours, libraw = _renders(make_dng(tmp_path / "texture.dng", 640, 480))
    assert ours.shape == libraw.shape == (240, 320, 3)
    assert float(np.abs(ours.astype(np.int16) - libraw).mean()) < 0.5


@pytest.mark.parametrize(
    "relative", ["raw/LG-H815_sample_1mp.dng", "raw/Kodak_C330_FORMAT_NONE_YRGB.raw"]
)
def test_non_bayer_sensors_are_left_to_libraw(relative: str) -> None:
    with rawpy.imread(str(fixture(relative))) as raw:
        assert render_bayer_half_size(raw) is None


@pytest.mark.parametrize("shape", [(1088, 2064), (2000, 3000), (759, 1440), (900, 600)])
def test_shrink_is_the_pillow_path_without_the_copies(shape: tuple[int, int]) -> None:
    # The preview of a sensor render is shrunk on the array (issue 21 §3: one
    # Pillow image at the end, not a full-size one in between); the pixels must
    # be exactly those of the former path through a full-size Pillow image.
    from PIL import Image

    from curator.imaging.orientation import fit_long_edge
    from curator.imaging.rawdecode import shrink_render

    rgb = np.random.default_rng(3).integers(0, 256, (*shape, 3), dtype=np.uint8)
    rgb = cv2.GaussianBlur(rgb, (0, 0), 1.0)
    height, width = shape
    factor = max(width, height) // 1440
    former = rgb
    if factor >= 2:
        size = (max(1, width // factor), max(1, height // factor))
        former = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    expected = np.asarray(fit_long_edge(Image.fromarray(former), 1440))
    ours = shrink_render(rgb, 1440)
    assert ours.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(ours), expected)


def test_tone_curve_is_the_table_look_up_band_by_band() -> None:
    # The render's 16 -> 8 bit curve is applied in bands of rows (issue 21 §3); every
    # value, the last partial band and both ends of the table included, must be the
    # plain look-up's.
    from curator.imaging.rawdecode import BT709_CURVE, tone_curve

    rng = np.random.default_rng(5)
    linear = rng.integers(0, 65536, (77, 41, 3), dtype=np.uint16)
    linear[0, 0] = (0, 65535, 32768)
    np.testing.assert_array_equal(tone_curve(linear), BT709_CURVE[linear])


def test_the_constant_sensor_check_is_the_deviation_rule() -> None:
    # sensor_is_constant decides from the range where it can (issue 21 §3); it must
    # answer as "the 1/16 sample's standard deviation < 1" does, in every regime.
    from curator.imaging.rawdecode import sensor_is_constant

    rng = np.random.default_rng(9)
    flat = np.full((64, 64), 512, dtype=np.uint16)
    one_level = flat + rng.integers(0, 2, flat.shape, dtype=np.uint16)  # spread 1
    # One outlier among 256 samples: spread 10 and 20 leave it to the deviation
    # (0.62 and 1.25), spread 3,488 decides by itself.
    warm, warmer, hot = flat.copy(), flat.copy(), flat.copy()
    warm[0, 0], warmer[0, 0], hot[0, 0] = 522, 532, 4000
    noisy = (flat + rng.normal(0, 30, flat.shape)).astype(np.uint16)
    stacked = np.dstack([noisy] * 4)  # LibRaw's 4-channel "stack" sensors
    cases = [flat, one_level, warm, warmer, hot, noisy, stacked, flat[:0]]
    expected = [True, True, True, False, False, False, False, True]
    for sensor, want in zip(cases, expected, strict=True):
        sample = sensor[::4, ::4]
        rule = sample.size == 0 or float(sample.std()) < 1.0
        assert rule is want
        assert sensor_is_constant(sensor) is want
