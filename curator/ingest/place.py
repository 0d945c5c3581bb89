"""Landing settled copies: who is owed each file now, what it is called, its
journal line, its final name. On the run's thread only, in card order.

`land(state, batch)`, per verified file in card order:
1. asks again who is owed it (`IngestPlan.wanted`): a duplicate on the card may
   have landed meanwhile; copies nobody is owed are dropped;
2. names it: the group's name once (`IngestPlan.name_for`); a name taken on the
   disk or by this run gets the next free one for the whole group (`stem-2`…,
   noted in `renamed`): nothing is ever overwritten.
Then the journal's protocol (`ingest.journal`) for the batch: lines appended,
one sync per destination, then each copy takes its final name
(`fs.publish.publish`). A copy that could not be written closes its
destination for new files (`state.close_destination`); a failed landing stops
the destination (`state.stop_destination`) and removes its copies of the batch.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from curator.fs.publish import DestinationError, publish
from curator.ingest.copy import CopyOutcome, source_failure
from curator.ingest.journal import JournalEntry, append_entry, sync_journal
from curator.ingest.plan import GroupName, group_facts
from curator.ingest.source import CardFile, CardGroup
from curator.ingest.state import (
    RunState,
    close_destination,
    companion_owed,
    holds_file,
    stop_destination,
)
from curator.ingest.types import FileFailure, Renamed

MAX_SUFFIX = 9999


@dataclass
class Settled:
    """A file whose copies were written and settled (verified, or refused)."""

    index: int  # its group's place in the scan
    group: CardGroup
    file: CardFile
    outcome: CopyOutcome


@dataclass
class _Placing:
    d: int
    item: Settled
    tmp: Path
    name: GroupName
    stem: str


def land(state: RunState, batch: list[Settled]) -> None:
    """Place the batch's verified copies (see the module docstring)."""
    placings: list[_Placing] = []
    try:
        for item in batch:
            placings.extend(_decide(state, item))
        placings = _write_lines(state, placings)
        landed: list[str] = []
        for placing in placings:
            rel = _publish(state, placing)
            if rel is not None and placing.d == 0 and placing.item.file.photo:
                landed.append(str(state.plan.destinations[0].root / rel))
        for item in batch:
            state.done(item.file, skipped=item.file.path in state.skipped)
        if landed:
            state.report(tuple(landed))
    finally:
        for item in batch:
            item.outcome.discard()  # published ones are hard links: only the temp name goes


def _decide(state: RunState, item: Settled) -> list[_Placing]:
    """Step 1 and 2 for one file: the destinations it goes to, under which name."""
    plan, result, file, outcome = state.plan, state.result, item.file, item.outcome
    if outcome.source_error is not None:
        result.failures.append(source_failure(file.rel, outcome.source_error))
        return []
    content_hash = state.hashes[file.path] = outcome.content_hash
    for d, exc in outcome.dest_errors.items():  # this copy failed: the others still land
        close_destination(state, d, exc)
    owed = plan.wanted(content_hash) if file.photo else companion_owed(state, item.group, file)
    outcome.discard(set(outcome.temps) - (owed & state.landing))
    for d in sorted(outcome.unverified & owed & state.landing):
        role = plan.destinations[d].role
        result.failures.append(FileFailure(file.rel, unverified_sentence(state, d), role))
    if not owed:
        state.skipped.add(file.path)
        return []
    placings = []
    for d, tmp in sorted(outcome.temps.items()):
        name = state.names.get(item.index)
        if name is None:
            facts = group_facts(item.group, {file.path: str(tmp)})
            name = state.names[item.index] = plan.name_for(item.group, facts)
        try:
            stem = _stem(state, d, item, name)
        except OSError as exc:
            stop_destination(state, d, exc)
            continue
        state.claim(d, file, content_hash, _rel(name, stem + item.group.suffix_of(file)))
        placings.append(_Placing(d, item, tmp, name, stem))
    return placings


def _stem(state: RunState, d: int, item: Settled, name: GroupName) -> str:
    """The group's base name in destination `d`: `name.stem`, or the next
    `stem-N` under which none of its coming files' names is taken."""
    key = f"{item.group.folder}/{item.group.stem}".casefold()
    stem = state.stems[d].get(key)
    if stem is not None:
        return stem
    root = state.plan.destinations[d].root
    folder = root / name.folder if name.folder else root
    folder.mkdir(parents=True, exist_ok=True)
    coming = [f for f in item.group.files if not holds_file(state, d, f)]
    for n in range(1, MAX_SUFFIX):
        stem = name.stem if n == 1 else f"{name.stem}-{n}"
        leaves = [stem + item.group.suffix_of(f) for f in coming]
        if not any(state.taken(d, folder / leaf, _rel(name, leaf)) for leaf in leaves):
            if n > 1:
                _renamed(state, d, name, name.stem, stem)
            state.stems[d][key] = stem
            return stem
    raise OSError(errno.EEXIST, f"no free name for {name.stem}")


def _write_lines(state: RunState, placings: list[_Placing]) -> list[_Placing]:
    """Every placing's journal line, one sync per destination; a destination
    that can't take them stops and loses its placings (their claims undone)."""
    kept = []
    for d in sorted({p.d for p in placings}):
        mine = [p for p in placings if p.d == d]
        root = state.plan.destinations[d].root
        try:
            for p in mine:
                append_entry(root, _entry(p, p.stem), sync=False)
            sync_journal(root)
        except OSError as exc:
            stop_destination(state, d, exc)
            for p in mine:
                state.unclaim(d, p.item.file, p.item.outcome.content_hash)
            continue
        kept.extend(mine)
    order = {id(p): i for i, p in enumerate(placings)}
    return sorted(kept, key=lambda p: order[id(p)])


def _publish(state: RunState, p: _Placing) -> str | None:
    """The copy takes its final name; the relative path, or None when its
    destination stopped (before, or now)."""
    d, file = p.d, p.item.file
    if d not in state.landing:
        state.unclaim(d, file, p.item.outcome.content_hash)
        return None
    root = state.plan.destinations[d].root
    suffix = p.item.group.suffix_of(file)
    try:
        for n in range(1, MAX_SUFFIX):
            stem = p.stem if n == 1 else f"{p.stem}-{n}"
            rel = _rel(p.name, stem + suffix)
            if n > 1:  # another program took the name since it was checked: a line of its own
                append_entry(root, _entry(p, stem))
            if publish(p.tmp, root / rel):
                break
        else:
            raise OSError(errno.EEXIST, f"no free name for {file.name}")
    except (OSError, DestinationError) as exc:
        cause = exc.__cause__ if isinstance(exc, DestinationError) else exc
        stop_destination(state, d, cause if isinstance(cause, OSError) else OSError(str(exc)))
        state.unclaim(d, file, p.item.outcome.content_hash)
        return None
    if n > 1:
        _renamed(state, d, p.name, p.stem + suffix, stem + suffix)
    counts = state.result.destinations[d]
    if file.photo:
        counts.copied += 1
        state.placed[d][p.item.outcome.content_hash] = rel
    else:
        counts.companions += 1
    state.result.verified += 1
    if p.name.folder not in counts.folders:
        counts.folders.append(p.name.folder)
    return rel


def _entry(p: _Placing, stem: str) -> JournalEntry:
    file = p.item.file
    return JournalEntry(
        p.item.outcome.content_hash,
        _rel(p.name, stem + p.item.group.suffix_of(file)),
        file.size,
        file.name,
        file.mtime_ns,
        file.rel,
        p.name.folder,
        stem,
        p.name.seq,
        file.photo,
    )


def _rel(name: GroupName, leaf: str) -> str:
    return f"{name.folder}/{leaf}" if name.folder else leaf


def _renamed(state: RunState, d: int, name: GroupName, wanted: str, got: str) -> None:
    role = state.plan.destinations[d].role
    state.result.renamed.append(Renamed(_rel(name, wanted), _rel(name, got), role))


def unverified_sentence(state: RunState, d: int) -> str:
    root = state.plan.destinations[d].root
    return (
        f"The copy in {root} did not match the card, twice (verification failed), so it "
        "was not kept; check that disk, then ingest again."
    )
