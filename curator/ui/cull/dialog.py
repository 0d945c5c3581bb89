"""`ProposeDialog` (Cull ▸ Propose…): which photos, how many to keep, the kind
of shoot and a sensitivity per check, the proposal's counts following the
controls before anything is written; Propose writes it.

It holds no rule and reads no catalog: `CullController` reads the scope,
runs the pure proposal on its pool and writes what `curator cull --propose`
writes. The rows are the checks of `cull.table`, in order; the kind of shoot
starts at `shoot_kind` and sets each check's `off_for`. Photos: the scopes of
`ui.cull.scopes`, or any folder.

States: reading → ready (the last counts greyed until new ones come) → writing
→ closed when stored, or ready again with the error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from curator.cull import table
from curator.cull.check_types import ON_OFF, CullCheck, Genre, Sensitivity
from curator.cull.tuning import CullTuning, default_levels
from curator.ui.common.guard import guarded_slot
from curator.ui.common.job_dialog import HINT_STYLE, show_sentence
from curator.ui.cull.controller import CountsReady, CullController, FramesLoaded, ProposeDone

if TYPE_CHECKING:
    from curator.catalog.proposals.plan import Scope

TARGETS = (
    ("none", "Every good frame (no target)"),
    ("keep", "The best N photos"),
    ("percent", "The best P % of them"),
)
GENRES: tuple[tuple[Genre | None, str], ...] = (
    (None, "Any (every check at its line)"),
    (Genre.PEOPLE, "People"),
    (Genre.PORTRAIT, "Portrait (sharper faces)"),
    (Genre.EVENT, "Event, wedding"),
    (Genre.LANDSCAPE, "Landscape (no eyes; exposure stricter)"),
    (Genre.SPORTS, "Sports (forgives motion and blinks)"),
)
LEVEL_NAMES = {
    Sensitivity.OFF: "Off",
    Sensitivity.LENIENT: "Lenient",
    Sensitivity.NORMAL: "Normal",
    Sensitivity.STRICT: "Strict",
}
NOTHING_DECIDED = (
    "Nothing is decided: the tiles show KEEP? and REJECT? until you decide, "
    "or Cull ▸ Accept the Rest."
)


def _level_combo(check: CullCheck, parent: QWidget) -> QComboBox:
    """A check's row: its levels (on/off: "On" for Normal), at Normal, its tooltip."""
    combo = QComboBox(parent)
    on_off = check.levels == ON_OFF
    for level in check.levels:
        text = "On" if on_off and level is Sensitivity.NORMAL else LEVEL_NAMES[level]
        combo.addItem(text, level.value)
    combo.setCurrentIndex(combo.findData(Sensitivity.NORMAL.value))
    if check.tooltip:
        combo.setToolTip(check.tooltip)
    return combo


class ProposeDialog(QDialog):
    def __init__(
        self,
        controller: CullController,
        scopes: Sequence[tuple[str, Scope]],
        parent: QWidget | None = None,
        genre: Genre | None = None,
    ) -> None:
        """`scopes`: the photos a proposal may be for, by label; the first is chosen;
        `genre`: the kind of shoot chosen at first (the `shoot_kind` setting's)."""
        super().__init__(parent)
        self.setWindowTitle("Propose a First Cull")
        self.controller, self.errors = controller, controller.errors
        self.undecided = 0  # photos of the scope a proposal is for
        self.counts_asked = 0  # the newest count's generation (the controller's)
        self.counts_shown = 0  # the generation of the counts shown (0: none yet)
        self._build(scopes)
        # The setting's kind, through _on_genre (no count yet: the frames are not read).
        self.genre_combo.setCurrentIndex(
            self.genre_combo.findData("" if genre is None else genre.value)
        )
        controller.frames_loaded.connect(self._on_frames)
        controller.counts_ready.connect(self._on_counts)
        controller.proposed.connect(self._on_proposed)
        self.load()

    # --- the form ------------------------------------------------------------------

    def _build(self, scopes: Sequence[tuple[str, Scope]]) -> None:
        form = QFormLayout()
        self.scope_combo = QComboBox(self)
        for label, scope in scopes:
            self.scope_combo.addItem(label, scope)
        self.folder_button = QPushButton("Folder…", self)
        self.folder_button.setToolTip("Propose for the photos under a folder you choose")
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope_combo, 1)
        scope_row.addWidget(self.folder_button)
        form.addRow("Photos:", scope_row)
        self.target_combo = QComboBox(self)
        for key, label in TARGETS:
            self.target_combo.addItem(label, key)
        self.keep_spin = QSpinBox(self)
        self.keep_spin.setRange(0, 1_000_000)
        self.keep_spin.setValue(400)
        self.keep_spin.setSuffix(" photos")
        self.percent_spin = QDoubleSpinBox(self)
        self.percent_spin.setRange(0.0, 100.0)
        self.percent_spin.setDecimals(0)
        self.percent_spin.setValue(20.0)
        self.percent_spin.setSuffix(" %")
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_combo, 1)
        target_row.addWidget(self.keep_spin)
        target_row.addWidget(self.percent_spin)
        form.addRow("Keep:", target_row)
        self.genre_combo = QComboBox(self)
        for genre, label in GENRES:
            self.genre_combo.addItem(label, "" if genre is None else genre.value)
        form.addRow("Kind of shoot:", self.genre_combo)
        checks = QGroupBox("Sensitivity per check", self)
        check_form = QFormLayout(checks)
        # One row per check of cull.table, in its order, by the check's name.
        self.level_combos: dict[str, QComboBox] = {}
        for check in table.CHECKS:
            combo = self.level_combos[check.name] = _level_combo(check, checks)
            check_form.addRow(f"{check.label}:", combo)
        self.counts_label = QLabel("", self)
        bold = QFont(self.counts_label.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.25)
        bold.setBold(True)
        self.counts_label.setFont(bold)
        self.reasons_label = QLabel("", self)
        self.reasons_label.setWordWrap(True)
        self.short_label = QLabel("", self)
        self.short_label.setWordWrap(True)
        self.hint_label = QLabel(NOTHING_DECIDED, self)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet(HINT_STYLE)
        buttons = QDialogButtonBox(self)
        self.propose_button = QPushButton("Propose", self)
        self.propose_button.setDefault(True)
        buttons.addButton(self.propose_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.propose_button.clicked.connect(self._propose)
        buttons.rejected.connect(self.reject)
        self.form_widgets: tuple[QWidget, ...] = (
            self.scope_combo,
            self.folder_button,
            self.target_combo,
            self.keep_spin,
            self.percent_spin,
            self.genre_combo,
            checks,
        )
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(checks)
        box.addWidget(self.counts_label)
        box.addWidget(self.reasons_label)
        box.addWidget(self.short_label)
        box.addWidget(self.hint_label)
        box.addWidget(buttons)
        self.scope_combo.currentIndexChanged.connect(self.load)
        self.folder_button.clicked.connect(self.choose_folder)
        self.target_combo.currentIndexChanged.connect(self._on_target)
        self.genre_combo.currentIndexChanged.connect(self._on_genre)
        for spin in (self.keep_spin, self.percent_spin):
            spin.valueChanged.connect(self.recount)
        for combo in self.level_combos.values():
            combo.currentIndexChanged.connect(self.recount)
        self._on_target()
        self.setMinimumWidth(480)

    @property
    def counts_current(self) -> bool:
        """The counts shown answer the controls as they are now."""
        return self.counts_shown > 0 and self.counts_shown == self.counts_asked

    # --- what the controls say -------------------------------------------------------

    def scope(self) -> Scope:
        scope: Scope = self.scope_combo.currentData()
        return scope

    def tuning(self) -> CullTuning:
        levels = {name: Sensitivity(c.currentData()) for name, c in self.level_combos.items()}
        return CullTuning(genre=self.genre(), levels=levels)

    def genre(self) -> Genre | None:
        value = self.genre_combo.currentData()
        return Genre(value) if value else None

    def target(self) -> tuple[int | None, float | None]:
        """(keep N, keep P %): at most one of them set."""
        kind = self.target_combo.currentData()
        if kind == "keep":
            return self.keep_spin.value(), None
        if kind == "percent":
            return None, self.percent_spin.value()
        return None, None

    # --- slots ---------------------------------------------------------------------

    @guarded_slot
    def load(self, *_: object) -> None:
        """Read the scope's photos (on the controller's pool); the counts follow."""
        self.undecided = self.counts_shown = 0  # no counts of this scope yet
        self.counts_label.setText("Reading the photos…")
        self.reasons_label.clear()
        self._say_short("")
        self.propose_button.setEnabled(False)
        self.controller.load(self.scope())

    @Slot()
    @guarded_slot
    def choose_folder(self) -> None:
        """Folder…: the photos under a folder chosen with the picker."""
        folder = QFileDialog.getExistingDirectory(self, "Propose for the photos under a folder")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        """Offer the photos under `folder` (once) and choose them: read and counted."""
        from curator.catalog.proposals.plan import Scope
        from curator.ui.cull.scopes import folder_label

        label = folder_label(os.path.normpath(folder))
        index = self.scope_combo.findText(label)
        if index < 0:
            self.scope_combo.addItem(label, Scope(folder=os.path.normpath(folder)))
            index = self.scope_combo.count() - 1
        self.scope_combo.setCurrentIndex(index)

    @guarded_slot
    def recount(self, *_: object) -> None:
        if self.controller.frames is None:
            return  # the read's answer asks for them
        keep, percent = self.target()
        self.counts_asked = self.controller.count(self.tuning(), keep, percent)
        self.counts_label.setStyleSheet(HINT_STYLE)  # the last counts, greyed until the new

    @guarded_slot
    def _on_target(self, *_: object) -> None:
        kind = self.target_combo.currentData()
        self.keep_spin.setVisible(kind == "keep")
        self.percent_spin.setVisible(kind == "percent")
        self.recount()

    @guarded_slot
    def _on_genre(self, *_: object) -> None:
        """A kind of shoot sets the checks it turns off or on (`off_for`); the user
        may turn them back on. One count for the whole change."""
        starts = default_levels(self.genre())
        for check in table.CHECKS:
            if not check.off_for:
                continue  # the same start for every kind: the user's level stays
            combo = self.level_combos[check.name]
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(starts[check.name].value))
            combo.blockSignals(False)
        self.recount()

    @Slot(object)
    @guarded_slot
    def _on_frames(self, loaded: FramesLoaded) -> None:
        if loaded.error:
            self._say_short(loaded.error)
            self.counts_label.setText("")
            return
        self.undecided = sum(1 for f in loaded.frames if f.decided is None)
        self.keep_spin.setMaximum(max(self.undecided, 1))
        self.recount()

    @Slot(object)
    @guarded_slot
    def _on_counts(self, ready: CountsReady) -> None:
        from curator.cull.summary import counts_text, people_text, short_text

        self.counts_shown = ready.generation
        s = ready.summary
        self.counts_label.setStyleSheet("")
        if not s.photos:
            self.counts_label.setText("Nothing to propose")
            show_sentence(self.reasons_label, "Every photo here is already decided.")
            self._say_short("")
            self.propose_button.setEnabled(False)
            return
        self.counts_label.setText(counts_text(s))
        why = ", ".join(f"{name} {n:,}" for name, n in ready.reasons)
        said = f"Of {s.photos:,} undecided photos." + (f" Rejects: {why}." if why else "")
        people = people_text(s)  # the shoot's people with no keep (cull.coverage)
        show_sentence(self.reasons_label, f"{said} {people}" if people else said)
        self._say_short(short_text(s))
        self.propose_button.setEnabled(not self.controller.running)

    @Slot()
    @guarded_slot
    def _propose(self) -> None:
        keep, percent = self.target()
        if self.controller.propose(self.scope(), self.tuning(), keep, percent):
            self._set_form_enabled(False)
            self.counts_label.setText("Proposing…")

    @Slot(object)
    @guarded_slot
    def _on_proposed(self, done: ProposeDone) -> None:
        self._set_form_enabled(True)
        if done.error:
            self._say_short(done.error)
            self.recount()
            return
        self.accept()  # the window's status bar says what was proposed

    def _say_short(self, text: str) -> None:
        """The short target's sentence, or an error, in red; no gap without one."""
        show_sentence(self.short_label, text, error=True)
        self.short_label.setVisible(bool(text))

    def _set_form_enabled(self, on: bool) -> None:
        for widget in self.form_widgets:
            widget.setEnabled(on)
        self.propose_button.setEnabled(on)
