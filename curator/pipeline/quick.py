"""`QuickLookPhase`: the pipeline's QUICK_LOOK phase, its two rounds side by side.

Round one lists every new file (pipeline.stages.quicklook: the embedded
thumbnail, else no pixels); round two decodes the thumbnails round one could
not take, from a `ThumbnailQueue` the window re-orders as the user scrolls
(`prefer`). Both run on the decode pool and the same children: round two is
an open feed, a turn queued per `THUMBNAIL_CHUNK` of files round one's written
batch put in the queue, closed when round one ends. A turn never waits for
round one: held in a pool thread, turns waiting on a batch whose listing was
queued behind them took every thread (a card's 40 frames dropped into a
watched folder hung the watch for good).

Signals (main thread): `photos_added(ids)` — round one's new rows;
`paths_listed(paths)` — the files round one just wrote (a watch's tiles);
`thumbnails_changed(ids)` — round two gave these rows a picture; `note(text)` —
one progress line; `ended()` — both rounds done (or cancelled, or `write_error`).
Invariants: the phase never touches widgets; a storage fault in either round
stops both; `cancel` and `close` reach both rounds.
"""

from __future__ import annotations

from peewee import SqliteDatabase
from PySide6.QtCore import QObject, QThreadPool, Signal

from curator.engine.isolation import ChildProcessPool
from curator.pipeline.stages.quicklook import (
    CHUNK,
    QuickLookJob,
    ThumbnailQueue,
    plan_thumbnail_turns,
)
from curator.pipeline.stages.quicklook_runner import QuickLookOutcome, QuickLookRunner


class QuickLookPhase(QObject):
    """Both quick-look rounds of one run (see the module docstring)."""

    photos_added = Signal(list)
    paths_listed = Signal(list)
    thumbnails_changed = Signal(list)
    note = Signal(str)
    ended = Signal()

    def __init__(
        self,
        db: SqliteDatabase,
        stage_version: str,
        processes: ChildProcessPool,
        threads: QThreadPool,
        writes: QThreadPool,
        *,
        timeout_s: float,
        priority: int = 0,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.queue = ThumbnailQueue()
        self.write_error: str | None = None
        self._like: QuickLookJob | None = None  # round two's turns are made like it
        self._round_two_open = False  # turns may still be queued
        self._runners: list[QuickLookRunner] = []
        self._files = 0
        self._decoded = 0
        self._listed: list[str] = []  # the written batch's paths for round two, until queued
        self._written: list[str] = []  # the written batch's paths, until said

        def runner(queue: ThumbnailQueue | None) -> QuickLookRunner:
            made = QuickLookRunner(
                db,
                stage_version,
                processes,
                threads,
                timeout_s=timeout_s,
                writes=writes,
                queue=queue,
                parent=self,
            )
            made.finished.connect(lambda _summary: self._on_round_finished(made))
            made.priority = priority  # a watch's: ahead of the measurements queued before
            self._runners.append(made)
            return made

        self._listing = runner(None)
        self._decoding = runner(self.queue)
        self._listing.batch_applied.connect(self._on_listed)
        self._listing.photos_written.connect(self._on_added)
        self._decoding.photos_written.connect(self._on_decoded)

    @property
    def running(self) -> bool:
        return bool(self._runners)

    def start(self, jobs: list[QuickLookJob]) -> None:
        """Round one over `jobs`; round two fed as round one's rows are written."""
        self._files = sum(len(job.paths) for job in jobs)
        self._like = jobs[0] if jobs else None
        self.queue.plan_order(path for job in jobs for path in job.paths)
        self._decoding.start([], open_feed=True)
        self._round_two_open = True
        self._listing.start(jobs)

    def prefer(self, paths: list[str]) -> None:
        self.queue.prefer(paths)

    def pause(self) -> None:
        for runner in self._runners:
            runner.pause()

    def resume(self) -> None:
        for runner in self._runners:
            runner.resume()

    def cancel(self) -> None:
        for runner in self._runners:
            runner.cancel()
        self._close_round_two()

    def close(self) -> None:
        """Deliver nothing more (shutdown)."""
        for runner in self._runners:
            runner.close()

    def _close_round_two(self) -> None:
        """No more turns: round two ends once those queued are done."""
        if self._round_two_open:
            self._round_two_open = False
            self._decoding.close_feed()

    def _on_listed(self, outcomes: list[QuickLookOutcome]) -> None:
        """Round one's written batch: its files without a picture are kept for
        round two, queued in `_on_added` (the runner emits the two signals
        one after the other for each batch)."""
        self._listed.extend(
            look.path for looks in outcomes for look in looks if look.thumbnail_key is None
        )
        self._written.extend(look.path for looks in outcomes for look in looks)

    def _on_added(self, ids: list[int]) -> None:
        """The batch's rows go to the grid first, then its files to round two's
        queue: a grid that says at once which tiles it shows (`prefer`) has
        them decoded first, with no turn taken in between."""
        if ids:
            self.photos_added.emit(ids)
        written, self._written = self._written, []
        if written:
            self.paths_listed.emit(written)
        listed, self._listed = self._listed, []
        if listed and self._like is not None and self._round_two_open:
            self.queue.put(listed)
            self._decoding.extend(plan_thumbnail_turns(len(listed), self._like))
        looked = min(self._files, self._listing.progress[0] * CHUNK)
        self.note.emit(f"Quick look: {looked} of {self._files} new files")

    def _on_decoded(self, ids: list[int]) -> None:
        if ids:
            self._decoded += len(ids)
            self.thumbnails_changed.emit(ids)
            waiting = len(self.queue)
            self.note.emit(f"Quick look: {self._decoded} thumbnails decoded, {waiting} to go")

    def _on_round_finished(self, runner: QuickLookRunner) -> None:
        if runner.write_error and not self.write_error:
            self.write_error = runner.write_error
            self.cancel()  # a full or read-only catalog: the other round stops too
        if runner is self._listing:
            self._close_round_two()  # round two does the turns it has, then ends
        self._runners.remove(runner)
        runner.deleteLater()
        if not self._runners:
            self.ended.emit()
