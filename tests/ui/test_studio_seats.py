"""Several seats on one PostgreSQL catalog, seen from one seat's window (issue
34 §2, §5): another seat's decision shows in this seat's grid and loupe
without moving its current photo, selection or scroll; another seat's import
streams in; a seat whose role may only read says so instead of writing; the
window title names the catalog without its password.

The other seat is a real `curator` process (its own connections, its own
seat name), deciding through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.backends.listen import SeatListener
from curator.catalog.models import Decision
from curator.ui.gallery.model import PhotoIdRole
from tests.integration.cli_helpers import REPO, run_cli
from tests.pg_server import ADMIN_PASSWORD, READER
from tests.ui.conftest import make_library, running_app

WAIT_MS = 15_000  # the seat's news arrives well within 1 s; a busy CI machine gets slack


@pytest.fixture
def shared(pg_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A studio catalog holding 8 measured photos (imported by this process)."""
    lib = tmp_path / "lib"
    make_library(lib, 8)
    code, out, err = run_cli(
        "--catalog", pg_url, "import", str(lib), "--stages", "technical", "--json", "--no-progress"
    )
    assert code == 0 and json.loads(out)["new"] == 8, err
    return pg_url, lib


def other_seat(url: str, *args: str) -> None:
    """`curator --catalog URL ARGS…` as another person's seat (its own process)."""
    done = subprocess.run(
        [sys.executable, "-m", "curator", "--catalog", url, *args],
        cwd=REPO,
        env={**os.environ, "CURATOR_SEAT_USER": "assistant", "CURATOR_SEAT_HOST": "seat-2"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _cull(app: App, photo_id: int) -> str | None:
    row = app.model.row_for(photo_id)
    shown = None if row is None else app.model.photo_row(row)
    return None if shown is None else shown.cull


def test_another_seats_decision_shows_in_the_grid_where_the_user_is(
    qtbot: QtBot, shared: tuple[str, Path]
) -> None:
    url, lib = shared
    with running_app(qtbot, location=url) as app:
        assert app.seats is not None and app.seats.listening
        view, model = app.window.gallery, app.model
        qtbot.waitUntil(lambda: model.rowCount() == 8, timeout=WAIT_MS)
        ids = model.ids
        current = model.index(5)
        view.setCurrentIndex(current)
        view.selectionModel().select(model.index(6), QItemSelectionModel.SelectionFlag.Select)
        selected = {i.row() for i in view.selectionModel().selectedIndexes()}
        scroll = view.verticalScrollBar().value()
        with qtbot.waitSignal(app.seats.applied, timeout=WAIT_MS):
            other_seat(url, "reject", str(lib / "IMG_0002.jpg"))
        qtbot.waitUntil(lambda: _cull(app, ids[2]) == "rejected", timeout=WAIT_MS)
        assert view.currentIndex().data(PhotoIdRole) == ids[5]
        assert {i.row() for i in view.selectionModel().selectedIndexes()} == selected
        assert view.verticalScrollBar().value() == scroll
        # Both decisions stay in the log with their seat; this seat's undo leaves it alone.
        seats = {(d.seat_user, d.new_value) for d in Decision.select()}
        assert ("assistant", "rejected") in seats
        app.session.undo()
        assert _cull(app, ids[2]) == "rejected"


def test_a_decision_made_while_the_window_opens_is_shown(
    qtbot: QtBot, shared: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another seat decides after the window read its grid but before its LISTEN
    connection was up (a slow server, a busy seat): the window still shows it
    (it listens before it reads; issue 43 §4, a restarted seat)."""
    url, lib = shared
    connect = SeatListener.connect
    decided: list[str] = []

    def slow_connect(listener: SeatListener) -> None:
        if not decided:
            decided.append("IMG_0001.jpg")
            other_seat(url, "reject", str(lib / decided[0]))
        connect(listener)

    monkeypatch.setattr(SeatListener, "connect", slow_connect)
    with running_app(qtbot, location=url) as app:
        qtbot.waitUntil(lambda: bool(decided) and app.model.rowCount() == 8, timeout=WAIT_MS)
        photo = app.model.ids[1]
        qtbot.waitUntil(lambda: _cull(app, photo) == "rejected", timeout=WAIT_MS)


def test_another_seats_decision_repaints_the_loupe_on_its_photo(
    qtbot: QtBot, shared: tuple[str, Path]
) -> None:
    url, lib = shared
    with running_app(qtbot, location=url) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == 8, timeout=WAIT_MS)
        photo = app.model.ids[3]
        app.window.show_loupe(photo)
        loupe = app.window.loupe
        qtbot.waitUntil(lambda: loupe.row(photo) is not None, timeout=WAIT_MS)
        other_seat(url, "keep", str(lib / "IMG_0003.jpg"))
        qtbot.waitUntil(lambda: (loupe.row(photo) or object()).cull == "kept", timeout=WAIT_MS)
        assert app.session.current == photo


def test_another_seats_import_streams_into_the_grid(
    qtbot: QtBot, shared: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = shared
    more = tmp_path / "more"
    make_library(more, 3, first=20)
    with running_app(qtbot, location=url) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == 8, timeout=WAIT_MS)
        first = app.model.ids[0]
        app.window.gallery.setCurrentIndex(app.model.index(0))
        other_seat(url, "import", str(more), "--stages", "technical", "--no-progress")
        qtbot.waitUntil(lambda: app.model.rowCount() == 11, timeout=WAIT_MS)
        assert app.window.gallery.currentIndex().row() == app.model.row_for(first)
        last = app.model.photo_row(app.model.rowCount() - 1)
        assert last is not None and last.thumbnail_key is not None


def test_a_read_only_seat_reviews_and_says_it_cannot_decide(
    qtbot: QtBot, shared: tuple[str, Path], pg_server: object, tmp_path: Path
) -> None:
    url, lib = shared
    name = url.rsplit("/", 1)[1]
    pg_server.grant_read_only(name)  # type: ignore[attr-defined]
    reader = pg_server.url(name, user=READER)  # type: ignore[attr-defined]
    with running_app(qtbot, location=reader) as app:
        qtbot.waitUntil(lambda: app.model.rowCount() == 8, timeout=WAIT_MS)
        title = app.window.windowTitle()
        assert reader in title and "review only" in title
        photo = app.model.ids[0]
        app.window.show_loupe(photo)
        with qtbot.waitSignal(app.session.notice, timeout=WAIT_MS) as said:
            app.session.reject()
        assert "may only read" in said.args[0]
        assert _cull(app, photo) == "unreviewed" and Decision.select().count() == 0
        with qtbot.waitSignal(app.errors.reported, timeout=WAIT_MS) as refused:
            assert app.window.start_import(str(lib)) is False
        assert "may only read" in refused.args[0]
        # The lead's decisions still reach the reviewer live.
        other_seat(url, "pick", str(lib / "IMG_0000.jpg"))
        qtbot.waitUntil(lambda: _cull(app, photo) == "kept", timeout=WAIT_MS)


def test_the_window_title_never_shows_a_password(
    qtbot: QtBot, shared: tuple[str, Path], pg_server: object
) -> None:
    url, _ = shared
    typed = url.replace("curator_admin@", f"curator_admin:{ADMIN_PASSWORD}@")
    with running_app(qtbot, location=typed) as app:
        title = app.window.windowTitle()
        assert title == f"Curator — {url}"
        assert ADMIN_PASSWORD not in title and "catalog.pg" not in title
