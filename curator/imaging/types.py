"""Plain data that crosses process and thread boundaries for the imaging layer.

Everything here is a frozen dataclass made of builtins so it pickles cheaply
between the decode child processes and the parent, and can be handed to Qt
signals or the catalog writer without sharing mutable state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FileFormat(StrEnum):
    """The container a file's *contents* turned out to be (not its extension)."""

    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    WEBP = "webp"
    HEIF = "heif"
    RAW = "raw"


class MetricsSource(StrEnum):
    """Which pixels the sharpness/exposure measures were computed on."""

    IMAGE = "image"  # the full-resolution decoded image (JPEG/PNG/TIFF/WebP/HEIF)
    RAW_HALF = "raw_half"  # the RAW's half-size demosaic (native per-channel resolution)
    RAW_PREVIEW = "raw_preview"  # the RAW's embedded preview (sensor data undecodable)


@dataclass(frozen=True)
class ExifData:
    """The EXIF fields Curator catalogues; every field is optional."""

    captured_at: datetime | None = None  # naive local camera time, as the camera wrote it
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    iso: int | None = None
    exposure_time: float | None = None  # seconds
    f_number: float | None = None
    focal_length: float | None = None  # millimetres
    orientation: int = 1  # EXIF orientation 1..8 (1 when absent or invalid)
    pixel_width: int | None = None  # as stated in EXIF, may differ from the decoded size
    pixel_height: int | None = None


@dataclass(frozen=True)
class TechnicalRequest:
    """Immutable input to one technical measurement of one file."""

    path: str
    cache_dir: str  # root of the content-addressed preview/thumbnail cache
    preview_long_edge: int = 1440
    thumbnail_long_edge: int = 320
    max_pixels: int = 250_000_000  # decompression-bomb guard, in decoded pixels
    # Hashes whose measurement is already done and current: the worker stops after
    # hashing (no decode) when the file's hash is in here (a duplicate or a move).
    known_hashes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class SharpnessMeasure:
    laplacian_var: float  # variance of the Laplacian over the whole frame
    tile_p90: float  # 90th percentile of per-tile Laplacian variance
    score: float  # 0..100, see imaging.metrics for the calibration


@dataclass(frozen=True)
class ExposureMeasure:
    highlight_clip: float  # fraction of pixels at or above the highlight threshold
    shadow_clip: float  # fraction of pixels at or below the shadow threshold
    mean_luminance: float  # 0..255
    score: float  # 0..100, see imaging.metrics for the rule


@dataclass(frozen=True)
class TechnicalMeasurement:
    """Result of measuring one file. `decoded` is False for a known hash."""

    path: str
    content_hash: str  # blake3 hex of the file's bytes
    size: int
    mtime_ns: int
    decoded: bool
    format: FileFormat | None = None
    width: int | None = None  # displayed size (after orientation)
    height: int | None = None
    exif: ExifData = field(default_factory=ExifData)
    sharpness: SharpnessMeasure | None = None
    exposure: ExposureMeasure | None = None
    metrics_source: MetricsSource | None = None
    preview_key: str | None = None  # cache key (relative path) of the 1440 px JPEG
    thumbnail_key: str | None = None  # cache key (relative path) of the ~320 px JPEG
    notes: tuple[str, ...] = ()  # human remarks, e.g. "metrics from the embedded preview"


@dataclass(frozen=True)
class TechnicalFailure:
    """A file the technical stage could not measure, with the human reason."""

    path: str
    message: str  # the sentence for the Failed lane
    error_type: str  # the typed error's class name, for the error log
    detail: str = ""  # technical cause (exception text / traceback)
    transient: bool = False  # worth retrying (I/O hiccup, crashed decoder)
    content_hash: str | None = None  # when the bytes could be read
    size: int | None = None
    mtime_ns: int | None = None
