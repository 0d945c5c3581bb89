"""A watch's backup (`ingest.live_backup`, issue 75 §5): each whole frame copied
by the card ingest to the backup folder — verified, named by the templates, a
RAW after its JPEG keeping the JPEG's name, never over a file — held frames
not copied twice (a restart copies just what was missed), and its faults as
sentences: the folder gone and back, a copy that does not verify."""

from __future__ import annotations

import errno
import os
import queue
from datetime import datetime
from pathlib import Path

import pytest

from curator.ingest import copy as copy_module
from curator.ingest.arrivals import Whole
from curator.ingest.journal import JOURNAL_NAME, read_journal
from curator.ingest.live_backup import (
    BackupNews,
    BackupStatus,
    LiveBackup,
    backup_problem,
    fault_sentence,
    unread_sentence,
)
from curator.ingest.types import FileFailure, IngestRequest
from tests.imaging_helpers import make_dng, make_jpeg

WHEN = datetime(2024, 5, 6, 7, 8, 9)
RENAME = "{date:%Y%m%d}-{seq}"
WAIT_S = 30.0


class Backup:
    """A `LiveBackup` whose news the test takes in order."""

    def __init__(self, folder: Path, dest: Path, rename: str = RENAME, retry_s: float = 60.0):
        self.news: queue.SimpleQueue[BackupNews] = queue.SimpleQueue()
        request = IngestRequest(str(folder), str(dest), rename=rename, subfolder="{date:%Y}")
        self.backup = LiveBackup(request, self.news.put, retry_s=retry_s)
        self.backup.start()

    def land(self, *paths: Path) -> BackupNews:
        """These files handed over whole; the news of their batch."""
        self.backup.take(Whole(str(p), p.stat().st_size, p.stat().st_mtime_ns, 0.0) for p in paths)
        return self.next()

    def next(self) -> BackupNews:
        return self.news.get(timeout=WAIT_S)

    def close(self) -> BackupNews:
        self.backup.close()
        while not (news := self.next()).ended:
            pass
        return news


@pytest.fixture
def shoot(tmp_path: Path) -> tuple[Path, Path]:
    folder, dest = tmp_path / "tether", tmp_path / "backup"
    folder.mkdir()
    return folder, dest


def _frame(folder: Path, name: str, seconds: int = 0) -> Path:
    path = folder / name
    at = WHEN.replace(second=seconds)
    if name.upper().endswith(".DNG"):
        make_dng(path, 64, 48, captured_at=at)
    else:
        make_jpeg(path, 64, 48, captured_at=at, pattern="texture")
    return path


def _copies(dest: Path) -> list[str]:
    return sorted(
        p.relative_to(dest).as_posix()
        for p in dest.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def test_each_frame_is_copied_verified_named_and_never_copied_twice(
    shoot: tuple[Path, Path],
) -> None:
    folder, dest = shoot
    one = _frame(folder, "IMG_0001.JPG", 1)
    backup = Backup(folder, dest)
    news = backup.land(one)
    [backed] = news.backed
    assert backed.status is BackupStatus.COPIED and backed.path == str(one)
    assert backed.copy == str(dest / "2024" / "20240506-0001.JPG")
    assert Path(backed.copy).read_bytes() == one.read_bytes()
    assert news.owed == 0 and news.sentences == ()
    # The RAW of a pair lands later: it takes its JPEG's name, not the next {seq}.
    raw = _frame(folder, "IMG_0001.DNG", 1)
    two = _frame(folder, "IMG_0002.JPG", 2)
    news = backup.land(raw, two)
    assert [(Path(b.path).name, b.status, Path(b.copy or "").name) for b in news.backed] == [
        ("IMG_0001.DNG", BackupStatus.COPIED, "20240506-0001.DNG"),
        ("IMG_0002.JPG", BackupStatus.COPIED, "20240506-0002.JPG"),
    ]
    assert backup.close().owed == 0
    assert _copies(dest) == [
        "2024/20240506-0001.DNG",
        "2024/20240506-0001.JPG",
        "2024/20240506-0002.JPG",
    ]
    assert (dest / "2024" / "20240506-0001.DNG").read_bytes() == raw.read_bytes()
    # Started again (a restart's rescan hands everything over): nothing is copied again.
    lines = (dest / JOURNAL_NAME).read_text().count("\n")
    again = Backup(folder, dest)
    news = again.land(one, raw, two)
    assert {b.status for b in news.backed} == {BackupStatus.HELD}
    assert [Path(b.copy or "").name for b in news.backed] == [
        "20240506-0001.JPG",
        "20240506-0001.DNG",
        "20240506-0002.JPG",
    ]
    again.close()
    assert (dest / JOURNAL_NAME).read_text().count("\n") == lines
    assert len(_copies(dest)) == 3


def test_a_name_taken_by_another_file_is_never_overwritten(shoot: tuple[Path, Path]) -> None:
    folder, dest = shoot
    one = _frame(folder, "IMG_0001.JPG", 1)
    (dest / "2024").mkdir(parents=True)
    (dest / "2024" / "IMG_0001.JPG").write_bytes(b"someone else's file")
    backup = Backup(folder, dest, rename="{original}")
    [backed] = backup.land(one).backed
    backup.close()
    assert backed.status is BackupStatus.COPIED
    assert backed.copy == str(dest / "2024" / "IMG_0001-2.JPG")
    assert (dest / "2024" / "IMG_0001.JPG").read_bytes() == b"someone else's file"


def test_the_backup_folder_gone_is_waited_for_and_caught_up(shoot: tuple[Path, Path]) -> None:
    folder, dest = shoot
    backup = Backup(folder, dest, retry_s=0.2)
    first = _frame(folder, "IMG_0001.JPG", 1)
    assert backup.land(first).backed[0].status is BackupStatus.COPIED
    away = dest.with_name("unplugged")
    dest.rename(away)  # the disk is unplugged
    second = _frame(folder, "IMG_0002.JPG", 2)
    news = backup.land(second)
    [backed] = news.backed
    assert backed.status is BackupStatus.FAILED and backed.copy is None
    said = fault_sentence(str(dest), errno.ENOENT)
    assert news.sentences == (said,) and backed.reason == said
    assert "is gone" in said and news.owed == 1
    assert not dest.exists()  # never made again in its place
    news = backup.next()  # tried again: still gone, said once
    assert news.sentences == () and news.backed[0].status is BackupStatus.FAILED
    away.rename(dest)  # plugged in again
    while (news := backup.next()).backed[0].status is BackupStatus.FAILED:
        pass
    assert news.backed[0].status is BackupStatus.COPIED and news.owed == 0
    assert news.sentences == (f"The backup folder {dest} takes copies again.",)
    backup.close()
    assert _copies(dest) == ["2024/20240506-0001.JPG", "2024/20240506-0002.JPG"]


def test_a_copy_that_does_not_verify_is_not_kept_and_is_tried_again(
    shoot: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, dest = shoot
    frame = _frame(folder, "IMG_0001.JPG", 1)
    monkeypatch.setattr(copy_module, "verify", lambda _path, _hash: False)
    backup = Backup(folder, dest)
    news = backup.land(frame)
    [backed] = news.backed
    assert backed.status is BackupStatus.FAILED
    assert "IMG_0001.JPG" in backed.reason and "verification failed" in backed.reason
    assert news.sentences == (backed.reason,) and news.owed == 1
    assert _copies(dest) == [] and not any(
        p.name.startswith(".curator-tmp") for p in dest.iterdir()
    )
    monkeypatch.undo()
    second = _frame(folder, "IMG_0002.JPG", 2)
    news = backup.land(second)  # the next batch takes the owed frame first
    assert [b.status for b in news.backed] == [BackupStatus.COPIED, BackupStatus.COPIED]
    backup.close()
    assert frame.read_bytes() == (dest / "2024" / "20240506-0001.JPG").read_bytes()


def test_a_frame_gone_before_it_was_read_is_let_go(shoot: tuple[Path, Path]) -> None:
    folder, dest = shoot
    frame = _frame(folder, "IMG_0001.JPG", 1)
    whole = Whole(str(frame), frame.stat().st_size, frame.stat().st_mtime_ns, 0.0)
    frame.unlink()
    backup = Backup(folder, dest)
    backup.backup.take([whole])
    news = backup.next()
    assert news.backed[0].status is BackupStatus.FAILED and news.owed == 0
    assert news.backed[0].reason == (
        "IMG_0001.JPG was not backed up: it left the watched folder before it was read "
        "(a new file there is a new arrival)"
    )  # a watched folder's words, not the card ingest's
    assert backup.close().owed == 0


def test_the_original_is_never_modified(shoot: tuple[Path, Path]) -> None:
    folder, dest = shoot
    frame = _frame(folder, "IMG_0001.JPG", 1)
    before = (frame.read_bytes(), frame.stat().st_mtime_ns, os.stat(folder).st_mtime_ns)
    backup = Backup(folder, dest)
    backup.land(frame)
    backup.close()
    assert (frame.read_bytes(), frame.stat().st_mtime_ns, os.stat(folder).st_mtime_ns) == before
    journal = read_journal(dest)
    assert [e.source for e in journal.present.values()] == ["IMG_0001.JPG"]


def test_what_a_backup_cannot_be_is_said_before_the_watch(tmp_path: Path) -> None:
    folder = tmp_path / "tether"
    folder.mkdir()
    ok = backup_problem(str(folder), str(tmp_path / "backup"), "{original}", "{date:%Y}")
    assert ok is None
    assert backup_problem(str(folder), " ", "{original}", "") == (
        "Choose the folder each frame is copied to."
    )
    inside = backup_problem(str(folder), str(folder / "copies"), "{original}", "")
    assert inside is not None and "inside the watched folder" in inside
    around = backup_problem(str(folder), str(tmp_path), "{original}", "")
    assert around is not None and "is inside the backup" in around
    (tmp_path / "file").write_text("x")
    assert backup_problem(str(folder), str(tmp_path / "file"), "{original}", "") == (
        f"The backup {tmp_path / 'file'} is a file, not a folder."
    )
    bad = backup_problem(str(folder), str(tmp_path / "backup"), "{nope}", "")
    assert bad is not None and "unknown token {nope}" in bad


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "is full"),
        (errno.EROFS, "read-only disk"),
        (errno.EACCES, "permission denied"),
        (errno.ENOENT, "is gone"),
        (errno.EIO, "the disk may be gone"),
        (errno.ENAMETOOLONG, "File name too long"),
    ],
)
def test_fault_sentences_say_what_is_wrong_and_that_the_frames_wait(code: int, words: str) -> None:
    said = fault_sentence("/backup", code)
    assert words in said and "/backup" in said
    assert said.endswith("the frames not yet backed up are copied once it can take them.")


def test_a_restart_copies_what_a_killed_watch_had_not(shoot: tuple[Path, Path]) -> None:
    folder, dest = shoot
    frames = [_frame(folder, f"IMG_{i:04d}.JPG", i) for i in range(1, 4)]
    first = Backup(folder, dest)
    first.land(frames[0])
    first.backup.cancel()  # killed: the other two landed, never backed up
    again = Backup(folder, dest)
    news = again.land(*frames)
    assert [b.status for b in news.backed] == [
        BackupStatus.HELD,
        BackupStatus.COPIED,
        BackupStatus.COPIED,
    ]
    again.close()
    assert _copies(dest) == [f"2024/20240506-000{i}.JPG" for i in range(1, 4)]


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        (
            errno.EACCES,
            "Curator may not read this file on the card (permission denied).",
            "Curator may not read it (permission denied)",
        ),
        (
            errno.EIO,
            "The card could not be read here (Input/output error): …",
            "it could not be read (Input/output error)",
        ),
        (errno.EINVAL, "It is a FIFO, not a photo file.", "It is a FIFO, not a photo file."),
    ],
)
def test_a_frame_that_could_not_be_read_is_said_of_the_watched_folder(
    code: int, reason: str, words: str
) -> None:
    said = unread_sentence("IMG_0001.JPG", FileFailure("IMG_0001.JPG", reason, errno=code))
    assert said == f"IMG_0001.JPG was not backed up: {words}"
    assert "card" not in said
