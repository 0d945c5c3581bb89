"""Tiled JPEG DNGs for tests, written as cameras and Adobe's converter write them.

`make_tiled_dng` writes a CFA DNG whose tiles are JPEGs (Compression 7):
- lossy (the default), as Blackmagic's CinemaDNG: 12-bit DCT (SOF1), two
  sensor rows per JPEG line, 16-bit quantisation tables (dcraw/LibRaw's SOF1
  decoder reads every quantisation value as 16 bits, so libjpeg-turbo's
  8-bit tables are widened here: `_sixteen_bit_quantisation`);
- lossless (`lossless_bits`), as Adobe DNG Converter writes them: SOF3 at
  that precision, a tile's rows one after another, in one JPEG component or
  two (`components`, Adobe's usual two half-width ones);
- the raw image in IFD0, or (`subifd`) in a SubIFD behind a small preview
  IFD0 holding the colour tags, as converted DNGs are laid out.
The options add the DNG features `curator.imaging.raw.jpeg_dng` follows or
declines, so each can be compared with LibRaw on the same bytes.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator, Sequence

import numpy as np

# XYZ -> camera matrices (DNG ColorMatrix) of a plausible sensor, for two illuminants.
D65_MATRIX = (0.69, -0.25, -0.05, -0.39, 1.2, 0.16, -0.09, 0.2, 0.58)
STD_A_MATRIX = (0.95, -0.45, 0.03, -0.36, 1.32, 0.2, -0.05, 0.15, 0.73)
D65, STANDARD_A = 21, 17
CFA = {"RGGB": (0, 1, 1, 2), "GRBG": (1, 0, 2, 1), "GBRG": (1, 2, 0, 1), "BGGR": (2, 1, 1, 0)}


def log_curve(entries: int = 4096) -> np.ndarray:
    """A LinearizationTable like a cinema camera's: 12-bit codes to 16-bit linear,
    steep at the top (the fixture's last step is 64)."""
    return (np.linspace(0.0, 1.0, entries) ** 2.2 * 65535).astype(np.uint16)


def make_tiled_dng(
    codes: np.ndarray,
    *,
    tile: tuple[int, int] | None = (64, 96),
    cfa: str = "RGGB",
    curve: np.ndarray | None = None,
    black: int = 512,
    white: int = 65535,
    neutral: tuple[float, float, float] = (0.5, 1.0, 0.6),
    matrices: Sequence[tuple[int, Sequence[float]]] = ((D65, D65_MATRIX),),
    extra: Sequence[tuple[int, str, int, tuple[int, ...]]] = (),
    quality: int = 95,
    tile_transform: object = None,
    lossless_bits: int | None = None,
    components: int = 1,
    subifd: bool = False,
) -> bytes:
    """A tiled JPEG DNG of the sensor `codes` ((h, w), even sizes; 12-bit
    unless `lossless_bits` says otherwise).

    `tile`: (rows, cols) of each tile, or None for strips of 64 rows; `curve`:
    the LinearizationTable (None: none); `matrices`: (CalibrationIlluminant,
    ColorMatrix) pairs, the first as ColorMatrix1; `extra`: more tags as
    tifffile's (code, dtype, count, value), each in place of the default one
    of its code; `tile_transform`: a function
    applied to each encoded tile's bytes (to damage one, say)."""
    import imagecodecs
    import tifffile

    height, width = codes.shape
    rows, cols = tile if tile is not None else (64, width)

    def tiles() -> Iterator[bytes]:
        for top in range(0, height, rows):
            for left in range(0, width, cols):
                block = np.zeros((rows, cols), dtype=np.uint16)
                part = codes[top : top + rows, left : left + cols]
                block[: part.shape[0], : part.shape[1]] = part
                if lossless_bits is None:
                    jpeg = imagecodecs.jpeg8_encode(
                        block.reshape(rows // 2, 2 * cols), level=quality, bitspersample=12
                    )
                    jpeg = _sixteen_bit_quantisation(bytes(jpeg))
                else:
                    lines = block.reshape(rows, cols // components, components).squeeze()
                    jpeg = bytes(
                        imagecodecs.jpeg8_encode(lines, lossless=True, bitspersample=lossless_bits)
                    )
                yield tile_transform(jpeg) if callable(tile_transform) else jpeg

    camera: list[tuple[int, str, int, tuple[int, ...], bool]] = [
        (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
        (50728, "2I", 3, _rationals(neutral), True),  # AsShotNeutral
    ]
    for index, (illuminant, matrix) in enumerate(matrices):
        camera.append((50721 + index, "2i", 9, _rationals(matrix), True))  # ColorMatrix1/2
        camera.append((50778 + index, "H", 1, (illuminant,), True))  # CalibrationIlluminant1/2
    raw: list[tuple[int, str, int, tuple[int, ...], bool]] = [
        (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
        (33422, "B", 4, CFA[cfa], True),  # CFAPattern
        (50714, "I", 1, (black,), True),  # BlackLevel
        (50717, "I", 1, (white,), True),  # WhiteLevel
    ]
    if curve is not None:
        raw.append((50712, "H", len(curve), tuple(int(v) for v in curve), True))
    replaced = {code for code, *_ in extra}  # an extra tag stands in for the default one
    raw = [tag for tag in raw if tag[0] not in replaced]
    camera = [tag for tag in camera if tag[0] not in replaced]
    raw += [(code, dtype, count, value, True) for code, dtype, count, value in extra]
    out = io.BytesIO()
    with tifffile.TiffWriter(out) as writer:
        if subifd:  # IFD0: a small preview with the camera's tags; the raw image a SubIFD
            preview = np.zeros((height // 8, width // 8, 3), dtype=np.uint8)
            writer.write(preview, subfiletype=1, subifds=1, extratags=camera, photometric="rgb")
            camera = []
        writer.write(
            tiles(),
            shape=(height, width),
            dtype=np.uint16,
            tile=tile,
            rowsperstrip=None if tile is not None else rows,
            compression=7,
            photometric=32803,
            bitspersample=lossless_bits or 12,
            subfiletype=0,
            extratags=camera + raw,
        )
    return out.getvalue()


def bayer_codes(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A 12-bit sensor of flat 2 x 2 quads (one random value each): a scene a
    half-size render sees whole, within the codes a lossy tile keeps."""
    rng = np.random.default_rng(seed)
    quads = rng.integers(300, 3800, (height // 2, width // 2)).astype(np.uint16)
    return np.repeat(np.repeat(quads, 2, axis=0), 2, axis=1)


def _rationals(values: Sequence[float], denominator: int = 10000) -> tuple[int, ...]:
    out: list[int] = []
    for value in values:
        out += [round(value * denominator), denominator]
    return tuple(out)


def _sixteen_bit_quantisation(jpeg: bytes) -> bytes:
    """`jpeg` with every 8-bit quantisation table (DQT Pq 0) rewritten at 16 bits
    (Pq 1, the same values), as the cameras write them; the rest is copied."""
    out = bytearray(jpeg[:2])
    at = 2
    while True:
        marker = jpeg[at + 1]
        (length,) = struct.unpack_from(">H", jpeg, at + 2)
        body = jpeg[at + 4 : at + 2 + length]
        if marker == 0xDB:
            widened, i = bytearray(), 0
            while i < len(body):
                precision, table = body[i] >> 4, body[i] & 15
                if precision:
                    widened += body[i : i + 129]
                    i += 129
                    continue
                widened.append(0x10 | table)
                for value in body[i + 1 : i + 65]:
                    widened += bytes((0, value))
                i += 65
            body = bytes(widened)
        out += bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body
        at += 2 + length
        if marker == 0xDA:  # start of scan: the entropy-coded data follows as it is
            return bytes(out) + jpeg[at:]
