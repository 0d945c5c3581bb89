"""The stall watch on opening a catalog that needs a migration (issue 51 §1, §2):
the real window (`app.main`) on a catalog one migration behind, with
`stall_watch.StallWatch` on the UI thread. Reported: the longest UI-thread
stall while the catalog was backed up and migrated, the longest until the
grid showed, the time until the first progress sentence and until the
catalog was open — and, as the baseline measured in the same run, how long
the same open took when it ran on the UI thread (`Catalog.open` on a copy of
the same file: the freeze the window showed before, as one stall).

The catalog is tests/bench/gallery_catalog.py's (realistic rows, tags,
scores), then taken one migration back: what the latest migration made is
dropped and `user_version` lowered, so the open backs it up and migrates it
as it would a catalog an older Curator left.

Run alone: ``pytest tests/bench/test_opening_upgrade_bench.py -m bench -s``
(CURATOR_BENCH_UPGRADE_N photos, 100,000 by default; building the catalog is
most of the time). Results go to the bench results folder
(stall_watch_upgrade.json). Budget (DESIGN.md): no stall over 100 ms while
the catalog upgrades; the shared machine has stalls of its own, so the
figures are reported, and the bench asserts only that the catalog opened
migrated and that the longest stall during the upgrade is a small part of
the baseline's freeze.

Measured (2 shared cores, load average 13 from other sessions' tests):
100,000 photos (146.9 MB, from schema 24): the same open on the UI thread
took 1.01 s (the baseline: one 1 s freeze); in the window the backup ran from
0.99 s to 1.62 s after start with the longest UI-thread stall meanwhile 0 ms,
and the grid showed at 3.4 s. The stalls until then (1.4 s at worst: the tag
list's `gallery_tags` read in `refresh_filter_choices`, 1.07 s of it queued
for a CPU; the loupe page's imports) are the open catalog's first reads,
not the upgrade's. 20,000 photos (28.6 MB): 0.32 s baseline, 0 ms during
the upgrade. The stepped copy costs nothing measurable: 103 MB in 0.60-0.64 s
in steps of 1024 pages, 0.63-0.74 s in one step.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.bench.results import merge_results
from tests.bench.stall_watch import StallWatch

pytestmark = pytest.mark.bench

RESULTS = "stall_watch_upgrade.json"
N = int(os.environ.get("CURATOR_BENCH_UPGRADE_N", "100000"))


def _one_migration_back(path: Path) -> int:
    """Drop what the latest migration made (its tables, indexes, columns) and
    lower `user_version` below it; the version it is at now."""
    from curator.catalog.migrations import MIGRATIONS

    last = MIGRATIONS[-1]
    con = sqlite3.connect(path)
    try:
        for statement in reversed(last.statements):
            if made := re.match(r'\s*CREATE TABLE "?(\w+)"?', statement):
                con.execute(f'DROP TABLE "{made.group(1)}"')
            elif made := re.match(r'\s*CREATE (?:UNIQUE )?INDEX "?(\w+)"?', statement):
                con.execute(f'DROP INDEX IF EXISTS "{made.group(1)}"')
            elif made := re.match(r'\s*ALTER TABLE "?(\w+)"? ADD COLUMN "?(\w+)"?', statement):
                con.execute(f'ALTER TABLE "{made.group(1)}" DROP COLUMN "{made.group(2)}"')
            elif re.match(r"\s*UPDATE ", statement):
                continue  # a value counted again from the rows beside it: nothing to undo
            else:
                pytest.skip(f"can't undo migration {last.version}'s statement: {statement[:60]}")
        previous = MIGRATIONS[-2].version
        con.execute(f"PRAGMA user_version = {previous}")
        con.commit()
    finally:
        con.close()
    return previous


def _old_catalog(folder: Path) -> tuple[Path, int]:
    from curator.catalog.db import Catalog
    from tests.bench.gallery_catalog import populate

    path = folder / "old.sqlite"
    with Catalog.open(path) as cat:
        populate(cat, N)
    return path, _one_migration_back(path)


def _baseline(old: Path, folder: Path) -> float:
    """Seconds the open took on the UI thread before: backup, migrations, all."""
    from curator.catalog.db import Catalog

    copy = folder / "baseline" / "cat.sqlite"
    copy.parent.mkdir()
    shutil.copy(old, copy)
    started = time.perf_counter()
    Catalog.open(copy, bind=False).close()
    return time.perf_counter() - started


def test_opening_a_catalog_that_needs_a_migration_never_stalls_the_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator import app as app_module
    from curator.catalog.migrations import LATEST_VERSION
    from curator.ui.window.main_window import MainWindow

    old, version = _old_catalog(tmp_path)
    size = old.stat().st_size
    baseline_s = _baseline(old, tmp_path)
    path = tmp_path / "window" / "cat.sqlite"
    path.parent.mkdir()
    shutil.copy(old, path)
    monkeypatch.setattr(app_module, "show_fatal", lambda message: pytest.fail(message))
    marks: dict[str, tuple[float, int]] = {}  # what was seen: (seconds in, stalls so far)
    watch = StallWatch()
    started = time.perf_counter()

    def mark(name: str) -> None:
        marks.setdefault(name, (time.perf_counter() - started, len(watch.stalls)))

    def said(text: str) -> None:
        if text.startswith("Backing up the catalog before updating it"):
            mark("progress")
        elif text == "Updating the catalog…":
            mark("updating")

    def attach() -> None:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        window.status_line.messageChanged.connect(said)
        close_when_shown(window)

    def close_when_shown(window: MainWindow) -> None:
        if window.catalog_open and not window.model.rest_pending:
            mark("open")
            window.close()
        elif window.isVisible():
            QTimer.singleShot(5, window, lambda: close_when_shown(window))

    watch.start()
    QTimer.singleShot(0, attach)
    try:
        assert app_module.main(["--catalog", str(path)]) == app_module.EXIT_OK
    finally:
        watch.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    finally:
        con.close()
    assert {"progress", "updating", "open"} <= set(marks), marks
    upgrade_stalls = watch.stalls[marks["progress"][1] : marks["updating"][1]]
    opening_stalls = watch.stalls[: marks["open"][1]]
    worst_upgrade = max((s.ms for s in upgrade_stalls), default=0.0)
    worst_opening = max(opening_stalls, key=lambda s: s.ms, default=None)
    figures: dict[str, Any] = {
        "photos": N,
        "catalog_mb": round(size / 1e6, 1),
        "from_version": version,
        "baseline_open_on_ui_thread_s": round(baseline_s, 3),
        "first_progress_s": round(marks["progress"][0], 3),
        "backup_done_s": round(marks["updating"][0], 3),
        "grid_shown_s": round(marks["open"][0], 3),
        "longest_stall_during_upgrade_ms": round(worst_upgrade),
        "longest_stall_until_shown_ms": 0 if worst_opening is None else round(worst_opening.ms),
        "stalls_over_100_ms_until_shown": sum(1 for s in opening_stalls if s.ms > 100),
    }
    if worst_opening is not None and worst_opening.ms > 100:
        figures["worst_split"] = worst_opening.split()
        figures["worst_stack"] = worst_opening.top()
    print(f"\nopen needing a migration: {figures}\n{watch.report(5)}")
    merge_results(RESULTS, {f"SQLite {N}": figures})
    # The freeze is gone: the longest stall while it upgrades is a small part
    # of the time the same open held the UI thread before (a ratio against the
    # baseline of this run, never a fixed time: the machine is shared).
    assert worst_upgrade < 0.5 * baseline_s * 1000, figures
