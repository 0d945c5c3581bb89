"""Face crops for the People view, cut on a worker from the cached previews.

`face_image(cache_dir, crop, edge)` reads the photo's preview from the cache
(`imaging.rebuild.read_whole`: a damaged entry is dropped, never shown) and
decodes only the face's square around its box (`QImageReader.setClipRect`:
a 2,048-pixel preview's face is a few hundred pixels, not the whole picture),
scaled to `edge` pixels and turned as the photographer turned the photo.
A QImage, never a QPixmap: this runs on a pool thread (the pixmap is made
on the main thread).

Invariants: never decodes a photo's file (a preview missing from the cache
gives a null image: the tile shows its name and counts without a face); a
box outside the picture is clipped to it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from curator.catalog.people.tiles import FaceCrop
from curator.imaging.rebuild import read_whole
from curator.ui.common.image_loader import CACHE_FORMAT, turned

MARGIN = 0.25  # of the box's longer side, around it: the head, not just the eyes and mouth


def square_around(box: tuple[float, float, float, float], size: QSize) -> QRect:
    """The square (in pixels of a picture of `size`) around a relative box, clipped."""
    x, y, w, h = box
    cx, cy = (x + w / 2) * size.width(), (y + h / 2) * size.height()
    side = max(w * size.width(), h * size.height()) * (1 + 2 * MARGIN)
    rect = QRect(int(cx - side / 2), int(cy - side / 2), max(1, int(side)), max(1, int(side)))
    return rect.intersected(QRect(0, 0, size.width(), size.height()))


def face_image(cache_dir: Path, crop: FaceCrop, edge: int) -> QImage:
    """The face of `crop`, `edge` pixels on its longer side (null: no preview)."""
    data = read_whole(cache_dir, crop.preview_key) if crop.preview_key else None
    if not data:
        return QImage()
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        reader = QImageReader(buffer, CACHE_FORMAT)
        reader.setAutoDetectImageFormat(False)  # JPEG only (image_loader says why)
        reader.setAutoTransform(False)  # cached previews are upright; boxes are on them
        rect = square_around(crop.box, reader.size())
        if rect.isEmpty():
            return QImage()
        reader.setClipRect(rect)
        image = reader.read()
    finally:
        buffer.close()
    if image.isNull():
        return image
    scaled = image.scaled(
        edge,
        edge,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return turned(scaled, crop.rotation)  # as the grid and the loupe show the photo
