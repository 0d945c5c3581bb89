"""The GUI's catalog backups: on quit when due (the window waits, saying so),
not again the same day, File ▸ Back Up Catalog Now, and the settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from curator.catalog.backup import check_backup, list_backups
from curator.paths import resolve_paths
from curator.settings import Settings, save_settings
from curator.ui.maintenance.backup_controller import BACKING_UP
from tests.ui.conftest import running_app

WAIT_MS = 60_000


def _backups(folder: Path | None = None) -> list[Path]:
    catalog = resolve_paths().catalog
    return [b.path for b in list_backups(folder or catalog.parent / "backups", catalog)]


def test_quitting_backs_up_once_a_day_with_the_window_saying_so(
    library: Path, qtbot: QtBot
) -> None:
    with running_app(qtbot) as app:
        assert app.backup is not None and app.backup.due()
        with qtbot.waitSignal(app.window.closed, timeout=WAIT_MS):
            app.window.close()
            # The close waits for the copy, which runs on the backup pool (its
            # result arrives by a queued signal, so it is still running here).
            assert app.backup.running and app.window.isVisible()
            assert app.window.statusBar().currentMessage() == BACKING_UP
        [made] = _backups()
        check_backup(made)
        assert "backed up and verified" in app.backup.last_sentence
    with running_app(qtbot) as app:  # the same day: not due, the close goes at once
        assert app.backup is not None and not app.backup.due()
        with qtbot.waitSignal(app.window.closed, timeout=WAIT_MS):
            app.window.close()
        assert not app.backup.running
    assert len(_backups()) == 1


def test_never_means_no_backup_on_quit(library: Path, qtbot: QtBot) -> None:
    save_settings(resolve_paths().settings_file, Settings(backup_frequency="never"))
    with running_app(qtbot) as app, qtbot.waitSignal(app.window.closed, timeout=WAIT_MS):
        app.window.close()
    assert _backups() == []


def test_back_up_now_goes_to_the_chosen_folder_and_says_so(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "elsewhere"
    save_settings(resolve_paths().settings_file, Settings(backup_folder=str(folder), backup_keep=2))
    with running_app(qtbot) as app:
        assert app.backup is not None
        for _ in range(3):
            with qtbot.waitSignal(app.backup.finished, timeout=WAIT_MS):
                app.window.backup_action.trigger()
        assert "backed up and verified" in app.window.statusBar().currentMessage()
    assert len(_backups(folder)) == 2  # rotation kept the newest two
    assert not (resolve_paths().catalog.parent / "backups").exists()


def test_the_settings_dialog_offers_the_backup_choices(tmp_path: Path, qtbot: QtBot) -> None:
    from curator.ui.window.settings_dialog import SettingsDialog

    settings_file = tmp_path / "settings.json"
    dialog = SettingsDialog(Settings(), settings_file)
    qtbot.addWidget(dialog)
    combo = dialog.editors["backup_frequency"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["never", "daily", "weekly"]
    assert combo.currentText() == "daily"
    combo.setCurrentText("weekly")
    with qtbot.waitSignal(dialog.settings_changed, timeout=WAIT_MS) as saved:
        dialog.accept()
    assert saved.args is not None and saved.args[0].backup_frequency == "weekly"
