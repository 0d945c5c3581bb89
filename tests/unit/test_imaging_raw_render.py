"""Our half-size render (Bayer and stacked sensors) against LibRaw's
``postprocess(half_size=True)``."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import rawpy

from curator.imaging.metrics import measure_exposure, measure_sharpness
from curator.imaging.raw.render import render_half_size
from tests.imaging_helpers import fixture, make_dng


def _renders(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with rawpy.imread(str(path)) as raw:
        ours = render_half_size(raw)  # first: LibRaw's processing changes raw_pattern
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
        "raw/LG-H815_sample_1mp.dng",  # LinearRaw stack, the file's own colour matrix
        "raw/Kodak_C330_FORMAT_NONE_YRGB.raw",  # stack without camera WB: LibRaw's grey world
    ],
)
def test_render_matches_libraw(relative: str) -> None:
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
    ("peak", "black_levels"),
    [
        (3100, None),  # above 75 % of the white level, not of the range above black
        (3100, (256, 240, 240, 300)),  # the peak less the smallest black: still not
        (3300, (256, 240, 240, 300)),  # 3060 above black, > 75 % of 4095 - 240: lowered
    ],
)
def test_the_white_point_follows_libraws_black_subtracted_data_maximum(
    tmp_path: Path, peak: int, black_levels: tuple[int, int, int, int] | None
) -> None:
    # LibRaw lowers its white point to the data maximum only when that lies above
    # 75 % of the range *above black*, each value less its own channel's black.
    # Compared on raw values, a 12-bit frame peaking at 3100 was rendered a third
    # brighter than LibRaw's.
    path = make_dng(tmp_path / "peak.dng", 640, 480, peak=peak, black_levels=black_levels)
    ours, libraw = _renders(path)
    assert np.abs(ours.reshape(-1, 3).mean(0) - libraw.reshape(-1, 3).mean(0)).max() < 0.5


@pytest.mark.parametrize("shape", [(6, 8), (7, 9), (2, 2), (40, 31, 4), (1, 5, 4)])
def test_channel_maxima_are_each_channels_own_maximum(shape: tuple[int, ...]) -> None:
    from curator.imaging.raw.render import channel_maxima

    data = np.random.default_rng(7).integers(0, 4000, shape, dtype=np.uint16)
    # A different ceiling per channel, so a channel read from the wrong place shows.
    if len(shape) == 3:
        data += np.array([0, 1000, 2000, 3000], dtype=np.uint16)
    else:
        for position in range(4):
            data[position // 2 :: 2, position % 2 :: 2] += np.uint16(1000 * position)
    if len(shape) == 3:
        expected = data.reshape(-1, shape[2]).max(axis=0)
    else:
        expected = np.array([data[i // 2 :: 2, i % 2 :: 2].max() for i in range(4)])
    np.testing.assert_array_equal(channel_maxima(data), expected)


def test_a_generated_dng_without_camera_white_balance_gets_libraws_grey_world(
    tmp_path: Path,
) -> None:
    # LibRaw >= 0.20 balances a file that parsed no as-shot multipliers by its grey
    # world (8 x 8 blocks, clipped ones left out); daylight's, our former fallback,
    # makes this grey scene ~20 levels redder.
    from curator.imaging.raw import render as rawrender

    path = make_dng(tmp_path / "no_wb.dng", 640, 480, as_shot_neutral=False)
    with rawpy.imread(str(path)) as raw:
        assert raw.camera_whitebalance[0] == 0  # the file records no white balance
        sensor = rawrender._sensor(raw)
        assert sensor is not None
        image, colours = sensor.whole(), sensor.colours
        black = np.asarray(raw.black_level_per_channel, dtype=np.float64)[list(colours)]
        maximum = rawrender.adjusted_maximum(sensor, black, raw.white_level - black.min())
        found = rawrender.auto_white_balance(image, colours, black, maximum)
        ours = rawrender.render_half_size(raw)
        kw = {"half_size": True, "output_bps": 8, "no_auto_bright": True, "user_flip": 0}
        libraw = raw.postprocess(use_camera_wb=True, **kw)
        daylight = raw.postprocess(use_camera_wb=False, **kw)
    assert found is not None and ours is not None
    # Against the grey world computed directly: every block here is below the limit.
    expected = np.zeros(4)
    for channel, colour in enumerate(colours):
        values = np.maximum(image[..., channel].astype(np.float64) - black[channel], 0)
        expected[colour] = values.size / values.sum()
    np.testing.assert_allclose(found, expected, rtol=1e-6)
    means = ours.reshape(-1, 3).mean(0)
    assert np.abs(means - libraw.reshape(-1, 3).mean(0)).max() < 0.5
    assert np.abs(means - daylight.reshape(-1, 3).mean(0)).max() > 10


def test_the_grey_world_leaves_out_blocks_with_a_clipped_value() -> None:
    from curator.imaging.raw.render import auto_white_balance

    image = np.full((16, 16, 4), 1000, dtype=np.uint16)
    image[..., 1] = 2000
    image[0:4, 0:3, 0] = 65520  # one 4 x 4-quad block holds clipped red (> 65535 - 25)
    image[12:16, 12:16, 1] = 4000  # a bright but unclipped block counts
    found = auto_white_balance(image, (0, 1, 3, 2), np.zeros(4), 65535.0)
    assert found is not None
    assert found[0] == pytest.approx(1 / 1000)
    assert found[1] == pytest.approx(1 / ((2000 * 224 + 4000 * 16) / 240))  # 15 blocks of 16
    hot = np.full((8, 8, 4), 65511, dtype=np.uint16)
    assert auto_white_balance(hot, (0, 1, 3, 2), np.zeros(4), 65535.0) is None
    # The limit applies above black, as LibRaw compares once black is subtracted:
    # 65500 is 64988 above a black of 512, under 65023 - 25, so its block counts.
    bright = np.full((8, 8, 4), 1000, dtype=np.uint16)
    bright[0, 0, 0] = 65500
    found = auto_white_balance(bright, (0, 1, 3, 2), np.full(4, 512.0), 65535.0 - 512)
    assert found is not None
    assert found[0] == pytest.approx(64 / (488 * 63 + 64988))


@pytest.mark.parametrize(
    ("pattern", "colours", "desc", "aspect"),
    [
        ([[0, 1], [1, 2]], 3, b"RGBG", 1.0),  # two greens at one colour index
        (np.tile([[0, 1, 2], [1, 2, 0], [2, 0, 1]], (2, 2)), 3, b"RGBG", 1.0),  # 6 x 6
        ([[0, 1], [3, 2]], 4, b"CMYG", 1.0),  # four colours
        ([[0, 1], [3, 2]], 3, b"RGBG", 2.0),  # non-square pixels
    ],
)
def test_sensors_we_do_not_render_are_left_to_libraw(
    pattern: list[list[int]], colours: int, desc: bytes, aspect: float
) -> None:
    from types import SimpleNamespace

    from curator.imaging.raw import render as rawrender

    raw = SimpleNamespace(
        raw_type=rawpy.RawType.Flat,
        raw_pattern=np.asarray(pattern, dtype=np.uint8),
        color_desc=desc,
        num_colors=colours,
        sizes=SimpleNamespace(pixel_aspect=aspect),
        raw_image_visible=np.zeros((12, 12), dtype=np.uint16),
    )
    assert rawrender._sensor(raw) is None  # type: ignore[arg-type]
    assert rawrender.render_half_size(raw) is None  # type: ignore[arg-type]
    raw.raw_pattern = np.asarray([[0, 1], [3, 2]], dtype=np.uint8)
    raw.color_desc, raw.num_colors, raw.sizes.pixel_aspect = b"RGBG", 3, 1.0
    assert rawrender._sensor(raw) is not None  # the same object, a plain Bayer quad


@pytest.mark.parametrize("shape", [(1088, 2064), (2000, 3000), (759, 1440), (900, 600)])
def test_shrink_render_is_a_box_average_then_a_small_remainder(shape: tuple[int, int]) -> None:
    # The preview of a sensor render is shrunk on the array (issue 21 §3): one Pillow
    # image at the end, the size `shrunk_size` promises, the pixels those of Pillow's
    # own area reduction within rounding and the cropped edge's fraction of a pixel.
    from PIL import Image

    from curator.imaging.orientation import shrunk_size
    from curator.imaging.raw.decode import shrink_render

    rgb = np.random.default_rng(3).integers(0, 256, (*shape, 3), dtype=np.uint8)
    rgb = cv2.GaussianBlur(rgb, (0, 0), 2.0)
    height, width = shape
    ours = shrink_render(rgb, 1440)
    assert ours.mode == "RGB"
    expected_size = shrunk_size((width, height), 1440) or (width, height)
    assert ours.size == expected_size
    pillow = np.asarray(Image.fromarray(rgb).resize(expected_size, Image.Resampling.BOX))
    # Within 2 levels on average: the bilinear remainder keeps a little more of this
    # noise's fine grain than one wide box does (a shifted crop would be ~20 off).
    assert float(np.abs(np.asarray(ours).astype(np.int16) - pillow).mean()) < 2.0


@pytest.mark.parametrize("factor", [2, 3, 4, 5])
@pytest.mark.parametrize("shape", [(759, 1440, 3), (101, 67), (7, 3)])
def test_box_shrink_is_the_mean_of_whole_blocks(shape: tuple[int, ...], factor: int) -> None:
    # box_shrink crops to whole blocks so OpenCV takes its exact-ratio path (a
    # fractional INTER_AREA cost 2-10x more); every output pixel must be the rounded
    # mean of its factor x factor block, whatever the remainder rows and columns.
    from curator.imaging.orientation import box_shrink

    array = np.random.default_rng(factor).integers(0, 256, shape, dtype=np.uint8)
    ours = box_shrink(array, factor)
    rows, cols = max(1, shape[0] // factor), max(1, shape[1] // factor)
    assert ours.shape[:2] == (rows, cols) and ours.dtype == np.uint8
    if shape[0] >= factor and shape[1] >= factor:
        blocks = array[: rows * factor, : cols * factor].astype(np.float64)
        blocks = blocks.reshape(rows, factor, cols, factor, *shape[2:])
        expected = blocks.mean(axis=(1, 3))
        # Rounded once per halving: within half a level per step of the exact mean.
        steps = 1 + (factor % 2 == 0) * (factor.bit_length() - 2)
        assert np.abs(ours - expected).max() <= 0.5 * steps + 1e-9
    assert box_shrink(array, 1) is array


@pytest.mark.parametrize("size", [(640, 480), (2 * 37 + 2, 2 * 70 + 2)])
def test_the_banded_render_is_the_whole_frame_arithmetic(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    # The render runs band by band (issue 21 §3: the intermediates stay in the cache),
    # gathering quads through int32 pairs; every pixel, the last partial band's too,
    # must be the plain whole-frame arithmetic of the module docstring.
    from curator.imaging.raw import render as rawrender

    with rawpy.imread(str(make_dng(tmp_path / "texture.dng", *size))) as raw:
        ours = rawrender.render_half_size(raw)
        sensor = raw.raw_image_visible.astype(np.float64)
        pattern = raw.raw_pattern
        black = np.asarray(raw.black_level_per_channel, dtype=np.float64)
        white = float(raw.white_level)
        data_max = float(raw.raw_image_visible.max())
        multipliers = rawrender.white_balance(raw, lambda: None)
        rgb_cam = rawrender.camera_to_srgb(raw)
    assert ours is not None and rgb_cam is not None
    if white * 0.75 < data_max < white:
        white = data_max
    gains = multipliers * 65535.0 / (white - black.min())
    height, width = sensor.shape[0] // 2 * 2, sensor.shape[1] // 2 * 2
    planes = {}
    for y in (0, 1):
        for x in (0, 1):
            colour = int(pattern[y, x])
            plane = (sensor[y:height:2, x:width:2] - black[colour]) * gains[colour]
            planes[colour] = np.clip(np.rint(plane), 0, 65535)
    camera = np.dstack([planes[0], (planes[1] + planes[3]) / 2, planes[2]])
    linear = np.clip(np.rint(camera @ rgb_cam.T), 0, 65535).astype(np.uint16)
    expected = rawrender.BT709_CURVE[linear]
    assert ours.shape == expected.shape
    difference = np.abs(ours.astype(np.int16) - expected)
    assert difference.max() <= 1 and difference.mean() < 0.05  # float rounding only


def test_the_constant_sensor_check_is_the_deviation_rule() -> None:
    # sensor_is_constant decides from the range where it can (issue 21 §3); it must
    # answer as "the 1/16 sample's standard deviation < 1" does, in every regime.
    from curator.imaging.raw.decode import sensor_is_constant

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


@pytest.mark.parametrize(("height", "width"), [(10, 14), (9, 13), (7, 7), (70, 3)])
def test_quads_are_gathered_by_position_whatever_the_sensor_size(height: int, width: int) -> None:
    # The gather reads pixel pairs as int32 (rows of an odd-width sensor start at
    # unaligned addresses) and leaves out an odd last row and column.
    from curator.imaging.raw.render import _Sensor

    data = np.random.default_rng(height * width).integers(0, 4096, (height, width), np.uint16)
    sensor = _Sensor(data, (0, 1, 3, 2), height // 2, width // 2)
    rows, cols = height // 2 * 2, width // 2 * 2
    expected = np.stack(
        [data[y:rows:2, x:cols:2] for y, x in ((0, 0), (0, 1), (1, 0), (1, 1))], axis=2
    )
    np.testing.assert_array_equal(sensor.whole(), expected)
    band = sensor.band(1, 3, np.empty(2 * (width // 2) * 4 + 2, np.uint16))
    np.testing.assert_array_equal(band, expected[1:3])
