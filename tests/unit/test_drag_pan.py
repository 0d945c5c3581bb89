"""The loupe's and compare's shared gesture: a click, or a drag past the slop."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from curator.ui.loupe.drag_pan import DRAG_SLOP, DragPan
from curator.ui.loupe.zoom import Point, Zoom

AT_100 = Zoom(1.0, Point(0.3, 0.7))


def test_a_press_that_barely_moves_is_a_click() -> None:
    drag = DragPan()
    drag.start(QPointF(100, 100), AT_100)
    assert drag.move(QPointF(100 + DRAG_SLOP, 100)) == (None, False)  # 4 px: still a click
    assert drag.finish() is True
    assert drag.finish() is None  # nothing pressed any more


def test_past_the_slop_it_is_a_drag_from_the_press() -> None:
    drag = DragPan()
    drag.start(QPointF(100, 100), AT_100)
    delta, began = drag.move(QPointF(103, 103))  # manhattan 6 > slop
    assert began and delta == QPointF(3, 3)
    delta, began = drag.move(QPointF(90, 120))  # later moves: still measured from the press
    assert not began and delta == QPointF(-10, 20)
    assert drag.press_zoom == AT_100  # what the drag is measured from
    assert drag.finish() is False
    assert drag.move(QPointF(0, 0)) == (None, False)
