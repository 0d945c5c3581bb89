"""`DragPan`: a left-button gesture that is either a click or a drag-to-pan
(Lightroom's rule), shared by the loupe and compare views; a press that moves
less than `DRAG_SLOP` pixels stays a click. The view owns its zoom.
`source_rect`: which part of an image a zoomed view paints; `zoom_anchor`:
where a key- or wheel-driven zoom is anchored.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF

from curator.ui.loupe.zoom import Zoom

DRAG_SLOP = 4  # pixels a press may move and still count as a click


def zoom_anchor(at: QPointF | None, pointer: QPointF | None, area: QRect) -> QPointF | None:
    """Where a zoom is anchored: `at`, else the pointer over `area`, else None (the centre)."""
    if at is not None:
        return at
    return pointer if pointer is not None and area.contains(pointer.toPoint()) else None


class DragPan:
    def __init__(self) -> None:
        self.press: QPointF | None = None
        self.press_zoom = Zoom()  # the view's zoom when pressed
        self.dragged = False

    def start(self, at: QPointF, zoom: Zoom) -> None:
        self.press, self.press_zoom, self.dragged = QPointF(at), zoom, False

    def move(self, at: QPointF) -> tuple[QPointF | None, bool]:
        """(the drag since the press, or None while it is still a click;
        whether this move turned the press into a drag)."""
        if self.press is None:
            return None, False
        delta = at - self.press
        began = not self.dragged and delta.manhattanLength() > DRAG_SLOP
        self.dragged = self.dragged or began
        return (delta if self.dragged else None), began

    def finish(self) -> bool | None:
        """End the gesture: True for a click, False for a drag, None if none began."""
        if self.press is None:
            return None
        clicked = not self.dragged
        self.press, self.dragged = None, False
        return clicked


def source_rect(visible: QRectF, whole: QRectF, size: QSizeF) -> QRectF:
    """The part of a `size`-sized image that lands on `visible` when `whole` shows it all."""
    sx, sy = size.width() / whole.width(), size.height() / whole.height()
    return QRectF(
        (visible.left() - whole.left()) * sx,
        (visible.top() - whole.top()) * sy,
        visible.width() * sx,
        visible.height() * sy,
    )
