"""`IngestController`: the window's ingest, off the UI thread, handing each
copy that lands to the pipeline so culling starts while the card is copied.

`curator.ingest` (plan → run) does the work; the import is the pipeline's
(`PipelineController.start_paths`).

- Jobs on the ingest pool (one thread) with immutable inputs, never a
  QObject: `preview(request)`, `start(request)` and `eject(card)`; their way
  back is the `Delivery`, stamped with the generation (older ones dropped).
  Progress is thinned to one per `PROGRESS_EVERY_S`, except reports that
  carry landed copies.
- Landed copies wait in `waiting` until the pipeline is idle; one run takes
  them all (the technical stage). Once the copy is over, a last run goes over
  every copy with all the stages. A copy is never lost, only handed over later.
- `cancel()` stops between chunks; what landed is still imported.
  `shutdown()` cancels and closes the Delivery.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QThreadPool, Signal, SignalInstance, Slot

from curator.engine.delivery import Delivery
from curator.ingest.types import IngestProgress, IngestRequest, IngestResult
from curator.settings import Settings, SettingsError, save_changes
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.job_runner import JobRunner
from curator.ui.ingest.cards import Card

if TYPE_CHECKING:
    from curator.ingest.plan import IngestPlan, PlannedName

log = logging.getLogger("curator.ui")

PROGRESS_EVERY_S = 0.1
PREVIEW_NAMES = 6  # groups whose names the dialog shows
ProgressFn = Callable[[IngestProgress], None]


class PipelineFeed(Protocol):
    """What the controller needs of the pipeline (`PipelineController`)."""

    @property
    def running(self) -> bool: ...

    def start_paths(
        self,
        paths: Sequence[str],
        stages: tuple[str, ...] | None = None,
        part_of: str | None = None,
    ) -> bool: ...


@dataclass(frozen=True)
class IngestEngine:
    """The engine's two steps; tests wrap them (a run held after its first copy)."""

    plan: Callable[[IngestRequest], IngestPlan]
    run: Callable[[IngestPlan, ProgressFn, threading.Event], IngestResult]


def default_engine() -> IngestEngine:
    def plan(request: IngestRequest) -> IngestPlan:
        from curator.ingest.plan import plan_ingest

        return plan_ingest(request)

    def run(plan: IngestPlan, progress: ProgressFn, cancel: threading.Event) -> IngestResult:
        from curator.ingest.run import run_ingest

        return run_ingest(plan, progress=progress, cancel=cancel)

    return IngestEngine(plan, run)


@dataclass(frozen=True)
class IngestPreview:
    generation: int
    request: IngestRequest
    names: tuple[PlannedName, ...] = ()
    photos: int = 0
    files: int = 0
    size: int = 0  # bytes of every photo and companion on the card
    known: int = 0  # photos a journal already knows (skipped unread)
    free: tuple[tuple[str, int | None], ...] = ()  # destination → bytes free on its disk
    problems: int = 0
    error: str | None = None
    owed: tuple[int, ...] = ()  # per destination: bytes still to be copied there
    short: tuple[int, ...] = ()  # per destination: bytes to free before they fit (0: they do)


@dataclass(frozen=True)
class ProgressReport:
    generation: int
    progress: IngestProgress


@dataclass(frozen=True)
class IngestFinished:
    generation: int
    request: IngestRequest
    result: IngestResult | None
    error: str | None = None  # why it could not run at all


@dataclass(frozen=True)
class Ejected:
    sentence: str


@dataclass
class _Feed:
    """Copies that landed, on their way to the pipeline (the protocol above)."""

    waiting: list[str] = field(default_factory=list)
    final: list[str] | None = None  # every copy of the card, once the copy is over
    final_started: bool = False


def free_space(path: str) -> int | None:
    """Bytes free on the disk `path` is (or will be) on; None when unknown."""
    probe = Path(path)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return None


class _Thinned:
    """The engine's progress, thinned on the worker (see the protocol)."""

    def __init__(self, generation: int, delivery: Delivery[object]):
        self.generation, self.delivery, self.last = generation, delivery, 0.0

    def __call__(self, progress: IngestProgress) -> None:
        now = time.monotonic()
        done = progress.photos_done == progress.photos_total
        if progress.landed or done or now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.delivery.deliver(ProgressReport(self.generation, progress))


class IngestController(JobRunner):
    preview_ready = Signal(object)  # IngestPreview of the current form
    progress = Signal(object)  # IngestProgress of the running ingest
    finished = Signal(object)  # IngestFinished: the copy is over
    imported = Signal()  # the last pipeline run over the card's copies ended
    ejected = Signal(str)  # the eject's sentence

    def __init__(
        self,
        pool: QThreadPool,
        pipeline: PipelineFeed,
        completed: SignalInstance,
        errors: ErrorReporter,
        settings: Callable[[], Settings],
        settings_file: Path | None = None,
        *,
        engine: IngestEngine | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(pool, errors, parent)
        self.pipeline, self.settings, self.settings_file = pipeline, settings, settings_file
        self.engine = engine or default_engine()
        self._feed = _Feed()
        self.last_request: IngestRequest | None = None
        completed.connect(self._on_pipeline_completed)

    def preview(self, request: IngestRequest) -> int:
        """Plan `request` on the worker (nothing written); `preview_ready` follows."""
        self._generation += 1
        generation, engine = self._generation, self.engine
        if self._shut_down:
            return generation

        def job() -> IngestPreview:
            from curator.ingest.plan import IngestRefused, preview_names
            from curator.ingest.state import owed_before, space_short

            try:
                plan = engine.plan(request)
                names = tuple(preview_names(plan, PREVIEW_NAMES))
            except IngestRefused as exc:
                return IngestPreview(generation, request, error=str(exc))
            except Exception as exc:  # a sentence, never a dialog that waits for ever
                log.exception("the ingest preview failed")
                return IngestPreview(generation, request, error=f"Curator could not plan it: {exc}")
            scan = plan.scan
            photos = [f for g in scan.groups for f in g.photos]
            known = sum(
                1 for f in photos if (h := plan.known_hash(f)) is not None and not plan.wanted(h)
            )
            roots = [str(d.root) for d in plan.destinations]
            free = [free_space(root) for root in roots]
            owed = owed_before(plan)
            return IngestPreview(
                generation,
                request,
                names,
                scan.photos,
                scan.files,
                sum(g.size for g in scan.groups),
                known,
                tuple(zip(roots, free, strict=True)),
                len(scan.problems),
                owed=tuple(sum(f.size for f in files) for files in owed),
                short=tuple(
                    0 if room is None else space_short(files, room)
                    for files, room in zip(owed, free, strict=True)
                ),
            )

        self._post(job)
        return generation

    def start(self, request: IngestRequest) -> bool:
        """Plan and run `request` on the worker; False while one runs (or at exit)."""
        begun = self._begin()
        if begun is None:
            return False
        (generation, cancel), engine = begun, self.engine
        self._feed = _Feed()
        self.last_request = request
        self._remember(request)
        progress = _Thinned(generation, self._delivery)

        def job() -> IngestFinished:
            from curator.ingest.plan import IngestRefused

            try:
                plan = engine.plan(request)
                result = engine.run(plan, progress, cancel)
            except IngestRefused as exc:
                return IngestFinished(generation, request, None, str(exc))
            except Exception as exc:
                log.exception("the ingest failed")
                return IngestFinished(generation, request, None, f"The ingest failed: {exc}.")
            return IngestFinished(generation, request, result)

        return self._started(job)

    def eject(self, card: Card) -> None:
        """Eject `card` on the worker; `ejected` says how it went."""
        if self._shut_down:
            return
        volume = card.volume

        def job() -> Ejected:
            from curator.ingest.eject import eject

            return Ejected(eject(volume.name or volume.root, volume.root, volume.device))

        self._post(job)

    def _remember(self, request: IngestRequest) -> None:
        """The templates and folders of this ingest, for the next one (settings)."""
        if self.settings_file is None:
            return
        changes = {
            "ingest_rename": request.rename,
            "ingest_subfolder": request.subfolder,
            "ingest_destination": request.destination,
            "ingest_backup": request.backup or "",
        }
        current = self.settings()
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return
        try:
            save_changes(self.settings_file, changes)
        except (OSError, SettingsError) as exc:
            self.errors.report(f"The ingest's choices could not be remembered: {exc}")

    # --- feeding the pipeline -------------------------------------------------

    def _feed_pipeline(self) -> None:
        """Hand what landed to the pipeline when it is idle (see the protocol)."""
        feed = self._feed
        if self._shut_down or self.pipeline.running:
            return
        if feed.waiting:
            paths, feed.waiting = feed.waiting, []
            if not self.pipeline.start_paths(paths, ("technical",), part_of="Ingest"):
                feed.waiting[:0] = paths  # could not start: kept for the next turn
            return
        if feed.final is not None and not self.running:
            paths, feed.final = feed.final, None
            feed.final_started = bool(paths) and self.pipeline.start_paths(paths)
            if not feed.final_started:
                self.imported.emit()

    @Slot(object)
    @guarded_slot
    def _on_pipeline_completed(self, _report: object) -> None:
        if self._feed.final_started:
            self._feed.final_started = False
            self.imported.emit()
        self._feed_pipeline()

    @Slot(object)
    @guarded_slot
    def _on_posted(self, message: object) -> None:
        if isinstance(message, ProgressReport):
            if message.generation != self._run_generation:
                return
            if message.progress.landed:
                self._feed.waiting.extend(message.progress.landed)
                self._feed_pipeline()
            self.progress.emit(message.progress)
        elif isinstance(message, IngestFinished):
            if message.generation != self._run_generation:
                return
            if message.result is not None:
                self._feed.final = list(message.result.catalog_paths)
            self._run_over()
            self.finished.emit(message)
            self._feed_pipeline()
        elif isinstance(message, IngestPreview):
            if message.generation == self._generation:
                self.preview_ready.emit(message)
        elif isinstance(message, Ejected):
            self.ejected.emit(message.sentence)
