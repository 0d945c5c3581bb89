"""The window before its catalog is open (app.main, ui.window.opening): it is
painted first, says so, and the keys and clicks that come before the catalog
opens are ignored and said, never acted on (issue 21 §1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator import app as app_module
from curator.catalog.db import Catalog
from curator.catalog.decisions import set_cull
from curator.catalog.models import Photo
from curator.ui.window.main_window import OPENING_CATALOG, MainWindow

Mod = Qt.KeyboardModifier


def _window() -> MainWindow:
    return next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    )


def _dispose_windows() -> None:
    """main's window outlives main in this process (the app's exits with it)."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _catalog_with_a_decision(path: Path) -> int:
    """A catalog of one photo, rejected: an undo would make it unreviewed."""
    catalog = Catalog.open(path)
    photo = Photo.create(path=b"/photos/a.jpg", content_hash="a")
    set_cull(int(photo.id), "rejected")  # type: ignore[arg-type]
    catalog.close()
    return int(photo.id)


def test_keys_pressed_before_the_catalog_opens_are_ignored_and_said(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cat.sqlite"
    photo_id = _catalog_with_a_decision(path)
    fatal: list[str] = []
    monkeypatch.setattr(app_module, "show_fatal", fatal.append)
    seen: dict[str, object] = {}

    def press() -> None:  # the event loop's first turn: the window is up, its catalog not
        window = _window()
        seen["open"], seen["empty"] = window.catalog_open, window.gallery.empty_text
        qtbot.keyClick(window.gallery, Qt.Key.Key_Z, Mod.ControlModifier)  # undo
        qtbot.keyClick(window.gallery, Qt.Key.Key_K)  # keep
        qtbot.keyClick(window.gallery, Qt.Key.Key_3)  # three stars
        qtbot.mouseClick(window.gallery.viewport(), Qt.MouseButton.LeftButton)
        wait_for_catalog()

    def wait_for_catalog() -> None:
        window = _window()
        if not window.catalog_open:
            QTimer.singleShot(5, wait_for_catalog)
            return
        seen["status"] = window.status_line.currentMessage()
        seen["error"] = window.error_label.text()
        seen["rows"] = window.model.rowCount()
        window.close()

    QTimer.singleShot(0, press)
    try:
        assert app_module.main(["--catalog", str(path)]) == app_module.EXIT_OK
    finally:
        _dispose_windows()
    assert fatal == []
    assert seen["open"] is False and seen["empty"] == OPENING_CATALOG
    assert seen["error"] == ""  # nothing reached a catalog that was not open
    assert seen["rows"] == 1  # then the grid filled
    assert seen["status"] == (
        "4 key presses or clicks came while the catalog was opening and were ignored."
    )
    catalog = Catalog.open(path)
    try:
        assert Photo.get_by_id(photo_id).cull == "rejected"  # the undo was not done
    finally:
        catalog.close()


def test_a_catalog_that_does_not_open_closes_the_window_with_its_sentence(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A newer schema than this Curator knows: its sentence, exit 3, and the window
    # (painted before the open) hidden behind the box.
    path = tmp_path / "cat.sqlite"
    Catalog.open(path).close()
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 9999")
    shown: list[tuple[str, bool]] = []

    def fatal(message: str) -> None:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        shown.append((message, window.isVisible()))

    monkeypatch.setattr(app_module, "show_fatal", fatal)
    try:
        assert app_module.main(["--catalog", str(path)]) == app_module.EXIT_CATALOG
    finally:
        _dispose_windows()
    assert len(shown) == 1
    message, visible = shown[0]
    assert "newer" in message.lower() and visible is False
