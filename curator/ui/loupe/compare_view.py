"""`CompareView`: two photos side by side, both fit — the reference on the
left, the candidate on the right.

Paints only what it is given; which photos are shown (and whether the left
one is pinned) is the loupe page's compare state. The candidate is framed,
because the decision keys act on it (see keymap.HELP_NOTES).

Synchronised zoom (Z, or a click): both panes hold ONE `Zoom`
(`curator.ui.loupe.zoom`, the loupe's model), so they always show the same
normalised region of their photos. Each pane maps it through its own
`Viewport` with one displayed width: the reference at 100 % (one original
pixel per device pixel), the candidate drawn at that same width, so a
burst's frames line up pixel for pixel. Z anchors the point under the
pointer (in either pane); dragging either pane pans both, clamped by the
reference; the zoom survives moving to another pair. Zoomed, each pane
paints its original's pixels (`ComparePane.full`, decoded by the loupe's
OriginalLoader) as soon as they arrive, the preview scaled up until then.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from curator.catalog.queries import GalleryRow
from curator.ui.loupe.drag_pan import DragPan, zoom_anchor
from curator.ui.loupe.view import (
    paint_footer,
    paint_message,
    paint_placeholder,
    to_box,
    to_point,
    to_qrect,
)
from curator.ui.loupe.zoom import Viewport, Zoom

GAP = 10
HEADER = 26
FOOTER = 40
CANDIDATE_FRAME = QColor(240, 190, 60)


@dataclass(frozen=True)
class ComparePane:
    row: GalleryRow | None
    pixmap: QPixmap | None
    caption: str = ""
    full: QImage | None = None  # the original's pixels, when zoomed and decoded


class CompareView(QWidget):
    zoom_changed = Signal(bool)  # True: now zoomed (the originals are wanted)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.left = ComparePane(None, None)
        self.right = ComparePane(None, None)
        self.pinned = False
        self.painted_ids: tuple[int | None, int | None] = (None, None)  # tests
        self.zoom = Zoom()  # both panes' zoom: fit, or 100 % and where
        self._mouse: QPointF | None = None
        self._drag = DragPan()
        self.setMouseTracking(True)

    def show_pair(self, left: ComparePane, right: ComparePane, *, pinned: bool) -> None:
        # The previews and originals come turned as the photographer rotated them.
        self.left, self.right, self.pinned = left, right, pinned
        self.update()

    def pane_rects(self) -> tuple[QRectF, QRectF]:
        half = (self.width() - 3 * GAP) / 2
        height = self.height() - 2 * GAP
        return (
            QRectF(GAP, GAP, half, height),
            QRectF(2 * GAP + half, GAP, half, height),
        )

    # --- synchronised zoom --------------------------------------------------

    def photo_areas(self) -> tuple[QRectF, QRectF]:
        """Where each pane's photo is drawn (under its title, over its footer)."""
        return tuple(  # type: ignore[return-value]
            QRectF(r.left(), r.top() + HEADER, r.width(), r.height() - HEADER - FOOTER)
            for r in self.pane_rects()
        )

    @staticmethod
    def _size(pane: ComparePane) -> QSizeF | None:
        row, pixmap = pane.row, pane.pixmap
        if row is not None and row.width and row.height:
            if row.rotation % 2:  # a quarter-turn by the photographer
                return QSizeF(row.height, row.width)
            return QSizeF(row.width, row.height)
        if pixmap is not None and not pixmap.isNull():
            return QSizeF(pixmap.size())
        return None

    def _zoom_width(self) -> float | None:
        """The displayed width of both photos at 100 % (the reference's, else the candidate's)."""
        size = self._size(self.left) or self._size(self.right)
        return None if size is None else size.width() / self.devicePixelRatioF()

    def viewport(self, index: int) -> Viewport | None:
        """Pane `index`'s (0 left, 1 right) view for the zoom model: its photo
        area, and 100 % at the shared displayed width."""
        size, width = self._size((self.left, self.right)[index]), self._zoom_width()
        if size is None or width is None:
            return None
        area = to_box(self.photo_areas()[index])
        return Viewport(size.width(), size.height(), area, width / size.width())

    def _pane_view(self, at: QPointF | None) -> tuple[Viewport | None, QPointF | None]:
        """The view of the pane under `at` (the left one when None) and the anchor
        in it; an empty pane gives the other pane's view, anchored at its centre."""
        index = 1 if at is not None and self.pane_rects()[1].contains(at) else 0
        if self.viewport(index) is None:
            index, at = 1 - index, None  # that pane is empty: the other's centre
        return self.viewport(index), at

    def _reference(self) -> Viewport | None:
        """The pane that clamps a pan: the reference, else the candidate."""
        return self.viewport(0 if self._size(self.left) else 1)

    @property
    def zoomed(self) -> bool:
        return not self.zoom.fitted

    def image_rect(self, index: int) -> QRectF:
        """Where pane `index`'s (0 left, 1 right) whole photo lies now."""
        view = self.viewport(index)
        return QRectF() if view is None else to_qrect(self.zoom.image_box(view))

    def visible_region(self, index: int) -> QRectF:
        """The normalised part (0–1) of pane `index`'s photo that shows."""
        view = self.viewport(index)
        return QRectF() if view is None else to_qrect(self.zoom.visible(view))

    def toggle_zoom(self, at: QPointF | None = None) -> None:
        """Fit ↔ 100 % for both panes, anchored at `at` (else the pointer, else the centre)."""
        if self._zoom_width() is None:
            return
        if self.zoomed:
            self.zoom = Zoom()
            self.zoom_changed.emit(False)
            self.update()
            return
        at = zoom_anchor(at, self._mouse, self.rect())
        view, at = self._pane_view(at)
        reference = self._reference()
        if view is None or reference is None:
            return
        self.zoom = self.zoom.toggled(view, None if at is None else to_point(at), reference)
        self.zoom_changed.emit(self.zoomed)
        self.update()

    def step_zoom(self, direction: int, at: QPointF | None = None) -> None:
        """One zoom step in (> 0) or out for both panes (fit, fill, 50 %, 100 %,
        200 % of the reference's view), anchored like `toggle_zoom`."""
        if self._zoom_width() is None:
            return
        at = zoom_anchor(at, self._mouse, self.rect())
        view, at = self._pane_view(at)
        reference = self._reference()
        if view is None or reference is None:
            return
        self.zoom = self.zoom.stepped(
            view, direction, None if at is None else to_point(at), reference
        )
        self.update()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move both photos by (dx, dy) widget pixels (when zoomed)."""
        reference = self._reference()
        if reference is not None:
            self.zoom = self.zoom.panned(reference, dx, dy)
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag.start(event.position(), self.zoom)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._mouse = event.position()
        if not self.zoomed:
            return
        delta, _began = self._drag.move(event.position())
        if delta is not None:
            self.zoom = self._drag.press_zoom
            self.pan_by(delta.x(), delta.y())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            clicked = self._drag.finish()
            if clicked and any(self.image_rect(i).contains(event.position()) for i in (0, 1)):
                self.toggle_zoom(event.position())
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._mouse = None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        left_rect, right_rect = self.pane_rects()
        left_title = "Reference (pinned: → / ← move the right)" if self.pinned else "Reference"
        self._paint_pane(painter, left_rect, self.left, left_title, candidate=False, index=0)
        self._paint_pane(
            painter, right_rect, self.right, "Candidate — keys act here", candidate=True, index=1
        )
        self.painted_ids = (
            None if self.left.row is None else self.left.row.id,
            None if self.right.row is None else self.right.row.id,
        )

    def _paint_pane(
        self,
        painter: QPainter,
        rect: QRectF,
        pane: ComparePane,
        title: str,
        *,
        candidate: bool,
        index: int,
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
        full = (
            pane.full if self.zoomed and pane.full is not None and not pane.full.isNull() else None
        )
        if full is not None or (pixmap is not None and not pixmap.isNull()):
            whole = self.image_rect(index)
            visible = whole.intersected(area)
            painter.save()
            painter.setClipRect(area)
            if row.cull == "rejected":
                painter.setOpacity(0.45)
            if full is not None:  # the original's pixels, 1:1 at 100 %
                if whole.width() * self.devicePixelRatioF() < full.width():
                    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                source = _source(visible, whole, QSizeF(full.size()))
                painter.drawImage(visible, full, source)
            elif pixmap is not None:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawPixmap(visible, pixmap, _source(visible, whole, QSizeF(pixmap.size())))
            painter.restore()
        else:
            paint_placeholder(painter, area, row)
        strip = QRectF(rect.left() + 4, rect.bottom() - FOOTER + 6, rect.width() - 8, 28)
        caption = pane.caption or row.file_name
        zoom = f"{self.zoom.label}   ·   {caption}"
        paint_footer(painter, strip, row, zoom if self.zoomed else caption)


def _source(visible: QRectF, whole: QRectF, size: QSizeF) -> QRectF:
    """The part of a `size`-sized image that lands on `visible` when `whole` shows it all."""
    sx, sy = size.width() / whole.width(), size.height() / whole.height()
    return QRectF(
        (visible.left() - whole.left()) * sx,
        (visible.top() - whole.top()) * sy,
        visible.width() * sx,
        visible.height() * sy,
    )
