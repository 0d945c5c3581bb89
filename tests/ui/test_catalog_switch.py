"""File ▸ Open Catalog… and File ▸ Restore Catalog from Backup…
(ui.maintenance.catalog_switch): both end to end on real catalogs, the old
catalog untouched by a refusal, the UI thread free while they run, and a
second change (or a key) refused meanwhile (issue 51 §1)."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from curator.app import open_app
from curator.catalog import backup as backup_module
from curator.catalog.backup import list_backups, make_backup
from curator.catalog.migrations import LATEST_VERSION
from curator.paths import RecentCatalogs, resolve_paths
from curator.settings import load_settings
from curator.ui.maintenance.catalog_menu import (
    CatalogMenu,
    RestoreDialog,
    backup_line,
    confirm_text,
)
from curator.ui.maintenance.catalog_switch import CatalogHost
from curator.ui.maintenance.catalog_work import KEEPING, restore_news
from curator.ui.review.actions import DecisionAction
from tests.integration.cli_helpers import import_json
from tests.pools import make_pool
from tests.ui.conftest import close_catalog_host, make_library

WAIT_MS = 60_000
PUTTING_BACK = re.compile(r"^Putting the backup back \(\d+ kB\): (\d+) %$")


def culls(catalog: Path) -> dict[str, str]:
    """File name → cull state, read straight from the catalog file."""
    con = sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT path, cull FROM photo").fetchall()
    finally:
        con.close()
    return {Path(bytes(p).decode() if isinstance(p, bytes) else p).name: c for p, c in rows}


class Hosted:
    """A `CatalogHost` on this test's catalog, as app.main makes it."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.pool = make_pool(1)
        paths = resolve_paths()
        self.home_catalog = paths.catalog
        self.recent = RecentCatalogs(paths.config_dir)
        self.quits = 0
        self.host = CatalogHost(self.pool, open_app, self.recent, self._quit)
        self.menu = CatalogMenu(self.host, lambda: self.app.window.settings)
        self.host.adopted.append(self.menu.install)
        app, catalog = open_app(paths.catalog_location)
        self.host.adopt(app, catalog, paths.catalog_location)
        app.catalog_opened()
        app.window.resize(900, 640)
        app.window.show()
        qtbot.waitExposed(app.window, timeout=30_000)
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _quit(self) -> None:
        self.quits += 1

    def _tick(self) -> None:
        self.ticks += 1

    @property
    def app(self):  # type: ignore[no-untyped-def]
        assert self.host.app is not None
        return self.host.app

    def wait_done(self) -> None:
        self.qtbot.waitUntil(lambda: self.host.busy is None, timeout=WAIT_MS)

    def wait_rows(self, count: int) -> None:
        self.qtbot.waitUntil(lambda: self.app.model.rowCount() == count, timeout=WAIT_MS)

    def close(self) -> None:
        self.timer.stop()
        close_catalog_host(self.host, self.pool)


@pytest.fixture
def hosted(qtbot: QtBot, library: Path) -> Iterator[Hosted]:
    made = Hosted(qtbot)
    made.wait_rows(9)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def other_catalog(tmp_path: Path) -> Path:
    """A second catalog of three photos of its own."""
    where = tmp_path / "other" / "studio-b.sqlite"
    make_library(tmp_path / "lib-b", 3, first=50)
    result = import_json(tmp_path / "lib-b", "--stages", "technical", "--catalog", str(where))
    assert result["new"] == 3, result
    return where


def test_switch_shows_the_other_catalog_and_keeps_the_old_ones_decisions(
    other_catalog: Path, hosted: Hosted
) -> None:
    # (other_catalog first: the CLI's import binds the models to the catalog it opens)
    old_app = hosted.app
    kept = hosted.app.model.photo_id(0)
    hosted.app.session.decide_many(DecisionAction.KEEP, [kept])  # written at once
    home = hosted.home_catalog
    assert "kept" in culls(home).values()

    texts = [a.text() for a in old_app.window.menus.file.actions()]
    at = texts.index("&Back Up Catalog Now")
    assert texts[at - 5 : at - 1] == [
        "&Open Catalog…",
        "Open &Studio Catalog (URL)…",
        "Recent &Catalogs",
        "&Restore Catalog from Backup…",
    ], texts
    ticks = hosted.ticks
    assert hosted.host.switch(other_catalog)
    # While it runs: a second change is refused with a sentence, a key does nothing.
    assert not hosted.host.switch(home)
    assert "Wait until it is done" in old_app.window.error_label.text()
    hosted.qtbot.keyClick(old_app.window, Qt.Key.Key_X)
    assert hosted.host.guard.dropped >= 1
    hosted.wait_done()
    assert hosted.ticks > ticks  # the UI thread kept turning meanwhile

    assert hosted.app is not old_app
    hosted.wait_rows(3)
    assert str(other_catalog) in hosted.app.window.windowTitle()
    assert set(culls(other_catalog).values()) == {"unreviewed"}
    assert list(culls(home).values()).count("kept") == 1  # the X was dropped, not written
    assert hosted.recent.last() == str(other_catalog)  # the next start opens it
    # The new window works: a decision lands in the new catalog.
    hosted.app.session.decide_many(DecisionAction.REJECT, [hosted.app.model.photo_id(0)])
    assert "rejected" in culls(other_catalog).values()

    recent = hosted.menu.recent_menu  # File ▸ Recent Catalogs: the one before
    recent.aboutToShow.emit()
    (back,) = recent.actions()
    assert back.text() == str(home)
    back.trigger()  # and back
    assert hosted.host.busy is not None
    hosted.wait_done()
    hosted.wait_rows(9)
    assert "kept" in culls(home).values()


@pytest.mark.parametrize("bad", ["garbage", "missing", "newer", "folder"])
def test_a_bad_catalog_is_refused_and_the_old_one_stays_open(
    hosted: Hosted, tmp_path: Path, bad: str
) -> None:
    target = tmp_path / "bad.sqlite"
    if bad == "garbage":
        target.write_bytes(b"this is no database at all" * 100)
    elif bad == "newer":
        con = sqlite3.connect(target)
        con.execute("CREATE TABLE photo (id INTEGER)")
        con.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
        con.commit()
        con.close()
    elif bad == "folder":
        target.mkdir()
    old_app = hosted.app
    assert hosted.host.switch(target)
    hosted.wait_done()
    assert hosted.app is old_app
    said = old_app.window.error_label.text()
    expected = {
        "garbage": "not a Curator catalog",
        "missing": "There is no catalog",
        "newer": "newer Curator",
        "folder": "is a folder",
    }[bad]
    assert expected in said
    # The old catalog is open and usable: a decision is written to it.
    photo = old_app.model.photo_id(1)
    old_app.session.decide_many(DecisionAction.REJECT, [photo])
    assert "rejected" in culls(hosted.home_catalog).values()
    assert hosted.recent.last() != str(target)


def test_restore_brings_back_the_backups_decisions_and_keeps_a_copy(
    hosted: Hosted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = hosted.home_catalog
    folder = tmp_path / "backups"
    monkeypatch.setenv("CURATOR_BACKUP_FOLDER", str(folder))
    hosted.app.window.settings = load_settings(resolve_paths().settings_file)
    first, second = (hosted.app.model.photo_id(i) for i in (0, 1))
    hosted.app.session.decide_many(DecisionAction.KEEP, [first])
    backup = make_backup(home, folder, keep=5).backup
    hosted.app.session.decide_many(DecisionAction.REJECT, [second])  # after the backup
    assert sorted(culls(home).values()).count("rejected") == 1
    assert "after" in confirm_text(backup, str(home))

    old_app = hosted.app
    ticks = hosted.ticks
    said: list[str] = []
    old_app.window.statusBar().messageChanged.connect(said.append)
    monkeypatch.setattr(backup_module, "BACKUP_STEP_PAGES", 4)  # a big catalog's many steps
    # File ▸ Restore Catalog from Backup…: the list, then the sentence that confirms.
    listed: list[list[str]] = []
    asked: list[str] = []

    def pick(dialog: RestoreDialog) -> int:
        listed.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        return QDialog.DialogCode.Accepted

    def confirm(_parent: object, _title: str, text: str, *_: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(RestoreDialog, "exec", pick)
    monkeypatch.setattr(QMessageBox, "question", confirm)
    hosted.menu.actions["restore"].trigger()
    assert listed == [[backup_line(backup)]] and "kB" in listed[0][0]
    assert asked == [confirm_text(backup, str(home))]
    assert hosted.host.busy is not None  # under way
    assert not hosted.host.switch(tmp_path / "elsewhere.sqlite")  # refused meanwhile
    hosted.wait_done()
    assert hosted.ticks > ticks
    assert hosted.app is not old_app
    assert KEEPING in said
    percents = [int(m.group(1)) for m in map(PUTTING_BACK.match, said) if m]
    assert percents == sorted(percents) and len(percents) >= 2 and percents[-1] == 100, said
    hosted.wait_rows(9)
    states = list(culls(home).values())
    assert states.count("kept") == 1 and states.count("rejected") == 0
    assert "Restored the catalog" in hosted.app.window.statusBar().currentMessage()
    # The catalog as it was before the restore is kept, listed, with its reject.
    kept = [b for b in list_backups(folder, home) if b.before_restore]
    assert len(kept) == 1
    assert list(culls(kept[0].path).values()).count("rejected") == 1


def test_a_damaged_backup_is_refused_and_nothing_changes(hosted: Hosted, tmp_path: Path) -> None:
    home = hosted.home_catalog
    folder = tmp_path / "backups"
    backup = make_backup(home, folder, keep=5).backup.path
    with open(backup, "r+b") as file:  # a bit flip the checksum catches
        file.seek(200)
        byte = file.read(1)
        file.seek(200)
        file.write(bytes([byte[0] ^ 0xFF]))
    old_app = hosted.app
    hosted.app.session.decide_many(DecisionAction.KEEP, [hosted.app.model.photo_id(0)])
    assert hosted.host.restore(backup, folder, 5)
    hosted.wait_done()
    assert hosted.app is old_app
    assert "not a usable Curator catalog backup" in old_app.window.error_label.text()
    assert "kept" in culls(home).values()
    assert not any(b.before_restore for b in list_backups(folder, home))


def test_the_next_start_opens_the_catalog_opened_last(
    other_catalog: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator import app as app_module
    from tests.ui.test_opening_upgrade import Watch, _dispose_windows

    paths = resolve_paths()
    RecentCatalogs(paths.config_dir).add(other_catalog)  # as a switch leaves it
    monkeypatch.setattr(app_module, "show_fatal", lambda message: pytest.fail(message))
    watch = Watch()
    try:
        assert app_module.main([]) == app_module.EXIT_OK
    finally:
        watch.timer.stop()
        _dispose_windows()
    assert not watch.gave_up and watch.after is not None
    assert not paths.catalog.exists()  # the default catalog was never made
    assert RecentCatalogs(paths.config_dir).catalogs[0] == str(other_catalog)


def test_a_switch_waits_for_the_step_under_way_which_commits_in_the_old_catalog(
    other_catalog: Path, hosted: Hosted
) -> None:
    from curator.catalog.models import Photo

    old_app = hosted.app
    said: list[str] = []
    old_app.window.statusBar().messageChanged.connect(said.append)
    photo = old_app.model.photo_id(2)
    heard: list[object] = []
    started = threading.Event()

    def slow_step() -> int:  # an undo of 60,000 photos, in miniature: still writing
        started.set()
        time.sleep(1.0)
        return int(Photo.update(cull="rejected").where(Photo.id == photo).execute())

    steps = old_app.session.steps
    steps.submit("A long step", slow_step, heard.append)
    assert started.wait(10)
    assert hosted.host.switch(other_catalog)
    hosted.wait_done()
    assert hosted.app is not old_app
    assert any(text.startswith("Waiting for the step under way") for text in said), said
    assert len(heard) == 1  # its outcome came back before the old window went
    assert list(culls(hosted.home_catalog).values()).count("rejected") == 1


def test_a_change_is_refused_while_an_import_runs(
    hosted: Hosted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = hosted.app.window
    monkeypatch.setattr(type(window), "pipeline_running", property(lambda _self: True))
    assert not hosted.host.switch(tmp_path / "any.sqlite")
    assert not hosted.host.restore(tmp_path / "any.backup.sqlite", tmp_path, 5)
    assert "while an import runs" in window.error_label.text()
    assert hosted.host.busy is None and hosted.host.app.window is window
    assert hosted.host.guard.wanted is False  # keys still reach the window


def test_a_restores_progress_is_each_step_then_a_percentage_at_most_ten_times_a_second() -> None:
    said: list[str] = []
    now = [0.0]
    told = restore_news(said.append, 2_000_000, clock=lambda: now[0])
    told("keep", 0, 0)
    for done in range(0, 101):  # 101 steps in 50 ms: the first, then the last
        now[0] += 0.0005
        told("restore", done, 100)
    now[0] += 1.0
    told("restore", 100, 100)  # the same again: not repeated
    assert said == [
        KEEPING,
        "Putting the backup back (2.0 MB): 0 %",
        "Putting the backup back (2.0 MB): 100 %",
    ]


def test_a_studio_catalog_opens_by_its_url_refuses_a_restore_and_goes_back(
    pg_catalog_url: str, hosted: Hosted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from curator.paths import describe

    old_app = hosted.app
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: (pg_catalog_url, True))
    hosted.menu.actions["studio"].trigger()  # File ▸ Open Studio Catalog (URL)…
    hosted.wait_done()
    assert hosted.app is not old_app, hosted.app.window.error_label.text()
    assert hosted.host.catalog is not None and hosted.host.catalog.is_postgres
    assert describe(pg_catalog_url) in hosted.app.window.windowTitle()
    assert hosted.recent.last() == pg_catalog_url  # no password in it: remembered
    assert not hosted.host.restore(tmp_path / "a.backup.sqlite", tmp_path, 5)
    assert "curator catalog copy" in hosted.app.window.error_label.text()
    assert hosted.host.switch(hosted.home_catalog)
    hosted.wait_done()
    hosted.wait_rows(9)
    assert not hosted.host.catalog.is_postgres


def test_main_switches_through_the_file_menu_and_quits_from_the_new_window(
    other_catalog: Path, library: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication, QFileDialog

    from curator import app as app_module
    from curator.ui.window.main_window import MainWindow
    from tests.ui.test_opening_upgrade import _dispose_windows

    monkeypatch.setattr(app_module, "show_fatal", lambda message: pytest.fail(message))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(other_catalog), ""))
    seen: list[MainWindow] = []
    titles: list[str] = []

    over: list[bool] = []

    def drive() -> None:
        if over:
            return
        shown = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and w.catalog_open
        ]
        for window in shown:
            if window not in seen:
                seen.append(window)
                titles.append(window.windowTitle())
                if len(seen) == 1:  # the first window: File ▸ Open Catalog…
                    next(
                        a for a in window.menus.file.actions() if a.text() == "&Open Catalog…"
                    ).trigger()
                else:  # the new one: quit from it
                    window.close()
                    return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(20, drive)
    give_up = QTimer()  # a switch that never ends: the window closes, the test fails
    give_up.setSingleShot(True)
    give_up.timeout.connect(lambda: [w.close() for w in seen])
    give_up.start(WAIT_MS)
    try:
        assert app_module.main([]) == app_module.EXIT_OK
    finally:
        over.append(True)
        give_up.stop()
        _dispose_windows()
    assert len(seen) == 2, titles
    assert str(other_catalog) in titles[1] and str(other_catalog) not in titles[0]
    assert RecentCatalogs(resolve_paths().config_dir).last() == str(other_catalog)
