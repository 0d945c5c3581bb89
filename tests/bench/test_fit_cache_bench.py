"""Time to a sharp fit view, cold vs cached (issue 19 §2): the screen
rendition is cached on disk, so after a restart the same photo's fit view
needs no decode of the original.

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). A 6000 × 4000
photo (24 MP, sensor-like noise) is imported; the loupe page is 2600 × 1700.
Measured, each from the page's resize to the rendition painted: the first
open (the original decoded, then cached) — the baseline — and, in a second
loupe over the same catalog (a restart), the cached one. Results:
fit-cache.json in the bench results folder (tests/bench/results.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.bench.results import results_path
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_photo
from tests.ui.loupe_harness import loupe_harness

pytestmark = pytest.mark.bench
W, H = 6000, 4000
RESULTS = results_path("fit-cache.json")


def _time_to_sharp_fit(qtbot: QtBot) -> tuple[float, int]:
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        qtbot.waitUntil(lambda: view.is_preview, timeout=60_000)
        start = time.perf_counter()
        page.resize(2600, 1700)
        qtbot.waitUntil(lambda: view.painted_screen_rendition, timeout=120_000)
        return time.perf_counter() - start, page.renditions.cache_hits


def test_fit_view_cold_against_cached(tmp_path: Path, qtbot: QtBot) -> None:
    lib = tmp_path / "large"
    lib.mkdir()
    make_photo(lib / "LARGE_0.jpg", 0, width=W, height=H)
    assert import_json(lib, "--stages", "technical")["new"] == 1
    cold, cold_hits = _time_to_sharp_fit(qtbot)
    cached, cached_hits = _time_to_sharp_fit(qtbot)
    assert (cold_hits, cached_hits) == (0, 1)
    report = {
        "photo_px": [W, H],
        "cold_s": round(cold, 3),
        "cached_s": round(cached, 3),
        "cached_over_cold": round(cached / cold, 3),
    }
    print(f"\nfit view, time to the sharp rendition: {report}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    assert report["cached_over_cold"] < 0.8
