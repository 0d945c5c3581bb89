"""The File menu's catalog items: Open Catalog…, Open Studio Catalog…, Recent
Catalogs, and Restore Catalog from Backup… (with its dialog), handed to the
`CatalogHost` (`install(app)` for every window it adopts). Nothing here reads
the catalog. A restore is confirmed by a sentence saying what is lost (the
decisions after the backup) and what is kept (a copy of the catalog as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from curator.ingest.types import human_bytes

if TYPE_CHECKING:
    from curator.catalog.backup import BackupInfo
    from curator.ui.maintenance.catalog_switch import CatalogHost, HostedApp

CATALOG_FILTER = "Curator catalogs (*.sqlite *.db);;All files (*)"
NO_BACKUPS = "This catalog has no backups yet (File ▸ Back Up Catalog Now makes one)."


def backup_line(info: BackupInfo) -> str:
    """How a backup is listed: its local date and time, its size, and what it is."""
    made = info.made_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    kind = "  (the catalog as it was before a restore)" if info.before_restore else ""
    return f"{made}   {human_bytes(info.size)}{kind}"


def confirm_text(info: BackupInfo, catalog_name: str) -> str:
    """The sentence a restore is confirmed by."""
    made = info.made_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"Put the backup of {made} back as the catalog {catalog_name}? Every decision, "
        f"rating, tag and project change made after {made} is lost from the catalog. "
        "A copy of the catalog as it is now is kept first, in the backups folder, so "
        "you can restore that copy to undo this."
    )


class RestoreDialog(QDialog):
    """The catalog's backups, newest first; `chosen()` is the selected one."""

    def __init__(self, backups: list[BackupInfo], folder: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore Catalog from Backup")
        self.backups = backups
        layout = QVBoxLayout(self)
        where = QLabel(f"Backups in {folder}:" if backups else NO_BACKUPS, self)
        where.setWordWrap(True)
        layout.addWidget(where)
        self.list = QListWidget(self)
        for info in backups:
            item = QListWidgetItem(backup_line(info))
            item.setToolTip(str(info.path))
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = buttons.addButton("Restore…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def chosen(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None


class CatalogMenu:
    """The catalog items in one window's File menu (module docstring)."""

    def __init__(self, host: CatalogHost, settings: Callable[[], Any]) -> None:
        self.host, self.settings = host, settings
        self.actions: dict[str, QAction] = {}

    def install(self, app: HostedApp) -> None:
        window = app.window
        menu: QMenu = window.menus.file
        anchor = getattr(window.menus, "backup_action", None)
        open_action = QAction("&Open Catalog…", window)
        open_action.triggered.connect(lambda: self.open_file(window))
        studio = QAction("Open &Studio Catalog (URL)…", window)
        studio.triggered.connect(lambda: self.open_url(window))
        recent = QMenu("Recent &Catalogs", window)
        recent.aboutToShow.connect(lambda: self._fill_recent(recent))
        restore = QAction("&Restore Catalog from Backup…", window)
        restore.triggered.connect(lambda: self.choose_backup(window))
        for action in (open_action, studio, recent.menuAction(), restore):
            if anchor is not None:
                menu.insertAction(anchor, action)
            else:
                menu.addAction(action)
        if anchor is not None:
            menu.insertSeparator(anchor)
        self.actions = {
            "open": open_action,
            "studio": studio,
            "recent": recent.menuAction(),
            "restore": restore,
        }
        self.recent_menu = recent

    def open_file(self, window: QWidget) -> None:
        start = str(Path(str(self.host.location)).parent) if not self._studio() else ""
        chosen, _ = QFileDialog.getOpenFileName(window, "Open Catalog", start, CATALOG_FILTER)
        if chosen:
            self.host.switch(Path(chosen))

    def open_url(self, window: QWidget) -> None:
        url, ok = QInputDialog.getText(
            window,
            "Open Studio Catalog",
            "The studio catalog's URL (postgresql://user@host:5432/db; the password comes "
            "from PGPASSWORD, ~/.pgpass or a service file):",
        )
        if ok and url.strip():
            self.host.switch(url.strip())

    def _fill_recent(self, menu: QMenu) -> None:
        from curator.paths import describe

        menu.clear()
        current = str(self.host.location)
        shown = [c for c in self.host.recent.existing() if c != current]
        for location in shown:
            action = menu.addAction(describe(location))
            action.triggered.connect(lambda _=False, where=location: self.host.switch(where))
        if not shown:
            none = menu.addAction("No other catalog opened yet")
            none.setEnabled(False)

    def _studio(self) -> bool:
        catalog = self.host.catalog
        return catalog is not None and catalog.is_postgres

    def choose_backup(self, window: QWidget) -> None:
        """List the backups; confirm the chosen one; the host restores it."""
        from curator.catalog.backup import backup_folder, list_backups

        host = self.host
        if host.catalog is None or self._studio():
            host.restore(Path(), Path(), 0)  # refused there, with the sentence that says why
            return
        settings = self.settings()
        folder = backup_folder(host.catalog.path, settings.backup_folder)
        backups = list_backups(folder, host.catalog.path)
        dialog = RestoreDialog(backups, folder, window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        info = dialog.chosen()
        if info is None:
            return
        answer = QMessageBox.question(
            window,
            "Restore Catalog from Backup",
            confirm_text(info, host.catalog.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            host.restore(info.path, folder, settings.backup_keep)


__all__ = ["CatalogMenu", "RestoreDialog", "backup_line", "confirm_text"]
