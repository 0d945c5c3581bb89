"""`BackupController`: catalog backups from the GUI — on quit and File ▸ Back Up Catalog Now.

The work is `catalog.backup.make_backup` (as `curator backup`) on a
one-thread pool; this class decides when and says what happened.

1. `hold_quit()`: when a backup is due (`backup_frequency`) it starts it and
   returns True; the window stays up ("Backing up the catalog…") and closes
   on `quit_ready`. Never for a studio's PostgreSQL catalog, never twice a
   session. A failed backup is reported and the window closes anyway.
2. `back_up_now()` starts one whatever the schedule (False while one runs).
3. A PostgreSQL backup (minutes) runs in a child process
   (`backends.pg_backup_child.backup_in_child`), so the pool thread holds no
   GIL the UI waits for; `progressed` says how far, at most ten a second.
4. `cancel()` stops it at its next page (the partial file removed);
   `shutdown()` cancels a PostgreSQL one; a SQLite copy ends whole.
5. Results come back through its `JobRunner`'s `Delivery` as `BackupDone`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import delivery_to
from curator.settings import Settings
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.job_runner import JobRunner

if TYPE_CHECKING:  # catalog.backup loads at its first use (a backup, on quit or asked for)
    from curator.catalog.backends.pg_backup import BackupProgress
    from curator.catalog.backup import BackupResult

log = logging.getLogger("curator.ui")

BACKING_UP = "Backing up the catalog…"
CANCELLED = "The catalog backup was cancelled; no backup file was left."
THROTTLE_S = 0.1  # at most ten progress sentences a second reach the UI thread


class BackupCancelled(Exception):
    """Raised by `ProgressSentences` at the backup's next page once `stop` is set."""


def progress_text(progress: BackupProgress) -> str:
    """The status line's sentence for a backup under way."""
    from curator.ingest.types import human_bytes

    size = f" ({human_bytes(progress.size)})" if progress.size > 0 else ""
    return f"Backing up the catalog{size}: {progress.percent} %"


class ProgressSentences:
    """The backup's progress callback: a sentence to `deliver` when the percent
    moves, at most every `THROTTLE_S`; `BackupCancelled` once `stop` is set."""

    def __init__(
        self,
        deliver: Callable[[str], object],
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deliver, self._stop, self._clock = deliver, stop, clock
        self._percent: int | None = None
        self._at = 0.0

    def __call__(self, progress: BackupProgress) -> None:
        if self._stop is not None and self._stop.is_set():
            raise BackupCancelled
        percent, now = progress.percent, self._clock()
        if percent == self._percent:
            return
        if self._percent is not None and percent < 100 and now - self._at < THROTTLE_S:
            return
        self._percent, self._at = percent, now
        self._deliver(progress_text(progress))


@dataclass(frozen=True)
class BackupDone:
    result: BackupResult | None
    error: str | None  # the sentence when the backup failed
    on_quit: bool


class BackupController(JobRunner):
    started = Signal(str)  # the sentence to show while it runs
    progressed = Signal(str)  # how far a PostgreSQL catalog's backup is
    finished = Signal(object)  # BackupDone
    quit_ready = Signal()  # the quit backup is over (made or failed): close now

    def __init__(
        self,
        catalog_path: Path,
        settings: Callable[[], Settings],
        threads: QThreadPool,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        source_url: str | None = None,
    ):
        super().__init__(threads, ErrorReporter(), parent)
        # A studio's PostgreSQL catalog: backed up when asked, never on quit.
        self.source_url = source_url
        self.catalog_path, self.settings, self.clock = catalog_path, settings, clock
        self._news = delivery_to(self, self._on_news)
        self._quit_tried = False
        self.last_sentence = ""

    def folder(self) -> Path:
        from curator.catalog.backup import backup_folder

        return backup_folder(self.catalog_path, self.settings().backup_folder)

    def due(self) -> bool:
        from curator.catalog.backup import backup_due, list_backups

        if self.source_url is not None:
            return False
        settings = self.settings()
        backups = list_backups(self.folder(), self.catalog_path)
        return backup_due(settings.backup_frequency, backups, self.clock())

    def hold_quit(self) -> bool:
        """Start the quit backup if due; True while the window must wait."""
        if self._shut_down or self._quit_tried:
            return False
        self._quit_tried = True
        try:
            due = self.due()
        except OSError:
            log.warning("could not look for catalog backups", exc_info=True)
            due = True  # try; a failure is reported and the window closes anyway
        if not due or self.running:
            return False
        return self._start(on_quit=True)

    def back_up_now(self) -> bool:
        """Back up whatever the schedule; False while one runs or after shutdown."""
        if self._shut_down or self.running:
            return False
        return self._start(on_quit=False)

    def cancel(self) -> bool:
        """Stop the PostgreSQL backup under way at its next page; False when none runs."""
        return self.source_url is not None and super().cancel()

    def shutdown(self) -> None:
        super().shutdown()
        self._news.close()

    def _start(self, *, on_quit: bool) -> bool:
        from curator.catalog.backup import make_backup  # here, not on the pool thread

        catalog, folder, url = self.catalog_path, self.folder(), self.source_url
        keep = self.settings().backup_keep
        begun = self._begin()
        if begun is None:
            return False
        stop, sentences = begun[1], ProgressSentences(self._news.deliver)

        def job() -> BackupDone:
            from curator.engine.child_call import ChildStopped

            try:
                now = datetime.now(UTC)
                if url is None:  # SQLite: one step of the backup API, the GIL let go
                    result = make_backup(catalog, folder, keep=keep, now=now)
                else:
                    result = _in_child(catalog, folder, keep, now, url, sentences, stop)
            except (BackupCancelled, ChildStopped):
                log.info("the catalog backup was cancelled")
                return BackupDone(None, CANCELLED, on_quit)
            except Exception as exc:  # a sentence for the status bar, never lost
                log.exception("the catalog backup failed")
                return BackupDone(None, _sentence(exc), on_quit)
            log.info("%s", result.sentence())
            return BackupDone(result, None, on_quit)

        self.started.emit(BACKING_UP)
        return self._started(job)

    @Slot(object)
    def _on_news(self, text: str) -> None:
        if self.running:  # a sentence that comes after the end is dropped
            self.progressed.emit(text)

    @Slot(object)
    def _on_posted(self, message: object) -> None:
        if not isinstance(message, BackupDone):
            return
        self._run_over()
        self.last_sentence = (
            message.result.sentence() if message.result is not None else message.error or ""
        )
        self.finished.emit(message)
        if message.on_quit:
            self.quit_ready.emit()


def _in_child(
    catalog: Path,
    folder: Path,
    keep: int,
    now: datetime,
    url: str,
    sentences: ProgressSentences,
    stop: threading.Event,
) -> BackupResult:
    """A PostgreSQL catalog's backup in a child process (module docstring)."""
    from curator.catalog.backends.pg_backup_child import backup_in_child
    from curator.catalog.backup import BackupError
    from curator.engine.child_call import call_in_child

    got = call_in_child(backup_in_child, (catalog, folder, keep, now, url), sentences, stop)
    if isinstance(got, str):
        raise BackupError(got)
    return got


def _sentence(exc: Exception) -> str:
    from curator.catalog.errors import CatalogError

    if isinstance(exc, CatalogError):
        return str(exc)
    return f"The catalog backup failed ({type(exc).__name__}); the details are in the log."
