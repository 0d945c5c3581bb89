"""`DuplicatesView`: a group's copies side by side, each with what tells it
apart written under it (`ui.duplicates.text`), the copy to keep framed and
titled "KEEP — why", rejected copies dimmed, the copy under the pointer
outlined (A marks it "not a duplicate").

Paints only what it is given (`show_copies`); zoom (Z) and panning are the
compare view's (`ui.loupe.synced_panes`): every copy at the same point, so a
crop or a border shows. A click on a copy chooses it (`chosen`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from curator.catalog.duplicates.keeper import DuplicateCopy
from curator.catalog.types import GalleryRow
from curator.ui.duplicates.text import caption_lines, keeper_title
from curator.ui.loupe.survey_view import COLUMNS, grid_cells
from curator.ui.loupe.synced_panes import SyncedPanes
from curator.ui.loupe.view import paint_message, paint_placeholder

GAP = 10
HEADER = 24
LINE = 17
FOOTER = 4 * LINE + 8  # the caption's four lines
KEEPER_FRAME = QColor(240, 190, 60)
POINTER_FRAME = QColor(120, 120, 120)
CAPTION = QColor(205, 205, 205)
FOLDER = QColor(150, 150, 150)


@dataclass(frozen=True)
class DuplicatePane:
    copy: DuplicateCopy
    row: GalleryRow | None  # its gallery row (size, turn, preview); None: gone since
    pixmap: QPixmap | None


class DuplicatesView(SyncedPanes):
    chosen = Signal(int)  # a click chose this copy (its index) as the keeper

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.panes: list[DuplicatePane] = []
        self.keeper: int | None = None  # the photo id kept
        self.why = ""
        self.pointer: int | None = None  # the pane under the pointer, by index
        self.painted: list[tuple[int, str]] = []  # (photo id, title) as last painted: tests

    def show_copies(self, panes: list[DuplicatePane], keeper: int | None, why: str) -> None:
        self.panes, self.keeper, self.why = panes, keeper, why
        self.update()

    @property
    def columns(self) -> int:
        n = len(self.panes)
        return COLUMNS.get(n, math.ceil(math.sqrt(max(1, n))))

    def pane_rects(self) -> list[QRectF]:
        return grid_cells(len(self.panes), self.columns, self.width(), self.height(), GAP)

    def photo_areas(self) -> list[QRectF]:
        return [r.adjusted(4, HEADER, -4, -FOOTER) for r in self.pane_rects()]

    def pane_photos(self) -> list[tuple[GalleryRow | None, QPixmap | None]]:
        return [(p.row, p.pixmap) for p in self.panes]

    def pane_at(self, at: QPointF) -> int | None:
        return next((i for i, r in enumerate(self.pane_rects()) if r.contains(at)), None)

    def clicked_at(self, at: QPointF) -> None:
        index = self.pane_at(at)
        if index is not None:
            self.chosen.emit(index)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pointer = self.pane_at(event.position())
        if pointer != self.pointer:
            self.pointer = pointer
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self.pointer = None
        self.update()
        super().leaveEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        painted = []
        for index, (pane, rect) in enumerate(zip(self.panes, self.pane_rects(), strict=True)):
            title = keeper_title(pane.copy, self.keeper or -1, self.why)
            self._paint_pane(painter, index, pane, rect, title)
            painted.append((pane.copy.photo_id, title))
        self.painted = painted

    def _paint_pane(
        self, painter: QPainter, index: int, pane: DuplicatePane, rect: QRectF, title: str
    ) -> None:
        keeper = pane.copy.photo_id == self.keeper
        if keeper or index == self.pointer:
            painter.save()
            painter.setPen(QPen(KEEPER_FRAME if keeper else POINTER_FRAME, 3 if keeper else 1))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
            painter.restore()
        painter.save()
        font = painter.font()
        font.setBold(keeper)
        painter.setFont(font)
        painter.setPen(KEEPER_FRAME if keeper else QColor(170, 170, 170))
        painter.drawText(
            QRectF(rect.left() + 8, rect.top(), rect.width() - 16, HEADER),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            f"{index + 1}   {title}",
        )
        painter.restore()
        area = self.photo_areas()[index]
        if pane.row is None:
            paint_message(painter, area, "This copy is gone.", QColor(150, 150, 150))
        elif not self.paint_photo(painter, index, pane.pixmap, None, dim=pane.copy.rejected):
            paint_placeholder(painter, area, pane.row)
        top = rect.bottom() - FOOTER + 4
        for n, line in enumerate(caption_lines(pane.copy)):
            painter.setPen(FOLDER if n == 2 else CAPTION)
            box = QRectF(rect.left() + 8, top + n * LINE, rect.width() - 16, LINE)
            mode = Qt.TextElideMode.ElideMiddle if n == 2 else Qt.TextElideMode.ElideRight
            painter.drawText(
                box,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                painter.fontMetrics().elidedText(line, mode, int(box.width())),
            )
