"""Survey (N): 2–9 photos side by side, each decidable with the keys.

`SurveyView` paints them in a grid, the *active* one framed (a click, ↑ / ↓),
zoomed together as in compare (`curator.ui.loupe.synced_panes`). `Survey`
makes the surveyed photos the session's scope, so `session.current` IS the
active photo and every decision key acts through the one decision path;
leaving restores the scope it replaced. A rejected photo leaves the survey;
when none is left, it ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from curator.catalog.queries import GalleryRow, gallery_rows
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.loupe.synced_panes import SyncedPanes
from curator.ui.loupe.view import fit_rect, paint_footer, paint_placeholder
from curator.ui.review.session import ReviewSession

MIN_PHOTOS, MAX_PHOTOS = 2, 9
GAP = 10
FOOTER = 34
ACTIVE_FRAME = QColor(240, 190, 60)
COLUMNS = {1: 1, 2: 2, 3: 3, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 3}


@dataclass(frozen=True)
class SurveyPane:
    row: GalleryRow
    pixmap: QPixmap | None
    full: QImage | None = None  # the original's pixels, when zoomed and decoded


class SurveyView(SyncedPanes):
    clicked = Signal(int)  # photo id clicked: it becomes active
    step = Signal(int)  # ↑ / ↓: move the active photo by this many

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.panes: list[SurveyPane] = []
        self.active: int | None = None
        self.painted_ids: list[int] = []  # tests
        self.painted_active: int | None = None

    @property
    def columns(self) -> int:
        return COLUMNS.get(len(self.panes), math.ceil(math.sqrt(max(1, len(self.panes)))))

    def show_panes(self, panes: list[SurveyPane], active: int | None) -> None:
        self.panes, self.active = panes, active
        self.update()

    def pane_rects(self) -> list[QRectF]:
        return self.cell_rects()

    def photo_areas(self) -> list[QRectF]:
        return [rect.adjusted(4, 4, -4, -FOOTER) for rect in self.cell_rects()]

    def pane_photos(self) -> list[tuple[GalleryRow | None, QPixmap | None]]:
        return [(pane.row, pane.pixmap) for pane in self.panes]

    def clicked_at(self, at: QPointF) -> None:
        """A click makes the photo under it active (zoom is Z, as the keys say)."""
        for pane, rect in zip(self.panes, self.cell_rects(), strict=True):
            if rect.contains(at):
                self.clicked.emit(pane.row.id)
                return

    def cell_rects(self) -> list[QRectF]:
        return grid_cells(len(self.panes), self.columns, self.width(), self.height(), GAP)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.step.emit(self.columns if event.key() == Qt.Key.Key_Down else -self.columns)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        for index, (pane, rect) in enumerate(zip(self.panes, self.cell_rects(), strict=True)):
            area = rect.adjusted(4, 4, -4, -FOOTER)
            row, pixmap = pane.row, pane.pixmap
            if self.zoomed:
                if not self.paint_photo(painter, index, pixmap, pane.full):
                    paint_placeholder(painter, area, row)
            elif pixmap is not None and not pixmap.isNull():
                size = QSizeF(pixmap.size())
                if row.width and row.height:  # the photo's own shape, turned as shown
                    w, h = (row.height, row.width) if row.rotation % 2 else (row.width, row.height)
                    size = QSizeF(w, h)
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawPixmap(fit_rect(size, area), pixmap, QRectF(pixmap.rect()))
                painter.restore()
            else:
                paint_placeholder(painter, area, row)
            strip = QRectF(rect.left() + 4, rect.bottom() - FOOTER + 4, rect.width() - 8, 28)
            caption = f"{self.zoom.label}   ·   {row.file_name}" if self.zoomed else row.file_name
            paint_footer(painter, strip, row, caption)
            if row.id == self.active:
                painter.save()
                painter.setPen(QPen(ACTIVE_FRAME, 3))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
                painter.restore()
        self.painted_ids = [p.row.id for p in self.panes]
        self.painted_active = self.active


class Survey(QObject):
    """The survey's state on the review session (module docstring)."""

    ended = Signal()

    def __init__(
        self, session: ReviewSession, errors: ErrorReporter, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.session, self.errors = session, errors
        self.ids: list[int] = []
        self.active_mode = False
        self._saved: tuple[list[int] | None, str] = (None, "")
        self._restarting = False
        session.photos_changed.connect(self._on_photos_changed)

    def start(self, ids: list[int]) -> str | None:
        """Survey `ids` (in this order); a sentence when it cannot (count out of range)."""
        ids = list(dict.fromkeys(ids))
        if not MIN_PHOTOS <= len(ids) <= MAX_PHOTOS:
            return (
                f"Survey shows {MIN_PHOTOS}–{MAX_PHOTOS} photos: select them in the grid "
                f"(Ctrl/Shift+click), then press N ({len(ids)} selected)."
            )
        s = self.session
        if not self.active_mode:
            self._saved = (None if s.scope is None else list(s.scope), s.scope_label)
        self.ids, self.active_mode = ids, True
        self._restart(ids[0])
        return None

    def leave(self) -> None:
        """Back to the scope the survey replaced, at the photo last active."""
        if not self.active_mode:
            return
        current = self.session.current
        self.active_mode, self.ids = False, []
        scope, label = self._saved
        self.session.set_scope(scope, label)
        self._restarting = True
        try:
            self.session.start(self.session.pass_, at_photo=current)
        finally:
            self._restarting = False
        self.ended.emit()

    @property
    def restarting(self) -> bool:
        """True while the survey itself restarts the session (not a user's pass switch)."""
        return self._restarting

    def _restart(self, at: int | None) -> None:
        self.session.set_scope(self.ids, "Survey")
        self._restarting = True
        try:
            self.session.start(self.session.pass_, at_photo=at)
        finally:
            self._restarting = False

    @Slot(object)  # session.photos_changed: a list of ids
    @guarded_slot
    def _on_photos_changed(self, ids: list[int]) -> None:
        if self.active_mode and set(ids) & set(self.ids):
            # After the key's own move (reject → next), not in the middle of it.
            QTimer.singleShot(0, self._prune)

    @guarded_slot
    def _prune(self) -> None:
        if not self.active_mode:
            return
        rows = gallery_rows(self.ids)
        keep = [pid for pid in self.ids if pid in rows and rows[pid].cull != "rejected"]
        if keep == self.ids:
            return
        if not keep:
            self.session.notice.emit("Every surveyed photo is rejected: survey ended.")
            self.leave()
            return
        current = self.session.current
        if current is None or current not in self.ids:
            current = keep[0]
        elif current not in keep:  # the last one was rejected: the one before it
            before = [pid for pid in self.ids[: self.ids.index(current)] if pid in keep]
            current = before[-1] if before else keep[0]
        self.ids = keep
        self._restart(current)


def grid_cells(n: int, cols: int, width: float, height: float, gap: float) -> list[QRectF]:
    """`n` equal cells in rows of `cols` filling `width` × `height`, `gap` apart
    and from the edges, left to right then down (the survey's, the duplicates')."""
    if not n:
        return []
    rows = math.ceil(n / cols)
    w = (width - gap * (cols + 1)) / cols
    h = (height - gap * (rows + 1)) / rows
    return [
        QRectF(gap + (i % cols) * (w + gap), gap + (i // cols) * (h + gap), w, h) for i in range(n)
    ]
