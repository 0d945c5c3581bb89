"""The loupe's canvas: `LoupeView` paints one photo, fit or zoomed with panning.
It only paints what it is given (a preview, a thumbnail while it loads, the
decoded original when zoomed); the page loads them, following `zoom_changed`.
Zoom geometry is `curator.ui.loupe.zoom`'s; the zoom survives the next photo.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from curator.catalog.queries import GalleryRow
from curator.ui.gallery.view import paint_strip
from curator.ui.loupe.drag_pan import DragPan, source_rect, zoom_anchor
from curator.ui.loupe.proposal_mark import (
    PROPOSED_REJECT_LOUPE_OPACITY,
    paint_proposal,
    pills_width,
    proposed_reject,
)
from curator.ui.loupe.zoom import Box, Point, Viewport, Zoom, fit_box
from curator.ui.review.decision_strip import click_action, hit, strip_width

FOOTER = 40  # the strip under the photo: badges, stars, caption
MARGIN = 12


def fit_rect(size: QSizeF, area: QRectF) -> QRectF:
    """`size` scaled to fit `area` (aspect kept, up or down), centred in it."""
    return to_qrect(fit_box(size.width(), size.height(), to_box(area)))


# Qt's geometry ↔ the zoom model's plain numbers.
def to_box(rect: QRectF) -> Box:
    return Box(rect.left(), rect.top(), rect.width(), rect.height())


def to_qrect(box: Box) -> QRectF:
    return QRectF() if box.empty else QRectF(box.left, box.top, box.width, box.height)


def to_point(pos: QPointF) -> Point:
    return Point(pos.x(), pos.y())


FOOTER_STRIP = 18  # the footer's flag/star glyphs (clickable, decision_strip)


def paint_footer(
    painter: QPainter, strip: QRectF, row: GalleryRow, caption: str, *, reasons: bool = True
) -> None:
    """Flags, stars and label on the left of `strip`, then the photo's proposal
    (its pills, and its reasons in words when `reasons` and there is room),
    `caption` on its right."""
    paint_strip(painter, strip.left(), strip.center().y(), FOOTER_STRIP, row)
    text_left = strip.left() + strip_width(FOOTER_STRIP) + 12
    if row.proposal is not None:  # cull for me: beside the decision strip, never in it
        free = strip.right() - text_left - pills_width(painter, row)
        wanted = painter.fontMetrics().horizontalAdvance(caption) + 16
        room = free - min(wanted, free / 2) - 12 if reasons else 0.0
        text_left = paint_proposal(painter, text_left, strip, row, room=room)
    painter.setPen(QColor(200, 200, 200))
    painter.drawText(
        QRectF(text_left, strip.top(), strip.right() - text_left, strip.height()),
        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
        painter.fontMetrics().elidedText(
            caption, Qt.TextElideMode.ElideMiddle, int(strip.right() - text_left)
        ),
    )


def photo_size(row: GalleryRow | None, *images: QImage | QPixmap | None) -> QSizeF | None:
    """The photo's displayed full-resolution size, turned (else the first image's)."""
    if row is not None and row.width and row.height:
        if row.rotation % 2:  # a quarter-turn by the photographer
            return QSizeF(row.height, row.width)
        return QSizeF(row.width, row.height)
    for image in images:
        if image is not None and not image.isNull():
            return QSizeF(image.size())
    return None


def paint_image(
    painter: QPainter,
    area: QRectF,
    whole: QRectF,
    full: QImage | None,
    pixmap: QPixmap | None,
    *,
    opacity: float = 1.0,
    smooth_full: bool = False,
) -> None:
    """A photo where the zoom puts it (`whole`), clipped to `area`: the original's
    pixels `full` (smoothed only when `smooth_full`), else the preview `pixmap`
    smoothed."""
    visible = whole.intersected(area)
    painter.save()
    painter.setClipRect(area)
    if opacity < 1.0:
        painter.setOpacity(opacity)
    if full is not None:
        if smooth_full:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(visible, full, source_rect(visible, whole, QSizeF(full.size())))
    elif pixmap is not None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(visible, pixmap, source_rect(visible, whole, QSizeF(pixmap.size())))
    painter.restore()


def paint_message(painter: QPainter, area: QRectF, text: str, colour: QColor) -> None:
    painter.setPen(colour)
    painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)


def paint_placeholder(painter: QPainter, area: QRectF, row: GalleryRow) -> None:
    """What stands in for a photo with no pixels yet: its failure, or "Loading…"."""
    if row.failed:
        text = f"This photo failed to import.\n{row.failed_reason}"
        paint_message(painter, area, text, QColor(240, 180, 180))
    else:
        paint_message(painter, area, "Loading…", QColor(150, 150, 150))


class ZoomCanvas(QWidget):
    """What the loupe and the synced panes share: a zoom (`zoom`, fit or zoomed)
    anchored at the pointer (`_mouse`), and a left-button press that is a click
    or a drag panning the zoom (`DragPan`; a subclass says what a click does)."""

    zoom_changed = Signal(bool)  # True: now zoomed (the originals are wanted)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setMouseTracking(True)  # the pointer's place anchors Z
        self.zoom = Zoom()  # fit, or a step and where (curator.ui.loupe.zoom)
        self._mouse: QPointF | None = None
        self._drag = DragPan()

    @property
    def zoomed(self) -> bool:
        return not self.zoom.fitted

    def pan_by(self, dx: float, dy: float) -> None:
        raise NotImplementedError

    def _update_cursor(self) -> None:
        """The cursor as the zoom and a drag stand (a subclass's; none by default)."""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag.start(event.position(), self.zoom)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._mouse = event.position()
        if not self.zoomed:
            return
        delta, began = self._drag.move(event.position())
        if began:
            self._update_cursor()
        if delta is not None:
            self.zoom = self._drag.press_zoom
            self.pan_by(delta.x(), delta.y())

    def leaveEvent(self, event: object) -> None:
        self._mouse = None


class LoupeView(ZoomCanvas):
    resized = Signal()  # the photo area changed size (a screen rendition may be due)
    wheel_step = Signal(int)  # the wheel asks for the next (+1) or previous (-1) photo
    decision_clicked = Signal(str)  # a footer flag or star clicked: the review action

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.photo: GalleryRow | None = None
        self.pixmap: QPixmap | None = None
        self.is_preview = False  # False: a thumbnail stands in until the preview arrives
        self.full_image: QImage | None = None  # the original's pixels, for 100 %
        # At fit on a screen larger than the preview: the original decoded for it.
        self.fit_image: QImage | None = None
        self.zoom_note = ""  # e.g. "loading full resolution…", shown in the footer
        self._caption = ""
        self.empty_text = "Nothing to review."
        self._wheel = [0]  # angle delta not yet a whole notch (touchpads send small ones)
        self.painted_photo_id: int | None = None  # what the last paint showed (tests, bench)
        self.painted_caption = ""  # the caption the last paint showed (tests)
        self.painted_full_resolution = False
        # Painted over the photo, under the footer: (painter, image rect, photo area).
        self.overlays: list[Callable[[QPainter, QRectF, QRectF], None]] = []

    def show_photo(
        self,
        row: GalleryRow | None,
        pixmap: QPixmap | None,
        *,
        is_preview: bool,
        full_image: QImage | None = None,
        zoom_note: str = "",
        fit_image: QImage | None = None,
    ) -> None:
        self.photo, self.pixmap, self.is_preview = row, pixmap, is_preview
        # All come turned as the photographer rotated the photo, by their loaders.
        self.full_image, self.zoom_note = full_image, zoom_note
        self.fit_image = fit_image
        self._update_cursor()
        self.update()

    @property
    def caption(self) -> str:
        """The footer's text after the zoom ("IMG_0042.jpg · Cull pass: 3 / 120")."""
        return self._caption

    @caption.setter
    def caption(self, text: str) -> None:
        """A new caption repaints the footer (nothing else would until the next photo)."""
        if text != self._caption:
            self._caption = text
            self.update(self.footer_strip().toAlignedRect())

    # --- geometry -------------------------------------------------------------

    def footer_strip(self) -> QRectF:
        """The strip under the photo: flags, stars, label, then the caption."""
        return QRectF(14, self.height() - FOOTER + 6, self.width() - 28, 28)

    def photo_area(self) -> QRectF:
        return QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -FOOTER)

    def image_size(self) -> QSizeF | None:
        """The original's displayed size in pixels (what 100 % means)."""
        return photo_size(self.photo, self.full_image, self.pixmap)

    def viewport(self) -> Viewport | None:
        """The zoom model's view of this widget: the original's size and the photo area."""
        size = self.image_size()
        if size is None:
            return None
        unit = 1.0 / self.devicePixelRatioF()
        return Viewport(size.width(), size.height(), to_box(self.photo_area()), unit)

    def scale(self) -> float:
        """Widget (logical) pixels per original pixel."""
        view = self.viewport()
        return 1.0 if view is None else self.zoom.scale(view)

    def image_rect(self) -> QRectF:
        """Where the whole original lies in widget coordinates now."""
        view = self.viewport()
        return QRectF() if view is None else to_qrect(self.zoom.image_box(view))

    def image_point(self, pos: QPointF) -> QPointF | None:
        """The original's pixel coordinates under widget position `pos`."""
        view = self.viewport()
        point = None if view is None else self.zoom.to_image(view, to_point(pos))
        return None if point is None else QPointF(point.x, point.y)

    def toggle_zoom(self, at: QPointF | None = None) -> None:
        """Fit ↔ 100 %, anchored at `at`, else the pointer (when over the view), else the centre."""
        view = self.viewport()
        if self.photo is None or view is None:
            return
        at = zoom_anchor(at, self._mouse, self.rect())
        self.zoom = self.zoom.toggled(view, None if at is None else to_point(at))
        self._update_cursor()
        self.zoom_changed.emit(self.zoomed)
        self.update()

    def set_fit(self) -> None:
        if self.zoomed:
            self.toggle_zoom()

    def zoom_to(self, center: Point | None) -> None:
        """100 % around the normalised point `center` of the picture (fit: None)."""
        view = self.viewport()
        if self.photo is None or view is None:
            return
        self.zoom = Zoom() if center is None else Zoom(1.0, center).clamped(view)
        self._update_cursor()
        self.zoom_changed.emit(self.zoomed)
        self.update()

    def step_zoom(self, direction: int, at: QPointF | None = None) -> None:
        """One step in (> 0) or out along fit, fill, 50 %, 100 %, 200 % (anchored)."""
        view = self.viewport()
        if self.photo is None or view is None:
            return
        at = zoom_anchor(at, self._mouse, self.rect())
        was = self.zoomed
        self.zoom = self.zoom.stepped(view, direction, None if at is None else to_point(at))
        self._update_cursor()
        if self.zoomed != was or self.zoomed:
            self.zoom_changed.emit(self.zoomed)
        self.update()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the image by (dx, dy) widget pixels (at 100 %)."""
        view = self.viewport()
        if view is not None:
            self.zoom = self.zoom.panned(view, dx, dy)
            self.update()

    def _update_cursor(self) -> None:
        if not self.zoomed:
            self.setCursor(Qt.CursorShape.ArrowCursor)
        elif self._drag.dragged:
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        else:
            self.setCursor(Qt.CursorShape.OpenHandCursor)

    # --- mouse: click toggles the zoom there (Lightroom), drag pans ------------

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            clicked = self._drag.finish()
            strip = self.footer_strip()
            target = hit(strip.left(), strip.center().y(), FOOTER_STRIP, event.position())
            if clicked and target is not None and self.photo is not None:
                self.decision_clicked.emit(click_action(target, self.photo))
            elif clicked and self.image_rect().contains(event.position()):
                self.toggle_zoom(event.position())
            if clicked is not None:
                self._update_cursor()
        super().mouseReleaseEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def fit_long_edge(self) -> int | None:
        """Device pixels the photo's long edge takes at fit (None without a photo)."""
        view = self.viewport()
        if view is None:
            return None
        box = Zoom().image_box(view)
        return round(max(box.width, box.height) * self.devicePixelRatioF())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel steps through the photos (down: next); with Ctrl it zooms a step."""
        notches = wheel_notches(self._wheel, event.angleDelta().y())
        if notches:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.step_zoom(1 if notches > 0 else -1, event.position())
            else:
                self.wheel_step.emit(-1 if notches > 0 else 1)
        event.accept()

    # --- painting ---------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        row = self.photo
        self.painted_full_resolution = self.painted_screen_rendition = False
        if row is None:
            paint_message(painter, QRectF(self.rect()), self.empty_text, QColor(170, 170, 170))
            self.painted_photo_id = None
            return
        area = self.photo_area()
        full = self.full_image if self.zoomed else self.fit_image
        if full is not None and full.isNull():
            full = None
        pixmap = self.pixmap if self.pixmap is not None and not self.pixmap.isNull() else None
        if full is not None or pixmap is not None:
            opacity = 1.0
            if row.cull == "rejected":
                opacity = 0.45
            elif proposed_reject(row):  # cull for me: dimmed, less than a reject
                opacity = PROPOSED_REJECT_LOUPE_OPACITY
            # Under 100 % the original is smoothed; a screen rendition is already
            # the fit size (±1 px) and drawn as is (smoothing would blur it).
            smooth = self.zoomed and self.scale() * self.devicePixelRatioF() < 1.0
            paint_image(
                painter, area, self.image_rect(), full, pixmap, opacity=opacity, smooth_full=smooth
            )
            self.painted_full_resolution = full is not None and self.zoomed
            self.painted_screen_rendition = full is not None and not self.zoomed
        else:
            paint_placeholder(painter, area, row)
        for overlay in self.overlays:
            overlay(painter, self.image_rect(), area)
        zoom = self.zoom.label
        if self.zoomed and self.zoom_note:
            zoom += f" ({self.zoom_note})"
        strip = self.footer_strip()
        paint_footer(painter, strip, row, f"{zoom}   ·   {self.caption}")
        self.painted_photo_id, self.painted_caption = row.id, self.caption


WHEEL_NOTCH = 120  # Qt's angle delta for one notch of a mouse wheel


def wheel_notches(pending: list[int], delta: int) -> int:
    """Whole notches in `pending[0] + delta` (up is positive); the remainder stays
    in `pending` so a touchpad's small deltas add up to steps."""
    total = pending[0] + delta
    notches = int(total / WHEEL_NOTCH)
    pending[0] = total - notches * WHEEL_NOTCH
    return notches
