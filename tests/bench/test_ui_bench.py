"""UI benchmark: key press → next photo painted in the loupe, with and without
prefetch, and with the histogram on (H overlay and side panel; computed off the
UI thread), over the camera fixtures' real 1440 px previews.

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). The loupe
page is driven by real key clicks; each step times the key click (decision
path + show) plus a synchronous repaint of the view. With prefetch the next
preview is waited for *before* the key (a user reading a photo gives it that
time); without prefetch (`prefetch = 0`) the time until the preview itself is
painted is measured, decode included. Budget (docs/product.md): ≤ 16 ms p95 with
prefetch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.ui.gallery.listing import preview_key
from tests.bench.results import write_results
from tests.bench.stall_watch import main_thread_schedstat
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import running_app

pytestmark = pytest.mark.bench
ROUNDS = 200


@pytest.fixture
def fixture_app(qtbot: QtBot, fixtures_dir: Path) -> Iterator[App]:
    import_json(fixtures_dir / "jpeg", "--stages", "technical")
    with running_app(qtbot, 1600, 1000) as app:
        yield app


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run(
    app: App,
    qtbot: QtBot,
    *,
    prefetch: int,
    histogram: bool = False,
    cpu: list[float] | None = None,
    own: list[float] | None = None,
) -> list[float]:
    """Key → painted timings. `histogram`: the H overlay (and the panel's) on; the
    previous photo's analysis is left to finish first, as a reading user gives it.
    `cpu` collects the UI thread's CPU time of each step (load on other cores and
    processes does not count in it: the number to compare on a busy machine).
    `own` collects each step's wall time less the time the UI thread was
    runnable but another task had its core (stall_watch's schedstat):
    the wait the app itself made, the GIL and I/O included."""
    loupe = app.window.loupe
    loupe.prefetch = prefetch
    view = loupe.view
    app.window.show_loupe()
    qtbot.waitUntil(view.hasFocus)
    if histogram != loupe.tools.histogram_overlay:
        qtbot.keyClick(view, Qt.Key.Key_H)
    timings: list[float] = []
    for i in range(ROUNDS):
        key = Qt.Key.Key_Right if (i // (len(app.session.order) - 1)) % 2 == 0 else Qt.Key.Key_Left
        nxt = app.session.order[app.session.index + (1 if key == Qt.Key.Key_Right else -1)]
        row = loupe.row(nxt)
        pkey = None if row is None else preview_key(row)
        if prefetch and pkey is not None:
            qtbot.waitUntil(lambda pkey=pkey: loupe.previews.pixmap(pkey) is not None)
        elif pkey is not None:
            loupe.previews._pixmaps.pop(pkey, None)  # cold: nothing decoded ahead
        if histogram and app.session.current is not None:
            qtbot.waitUntil(lambda: loupe.tools.current_analysis() is not None, timeout=10_000)
        t0, c0, q0 = time.perf_counter(), time.thread_time(), main_thread_schedstat()[1]
        qtbot.keyClick(view, key)
        if pkey is not None and not view.is_preview:
            qtbot.waitUntil(lambda: view.is_preview, timeout=5000)
        view.repaint()
        timings.append((time.perf_counter() - t0) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - c0) * 1000)
        if own is not None:
            own.append(timings[-1] - (main_thread_schedstat()[1] - q0))
        assert view.painted_photo_id == nxt
    return timings


def test_key_to_next_photo_painted(fixture_app: App, qtbot: QtBot) -> None:
    cpu_plain: list[float] = []
    cpu_histogram: list[float] = []
    own_plain: list[float] = []
    own_histogram: list[float] = []
    _run(fixture_app, qtbot, prefetch=2)  # warm-up: caches, first paints
    with_prefetch = _run(fixture_app, qtbot, prefetch=2, cpu=cpu_plain, own=own_plain)
    with_histogram = _run(
        fixture_app, qtbot, prefetch=2, histogram=True, cpu=cpu_histogram, own=own_histogram
    )
    without = _run(fixture_app, qtbot, prefetch=0)
    for name, t in (
        ("prefetch ±2", with_prefetch),
        ("prefetch ±2, histogram on", with_histogram),
        ("no prefetch", without),
    ):
        print(f"\nkey → painted, {name}: p50 {_pct(t, 0.5):.1f} ms, p95 {_pct(t, 0.95):.1f} ms")
    for what, name, t in (
        ("UI-thread CPU", "prefetch ±2", cpu_plain),
        ("UI-thread CPU", "prefetch ±2, histogram on", cpu_histogram),
        ("less the run-queue wait", "prefetch ±2", own_plain),
        ("less the run-queue wait", "prefetch ±2, histogram on", own_histogram),
    ):
        print(f"\n{what} per key, {name}: p50 {_pct(t, 0.5):.1f} ms, p95 {_pct(t, 0.95):.1f} ms")
    assert _pct(with_prefetch, 0.95) <= 16.0
    assert _pct(with_histogram, 0.95) <= 16.0


def test_histogram_arrives_soon_after_the_photo(fixture_app: App, qtbot: QtBot) -> None:
    """Key → the new photo's histogram painted (computed off the UI thread): not a
    budget of the key path, which never waits for it; reported so it stays sane."""
    loupe = fixture_app.window.loupe
    view, tools = loupe.view, loupe.tools
    fixture_app.window.show_loupe()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_H)
    timings: list[float] = []
    for i in range(40):
        key = (
            Qt.Key.Key_Right
            if (i // (len(fixture_app.session.order) - 1)) % 2 == 0
            else Qt.Key.Key_Left
        )
        qtbot.waitUntil(lambda: tools.current_analysis() is not None, timeout=10_000)
        t0 = time.perf_counter()
        qtbot.keyClick(view, key)
        qtbot.waitUntil(lambda: tools.current_analysis() is not None, timeout=10_000)
        view.repaint()
        timings.append((time.perf_counter() - t0) * 1000)
    print(
        f"\nkey → histogram painted: p50 {_pct(timings, 0.5):.0f} ms, "
        f"p95 {_pct(timings, 0.95):.0f} ms"
    )
    assert _pct(timings, 0.5) <= 1000


BARE_QT_SCRIPT = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
qt_app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 820); w.show()
def check():
    print("shown", 1, "torch", "torch" in sys.modules, "open_clip", False, "ms", 0)
    qt_app.quit()
QTimer.singleShot(0, check)
sys.exit(qt_app.exec())
"""
# Both scripts say their own CPU time (user + system, interpreter start
# included) on the line before "shown": the number that a loaded machine
# disturbs least (other processes' work on the other core does not count).
_CPU_LINE = (
    "import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); "
    "print('cpu', round((_u.ru_utime + _u.ru_stime) * 1000), flush=True)\n    "
)
LAUNCH_RATIO = 3.0  # issue 21 §1: the window <= 3x a bare PySide window, from process start


# "Shown" is the first paint event of the window, not the first turn of the
# event loop after show(): that turn comes before the first paint, so it could
# not see work that runs before the paint (or is moved after it). The windows
# close on the turn after it.
_AT_FIRST_PAINT = """
from PySide6.QtCore import QEvent as _QEvent, QObject as _QObject
class _FirstPaint(_QObject):
    seen = False
    def eventFilter(self, obj, event):
        if not self.seen and event.type() == _QEvent.Type.Paint:
            self.seen = True
            check()
        return False
_first_paint = _FirstPaint()
qt_app.installEventFilter(_first_paint)
"""


def _probe(script: str) -> str:
    script = script.replace("QTimer.singleShot(0, check)\n", _AT_FIRST_PAINT, 1)
    script = script.replace(
        "qt_app.closeAllWindows()", "QTimer.singleShot(0, qt_app.closeAllWindows)"
    )
    script = script.replace("qt_app.quit()", "QTimer.singleShot(0, qt_app.quit)")
    return script.replace('print("shown"', _CPU_LINE + 'print("shown"', 1)


def _launch(script: str, catalog: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall ms from spawning the interpreter to the window shown, the process's
    CPU ms by then, the "shown" line)."""
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _probe(script), str(catalog)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line, cpu = "", float("nan")
    for line in proc.stdout:
        if line.startswith("cpu"):
            cpu = float(line.split()[1])
        if line.startswith("shown"):
            break
    elapsed = (time.perf_counter() - start) * 1000
    proc.wait(120)
    return elapsed, cpu, line


def _launch_env(tmp_path: Path) -> dict[str, str]:
    """Offscreen, with compiled bytecode cached outside the checkout as an
    installed app has it (the shell here may set PYTHONDONTWRITEBYTECODE, which
    would charge every start-up the compilation of every module)."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"))
    return env


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


@pytest.mark.bench
def test_launch_to_window_shown(tmp_path: Path) -> None:
    """Launch → window shown, ours against a bare PySide window measured in the
    same run, alternating, on an empty catalog and on 100,000 photos."""
    import os

    from curator.catalog.db import Catalog
    from tests.bench.gallery_catalog import populate
    from tests.ui.test_window import STARTUP_SCRIPT

    env = _launch_env(tmp_path)
    empty, big = tmp_path / "empty.sqlite", tmp_path / "big.sqlite"
    cat = Catalog.open(big)
    populate(cat)
    cat.close()
    for catalog in (empty, big):  # compile the bytecode, warm the OS file cache; untimed
        _launch(STARTUP_SCRIPT, catalog, env)
    _launch(BARE_QT_SCRIPT, empty, env)
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "ours 100k": [], "bare": []}
    for _ in range(5):
        for name, script, catalog in (
            ("ours", STARTUP_SCRIPT, empty),
            ("bare", BARE_QT_SCRIPT, empty),
            ("ours 100k", STARTUP_SCRIPT, big),
        ):
            ms, cpu, line = _launch(script, catalog, env)
            fields = line.split()
            assert fields[1] == "1" and fields[3] == "False" and fields[5] == "False", line
            runs[name].append((ms, cpu))
    wall = {k: _median([w for w, _ in v]) for k, v in runs.items()}
    cpu = {k: _median([c for _, c in v]) for k, v in runs.items()}
    load = os.getloadavg()[0]
    print(
        f"\nlaunch -> window shown (process start included; median of 5, load {load:.1f} on "
        f"{os.cpu_count()} cores): bare PySide window {wall['bare']:.0f} ms wall / "
        f"{cpu['bare']:.0f} ms CPU; ours {wall['ours']:.0f} ms / {cpu['ours']:.0f} ms "
        f"(CPU ratio {cpu['ours'] / cpu['bare']:.2f}, wall ratio "
        f"{wall['ours'] / wall['bare']:.2f}); on 100,000 photos {wall['ours 100k']:.0f} ms / "
        f"{cpu['ours 100k']:.0f} ms CPU (+{100 * (cpu['ours 100k'] / cpu['ours'] - 1):.0f} % "
        f"CPU over the empty catalog); torch not imported"
    )
    write_results("launch.json", {"wall_ms": wall, "cpu_ms": cpu, "load": load, "runs": runs})
    assert max(w for w, _ in runs["ours"]) <= 1500, runs["ours"]
    assert cpu["ours 100k"] <= 1.25 * cpu["ours"], cpu  # the first paint waits for no id list
    assert cpu["ours"] <= LAUNCH_RATIO * cpu["bare"], cpu
