"""Synthetic client galleries for the browser tests: the real page (`copy_page`), a
`gallery.js` from `gallery_script`, and small real JPEGs made with Pillow, one colour each.

Importing this module skips the importing test module when playwright is missing (fails under
CI, like conftest's `browser`), so the tests can use `expect` at module level.
"""

from __future__ import annotations

import colorsys
import hashlib
import hmac
import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image

from curator.proof.page_files import copy_page, gallery_script

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip(
        "playwright is not installed: pip install -e '.[dev]' (it is in the dev extra)",
        allow_module_level=True,
    )

__all__ = ["SIGN_KEY", "canonical", "expect", "jpeg", "make_gallery", "signature_of", "token"]

SIGN_KEY = "5a" * 8 + "0123456789abcdef" * 3  # 64 hex characters
PHOTO_SIZE = (600, 400)  # stands in for the ~2000 px copies; the page reads w/h from the data
THUMB_SIZE = (120, 80)


def token(i: int) -> str:
    """A photo's opaque token (20 hex characters, like the real ones)."""
    return hashlib.sha256(f"photo-{i}".encode()).hexdigest()[:20]


def jpeg(size: tuple[int, int], hue: float) -> bytes:
    r, g, b = (round(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.6, 0.85))
    out = io.BytesIO()
    Image.new("RGB", size, (r, g, b)).save(out, "JPEG", quality=80)
    return out.getvalue()


def make_gallery(
    folder: Path, *, count: int = 12, same_files: bool = False, **settings: object
) -> dict[str, object]:
    """A folder gallery of `count` photos in `folder`; `settings` override the data's fields.

    `same_files` writes one photo and one thumbnail's bytes for every token (fast for 1,000).
    Returns the data written to gallery.js.
    """
    copy_page(folder)
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "thumbs").mkdir(exist_ok=True)
    photos: list[dict[str, object]] = []
    shared = (jpeg(PHOTO_SIZE, 0.55), jpeg(THUMB_SIZE, 0.55)) if same_files else None
    for i in range(count):
        t = token(i)
        big, small = shared or (jpeg(PHOTO_SIZE, i / count), jpeg(THUMB_SIZE, i / count))
        (folder / "photos" / f"{t}.jpg").write_bytes(big)
        (folder / "thumbs" / f"{t}.jpg").write_bytes(small)
        photos.append(
            {
                "id": t,
                "n": i + 1,
                "src": f"photos/{t}.jpg",
                "w": PHOTO_SIZE[0],
                "h": PHOTO_SIZE[1],
                "thumb": f"thumbs/{t}.jpg",
                "tw": THUMB_SIZE[0],
                "th": THUMB_SIZE[1],
            }
        )
    data: dict[str, object] = {
        "version": 1,
        "mode": "folder",
        "gallery": "g-" + hashlib.sha256(str(folder).encode()).hexdigest()[:20],
        "title": "Anna & Ben — wedding",
        "photographer": "Anna Photo",
        "min_picks": 2,
        "max_picks": 4,
        "comments": True,
        "expires": None,
        "photos": photos,
        "sign_key": SIGN_KEY,
    }
    data.update(settings)
    (folder / "gallery.js").write_text(gallery_script(data), encoding="utf-8")
    return data


def canonical(obj: object) -> bytes:
    """The bytes a selection's signature covers, as the contract states them."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature_of(selection: dict[str, object], key: str = SIGN_KEY) -> str:
    unsigned = {k: v for k, v in selection.items() if k != "signature"}
    return hmac.new(bytes.fromhex(key), canonical(unsigned), hashlib.sha256).hexdigest()
