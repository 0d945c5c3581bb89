"""The People view's first paint (issue 74 §4), grabbed from the real window:
opened (Shift+O's action) when the tiles arrive before their faces — the
faces are cut afterwards, in chunks, as on a freshly imported catalog — each
tile shows its whole face, its name and its photo count, at every panel width.

The face cuts are held back until the tiles have been laid out without them
(a gate around `face_image`), the order a real catalog of 800 photos gave:
the tiles then showed a 28-pixel strip of each face and neither name nor count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Photo
from curator.ui.people import controller
from curator.ui.people.controller import TILE_EDGE
from curator.ui.people.panel import FACE_ROLE, PeoplePanel
from tests.people_helpers import put_faces
from tests.ui.conftest import running_app

# The People dock's widths tried after its default (340): its narrowest (0: what
# its panel allows) and wider (three and four columns).
WIDTHS = (0, 470, 650)
INK = 80  # a pixel this far (any channel) from the view's background is drawn on


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(np.int16)


def _find(shot: np.ndarray, face: np.ndarray, rect: QRect) -> tuple[int, int] | None:
    """Where (x, y) `face` is drawn whole inside `rect` of `shot`, if it is."""
    fh, fw = face.shape[:2]
    for y in range(rect.top(), rect.bottom() + 2 - fh):
        for x in range(rect.left(), rect.right() + 2 - fw):
            if y < 0 or x < 0 or y + fh > shot.shape[0] or x + fw > shot.shape[1]:
                continue
            if np.mean(np.abs(shot[y : y + fh, x : x + fw] - face) <= 6) >= 0.95:
                return x, y
    return None


def _lines(region: np.ndarray, background: np.ndarray) -> int:
    """Bands of rows with ink in `region` (lines of text)."""
    inked = (np.abs(region - background).max(axis=2) > INK).any(axis=1)
    return int(np.sum(inked[1:] & ~inked[:-1]) + (1 if inked.size and inked[0] else 0))


def _check_tiles(panel: PeoplePanel, with_faces: bool) -> None:
    """Every tile in view shows its whole face (when cut) above two lines of
    text (its name and its count), all inside the view."""
    view = panel.tiles
    port = view.viewport()
    shot = _rgb(port.grab().toImage())
    background = np.median(shot.reshape(-1, 3), axis=0)
    fm = view.fontMetrics()
    checked = 0
    for row in range(view.count()):
        item = view.item(row)
        rect = view.visualItemRect(item)
        if not rect.intersects(port.rect()) or rect.bottom() >= port.height():
            continue  # below the fold: scrolled to, it is laid out the same
        checked += 1
        where = f"tile {row} at panel width {panel.width()}: {rect}"
        assert rect.left() >= 0 and rect.right() < port.width(), where
        assert rect.width() >= TILE_EDGE and rect.height() >= TILE_EDGE + 2 * fm.height(), where
        face_bottom = rect.top() + TILE_EDGE
        if with_faces:
            face = _rgb(item.icon().pixmap(TILE_EDGE, TILE_EDGE).toImage())
            at = _find(shot, face, rect)
            assert at is not None, f"the face is not drawn whole: {where}"
            face_bottom = at[1] + face.shape[0]
        text = shot[face_bottom : rect.bottom() + 1, rect.left() : rect.right() + 1]
        assert _lines(text, background) >= 2, f"name and count not both shown: {where}"
    assert checked >= 1


@pytest.fixture
def held_cuts(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Face cuts wait until the event is set (set at the end in any case)."""
    release = threading.Event()
    cut = controller.face_image

    def held(*args: object) -> QImage:
        release.wait(60)
        return cut(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(controller, "face_image", held)
    yield release
    release.set()


def _widen(app: App, qtbot: QtBot, width: int) -> PeoplePanel:
    dock = app.window.people.dock
    panel = app.window.people.panel()
    width = width or dock.minimumSizeHint().width()
    app.window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def reached() -> None:
        assert abs(dock.width() - width) <= 2, (dock.width(), width)

    qtbot.waitUntil(reached, timeout=10_000)
    qtbot.waitUntil(lambda: panel.tiles.viewport().width() < dock.width(), timeout=10_000)
    return panel


def test_the_tiles_first_paint_shows_faces_names_and_counts_at_every_width(
    library: Path, qtbot: QtBot, held_cuts: threading.Event
) -> None:
    with running_app(qtbot, width=1280) as app:
        _first_paint_and_widths(app, qtbot, held_cuts)


def _first_paint_and_widths(app: App, qtbot: QtBot, held_cuts: threading.Event) -> None:
    ids = sorted(int(p.id) for p in Photo.select())
    put_faces(Photo._meta.database, [ids[0:2], ids[2:4], ids[4:6], ids[6:8]])
    app.window.dispatch("people")  # Shift+O's action
    panel = app.window.people.panel()
    qtbot.waitUntil(lambda: panel.tiles.count() == 4, timeout=30_000)
    tiles = panel.tiles
    qtbot.waitUntil(lambda: not tiles.visualItemRect(tiles.item(0)).isEmpty(), timeout=10_000)
    _check_tiles(panel, with_faces=False)  # the first paint: names and counts, room for faces
    held_cuts.set()
    qtbot.waitUntil(
        lambda: all(tiles.item(r).data(FACE_ROLE) for r in range(tiles.count())),
        timeout=30_000,
    )
    _check_tiles(panel, with_faces=True)  # as they arrive, before anything else
    for width in WIDTHS:
        _check_tiles(_widen(app, qtbot, width), with_faces=True)
