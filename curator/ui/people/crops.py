"""Face crops for the People view, cut on a worker from the cached JPEGs.

`face_image(cache_dir, crop, edge)` decodes only the face's square
(`QImageReader.setClipRect`: ~20-70 ms against ~65-160 ms whole on a 2,048-pixel
preview) of the thumbnail when the face is large enough there, else of the
preview, scaled to `edge` and turned as the photographer turned the photo; a
QImage, never a QPixmap. It never decodes a photo's file (nothing cached: a
null image); a box outside the picture is clipped to it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage

from curator.catalog.people.tiles import FaceCrop
from curator.imaging.rebuild import read_whole
from curator.ui.common.image_loader import jpeg_bytes_reader, turned

MARGIN = 0.25  # of the box's longer side, around it: the head, not just the eyes and mouth
# A face this share of the tile's size in the thumbnail is cut from the
# thumbnail (upscaled a little at most), a smaller one from the preview.
THUMBNAIL_ENOUGH = 0.75


def square_around(box: tuple[float, float, float, float], size: QSize) -> QRect:
    """The square (in pixels of a picture of `size`) around a relative box, clipped."""
    x, y, w, h = box
    cx, cy = (x + w / 2) * size.width(), (y + h / 2) * size.height()
    side = max(w * size.width(), h * size.height()) * (1 + 2 * MARGIN)
    rect = QRect(int(cx - side / 2), int(cy - side / 2), max(1, int(side)), max(1, int(side)))
    return rect.intersected(QRect(0, 0, size.width(), size.height()))


def face_image(cache_dir: Path, crop: FaceCrop, edge: int) -> QImage:
    """The face of `crop`, `edge` pixels on its longer side (null: no preview),
    from the thumbnail when the face is at least `THUMBNAIL_ENOUGH` of `edge`
    there, else from the preview."""
    for key in (crop.thumbnail_key, crop.preview_key):
        if not key:
            continue
        image = _clip(cache_dir, key, crop.box, edge if key == crop.thumbnail_key else 0)
        if image is None:
            continue  # too small in the thumbnail: the preview's
        if image.isNull():
            continue
        scaled = image.scaled(
            edge,
            edge,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        return turned(scaled, crop.rotation)  # as the grid and the loupe show the photo
    return QImage()


def _clip(
    cache_dir: Path, key: str, box: tuple[float, float, float, float], at_least: int
) -> QImage | None:
    """The square around `box` of the cached JPEG `key` (null: unreadable); None
    when it is smaller than `at_least` * `THUMBNAIL_ENOUGH` pixels."""
    data = read_whole(cache_dir, key)
    if not data:
        return QImage()
    with jpeg_bytes_reader(data) as reader:
        reader.setAutoTransform(False)  # cached JPEGs are upright; boxes are on them
        rect = square_around(box, reader.size())
        if rect.isEmpty():
            return QImage()
        if max(rect.width(), rect.height()) < at_least * THUMBNAIL_ENOUGH:
            return None
        reader.setClipRect(rect)  # only the rows down to the face are decoded
        return reader.read()
