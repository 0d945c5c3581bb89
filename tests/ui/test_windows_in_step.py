"""Every window in step on the embedded (SQLite) catalog (issue 79 §1, §2): the
terminal's commands, run as real `curator` processes on the same catalog file
while a window is open, show in the window within a second, without moving
its current photo, selection or scroll; an import in another process streams
in; the window's undo leaves the terminal's decisions alone and says when the
terminal decided the same photo since.

The window hears them through the catalog's change feed (catalog.backends.feed)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Decision
from curator.ui.gallery.model import PhotoIdRole
from tests.integration.cli_helpers import REPO, import_json
from tests.ui.conftest import make_library, running_app

WAIT_MS = 15_000  # news arrives well within 1 s (the bench's budget); a busy CI gets slack
N = 8


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """Eight measured photos in this test's catalog."""
    folder = tmp_path / "lib"
    make_library(folder, N)
    assert import_json(folder, "--stages", "technical")["new"] == N
    return folder


def terminal(*args: str) -> str:
    """`curator ARGS…` in a terminal: a process of its own, on this test's catalog."""
    done = subprocess.run(
        [sys.executable, "-m", "curator", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def shown(app: App, photo_id: int) -> object:
    row = app.model.row_for(photo_id)
    return None if row is None else app.model.photo_row(row)


def test_the_terminals_decisions_show_in_the_window_where_the_user_is(
    qtbot: QtBot, lib: Path
) -> None:
    with running_app(qtbot) as app:
        assert app.seats is not None and app.seats.listening
        view, model = app.window.gallery, app.model
        qtbot.waitUntil(lambda: model.rowCount() == N, timeout=WAIT_MS)
        ids = model.ids
        view.setCurrentIndex(model.index(5))
        view.selectionModel().select(model.index(6), QItemSelectionModel.SelectionFlag.Select)
        selected = {i.row() for i in view.selectionModel().selectedIndexes()}
        scroll = view.verticalScrollBar().value()
        started = time.monotonic()
        terminal("reject", str(lib / "IMG_0002.jpg"))
        terminal("rate", "--stars", "4", str(lib / "IMG_0003.jpg"))
        terminal("label", "--color", "red", str(lib / "IMG_0004.jpg"))
        terminal("pick", str(lib / "IMG_0001.jpg"))
        terminal("rotate", "--right", str(lib / "IMG_0007.jpg"))
        ended = time.monotonic()
        qtbot.waitUntil(
            lambda: (
                getattr(shown(app, ids[2]), "cull", None) == "rejected"
                and getattr(shown(app, ids[3]), "rating", None) == 4
                and getattr(shown(app, ids[4]), "label", None) == "red"
                and getattr(shown(app, ids[1]), "picked", None) is True
                and getattr(shown(app, ids[7]), "rotation", None) == 1
            ),
            timeout=WAIT_MS,
        )
        late = time.monotonic() - ended
        print(f"five commands took {ended - started:.2f} s; all shown {late:.2f} s after")
        assert view.currentIndex().data(PhotoIdRole) == ids[5]
        assert {i.row() for i in view.selectionModel().selectedIndexes()} == selected
        assert view.verticalScrollBar().value() == scroll
        assert app.model.rowCount() == N


def test_the_window_hears_the_terminal_within_a_second(qtbot: QtBot, lib: Path) -> None:
    """From the command's commit to the window's model: the news' own latency."""
    with running_app(qtbot) as app:
        assert app.seats is not None
        qtbot.waitUntil(lambda: app.model.rowCount() == N, timeout=WAIT_MS)
        photo = app.model.ids[0]
        with qtbot.waitSignal(app.seats.applied, timeout=WAIT_MS) as heard:
            terminal("reject", str(lib / "IMG_0000.jpg"))
        news = heard.args[0]
        assert photo in news.changed and "the terminal" in news.seats
        qtbot.waitUntil(lambda: getattr(shown(app, photo), "cull", None) == "rejected")
        assert app.seats.last_latency_s < 1.0


def test_an_import_in_a_terminal_streams_into_the_window(
    qtbot: QtBot, lib: Path, tmp_path: Path
) -> None:
    more = tmp_path / "more"
    make_library(more, 3, first=20)
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == N, timeout=WAIT_MS)
        first = app.model.ids[0]
        app.window.gallery.setCurrentIndex(app.model.index(0))
        terminal("import", str(more), "--stages", "technical", "--no-progress")
        qtbot.waitUntil(lambda: app.model.rowCount() == N + 3, timeout=WAIT_MS)
        assert app.window.gallery.currentIndex().row() == app.model.row_for(first)
        qtbot.waitUntil(
            lambda: all(
                getattr(app.model.photo_row(r), "thumbnail_key", None) is not None
                for r in range(app.model.rowCount())
            ),
            timeout=WAIT_MS,
        )


def test_tags_and_projects_from_the_terminal_reach_the_window(qtbot: QtBot, lib: Path) -> None:
    with running_app(qtbot) as app:
        assert app.seats is not None
        qtbot.waitUntil(lambda: app.model.rowCount() == N, timeout=WAIT_MS)
        with qtbot.waitSignal(app.seats.projects_changed, timeout=WAIT_MS):
            terminal("project", "create", "Wedding")
        qtbot.waitUntil(
            lambda: "Wedding" in [p.name for p in app.window.projects.projects], timeout=WAIT_MS
        )
        photo = app.model.ids[6]
        with qtbot.waitSignal(app.seats.applied, timeout=WAIT_MS) as heard:
            terminal("tag", "add", "harbour", str(lib / "IMG_0006.jpg"))
        assert photo in heard.args[0].changed


def test_the_windows_undo_is_its_own_and_says_the_terminal_decided_since(
    qtbot: QtBot, lib: Path
) -> None:
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == N, timeout=WAIT_MS)
        photo = app.model.ids[2]
        app.window.show_loupe(photo)
        app.session.reject()  # the window's own decision
        assert getattr(shown(app, photo), "cull", None) == "rejected"
        # The terminal decides another photo, then this one again.
        terminal("keep", str(lib / "IMG_0005.jpg"))
        terminal("keep", str(lib / "IMG_0002.jpg"))
        qtbot.waitUntil(lambda: getattr(shown(app, photo), "cull", None) == "kept", timeout=WAIT_MS)
        with qtbot.waitSignal(app.session.notice, timeout=WAIT_MS) as said:
            app.session.undo()
        # The window's reject is undone, not the terminal's keep; and it says so.
        five = app.model.ids[5]
        assert getattr(shown(app, five), "cull", None) == "kept"
        desks = {(d.seat_desk, d.new_value) for d in Decision.select()}
        assert ("terminal", "kept") in desks
        assert "the terminal" in said.args[0], said.args[0]
        loupe = app.window.loupe  # the photo on screen (the grid catches up when shown)
        qtbot.waitUntil(
            lambda: getattr(loupe.row(photo), "cull", None) == "unreviewed", timeout=WAIT_MS
        )
        # The terminal's undo undoes the terminal's newest, the keep of IMG_0002,
        # and says the window decided that photo since.
        out = json.loads(terminal("undo", "--json"))
        assert [(s["photo"], s["to"], s["changed_by"]) for s in out["undone"]] == [
            (photo, "rejected", "window 1")
        ], out


def test_a_proposal_made_in_the_terminal_shows_on_the_tiles(qtbot: QtBot, lib: Path) -> None:
    with running_app(qtbot) as app:
        assert app.seats is not None
        qtbot.waitUntil(lambda: app.model.rowCount() == N, timeout=WAIT_MS)
        assert all(getattr(shown(app, pid), "proposal", None) is None for pid in app.model.ids)
        terminal("cull", "--propose", "--keep", "2")
        qtbot.waitUntil(
            lambda: all(
                getattr(shown(app, pid), "proposal", None) is not None for pid in app.model.ids
            ),
            timeout=WAIT_MS,
        )
        keeps = [
            pid
            for pid in app.model.ids
            if shown(app, pid).proposal.verdict.value == "keep"  # type: ignore[union-attr]
        ]
        assert len(keeps) == 2
