"""JPEG-tiled DNG sensor data, decoded by libjpeg-turbo instead of LibRaw.

For a Bayer DNG tiled as lossless (SOF3) or 12-bit lossy (SOF1) JPEG, a
`JpegDngSensor` with the sensor data and the level and colour facts that
imaging.raw.render reads from a `rawpy.RawPy`; None for any other file or any
DNG feature not followed (LibRaw then unpacks). Lossless values equal
LibRaw's; lossy ones may differ by one code value.

It does what LibRaw 0.22 does (the tests compare each fact): the raw IFD,
ActiveArea, tile layout (dcraw's ``lossless_dng_load_raw``), LinearizationTable,
BlackLevel (one or a 2 x 2 repeat), WhiteLevel, 1 / AsShotNeutral, and the
D65 ColorMatrix (`render.camera_matrices`).

Declined (None): odd ActiveArea origins, MaskedAreas, BlackLevelDeltaH/V,
fractional or other black repeats, non-identity CameraCalibration or
AnalogBalance, AsShotWhiteXY, no D65 matrix among two, DefaultScale other than
1:1, a CFA other than 2 x 2 RGB, strips, a tile that does not decode whole.

Invariants: the file is only read; the sensor data is a fresh uint16 array;
no failure escapes. tifffile and imagecodecs load only when a DNG comes.
"""

from __future__ import annotations

import io
import logging
import struct
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from curator.imaging.raw.render import camera_matrices

log = logging.getLogger(__name__)

_DNG_VERSION = 50706
_COMPRESSION_JPEG = 7
_PHOTOMETRIC_CFA = 32803
_D65 = 21  # EXIF LightSource / DNG CalibrationIlluminant
_SOF1, _SOF3 = 0xC1, 0xC3  # extended sequential DCT (lossy CinemaDNG); lossless
_LOSSY_BITS = 12
_DECLINED_TAGS = {
    50830: "MaskedAreas",
    50715: "BlackLevelDeltaH",
    50716: "BlackLevelDeltaV",
    50729: "AsShotWhiteXY",
}


class _Sizes(NamedTuple):
    """The part of rawpy's ImageSizes the render reads."""

    raw_height: int
    raw_width: int
    pixel_aspect: float = 1.0


@dataclass(frozen=True)
class JpegDngSensor:
    """A JPEG-tiled DNG's sensor, in the attributes `render_half_size` reads
    from a `rawpy.RawPy` (the same names, shapes and meanings: LibRaw's colour
    indices 0-3 for R, G, B, G2)."""

    raw_image_visible: np.ndarray  # (h, w) uint16, linearized: the ActiveArea
    raw_pattern: np.ndarray  # (2, 2) LibRaw colours of the visible sensor
    black_level_per_channel: list[int]  # per colour
    white_level: int
    camera_whitebalance: list[float]  # R, G, B, G2 (G2 0: "as G")
    daylight_whitebalance: list[float]
    color_matrix: np.ndarray  # (3, 4) rgb_cam
    rgb_xyz_matrix: np.ndarray = field(default_factory=lambda: np.zeros((4, 3)))
    color_desc: bytes = b"RGBG"
    num_colors: int = 3

    @property
    def raw_type(self) -> Any:
        import rawpy

        return rawpy.RawType.Flat

    @property
    def sizes(self) -> _Sizes:
        height, width = self.raw_image_visible.shape
        return _Sizes(height, width)


def is_dng(data: bytes) -> bool:
    """Whether `data` is a TIFF whose IFD0 carries DNGVersion (no library: a
    NEF or CR2 costs a few microseconds, and tifffile never reads it)."""
    if data[:4] == b"II*\x00":
        order = "<"
    elif data[:4] == b"MM\x00*":
        order = ">"
    else:
        return False
    try:
        (offset,) = struct.unpack_from(order + "I", data, 4)
        (count,) = struct.unpack_from(order + "H", data, offset)
        for entry in range(count):
            (tag,) = struct.unpack_from(order + "H", data, offset + 2 + 12 * entry)
            if tag == _DNG_VERSION:
                return True
    except struct.error:
        return False
    return False


def read_sensor(data: bytes, *, max_pixels: int | None = None) -> JpegDngSensor | None:
    """The sensor of a JPEG-tiled Bayer DNG (see the module docstring), or None;
    None too when its raw image holds more than `max_pixels` (the caller's
    decompression-bomb limit checked LibRaw's idea of the raw image, which
    need not be the IFD this reader picks)."""
    if not is_dng(data):
        return None
    try:
        return _read(data, max_pixels)
    except Exception as exc:  # a damaged file: LibRaw decides, with its own sentences
        log.debug("the JPEG DNG reader declined a file: %s", exc)
        return None


def _read(data: bytes, max_pixels: int | None) -> JpegDngSensor | None:
    import tifffile

    # Every complaint of tifffile's is a decline here (LibRaw then speaks to the
    # user), not a line in the log for each damaged DNG.
    logging.getLogger("tifffile").setLevel(logging.CRITICAL)
    with tifffile.TiffFile(io.BytesIO(data)) as tiff:
        ifd0 = tiff.pages[0]
        page = _raw_page(ifd0)
        if page is None or not _follows(page):
            return None
        if max_pixels is not None and int(page.imagelength) * int(page.imagewidth) > max_pixels:
            return None
        tags = _Tags(page, ifd0)
        area = _active_area(tags, int(page.imagelength), int(page.imagewidth))
        pattern = _pattern(tags)
        colour = _colour(tags)
        if area is None or pattern is None or colour is None:
            return None
        levels = _levels(tags, pattern)
        if levels is None:
            return None
        sensor = _sensor_data(data, page, tags)
    if sensor is None:
        return None
    top, left, bottom, right = area
    black, white = levels
    neutral, rgb_cam, daylight = colour
    return JpegDngSensor(
        raw_image_visible=sensor[top:bottom, left:right],
        raw_pattern=pattern,  # an even origin: the visible sensor's pattern too
        black_level_per_channel=black,
        white_level=white,
        # LibRaw keeps its multipliers as floats: 1/0.6 is 1.6666666269 there.
        camera_whitebalance=[*(1.0 / neutral).astype(np.float32).tolist(), 0.0],
        daylight_whitebalance=[*daylight, 0.0],
        color_matrix=np.hstack([rgb_cam, np.zeros((3, 1))]),
    )


class _Tags:
    """A raw page's tags, falling back to IFD0's (where a converted DNG keeps
    the colour tags when the raw image is a SubIFD)."""

    def __init__(self, page: Any, ifd0: Any):
        self._pages = (page, ifd0)

    def get(self, code: int) -> Any:
        tag = self._tag(code)
        return None if tag is None else tag.value

    def reals(self, code: int) -> list[float] | None:
        """A tag's values as floats (RATIONALs arrive as numerator, denominator)."""
        tag = self._tag(code)
        if tag is None:
            return None
        value = tag.value
        if isinstance(value, int | float):
            return [float(value)]
        values = [float(v) for v in value]
        if tag.dtype in (5, 10):  # (S)RATIONAL
            return [n / d if d else 0.0 for n, d in zip(values[::2], values[1::2], strict=True)]
        return values

    def _tag(self, code: int) -> Any:
        for page in self._pages:
            tag = page.tags.get(code)
            if tag is not None:
                return tag
        return None


def _raw_page(ifd0: Any) -> Any:
    """IFD0 or the SubIFD that holds the primary raw image (NewSubfileType 0, CFA)."""
    for page in (ifd0, *(ifd0.pages or ())):
        if page.subfiletype == 0 and page.photometric == _PHOTOMETRIC_CFA:
            return page
    return None


def _follows(page: Any) -> bool:
    """The page is JPEG-tiled CFA data as this reader knows it (see the docstring)."""
    if page.compression != _COMPRESSION_JPEG or page.samplesperpixel != 1:
        return False
    if not page.is_tiled or not 1 < page.bitspersample <= 16:
        return False
    return not any(page.tags.get(code) is not None for code in _DECLINED_TAGS)


def _active_area(tags: _Tags, height: int, width: int) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the visible sensor, when its origin is even."""
    area = tags.get(50829)  # ActiveArea
    if area is None:
        return 0, 0, height, width
    top, left, bottom, right = (int(v) for v in area)
    if top % 2 or left % 2 or not (0 <= top < bottom <= height and 0 <= left < right <= width):
        return None
    return top, left, bottom, right


def _levels(tags: _Tags, pattern: np.ndarray) -> tuple[list[int], int] | None:
    """(black per LibRaw colour, white): BlackLevel one value, or one per position
    of a 2 x 2 repeat, whole numbers."""
    repeat = tags.get(50713)  # BlackLevelRepeatDim
    repeat = (1, 1) if repeat is None else tuple(int(v) for v in repeat)
    black = tags.reals(50714) or [0.0]
    white = tags.reals(50717)
    if repeat not in ((1, 1), (2, 2)) or len(black) != repeat[0] * repeat[1]:
        return None
    if white is None or len(white) != 1 or any(b != int(b) for b in black):
        return None
    per_colour = [0] * 4
    for position, colour in enumerate(pattern.ravel()):
        per_colour[int(colour)] = int(black[position % len(black)])
    if white[0] <= max(per_colour):
        return None
    return per_colour, int(white[0])


def _colour(tags: _Tags) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(AsShotNeutral, rgb_cam, daylight multipliers), or None (see the docstring)."""
    neutral = tags.reals(50728)  # AsShotNeutral
    if neutral is None or len(neutral) != 3 or min(neutral) <= 0:
        return None
    for code in (50723, 50724):  # CameraCalibration1/2: identity only
        calibration = tags.reals(code)
        if calibration is not None and not np.allclose(np.reshape(calibration, (3, 3)), np.eye(3)):
            return None
    balance = tags.reals(50727)  # AnalogBalance
    if balance is not None and not np.allclose(balance, 1.0):
        return None
    scale = tags.reals(50718)  # DefaultScale
    if scale is not None and (len(scale) != 2 or scale[0] != scale[1]):
        return None
    matrices = [tags.reals(50721), tags.reals(50722)]  # ColorMatrix1/2
    illuminants = [tags.get(50778), tags.get(50779)]
    present = [i for i, m in enumerate(matrices) if m is not None]
    if not present:
        return None
    chosen = [i for i in present if illuminants[i] == _D65]
    if len(present) > 1 and not chosen:
        return None
    values = matrices[(chosen or present)[0]]
    if values is None or len(values) != 9:
        return None
    derived = camera_matrices(np.reshape(values, (3, 3)))
    if derived is None:
        return None
    rgb_cam, daylight = derived
    return np.asarray(neutral), rgb_cam, daylight


def _pattern(tags: _Tags) -> np.ndarray | None:
    """LibRaw's (2, 2) colours for a 2 x 2 CFAPattern of R, G, B (0, 1, 2): the
    green in blue's row is colour 3."""
    repeat = tags.get(33421)  # CFARepeatPatternDim
    cfa = tags.get(33422)  # CFAPattern
    if repeat is None or tuple(repeat) != (2, 2) or cfa is None:
        return None
    pattern = np.frombuffer(bytes(cfa), dtype=np.uint8).astype(np.int64).reshape(2, 2)
    if sorted(pattern.ravel().tolist()) != [0, 1, 1, 2]:
        return None
    blue_row = int(np.argwhere(pattern == 2)[0][0])
    pattern[blue_row][pattern[blue_row] == 1] = 3
    return pattern


def _sensor_data(data: bytes, page: Any, tags: _Tags) -> np.ndarray | None:
    """The whole linearized sensor: each tile's JPEG decoded, laid out as its
    kind says, and placed (see the module docstring); None on any tile that
    does not follow."""
    import imagecodecs

    height, width = int(page.imagelength), int(page.imagewidth)
    tile_h, tile_w = int(page.tilelength), int(page.tilewidth)
    bits = int(page.bitspersample)
    across = -(-width // tile_w)
    offsets, counts = page.dataoffsets, page.databytecounts
    if len(offsets) != across * -(-height // tile_h):
        return None
    curve = _curve(tags.get(50712), bits)  # LinearizationTable
    sensor = np.empty((height, width), dtype=np.uint16)
    linear = np.empty((tile_h, tile_w), dtype=np.uint16)
    for index, (offset, count) in enumerate(zip(offsets, counts, strict=True)):
        tile = data[offset : offset + count]
        values = _tile_values(tile, tile_h, tile_w, bits, imagecodecs.jpeg8_decode)
        if values is None:
            return None
        if curve is not None:
            # "wrap" never wraps (a table of at least 2**bits entries) and skips
            # "clip"'s bounds test; into a contiguous tile, then placed.
            np.take(curve, values, out=linear, mode="wrap")
            values = linear
        top, left = (index // across) * tile_h, (index % across) * tile_w
        rows, cols = min(tile_h, height - top), min(tile_w, width - left)
        sensor[top : top + rows, left : left + cols] = values[:rows, :cols]
    return sensor


def _tile_values(
    tile: bytes, tile_h: int, tile_w: int, bits: int, decode: Any
) -> np.ndarray | None:
    """A tile's values as (tile_h, tile_w) uint16, or None (see the docstring)."""
    # libjpeg-turbo fills a cut-short scan with grey and only warns: a tile must
    # end with its end-of-image marker, as every camera writes it.
    if not tile.rstrip(b"\0").endswith(b"\xff\xd9"):
        return None
    frame = _start_of_frame(tile)
    if frame is None:
        return None
    marker, precision = frame
    if marker == _SOF3:
        if precision != bits:
            return None
        decoded = decode(tile)
        if decoded.size != tile_h * tile_w:
            return None
    elif marker == _SOF1 and precision == bits == _LOSSY_BITS and tile_h % 2 == 0:
        decoded = decode(tile)
        if decoded.shape != (tile_h // 2, 2 * tile_w):
            return None
    else:
        return None
    if decoded.dtype != np.uint16:
        return None
    return np.asarray(decoded).reshape(tile_h, tile_w)


def _curve(table: Any, bits: int) -> np.ndarray | None:
    """The LinearizationTable as LibRaw's ``curve``: a value past the table's end
    takes its last entry (padded to 2**bits entries), or None."""
    if table is None:
        return None
    curve = np.asarray(table, dtype=np.uint16).ravel()
    if curve.size == 0:
        return None
    if curve.size < 1 << bits:
        curve = np.concatenate([curve, np.full((1 << bits) - curve.size, curve[-1], np.uint16)])
    return curve


def _start_of_frame(jpeg: bytes) -> tuple[int, int] | None:
    """The JPEG's start-of-frame marker (0xC0-0xCF but DHT, JPG and DAC) and its
    sample precision, or None."""
    if jpeg[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 5 <= len(jpeg):
        if jpeg[at] != 0xFF:
            return None
        marker = jpeg[at + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker, jpeg[at + 4]
        (length,) = struct.unpack_from(">H", jpeg, at + 2)
        at += 2 + length
    return None


__all__ = ["JpegDngSensor", "is_dng", "read_sensor"]
