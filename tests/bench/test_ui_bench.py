"""UI benchmark: key press → next photo painted in the loupe, with and without
prefetch, over the camera fixtures' real 1440 px previews.

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). The loupe
page is driven by real key clicks; each step times the key click (decision
path + show) plus a synchronous repaint of the view. With prefetch the next
preview is waited for *before* the key (a user reading a photo gives it that
time); without prefetch (`prefetch = 0`) the time until the preview itself is
painted is measured, decode included. Budget (DESIGN.md): ≤ 16 ms p95 with
prefetch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App, build_app
from curator.catalog.db import Catalog
from curator.paths import resolve_paths
from curator.settings import load_settings
from curator.ui.gallery_model import preview_key
from tests.integration.cli_helpers import import_json

pytestmark = pytest.mark.bench
ROUNDS = 200


@pytest.fixture
def fixture_app(qtbot: QtBot, fixtures_dir: Path) -> Iterator[App]:
    import_json(fixtures_dir / "jpeg", "--stages", "technical")
    paths = resolve_paths()
    catalog = Catalog.open(paths.catalog)
    app = build_app(catalog, paths, load_settings(paths.settings_file))
    qtbot.addWidget(app.window)
    app.window.resize(1600, 1000)
    app.window.show()
    qtbot.waitExposed(app.window)
    try:
        yield app
    finally:
        app.shutdown()
        app.window.close()
        catalog.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run(app: App, qtbot: QtBot, *, prefetch: int) -> list[float]:
    loupe = app.window.loupe
    loupe.prefetch = prefetch
    view = loupe.view
    app.window.show_loupe()
    qtbot.waitUntil(view.hasFocus)
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
        t0 = time.perf_counter()
        qtbot.keyClick(view, key)
        if pkey is not None and not view.is_preview:
            qtbot.waitUntil(lambda: view.is_preview, timeout=5000)
        view.repaint()
        timings.append((time.perf_counter() - t0) * 1000)
        assert view.painted_photo_id == nxt
    return timings


def test_key_to_next_photo_painted(fixture_app: App, qtbot: QtBot) -> None:
    with_prefetch = _run(fixture_app, qtbot, prefetch=2)
    without = _run(fixture_app, qtbot, prefetch=0)
    for name, t in (("prefetch ±2", with_prefetch), ("no prefetch", without)):
        print(f"\nkey → painted, {name}: p50 {_pct(t, 0.5):.1f} ms, p95 {_pct(t, 0.95):.1f} ms")
    assert _pct(with_prefetch, 0.95) <= 16.0
