"""Compare at 100 % shows the originals' pixels, not the 1440 px previews
scaled up (issue 19 §2: picking the sharpest burst frame needs them), in
both panes at once; back at fit the originals are let go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.loupe_harness import imported_photos, loupe_harness, photo_ids_by_name

W, H = 2400, 1600  # larger than the 1440 px preview


@pytest.fixture
def burst(tmp_path: Path) -> Path:
    return imported_photos(tmp_path / "burst", "BURST", 3, width=W, height=H)


def test_compare_at_100_percent_paints_both_originals(burst: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, compare, loader = h.page, h.page.compare, h.page.originals
        qtbot.waitUntil(lambda: page.view.is_preview, timeout=30_000)
        qtbot.keyClick(page.view, Qt.Key.Key_C)
        assert page.comparing
        left_id, right_id = page.compare_left, h.session.current
        assert left_id is not None and right_id is not None
        qtbot.keyClick(compare, Qt.Key.Key_Z)
        assert compare.zoomed
        qtbot.waitUntil(
            lambda: loader.image(left_id) is not None and loader.image(right_id) is not None,
            timeout=60_000,
        )
        frame = compare.grab().toImage()
        ids = photo_ids_by_name()
        names = {pid: name for name, pid in ids.items()}
        for index, pid in ((0, left_id), (1, right_id)):
            original = np.asarray(Image.open(burst / names[pid]).convert("RGB"))
            whole = compare.image_rect(index)
            assert whole.width() == pytest.approx(W / compare.devicePixelRatioF())
            area = compare.photo_areas()[index]
            at = area.center().toPoint()
            # The original's pixel under that point, noise included (the preview has none of it).
            x = int((at.x() - whole.left()) * compare.devicePixelRatioF())
            y = int((at.y() - whole.top()) * compare.devicePixelRatioF())
            misses = 0
            for dx, dy in ((0, 0), (3, 1), (-5, 4), (7, -6), (-2, -9)):
                shown = frame.pixelColor(at.x() + dx, at.y() + dy)
                want = original[y + dy, x + dx]
                got = (shown.red(), shown.green(), shown.blue())
                misses += max(abs(int(a) - int(b)) for a, b in zip(got, want, strict=True)) > 2
            assert misses == 0, (index, misses)
        qtbot.keyClick(compare, Qt.Key.Key_Z)  # back to fit: the originals are let go
        assert not compare.zoomed
        assert loader.image(left_id) is None and loader.image(right_id) is None
