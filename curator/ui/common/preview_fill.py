"""The rest of the missing previews, made in the background at low priority.

After the loaders first make a missing entry again (`ImageLoader.first_remade`),
`PreviewFill.start()` runs one `Job` of `pipeline.previews.fill_missing` on its
one-thread pool, with its own `PreviewRebuilder` whose child runs at
`FILL_NICENESS`; its report comes back as one sentence (`finished`). `close()`
cancels (between two photos), closes the Delivery and stops the child.
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
