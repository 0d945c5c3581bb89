"""Full-resolution originals for the loupe's 100 % view, decoded off the UI thread.

The 1440 px preview is enough to judge a photo fit to the window, not to
check focus at 100 %. `OriginalLoader` decodes the original file of the
*current* photo only, on demand (Z), and keeps just that one: a 24 MP frame
is ~96 MB, so holding the neighbours too would cost memory for frames the
user is not looking at.

Concurrency protocol:
- `request(photo_id, path, is_raw)` bumps the generation and publishes
  (photo id, generation) as the one wanted request — a tuple swapped by
  reference, so a pool thread reads it without a lock. A request for the
  photo that is already loaded or in flight does nothing (duplicates skipped).
- An `OriginalLoadTask` that is no longer wanted when it starts skips its
  decode (pressing → while zoomed never queues a backlog of 24 MP decodes).
- Results come back as QImage in `Format_RGB32` (the raster engine's native
  format: painting needs no conversion on the main thread; the loupe paints
  the QImage directly, so no 96 MB QPixmap copy is made on the UI thread).
  A result whose generation is not the latest is dropped.
- A file that cannot be decoded is a human sentence (`original_failed`),
  never an exception in the UI: the loupe keeps showing the preview.

Decoding (`decode_original`, pure: no widgets): JPEG/PNG/TIFF/WebP/HEIF
through Pillow with the EXIF orientation applied; RAW through the camera's
embedded JPEG when it is the full sensor size (fast), else LibRaw's full
demosaic (`postprocess(half_size=False)`, already turned by LibRaw's flip).
It runs in a pool thread, not a child process: the photo's technical stage
already opened the same file with the same decoders, so a file that crashes
LibRaw never gets here (a failed photo is never zoomed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import cast

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from curator.ui.guard import ErrorReporter, guarded_slot

MAX_PIXELS = 250_000_000  # same safety limit as the technical stage's decoder
FULL_SIZE_FRACTION = 0.95  # an embedded RAW preview this close to the sensor size is "full"


class OriginalDecodeError(Exception):
    """The original could not be shown at 100 %; the message is a human sentence."""


def decode_original(path: str, *, is_raw: bool, max_pixels: int = MAX_PIXELS) -> QImage:
    """The original's full-resolution pixels, upright, as a `Format_RGB32` QImage.

    Raises `OriginalDecodeError` with a sentence for any failure.
    """
    try:
        pixels = _decode_raw(path, max_pixels) if is_raw else _decode_raster(path, max_pixels)
        return _to_qimage(pixels)
    except OriginalDecodeError:
        raise
    except FileNotFoundError as exc:
        raise OriginalDecodeError(
            "The original file is missing (moved, renamed or on a disk that is not "
            "connected), so only the preview can be shown."
        ) from exc
    except PermissionError as exc:
        raise OriginalDecodeError(
            "Curator may not read the original file (permissions); showing the preview."
        ) from exc
    except MemoryError as exc:
        raise OriginalDecodeError(
            "Not enough memory to open the original at full size; showing the preview."
        ) from exc
    except Exception as exc:  # any decoder's complaint about a damaged file
        first = exc.args[0] if exc.args else None
        text = first.decode(errors="replace") if isinstance(first, bytes) else str(exc)
        message = getattr(exc, "message", None) or text or type(exc).__name__
        raise OriginalDecodeError(
            f"The original could not be decoded at full size ({message}); showing the preview."
        ) from exc


def _decode_raster(path: str, max_pixels: int) -> Image.Image:
    # Imported here: the decoders (OpenCV, pillow-heif) load on the first zoom, not at launch.
    from curator.imaging.decode import check_pixel_count
    from curator.imaging.exif import valid_orientation
    from curator.imaging.orientation import apply_orientation

    with Image.open(path) as img:
        check_pixel_count(img.width, img.height, max_pixels)
        try:
            tag = img.getexif().get(0x0112)
        except Exception:  # a broken EXIF block must not hide good pixels
            tag = None
        orientation = valid_orientation(tag) if isinstance(tag, int) else 1
        img.load()
        rgb = _to_rgb(img)
    # Orientation 1 needs no transposed copy (~60 ms on 24 MP).
    return rgb if orientation == 1 else apply_orientation(rgb, orientation)


def _to_rgb(img: Image.Image) -> Image.Image:
    mode = img.mode
    if mode == "RGB":
        return img
    if mode.startswith("I;16") or mode in ("I", "F"):
        # 16-bit and float TIFFs: scale to 8 bits by the data's own range.
        array = np.asarray(img).astype(np.float32)
        top = float(array.max(initial=0.0)) or 1.0
        grey = np.clip(array * (255.0 / top), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return img.convert("RGB")


def _decode_raw(path: str, max_pixels: int) -> Image.Image | np.ndarray:
    import rawpy

    from curator.imaging.decode import check_pixel_count
    from curator.imaging.orientation import displayed_size, orientation_from_flip
    from curator.imaging.rawdecode import _orient_thumb, _Thumb

    with rawpy.imread(path) as raw:
        sizes = raw.sizes
        check_pixel_count(int(sizes.raw_width), int(sizes.raw_height), max_pixels)
        orientation = orientation_from_flip(int(sizes.flip))
        sensor = (int(sizes.width), int(sizes.height))
        full_edge = max(displayed_size(sensor, orientation))
        try:
            thumb = raw.extract_thumb()
        except rawpy.LibRawError:
            thumb = None
        if thumb is not None and thumb.format == rawpy.ThumbFormat.JPEG:
            try:
                with Image.open(io.BytesIO(cast(bytes, thumb.data)), formats=["JPEG"]) as jpeg:
                    if max(jpeg.size) >= FULL_SIZE_FRACTION * full_edge:
                        tag = jpeg.getexif().get(0x0112)
                        own = tag if isinstance(tag, int) and 1 <= tag <= 8 else None
                        upright = _orient_thumb(
                            _Thumb(jpeg.convert("RGB"), own), orientation, sensor
                        )
                        return upright
            except (OSError, SyntaxError, ValueError):
                pass  # a damaged embedded JPEG: demosaic instead
        rgb = raw.postprocess(half_size=False, use_camera_wb=True, output_bps=8)
    return np.asarray(rgb)


def _to_qimage(pixels: Image.Image | np.ndarray) -> QImage:
    """Pixels as a `Format_RGB32` QImage (B, G, R, X bytes: what the raster engine paints)."""
    if isinstance(pixels, Image.Image):
        # Pillow writes Qt's byte order itself: one pass, no numpy or Qt conversion.
        data = pixels.tobytes("raw", "BGRX")
        width, height = pixels.size
        return QImage(data, width, height, 4 * width, QImage.Format.Format_RGB32).copy()
    rgb = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888)
    # convertToFormat copies out of the numpy buffer, into the format painting wants.
    return image.convertToFormat(QImage.Format.Format_RGB32)


@dataclass(frozen=True)
class OriginalResult:
    photo_id: int
    generation: int
    image: QImage | None
    error: str | None = None  # a sentence when the decode failed
    skipped: bool = False  # no longer wanted when the task started


class _Wanted:
    """The one (photo id, generation) wanted now; swapped whole, read without a lock."""

    def __init__(self) -> None:
        self.key: tuple[int, int] = (-1, -1)


class OriginalSignals(QObject):
    loaded = Signal(object)  # OriginalResult


class OriginalLoadTask(QRunnable):
    def __init__(
        self,
        photo_id: int,
        generation: int,
        path: str,
        is_raw: bool,
        wanted: _Wanted,
        signals: OriginalSignals,
    ):
        super().__init__()
        self.setAutoDelete(True)
        self.photo_id, self.generation, self.path, self.is_raw = photo_id, generation, path, is_raw
        self.wanted, self.signals = wanted, signals

    def run(self) -> None:
        if self.wanted.key != (self.photo_id, self.generation):
            self.signals.loaded.emit(
                OriginalResult(self.photo_id, self.generation, None, skipped=True)
            )
            return
        try:
            image = decode_original(self.path, is_raw=self.is_raw)
        except OriginalDecodeError as exc:
            self.signals.loaded.emit(OriginalResult(self.photo_id, self.generation, None, str(exc)))
            return
        except Exception as exc:  # never let a worker die silently
            text = f"The original could not be opened ({exc}); showing the preview."
            self.signals.loaded.emit(OriginalResult(self.photo_id, self.generation, None, text))
            return
        self.signals.loaded.emit(OriginalResult(self.photo_id, self.generation, image))


class OriginalLoader(QObject):
    """Decodes the current photo's original for 100 %; keeps only that one."""

    original_ready = Signal(int)  # photo id
    original_failed = Signal(int, str)  # photo id, sentence

    def __init__(self, threads: QThreadPool, errors: ErrorReporter, parent: QObject | None = None):
        super().__init__(parent)
        self.threads, self.errors = threads, errors
        self._wanted = _Wanted()
        self._generation = 0
        self._image: tuple[int, QImage] | None = None
        self._in_flight: int | None = None  # photo id of the wanted, unfinished request
        self._failed: dict[int, str] = {}  # photo id -> sentence (not retried until reset)
        self.loads = 0  # decodes started (tests)

    def image(self, photo_id: int) -> QImage | None:
        if self._image is not None and self._image[0] == photo_id:
            return self._image[1]
        return None

    def failure(self, photo_id: int) -> str | None:
        return self._failed.get(photo_id)

    def loading(self, photo_id: int) -> bool:
        return self._in_flight == photo_id

    def request(self, photo_id: int, path: str, *, is_raw: bool) -> None:
        if self.image(photo_id) is not None or photo_id in self._failed:
            return
        if self._in_flight == photo_id:
            return
        self._generation += 1
        self._wanted.key = (photo_id, self._generation)
        self._in_flight = photo_id
        self._image = None  # one original at a time: drop the last one's ~100 MB now
        signals = OriginalSignals(self)
        signals.loaded.connect(self._on_loaded)
        self.loads += 1
        self.threads.start(
            OriginalLoadTask(photo_id, self._generation, path, is_raw, self._wanted, signals)
        )

    def cancel(self) -> None:
        """Nothing is wanted any more (the photo changed while not zoomed)."""
        self._generation += 1
        self._wanted.key = (-1, -1)
        self._in_flight = None

    def release(self) -> None:
        """Not zoomed any more: stop wanting anything and free the held original."""
        if self._in_flight is not None:
            self.cancel()
        self._image = None

    def reset(self) -> None:
        """Forget everything, failures included (e.g. the files came back)."""
        self.cancel()
        self._image = None
        self._failed.clear()

    def shutdown(self) -> None:
        self.reset()
        self.threads.clear()
        self.threads.waitForDone(10_000)

    @Slot(object)
    @guarded_slot
    def _on_loaded(self, result: OriginalResult) -> None:
        sender = self.sender()
        if sender is not None:
            sender.deleteLater()
        if result.generation != self._generation or result.skipped:
            return
        self._in_flight = None
        if result.image is None or result.image.isNull():
            message = result.error or "The original could not be decoded; showing the preview."
            self._failed[result.photo_id] = message
            self.original_failed.emit(result.photo_id, message)
            return
        self._image = (result.photo_id, result.image)
        self.original_ready.emit(result.photo_id)
