"""The viewing tools on real camera JPEGs (the fixtures): the clipping overlay
marks the clipped chandelier of canon_sx60_hdr_NO and nothing on a frame
without clipping; compare zooms an iPhone HDR pair (3264 × 2448) together."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from pytestqt.qtbot import QtBot

from curator.imaging.histogram import HIGHLIGHT_RGBA
from curator.ui.loupe.preview_analysis import qimage_rgb
from tests.integration.cli_helpers import import_json
from tests.ui.loupe_harness import Harness, clip_fractions, loupe_harness, photo_ids_by_name


@pytest.fixture
def cameras(fixtures_dir: Path) -> Path:
    folder = fixtures_dir / "jpeg"
    result = import_json(folder, "--stages", "technical")
    assert result["new"] >= 18, result
    return folder


def _walk(h: Harness, qtbot: QtBot, names: list[str]) -> list[int]:
    ids = photo_ids_by_name()
    pids = [ids[n] for n in names]
    h.session.set_scope(pids, "test")
    h.session.start(h.session.pass_, at_photo=pids[0])
    qtbot.waitUntil(lambda: h.page.view.is_preview, timeout=30_000)
    return pids


def _red(h: Harness) -> int:
    pixels = qimage_rgb(h.page.view.grab().toImage())
    return int((pixels == np.array(HIGHLIGHT_RGBA[:3], np.uint8)).all(axis=2).sum())


def test_clipping_overlay_on_camera_frames(cameras: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view, tools = h.page.view, h.page.tools
        clipped, clean = _walk(h, qtbot, ["canon_sx60_hdr_NO.jpg", "exiv2_D7000_underexposed.jpg"])
        highlight, _ = clip_fractions(clipped)
        assert highlight is not None and highlight > 0.05  # the catalog saw the chandelier
        assert _red(h) == 0
        qtbot.keyClick(view, Qt.Key.Key_J)
        qtbot.waitUntil(
            lambda: (a := tools.current_analysis()) is not None and a.clipping is not None,
            timeout=30_000,
        )
        assert _red(h) > 1000
        qtbot.keyClick(view, Qt.Key.Key_Right)
        assert h.session.current == clean
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        qtbot.waitUntil(
            lambda: (a := tools.current_analysis()) is not None and a.clipping is not None,
            timeout=30_000,
        )
        assert _red(h) == 0  # a dark frame: nothing blown (its crushed shadows are blue)


def test_compare_zooms_a_camera_pair_together(cameras: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, compare = h.page, h.page.compare
        _walk(h, qtbot, ["iphone6_hdr_NO.jpg", "iphone6_hdr_YES.jpg"])
        qtbot.keyClick(page.view, Qt.Key.Key_C)
        assert page.comparing
        area = compare.photo_areas()[0]
        at = QPoint(int(area.left() + area.width() * 0.6), int(area.top() + area.height() * 0.3))
        compare.toggle_zoom(at)
        left, right = compare.visible_region(0), compare.visible_region(1)
        assert left.width() < 0.25  # 3264 px wide at 100 % in a ~580 px pane

        def same(a: QRectF, b: QRectF) -> bool:
            return (
                max(
                    abs(a.left() - b.left()),
                    abs(a.top() - b.top()),
                    abs(a.width() - b.width()),
                    abs(a.height() - b.height()),
                )
                <= 0.002
            )

        assert same(left, right)
        start = compare.photo_areas()[1].center().toPoint()
        qtbot.mousePress(compare, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(compare, start + QPoint(80, 40))
        qtbot.mouseRelease(compare, Qt.MouseButton.LeftButton, pos=start + QPoint(80, 40))
        panned = compare.visible_region(0)
        assert panned.left() < left.left() and panned.top() < left.top()
        assert same(panned, compare.visible_region(1))
