"""`FolderWatcher`: a watched folder's files, handed over whole as they land.

Protocol (one thread of its own, plus watchdog's observer):
- watchdog's observer puts each event (folder and sub-folders) on a queue and
  does nothing else.
- The watcher's thread owns the `ArrivalBook` (ingest.arrivals): it stats the
  files events name (and a JPEG's last bytes), tells the book; every
  `rescan_s` lists the whole tree (the only news from SMB/NFS, and what landed
  while Curator was not running); stats what the book asks (`to_check`) and
  hands what is `due` to `on_news` as one frozen `WatchNews`, on this thread.
- Each turn (at most `TICK_S` apart) it checks the folder is still the one it
  watched (device and inode). When gone, the observer stops and `on_news` hears
  PAUSED with the sentence; once back, WATCHING, and a rescan catches up.
- Where closes are reported (inotify), a file written to by events settles over
  `CLOSED_QUIET_S`, one met only by rescans over the book's `settle_s`. An
  observer that cannot start, or a network folder, leaves the rescan alone,
  every `NETWORK_RESCAN_S`, said once.
- A turn that raises is logged and said; the watch never stops by itself.
  Nothing is ever opened that is not a regular file.
- `stop()` ends the thread and the observer and returns once `on_news` can no
  longer be called. Idempotent.
"""

from __future__ import annotations

import logging
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from curator.imaging.formats import extension_of
from curator.ingest.arrivals import ArrivalBook, Seen, Sighting, Skipped, Whole, is_watched_name

log = logging.getLogger(__name__)

TICK_S = 0.25  # the longest a turn waits: how soon a vanished folder is noticed
# Where closes are seen (inotify), a file is whole when closed; one seen only
# written to is open still, maybe for long (a stalled upload), so it must be
# left alone this long before it counts as settled (its close was missed, or
# came before the watch began).
CLOSED_QUIET_S = 30.0
RESCAN_S = 10.0  # a local folder's rescan, beside its events (a missed event's net)
NETWORK_RESCAN_S = 2.0  # a share's, or a folder without events: its only news
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ceph", "glusterfs"}
)
_JPEG = frozenset({"jpg", "jpeg"})


class WatchState(StrEnum):
    WATCHING = "watching"
    PAUSED = "paused"  # the folder is gone; it is looked for each turn


@dataclass(frozen=True)
class WatchNews:
    """What one turn found: files now whole (in the order they landed), files
    let go, a change of state and its sentence (or another note)."""

    whole: tuple[Whole, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    state: WatchState | None = None
    sentence: str = ""


def looks_cut(path: str) -> bool:
    """True for a JPEG whose end marker is not (yet) at its end: still being
    written. Padding after the marker (some cameras') is allowed; a file that
    cannot be read is not called cut (the import says what is wrong)."""
    if extension_of(path) not in _JPEG:
        return False
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64))
            tail = f.read(64)
    except OSError:
        return False
    return not tail.rstrip(b"\x00").endswith(b"\xff\xd9")


def file_system_of(folder: str) -> str:
    """The type of the file system `folder` is on ("" when unknown: not Linux)."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            mounts = [line.split() for line in f]
    except OSError:
        return ""
    real = os.path.realpath(folder)
    best, kind = "", ""
    for fields in mounts:
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


class FolderWatcher:
    """Watches `root` and its sub-folders (see the module docstring)."""

    def __init__(
        self,
        root: str,
        on_news: Callable[[WatchNews], object],
        *,
        exclude: tuple[str, ...] = (),
        book: ArrivalBook | None = None,
        rescan_s: float | None = None,
        use_events: bool = True,
        closed_quiet_s: float = CLOSED_QUIET_S,
    ):
        self.root = os.path.abspath(root)
        self.on_news = on_news
        self.book = book or ArrivalBook()
        self._exclude = {os.path.abspath(e) for e in exclude}
        self._use_events = use_events
        self._rescan_s = rescan_s
        self._quiet_s = closed_quiet_s
        self._events: queue.SimpleQueue[tuple[str, str, str]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: object | None = None
        self._identity: tuple[int, int] | None = None
        self._next_rescan = 0.0  # at once: what landed while Curator was not running
        self._early: tuple[str, str, str] | None = None  # the event that ended a wait
        self.state = WatchState.WATCHING
        self.events_work = False

    # --- control (any thread) -------------------------------------------------

    def start(self) -> None:
        st = os.stat(self.root)  # the caller checked the folder (fs.folders)
        self._identity = (st.st_dev, st.st_ino)
        sentence = self._start_observer()  # here: a file written once start returns is seen
        self._thread = threading.Thread(
            target=self._run, args=(sentence,), name="curator-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._stop_observer()

    # --- the thread --------------------------------------------------------------

    def _run(self, sentence: str) -> None:
        interval = self._rescan_s or (NETWORK_RESCAN_S if not self.events_work else RESCAN_S)
        if sentence:
            self.on_news(WatchNews(sentence=sentence))
        while not self._stop.is_set():
            try:
                if not self._still_there():
                    self._pause()
                    continue
                self._take_events()
                if time.monotonic() >= self._next_rescan:
                    self._rescan()
                    self._next_rescan = time.monotonic() + interval
                self._check_again()
                self._hand_over()
                self._wait(min(TICK_S, self._next_rescan - time.monotonic()))
            except Exception as exc:  # a turn that failed; the next one goes on
                log.exception("a turn of the folder watch failed")
                self.on_news(WatchNews(sentence=f"The watch stumbled ({exc}); it goes on."))
                self._stop.wait(TICK_S)

    def _wait(self, timeout: float) -> None:
        """Until the next event, or `timeout` (or the book's next due time)."""
        upcoming = self.book.next_check(time.monotonic())
        if upcoming is not None:
            timeout = min(timeout, upcoming)
        try:
            self._early = self._events.get(timeout=max(0.01, timeout))
        except queue.Empty:
            return  # taken first in the next turn, before those that came after it

    def _still_there(self) -> bool:
        try:
            st = os.stat(self.root)
        except OSError:
            return False
        return stat.S_ISDIR(st.st_mode) and (st.st_dev, st.st_ino) == self._identity

    def _pause(self) -> None:
        """The folder is gone: stop watching it and look for it each turn."""
        self._stop_observer()
        self.state = WatchState.PAUSED
        self.book.drop_under(self.root)
        self.on_news(
            WatchNews(
                state=WatchState.PAUSED,
                sentence=f"The watched folder {self.root} is gone (a card pulled, a share "
                "dropped?); watching resumes as soon as it is back.",
            )
        )
        while not self._stop.wait(TICK_S):
            try:
                st = os.stat(self.root)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                self._identity = (st.st_dev, st.st_ino)
                break
        if self._stop.is_set():
            return
        self._start_observer()
        self.state = WatchState.WATCHING
        self._early = None
        while not self._events.empty():  # the old folder's: the rescan sees what is there
            self._events.get_nowait()
        self._rescan()
        wholes, skipped = self.book.due(time.monotonic())
        self.on_news(
            WatchNews(
                tuple(wholes),
                tuple(skipped),
                WatchState.WATCHING,
                f"The watched folder {self.root} is back; catching up what landed meanwhile.",
            )
        )

    def _take_events(self) -> None:
        while True:
            try:
                if self._early is not None:
                    (kind, src, dest), self._early = self._early, None
                else:
                    kind, src, dest = self._events.get_nowait()
            except queue.Empty:
                return
            now = time.monotonic()
            if kind == "closed":
                self._see(src, Seen.CLOSED, now)
            elif kind == "moved":
                self.book.see(Sighting(src, Seen.GONE, now))
                self._see(dest, Seen.RENAMED, now)
            elif kind == "created":  # also a file moved in from outside: no write follows
                self._see(src, Seen.CREATED, now)
            elif kind == "modified":
                self._see(src, Seen.CHANGED, now)
            elif kind == "deleted":
                self.book.see(Sighting(src, Seen.GONE, now))
            elif kind == "rescan":  # a folder created or moved in: its files may predate its watch
                self._next_rescan = now

    def _see(self, path: str, how: Seen, now: float, old: bool = False) -> None:
        if not is_watched_name(path) or self._excluded(path):
            return
        try:
            st = os.stat(path)
        except OSError:
            self.book.see(Sighting(path, Seen.GONE, now))
            return
        if not stat.S_ISREG(st.st_mode):
            return  # a FIFO or device named *.jpg is never opened (the import's scan says so)
        if self.book.is_taken(path, st.st_size, st.st_mtime_ns):
            return
        whole_now = how in (Seen.CLOSED, Seen.RENAMED) or (how is Seen.LISTED and old)
        cut = whole_now and how is not Seen.RENAMED and looks_cut(path)
        self.book.see(Sighting(path, how, now, st.st_size, st.st_mtime_ns, cut, old))

    def _excluded(self, path: str) -> bool:
        """In `exclude`, or in a hidden folder under the root (as the rescan skips them)."""
        if any(path == e or path.startswith(e + os.sep) for e in self._exclude):
            return True
        inside = os.path.relpath(os.path.dirname(path), self.root).split(os.sep)
        return inside[0] not in (".", "..") and any(part.startswith(".") for part in inside)

    def _rescan(self) -> None:
        wall, now = time.time(), time.monotonic()
        for path, mtime_ns in self._listing():
            old = wall - mtime_ns / 1e9 > self.book.settle_s
            self._see(path, Seen.LISTED, now, old)

    def _listing(self) -> Iterator[tuple[str, int]]:
        """(path, mtime) of every file under the root with a watched name; hidden
        folders and `exclude` left out, each real folder entered once."""
        seen: set[tuple[int, int]] = set()
        stack = [self.root]
        while stack:
            folder = stack.pop()
            if self._excluded(folder):
                continue
            try:
                st = os.stat(folder)
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                with os.scandir(folder) as entries:
                    found = list(entries)
            except OSError:
                continue  # gone meanwhile, or not allowed: the import's scan says so
            for entry in found:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        stack.append(entry.path)
                    elif is_watched_name(entry.name) and entry.is_file():
                        yield entry.path, entry.stat().st_mtime_ns
                except OSError:
                    continue

    def _check_again(self) -> None:
        now = time.monotonic()
        for path in self.book.to_check(now):
            self._see(path, Seen.LISTED, now)

    def _hand_over(self) -> None:
        wholes, skipped = self.book.due(time.monotonic())
        if wholes or skipped:
            self.on_news(WatchNews(tuple(wholes), tuple(skipped)))

    # --- watchdog ------------------------------------------------------------------

    def _start_observer(self) -> str:
        """Start watchdog's observer; the sentence when the rescan is left alone."""
        self.events_work = False
        self.book.quiet_s = None
        if not self._use_events:
            return ""
        kind = file_system_of(self.root)
        if kind in NETWORK_FILE_SYSTEMS:
            return (
                f"{self.root} is on a network share ({kind}): Curator looks for new files "
                f"every {NETWORK_RESCAN_S:g} s."
            )
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        events = self._events

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory:
                    if event.event_type in ("created", "moved"):
                        events.put(("rescan", "", ""))
                    return
                dest = os.fsdecode(getattr(event, "dest_path", "") or "")
                events.put((event.event_type, os.fsdecode(event.src_path), dest))

        observer = Observer()
        try:
            observer.schedule(_Handler(), self.root, recursive=True)
            observer.start()
        except (OSError, RuntimeError) as exc:
            log.info("no file events for %s: %s", self.root, exc)
            return (
                f"Curator cannot be told of new files in {self.root} ({exc}); it looks for "
                f"them every {NETWORK_RESCAN_S:g} s instead."
            )
        self._observer = observer
        self.events_work = True
        closes = type(observer).__name__.startswith("Inotify")  # only inotify reports closes
        self.book.quiet_s = self._quiet_s if closes else None
        return ""

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            from watchdog.observers.api import BaseObserver

            assert isinstance(observer, BaseObserver)
            try:
                observer.stop()
                observer.join(timeout=5)
            except Exception:  # an emitter of a vanished folder may fail on its way out
                log.debug("the file events' observer ended badly", exc_info=True)
