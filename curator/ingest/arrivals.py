"""Which files in a watched folder are whole: the arrival book of a watch.

`ArrivalBook` is told what the watcher saw — a `Sighting`: closed after
writing, renamed into place, created or written to, listed by a rescan, or gone
— and `due(now)` answers the files whole now, each once, in the order they
became whole. Pure: no I/O, no clock, no threads (`ingest.watcher` stats files,
reads a JPEG's last bytes and keeps time).

A file is whole when renamed into place (`NAME.part`, `NAME.tmp`, `.NAME.xxxx`);
when closed after writing, unless a JPEG missing its end marker (`Sighting.cut`);
otherwise when its size and modification time are unchanged `settle_s` apart
(`to_check`: which files to stat again, and when) — over `quiet_s` for a file
written to and not closed where closes are reported (one only created, with no
write seen, was moved in from outside the folder: `settle_s`); and at once when listed
with a modification time older than `settle_s` (landed while Curator was not
running). Never whole: a temporary name (`is_temporary_name`), a name Curator
does not import, an empty file.

Also: the same path with the same size and modification time is never due
again (other bytes there are a new arrival); a RAW and its JPEG (one folder,
one stem) go out together, the first waiting `PAIR_WAIT_S` at most; a file
gone before it was whole is dropped with a `Skipped` note, never an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from curator.imaging.formats import is_raw_path, is_supported_path

# Size and mtime unchanged this long make a file whole where no close is seen.
# SMB clients refresh a file's attributes about once a second: two looks a
# second apart could agree while the writer is still at it; two seconds can't.
SETTLE_S = 2.0
# A RAW+JPEG camera sends the pair within a second; a whole file waits this
# long for its mate, so the pair shows as one tile from the first look.
PAIR_WAIT_S = 2.0

# Suffixes of names that are written and then renamed (FTP servers, browsers,
# tethering apps, editors); compared in lower case.
TEMPORARY_SUFFIXES: tuple[str, ...] = (
    ".part",
    ".partial",
    ".tmp",
    ".temp",
    ".crdownload",
    ".download",
    ".filepart",
    ".upload",
    ".!sync",
    ".swp",
    "~",
)


def is_temporary_name(name: str) -> bool:
    """True for a name written only to be renamed: hidden (`.NAME.xxxx`,
    pure-ftpd's `.pureftpd-upload.*`), `~`-prefixed, or a temporary suffix."""
    base = os.path.basename(name)
    lower = base.lower()
    return base.startswith((".", "~")) or lower.endswith(TEMPORARY_SUFFIXES)


def is_watched_name(name: str) -> bool:
    """True for a name the watch takes when it is whole: a photo's, not temporary."""
    return is_supported_path(name) and not is_temporary_name(name)


class Seen(StrEnum):
    """How the watcher met a file."""

    CLOSED = "closed"  # closed after writing
    RENAMED = "renamed"  # renamed to this name (from a temporary name, or moved)
    CREATED = "created"  # made, or moved in from outside the folder; no write seen (yet)
    CHANGED = "changed"  # written to; no close seen (yet)
    LISTED = "listed"  # found by a rescan, or stat'ed again when `to_check` asked
    GONE = "gone"  # deleted, or renamed away


@dataclass(frozen=True)
class Sighting:
    """One thing the watcher saw of one file, at `at` (monotonic seconds)."""

    path: str
    how: Seen
    at: float
    size: int | None = None
    mtime_ns: int | None = None
    cut: bool = False  # a JPEG without its end marker (yet)
    old: bool = False  # last modified more than `settle_s` ago (the wall clock's say)


@dataclass(frozen=True)
class Whole:
    """A file that is whole: its bytes as they were when it was taken.
    `landed_at`: when its last byte was seen (monotonic seconds): the close or
    rename, or the first sighting of its final size."""

    path: str
    size: int
    mtime_ns: int
    landed_at: float


@dataclass(frozen=True)
class Skipped:
    """A file the watch let go before reading it, and why (a sentence)."""

    path: str
    text: str


@dataclass
class _Pending:
    size: int
    mtime_ns: int
    since: float  # first seen with this size and mtime
    confirmed: float  # last seen with them
    by_events: bool  # seen written to by events (where closes are reported: open still)
    ready_at: float | None = None  # whole since (waiting for its mate, maybe)
    landed_at: float = 0.0  # its last byte: the close or rename, or `since` once settled


def _pair_key(path: str) -> tuple[str, str]:
    folder, name = os.path.split(path)
    return folder, name.rpartition(".")[0].casefold()


class ArrivalBook:
    """The files of one watched folder on their way to being whole (see the
    module docstring). Not thread-safe: the watcher's thread owns it."""

    def __init__(
        self,
        settle_s: float = SETTLE_S,
        pair_wait_s: float = PAIR_WAIT_S,
        quiet_s: float | None = None,
    ):
        self.settle_s, self.pair_wait_s = settle_s, pair_wait_s
        self.quiet_s = quiet_s  # set by the watcher while closes are reported
        self._pending: dict[str, _Pending] = {}
        self._taken: dict[str, tuple[int, int]] = {}
        self._skipped: list[Skipped] = []

    @property
    def waiting(self) -> int:
        """Files seen but not whole yet."""
        return len(self._pending)

    def is_taken(self, path: str, size: int, mtime_ns: int) -> bool:
        """True when these bytes at `path` were handed over already."""
        return self._taken.get(path) == (size, mtime_ns)

    def see(self, s: Sighting) -> None:
        """Take in one sighting (see the module docstring for what it means)."""
        if not is_watched_name(s.path):
            return
        if s.how is Seen.GONE or s.size is None or s.mtime_ns is None:
            self._gone(s.path)
            return
        values = (s.size, s.mtime_ns)
        if self._taken.get(s.path) == values:
            return
        entry = self._pending.get(s.path)
        # Seen written to (no close yet): open, where closes are reported. A close
        # (a JPEG still cut) or a rescan's look says nothing of that by itself.
        same = entry is not None and (entry.size, entry.mtime_ns) == values
        by_events = s.how is Seen.CHANGED or (
            s.how in (Seen.LISTED, Seen.CREATED) and same and entry is not None and entry.by_events
        )
        if entry is None or (entry.size, entry.mtime_ns) != values:
            entry = self._pending[s.path] = _Pending(s.size, s.mtime_ns, s.at, s.at, by_events)
        entry.confirmed = max(entry.confirmed, s.at)
        entry.by_events = by_events
        if s.size <= 0 or entry.ready_at is not None:
            return
        if (
            s.how is Seen.RENAMED
            or (s.how is Seen.CLOSED and not s.cut)
            or (s.how is Seen.LISTED and s.old and not s.cut)
        ):
            entry.ready_at = entry.landed_at = s.at

    def _gone(self, path: str) -> None:
        self._taken.pop(path, None)  # its bytes may come back: a new arrival then
        if self._pending.pop(path, None) is not None:
            name = os.path.basename(path)
            self._skipped.append(
                Skipped(path, f"{name} was deleted or moved away before Curator read it; skipped.")
            )

    def to_check(self, now: float) -> list[str]:
        """Pending files to stat again now: their settle time has passed since
        they were first seen so, and nothing has confirmed them since."""
        return [
            path
            for path, e in self._pending.items()
            if e.ready_at is None
            and e.size > 0
            and now - e.since >= self._settle(e)
            and e.confirmed - e.since < self._settle(e)
        ]

    def _settle(self, e: _Pending) -> float:
        return self.quiet_s if self.quiet_s is not None and e.by_events else self.settle_s

    def next_check(self, now: float) -> float | None:
        """Seconds until `to_check` or `due` may have something (None: nothing pending)."""
        waits = []
        for e in self._pending.values():
            if e.ready_at is not None:
                waits.append(e.ready_at + self.pair_wait_s - now)
            elif e.size > 0:
                waits.append(e.since + self._settle(e) - now)
        return max(0.0, min(waits)) if waits else None

    def due(self, now: float) -> tuple[list[Whole], list[Skipped]]:
        """The files whole now, in the order they became whole (each once), and
        the files let go since the last call."""
        for e in self._pending.values():
            if e.ready_at is None and e.size > 0 and e.confirmed - e.since >= self._settle(e):
                e.ready_at, e.landed_at = e.confirmed, e.since
        ready = {p: e for p, e in self._pending.items() if e.ready_at is not None}
        writing = {_pair_key(p): p for p, e in self._pending.items() if e.ready_at is None}
        wholes: list[Whole] = []
        for path, e in ready.items():
            mate = writing.get(_pair_key(path))
            assert e.ready_at is not None
            if (
                mate is not None
                and is_raw_path(mate) != is_raw_path(path)
                and now - e.ready_at < self.pair_wait_s
            ):
                continue  # its RAW (or JPEG) is on its way: both go together
            wholes.append(Whole(path, e.size, e.mtime_ns, e.landed_at))
        for w in wholes:
            del self._pending[w.path]
            self._taken[w.path] = (w.size, w.mtime_ns)
        wholes.sort(key=lambda w: (w.landed_at, w.path))
        skipped, self._skipped = self._skipped, []
        return wholes, skipped

    def drop_under(self, folder: str) -> None:
        """Forget what is pending under `folder` (it vanished): the rescan that
        follows its return sees the files afresh."""
        prefix = folder.rstrip(os.sep) + os.sep
        for path in [p for p in self._pending if p.startswith(prefix)]:
            del self._pending[path]
