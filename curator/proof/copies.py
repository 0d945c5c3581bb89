"""A gallery's copies of one photo: the run step of a make (pure: no Qt, no catalog).

`render_copies(request)` decodes the original once with the export's own
path (`export.rendition.rendered_pixels`: upright, sRGB, the photographer's
turns), writes `photos/<token>.jpg` at `PHOTO_EDGE` and `thumbs/<token>.jpg`
at `THUMB_EDGE` (made from the first, not decoded again), and returns what it
wrote. EXIF goes with the screen copy, without GPS, serial numbers and the
owner's name unless the photographer keeps them; the thumbnail carries none.
An optional watermark line is drawn into both, bottom right. Each file is
written under a temporary name and renamed into place, so a killed make
leaves no half-written copy. A failure is a `CopyRefused` sentence, a value
(it crosses a child process's pipe: a RAW renders in one, as in export).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from curator.export.files import read_sentence
from curator.export.plan import CaptureInfo
from curator.export.rendition import rendered_pixels, rendition_exif
from curator.fs.publish import temp_path
from curator.imaging.errors import ImagingError
from curator.imaging.orientation import fit_long_edge

PHOTO_EDGE = 2_000  # screen-sized: a laptop or a tablet full screen, never a print
THUMB_EDGE = 400  # a grid tile on a high-density phone
PHOTO_QUALITY, THUMB_QUALITY = 85, 78
COPIES_VERSION = 1  # bump when the copies change for the same settings


@dataclass(frozen=True)
class CopyRequest:
    """One photo's copies, as the run (or a child process) gets them."""

    source: str
    token: str
    folder: str  # the gallery's folder
    capture: CaptureInfo
    quarter_turns: int = 0
    watermark: str = ""
    keep_location: bool = False


@dataclass(frozen=True)
class CopyDone:
    token: str
    size: tuple[int, int]
    thumb_size: tuple[int, int]
    bytes_written: int


@dataclass(frozen=True)
class CopyRefused:
    token: str
    message: str


def photo_path(folder: str | Path, token: str) -> Path:
    return Path(folder) / "photos" / f"{token}.jpg"


def thumb_path(folder: str | Path, token: str) -> Path:
    return Path(folder) / "thumbs" / f"{token}.jpg"


def render_copies(request: CopyRequest) -> CopyDone | CopyRefused:
    """Write one photo's screen copy and thumbnail (module docstring)."""
    try:
        image, exif = rendered_pixels(request.source, PHOTO_EDGE, request.quarter_turns)
        thumb = fit_long_edge(image, THUMB_EDGE)
        if request.watermark:
            image = with_watermark(image, request.watermark)
            thumb = with_watermark(thumb, request.watermark)
        exif_bytes = rendition_exif(
            exif, request.capture, image.size, private=request.keep_location
        )
        big = _jpeg(image, PHOTO_QUALITY, exif_bytes)
        small = _jpeg(thumb, THUMB_QUALITY, None)
        _write(photo_path(request.folder, request.token), big)
        _write(thumb_path(request.folder, request.token), small)
    except ImagingError as exc:
        return CopyRefused(request.token, exc.message)
    except MemoryError:
        return CopyRefused(request.token, "Not enough memory to render this photo.")
    except OSError as exc:
        return CopyRefused(request.token, read_sentence(exc))
    return CopyDone(request.token, image.size, thumb.size, len(big) + len(small))


def _jpeg(image: Image.Image, quality: int, exif: bytes | None) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif} if exif else {}
    # Baseline, not progressive: a progressive encoding took 4x as long (22 ms
    # against 5 ms for a 2,000 px copy) and the page shows the thumbnail first.
    image.save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def _write(final: Path, data: bytes) -> None:
    """`data` at `final`, written beside it and renamed over it (a copy is ours
    to replace); a symlink there is refused, never written through."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.is_symlink():
        raise OSError(f"{final.name} in the gallery folder is a link; Curator will not follow it")
    tmp = temp_path(final.parent, final.name)
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def with_watermark(image: Image.Image, text: str) -> Image.Image:
    """`image` with `text` drawn bottom right: white at 60 % over a soft shadow,
    its height about 3 % of the long edge (at least 10 px)."""
    size = max(10, round(max(image.size) * 0.03))
    font = ImageFont.load_default(size=size)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    margin = size
    x = max(0, image.width - (right - left) - margin)
    y = max(0, image.height - (bottom - top) - margin)
    shadow = max(1, size // 12)
    draw.text((x + shadow, y + shadow), text, font=font, fill=(0, 0, 0, 110))
    draw.text((x, y), text, font=font, fill=(255, 255, 255, 160))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
