"""`IngestDialog` (File ▸ Ingest from Card…): the card (or any folder), the
destination and an optional backup, the renaming templates with the first
names they give, then progress with Cancel, a summary, and Eject.

It touches no file or catalog (`IngestController` does); the cards are the
mounted volumes with a `DCIM/` folder, listed on opening and on Look Again.
States: editing (a debounced preview; a card that will not fit is said in red,
and Ingest copies what fits) → running (Cancel stops at the next chunk; closing
only hides) → finished (the summary; Eject when the system allows; the form
enabled again, so Ingest finishes an ingest that stopped).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from curator.ingest.eject import NO_EJECT, eject_command
from curator.ingest.template import TOKENS
from curator.ingest.types import IngestProgress, IngestRequest
from curator.settings import Settings
from curator.ui.common.folder_field import folder_field
from curator.ui.common.guard import guarded_slot
from curator.ui.common.job_dialog import ERROR_STYLE, HINT_STYLE, JobDialog
from curator.ui.ingest.cards import Card, mounted_cards
from curator.ui.ingest.controller import IngestController, IngestFinished, IngestPreview
from curator.ui.ingest.text import done_text, fits, names_text, preview_text, progress_text

NO_CARD = "No card found — choose a folder"
TOKEN_HELP = (
    "Tokens: "
    + ", ".join("{" + t + "}" for t in TOKENS)
    + ". {date:%Y%m%d} picks a date pattern, {seq:4} the counter's width. The file's "
    "extension always follows, so a RAW+JPEG pair keeps one name."
)


class IngestDialog(JobDialog):
    STOPPING = "Stopping… (a file cut short is dropped, never left half-written)"

    def __init__(
        self,
        controller: IngestController,
        settings: Settings,
        *,
        cards: Callable[[], list[Card]] = mounted_cards,
        parent: QWidget | None = None,
    ):
        super().__init__(controller, "Ingest from Card", 640, parent)
        self.controller, self._cards = controller, cards
        self._ingested_card: Card | None = None
        self._build()
        self._restore(settings)
        self._wire()
        self.list_cards()
        self._set_running(controller.running)

    # --- construction -------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        self.source_combo = QComboBox(self)
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.look_button = QPushButton("Look Again", self)
        self.look_button.setToolTip("List the cards again (after you put one in)")
        self.folder_button = QPushButton("Folder…", self)
        source_row = QHBoxLayout()
        source_row.addWidget(self.source_combo, 1)
        source_row.addWidget(self.look_button)
        source_row.addWidget(self.folder_button)
        form.addRow("Card:", source_row)
        self.dest_edit, self.dest_button = folder_field(
            self, form, "Destination:", "Where the photos go (the catalog holds these copies)"
        )
        self.backup_edit, self.backup_button = folder_field(
            self, form, "Backup:", "Optional: a second copy, best on another disk"
        )
        self.rename_edit = QLineEdit(self)
        self.rename_edit.setToolTip(TOKEN_HELP)
        form.addRow("File names:", self.rename_edit)
        self.subfolder_edit = QLineEdit(self)
        self.subfolder_edit.setPlaceholderText("Empty: straight into the destination")
        self.subfolder_edit.setToolTip(TOKEN_HELP.replace(", {seq}", "").replace(", {ext}", ""))
        form.addRow("Folders:", self.subfolder_edit)

        self.previewed(
            self.controller.preview,
            "Choose a card (or a folder) and a destination.",
            "Looking at the card…",
        )
        self.names_view = QPlainTextEdit(self)
        self.names_view.setReadOnly(True)
        self.names_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.names_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.names_view.setFixedHeight(self.fontMetrics().lineSpacing() * 7)
        self.names_view.setToolTip("The first photos' new names (card → destination)")

        # After a run its summary takes the names' place until the form is edited.
        self.summary_view = QPlainTextEdit(self)
        self.summary_view.setReadOnly(True)
        self.summary_view.setMinimumHeight(self.fontMetrics().lineSpacing() * 9)
        self.summary_view.hide()
        self.eject_label = QLabel("", self)
        self.eject_label.setWordWrap(True)
        self.eject_label.setStyleSheet(HINT_STYLE)
        self.eject_label.hide()

        self.ingest_button, self.eject_button = self.add_buttons("Ingest", "Eject Card")
        self.lay_out(
            self.preview_label,
            self.names_view,
            self.progress_box,
            self.summary_view,
            self.eject_label,
            grow=self.summary_view,
        )
        self.form_widgets = (
            self.source_combo,
            self.look_button,
            self.folder_button,
            self.dest_edit,
            self.dest_button,
            self.backup_edit,
            self.backup_button,
            self.rename_edit,
            self.subfolder_edit,
        )

    def _wire(self) -> None:
        self.look_button.clicked.connect(self.list_cards)
        self.folder_button.clicked.connect(self._choose_folder)
        self.source_combo.currentIndexChanged.connect(self._edited)
        for edit in (self.dest_edit, self.backup_edit, self.rename_edit, self.subfolder_edit):
            edit.textChanged.connect(self._edited)
        self.ingest_button.clicked.connect(self.start_ingest)
        self.eject_button.clicked.connect(self.eject_card)
        c = self.controller
        c.preview_ready.connect(self._on_preview_ready)
        c.progress.connect(self._on_progress)
        c.finished.connect(self._on_finished)
        c.ejected.connect(self._on_ejected)

    def _restore(self, settings: Settings) -> None:
        last = self.controller.last_request
        self.dest_edit.setText(last.destination if last else settings.ingest_destination)
        self.backup_edit.setText((last.backup or "") if last else settings.ingest_backup)
        self.rename_edit.setText(last.rename if last else settings.ingest_rename)
        self.subfolder_edit.setText(last.subfolder if last else settings.ingest_subfolder)

    # --- the form ---------------------------------------------------------------

    @Slot()
    @guarded_slot
    def list_cards(self) -> None:
        """The mounted cards, then the folders chosen before; a card stays chosen."""
        chosen = self.source_combo.currentData()
        folders = [
            self.source_combo.itemData(i)
            for i in range(self.source_combo.count())
            if isinstance(self.source_combo.itemData(i), str)
        ]
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        for card in self._cards():
            self.source_combo.addItem(card.label, card)
        for folder in folders:
            self.source_combo.addItem(folder, folder)
        if self.source_combo.count() == 0:
            self.source_combo.addItem(NO_CARD, None)
        index = next(
            (
                i
                for i in range(self.source_combo.count())
                if self._same(self.source_combo.itemData(i), chosen)
            ),
            0,
        )
        self.source_combo.setCurrentIndex(index)
        self.source_combo.blockSignals(False)
        self._schedule_preview()

    @staticmethod
    def _same(a: object, b: object) -> bool:
        if isinstance(a, Card) and isinstance(b, Card):
            return a.volume.root == b.volume.root
        return a == b and a is not None

    def card(self) -> Card | None:
        data = self.source_combo.currentData()
        return data if isinstance(data, Card) else None

    def source(self) -> str:
        data = self.source_combo.currentData()
        if isinstance(data, Card):
            return data.dcim
        return data if isinstance(data, str) else ""

    def request(self) -> IngestRequest | None:
        """The request for the form as it is; None without a source or destination."""
        source, dest = self.source(), self.dest_edit.text().strip()
        if not source or not dest:
            return None
        backup = self.backup_edit.text().strip()
        return IngestRequest(
            source=source,
            destination=os.path.abspath(os.path.expanduser(dest)),
            backup=os.path.abspath(os.path.expanduser(backup)) if backup else None,
            rename=self.rename_edit.text().strip(),
            subfolder=self.subfolder_edit.text().strip(),
        )

    def add_folder(self, folder: str) -> None:
        """Ingest from `folder` (its DCIM when it has one)."""
        dcim = os.path.join(folder, "DCIM")
        folder = dcim if os.path.isdir(dcim) else folder
        index = self.source_combo.findData(folder)
        if index < 0:
            if self.source_combo.currentData() is None:  # the "no card" line goes
                self.source_combo.removeItem(self.source_combo.currentIndex())
            self.source_combo.addItem(folder, folder)
            index = self.source_combo.count() - 1
        self.source_combo.setCurrentIndex(index)

    @Slot()
    @guarded_slot
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Ingest the photos of a folder")
        if folder:
            self.add_folder(folder)

    # --- actions --------------------------------------------------------------

    @Slot()
    @guarded_slot
    def start_ingest(self) -> None:
        request = self.request()
        if request is None:
            self._show_preview("Choose a card (or a folder) and a destination first.", error=True)
            return
        self._preview_timer.stop()
        self._ingested_card = self.card()
        self._show_summary(None)
        self.eject_button.hide()
        self.eject_label.hide()
        self.progress_bar.setRange(0, 0)  # busy until the plan is made
        self.progress_label.setText("Looking at the card…")
        self.current_label.setText("")
        if not self.controller.start(request):
            self._show_preview(
                "The ingest could not start: one is running, or Curator is closing.", error=True
            )

    @Slot()
    @guarded_slot
    def eject_card(self) -> None:
        if self._ingested_card is not None:
            self.eject_button.setEnabled(False)
            self.eject_label.setText("Ejecting…")
            self.eject_label.show()
            self.controller.eject(self._ingested_card)

    def reject(self) -> None:
        """Esc or the close button: while copying, the dialog only hides."""
        if self.controller.running:
            self.hide()
            return
        super().reject()

    def reopen(self) -> None:
        """Shown again from the menu: the cards listed again (unless copying)."""
        if not self.controller.running:
            self.list_cards()

    # --- slots --------------------------------------------------------------

    @Slot()
    @guarded_slot
    def _edited(self, *_: object) -> None:
        """The form changed: the last summary gives way to the new names."""
        if self.summary_view.isVisibleTo(self) and not self.controller.running:
            self._show_summary(None)
        self._schedule_preview()

    def _schedule_preview(self, *_: object) -> None:
        self.source_combo.setToolTip(self.source())  # a long path is cut in the box
        if not self.controller.running and self.request() is None:
            self.names_view.setPlainText("")
        super()._schedule_preview()

    @Slot(object)
    @guarded_slot
    def _on_preview_ready(self, preview: IngestPreview) -> None:
        if self.controller.running or preview.request != self.request():
            return  # the form changed since: a newer preview is on its way
        # A card that will not fit is a warning (red), not a refusal: Ingest copies what fits.
        warn = preview.error is not None or not fits(preview)
        self._show_preview(preview_text(preview), error=warn)
        self.names_view.setPlainText(names_text(preview))
        self.ingest_button.setEnabled(preview.error is None)

    @Slot(object)
    @guarded_slot
    def _on_progress(self, p: IngestProgress) -> None:
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(1000 * p.bytes_done / p.bytes_total) if p.bytes_total else 0)
        self.progress_label.setText(progress_text(p))
        if not self.controller.cancelling:
            self.progress_box.show_current(p.current)

    @Slot(object)
    @guarded_slot
    def _on_finished(self, finished: IngestFinished) -> None:
        self.current_label.setText("")
        result = finished.result
        if result is None:
            self.progress_box.hide()
            self._show_summary(finished.error or "The ingest failed.", error=True)
            return
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1 if result.complete else 0)
        text = done_text(result)
        if result.catalog_paths:
            text += (
                "\nThe photos are in the grid; measuring, embedding and describing go on "
                "in the status bar."
            )
        self._show_summary(text, error=not result.complete)
        self._offer_eject()

    @property
    def summary(self) -> str:
        """The last run's summary ('' while none shows)."""
        return self.summary_view.toPlainText() if self.summary_view.isVisibleTo(self) else ""

    def _show_summary(self, text: str | None, *, error: bool = False) -> None:
        """The summary in the names' place (None: the names again)."""
        shown = text is not None
        self.summary_view.setPlainText(text or "")
        self.summary_view.setStyleSheet(ERROR_STYLE if error else "")
        self.summary_view.setVisible(shown)
        self.names_view.setVisible(not shown)
        self.preview_label.setVisible(not shown)

    def _offer_eject(self) -> None:
        card = self._ingested_card
        if card is None:
            return
        if eject_command(card.volume.root, card.volume.device) is None:
            self.eject_label.setText(NO_EJECT)
            self.eject_label.show()
            return
        self.eject_button.setEnabled(True)
        self.eject_button.show()

    @Slot(str)
    @guarded_slot
    def _on_ejected(self, sentence: str) -> None:
        self.eject_label.setText(sentence)
        self.eject_label.show()
        ejected = sentence.endswith("you can take it out.")
        self.eject_button.setVisible(not ejected)
        self.eject_button.setEnabled(not ejected)
        if ejected:
            self.list_cards()
