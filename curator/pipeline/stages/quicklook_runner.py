"""The quick look stage wired onto the generic StageRunner (pipeline.stages.quicklook).

Each job (a chunk of paths) runs in the technical stage's child-process pool;
a crashed or hung child only loses that chunk's quick looks (those files
appear when they are measured). Batches are written by
`catalog.quicklook.apply_quick_looks`, on the writer thread when one is
passed in (`writes`); `photos_written` carries each written batch's new ids
(maybe none) back on the main thread right after the write. The threads that
wait on the children are the composition root's decode pool, passed in.

Round two (`queue` given, decoding jobs): each job is a turn at the
`ThumbnailQueue` — its paths are taken when a pool thread starts it (waiting
for round one's next batch when the queue is empty and open), so a file the
user scrolled to is decoded by the next free child — and its
thumbnails are written by `apply_quick_thumbnails` (`photos_written`: the
photos whose tile changed).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from peewee import SqliteDatabase
from PySide6.QtCore import QObject, QThreadPool

from curator.catalog.quicklook import apply_quick_looks, apply_quick_thumbnails
from curator.catalog.storage import catalog_file_of
from curator.catalog.writer import Attempted
from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from curator.engine.stage_runner import StageRunner, Written
from curator.imaging.types import QuickLook
from curator.pipeline.stages.quicklook import (
    THUMBNAIL_CHUNK,
    QuickLookJob,
    ThumbnailQueue,
    run_quick_looks,
)

QuickLookOutcome = tuple[QuickLook, ...]


def _nothing(_job: QuickLookJob, _exc: BaseException) -> QuickLookOutcome:
    return ()


class QuickLookRunner(StageRunner[QuickLookJob, QuickLookOutcome]):
    """Quick looks in child processes, written in batches (see the module docstring)."""

    def __init__(
        self,
        db: SqliteDatabase,
        stage_version: str,
        processes: ChildProcessPool,
        threads: QThreadPool,
        *,
        timeout_s: float = 60.0,
        batch_size: int = 4,
        flush_ms: int = 100,
        writes: QThreadPool | None = None,
        queue: ThumbnailQueue | None = None,
        parent: QObject | None = None,
    ):
        def work(job: QuickLookJob) -> QuickLookOutcome:
            if queue is not None and not job.paths:
                job = replace(job, paths=queue.take(THUMBNAIL_CHUNK))
                if not job.paths:
                    return ()
            try:
                return processes.call(run_quick_looks, job, timeout_s)
            except (WorkerCrashed, WorkerTimedOut, WorkerFailed):
                return ()

        def apply(batch: list[Attempted[QuickLookOutcome]]) -> Written:
            looks = [look for item in batch for look in item.outcome]
            if queue is not None:
                changed = apply_quick_thumbnails(db, looks)
                return Written(Counter({"quick_thumbnail": len(changed)}), tuple(changed))
            added = apply_quick_looks(db, looks, stage_version)
            return Written(Counter({"quick_look": len(added)}), tuple(added))

        super().__init__(
            "quick look",
            threads,
            work,
            apply,
            on_error=_nothing,
            max_attempts=1,
            batch_size=batch_size,
            flush_ms=flush_ms,
            catalog_file=catalog_file_of(db),
            writes=writes,
            write_slice=1,  # one chunk's looks per transaction: a decision waits for 16 rows
            parent=parent,
        )
