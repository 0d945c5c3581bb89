"""Each destination's own record of what the ingest put there: `.curator-ingest.jsonl`.

In the destination, not the catalog: a kill between the copy and the import
must not make the next ingest copy the file again under a new name.

The protocol, per file and destination (`place.py` follows it):
1. the copy is written to a temporary name, synced and verified (`copy.py`);
2. its line (hash, final path, size, card fingerprint and path) is appended
   and synced, a batch's lines with one sync;
3. the temporary file takes its final name, never replacing a file.
A line whose file is absent is not a copy (`present`); a torn last line is ignored.

`read_journal` gives the plan the present hashes, the card fingerprints
already hashed, the names given and the highest `{seq}` per folder.
`ingest_lock(root)` keeps two ingests apart; the OS releases it on death.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

JOURNAL_NAME = ".curator-ingest.jsonl"
LOCK_NAME = ".curator-ingest.lock"
VERSION = 1

Fingerprint = tuple[str, int, int]  # the card file's name, size, mtime_ns


class DestinationBusy(Exception):
    """Another ingest writes into this destination now; str() is the sentence."""


@dataclass(frozen=True)
class JournalEntry:
    hash: str
    path: str  # relative to the destination, '/'-separated
    size: int
    name: str  # the card file's name, size and modification time (its fingerprint)
    mtime_ns: int
    source: str  # the card file's path relative to what was ingested
    folder: str  # the folder the group went to, relative ('' for the destination itself)
    stem: str  # the group's base name there (its clash suffix included)
    seq: int | None = None  # the {seq} this group took, if the template counts
    photo: bool = True  # False: a sidecar or companion (never matched by its bytes)

    @property
    def fingerprint(self) -> Fingerprint:
        return (self.name, self.size, self.mtime_ns)


@dataclass
class JournalIndex:
    """What a destination's journal says (see the module docstring)."""

    present: dict[str, JournalEntry] = field(default_factory=dict)  # hash → a present photo
    hashes: dict[Fingerprint, str] = field(default_factory=dict)  # card file → its hash
    names: dict[Fingerprint, JournalEntry] = field(default_factory=dict)  # card file → its name
    seq_max: dict[str, int] = field(default_factory=dict)  # folder → highest {seq} present
    paths: set[str] = field(default_factory=set)  # every present copy's path (relative)
    lines: int = 0


def journal_path(root: Path) -> Path:
    return root / JOURNAL_NAME


def read_journal(root: Path) -> JournalIndex:
    """The index of `root`'s journal (empty when there is none yet)."""
    index = JournalIndex()
    try:
        with open(journal_path(root), "rb") as file:
            raw_lines = file.read().splitlines()
    except FileNotFoundError:
        return index
    for raw in raw_lines:
        entry = _parse(raw)
        if entry is None:
            continue  # a torn last line (a kill mid-write), or not ours
        index.lines += 1
        index.hashes[entry.fingerprint] = entry.hash
        index.names[entry.fingerprint] = entry
        if entry.path in index.paths or not _present(root, entry):
            continue
        index.paths.add(entry.path)
        if entry.photo:
            index.present.setdefault(entry.hash, entry)
        if entry.seq is not None:
            index.seq_max[entry.folder] = max(index.seq_max.get(entry.folder, 0), entry.seq)
    return index


def _parse(raw: bytes) -> JournalEntry | None:
    try:
        data = json.loads(raw)
        if data.pop("v", None) != VERSION:
            return None
        return JournalEntry(**data)
    except (ValueError, TypeError):
        return None


def _present(root: Path, entry: JournalEntry) -> bool:
    try:
        return (root / entry.path).stat().st_size == entry.size
    except (OSError, ValueError):
        return False


def append_entry(root: Path, entry: JournalEntry, *, sync: bool = True) -> None:
    """Append `entry` (step 2), synced to the disk before returning unless the
    caller syncs a batch of lines at once (`sync_journal`). Raises the OSError
    of a destination that can't be written (full, read-only, gone)."""
    line = json.dumps({"v": VERSION, **asdict(entry)}, ensure_ascii=True) + "\n"
    fd = os.open(journal_path(root), os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        end = os.fstat(fd).st_size
        if end and os.pread(fd, 1, end - 1) != b"\n":
            line = "\n" + line  # after a torn line: ours starts on a line of its own
        data = line.encode("ascii")
        while data:
            data = data[os.write(fd, data) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def sync_journal(root: Path) -> None:
    """Sync the lines appended to `root`'s journal (one flush for a batch)."""
    fd = os.open(journal_path(root), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def ingest_lock(root: Path) -> Iterator[None]:
    """Held while an ingest writes into `root`; `DestinationBusy` if another holds it."""
    lock = FileLock(str(root / LOCK_NAME), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DestinationBusy(
            f"Another ingest is copying into {root} right now; wait for it to finish."
        ) from None
    try:
        yield
    finally:
        lock.release()
