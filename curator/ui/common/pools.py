"""`UiPools`: the GUI's own thread pools below the window, one per resource.

app.py makes every pool (`QThreadPool`) and drains them all at exit
(`App.shutdown`); no widget or service makes its own, so nothing can outlive
the drain. The window hands each one to the object that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QThreadPool


@dataclass(frozen=True)
class UiPools:
    originals: QThreadPool  # the loupe's 100 % originals (threads waiting on decoder children)
    renditions: QThreadPool  # fit-to-screen renditions of the original (one thread, own child)
    analysis: QThreadPool  # the loupe's histogram and overlays (one thread)
    projects: QThreadPool  # project writes that may touch many rows, in order (one)
    search: QThreadPool  # text and semantic searches, the newest wins (one)
    choices: QThreadPool  # the Filter popup's camera and lens lists, the tag cloud's counts (one)
    rows: QThreadPool  # the gallery's re-reads of rows an import changed (one)
    lists: QThreadPool  # the gallery's whole list after a new list's first page (one)
    seats: QThreadPool  # a studio catalog's LISTEN for the other seats' news (one)
    cull: QThreadPool  # Cull ▸ Propose…'s read, its counts, its write, and the accept (one)

    def all(self) -> tuple[QThreadPool, ...]:
        return (
            self.originals,
            self.renditions,
            self.analysis,
            self.projects,
            self.search,
            self.choices,
            self.rows,
            self.lists,
            self.seats,
            self.cull,
        )
