"""The grid's cells stretch so a row fills the width (issue 19 §1, as in
Lightroom's and Photo Mechanic's grids): no gutter of unused pixels at the
right of the thumbnails, and the size slider still sets about how big they are."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from curator.app import App
from curator.ui.gallery.view import fitted_cell_width


def test_cells_of_the_wanted_width_share_the_row() -> None:
    assert fitted_cell_width(1100, 212) == 220  # 5 columns of 220, not 5 of 212 + 40 px
    assert fitted_cell_width(1060, 212) == 212  # exactly 5 columns
    assert fitted_cell_width(423, 212) == 423  # one column that is almost two
    assert fitted_cell_width(150, 212) == 212  # narrower than a cell: the wanted width
    for row in range(212, 3000, 37):
        width = fitted_cell_width(row, 212)
        columns = row // width
        assert width >= 212 and 0 <= row - columns * width < columns  # no gutter


def test_the_grid_has_no_gutter_at_the_right(app: App, qtbot: QtBot) -> None:
    view = app.window.gallery
    app.window.show_gallery()
    view.set_cell_width(212)
    for width in (1280, 1111, 1920):
        view.resize(width, 600)
        qtbot.waitUntil(lambda w=width: view.width() == w, timeout=10_000)
        cell = view.gridSize().width()
        row = view.width() - 2 * view.frameWidth() - view.verticalScrollBar().sizeHint().width()
        columns = row // cell
        assert cell >= 212
        assert row - columns * cell < columns, (width, cell)  # the row is filled
    view.set_cell_width(400)  # the slider still decides the size
    assert view.gridSize().width() >= 400 and view.wanted_cell_width == 400
