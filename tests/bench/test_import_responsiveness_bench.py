"""The loupe during an import (issue 19 §1): key → painted p95 ≤ 33 ms and the
UI thread never stalls more than 50 ms while 400 new photos are quick-looked
and measured.

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). The real app
(1600 × 1000) over a catalog of 60 measured photos, in the loupe. A timer
posts a → key every 120 ms (a brisk culler) as a real key event, queued like
the user's, and the time from posting to the next photo painted is recorded
— so a key that waits behind work on the UI thread counts its wait. A 5 ms
timer records the UI thread's stalls (gaps over 50 ms). Baseline, in the same
run: the same keys with no import. Then the same during an import of 400 new
files. Results to import-responsiveness.json in the bench results folder (tests/bench/results.py).

Measured when written (issue 19 branch, 2-core machine shared by others):
the stalls came from the stages' catalog writes on the UI thread
(StageRunner's apply: a 32-photo technical batch 150-400 ms, a 16-look quick
look write 55-250 ms): p95 541 ms, 50 stalls, longest 977 ms (baseline p95
40 ms). With the writes on the pipeline's writer thread: p95 145 ms, 40
stalls, longest 182 ms — the two decoding children then took both cores
from the UI thread; with them at a lower priority (DECODER_NICENESS) the
keys during the import paint as fast as the baseline's (p95 35-40 ms, 0-2
stalls), on a machine whose baseline p95 is 27-42 ms. The bench asserts
nothing (the shared machine's own stalls exceed the budget now and then):
it prints.

Since issue 19 §1's last pass the keys go on until the whole import has
ended (its last phases used to fall after the 60 keys), and a stall
detector (`tests/bench/stall_watch.py`) prints where the UI thread was in
each stall over 50 ms. It found, at the end of the technical stage, the
missing-marking and the embed / describe `skipped` writes with the
embedder's import (55-75 ms), and during the keys the filmstrip's row
reads (one query per frame, 64-96 ms), the loupe's clip-fraction query
(69-78 ms) and the Problems panel's reload at the run's end (58 ms) — all
moved off the UI thread or batched. Nine interleaved runs each (the "after"
runs over the last three commits of that pass), same
machine (load 3-5 on 2 cores): import p95 median 46 → 38 ms (range 37-74
→ 27-68), stalls > 50 ms median 6 → 1 (longest 58-190 → 0-146 ms; what is
left is paint events stretched by the busy cores, no Curator code sampled).

Since then the stall detector splits each stall by the kernel's scheduler
statistics (ran / queued for a CPU / blocked), and each key's latency is
also reported less the time its UI thread was runnable but another task
had the core ("own"): on the shared host most of a stall was the run queue,
and most of the rest the UI thread asleep on the GIL while pool threads ran
Python. The GUI now hands the GIL over after 1 ms, not 5 (app.py's
UI_SWITCH_INTERVAL_S). Three interleaved pairs, load 2.6-4.9: import key →
paint p95 55/49/81 → 47/40/43 ms, own p95 29/30/42 → 26/29/21 ms (budget
33), blocked ms in stalls 103/87/512 → 58/28/37, own stalls over 50 ms
0/0/1 → 0/0/0. ("Queued" counts every other runnable task: the app's own
threads too, not only other processes.)

Then the changed rows were read off the UI thread (ui/gallery/stale_rows.py)
and the pipeline's writer, planning and embedding threads were put 5 nice
levels below the UI thread (engine/thread_priority.py: the writer used ~2.3
s of CPU during the import, as much as the UI thread, at the same priority).
Three interleaved pairs on a quiet machine (load 0.9-1.5, the bench alone),
without → with the lower priority: import key → paint p95 51/38/38 →
42/31/33 ms, own p95 40/25/30 → 28/21/27 ms, stalls over 50 ms 4/1/1 →
0/0/0 (baseline p95 20-22 ms).

Then py-spy --gil showed the writer thread still holding the GIL for ~1/5
of the run, nearly all of it peewee building SQL in Python per photo (two
60-column SELECTs, a 60-column UPDATE, the stage row, the quick look's
INSERT): those statements are now strings made once (catalog/writer.py,
catalog/quicklook.py), and the writer's technical apply went from 2,030 to
529 ms of CPU for 460 outcomes. Each key now also reports "ran" (the UI
thread on a CPU; own less ran is the time it slept, mostly on the GIL).
Four interleaved pairs, load 2.6-3.9 (two other engineers' benches running),
before → after: import key → paint p95 38/63/39/68 → 22/29/36/49 ms, own p95
26/41/29/36 → 16/17/21/25 ms, stalls over 50 ms 2/11/2/11 → 0/1/0/4 (none
of them the app's own), baseline p95 23-45 ms.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.app import App
from tests.bench.results import results_path
from tests.bench.stall_watch import StallWatch, main_thread_schedstat
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_library, running_app

pytestmark = pytest.mark.bench
KEYS = 60
RESULTS = results_path("import-responsiveness.json")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


@pytest.fixture
def culling(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[App, Path]]:
    make_library(tmp_path / "shot", 60)
    assert import_json(tmp_path / "shot", "--stages", "technical")["new"] == 60
    make_library(tmp_path / "more", 400, first=1000)
    with running_app(qtbot, 1600, 1000) as app:
        app.window.show_loupe()
        qtbot.waitUntil(app.window.loupe.view.hasFocus, timeout=30_000)
        yield app, tmp_path / "more"


@dataclass(frozen=True)
class _Keys:
    """Per key, posted → painted: `latencies` (wall ms), `own` (less the time
    the UI thread was runnable but another task had the core: its work plus
    its sleeps, the GIL's included), `ran` (the UI thread on a CPU: own less
    ran is the time it slept); `stalls` are the UI thread's gaps > 50 ms."""

    latencies: list[float]
    stalls: list[float]
    own: list[float]
    ran: list[float]

    def percentiles(self, values: list[float]) -> dict[str, float]:
        return {"p50": _pct(values, 0.5), "p95": _pct(values, 0.95)}


def _drive(app: App, qtbot: QtBot, keys: int, until: Callable[[], bool] = lambda: True) -> _Keys:
    """`_Keys` for `keys` posted → keys, and on until `until()` holds (e.g.
    the import has ended)."""
    view = app.window.loupe.view
    clock = QElapsedTimer()
    clock.start()
    latencies: list[float] = []
    stalls: list[float] = []
    posted: list[float] = []
    sched_at: list[tuple[float, float]] = []  # the UI thread's (ran, queued) ms at each posting
    own: list[float] = []
    ran: list[float] = []
    last = [clock.elapsed()]
    painted = [view.painted_photo_id]

    def tick() -> None:
        now = clock.elapsed()
        if now - last[0] > 50:
            stalls.append(float(now - last[0]))
        last[0] = now
        if view.painted_photo_id != painted[0] and posted:
            painted[0] = view.painted_photo_id
            latencies.append(now - posted.pop(0))
            (ran_now, queued_now), (ran_then, queued_then) = main_thread_schedstat(), sched_at[0]
            del sched_at[0]
            own.append(latencies[-1] - (queued_now - queued_then))
            ran.append(ran_now - ran_then)

    def press() -> None:
        if (len(latencies) + len(posted) >= keys and until()) or posted:
            return
        if app.session.index + 1 >= len(app.session.order):
            app.session.go_to(app.session.order[0])
            painted[0] = None
            return
        posted.append(float(clock.elapsed()))
        sched_at.append(main_thread_schedstat())
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.postEvent(view, QKeyEvent(kind, Qt.Key.Key_Right, Qt.KeyboardModifier(0)))

    monitor, keyer = QTimer(), QTimer()
    monitor.setInterval(5)
    monitor.timeout.connect(tick)
    keyer.setInterval(120)
    keyer.timeout.connect(press)
    monitor.start()
    keyer.start()
    qtbot.waitUntil(lambda: len(latencies) >= keys and until(), timeout=900_000)
    monitor.stop()
    keyer.stop()
    return _Keys(latencies, stalls, own, ran)


@pytest.mark.timeout(1800)
def test_keys_during_an_import(culling: tuple[App, Path], qtbot: QtBot) -> None:
    app, more = culling
    base = _drive(app, qtbot, KEYS)
    start = time.perf_counter()
    watch = StallWatch().start()
    assert app.window.start_import(str(more))
    # Keys until the whole import has ended (quick look, technical, the end of
    # the technical stage, XMP, embed + describe, score), not just its start.
    during = _drive(app, qtbot, KEYS, until=lambda: not app.pipeline.running)
    watch.stop()
    report = {
        "baseline_key_to_paint_ms": base.percentiles(base.latencies),
        "baseline_stalls_over_50ms": len(base.stalls),
        "import_key_to_paint_ms": during.percentiles(during.latencies),
        # Less the time another task had the UI thread's core (stall_watch).
        "baseline_own_key_to_paint_ms": base.percentiles(base.own),
        "import_own_key_to_paint_ms": during.percentiles(during.own),
        # Of that, the UI thread on a CPU (the rest of "own" it slept: the GIL).
        "baseline_ran_key_to_paint_ms": base.percentiles(base.ran),
        "import_ran_key_to_paint_ms": during.percentiles(during.ran),
        "import_stalls_over_50ms": len(during.stalls),
        "import_longest_stall_ms": max(during.stalls, default=0.0),
        # The same stalls less the time the UI thread was runnable but another
        # task had the core (stall_watch's split).
        "import_own_stalls_over_50ms": sum(s.own_ms > 50 for s in watch.stalls),
        "import_longest_own_stall_ms": round(max((s.own_ms for s in watch.stalls), default=0), 1),
        "import_stall_queued_ms_total": round(sum(s.queued_ms for s in watch.stalls), 1),
        "import_stall_blocked_ms_total": round(sum(s.blocked_ms for s in watch.stalls), 1),
        "import_keys": len(during.latencies),
        "import_seconds": round(time.perf_counter() - start, 1),
        "phases": [str(p) for p in app.pipeline.service.phase_history],
    }
    print(f"\nimport responsiveness: {json.dumps(report, indent=1)}")
    print(f"UI-thread stalls over 50 ms during the import, longest first:\n{watch.report()}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
