"""A studio seat watching a folder writes into the shared PostgreSQL catalog
(issue 75 §6), and another seat hears each frame arrive, once, as a new
photo (LISTEN/NOTIFY, the studio's own path: catalog/backends/listen.py)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from curator.catalog.backends.listen import SeatListener
from curator.catalog.db import Catalog
from tests.imaging_helpers import make_jpeg
from tests.integration.watch_helpers import WatchProcess, copy_in

WHEN = datetime(2024, 5, 6, 7, 8, 9)
FRAMES = 4


def test_frames_a_seat_watches_in_reach_the_other_seats(
    pg_url: str, tmp_path: Path, curator_home: Path
) -> None:
    camera = tmp_path / "camera"
    camera.mkdir()
    for i in range(FRAMES):
        at = WHEN + timedelta(seconds=i)
        make_jpeg(camera / f"IMG_{i:04d}.JPG", 160, 120, captured_at=at, pattern="texture")
    tether = tmp_path / "tether"
    tether.mkdir()
    with Catalog.open(pg_url) as cat:  # the other seat: this process, listening
        listener = SeatListener(cat.db.location, cat.db.own_backends)
        listener.listen_now()
        watch = WatchProcess(tether, "--catalog", pg_url).watching()
        try:
            heard: dict[int, float] = {}
            for frame in sorted(camera.iterdir()):
                copy_in(frame, tether / frame.name)
                time.sleep(0.5)  # the camera's pace: two frames a second
            deadline = time.monotonic() + 120
            while len(watch.arrivals) < FRAMES or not set(_ids(watch)) <= set(heard):
                assert time.monotonic() < deadline, (watch.arrivals, heard, watch.sentences)
                news = listener.poll(0.25)
                if news is not None:
                    for pid in news.added:
                        heard.setdefault(pid, news.received_at)
                watch.pump()
            assert watch.stop() == 0
        finally:
            listener.close()
            if watch.proc.poll() is None:
                watch.kill()
    assert sorted(_ids(watch)) == sorted(heard)  # every frame heard once, as new
    assert [a["status"] for a in watch.arrivals] == ["new"] * FRAMES


def _ids(watch: WatchProcess) -> list[int]:
    return [int(a["photo_id"]) for a in watch.arrivals]
