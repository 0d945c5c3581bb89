"""An export's rendition of a photo the photographer turned in Curator is
rendered upright as they saw it (issue 19 §2), on top of the file's own EXIF
orientation, and is told apart from a rendition made before the turn."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from curator.export.plan import CaptureInfo
from curator.export.rendition import render_jpeg, rendition_marker, rendition_marker_of

_RED = (220, 20, 20)


def _sideways_jpeg(path: Path) -> None:
    """Stored 300x200 with a red top-left quarter and EXIF orientation 6 (the
    camera was turned right): upright it is 200x300, red top-right."""
    pixels = np.full((200, 300, 3), 40, dtype=np.uint8)
    pixels[:100, :150] = _RED
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(path, "JPEG", quality=95, exif=exif.tobytes())


def _render(path: Path, turns: int) -> Image.Image:
    data = render_jpeg(str(path), 1000, "abc", CaptureInfo(), quarter_turns=turns)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _is_red(image: Image.Image, xy: tuple[int, int]) -> bool:
    r, g, b = image.convert("RGB").getpixel(xy)  # type: ignore[misc]
    return r > 180 and g < 80 and b < 80


def test_rendition_applies_the_turn_on_top_of_the_exif_orientation(tmp_path: Path) -> None:
    source = tmp_path / "sideways.jpg"
    _sideways_jpeg(source)

    upright = _render(source, 0)
    assert upright.size == (200, 300) and _is_red(upright, (190, 10))

    turned_back = _render(source, -1)  # the user turned it left: landscape again
    assert turned_back.size == (300, 200)
    assert _is_red(turned_back, (10, 10)) and not _is_red(turned_back, (290, 10))
    assert turned_back.getexif().get(0x0112) == 1  # the pixels are upright as they are

    half = _render(source, 2)
    assert half.size == (200, 300) and _is_red(half, (10, 290))


def test_a_turned_rendition_is_not_taken_for_the_unturned_one(tmp_path: Path) -> None:
    source = tmp_path / "sideways.jpg"
    _sideways_jpeg(source)
    out = tmp_path / "out.jpg"
    out.write_bytes(render_jpeg(str(source), 1000, "abc", CaptureInfo(), quarter_turns=1))
    assert rendition_marker_of(out) == rendition_marker("abc", 1000, 1)
    assert rendition_marker_of(out) != rendition_marker("abc", 1000)
    # an unturned photo keeps the marker older exports wrote
    assert rendition_marker("abc", 1000, 4) == "curator-export source-blake3=abc long-edge=1000"
