"""`PurgeController`: the GUI's purge of rejected photos, off the UI thread.

`curator.purge.run` does the work, as for `purge-rejected`; the controller
runs it on a one-thread pool by the protocol of ui/export/controller.py:
`plan()` (count and size) and `start(plan)` (trash, then tombstone), each a run
of its `JobRunner` (`running` meanwhile), never a QObject, back through the
`Delivery` (`PurgePlanned`, `PurgeProgress`, `PurgeFinished`). `shutdown()`
stops the run between two files (a photo cut short is not tombstoned) and
closes the Delivery.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.ui.common.guard import ErrorReporter
from curator.ui.common.job_runner import JobRunner

if TYPE_CHECKING:
    from curator.catalog.purge import PurgePlan
    from curator.purge.run import PurgeReport

log = logging.getLogger("curator.ui")


@dataclass(frozen=True)
class PurgePlanned:
    plan: PurgePlan | None
    error: str | None = None  # why the plan could not be made, in a sentence


@dataclass(frozen=True)
class PurgeProgress:
    done: int
    total: int


@dataclass(frozen=True)
class PurgeFinished:
    report: PurgeReport | None
    error: str | None = None  # why the purge stopped (a catalog fault), in a sentence


def _sentence(what: str, exc: BaseException) -> str:
    from curator.catalog.storage import storage_problem

    problem = storage_problem(exc, what="the catalog")
    if problem is not None:
        return str(problem)
    return f"{what} failed ({type(exc).__name__}); the details are in the log."


class PurgeController(JobRunner):
    planned = Signal(object)  # PurgePlanned
    progress = Signal(object)  # PurgeProgress
    finished = Signal(object)  # PurgeFinished

    def __init__(self, threads: QThreadPool, parent: QObject | None = None):
        super().__init__(threads, ErrorReporter(), parent)

    def plan(self) -> bool:
        """Plan on the worker; `planned` follows. False when running or shut down."""
        if self._begin() is None:
            return False

        def job() -> PurgePlanned:
            from curator.purge.run import plan_purge

            try:
                return PurgePlanned(plan_purge())
            except Exception as exc:
                log.exception("planning the purge failed")
                return PurgePlanned(None, _sentence("Listing the rejected photos", exc))

        return self._started(job)

    def start(self, plan: PurgePlan) -> bool:
        """Trash `plan`'s files and tombstone its photos on the worker;
        `progress` per file, then `finished`. False when running or shut down."""
        begun = self._begin()
        if begun is None:
            return False
        delivery, stop = self._delivery, begun[1]

        def progress(done: int, total: int) -> None:
            delivery.deliver(PurgeProgress(done, total))

        def job() -> PurgeFinished:
            from curator.purge.run import purge

            try:
                return PurgeFinished(purge(plan, progress, should_stop=stop.is_set))
            except Exception as exc:
                log.exception("the purge failed")
                return PurgeFinished(None, _sentence("Moving the rejected photos", exc))

        return self._started(job)

    @Slot(object)
    def _on_posted(self, message: object) -> None:
        if isinstance(message, PurgeProgress):
            self.progress.emit(message)
        elif isinstance(message, PurgePlanned):
            self._run_over()
            self.planned.emit(message)
        elif isinstance(message, PurgeFinished):
            self._run_over()
            self.finished.emit(message)
