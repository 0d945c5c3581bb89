"""`QuickLookPhase`: the pipeline's QUICK_LOOK phase, its two rounds side by side.

Round one lists every new file (pipeline.stages.quicklook: the embedded
thumbnail, else no pixels); round two decodes the thumbnails round one could
not take, from a `ThumbnailQueue` the window re-orders as the user scrolls
(`prefer`). Both run on the decode pool and the same children, round two's
turns queued behind round one's jobs (first in, first out) to keep the children
busy; a turn finding the queue empty waits for round one's next batch, or ends
with it (`ThumbnailQueue.close`).

Signals (main thread): `photos_added(ids)` — round one's new rows;
`paths_listed(paths)` — the files round one just wrote (a watch's tiles);
`thumbnails_changed(ids)` — round two gave these rows a picture; `note(text)` —
one progress line; `ended()` — both rounds done (or cancelled, or `write_error`).
Invariants: the phase never touches widgets; a storage fault in either round
stops both; `cancel` and `close` reach both rounds and release a waiting turn.
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

    def start(self, jobs: list[QuickLookJob], candidates: int) -> None:
        """Round one over `jobs`; round two's turns for up to `candidates` files
        (the new files that may lack a thumbnail), queued behind them."""
        self._files = sum(len(job.paths) for job in jobs)
        self._listing.start(jobs)
        if jobs:
            template = jobs[0]
            self._decoding.start(plan_thumbnail_turns(candidates, template))
        else:
            self._decoding.start([])

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
        self.queue.close()  # a turn waiting for round one's next batch ends now

    def close(self) -> None:
        """Deliver nothing more (shutdown)."""
        for runner in self._runners:
            runner.close()
        self.queue.close()

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
        self.queue.put(listed)
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
            self.queue.close()  # round two takes what is queued, then ends
        self._runners.remove(runner)
        runner.deleteLater()
        if not self._runners:
            self.ended.emit()
