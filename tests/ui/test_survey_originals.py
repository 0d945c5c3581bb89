"""Survey at 100 % (issue 19 §2): Z zooms every surveyed photo at once, to the
same region of each (the compare zoom, shared), each painting its original's
pixels, not the preview scaled up; a drag in any pane pans all; a click still
makes a photo active; Esc goes back to fit first and lets the originals go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRectF, Qt
from pytestqt.qtbot import QtBot

from tests.ui.loupe_harness import imported_photos, loupe_harness, photo_ids_by_name

W, H = 2400, 1600  # larger than the 1440 px preview


@pytest.fixture
def burst(tmp_path: Path) -> Path:
    return imported_photos(tmp_path / "burst", "BURST", 3, width=W, height=H)


def _same(a: QRectF, b: QRectF, tol: float = 0.004) -> bool:
    """The same region, up to the panes' whole-pixel placement (as in compare)."""
    return all(
        abs(x - y) <= tol
        for x, y in zip(
            (a.left(), a.top(), a.width(), a.height()),
            (b.left(), b.top(), b.width(), b.height()),
            strict=True,
        )
    )


def test_survey_at_100_percent_paints_every_original_in_step(burst: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, survey, loader = h.page, h.page.survey_view, h.page.originals
        page.resize(1800, 900)
        names = {pid: name for name, pid in photo_ids_by_name().items()}
        ids = sorted(names)
        assert page.start_survey(ids) is None
        qtbot.waitUntil(lambda: len(survey.panes) == 3, timeout=30_000)
        qtbot.keyClick(survey, Qt.Key.Key_Z)
        assert survey.zoomed
        qtbot.waitUntil(lambda: all(loader.image(pid) is not None for pid in ids), timeout=90_000)
        qtbot.waitUntil(lambda: all(p.full is not None for p in survey.panes), timeout=30_000)
        regions = [survey.visible_region(i) for i in range(3)]
        assert regions[0].width() < 1 and all(_same(r, regions[0]) for r in regions)
        frame = survey.grab().toImage()
        ratio = survey.devicePixelRatioF()
        for index, pane in enumerate(survey.panes):
            original = np.asarray(Image.open(burst / names[pane.row.id]).convert("RGB"))
            whole = survey.image_rect(index)
            assert whole.width() == pytest.approx(W / ratio)  # 100 %: one pixel each
            at = survey.photo_areas()[index].center().toPoint()
            x = int((at.x() - whole.left()) * ratio)
            y = int((at.y() - whole.top()) * ratio)
            misses = 0
            for dx, dy in ((0, 0), (3, 1), (-5, 4), (7, -6), (-2, -9)):
                shown = frame.pixelColor(at.x() + dx, at.y() + dy)
                want = original[y + dy, x + dx]
                got = (shown.red(), shown.green(), shown.blue())
                misses += max(abs(int(a) - int(b)) for a, b in zip(got, want, strict=True)) > 2
            assert misses == 0, (index, misses)

        # A drag in the last pane pans every one by the same amount.
        start = survey.photo_areas()[2].center().toPoint()
        qtbot.mousePress(survey, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(survey, start + QPoint(-60, -30))
        qtbot.mouseRelease(survey, Qt.MouseButton.LeftButton, pos=start + QPoint(-60, -30))
        moved = [survey.visible_region(i) for i in range(3)]
        assert moved[0].left() > regions[0].left() and all(_same(r, moved[0]) for r in moved)
        # A click (no drag) still makes a photo active, and keeps the zoom.
        second = survey.photo_areas()[1].center().toPoint()
        qtbot.mouseClick(survey, Qt.MouseButton.LeftButton, pos=second)
        assert h.session.current == survey.panes[1].row.id and survey.zoomed

        qtbot.keyClick(survey, Qt.Key.Key_Escape)  # back to fit, still surveying
        assert not survey.zoomed and page.survey.active_mode
        assert all(loader.image(pid) is None for pid in ids)  # let go
        qtbot.keyClick(survey, Qt.Key.Key_Escape)
        assert not page.survey.active_mode
