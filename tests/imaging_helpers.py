"""Test helpers for the imaging layer: fixture paths and synthetic image writers.

`make_jpeg` and `make_dng` write small (or, for benchmarks, 24 MP) files with
known content and metadata, so tests can check orientation, EXIF and decoding
without shipping binary files. The real camera fixtures live outside the
repository (../shared/fixtures beside the checkout) and are only ever read.
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pytest
from PIL import Image

# tests/imaging_helpers.py -> the repository root is parents[1]; CI has ../shared beside it.
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"

# Colours of the four quadrants written by `make_jpeg(pattern="quadrants")`,
# as stored (before any orientation): top-left, top-right, bottom-left, bottom-right.
QUADRANT_COLOURS: dict[str, tuple[int, int, int]] = {
    "tl": (220, 30, 30),  # red
    "tr": (30, 200, 30),  # green
    "bl": (30, 30, 220),  # blue
    "br": (240, 240, 240),  # white
}

# Which stored quadrant ends up in the *displayed* top-left corner for each EXIF
# orientation (from the EXIF 2.3 definition of rows/columns, not from Pillow).
DISPLAYED_TOP_LEFT: dict[int, str] = {
    1: "tl",
    2: "tr",
    3: "br",
    4: "bl",
    5: "tl",
    6: "bl",
    7: "br",
    8: "tr",
}


def fixture(relative: str) -> Path:
    """Path of a camera fixture; fails the test clearly if the set is missing."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.fail(f"camera fixture missing: {path} (../shared/fixtures beside the checkout)")
    return path


def fixture_files(folder: str, pattern: str = "*") -> list[Path]:
    """Sorted files of one fixture folder (non-recursive)."""
    paths = sorted(p for p in (FIXTURES / folder).glob(pattern) if p.is_file())
    if not paths:
        pytest.fail(f"no camera fixtures in {FIXTURES / folder}")
    return paths


def texture(width: int, height: int, *, seed: int = 0, block: int = 4) -> np.ndarray:
    """A deterministic detailed grey scene (random blocks over a gradient), uint8."""
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 216, size=(height // block + 1, width // block + 1), dtype=np.uint8)
    blocks = np.repeat(np.repeat(small, block, axis=0), block, axis=1)[:height, :width]
    ramp = np.linspace(-30, 30, width, dtype=np.float32)[None, :]
    return np.clip(blocks.astype(np.float32) + ramp, 0, 255).astype(np.uint8)


def quadrants(width: int, height: int) -> np.ndarray:
    """An RGB image split into four flat quadrants of `QUADRANT_COLOURS`."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    half_h, half_w = height // 2, width // 2
    image[:half_h, :half_w] = QUADRANT_COLOURS["tl"]
    image[:half_h, half_w:] = QUADRANT_COLOURS["tr"]
    image[half_h:, :half_w] = QUADRANT_COLOURS["bl"]
    image[half_h:, half_w:] = QUADRANT_COLOURS["br"]
    return image


def exif_block(
    *,
    orientation: int | None = 1,
    captured_at: datetime | None = None,
    make: str | None = "Curator",
    model: str | None = "Synthetic",
) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make is not None:
        exif[0x010F] = make
    if model is not None:
        exif[0x0110] = model
    if captured_at is not None:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = captured_at.strftime("%Y:%m:%d %H:%M:%S")
        if captured_at.microsecond:
            sub[0x9291] = f"{captured_at.microsecond:06d}".rstrip("0")
    return exif


def make_jpeg(
    path: Path,
    width: int,
    height: int,
    orientation: int = 1,
    captured_at: datetime | None = None,
    make: str | None = "Curator",
    model: str | None = "Synthetic",
    *,
    pattern: Literal["quadrants", "texture"] = "quadrants",
    quality: int = 90,
) -> Path:
    """Write a JPEG with the given stored size, EXIF orientation and metadata."""
    if pattern == "quadrants":
        pixels = quadrants(width, height)
    else:
        grey = texture(width, height)
        pixels = np.dstack([grey, np.roll(grey, 7, axis=1), np.roll(grey, 13, axis=0)])
    exif = exif_block(orientation=orientation, captured_at=captured_at, make=make, model=model)
    Image.fromarray(pixels).save(path, "JPEG", quality=quality, exif=exif)
    return path


def make_dng(
    path: Path,
    width: int,
    height: int,
    pattern: Literal["texture", "flat", "gradient"] = "texture",
    *,
    bits: int = 12,
    orientation: int = 1,
    make: str = "Curator",
    model: str = "Synthetic DNG",
    captured_at: datetime | None = datetime(2024, 5, 6, 7, 8, 9),
    as_shot_neutral: bool = True,
    black_levels: tuple[int, int, int, int] | None = None,
    peak: int | None = None,
) -> Path:
    """Write an uncompressed Bayer (RGGB) DNG of `width` x `height` with pidng.

    `pattern`: "texture" (detailed scene), "gradient" (smooth), "flat" (every
    sensel identical: sensor data that carries no picture). Width and height
    must be even. Without `as_shot_neutral` the file records no camera white
    balance (LibRaw then balances by its grey world). `black_levels`: one black
    per quad position (R, G, G, B; BlackLevelRepeatDim 2 x 2), the sensor
    raised by each; `peak`: the first quad's four sensels set to this value
    (the data maximum). A 24 MP file (6000 x
    4000, 12 bits) is ~36 MB and takes a couple of seconds to write.
    """
    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import (
        CalibrationIlluminant,
        CFAPattern,
        DNGVersion,
        PhotometricInterpretation,
    )

    if width % 2 or height % 2:
        raise ValueError("Bayer DNG sizes must be even")
    white = (1 << bits) - 1
    black = 1 << (bits - 4)
    if pattern == "flat":
        sensor = np.full((height, width), white // 3, dtype=np.uint16)
    elif pattern == "gradient":
        row = np.linspace(black, white * 0.7, width, dtype=np.float32)
        sensor = np.broadcast_to(row, (height, width)).astype(np.uint16)
    else:
        scene = texture(width // 2, height // 2, block=2).astype(np.uint32)
        # One scene value per 2x2 Bayer quad, so the half-size demosaic sees the scene.
        quad = np.repeat(np.repeat(scene, 2, axis=0), 2, axis=1)
        sensor = (black + quad * (white * 0.6 - black) // 255).astype(np.uint16)
    if black_levels is not None:
        raised = sensor.astype(np.int32)
        for position, level in enumerate(black_levels):
            raised[position // 2 :: 2, position % 2 :: 2] += level - black
        sensor = raised.astype(np.uint16)
    if peak is not None:
        sensor = sensor.copy()
        sensor[:2, :2] = peak
    tags = DNGTags()
    tags.set(Tag.ImageWidth, width)
    tags.set(Tag.ImageLength, height)
    tags.set(Tag.TileWidth, width)
    tags.set(Tag.TileLength, height)
    tags.set(Tag.Orientation, orientation)
    tags.set(Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array)
    tags.set(Tag.SamplesPerPixel, 1)
    tags.set(Tag.BitsPerSample, bits)
    tags.set(Tag.CFARepeatPatternDim, [2, 2])
    tags.set(Tag.CFAPattern, CFAPattern.RGGB)
    if black_levels is not None:
        tags.set(Tag.BlackLevelRepeatDim, [2, 2])
        tags.set(Tag.BlackLevel, list(black_levels))
    else:
        tags.set(Tag.BlackLevel, black)
    tags.set(Tag.WhiteLevel, white)
    identity = [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]]
    tags.set(Tag.ColorMatrix1, identity)
    tags.set(Tag.CalibrationIlluminant1, CalibrationIlluminant.D65)
    if as_shot_neutral:
        tags.set(Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]])
    tags.set(Tag.Make, make)
    tags.set(Tag.Model, model)
    if captured_at is not None:
        tags.set(Tag.DateTimeOriginal, captured_at.strftime("%Y:%m:%d %H:%M:%S"))
    tags.set(Tag.DNGVersion, DNGVersion.V1_4)
    tags.set(Tag.DNGBackwardVersion, DNGVersion.V1_2)
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    Path(path).write_bytes(bytes(writer.convert(sensor)))
    return Path(path)


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny, valid PNG whose IHDR declares `width` x `height` RGB pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
