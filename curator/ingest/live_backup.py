"""`LiveBackup`: a watched folder's second copy — each frame that lands whole
is copied to a backup folder by the card ingest itself (`plan_ingest` →
`run_ingest`: read once, hashed, synced, read back and compared; named by the
ingest's templates; never over a file), on a thread of its own, so the tiles
and the measuring never wait for it.

- `take(wholes)` (any thread) queues what the watcher handed over whole. The
  thread takes all that is queued as one batch, with every frame still owed.
- A batch is planned as a card of its own (`plan_ingest(scan=…)`): each frame
  grouped with the photos of its folder and stem seen whole before, so a RAW
  that lands after its JPEG takes the JPEG's name (`IngestPlan.named`). The
  catalog is not asked (`known` empty): the watch imports the frames, the
  backup is owed them all.
- "Backed up" is recorded where the ingest records a copy: the backup folder's
  journal (`ingest.journal`). A frame it holds (by its card fingerprint, unread,
  or by its bytes) is `HELD`, never copied twice: a watch started again, whose
  first rescan hands over every file in the folder, copies just what was missed.
- Faults are sentences (`BackupNews.sentences`: the folder's once per change) and each
  frame's `Backed.reason`; the watch goes on. The backup folder gone (a disk
  unplugged) is waited for, never made again; gone, full, read-only, not
  allowed or a copy that did not verify (removed, as the ingest does): the
  frame stays owed and is tried again with the next batch, at least every
  `RETRY_S`. A frame that changed or vanished before it was read is let go
  (new bytes there are a new arrival).
- `close()`: nothing more is taken; the thread tries what is owed once more,
  says `BackupNews(ended=True)` and ends. `cancel()` (app exit): the copy
  stops between chunks (its temporary file removed), the thread is joined and
  nothing more is said. `on_news` is called on the backup's thread.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from curator.fs.names import split_ext
from curator.imaging.formats import is_raw_path
from curator.ingest.arrivals import Whole
from curator.ingest.copy import GONE_ERRNOS
from curator.ingest.plan import IngestRefused, plan_ingest
from curator.ingest.run import run_ingest
from curator.ingest.source import CardFile, CardGroup, CardScan, nesting_problem
from curator.ingest.state import FULL_ERRNOS
from curator.ingest.template import TemplateError, TemplateKind, parse_template
from curator.ingest.types import (
    FileFailure,
    IngestProgress,
    IngestRequest,
    IngestResult,
    human_bytes,
)

log = logging.getLogger(__name__)

RETRY_S = 5.0  # a frame still owed (the backup folder gone, full…) is tried again this often
# The copying thread's nice value: it yields the CPU to the tiles and the measuring
# (24 MP frames at 2/s: a tile 4 ms later, not 30 ms, at the backup's same speed).
NICE = 10
_CLOSE = None  # the queue's last item: `close()` was called


class BackupStatus(StrEnum):
    COPIED = "copied"  # a verified copy placed now
    HELD = "held"  # the backup folder held these bytes already: not copied again
    FAILED = "failed"  # not backed up (`reason`); owed ones are tried again


@dataclass(frozen=True)
class Backed:
    """What the backup did with one watched file: `copy`, its copy's path
    (None unless copied or held); `reason`, a failure's sentence."""

    path: str
    status: BackupStatus
    copy: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class BackupNews:
    """One batch's results, in the order the files landed; `sentences`: the
    backup folder's fault, or its recovery, when that changed, and each file's
    own failure; `ended`: the last news after `close()`."""

    backed: tuple[Backed, ...] = ()
    sentences: tuple[str, ...] = ()
    owed: int = 0  # frames waiting to be backed up after this batch
    ended: bool = False


def backup_problem(folder: str, destination: str, rename: str, subfolder: str) -> str | None:
    """Why a watch of `folder` cannot back up to `destination` with these
    templates, in a sentence (None: it can). Checked before the watch starts."""
    if not destination.strip():
        return "Choose the folder each frame is copied to."
    folder = os.path.abspath(os.path.expanduser(folder))
    dest = os.path.abspath(os.path.expanduser(destination))
    if os.path.exists(dest) and not os.path.isdir(dest):
        return f"The backup {dest} is a file, not a folder."
    if nesting_problem(folder, [("backup", dest)]) is not None:  # one inside the other
        watched, real = os.path.realpath(folder), os.path.realpath(dest)
        if os.path.commonpath([watched, real]) == watched:
            return (
                f"The backup {dest} is inside the watched folder {folder}: its copies would "
                "arrive as new frames. Choose a folder outside it."
            )
        return (
            f"The watched folder {folder} is inside the backup {dest}: choose a backup "
            "folder that does not hold it."
        )
    try:
        parse_template(rename, TemplateKind.RENAME)
        parse_template(subfolder, TemplateKind.SUBFOLDER)
    except TemplateError as exc:
        return str(exc)
    return None


def fault_sentence(destination: str, error: int | None, said: str = "") -> str:
    """The backup folder's fault as the watch says it: what is wrong and that
    the frames wait. `error`: the errno (None: the ingest's own sentence `said`)."""
    wait = "the watch goes on, and the frames not yet backed up are copied once it can take them."
    if error == errno.ENOENT:
        what = f"The backup folder {destination} is gone (a disk unplugged?)"
    elif error in FULL_ERRNOS:
        what = f"The backup folder {destination} is full"
    elif error == errno.EROFS:
        what = f"The backup folder {destination} is on a read-only disk"
    elif error in (errno.EACCES, errno.EPERM):
        what = f"Curator may not write into the backup folder {destination} (permission denied)"
    elif error in GONE_ERRNOS:
        what = f"The backup folder {destination} could not be written (the disk may be gone)"
    elif error is not None:
        what = f"Writing into the backup folder {destination} failed ({os.strerror(error)})"
    else:
        what = said.rstrip(".") or f"Nothing could be copied into {destination}"
    return f"{what}: {wait}"


def unread_sentence(name: str, failure: FileFailure) -> str:
    """A watched frame the backup could not read, said of a watched folder (the
    ingest's own sentence speaks of a card)."""
    if failure.errno == errno.ENOENT:
        why = "it left the watched folder before it was read (a new file there is a new arrival)"
    elif failure.errno in (errno.EACCES, errno.EPERM):
        why = "Curator may not read it (permission denied)"
    elif failure.errno not in (None, errno.EINVAL):  # EINVAL: not a regular file, said so
        why = f"it could not be read ({os.strerror(failure.errno)})"
    else:
        why = failure.reason
    return f"{name} was not backed up: {why}"


class LiveBackup:
    """A watch's backup folder, kept up as frames land (see the module docstring)."""

    def __init__(
        self,
        request: IngestRequest,
        on_news: Callable[[BackupNews], object],
        *,
        retry_s: float = RETRY_S,
    ):
        self.source = os.path.abspath(request.source)
        self.destination = os.path.abspath(os.path.expanduser(request.destination))
        self.request = IngestRequest(
            self.source, self.destination, rename=request.rename, subfolder=request.subfolder
        )
        self.on_news = on_news
        self.retry_s = retry_s
        self._queue: queue.SimpleQueue[tuple[Whole, ...] | None] = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: dict[tuple[str, str], dict[str, CardFile]] = {}  # (folder, stem) → photos
        self._owed: dict[str, CardFile] = {}  # path → a frame not yet backed up, landing order
        self._fault = ""  # the fault said last ("" while copies land)
        self._made = False  # the backup folder was made (or found) once

    # --- control (any thread) ------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="curator-backup", daemon=True)
        self._thread.start()

    def take(self, wholes: Iterable[Whole]) -> None:
        batch = tuple(wholes)
        if batch:
            self._queue.put(batch)

    def close(self) -> None:
        """Take nothing more; `BackupNews(ended=True)` once the queue is done."""
        self._queue.put(_CLOSE)

    def cancel(self) -> None:
        """Stop now (between chunks) and say nothing more; returns once ended."""
        self._cancel.set()
        self._queue.put(_CLOSE)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    # --- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # Linux: this thread alone
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        closing = False
        while not closing:
            try:
                first = self._queue.get(timeout=self.retry_s if self._owed else None)
            except queue.Empty:
                first = ()  # only the owed ones, again
            items = [first]
            while not self._queue.empty():
                items.append(self._queue.get_nowait())
            closing = any(item is _CLOSE for item in items)
            if self._cancel.is_set():
                return
            wholes = [w for item in items if item is not _CLOSE for w in item]
            try:
                news = self._batch(wholes)
            except Exception as exc:  # a batch that failed; the owed are tried again
                log.exception("backing up a watched folder's batch failed")
                news = BackupNews(sentences=(f"The backup stumbled ({exc}); it goes on.",))
            if self._cancel.is_set():
                return
            if news.backed or news.sentences:
                self.on_news(news)
        self.on_news(BackupNews(owed=len(self._owed), ended=True))

    def _batch(self, wholes: list[Whole]) -> BackupNews:
        """Back up `wholes` and every frame still owed; their results."""
        for whole in wholes:
            file = self._card_file(whole)
            self._seen.setdefault(_key(file), {})[file.path] = file
            self._owed.pop(file.path, None)  # new bytes at a path: behind the rest
            self._owed[file.path] = file
        if not self._owed:
            return BackupNews()
        owed = list(self._owed.values())
        refused = self._ready()
        if refused is None:
            try:
                plan = plan_ingest(self.request, frozenset(), CardScan(self._groups(owed)))
            except IngestRefused as exc:
                refused = str(exc)
        if refused is not None:
            failed = [Backed(f.path, BackupStatus.FAILED, reason=refused) for f in owed]
            return self._news(failed, refused, ())
        landed: set[str] = set()

        def progress(p: IngestProgress) -> None:
            landed.update(p.landed)

        result = run_ingest(plan, progress=progress, cancel=self._cancel)
        return self._results(owed, result, landed)

    def _ready(self) -> str | None:
        """None when the backup folder can take copies; else the fault's sentence.
        It is made once; gone afterwards, it is waited for (never made again)."""
        dest = self.destination
        if not self._made:
            try:
                os.makedirs(dest, exist_ok=True)
            except OSError as exc:
                return fault_sentence(dest, exc.errno, str(exc))
            self._made = True
        if not os.path.isdir(dest):
            return fault_sentence(dest, errno.ENOENT)
        return None

    def _results(self, owed: list[CardFile], result: IngestResult, landed: set[str]) -> BackupNews:
        failures = {f.source: f for f in result.failures}
        counts = result.destinations[0]
        fault = fault_sentence(self.destination, counts.errno, counts.error) if counts.error else ""
        if counts.to_free:
            fault = fault.replace(" is full:", f" is full (free {human_bytes(counts.to_free)}):")
        backed: list[Backed] = []
        said: list[str] = []  # a file's own failures, each said
        for file in owed:
            copy = result.copy_of.get(file.rel)
            failure = failures.get(file.rel)
            if copy is not None:
                status = BackupStatus.COPIED if copy in landed else BackupStatus.HELD
                backed.append(Backed(file.path, status, copy))
                del self._owed[file.path]
            elif failure is not None and failure.role is None:  # the file itself: let go
                reason = unread_sentence(os.path.basename(file.path), failure)
                backed.append(Backed(file.path, BackupStatus.FAILED, reason=reason))
                said.append(reason)
                del self._owed[file.path]
                self._seen.get(_key(file), {}).pop(file.path, None)
            elif failure is not None:
                name = os.path.basename(file.path)
                reason = (
                    f"The copy of {name} in {self.destination} did not match it, twice "
                    "(verification failed), so it was not kept; check that disk. Curator "
                    "tries again."
                )
                backed.append(Backed(file.path, BackupStatus.FAILED, reason=reason))
                said.append(reason)
            else:
                fault = fault or fault_sentence(self.destination, None)
                backed.append(Backed(file.path, BackupStatus.FAILED, reason=fault))
        return self._news(backed, fault, said)

    def _news(self, backed: list[Backed], fault: str, said: Iterable[str]) -> BackupNews:
        """The batch's news: the files' own failures, and the backup folder's
        `fault` ("": none) said when it changed, or that it is over."""
        sentences = list(said)
        if fault and fault != self._fault:
            sentences.insert(0, fault)
        elif not fault and self._fault:
            sentences.insert(0, f"The backup folder {self.destination} takes copies again.")
        self._fault = fault
        return BackupNews(tuple(backed), tuple(sentences), len(self._owed))

    def _card_file(self, whole: Whole) -> CardFile:
        rel = os.path.relpath(whole.path, self.source).replace(os.sep, "/")
        return CardFile(whole.path, rel, whole.size, whole.mtime_ns, photo=True)

    def _groups(self, owed: list[CardFile]) -> list[CardGroup]:
        """The groups of the owed frames, in the order they landed: each with the
        photos of its folder and stem seen whole (a RAW before the rest)."""
        groups: dict[tuple[str, str], CardGroup] = {}
        for file in owed:
            key = _key(file)
            if key in groups:
                continue
            files = sorted(
                self._seen[key].values(), key=lambda f: (not is_raw_path(f.name), f.name)
            )
            groups[key] = CardGroup(key[0], split_ext(files[0].name)[0], tuple(files))
        return list(groups.values())


def _key(file: CardFile) -> tuple[str, str]:
    """A photo's group: its folder (relative) and stem, ignoring case."""
    folder = file.rel.rpartition("/")[0]
    return folder, split_ext(file.name)[0].casefold()
