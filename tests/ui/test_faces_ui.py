"""People in the window: the CLOSED EYES / SOFT FACE badges and the People
filter, the loupe's face boxes (O) and close-ups (Shift+Z, compare in step),
the panel's faces sentence, and a long file name that never pushes the side
panel out of the window (issue 32 §5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from curator.catalog.models import PhotoFaces
from curator.catalog.types import GalleryQuery, MetadataFilter
from curator.ui.gallery.flags import PhotoFlags, tooltip
from curator.ui.gallery.model import FlagsRole
from curator.ui.gallery.view import flag_pills
from curator.ui.loupe.info_panel import breakable
from tests.faces_helpers import FACES_DATA, PORTRAITS, installed_model
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import running_app
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name

LONG_NAME = "Kodak_C330_FORMAT_NONE_YRGB_with_a_very_long_tail_0001.jpg"


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """The two portraits (faces judged at import) and a long-named copy of one."""
    installed_model()
    lib = tmp_path / "people"
    lib.mkdir()
    for name in PORTRAITS:
        shutil.copy(FACES_DATA / name, lib / name)
    data = (FACES_DATA / PORTRAITS[1]).read_bytes()
    (lib / LONG_NAME).write_bytes(data + b"\0")  # other bytes: a photo of its own
    result = import_json(lib, "--stages", "technical,faces")
    assert result["new"] == 3 and result["stages"]["faces"] == {"done": 3}
    return lib


def test_closed_eyes_and_a_soft_face_are_badged_and_filtered(people: Path, qtbot: QtBot) -> None:
    ids = photo_ids_by_name()
    blink, soft = ids[PORTRAITS[0]], ids[PORTRAITS[1]]
    PhotoFaces.update(closed_eyes=True, eyes_open=False).where(PhotoFaces.photo == blink).execute()
    PhotoFaces.update(soft_face=True).where(PhotoFaces.photo == soft).execute()
    with running_app(qtbot) as app:
        model = app.model
        qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=30_000)
        flags = {
            model.data(model.index(r), Qt.ItemDataRole.UserRole + 2): model.data(
                model.index(r), FlagsRole
            )
            for r in range(3)
        }
        assert isinstance(flags[blink], PhotoFlags) and flags[blink].shows("closed_eyes")
        assert flags[soft].shows("soft_face") and not flags[soft].shows("closed_eyes")
        assert "CLOSED EYES" in [t for t, _ in flag_pills(flags[blink])[1]]
        assert "SOFT FACE" in [t for t, _ in flag_pills(flags[soft])[1]]
        row = app.window.loupe.row(blink)
        assert row is not None and "Closed eyes" in tooltip(row, flags[blink])
        # The Filter popup's People choice narrows the grid.
        panel = app.window.filter_bar.metadata_button.panel
        panel.people_combo.setCurrentIndex(panel.people_combo.findData("closed eyes"))
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=30_000)
        assert model.ids == [blink]
        assert app.window.filter_bar.query().metadata == MetadataFilter(people="closed eyes")
        panel.people_combo.setCurrentIndex(panel.people_combo.findData("no people"))
        qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=30_000)
        assert GalleryQuery(metadata=MetadataFilter(people="people")).metadata.active


def test_o_shows_the_boxes_and_shift_z_visits_each_face(people: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view = h.page.view
        while h.page.view.photo is None or h.page.view.photo.file_name != PORTRAITS[0]:
            QTest.keyClick(view, Qt.Key.Key_Right)
            qtbot.wait(1)
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        panel_text = h.page.panel.values["Faces"].text()
        assert panel_text.startswith("1 face (1 key): 1 open;") and "sharpness" in panel_text
        QTest.keyClick(view, Qt.Key.Key_O)
        assert h.page.faces.boxes_on and h.notices[-1].startswith("Face boxes shown")
        image = view.grab().toImage()
        assert not image.isNull()
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: view.zoomed, timeout=30_000)
        assert h.notices[-1].startswith("Face 1 of 1 at 100 %")
        faces = h.page.faces.faces(view.photo)
        x, y, w, h_ = faces[0].box
        assert view.zoom.factor == 1.0
        # Centred on the face, unless the image edge clamps it (never further than that).
        assert abs(view.zoom.center.x - (x + w / 2)) < 0.2
        assert abs(view.zoom.center.y - (y + h_ / 2)) < 0.2
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: not view.zoomed, timeout=30_000)
        assert h.notices[-1] == "Back to fit (every face seen)."
        QTest.keyClick(view, Qt.Key.Key_O)
        assert not h.page.faces.boxes_on


def test_compare_zooms_both_photos_to_the_face(people: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        QTest.keyClick(h.page.view, Qt.Key.Key_C)
        qtbot.waitUntil(lambda: h.page.comparing, timeout=30_000)
        compare = h.page.compare
        QTest.keyClick(compare, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: compare.zoomed, timeout=30_000)
        assert compare.zoom.factor == 1.0 and h.notices[-1].startswith("Face 1 of 1")


def test_a_long_file_name_wraps_inside_the_panel(people: Path, qtbot: QtBot) -> None:
    with running_app(qtbot, width=1600, height=1000) as app:
        window = app.window
        qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=30_000)
        target = photo_ids_by_name()[LONG_NAME]
        window.show_loupe(target)
        panel = window.loupe.panel
        qtbot.waitUntil(lambda: panel.values["File"].text() == breakable(LONG_NAME), timeout=30_000)
        body = panel.widget()
        assert body is not None
        qtbot.waitUntil(lambda: body.width() <= panel.viewport().width(), timeout=30_000)
        assert body.minimumSizeHint().width() <= panel.viewport().width()
        right = panel.mapTo(window, panel.rect().topRight()).x()
        assert right <= window.width()
        assert panel.values["File"].text().replace("\u200b", "") == LONG_NAME


def test_every_panel_row_has_the_height_its_wrapped_text_needs_photo_after_photo(
    people: Path, qtbot: QtBot
) -> None:
    """A row that wraps to more lines than the last photo's (a long file name,
    the faces sentence) gets its whole height each time: the scroll area's
    body had kept a row's old height and clipped its first and last lines."""
    with running_app(qtbot, width=1400, height=600) as app:
        window = app.window
        qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=30_000)
        ids = photo_ids_by_name()
        panel = window.loupe.panel

        def clipped() -> list[str]:
            return [
                name
                for name, label in panel.values.items()
                if label.height() < label.heightForWidth(label.width())
            ]

        for name in [LONG_NAME, PORTRAITS[0], LONG_NAME, PORTRAITS[1], LONG_NAME, PORTRAITS[0]]:
            window.show_loupe(ids[name])
            qtbot.waitUntil(
                lambda name=name: panel.values["File"].text() == breakable(name), timeout=30_000
            )
            QTest.qWait(50)
            assert clipped() == [], name
