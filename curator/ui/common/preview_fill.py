"""The rest of the missing previews, made in the background at low priority.

When the loaders first make a missing entry again (a cleared cache, a
restored catalog, a second seat's own cache: `ImageLoader.first_remade`),
the tiles on screen and the screen ahead are already theirs; `PreviewFill`
then makes every other photo's missing or damaged preview and thumbnail, so
a later scroll or the loupe finds them cached (DESIGN.md, "Previews and
caches": visible first, then ahead, then the rest at low priority).

Protocol: `start()` (main thread, once a session) starts one `Job` on the
one-thread pool app.py gave it (its threads at a lower priority), running
`pipeline.previews.fill_missing` with the fill's own `PreviewRebuilder`,
whose decoder child runs at `FILL_NICENESS`: the window's own rebuilds and
the UI thread go first. The job reads the catalog once through its own
connection and then only the files and the cache. Its report comes back
through the fill's Delivery as one sentence (`finished`). `close()` sets the
job's cancel flag (it stops between two photos), closes the Delivery and
stops the child (a decode under way is killed): after it returns nothing
reaches the fill.
"""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Job, delivery_to
from curator.pipeline.previews import (
    FILL_NICENESS,
    PreviewRebuilder,
    RebuildReport,
    fill_missing,
    report_sentence,
)
from curator.ui.common.guard import ErrorReporter, guarded_slot


class PreviewFill(QObject):
    """Makes the missing previews no tile asked for yet (module docstring)."""

    finished = Signal(str)  # the sentence: how many were made, how many are offline

    def __init__(
        self,
        cache_dir: str,
        threads: QThreadPool,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.threads, self.errors = threads, errors
        self.rebuilder = PreviewRebuilder(cache_dir, 1, FILL_NICENESS)
        self._cancel = threading.Event()
        self._delivery = delivery_to(self, self._on_done)
        self.started = False
        self.report: RebuildReport | None = None

    @Slot()
    @guarded_slot
    def start(self) -> None:
        if self.started or self._delivery.closed:
            return
        self.started = True
        job = partial(fill_missing, self.rebuilder, self._cancel)
        self.threads.start(Job(job, self._delivery))

    def close(self) -> None:
        """Stop: the job ends after the photo in hand, its child is stopped."""
        self._cancel.set()
        self._delivery.close()
        self.rebuilder.close()

    @Slot(object)
    @guarded_slot
    def _on_done(self, report: RebuildReport) -> None:
        self.report = report
        if report.total:
            self.finished.emit(report_sentence(report))
