"""`DuplicatesWork`: the duplicates review's reads and writes, off the UI thread.

It owns no rule: the groups as stored (`catalog.duplicates.reads.stored_groups`),
a group's copies and the keeper they suggest (`catalog.duplicates.keeper`),
the resolution (`catalog.duplicates.resolve`: one transaction, one undo step)
and "not a duplicate" (`catalog.duplicates.store.mark_apart`, then the groups
searched anew: `pipeline.stages.duplicates.regroup_all`) are the catalog's.

Concurrency protocol:
- `list_groups()` and `read_group(group, ids)`: a Job on the reads pool (one
  thread) reads and posts `GroupsListed` / `GroupRead` with its generation;
  only the newest request's answer is taken (an older one is dropped).
- `resolve(ids, keeper)` and `apart(keeper, other)`: the writes, one at a
  time (`busy`; another is refused with False). With the window's `StepQueue`
  each is one of its steps (ui.review.step_queue): undo and redo wait behind
  it and a decision key is refused until it is done. The resolution is
  planned on the worker from the copies as they are then, never from what
  the screen showed. Each posts `WriteDone` (a sentence on failure), always.
- Jobs hold only ids; the Delivery closes with its owner, so a job ending
  after the window went posts nothing. `shutdown()` (the window closed):
  nothing more starts, and an answer already queued is dropped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:
    from curator.catalog.duplicates.keeper import DuplicateCopy
    from curator.catalog.types import GalleryRow
    from curator.ui.review.step_queue import StepOutcome, StepQueue

log = logging.getLogger("curator.ui")


@dataclass(frozen=True)
class GroupsListed:
    generation: int
    groups: tuple[tuple[int, tuple[int, ...]], ...]  # (group id, its photo ids)
    error: str | None = None


@dataclass(frozen=True)
class GroupRead:
    generation: int
    group: int
    copies: tuple[DuplicateCopy, ...]
    rows: tuple[tuple[int, GalleryRow], ...]  # the copies' gallery rows, by photo id
    keeper: int | None  # the suggested keeper's id
    why: str
    error: str | None = None


@dataclass(frozen=True)
class WriteDone:
    what: str  # "resolve" | "apart"
    photo_ids: tuple[int, ...]  # the photos whose decisions changed
    sentence: str
    error: str | None = None


def _sentence(what: str, exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{what} failed: {text}" + ("" if text.endswith(".") else ".")


def _listed(generation: int) -> GroupsListed:
    from curator.catalog.duplicates.reads import stored_groups

    try:
        groups = stored_groups()
    except Exception as exc:
        log.exception("reading the groups of near-duplicates failed")
        return GroupsListed(generation, (), _sentence("Reading the duplicates", exc))
    return GroupsListed(generation, tuple((g, tuple(ids)) for g, ids in groups.items()))


def _read(generation: int, group: int, ids: tuple[int, ...]) -> GroupRead:
    from curator.catalog.duplicates.keeper import copies_of, suggested_keeper
    from curator.catalog.queries import gallery_rows
    from curator.interop.xmp.read import has_sidecar

    try:
        copies = tuple(copies_of(ids, has_sidecar))
        rows = gallery_rows(ids)
        keeper, why = suggested_keeper(copies) if copies else (None, "")
    except Exception as exc:
        log.exception("reading a group of near-duplicates failed")
        return GroupRead(generation, group, (), (), None, "", _sentence("Reading the group", exc))
    return GroupRead(
        generation,
        group,
        copies,
        tuple(rows.items()),
        None if keeper is None else keeper.photo_id,
        why,
    )


def _resolve(ids: tuple[int, ...], keeper: int) -> WriteDone:
    from curator.catalog.duplicates.keeper import copies_of
    from curator.catalog.duplicates.resolve import plan_resolution, resolve
    from curator.interop.xmp.read import has_sidecar

    try:
        plan = plan_resolution(copies_of(ids, has_sidecar), keeper)
        resolve([plan])
    except Exception as exc:
        log.exception("resolving a group of near-duplicates failed")
        return WriteDone("resolve", (), "", _sentence("Resolving the group", exc))
    kept = os.path.basename(plan.keeper.path)
    n = len(plan.rejected)
    sentence = (
        f"Kept {kept}; {n} cop{'y' if n == 1 else 'ies'} rejected as its duplicate"
        f"{'' if n == 1 else 's'} (Ctrl+Z brings them back)."
    )
    return WriteDone("resolve", tuple(sorted(ids)), sentence)


def _apart(keeper: int, other: int) -> WriteDone:
    from curator.catalog.duplicates.store import mark_apart
    from curator.pipeline.stages.duplicates import regroup_all

    try:
        mark_apart(keeper, other)
        regroup_all()
    except Exception as exc:
        log.exception("marking a copy apart failed")
        return WriteDone("apart", (), "", _sentence("Marking it not a duplicate", exc))
    return WriteDone("apart", (), "Not a duplicate: never grouped with that picture again.")


class DuplicatesWork(QObject):
    listed = Signal(object)  # GroupsListed, the newest only
    group_read = Signal(object)  # GroupRead, the newest only
    written = Signal(object)  # WriteDone

    def __init__(
        self,
        reads: QThreadPool,
        errors: ErrorReporter,
        steps: StepQueue | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.reads, self.errors, self.steps = reads, errors, steps
        self._delivery = delivery_to(self, self._on_posted)
        self._list_generation = 0
        self._read_generation = 0
        self.busy = False
        self.shut_down = False

    def shutdown(self) -> None:
        """Start nothing more and take no answer (the window closed). Idempotent."""
        self.shut_down = True
        self._delivery.close()

    def list_groups(self) -> None:
        if self.shut_down:
            return
        self._list_generation += 1
        generation = self._list_generation
        self.reads.start(Job(lambda: _listed(generation), self._delivery))

    def read_group(self, group: int, ids: tuple[int, ...]) -> None:
        if self.shut_down:
            return
        self._read_generation += 1
        generation = self._read_generation
        self.reads.start(Job(lambda: _read(generation, group, ids), self._delivery))

    def resolve(self, ids: tuple[int, ...], keeper: int) -> bool:
        """Keep `keeper`, reject the other copies of `ids`: one undo step."""
        return self._write("Resolving the duplicates", lambda: _resolve(ids, keeper))

    def apart(self, keeper: int, other: int) -> bool:
        """`other` is not the picture `keeper` is; the groups are searched anew."""
        return self._write("Marking it not a duplicate", lambda: _apart(keeper, other))

    def _write(self, what: str, job: Callable[[], WriteDone]) -> bool:
        if self.busy or self.shut_down:
            return False
        self.busy = True
        if self.steps is None:
            self.reads.start(Job(job, self._delivery))
        else:
            self.steps.submit(what, job, self._on_step_done)
        return True

    def _on_step_done(self, outcome: StepOutcome) -> None:
        done = outcome.value
        if not isinstance(done, WriteDone):  # the jobs catch their own; kept safe anyway
            error = outcome.error or RuntimeError("no outcome")
            done = WriteDone("resolve", (), "", _sentence("The duplicates' step", error))
        self._on_posted(done)

    @Slot(object)
    @guarded_slot
    def _on_posted(self, message: object) -> None:
        if self.shut_down:
            return
        if isinstance(message, GroupsListed):
            if message.generation == self._list_generation:
                self._report(message.error)
                self.listed.emit(message)
        elif isinstance(message, GroupRead):
            if message.generation == self._read_generation:
                self._report(message.error)
                self.group_read.emit(message)
        elif isinstance(message, WriteDone):
            self.busy = False
            self._report(message.error)
            self.written.emit(message)

    def _report(self, error: str | None) -> None:
        if error:
            self.errors.report(error)
