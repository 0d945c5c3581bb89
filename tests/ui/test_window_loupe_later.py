"""The loupe page is built after the window's first paint (issue 21 §1), and the
loupe still works at once whenever it is first wanted: Enter in the grid before
the deferred build ran, a pass the session started before the page existed, an
app started on a folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from curator.app import App, build_app
from curator.catalog.db import Catalog
from curator.paths import resolve_paths
from curator.settings import load_settings
from curator.ui.gallery.model import PhotoIdRole
from curator.ui.review.session import ReviewPass
from tests.ui.conftest import dispose, make_library


@contextmanager
def unshown_app() -> Iterator[App]:
    """The real app over this test's catalog, built but not shown (not painted yet)."""
    paths = resolve_paths()
    catalog = Catalog.open(paths.catalog)
    built = build_app(catalog, paths, load_settings(paths.settings_file))
    built.window.resize(1100, 760)
    try:
        yield built
    finally:
        built.shutdown()
        dispose(built.window)
        catalog.close()


def test_the_loupe_page_is_built_right_after_the_first_paint(library: Path, qtbot: QtBot) -> None:
    with unshown_app() as app:
        slot = app.window.loupe_slot
        assert slot.built is None  # building the window did not build it
        app.window.show()
        qtbot.waitUntil(lambda: slot.built is not None, timeout=30_000)
        assert app.window.stack.indexOf(slot.built) >= 0
        assert app.window.stack.currentWidget() is app.window.gallery  # the grid still shows


def test_enter_in_the_grid_opens_the_loupe_before_the_deferred_build(
    library: Path, qtbot: QtBot
) -> None:
    with unshown_app() as app:
        window = app.window
        window.show()  # no event processed yet: the first paint and the build are to come
        window.gallery.setCurrentIndex(app.model.index(2))
        wanted = app.model.index(2).data(PhotoIdRole)
        assert window.loupe_slot.built is None
        qtbot.keyClick(window.gallery, Qt.Key.Key_Return)
        loupe = window.loupe_slot.built
        assert loupe is not None and window.stack.currentWidget() is loupe
        assert app.session.current == wanted
        qtbot.waitUntil(lambda: loupe.view.painted_photo_id == wanted, timeout=30_000)
        qtbot.keyClick(loupe.view, Qt.Key.Key_P)  # its keys work: keep, advance
        qtbot.waitUntil(lambda: app.session.current != wanted, timeout=10_000)
        assert window.loupe_slot.built is loupe  # one page, never a second


def test_a_page_built_after_the_pass_started_shows_the_sessions_photo(
    library: Path, qtbot: QtBot
) -> None:
    """E.g. the uncertain-first toggle restarts the pass, then shows the page as the
    session stands: a page built only then heard none of the session's signals."""
    with unshown_app() as app:
        app.session.start(ReviewPass.CULL)
        app.session.move(3)
        current = app.session.current
        assert current is not None and app.window.loupe_slot.built is None
        loupe = app.window.loupe  # built now, after the session's signals
        assert loupe.view.photo is not None and loupe.view.photo.id == current
        assert app.session.position_text in loupe.view.caption


def test_an_app_started_on_a_folder_opens_the_loupe_on_its_photos(
    tmp_path: Path, qtbot: QtBot
) -> None:
    folder = tmp_path / "shoot"
    make_library(folder, 4)
    with unshown_app() as app:
        window = app.window
        with qtbot.waitSignal(app.pipeline.finished, timeout=60_000):
            QTimer.singleShot(0, lambda: window.start_import(str(folder)))  # as app.main does
            window.show()
        assert app.model.rowCount() == 4
        window.gallery.setCurrentIndex(app.model.index(1))
        wanted = app.model.index(1).data(PhotoIdRole)
        qtbot.keyClick(window.gallery, Qt.Key.Key_Return)
        loupe = window.loupe
        assert window.stack.currentWidget() is loupe
        qtbot.waitUntil(
            lambda: loupe.view.painted_photo_id == wanted and loupe.view.is_preview,
            timeout=30_000,
        )
