"""`DragPan`: a left-button gesture that is either a click or a drag-to-pan.

Shared by the loupe and compare views (Lightroom's rule: a click toggles the
zoom at that point, a drag pans a zoomed photo). The gesture only tracks the
press and tells the view what happened; the view owns its centre and zoom.
A press that moves less than `DRAG_SLOP` pixels stays a click.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

DRAG_SLOP = 4  # pixels a press may move and still count as a click


class DragPan:
    def __init__(self) -> None:
        self.press: QPointF | None = None
        self.press_center = QPointF(0.5, 0.5)  # the view's centre when pressed
        self.dragged = False

    def start(self, at: QPointF, center: QPointF) -> None:
        self.press, self.press_center, self.dragged = QPointF(at), QPointF(center), False

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
