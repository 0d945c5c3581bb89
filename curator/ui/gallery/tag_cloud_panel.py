"""`TagCloudPanel`: the Tags panel — a search field over the tag cloud
(`ui.gallery.tag_cloud.TagCloudView`) of the photos the gallery shows.

Loading protocol (a catalog read, never on the UI thread):
- `load(query, tags_changed=…)` records the query and bumps the generation
  (`tags_changed` drops the tag rows held); when no read runs it starts one
  `Job` with the generation and the rows held.
- The job counts the query's photos' tags over those rows (`counts.TagRows`),
  reading them only when none are held (~300,000 at 100,000 photos).
- `_on_counts` keeps the rows unless tags changed since; an older
  generation's result is dropped and the newest query read at once: at most
  one read in flight. A current result is shown (`counts_shown`).
- `shutdown` closes the Delivery.

The field narrows the words shown; at most `MAX_SHOWN` are drawn, most used first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QThreadPool, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from curator.engine.delivery import Job, delivery_to
from curator.ui.gallery.tag_cloud import TagCloudView

if TYPE_CHECKING:
    from curator.catalog.tagging.counts import TagCount, TagRows
    from curator.catalog.types import GalleryQuery

MAX_SHOWN = 300  # words drawn at once; the search field finds the others
HINT = "Click: only this tag · Ctrl+click: add it · Alt+click: leave it out"


def _read_counts(
    generation: int, query: GalleryQuery, rows: TagRows | None, version: int
) -> tuple[int, object, TagRows | None, int]:
    from curator.catalog.queries import gallery_query_ids
    from curator.catalog.tagging.counts import read_tag_rows

    held = rows if rows is not None else read_tag_rows()
    return generation, held.counts_among(gallery_query_ids(query)), held, version


class TagCloudPanel(QWidget):
    tag_clicked = Signal(str, str)  # name, "only" | "add" | "exclude" (TagCloudView)
    counts_shown = Signal()  # the counts of the newest query are on screen

    def __init__(self, pool: QThreadPool, parent: QWidget | None = None) -> None:
        """`pool`: app.py's one-thread pool for filter choices (`UiPools.choices`)."""
        super().__init__(parent)
        self._pool = pool
        self._delivery = delivery_to(self, self._on_counts)
        self.generation = 0
        self._wanted: GalleryQuery | None = None
        self.reading = False
        self.rows: TagRows | None = None  # the catalog's tag rows, until tags change
        self._rows_version = 0
        self.counts: tuple[TagCount, ...] = ()
        self.loads = 0  # current results shown so far (tests wait on it)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find a tag…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._show)
        self.summary = QLabel("Reading the tags…", self)
        self.summary.setWordWrap(True)
        self.view = TagCloudView(self)
        self.view.tag_clicked.connect(self.tag_clicked)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.view)
        hint = QLabel(HINT, self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #9a9a9a;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (self.search, self.summary, scroll, hint):
            layout.addWidget(widget)
        layout.setStretchFactor(scroll, 1)

    def load(self, query: GalleryQuery, *, tags_changed: bool = False) -> None:
        """Count the tags of the photos `query` shows; `tags_changed`: read the rows again."""
        if tags_changed:
            self.rows = None
            self._rows_version += 1
        self._wanted = query
        self.generation += 1
        if not self.reading:
            self._start()

    def set_filter(self, required: Sequence[str], excluded: Sequence[str]) -> None:
        """The tags the gallery's filter requires and excludes, marked in the cloud."""
        self.view.set_filter(required, excluded)

    def shutdown(self) -> None:
        """No result is delivered after this (app.py drains the pool next)."""
        self._delivery.close()

    def _start(self) -> None:
        query, generation = self._wanted, self.generation
        rows, version = self.rows, self._rows_version
        if query is None:
            return
        self.reading = True

        def failed(exc: Exception) -> tuple[int, object, None, int]:
            return generation, exc, None, version

        self._pool.start(
            Job(lambda: _read_counts(generation, query, rows, version), self._delivery, failed)
        )

    @Slot(object)
    def _on_counts(self, result: tuple[int, object, TagRows | None, int]) -> None:
        self.reading = False
        generation, counts, rows, version = result
        if rows is not None and version == self._rows_version:
            self.rows = rows  # no tag changed since they were read: the next count uses them
        if generation != self.generation:
            self._start()  # a newer query is wanted: read that one
            return
        if isinstance(counts, Exception):
            self.summary.setText(f"The tags could not be read: {counts}")
            return
        self.counts = tuple(cast("Sequence[TagCount]", counts))
        self._show()
        self.loads += 1
        self.counts_shown.emit()

    @Slot()
    def _show(self, *_: object) -> None:
        text = self.search.text().strip().lower()
        found = [c for c in self.counts if text in c.name] if text else list(self.counts)
        shown = found[:MAX_SHOWN]
        self.view.set_tags(shown)
        self.summary.setText(_summary(len(self.counts), len(found), len(shown), text))


def _summary(total: int, found: int, shown: int, text: str) -> str:
    if total == 0:
        return "No tags on the photos shown."
    if text and found == 0:
        return f"No tag has “{text}” in it."
    n = found if text else total
    what = f"{n:,} tag{'' if n == 1 else 's'}" + (f" with “{text}”" if text else "")
    if shown < found:
        return f"{what}: the {shown:,} most used; type to find the others."
    return f"{what}, the most used first."
