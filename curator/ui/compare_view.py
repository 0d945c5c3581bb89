"""`CompareView`: two photos side by side, both fit — the reference on the
left, the candidate on the right.

Paints only what it is given; which photos are shown (and whether the left
one is pinned) is the loupe page's compare state. The candidate is framed,
because the decision keys act on it (see keymap.HELP_NOTES).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from curator.catalog.queries import GalleryRow
from curator.ui.loupe_view import fit_rect, paint_footer, paint_message, paint_placeholder

GAP = 10
HEADER = 26
FOOTER = 40
CANDIDATE_FRAME = QColor(240, 190, 60)


@dataclass(frozen=True)
class ComparePane:
    row: GalleryRow | None
    pixmap: QPixmap | None
    caption: str = ""


class CompareView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.left = ComparePane(None, None)
        self.right = ComparePane(None, None)
        self.pinned = False
        self.painted_ids: tuple[int | None, int | None] = (None, None)  # tests

    def show_pair(self, left: ComparePane, right: ComparePane, *, pinned: bool) -> None:
        self.left, self.right, self.pinned = left, right, pinned
        self.update()

    def pane_rects(self) -> tuple[QRectF, QRectF]:
        half = (self.width() - 3 * GAP) / 2
        height = self.height() - 2 * GAP
        return (
            QRectF(GAP, GAP, half, height),
            QRectF(2 * GAP + half, GAP, half, height),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        left_rect, right_rect = self.pane_rects()
        left_title = "Reference (pinned: → / ← move the right)" if self.pinned else "Reference"
        self._paint_pane(painter, left_rect, self.left, left_title, candidate=False)
        self._paint_pane(
            painter, right_rect, self.right, "Candidate — keys act here", candidate=True
        )
        self.painted_ids = (
            None if self.left.row is None else self.left.row.id,
            None if self.right.row is None else self.right.row.id,
        )

    def _paint_pane(
        self, painter: QPainter, rect: QRectF, pane: ComparePane, title: str, *, candidate: bool
    ) -> None:
        painter.setPen(CANDIDATE_FRAME if candidate else QColor(170, 170, 170))
        painter.drawText(
            QRectF(rect.left() + 4, rect.top(), rect.width() - 8, HEADER),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
        area = QRectF(
            rect.left(), rect.top() + HEADER, rect.width(), rect.height() - HEADER - FOOTER
        )
        if candidate:
            painter.save()
            painter.setPen(QPen(CANDIDATE_FRAME, 2))
            painter.drawRect(area.adjusted(-3, -3, 3, 3))
            painter.restore()
        row = pane.row
        if row is None:
            paint_message(painter, area, "No photo here.", QColor(150, 150, 150))
            return
        pixmap = pane.pixmap
        if pixmap is not None and not pixmap.isNull():
            size = (
                QSizeF(row.width, row.height) if row.width and row.height else QSizeF(pixmap.size())
            )
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            if row.cull == "rejected":
                painter.setOpacity(0.45)
            painter.drawPixmap(fit_rect(size, area), pixmap, QRectF(pixmap.rect()))
            painter.restore()
        else:
            paint_placeholder(painter, area, row)
        strip = QRectF(rect.left() + 4, rect.bottom() - FOOTER + 6, rect.width() - 8, 28)
        paint_footer(painter, strip, row, pane.caption or row.file_name)
