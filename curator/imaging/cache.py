"""Content-addressed cache of preview and thumbnail JPEGs.

Responsibility: name cache entries after the photo's content hash and write
them safely. Keys are relative POSIX paths stored in the catalog:

    previews/ab/cd/<hash>.jpg   (the ~1440 px loupe preview)
    thumbs/ab/<hash>.jpg        (the ~320 px gallery thumbnail)
    quick/ab/<hash>.jpg         (the quick look's thumbnail, shown until the photo
                                 is measured: imaging.quicklook)

where ``ab``/``cd`` are the first hex digits of the blake3 hash, so no folder
grows past a few thousand entries on a 100,000-photo library.

Invariants:
- a key is a pure function of (content hash, size class): the same bytes under
  any name share one entry, and a moved file keeps its cache;
- `write_jpeg` is atomic: it writes a temporary file in the destination folder
  and `os.replace`s it into place, so a reader (or a crash) never sees a
  half-written JPEG; an existing entry is never rewritten (same hash, same
  picture), so concurrent workers racing on one hash are harmless;
- nothing here touches the originals; only `cache_dir` is written.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window reads cache paths before its first paint: no PIL/OpenCV for that
    from PIL import Image

_HASH_RE = re.compile(r"^[0-9a-f]{8,128}$")


class SizeClass(StrEnum):
    PREVIEW = "previews"
    THUMBNAIL = "thumbs"
    QUICK_LOOK = "quick"


def cache_key(content_hash: str, size_class: SizeClass) -> str:
    """The relative cache path for a content hash and size class."""
    if not _HASH_RE.match(content_hash):
        raise ValueError(f"not a lowercase hex content hash: {content_hash!r}")
    if size_class is SizeClass.PREVIEW:
        return f"{size_class.value}/{content_hash[:2]}/{content_hash[2:4]}/{content_hash}.jpg"
    return f"{size_class.value}/{content_hash[:2]}/{content_hash}.jpg"


def preview_key(content_hash: str) -> str:
    return cache_key(content_hash, SizeClass.PREVIEW)


def thumbnail_key(content_hash: str) -> str:
    return cache_key(content_hash, SizeClass.THUMBNAIL)


def quick_look_key(content_hash: str) -> str:
    return cache_key(content_hash, SizeClass.QUICK_LOOK)


def cache_path(cache_dir: str | os.PathLike[str], key: str) -> Path:
    """Absolute path of a cache key under `cache_dir` (keys never escape it)."""
    relative = Path(key)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"cache key must be a relative path inside the cache: {key!r}")
    return Path(cache_dir) / relative


def make_thumbnail(preview: Image.Image, long_edge: int = 320) -> Image.Image:
    """The gallery thumbnail, made from the (already upright) preview, never the original."""
    from curator.imaging.orientation import fit_long_edge  # OpenCV: not for cache paths

    return fit_long_edge(preview, long_edge)


def write_jpeg(
    cache_dir: str | os.PathLike[str], key: str, image: Image.Image, quality: int
) -> bool:
    """Write `image` as a JPEG at `key`, atomically; False if it already existed."""
    target = cache_path(cache_dir, key)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
    # Encoded in memory, then written through Python's buffered file: Pillow's
    # encoder writes a real file's descriptor directly and ignores a short
    # write, so a disk that filled during the last chunk left a truncated JPEG
    # that looked written; the buffered writer retries the rest and raises.
    encoded = io.BytesIO()
    rgb.save(encoded, "JPEG", quality=quality, optimize=False, progressive=False)
    fd, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".jpg", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(encoded.getbuffer())
        os.replace(temp_name, target)
    except BaseException:
        # Never leave a stray temporary behind (disk full, interrupt...).
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return True
