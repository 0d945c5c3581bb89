"""`CullController`: the window's proposal and accept, off the UI thread.

It owns no rule: the read (`catalog.proposals.plan.plan_frames`), the pure run
(`cull.rules.propose`), the write (`cull.propose.propose_for`, as `curator cull
--propose`) and the accept (`catalog.proposals.store.accept`: one transaction,
one undo step) are the engine's; the controller runs them on its pool and
answers by signal. Off the UI thread because at 100,000 photos the read takes
0.67 s and the run 1.0-1.5 s (2 busy cores, tests/bench/gallery_catalog.py).

Concurrency protocol (`UiPools.cull`: one thread, jobs in the order asked):
- `load(scope)`: a Job reads the scope's frames on its thread's connection and
  posts `FramesLoaded` with the load's generation (an older load's is dropped);
  the immutable frames are kept for later jobs; a new load makes every count in
  flight stale.
- `count(tuning, keep, keep_percent)`: runs the pure proposal over the frames
  and posts `CountsReady`, writing nothing. Each request takes a new generation:
  a job with a newer one waiting returns at once; a stale result is dropped.
- `propose(...)` and `accept(...)`: the writes, one at a time (a run of its
  `JobRunner`, `running` meanwhile; a second is refused with False); each posts
  `ProposeDone` / `AcceptDone` (a sentence on failure), always delivered.
- With the window's `StepQueue` (`steps`, same pool), the accept is one of its
  steps (ui.review.step_queue): undo and redo wait behind it, a decision key is
  refused until done, and the job keeps the proposals it ended (`steps.accepts`)
  for the undo that may wait behind it.
- `shutdown()` (before the pools drain): the Delivery is closed, so a running
  job posts nothing; the app waits for the pool, so a write commits first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.catalog.proposals.packed import PackedProposals
from curator.cull.tuning import CullTuning, tuned_checks
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.job_runner import JobRunner

if TYPE_CHECKING:
    from curator.catalog.proposals.plan import Scope
    from curator.catalog.proposals.store import AcceptReport
    from curator.cull.rules import ProposalRun, ProposalSummary
    from curator.records import ProposalFrame
    from curator.ui.review.step_queue import StepOutcome, StepQueue

log = logging.getLogger("curator.ui")


@dataclass(frozen=True)
class FramesLoaded:
    generation: int
    frames: tuple[ProposalFrame, ...]
    error: str | None = None


@dataclass(frozen=True)
class CountsReady:
    generation: int
    summary: ProposalSummary
    reasons: tuple[tuple[str, int], ...]  # the rejects' reasons, most common first


@dataclass(frozen=True)
class ProposeDone:
    run: ProposalRun | None
    reasons: tuple[tuple[str, int], ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class AcceptDone:
    report: AcceptReport | None
    error: str | None = None
    # The proposals the accept ended (read just before it): an undo puts them back.
    accepted: PackedProposals = field(default_factory=PackedProposals)


def _sentence(what: str, exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{what} failed: {text or type(exc).__name__}" + ("" if text.endswith(".") else ".")


def _reasons(run: ProposalRun) -> tuple[tuple[str, int], ...]:
    from curator.cull.summary import reject_reasons

    return tuple(reject_reasons(run.proposals).most_common())


class CullController(JobRunner):
    frames_loaded = Signal(object)  # FramesLoaded, the newest load only
    counts_ready = Signal(object)  # CountsReady, the newest request only
    proposed = Signal(object)  # ProposeDone
    accepted = Signal(object)  # AcceptDone

    def __init__(
        self,
        threads: QThreadPool,
        errors: ErrorReporter,
        owner: Callable[[], str] | None = None,
        parent: QObject | None = None,
        steps: StepQueue | None = None,
    ) -> None:
        """`owner()`: whose proposals (default: the seat's user, read at each write);
        `steps`: the window's queue of undo, redo and accept (None: the accept
        runs as a plain job)."""
        super().__init__(threads, errors, parent)
        self.steps = steps
        self._owner = owner or _seat_user
        self._load_generation = 0
        self._count_wanted = [0]  # the newest count's generation, read by the jobs
        self.frames: tuple[ProposalFrame, ...] | None = None  # the newest load's
        # The last proposal asked: (scope, tuning, keep, keep %), so one can follow (a watch).
        self.last_proposal: tuple[Scope, CullTuning, int | None, float | None] | None = None

    # --- reading -------------------------------------------------------------------

    def load(self, scope: Scope) -> int:
        """Read `scope`'s frames on the pool; `frames_loaded` follows. Its generation."""
        self._load_generation += 1
        generation = self._load_generation
        self.frames = None
        self._count_wanted[0] += 1  # counts of the old scope's frames are stale now
        if self._shut_down:
            return generation

        def job() -> FramesLoaded:
            from curator.catalog.proposals.plan import plan_frames

            try:
                return FramesLoaded(generation, tuple(plan_frames(scope)))
            except Exception as exc:
                log.exception("reading the photos to propose failed")
                return FramesLoaded(generation, (), _sentence("Reading the photos", exc))

        self._post(job)
        return generation

    def count(
        self, tuning: CullTuning, keep: int | None = None, keep_percent: float | None = None
    ) -> int:
        """The proposal's counts for these choices over the loaded frames, on the
        pool (nothing is written); `counts_ready` follows. Its generation."""
        self._count_wanted[0] += 1
        generation, wanted = self._count_wanted[0], self._count_wanted
        frames = self.frames
        if frames is None or self._shut_down:
            return generation
        checks = tuned_checks(tuning)

        def job() -> CountsReady | None:
            if wanted[0] != generation:
                return None  # a newer request waits behind this one
            from curator.cull.rules import propose, target_of

            undecided = sum(1 for f in frames if f.decided is None)
            run = propose(frames, checks, target_of(keep, keep_percent, undecided))
            return CountsReady(generation, run.summary, _reasons(run))

        self._post(job)
        return generation

    # --- writing -------------------------------------------------------------------

    def propose(
        self,
        scope: Scope,
        tuning: CullTuning,
        keep: int | None = None,
        keep_percent: float | None = None,
    ) -> bool:
        """Propose and store, as `curator cull --propose` does; False while running."""
        owner, checks = self._owner(), tuned_checks(tuning)
        if self._begin() is None:
            return False
        self.last_proposal = (scope, tuning, keep, keep_percent)

        def job() -> ProposeDone:
            from curator.cull.propose import propose_for

            try:
                run = propose_for(owner, checks, scope, keep=keep, keep_percent=keep_percent)
            except Exception as exc:
                log.exception("proposing failed")
                return ProposeDone(None, error=_sentence("Proposing", exc))
            return ProposeDone(run, _reasons(run))

        return self._started(job)

    def accept(self, *, keeps: bool = True, rejects: bool = True) -> bool:
        """This photographer's proposals as decisions, one undo step; False while running."""
        owner, steps = self._owner(), self.steps
        if self._begin() is None:
            return False

        def job() -> AcceptDone:
            from curator.catalog.proposals.store import accept, proposal_rows

            try:
                # As plain rows, never records: 100,000 of them would be walked
                # by the UI thread's collections (catalog/proposals/packed.py).
                before = proposal_rows(owner)
                report = accept(owner, keeps=keeps, rejects=rejects)
                ended = PackedProposals(before[pid] for pid in report.photo_ids if pid in before)
            except Exception as exc:
                log.exception("accepting the proposals failed")
                return AcceptDone(None, _sentence("Accepting the proposals", exc))
            if steps is not None and ended:  # for the undo that may wait behind this step
                steps.accepts.pushed(ended)
            return AcceptDone(report, accepted=ended)

        if steps is None:
            return self._started(job)
        self.running_changed.emit(True)
        steps.submit("Accepting the proposals", job, self._on_step_done)
        return True

    def _on_step_done(self, outcome: StepOutcome) -> None:
        done = outcome.value
        if not isinstance(done, AcceptDone):  # the job catches its own; kept safe anyway
            error = outcome.error or RuntimeError("no outcome")
            done = AcceptDone(None, _sentence("Accepting the proposals", error))
        self._on_posted(done)

    def _job_failed(self, exc: Exception) -> None:
        log.error("a cull task failed", exc_info=exc)

    @Slot(object)
    @guarded_slot
    def _on_posted(self, message: object) -> None:
        if isinstance(message, FramesLoaded):
            if message.generation != self._load_generation:
                return
            self.frames = message.frames
            if message.error:
                self.errors.report(message.error)
            self.frames_loaded.emit(message)
        elif isinstance(message, CountsReady):
            if message.generation == self._count_wanted[0]:
                self.counts_ready.emit(message)
        elif isinstance(message, ProposeDone | AcceptDone):
            self._run_over()
            if message.error:
                self.errors.report(message.error)
            (self.proposed if isinstance(message, ProposeDone) else self.accepted).emit(message)


def _seat_user() -> str:
    from curator.catalog.backends.seat import current_seat

    return current_seat().user
