"""measure_file: one read, one hash, typed errors, cache side effects."""

from __future__ import annotations

import errno
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import blake3
import cv2
import numpy as np
import pytest
from PIL import Image

from curator.imaging import technical
from curator.imaging.cache import cache_path
from curator.imaging.errors import (
    CacheWriteError,
    CorruptImageError,
    EmptyFileError,
    ImagingError,
    TransientReadError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from curator.imaging.technical import measure_file
from curator.imaging.types import FileFormat, MetricsSource, TechnicalRequest
from tests.imaging_helpers import fixture, fixture_files, make_dng, make_jpeg


def _request(path: Path, cache_dir: Path, **kwargs: object) -> TechnicalRequest:
    return TechnicalRequest(path=str(path), cache_dir=str(cache_dir), **kwargs)  # type: ignore[arg-type]


def test_measures_a_jpeg_and_writes_preview_and_thumbnail(tmp_path: Path) -> None:
    when = datetime(2024, 6, 1, 12, 30, 45, 250000)
    path = make_jpeg(tmp_path / "shot.JPG", 3000, 2000, 6, when, "Acme", "Z1", pattern="texture")
    cache_dir = tmp_path / "cache"
    result = measure_file(_request(path, cache_dir))
    data = path.read_bytes()
    assert result.content_hash == blake3.blake3(data).hexdigest()
    assert result.size == len(data)
    assert result.mtime_ns == path.stat().st_mtime_ns
    assert result.decoded and result.format is FileFormat.JPEG
    assert (result.width, result.height) == (2000, 3000)  # orientation 6
    assert result.exif.captured_at == when and result.exif.camera_model == "Z1"
    assert result.exif.orientation == 6
    assert result.metrics_source is MetricsSource.IMAGE
    # A random texture: part of it reads as noise and is discounted (issue 20).
    assert result.sharpness is not None and result.sharpness.score > 70
    assert result.exposure is not None and 0 <= result.exposure.score <= 100
    assert result.preview_key and result.thumbnail_key
    with Image.open(cache_path(cache_dir, result.preview_key)) as preview:
        assert preview.size == (960, 1440)
    with Image.open(cache_path(cache_dir, result.thumbnail_key)) as thumb:
        assert thumb.size == (213, 320)
    leftovers = [p for p in cache_dir.rglob("*") if p.is_file() and p.name.startswith(".tmp")]
    assert leftovers == []


def test_known_hash_stops_after_hashing(tmp_path: Path) -> None:
    path = make_jpeg(tmp_path / "dup.jpg", 200, 100)
    digest = blake3.blake3(path.read_bytes()).hexdigest()
    cache_dir = tmp_path / "cache"
    result = measure_file(_request(path, cache_dir, known_hashes=frozenset({digest})))
    assert result.decoded is False and result.content_hash == digest
    assert result.format is None and result.sharpness is None and result.preview_key is None
    assert not cache_dir.exists()


def test_original_is_not_modified(tmp_path: Path) -> None:
    source = fixture("jpeg/exiv2_SM-G930V_orient6.jpg")
    before = (source.stat().st_mtime_ns, blake3.blake3(source.read_bytes()).hexdigest())
    result = measure_file(_request(source, tmp_path / "cache"))
    assert (source.stat().st_mtime_ns, result.content_hash) == before
    assert (result.width, result.height) == (3024, 4032)


def test_every_jpeg_fixture_measures_with_sane_exif(tmp_path: Path) -> None:
    for path in fixture_files("jpeg", "*.jpg"):
        result = measure_file(_request(path, tmp_path / "cache"))
        assert result.decoded and result.format is FileFormat.JPEG, path.name
        assert result.exif.captured_at is not None, path.name
        assert 1990 < result.exif.captured_at.year < 2030, path.name
        assert result.exif.camera_make and result.exif.camera_model, path.name
        assert result.width and result.height and result.sharpness and result.exposure
        if result.exif.orientation in (5, 6, 7, 8):
            assert result.height > result.width, path.name


def test_raw_fixture_measures_from_sensor_and_from_preview(tmp_path: Path) -> None:
    sensor = measure_file(_request(fixture("raw/LG-H815_sample_1mp.dng"), tmp_path / "c"))
    assert sensor.metrics_source is MetricsSource.RAW_HALF and sensor.format is FileFormat.RAW
    preview = measure_file(
        _request(fixture("raw_edge/NikonZ9_HEcompressed_overexposed.dng"), tmp_path / "c")
    )
    assert preview.metrics_source is MetricsSource.RAW_PREVIEW
    assert preview.notes and preview.exif.camera_model == "NIKON Z 9"
    assert preview.exposure is not None and preview.exposure.highlight_clip > 0.9


def test_generated_dng_measures(tmp_path: Path) -> None:
    path = make_dng(tmp_path / "gen.dng", 800, 600, orientation=8)
    result = measure_file(_request(path, tmp_path / "cache"))
    assert result.format is FileFormat.RAW and result.metrics_source is MetricsSource.RAW_HALF
    assert (result.width, result.height) == (600, 800)
    assert result.exif.captured_at == datetime(2024, 5, 6, 7, 8, 9)
    assert result.exif.orientation == 8


def test_errors_after_hashing_carry_the_hash(tmp_path: Path) -> None:
    data = fixture("jpeg/iphone6_hdr_NO.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptImageError) as caught:
        measure_file(_request(cut, tmp_path / "cache"))
    assert caught.value.content_hash == blake3.blake3(cut.read_bytes()).hexdigest()
    assert not (tmp_path / "cache").exists()

    text = tmp_path / "notes.jpg"
    text.write_text("shopping list: film, batteries\n")
    with pytest.raises(UnsupportedFormatError, match="looks like text") as caught_text:
        measure_file(_request(text, tmp_path / "cache"))
    assert caught_text.value.content_hash is not None


def test_png_named_jpg_is_measured_as_png(tmp_path: Path) -> None:
    path = tmp_path / "actually.jpg"
    Image.new("RGB", (120, 80), (90, 90, 90)).save(path, "PNG")
    assert measure_file(_request(path, tmp_path / "cache")).format is FileFormat.PNG


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    with pytest.raises(EmptyFileError) as caught:
        measure_file(_request(path, tmp_path / "cache"))
    assert caught.value.content_hash is None
    assert (
        caught.value.message
        == "The file is empty (0 bytes) — it was probably not copied completely."
    )


def test_missing_file_and_broken_link(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="The file is gone"):
        measure_file(_request(tmp_path / "nope.jpg", tmp_path / "cache"))
    link = tmp_path / "link.jpg"
    link.symlink_to(tmp_path / "target.jpg")
    with pytest.raises(UnreadableFileError) as caught:
        measure_file(_request(link, tmp_path / "cache"))
    assert "broken link" in caught.value.message
    assert str(tmp_path / "target.jpg") in caught.value.message


def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(UnreadableFileError, match="loops back on itself") as caught:
        measure_file(_request(a, tmp_path / "cache"))
    assert caught.value.transient is False


def test_folder_named_like_a_photo(tmp_path: Path) -> None:
    folder = tmp_path / "album.jpg"
    folder.mkdir()
    with pytest.raises(UnreadableFileError, match="folder"):
        measure_file(_request(folder, tmp_path / "cache"))


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), UnreadableFileError),
        (OSError(errno.EIO, "Input/output error"), TransientReadError),
        (TimeoutError(errno.ETIMEDOUT, "Connection timed out"), TransientReadError),
    ],
)
def test_open_errors_are_mapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, kind: type[ImagingError]
) -> None:
    path = make_jpeg(tmp_path / "x.jpg", 10, 10)

    def failing_open(*args: object, **kwargs: object) -> int:
        raise error

    monkeypatch.setattr(technical.os, "open", failing_open)
    with pytest.raises(kind) as caught:
        measure_file(_request(path, tmp_path / "cache"))
    assert caught.value.transient is (kind is TransientReadError)
    assert type(error).__name__ in caught.value.detail
    assert "Error" not in caught.value.message


def test_unwritable_cache_is_a_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    path = make_jpeg(tmp_path / "x.jpg", 50, 40)
    with pytest.raises(CacheWriteError) as caught:
        measure_file(_request(path, blocker))
    assert caught.value.transient and caught.value.content_hash is not None


def test_measured_thumbnail_is_the_preview_box_shrunk_then_bilinear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stage makes the thumbnail from the preview's array it already holds
    # (issue 21 §3): 1440 px preview -> two 2x box averages -> bilinear to 320 px,
    # exactly the pixels `cache.make_thumbnail` made of the preview image.
    written: dict[str, np.ndarray] = {}
    real_write = technical.write_jpeg

    def keep(cache_dir: str, key: str, image: Image.Image, quality: int) -> bool:
        written[key.split("/")[0]] = np.asarray(image).copy()
        return real_write(cache_dir, key, image, quality)

    monkeypatch.setattr(technical, "write_jpeg", keep)
    source = make_jpeg(tmp_path / "wide.jpg", 2880, 1920, pattern="texture")
    measure_file(TechnicalRequest(path=str(source), cache_dir=str(tmp_path / "c")))
    preview, thumb = written["previews"], written["thumbs"]
    assert preview.shape == (960, 1440, 3) and thumb.shape == (213, 320, 3)
    half = cv2.resize(preview, (720, 480), interpolation=cv2.INTER_AREA)
    box = cv2.resize(half, (360, 240), interpolation=cv2.INTER_AREA)
    expected = cv2.resize(box, (320, 213), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(thumb, expected)


def test_a_large_raw_is_hashed_beside_its_decode_and_measures_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 21 §3: with no hash known, a large RAW's hash runs in a second thread
    # while it decodes; the measurement must be the one hashing first gives.
    source = make_dng(tmp_path / "big.dng", 3000, 2000)
    assert source.stat().st_size >= technical.OVERLAP_MIN_BYTES
    overlapped: list[str] = []
    real = technical._measure_overlapped

    def spy(request: TechnicalRequest, data: bytes, mtime_ns: int, *rest: object) -> object:
        overlapped.append(request.path)
        return real(request, data, mtime_ns, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(technical, "_measure_overlapped", spy)
    beside = measure_file(TechnicalRequest(path=str(source), cache_dir=str(tmp_path / "a")))
    other = frozenset({"0" * 64})  # a hash is known: hashed first, as before
    first = measure_file(
        TechnicalRequest(path=str(source), cache_dir=str(tmp_path / "b"), known_hashes=other)
    )
    assert overlapped == [str(source)]
    assert beside.content_hash == blake3.blake3(source.read_bytes()).hexdigest()
    assert beside == first and beside.decoded


def test_a_broken_large_raw_hashed_beside_its_decode_still_names_its_hash(
    tmp_path: Path,
) -> None:
    junk = tmp_path / "junk.nef"
    junk.write_bytes(b"II*\x00" + bytes(range(256)) * (technical.OVERLAP_MIN_BYTES // 256 + 1))
    with pytest.raises(ImagingError) as caught:
        measure_file(TechnicalRequest(path=str(junk), cache_dir=str(tmp_path / "c")))
    assert caught.value.content_hash == blake3.blake3(junk.read_bytes()).hexdigest()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt only")
def test_the_decoder_child_reads_a_second_large_file_without_faulting_its_pages_in(
    tmp_path: Path,
) -> None:
    # keep_freed_memory turns glibc's mmap off in the decoder child (issue 21 §3):
    # a 40 MB read is otherwise mapped afresh every file and faults ~10,000 pages
    # in (23 ms for a 50 MB DNG, 3 ms from the kept heap). In a fresh interpreter,
    # so this process's allocator is left alone.
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x01" * (40 * 1024 * 1024))
    script = f"""
import resource, sys
from curator.pipeline.stages.technical_child import keep_freed_memory
from curator.imaging.technical import read_file_once
took = keep_freed_memory() if sys.argv[1] == "kept" else True
read_file_once({str(big)!r})
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
data, _ = read_file_once({str(big)!r})
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, len(data))
"""
    faults = {}
    for mode in ("kept", "default"):
        done = subprocess.run(
            [sys.executable, "-c", script, mode], capture_output=True, text=True, check=True
        )
        took, count, size = done.stdout.split()
        if took != "True":
            pytest.skip("this C library's allocator takes no mallopt settings (not glibc)")
        assert int(size) == 40 * 1024 * 1024
        faults[mode] = int(count)
    assert faults["default"] > 5000  # 10,240 pages of 4 KiB: each one faulted in again
    assert faults["kept"] < 500


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim only")
def test_the_decoder_child_gives_a_panoramas_memory_back_but_keeps_a_usual_files() -> None:
    # With mmap off every buffer comes from the heap, which glibc trims only at its
    # top: a block above a big freed one kept the child at its largest file's size
    # for the whole import. Past the limit the freed heap goes back; under it, it
    # is kept for the next file. In a fresh interpreter, scaled down (300 MB
    # freed, a 200 MB limit).
    script = """
import os
from curator.pipeline.stages.technical_child import keep_freed_memory, release_excess_memory
def resident():
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
if not keep_freed_memory():
    raise SystemExit(3)  # not glibc: nothing to test
def touched(size):
    block = bytearray(size)
    block[:: 4096] = b"\\x01" * len(range(0, size, 4096))
    return block
small = touched(20 * 2**20)
kept = release_excess_memory(200 * 2**20)
big = touched(300 * 2**20)
above = bytearray(16 * 2**20)  # a block above the big one: the heap's top is not free
del big, small
before = resident()
released = release_excess_memory(200 * 2**20)
print(kept, released, before // 2**20, resident() // 2**20)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    if done.returncode == 3:
        pytest.skip("this C library's allocator takes no mallopt settings (not glibc)")
    assert done.returncode == 0, done.stderr
    kept, released, before, after = done.stdout.split()
    assert kept == "False"  # a usual file's 20 MB: nothing given back
    assert released == "True" and int(before) > 300 and int(after) < 200, done.stdout
