"""`MetadataFilterButton`: the gallery bar's "Filter ▾" popup
(`catalog.gallery_filters.MetadataFilter`); the button shows what is set
("Filter: X-T3, ISO ≥ 3200 ▾"). The camera and lens lists are read on a pool
thread each time it opens; every edit emits `filter_changed` at once (the file
name after a pause). A chosen camera or lens no longer offered stays chosen
(count 0). The form (`ui.gallery.metadata_panel`) is built when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMenu, QToolButton, QWidget, QWidgetAction

from curator.catalog.types import MetadataChoices, MetadataFilter
from curator.engine.delivery import Job, delivery_to

if TYPE_CHECKING:  # the form loads when the popup first opens (metadata_panel)
    from curator.ui.gallery.metadata_panel import MetadataFilterPanel


FILTER_TIP = (
    "Filter by camera, lens, date, ISO, file name, people, proposal, client picks"
    " or near-duplicates"
)


class MetadataFilterButton(QToolButton):
    """ "Filter ▾": opens the panel; `filter` is the panel's filter."""

    filter_changed = Signal(object)  # MetadataFilter

    def __init__(self, pool: QThreadPool, parent: QWidget | None = None) -> None:
        """`pool`: app.py's one-thread pool for the popup's lists."""
        super().__init__(parent)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip(FILTER_TIP)
        self.built: MetadataFilterPanel | None = None
        self.setMenu(QMenu(self))
        self.loads = 0  # choices loaded so far (tests wait on it)
        self._pool = pool
        self._delivery = delivery_to(self, self._on_choices)
        self.menu().aboutToShow.connect(self.load_choices)  # builds the panel first
        self._show(MetadataFilter())

    @property
    def panel(self) -> MetadataFilterPanel:
        """The popup's form, built now if it was not yet."""
        return self._build_panel() if self.built is None else self.built

    def _build_panel(self) -> MetadataFilterPanel:
        from curator.ui.gallery.metadata_panel import MetadataFilterPanel

        self.built = MetadataFilterPanel(self)
        holder = QWidgetAction(self.menu())
        holder.setDefaultWidget(self.built)
        self.menu().addAction(holder)
        self.built.filter_changed.connect(self._on_changed)
        return self.built

    @property
    def filter(self) -> MetadataFilter:
        return MetadataFilter() if self.built is None else self.built.filter()

    @Slot()
    def load_choices(self) -> None:
        """Read the cameras, lenses and spans on the pool; the panel fills when they arrive."""
        if self.built is None:  # the popup is about to show it
            self._build_panel()
        from curator.catalog.gallery_filters import metadata_choices  # the catalog: after the paint

        self._pool.start(Job(metadata_choices, self._delivery))

    def shutdown(self) -> None:
        """No delivery after this; waits for a read in flight."""
        self._delivery.close()
        self._pool.waitForDone()

    @Slot(object)
    def _on_choices(self, choices: object) -> None:
        if isinstance(choices, MetadataChoices):
            self.panel.set_choices(choices)
            self.loads += 1

    @Slot(object)
    def _on_changed(self, f: object) -> None:
        if isinstance(f, MetadataFilter):
            self._show(f)
            self.filter_changed.emit(f)

    def _show(self, f: MetadataFilter) -> None:
        text = f.describe()
        if len(text) > 40:
            text = text[:39] + "…"
        self.setText(f"Filter: {text}" if text else "Filter")  # the style draws the ▾
        self.setToolTip(f.describe() or FILTER_TIP)
