"""The fit view's screen rendition is cached on disk beside the previews
(issue 19 §2): after a restart the same photo in fit shows its rendition
read from the cache, not decoded from the original again; a damaged cache
file is never shown but decoded again and rewritten."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from curator.paths import resolve_paths
from tests.ui.loupe_harness import imported_photos, loupe_harness

W, H = 3600, 2400


@pytest.fixture
def large(tmp_path: Path) -> Path:
    return imported_photos(tmp_path / "large", "LARGE", 2, width=W, height=H)


def _screen_entries() -> list[Path]:
    return sorted((resolve_paths().cache_dir / "screen").glob("*/*.jpg"))


def _grey(image: QImage) -> np.ndarray:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), -1)
    return rows[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).mean(axis=2)


def _open_fit(qtbot: QtBot, *, expect_cached: bool) -> np.ndarray:
    """One run of the app's loupe at a large-screen size: the painted rendition."""
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        page.resize(2600, 1700)
        qtbot.waitUntil(lambda: view.painted_screen_rendition, timeout=60_000)
        assert page.renditions.cache_hits == (1 if expect_cached else 0)
        assert view.fit_image is not None
        assert not h.reported
        return _grey(view.fit_image)


def test_a_restart_shows_the_cached_rendition_without_decoding(large: Path, qtbot: QtBot) -> None:
    assert _screen_entries() == []
    decoded = _open_fit(qtbot, expect_cached=False)
    entries = _screen_entries()
    assert len(entries) == 1  # content hash + long edge
    cached = _open_fit(qtbot, expect_cached=True)
    assert cached.shape == decoded.shape
    assert float(np.abs(cached - decoded).mean()) < 2.0  # the same picture (JPEG q95)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_cache_file_is_decoded_again_never_shown(
    large: Path, qtbot: QtBot, damage: str
) -> None:
    decoded = _open_fit(qtbot, expect_cached=False)
    (entry,) = _screen_entries()
    data = entry.read_bytes()
    # Either a cut-short file or one overwritten with a valid-looking JPEG frame
    # of nonsense: neither may reach the screen.
    entry.write_bytes(
        data[: len(data) // 2] if damage == "truncated" else b"\xff\xd8" + b"x" * 999 + b"\xff\xd9"
    )
    again = _open_fit(qtbot, expect_cached=False)
    assert float(np.abs(again - decoded).mean()) < 2.0
    assert entry.read_bytes()[-2:] == b"\xff\xd9" and len(entry.read_bytes()) > 10_000
    _open_fit(qtbot, expect_cached=True)  # rewritten whole
