"""Fit-view detail on a large screen (issue 19 §2): how much of the detail a
2560-px-wide loupe could show does it show?

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). A 3600 × 2400
photo with sensor-like noise is imported; the loupe page is 2600 × 1700. The
baseline, computed in the same run, is the original itself area-averaged to
the fit size (the most detail that screen area can hold). Measured: the
Laplacian variance of the painted photo over the baseline's, for the screen
rendition (what fit paints now) and for the 1440 px preview scaled up (what
fit painted before). Results: fit-detail.json in the bench results folder
(tests/bench/results.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from tests.bench.results import results_path
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_photo
from tests.ui.loupe_harness import loupe_harness
from tests.ui.test_fit_rendition import _detail, _photo_pixels

pytestmark = pytest.mark.bench
W, H = 3600, 2400
RESULTS = results_path("fit-detail.json")


def test_fit_detail_against_the_downscaled_original(tmp_path: Path, qtbot: QtBot) -> None:
    lib = tmp_path / "large"
    lib.mkdir()
    make_photo(lib / "LARGE_0.jpg", 0, width=W, height=H)
    assert import_json(lib, "--stages", "technical")["new"] == 1
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        page.resize(2600, 1700)
        qtbot.waitUntil(lambda: view.painted_screen_rendition, timeout=120_000)
        painted = _photo_pixels(view)
        rendition = _detail(painted)
        view.fit_image = None
        view.repaint()
        preview = _detail(_photo_pixels(view))
    original = np.asarray(Image.open(lib / "LARGE_0.jpg").convert("L"))
    size = (painted.shape[1] + 4, painted.shape[0] + 4)  # _photo_pixels trims 2 px a side
    baseline = _detail(cv2.resize(original, size, interpolation=cv2.INTER_AREA)[2:-2, 2:-2])
    report = {
        "fit_long_edge_px": max(size),
        "rendition_over_downscaled_original": round(rendition / baseline, 3),
        "preview_scaled_up_over_downscaled_original": round(preview / baseline, 3),
    }
    print(f"\nfit detail: {report}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    assert report["rendition_over_downscaled_original"] > 0.9
