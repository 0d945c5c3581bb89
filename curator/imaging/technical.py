"""The technical stage's body: one file in, one `TechnicalMeasurement` out.

Reads the file once, hashes it, and (unless the hash is known) decodes it,
measures sharpness and exposure, reads its EXIF and writes its preview,
thumbnail and CLIP rendition into the cache. No catalog, no Qt.

Invariants: the original is read-only and read once; the content hash is its
blake3 (hex); a hash in `request.known_hashes` stops after hashing
(`decoded=False`); a RAW of `OVERLAP_MIN_BYTES` or more is hashed in a second
thread while it decodes; every failure is an `ImagingError` (with the
`content_hash` once known; passing I/O errors are `TransientReadError`); only
`request.cache_dir` is written.
"""

from __future__ import annotations

import errno
import importlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import cache

import blake3
import numpy as np
from PIL import Image

from curator import figures
from curator.camera_names import camera_name
from curator.imaging.cache import (
    CLIP_QUALITY,
    clip_key,
    clip_rendition,
    preview_key,
    thumbnail_key,
    write_jpeg,
)
from curator.imaging.decode import decode_detail, decode_image
from curator.imaging.decoded import DecodedImage
from curator.imaging.errors import (
    CacheWriteError,
    EmptyFileError,
    FileGoneError,
    ImagingError,
    PermissionDeniedError,
    TransientReadError,
    UnreadableFileError,
)
from curator.imaging.exif import read_exif
from curator.imaging.formats import is_raw_path
from curator.imaging.metrics import measure_exposure, measure_sharpness
from curator.imaging.orientation import (
    apply_orientation_pixels,
    fit_long_edge_pixels,
    swaps_axes,
)
from curator.imaging.regular import NotRegularFileError, open_regular
from curator.imaging.structure import structure_signature
from curator.imaging.types import TechnicalMeasurement, TechnicalRequest
from curator.records import ExifData, FacesOutcome, FigureValues

log = logging.getLogger("curator.imaging")

PREVIEW_QUALITY = 85
# A RAW at least this large is hashed beside its decode when no hash is known.
OVERLAP_MIN_BYTES = 8 * 1024 * 1024
THUMBNAIL_QUALITY = 80

# errno values that describe a device or share that may answer on a retry.
_TRANSIENT_ERRNOS = frozenset(
    code
    for code in (
        errno.EIO,
        errno.EAGAIN,
        errno.EBUSY,
        errno.EINTR,
        errno.ETIMEDOUT,
        getattr(errno, "ESTALE", None),
        getattr(errno, "EHOSTDOWN", None),
        getattr(errno, "EHOSTUNREACH", None),
        getattr(errno, "ENETDOWN", None),
        getattr(errno, "ENETUNREACH", None),
        getattr(errno, "ECONNRESET", None),
        getattr(errno, "ECONNABORTED", None),
        getattr(errno, "ENOLINK", None),
        getattr(errno, "ENOMEDIUM", None),
    )
    if code is not None
)


# The faces stage riding along (pipeline.stages.faces_child): called on the upright
# preview with the photo's noise sd, sharpness score and `detail_of`'s function.
DetailFn = Callable[[], "np.ndarray | None"]
PreviewHook = Callable[[np.ndarray, float | None, float | None, DetailFn], "FacesOutcome"]


def measure_file(
    request: TechnicalRequest, on_preview: PreviewHook | None = None
) -> TechnicalMeasurement:
    """Measure one file (see the module docstring); raises `ImagingError` subclasses.
    `on_preview`'s outcome goes into the measurement's `faces`."""
    data, mtime_ns = read_file_once(request.path)
    if not data:
        raise EmptyFileError(
            "The file is empty (0 bytes) — it was probably not copied completely.",
            f"{request.path}: size 0",
        )
    if not request.known_hashes and is_raw_path(request.path) and len(data) >= OVERLAP_MIN_BYTES:
        return _measure_overlapped(request, data, mtime_ns, on_preview)
    content_hash = content_hash_of(data)
    if content_hash in request.known_hashes:
        return TechnicalMeasurement(
            path=request.path,
            content_hash=content_hash,
            size=len(data),
            mtime_ns=mtime_ns,
            decoded=False,
        )
    try:
        return _measure_bytes(request, data, lambda: content_hash, mtime_ns, on_preview)
    except ImagingError as exc:
        exc.content_hash = content_hash
        raise


def content_hash_of(data: bytes) -> str:
    """A file's identity: the blake3 (hex) of its bytes."""
    return blake3.blake3(data, max_threads=1).hexdigest()


def _measure_overlapped(
    request: TechnicalRequest, data: bytes, mtime_ns: int, on_preview: PreviewHook | None
) -> TechnicalMeasurement:
    """`_measure_bytes` with the hash computed in a second thread meanwhile
    (blake3 releases the GIL); only where no hash is known, so the decode is
    never wasted."""
    result: list[str] = []
    hashing = threading.Thread(target=lambda: result.append(content_hash_of(data)), name="blake3")
    hashing.start()

    def content_hash() -> str:
        hashing.join()
        return result[0] if result else content_hash_of(data)  # the thread failed: hash here

    try:
        return _measure_bytes(request, data, content_hash, mtime_ns, on_preview)
    except ImagingError as exc:
        exc.content_hash = content_hash()
        raise
    finally:
        hashing.join()


def _measure_bytes(
    request: TechnicalRequest,
    data: bytes,
    hash_of: Callable[[], str],
    mtime_ns: int,
    on_preview: PreviewHook | None = None,
) -> TechnicalMeasurement:
    is_raw = is_raw_path(request.path)
    exif, decoded = _decoded(data, is_raw, request.preview_long_edge, request.max_pixels)
    sharpness = measure_sharpness(decoded.luma)
    # One array of the preview serves the exposure and the thumbnail (made from the
    # upright preview, never the original, exactly as `cache.make_thumbnail`).
    preview_pixels = np.asarray(decoded.preview)
    exposure = measure_exposure(decoded.luma, preview_pixels)
    measured = measure_declared(decoded.luma, preview_pixels)

    content_hash = hash_of()  # needed from here on: the cache is content-addressed
    preview = preview_key(content_hash)
    thumbnail = thumbnail_key(content_hash)
    try:
        write_jpeg(request.cache_dir, preview, decoded.preview, PREVIEW_QUALITY)
        thumb = fit_long_edge_pixels(preview_pixels, request.thumbnail_long_edge)
        write_jpeg(request.cache_dir, thumbnail, Image.fromarray(thumb), THUMBNAIL_QUALITY)
        clip = clip_rendition(decoded.preview)  # what the embed stage will read
        if clip is not None:
            write_jpeg(request.cache_dir, clip_key(content_hash), clip, CLIP_QUALITY)
    except OSError as exc:
        raise CacheWriteError.writing_to(request.cache_dir, exc) from exc

    faces = None
    if on_preview is not None:  # the faces stage, on the preview just decoded
        detail = detail_of(data, is_raw, decoded, preview_pixels.shape)
        faces = on_preview(preview_pixels, sharpness.noise, sharpness.score, detail)
    return TechnicalMeasurement(
        path=request.path,
        content_hash=content_hash,
        size=len(data),
        mtime_ns=mtime_ns,
        decoded=True,
        format=decoded.format,
        width=decoded.width,
        height=decoded.height,
        # The orientation actually applied (LibRaw's flip wins for RAW files).
        exif=replace(exif, orientation=decoded.orientation),
        sharpness=sharpness,
        exposure=exposure,
        metrics_source=decoded.metrics_source,
        preview_key=preview,
        thumbnail_key=thumbnail,
        notes=decoded.notes,
        struct_sig=structure_signature(decoded.luma),
        faces=faces,
        measured=measured,
    )


def measure_declared(luma: np.ndarray, preview: np.ndarray) -> FigureValues:
    """The stored figures measured by a function of their own (curator.figures:
    `measure`), on the pixels just decoded: a function that raises gives None
    (the figure is not judged), never a failed photo."""
    values: list[tuple[str, object]] = []
    for figure in figures.FIGURES:
        if not figure.measure:
            continue
        try:
            value = _measure_function(figure.measure)(luma, preview)
        except Exception:  # one figure's bug never fails the photo's other measures
            log.exception("measuring %s failed", figure.name)
            value = None
        values.append((figure.name, value))
    return FigureValues(tuple(values))


@cache
def _measure_function(where: str) -> Callable[[np.ndarray, np.ndarray], object]:
    """The function "module:function" names (imported once, when first measured)."""
    module, _, name = where.partition(":")
    function: Callable[[np.ndarray, np.ndarray], object] = getattr(
        importlib.import_module(module), name
    )
    return function


def detail_of(
    data: bytes, is_raw: bool, decoded: DecodedImage, preview_shape: tuple[int, ...]
) -> DetailFn:
    """The function that gives the frame's sharper upright pixels, decoded only
    when called: a raster file decoded again at up to `DETAIL_LONG_EDGE` (RGB),
    a RAW's decode luma (grey, `upright_luma`). None from it when they would be
    no sharper than the preview."""

    def detail() -> np.ndarray | None:
        if is_raw:
            return upright_luma(decoded.luma, decoded.orientation, preview_shape)
        if max(decoded.width, decoded.height) <= max(preview_shape[:2]):
            return None
        return decode_detail(data, orientation=decoded.orientation)

    return detail


def detail_of_original(
    path: str,
    content_hash: str | None,
    preview_shape: tuple[int, ...],
    max_pixels: int = 250_000_000,
) -> np.ndarray | None:
    """The sharper upright pixels of the original at `path`, exactly as the
    import's `detail_of` gave them beside a preview of `preview_shape` (for a
    faces back-fill that judges the cached preview). None — the preview alone
    is judged — when the file cannot be read, is no longer the file measured
    (its hash is not `content_hash`, or there is none), or does not decode."""
    if content_hash is None:
        return None  # nothing to tell the file measured from another
    try:
        data, _ = read_file_once(path)
        if content_hash_of(data) != content_hash:
            return None
        is_raw = is_raw_path(path)
        _, decoded = _decoded(data, is_raw, max(preview_shape[:2]), max_pixels)
        return detail_of(data, is_raw, decoded, preview_shape)()
    except (ImagingError, MemoryError):
        return None


def _decoded(
    data: bytes, is_raw: bool, preview_long_edge: int, max_pixels: int
) -> tuple[ExifData, DecodedImage]:
    """A file's EXIF and its decode, the preview `preview_long_edge` on its long
    edge, turned upright as the EXIF (or LibRaw, for a RAW) says."""
    exif = read_exif(data, is_raw=is_raw, max_pixels=max_pixels)
    decoded = decode_image(
        data,
        is_raw=is_raw,
        preview_long_edge=preview_long_edge,
        max_pixels=max_pixels,
        exif_orientation=exif.orientation,
        camera=camera_name(exif.camera_make, exif.camera_model),
    )
    return exif, decoded


def upright_luma(
    luma: np.ndarray, orientation: int, preview_shape: tuple[int, ...]
) -> np.ndarray | None:
    """The decode's luma turned as the upright preview is, or None when it is no
    sharper than the preview or its turn cannot be told for sure (a JPEG's luma
    is stored, a RAW's as LibRaw turned it): used as it is for orientation 1
    with the preview's proportions, turned when its axes are the preview's
    swapped; otherwise (a half turn, a mirror, a RAW already turned) None."""
    if max(luma.shape) <= max(preview_shape[:2]):
        return None
    rows, cols = preview_shape[:2]
    same = abs(luma.shape[0] / luma.shape[1] - rows / cols) < 0.02
    swapped = abs(luma.shape[1] / luma.shape[0] - rows / cols) < 0.02
    if orientation == 1:
        return luma if same else None
    if swaps_axes(orientation) and swapped and not same:
        return apply_orientation_pixels(luma, orientation)
    return None


def read_file_once(path: str) -> tuple[bytes, int]:
    """The whole file's bytes and its mtime_ns, from one read-only open.

    Raises `UnreadableFileError` (missing, broken link, loop, folder, permission)
    or `TransientReadError` (I/O errors that may pass).
    """
    try:
        with open_regular(path) as handle:
            mtime_ns = os.fstat(handle.fileno()).st_mtime_ns
            data = handle.readall()
    except NotRegularFileError as exc:
        # A FIFO, device or socket named like a photo: refused before any read.
        raise UnreadableFileError(exc.sentence, f"{path}: st_mode={exc.mode:o}") from exc
    except OSError as exc:
        raise _read_error(path, exc) from exc
    return data, mtime_ns


def _read_error(path: str, exc: OSError) -> ImagingError:
    detail = f"{type(exc).__name__}: {exc}"
    code = exc.errno
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            target = _link_target(path)
            return UnreadableFileError(
                f"The file is gone or is a broken link (it points to {target}, which does "
                "not exist).",
                detail,
            )
        return FileGoneError(
            "The file is gone: it was moved, renamed or deleted after Curator found it.", detail
        )
    if code == errno.ELOOP:
        return UnreadableFileError(
            "The file is a symbolic link that loops back on itself, so there is no picture "
            "behind it.",
            detail,
        )
    if isinstance(exc, PermissionError):
        return PermissionDeniedError(
            "Curator is not allowed to read this file (permission denied) — check its permissions.",
            detail,
        )
    if isinstance(exc, IsADirectoryError):
        return UnreadableFileError("This is a folder, not a picture file.", detail)
    if isinstance(exc, NotADirectoryError):
        return UnreadableFileError(
            "The file's path goes through something that is not a folder, so the file "
            "cannot be found there any more.",
            detail,
        )
    if code == errno.ENAMETOOLONG:
        return UnreadableFileError(
            "The file's name or path is too long for the system to open it.", detail
        )
    if code in _TRANSIENT_ERRNOS or isinstance(exc, TimeoutError | InterruptedError):
        return TransientReadError(
            "The disk or network share did not answer properly while reading this file; "
            "Curator will try again.",
            detail,
        )
    reason = exc.strerror or "unknown system error"
    return UnreadableFileError(f"Curator could not read this file ({reason.lower()}).", detail)


def _link_target(path: str) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "a missing file"
    return os.path.join(os.path.dirname(path), target) if not os.path.isabs(target) else target
