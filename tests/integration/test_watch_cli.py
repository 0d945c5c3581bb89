"""`curator watch FOLDER` (issue 75): a real subprocess watching a folder the
test writes into as a camera would — renamed from `.part`, written slowly in
chunks, a RAW after its JPEG, the same picture twice, a broken file, a
hostile name — each frame arrives once, `curator list --json` shows it once;
Ctrl+C and SIGTERM stop it cleanly; killed with SIGKILL and started again,
every frame that landed is in the catalog exactly once; the folder vanishing
pauses it and its return catches up; a full catalog disk is a sentence and
the watch goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.imaging_helpers import make_dng, make_jpeg
from tests.integration.cli_helpers import list_json
from tests.integration.watch_helpers import (
    WatchProcess,
    copy_in,
    write_slowly,
    write_then_rename,
)

WHEN = datetime(2024, 5, 6, 7, 8, 9)


@pytest.fixture
def studio(tmp_path: Path) -> Path:
    """Frames made before the shoot, to be written into the watched folder."""
    made = tmp_path / "camera"
    made.mkdir()
    for i in range(12):
        at = WHEN + timedelta(seconds=i)
        make_jpeg(made / f"IMG_{i:04d}.JPG", 160, 120, captured_at=at, pattern="texture")
    make_dng(made / "DSC0001.DNG", 64, 48, captured_at=WHEN)
    make_jpeg(made / "DSC0001.JPG", 64, 48, captured_at=WHEN, pattern="texture")
    return made


@pytest.fixture
def tether(tmp_path: Path) -> Path:
    folder = tmp_path / "tether"
    folder.mkdir()
    return folder


@pytest.fixture
def watch(tether: Path, curator_home: Path) -> Iterator[WatchProcess]:
    proc = WatchProcess(tether).watching()
    try:
        yield proc
    finally:
        if proc.proc.poll() is None:
            proc.kill()


def _listed_names() -> Counter[str]:
    return Counter(Path(p["path"]).name for p in list_json())


def test_frames_written_as_cameras_write_them_arrive_once_each(
    watch: WatchProcess, tether: Path, studio: Path
) -> None:
    write_then_rename(tether / "IMG_0000.JPG", (studio / "IMG_0000.JPG").read_bytes())
    write_slowly(tether / "IMG_0001.JPG", (studio / "IMG_0001.JPG").read_bytes())
    dated = tether / "2024-05-06"
    dated.mkdir()  # a tethering app's dated folder
    copy_in(studio / "IMG_0002.JPG", dated / "IMG_0002.JPG")
    copy_in(studio / "DSC0001.JPG", tether / "DSC0001.JPG")
    watch.until(lambda: "DSC0001.JPG" in watch.names())
    copy_in(studio / "DSC0001.DNG", tether / "DSC0001.DNG")  # its RAW, a moment later
    copy_in(studio / "IMG_0000.JPG", dated / "again.jpg")  # the same picture twice
    (tether / "broken.jpg").write_bytes(b"\xff\xd8 not a photo")  # cut: taken once settled
    hostile = "new\nline -rf $(x).jpg"
    copy_in(studio / "IMG_0003.JPG", tether / hostile)
    expected = {
        "IMG_0000.JPG",
        "IMG_0001.JPG",
        "IMG_0002.JPG",
        "DSC0001.JPG",
        "DSC0001.DNG",
        "again.jpg",
        "broken.jpg",
        hostile,
    }
    watch.until(lambda: set(watch.names()) == expected)
    assert watch.stop() == 0
    assert Counter(watch.names()) == Counter(expected)  # each once
    status = {os.path.basename(a["path"]): a for a in watch.arrivals}
    assert status["again.jpg"]["status"] == "duplicate"
    assert status["again.jpg"]["photo_id"] == status["IMG_0000.JPG"]["photo_id"]
    assert status["broken.jpg"]["status"] == "failed" and status["broken.jpg"]["reason"]
    assert status["IMG_0000.JPG"]["status"] == "new"
    assert status["IMG_0000.JPG"]["measured_s"] >= (status["IMG_0000.JPG"]["tile_s"] or 0)
    raw = status["DSC0001.DNG"]["photo_id"]
    assert status["DSC0001.JPG"]["photo_id"] != raw
    assert any("Stopped watching" in s and "8 arrived" in s for s in watch.sentences)
    listed = _listed_names()
    # The pair is one photo (its RAW leads); the copy is a second path of one photo.
    assert listed == Counter(expected - {"again.jpg", "DSC0001.JPG"})


def test_sigterm_stops_it_cleanly(watch: WatchProcess, tether: Path, studio: Path) -> None:
    copy_in(studio / "IMG_0004.JPG", tether / "IMG_0004.JPG")
    watch.until(lambda: watch.names() == ["IMG_0004.JPG"])
    assert watch.stop(signal.SIGTERM) == 0
    assert any("1 arrived" in s for s in watch.sentences)


def test_killed_during_a_watch_and_started_again_every_frame_is_in_once(
    tether: Path, studio: Path, curator_home: Path
) -> None:
    first = WatchProcess(tether).watching()
    frames = sorted(studio.glob("IMG_*.JPG"))
    for frame in frames[:4]:
        copy_in(frame, tether / frame.name)
    first.until(lambda: len(first.arrivals) >= 2)

    def camera() -> None:  # still shooting as it dies: renamed from .part, or slow
        for i, frame in enumerate(frames[4:8]):
            data = frame.read_bytes()
            if i % 2:
                write_slowly(tether / frame.name, data, chunks=3, pause_s=0.15)
            else:
                write_then_rename(tether / frame.name, data)

    shooting = threading.Thread(target=camera)
    shooting.start()
    while not (tether / frames[5].name).exists():  # mid-way through the second frame
        time.sleep(0.01)
    first.kill()  # SIGKILL: no handler runs
    assert first.proc.returncode == -signal.SIGKILL
    shooting.join()
    for frame in frames[8:]:
        copy_in(frame, tether / frame.name)  # landed while Curator was not running
    second = WatchProcess(tether).watching()
    try:
        second.until(lambda: sum(_listed_names().values()) == len(frames))
        assert second.stop() == 0
    finally:
        if second.proc.poll() is None:
            second.kill()
    assert _listed_names() == Counter(f.name for f in frames)
    again = WatchProcess(tether).watching()  # a third start: nothing new arrives
    assert again.stop() == 0
    assert again.arrivals == [] and any("0 arrived" in s for s in again.sentences)


def test_the_folder_vanishing_pauses_the_watch_and_its_return_catches_up(
    tmp_path: Path, studio: Path, curator_home: Path
) -> None:
    card = tmp_path / "card"
    folder = card / "DCIM"
    folder.mkdir(parents=True)
    proc = WatchProcess(folder).watching()
    try:
        copy_in(studio / "IMG_0005.JPG", folder / "IMG_0005.JPG")
        proc.until(lambda: proc.names() == ["IMG_0005.JPG"])
        card.rename(tmp_path / "pulled")  # the card is pulled (the reader's mount goes)
        proc.until(lambda: any("is gone" in s for s in proc.sentences))
        copy_in(studio / "IMG_0006.JPG", tmp_path / "pulled" / "DCIM" / "IMG_0006.JPG")
        (tmp_path / "pulled").rename(card)  # and put back, with a frame more
        proc.until(lambda: proc.names() == ["IMG_0005.JPG", "IMG_0006.JPG"])
        assert any("is back" in s for s in proc.sentences)
        assert proc.stop() == 0
    finally:
        if proc.proc.poll() is None:
            proc.kill()


def test_a_folder_that_is_not_there_is_a_usage_error(tmp_path: Path, curator_home: Path) -> None:
    proc = WatchProcess(tmp_path / "nowhere")
    assert proc.exited() == 2
    assert any("folder not found" in s for s in proc.sentences), proc.sentences


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


def test_a_full_catalog_disk_is_a_sentence_and_the_watch_goes_on(
    tmp_path: Path, studio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("no tmpfs here")
    try:
        monkeypatch.setenv("CURATOR_HOME", str(disk / "home"))
        folder = tmp_path / "tether"
        folder.mkdir()
        proc = WatchProcess(folder).watching()
        try:
            copy_in(studio / "IMG_0007.JPG", folder / "IMG_0007.JPG")
            proc.until(lambda: proc.names() == ["IMG_0007.JPG"])
            filler = disk / "filler"
            # The disk fills up (another app's video, say). Unbuffered: a buffered
            # file's close flushes what the full disk refused, and raises there.
            with filler.open("wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * (1 << 20))
                except OSError:
                    pass
            for name in ("IMG_0008.JPG", "IMG_0009.JPG"):
                copy_in(studio / name, folder / name)
            proc.until(lambda: any("goes on" in s for s in proc.sentences))
            assert any("full" in s for s in proc.sentences), proc.sentences
            filler.unlink()  # room again: the frames that waited come in
            proc.until(
                lambda: set(proc.names()) == {"IMG_0007.JPG", "IMG_0008.JPG", "IMG_0009.JPG"}
            )
            assert proc.stop() == 0
        finally:
            if proc.proc.poll() is None:
                proc.kill()
        assert _listed_names() == Counter({"IMG_0007.JPG": 1, "IMG_0008.JPG": 1, "IMG_0009.JPG": 1})
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
