"""Missing or damaged cache entries made again from the photo's file.

`rebuild_entries` (in a decoder child of `engine.isolation`) rebuilds a photo's
preview and thumbnail; `read_whole` and `entry_state` tell a whole entry from a
missing or damaged one. Decoding: a RAW's embedded preview, else
`decode.decode_image`; the thumbnail comes from the upright preview.

Invariants: pure; never raises (the outcome carries a sentence); the file's
blake3 is checked, so changed bytes are never written under the old key;
entries are written atomically, a damaged one deleted first; an unwritable
cache costs only the write; only `request.cache_dir` is written.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from curator.imaging.cache import (  # entry_is_whole, read_whole: the loaders' import path
    CLIP_QUALITY,
    cache_path,
    clip_key,
    clip_rendition,
    entry_is_whole,
    read_whole,
    write_bytes,
)

if TYPE_CHECKING:  # Pillow loads in the child, with the first photo
    from PIL import Image

PREVIEW_LONG_EDGE = 1440
THUMBNAIL_LONG_EDGE = 320
_TAIL_BYTES = 4096  # a whole entry's end marker, past any zero padding a copy left


@dataclass(frozen=True)
class RebuildRequest:
    """One photo's cache entries to make from its file (keys as in the catalog;
    None: that entry is not wanted)."""

    path: str
    content_hash: str
    cache_dir: str
    thumbnail_key: str | None
    preview_key: str | None = None
    preview_long_edge: int = PREVIEW_LONG_EDGE
    thumbnail_long_edge: int = THUMBNAIL_LONG_EDGE
    max_pixels: int = 250_000_000


@dataclass(frozen=True)
class RebuildOutcome:
    """What a rebuild made: the encoded JPEGs (None: not made), whether they
    are in the cache now, and a sentence when something stood in the way."""

    thumbnail: bytes | None = None
    preview: bytes | None = None
    written: bool = False
    offline: bool = False  # the file is not there (an unplugged drive, a moved folder)
    unwritable: bool = False  # made, but the cache folder refused it (read-only, full)
    problem: str | None = None

    def image_for(self, key: str, request: RebuildRequest) -> bytes | None:
        """The encoded JPEG made for cache key `key` of `request`."""
        if key == request.preview_key:
            return self.preview
        if key == request.thumbnail_key:
            return self.thumbnail
        return None


@dataclass(frozen=True)
class RemadeEntry:
    """One cache entry made again, as a loader wants it: the JPEG (None: not
    made), whether the photo's file is offline, and the sentence why not."""

    data: bytes | None
    offline: bool = False
    problem: str | None = None


def entry_state(cache_dir: str | os.PathLike[str], key: str) -> str:
    """ "ok", "missing" or "damaged" for one cache entry, from its first and last
    bytes only (a catalog's worth of previews is checked without reading
    them); nothing deleted."""
    try:
        with open(cache_path(cache_dir, key), "rb") as handle:
            head = handle.read(2)
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "damaged"
    return "ok" if entry_is_whole(head + tail) else "damaged"


def rebuild_entries(request: RebuildRequest) -> RebuildOutcome:
    """Make `request`'s entries from the photo's file (see the module
    docstring); never raises."""
    from curator.imaging.errors import FileGoneError, ImagingError
    from curator.imaging.technical import content_hash_of, read_file_once

    try:
        data, _mtime = read_file_once(request.path)
    except FileGoneError:
        return RebuildOutcome(offline=True, problem=offline_sentence(request.path))
    except ImagingError as exc:
        offline = not os.path.exists(os.path.dirname(request.path) or ".")
        return RebuildOutcome(offline=offline, problem=exc.message)
    try:
        preview, thumbnail, clip = _encode(data, request)
    except ImagingError as exc:
        return RebuildOutcome(problem=exc.message)
    except (OSError, ValueError, MemoryError) as exc:  # what a decoder may raise besides
        return RebuildOutcome(problem=f"The photo could not be decoded again ({exc}).")
    if content_hash_of(data) != request.content_hash:
        return RebuildOutcome(
            thumbnail,
            preview,
            problem="The file changed since it was imported; import its folder again.",
        )
    entries = [(request.preview_key, preview), (request.thumbnail_key, thumbnail)]
    if request.preview_key is not None and clip is not None:  # the embed stage's rendition
        entries.append((clip_key(request.content_hash), clip))
    try:
        for key, encoded in entries:
            # A damaged entry in the way is dropped by read_whole, then written anew.
            if key is not None and encoded and read_whole(request.cache_dir, key) is None:
                write_bytes(request.cache_dir, key, encoded)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return RebuildOutcome(
            thumbnail,
            preview,
            unwritable=True,
            problem=f"The cache folder {request.cache_dir} could not be written ({reason}).",
        )
    return RebuildOutcome(thumbnail, preview, written=True)


def offline_sentence(path: str) -> str:
    return f"The file is offline (not found at {path}); showing what is cached."


def _encode(data: bytes, request: RebuildRequest) -> tuple[bytes | None, bytes, bytes | None]:
    """(preview JPEG or None, thumbnail JPEG, CLIP rendition JPEG with the preview or
    None) of a file's bytes."""
    import numpy as np
    from PIL import Image

    from curator.imaging.orientation import fit_long_edge_pixels
    from curator.imaging.technical import PREVIEW_QUALITY, THUMBNAIL_QUALITY

    upright = _upright_preview(data, request)
    pixels = np.asarray(upright if upright.mode == "RGB" else upright.convert("RGB"))
    thumb = fit_long_edge_pixels(pixels, request.thumbnail_long_edge)
    preview = clip = None
    if request.preview_key is not None:
        picture = Image.fromarray(pixels)
        preview = _jpeg(picture, PREVIEW_QUALITY)
        small = clip_rendition(picture)
        clip = None if small is None else _jpeg(small, CLIP_QUALITY)
    return preview, _jpeg(Image.fromarray(thumb), THUMBNAIL_QUALITY), clip


def _upright_preview(data: bytes, request: RebuildRequest) -> Image.Image:
    """The upright picture at the preview's size: a RAW's embedded preview
    first, else the technical stage's decoder."""
    from curator.imaging.decode import RASTER_CONTAINERS, decode_image, sniff_container
    from curator.imaging.exif import read_exif
    from curator.imaging.formats import is_raw_path

    is_raw = is_raw_path(request.path)
    edge = request.preview_long_edge if request.preview_key else request.thumbnail_long_edge
    if is_raw and sniff_container(data) not in RASTER_CONTAINERS:
        from curator.imaging.raw.decode import embedded_thumbnail

        exif = read_exif(data, is_raw=True, max_pixels=request.max_pixels)
        found = embedded_thumbnail(data, long_edge=edge, exif_orientation=exif.orientation)
        # A camera that embeds only a tiny thumbnail: decoded instead, never scaled up.
        if found is not None and max(found[0].size) >= edge // 2:
            return found[0]
        return decode_image(
            data,
            is_raw=True,
            preview_long_edge=edge,
            max_pixels=request.max_pixels,
            exif_orientation=exif.orientation,
        ).preview
    if request.preview_key is None and sniff_container(data) == "jpeg":
        return _small_jpeg(data, edge, request.max_pixels)
    decoded = decode_image(
        data, is_raw=False, preview_long_edge=edge, max_pixels=request.max_pixels
    )
    return decoded.preview


def _small_jpeg(data: bytes, edge: int, max_pixels: int) -> Image.Image:
    """A JPEG's thumbnail alone: libjpeg's smallest DCT scale that still covers
    `edge` (1/8 of a 24 MP frame: about half the technical decoder's cost,
    which also covers the metrics' working scale), upright."""
    from PIL import Image

    from curator.imaging.decoded import check_pixel_count
    from curator.imaging.exif import read_exif
    from curator.imaging.orientation import apply_orientation, fit_long_edge

    orientation = read_exif(data, is_raw=False, max_pixels=max_pixels).orientation
    with Image.open(io.BytesIO(data)) as img:
        check_pixel_count(img.size[0], img.size[1], max_pixels)
        img.draft("RGB", (edge, edge))
        rgb = img.convert("RGB")
    return apply_orientation(fit_long_edge(rgb, edge), orientation)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    encoded = io.BytesIO()
    image.save(encoded, "JPEG", quality=quality, optimize=False, progressive=False)
    return encoded.getvalue()
