"""Each destination's own record of what the ingest put there: `.curator-ingest.jsonl`.

Why a file in the destination (as an export has its manifest) and not the
catalog: the catalog learns of a copy only when the pipeline imports it, and
a kill between the two must not make the next ingest copy the file again
under a new name. The journal is written before a copy takes its final name,
so whatever sits under a final name is in it.

The protocol, per file and destination (`place.py` follows it):
1. the copy is written to a temporary name, synced and verified (`copy.py`);
2. its line is appended here and synced (a batch's lines with one sync,
   before any of them takes its name): content hash, the final path
   (relative to the destination), size, and where it came from (the card
   file's name, size and modification time: its *fingerprint*, and its path);
3. the temporary file takes its final name (never replacing a file).
A kill between 2 and 3 leaves a line whose file is absent: such a line is not
a copy (`present`), the file is copied again, under the same name. A torn
last line (killed mid-write) is ignored.

Reading (`read_journal`) gives the index an ingest plans with: the hashes
whose copy is present (a line whose file exists with the recorded size), the
card fingerprints already hashed (no need to read the card again to know a
file's hash), the names given to each card file (a re-run and a backup use
the same ones) and the highest `{seq}` used per folder.

`ingest_lock(root)` is held while an ingest writes into a destination, so two
ingests never interleave there (a second is told so); the OS releases it
when the process dies, even by SIGKILL.
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
