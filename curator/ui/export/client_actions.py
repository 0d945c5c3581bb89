"""`ClientGalleryActions`: the File menu's client-gallery items (issue 81),
placed after File ▸ Export…:
- Client Gallery… → `ClientGalleryDialog` (make or update one);
- Serve Client Gallery… → asks which gallery, then its `ClientServeWindow`
  (one per gallery; the dialog's Serve… opens the same one);
- Import Client Selection… (a file) and Paste Client Selection (the
  clipboard's text) → `ClientGalleryWork.import_selection`; the outcome, a
  refusal that changed nothing or what changed, in a message box.
What they need from the window is `ClientGalleryParts`, the catalog's place
(`CatalogPlace`), the grid's selection and the settings; the work, the
dialogs and the servers are made at their first use. When the window closes
(`closed`) every server is stopped (terminated, killed after 3 s) and a make
under way is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, SignalInstance, Slot
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QInputDialog, QMessageBox, QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.grid_decisions import selected_ids

if TYPE_CHECKING:
    from curator.settings import Settings
    from curator.ui.export.client_gallery import ClientGalleryDialog
    from curator.ui.export.client_serve import ClientServeWindow
    from curator.ui.export.client_work import ChoicesLoaded, ClientGalleryWork, ImportFinished
    from curator.ui.export.controller import ExportController

SERVE_CHOICES = "serve"  # the purpose of the Serve menu item's `load_choices`
SELECTION_FILTER = "Client selections (*.json *.txt);;All files (*)"
NO_GALLERY = "This catalog has no client gallery yet: make one with File ▸ Client Gallery… first."
EMPTY_CLIPBOARD = (
    "The clipboard holds no text: copy the client's whole selection (from its BEGIN "
    "line to its END line) first. Nothing changed."
)


@dataclass(frozen=True)
class ClientGalleryParts:
    """What the window lends its client-gallery items."""

    export: Callable[[], ExportController]  # its pool (one thread) runs makes and imports
    reads: QThreadPool  # a served gallery's live say, every two seconds
    closed: SignalInstance  # the window closed: servers stopped, a make cancelled
    # The grid re-reads these photos (an import here changed their hearts: the
    # change feed tells other processes, never this one).
    rows_changed: Callable[[list[int]], None] = lambda _ids: None


@dataclass(frozen=True)
class CatalogPlace:
    """The window's catalog, for the servers and the default gallery folder."""

    location: str  # what `curator --catalog` takes: the file, or the PostgreSQL URL
    folder: Path  # beside it: "Client galleries/<name>" (a studio's: the local stand-in's)


def grid_selection(view: QAbstractItemView) -> list[int]:
    """The photos selected in the grid, in its order; none when nothing is selected."""
    model = view.selectionModel()
    return selected_ids(view) if model is not None and model.hasSelection() else []


class ClientGalleryActions(QObject):
    def __init__(
        self,
        window: QWidget,
        parts: ClientGalleryParts,
        place: CatalogPlace,
        selection: Callable[[], list[int]],
        *,
        settings: Callable[[], Settings],  # the MATCH threshold and quality of "approved"
        errors: ErrorReporter,
    ):
        super().__init__(window)
        self.window, self.parts, self.place = window, parts, place
        self.selection, self.settings, self.errors = selection, settings, errors
        self.made: ClientGalleryWork | None = None
        self.dialog: ClientGalleryDialog | None = None
        self.servers: dict[str, ClientServeWindow] = {}  # by gallery token
        self.chooser: QInputDialog | None = None
        self.message: QMessageBox | None = None  # the last outcome shown
        self.make_action = QAction("Client &Gallery…", window)
        self.make_action.triggered.connect(self.open_dialog)
        self.serve_action = QAction("Ser&ve Client Gallery…", window)
        self.serve_action.triggered.connect(self.choose_to_serve)
        self.import_action = QAction("Import Client &Selection…", window)
        self.import_action.triggered.connect(self.choose_file)
        self.paste_action = QAction("Paste Client Selection", window)
        self.paste_action.triggered.connect(self.paste)
        self.actions = [self.make_action, self.serve_action, self.import_action, self.paste_action]
        parts.closed.connect(self.shutdown)

    def work(self) -> ClientGalleryWork:
        """The jobs' controller, made at the first use (on the export's pool)."""
        if self.made is None:
            from curator.ui.export.client_work import ClientGalleryWork

            pool = self.parts.export().threads  # the disk the copies go to is the resource
            self.made = ClientGalleryWork(pool, self.errors, parent=self)
            self.made.choices_loaded.connect(self._on_choices_loaded)
            self.made.imported.connect(self._on_imported)
        return self.made

    # --- Client Gallery… ------------------------------------------------------

    @Slot()
    @guarded_slot
    def open_dialog(self) -> ClientGalleryDialog:
        """One dialog at a time (a running make's dialog is raised, not doubled)."""
        settings = self.settings()
        match = (settings.match_threshold, settings.match_approves_at)
        if self.dialog is None:
            from curator.ui.export.client_gallery import ClientGalleryDialog

            self.dialog = ClientGalleryDialog(
                self.work(), catalog_dir=self.place.folder, match=match, parent=self.window
            )
            self.dialog.serve_requested.connect(self.serve)
        self.dialog.reopen(self.selection(), match)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    # --- Serve Client Gallery… ------------------------------------------------

    @Slot()
    @guarded_slot
    def choose_to_serve(self) -> None:
        """Read the galleries, then ask which one (`_on_choices_loaded`)."""
        self.work().load_choices(SERVE_CHOICES)

    @Slot(str, str)
    @guarded_slot
    def serve(self, name: str, token: str) -> ClientServeWindow:
        """The serve window of this gallery, shown and its server started."""
        window = self.servers.get(token)
        if window is None:
            from curator.ui.export.client_serve import ClientServeWindow

            window = ClientServeWindow(
                name,
                token,
                location=self.place.location,
                reads=self.parts.reads,
                errors=self.errors,
                parent=self.window,
            )
            self.servers[token] = window
        window.show()
        window.raise_()
        window.activateWindow()
        window.start()
        return window

    def _ask_which(self, loaded: ChoicesLoaded) -> None:
        if not loaded.galleries:
            self.show_message(NO_GALLERY, refused=True)
            return
        tokens = {g.name: g.token for g in loaded.galleries}
        chooser = QInputDialog(self.window)
        chooser.setWindowTitle("Serve Client Gallery")
        chooser.setLabelText("Which gallery should the client's browser open?")
        chooser.setComboBoxItems(list(tokens))
        chooser.setComboBoxEditable(False)
        chooser.setOkButtonText("Serve")
        chooser.textValueSelected.connect(lambda name: self.serve(name, tokens[name]))
        self.chooser = chooser
        chooser.open()

    # --- Import / Paste Client Selection ---------------------------------------

    @Slot()
    @guarded_slot
    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self.window, "Import the client's selection", str(Path.home()), SELECTION_FILTER
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Bring back the selection file at `path` (the outcome: `message`)."""
        self.work().import_selection(path)

    @Slot()
    @guarded_slot
    def paste(self) -> None:
        """Bring back a selection pasted from an e-mail (the clipboard's text)."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.show_message(EMPTY_CLIPBOARD, refused=True)
            return
        self.work().import_selection(text.encode("utf-8"))

    def show_message(self, sentence: str, *, refused: bool) -> QMessageBox:
        """An outcome in a message box that waits for OK without blocking the window."""
        icon = QMessageBox.Icon.Warning if refused else QMessageBox.Icon.Information
        if self.message is not None:
            self.message.close()
        box = QMessageBox(icon, "Client Selection", sentence, QMessageBox.StandardButton.Ok)
        box.setParent(self.window, box.windowFlags())
        self.message = box
        box.open()
        return box

    # --- slots ----------------------------------------------------------------

    @Slot(object)
    @guarded_slot
    def _on_choices_loaded(self, loaded: ChoicesLoaded) -> None:
        if loaded.purpose == SERVE_CHOICES and loaded.error is None:
            self._ask_which(loaded)

    @Slot(object)
    @guarded_slot
    def _on_imported(self, finished: ImportFinished) -> None:
        if finished.photo_ids:
            self.parts.rows_changed(list(finished.photo_ids))
        self.show_message(finished.sentence, refused=finished.refused)

    @Slot()
    @guarded_slot
    def shutdown(self) -> None:
        """The window closed: a make cancelled, every server stopped and waited for."""
        if self.made is not None:
            self.made.shutdown()
        for window in self.servers.values():
            window.shutdown()
