"""The studio in real windows (issue 43 §4): two seats' windows on one
PostgreSQL catalog, each a process of its own with its own data folder and
seat name. Seat A is this process's window (`running_app`), seat B the real
app in tests/ui/studio_window_child.py, driven by key presses and telling
what its grid holds.

- Seat A imports; seat B's grid fills with the photos AND their thumbnails:
  with its own cache (the default) it makes them again from the photos'
  files (imaging/rebuild.py, in decoder children), with a shared
  `cache_folder` it reads seat A's;
- a decision made at A shows at B and one made at B shows at A (the time from
  the key press to the other window is printed and recorded: the ≤ 1 s budget is the bench's,
  tests/bench/test_studio_windows_bench.py);
- seat B killed with SIGKILL right after its decisions were acknowledged, and
  started again: every one is in the catalog and shown in both windows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Decision
from curator.imaging.rebuild import entry_state
from curator.settings import save_changes
from tests.integration.cli_helpers import REPO
from tests.ui.conftest import make_library, running_app
from tests.ui.kill_session_child import KEYS
from tests.ui.studio_window_child import tile

WAIT_MS = 60_000  # a window's start, an import and a rebuild on a busy 2-core machine
SEEN_MS = 15_000  # a decision travels well within 1 s; a busy CI machine gets slack
N = 8
TOLERANCE = 24  # a thumbnail's mean colour, made again by another seat's decoder


class SeatWindow:
    """Seat B: its window in a process of its own, its lines read on a thread."""

    def __init__(
        self, url: str, home: Path, log: IO[str], seat: dict[str, str] | None = None
    ) -> None:
        """`seat`: its name in the decision log (default another person's seat;
        `{}`: this process's photographer, on this machine: another window)."""
        if seat is None:
            seat = {"CURATOR_SEAT_USER": "assistant", "CURATOR_SEAT_HOST": "seat-b"}
        env = {**os.environ, "CURATOR_HOME": str(home), **seat}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.studio_window_child", url],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        self.lines: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(json.loads(line))

    def wait_ready(self, qtbot: QtBot) -> Path:
        qtbot.waitUntil(
            lambda: bool(self.said("ready")) or self.proc.poll() is not None, timeout=WAIT_MS
        )
        assert self.proc.poll() is None, "seat B's window ended"
        return Path(self.said("ready")[0]["ready"])

    def said(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in list(self.lines) if kind in line]

    def rows(self) -> dict[int, list[Any]]:
        """Each photo as seat B's grid shows it now: [cull, rating, tile]."""
        shown = self.said("rows")
        return {} if not shown else {int(k): v for k, v in shown[-1]["rows"].items()}

    def first_seen(self, test: Callable[[dict[int, list[Any]]], bool]) -> float | None:
        """When seat B's grid first showed what `test` looks for (time.monotonic)."""
        for line in self.said("rows"):
            if test({int(k): v for k, v in line["rows"].items()}):
                return float(line["at"])
        return None

    def press(self, key: str, photo_id: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{key} {photo_id}\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(30) == -signal.SIGKILL

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.close()  # the window closes and the app shuts down
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _shown(app: App) -> dict[int, tuple[str, int | None]]:
    model = app.model
    rows = (model.photo_row(r) for r in range(model.rowCount()))
    return {row.id: (row.cull, row.rating) for row in rows if row is not None}


def _press(app: App, qtbot: QtBot, key: str, photo_id: int) -> float:
    """Seat A's loupe on the photo, the key pressed; when it was pressed. (Not when
    `photos_changed` said the write: seat B can see the commit before seat A's
    signal is delivered, a trip of -7 ms on a busy machine.)"""
    app.window.show_loupe(photo_id)
    view = app.window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus() and app.session.current == photo_id, timeout=WAIT_MS)
    committed: list[float] = []

    def note(_ids: list[int]) -> None:
        committed.append(time.monotonic())

    app.session.photos_changed.connect(note)  # said at once after the write
    pressed = time.monotonic()
    try:
        qtbot.keyClick(view, KEYS[key])
    finally:
        app.session.photos_changed.disconnect(note)
    assert committed, "the key decided nothing"
    return pressed


def _a_sees(app: App, qtbot: QtBot, photo_id: int, state: tuple[str, int | None]) -> float:
    """When seat A's grid showed `state` for the photo (polled)."""
    seen: list[float] = []

    def shows() -> bool:
        if not seen and _shown(app).get(photo_id) == state:
            seen.append(time.monotonic())
        return bool(seen)

    qtbot.waitUntil(shows, timeout=SEEN_MS)
    return seen[0]


def _b_sees(seat: SeatWindow, qtbot: QtBot, photo_id: int, state: list[Any]) -> float:
    def test(rows: dict[int, list[Any]]) -> bool:
        return rows.get(photo_id, [None, None])[:2] == state

    qtbot.waitUntil(lambda: seat.first_seen(test) is not None, timeout=SEEN_MS)
    return float(seat.first_seen(test) or 0.0)


def _acknowledged(seat: SeatWindow, count: int, qtbot: QtBot) -> list[float]:
    qtbot.waitUntil(lambda: len(seat.said("decided")) >= count, timeout=WAIT_MS)
    return [float(line["at"]) for line in seat.said("decided")[:count]]


def _decisions_of(user: str) -> list[tuple[int, str, str]]:
    rows = Decision.select().where(Decision.seat_user == user).order_by(Decision.id)
    return [(int(d.photo_id), str(d.kind), str(d.new_value)) for d in rows]


def _b_fills(app: App, seat: SeatWindow, qtbot: QtBot, lib: Path, cache_b: Path) -> float:
    """A imports `lib`; B's grid gets every photo, each tile the photo's own
    thumbnail (its size and colour as A's); how long that took from the start."""
    start = time.monotonic()
    with qtbot.waitSignal(app.pipeline.finished, timeout=WAIT_MS):
        assert app.window.start_import(str(lib))
    model = app.model
    assert model.rowCount() == N

    def filled(rows: dict[int, list[Any]]) -> bool:
        return len(rows) == N and all(r[2] for r in rows.values())

    qtbot.waitUntil(lambda: filled(seat.rows()), timeout=WAIT_MS)
    for r in range(N):
        row = model.photo_row(r)
        assert row is not None and row.thumbnail_key is not None
        ours = tile(model.data(model.index(r), Qt.ItemDataRole.DecorationRole))
        theirs = seat.rows()[row.id][2]
        assert ours is not None and theirs[:2] == ours[:2], (ours, theirs)
        assert all(abs(a - b) <= TOLERANCE for a, b in zip(ours[2:], theirs[2:], strict=True))
        assert entry_state(cache_b, row.thumbnail_key) == "ok"
    return float(seat.first_seen(filled) or 0.0) - start


def studio_session(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    tmp_path: Path,
    home_a: Path,
    cache: str,
) -> dict[str, list[float]]:
    """Seat A (this process, data folder `home_a`) and seat B's window on the
    catalog at `url`, each with its own cache (`cache` "own") or one shared
    `cache_folder` ("shared"), through the module docstring's steps; the
    figures: how long B's grid took to fill, and each decision's trip."""
    monkeypatch.setenv("CURATOR_SEAT_USER", "lead")  # seat A's name; B's is the child's
    monkeypatch.setenv("CURATOR_SEAT_HOST", "seat-a")
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")  # no describer to wait for
    home_b, shared = tmp_path / "seat-b", tmp_path / "studio-previews"
    if cache == "shared":
        for home in (home_a, home_b):
            save_changes(home / "settings.json", {"cache_folder": str(shared)})
    lib = tmp_path / "shoot"
    make_library(lib, N)
    figures: dict[str, list[float]] = {"b_filled_s": [], "a_to_b_ms": [], "b_to_a_ms": []}
    with running_app(qtbot, location=url) as app, open(tmp_path / "seat-b.log", "w") as log:
        seat = SeatWindow(url, home_b, log)
        try:
            cache_b = seat.wait_ready(qtbot)
            assert cache_b == (shared if cache == "shared" else home_b / "cache")
            assert app.thumbnails.cache_dir == (shared if cache == "shared" else home_a / "cache")

            # (a) A imports; B's grid gets every photo, each tile its real thumbnail.
            figures["b_filled_s"].append(_b_fills(app, seat, qtbot, lib, cache_b))
            ids = app.model.ids
            remade = seat.said("rows")[-1]["remade"]
            if cache == "own":  # B made them again from the files, in its own cache
                assert remade >= N
            else:  # B read A's: nothing made again, nothing in B's own folder
                assert remade == 0 and not (home_b / "cache" / "thumbs").exists()

            # (b) A's decisions reach B, B's reach A.
            for key, pid, state in (("X", ids[1], ["rejected", None]), ("5", ids[2], ["kept", 5])):
                done = _press(app, qtbot, key, pid)
                figures["a_to_b_ms"].append((_b_sees(seat, qtbot, pid, state) - done) * 1000)
            for key, pid, want in (("X", ids[3], ("rejected", None)), ("4", ids[4], ("kept", 4))):
                count, pressed = len(seat.said("decided")) + 1, time.monotonic()
                seat.press(key, pid)
                _acknowledged(seat, count, qtbot)
                figures["b_to_a_ms"].append((_a_sees(app, qtbot, pid, want) - pressed) * 1000)

            # (c) B decides again and is killed right after the acknowledgements.
            for key, pid in (("P", ids[5]), ("X", ids[6]), ("3", ids[7])):
                seat.press(key, pid)
            _acknowledged(seat, 5, qtbot)
            seat.kill()
        finally:
            seat.close()
        told = {
            ids[3]: ("rejected", None),
            ids[4]: ("kept", 4),
            ids[5]: ("kept", None),
            ids[6]: ("rejected", None),
            ids[7]: ("kept", 3),
        }
        assert _decisions_of("assistant") == [
            (ids[3], "cull", "rejected"),
            (ids[4], "rating", "4"),
            (ids[4], "cull", "kept"),
            (ids[5], "cull", "kept"),
            (ids[6], "cull", "rejected"),
            (ids[7], "rating", "3"),
            (ids[7], "cull", "kept"),
        ]
        for pid, state in told.items():
            _a_sees(app, qtbot, pid, state)
        again = SeatWindow(url, home_b, log)  # B started again: nothing lost
        try:
            again.wait_ready(qtbot)
            want = {**told, ids[1]: ("rejected", None), ids[2]: ("kept", 5)}
            qtbot.waitUntil(
                lambda: {p: tuple(again.rows().get(p, [None, None])[:2]) for p in want} == want,
                timeout=WAIT_MS,
            )
            app.window.show_gallery()  # A's own decisions reach its grid as it shows again
            everything = {**dict.fromkeys(ids, ("unreviewed", None)), **want}
            qtbot.waitUntil(lambda: _shown(app) == everything, timeout=SEEN_MS)
        finally:
            again.close()
    return figures


@pytest.mark.parametrize("cache", ["own", "shared"])
def test_two_windows_one_catalog(
    cache: str,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    pg_url: str,
    tmp_path: Path,
    curator_home: Path,
    record_property: Callable[[str, object], None],
) -> None:
    figures = studio_session(qtbot, monkeypatch, pg_url, tmp_path, curator_home, cache)
    for name, values in figures.items():
        record_property(name, [round(v, 3) for v in values])
    print(f"\n{cache} cache: {figures}")
    trips = figures["a_to_b_ms"] + figures["b_to_a_ms"]
    assert len(trips) == 4 and all(0 <= ms <= SEEN_MS for ms in trips)
