"""Decoding: content decides the format, orientation is applied, bad files fail clearly."""

from __future__ import annotations

import io
import re
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from curator.imaging.decode import (
    TRUNCATED_MESSAGE,
    DecodedImage,
    DisplayRequest,
    decode_display_request,
    decode_for_display,
    decode_image,
)
from curator.imaging.errors import (
    CorruptImageError,
    DecompressionBombError,
    ImagingError,
    UnsupportedFormatError,
)
from curator.imaging.exif import read_exif
from curator.imaging.types import FileFormat, MetricsSource
from tests.imaging_helpers import (
    DISPLAYED_TOP_LEFT,
    QUADRANT_COLOURS,
    fixture,
    fixture_files,
    make_dng,
    make_jpeg,
    png_bomb,
)


def _decode_path(path: Path, preview_long_edge: int = 1440) -> DecodedImage:
    data = path.read_bytes()
    is_raw = path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")
    exif = read_exif(data, is_raw=is_raw)
    return decode_image(
        data,
        is_raw=is_raw,
        preview_long_edge=preview_long_edge,
        exif_orientation=exif.orientation,
        camera=exif.camera_model,
    )


def _assert_human(error: ImagingError) -> None:
    message = error.message
    assert message and message[0].isupper() and message.rstrip().endswith((".", ")"))
    assert "Traceback" not in message and "Error" not in message and "b'" not in message
    assert not re.search(r"\b[A-Z][a-z]+[A-Z]\w*(Error|Exception)\b", message)


def _close(colour: tuple[int, ...], expected: tuple[int, int, int], tol: int = 30) -> bool:
    return all(abs(int(a) - b) <= tol for a, b in zip(colour[:3], expected, strict=True))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_applied_to_preview_and_size(tmp_path: Path, orientation: int) -> None:
    path = make_jpeg(tmp_path / f"o{orientation}.jpg", 320, 240, orientation=orientation)
    decoded = _decode_path(path)
    portrait = orientation >= 5
    assert (decoded.width, decoded.height) == ((240, 320) if portrait else (320, 240))
    assert decoded.preview.size == (decoded.width, decoded.height)
    assert decoded.luma.shape == (240, 320)  # metrics use the stored frame
    expected = QUADRANT_COLOURS[DISPLAYED_TOP_LEFT[orientation]]
    corner = decoded.preview.getpixel((10, 10))
    assert isinstance(corner, tuple) and _close(corner, expected), (orientation, corner)
    assert decoded.orientation == orientation


def test_orientation_fixture_set_is_displayed_upright_size() -> None:
    for path in fixture_files("jpeg/orientation", "*.jpg"):
        decoded = _decode_path(path)
        expected = (600, 450) if path.name.startswith("landscape") else (450, 600)
        assert (decoded.width, decoded.height) == expected, path.name
        assert decoded.preview.size == expected, path.name


def test_real_camera_orientation_6_is_portrait() -> None:
    decoded = _decode_path(fixture("jpeg/exiv2_SM-G930V_orient6.jpg"))
    assert (decoded.width, decoded.height) == (3024, 4032)
    # Stored landscape; DCT-scaled by 1/2 (4032 > 2 x 1440), still above the preview size.
    assert decoded.luma.shape == (1512, 2016)
    assert decoded.preview.size == (1080, 1440)


def test_preview_is_reduced_to_the_long_edge_but_never_enlarged(tmp_path: Path) -> None:
    big = _decode_path(make_jpeg(tmp_path / "big.jpg", 3000, 2000, pattern="texture"))
    assert big.preview.size == (1440, 960)
    assert big.luma.shape == (1000, 1500)  # DCT-scaled 1/2: the smallest scale >= 1440
    assert (big.width, big.height) == (3000, 2000)  # the photo's own size is reported
    assert big.preview.mode == "RGB"
    small = _decode_path(fixture("jpeg/exiv2_FurnaceCreekInn.jpg"))
    assert small.preview.size == (400, 300)


def test_truncated_jpeg_is_detected(tmp_path: Path) -> None:
    data = fixture("jpeg/olympus_ep3_iso1600.jpg").read_bytes()
    with pytest.raises(CorruptImageError) as caught:
        decode_image(data[: len(data) // 2], is_raw=False)
    assert caught.value.message == TRUNCATED_MESSAGE
    assert "truncated" in caught.value.detail
    _assert_human(caught.value)


def test_truncated_png_is_detected() -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (300, 400, 3), np.uint8)).save(
        buffer, "PNG"
    )
    with pytest.raises(CorruptImageError):
        decode_image(buffer.getvalue()[: buffer.tell() // 2], is_raw=False)


def test_text_named_jpg_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        decode_image(b"Dear diary,\ntoday I took no pictures.\n" * 20, is_raw=False)
    assert "not JPEG, PNG, TIFF, WebP or HEIC" in caught.value.message
    assert "it looks like text" in caught.value.message
    _assert_human(caught.value)


def test_gif_is_named_in_the_message() -> None:
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, "GIF")
    with pytest.raises(UnsupportedFormatError, match="GIF"):
        decode_image(buffer.getvalue(), is_raw=False)


def test_png_contents_decode_whatever_the_name(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (10, 200, 10)).save(buffer, "PNG")
    decoded = decode_image(buffer.getvalue(), is_raw=False)
    assert decoded.format is FileFormat.PNG
    assert (decoded.width, decoded.height) == (64, 32)


def test_jpeg_named_as_raw_is_decoded_as_jpeg() -> None:
    data = fixture("jpeg/exiv2_FurnaceCreekInn.jpg").read_bytes()
    decoded = decode_image(data, is_raw=True)
    assert decoded.format is FileFormat.JPEG
    assert decoded.metrics_source is MetricsSource.IMAGE


def test_decompression_bomb_is_refused_before_decoding() -> None:
    data = png_bomb(50_000, 50_000)
    assert len(data) < 200
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(DecompressionBombError) as caught:
            decode_image(data, is_raw=False, max_pixels=250_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < 20 * 1024 * 1024  # 50,000 x 50,000 RGB would be 7.5 GB
    assert "50,000 × 50,000 pixels (2,500 MP)" in caught.value.message
    assert "250 MP safety limit" in caught.value.message
    _assert_human(caught.value)


def test_pixel_limit_is_the_requests_not_pillows() -> None:
    # 200 MP is over Pillow's own default guard (179 MP): getting Curator's sentence with
    # the request's limit proves Pillow's guard did not pre-empt ours.
    with pytest.raises(DecompressionBombError) as caught:
        decode_image(png_bomb(20_000, 10_000), is_raw=False, max_pixels=150_000_000)
    assert "20,000 × 10,000 pixels (200 MP), over the 150 MP safety limit" in caught.value.message
    with pytest.raises(DecompressionBombError):
        decode_image(png_bomb(200, 100), is_raw=False, max_pixels=10_000)


@pytest.mark.parametrize("channels", [1, 3])
def test_16_bit_tiff_decodes(tmp_path: Path, channels: int) -> None:
    ramp = np.linspace(0, 65535, 256, dtype=np.float64).astype(np.uint16)
    grey = np.tile(ramp, (64, 1))
    array = grey if channels == 1 else np.dstack([grey, grey, grey])
    path = tmp_path / f"deep{channels}.tif"
    assert cv2.imwrite(str(path), array)
    decoded = decode_image(path.read_bytes(), is_raw=False)
    assert decoded.format is FileFormat.TIFF
    assert decoded.luma.dtype == np.uint8 and decoded.luma.shape == (64, 256)
    # 16-bit values are scaled, not truncated: the ramp spans the full 8-bit range.
    assert decoded.luma[0, 0] <= 1 and decoded.luma[0, -1] >= 254
    assert abs(int(decoded.luma[0, 128]) - 128) <= 2
    assert decoded.preview.mode == "RGB" and decoded.preview.size == (256, 64)


def test_rgba_png_is_composited_on_white_and_palette_png_decodes() -> None:
    rgba = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    rgba.paste((200, 0, 0, 255), (0, 0, 20, 20))
    buffer = io.BytesIO()
    rgba.save(buffer, "PNG")
    decoded = decode_image(buffer.getvalue(), is_raw=False)
    assert decoded.preview.getpixel((30, 10)) == (255, 255, 255)
    assert decoded.preview.getpixel((5, 10)) == (200, 0, 0)

    palette = Image.new("RGB", (30, 30), (0, 0, 250)).convert("P", palette=Image.Palette.ADAPTIVE)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG")
    decoded = decode_image(buffer.getvalue(), is_raw=False)
    assert decoded.format is FileFormat.PNG
    assert _close(decoded.preview.getpixel((3, 3)), (0, 0, 250), 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fmt", "expected"), [("WEBP", FileFormat.WEBP), ("HEIF", FileFormat.HEIF)]
)
def test_webp_and_heif_decode(fmt: str, expected: FileFormat) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (20, 180, 20)).save(buffer, fmt, quality=90)
    decoded = decode_image(buffer.getvalue(), is_raw=False)
    assert decoded.format is expected
    assert (decoded.width, decoded.height) == (96, 64)
    assert _close(decoded.preview.getpixel((48, 32)), (20, 180, 20))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("BMPCC4K_Blackmagic.dng", (4128, 2176)),
        ("Canon550D_MagicLantern_colorchart.dng", (1734, 1156)),
        ("Kodak_C330_FORMAT_NONE_YRGB.raw", (1216, 912)),
        ("LG-H815_sample_1mp.dng", (600, 338)),
    ],
)
def test_raw_fixtures_decode_from_sensor_data(name: str, size: tuple[int, int]) -> None:
    decoded = _decode_path(fixture(f"raw/{name}"))
    assert decoded.format is FileFormat.RAW
    assert decoded.metrics_source is MetricsSource.RAW_HALF
    assert (decoded.width, decoded.height) == size
    # Half-size demosaic: at most the sensor size, at least half of it.
    height, width = decoded.luma.shape
    assert size[0] // 2 <= width <= size[0] and size[1] // 2 <= height <= size[1]
    assert 20 < float(decoded.luma.mean()) < 200 and float(decoded.luma.std()) > 10
    assert max(decoded.preview.size) <= 1440 and decoded.notes == ()


def test_coolscan_nef_falls_back_to_its_embedded_preview() -> None:
    decoded = _decode_path(fixture("raw_edge/Nikon_COOLSCAN_film_scan.nef"))
    assert decoded.metrics_source is MetricsSource.RAW_PREVIEW
    assert decoded.preview.size == (320, 218)
    # The preview is the real picture, not the near-white render.
    assert float(np.count_nonzero(decoded.luma >= 250)) / decoded.luma.size < 0.2
    assert decoded.notes and "embedded preview" in decoded.notes[0]


def test_unsupported_z9_dng_succeeds_from_its_preview() -> None:
    decoded = _decode_path(fixture("raw_edge/NikonZ9_HEcompressed_overexposed.dng"))
    assert decoded.metrics_source is MetricsSource.RAW_PREVIEW
    assert (decoded.width, decoded.height) == (5392, 3592)
    assert decoded.preview.size == (640, 424)


def test_pixel7_dng_is_turned_by_orientation_8() -> None:
    decoded = _decode_path(fixture("raw_edge/Pixel7_noise_test.dng"))
    assert decoded.orientation == 8
    assert (decoded.width, decoded.height) == (382, 510)
    assert decoded.preview.height > decoded.preview.width
    assert decoded.luma.shape[0] > decoded.luma.shape[1]


@pytest.mark.parametrize("name", [p.name for p in fixture_files("raw_truncated")])
def test_truncated_raws_never_pass_as_good_pictures(name: str) -> None:
    try:
        decoded = _decode_path(fixture(f"raw_truncated/{name}"))
    except ImagingError as error:
        _assert_human(error)
        assert error.detail  # the technical cause is kept for the log
        return
    # Only an embedded preview may rescue a truncated file, never its sensor "decode".
    assert decoded.metrics_source is MetricsSource.RAW_PREVIEW, name
    assert max(decoded.preview.size) >= 160


def test_what_libraw_prints_goes_to_the_error_detail_not_the_terminal(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibRaw writes "unknown file: ..." to descriptor 2 from C when sensor data
    breaks: that line belongs in the failure's detail (the error log, beside
    the photo it is about), not alone on the terminal."""
    from curator.imaging.raw import decode as raw_decode

    capfd.readouterr()
    raf = _decode_path(fixture("raw_truncated/exiftool_FujiFilm.raf"))  # rescued by its preview
    assert raf.metrics_source is MetricsSource.RAW_PREVIEW
    assert "Unexpected end of file" not in capfd.readouterr().err
    # The NEF is cut short before LibRaw is asked for its sensor; asked anyway:
    monkeypatch.setattr(raw_decode, "MIN_BYTES_PER_PIXEL", 0.0)
    with pytest.raises(CorruptImageError) as failed:
        _decode_path(fixture("raw_truncated/exiftool_Nikon.nef"))
    assert "LibRaw said: unknown file: data corrupted at" in failed.value.detail
    assert failed.value.detail.startswith("LibRawDataError")
    _assert_human(failed.value)
    with pytest.raises(ImagingError) as shown:
        decode_for_display(fixture("raw_truncated/exiftool_Nikon.nef"), max_pixels=50_000_000)
    assert "LibRaw said: unknown file: data corrupted at" in shown.value.detail
    assert "corrupted" not in capfd.readouterr().err
    print("still here", file=sys.stderr)  # descriptor 2 is back where it was
    assert "still here" in capfd.readouterr().err


def test_without_a_temporary_file_libraws_lines_reach_the_terminal_and_the_decode_goes_on(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full or read-only temporary folder never fails a decode: nothing is
    captured, and the file's own error is still the one raised."""
    from curator.imaging.raw import decode as raw_decode
    from curator.imaging.raw import messages

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(messages.tempfile, "TemporaryFile", full)
    monkeypatch.setattr(raw_decode, "MIN_BYTES_PER_PIXEL", 0.0)
    capfd.readouterr()
    with pytest.raises(CorruptImageError) as failed:
        _decode_path(fixture("raw_truncated/exiftool_Nikon.nef"))
    assert "LibRaw said" not in failed.value.detail
    assert "data corrupted" in capfd.readouterr().err


@pytest.mark.parametrize("name", ["exiftool_Panasonic.rw2", "exiftool_DNG.dng"])
def test_garbage_decodes_are_rejected(name: str) -> None:
    with pytest.raises(CorruptImageError, match=r"incomplete \(\d+ KB for an? \d+-megapixel"):
        _decode_path(fixture(f"raw_truncated/{name}"))


def test_generated_dng_decodes_half_size(tmp_path: Path) -> None:
    decoded = _decode_path(make_dng(tmp_path / "synthetic.dng", 640, 480))
    assert decoded.format is FileFormat.RAW
    assert decoded.metrics_source is MetricsSource.RAW_HALF
    assert decoded.luma.shape == (240, 320)
    assert (decoded.width, decoded.height) == (640, 480)
    assert float(decoded.luma.std()) > 20  # the texture survived


def test_generated_dng_orientation_6_is_portrait(tmp_path: Path) -> None:
    decoded = _decode_path(make_dng(tmp_path / "turned.dng", 640, 480, orientation=6))
    assert (decoded.width, decoded.height) == (480, 640)
    assert decoded.preview.size == (240, 320)


def test_dng_with_constant_sensor_data_and_no_preview_fails(tmp_path: Path) -> None:
    with pytest.raises(CorruptImageError, match="sensor data is empty"):
        _decode_path(make_dng(tmp_path / "flat.dng", 640, 480, pattern="flat"))


def test_cut_dng_is_reported_incomplete(tmp_path: Path) -> None:
    data = make_dng(tmp_path / "whole.dng", 2000, 1500).read_bytes()
    with pytest.raises(ImagingError) as caught:
        decode_image(data[:4000], is_raw=True)
    assert isinstance(caught.value, CorruptImageError | UnsupportedFormatError)
    _assert_human(caught.value)


def test_dct_scaled_jpeg_metrics_match_the_full_resolution_path() -> None:
    """The fast JPEG path (DCT-scaled decode) must keep the scores of a full decode."""
    import cv2

    from curator.imaging.metrics import measure_exposure, measure_sharpness
    from tests.imaging_helpers import fixture_files

    for path in fixture_files("jpeg", "*.jpg"):
        data = path.read_bytes()
        fast = decode_image(data, is_raw=False, preview_long_edge=1440)
        full = cv2.imdecode(
            np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION
        )
        assert max(fast.luma.shape) >= min(max(full.shape), 1440), path.name
        assert abs(measure_exposure(fast.luma).score - measure_exposure(full).score) <= 2.0, (
            path.name
        )
        fast_sharp, full_sharp = measure_sharpness(fast.luma), measure_sharpness(full)
        if full_sharp.score is None:  # too small to judge: so is the (same-size) fast luma
            assert fast_sharp.score is None and fast_sharp.note == full_sharp.note, path.name
            continue
        assert fast_sharp.score is not None, path.name
        assert abs(fast_sharp.score - full_sharp.score) <= 7.0, path.name


# --- the 100 % view's decode: same tone and orientation as the preview ----------


def _mean_luma(rgb: np.ndarray | Image.Image) -> float:
    image = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb)
    return float(np.asarray(image.convert("L"), dtype=np.float64).mean())


@pytest.mark.parametrize("channels", [1, 3])
def test_16_bit_tiff_at_100_percent_has_the_previews_tone(tmp_path: Path, channels: int) -> None:
    # A dim 16-bit scene (top value ~1/3 of full scale): scaling by the data's own
    # maximum, as the old 100 % decoder did, made it ~3x brighter than the preview.
    y, x = np.mgrid[0:1200, 0:1800].astype(np.float64)
    scene = 4000 + 16000 * (0.5 + 0.5 * np.sin(x / 37.0) * np.cos(y / 23.0))
    grey = scene.astype(np.uint16)
    array = grey if channels == 1 else np.dstack([grey, (grey * 0.8).astype(np.uint16), grey])
    path = tmp_path / f"dim{channels}.tif"
    assert cv2.imwrite(str(path), array)
    preview = decode_image(path.read_bytes(), is_raw=False).preview
    full = decode_for_display(path)
    assert full.dtype == np.uint8 and full.shape == (1200, 1800, 3)
    assert full.flags["C_CONTIGUOUS"]
    assert _mean_luma(full) == pytest.approx(_mean_luma(preview), rel=0.03)


@pytest.mark.parametrize(
    "name", ["raw/Canon550D_MagicLantern_colorchart.dng", "raw/BMPCC4K_Blackmagic.dng"]
)
def test_raw_at_100_percent_has_the_previews_tone(name: str) -> None:
    # These have no embedded JPEG: the preview is the no-auto-bright sensor render.
    # LibRaw's default auto-brighten made the full decode ~40 % brighter.
    path = fixture(name)
    preview = _decode_path(path)
    assert preview.metrics_source is MetricsSource.RAW_HALF
    full = decode_for_display(path)
    assert full.shape == (preview.height, preview.width, 3)
    assert _mean_luma(full) == pytest.approx(_mean_luma(preview.preview), rel=0.04)


def test_display_decode_is_upright(tmp_path: Path) -> None:
    image = Image.new("RGB", (60, 40), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, 10, 10))  # a blue top-left corner, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: displayed turned 90° clockwise
    image.save(tmp_path / "turned.jpg", quality=95, exif=exif)
    upright = decode_for_display(tmp_path / "turned.jpg")
    assert upright.shape == (60, 40, 3)
    assert upright[3, 36, 2] > 150  # the corner is now top-right
    dng = make_dng(tmp_path / "turned.dng", 400, 300, orientation=6)
    assert decode_for_display(dng).shape[:2] == (400, 300)  # portrait
    pixel7 = decode_for_display(fixture("raw_edge/Pixel7_noise_test.dng"))
    assert pixel7.shape[0] > pixel7.shape[1]  # orientation 8: portrait too


def test_display_decode_failures_are_sentences(tmp_path: Path) -> None:
    cut = tmp_path / "cut.jpg"
    whole = fixture("jpeg/canon_sx60_hdr_NO.jpg").read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    cases = {
        str(cut): "cut short",
        str(tmp_path / "gone.jpg"): "missing",
        str(fixture("raw_truncated/exiftool_FujiFilm.raf")): "preview",
        str(fixture("raw_edge/NikonZ9_HEcompressed_overexposed.dng")): "preview",
    }
    for path, phrase in cases.items():
        result = decode_display_request(DisplayRequest(path))
        assert result.pixels is None and result.error is not None, path
        assert phrase in result.error, result.error
        assert "Error" not in result.error and "b'" not in result.error
    with pytest.raises(DecompressionBombError):
        decode_for_display(fixture("jpeg/canon_sx60_hdr_NO.jpg"), max_pixels=1_000_000)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_pixels_turn_upright_as_the_image_does(orientation: int) -> None:
    from curator.imaging.orientation import apply_orientation, apply_orientation_pixels

    stored = np.random.default_rng(orientation).integers(0, 255, (5, 7), dtype=np.uint8)
    expected = np.asarray(apply_orientation(Image.fromarray(stored), orientation))
    assert np.array_equal(apply_orientation_pixels(stored, orientation), expected)


def test_the_sharper_pixels_a_group_asks_for_are_the_upright_frame() -> None:
    """`technical.detail_of`: decoded only when asked, turned as the preview is."""
    from curator.imaging.orientation import fit_long_edge_pixels
    from curator.imaging.technical import detail_of
    from tests.conftest import FIXTURES

    data = (FIXTURES / "jpeg" / "canon_sx60_hdr_NO.jpg").read_bytes()  # orientation 6
    decoded = decode_image(data, is_raw=False, exif_orientation=6)
    preview = np.asarray(decoded.preview)
    sharper = detail_of(data, False, decoded, preview.shape)()
    assert sharper is not None and sharper.shape == (2048, 1536, 3)
    small = fit_long_edge_pixels(sharper, max(preview.shape[:2])).astype(float)
    assert small.shape == preview.shape
    assert np.abs(small - preview.astype(float)).mean() < 8  # the same picture, the same way up
    assert detail_of(data, False, decoded, (3000, 4000, 3))() is None  # no sharper than that


def test_a_back_fill_s_detail_is_the_import_s_while_the_original_is_the_file_measured(
    tmp_path: Path,
) -> None:
    """`technical.detail_of_original`: the same pixels the import's detail gave,
    None once the file is gone or holds other bytes."""
    import blake3

    from curator.imaging.technical import detail_of, detail_of_original
    from tests.conftest import FIXTURES

    original = tmp_path / "IMG_0001.jpg"
    shutil.copy(FIXTURES / "jpeg" / "canon_sx60_hdr_NO.jpg", original)  # orientation 6
    data = original.read_bytes()
    decoded = decode_image(data, is_raw=False, exif_orientation=6)
    preview = np.asarray(decoded.preview)
    imported = detail_of(data, False, decoded, preview.shape)()
    digest = blake3.blake3(data).hexdigest()
    again = detail_of_original(str(original), digest, preview.shape)
    assert imported is not None and again is not None and np.array_equal(again, imported)
    assert detail_of_original(str(original), "0" * 64, preview.shape) is None  # other bytes
    assert detail_of_original(str(tmp_path / "gone.jpg"), digest, preview.shape) is None
    assert detail_of_original(str(original), None, preview.shape) is None  # nothing to check
