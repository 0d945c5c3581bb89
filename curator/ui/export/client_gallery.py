"""`ClientGalleryDialog` (File ▸ Client Gallery…): make or update a client
proofing gallery. The form (name, title, photos, picks asked for, comments,
watermark, expiry, GPS and serials, folder) becomes a `MakeRequest`;
`ClientGalleryWork` makes it off the UI thread. The dialog reads no catalog
and writes no file.

States: editing → running (a progress bar, "12 of 120 photos"; Cancel or
closing stops after the photos in hand) → finished (what was rendered,
unchanged or failed; for a new gallery its access code, shown this once with
a Copy button, since Curator keeps only its hash; "Open Folder" and "Serve…").
Settings a gallery can't have (min above max, no title) and a source with
no photo are refused with the sentence of `GallerySettings.problem()` or
`GalleryError`, and nothing is made.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from curator.catalog.proofing.galleries import GallerySettings
from curator.proof.make import MakeRequest, PhotoSource, default_folder
from curator.ui.common.guard import guarded_slot
from curator.ui.common.job_dialog import ERROR_STYLE, HINT_STYLE, JobDialog, show_sentence
from curator.ui.export.client_text import progress_text, summary_text
from curator.ui.export.client_work import (
    ChoicesLoaded,
    ClientGalleryWork,
    GalleryChoice,
    MakeFinished,
    seat_user,
)
from curator.ui.export.text import photos

PICKS_MAX = 9_999
NAME_CHARS = 28  # the name box's width: a couple's names and a date, uncut
EXPIRES_AFTER_DAYS = 30  # the date offered when an expiry is first ticked
CHOICES = "dialog"  # the purpose of this dialog's `load_choices`
SELECTION, APPROVED, PROJECT = "selection", "approved", "project:"  # the Photos: items' data
CODE_SENTENCE = (
    "Give this access code to the client. Curator keeps only a hash of it, so it "
    "is shown this once: copy it now."
)


class ClientGalleryDialog(JobDialog):
    serve_requested = Signal(str, str)  # the gallery's name and token
    STOPPING = "Stopping after the photos at work (what was copied stays in the gallery)…"

    def __init__(
        self,
        work: ClientGalleryWork,
        *,
        catalog_dir: Path,
        match: tuple[float, float] = (70.0, 0.5),  # MATCH threshold, approves-at quality
        parent: QWidget | None = None,
    ):
        super().__init__(work, "Client Gallery", 560, parent)
        self.work, self.catalog_dir, self.match = work, catalog_dir, match
        self.selection: tuple[int, ...] = ()
        self.galleries: dict[str, GalleryChoice] = {}
        self.last: MakeFinished | None = None
        self._build()
        self._wire()
        self._set_running(work.running)

    # --- construction -------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        self.name_combo = QComboBox(self)
        self.name_combo.setEditable(True)
        self.name_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name_combo.setMinimumContentsLength(NAME_CHARS)
        self.name_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        name_edit = self.name_combo.lineEdit()
        assert name_edit is not None  # an editable combo has one
        name_edit.setPlaceholderText("A name for you, e.g. Anna & Ben")
        form.addRow("Gallery:", self.name_combo)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("What the client sees first")
        form.addRow("Title:", self.title_edit)
        self.source_combo = QComboBox(self)
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        form.addRow("Photos:", self.source_combo)
        self.min_spin = QSpinBox(self)
        self.min_spin.setRange(0, PICKS_MAX)
        self.max_spin = QSpinBox(self)
        self.max_spin.setRange(0, PICKS_MAX)
        self.max_spin.setSpecialValueText("no maximum")
        picks = QHBoxLayout()
        picks.addWidget(QLabel("at least", self))
        picks.addWidget(self.min_spin)
        picks.addWidget(QLabel("at most", self))
        picks.addWidget(self.max_spin)
        picks.addStretch(1)
        form.addRow("Hearts asked for:", picks)
        self.comments_check = QCheckBox("The client may comment on a photo", self)
        self.comments_check.setChecked(True)
        form.addRow("Comments:", self.comments_check)
        self.watermark_edit = QLineEdit(self)
        self.watermark_edit.setPlaceholderText("A line across each copy (none when empty)")
        form.addRow("Watermark:", self.watermark_edit)
        self.expires_check = QCheckBox("Closes after", self)
        self.expires_edit = QDateEdit(self)
        self.expires_edit.setCalendarPopup(True)
        self.expires_edit.setDisplayFormat("d MMM yyyy")
        self.expires_edit.setDate(QDate.currentDate().addDays(EXPIRES_AFTER_DAYS))
        self.expires_edit.setEnabled(False)
        expires = QHBoxLayout()
        expires.addWidget(self.expires_check)
        expires.addWidget(self.expires_edit)
        expires.addStretch(1)
        form.addRow("Expiry:", expires)
        self.keep_location_check = QCheckBox("Keep GPS and serial numbers in the copies", self)
        form.addRow("Privacy:", self.keep_location_check)
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setClearButtonEnabled(True)
        self.folder_button = QPushButton("Choose…", self)
        folder = QHBoxLayout()
        folder.addWidget(self.folder_edit, 1)
        folder.addWidget(self.folder_button)
        form.addRow("Folder:", folder)

        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        self.summary_label = QLabel("", self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.hide()
        self.code_box = QWidget(self)
        self.code_label = QLabel("", self.code_box)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setStyleSheet("font-size: 18pt; font-family: monospace;")
        self.copy_code_button = QPushButton("Copy", self.code_box)
        code_hint = QLabel(CODE_SENTENCE, self.code_box)
        code_hint.setWordWrap(True)
        code_hint.setStyleSheet(HINT_STYLE)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_label)
        code_row.addWidget(self.copy_code_button)
        code_row.addStretch(1)
        code_layout = QVBoxLayout(self.code_box)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.addLayout(code_row)
        code_layout.addWidget(code_hint)
        self.code_box.hide()

        buttons = self.add_buttons("Make Gallery", "Open Folder", "Serve…")
        self.make_button, self.open_button, self.serve_button = buttons
        self.lay_out(self.message_label, self.progress_box, self.summary_label, self.code_box)
        self.form_widgets = (
            self.name_combo,
            self.title_edit,
            self.source_combo,
            self.min_spin,
            self.max_spin,
            self.comments_check,
            self.watermark_edit,
            self.expires_check,
            self.keep_location_check,
            self.folder_edit,
            self.folder_button,
        )

    def _wire(self) -> None:
        self.name_combo.currentTextChanged.connect(self._on_name_changed)
        self.expires_check.toggled.connect(self.expires_edit.setEnabled)
        self.make_button.clicked.connect(self.start_make)
        self.folder_button.clicked.connect(self._choose_folder)
        self.open_button.clicked.connect(self.open_folder)
        self.serve_button.clicked.connect(self._serve)
        self.copy_code_button.clicked.connect(self.copy_code)
        w = self.work
        w.choices_loaded.connect(self._on_choices_loaded)
        w.progress.connect(self._on_progress)
        w.finished.connect(self._on_finished)

    def reopen(self, selection: list[int], match: tuple[float, float]) -> None:
        """Shown again from the menu: the grid's selection and the MATCH settings
        as they are now, the galleries and projects read again."""
        self.match = match
        if self.work.running:
            return
        self.selection = tuple(selection)
        self._fill_sources(self._projects_now())
        self.work.load_choices(CHOICES)
        self.show_message("")
        self.summary_label.hide()
        self.code_box.hide()
        self.code_label.clear()  # the access code is shown once, never again

    # --- the form -----------------------------------------------------------

    def _projects_now(self) -> list[str]:
        data = [str(self.source_combo.itemData(i)) for i in range(self.source_combo.count())]
        return [d.removeprefix(PROJECT) for d in data if d.startswith(PROJECT)]

    def _fill_sources(self, projects: list[str]) -> None:
        current = self.source_combo.currentData()
        self.source_combo.clear()
        if self.selection:
            self.source_combo.addItem(
                f"The {photos(len(self.selection))} selected in the grid", SELECTION
            )
        self.source_combo.addItem("Approved photos", APPROVED)
        for name in projects:
            self.source_combo.addItem(f"Project: {name}", PROJECT + name)
        index = self.source_combo.findData(current) if current else -1
        self.source_combo.setCurrentIndex(max(index, 0))

    def gallery_settings(self) -> GallerySettings:
        maximum = self.max_spin.value()
        day = self.expires_edit.date()
        expires = (
            date(day.year(), day.month(), day.day()) if self.expires_check.isChecked() else None
        )
        return GallerySettings(
            title=self.title_edit.text().strip(),
            min_picks=self.min_spin.value(),
            max_picks=maximum or None,
            comments=self.comments_check.isChecked(),
            watermark=self.watermark_edit.text().strip(),
            expires_on=expires,
            keep_location=self.keep_location_check.isChecked(),
        )

    def source(self) -> PhotoSource:
        kind = str(self.source_combo.currentData() or APPROVED)
        threshold, quality = self.match
        if kind == SELECTION:
            return PhotoSource(photo_ids=self.selection)
        if kind.startswith(PROJECT):
            return PhotoSource(project=kind.removeprefix(PROJECT))
        return PhotoSource(match_threshold=threshold, match_min_quality=quality)

    def name(self) -> str:
        return self.name_combo.currentText().strip()

    def default_folder(self) -> Path:
        """Where a new gallery goes unless a folder is chosen (as `proof make`)."""
        return default_folder(self.catalog_dir, self.name())

    def request(self) -> MakeRequest | str:
        """The make the form asks for, or the sentence saying why it can't be."""
        if not self.name():
            return "A gallery needs a name: choose one of yours or type a new one."
        settings = self.gallery_settings()
        problem = settings.problem()
        if problem:
            return problem
        folder = self.folder_edit.text().strip()
        return MakeRequest(
            name=self.name(),
            settings=settings,
            source=self.source(),
            folder=Path(folder).expanduser() if folder else None,
            catalog_dir=self.catalog_dir,
            made_by=seat_user(),
        )

    def show_message(self, text: str, *, error: bool = False) -> None:
        show_sentence(self.message_label, text, error=error)

    # --- actions ------------------------------------------------------------

    @Slot()
    @guarded_slot
    def start_make(self) -> None:
        request = self.request()
        if isinstance(request, str):
            self.show_message(request, error=True)
            return
        self.summary_label.hide()
        self.code_box.hide()
        self.code_label.clear()
        self.open_button.hide()
        self.serve_button.hide()
        self.progress_box.bar.setRange(0, 0)  # busy until the plan is made
        self.progress_box.label.setText("Reading the photos…")
        self.show_message(f"Making '{request.name}'…")
        if not self.work.start(request):
            self.progress_box.hide()
            self.show_message("The gallery could not start: Curator is closing.", error=True)

    @Slot()
    @guarded_slot
    def _choose_folder(self) -> None:
        start = self.folder_edit.text().strip() or self.folder_edit.placeholderText()
        while start and not Path(start).is_dir() and Path(start).parent != Path(start):
            start = str(Path(start).parent)  # a new gallery's folder is not there yet
        folder = QFileDialog.getExistingDirectory(self, "The gallery's folder", start)
        if folder:
            self.folder_edit.setText(folder)

    @Slot()
    @guarded_slot
    def copy_code(self) -> None:
        QGuiApplication.clipboard().setText(self.code_label.text())

    @Slot()
    @guarded_slot
    def open_folder(self) -> None:
        if self.last is not None and self.last.folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.last.folder))

    @Slot()
    @guarded_slot
    def _serve(self) -> None:
        if self.last is not None and self.last.token:
            self.serve_requested.emit(self.last.name, self.last.token)

    # --- slots --------------------------------------------------------------

    def enable(self, running: bool) -> None:
        self.expires_edit.setEnabled(not running and self.expires_check.isChecked())
        if not running:
            self.progress_box.hide()

    @Slot(str)
    @guarded_slot
    def _on_name_changed(self, text: str) -> None:
        chosen = self.galleries.get(text.strip())
        self.make_button.setText("Update Gallery" if chosen else "Make Gallery")
        if chosen is None:
            self.folder_edit.setPlaceholderText(str(self.default_folder()))
            return
        s = chosen.settings
        self.title_edit.setText(s.title)
        self.min_spin.setValue(s.min_picks)
        self.max_spin.setValue(s.max_picks or 0)
        self.comments_check.setChecked(s.comments)
        self.watermark_edit.setText(s.watermark)
        self.expires_check.setChecked(s.expires_on is not None)
        if s.expires_on is not None:
            e = s.expires_on
            self.expires_edit.setDate(QDate(e.year, e.month, e.day))
        self.keep_location_check.setChecked(s.keep_location)
        self.folder_edit.clear()
        self.folder_edit.setPlaceholderText(chosen.folder)

    @Slot(object)
    @guarded_slot
    def _on_choices_loaded(self, loaded: ChoicesLoaded) -> None:
        if loaded.purpose != CHOICES:
            return
        self.galleries = {g.name: g for g in loaded.galleries}
        typed = self.name_combo.currentText()
        self.name_combo.blockSignals(True)
        self.name_combo.clear()
        self.name_combo.addItems([g.name for g in loaded.galleries])
        self.name_combo.setEditText(typed)
        self.name_combo.blockSignals(False)
        self._fill_sources(list(loaded.projects))
        self._on_name_changed(typed)

    @Slot(int, int)
    @guarded_slot
    def _on_progress(self, done: int, total: int) -> None:
        self.progress_box.bar.setRange(0, max(total, 1))
        self.progress_box.bar.setValue(done)
        self.progress_box.label.setText(progress_text(done, total))

    @Slot(object)
    @guarded_slot
    def _on_finished(self, finished: MakeFinished) -> None:
        self.progress_box.hide()
        if not finished.made:
            self.show_message(finished.error or "The gallery could not be made.", error=True)
            return
        self.last = finished
        self.show_message("")
        self.summary_label.setStyleSheet(ERROR_STYLE if finished.failed else "")
        self.summary_label.setText(
            summary_text(
                finished.name,
                finished.folder,
                new=finished.code is not None,
                rendered=finished.rendered,
                unchanged=finished.unchanged,
                removed=finished.removed,
                failed=finished.failed,
                cancelled=finished.cancelled,
            )
        )
        self.summary_label.show()
        if finished.code is not None:
            self.code_label.setText(finished.code)
            self.code_box.show()
        self.open_button.setVisible(Path(finished.folder).is_dir())
        self.serve_button.show()
        self.work.load_choices(CHOICES)  # a new gallery is one of yours now
