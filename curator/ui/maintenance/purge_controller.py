"""`PurgeController`: the GUI's purge of rejected photos, off the UI thread.

It owns no purge logic: `curator.purge.run` (plan: catalog.purge.plan_purge;
run: curator.purge.trash; apply: catalog.purge.apply_purge) does it all, the same
code the CLI's `purge-rejected` runs inline. The controller runs it on a
one-thread pool app.py gives it and reports back by signal.

Concurrency protocol (as ui/export/controller.py):
- Two jobs, each an `engine.delivery.Job` on the pool with immutable inputs and never a
  QObject: `plan()` (reads the catalog, stats the files: the count and size
  for the confirmation) and `start(plan)` (trash, then tombstone).
- A job's only way back is the controller's `Delivery` (engine/delivery.py): a
  frozen message (`PurgePlanned`, `PurgeProgress`, `PurgeFinished`) through a
  queued signal; the controller, on the UI thread, re-emits it.
- `shutdown()` (App.shutdown, before the pools drain) sets the stop event —
  the run stops between two files; a photo cut short keeps its files left
  and is not tombstoned, and what did go is applied before the job ends —
  and closes the Delivery, so nothing is posted after. Idempotent.
- A worker reads and writes the catalog through its own connection (peewee:
  one per thread), closed when the job ends (`close_thread_connection`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Job, delivery_to

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


class PurgeController(QObject):
    planned = Signal(object)  # PurgePlanned
    progress = Signal(object)  # PurgeProgress
    finished = Signal(object)  # PurgeFinished
    busy_changed = Signal(bool)

    def __init__(self, threads: QThreadPool, parent: QObject | None = None):
        super().__init__(parent)
        self.threads = threads
        self._delivery = delivery_to(self, self._on_posted)
        self._stop = threading.Event()
        self._busy = False
        self._shut_down = False

    @property
    def busy(self) -> bool:
        return self._busy

    def plan(self) -> bool:
        """Plan on the worker; `planned` follows. False when busy or shut down."""
        if self._busy or self._shut_down:
            return False

        def job() -> PurgePlanned:
            from curator.purge.run import plan_purge

            try:
                return PurgePlanned(plan_purge())
            except Exception as exc:
                log.exception("planning the purge failed")
                return PurgePlanned(None, _sentence("Listing the rejected photos", exc))

        self._set_busy(True)
        self.threads.start(Job(job, self._delivery))
        return True

    def start(self, plan: PurgePlan) -> bool:
        """Trash `plan`'s files and tombstone its photos on the worker;
        `progress` per file, then `finished`. False when busy or shut down."""
        if self._busy or self._shut_down:
            return False
        delivery, stop = self._delivery, self._stop

        def progress(done: int, total: int) -> None:
            delivery.deliver(PurgeProgress(done, total))

        def job() -> PurgeFinished:
            from curator.purge.run import purge

            try:
                return PurgeFinished(purge(plan, progress, should_stop=stop.is_set))
            except Exception as exc:
                log.exception("the purge failed")
                return PurgeFinished(None, _sentence("Moving the rejected photos", exc))

        self._set_busy(True)
        self.threads.start(Job(job, delivery))
        return True

    def shutdown(self) -> None:
        """Stop between files and post nothing more; the app drains the pool after."""
        if self._shut_down:
            return
        self._shut_down = True
        self._stop.set()
        self._delivery.close()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    @Slot(object)
    def _on_posted(self, message: object) -> None:
        if isinstance(message, PurgeProgress):
            self.progress.emit(message)
        elif isinstance(message, PurgePlanned):
            self._set_busy(False)
            self.planned.emit(message)
        elif isinstance(message, PurgeFinished):
            self._set_busy(False)
            self.finished.emit(message)
