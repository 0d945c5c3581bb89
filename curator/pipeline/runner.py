"""Running the technical stage on a QThreadPool, headless or under the GUI.

Concurrency protocol:
- `TechnicalRunner.start(plan)` creates one `TechnicalTask` (QRunnable) per
  request, each with its own `TaskSignals` QObject living on the runner's
  (main) thread, and queues them on the decode QThreadPool, whose thread count
  equals the child-process pool's size. A task thread blocks on
  `ChildProcessPool.call`, so decoding happens in child processes while the
  Qt threads only wait.
- A finished task emits `finished(TaskResult)`; the queued connection delivers
  it to `_on_task_finished` on the main thread. Nothing else touches runner
  state, so the runner needs no lock.
- A transient failure (crashed decoder, I/O hiccup) with attempts left is
  re-queued after an exponential backoff (QTimer), otherwise the outcome goes
  into the write buffer.
- The buffer is flushed through the one writer (CatalogWriter) in a single
  transaction when it holds `batch_size` outcomes or every `flush_ms`; so a
  kill loses at most the unflushed results, which the next run redoes.
- `cancel()` is cooperative: queued tasks see the cancel flag and return
  without work; in-flight decodes finish and are written; then `finished`.
- Results are keyed by generation: a result from a previous `start()` is
  dropped.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from curator.catalog.writer import ApplyKind, AttemptedOutcome, CatalogWriter
from curator.imaging.types import TechnicalFailure, TechnicalMeasurement, TechnicalRequest
from curator.pipeline.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from curator.pipeline.technical import TechnicalOutcome, TechnicalPlan, run_technical

StageFn = Callable[[TechnicalRequest], TechnicalOutcome]


@dataclass(frozen=True)
class TaskResult:
    generation: int
    request: TechnicalRequest
    attempt: int
    outcome: TechnicalOutcome | None  # None: cancelled before it started


@dataclass
class RunSummary:
    """What one run did. `counts` keys are ApplyKind values."""

    found: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    cancelled: bool = False

    def as_dict(self) -> dict[str, int]:
        c = self.counts
        return {
            "found": self.found,
            "new": c[ApplyKind.NEW],
            "duplicates": c[ApplyKind.DUPLICATE],
            "moved": c[ApplyKind.MOVED],
            "changed": c[ApplyKind.CHANGED] + c[ApplyKind.REMEASURED],
            "unchanged": c[ApplyKind.UNCHANGED],
            "failed": c[ApplyKind.FAILED],
        }


class TaskSignals(QObject):
    finished = Signal(object)


class TechnicalTask(QRunnable):
    """Runs one request in a child process; reports through its own signals."""

    def __init__(
        self,
        result_key: tuple[int, TechnicalRequest, int],
        pool: ChildProcessPool,
        fn: StageFn,
        timeout_s: float,
        cancel: threading.Event,
        signals: TaskSignals,
    ):
        super().__init__()
        self.setAutoDelete(True)
        self.generation, self.request, self.attempt = result_key
        self.pool, self.fn, self.timeout_s = pool, fn, timeout_s
        self.cancel, self.signals = cancel, signals

    def run(self) -> None:
        outcome: TechnicalOutcome | None = None
        if not self.cancel.is_set():
            outcome = self._call()
        self.signals.finished.emit(TaskResult(self.generation, self.request, self.attempt, outcome))

    def _call(self) -> TechnicalOutcome:
        path = self.request.path
        try:
            return self.pool.call(self.fn, self.request, self.timeout_s)
        except WorkerCrashed as exc:
            return TechnicalFailure(
                path,
                "The decoder crashed on this file (it is probably damaged); "
                "Curator's other photos were not affected.",
                "WorkerCrashed",
                detail=str(exc),
                transient=True,
            )
        except WorkerTimedOut as exc:
            return TechnicalFailure(
                path,
                f"Decoding this file took longer than {self.timeout_s:.0f} seconds "
                "and was stopped.",
                "WorkerTimedOut",
                detail=str(exc),
            )
        except WorkerFailed as exc:
            return TechnicalFailure(
                path,
                "Curator hit an internal error while measuring this file; "
                "the details are in the error log.",
                "WorkerFailed",
                detail=exc.detail,
            )
        except Exception as exc:
            return TechnicalFailure(
                path,
                f"Curator could not start a decoder process ({exc}).",
                type(exc).__name__,
                detail=repr(exc),
                transient=True,
            )


class TechnicalRunner(QObject):
    """Drives a TechnicalPlan to completion (see the module docstring)."""

    progressed = Signal(int, int)  # done, total
    batch_applied = Signal(object)  # list[TechnicalOutcome] just committed
    finished = Signal(object)  # RunSummary

    def __init__(
        self,
        writer: CatalogWriter,
        processes: ChildProcessPool,
        *,
        max_attempts: int = 3,
        timeout_s: float = 120.0,
        fn: StageFn = run_technical,
        batch_size: int = 32,
        flush_ms: int = 250,
        backoff_ms: int = 500,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.writer, self.processes, self.fn = writer, processes, fn
        self.max_attempts, self.timeout_s = max_attempts, timeout_s
        self.batch_size, self.backoff_ms = batch_size, backoff_ms
        self.threads = QThreadPool(self)
        self.threads.setMaxThreadCount(processes.size)
        self._cancel = threading.Event()
        self._generation = 0
        self._buffer: list[AttemptedOutcome] = []
        self._outstanding = 0
        self._total = 0
        self._done = 0
        self._summary = RunSummary()
        self._started_at = 0.0
        self._running = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(flush_ms)
        self._flush_timer.timeout.connect(self._flush)

    @property
    def running(self) -> bool:
        return self._running

    def start(self, plan: TechnicalPlan) -> None:
        if self._running:
            raise RuntimeError("a run is already in progress")
        self._generation += 1
        self._cancel.clear()
        self._running = True
        self._summary = RunSummary(found=plan.found)
        self._summary.counts[ApplyKind.UNCHANGED] += plan.unchanged
        self._summary.counts[ApplyKind.FAILED] += plan.known_failed
        self._total = len(plan.requests)
        self._done = 0
        self._outstanding = 0
        self._started_at = time.monotonic()
        self._flush_timer.start()
        for request in plan.requests:
            self._submit(request, 1)
        if not plan.requests:
            QTimer.singleShot(0, self._maybe_finish)

    def cancel(self) -> None:
        self._cancel.set()

    def _submit(self, request: TechnicalRequest, attempt: int) -> None:
        signals = TaskSignals(self)
        signals.finished.connect(self._on_task_finished)
        self._outstanding += 1
        task = TechnicalTask(
            (self._generation, request, attempt),
            self.processes,
            self.fn,
            self.timeout_s,
            self._cancel,
            signals,
        )
        self.threads.start(task)

    @Slot(object)
    def _on_task_finished(self, result: TaskResult) -> None:
        sender = self.sender()
        if sender is not None:
            sender.deleteLater()
        if result.generation != self._generation:
            return
        self._outstanding -= 1
        outcome = result.outcome
        if outcome is None:  # cancelled before it started
            self._maybe_finish()
            return
        if (
            isinstance(outcome, TechnicalFailure)
            and outcome.transient
            and result.attempt < self.max_attempts
            and not self._cancel.is_set()
        ):
            delay = min(self.backoff_ms * 2 ** (result.attempt - 1), 30_000)
            self._outstanding += 1  # the retry is outstanding while it waits
            generation = self._generation

            def retry(
                req: TechnicalRequest = result.request, attempt: int = result.attempt + 1
            ) -> None:
                self._outstanding -= 1
                if generation == self._generation and not self._cancel.is_set():
                    self._submit(req, attempt)
                else:
                    self._maybe_finish()

            QTimer.singleShot(delay, retry)
            return
        self._buffer.append(AttemptedOutcome(outcome, result.attempt, self.max_attempts))
        self._done += 1
        if len(self._buffer) >= self.batch_size:
            self._flush()
        self.progressed.emit(self._done, self._total)
        self._maybe_finish()

    def flush_now(self) -> None:
        """Write whatever is buffered (used on a hard stop)."""
        self._flush()

    @Slot()
    def _flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        kinds = self.writer.apply_technical(batch)
        self._summary.counts.update({k.value: v for k, v in kinds.items()})
        self.batch_applied.emit([item.outcome for item in batch])

    def _maybe_finish(self) -> None:
        if not self._running or self._outstanding > 0:
            return
        self._flush()
        self._flush_timer.stop()
        self._running = False
        self._summary.elapsed_s = time.monotonic() - self._started_at
        self._summary.cancelled = self._cancel.is_set()
        self.finished.emit(self._summary)


__all__ = ["RunSummary", "TaskResult", "TechnicalMeasurement", "TechnicalRunner"]
