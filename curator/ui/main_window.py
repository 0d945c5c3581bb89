"""`MainWindow`: menus, toolbar, status bar and the gallery ⇄ loupe stack.

Holds no business logic: every action forwards to a service passed in by
`curator.app` (review session, import controller, gallery model). Gallery
updates caused by decisions are deferred while the loupe is showing and
applied when the gallery comes back, so a keypress in the loupe never pays
for re-querying the gallery.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.catalog.queries import GalleryFilter
from curator.ui.gallery_model import GalleryListModel, PhotoIdRole
from curator.ui.gallery_view import GalleryView
from curator.ui.guard import ErrorReporter, guarded_slot
from curator.ui.image_loader import ImageLoader
from curator.ui.import_controller import ImportController
from curator.ui.keymap import WINDOW_BINDINGS
from curator.ui.loupe_page import LoupePage
from curator.ui.loupe_view import HelpOverlay
from curator.ui.review import ReviewSession

ERROR_SHOWN_MS = 15_000


class MainWindow(QMainWindow):
    closed = Signal()  # the close was accepted (after an import wound down, if any)

    def __init__(
        self,
        *,
        model: GalleryListModel,
        thumbnails: ImageLoader,
        previews: ImageLoader,
        session: ReviewSession,
        imports: ImportController,
        errors: ErrorReporter,
        title: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.model, self.session, self.imports, self.errors = model, session, imports, errors
        self.setWindowTitle(title)
        self.resize(1280, 820)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(central)
        layout.addWidget(self.stack)
        self.gallery = GalleryView(model, thumbnails, errors, self.stack)
        self.loupe = LoupePage(session, previews, thumbnails, errors, self.stack)
        self.stack.addWidget(self.gallery)
        self.stack.addWidget(self.loupe)
        self.setCentralWidget(central)
        self.help = HelpOverlay(central)
        self._pending_gallery: set[int] = set()
        self._build_toolbar()
        self._build_status_bar()
        self._build_actions()
        self._wire()

    # --- construction -------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("View", self)
        bar.setMovable(False)
        bar.addWidget(QLabel(" Show: "))
        self.filter_combo = QComboBox(bar)
        for which in GalleryFilter:
            self.filter_combo.addItem(which.value.capitalize(), which.value)
        bar.addWidget(self.filter_combo)
        self.count_label = QLabel("", bar)
        bar.addWidget(self.count_label)
        bar.addSeparator()
        self.pass_label = QLabel("", bar)
        bar.addWidget(self.pass_label)
        self.addToolBar(bar)

    def _build_status_bar(self) -> None:
        self.progress_label = QLabel("", self)
        self.error_label = QLabel("", self)
        self.error_label.setStyleSheet("color: #ff6b5a;")
        self.error_label.setWordWrap(False)
        self.statusBar().addPermanentWidget(self.error_label)
        self.statusBar().addPermanentWidget(self.progress_label)
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.setInterval(ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self.error_label.clear)

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = file_menu.addAction("&Import Folder…")
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self._ask_import)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        view_menu = self.menuBar().addMenu("&View")
        help_menu = self.menuBar().addMenu("&Help")
        menus = {
            "undo": edit_menu,
            "redo": edit_menu,
            "grid": view_menu,
            "loupe": view_menu,
            "help": help_menu,
        }
        self.window_actions: dict[str, QAction] = {}
        for binding in WINDOW_BINDINGS:
            action = QAction(binding.cull.capitalize(), self)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.triggered.connect(lambda _=False, name=binding.action: self.dispatch(name))
            menus[binding.action].addAction(action)
            self.window_actions[binding.action] = action

    def _wire(self) -> None:
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.gallery.activated.connect(self._on_gallery_activated)
        self.errors.reported.connect(self.show_error)
        self.imports.progress.connect(self.progress_label.setText)
        self.imports.finished.connect(self.progress_label.setText)
        self.imports.photos_changed.connect(self._on_imported)
        self.session.photos_changed.connect(self._on_decided)
        self.session.notice.connect(self._show_notice)
        self.session.pass_changed.connect(self._update_labels)
        self.session.current_changed.connect(self._update_labels)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_labels)

    # --- actions ------------------------------------------------------------

    @guarded_slot
    def dispatch(self, action: str) -> None:
        if action == "grid":
            self.show_gallery()
        elif action == "loupe":
            self.show_loupe()
        elif action == "undo":
            self.session.undo()
        elif action == "redo":
            self.session.redo()
        elif action == "help":
            self.help.toggle()

    def show_gallery(self) -> None:
        self._flush_gallery()
        self.stack.setCurrentWidget(self.gallery)
        current = self.session.current
        row = None if current is None else self.model.row_for(current)
        if row is not None:
            self.gallery.setCurrentIndex(self.model.index(row))
        self.gallery.setFocus()

    def show_loupe(self, photo_id: int | None = None) -> None:
        if photo_id is None:
            index = self.gallery.currentIndex()
            photo_id = index.data(PhotoIdRole) if index.isValid() else None
        self.session.start(self.session.pass_, at_photo=photo_id)
        self.stack.setCurrentWidget(self.loupe)
        self.loupe.view.setFocus()

    def start_import(self, folder: str) -> bool:
        return self.imports.start(folder)

    @Slot()
    @guarded_slot
    def _ask_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of photos")
        if folder:
            self.start_import(folder)

    # --- slots --------------------------------------------------------------

    @Slot(str)
    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setToolTip(message)
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)
        self._error_timer.start()

    @Slot(str)
    def _show_notice(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)

    @Slot(int)
    @guarded_slot
    def _on_filter_changed(self, index: int) -> None:
        self._pending_gallery.clear()
        self.model.set_filter(GalleryFilter(self.filter_combo.itemData(index)))

    @Slot(QModelIndex)
    @guarded_slot
    def _on_gallery_activated(self, index: QModelIndex) -> None:
        self.show_loupe(index.data(PhotoIdRole))

    @Slot(list)
    @guarded_slot
    def _on_imported(self, ids: list[int]) -> None:
        self.model.refresh(ids)
        self.loupe.invalidate(ids)
        self.session.extend(ids)

    @Slot(list)
    @guarded_slot
    def _on_decided(self, ids: list[int]) -> None:
        self._pending_gallery.update(ids)
        if self.stack.currentWidget() is self.gallery:
            self._flush_gallery()

    def _flush_gallery(self) -> None:
        if self._pending_gallery:
            ids, self._pending_gallery = self._pending_gallery, set()
            self.model.refresh(ids)

    def _update_labels(self, *_: object) -> None:
        self.count_label.setText(f"  {self.model.rowCount()} photos  ")
        self.pass_label.setText(f"  {self.session.position_text}  ")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.imports.running:
            # Quitting mid-import asks nothing and loses nothing: stop taking new
            # files, let in-flight ones finish and be written, then close.
            # A hidden window does not end the app by itself: `closed` does (app.py).
            event.ignore()
            self.hide()
            self.imports.finished.connect(self.close)
            self.imports.cancel()
            return
        event.accept()
        self.closed.emit()
