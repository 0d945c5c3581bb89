"""A generic stage runner on a QThreadPool: jobs in, outcomes batched to one writer.

Concurrency protocol (the one place it lives; every stage uses it):
1. `StageRunner.start(jobs)` bumps the generation (older results dropped) and
   queues one `engine.delivery.Job` per job on the stage's pool.
2. The job waits at the run's gate, then runs `work(job)` on a pool thread;
   `work` is pure (no Qt, no catalog) and returns an outcome; an escaping
   exception becomes `on_error(job, exc)`'s outcome.
3. The `TaskResult` comes back through the runner's one `Delivery` to
   `_on_task_finished` on the main thread, the only thread touching runner
   state (no lock). A runner deleted with results in flight closes its
   delivery first: late ones are dropped, their jobs planned again next run.
4. An `is_transient` outcome is re-queued after an exponential backoff while
   attempts remain; one for which `stops_run` gives a sentence is written, not
   retried, the queued jobs dropped, `write_error` holding the sentence.
5. Outcomes are handed to `apply(batch)`, the stage's one write path, every
   `batch_size` outcomes or `flush_ms`; a kill loses at most the unflushed.
6. Given a `writes` pool (the one writer thread), apply runs there, a batch at
   a time in order; its `Written` comes back to `_on_written`, which emits
   `batch_applied` and `photos_written` and sends the next. Else inline.
7. With `write_slice`, a batch is applied in slices, each its own transaction
   through the write gate (catalog/write_gate.py): a UI decision waits for one
   slice, never a batch. Committed slices stay; only the rest is retried.
8. A batch whose apply raises is retried after a backoff up to
   `write_attempts` times, then counted in `write_failed` and logged
   (`on_write_failed`). A storage fault is not retried: the run is cancelled,
   `write_error` holds the sentence (naming `catalog_file`'s disk).
9. `cancel()`: queued tasks return unworked, in-flight ones are written; `pause()`/
   `resume()` hold queued work. `finished` comes once, after the last write settled.
10. Started with `open_feed` (pipeline.live), it takes more jobs (`extend`) and
    finishes after `close_feed` once all are written. Jobs enter the pool at
    `priority`; with `max_in_flight`, the rest wait here in order.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from curator.catalog.writer import Attempted
from curator.engine.delivery import Job, delivery_to

log = logging.getLogger(__name__)

J = TypeVar("J")
O = TypeVar("O")  # noqa: E741 - conventional name for the outcome type


@dataclass
class RunSummary:
    """What one run did. `counts` are what the stage's apply reported."""

    found: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    cancelled: bool = False


@dataclass(frozen=True)
class Written:
    """What an apply says it did: counts, and the photos it inserted or rewrote."""

    counts: Counter[str]
    photo_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class WriteResult:
    """One batch's write, back from the writer thread: what its first `done`
    outcomes' transactions did (`written`), and why the rest were not written."""

    generation: int
    done: int
    written: Written
    error: BaseException | None


def _as_written(result: Counter[str] | Written) -> Written:
    return result if isinstance(result, Written) else Written(result)


def write_batch(
    generation: int,
    apply: Callable[[list[Attempted[O]]], Counter[str] | Written],
    batch: list[Attempted[O]],
    slice_size: int | None,
) -> WriteResult:
    """`apply` over `batch` in slices of `slice_size` (each its own transaction
    through the write gate: a decision waits for one slice, not the batch),
    in order, stopping at the first failure. Never raises."""
    counts: Counter[str] = Counter()
    ids: list[int] = []
    done, step = 0, slice_size or len(batch) or 1
    try:
        for start in range(0, len(batch), step):
            part = batch[start : start + step]
            written = _as_written(apply(part))
            counts.update(written.counts)
            ids.extend(written.photo_ids)
            done += len(part)
    except Exception as exc:  # the main thread retries or reports what is left
        return WriteResult(generation, done, Written(counts, tuple(ids)), exc)
    return WriteResult(generation, done, Written(counts, tuple(ids)), None)


@dataclass(frozen=True)
class TaskResult(Generic[J, O]):
    generation: int
    job: J
    attempt: int
    outcome: O | None  # None: cancelled before it started


def attempt(
    key: tuple[int, J, int],
    work: Callable[[J], O],
    on_error: Callable[[J, BaseException], O],
    gate: StageGate,
) -> TaskResult[J, O]:
    """One attempt at one job, on a pool thread: held while paused, skipped once cancelled."""
    generation, job, attempt_no = key
    outcome: O | None = None
    if gate.wait_until_open():
        try:
            outcome = work(job)
        except Exception as exc:
            outcome = on_error(job, exc)
    return TaskResult(generation, job, attempt_no, outcome)


class StageGate:
    """Pause/cancel shared by a run's tasks (thread-safe)."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.cancelled = threading.Event()

    def wait_until_open(self) -> bool:
        """Block while paused; False when the run was cancelled."""
        while not self._open.wait(0.2):
            if self.cancelled.is_set():
                return False
        return not self.cancelled.is_set()

    @property
    def paused(self) -> bool:
        return not self._open.is_set()

    def pause(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    def cancel(self) -> None:
        self.cancelled.set()
        self._open.set()


class StageRunner(QObject, Generic[J, O]):
    """Drives a list of jobs through `work` and `apply` (see the module docstring)."""

    progressed = Signal(int, int)  # done, total
    batch_applied = Signal(object)  # list of outcomes just committed
    photos_written = Signal(list)  # ids of the photos the committed batch touched (`Written`)
    finished = Signal(object)  # RunSummary

    def __init__(
        self,
        name: str,
        threads: QThreadPool,
        work: Callable[[J], O],
        apply: Callable[[list[Attempted[O]]], Counter[str] | Written],
        *,
        on_error: Callable[[J, BaseException], O],
        is_transient: Callable[[O], bool] = lambda _: False,
        max_attempts: int = 3,
        batch_size: int = 32,
        flush_ms: int = 250,
        backoff_ms: int = 500,
        write_attempts: int = 3,
        on_write_failed: Callable[[str, BaseException, int], None] | None = None,
        catalog_file: str | None = None,
        stops_run: Callable[[O], str | None] = lambda _: None,
        writes: QThreadPool | None = None,
        write_slice: int | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.name = name
        self.catalog_file = catalog_file or "the catalog"
        self.write_attempts = write_attempts
        self.on_write_failed = on_write_failed
        self.stops_run = stops_run
        self.write_error: str | None = None  # the storage fault that stopped the run
        self._pending_writes: list[list[Attempted[O]]] = []
        self._writing = False  # the head of _pending_writes is on the writer thread
        self._write_tries = 0
        self.writes = writes  # one thread: batches stay in order
        self.write_slice = write_slice  # outcomes per transaction (None: the batch)
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._retry_writes)
        self.threads, self.work, self.apply = threads, work, apply
        self.on_error, self.is_transient = on_error, is_transient
        self.max_attempts, self.batch_size, self.backoff_ms = max_attempts, batch_size, backoff_ms
        self._gate = StageGate()
        self._generation = 0
        self._buffer: list[Attempted[O]] = []
        self._outstanding = 0
        self._total = 0
        self._done = 0
        self._summary = RunSummary()
        self._started_at = 0.0
        self._running = False
        self._feeding = False  # open_feed: more jobs may come (extend) until close_feed
        self.priority = 0  # of this runner's jobs in the pool (higher: taken first)
        self.max_in_flight: int | None = None  # this runner's jobs in the pool at once
        self._in_pool = 0
        self._held: list[tuple[J, int]] = []  # beyond max_in_flight, in order
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(flush_ms)
        self._flush_timer.timeout.connect(self._flush)
        self._delivery = delivery_to(self, self._on_task_finished)
        self._written = delivery_to(self, self._on_written)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def progress(self) -> tuple[int, int]:
        return self._done, self._total

    def start(
        self,
        jobs: Sequence[J],
        *,
        found: int = 0,
        counts: Counter[str] | None = None,
        open_feed: bool = False,
    ) -> None:
        if self._running:
            raise RuntimeError(f"the {self.name} stage is already running")
        self._generation += 1
        self._gate = StageGate()
        self._running, self._feeding = True, open_feed
        self.write_error = None
        self._pending_writes, self._write_tries, self._writing = [], 0, False
        self._summary = RunSummary(found=found, counts=Counter(counts or {}))
        self._total, self._done, self._outstanding = len(jobs), 0, 0
        self._in_pool, self._held = 0, []
        self._started_at = time.monotonic()
        self._flush_timer.start()
        for job in jobs:
            self._submit(job, 1)
        if not jobs:
            QTimer.singleShot(0, self, self._maybe_finish)

    def extend(
        self, jobs: Sequence[J], *, found: int = 0, counts: Counter[str] | None = None
    ) -> None:
        """More jobs for a run started with `open_feed` (see the protocol)."""
        if not (self._running and self._feeding):
            raise RuntimeError(f"the {self.name} stage takes no more jobs")
        if self._gate.cancelled.is_set():
            return  # cancelled (or stopped by a storage fault): it is finishing
        self._summary.found += found
        self._summary.counts.update(counts or {})
        self._total += len(jobs)
        for job in jobs:
            self._submit(job, 1)

    def close_feed(self) -> None:
        """No more jobs: the run finishes once those it has are done and written."""
        if self._feeding:
            self._feeding = False
            QTimer.singleShot(0, self, self._maybe_finish)

    def cancel(self) -> None:
        self._gate.cancel()
        if self._held:  # never started: nothing of theirs will come back
            QTimer.singleShot(0, self, self._maybe_finish)

    def pause(self) -> None:
        self._gate.pause()

    def resume(self) -> None:
        self._gate.resume()

    def close(self) -> None:
        """Deliver nothing more (shutdown: the window and the catalog go next).
        A batch on the writer thread still commits; its result is dropped."""
        self._delivery.close()
        self._written.close()

    def flush_now(self) -> None:
        """Write whatever is buffered, here and now (a hard stop: the process
        exits next, so nothing may wait for the event loop). The batch already
        on the writer thread is let finish first, so the order holds."""
        if self.writes is not None:
            self.writes.waitForDone()
        if self._writing:  # its result is still queued: it is written (or lost) already
            self._writing = False
            self._pending_writes.pop(0)
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self._pending_writes.append(batch)
        while self._pending_writes:
            result = write_batch(
                self._generation, self.apply, self._pending_writes[0], self.write_slice
            )
            if result.done:
                self._applied(result)
            if result.error is not None:
                log.error(
                    "the %s stage's last results could not be written",
                    self.name,
                    exc_info=result.error,
                )
                return

    def _submit(self, job: J, attempt_no: int) -> None:
        self._outstanding += 1
        if self.max_in_flight is not None and self._in_pool >= self.max_in_flight:
            self._held.append((job, attempt_no))
            return
        self._start_job(job, attempt_no)

    def _start_job(self, job: J, attempt_no: int) -> None:
        self._in_pool += 1
        key, gate = (self._generation, job, attempt_no), self._gate
        run = partial(attempt, key, self.work, self.on_error, gate)
        self.threads.start(Job(run, self._delivery), self.priority)

    @Slot(object)
    def _on_task_finished(self, result: TaskResult[J, O]) -> None:
        if result.generation != self._generation:
            return
        self._outstanding -= 1
        self._in_pool -= 1
        self._release_held()
        outcome = result.outcome
        if outcome is None:  # cancelled before it started
            self._maybe_finish()
            return
        stop = self.stops_run(outcome)
        if stop is not None:
            # Every job after it would fail the same way (a full cache disk): stop
            # the run like a full catalog does; this outcome is written, not retried.
            self.write_error = self.write_error or stop
            self._gate.cancel()
        elif (
            self.is_transient(outcome)
            and result.attempt < self.max_attempts
            and not self._gate.cancelled.is_set()
        ):
            self._schedule_retry(result)
            return
        self._buffer.append(Attempted(outcome, result.attempt, self.max_attempts))
        self._done += 1
        self.progressed.emit(self._done, self._total)
        if len(self._buffer) >= self.batch_size:
            self._flush()
        else:
            self._maybe_finish()

    def _release_held(self) -> None:
        """Held jobs into the pool as it has room; all dropped once cancelled."""
        if self._gate.cancelled.is_set():
            self._outstanding -= len(self._held)
            self._held = []
            return
        while self._held and (self.max_in_flight is None or self._in_pool < self.max_in_flight):
            self._start_job(*self._held.pop(0))

    def _schedule_retry(self, result: TaskResult[J, O]) -> None:
        delay = min(self.backoff_ms * 2 ** (result.attempt - 1), 30_000)
        self._outstanding += 1  # the retry is outstanding while it waits
        generation = self._generation

        def retry() -> None:
            self._outstanding -= 1
            if generation == self._generation and not self._gate.cancelled.is_set():
                self._submit(result.job, result.attempt + 1)
            else:
                self._maybe_finish()

        QTimer.singleShot(delay, self, retry)  # dropped with the runner

    @Slot()
    def _flush(self) -> None:
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self._pending_writes.append(batch)
        if not self._retry_timer.isActive():
            self._write_pending()

    def _write_pending(self) -> None:
        """Apply the queued batches in order; on a failure keep them and back off."""
        while self._pending_writes and not self._writing:
            batch = self._pending_writes[0]
            if self.writes is not None:
                self._writing = True
                job = partial(write_batch, self._generation, self.apply, batch, self.write_slice)
                self.writes.start(Job(job, self._written))
                return
            result = write_batch(self._generation, self.apply, batch, self.write_slice)
            if not self._settle(result):
                return
        self._maybe_finish()

    @Slot(object)
    def _on_written(self, result: WriteResult) -> None:
        if result.generation != self._generation or not self._writing:
            return
        self._writing = False
        if self._settle(result):
            self._write_pending()

    def _settle(self, result: WriteResult) -> bool:
        """Book the head batch's write; False when the writing stops here
        (a retry is scheduled, or the writes were given up and the run ends).
        Slices written before a failure stay written: only the rest is retried."""
        from curator.catalog.storage import storage_problem

        if result.done:
            self._applied(result)
        exc = result.error
        if exc is None:
            return True
        self._write_tries += 1
        storage = storage_problem(exc, what=self.catalog_file)
        if storage is not None or self._write_tries >= self.write_attempts:
            self._give_up_writes(exc, str(storage) if storage else None)
            self._maybe_finish()
            return False
        delay = min(self.backoff_ms * 2 ** (self._write_tries - 1), 10_000)
        self._retry_timer.start(delay)
        return False

    def _applied(self, result: WriteResult) -> None:
        """The head batch's first `result.done` outcomes are committed."""
        head = self._pending_writes[0]
        batch, rest = head[: result.done], head[result.done :]
        if rest:
            self._pending_writes[0] = rest
        else:
            self._pending_writes.pop(0)
        self._write_tries = 0
        self._summary.counts.update(result.written.counts)
        self.batch_applied.emit([item.outcome for item in batch])
        self.photos_written.emit(list(result.written.photo_ids))

    def _give_up_writes(self, exc: BaseException, storage_sentence: str | None) -> None:
        lost = sum(len(b) for b in self._pending_writes)
        self._pending_writes, self._write_tries = [], 0
        self._summary.counts["write_failed"] += lost
        if storage_sentence is not None:
            # Nothing more can be written: stop the run; what is committed stays.
            self.write_error = storage_sentence
            self._gate.cancel()
        sentence = storage_sentence or (
            f"Curator could not save the results of {lost} photo(s) in the catalog "
            f"({type(exc).__name__}: {exc}); they will be measured again on the next import."
        )
        if self.on_write_failed is not None:
            self.on_write_failed(sentence, exc, lost)

    @Slot()
    def _retry_writes(self) -> None:
        self._write_pending()

    def _maybe_finish(self) -> None:
        if self._held and self._gate.cancelled.is_set():
            self._release_held()  # stopped (a storage fault): the held jobs never start
        if not self._running or self._outstanding > 0:
            return
        if self._buffer:
            self._flush()
            return  # _write_pending calls back here once the writes are settled
        if self._pending_writes or (self._feeding and not self._gate.cancelled.is_set()):
            return  # on the writer thread, a write retry is scheduled, or more may come
        self._flush_timer.stop()
        self._running = False
        self._summary.elapsed_s = time.monotonic() - self._started_at
        self._summary.cancelled = self._gate.cancelled.is_set()
        self.finished.emit(self._summary)
