"""Fit on a screen larger than the 1440 px preview shows the original decoded
for that screen, not the preview scaled up (issue 19 §2): the painted photo
is the original area-averaged to the fit size, with more detail than the
preview scaled up (a Laplacian-variance ratio); on a small screen the
preview is enough and nothing is decoded."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from curator.ui.loupe.view import LoupeView
from tests.ui.loupe_harness import imported_photos, loupe_harness

W, H = 3600, 2400


@pytest.fixture
def large(tmp_path: Path) -> Path:
    return imported_photos(tmp_path / "large", "LARGE", 2, width=W, height=H)


def _photo_pixels(view: LoupeView) -> np.ndarray:
    """The painted photo (inside its image rect), as grey levels."""
    frame = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rect = view.image_rect().toRect().intersected(view.photo_area().toRect())
    crop = frame.copy(rect.adjusted(2, 2, -2, -2))
    array = np.frombuffer(crop.constBits(), np.uint8).reshape(crop.height(), crop.bytesPerLine())[
        :, : crop.width() * 3
    ]
    return cv2.cvtColor(array.reshape(crop.height(), crop.width(), 3), cv2.COLOR_RGB2GRAY)


def _detail(grey: np.ndarray) -> float:
    return float(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F).var())


def test_fit_on_a_large_screen_paints_a_rendition_of_the_original(
    large: Path, qtbot: QtBot
) -> None:
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        page.resize(2600, 1700)  # a 2560-wide monitor's loupe: fit ≈ 2150 px wide
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        needed = view.fit_long_edge()
        assert needed is not None and needed > 1440 * 1.2
        qtbot.waitUntil(lambda: view.painted_screen_rendition, timeout=60_000)
        fit = view.fit_image
        assert fit is not None and max(fit.width(), fit.height()) == pytest.approx(needed, abs=2)
        sharp = _detail(_photo_pixels(view))
        # The same paint from the preview alone (what fit showed before).
        view.fit_image = None
        view.repaint()
        assert not view.painted_screen_rendition
        soft = _detail(_photo_pixels(view))
        ratio = sharp / soft
        print(f"\nfit detail, rendition / preview scaled up: {ratio:.2f}")
        assert ratio > 1.3, (sharp, soft)
        # Its pixels are the original's, area-averaged to the fit size.
        original = np.asarray(Image.open(large / "LARGE_0.jpg").convert("L"), np.float32)
        expected = cv2.resize(original, (fit.width(), fit.height()), interpolation=cv2.INTER_AREA)
        got = cv2.cvtColor(
            np.frombuffer(fit.convertToFormat(QImage.Format.Format_RGB888).constBits(), np.uint8)
            .reshape(fit.height(), -1)[:, : fit.width() * 3]
            .reshape(fit.height(), fit.width(), 3),
            cv2.COLOR_RGB2GRAY,
        ).astype(np.float32)
        assert float(np.abs(got - expected).mean()) < 3.0


def test_a_small_screen_uses_the_preview_and_decodes_nothing(large: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        page.resize(1200, 800)
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        needed = view.fit_long_edge()
        assert needed is not None and needed < 1440
        h.session.move(1)
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        assert page.renditions.loads == 0 and not view.painted_screen_rendition
