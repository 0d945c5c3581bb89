"""A gallery filter or sort switched as the toolbar does it, timed for the
gallery and studio benches.

`GalleryListModel.show_query` lists the new list's first page on the UI
thread and reads the whole list on the lists pool after the paint
(`fetch_rest`), appending it when it arrives. So one switch has three
figures: **shown** (from the switch until the grid's paint of the new
list's cells, each with its row read, has ended: the event loop runs
meanwhile, as the view lays its items out in batches; what the user waits
for, and the budget), **whole** (from the switch until the whole list is listed: when the
scroll bar has its final extent), and **append** (the UI thread's share of
the whole list: appending it to the model and repainting the cells after
it, the longest the keys wait while the rest arrives).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.catalog.types import GalleryQuery
from curator.ui.gallery.model import GalleryListModel
from curator.ui.gallery.view import GalleryView

SHOWN_WITHIN_S = 30.0


@dataclass
class SwitchTimes:
    shown: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    append: list[float] = field(default_factory=list)


class _CellPaints:
    """Counts the grid's paints that paint cells, and when the last one ended:
    a paint while the first row is laid out (right after a reset the view
    lays its items out in batches, and a paint before that paints none). The
    end of that paint is when the cells are drawn; what the event loop runs
    after it (the thumbnails asked for the screen ahead) is not the switch's."""

    def __init__(self, grid: GalleryView) -> None:
        self.grid, self.count, self.ended = grid, 0, 0.0
        self._paint = grid.paintEvent

        def counted(event: QPaintEvent) -> None:
            self._paint(event)
            model = grid.model()
            if model.rowCount() and not grid.visualRect(model.index(0, 0)).isEmpty():
                self.count += 1
                self.ended = time.perf_counter()

        grid.paintEvent = counted  # type: ignore[method-assign]

    def close(self) -> None:
        del self.grid.paintEvent


def time_switches(
    qtbot: QtBot, model: GalleryListModel, grid: GalleryView, query: GalleryQuery, rounds: int
) -> SwitchTimes:
    """Switch the gallery to `query` `rounds` times (ms per figure and round)."""
    times = SwitchTimes()
    appended: list[float] = []
    real_append = model._append_rest

    def timed_append(full: list[int]) -> None:
        start = time.perf_counter()
        real_append(full)
        grid.executeDelayedItemsLayout()
        grid.viewport().repaint()  # the paint that shows the longer list
        appended.append((time.perf_counter() - start) * 1000)

    model._append_rest = timed_append  # type: ignore[method-assign]
    try:
        painted = _CellPaints(grid)
        try:
            for _ in range(rounds):
                appended.clear()
                start = time.perf_counter()
                before = painted.count
                model.show_query(query)
                while painted.count == before and model.rowCount() > 0:
                    QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                    if time.perf_counter() - start > SHOWN_WITHIN_S:
                        raise AssertionError(f"the grid never painted {query}")
                ended = painted.ended if painted.count > before else time.perf_counter()
                times.shown.append((ended - start) * 1000)
                qtbot.waitUntil(lambda: not model.rest_pending, timeout=60_000)
                times.whole.append((time.perf_counter() - start) * 1000)
                times.append.append(sum(appended))
        finally:
            painted.close()
    finally:
        del model._append_rest
    return times
