"""File ▸ Watch Folder… in the real window (issue 75): the menu toggle, the
status bar's "Watching … — N arrived, last … ago", arrivals at the end of the
grid's capture-time sort without moving what the user looks at, W's follow
newest in the loupe (a jump, a jump held while deciding, a decision key
right after a jump kept for the photo it was pressed on), Cull ▸ Propose…'s
"this watch session" followed as frames arrive, and a watch left on that
goes on when the window opens again."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import decision_state
from curator.catalog.models import CullState, Photo
from curator.catalog.paths_codec import decode_path
from curator.paths import resolve_paths
from curator.pipeline.service import WATCHING_SENTENCE
from curator.ui.ingest.watch import WATCHING, WindowWatch
from curator.ui.ingest.watch_dialog import WatchChoice
from curator.ui.loupe import follow
from curator.ui.loupe.page import LoupePage
from curator.ui.window.main_window import EMPTY_CATALOG
from tests.ui.conftest import make_photo, running_app

WAIT = 60_000


def _watch(app: App) -> WindowWatch:
    watch = app.window.imports.watch
    assert watch is not None
    return watch


def _ids_by_name() -> dict[str, int]:
    return {Path(decode_path(p.path)).name: int(p.id) for p in Photo.select()}


def _start(app: App, qtbot: QtBot, folder: Path) -> WindowWatch:
    watch = _watch(app)
    watch.choose = lambda: WatchChoice(str(folder))
    assert watch.action in app.window.menus.file.actions()  # File ▸ Watch Folder…
    assert watch.action.isCheckable() and not watch.action.isChecked()
    watch.action.trigger()
    assert watch.watching and watch.action.isChecked()
    return watch


def _open_loupe(app: App, qtbot: QtBot) -> LoupePage:
    app.window.show_loupe()
    page = app.window.loupe
    qtbot.waitUntil(lambda: page.view.hasFocus() and app.session.current is not None, timeout=WAIT)
    return page


def _frame(folder: Path, i: int) -> Path:
    """A new frame, shot after the library's (capture time goes on)."""
    staged = folder.parent / f"staged-{i}.jpg"
    make_photo(staged, 100 + i)
    final = folder / f"LIVE_{i:04d}.jpg"
    staged.rename(final)  # renamed into place, as a tethering app does
    return final


def test_the_menu_toggle_the_status_bar_and_the_grid(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    with running_app(qtbot) as app:
        grid, model = app.window.gallery, app.model
        qtbot.waitUntil(lambda: model.rowCount() == 9, timeout=WAIT)
        top = model.index(0, 0)
        grid.setCurrentIndex(top)
        grid.selectionModel().select(top, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        looked_at = model.photo_id(0)
        watch = _start(app, qtbot, tether)
        label = watch.label
        assert label.isVisible() or not app.window.isVisible()
        assert label.text() == "Watching tether — 0 arrived, waiting for the first frame"
        _frame(tether, 1)
        _frame(tether, 2)
        qtbot.waitUntil(lambda: model.rowCount() == 11, timeout=WAIT)  # the tiles are in
        session = watch.session
        assert session is not None
        qtbot.waitUntil(lambda: session.count == 2, timeout=WAIT)
        qtbot.waitUntil(lambda: "2 arrived, last" in label.text(), timeout=5_000)
        assert label.text().startswith("Watching tether — 2 arrived, last ")
        # After every dated photo of the capture-time sort (the broken file has no
        # date: it stays last), in the order shot; what the user looked at has not moved.
        ids = _ids_by_name()
        order = [model.photo_id(r) for r in range(model.rowCount())]
        assert order[8:] == [ids["LIVE_0001.jpg"], ids["LIVE_0002.jpg"], ids["broken.jpg"]]
        assert grid.currentIndex().row() == 0
        assert model.photo_id(grid.currentIndex().row()) == looked_at
        assert [i.row() for i in grid.selectionModel().selectedIndexes()] == [0]
        # Another import waits for the watch to stop, and says so.
        with qtbot.waitSignal(app.errors.reported) as said:
            assert not app.window.imports.start_import(str(library))
        assert said.args == [WATCHING_SENTENCE]
        # Off: it stops; the later stages run over what came.
        with qtbot.waitSignal(app.pipeline.started, timeout=WAIT):
            watch.action.trigger()
        assert not watch.action.isChecked() and watch.session is None
        assert "Stopped watching" in label.text() or not label.isVisible()


def test_an_empty_catalogs_grid_says_it_waits_for_the_watched_folder(
    qtbot: QtBot, tmp_path: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    with running_app(qtbot) as app:
        grid = app.window.gallery
        qtbot.waitUntil(lambda: grid.empty_text == EMPTY_CATALOG, timeout=WAIT)
        assert not grid.end_follower.following  # an import's first photos stay in view
        watch = _start(app, qtbot, tether)
        assert grid.end_follower.following  # the frames will be followed past the screen
        waiting = f"Watching {tether}: each photo appears here as it lands"
        qtbot.waitUntil(lambda: grid.empty_text == waiting, timeout=WAIT)
        watch.action.trigger()  # off: back to how to start
        qtbot.waitUntil(lambda: grid.empty_text == EMPTY_CATALOG, timeout=WAIT)


def _following(app: App, qtbot: QtBot, tether: Path) -> LoupePage:
    """The library's grid filled, `tether` watched, the loupe open, W pressed."""
    qtbot.waitUntil(lambda: app.model.rowCount() == 9, timeout=WAIT)
    _start(app, qtbot, tether)
    page = _open_loupe(app, qtbot)
    qtbot.keyClick(page.view, Qt.Key.Key_W)  # follow newest: on
    assert page.follow.on
    return page


@pytest.fixture
def fast_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow, "DECIDING_S", 0.6)  # a still moment, in a test's time


def test_follow_newest_jumps_to_each_arrival_unless_deciding(
    library: Path, qtbot: QtBot, tmp_path: Path, fast_follow: None
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    with running_app(qtbot) as app:
        page = _following(app, qtbot, tether)
        first = app.session.current
        assert first is not None
        _frame(tether, 1)
        qtbot.waitUntil(lambda: "LIVE_0001.jpg" in _ids_by_name(), timeout=WAIT)
        newest = _ids_by_name()["LIVE_0001.jpg"]
        qtbot.waitUntil(lambda: app.session.current == newest, timeout=WAIT)  # it jumped
        qtbot.wait(int(follow.GRACE_S * 1000) + 100)  # keys from here on are for what shows
        # Deciding: a key a moment ago holds the next jump until a still moment.
        app.session.go_to(first)
        qtbot.keyClick(page.view, Qt.Key.Key_Right)
        browsing = app.session.current
        pressed = time.monotonic()
        _frame(tether, 2)
        qtbot.waitUntil(lambda: "LIVE_0002.jpg" in _ids_by_name(), timeout=WAIT)
        second = _ids_by_name()["LIVE_0002.jpg"]
        qtbot.waitUntil(lambda: app.session.current == second, timeout=WAIT)
        assert time.monotonic() - pressed >= follow.DECIDING_S  # not before the still moment
        assert browsing != second
        qtbot.wait(int(follow.GRACE_S * 1000) + 100)
        qtbot.keyClick(page.view, Qt.Key.Key_W)  # off: nothing moves any more
        assert not page.follow.on
        _frame(tether, 3)
        qtbot.waitUntil(lambda: "LIVE_0003.jpg" in _ids_by_name(), timeout=WAIT)
        qtbot.wait(int(follow.DECIDING_S * 1000) + 300)  # a jump would have come by now
        assert app.session.current == second


def test_a_decision_key_right_after_a_jump_is_for_the_photo_it_was_pressed_on(
    library: Path, qtbot: QtBot, tmp_path: Path, fast_follow: None
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    with running_app(qtbot) as app:
        page = _following(app, qtbot, tether)
        qtbot.wait(int(follow.DECIDING_S * 1000) + 100)  # still: the next arrival jumps
        looked_at = app.session.current
        assert looked_at is not None
        jumped: list[int] = []

        def press() -> None:
            qtbot.keyClick(page.view, Qt.Key.Key_P)

        def on_current(photo_id: int) -> None:
            # The jump lands; the photographer's P, pressed at that instant for the
            # photo they were looking at, is the next event after it.
            if photo_id != looked_at and not jumped:
                jumped.append(photo_id)
                QTimer.singleShot(0, press)

        app.session.current_changed.connect(on_current)
        _frame(tether, 1)
        qtbot.waitUntil(lambda: bool(jumped), timeout=WAIT)
        qtbot.waitUntil(lambda: decision_state(looked_at).cull is not CullState.UNREVIEWED)
        app.session.current_changed.disconnect(on_current)
        assert decision_state(looked_at).cull is CullState.KEPT  # not lost, not misplaced
        assert decision_state(jumped[0]).cull is CullState.UNREVIEWED


def test_a_proposal_for_the_watch_session_follows_the_frames(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    from curator.catalog.proposals.store import proposal_rows
    from curator.cull.tuning import CullTuning

    tether = tmp_path / "tether"
    tether.mkdir()
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == 9, timeout=WAIT)
        watch = _start(app, qtbot, tether)
        session = watch.session
        assert session is not None
        for i in (1, 2):
            _frame(tether, i)
        qtbot.waitUntil(lambda: session.count == 2, timeout=WAIT)
        cull = app.window.cull
        scopes = cull.scopes()
        label, scope = scopes[0]
        assert label.startswith("This watch session: 2 photos from ")
        controller = cull.controller()
        with qtbot.waitSignal(controller.proposed, timeout=WAIT):
            assert controller.propose(scope, CullTuning())
        assert cull.following is not None
        ids = _ids_by_name()
        assert set(proposal_rows(_seat_user())) <= {ids["LIVE_0001.jpg"], ids["LIVE_0002.jpg"]}
        # A decision made meanwhile stands; a new frame joins the proposal.
        app.session.go_to(ids["LIVE_0001.jpg"])
        app.session.reject()
        _frame(tether, 3)
        qtbot.waitUntil(lambda: session.count == 3, timeout=WAIT)
        third = _ids_by_name()["LIVE_0003.jpg"]
        qtbot.waitUntil(lambda: third in proposal_rows(_seat_user()), timeout=WAIT)
        proposed = set(proposal_rows(_seat_user()))
        assert ids["LIVE_0002.jpg"] in proposed and ids["LIVE_0001.jpg"] not in proposed
        assert decision_state(ids["LIVE_0001.jpg"]).cull is CullState.REJECTED


def _seat_user() -> str:
    from curator.catalog.backends.seat import current_seat

    return current_seat().user


def test_quitting_while_watching_leaves_the_watch_on_for_the_next_start(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    paths = resolve_paths()
    with running_app(qtbot) as app:
        watch = _start(app, qtbot, tether)
        qtbot.waitUntil(lambda: app.pipeline.running, timeout=WAIT)
        with qtbot.waitSignal(app.pipeline.completed, timeout=WAIT):
            app.window.close()  # mid-run: the window hides, cancels, then closes
        assert watch.session is None or not watch.session.watching
    left = json.loads((paths.config_dir / WATCHING).read_text("utf-8"))["watching"]
    assert left == [str(tether), str(paths.catalog)]


def test_a_watch_left_on_goes_on_when_the_window_opens_again(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    make_photo(tether / "LANDED_1.jpg", 201)  # landed while Curator was not running
    paths = resolve_paths()
    (paths.config_dir / WATCHING).write_text(
        json.dumps({"watching": [str(tether), str(paths.catalog)]}), "utf-8"
    )
    with running_app(qtbot) as app:
        app.catalog_opened()
        watch = _watch(app)
        qtbot.waitUntil(lambda: watch.watching, timeout=WAIT)
        qtbot.waitUntil(lambda: "LANDED_1.jpg" in _ids_by_name(), timeout=WAIT)
        assert watch.action.isChecked()
        watch.action.trigger()  # off: forgotten
        qtbot.waitUntil(lambda: watch.session is None, timeout=WAIT)
    assert json.loads((paths.config_dir / WATCHING).read_text("utf-8")) == {"watching": []}
