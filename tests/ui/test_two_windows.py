"""Two windows on one embedded (SQLite) catalog work as two studio seats do
(issue 79 §2, §4): window 1 is this process's (`running_app`), window 2 the
real app in a process of its own (tests/ui/studio_window_child.py, with its
own data folder), both the same photographer on the same machine. Each sees
the other's decisions, pressed as keys on its loupe, and each one's Ctrl+Z
undoes its own decision only."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Decision
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_library, running_app
from tests.ui.kill_session_child import KEYS
from tests.ui.test_studio_windows import SEEN_MS, SeatWindow, _a_sees, _b_sees

N = 6


def _key(app: App, qtbot: QtBot, photo_id: int, key: str) -> None:
    app.window.show_loupe(photo_id)
    view = app.window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus() and app.session.current == photo_id, timeout=SEEN_MS)
    qtbot.keyClick(view, KEYS[key])


def _on_loupe(app: App, qtbot: QtBot, photo_id: int, cull: str) -> None:
    loupe = app.window.loupe
    qtbot.waitUntil(lambda: getattr(loupe.row(photo_id), "cull", None) == cull, timeout=SEEN_MS)


def test_two_windows_see_each_other_and_undo_their_own(qtbot: QtBot, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    make_library(lib, N)
    assert import_json(lib, "--stages", "technical")["new"] == N
    catalog = str(resolve_paths().catalog_location)
    with open(tmp_path / "window2.log", "w") as log, running_app(qtbot) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == N, timeout=SEEN_MS)
        ids = app.model.ids
        other = SeatWindow(catalog, tmp_path / "home2", log, seat={})
        try:
            other.wait_ready(qtbot)
            other.press("X", ids[2])  # window 2 rejects
            _a_sees(app, qtbot, ids[2], ("rejected", None))
            _key(app, qtbot, ids[4], "X")  # window 1 rejects another
            _b_sees(other, qtbot, ids[4], ["rejected", None])
            desks = {(int(d.photo_id), d.seat_desk) for d in Decision.select()}
            assert desks == {(ids[2], "window 2"), (ids[4], "window 1")}
            # Window 1's Ctrl+Z: its own reject back, window 2's stays. (Its own
            # decisions show on its loupe; its grid catches up when shown.)
            app.session.undo()
            _on_loupe(app, qtbot, ids[4], "unreviewed")
            _b_sees(other, qtbot, ids[4], ["unreviewed", None])
            assert app.model.photo_row(app.model.row_for(ids[2]) or 0).cull == "rejected"
            # Window 2's Ctrl+Z: its own reject back.
            other.press("UNDO", ids[2])
            _a_sees(app, qtbot, ids[2], ("unreviewed", None))
            # Nothing of window 1's was undone by it: its undo went, its redo is there.
            app.session.redo()
            _on_loupe(app, qtbot, ids[4], "rejected")
            _b_sees(other, qtbot, ids[4], ["rejected", None])
        finally:
            other.close()
