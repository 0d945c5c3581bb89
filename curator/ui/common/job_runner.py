"""`JobRunner`: what the controllers of one long job on a worker (the export,
the ingest, a client gallery's make) share.

Their jobs run on `threads` with immutable inputs and come back only through
the runner's `Delivery`, as frozen messages carrying the generation they were
started with (`_generation`, the newest job's): the subclass's `_on_posted`
drops a stale one. One run at a time: `_begin()` gives it its generation
(`_run_generation`) and its cancel Event (`running` while it is held,
`cancelling` once set); `_run_over()` when its end comes back. `cancel()`
stops the run at its next check; `shutdown()` cancels and closes the
Delivery: nothing is posted after it (the app drains the pool next).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from curator.engine.delivery import Delivery, Job, delivery_to, log_and_drop
from curator.ui.common.guard import ErrorReporter


class JobRunner(QObject):
    running_changed = Signal(bool)

    def __init__(
        self, threads: QThreadPool, errors: ErrorReporter, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.threads, self.errors = threads, errors
        self._delivery: Delivery[object] = delivery_to(self, self._on_posted)
        self._generation = 0
        self._run_generation = -1
        self._cancel: threading.Event | None = None
        self._shut_down = False

    @property
    def running(self) -> bool:
        return self._cancel is not None

    @property
    def cancelling(self) -> bool:
        return self._cancel is not None and self._cancel.is_set()

    def cancel(self) -> bool:
        """Stop the run at its next check (each runner says what is kept); False
        when none runs."""
        if self._cancel is None:
            return False
        self._cancel.set()
        return True

    def shutdown(self) -> None:
        """Cancel and post nothing more; the app drains the pool after this."""
        if self._shut_down:
            return
        self._shut_down = True
        self.cancel()
        self._delivery.close()

    def _job_failed(self, exc: Exception) -> None:
        """A job's exception it did not turn into a message (logged, nothing posted)."""
        log_and_drop(exc)

    def _post(self, fn: Callable[[], object]) -> None:
        """Run `fn` on `threads`; what it returns comes back to `_on_posted`."""
        self.threads.start(Job(fn, self._delivery, self._job_failed))

    def _begin(self) -> tuple[int, threading.Event] | None:
        """A new run's generation and cancel Event (running from now); None while
        one runs or after shutdown."""
        if self.running or self._shut_down:
            return None
        self._generation += 1
        self._cancel, self._run_generation = threading.Event(), self._generation
        return self._generation, self._cancel

    def _started(self, fn: Callable[[], object]) -> bool:
        """The run `fn` (after `_begin`) on `threads`, said by `running_changed`."""
        self._post(fn)
        self.running_changed.emit(True)
        return True

    def _run_over(self) -> None:
        """The run's end came back: no longer running, said by `running_changed`."""
        self._cancel = None
        self.running_changed.emit(False)

    def _on_posted(self, message: object) -> None:
        raise NotImplementedError
