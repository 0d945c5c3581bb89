"""Another seat's window for tests/ui/test_studio_windows.py (issue 43 §4): the
real app (`tests.ui.conftest.open_seat`, as `curator.app.main` opens it) in a
process of its own, so that a kill -9 of this seat leaves the other one
running.

Usage: python -m tests.ui.studio_window_child URL

The seat is what the environment says: CURATOR_HOME (its data folder: its
settings, and its own cache unless the settings' `cache_folder` names a
shared one), CURATOR_SEAT_USER / CURATOR_SEAT_HOST (its name in the decision
log), QT_QPA_PLATFORM (offscreen in the tests).

It talks in JSON lines. On stdout:
- `{"ready": CACHE_DIR}` once the window is shown and hears the other seats;
- `{"at": T, "rows": {ID: [CULL, RATING, TILE]}, "remade": N}` whenever what
  the grid holds changed: every photo's keep/reject and stars, and its tile's
  thumbnail as the grid would paint it (`[width, height, r, g, b]`, its mean
  colour; null while it has none: a grey tile), N the thumbnails this seat
  made again from the photos' files;
- `{"decided": [ID, KEY], "at": T}` once a key pressed on the loupe returned,
  T when its decision was committed (`ReviewSession` writes it at once and
  then says `photos_changed`).
T is `time.monotonic()`: one clock for every process of the machine, so the
parent reads how long a decision took to reach this seat.
On stdin, one command a line, `KEY ID` (KEY one of P X R U 0-5, or UNDO for
Ctrl+Z): the loupe on photo ID, then KEY pressed as a person presses it. End of input: the window
closes and the app shuts down.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.kill_session_child import KEYS  # the loupe's keys by letter


def say(line: dict[str, Any]) -> None:
    print(json.dumps(line), flush=True)


def tile(pixmap: QPixmap | None) -> list[int] | None:
    """A tile's thumbnail as `[width, height, r, g, b]` (its mean colour), or None."""
    if pixmap is None or pixmap.isNull():
        return None
    mean = pixmap.toImage().scaled(
        1, 1, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    colour = mean.pixelColor(0, 0)
    return [pixmap.width(), pixmap.height(), colour.red(), colour.green(), colour.blue()]


def main(url: str) -> int:
    qt_app = QApplication(sys.argv[:1])
    from tests.ui.conftest import open_seat

    app, catalog = open_seat(url)
    window, model = app.window, app.model
    window.resize(1100, 760)
    window.show()
    window.activateWindow()
    commands: list[tuple[str, int]] = []
    committed = [0.0]  # when the last decision was written (the session says so at once)
    app.session.photos_changed.connect(lambda _ids: committed.__setitem__(0, time.monotonic()))
    shown: list[str] = []

    def snapshot() -> None:
        rows: dict[int, list[Any]] = {}
        for r in range(model.rowCount()):
            row = model.photo_row(r)
            if row is not None:
                pixmap = model.data(model.index(r), Qt.ItemDataRole.DecorationRole)
                rows[row.id] = [row.cull, row.rating, tile(pixmap)]
        text = json.dumps(rows, sort_keys=True)
        if not shown or shown[-1] != text:
            shown[:] = [text]
            say({"at": time.monotonic(), "rows": rows, "remade": app.thumbnails.remade})

    def drive() -> None:
        """The head command once the loupe is on its photo and has the keyboard."""
        if not commands:
            return
        key, pid = commands[0]
        view = window.loupe.view
        if app.session.current != pid or window.stack.currentWidget() is not window.loupe:
            window.show_loupe(pid)
        if not view.hasFocus():
            view.setFocus()
            return  # the next tick, once the window is active
        commands.pop(0)
        if key == "UNDO":
            QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        else:
            QTest.keyClick(view, KEYS[key])
        say({"decided": [pid, key], "at": committed[0]})
        snapshot()

    unread = [b""]

    def read_commands() -> None:
        # os.read, not readline: what a buffered reader kept would never wake the notifier.
        data = os.read(sys.stdin.fileno(), 65536)
        if not data:
            notifier.setEnabled(False)
            window.close()
            qt_app.quit()
            return
        *lines, unread[0] = (unread[0] + data).split(b"\n")
        for line in lines:
            key, pid = line.decode().split()
            commands.append((key, int(pid)))

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(read_commands)
    # What the grid holds, said as soon as it changes (and checked again each tick).
    for signal in (model.dataChanged, model.rowsInserted, model.layoutChanged, model.modelReset):
        signal.connect(snapshot)
    tick = QTimer()
    tick.setInterval(20)
    tick.timeout.connect(drive)
    tick.timeout.connect(snapshot)

    def when_listening() -> None:
        if app.seats is None or not app.seats.listening:
            return
        ready.stop()
        say({"ready": str(app.thumbnails.cache_dir)})
        snapshot()
        tick.start()

    ready = QTimer()
    ready.setInterval(20)
    ready.timeout.connect(when_listening)
    ready.start()
    try:
        return int(qt_app.exec())
    finally:
        app.shutdown()
        catalog.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
