"""The quick look stage wired onto the generic StageRunner (pipeline.stages.quicklook).

Each job (a chunk of paths) runs in the technical stage's child pool; a dead
child loses only that chunk's quick looks. `catalog.quicklook.apply_quick_looks`
writes batches (on the writer thread with `writes`); `photos_written` carries
each batch's new ids back on the main thread. The waiting threads are the
decode pool's.

Round two (`queue` given): each job takes its paths from the `ThumbnailQueue`
when it starts, so a file the user scrolled to goes to the next free child
(a job finding it empty ends at once);
`apply_quick_thumbnails` writes them.
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
