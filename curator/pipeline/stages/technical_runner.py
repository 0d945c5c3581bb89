"""The technical stage wired onto the generic StageRunner.

Decoding runs in crash-isolated child processes (engine.isolation) or, on a
Ray cluster, in Ray tasks running the same child (`technical_remote.NodeMeasure`);
the decode pool's threads (passed in, one per child or cluster CPU) only wait
on them. Each batch is written on the writer thread when given (`writes`),
which looks up the ids it touched (`photos_written`). A crashed or hung decoder
becomes a `TechnicalFailure` for that file; a crash is transient (retried up
to `max_attempts`), a timeout is not. A crash while the faces stage rode along
is first retried `without_faces`: the photo is measured, only its faces fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool

from curator.catalog.paths_codec import photo_ids_for_paths
from curator.catalog.storage import DISK_FULL_SENTENCE_START, catalog_file_of
from curator.catalog.writer import ApplyKind, Attempted, CatalogWriter
from curator.engine.stage_runner import RunSummary, StageRunner, Written
from curator.engine.types import StageFn
from curator.imaging.formats import format_by_name
from curator.imaging.types import TechnicalFailure, TechnicalRequest
from curator.pipeline.stages.technical import TechnicalOutcome, TechnicalPlan, run_technical
from curator.pipeline.stages.technical_remote import (
    IsolatedCalls,
    NodeMeasure,
    call_isolated,
    cluster_lost,
    without_faces,
)
from curator.records import FacesFailure

# Outcomes per transaction: a decision waits for at most this many photos'
# rows (a 32-photo transaction held the lock 50-130 ms on a busy 2-core
# machine; the loupe's rating key waited that long behind it).
WRITE_SLICE = 8

__all__ = [
    "RunSummary",
    "TechnicalRunner",
    "cache_full",
    "call_isolated",
    "faces_counts",
    "import_counts",
    "stops_the_run",
    "without_faces",
]


def import_counts(summary: RunSummary) -> dict[str, int]:
    """The import summary keys of `curator import --json`."""
    c = summary.counts
    return {
        "found": summary.found,
        "new": c[ApplyKind.NEW],
        "duplicates": c[ApplyKind.DUPLICATE],
        "moved": c[ApplyKind.MOVED],
        "restored": c[ApplyKind.RESTORED],
        "changed": c[ApplyKind.CHANGED] + c[ApplyKind.REMEASURED],
        "unchanged": c[ApplyKind.UNCHANGED],
        "failed": c[ApplyKind.FAILED],
        "skipped_deleted": c[ApplyKind.SKIPPED_DELETED],
    }


def faces_counts(batch: list[Attempted[TechnicalOutcome]]) -> Counter[str]:
    """The faces judged beside a batch's measurements ("faces_done", "faces_failed")."""
    counts: Counter[str] = Counter()
    for item in batch:
        faces = getattr(item.outcome, "faces", None)
        if faces is not None:
            counts["faces_failed" if isinstance(faces, FacesFailure) else "faces_done"] += 1
    return counts


def _internal_failure(request: TechnicalRequest, exc: BaseException) -> TechnicalOutcome:
    return TechnicalFailure(
        request.path,
        f"Curator could not run a decoder for this file ({exc}).",
        type(exc).__name__,
        detail=repr(exc),
        transient=True,
        format=format_by_name(request.path),
    )


def _is_transient(outcome: TechnicalOutcome) -> bool:
    return isinstance(outcome, TechnicalFailure) and outcome.transient


def cache_full(outcome: TechnicalOutcome) -> str | None:
    """The sentence when `outcome` says the cache's disk is full: every photo
    after it would be decoded only to fail the same way, so the run stops
    there, as it does for a full catalog (issue 22). None otherwise."""
    if (
        isinstance(outcome, TechnicalFailure)
        and outcome.error_type == "CacheWriteError"
        and outcome.message.startswith(DISK_FULL_SENTENCE_START)
    ):
        return outcome.message
    return None


def stops_the_run(outcome: TechnicalOutcome) -> str | None:
    """Why every file after `outcome` would fail too: a full cache disk, or a
    lost Ray cluster (None: the run goes on)."""
    return cache_full(outcome) or cluster_lost(outcome)


class TechnicalRunner(StageRunner[TechnicalRequest, TechnicalOutcome]):
    """The technical stage: child-process decoding, batched writes."""

    def __init__(
        self,
        writer: CatalogWriter,
        processes: IsolatedCalls,
        threads: QThreadPool,
        *,
        max_attempts: int = 3,
        timeout_s: float = 120.0,
        fn: StageFn | NodeMeasure = run_technical,
        batch_size: int = 32,
        flush_ms: int = 250,
        backoff_ms: int = 500,
        on_write_failed: Callable[[str, BaseException, int], None] | None = None,
        writes: QThreadPool | None = None,
        parent: QObject | None = None,
    ):
        def apply(batch: list[Attempted[TechnicalOutcome]]) -> Written:
            # On the writer thread (or inline without one): the batch's rows,
            # then the ids they belong to, so the UI thread queries nothing.
            kinds = writer.apply_technical(batch)
            ids = photo_ids_for_paths(item.outcome.path for item in batch)
            counts = Counter({k.value: v for k, v in kinds.items()})
            counts.update(faces_counts(batch))
            return Written(counts, tuple(ids))

        super().__init__(
            "technical",
            threads,
            lambda request: call_isolated(processes, fn, request, timeout_s),
            apply,
            on_error=_internal_failure,
            is_transient=_is_transient,
            max_attempts=max_attempts,
            batch_size=batch_size,
            flush_ms=flush_ms,
            backoff_ms=backoff_ms,
            on_write_failed=on_write_failed,
            catalog_file=catalog_file_of(writer.db),
            stops_run=stops_the_run,
            writes=writes,
            write_slice=WRITE_SLICE,
            parent=parent,
        )
        self.processes = processes

    def start_plan(self, plan: TechnicalPlan, *, open_feed: bool = False) -> None:
        """Run `plan`; `open_feed`: more plans follow (`extend_plan`, a live run's)."""
        self.start(plan.requests, found=plan.found, counts=_plan_counts(plan), open_feed=open_feed)

    def extend_plan(self, plan: TechnicalPlan) -> None:
        """A live run's next batch: its requests measured after those queued."""
        self.extend(plan.requests, found=plan.found, counts=_plan_counts(plan))


def _plan_counts(plan: TechnicalPlan) -> Counter[str]:
    """What a plan settled without reading a file: unchanged, known failures."""
    counts: Counter[str] = Counter()
    counts[ApplyKind.UNCHANGED.value] += plan.unchanged
    counts[ApplyKind.FAILED.value] += plan.known_failed
    return counts
