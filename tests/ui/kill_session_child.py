"""Child process for test_window_kill: the real app on a prepared catalog, a
scripted keyboard session on the loupe, then a readiness file — and the
parent SIGKILLs this process right after.

Usage: python -m tests.ui.kill_session_child READY_FILE KEYS
(CURATOR_HOME in the environment names the catalog's home; KEYS is a string
of loupe keys such as "PXP3"). The readiness file (written atomically) holds
the pass order's photo ids, so the parent knows which photo got which key.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

KEYS = {
    "P": Qt.Key.Key_P,
    "X": Qt.Key.Key_X,
    "R": Qt.Key.Key_R,
    "U": Qt.Key.Key_U,
    **{str(n): getattr(Qt.Key, f"Key_{n}") for n in range(6)},
}


def main(ready_file: str, keys: str) -> int:
    qt_app = QApplication(sys.argv[:1])
    from curator.app import build_app
    from curator.catalog.db import Catalog
    from curator.paths import resolve_paths
    from curator.settings import load_settings

    paths = resolve_paths()
    catalog = Catalog.open(paths.catalog)
    app = build_app(catalog, paths, load_settings(paths.settings_file))
    app.window.show()
    app.window.activateWindow()
    app.window.show_loupe()
    view = app.window.loupe.view
    order = list(app.session.order)
    poll = QTimer()
    poll.setInterval(20)

    def drive() -> None:
        if not view.hasFocus():
            view.setFocus()
            return  # the next tick, once the window is active
        poll.stop()
        for key in keys:
            QTest.keyClick(view, KEYS[key])
        tmp = ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"order": order, "current": app.session.current}, f)
        os.replace(tmp, ready_file)  # the parent kills us as soon as it sees this

    poll.timeout.connect(drive)
    poll.start()
    return int(qt_app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
