"""The grid never goes grey (issue 19 §1): any scroll, Home/End or jump shows
the visible thumbnails at once, and a photo whose thumbnail is replaced (the
measurement after the quick look) keeps its picture until the new one is
decoded, and the new one is asked for."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Photo
from curator.imaging.cache import write_jpeg
from curator.ui.gallery.listing import thumbnail_key
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_library


def _pixmap(app: App, row: int) -> QPixmap | None:
    value = app.model.data(app.model.index(row), Qt.ItemDataRole.DecorationRole)
    return value if isinstance(value, QPixmap) and not value.isNull() else None


def test_a_scroll_far_down_shows_the_visible_thumbnails_at_once(
    tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    lib = tmp_path / "many"
    make_library(lib, 40)
    import_json(lib, "--stages", "technical")
    app.model.refresh()
    view = app.window.gallery
    view.resize(650, 400)
    view.set_cell_width(600)  # one column of ~490 px cells: ~19,000 px to scroll
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 15_000, timeout=10_000)
    # The scroll position was the timer's interval in ms: ~19 s at the end.
    for jump in (bar.maximum, lambda: bar.maximum() // 2):
        bar.setValue(jump())
        visible = view.visible_rows()
        assert visible and visible[0] > 10
        qtbot.waitUntil(lambda v=visible: all(_pixmap(app, r) for r in v), timeout=5_000)


def test_a_new_thumbnail_key_keeps_the_old_picture_until_the_new_one_is_decoded(
    library: Path, app: App, qtbot: QtBot
) -> None:
    model = app.model
    app.window.gallery.resize(900, 600)
    qtbot.waitUntil(lambda: _pixmap(app, 0) is not None, timeout=10_000)
    row = model.photo_row(0)
    assert row is not None
    old = _pixmap(app, 0)
    assert old is not None
    # The measurement writes another thumbnail under a new key (a red picture here).
    new_key = "thumbs/zz/issue19-remeasured.jpg"
    write_jpeg(app.thumbnails.cache_dir, new_key, Image.new("RGB", (120, 80), (250, 0, 0)), 90)
    Photo.update(thumbnail_key=new_key).where(Photo.id == row.id).execute()
    model.refresh([row.id])
    refreshed = model.photo_row(0)
    assert refreshed is not None and refreshed.thumbnail_key == new_key
    # At once: the tile still has its picture (not a grey tile) ...
    kept = _pixmap(app, 0)
    assert kept is not None and kept.cacheKey() == old.cacheKey()
    # ... and the view asked for the new one, which replaces it.
    key = thumbnail_key(refreshed)
    assert key is not None
    qtbot.waitUntil(lambda: app.thumbnails.pixmap(key) is not None, timeout=10_000)
    now = _pixmap(app, 0)
    assert now is not None and now.toImage().pixelColor(60, 40).red() > 200
