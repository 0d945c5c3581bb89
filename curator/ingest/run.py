"""Running an ingest plan: every owed copy made, verified and named, the card
never written. Pure: no Qt, no catalog (the import of the copies is the
pipeline's, `IngestResult.catalog_paths`); safe on a worker thread.

Per group (a photo and what travels with it), per file, in card order:
1. a file whose hash a journal knows and that nothing is owed is skipped
   unread; otherwise `copy.copy_verified` reads it once into verified
   temporary copies in every destination still working;
2. with its hash known, `IngestPlan.wanted` says who is owed it: the other
   temporary copies are dropped (bytes the catalog knows count as skipped);
3. the group's name is decided once (`IngestPlan.name_for`, from the facts
   of its first dated photo); in each destination a name that is taken by
   another file gets the next free one for the whole group (`stem-2`…),
   noted in `renamed` — nothing is ever overwritten;
4. each copy's journal line is appended and synced, then the copy takes its
   final name (`export.files.publish`: a hard link, or a rename after a last
   check where the disk has none) — the journal's protocol
   (`ingest.journal`), which makes a kill at any moment safe.

A destination that can't be written (full, read-only, gone) stops for the
rest of the run with its sentence; the others go on — the primary and the
backup are equal citizens. The run stops when no destination is left, when
the card goes away (a file vanished or gave an I/O error and the source
folder is gone), or when `cancel` is set (between chunks; no partial file
stays, what was placed stays). The stop's sentence says how far it got and
that ingesting again finishes the job.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from curator.export.files import DestinationError, publish, remove_stale_temps
from curator.ingest.copy import GONE_ERRNOS, Cancelled, CopyOutcome, copy_verified
from curator.ingest.journal import DestinationBusy, JournalEntry, append_entry, ingest_lock
from curator.ingest.plan import GroupName, IngestPlan, group_facts
from curator.ingest.source import CardFile, CardGroup
from curator.ingest.template import NamingFacts
from curator.ingest.types import (
    DestinationResult,
    FileFailure,
    IngestProgress,
    IngestResult,
    Renamed,
    Role,
    human_bytes,
)

ProgressFn = Callable[[IngestProgress], None]
MAX_SUFFIX = 9999
FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code
)


@dataclass
class _Stop:
    error: OSError
    needed: int  # bytes the destination was still owed when it stopped


@dataclass
class _Run:
    plan: IngestPlan
    result: IngestResult
    progress: ProgressFn | None
    cancel: threading.Event | None
    started: float
    bytes_total: int
    active: set[int] = field(default_factory=set)
    stops: dict[int, _Stop] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # card path → content hash
    placed: list[dict[str, str]] = field(default_factory=list)  # per dest: hash → rel path
    stems: list[dict[str, str]] = field(default_factory=list)  # per dest: group → its stem
    placed_files: list[set[str]] = field(default_factory=list)  # per dest: card paths placed
    photos_done: int = 0
    card_gone: bool = False
    current: str = ""

    def report(self, landed: tuple[str, ...] = ()) -> None:
        if self.progress is not None:
            self.progress(
                IngestProgress(
                    self.photos_done,
                    self.result.photos,
                    self.result.bytes_read,
                    self.bytes_total,
                    time.monotonic() - self.started,
                    self.current,
                    landed,
                )
            )

    def read(self, n: int) -> None:
        self.result.bytes_read += n
        self.report()


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
    run = _Run(plan, result, progress, cancel, time.monotonic(), 0)
    run.placed = [{} for _ in plan.destinations]
    run.stems = [{} for _ in plan.destinations]
    run.placed_files = [set() for _ in plan.destinations]
    run.bytes_total = sum(
        f.size
        for group in scan.groups
        for f in group.files
        if any(not _holds_file(run, d, f) for d in range(len(plan.destinations)))
        and (not f.photo or (h := plan.known_hash(f)) is None or plan.wanted(h))
    )
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
                run.stops[d] = _Stop(exc, 0)
                continue
            run.active.add(d)
        run.report()
        try:
            for index, group in enumerate(scan.groups):
                if cancel is not None and cancel.is_set():
                    raise Cancelled
                if not run.active or run.card_gone:
                    break
                _ingest_group(run, index, group)
        except Cancelled:
            result.cancelled = True
    _finish(run)
    return result


def _ingest_group(run: _Run, index: int, group: CardGroup) -> None:
    plan, result = run.plan, run.result
    facts: NamingFacts | None = None
    name: GroupName | None = None
    for file in group.files:
        run.current = file.rel
        if file.photo:
            known = plan.known_hash(file)
            if known is not None:
                run.hashes[file.path] = known
                if not plan.wanted(known):
                    _done(run, file, skipped=True)
                    continue
                if not plan.wanted(known) & run.active:
                    continue  # owed only to a destination that stopped: not done
            targets = set(run.active)
        else:
            targets = _companion_owed(run, group, file) & run.active
            if not targets:
                continue
        folders = {d: plan.destinations[d].root for d in sorted(targets)}
        outcome = copy_verified(file, folders, cancel=run.cancel, on_bytes=run.read)
        if outcome.source_error is not None:
            result.failures.append(FileFailure(file.rel, outcome.source_error.sentence))
            _done(run, file)
            if outcome.source_error.errno in GONE_ERRNOS and not os.path.isdir(plan.request.source):
                run.card_gone = True
                return
            continue
        content_hash = run.hashes[file.path] = outcome.content_hash
        for d, exc in outcome.dest_errors.items():
            _stop(run, d, exc, index)
        owed = plan.wanted(content_hash) if file.photo else targets
        outcome.discard(set(outcome.temps) - (owed & run.active))
        for d in sorted(outcome.unverified & owed & run.active):
            role = plan.destinations[d].role
            result.failures.append(FileFailure(file.rel, _unverified(plan, d), role))
        if not owed:
            _done(run, file, skipped=True)
            continue
        if outcome.temps:
            if facts is None:
                facts = group_facts(group, {file.path: str(next(iter(outcome.temps.values())))})
            if name is None:
                name = plan.name_for(group, facts)
            _place_all(run, index, group, file, name, outcome)
        _done(run, file)


def _place_all(
    run: _Run, index: int, group: CardGroup, file: CardFile, name: GroupName, outcome: CopyOutcome
) -> None:
    landed: list[str] = []
    for d, tmp in sorted(outcome.temps.items()):
        try:
            rel = _place(run, d, group, file, name, tmp, outcome.content_hash)
        except OSError as exc:
            _stop(run, d, exc, index)
            continue
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()  # published by a hard link, or gone already
        if d == 0 and file.photo:
            landed.append(str(run.plan.destinations[0].root / rel))
    outcome.temps.clear()
    if landed:
        run.report(tuple(landed))


def _place(
    run: _Run, d: int, group: CardGroup, file: CardFile, name: GroupName, tmp: Path, digest: str
) -> str:
    """Give the verified copy `tmp` its final name in destination `d` (journal
    line first); returns its path relative to the destination."""
    dest = run.plan.destinations[d]
    key = f"{group.folder}/{group.stem}".casefold()
    stem = run.stems[d].get(key)
    if stem is None:
        stem = run.stems[d][key] = _free_stem(run, d, group, name)
    folder = dest.root / name.folder if name.folder else dest.root
    folder.mkdir(parents=True, exist_ok=True)
    suffix = group.suffix_of(file)
    for n in range(1, MAX_SUFFIX):
        leaf = (stem if n == 1 else f"{stem}-{n}") + suffix
        rel = f"{name.folder}/{leaf}" if name.folder else leaf
        entry = JournalEntry(
            digest,
            rel,
            file.size,
            file.name,
            file.mtime_ns,
            file.rel,
            name.folder,
            stem,
            name.seq,
            file.photo,
        )
        append_entry(dest.root, entry)
        try:
            if publish(tmp, dest.root / rel):
                break
        except DestinationError as exc:  # the rename's OSError is what the run judges
            cause = exc.__cause__
            raise cause if isinstance(cause, OSError) else OSError(str(exc)) from None
        # another program took the name since it was checked: the next one
    else:
        raise OSError(errno.EEXIST, f"no free name for {file.name}")
    if n > 1:
        _renamed(run, d, name, stem + suffix, leaf)
    if file.photo:
        run.plan.landed[d].add(digest)
        run.placed[d][digest] = rel
    run.placed_files[d].add(file.path)
    counts = run.result.destinations[d]
    if file.photo:
        counts.copied += 1
    else:
        counts.companions += 1
    run.result.verified += 1
    if name.folder not in counts.folders:
        counts.folders.append(name.folder)
    return rel


def _free_stem(run: _Run, d: int, group: CardGroup, name: GroupName) -> str:
    """The group's base name in destination `d`: `name.stem`, or the next
    `stem-N` under which none of its files' names is taken."""
    dest = run.plan.destinations[d]
    folder = dest.root / name.folder if name.folder else dest.root
    coming = [f for f in group.files if not _holds_file(run, d, f)]
    for n in range(1, MAX_SUFFIX):
        stem = name.stem if n == 1 else f"{name.stem}-{n}"
        if not any(os.path.lexists(folder / (stem + group.suffix_of(f))) for f in coming):
            if n > 1:
                _renamed(run, d, name, name.stem, stem)
            return stem
    raise OSError(errno.EEXIST, f"no free name for {name.stem}")


def _companion_owed(run: _Run, group: CardGroup, file: CardFile) -> set[int]:
    """A sidecar or companion goes wherever its photos are, unless it is there
    already (by its own journal line: two sidecars with equal bytes are still two)."""
    owed = set()
    for d in range(len(run.plan.destinations)):
        if any(_has_card_file(run, d, p) for p in group.photos) and not _has_card_file(
            run, d, file
        ):
            owed.add(d)
    return owed


def _has_card_file(run: _Run, d: int, file: CardFile) -> bool:
    """This very card file was placed in destination `d` (now, or by an earlier
    ingest whose copy is still there): its own journal line says so."""
    journal = run.plan.destinations[d].journal
    entry = journal.names.get(file.fingerprint)
    return file.path in run.placed_files[d] or (entry is not None and entry.path in journal.paths)


def _holds_file(run: _Run, d: int, file: CardFile) -> bool:
    """Destination `d` has this card file: a photo by its bytes, anything else
    by its own journal line."""
    if not file.photo:
        return _has_card_file(run, d, file)
    known = run.hashes.get(file.path) or run.plan.known_hash(file)
    return known is not None and run.plan.holds(d, known)


def _renamed(run: _Run, d: int, name: GroupName, wanted: str, got: str) -> None:
    join = (lambda leaf: f"{name.folder}/{leaf}") if name.folder else (lambda leaf: leaf)
    role = run.plan.destinations[d].role
    run.result.renamed.append(Renamed(join(wanted), join(got), role))


def _done(run: _Run, file: CardFile, *, skipped: bool = False) -> None:
    if file.photo:
        run.photos_done += 1
        if skipped:
            run.result.skipped += 1
    run.report()


def _stop(run: _Run, d: int, exc: OSError, index: int) -> None:
    """Destination `d` can't be written: it takes no more copies this run."""
    if d not in run.active:
        return
    run.active.discard(d)
    needed = sum(
        f.size
        for group in run.plan.scan.groups[index:]
        for f in group.files
        if not _holds_file(run, d, f)
    )
    run.stops[d] = _Stop(exc, needed)


def _unverified(plan: IngestPlan, d: int) -> str:
    root = plan.destinations[d].root
    return (
        f"The copy in {root} did not match the card, twice (verification failed), so it "
        "was not kept; check that disk, then ingest again."
    )


def _finish(run: _Run) -> None:
    plan, result = run.plan, run.result
    photos = [f for g in plan.scan.groups for f in g.photos]
    for d, dest in enumerate(plan.destinations):
        counts = result.destinations[d]
        counts.present = sum(
            1
            for f in photos
            if (h := run.hashes.get(f.path) or plan.known_hash(f)) is not None
            and h in dest.journal.present
            and h not in plan.landed[d]
        )
        stop = run.stops.get(d)
        if stop is not None:
            counts.error = _stop_sentence(dest.role, dest.root, stop, counts.holds, result.photos)
    primary = plan.destinations[0]
    for f in photos:
        h = run.hashes.get(f.path) or plan.known_hash(f)
        if h is None:
            continue
        rel = run.placed[0].get(h)
        if rel is None and h in primary.journal.present:
            rel = primary.journal.present[h].path
        if rel is not None:
            result.catalog_paths.append(str(primary.root / rel))
            if len(plan.destinations) > 1 and not plan.holds(1, h):
                result.no_backup.append(f.rel)
    if run.card_gone:
        result.stopped = (
            f"The card at {plan.request.source} went away while Curator copied it: "
            f"{result.destinations[0].holds:,} of {result.photos:,} photos copied. Put it back "
            "and ingest again to finish."
        )
    elif not run.active and not result.cancelled:
        result.stopped = next((d.error for d in result.destinations if d.error), "")
    result.elapsed_s = time.monotonic() - run.started


def _stop_sentence(role: Role, root: Path, stop: _Stop, holds: int, photos: int) -> str:
    exc = stop.error
    where = f"{root}" if role is Role.PRIMARY else f"The backup {root}"
    done = f"{holds:,} of {photos:,} photos copied"
    if exc.errno in FULL_ERRNOS:
        free = 0
        with contextlib.suppress(OSError):
            st = os.statvfs(root)
            free = st.f_bavail * st.f_frsize
        need = max(stop.needed - free, 1_000_000)
        return f"{where} is full: {done}; free {human_bytes(need)} and ingest again to finish."
    if exc.errno == errno.EROFS:
        return f"{where} is on a read-only disk: {done}; make it writable and ingest again."
    if isinstance(exc, PermissionError):
        return f"Curator may not write into {root} (permission denied): {done} there."
    reason = (exc.strerror or str(exc)).rstrip(".")
    if exc.errno in GONE_ERRNOS:
        return (
            f"{where} could not be written ({reason}): the disk may have been disconnected. "
            f"{done}; ingest again to finish."
        )
    return f"Writing into {root} failed ({reason}): {done}; ingest again to finish."
