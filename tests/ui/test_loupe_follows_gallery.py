"""Issue 12 §1: the loupe walks what the gallery shows, in its order; the
decision keys act on the grid's selection as one undo step; a star rating
keeps; failed photos stay out of the passes; color labels 6–9; clickable
flags and stars on tiles and in the loupe footer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import decision_state, set_cull, set_label
from curator.catalog.models import CullState, Photo
from curator.catalog.queries import GalleryFilter, GallerySort
from curator.pipeline.stages.score import review_order
from curator.records import ColorLabel
from curator.ui.gallery.view import TILE_STRIP, strip_origin
from curator.ui.loupe.view import FOOTER_STRIP
from curator.ui.review.decision_strip import strip_targets
from tests.ui.step_helpers import steps_done

WAIT = 60_000


def _by_name() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def _good() -> list[int]:
    names = _by_name()
    return [names[f"IMG_{i:04d}.jpg"] for i in range(8)]


def _select(app: App, ids: list[int]) -> None:
    view, model = app.window.gallery, app.model
    selection = QItemSelection()
    for pid in ids:
        row = model.row_for(pid)
        assert row is not None
        selection.select(model.index(row), model.index(row))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    view.selectionModel().select(selection, flags)
    first = model.row_for(ids[0])
    assert first is not None
    view.selectionModel().setCurrentIndex(
        model.index(first), QItemSelectionModel.SelectionFlag.NoUpdate
    )


def test_the_loupe_walks_the_filtered_sorted_gallery(library: Path, app: App, qtbot: QtBot) -> None:
    p = _good()
    window, model, session = app.window, app.model, app.session
    for pid in (p[6], p[1], p[4]):
        set_label(pid, "red")
    set_cull(p[3], CullState.KEPT)
    bar = window.filter_bar
    bar.label_combo.setCurrentIndex(bar.label_combo.findData("red"))
    assert model.ids == [p[1], p[4], p[6]]  # capture order, only the red ones

    window.gallery.setCurrentIndex(model.index(1))
    window.gallery.setFocus()
    qtbot.keyClick(window.gallery, Qt.Key.Key_E)
    qtbot.waitUntil(window.loupe.view.hasFocus, timeout=WAIT)
    assert session.order == [p[1], p[4], p[6]] and session.current == p[4]
    assert session.position_text == "Cull pass: 2 / 3"
    qtbot.keyClick(window.loupe.view, Qt.Key.Key_X)  # reject, next: p[6]
    assert session.current == p[6] and session.position_text == "Cull pass: 3 / 3"
    assert window.pass_label.text().strip() == "Cull pass: 3 / 3"

    # The cull pass in the grid: Unreviewed, sorted likeliest rejects first
    # (the pass's order) until the user picks a sort; the loupe walks it.
    qtbot.keyClick(window.loupe.view, Qt.Key.Key_G)
    bar.label_combo.setCurrentIndex(0)
    bar.show_state(GalleryFilter.UNREVIEWED)
    assert bar.sort_combo.currentData() == GallerySort.LIKELY_REJECTS.value
    failed = [int(x.id) for x in Photo.select() if x.id not in p]
    assert model.ids == review_order("cull", "")
    assert p[3] not in model.ids and p[4] not in model.ids and failed[0] not in model.ids
    window.gallery.setCurrentIndex(model.index(0))
    qtbot.keyClick(window.gallery, Qt.Key.Key_E)
    qtbot.waitUntil(window.loupe.view.hasFocus, timeout=WAIT)
    assert session.order == model.ids and session.position_text.endswith(f"1 / {len(p) - 2}")

    # A star rating in the cull pass keeps the photo: Tab shows the rating
    # pass (Kept, by capture time) in the grid and the loupe walks it.
    rated = session.current
    qtbot.keyClick(window.loupe.view, Qt.Key.Key_3)
    assert decision_state(rated).cull is CullState.KEPT
    qtbot.keyClick(window.loupe.view, Qt.Key.Key_Tab)
    assert bar.state is GalleryFilter.KEPT
    assert bar.sort_combo.currentData() == GallerySort.CAPTURE_TIME.value
    assert session.pass_.value == "rating" and rated in session.order
    assert session.order == model.ids == sorted([p[3], rated], key=p.index)

    # A sort the user picked stays when the state changes.
    bar.sort_combo.setCurrentIndex(bar.sort_combo.findData(GallerySort.RATING.value))
    bar.sort_combo.activated.emit(bar.sort_combo.currentIndex())
    bar.show_state(GalleryFilter.UNREVIEWED)
    assert bar.sort_combo.currentData() == GallerySort.RATING.value


def test_grid_keys_decide_the_selection_in_one_undo_step(
    library: Path, app: App, qtbot: QtBot
) -> None:
    p = _good()
    window, session = app.window, app.session
    said: list[str] = []
    session.notice.connect(said.append)
    set_cull(p[2], CullState.REJECTED)
    _select(app, [p[0], p[1], p[2]])
    window.gallery.setFocus()
    qtbot.waitUntil(window.gallery.hasFocus, timeout=WAIT)

    qtbot.keyClick(window.gallery, Qt.Key.Key_3)
    states = [decision_state(pid) for pid in p[:3]]
    assert [s.rating for s in states] == [3, 3, 3]
    # A rating keeps an unreviewed photo, never a rejected one.
    assert [s.cull for s in states] == [CullState.KEPT, CullState.KEPT, CullState.REJECTED]
    assert decision_state(p[3]).rating is None  # not selected

    qtbot.keyClick(window.gallery, Qt.Key.Key_6)  # red label on all three
    assert all(decision_state(pid).label is ColorLabel.RED for pid in p[:3])
    qtbot.waitUntil(lambda: app.model.photo_row(app.model.row_for(p[0]) or 0) is not None)
    row = app.model.photo_row(app.model.row_for(p[0]) or 0)
    assert row is not None and row.label == "red"  # the tile shows it
    qtbot.keyClick(window.gallery, Qt.Key.Key_6)  # all red: the key takes it off
    assert all(decision_state(pid).label is None for pid in p[:3])

    window.dispatch("undo")  # the label removal, as one step
    steps_done(app.session, qtbot)
    assert all(decision_state(pid).label is ColorLabel.RED for pid in p[:3])
    assert said[-1] == "Undone: label removal of 3 photos."
    window.dispatch("undo")
    window.dispatch("undo")  # the rating, with the keeps, as one step
    steps_done(app.session, qtbot)
    assert said[-1] == "Undone: 3★ rating of 3 photos."
    assert [decision_state(pid).rating for pid in p[:3]] == [None, None, None]
    assert decision_state(p[0]).cull is CullState.UNREVIEWED

    # Purple has no key: Edit ▸ Color Label, on the selection.
    purple = next(a for a in window.label_menu.actions() if a.text().startswith("Purple"))
    purple.trigger()
    assert all(decision_state(pid).label is ColorLabel.PURPLE for pid in p[:3])

    # The filter bar finds them by label.
    bar = window.filter_bar
    bar.label_combo.setCurrentIndex(bar.label_combo.findData("purple"))
    assert sorted(app.model.ids) == sorted(p[:3])
    bar.label_combo.setCurrentIndex(bar.label_combo.findData("none"))
    assert not set(app.model.ids) & set(p[:3]) and p[4] in app.model.ids


def test_stars_and_flags_are_clickable_on_tiles_and_in_the_loupe(
    library: Path, app: App, qtbot: QtBot
) -> None:
    p = _good()
    window, model = app.window, app.model
    window.gallery.scrollToTop()
    index = model.index(model.row_for(p[0]) or 0)
    rect = window.gallery.visualRect(index)
    left, center_y = strip_origin(rect)
    spots = {t.name: t.rect.center().toPoint() for t in strip_targets(left, center_y, TILE_STRIP)}
    viewport = window.gallery.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=spots["star_4"])
    assert decision_state(p[0]).rating == 4
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=spots["flag_reject"])
    assert decision_state(p[0]).cull is CullState.REJECTED
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=spots["flag_reject"])
    assert decision_state(p[0]).cull is CullState.UNREVIEWED  # a second click clears

    window.show_loupe(p[1])
    view = window.loupe.view
    qtbot.waitUntil(lambda: view.painted_photo_id == p[1], timeout=WAIT)
    strip = view.footer_strip()
    spots = {
        t.name: t.rect.center().toPoint()
        for t in strip_targets(strip.left(), strip.center().y(), FOOTER_STRIP)
    }
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=spots["flag_pick"])
    assert decision_state(p[1]).picked and decision_state(p[1]).cull is CullState.KEPT
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=spots["star_2"])
    assert decision_state(p[1]).rating == 2
    assert not view.zoomed  # a click on the strip is not a click on the photo
    assert isinstance(spots["star_2"], QPoint)


def test_the_help_names_the_label_keys_and_fits_a_small_screen() -> None:
    from curator.ui.review.help_overlay import help_line_height
    from curator.ui.review.keymap import LOUPE_BINDINGS, WINDOW_BINDINGS, help_rows

    rows = help_rows()
    assert ("6 – 9", "red, yellow, green, blue label on/off", "same") in rows
    bindings = len(LOUPE_BINDINGS) + len(WINDOW_BINDINGS)
    # 1–5, 6–9, → ← Home End W, Z = -, H / J / Shift+P, F / Shift+Tab, C / Shift+C,
    # O / Shift+Z, undo/redo, the rotations, Shift+U / Shift+A, search / the tag
    # cloud / the People view / the duplicates and the thumbnail sizes: a row each.
    assert len(rows) == bindings - 25
    # A 768 px screen leaves the window ~700 px: the table and notes fit at ≥ 16 px a line.
    assert help_line_height(700) >= 16


def test_an_import_batch_reaches_the_loupe_and_the_pass_count(
    library: Path, app: App, qtbot: QtBot, tmp_path: Path
) -> None:
    from tests.integration.cli_helpers import import_json
    from tests.ui.conftest import make_library

    window, session = app.window, app.session
    window.show_loupe(_good()[0])
    assert session.position_text == "Cull pass: 1 / 9"
    more = tmp_path / "more"
    make_library(more, 3, first=20)
    assert import_json(more, "--stages", "technical")["new"] == 3
    window.show()  # on screen (the in-process CLI run above leaves it hidden)
    qtbot.waitExposed(window)
    view = window.loupe.view
    qtbot.waitUntil(lambda: view.painted_caption.endswith("Cull pass: 1 / 9"), timeout=WAIT)
    qtbot.wait(300)  # the window's first paints are done
    fresh = [pid for name, pid in _by_name().items() if name.startswith("IMG_002")]
    app.pipeline.photos_changed.emit(fresh)  # the last batch of a live import
    assert session.order[-3:] == sorted(fresh, key=session.order.index)
    assert window.pass_label.text().strip() == "Cull pass: 1 / 12"
    assert view.caption.endswith("Cull pass: 1 / 12")  # the loupe's too, at once
    # and on screen: the photo did not change, but its footer is repainted
    qtbot.waitUntil(lambda: view.painted_caption.endswith("Cull pass: 1 / 12"), timeout=WAIT)
