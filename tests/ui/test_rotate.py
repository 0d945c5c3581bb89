"""Ctrl+[ / Ctrl+] (Lightroom's keys) turn the loupe's photo 90° left / right at
once, non-destructively (issue 19 §2): the painted picture's aspect flips, the
catalog holds the turn, Ctrl+Z turns it back; in the grid they turn the
selection's tiles, as one undo step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Photo
from curator.ui.gallery.listing import thumbnail_key
from tests.ui.step_helpers import steps_done

CTRL = Qt.KeyboardModifier.ControlModifier


def _shown_portrait(app: App) -> bool | None:
    """Whether the loupe paints its photo taller than wide (None: nothing yet)."""
    view = app.window.loupe.view
    view.repaint()
    pixmap, rect = view.pixmap, view.image_rect()
    if pixmap is None or pixmap.isNull() or rect.isEmpty():
        return None
    portrait = pixmap.height() > pixmap.width()
    assert portrait == (rect.height() > rect.width())  # the picture and its frame agree
    return portrait


def test_ctrl_brackets_turn_the_loupe_photo_and_undo_turns_it_back(
    library: Path, app: App, qtbot: QtBot
) -> None:
    app.window.show_loupe()
    view = app.window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=30_000)
    qtbot.waitUntil(lambda: _shown_portrait(app) is False, timeout=30_000)
    pid = app.session.current
    assert pid is not None
    original = Path(app.window.loupe.view.photo.path).read_bytes()  # type: ignore[union-attr]

    qtbot.keyClick(view, Qt.Key.Key_BracketRight, CTRL)
    assert Photo.get_by_id(pid).rotation == 1 and app.session.current == pid  # stays
    qtbot.waitUntil(lambda: _shown_portrait(app) is True, timeout=10_000)

    qtbot.keyClick(view, Qt.Key.Key_BracketLeft, CTRL)
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft, CTRL)
    assert Photo.get_by_id(pid).rotation == 3
    qtbot.waitUntil(lambda: _shown_portrait(app) is True, timeout=10_000)

    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # undo the second left turn: upright
    steps_done(app.session, qtbot)
    assert Photo.get_by_id(pid).rotation == 0
    qtbot.waitUntil(lambda: _shown_portrait(app) is False, timeout=10_000)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # undo the first left turn: right again
    steps_done(app.session, qtbot)
    assert Photo.get_by_id(pid).rotation == 1
    qtbot.waitUntil(lambda: _shown_portrait(app) is True, timeout=10_000)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # undo the right turn
    steps_done(app.session, qtbot)
    assert Photo.get_by_id(pid).rotation == 0
    qtbot.waitUntil(lambda: _shown_portrait(app) is False, timeout=10_000)
    assert Path(view.photo.path).read_bytes() == original  # type: ignore[union-attr]


def test_grid_keys_turn_the_selected_tiles_in_one_undo_step(
    library: Path, app: App, qtbot: QtBot
) -> None:
    names = {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}
    p = [names[f"IMG_{i:04d}.jpg"] for i in range(3)]
    window, model = app.window, app.model
    qtbot.waitUntil(lambda: all(model.row_for(pid) is not None for pid in p), timeout=30_000)
    selection = QItemSelection()
    for pid in p[:2]:
        row = model.row_for(pid)
        assert row is not None
        selection.select(model.index(row), model.index(row))
    window.gallery.selectionModel().select(
        selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    window.gallery.setFocus()
    qtbot.waitUntil(window.gallery.hasFocus, timeout=30_000)

    qtbot.keyClick(window.gallery, Qt.Key.Key_BracketLeft, CTRL)
    assert [Photo.get_by_id(pid).rotation for pid in p] == [3, 3, 0]

    def tile_turns(pid: int) -> int | None:
        row = model.photo_row(model.row_for(pid) or 0)
        key = None if row is None else thumbnail_key(row)
        return None if key is None else key.rotation

    # the tiles ask for their thumbnails turned (ImageKey.rotation), the third does not
    qtbot.waitUntil(lambda: [tile_turns(pid) for pid in p] == [3, 3, 0], timeout=10_000)
    window.dispatch("undo")  # both, as one step
    steps_done(app.session, qtbot)
    assert [Photo.get_by_id(pid).rotation for pid in p] == [0, 0, 0]
    qtbot.waitUntil(lambda: [tile_turns(pid) for pid in p] == [0, 0, 0], timeout=10_000)


def test_compare_shows_a_turned_candidate_turned(library: Path, app: App, qtbot: QtBot) -> None:
    app.window.show_loupe()
    page = app.window.loupe
    view, compare = page.view, page.compare
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=30_000)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_BracketRight, CTRL)  # turn the second photo
    turned_id = app.session.current
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_C)  # compare: the first | the turned one
    assert page.comparing

    def panes_portrait() -> tuple[bool, bool] | None:
        compare.repaint()
        if compare.painted_ids[1] != turned_id:
            return None
        shapes = []
        for pane in (compare.left, compare.right):
            size = compare._size(pane)
            if pane.pixmap is None or pane.pixmap.isNull() or size is None:
                return None
            portrait = pane.pixmap.height() > pane.pixmap.width()
            assert portrait == (size.height() > size.width())  # picture and frame agree
            shapes.append(portrait)
        return shapes[0], shapes[1]

    qtbot.waitUntil(lambda: panes_portrait() == (False, True), timeout=10_000)


def test_at_100_percent_the_original_is_decoded_turned(
    library: Path, app: App, qtbot: QtBot
) -> None:
    app.window.show_loupe()
    view = app.window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=30_000)
    qtbot.waitUntil(lambda: _shown_portrait(app) is False, timeout=30_000)
    qtbot.keyClick(view, Qt.Key.Key_Z)  # 100 %: the original's pixels

    def original_shape() -> tuple[int, int] | None:
        view.repaint()
        full = view.full_image
        if not view.painted_full_resolution or full is None:
            return None
        return full.width(), full.height()

    qtbot.waitUntil(lambda: original_shape() is not None, timeout=30_000)
    shape = original_shape()
    assert shape is not None and shape[0] > shape[1]
    qtbot.keyClick(view, Qt.Key.Key_BracketRight, CTRL)  # turned while zoomed: decoded again
    qtbot.waitUntil(lambda: original_shape() == (shape[1], shape[0]), timeout=30_000)
    size = view.image_size()
    assert size is not None and (size.width(), size.height()) == (shape[1], shape[0])


def test_the_rotate_keys_never_fire_while_typing_a_tag(
    library: Path, app: App, qtbot: QtBot
) -> None:
    app.window.show_loupe()
    page = app.window.loupe
    qtbot.waitUntil(lambda: page.view.hasFocus(), timeout=30_000)
    pid = app.session.current
    field = page.panel.tags.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=30_000)
    qtbot.keyClick(field, Qt.Key.Key_BracketRight, CTRL)
    qtbot.keyClick(field, Qt.Key.Key_BracketLeft, CTRL)
    assert Photo.get_by_id(pid).rotation == 0
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus, timeout=30_000)
    qtbot.keyClick(page.view, Qt.Key.Key_BracketRight, CTRL)  # the same key on the photo
    assert Photo.get_by_id(pid).rotation == 1
