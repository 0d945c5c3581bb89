"""Running an ingest plan: every owed copy made, verified and named, the card
never written. Pure: no Qt, no catalog (`IngestResult.catalog_paths` is for
the pipeline); safe on a worker thread.

Per file, in card order: a photo a journal knows and nobody is owed is skipped
unread; otherwise it is read once into temporary copies in every working
destination (`copy.write_copies`), synced and verified (`copy.settle_many`)
and landed (`place.land`: never over a file).

Concurrency protocol:
- The run's thread writes temporary copies into a batch that closes after
  `BATCH_BYTES` or `BATCH_S` (the first after its first group, so the first
  photos show at once).
- One settler thread syncs and reads back a closed batch on the sync pool
  (one flush for many files) while the next batch is written; at most one
  batch settles at a time.
- A settled batch lands on the run's thread alone, in card order; who is owed
  a file is decided again at landing.
- Cancel, stop or error: the batches in flight are awaited and their copies
  removed; what landed stays. Both pools are shut down before the locks go.

A destination that cannot be written takes no new file for the rest of the run
(`state.close_destination`, `state.make_room`); the others go on. The run stops
when no destination takes files, the card goes away, or `cancel` is set; its
sentence says how far it got.
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from curator.fs.publish import remove_stale_temps
from curator.ingest.copy import Cancelled, settle_many, source_failure, write_copies
from curator.ingest.journal import DestinationBusy, ingest_lock
from curator.ingest.place import Settled, land
from curator.ingest.plan import IngestPlan
from curator.ingest.source import CardFile, CardGroup
from curator.ingest.state import (
    FULL_ERRNOS,
    ProgressFn,
    RunState,
    Stop,
    card_went_away,
    close_destination,
    companion_owed,
    has_card_file,
    make_room,
    owed_bytes,
    still_owed,
    stop_sentence,
    to_free,
)
from curator.ingest.types import DestinationResult, FileFailure, IngestResult

BATCH_BYTES = 256 * 1024 * 1024
BATCH_S = 0.5
SYNC_THREADS = 16


def run_ingest(
    plan: IngestPlan,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> IngestResult:
    """Copy what the plan owes (see the module docstring)."""
    scan = plan.scan
    result = IngestResult(
        plan.request.source,
        photos=scan.photos,
        companions=scan.files - scan.photos,
        left_on_card=list(scan.left_on_card),
        problems=[FileFailure(p.path, p.message) for p in scan.problems],
        destinations=[DestinationResult(str(d.root), d.role) for d in plan.destinations],
    )
    state = RunState(plan, result, progress, cancel)
    state.bytes_total = owed_bytes(state)
    with ExitStack() as held:
        for d, dest in enumerate(plan.destinations):
            try:
                dest.root.mkdir(parents=True, exist_ok=True)
                held.enter_context(ingest_lock(dest.root))
                remove_stale_temps(dest.root)  # what a killed ingest left
            except DestinationBusy as exc:
                result.destinations[d].error = str(exc)
                continue
            except OSError as exc:
                state.stops[d] = Stop(exc)
                continue
            state.active.add(d)
            state.landing.add(d)
        settler = held.enter_context(ThreadPoolExecutor(1, "ingest-settle"))
        syncs = held.enter_context(ThreadPoolExecutor(SYNC_THREADS, "ingest-sync"))
        flow = _Flow(state, settler, syncs)
        state.report()
        try:
            for index, group in enumerate(scan.groups):
                for file in group.files:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled
                    if not state.active or state.card_gone:
                        break
                    flow.next_file(index, group, file)
                flow.group_ended()
            flow.finish()
        except Cancelled:
            result.cancelled = True
        finally:
            flow.abandon()
    _finish(state)
    return result


@dataclass
class _Batch:
    items: list[Settled] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)
    size: int = 0
    job: Future[None] | None = None

    def discard(self) -> None:
        if self.job is not None:
            with contextlib.suppress(BaseException):
                self.job.result()
        for item in self.items:
            item.outcome.discard()


class _Flow:
    """The batches of one run (see the concurrency protocol)."""

    def __init__(self, state: RunState, settler: ThreadPoolExecutor, syncs: ThreadPoolExecutor):
        self.state, self.settler, self.syncs = state, settler, syncs
        self.writing = _Batch()
        self.settling: _Batch | None = None
        self.first = True

    def next_file(self, index: int, group: CardGroup, file: CardFile) -> None:
        state = self.state
        state.current = file.rel
        targets = {d for d in self._targets(group, file) if make_room(state, d, file)}
        if not targets:
            return
        folders = {d: state.plan.destinations[d].root for d in sorted(targets)}
        outcome = write_copies(file, folders, cancel=state.cancel, on_bytes=state.read)
        for d, exc in outcome.dest_errors.items():  # no new file there; the written ones land
            close_destination(state, d, exc)
        if outcome.source_error is not None:
            state.result.failures.append(source_failure(file.rel, outcome.source_error))
            state.done(file)
            state.card_gone = card_went_away(state, outcome.source_error.errno)
            return
        self.writing.items.append(Settled(index, group, file, outcome))
        self.writing.size += file.size
        self.poll()
        full = self.writing.size >= BATCH_BYTES
        if full or time.monotonic() - self.writing.began >= BATCH_S:
            self.close()

    def _targets(self, group: CardGroup, file: CardFile) -> set[int]:
        """The destinations this file is read for (landing decides again)."""
        state, plan = self.state, self.state.plan
        if file.photo:
            known = plan.known_hash(file)
            if known is None:
                return set(state.active)
            state.hashes[file.path] = known
            owed = plan.wanted(known)
            if not owed:
                state.done(file, skipped=True)
            return owed & state.active  # empty: owed only where it stopped (not done)
        targets = companion_owed(state, group, file)
        for batch in (self.settling, self.writing):  # its photos, still on their way
            for item in batch.items if batch is not None else ():
                if item.group is group and item.file.photo:
                    targets |= set(item.outcome.temps)
        return {d for d in targets & state.active if not has_card_file(state, d, file)}

    def group_ended(self) -> None:
        if self.first and self.writing.items:
            self.first = False
            self.close()

    def close(self) -> None:
        """Hand the batch being written to the settler (the one settling lands first)."""
        if not self.writing.items:
            return
        self.wait()
        batch, self.writing = self.writing, _Batch()
        pairs = [(item.file, item.outcome) for item in batch.items]
        batch.job = self.settler.submit(
            settle_many, pairs, cancel=self.state.cancel, executor=self.syncs
        )
        self.settling = batch

    def poll(self) -> None:
        batch = self.settling
        if batch is not None and batch.job is not None and batch.job.done():
            self.wait()

    def wait(self) -> None:
        """Land the batch settling (waiting for it first)."""
        batch, self.settling = self.settling, None
        if batch is None or batch.job is None:
            return
        try:
            batch.job.result()
            cancel = self.state.cancel
            if cancel is not None and cancel.is_set():
                raise Cancelled  # settled, but not placed: cancel means now
        except BaseException:
            batch.discard()
            raise
        land(self.state, batch.items)

    def finish(self) -> None:
        self.close()
        self.wait()

    def abandon(self) -> None:
        """The run stops: nothing written or settling is placed any more."""
        for batch in (self.settling, self.writing):
            if batch is not None:
                batch.discard()
        self.settling, self.writing = None, _Batch()


def _finish(state: RunState) -> None:
    plan, result = state.plan, state.result
    photos = [f for g in plan.scan.groups for f in g.photos]
    for d, dest in enumerate(plan.destinations):
        counts = result.destinations[d]
        counts.present = sum(
            1
            for f in photos
            if (h := state.hashes.get(f.path) or plan.known_hash(f)) is not None
            and h in dest.journal.present
            and h not in plan.landed[d]
        )
        stop = state.stops.get(d)
        if stop is not None:
            owed = still_owed(state, d)
            counts.errno = stop.error.errno
            if stop.error.errno in FULL_ERRNOS:
                counts.to_free = to_free(dest.root, owed)
            rest = sum(1 for f in owed if f.photo)
            counts.error = stop_sentence(
                dest.role, dest.root, stop.error, counts.holds, result.photos, rest, counts.to_free
            )
    primary = plan.destinations[0]
    for f in photos:
        h = state.hashes.get(f.path) or plan.known_hash(f)
        if h is None:
            continue
        rel = state.placed[0].get(h)
        if rel is None and h in primary.journal.present:
            rel = primary.journal.present[h].path
        if rel is not None:
            result.catalog_paths.append(str(primary.root / rel))
            result.copy_of[f.rel] = str(primary.root / rel)
            if len(plan.destinations) > 1 and not plan.holds(1, h):
                result.no_backup.append(f.rel)
    if state.card_gone:
        result.stopped = (
            f"The card at {plan.request.source} went away while Curator copied it: "
            f"{result.destinations[0].holds:,} of {result.photos:,} photos copied. Put it back "
            "and ingest again to finish."
        )
    elif not state.active and not result.cancelled:
        result.stopped = next((d.error for d in result.destinations if d.error), "")
    result.elapsed_s = time.monotonic() - state.started
