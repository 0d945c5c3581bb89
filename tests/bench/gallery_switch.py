"""A gallery filter or sort switched as the toolbar does it, timed for the
gallery and studio benches.

`GalleryListModel.show_query` lists the new list's first page on the UI
thread and reads the whole list on the lists pool after the paint
(`fetch_rest`), appending it when it arrives. So one switch has three
figures: **shown** (show_query plus the grid's paint: what the user waits
for, and the budget), **whole** (from the switch until the whole list is
listed: when the scroll bar has its final extent), and **append** (the UI
thread's share of the whole list: appending it to the model and the paint
after it, the longest the keys wait while the rest arrives).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pytestqt.qtbot import QtBot

from curator.catalog.types import GalleryQuery
from curator.ui.gallery.model import GalleryListModel
from curator.ui.gallery.view import GalleryView


@dataclass
class SwitchTimes:
    shown: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    append: list[float] = field(default_factory=list)


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
        grid.repaint()  # the paint that shows the longer list
        appended.append((time.perf_counter() - start) * 1000)

    model._append_rest = timed_append  # type: ignore[method-assign]
    try:
        for _ in range(rounds):
            appended.clear()
            start = time.perf_counter()
            model.show_query(query)
            grid.repaint()
            times.shown.append((time.perf_counter() - start) * 1000)
            qtbot.waitUntil(lambda: not model.rest_pending, timeout=60_000)
            times.whole.append((time.perf_counter() - start) * 1000)
            times.append.append(sum(appended))
    finally:
        del model._append_rest
    return times
