"""Planning an ingest: the one read of the catalog and the destinations'
journals, and the rules of where a copy is owed and what it is called.

`plan_ingest(request)` checks the request (`IngestRefused` with a sentence),
scans the card (`source.scan_card`), reads the journals
(`journal.read_journal`) and the catalog's content hashes, on the calling
thread, writing nothing.

`IngestPlan.wanted(hash)` is THE rule of what is owed:
- the destination, unless the catalog knows those bytes or it holds them;
- the backup, unless it holds them, whenever the destination holds or is owed
  them (a failed backup is completed by the next ingest).
A journal's card fingerprint (name, size, time) gives a file's hash unread.

Names (`IngestPlan.name_for`): a file a journal named keeps that name; any
other group is named by the templates, taking its folder's next `{seq}`.
`preview_names` renders the first groups' names the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from curator.fs.folders import folder_problem
from curator.imaging.exif import read_exif
from curator.imaging.formats import is_raw_path
from curator.imaging.regular import open_regular
from curator.ingest.copy import HEAD_BYTES
from curator.ingest.journal import JournalEntry, JournalIndex, read_journal
from curator.ingest.source import CardFile, CardGroup, CardScan, nesting_problem, scan_card
from curator.ingest.template import (
    NamingFacts,
    Template,
    TemplateError,
    TemplateKind,
    facts_from_exif,
    parse_template,
)
from curator.ingest.types import IngestRequest, Role


class IngestRefused(Exception):
    """The request can't run; str() is the sentence (what to change)."""


@dataclass
class Destination:
    root: Path
    role: Role
    journal: JournalIndex


@dataclass(frozen=True)
class GroupName:
    folder: str  # relative to the destination, '/'-separated ('' for its root)
    stem: str
    seq: int | None = None  # the {seq} taken (None: none, or a name reused)


@dataclass
class IngestPlan:
    request: IngestRequest
    rename: Template
    subfolder: Template
    scan: CardScan
    destinations: list[Destination]
    known: frozenset[str]  # content hashes the catalog knows
    landed: list[set[str]] = field(default_factory=list)  # per destination: hashes placed now
    counters: dict[str, int] = field(default_factory=dict)  # folder → the last {seq} taken

    def __post_init__(self) -> None:
        self.landed = [set() for _ in self.destinations]

    def holds(self, d: int, content_hash: str) -> bool:
        """Destination `d` has these bytes (from before, or placed by this run)."""
        return content_hash in self.destinations[d].journal.present or (
            content_hash in self.landed[d]
        )

    def wanted(self, content_hash: str) -> set[int]:
        """The destinations still owed these bytes (see the module docstring)."""
        owed: set[int] = set()
        primary_holds = self.holds(0, content_hash)
        if not primary_holds and content_hash not in self.known:
            owed.add(0)
        for d in range(1, len(self.destinations)):
            if not self.holds(d, content_hash) and (primary_holds or 0 in owed):
                owed.add(d)
        return owed

    def known_hash(self, file: CardFile) -> str | None:
        """The file's content hash when a journal recorded it (no need to read it)."""
        for dest in self.destinations:
            found = dest.journal.hashes.get(file.fingerprint)
            if found is not None:
                return found
        return None

    def journal_has(self, d: int, file: CardFile) -> bool:
        """Destination `d` holds this very card file: its journal line names it and
        the copy is there (how sidecars and companions are known: not by bytes)."""
        journal = self.destinations[d].journal
        entry = journal.names.get(file.fingerprint)
        return entry is not None and entry.path in journal.paths

    def named(self, group: CardGroup) -> JournalEntry | None:
        """A journal line that named one of the group's files (its name is kept)."""
        for dest in self.destinations:
            for file in group.files:
                entry = dest.journal.names.get(file.fingerprint)
                if entry is not None:
                    return entry
        return None

    def name_for(self, group: CardGroup, facts: NamingFacts) -> GroupName:
        """The group's folder and base name (see the module docstring); takes a
        `{seq}` when the rename template counts."""
        entry = self.named(group)
        if entry is not None:
            return GroupName(entry.folder, entry.stem)
        folder = self.subfolder.render(facts)
        seq = None
        if self.rename.counts:
            if folder not in self.counters:
                self.counters[folder] = max(
                    (d.journal.seq_max.get(folder, 0) for d in self.destinations), default=0
                )
            seq = self.counters[folder] = self.counters[folder] + 1
        return GroupName(folder, self.rename.render(facts, seq or 1), seq)


def plan_ingest(
    request: IngestRequest, known: frozenset[str] | None = None, scan: CardScan | None = None
) -> IngestPlan:
    """The plan (see the module docstring); `known`: the catalog's hashes when the
    caller has them (a test; a watch's backup: none), else read now; `scan`: the
    groups to copy when the caller made them (a watch's arrivals), else the card's.
    Raises `IngestRefused`."""
    if (problem := folder_problem(request.source)) is not None:
        raise IngestRefused(problem.message)
    source = os.path.abspath(os.path.expanduser(request.source))
    roots = [(Role.PRIMARY, request.destination)]
    if request.backup:
        roots.append((Role.BACKUP, request.backup))
    roots = [(role, os.path.abspath(os.path.expanduser(path))) for role, path in roots]
    if (sentence := nesting_problem(source, [(r.value, p) for r, p in roots])) is not None:
        raise IngestRefused(sentence)
    for role, path in roots:
        if os.path.exists(path) and not os.path.isdir(path):
            raise IngestRefused(f"The {role} {path} is a file, not a folder.")
    try:
        rename = parse_template(request.rename, TemplateKind.RENAME)
        subfolder = parse_template(request.subfolder, TemplateKind.SUBFOLDER)
    except TemplateError as exc:
        raise IngestRefused(str(exc)) from None
    if scan is None:
        scan = scan_card(source)
    destinations = [Destination(Path(p), role, read_journal(Path(p))) for role, p in roots]
    if known is None:
        known = catalog_hashes()
    backup = roots[1][1] if len(roots) > 1 else None
    resolved = replace(request, source=source, destination=roots[0][1], backup=backup)
    return IngestPlan(resolved, rename, subfolder, scan, destinations, known)


def catalog_hashes() -> frozenset[str]:
    """Every content hash in the catalog (trashed and missing photos included)."""
    from curator.catalog.models import Photo

    query = Photo.select(Photo.content_hash).where(Photo.content_hash.is_null(False)).tuples()
    return frozenset(h for (h,) in query)


def facts_of(file: CardFile, path: str | None = None) -> NamingFacts:
    """A photo's naming facts: its EXIF and its time on the card. The EXIF is read
    from the file's first bytes, or the whole file when they hold no capture time
    (a phone's DNG keeps it at the end), from `path`: the card file, or during a
    run its verified copy (never a second pass over the card)."""
    read_from = path or file.path
    data = _read(read_from, HEAD_BYTES)
    raw = is_raw_path(file.name)
    exif = read_exif(data, is_raw=raw)
    if exif.captured_at is None and len(data) >= HEAD_BYTES:
        exif = read_exif(_read(read_from, None), is_raw=raw)
    mtime = datetime.fromtimestamp(file.mtime_ns / 1e9)
    stem = os.path.splitext(file.name)[0]
    return facts_from_exif(
        stem, mtime, exif.captured_at, exif.camera_make, exif.camera_model, exif.body_serial
    )


def _read(path: str, limit: int | None) -> bytes:
    """The file's first `limit` bytes (all: None); b"" if it can't be read."""
    try:
        with open_regular(path) as f:
            return f.read(limit) if limit is not None else f.read()
    except OSError:
        return b""


def group_facts(group: CardGroup, copies: dict[str, str] | None = None) -> NamingFacts:
    """The facts of a group: its first photo that records a capture time (else the
    first photo's file time). `copies`: card path → a verified copy to read instead."""
    first: NamingFacts | None = None
    for file in group.photos:
        facts = replace(facts_of(file, (copies or {}).get(file.path)), original=group.stem)
        first = first or facts
        if facts.dated:
            return facts
    assert first is not None  # a group always holds a photo
    return first


@dataclass(frozen=True)
class PlannedName:
    source: str  # the card file, relative
    target: str  # relative to the destination
    copy: bool  # False: already ingested (known by its fingerprint), nothing to copy


def preview_names(plan: IngestPlan, limit: int | None = None) -> list[PlannedName]:
    """The names the first `limit` photos' files will get (all when None), as
    the run gives them, reading only their EXIF; the plan's counters are put
    back afterwards, so the run still starts from the journals."""
    saved = dict(plan.counters)
    out: list[PlannedName] = []
    try:
        for group in plan.scan.groups[: limit if limit is not None else None]:
            hashes = [plan.known_hash(f) for f in group.files]
            copy = any(h is None or plan.wanted(h) for h in hashes)
            name = plan.name_for(group, group_facts(group)) if copy else None
            dests = range(len(plan.destinations))
            for file, content_hash in zip(group.files, hashes, strict=True):
                if file.photo:
                    owed = content_hash is None or bool(plan.wanted(content_hash))
                else:  # goes where its photos go, unless it is there (by its journal line)
                    photos_there = any(plan.journal_has(d, p) for p in group.photos for d in dests)
                    missing = any(not plan.journal_has(d, file) for d in dests)
                    owed = missing and (copy or photos_there)
                target = "" if name is None else _join(name, group.suffix_of(file))
                if not owed:
                    entry = plan.destinations[0].journal.names.get(file.fingerprint)
                    target = entry.path if entry is not None else target
                out.append(PlannedName(file.rel, target, owed))
    finally:
        plan.counters = saved
    return out


def _join(name: GroupName, suffix: str) -> str:
    leaf = name.stem + suffix
    return f"{name.folder}/{leaf}" if name.folder else leaf
