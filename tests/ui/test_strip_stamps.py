"""The decision strip and state badges are drawn once per look and stamped
(`ui.gallery.view.cached_glyph`): the stamp must look exactly as drawing them
in place did, at every look, at a high-DPI ratio too, and a new look must
never reuse an old stamp."""

from __future__ import annotations

from dataclasses import MISSING, fields

import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from curator.catalog.types import GalleryRow
from curator.ui.gallery import view


def _row(**look: object) -> GalleryRow:
    blank = {f.name: None for f in fields(GalleryRow) if f.default is MISSING}
    base = {**blank, "id": 1, "file_name": "a.jpg", "path": "/a.jpg", "cull": "unreviewed"}
    return GalleryRow(**{**base, "picked": False, **look})


def _canvas(ratio: float) -> QImage:
    image = QImage(int(200 * ratio), int(40 * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor(40, 40, 42))
    return image


def _max_difference(a: QImage, b: QImage) -> int:
    worst = 0
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixelColor(x, y), b.pixelColor(x, y)
            worst = max(
                worst,
                abs(pa.red() - pb.red()),
                abs(pa.green() - pb.green()),
                abs(pa.blue() - pb.blue()),
            )
    return worst


@pytest.mark.parametrize("ratio", [1.0, 2.0])
@pytest.mark.parametrize(
    "look",
    [
        {},
        {"cull": "kept", "rating": 3},
        {"cull": "rejected", "picked": True, "rating": 5, "label": "red"},
        {"cull": "unreviewed", "rating": 1, "label": "blue"},
    ],
)
def test_a_stamped_strip_looks_as_the_drawn_one(
    qtbot: QtBot, ratio: float, look: dict[str, object]
) -> None:
    row = _row(**look)
    stamped, drawn = _canvas(ratio), _canvas(ratio)
    painter = QPainter(stamped)
    view.paint_strip(painter, 10, 20, view.TILE_STRIP, row)
    painter.end()
    painter = QPainter(drawn)
    view._draw_strip(
        painter, 10, 20, view.TILE_STRIP, row.cull, bool(row.picked), row.rating, row.label
    )
    painter.end()
    assert stamped != _canvas(ratio)  # something was painted
    assert _max_difference(stamped, drawn) <= 3  # compositing rounds twice, no more


def test_each_look_gets_its_own_stamp(qtbot: QtBot) -> None:
    images = []
    for look in ({"rating": 2}, {"rating": 4}, {"rating": 2, "cull": "kept"}):
        image = _canvas(1.0)
        painter = QPainter(image)
        view.paint_strip(painter, 10, 20, view.TILE_STRIP, _row(**look))
        painter.end()
        images.append(image)
    assert images[0] != images[1] and images[0] != images[2] and images[1] != images[2]
