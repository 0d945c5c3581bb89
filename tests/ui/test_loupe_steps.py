"""Issue 19 §2: zoom steps beside fit and 100 % (= / + in, - out, Ctrl+wheel at
the pointer: fit → fill → 50 % → 100 % → 200 %), the mouse wheel steps through
the photos and Home / End go to the first and last photo of the pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.ui.loupe.view import LoupeView
from tests.ui.loupe_harness import imported_photos, loupe_harness


@pytest.fixture
def wide_library(tmp_path: Path) -> Path:
    return imported_photos(tmp_path / "wide", "WIDE", 4, width=2400, height=2400)


def _wheel(view: LoupeView, dy: int, ctrl: bool = False) -> None:
    pos = QPointF(view.width() / 2, view.height() / 2)
    event = QWheelEvent(
        pos,
        view.mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, dy),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view, event)


def test_zoom_steps_wheel_and_home_end(wide_library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view, session = h.page.view, h.session
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        labels = []
        for _ in range(5):
            qtbot.keyClick(view, Qt.Key.Key_Equal)
            labels.append(view.zoom.label)
        # A square photo in a wide area: fill (~37 %) crops it below 50 %; 200 % is the top.
        assert labels == ["Fill", "50 %", "100 %", "200 %", "200 %"]
        assert view.scale() * view.devicePixelRatioF() == pytest.approx(2.0)
        qtbot.keyClick(view, Qt.Key.Key_Minus)
        assert view.zoom.label == "100 %"
        for _ in range(4):
            qtbot.keyClick(view, Qt.Key.Key_Minus)
        assert view.zoom.fitted
        # Fill covers the photo area (cropped along the long edge).
        qtbot.keyClick(view, Qt.Key.Key_Equal)
        rect, area = view.image_rect(), view.photo_area()
        assert rect.contains(area) or (
            rect.height() >= area.height() - 0.5 and rect.width() >= area.width() - 0.5
        )
        qtbot.keyClick(view, Qt.Key.Key_Escape)
        assert view.zoom.fitted
        # Ctrl+wheel zooms a step; the plain wheel walks the photos (down: next).
        _wheel(view, 120, ctrl=True)
        assert view.zoom.label == "Fill"
        _wheel(view, -120, ctrl=True)
        assert view.zoom.fitted
        first = session.current
        _wheel(view, -120)
        assert session.index == 1
        _wheel(view, -60)  # half a notch (a touchpad): nothing yet ...
        assert session.index == 1
        _wheel(view, -60)  # ... the second half makes a step
        assert session.index == 2
        _wheel(view, 120)
        assert session.index == 1
        qtbot.keyClick(view, Qt.Key.Key_End)
        assert session.index == len(session.order) - 1
        qtbot.keyClick(view, Qt.Key.Key_Home)
        assert session.current == first
        assert not any("End of" in n for n in h.notices)
