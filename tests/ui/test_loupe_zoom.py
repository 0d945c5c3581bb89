"""Z: fit ↔ 100 % at the pointer, with the original's full-resolution pixels
loaded off the UI thread; mouse panning; a bad original keeps the preview."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from curator.catalog.models import Photo
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_photo
from tests.ui.loupe_harness import Harness, loupe_harness, photo_ids_by_name, save_shot

W, H = 2400, 1600  # larger than the 1440 px preview and than the view at 100 %


@pytest.fixture
def big_library(tmp_path: Path) -> Path:
    lib = tmp_path / "big"
    lib.mkdir()
    for i in range(3):
        make_photo(lib / f"BIG_{i}.jpg", i, width=W, height=H)
    result = import_json(lib, "--stages", "technical")
    assert result["new"] == 3, result
    return lib


def _wait_preview(h: Harness, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: h.page.view.is_preview, timeout=30_000)


def test_z_zooms_to_100_percent_at_the_pointer_and_back(big_library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view, loader = h.page.view, h.page.originals
        _wait_preview(h, qtbot)
        pid = h.session.current
        assert pid is not None
        fit_scale = view.scale()
        assert fit_scale < 0.5  # 2400 px fit into ~880 px
        cursor = QPoint(300, 250)
        qtbot.mouseMove(view, cursor)
        qtbot.waitUntil(lambda: view._mouse is not None, timeout=30_000)
        before = view.image_point(QPointF(cursor))
        assert before is not None

        t0 = time.perf_counter()
        qtbot.keyClick(view, Qt.Key.Key_Z)
        view.repaint()  # the upscaled preview at once, before the original arrives
        toggle_ms = (time.perf_counter() - t0) * 1000
        assert view.zoomed and view.scale() == 1.0
        assert view.image_rect().width() == W and view.image_rect().height() == H
        after = view.image_point(QPointF(cursor))
        assert after is not None
        assert abs(after.x() - before.x()) <= 1.5 and abs(after.y() - before.y()) <= 1.5

        with qtbot.waitSignal(loader.original_ready, timeout=60_000):
            pass
        full = loader.image(pid)
        assert full is not None and (full.width(), full.height()) == (W, H)
        shown_ms = (time.perf_counter() - t0) * 1000
        print(f"\nZ → preview at 100 %: {toggle_ms:.1f} ms; → original painted: {shown_ms:.0f} ms")
        frame = view.grab().toImage()
        assert view.painted_full_resolution
        # The pixels on screen are the original's, 1:1 (noise included), not the preview's.
        original = np.asarray(Image.open(big_library / "BIG_0.jpg").convert("RGB"))
        p = view.image_point(QPointF(cursor))
        assert p is not None
        for dx, dy in ((0, 0), (5, 3), (-7, 11)):
            shown = frame.pixelColor(cursor.x() + dx, cursor.y() + dy)
            want = original[int(p.y()) + dy, int(p.x()) + dx]
            got = (shown.red(), shown.green(), shown.blue())
            assert max(abs(int(a) - int(b)) for a, b in zip(got, want, strict=True)) <= 2
        save_shot(view, "loupe-100-percent")

        # Drag pans with the mouse; the arrow keys still move between photos.
        rect_before = view.image_rect()
        qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=cursor)
        qtbot.mouseMove(view, cursor + QPoint(-120, -80))
        qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=cursor + QPoint(-120, -80))
        moved = view.image_rect().topLeft() - rect_before.topLeft()
        assert (moved.x(), moved.y()) == (-120, -80)
        assert view.zoomed  # a drag is not a click

        qtbot.keyClick(view, Qt.Key.Key_Right)  # next photo, still at 100 %
        assert h.session.current != pid and view.zoomed
        assert loader.image(pid) is None  # only the current photo's original is held
        qtbot.waitUntil(lambda: loader.image(h.session.current or -1) is not None, timeout=60_000)

        qtbot.keyClick(view, Qt.Key.Key_Z)  # back to fit
        assert not view.zoomed and view.scale() == pytest.approx(fit_scale)
        qtbot.keyClick(view, Qt.Key.Key_Z)
        qtbot.keyClick(view, Qt.Key.Key_Escape)  # Esc also goes back to fit
        assert not view.zoomed


def test_an_unreadable_original_keeps_the_preview_with_a_message(
    big_library: Path, qtbot: QtBot
) -> None:
    with loupe_harness(qtbot) as h:
        view = h.page.view
        _wait_preview(h, qtbot)
        pid = h.session.current
        path = Path(bytes(Photo.get_by_id(pid).path).decode())
        path.write_bytes(path.read_bytes()[:5000])  # cut short after the import
        qtbot.keyClick(view, Qt.Key.Key_Z)
        with qtbot.waitSignal(h.page.originals.original_failed, timeout=60_000):
            pass
        assert view.zoomed and view.scale() == 1.0
        view.repaint()
        assert view.painted_photo_id == pid and not view.painted_full_resolution
        assert "preview only" in view.zoom_note
        assert h.notices and "cut short" in h.notices[-1]
        assert not h.reported  # a bad file is a message, not an error
        path.unlink()  # a missing original: the next photo still zooms fine
        qtbot.keyClick(view, Qt.Key.Key_Right)
        qtbot.waitUntil(
            lambda: h.page.originals.image(h.session.current or -1) is not None, timeout=30_000
        )


def test_stale_originals_are_dropped_when_moving_fast(big_library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view, loader = h.page.view, h.page.originals
        _wait_preview(h, qtbot)
        qtbot.keyClick(view, Qt.Key.Key_Z)
        qtbot.keyClick(view, Qt.Key.Key_Right)
        qtbot.keyClick(view, Qt.Key.Key_Right)
        last = h.session.current
        qtbot.waitUntil(lambda: loader.image(last or -1) is not None, timeout=60_000)
        ids = set(photo_ids_by_name().values())
        assert all(loader.image(pid) is None for pid in ids - {last})
        assert loader.loads == 3
