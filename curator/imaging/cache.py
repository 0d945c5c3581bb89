"""Content-addressed cache of preview, thumbnail and CLIP-rendition JPEGs.

Keys are relative POSIX paths stored in the catalog (`SizeClass`):

    previews/ab/cd/<hash>.jpg   the ~1440 px loupe preview
    thumbs/ab/<hash>.jpg        the ~320 px gallery thumbnail
    quick/ab/<hash>.jpg         the quick look's thumbnail (imaging.quicklook)
    clip/ab/<hash>.jpg          the preview at CLIP's input size (`clip_rendition`)
    screen/ab/<hash>-<edge>.jpg the original for a screen larger than the
                                preview (never in the catalog; `prune_screen`)

Invariants: a key is a pure function of (content hash, size class), so a
moved file keeps its cache; `write_bytes` is atomic and never rewrites an
entry; only screen renditions are bounded (`prune_screen`, LRU past a byte
budget; `read_screen` deletes a damaged one); only `cache_dir` is written; a
folder that cannot take entries is replaced by the seat's own, with a
sentence (`cache_folder_problem`, `choose_cache_folder`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
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
    SCREEN = "screen"
    CLIP = "clip"


# The CLIP rendition: the preview's short side at the input side of the CLIP models
# Curator ships for (224 px), so the embed stage decodes a ~25 kB JPEG and only
# centre-crops it. Quality 95: the vectors agree with the preview's at cosine ≥ 0.999.
CLIP_SHORT_SIDE = 224
CLIP_QUALITY = 95


MIN_FREE_BYTES = 64 * 1024 * 1024  # below this a cache folder counts as full
SCREEN_CACHE_BYTES = 1 << 30  # ~700 screen renditions of a 2560 px monitor
_JPEG_START, _JPEG_END = b"\xff\xd8", b"\xff\xd9"


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


def clip_key(content_hash: str) -> str:
    return cache_key(content_hash, SizeClass.CLIP)


def clip_rendition(preview: Image.Image) -> Image.Image | None:
    """The CLIP rendition of an upright preview: its short side at `CLIP_SHORT_SIDE`
    (the long side truncated as torchvision's `Resize(int)` computes it): first
    reduced by the largest whole factor that keeps it (a box filter, as the JPEG
    decoder's DCT scaling does when the embed stage reads the preview), then
    Pillow's bicubic, as CLIP's own transform resizes. None for a preview no
    larger: the embed stage reads that preview itself."""
    from PIL import Image

    width, height = preview.size
    if min(width, height) <= CLIP_SHORT_SIDE:
        return None
    size = resized_size(width, height, CLIP_SHORT_SIDE)
    return preview.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0)


def resized_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """(width, height) with the short side `short_side`, the long side truncated
    as torchvision's `Resize(int)` computes it (CLIP's transform, `ml.clip_pixels`)."""
    if width <= height:
        return short_side, int(short_side * height / width)
    return int(short_side * width / height), short_side


def clip_rendition_of(preview: str | os.PathLike[str]) -> Path | None:
    """The CLIP rendition beside a cached preview's file, if the cache has it."""
    path = Path(preview)
    content_hash = path.stem
    if len(path.parts) < 4 or path.parts[-4] != SizeClass.PREVIEW.value:
        return None
    if not _HASH_RE.match(content_hash):
        return None
    rendition = path.parents[3] / clip_key(content_hash)
    return rendition if rendition.is_file() else None


def hash_of_key(key: str | None) -> str | None:
    """The content hash a cache key is named after (None: no key, or not one of ours)."""
    if not key:
        return None
    stem = Path(key).stem
    return stem if _HASH_RE.match(stem) else None


def screen_key(content_hash: str, long_edge: int) -> str:
    """The relative cache path of a screen rendition of `long_edge` pixels."""
    if not _HASH_RE.match(content_hash):
        raise ValueError(f"not a lowercase hex content hash: {content_hash!r}")
    folder = SizeClass.SCREEN.value
    return f"{folder}/{content_hash[:2]}/{content_hash}-{int(long_edge)}.jpg"


def entry_is_whole(data: bytes) -> bool:
    """Whether a cache entry's bytes look like a whole JPEG (start and end
    markers): a truncated or overwritten file fails, an empty one too."""
    return data.startswith(_JPEG_START) and data.rstrip(b"\0").endswith(_JPEG_END)


def read_whole(cache_dir: str | os.PathLike[str], key: str, *, drop: bool = True) -> bytes | None:
    """A cache entry's bytes; None when absent or damaged (a damaged one is
    deleted when `drop`, so it is made again, never shown)."""
    try:
        data = cache_path(cache_dir, key).read_bytes()
    except OSError:
        return None
    if entry_is_whole(data):
        return data
    if drop:
        discard(cache_dir, key)
    return None


def read_screen(cache_dir: str | os.PathLike[str], key: str) -> bytes | None:
    """A cached screen rendition's JPEG bytes (`read_whole`), marked as just used."""
    data = read_whole(cache_dir, key)
    if data is not None:
        with contextlib.suppress(OSError):
            os.utime(cache_path(cache_dir, key))  # the LRU's clock: a read keeps it
    return data


def discard(cache_dir: str | os.PathLike[str], key: str) -> None:
    """Delete one cache entry (a damaged one); absent is fine."""
    with contextlib.suppress(OSError):
        cache_path(cache_dir, key).unlink()


def prune_screen(cache_dir: str | os.PathLike[str], max_bytes: int = SCREEN_CACHE_BYTES) -> int:
    """Delete the least recently used screen renditions until they take at most
    `max_bytes`; returns how many were deleted. Entries vanishing meanwhile (a
    second pruner) are skipped."""
    root = Path(cache_dir) / SizeClass.SCREEN.value
    entries = []
    for path in root.glob("*/*.jpg"):
        with contextlib.suppress(OSError):
            info = path.stat()
            entries.append((info.st_mtime_ns, info.st_size, path))
    total = sum(size for _mtime, size, _path in entries)
    deleted = 0
    for _mtime, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            deleted += 1
        total -= size
    return deleted


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
    # encoder ignores a short write to a real file's descriptor (a disk that
    # filled left a truncated JPEG); the buffered writer retries and raises.
    encoded = io.BytesIO()
    rgb.save(encoded, "JPEG", quality=quality, optimize=False, progressive=False)
    return write_bytes(cache_dir, key, encoded.getbuffer())


def write_bytes(cache_dir: str | os.PathLike[str], key: str, data: bytes | memoryview) -> bool:
    """Write an encoded entry (a JPEG a Ray node made, `write_jpeg`'s) at `key`,
    atomically; False if it already existed."""
    target = cache_path(cache_dir, key)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".jpg", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp_name, target)
    except BaseException:
        # Never leave a stray temporary behind (disk full, interrupt...).
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return True


def cache_folder_problem(folder: str | os.PathLike[str]) -> str | None:
    """Why `folder` cannot hold cache entries now, as the end of a sentence
    ("is read-only (…)"); None when it can. Creates the folder, writes and
    removes one small probe file, and checks the free space."""
    root = Path(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=root)
        try:
            os.write(fd, b"curator")
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(probe)
        free = shutil.disk_usage(root).free
    except PermissionError:
        return "is read-only for this seat"
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        return f"cannot be written ({reason})"
    if free < MIN_FREE_BYTES:
        return f"is full ({free / 1e6:.1f} MB free)"
    return None


def choose_cache_folder(
    configured: str | os.PathLike[str], own: str | os.PathLike[str]
) -> tuple[Path, str | None]:
    """The folder this seat keeps its previews in, and the one sentence to say
    when it is not the `configured` one: a configured (shared) folder that
    fails falls back to the seat's `own`. The seat's own folder is not probed
    (nothing to fall back to; `curator doctor` says its state)."""
    configured, own = Path(configured), Path(own)
    if configured == own:
        return own, None
    problem = cache_folder_problem(configured)
    if problem is None:
        return configured, None
    return own, (
        f"The cache folder {configured} {problem}: this seat keeps its previews "
        f"in its own folder, {own}, and makes the missing ones again."
    )
