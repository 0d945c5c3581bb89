"""Quick look in the real app: pointed at a folder, every new photo is in the
gallery model (with its quick thumbnail) before any is measured; the
measurement then replaces the thumbnail and fills the scores (issue 10 §2)."""

from __future__ import annotations

from dataclasses import MISSING as MISSING_DEFAULT
from dataclasses import fields
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Stage, StageRun, StageStatus
from curator.catalog.queries import GalleryRow
from tests.imaging_helpers import make_jpeg, quadrants
from tests.raw_helpers import make_camera_jpeg


def _listed_row() -> GalleryRow:
    """A gallery row as an import lists it: no pictures, no measurement yet."""
    blank = {f.name: None for f in fields(GalleryRow) if f.default is MISSING_DEFAULT}
    return GalleryRow(**{**blank, "id": 1, "file_name": "a.jpg", "path": "/a.jpg", "cull": "x"})


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-such-weights.pt"))


def test_photos_are_in_the_gallery_before_they_are_measured(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    n = 12
    for i in range(n):
        picture = Image.fromarray(quadrants(1200 + 8 * i, 800))
        make_camera_jpeg(lib / f"IMG_{i:04d}.jpg", picture)
    seen: list[tuple[int, int, int]] = []  # (rows in the model, quick thumbnails, measured)

    def snapshot(_ids: list[int]) -> None:
        model = app.model
        rows = [model.photo_row(r) for r in range(model.rowCount())]
        quick = sum(1 for row in rows if row and (row.thumbnail_key or "").startswith("quick/"))
        measured = (
            StageRun.select()
            .where(
                StageRun.stage == Stage.TECHNICAL.value,
                StageRun.status == StageStatus.DONE.value,
            )
            .count()
        )
        seen.append((model.rowCount(), quick, measured))

    # Connected after the main window's own slots: the model is up to date by then.
    app.model.arrivals_listed.connect(snapshot)  # quick-look batches, placed in the grid
    app.pipeline.photos_changed.connect(snapshot)  # technical batches
    with qtbot.waitSignal(app.pipeline.completed, timeout=180_000):
        assert app.window.start_import(str(lib))
    assert (n, n, 0) in seen, seen  # every photo shown, none measured yet
    assert app.model.rowCount() == n
    # Changed rows are re-read off the UI thread (StaleRows): they come in soon.
    qtbot.waitUntil(lambda: all(_measured(app.model.photo_row(r)) for r in range(n)))


def _measured(row: GalleryRow | None) -> bool:
    """The row has its measurements and its measured thumbnail."""
    return (
        row is not None
        and row.sharpness_score is not None
        and (row.thumbnail_key or "").startswith("thumbs/")
    )


def test_files_without_thumbnails_are_listed_then_decoded_on_screen_first(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    n = 10
    for i in range(n):  # exports: no EXIF thumbnail, so round two decodes them
        make_jpeg(lib / f"EXP_{i:04d}.jpg", 640 + 8 * i, 480, pattern="texture")
    wanted: list[list[str]] = []
    decoded: list[int] = []  # the photos round two decoded
    pictured: set[int] = set()  # photos the grid was told to show with a thumbnail

    def on_row_changed(first: QModelIndex, last: QModelIndex, *_: object) -> None:
        for r in range(first.row(), last.row() + 1):
            photo = app.model.photo_row(r)
            # quick/ (round two), or thumbs/ when the measurement overtook its re-read
            if photo is not None and (photo.thumbnail_key or "").startswith(("quick/", "thumbs/")):
                pictured.add(photo.id)

    app.window.show()
    app.window.gallery.thumbnails_wanted.connect(wanted.append)
    app.pipeline.thumbnails_changed.connect(decoded.extend)
    app.model.dataChanged.connect(on_row_changed)
    with qtbot.waitSignal(app.pipeline.completed, timeout=180_000):
        assert app.window.start_import(str(lib))
    # The grid asked for the tiles it showed without pixels, by path.
    asked = {path for paths in wanted for path in paths}
    assert asked and asked <= {str(p) for p in lib.iterdir()}
    # Each decoded photo's row was re-read during the import with its new
    # thumbnail (off the UI thread, the tile told when it came in).
    assert len(decoded) == n
    assert set(decoded) <= pictured, (decoded, pictured)
    qtbot.waitUntil(lambda: all(_measured(app.model.photo_row(r)) for r in range(n)))


def test_a_tile_without_a_picture_keeps_the_photos_shape(app: App, tmp_path: Path) -> None:
    from dataclasses import replace

    from PySide6.QtCore import QRect

    from curator.ui.gallery.view import placeholder_rect

    area = QRect(0, 0, 200, 200)
    row = _listed_row()
    landscape = placeholder_rect(area, replace(row, width=3000, height=2000))
    assert (landscape.width(), landscape.height()) == (200, 133)
    assert landscape.center() == area.center()
    portrait = placeholder_rect(area, replace(row, width=3000, height=2000, rotation=1))
    assert (portrait.width(), portrait.height()) == (133, 200)  # turned a quarter
    assert placeholder_rect(area, row) == area  # no size known: the whole frame


def test_the_loupe_says_a_listed_photo_is_not_measured_yet(app: App, tmp_path: Path) -> None:
    from dataclasses import replace

    row = _listed_row()
    tools = app.window.loupe.tools
    tools.show(row)  # listed by an import: no preview yet, not failed
    assert tools.panel_histogram.note.startswith("Not measured yet")
    tools.show(replace(row, failed_reason="The file is damaged."))
    assert tools.panel_histogram.note == "No preview: nothing to measure."
