"""The JPEG-tiled DNG reader (curator/imaging/raw/jpeg_dng.py) against LibRaw
on the same bytes: the Pocket 4K lossy CinemaDNG fixture, and generated
lossy and lossless DNGs with each DNG feature it follows or declines."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import rawpy

from curator.imaging.raw import decode as raw_decode
from curator.imaging.raw import jpeg_dng
from curator.imaging.raw.render import render_half_size
from curator.imaging.types import MetricsSource
from tests.tiled_dng_helpers import (
    CFA,
    D65,
    D65_MATRIX,
    STANDARD_A,
    STD_A_MATRIX,
    bayer_codes,
    log_curve,
    make_tiled_dng,
)

FIXTURE = Path(__file__).resolve().parents[2].parent / "shared/fixtures/raw/BMPCC4K_Blackmagic.dng"


@pytest.fixture(scope="module")
def pocket_4k() -> bytes:
    if not FIXTURE.exists():
        pytest.skip(f"camera fixture missing at {FIXTURE}")
    return FIXTURE.read_bytes()


def _libraw(data: bytes) -> rawpy.RawPy:
    return rawpy.imread(io.BytesIO(data))


def _assert_reads_as_libraw(data: bytes, curve: np.ndarray | None) -> jpeg_dng.JpegDngSensor:
    """Every fact the render reads equals LibRaw's; the sensor within one 12-bit
    code of LibRaw's (the IDCTs round differently), i.e. within the largest
    step of the linearization curve."""
    ours = jpeg_dng.read_sensor(data)
    assert ours is not None
    with _libraw(data) as raw:
        assert ours.raw_image_visible.shape == raw.raw_image_visible.shape
        np.testing.assert_array_equal(ours.raw_pattern, raw.raw_pattern)
        assert ours.black_level_per_channel == list(raw.black_level_per_channel)
        assert ours.white_level == raw.white_level
        np.testing.assert_allclose(ours.camera_whitebalance, raw.camera_whitebalance, rtol=1e-6)
        np.testing.assert_allclose(ours.daylight_whitebalance, raw.daylight_whitebalance, rtol=1e-4)
        np.testing.assert_allclose(ours.color_matrix, raw.color_matrix, atol=1e-4)
        step = 1 if curve is None else int(np.diff(curve.astype(np.int64)).max())
        difference = np.abs(ours.raw_image_visible.astype(np.int64) - raw.raw_image_visible)
        assert difference.max() <= step
        assert np.count_nonzero(difference) / difference.size < 0.1
    return ours


def test_the_pocket_4k_frame_reads_as_libraw_reads_it(pocket_4k: bytes) -> None:
    import tifffile

    with tifffile.TiffFile(io.BytesIO(pocket_4k)) as tiff:
        curve = np.asarray(tiff.pages[0].tags[50712].value)
    _assert_reads_as_libraw(pocket_4k, curve)


def test_the_pocket_4k_frame_renders_within_one_level_of_libraws_unpack(pocket_4k: bytes) -> None:
    ours = render_half_size(jpeg_dng.read_sensor(pocket_4k))  # type: ignore[arg-type]
    with _libraw(pocket_4k) as raw:
        theirs = render_half_size(raw)
    assert ours is not None and theirs is not None and ours.shape == theirs.shape
    difference = np.abs(ours.astype(np.int16) - theirs)
    assert difference.max() <= 1 and np.count_nonzero(difference) / difference.size < 0.02


@pytest.mark.parametrize("cfa", list(CFA))
def test_each_bayer_layout_and_partial_edge_tiles_read_as_libraw(cfa: str) -> None:
    """256 x 192 in 96 x 64 tiles: the last tile column is a third empty."""
    curve = log_curve()
    data = make_tiled_dng(bayer_codes(256, 192), cfa=cfa, curve=curve)
    ours = _assert_reads_as_libraw(data, curve)
    assert sorted(ours.raw_pattern.ravel().tolist()) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("curve", "black", "white"),
    [(None, 256, 4095), (log_curve(3000), 512, 65535)],
    ids=["no curve", "a curve shorter than 12 bits"],
)
def test_linearization_as_libraw_applies_it(
    curve: np.ndarray | None, black: int, white: int
) -> None:
    data = make_tiled_dng(bayer_codes(192, 128), curve=curve, black=black, white=white)
    _assert_reads_as_libraw(data, curve)


@pytest.mark.parametrize(
    "matrices",
    [
        ((STANDARD_A, STD_A_MATRIX), (D65, D65_MATRIX)),
        ((D65, D65_MATRIX), (STANDARD_A, STD_A_MATRIX)),
        ((STANDARD_A, STD_A_MATRIX),),
    ],
    ids=["D65 second", "D65 first", "one matrix"],
)
def test_the_colour_matrix_is_the_one_libraw_chooses(
    matrices: tuple[tuple[int, tuple[float, ...]], ...],
) -> None:
    _assert_reads_as_libraw(make_tiled_dng(bayer_codes(192, 128), matrices=matrices), None)


def test_a_generated_frame_renders_as_libraws_unpack_does() -> None:
    data = make_tiled_dng(bayer_codes(384, 256), cfa="GRBG", curve=log_curve())
    ours = render_half_size(jpeg_dng.read_sensor(data))  # type: ignore[arg-type]
    with _libraw(data) as raw:
        theirs = render_half_size(raw)
    assert ours is not None and theirs is not None
    assert np.abs(ours.astype(np.int16) - theirs).max() <= 1


@pytest.mark.parametrize(
    ("bits", "components", "subifd"),
    [(12, 1, False), (14, 2, True), (16, 2, False)],
    ids=["12-bit, one component", "14-bit, two components, in a SubIFD", "16-bit"],
)
def test_lossless_tiles_read_as_libraw_reads_them(bits: int, components: int, subifd: bool) -> None:
    """As Adobe DNG Converter writes them (two half-width components, the raw
    image behind a preview IFD0): the very values LibRaw decodes."""
    codes = bayer_codes(256, 192) << (bits - 12)
    data = make_tiled_dng(
        codes,
        lossless_bits=bits,
        components=components,
        subifd=subifd,
        black=256 << (bits - 12),
        white=(1 << bits) - 1,
    )
    ours = _assert_reads_as_libraw(data, None)
    np.testing.assert_array_equal(ours.raw_image_visible, codes)


def test_the_active_area_and_a_black_level_per_position_read_as_libraw() -> None:
    """The visible sensor is the ActiveArea; a 2 x 2 BlackLevel gives each
    colour the black of its position (the two greens apart)."""
    data = make_tiled_dng(
        bayer_codes(256, 192),
        cfa="GRBG",
        lossless_bits=12,
        black=0,
        white=4095,
        extra=[
            (50829, "I", 4, (2, 4, 190, 250)),  # ActiveArea
            (50713, "H", 2, (2, 2)),  # BlackLevelRepeatDim
            (50714, "I", 4, (250, 260, 270, 280)),  # BlackLevel per position
        ],
    )
    ours = _assert_reads_as_libraw(data, None)
    assert ours.raw_image_visible.shape == (188, 246)
    assert ours.black_level_per_channel == [260, 250, 270, 280]  # R, G, B, G2 of GRBG
    with _libraw(data) as raw:
        theirs = render_half_size(raw)
    mine = render_half_size(ours)
    assert mine is not None and theirs is not None
    difference = np.abs(mine.astype(np.int16) - theirs)  # LibRaw's matrix: 4e-5 apart
    assert difference.max() <= 1 and np.count_nonzero(difference) / difference.size < 0.01


def _damaged(jpeg: bytes) -> bytes:
    return jpeg[: len(jpeg) // 3]


def _eight_bit_lossless(_: bytes) -> bytes:
    import imagecodecs

    block = (bayer_codes(96, 64) >> 4).astype(np.uint8)
    return bytes(imagecodecs.jpeg8_encode(block, lossless=True, bitspersample=8))


@pytest.mark.parametrize(
    "options",
    [
        {"extra": [(50829, "I", 4, (1, 1, 127, 191))]},  # an odd ActiveArea: LibRaw moves it
        {"extra": [(50713, "H", 2, (1, 2)), (50714, "I", 2, (250, 260))]},  # 1 x 2 repeat
        {"extra": [(50714, "2I", 1, (5125, 10))]},  # BlackLevel 512.5
        {
            "extra": [
                (50723, "2i", 9, (11000, 10000, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1))
            ]
        },
        {"extra": [(50727, "2I", 3, (12, 10, 1, 1, 1, 1))]},  # AnalogBalance
        {"matrices": ((STANDARD_A, STD_A_MATRIX), (STANDARD_A, D65_MATRIX))},
        {"tile": None},  # strips
        {"tile_transform": _damaged},
        {"tile_transform": _eight_bit_lossless},  # a tile at another precision than the IFD's
    ],
    ids=[
        "odd active area",
        "black repeat 1 x 2",
        "fractional black",
        "camera calibration",
        "analog balance",
        "no D65 matrix of two",
        "strips",
        "a damaged tile",
        "a tile's precision",
    ],
)
def test_what_the_reader_does_not_follow_is_left_to_libraw(options: dict[str, object]) -> None:
    data = make_tiled_dng(bayer_codes(192, 128), **options)  # type: ignore[arg-type]
    assert jpeg_dng.is_dng(data)
    assert jpeg_dng.read_sensor(data) is None


def test_only_dngs_are_read(fixtures_dir: Path) -> None:
    canon = (fixtures_dir / "raw/Canon550D_MagicLantern_colorchart.dng").read_bytes()
    kodak = (fixtures_dir / "raw/Kodak_C330_FORMAT_NONE_YRGB.raw").read_bytes()
    nef = (fixtures_dir / "raw_edge/Nikon_COOLSCAN_film_scan.nef").read_bytes()
    assert jpeg_dng.is_dng(canon) and jpeg_dng.read_sensor(canon) is None  # uncompressed
    assert not jpeg_dng.is_dng(kodak) and not jpeg_dng.is_dng(nef)
    assert not jpeg_dng.is_dng(b"II*\x00\xff\xff\xff\x00")  # IFD0 past the end
    assert not jpeg_dng.is_dng(b"")


def test_decode_raw_renders_a_jpeg_dng_without_libraws_unpack(
    pocket_4k: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []

    def spying_render(sensor: object) -> np.ndarray | None:
        rendered.append(type(sensor).__name__)
        return render_half_size(sensor)  # type: ignore[arg-type]

    monkeypatch.setattr(raw_decode, "render_half_size", spying_render)
    ours = raw_decode.decode_raw(pocket_4k, preview_long_edge=1440, max_pixels=10**9)
    monkeypatch.setattr(raw_decode, "read_sensor", lambda data, max_pixels: None)
    libraw = raw_decode.decode_raw(pocket_4k, preview_long_edge=1440, max_pixels=10**9)
    assert rendered == ["JpegDngSensor", "RawPy"]
    assert ours.metrics_source == MetricsSource.RAW_HALF == libraw.metrics_source
    assert (ours.width, ours.height) == (libraw.width, libraw.height) == (4128, 2176)
    assert np.abs(ours.luma.astype(np.int16) - libraw.luma).max() <= 1


def test_a_raw_image_over_the_pixel_limit_is_left_to_libraws_check() -> None:
    data = make_tiled_dng(bayer_codes(192, 128))
    assert jpeg_dng.read_sensor(data, max_pixels=192 * 128) is not None
    assert jpeg_dng.read_sensor(data, max_pixels=192 * 128 - 1) is None
