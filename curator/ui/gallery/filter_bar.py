"""`GalleryFilterBar`: the gallery toolbar's filter and sort controls.

Pass state, minimum rating, MATCH only, content type, tag, burst only,
project, color label, the "Filter" popup (`ui.gallery.metadata_filter`) and the
sort, which follows the pass state until the user picks one. Every change
emits `query_changed(GalleryQuery)` (the window fills in the MATCH threshold).
`load_choices` reads the types and tags on the choices pool (~0.3 s at
100,000 photos); the newest read wins. The tag cloud's clicks
(`apply_cloud_click`: only, add, exclude) and the People view's
(`apply_person`) filter too; their buttons name and clear them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from curator.catalog.types import (
    NO_LABEL,
    GalleryFilter,
    GalleryQuery,
    GallerySort,
    MetadataFilter,
    ProjectSummary,
)
from curator.engine.delivery import Job, delivery_to
from curator.records import ColorLabel
from curator.ui.gallery.metadata_filter import MetadataFilterButton

ANY = ""


def default_sort(state: GalleryFilter) -> GallerySort:
    """The grid's sort for a pass state, until the user picks one."""
    if state is GalleryFilter.UNREVIEWED:
        return GallerySort.LIKELY_REJECTS
    return GallerySort.CAPTURE_TIME


NO_PROJECT = 0  # the project combo's "All photos" entry (project ids start at 1)


class GalleryFilterBar(QWidget):
    query_changed = Signal(object)  # GalleryQuery (match_threshold left at its default)
    project_chosen = Signal(object)  # the project id the user picked, or None for all

    def __init__(self, choices_pool: QThreadPool, parent: QWidget | None = None) -> None:
        """`choices_pool`: where the Filter popup reads its lists (app.py's)."""
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        self.state_combo = QComboBox(self)
        for which in GalleryFilter:
            self.state_combo.addItem(which.value.capitalize(), which.value)
        self.rating_combo = QComboBox(self)
        self.rating_combo.addItem("Any rating", 0)
        for n in range(1, 6):
            self.rating_combo.addItem(f"≥ {'★' * n}", n)
        self.match_box = QCheckBox("MATCH", self)
        self.match_box.setToolTip("Only photos your taste model scores at or above the threshold")
        self.type_combo = QComboBox(self)
        self.type_combo.setToolTip("Content type (from the descriptions)")
        self.tag_combo = QComboBox(self)
        self.tag_combo.setToolTip("Tag")
        self.tag_combo.setMinimumContentsLength(10)
        self.tags_all: tuple[str, ...] = ()  # the tag cloud's filter (apply_cloud_click)
        self.tags_none: tuple[str, ...] = ()
        self.cloud_button = QToolButton(self)
        self.cloud_button.setToolTip("The tag cloud's filter: click to clear it")
        self.cloud_button.clicked.connect(self.clear_cloud_tags)
        self.cloud_button.hide()
        self.person: tuple[int, str] | None = None  # the People view's filter (apply_person)
        self.person_button = QToolButton(self)
        self.person_button.setToolTip("The People view's filter: click to clear it")
        self.person_button.clicked.connect(self.clear_person)
        self.person_button.hide()
        self.burst_box = QCheckBox("Bursts", self)
        self.burst_box.setToolTip("Only photos that are part of a burst")
        self.project_combo = QComboBox(self)
        self.project_combo.setToolTip("Project: only the photos of one named set")
        self.project_combo.setMinimumContentsLength(12)
        self.project_combo.addItem("All photos", NO_PROJECT)
        self.metadata_button = MetadataFilterButton(choices_pool, self)
        self._choices_pool = choices_pool
        self._choices = delivery_to(self, self._on_choices)
        self._choices_asked = 0  # `load_choices` calls: an older read's lists are dropped
        self.choice_loads = 0  # lists read and shown so far (tests wait on it)
        self.label_combo = QComboBox(self)
        self.label_combo.setToolTip("Color label (keys 6–9: red, yellow, green, blue)")
        self.label_combo.addItem("Any label", ANY)
        for color in ColorLabel:
            self.label_combo.addItem(color.value.capitalize(), color.value)
        self.label_combo.addItem("No label", NO_LABEL)
        self.sort_combo = QComboBox(self)
        for sort in GallerySort:
            self.sort_combo.addItem(f"by {sort.value}", sort.value)
        self.sort_chosen = False  # the user picked a sort: it no longer follows the state
        self.sort_combo.activated.connect(self._on_sort_activated)
        self.set_choices([], [])
        for widget in (
            QLabel("Show:", self),
            self.state_combo,
            self.rating_combo,
            self.match_box,
            self.type_combo,
            self.tag_combo,
            self.cloud_button,
            self.person_button,
            self.burst_box,
            self.label_combo,
            self.project_combo,
            self.metadata_button,
            QLabel("Sort:", self),
            self.sort_combo,
        ):
            layout.addWidget(widget)
        self.state_combo.currentIndexChanged.connect(self._on_state_changed)
        for combo in (
            self.rating_combo,
            self.label_combo,
            self.type_combo,
            self.tag_combo,
            self.sort_combo,
        ):
            combo.currentIndexChanged.connect(self._changed)
        self.match_box.toggled.connect(self._changed)
        self.burst_box.toggled.connect(self._changed)
        self.project_combo.currentIndexChanged.connect(self._changed)
        self.metadata_button.filter_changed.connect(self._changed)
        self.project_combo.activated.connect(self._on_project_activated)

    def query(self, match_threshold: float = 70.0) -> GalleryQuery:
        rating = int(self.rating_combo.currentData() or 0)
        content_type = self.type_combo.currentData() or None
        tag = self.tag_combo.currentData() or None
        label = self.label_combo.currentData() or None
        return GalleryQuery.from_filter(
            GalleryFilter(self.state_combo.currentData()),
            min_rating=rating or None,
            match_only=self.match_box.isChecked(),
            match_threshold=match_threshold,
            content_type=content_type,
            tag=tag,
            tags_all=self.tags_all,
            tags_none=self.tags_none,
            burst_only=self.burst_box.isChecked(),
            project_id=self.project_id,
            metadata=self._metadata(),
            label=label,
            sort=GallerySort(self.sort_combo.currentData()),
        )

    def load_choices(self) -> None:
        """Read the type and tag lists on the choices pool; the newest read's are set."""
        from curator.catalog.queries import gallery_content_types, gallery_tags  # after the paint

        self._choices_asked += 1
        asked = self._choices_asked
        self._choices_pool.start(
            Job(lambda: (asked, gallery_content_types(), gallery_tags()), self._choices)
        )

    def close_choices(self) -> None:
        """No list arrives after this (the app's shutdown, before the pools drain)."""
        self._choices.close()

    @Slot(object)
    def _on_choices(self, read: object) -> None:
        if not isinstance(read, tuple):
            return
        asked, content_types, tags = read
        if asked == self._choices_asked:
            self.set_choices(content_types, tags)
            self.choice_loads += 1

    def set_choices(self, content_types: Sequence[str], tags: Sequence[str]) -> None:
        """New content-type and tag lists; the current choice stays when it still exists."""
        for combo, everything, values in (
            (self.type_combo, "All types", content_types),
            (self.tag_combo, "All tags", tags),
        ):
            current = combo.currentData() or ANY
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, ANY)
            for value in values:
                combo.addItem(value.replace("_", " "), value)
            found = combo.findData(current)
            combo.setCurrentIndex(max(0, found))
            combo.blockSignals(False)
            if current and found < 0:
                self._changed()  # the chosen tag disappeared: show everything

    def apply_cloud_click(self, name: str, mode: str) -> None:
        """A tag cloud click: "only" this tag, "add" it to the tags the photos must
        carry, or "exclude" its photos (each again: off); one `query_changed`."""
        required, excluded = list(self.tags_all), list(self.tags_none)
        if mode == "only":
            required, excluded = [name], []
            self.tag_combo.blockSignals(True)
            self.tag_combo.setCurrentIndex(0)  # "All tags": the cloud's tag alone
            self.tag_combo.blockSignals(False)
        elif mode == "add":
            required = [t for t in required if t != name] if name in required else [*required, name]
            excluded = [t for t in excluded if t != name]
        elif mode == "exclude":
            excluded = [t for t in excluded if t != name] if name in excluded else [*excluded, name]
            required = [t for t in required if t != name]
        self._set_cloud_tags(tuple(required), tuple(excluded))

    def _metadata(self) -> MetadataFilter:
        chosen = self.metadata_button.filter
        if self.person is None:
            return chosen
        return replace(chosen, person=self.person[0], person_label=self.person[1])

    def apply_person(self, person: int, label: str) -> None:
        """A People tile's click: only that person's photos (again: off); one `query_changed`."""
        same = self.person is not None and self.person[0] == person
        self._show_person(None if same else (person, label))
        self._changed()

    def requery(self, label: str | None = None) -> None:
        """The same query again: what it matches changed (a person's faces);
        `label`: the filtered person's name now (a rename, an undo)."""
        if self.person is not None and label is not None:
            self._show_person((self.person[0], label))
        self._changed()

    def _show_person(self, person: tuple[int, str] | None) -> None:
        self.person = person
        shown = "" if person is None else person[1]
        self.person_button.setText(f"Person: {shown[:30] + '…' if len(shown) > 31 else shown} ✕")
        self.person_button.setVisible(person is not None)

    @Slot()
    def clear_person(self) -> None:
        if self.person is not None:
            self.apply_person(self.person[0], self.person[1])

    @Slot()
    def clear_cloud_tags(self) -> None:
        self._set_cloud_tags((), ())

    def _set_cloud_tags(self, required: tuple[str, ...], excluded: tuple[str, ...]) -> None:
        self.tags_all, self.tags_none = required, excluded
        words = [*(f"+{t}" for t in required), *(f"−{t}" for t in excluded)]
        text = " ".join(words)
        self.cloud_button.setText(f"Tags: {text[:37] + '…' if len(text) > 38 else text} ✕")
        self.cloud_button.setVisible(bool(words))
        self._changed()

    @property
    def project_id(self) -> int | None:
        """The project whose photos are shown, or None (all photos)."""
        return int(self.project_combo.currentData() or NO_PROJECT) or None

    def set_projects(self, projects: Sequence[ProjectSummary]) -> None:
        """A new project list (names with counts); the chosen project stays
        when it still exists, else the gallery goes back to all photos."""
        combo = self.project_combo
        current = self.project_id
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All photos", NO_PROJECT)
        for project in projects:
            combo.addItem(f"{project.name} ({project.count})", project.id)
            if project.cover is not None:
                combo.setItemData(
                    combo.count() - 1,
                    f"{project.count} photos; cover: {project.cover.path}",
                    Qt.ItemDataRole.ToolTipRole,
                )
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(0, found))
        combo.blockSignals(False)
        if current is not None and found < 0:
            self._changed()  # the project was deleted: show everything

    def show_project(self, project_id: int | None) -> None:
        """Show one project's photos (None: all photos), as if chosen in the combo."""
        found = self.project_combo.findData(project_id or NO_PROJECT)
        if found >= 0 and found != self.project_combo.currentIndex():
            self.project_combo.setCurrentIndex(found)  # emits query_changed

    @property
    def state(self) -> GalleryFilter:
        """The pass-state choice (all, unreviewed, kept, …)."""
        return GalleryFilter(self.state_combo.currentData())

    def show_state(self, state: GalleryFilter) -> None:
        """Show one pass state (Tab in the loupe), as if chosen in the combo."""
        found = self.state_combo.findData(GalleryFilter(state).value)
        if found != self.state_combo.currentIndex():
            self.state_combo.setCurrentIndex(found)  # emits query_changed once

    @Slot(int)
    def _on_state_changed(self, _index: int) -> None:
        if not self.sort_chosen:
            found = self.sort_combo.findData(default_sort(self.state).value)
            self.sort_combo.blockSignals(True)
            self.sort_combo.setCurrentIndex(found)
            self.sort_combo.blockSignals(False)
        self._changed()

    @Slot(int)
    def _on_sort_activated(self, _index: int) -> None:
        self.sort_chosen = True

    @Slot(int)
    def _on_project_activated(self, _index: int) -> None:
        self.project_chosen.emit(self.project_id)

    @Slot()
    def _changed(self, *_: object) -> None:
        self.query_changed.emit(self.query())
