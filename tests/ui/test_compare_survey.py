"""Compare with synchronised zoom and pan (Z zooms both at the same point,
dragging one pans both), and the survey (N): 2–9 photos side by side, the
keys acting on the active one, a rejected photo leaving the survey."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QPoint, QRectF, Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Photo
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name, save_shot


def _same(a: QRectF, b: QRectF, tol: float = 0.004) -> bool:
    return all(
        abs(x - y) <= tol
        for x, y in zip(
            (a.left(), a.top(), a.width(), a.height()),
            (b.left(), b.top(), b.width(), b.height()),
            strict=True,
        )
    )


def test_z_in_compare_zooms_both_at_the_same_point_and_a_drag_pans_both(
    library: Path, qtbot: QtBot
) -> None:
    with loupe_harness(qtbot) as h:
        page, compare = h.page, h.page.compare
        qtbot.keyClick(page.view, Qt.Key.Key_C)
        assert page.comparing
        whole = QRectF(0, 0, 1, 1)
        assert _same(compare.visible_region(0), whole) and _same(compare.visible_region(1), whole)

        # Z with the pointer over the candidate, off-centre: that point stays put.
        area = compare.photo_areas()[1]
        at = QPoint(int(area.left() + area.width() * 0.3), int(area.top() + area.height() * 0.4))
        fit = compare.image_rect(1)
        nx = (at.x() - fit.left()) / fit.width()
        qtbot.mouseMove(compare, at)
        qtbot.waitUntil(lambda: compare._mouse is not None, timeout=30_000)
        qtbot.keyClick(compare, Qt.Key.Key_Z)
        assert compare.zoomed and page.comparing  # Z no longer refuses in compare
        left, right = compare.visible_region(0), compare.visible_region(1)
        assert left.width() < 1 and _same(left, right)
        zoomed = compare.image_rect(1)
        assert abs((at.x() - zoomed.left()) / zoomed.width() - nx) < 0.01

        # Drag the left pane: both move by the same amount.
        start = compare.photo_areas()[0].center().toPoint()
        qtbot.mousePress(compare, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(compare, start + QPoint(-60, -30))
        qtbot.mouseRelease(compare, Qt.MouseButton.LeftButton, pos=start + QPoint(-60, -30))
        moved_left, moved_right = compare.visible_region(0), compare.visible_region(1)
        assert not _same(moved_left, left) and _same(moved_left, moved_right)
        assert moved_left.left() > left.left()  # dragged left: shows more to the right
        compare.pan_by(25, 10)  # panning programmatically keeps them together too
        assert _same(compare.visible_region(0), compare.visible_region(1))
        save_shot(page, "compare-zoomed")

        # The zoom survives moving to the next pair, still synchronised.
        qtbot.keyClick(compare, Qt.Key.Key_Right)
        assert compare.zoomed and _same(compare.visible_region(0), compare.visible_region(1))
        qtbot.keyClick(compare, Qt.Key.Key_Escape)  # first back to fit, still comparing
        assert not compare.zoomed and page.comparing
        qtbot.keyClick(compare, Qt.Key.Key_Escape)
        assert not page.comparing


def _select(app: App, ids: list[int]) -> None:
    gallery, model = app.window.gallery, app.window.model
    selection = gallery.selectionModel()
    selection.clearSelection()
    for pid in ids:
        row = model.row_for(pid)
        assert row is not None
        selection.select(model.index(row), QItemSelectionModel.SelectionFlag.Select)


def test_survey_decides_the_active_photo_and_drops_the_rejected(
    library: Path, qtbot: QtBot, app: App
) -> None:
    ids = photo_ids_by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    window, page = app.window, app.window.loupe
    survey, view = page.survey, page.survey_view
    qtbot.waitUntil(lambda: window.model.rowCount() >= 8, timeout=30_000)
    window.show_gallery()

    _select(app, [p[0]])
    qtbot.keyClick(window.gallery, Qt.Key.Key_N)
    assert not survey.active_mode and "2–9" in window.statusBar().currentMessage()

    chosen = [p[1], p[3], p[4], p[6]]
    _select(app, chosen)
    qtbot.keyClick(window.gallery, Qt.Key.Key_N)
    assert survey.active_mode and window.stack.currentWidget() is page
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    in_gallery_order = sorted(chosen, key=lambda pid: window.model.row_for(pid) or 0)
    view.repaint()
    assert view.painted_ids == in_gallery_order and view.painted_active == in_gallery_order[0]
    assert app.session.position_text.startswith("Survey")

    qtbot.keyClick(view, Qt.Key.Key_Right)  # arrows move the active photo
    assert app.session.current == in_gallery_order[1]
    qtbot.keyClick(view, Qt.Key.Key_3)  # a key acts on the active photo, which stays
    assert Photo.get_by_id(in_gallery_order[1]).rating == 3
    assert app.session.current == in_gallery_order[1]

    # A click makes a photo active; X rejects it and it leaves the survey.
    third = view.cell_rects()[2].center().toPoint()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=third)
    assert app.session.current == in_gallery_order[2]
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert Photo.get_by_id(in_gallery_order[2]).cull == "rejected"
    qtbot.waitUntil(lambda: in_gallery_order[2] not in survey.ids, timeout=30_000)
    remaining = [in_gallery_order[i] for i in (0, 1, 3)]
    assert survey.ids == remaining
    view.repaint()
    assert view.painted_ids == remaining
    assert app.session.current == in_gallery_order[3]  # the one after the rejected
    for pid in chosen:
        if pid != in_gallery_order[2]:
            assert Photo.get_by_id(pid).cull != "rejected"
    qtbot.waitUntil(lambda: all(view.painted_ids) and view.isVisible(), timeout=30_000)
    save_shot(window, "survey")

    # Esc returns to the loupe, at the photo last active, walking what it walked before.
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not survey.active_mode and page.view.isVisible()
    assert app.session.current == in_gallery_order[3]
    assert app.session.scope_label != "Survey" and len(app.session.order) > len(remaining)


def test_a_survey_larger_than_the_preview_cache_shows_every_preview(
    library: Path, qtbot: QtBot, app: App
) -> None:
    """8 photos surveyed, the preview loader keeps 7: the survey holds what it saw."""
    ids = photo_ids_by_name()
    chosen = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    window, page = app.window, app.window.loupe
    assert page.previews.capacity < len(chosen)
    qtbot.waitUntil(lambda: window.model.rowCount() >= 8, timeout=30_000)
    window.show_gallery()
    _select(app, chosen)
    qtbot.keyClick(window.gallery, Qt.Key.Key_N)
    assert page.survey.active_mode and len(page.survey.ids) == 8

    def all_shown() -> bool:  # previews (480 px), not the 200 px thumbnails standing in
        panes = page.survey_view.panes
        return len(panes) == 8 and all(p.pixmap and p.pixmap.width() > 200 for p in panes)

    qtbot.waitUntil(all_shown, timeout=60_000)
    qtbot.keyClick(page.survey_view, Qt.Key.Key_Down)  # ↓: a row down (4 columns)
    assert app.session.current == page.survey.ids[page.survey_view.columns]
    qtbot.keyClick(window.loupe.survey_view, Qt.Key.Key_G)  # the grid: the survey ends
    assert not page.survey.active_mode and app.session.scope_label != "Survey"
