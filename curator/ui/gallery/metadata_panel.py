"""`MetadataFilterPanel`: the form inside the "Filter ▾" popup — camera, lens,
dates, ISO, file name, people (`catalog.types.PeopleChoice`), this seat's
proposals (`catalog.types.ProposalChoice`, with counts), a client's picks and
near-duplicates; `filter()` is what it shows. A chosen camera or lens no
longer offered stays chosen (count 0).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from curator.catalog.gallery_filters import FilterChoice, MetadataChoices, MetadataFilter
from curator.catalog.types import PeopleChoice, PersonCoverage

ANY = ""
LABEL_ROLE = Qt.ItemDataRole.UserRole + 1  # a choice's name without its count
NAME_PAUSE_MS = 250
ISO_TOP = 409_600
PEOPLE_TIP = (
    "Photos with or without people, or those where a key face (one of the "
    "photo's subjects) has closed eyes or is clearly softer than the photo; or the "
    "photos of the people (named, or seen in a few photos) none of whose photos is kept"
)
PEOPLE_LISTED = 15  # people named in the tooltip before "and N more"


class MetadataFilterPanel(QWidget):
    """The popup's form; `filter()` is what it shows."""

    filter_changed = Signal(object)  # MetadataFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera_combo = QComboBox(self)
        self.lens_combo = QComboBox(self)
        for combo in (self.camera_combo, self.lens_combo):
            combo.setMinimumContentsLength(18)
        self.from_box, self.from_date = QCheckBox("From", self), QDateEdit(self)
        self.to_box, self.to_date = QCheckBox("To", self), QDateEdit(self)
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
        self.iso_min, self.iso_max = QSpinBox(self), QSpinBox(self)
        for spin in (self.iso_min, self.iso_max):
            spin.setRange(0, ISO_TOP)
            spin.setSingleStep(100)
            spin.setSpecialValueText("any")  # 0: the end is open
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("part of the file name, e.g. DSC_04")
        self.name_edit.setClearButtonEnabled(True)
        self.people_combo = QComboBox(self)
        self.people_combo.setToolTip(PEOPLE_TIP)
        self.people_combo.addItem("Anyone", ANY)
        for choice in PeopleChoice:  # the choices' one table (catalog.types)
            self.people_combo.addItem(choice.label, choice.value)
        self.proposal_combo = QComboBox(self)
        self.proposal_combo.setToolTip(
            "Cull for me: the photos Curator proposes to keep or to reject, or the"
            " highlights among its keeps (your proposals; a decision ends a photo's)"
        )
        self.client_combo = QComboBox(self)
        self.client_combo.setToolTip(
            "The photos a client hearted in one of your client galleries (File ▸ Client Gallery…)"
        )
        self.duplicates_box = QCheckBox("Only pictures stored more than once", self)
        self.duplicates_box.setToolTip(
            "The copies of a picture stored twice or more (a web copy, an editor's re-save,"
            " an import from two cards): View ▸ Duplicates reviews them side by side"
        )
        self.clear_button = QPushButton("Clear filters", self)
        form = QFormLayout(self)
        form.addRow("Camera", self.camera_combo)
        form.addRow("Lens", self.lens_combo)
        for box, edit in ((self.from_box, self.from_date), (self.to_box, self.to_date)):
            row = QHBoxLayout()
            row.addWidget(box)
            row.addWidget(edit, 1)
            form.addRow("Date" if box is self.from_box else "", row)
        iso = QHBoxLayout()
        iso.addWidget(self.iso_min, 1)
        iso.addWidget(self.iso_max, 1)
        form.addRow("ISO min / max", iso)
        form.addRow("File name", self.name_edit)
        form.addRow("People", self.people_combo)
        form.addRow("Proposal", self.proposal_combo)
        form.addRow("Client picks", self.client_combo)
        form.addRow("Duplicates", self.duplicates_box)
        form.addRow("", self.clear_button)
        self.set_choices(MetadataChoices((), (), None, None, None, None))
        self._name_timer = QTimer(self)
        self._name_timer.setSingleShot(True)
        self._name_timer.setInterval(NAME_PAUSE_MS)
        self._name_timer.timeout.connect(self._changed)
        self.name_edit.textChanged.connect(self._name_timer.start)
        self.name_edit.returnPressed.connect(self._changed)
        for combo in (
            self.camera_combo,
            self.lens_combo,
            self.people_combo,
            self.proposal_combo,
            self.client_combo,
        ):
            combo.currentIndexChanged.connect(self._changed)
        for box, edit in ((self.from_box, self.from_date), (self.to_box, self.to_date)):
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(self._changed)
            edit.dateChanged.connect(self._changed)
        self.iso_min.valueChanged.connect(self._changed)
        self.iso_max.valueChanged.connect(self._changed)
        self.duplicates_box.toggled.connect(self._changed)
        self.clear_button.clicked.connect(self.clear)

    def filter(self) -> MetadataFilter:
        def day(box: QCheckBox, edit: QDateEdit) -> date | None:
            if not box.isChecked():
                return None
            d = edit.date()
            return date(d.year(), d.month(), d.day())

        return MetadataFilter(
            camera=self.camera_combo.currentData() or None,
            camera_label=self.camera_combo.currentData(LABEL_ROLE) or None,
            lens=self.lens_combo.currentData() or None,
            date_from=day(self.from_box, self.from_date),
            date_to=day(self.to_box, self.to_date),
            iso_min=self.iso_min.value() or None,
            iso_max=self.iso_max.value() or None,
            name_contains=self.name_edit.text().strip() or None,
            people=self.people_combo.currentData() or None,
            proposal=self.proposal_combo.currentData() or None,
            client_picks=self.client_combo.currentData() or None,
            client_picks_label=self.client_combo.currentData(LABEL_ROLE) or None,
            duplicates=self.duplicates_box.isChecked(),
        )

    def set_choices(self, choices: MetadataChoices) -> None:
        """New camera, lens and proposal lists (with counts); what is chosen stays
        chosen; unset date edits start at the catalog's first/last day."""
        for combo, everything, values in (
            (self.camera_combo, "All cameras", choices.cameras),
            (self.lens_combo, "All lenses", choices.lenses),
            (self.proposal_combo, "Any photo", choices.proposals),
            (self.client_combo, "Any photo", choices.client_galleries),
        ):
            _fill(combo, everything, values)
        self._show_people(choices.people)
        for box, edit, day in (
            (self.from_box, self.from_date, choices.first_day),
            (self.to_box, self.to_date, choices.last_day),
        ):
            if day is not None and not box.isChecked():
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)

    def _show_people(self, people: tuple[PersonCoverage, ...]) -> None:
        """How many people have no kept photo, and each one's kept photos (tooltip)."""
        no_keep = PeopleChoice.NO_KEPT_PHOTO
        at = self.people_combo.findData(no_keep.value)
        missing = sum(1 for p in people if not p.kept)
        label = f"{no_keep.label} ({missing})" if people else no_keep.label
        self.people_combo.setItemText(at, label)
        self.people_combo.setToolTip(PEOPLE_TIP + coverage_lines(people))

    @Slot()
    def clear(self) -> None:
        """Everything open again; one `filter_changed`."""
        widgets: list[QWidget] = [
            self.camera_combo,
            self.lens_combo,
            self.from_box,
            self.to_box,
            self.from_date,
            self.to_date,
            self.iso_min,
            self.iso_max,
            self.name_edit,
            self.people_combo,
            self.proposal_combo,
            self.client_combo,
            self.duplicates_box,
        ]
        for w in widgets:
            w.blockSignals(True)
        self.camera_combo.setCurrentIndex(0)
        self.lens_combo.setCurrentIndex(0)
        self.people_combo.setCurrentIndex(0)
        self.proposal_combo.setCurrentIndex(0)
        self.client_combo.setCurrentIndex(0)
        for box, edit in ((self.from_box, self.from_date), (self.to_box, self.to_date)):
            box.setChecked(False)
            edit.setEnabled(False)
        self.iso_min.setValue(0)
        self.iso_max.setValue(0)
        self.duplicates_box.setChecked(False)
        self.name_edit.clear()
        for w in widgets:
            w.blockSignals(False)
        self._name_timer.stop()
        self._changed()

    @Slot()
    def _changed(self, *_: object) -> None:
        self.filter_changed.emit(self.filter())


def coverage_lines(people: tuple[PersonCoverage, ...]) -> str:
    """ "\n\nKept photos per person:\nAnna: 0 of 12 …" ("" without people)."""
    if not people:
        return ""
    lines = [
        f"{p.name or f'Person {p.id}'}: {p.kept:,} of {p.photos:,} kept"
        for p in people[:PEOPLE_LISTED]
    ]
    if len(people) > PEOPLE_LISTED:
        lines.append(f"… and {len(people) - PEOPLE_LISTED:,} more (curator people)")
    return "\n\nKept photos per person:\n" + "\n".join(lines)


def _fill(combo: QComboBox, everything: str, values: tuple[FilterChoice, ...]) -> None:
    current = combo.currentData() or ANY
    current_label = combo.currentData(LABEL_ROLE) or current
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, ANY)
    for choice in values:
        combo.addItem(f"{choice.label} ({choice.count})", choice.value)
        combo.setItemData(combo.count() - 1, choice.label, LABEL_ROLE)
    found = combo.findData(current)
    if current and found < 0:  # keep a choice the list lost (see the module docstring)
        combo.addItem(f"{current_label} (0)", current)
        combo.setItemData(combo.count() - 1, current_label, LABEL_ROLE)
        found = combo.count() - 1
    combo.setCurrentIndex(max(0, found))
    combo.blockSignals(False)
