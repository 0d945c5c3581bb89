"""The ? help overlay never clips its text (issue 19 §4): at 1280, 1366 and
1920 px every key, cull-pass and rating-pass text fits its column, at a
readable size; the overlay paints without error at each."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from curator.ui.review.help_overlay import (
    HELP_MIN_PIXELS,
    HelpOverlay,
    help_layout,
    help_line_height,
)
from curator.ui.review.keymap import help_rows


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1366, 768), (1920, 1080)])
def test_every_help_cell_fits_its_column(qtbot: QtBot, width: int, height: int) -> None:
    rows = [("Key", "Cull pass", "Rating pass"), *help_rows()]
    font = QFont(QApplication.font())
    font.setPixelSize(min(15, help_line_height(height) - 4))
    body, widths = help_layout(font, rows, min(width - 40, 1200))
    assert body.pixelSize() >= max(HELP_MIN_PIXELS, 11)  # still readable
    assert sum(widths) == min(width - 40, 1200)
    bold = QFont(body)
    bold.setBold(True)
    for i, cells in enumerate(rows):
        metrics = QFontMetrics(bold if i == 0 else body)
        for text, column in zip(cells, widths, strict=True):
            assert metrics.horizontalAdvance(text) <= column - 8, (text, column)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(width, height)
    overlay = HelpOverlay(parent)
    overlay.toggle()
    shot = overlay.grab()  # paints
    assert shot.width() == width
