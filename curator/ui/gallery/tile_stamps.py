"""`TileStamps`: each gallery tile drawn once per look and stamped after.

A tile's look is everything its painting reads: the photo's row, its
thumbnail (`QPixmap.cacheKey`), its badges, selected or not, the cell's size,
the font and the device pixel ratio. The first paint of a look draws the tile
into a pixmap of the cell's size and keeps it under the photo's id; a later
paint of the same look draws only that pixmap (a screen of ~150 of the
smallest tiles, in a quiet process: ~22 ms of the UI thread drawn, ~8 ms
stamped). A new look replaces the photo's stamp.

Rules: the tile's drawing covers its whole cell opaquely (its background is
filled first), so a stamp composes exactly as drawing in place did; at a
fractional device pixel ratio a stamp could not land on whole device pixels,
so those tiles are drawn in place. The stamps are kept least recently painted
first out, bounded by `limit` (the view keeps it at a few screens of tiles).
Main thread only (QPixmap).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPixmap

MIN_STAMPS = 256  # stamps kept whatever the screen (a screen of the smallest tiles: ~150)
SCREENS = 3  # stamps kept per screen of tiles: one up and one down scroll to spare


class TileStamps:
    def __init__(self) -> None:
        self._stamps: OrderedDict[int, tuple[object, Hashable, QPixmap]] = OrderedDict()
        self.limit = MIN_STAMPS

    def __len__(self) -> int:
        return len(self._stamps)

    def keep_screens_of(self, tiles: int) -> None:
        """Keep `SCREENS` screens of `tiles` tiles (at least `MIN_STAMPS`)."""
        self.limit = max(MIN_STAMPS, SCREENS * tiles)
        while len(self._stamps) > self.limit:
            self._stamps.popitem(last=False)

    def clear(self) -> None:
        self._stamps.clear()

    def paint(
        self,
        painter: QPainter,
        photo_id: int,
        row: object,
        look: Hashable,
        cell: QRect,
        draw: Callable[[QPainter], None],
    ) -> None:
        """Paint the tile of `photo_id` into `cell`: its stamp when `row` (compared
        by identity first, then by value) and `look` are the stamp's, else `draw`
        (which paints `cell` in the painter's coordinates) made into a new stamp."""
        ratio = painter.device().devicePixelRatioF()
        if not ratio.is_integer() or cell.isEmpty():
            draw(painter)
            return
        look = (look, cell.width(), cell.height(), ratio)
        found = self._stamps.get(photo_id)
        if found is not None and (found[0] is row or found[0] == row) and found[1] == look:
            self._stamps.move_to_end(photo_id)
            stamp = found[2]
        else:
            stamp = QPixmap(cell.width() * int(ratio), cell.height() * int(ratio))
            stamp.setDevicePixelRatio(ratio)
            stamp.fill(Qt.GlobalColor.black)  # opaque: drawn over wholly by `draw`
            stamp_painter = QPainter(stamp)
            try:
                stamp_painter.setFont(painter.font())
                stamp_painter.setRenderHints(painter.renderHints())
                stamp_painter.translate(-cell.left(), -cell.top())
                draw(stamp_painter)
            finally:
                stamp_painter.end()
            self._stamps[photo_id] = (row, look, stamp)
            self._stamps.move_to_end(photo_id)
            if len(self._stamps) > self.limit:
                self._stamps.popitem(last=False)
        painter.drawPixmap(cell.topLeft(), stamp)
