"""The stall watch (issue 51 §2): the real window on a 100,000-photo catalog,
on SQLite and on PostgreSQL (tests/pg_server.py's throwaway server), driven
through the catalog-wide actions a photographer takes, with
`stall_watch.StallWatch` on the UI thread. Reported per action: the longest
UI-thread stall (and how much of it was the app's own: the stall less the
time the UI thread waited for a CPU that another process held) and the time
until the result is shown.

The actions, in the order a cull runs: Cull ▸ Propose… on the whole catalog,
Least sure first, back to the grid, Cull ▸ Accept the Rest, Ctrl+Z (undo
the accept), Ctrl+Shift+Z (redo it), Uncertain first, a filter change
(Kept). "Shown" is what the photographer waits for: the status line's
sentence for a write or an order (the loupe on the new order), the grid's
new first rows for a filter. After each, the watch keeps going for
`SETTLE_S` so the work an action sets off after its result (the gallery's
re-read, the retrain's poke) is counted with it.

Run with ``make bench`` (or this file alone: about 3-5 minutes per backend
on 2 shared cores, most of it building the catalog, proposing and the
60,000-photo accept, undo and redo). Results go to the bench results folder
(stall_watch.json). Budget (DESIGN.md): no stall over 100 ms; the bench
reports and asserts only that every result was shown — the shared machine
has stalls of its own (`queued`), so the figures are read, not gated.

Measured (2 shared cores; longest stall / its own part, ms; result shown, s):
before issue 51's fixes, SQLite: accept the rest 2662 / 648 (12.8 s), undo
1672 / 692 (14.8 s), redo 2418 / 696 (12.1 s), propose 467 / 125;
PostgreSQL: accept 5095 / 2134 (the window's own accept coming back as
seat news, a dataChanged per row), uncertain first 3473 / 1683.
After, a quiet run: SQLite propose 57 / 55 (1.5 s), least sure first 0
(0.14 s), accept 76 / 51 (2.8 s), undo 90 / 88 (3.2 s), redo 52 / 50 (2.7 s),
uncertain first 0, filter 0; PostgreSQL propose 111 / 109 (blocked: the GIL),
least sure first 84 / 48, accept 219 / 129 (8.8 s: the loupe re-reading its
photo's row, `pair_info`, on the UI thread), undo 119 / 74 (17.7 s), redo
86 / 85 (16.9 s), uncertain first 71 / 27, filter 0. Under a load average
of 14 the same SQLite run's own parts stay under 100 ms; its whole stalls
(200-450 ms) are the UI thread waiting for a CPU.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.bench.results import merge_results
from tests.bench.stall_watch import StallWatch
from tests.bench.stall_watch_actions import Heard, prepare, second_half

pytestmark = pytest.mark.bench

RESULTS = "stall_watch.json"
N = int(os.environ.get("STALL_WATCH_N", "100000"))  # smaller for a quick look
SETTLE_S = 0.5
WAIT_MS = 600_000  # a PostgreSQL backup of 100,000 photos took 178 s under a load of 13
BUDGET_MS = 100
UNCERTAIN_SHOWN = ("Rating pass, most uncertain", "Most uncertain first:")


def _drive(
    qtbot: QtBot,
    watch: StallWatch,
    name: str,
    act: Callable[[], object],
    shown: Callable[[], bool],
    progress: Heard | None = None,
) -> dict[str, Any]:
    """Run `act`, wait until `shown()`, settle; the stalls meanwhile (and when
    `progress` first came, for an action that reports it)."""
    first = len(watch.stalls)
    started = time.perf_counter()
    act()
    qtbot.waitUntil(shown, timeout=WAIT_MS)
    shown_s = time.perf_counter() - started
    qtbot.wait(int(SETTLE_S * 1000))
    stalls = watch.stalls[first:]
    worst = max(stalls, key=lambda s: s.ms, default=None)
    figure = {
        "shown_s": round(shown_s, 3),
        "longest_stall_ms": 0 if worst is None else round(worst.ms),
        "its_own_ms": 0 if worst is None else round(worst.own_ms),
        "stalls_over_100_ms": sum(1 for s in stalls if s.ms > BUDGET_MS),
        "load_1m": round(os.getloadavg()[0], 1),  # the shared host's, beside the figures
    }
    if progress is not None and progress.first is not None:
        figure["progress_s"] = round(progress.first - started, 3)
    if worst is not None and worst.ms > BUDGET_MS:
        figure["split"] = worst.split()
        figure["stack"] = worst.top()
        if worst.worker_top():
            figure["worker"] = worst.worker_top()
    print(f"\n{name:22s} {figure}")
    return figure


def _measure(qtbot: QtBot, location: str | None, tmp: Path) -> dict[str, dict[str, Any]]:
    """The actions on the catalog at `location` (None: this test's SQLite file);
    the files of the XMP write and the export under `tmp`."""
    from curator.app import build_app
    from curator.catalog.db import Catalog
    from curator.catalog.proposals.plan import Scope
    from curator.catalog.types import GalleryFilter
    from curator.cull.tuning import CullTuning
    from curator.paths import resolve_paths
    from curator.settings import load_settings
    from tests.bench.gallery_catalog import populate

    paths = resolve_paths(location)
    with Catalog.open(paths.catalog_location) as cat:
        populate(cat, N)
        prepare(cat, tmp / "files")
    catalog = Catalog.open(paths.catalog_location)
    switch = sys.getswitchinterval()
    figures: dict[str, dict[str, Any]] = {}
    try:
        app = build_app(catalog, paths, load_settings(paths.settings_file))
        window, session = app.window, app.session
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.catalog_open and not app.model.rest_pending, timeout=60_000)
        status = window.statusBar().currentMessage
        actions = window.window_actions
        steps = session.steps
        assert steps is not None
        cull = window.cull
        watch = StallWatch().start()
        try:
            controller = cull.controller()

            def proposed() -> bool:
                return not controller.busy and status().startswith("Proposed")

            figures["propose"] = _drive(
                qtbot,
                watch,
                "propose (whole catalog)",
                lambda: controller.propose(Scope(), CullTuning()),
                proposed,
            )
            figures["least sure first"] = _drive(
                qtbot,
                watch,
                "least sure first",
                actions["least_sure_first"].trigger,
                lambda: status().startswith("Cull pass, least sure first"),
            )
            figures["to the grid"] = _drive(
                qtbot,
                watch,
                "to the grid",
                lambda: window.dispatch("grid"),
                lambda: not window.loupe_slot.showing(),
            )
            figures["accept the rest"] = _drive(
                qtbot,
                watch,
                "accept the rest",
                cull.accept_all,
                lambda: steps.idle and status().startswith("Accepted"),
            )
            figures["undo"] = _drive(
                qtbot,
                watch,
                "undo (the accept)",
                lambda: window.dispatch("undo"),
                lambda: steps.idle and status().startswith("Undone"),
            )
            figures["redo"] = _drive(
                qtbot,
                watch,
                "redo (the accept)",
                lambda: window.dispatch("redo"),
                lambda: steps.idle and status().startswith("Redone"),
            )
            figures["uncertain first"] = _drive(
                qtbot,
                watch,
                "uncertain first",
                actions["uncertain_first"].trigger,
                lambda: status().startswith(
                    ("Rating pass, most uncertain", "Most uncertain first:")
                ),
            )
            window.dispatch("grid")
            qtbot.wait(int(SETTLE_S * 1000))
            figures["filter: kept"] = _drive(
                qtbot,
                watch,
                "filter change (kept)",
                lambda: window.filter_bar.show_state(GalleryFilter.KEPT),
                lambda: app.model.filter is GalleryFilter.KEPT and app.model.rowCount() > 0,
            )
            for step in second_half(app, window, tmp / "out", qtbot):
                figures[step.key] = _drive(
                    qtbot, watch, step.label, step.act, step.shown, step.progress
                )
                if step.outcome is not None:
                    figures[step.key]["outcome"] = step.outcome()
                    print(f"  {step.outcome()}")
        finally:
            watch.stop()
        print("\n" + watch.report(5))
        app.shutdown()
        window.close()
    finally:
        sys.setswitchinterval(switch)
        catalog.close()
    assert len(figures) == 13
    return figures


@pytest.mark.timeout(1800)
def test_the_window_never_stalls_at_100000_photos_on_sqlite(qtbot: QtBot, tmp_path: Path) -> None:
    figures = _measure(qtbot, None, tmp_path)
    merge_results(RESULTS, {f"SQLite {N}": figures})


@pytest.mark.timeout(2400)
def test_the_window_never_stalls_at_100000_photos_on_postgresql(
    qtbot: QtBot, pg_server: Any, tmp_path: Path
) -> None:
    figures = _measure(qtbot, pg_server.url(pg_server.new_database()), tmp_path)
    merge_results(RESULTS, {f"PostgreSQL {N}": figures})
