"""`FolderWatcher` on a real folder (ingest.watcher): files written by the
test arrive whole, once — closed, renamed from `.part`, or settled without
events; sub-folders too; a FIFO is never opened; the folder vanishing pauses
the watch, and its return catches up what landed meanwhile."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from curator.ingest.arrivals import ArrivalBook
from curator.ingest.watcher import FolderWatcher, WatchNews, WatchState, file_system_of, looks_cut

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"


def jpeg(mark: bytes) -> bytes:
    """A JPEG-shaped file of its own bytes, its end marker last."""
    return JPEG[:-2] + mark + JPEG[-2:]


WAIT_S = 20.0


class Heard:
    """What the watcher said, taken in order by the test (its thread posts)."""

    def __init__(self) -> None:
        self.news: queue.SimpleQueue[WatchNews] = queue.SimpleQueue()
        self.whole: list[str] = []
        self.sizes: dict[str, int] = {}
        self.skipped: list[str] = []
        self.states: list[WatchState] = []
        self.sentences: list[str] = []

    def __call__(self, news: WatchNews) -> None:
        self.news.put(news)

    def until(self, done: Callable[[], bool], timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"not heard: whole {self.whole}, said {self.sentences}")
            try:
                news = self.news.get(timeout=left)
            except queue.Empty:
                continue
            for w in news.whole:
                self.whole.append(os.path.basename(w.path))
                self.sizes[os.path.basename(w.path)] = w.size
            self.skipped.extend(os.path.basename(s.path) for s in news.skipped)
            if news.state is not None:
                self.states.append(news.state)
            if news.sentence:
                self.sentences.append(news.sentence)

    def quiet_for(self, seconds: float) -> None:
        """Take whatever comes within `seconds` (to show nothing more arrives)."""
        deadline = time.monotonic() + seconds
        self.until(lambda: time.monotonic() >= deadline, seconds + 1)


@pytest.fixture
def heard() -> Heard:
    return Heard()


def watching(
    folder: Path, heard: Heard, settle_s: float = 0.4, **kw: object
) -> Iterator[FolderWatcher]:
    """A watcher on `folder`; where closes are seen (here, inotify), a file seen
    written to by events settles over `CLOSED_QUIET_S` (30 s), as in the app."""
    watcher = FolderWatcher(str(folder), heard, book=ArrivalBook(settle_s, 0.5), **kw)  # type: ignore[arg-type]
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()


@pytest.fixture
def watch(tmp_path: Path, heard: Heard) -> Iterator[FolderWatcher]:
    folder = tmp_path / "tether"
    folder.mkdir()
    yield from watching(folder, heard)


def test_a_file_written_and_closed_arrives_once(watch: FolderWatcher, heard: Heard) -> None:
    (Path(watch.root) / "IMG_0001.JPG").write_bytes(JPEG)
    heard.until(lambda: heard.whole == ["IMG_0001.JPG"])
    assert watch.events_work
    heard.quiet_for(1.0)  # settle time twice over: nothing comes again
    assert heard.whole == ["IMG_0001.JPG"]


def test_a_part_file_renamed_into_place_arrives_whole_never_as_the_part(
    watch: FolderWatcher, heard: Heard
) -> None:
    part = Path(watch.root) / "DSC_0002.NEF.part"
    with part.open("wb") as f:
        for _ in range(5):
            f.write(b"x" * 4000)
            f.flush()
            time.sleep(0.2)  # a slow upload: longer than the settle time between chunks
    part.rename(part.with_name("DSC_0002.NEF"))
    heard.until(lambda: heard.whole == ["DSC_0002.NEF"])
    assert heard.sizes["DSC_0002.NEF"] == 20_000


def test_a_file_moved_in_from_another_folder_arrives_once_settled(
    tmp_path: Path, watch: FolderWatcher, heard: Heard
) -> None:
    """inotify says only "created" of a frame moved in (a card's frames dropped
    in): it arrives once settled, not after the 30 s an open file waits."""
    outside = tmp_path / "DSC_0003.JPG"
    outside.write_bytes(jpeg(b"moved"))
    outside.rename(Path(watch.root) / "DSC_0003.JPG")
    heard.until(lambda: heard.whole == ["DSC_0003.JPG"], timeout=5.0)


def test_a_slow_write_arrives_only_when_closed_with_every_byte(
    watch: FolderWatcher, heard: Heard
) -> None:
    path = Path(watch.root) / "slow.jpg"
    with path.open("wb") as f:
        for i in range(0, len(JPEG), 700):
            f.write(JPEG[i : i + 700])
            f.flush()
            heard.quiet_for(0.6)  # each pause longer than the settle time (0.4 s)
            assert heard.whole == []
    heard.until(lambda: heard.whole == ["slow.jpg"])
    assert heard.sizes["slow.jpg"] == len(JPEG)


def test_without_events_a_file_arrives_once_it_settled(tmp_path: Path, heard: Heard) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    for _w in watching(folder, heard, rescan_s=0.2, use_events=False):
        path = folder / "IMG_3.JPG"
        with path.open("wb") as f:
            f.write(JPEG[:1000])
            f.flush()
            time.sleep(0.3)  # shorter than the settle time: not taken
            f.write(JPEG[1000:])
        heard.until(lambda: heard.whole == ["IMG_3.JPG"])
        assert heard.sizes["IMG_3.JPG"] == len(JPEG)


def test_subfolders_are_watched_too(watch: FolderWatcher, heard: Heard) -> None:
    dated = Path(watch.root) / "2026-11-28" / "Session 1"
    dated.mkdir(parents=True)
    (dated / "a.jpg").write_bytes(JPEG)
    (Path(watch.root) / ".hidden").mkdir()
    (Path(watch.root) / ".hidden" / "b.jpg").write_bytes(JPEG)
    heard.until(lambda: heard.whole == ["a.jpg"])
    heard.quiet_for(0.6)
    assert heard.whole == ["a.jpg"]


def test_what_is_there_at_the_start_arrives_at_once(tmp_path: Path, heard: Heard) -> None:
    folder = tmp_path / "landed"
    folder.mkdir()
    for name in ("a.jpg", "b.cr3", "notes.txt"):
        (folder / name).write_bytes(JPEG)
        os.utime(folder / name, (time.time() - 60, time.time() - 60))
    for _w in watching(folder, heard):
        heard.until(lambda: sorted(heard.whole) == ["a.jpg", "b.cr3"], 3.0)


def test_a_fifo_named_like_a_photo_is_never_opened(watch: FolderWatcher, heard: Heard) -> None:
    os.mkfifo(Path(watch.root) / "card.jpg")
    (Path(watch.root) / "real.jpg").write_bytes(JPEG)
    heard.until(lambda: heard.whole == ["real.jpg"])
    heard.quiet_for(0.6)
    assert heard.whole == ["real.jpg"]


def test_a_file_deleted_before_it_is_whole_is_let_go_with_a_sentence(
    watch: FolderWatcher, heard: Heard
) -> None:
    path = Path(watch.root) / "gone.jpg"
    with path.open("wb") as f:
        f.write(JPEG[:100])
        f.flush()
        heard.quiet_for(0.6)  # seen written to, never closed
        path.unlink()
    heard.until(lambda: heard.skipped == ["gone.jpg"])
    assert heard.whole == []


def test_hostile_names_arrive_like_any_other(watch: FolderWatcher, heard: Heard) -> None:
    names = ["new\nline.jpg", "-rf.JPG", "semi;colon $(x).jpg", "é" * 100 + ".jpg"]
    root = os.fsencode(watch.root)
    for name in names:
        (Path(watch.root) / name).write_bytes(JPEG)
    with open(os.path.join(root, b"latin1-\xe9.jpg"), "wb") as f:  # not UTF-8
        f.write(JPEG)
    heard.until(lambda: len(heard.whole) == 5)
    assert sorted(heard.whole) == sorted([*names, os.fsdecode(b"latin1-\xe9.jpg")])


def test_the_folder_vanishing_pauses_the_watch_and_its_return_catches_up(
    tmp_path: Path, heard: Heard
) -> None:
    folder = tmp_path / "card" / "DCIM"
    folder.mkdir(parents=True)
    for watcher in watching(folder, heard):
        (folder / "1.jpg").write_bytes(JPEG)
        heard.until(lambda: heard.whole == ["1.jpg"])
        # The card is pulled: its mount goes, with no file deleted (deleting them,
        # as rmtree does, is news of its own: a path deleted and written again is
        # a new arrival, ingest.arrivals).
        (tmp_path / "card").rename(tmp_path / "pulled")
        heard.until(lambda: heard.states == [WatchState.PAUSED])
        assert watcher.state is WatchState.PAUSED
        assert "is gone" in heard.sentences[-1]
        # Meanwhile the camera kept writing to the card; it comes back, 1.jpg as it was.
        pulled = tmp_path / "pulled" / "DCIM"
        (pulled / "2.jpg").write_bytes(jpeg(b"2"))
        (pulled / "3.jpg").write_bytes(jpeg(b"3"))
        for i, name in enumerate(("2.jpg", "3.jpg")):
            past = time.time() - 60 + i
            os.utime(pulled / name, (past, past))
        (tmp_path / "pulled").rename(tmp_path / "card")
        heard.until(lambda: heard.states == [WatchState.PAUSED, WatchState.WATCHING])
        heard.until(lambda: heard.whole == ["1.jpg", "2.jpg", "3.jpg"])
        assert "is back" in heard.sentences[-1]
        (folder / "4.jpg").write_bytes(jpeg(b"4"))  # events work again
        heard.until(lambda: heard.whole[-1:] == ["4.jpg"])


def test_stop_returns_promptly_and_says_nothing_after(tmp_path: Path, heard: Heard) -> None:
    folder = tmp_path / "w"
    folder.mkdir()
    watcher = FolderWatcher(str(folder), heard)
    watcher.start()
    started = time.monotonic()
    watcher.stop()
    watcher.stop()  # idempotent
    assert time.monotonic() - started < 5
    assert not any(t.name == "curator-watch" and t.is_alive() for t in threading.enumerate())
    (folder / "late.jpg").write_bytes(JPEG)
    heard.quiet_for(0.3)
    assert heard.whole == []


def test_a_jpeg_without_its_end_marker_looks_cut(tmp_path: Path) -> None:
    whole, cut, padded, raw = (tmp_path / n for n in ("w.jpg", "c.jpg", "p.jpg", "r.nef"))
    whole.write_bytes(JPEG)
    cut.write_bytes(JPEG[:-10])
    padded.write_bytes(JPEG + b"\x00" * 30)
    raw.write_bytes(b"II*\x00" + b"\x01" * 100)
    assert not looks_cut(str(whole)) and looks_cut(str(cut)) and not looks_cut(str(padded))
    assert not looks_cut(str(raw)) and not looks_cut(str(tmp_path / "missing.jpg"))


def test_the_file_system_of_a_folder_is_read_from_the_mounts(tmp_path: Path) -> None:
    assert file_system_of(str(tmp_path)) != ""  # Linux: some type (ext4, overlay, tmpfs…)
