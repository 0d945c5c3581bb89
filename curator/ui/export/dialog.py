"""`ExportDialog` (File ▸ Export…): destination, set, originals or JPEG
renditions, a preview of what will go out, then progress with Cancel and a
summary with "Open folder". It touches no file or catalog (`ExportController`
does); the choices are remembered when Export is pressed (`ExportChoicesFile`).
States: editing → running (Cancel or closing stops at the next file or chunk)
→ finished (the form enabled again: Export again finishes a cancelled export).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from curator.export.types import ExportProgress, ExportRequest, FileStatus, PairExport
from curator.ui.common.folder_field import folder_field
from curator.ui.common.guard import guarded_slot
from curator.ui.common.job_dialog import ERROR_STYLE, JobDialog
from curator.ui.export.choices import (
    LONG_EDGE_MAX,
    LONG_EDGE_MIN,
    ExportChoices,
)
from curator.ui.export.controller import ExportController, ExportFinished, PreviewReady
from curator.ui.export.text import export_folder, preview_text, progress_text, summary_text

APPROVED_LABEL = "Approved photos"


class ExportDialog(JobDialog):
    STOPPING = "Stopping… (a file cut short is discarded, never left half-written)"

    def __init__(
        self,
        controller: ExportController,
        *,
        match_threshold: float = 70.0,
        parent: QWidget | None = None,
    ):
        super().__init__(controller, "Export", 560, parent)
        self.controller, self.match_threshold = controller, match_threshold
        self.sidecar_names = "auto"  # the xmp_sidecar_names setting, set by the window
        self.match_min_quality = 0.5  # catalog.approval's default until reopen() says
        self._open_target: Path | None = None
        self._build()
        self._restore(controller.choices.load())
        self._wire()
        controller.load_sets()
        self._set_running(controller.running)
        self._schedule_preview()

    # --- construction -------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        self.dest_edit, self.browse_button = folder_field(
            self, form, "Destination:", "A folder for the exported photos", "Export to a folder"
        )

        self.set_combo = QComboBox(self)
        # Wide enough for the longest project name (a cut "Project: Harbour T…" misleads).
        self.set_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.set_combo.addItem(APPROVED_LABEL, None)
        form.addRow("Photos:", self.set_combo)

        self.originals_radio = QRadioButton(
            "Originals (pixels untouched, decisions in their XMP)", self
        )
        self.renditions_radio = QRadioButton("JPEG renditions, long edge", self)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.originals_radio)
        self.kind_group.addButton(self.renditions_radio)
        self.long_edge_spin = QSpinBox(self)
        self.long_edge_spin.setRange(LONG_EDGE_MIN, LONG_EDGE_MAX)
        self.long_edge_spin.setSingleStep(256)
        self.long_edge_spin.setSuffix(" px")
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.originals_radio)
        kind_row.addSpacing(16)
        kind_row.addWidget(self.renditions_radio)
        kind_row.addWidget(self.long_edge_spin)
        kind_row.addStretch(1)
        form.addRow("Files:", kind_row)

        # A RAW+JPEG photo (catalog.paths_codec): which of its files go out.
        self.pairs_combo = QComboBox(self)
        self.pairs_combo.addItem("Both files", PairExport.BOTH.value)
        self.pairs_combo.addItem("The RAW only (to edit)", PairExport.RAW.value)
        self.pairs_combo.addItem("The JPEG only (to share)", PairExport.JPEG.value)
        self.pairs_combo.setToolTip(
            "For photos shot as RAW+JPEG: which of the two files go out (renditions: "
            "which files are rendered)."
        )
        form.addRow("RAW+JPEG:", self.pairs_combo)

        wanting, counting = "Choose a destination folder.", "Counting the photos to export…"
        self.previewed(self.controller.preview, wanting, counting)

        self.summary_label = QLabel("", self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.hide()

        self.export_button, self.open_button = self.add_buttons("Export", "Open folder")
        self.lay_out(self.preview_label, self.progress_box, self.summary_label)
        self.form_widgets = (
            self.dest_edit,
            self.browse_button,
            self.set_combo,
            self.originals_radio,
            self.renditions_radio,
            self.long_edge_spin,
            self.pairs_combo,
        )

    def _wire(self) -> None:
        self.dest_edit.textChanged.connect(self._schedule_preview)
        self.set_combo.currentIndexChanged.connect(self._schedule_preview)
        self.kind_group.buttonToggled.connect(self._on_kind_toggled)
        self.long_edge_spin.valueChanged.connect(self._schedule_preview)
        self.pairs_combo.currentIndexChanged.connect(self._schedule_preview)
        self.export_button.clicked.connect(self.start_export)
        self.open_button.clicked.connect(self.open_folder)
        c = self.controller
        c.sets_loaded.connect(self._on_sets_loaded)
        c.preview_ready.connect(self._on_preview_ready)
        c.progress.connect(self._on_progress)
        c.finished.connect(self._on_finished)

    def _restore(self, choices: ExportChoices) -> None:
        self.dest_edit.setText(choices.dest)
        self._wanted_project = choices.project
        self.renditions_radio.setChecked(choices.renditions)
        self.originals_radio.setChecked(not choices.renditions)
        self.long_edge_spin.setValue(choices.long_edge)
        self.long_edge_spin.setEnabled(choices.renditions)

    def set_pair_export(self, choice: str) -> None:
        """Start from the pair_export setting (not while an export runs)."""
        if not self.controller.running:
            self.pairs_combo.setCurrentIndex(max(0, self.pairs_combo.findData(choice)))

    def reopen(self, match_threshold: float, match_min_quality: float | None = None) -> None:
        """Shown again from the menu: the current MATCH threshold and quality, and
        unless an export is running, a fresh form."""
        self.match_threshold = match_threshold
        if match_min_quality is not None:
            self.match_min_quality = match_min_quality
        if self.controller.running:
            return
        self.summary_label.hide()
        self.progress_box.hide()
        self.open_button.hide()
        self._schedule_preview()

    # --- what the user chose ------------------------------------------------

    def choices(self) -> ExportChoices:
        return ExportChoices(
            dest=self.dest_edit.text().strip(),
            project=self.set_combo.currentData(),
            renditions=self.renditions_radio.isChecked(),
            long_edge=self.long_edge_spin.value(),
        )

    def request(self) -> ExportRequest | None:
        """The request for the form as it is; None without a destination."""
        c = self.choices()
        if not c.dest:
            return None
        return ExportRequest(
            dest=Path(os.path.abspath(os.path.expanduser(c.dest))),
            project=c.project,
            renditions_long_edge=c.long_edge if c.renditions else None,
            match_threshold=self.match_threshold,
            sidecar_names=self.sidecar_names,
            match_min_quality=self.match_min_quality,
            pairs=str(self.pairs_combo.currentData()),
        )

    # --- actions ------------------------------------------------------------

    @Slot()
    @guarded_slot
    def start_export(self) -> None:
        request = self.request()
        if request is None:
            self._show_preview("Choose a destination folder first.", error=True)
            return
        self._preview_timer.stop()
        self._show_preview(f"Exporting to {request.dest}…")
        self.controller.choices.save(self.choices())
        self.summary_label.hide()
        self.open_button.hide()
        self.progress_bar.setRange(0, 0)  # busy until the plan is made
        self.progress_label.setText("Planning…")
        self.current_label.setText("")
        if not self.controller.start(request):  # only while the app shuts down
            self.progress_box.hide()
            self._show_preview("The export could not start: Curator is closing.", error=True)

    @Slot()
    @guarded_slot
    def open_folder(self) -> None:
        if self._open_target is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._open_target)))

    @property
    def open_target(self) -> Path | None:
        """The folder "Open folder" opens (the export's folder under DEST)."""
        return self._open_target

    # --- slots --------------------------------------------------------------

    def enable(self, running: bool) -> None:
        self.long_edge_spin.setEnabled(not running and self.renditions_radio.isChecked())

    @Slot(bool)
    @guarded_slot
    def _on_kind_toggled(self, *_: object) -> None:
        self.long_edge_spin.setEnabled(self.renditions_radio.isChecked())
        self._schedule_preview()

    @Slot(list)
    @guarded_slot
    def _on_sets_loaded(self, names: list[str]) -> None:
        current = self.set_combo.currentData() or self._wanted_project
        self.set_combo.blockSignals(True)
        self.set_combo.clear()
        self.set_combo.addItem(APPROVED_LABEL, None)
        for name in names:
            self.set_combo.addItem(f"Project: {name}", name)
        index = self.set_combo.findData(current) if current else 0
        self.set_combo.setCurrentIndex(max(index, 0))
        self.set_combo.blockSignals(False)
        self._schedule_preview()

    @Slot(object)
    @guarded_slot
    def _on_preview_ready(self, ready: PreviewReady) -> None:
        if self.controller.running or ready.request != self.request():
            return  # the form changed since: a newer preview is on its way
        if ready.result is None:
            self._show_preview(ready.error or "The export can't be planned.", error=True)
        else:
            text = preview_text(
                ready.result,
                ready.folder,
                project=ready.request.project,
                left_out=len(ready.left_out),
            )
            self._show_preview(text)

    @Slot(object)
    @guarded_slot
    def _on_progress(self, p: ExportProgress) -> None:
        self.progress_bar.setRange(0, max(p.total, 1))
        self.progress_bar.setValue(p.done)
        self.progress_label.setText(progress_text(p))
        if not self.controller.cancelling:
            self.progress_box.show_current(Path(p.current).name if p.current else "", p.current)

    @Slot(object)
    @guarded_slot
    def _on_finished(self, finished: ExportFinished) -> None:
        self.current_label.setText("")
        if finished.result is None:
            self.progress_box.hide()
            self.summary_label.setStyleSheet(ERROR_STYLE)
            self.summary_label.setText(finished.error or "The export failed.")
            self.summary_label.show()
            return
        result = finished.result
        total = len(result.files)
        self.progress_bar.setRange(0, max(total, 1))
        if not result.cancelled:
            self.progress_bar.setValue(max(total, 1))
        failed = result.count(FileStatus.FAILED) > 0 or bool(result.error)
        self.summary_label.setStyleSheet(ERROR_STYLE if failed else "")
        self.summary_label.setText(summary_text(result, finished.folder))
        self.summary_label.show()
        self._open_target = finished.folder or export_folder(result)
        self.open_button.setVisible(self._open_target.is_dir())
        self._schedule_preview()  # what Export would do now ("all already there")
