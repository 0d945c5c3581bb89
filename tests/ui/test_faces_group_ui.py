"""A group photo in the loupe with the face boxes on (issue 41 §5): the
painted labels never overlap and stay on the picture, the whole reason
shows only for the face under the pointer or in close-up, the People row
counts each verdict once, and the status line follows the photo after →.

The faces are written into the catalog through the faces stage's own write
path (`apply_faces`), so no face model is needed: this is about what the
loupe does with many faces, not about finding them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.store import apply_faces
from curator.paths import resolve_paths
from curator.records import EyeState, Face, FacesFound, FacesSummary
from curator.ui.loupe.face_labels import labels_overlap
from curator.ui.loupe.faces import PaintedFaces
from curator.ui.loupe.zoom import Box
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_photo
from tests.ui.loupe_harness import Harness, loupe_harness, photo_ids_by_name, save_shot

TELL = "too small to tell shut eyes from a look down"
GROUP, TRIO, NOBODY = "IMG_0000.jpg", "IMG_0001.jpg", "IMG_0002.jpg"  # the cull's order


def _grid() -> tuple[Face, ...]:
    """30 faces in 5 rows of 6, packed as a team photo: closed, open, too small
    to tell and too small to judge mixed along each row."""
    faces = []
    for r in range(5):
        for c in range(6):
            box = (0.3 + 0.056 * c, 0.12 + 0.12 * r, 0.05, 0.075)
            kind = (r * 6 + c) % 4
            if kind == 3:
                faces.append(Face(box, 30, False, EyeState.UNKNOWN, "too small"))
                continue
            eyes = (EyeState.CLOSED, EyeState.OPEN, EyeState.UNKNOWN)[kind]
            note = TELL if eyes is EyeState.UNKNOWN else None
            faces.append(Face(box, 60, True, eyes, note, 0.2, 91.0, key=(r, c) == (0, 0)))
    return tuple(faces)


def _trio() -> tuple[Face, ...]:
    return tuple(
        Face((0.2 + 0.25 * i, 0.3, 0.15, 0.22), 160, True, EyeState.OPEN, None, 0.3, 70.0, True)
        for i in range(3)
    )


def _found(faces: tuple[Face, ...]) -> FacesFound:
    judged = [f for f in faces if f.judged]
    key = [f for f in faces if f.key]
    summary = FacesSummary(
        count=len(faces),
        judged=len(judged),
        key=len(key),
        closed_eyes=any(f.eyes is EyeState.CLOSED for f in key),
        eyes_open=bool(key) and all(f.eyes is EyeState.OPEN for f in key),
        key_sharpness=min((f.sharpness or 0.0 for f in key), default=None),
    )
    return FacesFound(faces, "test", summary=summary)


@pytest.fixture
def group(tmp_path: Path) -> Path:
    lib = tmp_path / "group"
    lib.mkdir()
    for i in range(3):
        make_photo(lib / f"IMG_{i:04d}.jpg", i, width=1500, height=1000)
    assert import_json(lib, "--stages", "technical")["new"] == 3
    catalog = Catalog.open(resolve_paths().catalog)
    try:
        ids = photo_ids_by_name()
        apply_faces(
            Photo._meta.database,
            [(ids[GROUP], _found(_grid())), (ids[TRIO], _found(_trio()))],
        )
    finally:
        catalog.close()
    return lib


def _painted(h: Harness, name: str) -> PaintedFaces:
    view = h.page.view
    view.grab()  # a paint now
    painted = h.page.faces.painted.get((id(view), photo_ids_by_name()[name]))
    assert painted is not None
    return painted


def _inside(box: Box, bounds: Box) -> bool:
    return (
        box.left >= bounds.left - 1e-6
        and box.top >= bounds.top - 1e-6
        and box.right <= bounds.right + 1e-6
        and box.bottom <= bounds.bottom + 1e-6
    )


def test_a_group_photo_reads_cleanly_with_the_boxes_on(group: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        qtbot.waitUntil(lambda: view.photo is not None and view.is_preview, timeout=30_000)
        assert view.photo is not None and view.photo.file_name == GROUP
        # The People row: each verdict once, counted.
        row_text = page.panel.values["Faces"].text()
        assert row_text.startswith(
            "30 faces (1 key): 8 closed (1 key) · 8 open · 7 too small to tell"
        )
        assert "; 7 faces too small to judge;" in row_text
        assert row_text.count("too small to tell") == 1

        QTest.keyClick(view, Qt.Key.Key_O)
        painted = _painted(h, GROUP)
        labels = painted.labels
        assert len(painted.boxes) == 30
        assert len(labels) >= 18  # most of the 23 judged faces keep their word
        assert not labels_overlap([lb.box for lb in labels])
        assert all(_inside(lb.box, painted.bounds) for lb in labels)
        assert {lb.text for lb in labels} <= {"closed", "open", "small"}
        assert not any(lb.long for lb in labels)
        shot = save_shot(page, "faces-group-boxes")
        assert shot.stat().st_size > 0

        # The pointer on a face: its whole verdict, and only its.
        target = 9  # row 1, column 3: an open face among others
        box = painted.boxes[target]
        QTest.mouseMove(view, QPoint(round(box.left + box.width / 2), round(box.top + 5)))
        qtbot.waitUntil(lambda: page.faces.hovered is not None, timeout=30_000)
        painted = _painted(h, GROUP)
        longs = [lb for lb in painted.labels if lb.long]
        assert [lb.face for lb in longs] == [target]
        assert longs[0].text == "eyes open · sharpness 91"
        assert not labels_overlap([lb.box for lb in painted.labels])
        assert all(_inside(lb.box, painted.bounds) for lb in painted.labels)
        save_shot(page, "faces-group-hover")

        # The pointer off every face; Shift+Z: the close-up's face has the whole verdict.
        QTest.mouseMove(view, QPoint(3, 3))
        qtbot.waitUntil(lambda: page.faces.hovered is None, timeout=30_000)
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: view.zoomed, timeout=30_000)
        assert h.notices[-1].startswith("Face 1 of 23 at 100 % (key face: eyes closed")
        painted = _painted(h, GROUP)
        longs = [lb for lb in painted.labels if lb.long]
        assert [lb.face for lb in longs] == [0]  # the key face, visited first
        assert not labels_overlap([lb.box for lb in painted.labels])
        assert all(_inside(lb.box, painted.bounds) for lb in painted.labels)

        # → keeps the zoom; the status line now speaks of the photo shown.
        QTest.keyClick(view, Qt.Key.Key_Right)
        qtbot.waitUntil(
            lambda: view.photo is not None and view.photo.file_name == TRIO, timeout=30_000
        )
        assert h.notices[-1] == (
            f"{TRIO}: 3 faces (3 key): 3 open; key face sharpness 70. Shift+Z: face 1 of 3."
        )
        assert page.panel.values["Faces"].text().startswith("3 faces (3 key): 3 open")
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
        assert h.notices[-1].startswith("Face 1 of 3 at 100 %")
        # And to a photo with no faces judged: not the trio's "Face 1 of 3" either.
        QTest.keyClick(view, Qt.Key.Key_Right)
        qtbot.waitUntil(
            lambda: view.photo is not None and view.photo.file_name == NOBODY, timeout=30_000
        )
        assert h.notices[-1].startswith(f"{NOBODY}: No faces judged")


def test_another_sentence_is_not_replaced_when_the_photo_changes(group: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view = h.page.view
        qtbot.waitUntil(lambda: view.photo is not None, timeout=30_000)
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: view.zoomed, timeout=30_000)
        h.session.notice.emit("Rejected IMG_0000.jpg.")  # someone else spoke since
        said = len(h.notices)
        QTest.keyClick(view, Qt.Key.Key_Right)
        qtbot.waitUntil(
            lambda: view.photo is not None and view.photo.file_name == TRIO, timeout=30_000
        )
        assert len(h.notices) == said  # nothing said over it


def test_compare_labels_each_photo_apart_and_follows_the_pointer(group: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        qtbot.waitUntil(lambda: view.photo is not None and view.is_preview, timeout=30_000)
        QTest.keyClick(view, Qt.Key.Key_O)
        QTest.keyClick(view, Qt.Key.Key_C)
        qtbot.waitUntil(lambda: page.comparing, timeout=30_000)
        compare = page.compare
        ids = photo_ids_by_name()
        qtbot.waitUntil(lambda: compare.painted_ids == (ids[GROUP], ids[TRIO]), timeout=30_000)
        compare.grab()
        left = page.faces.painted[(id(compare), ids[GROUP])]
        right = page.faces.painted[(id(compare), ids[TRIO])]
        assert len(left.boxes) == 30 and len(right.boxes) == 3
        for painted in (left, right):
            assert not labels_overlap([lb.box for lb in painted.labels])
            assert all(_inside(lb.box, painted.bounds) for lb in painted.labels)
        assert left.bounds.right <= right.bounds.left  # each pane's labels in its own picture
        box = left.boxes[1]  # an open face in the reference
        QTest.mouseMove(compare, QPoint(round(box.left + box.width / 2), round(box.top + 4)))
        qtbot.waitUntil(lambda: page.faces.hovered is not None, timeout=30_000)
        compare.grab()
        left = page.faces.painted[(id(compare), ids[GROUP])]
        assert [lb.face for lb in left.labels if lb.long] == [1]
        right = page.faces.painted[(id(compare), ids[TRIO])]
        assert not any(lb.long for lb in right.labels)
