"""A real keyboard session on the loupe: cull, reject, rate, pick, undo, redo —
then the Photo rows and the Decision log are checked in the catalog."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import decision_log
from curator.catalog.models import Decision, Photo
from curator.catalog.queries import GalleryFilter
from curator.ui.gallery.listing import preview_key
from tests.ui.step_helpers import steps_done

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _by_name() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def _state(pid: int) -> tuple[str, int | None, bool]:
    p = Photo.get_by_id(pid)
    return (p.cull, p.rating, bool(p.picked))


def _open_loupe(app: App, qtbot: QtBot) -> None:
    app.window.show_loupe()
    view = app.window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=30_000)


def test_cull_then_rate_with_undo_and_redo(library: Path, app: App, qtbot: QtBot) -> None:
    ids = _by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    _open_loupe(app, qtbot)
    session, view = app.session, app.window.loupe.view
    assert session.pass_ == "cull" and session.current == p[0]

    def key(k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(view, k, mods)
        steps_done(session, qtbot)  # undo and redo are written on the step queue's worker

    key(Qt.Key.Key_P)  # keep + advance
    assert _state(p[0]) == ("kept", None, False) and session.current == p[1]
    key(Qt.Key.Key_X)  # reject + advance
    key(Qt.Key.Key_R)  # R rejects too
    key(Qt.Key.Key_P)
    assert session.current == p[4]
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Left)
    key(Qt.Key.Key_P)
    assert session.current == p[5]
    key(Qt.Key.Key_3)  # rate and stay; a star rating in the cull pass also keeps
    assert session.current == p[5] and _state(p[5]) == ("kept", 3, False)
    key(Qt.Key.Key_Space)
    key(Qt.Key.Key_X)
    key(Qt.Key.Key_Left)
    key(Qt.Key.Key_U)  # clear the reject again
    assert _state(p[6]) == ("unreviewed", None, False)

    key(Qt.Key.Key_Tab)  # rating pass: the kept photos, by capture time
    assert session.pass_ == "rating" and session.order == [p[0], p[3], p[4], p[5]]
    key(Qt.Key.Key_5)
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_4)
    key(Qt.Key.Key_P)  # pick toggle: on
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_2)
    assert _state(p[4]) == ("kept", 2, False)
    key(Qt.Key.Key_0)  # clear the rating
    key(Qt.Key.Key_1)
    key(Qt.Key.Key_Z, CTRL)  # undo the 1
    assert _state(p[4]) == ("kept", None, False)
    key(Qt.Key.Key_Z, CTRL)  # undo the clear
    assert _state(p[4]) == ("kept", 2, False)
    key(Qt.Key.Key_Z, CTRL)  # undo the 2
    key(Qt.Key.Key_Z, CTRL)  # undo the pick of p3: the loupe goes back to it
    assert _state(p[3]) == ("kept", 4, False) and session.current == p[3]
    key(Qt.Key.Key_Z, CTRL | SHIFT)  # redo the pick
    assert _state(p[3]) == ("kept", 4, True)

    assert [_state(pid) for pid in p] == [
        ("kept", 5, False),
        ("rejected", None, False),
        ("rejected", None, False),
        ("kept", 4, True),
        ("kept", None, False),
        ("kept", 3, False),
        ("unreviewed", None, False),
        ("unreviewed", None, False),
    ]
    log = [(d["photo_id"], d["kind"], d["old"], d["new"], d["pass"]) for d in decision_log()]
    cull, rating = "cull", "rating"
    assert log == [
        (p[0], "cull", "unreviewed", "kept", cull),
        (p[1], "cull", "unreviewed", "rejected", cull),
        (p[2], "cull", "unreviewed", "rejected", cull),
        (p[3], "cull", "unreviewed", "kept", cull),
        (p[4], "cull", "unreviewed", "kept", cull),
        (p[5], "rating", None, "3", cull),
        (p[5], "cull", "unreviewed", "kept", cull),
        (p[6], "cull", "unreviewed", "rejected", cull),
        (p[6], "cull", "rejected", "unreviewed", cull),
        (p[0], "rating", None, "5", rating),
        (p[3], "rating", None, "4", rating),
        (p[3], "pick", "0", "1", rating),
        (p[4], "rating", None, "2", rating),
        (p[4], "rating", "2", None, rating),
        (p[4], "rating", None, "1", rating),
        # undo ×4: inverse rows pointing at the originals
        (p[4], "rating", "1", None, rating),
        (p[4], "rating", None, "2", rating),
        (p[4], "rating", "2", None, rating),
        (p[3], "pick", "1", "0", rating),
        # redo: the inverse of the last undo
        (p[3], "pick", "0", "1", rating),
    ]
    rows = list(Decision.select().order_by(Decision.id))
    assert [r.undoes_id for r in rows[:15]] == [None] * 15
    assert [r.undoes_id for r in rows[15:19]] == [
        rows[14].id,
        rows[13].id,
        rows[12].id,
        rows[11].id,
    ]
    assert rows[19].undoes_id == rows[18].id

    # The gallery shows the decisions once it is back — in the pass Tab
    # showed (the rating pass: the kept photos), then all of them.
    qtbot.keyClick(view, Qt.Key.Key_G)
    assert app.window.stack.currentWidget() is app.window.gallery
    model = app.model
    assert model.ids == [p[0], p[3], p[4], p[5]]
    app.window.filter_bar.show_state(GalleryFilter.ALL)
    row = model.photo_row(model.row_for(p[1]) or 0)
    assert row is not None and row.cull == "rejected"
    assert model.photo_row(model.row_for(p[3]) or 0).picked  # type: ignore[union-attr]
    # The retrain was scheduled (debounced), not dropped.
    assert app.retrain.pending


def test_help_overlay_and_shortcuts_never_fire_in_a_text_field(
    library: Path, app: App, qtbot: QtBot
) -> None:
    _open_loupe(app, qtbot)
    view = app.window.loupe.view
    qtbot.keyClick(view, Qt.Key.Key_Question)
    assert app.window.help.isVisible()
    qtbot.keyClick(app.window.help, Qt.Key.Key_Escape)
    assert not app.window.help.isVisible()

    qtbot.keyClick(view, Qt.Key.Key_P)  # one real decision, to see Ctrl+Z leave it alone
    assert len(decision_log()) == 1
    field = QLineEdit(app.window.loupe)  # e.g. the coming tag editor in the panel
    field.show()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=30_000)
    current = app.session.current
    for k in (Qt.Key.Key_P, Qt.Key.Key_X, Qt.Key.Key_3, Qt.Key.Key_G):
        qtbot.keyClick(field, k)
    assert field.text() == "px3g"  # typed, not decided
    qtbot.keyClick(field, Qt.Key.Key_Z, CTRL)  # the field's own undo
    assert len(decision_log()) == 1 and app.session.current == current
    assert app.window.stack.currentWidget() is app.window.loupe


def test_key_to_next_photo_painted_is_fast_with_prefetch(
    library: Path, app: App, qtbot: QtBot
) -> None:
    """Key press → the next photo painted at once from the prefetched preview.

    The time is printed, not checked: offscreen raster and tiny previews on a
    machine that may be shared say nothing about the budget, which
    tests/bench/test_ui_bench.py holds against a baseline in the same run.
    """
    _open_loupe(app, qtbot)
    loupe, view = app.window.loupe, app.window.loupe.view
    qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)

    def prefetched(photo_id: int) -> bool:
        row = loupe.row(photo_id)
        key = None if row is None else preview_key(row)
        return key is None or loupe.previews.pixmap(key) is not None

    timings = []
    for _ in range(len(app.session.order) - 2):  # the last one is the broken file
        nxt = app.session.order[app.session.index + 1]
        qtbot.waitUntil(lambda nxt=nxt: prefetched(nxt), timeout=30_000)
        t0 = time.perf_counter()
        qtbot.keyClick(view, Qt.Key.Key_Right)
        view.repaint()
        timings.append((time.perf_counter() - t0) * 1000)
        assert view.painted_photo_id == nxt and view.is_preview
    timings.sort()
    p50, worst = timings[len(timings) // 2], timings[-1]
    print(f"\nkey → next photo painted (ms): p50 {p50:.1f}, max {worst:.1f}")


def test_a_star_in_the_cull_pass_keeps_and_one_undo_takes_both_back(
    library: Path, app: App, qtbot: QtBot
) -> None:
    _open_loupe(app, qtbot)
    session, view = app.session, app.window.loupe.view
    first = session.current
    assert first is not None
    qtbot.keyClick(view, Qt.Key.Key_4)
    assert session.current == first and _state(first) == ("kept", 4, False)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    steps_done(session, qtbot)
    assert _state(first) == ("unreviewed", None, False)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    steps_done(session, qtbot)
    assert _state(first) == ("kept", 4, False)
