"""Generated bursts and exposure brackets for the burst tests and bench.

A scene is an RGB image in *linear light* (reflectances 0..1: smooth
gradients, shapes, a textured patch). `render` applies an exposure change in
linear light (× 2^EV), clips at white like a sensor, and encodes sRGB — what
a camera's bracket frame at EV +1.3 looks like. `shake` is a horizontal
motion blur (camera shake), `nudge` a small hand-held shift. `write_frame`
saves a JPEG whose EXIF carries DateTimeOriginal, SubSecTimeOriginal,
ExposureBiasValue and ImageNumber, written with Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

WIDTH, HEIGHT = 960, 640  # above the "too small to judge" edge
BRACKET_EVS = (0.0, -0.7, 0.7, -1.3, 1.3)


def scene(seed: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A deterministic linear-light RGB scene (float32, 0..1), different per seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    ramp = (np.cos(angle) * x / width + np.sin(angle) * y / height + 1) / 2
    base = 0.05 + 0.3 * ramp
    img = np.repeat(base[:, :, None], 3, axis=2) * rng.uniform(0.6, 1.0, size=3)
    for _ in range(14):
        colour = rng.uniform(0.02, 0.9, size=3).astype(np.float32)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        if rng.random() < 0.5:
            r = rng.uniform(30, 140)
            mask = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
        else:
            w, h = rng.uniform(40, 260), rng.uniform(40, 200)
            mask = (abs(x - cx) <= w / 2) & (abs(y - cy) <= h / 2)
        img[mask] = colour
    small = rng.uniform(0.5, 1.5, size=(height // 8, width // 8)).astype(np.float32)
    img *= cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)[:, :, None]
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def render(linear: np.ndarray, ev: float = 0.0) -> np.ndarray:
    """Exposure `ev` in linear light, clipped at white, sRGB-encoded uint8."""
    lin = np.clip(linear * np.float32(2.0**ev), 0.0, 1.0)
    srgb = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.power(lin, 1 / 2.4) - 0.055)
    return np.round(srgb * 255).astype(np.uint8)


def shake(rgb: np.ndarray, length: int = 25) -> np.ndarray:
    """Horizontal motion blur of `length` px (camera shake)."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return cv2.filter2D(rgb, -1, kernel, borderType=cv2.BORDER_REFLECT)


def nudge(rgb: np.ndarray, dx: float, dy: float, degrees: float = 0.0) -> np.ndarray:
    """A hand-held frame: shifted by (dx, dy) px and turned by `degrees`."""
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    matrix[0, 2] += dx
    matrix[1, 2] += dy
    return cv2.warpAffine(rgb, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)


@dataclass(frozen=True)
class FrameSpec:
    name: str
    pixels: np.ndarray
    captured_at: datetime  # microseconds become SubSecTimeOriginal
    bias: float | None = None
    sequence: int | None = None
    subsec: bool = True


def write_frame(folder: Path, spec: FrameSpec) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Curator"
    exif[0x0110] = "Bracketer"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = spec.captured_at.strftime("%Y:%m:%d %H:%M:%S")
    if spec.subsec:
        sub[0x9291] = f"{spec.captured_at.microsecond // 1000:03d}"
    if spec.bias is not None:
        # SRATIONAL in tenths of EV, as cameras write it (-13/10).
        sub[0x9204] = IFDRational(round(spec.bias * 10), 10)
    if spec.sequence is not None:
        sub[0x9211] = spec.sequence
    path = folder / spec.name
    Image.fromarray(spec.pixels).save(path, "JPEG", quality=92, exif=exif)
    return path


def bracket_name(index: int, ev: float) -> str:
    return f"bracket_{index}_{'m' if ev < 0 else 'p'}{abs(ev):.1f}.jpg"


def library_specs() -> list[FrameSpec]:
    """The test library: a five-frame bracket (its sub-seconds run against its
    names, so the +1.3 EV frame comes first), a three-frame burst with one shaken
    frame (same second, ordered by ImageNumber against their names), and two
    different scenes in one second."""
    bracket_scene, burst_scene = scene(1), scene(2)
    specs = [
        FrameSpec(
            bracket_name(i, ev),
            render(bracket_scene, ev),
            # Shot brightest first: the sub-seconds, not the names, give the order.
            datetime(2024, 5, 1, 10, 0, 0, 150_000 * (len(BRACKET_EVS) - 1 - i)),
            bias=ev,
        )
        for i, ev in enumerate(BRACKET_EVS)
    ]
    burst = render(burst_scene)
    frames = [burst, shake(nudge(burst, 2, 1, 0.2)), nudge(burst, -1, 2, -0.1)]
    for i, pixels in enumerate(frames):
        specs.append(
            FrameSpec(
                f"burst_{'cba'[i]}.jpg",  # names against the capture order
                pixels,
                datetime(2024, 5, 1, 10, 1, 0),
                bias=0.0,
                sequence=101 + i,
                subsec=False,
            )
        )
    specs += [
        FrameSpec("turn_1.jpg", render(scene(3)), datetime(2024, 5, 1, 10, 2, 0, 100_000)),
        FrameSpec("turn_2.jpg", render(scene(4)), datetime(2024, 5, 1, 10, 2, 0, 600_000)),
    ]
    return specs
