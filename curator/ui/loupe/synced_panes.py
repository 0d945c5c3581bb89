"""`SyncedPanes`: the synchronised zoom of compare's two panes and survey's 2–9.

All panes hold ONE `Zoom` (`curator.ui.loupe.zoom`), each mapping it through
its own `Viewport` at one displayed width: the reference (the first pane with
a photo) at 100 %, the others at its width, so a burst's frames line up pixel
for pixel. Z anchors at the pointer; a drag in any pane pans all. Zoomed, a
pane paints its original once it arrives (`paint_photo`). A subclass says
where its panes are (`pane_rects`, `photo_areas`), what they show
(`pane_photos`) and what a click does (`clicked_at`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from curator.catalog.queries import GalleryRow
from curator.ui.loupe.drag_pan import zoom_anchor
from curator.ui.loupe.view import ZoomCanvas, paint_image, photo_size, to_box, to_point, to_qrect
from curator.ui.loupe.zoom import Point, Viewport, Zoom


class SyncedPanes(ZoomCanvas):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)  # `zoom`: every pane's
        # Painted over each pane's photo: (painter, its row, image rect, pane area).
        self.overlays: list[Callable[[QPainter, GalleryRow | None, QRectF, QRectF], None]] = []

    # --- what a subclass provides ------------------------------------------------

    def pane_rects(self) -> list[QRectF]:
        raise NotImplementedError

    def photo_areas(self) -> list[QRectF]:
        raise NotImplementedError

    def pane_photos(self) -> list[tuple[GalleryRow | None, QPixmap | None]]:
        raise NotImplementedError

    def clicked_at(self, at: QPointF) -> None:
        """A click (not a drag) at `at`: by default, zoom there (or back to fit)."""
        if any(self.image_rect(i).contains(at) for i in range(len(self.pane_rects()))):
            self.toggle_zoom(at)

    # --- the shared zoom ------------------------------------------------------------

    def _sizes(self) -> list[QSizeF | None]:
        return [photo_size(row, pixmap) for row, pixmap in self.pane_photos()]

    def _zoom_width(self) -> float | None:
        """Every photo's displayed width at 100 % (the reference's)."""
        size = next((s for s in self._sizes() if s is not None), None)
        return None if size is None else size.width() / self.devicePixelRatioF()

    def viewport(self, index: int) -> Viewport | None:
        """Pane `index`'s view: its photo area, 100 % at the shared displayed width."""
        sizes, width = self._sizes(), self._zoom_width()
        size = sizes[index] if 0 <= index < len(sizes) else None
        if size is None or width is None:
            return None
        area = to_box(self.photo_areas()[index])
        return Viewport(size.width(), size.height(), area, width / size.width())

    def _pane_view(self, at: QPointF | None) -> tuple[Viewport | None, QPointF | None]:
        """The view of the pane under `at` (the first when None) and the anchor in
        it; an empty pane gives the reference's view, anchored at its centre."""
        rects = self.pane_rects()
        index = next((i for i, r in enumerate(rects) if at is not None and r.contains(at)), 0)
        view = self.viewport(index)
        if view is None:
            return self._reference(), None
        return view, at

    def _reference(self) -> Viewport | None:
        """The pane that clamps a pan: the first with a photo."""
        index = next((i for i, s in enumerate(self._sizes()) if s is not None), None)
        return None if index is None else self.viewport(index)

    def image_rect(self, index: int) -> QRectF:
        """Where pane `index`'s whole photo lies now."""
        view = self.viewport(index)
        return QRectF() if view is None else to_qrect(self.zoom.image_box(view))

    def visible_region(self, index: int) -> QRectF:
        """The normalised part (0–1) of pane `index`'s photo that shows."""
        view = self.viewport(index)
        return QRectF() if view is None else to_qrect(self.zoom.visible(view))

    def set_fit(self) -> None:
        if self.zoomed:
            self.zoom = Zoom()
            self.zoom_changed.emit(False)
            self.update()

    def zoom_to(self, center: Point | None) -> None:
        """Every pane at 100 % around the normalised point `center` (fit: None)."""
        reference = self._reference()
        if center is None or reference is None:
            self.set_fit()
            return
        self.zoom = Zoom(1.0, center).clamped(reference)
        self.zoom_changed.emit(True)
        self.update()

    def toggle_zoom(self, at: QPointF | None = None) -> None:
        """Fit ↔ 100 % for every pane, anchored at `at` (else the pointer, else the centre)."""
        if self._zoom_width() is None:
            return
        if self.zoomed:
            self.set_fit()
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
        """One zoom step in (> 0) or out for every pane, by the reference's view."""
        if self._zoom_width() is None:
            return
        was = self.zoomed
        at = zoom_anchor(at, self._mouse, self.rect())
        view, at = self._pane_view(at)
        reference = self._reference()
        if view is None or reference is None:
            return
        self.zoom = self.zoom.stepped(
            view, direction, None if at is None else to_point(at), reference
        )
        if self.zoomed != was:
            self.zoom_changed.emit(self.zoomed)
        self.update()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move every photo by (dx, dy) widget pixels (when zoomed)."""
        reference = self._reference()
        if reference is not None:
            self.zoom = self.zoom.panned(reference, dx, dy)
            self.update()

    # --- the mouse: a click, or a drag that pans (ZoomCanvas) ------------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drag.finish():
            self.clicked_at(event.position())
        super().mouseReleaseEvent(event)

    # --- painting ----------------------------------------------------------------

    def paint_photo(
        self,
        painter: QPainter,
        index: int,
        pixmap: QPixmap | None,
        full: QImage | None,
        *,
        dim: bool = False,
    ) -> bool:
        """Pane `index`'s photo where the zoom puts it, clipped to its area: the
        original's pixels (`full`, only when zoomed) 1:1 at 100 %, else the
        preview scaled; False when there is nothing to paint."""
        full = full if self.zoomed and full is not None and not full.isNull() else None
        if full is None and (pixmap is None or pixmap.isNull()):
            return False
        area = self.photo_areas()[index]
        whole = self.image_rect(index)
        if whole.isEmpty():
            return False
        smooth = full is not None and whole.width() * self.devicePixelRatioF() < full.width()
        paint_image(
            painter, area, whole, full, pixmap, opacity=0.45 if dim else 1.0, smooth_full=smooth
        )
        row = self.pane_photos()[index][0] if self.overlays else None
        for overlay in self.overlays:
            overlay(painter, row, whole, area)
        return True
