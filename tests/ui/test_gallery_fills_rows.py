"""The grid's cells stretch so a row fills the width (issue 19 §1, as in
Lightroom's and Photo Mechanic's grids): no gutter of unused pixels at the
right of the thumbnails, and the size slider still sets about how big they are."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.app import App
from curator.ui.gallery.view import fitted_cell_width
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_library


def test_cells_of_the_wanted_width_share_the_row() -> None:
    assert fitted_cell_width(1100, 212) == 219  # 5 columns of 219, not 5 of 212 + 40 px
    assert fitted_cell_width(1061, 212) == 212  # exactly 5 columns and Qt's spare pixel
    assert fitted_cell_width(1060, 212) == 264  # 5 of 212 would wrap: 4 columns
    assert fitted_cell_width(424, 212) == 423  # one column that is almost two
    assert fitted_cell_width(150, 212) == 212  # narrower than a cell: the wanted width
    for row in range(213, 3000, 37):
        width = fitted_cell_width(row, 212)
        columns = (row - 1) // width
        assert width >= 212 and 1 <= row - columns * width <= columns  # no gutter, no wrap


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
        assert row - columns * cell <= columns, (width, cell)  # the row is filled
    view.set_cell_width(400)  # the slider still decides the size
    assert view.gridSize().width() >= 400 and view.wanted_cell_width == 400


def test_a_row_the_cells_fill_exactly_keeps_all_its_columns(
    tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    """Where the columns fill the row to the pixel (1,300 px: 6 cells of 212 px
    stretched), the grid lays out as many columns as `fitted_cell_width`
    counted: Qt's list view wraps an item whose right edge reaches the
    viewport's, which left the last column's cell on the next row and a
    gutter at the right."""
    lib = tmp_path / "twelve"
    make_library(lib, 12)
    import_json(lib, "--stages", "technical")
    app.model.refresh()
    view = app.window.gallery
    app.window.show_gallery()
    view.set_cell_width(212)
    qtbot.waitUntil(lambda: app.model.rowCount() == 12, timeout=10_000)
    app.window.show()
    for width in range(1290, 1312):
        app.window.resize(width, 400)  # two rows of cells: the scroll bar shows
        qtbot.waitUntil(lambda w=width: app.window.width() == w, timeout=10_000)
        view.doItemsLayout()
        assert view.verticalScrollBar().maximum() > 0, "the scroll bar shows"
        cell = view.gridSize().width()
        row = view.width() - 2 * view.frameWidth() - view.verticalScrollBar().sizeHint().width()
        columns = row // cell
        assert row - columns * cell <= columns  # the row is filled
        first_row_y = view.visualRect(app.model.index(0)).y()
        laid_out = sum(
            1 for r in range(12) if view.visualRect(app.model.index(r)).y() == first_row_y
        )
        assert laid_out == columns, (width, cell, laid_out, columns)
