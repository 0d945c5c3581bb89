"""The demo folder: generated photos that show what Curator sees, for a first run
without the user's own photos (`curator demo`).

From one synthetic scene: a five-frame exposure bracket (−2…+2 EV within one
second), a three-frame burst with its middle frame shaken, a blurred and an
over-exposed photo, a portrait with EXIF orientation 6, a hand-written DNG
with an embedded preview, a photo with a 4-star XMP sidecar, and a truncated
JPEG (the failed lane).

`write_demo(folder)` writes exactly `DEMO_FILES` (nothing else touched) and
returns their paths; the same bytes on every run. No downloads, no Qt.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, TiffImagePlugin

from curator.imaging.exposure import SRGB_LINEAR

WIDTH, HEIGHT = 960, 640
START = datetime(2024, 6, 1, 9, 30, 0)

# file name → what it shows (printed by `curator demo`, asserted by the tests)
DEMO_FILES: dict[str, str] = {
    **{f"bracket_{i}.jpg": f"exposure bracket, {ev:+d} EV" for i, ev in enumerate(range(-2, 3), 1)},
    "burst_1.jpg": "burst, sharp",
    "burst_2.jpg": "burst, shaken (motion blur)",
    "burst_3.jpg": "burst, sharp",
    "blurred.jpg": "out of focus",
    "overexposed.jpg": "over-exposed (clipped highlights)",
    "portrait.jpg": "portrait stored sideways, EXIF orientation 6",
    "raw_with_preview.dng": "a DNG raw with an embedded JPEG preview",
    "rated.jpg": "rated 4 stars in its XMP sidecar (rated.xmp)",
    "rated.xmp": "the XMP sidecar of rated.jpg",
    "truncated.jpg": "a file cut short: goes to the failed lane",
}


def write_demo(folder: Path) -> list[Path]:
    """Write the demo photos into `folder` (created); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    scene = _scene(WIDTH, HEIGHT)
    writers: dict[str, Callable[[Path], object]] = {}
    for i, ev in enumerate(range(-2, 3), 1):
        writers[f"bracket_{i}.jpg"] = _bracket_frame(scene, ev, i - 1)
    for i in range(1, 4):
        writers[f"burst_{i}.jpg"] = _burst_frame(scene, i, shaken=i == 2)
    writers["blurred.jpg"] = lambda p: _save_jpeg(
        p, _pil(scene).filter(ImageFilter.GaussianBlur(7)), START + timedelta(minutes=5)
    )
    writers["overexposed.jpg"] = lambda p: _save_jpeg(
        p, _pil(_exposed(scene, 2.2)), START + timedelta(minutes=6)
    )
    writers["portrait.jpg"] = lambda p: _save_jpeg(
        # Upright it is a portrait; stored rotated, as cameras do, with orientation 6.
        p,
        _pil(np.ascontiguousarray(np.rot90(scene[:, 260:687], k=1))),
        START + timedelta(minutes=7),
        orientation=6,
    )
    writers["raw_with_preview.dng"] = lambda p: p.write_bytes(
        dng_with_preview(scene, START + timedelta(minutes=8))
    )
    writers["rated.jpg"] = lambda p: _save_jpeg(
        p, _pil(np.roll(scene, 200, axis=1)), START + timedelta(minutes=9)
    )
    writers["rated.xmp"] = lambda p: p.write_text(_xmp_rating(4), encoding="utf-8")
    writers["truncated.jpg"] = _truncated
    assert writers.keys() == DEMO_FILES.keys()
    written = []
    for name, write in writers.items():
        path = folder / name
        write(path)
        written.append(path)
    return written


# --- the scene and its variations ---------------------------------------------------------


def _scene(width: int, height: int) -> np.ndarray:
    """Sky, a sun, hills with fine texture: detail for sharpness, tones for exposure."""
    rng = np.random.default_rng(2024)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack([90 + 60 * y / height, 140 + 50 * y / height, 220 - 20 * y / height], -1)
    horizon = height * 0.55 + 40 * np.sin(x / 90.0) + 25 * np.sin(x / 37.0 + 1.0)
    ground = y > horizon
    noise = rng.normal(0, 1, (height // 4, width // 4)).astype(np.float32)
    grain = np.kron(noise, np.ones((4, 4), np.float32))[:height, :width]
    fields = np.stack([70 + 18 * grain, 110 + 22 * grain, 50 + 14 * grain], -1)
    stripes = (np.sin(x / 6.0) > 0.6)[..., None] * 35.0  # rows of a vineyard: edges
    image = np.where(ground[..., None], fields + stripes, sky)
    sun = (x - width * 0.75) ** 2 + (y - height * 0.22) ** 2 < (height * 0.07) ** 2
    image[sun] = (250, 235, 190)
    return np.clip(image, 0, 255).astype(np.uint8)


def _exposed(scene: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(scene.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def _motion_blur(scene: np.ndarray, length: int = 21) -> np.ndarray:
    acc = np.zeros(scene.shape, np.float32)
    for shift in range(length):
        acc += np.roll(scene, shift - length // 2, axis=1)
    return (acc / length).astype(np.uint8)


def _bracket_frame(scene: np.ndarray, ev: int, index: int) -> Callable[[Path], None]:
    taken = START + timedelta(milliseconds=150 * index)  # five frames within 0.6 s
    return lambda p: _save_jpeg(p, _pil(_exposed(scene, 2.0**ev)), taken, exposure_bias=ev)


def _burst_frame(scene: np.ndarray, index: int, *, shaken: bool) -> Callable[[Path], None]:
    frame = np.roll(scene, 3 * index, axis=1)  # the subject drifts a little
    pixels = _motion_blur(frame) if shaken else frame
    taken = START + timedelta(minutes=2, milliseconds=125 * index)
    return lambda p: _save_jpeg(p, _pil(pixels), taken)


def _truncated(path: Path) -> None:
    buffer = io.BytesIO()
    _pil(_scene(WIDTH, HEIGHT)).save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) // 3])


def _pil(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels)


def _save_jpeg(
    path: Path,
    image: Image.Image,
    taken: datetime,
    *,
    orientation: int = 1,
    exposure_bias: int | None = None,
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Curator"  # Make
    exif[0x0110] = "Demo camera"  # Model
    exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    sub[0x9291] = f"{taken.microsecond // 1000:03d}"  # SubSecTimeOriginal (ms)
    if exposure_bias is not None:
        sub[0x9204] = TiffImagePlugin.IFDRational(exposure_bias, 1)  # ExposureBiasValue
    image.save(path, "JPEG", quality=90, exif=exif)


def _xmp_rating(stars: int) -> str:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        f'   xmp:Rating="{stars}"/>\n'
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    )


# --- a minimal DNG ------------------------------------------------------------------------

_BYTE, _ASCII, _SHORT, _LONG, _RATIONAL, _SRATIONAL = 1, 2, 3, 4, 5, 10
_TYPE_FORMAT = {_BYTE: "B", _ASCII: "B", _SHORT: "H", _LONG: "I", _RATIONAL: "I", _SRATIONAL: "i"}


# XYZ -> linear sRGB (D65 white), IEC 61966-2-1: the demo "camera" sees sRGB's
# primaries, so this is its ColorMatrix1 under CalibrationIlluminant1 = D65.
# It takes D65's white (0.9505, 1, 1.089) to (1, 1, 1): the neutral is 1, 1, 1.
XYZ_TO_LINEAR_SRGB = (
    (3.2404542, -1.5371385, -0.4985314),
    (-0.9692660, 1.8760108, 0.0415560),
    (0.0556434, -0.2040259, 1.0572252),
)


def dng_with_preview(scene: np.ndarray, taken: datetime) -> bytes:
    """A little-endian DNG 1.4: IFD0 holds a baseline JPEG preview (NewSubFileType 1),
    its SubIFD the raw: 16-bit RGGB Bayer sensels made from `scene`, 12-bit range.

    The sensels are linear light (the preview's sRGB curve undone) in sRGB's
    primaries, described by `XYZ_TO_LINEAR_SRGB` for D65 with AsShotNeutral
    1, 1, 1 (a grey has equal R, G, B levels), so a raw developer (LibRaw)
    renders the colours of the preview."""
    height, width = scene.shape[0] // 2 * 2, scene.shape[1] // 2 * 2
    linear = SRGB_LINEAR[scene[:height, :width]]  # the sRGB curve undone
    black, white = 256, 4095
    sensor = np.empty((height, width), np.float64)
    sensor[0::2, 0::2] = linear[0::2, 0::2, 0]  # R
    sensor[0::2, 1::2] = linear[0::2, 1::2, 1]  # G
    sensor[1::2, 0::2] = linear[1::2, 0::2, 1]  # G
    sensor[1::2, 1::2] = linear[1::2, 1::2, 2]  # B
    raw = np.rint(black + sensor * (white - black)).astype("<u2").tobytes()
    preview = io.BytesIO()
    small = Image.fromarray(scene).resize((width // 2, height // 2), Image.Resampling.LANCZOS)
    small.save(preview, "JPEG", quality=85)
    jpeg = preview.getvalue()

    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    jpeg_at, raw_at = _append(out, jpeg), _append(out, raw)
    color_matrix = [v for row in XYZ_TO_LINEAR_SRGB for c in row for v in (round(c * 10000), 10000)]
    raw_ifd = _append_ifd(
        out,
        [
            (254, _LONG, [0]),
            (256, _LONG, [width]),
            (257, _LONG, [height]),
            (258, _SHORT, [16]),
            (259, _SHORT, [1]),
            (262, _SHORT, [32803]),  # CFA
            (273, _LONG, [raw_at]),
            (277, _SHORT, [1]),
            (278, _LONG, [height]),
            (279, _LONG, [len(raw)]),
            (33421, _SHORT, [2, 2]),  # CFARepeatPatternDim
            (33422, _BYTE, [0, 1, 1, 2]),  # CFAPattern: RGGB
            (50714, _LONG, [black]),
            (50717, _LONG, [white]),
        ],
    )
    when = taken.strftime("%Y:%m:%d %H:%M:%S").encode() + b"\x00"
    ifd0 = _append_ifd(
        out,
        [
            (254, _LONG, [1]),  # a reduced-resolution image: the preview
            (256, _LONG, [width // 2]),
            (257, _LONG, [height // 2]),
            (258, _SHORT, [8, 8, 8]),
            (259, _SHORT, [7]),  # JPEG
            (262, _SHORT, [6]),  # YCbCr
            (271, _ASCII, list(b"Curator\x00")),
            (272, _ASCII, list(b"Demo DNG\x00")),
            (273, _LONG, [jpeg_at]),
            (274, _SHORT, [1]),
            (277, _SHORT, [3]),
            (278, _LONG, [height // 2]),
            (279, _LONG, [len(jpeg)]),
            (330, _LONG, [raw_ifd]),  # SubIFDs
            (36867, _ASCII, list(when)),  # DateTimeOriginal
            (50706, _BYTE, [1, 4, 0, 0]),  # DNGVersion
            (50707, _BYTE, [1, 2, 0, 0]),  # DNGBackwardVersion
            (50708, _ASCII, list(b"Curator Demo DNG\x00")),  # UniqueCameraModel
            (50721, _SRATIONAL, color_matrix),  # ColorMatrix1: XYZ -> camera
            (50728, _RATIONAL, [1, 1, 1, 1, 1, 1]),  # AsShotNeutral: grey is R = G = B
            (50778, _SHORT, [21]),  # CalibrationIlluminant1: D65
        ],
    )
    struct.pack_into("<I", out, 4, ifd0)
    return bytes(out)


def _append(out: bytearray, data: bytes) -> int:
    if len(out) % 2:
        out.append(0)  # TIFF offsets are word-aligned
    at = len(out)
    out += data
    return at


def _append_ifd(out: bytearray, entries: list[tuple[int, int, list[int]]]) -> int:
    """Write the entries' out-of-line values, then the IFD itself; the IFD's offset."""
    packed = []
    for tag, kind, values in sorted(entries):
        data = struct.pack(f"<{len(values)}{_TYPE_FORMAT[kind]}", *values)
        count = len(values) // 2 if kind in (_RATIONAL, _SRATIONAL) else len(values)
        field = data.ljust(4, b"\x00") if len(data) <= 4 else struct.pack("<I", _append(out, data))
        packed.append(struct.pack("<HHI", tag, kind, count) + field)
    at = _append(out, struct.pack("<H", len(packed)) + b"".join(packed) + b"\x00\x00\x00\x00")
    return at
