"""What a running ingest knows, and the rules it applies with it: who holds a
card file, what a companion is owed, when a destination stops and the
sentence it stops with. The run's thread alone; no Qt, no catalog.

A destination is either
- closed (`close_destination`): a copy could not be written or synced, or the
  next file would not leave `RESERVE` free (`make_room`); it takes no new file,
  but verified copies still land;
- stopped (`stop_destination`): landing failed; what had not landed is dropped.
A full destination's sentence says how much to free (`to_free`): the owed
files in whole blocks plus a block each, `RESERVE`, less what is free.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from curator.ingest.copy import GONE_ERRNOS
from curator.ingest.plan import GroupName, IngestPlan
from curator.ingest.source import CardFile, CardGroup
from curator.ingest.types import IngestProgress, IngestResult, Role, human_bytes, shown_up

ProgressFn = Callable[[IngestProgress], None]
RESERVE = 1_000_000  # left free on a destination: room for the journal's lines and new folders
FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code
)


@dataclass
class Stop:
    error: OSError  # why the destination took no more files


@dataclass
class RunState:
    plan: IngestPlan
    result: IngestResult
    progress: ProgressFn | None
    cancel: threading.Event | None
    started: float = field(default_factory=time.monotonic)
    bytes_total: int = 0
    active: set[int] = field(default_factory=set)  # destinations new files are written to
    landing: set[int] = field(default_factory=set)  # where written copies still land
    stops: dict[int, Stop] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # card path → content hash
    placed: list[dict[str, str]] = field(default_factory=list)  # per dest: hash → rel path
    placed_files: list[set[str]] = field(default_factory=list)  # per dest: card paths placed
    stems: list[dict[str, str]] = field(default_factory=list)  # per dest: group → its stem
    names: dict[int, GroupName] = field(default_factory=dict)  # group → its name, once decided
    reserved: list[set[str]] = field(default_factory=list)  # per dest: names claimed (casefold)
    skipped: set[str] = field(default_factory=set)  # card paths nobody was owed, once read
    photos_done: int = 0
    card_gone: bool = False
    current: str = ""

    def __post_init__(self) -> None:
        n = len(self.plan.destinations)
        self.placed = [{} for _ in range(n)]
        self.placed_files = [set() for _ in range(n)]
        self.stems = [{} for _ in range(n)]
        self.reserved = [set() for _ in range(n)]

    def claim(self, d: int, file: CardFile, content_hash: str, rel: str) -> None:
        """`file` is going to `rel` in destination `d`: later decisions count it there."""
        self.placed_files[d].add(file.path)
        if file.photo:
            self.plan.landed[d].add(content_hash)
        self.reserved[d].add(rel.casefold())

    def unclaim(self, d: int, file: CardFile, content_hash: str) -> None:
        """It did not get there after all (its destination stopped)."""
        self.placed_files[d].discard(file.path)
        if file.photo:
            self.plan.landed[d].discard(content_hash)

    def taken(self, d: int, path: Path, rel: str) -> bool:
        """A name in destination `d` that is not free: on the disk, or claimed now."""
        return os.path.lexists(path) or rel.casefold() in self.reserved[d]

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

    def done(self, file: CardFile, *, skipped: bool = False) -> None:
        if file.photo:
            self.photos_done += 1
            if skipped:
                self.result.skipped += 1
        self.report()


def has_card_file(state: RunState, d: int, file: CardFile) -> bool:
    """This very card file was placed in destination `d` (now, or by an earlier
    ingest whose copy is still there): its own journal line says so."""
    journal = state.plan.destinations[d].journal
    entry = journal.names.get(file.fingerprint)
    return file.path in state.placed_files[d] or (entry is not None and entry.path in journal.paths)


def holds_file(state: RunState, d: int, file: CardFile) -> bool:
    """Destination `d` has this card file: a photo by its bytes, anything else
    by its own journal line."""
    if not file.photo:
        return has_card_file(state, d, file)
    known = state.hashes.get(file.path) or state.plan.known_hash(file)
    return known is not None and state.plan.holds(d, known)


def companion_owed(state: RunState, group: CardGroup, file: CardFile) -> set[int]:
    """A sidecar or companion goes wherever its photos went, unless it is there
    already (by its own journal line: two sidecars with equal bytes are still two)."""
    return {
        d
        for d in range(len(state.plan.destinations))
        if any(has_card_file(state, d, p) for p in group.photos)
        and not has_card_file(state, d, file)
    }


def owed_bytes(state: RunState) -> int:
    """What the plan says is to be read from the card (known copies are not read)."""
    plan = state.plan
    return sum(
        f.size
        for group in plan.scan.groups
        for f in group.files
        if any(not holds_file(state, d, f) for d in range(len(plan.destinations)))
        and (not f.photo or (h := plan.known_hash(f)) is None or plan.wanted(h))
    )


def close_destination(state: RunState, d: int, exc: OSError) -> None:
    """Destination `d` takes no new file this run (see the module docstring);
    the copies already written there still land. The first reason stays."""
    state.active.discard(d)
    state.stops.setdefault(d, Stop(exc))


def stop_destination(state: RunState, d: int, exc: OSError) -> None:
    """Destination `d` can't be written: nothing more lands there this run."""
    close_destination(state, d, exc)
    state.landing.discard(d)


def make_room(state: RunState, d: int, file: CardFile) -> bool:
    """Destination `d` has room for `file` and `RESERVE` after it; else it
    closes (a full disk) and False. A disk that says nothing of its size (0
    blocks: some network and FUSE file systems) is left to its writes."""
    root = state.plan.destinations[d].root
    try:
        st = os.statvfs(root)
    except OSError:
        return True  # the write will say what is wrong
    if st.f_blocks == 0:
        return True
    block = st.f_frsize or st.f_bsize or 1
    if st.f_bavail * block >= _on_disk(file.size, block) + RESERVE:
        return True
    close_destination(state, d, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(root)))
    return False


def still_owed(state: RunState, d: int) -> list[CardFile]:
    """The card files destination `d` does not hold and is owed: photos whose
    bytes it is owed (or that were never read), and the sidecars and
    companions of the groups whose photos it holds or is owed."""
    plan, out = state.plan, []
    for group in plan.scan.groups:
        photos = []
        for f in group.photos:
            if holds_file(state, d, f):
                continue
            known = state.hashes.get(f.path) or plan.known_hash(f)
            if known is None or d in plan.wanted(known):
                photos.append(f)
        if photos or any(holds_file(state, d, p) for p in group.photos):
            others = [f for f in group.files if not f.photo and not has_card_file(state, d, f)]
            out.extend(photos + others)
    return out


def owed_before(plan: IngestPlan) -> list[list[CardFile]]:
    """What each destination is owed before a run begins (the dialog's
    warning): `still_owed` of a run that placed nothing yet."""
    state = RunState(plan, IngestResult(plan.request.source), None, None)
    return [still_owed(state, d) for d in range(len(plan.destinations))]


def space_short(files: list[CardFile], free: int, block: int = 4096) -> int:
    """Bytes missing before `files` fit on a disk with `free` bytes (see the
    module docstring), rounded up as `human_bytes` shows them; 0: they fit."""
    needed = sum(_on_disk(f.size, block) + block for f in files) + RESERVE
    return shown_up(needed - free) if needed > free else 0


def to_free(root: Path, files: list[CardFile]) -> int:
    """Bytes to free on `root`'s disk, full now, before `files` fit; at least `RESERVE`."""
    block, free = 4096, 0
    with contextlib.suppress(OSError):
        st = os.statvfs(root)
        block = st.f_frsize or st.f_bsize or block
        free = st.f_bavail * block
    return max(space_short(files, free, block), RESERVE)


def _on_disk(size: int, block: int) -> int:
    return -(-size // block) * block


def card_went_away(state: RunState, error_errno: int | None) -> bool:
    """A file vanished or gave an I/O error, and the card's folder is gone too."""
    return error_errno in GONE_ERRNOS and not os.path.isdir(state.plan.request.source)


def stop_sentence(
    role: Role, root: Path, exc: OSError, holds: int, photos: int, rest: int, free: int
) -> str:
    """Why a destination stopped, how far it got, and what to do; for a full
    one, `rest` photos it is still owed and the bytes to `free` (`to_free`)."""
    where = f"{root}" if role is Role.PRIMARY else f"The backup {root}"
    done = f"{holds:,} of {photos:,} photos copied"
    if exc.errno in FULL_ERRNOS:
        them = f"the {rest:,} left need" if rest != 1 else "the one left needs"
        if not rest:
            them = "their sidecars need"
        return (
            f"{where} is full: {done}; {them} {human_bytes(free)} more — free that much "
            "and ingest again to finish."
        )
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
