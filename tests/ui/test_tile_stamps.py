"""A gallery tile is drawn once per look and stamped after
(`ui.gallery.tile_stamps.TileStamps`): the stamp must look exactly as drawing
the tile in place did, at a high-DPI ratio too; a new look (the row, the
thumbnail, the selection) draws it again, the same look never does."""

from __future__ import annotations

from dataclasses import MISSING, fields, replace

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from pytestqt.qtbot import QtBot

from curator.catalog.types import GalleryRow
from curator.ui.gallery import view
from curator.ui.gallery.flags import PhotoFlags
from curator.ui.gallery.tile_stamps import MIN_STAMPS, TileStamps

CELL = QRect(20, 10, 121, 127)  # a cell of the smallest tiles, away from the origin


def _row(**look: object) -> GalleryRow:
    blank = {f.name: None for f in fields(GalleryRow) if f.default is MISSING}
    base = {**blank, "id": 1, "file_name": "IMG_0001.jpg", "path": "/a.jpg", "cull": "kept"}
    return GalleryRow(**{**base, "picked": True, "rating": 3, "label": "red", **look})


def _thumbnail(colour: QColor) -> QPixmap:
    pixmap = QPixmap(196, 130)
    pixmap.fill(colour)
    return pixmap


def _canvas(ratio: float) -> QImage:
    image = QImage(int(180 * ratio), int(160 * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor(30, 30, 32))
    return image


class _Tiles:
    """Tiles painted through one `TileStamps`, counting the ones drawn."""

    def __init__(self) -> None:
        self.stamps, self.drawn = TileStamps(), 0

    def paint(
        self, image: QImage, row: GalleryRow, pixmap: QPixmap, flags: PhotoFlags, selected: bool
    ) -> None:
        def draw(painter: QPainter) -> None:
            self.drawn += 1
            view.paint_tile(
                painter, rect=CELL, row=row, pixmap=pixmap, flags=flags, selected=selected
            )

        painter = QPainter(image)
        look = (pixmap.cacheKey(), flags, selected)
        self.stamps.paint(painter, row.id, row, look, CELL.adjusted(3, 3, -3, -3), draw)
        painter.end()


def _drawn(ratio: float, row: GalleryRow, pixmap: QPixmap, flags: PhotoFlags) -> QImage:
    image = _canvas(ratio)
    painter = QPainter(image)
    view.paint_tile(painter, rect=CELL, row=row, pixmap=pixmap, flags=flags, selected=False)
    painter.end()
    return image


@pytest.mark.parametrize("ratio", [1.0, 2.0, 1.5])
@pytest.mark.parametrize(
    "look",
    [
        {},
        {"cull": "rejected", "label": None},
        {"failed_reason": "The file is cut short."},
    ],
)
def test_a_stamped_tile_looks_as_the_drawn_one(
    qtbot: QtBot, ratio: float, look: dict[str, object]
) -> None:
    row, pixmap = _row(**look), _thumbnail(QColor(200, 120, 40))
    flags = PhotoFlags(match=True, burst=True, paired=True)
    tiles = _Tiles()
    first, again = _canvas(ratio), _canvas(ratio)
    tiles.paint(first, row, pixmap, flags, False)
    tiles.paint(again, row, pixmap, flags, False)
    drawn = _drawn(ratio, row, pixmap, flags)
    assert drawn != _canvas(ratio)  # something was painted
    assert first == drawn and again == drawn  # the very same pixels
    # A fractional ratio cannot stamp on whole device pixels: drawn each time.
    assert tiles.drawn == (2 if ratio == 1.5 else 1)


def test_each_look_is_drawn_once_and_a_new_look_again(qtbot: QtBot) -> None:
    row, pixmap, flags = _row(), _thumbnail(QColor(40, 120, 200)), PhotoFlags()
    tiles = _Tiles()
    image = _canvas(1.0)
    tiles.paint(image, row, pixmap, flags, False)
    tiles.paint(image, replace(row), pixmap, flags, False)  # a re-read, the same values
    assert tiles.drawn == 1
    looks = [
        (replace(row, cull="rejected"), pixmap, flags, False),  # a decision
        (
            replace(row, cull="rejected"),
            _thumbnail(QColor(40, 120, 200)),
            flags,
            False,
        ),  # a thumbnail
        (replace(row, cull="rejected"), pixmap, flags, True),  # selected
        (replace(row, cull="rejected"), pixmap, PhotoFlags(match=True), True),  # a badge
    ]
    images = []
    for changed in looks:
        image = _canvas(1.0)
        tiles.paint(image, *changed)
        images.append(image)
    assert tiles.drawn == 1 + len(looks)
    assert images[0] != _drawn(1.0, row, pixmap, flags)  # the reject shows, dimmed
    assert images[2] != images[0] and images[3] != images[2]


def test_the_stamps_kept_follow_the_screen() -> None:
    stamps = TileStamps()
    image = QImage(40, 40, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        for pid in range(MIN_STAMPS + 10):
            stamps.paint(painter, pid, None, (), QRect(0, 0, 8, 8), lambda p: None)
        assert len(stamps) == MIN_STAMPS  # the least recently painted went
        stamps.keep_screens_of(200)
        for pid in range(1000):
            stamps.paint(painter, pid, None, (), QRect(0, 0, 8, 8), lambda p: None)
        assert len(stamps) == stamps.limit == 600
        stamps.keep_screens_of(10)
        assert len(stamps) == MIN_STAMPS
    finally:
        painter.end()
