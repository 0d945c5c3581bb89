"""View ▸ Duplicates in the real app (issue 83 §4): camera JPEGs and their
copies imported by the window, the stored groups reviewed side by side with
what tells the copies apart, the suggested keeper marked with its reason,
→ then Enter keeps the chosen copy and rejects the other (read back from
the catalog), the window's Ctrl+Z brings the group back, A marks a copy
"not a duplicate"; the tiles' DUPLICATE pill and the Duplicates filter;
and the sentence of a catalog where every picture is stored once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Photo
from curator.ui.duplicates.review import DuplicatesReview
from curator.ui.duplicates.text import NONE_FOUND, caption_lines
from curator.ui.gallery.flags import photo_flags
from curator.ui.gallery.view import DUPLICATE, flag_pills
from tests.imaging_helpers import fixture
from tests.ui.conftest import make_library

INN = "jpeg/exiv2_FurnaceCreekInn.jpg"  # 09:54:28
INN_NEXT = "jpeg/exiv2_FurnaceCreekInn2.jpg"  # the same view 6 s later: another moment
LEAF = "jpeg/jolla_leaf_soft.jpg"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-such-weights.pt"))


def _library(lib: Path) -> None:
    (lib / "web").mkdir(parents=True)
    shutil.copyfile(fixture(INN), lib / "inn.jpg")
    shutil.copyfile(fixture(INN_NEXT), lib / "inn_next.jpg")
    shutil.copyfile(fixture(LEAF), lib / "leaf.jpg")
    with Image.open(lib / "inn.jpg") as img:
        img.resize((img.width // 2, img.height // 2)).save(lib / "web" / "inn_web.jpg", quality=60)
        turned = img.transpose(Image.Transpose.ROTATE_90)
        turned.save(lib / "inn_turned.jpg", "JPEG", quality=92, exif=img.info["exif"])
    with Image.open(lib / "leaf.jpg") as img:
        small = img.convert("RGB").resize((img.width // 4, img.height // 4))
        small.save(lib / "web" / "leaf_small.jpg", "JPEG", quality=70)


def _import(app: App, qtbot: QtBot, lib: Path) -> dict[str, int]:
    with qtbot.waitSignal(app.pipeline.completed, timeout=180_000):
        assert app.window.start_import(str(lib))
    return {Path(p.path.decode()).stem: int(p.id) for p in Photo.select()}


def _open(app: App, qtbot: QtBot) -> DuplicatesReview:
    app.window.menus.view.activateWindow()
    assert app.window.duplicates.action in app.window.menus.view.actions()
    assert app.window.duplicates.action.shortcut() == QKeySequence("Shift+D")
    app.window.duplicates.action.trigger()  # View ▸ Duplicates
    review = app.window.duplicates.built
    assert review is not None
    qtbot.waitUntil(lambda: review.listed_once, timeout=20_000)
    qtbot.waitUntil(review.isActiveWindow, timeout=10_000)  # its keys are its own
    return review


def _shown(review: DuplicatesReview, qtbot: QtBot, group: int) -> None:
    qtbot.waitUntil(lambda: review.shown is not None and review.shown.group == group)
    qtbot.waitUntil(lambda: [pid for pid, _ in review.view.painted] == review.copy_ids)


def _cull(*ids: int) -> list[str]:
    return [Photo.get_by_id(pid).cull for pid in ids]


def test_a_group_is_reviewed_resolved_undone_and_marked_apart(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    _library(tmp_path / "lib")
    ids = _import(app, qtbot, tmp_path / "lib")
    inn_group = sorted(ids[k] for k in ("inn", "inn_web", "inn_turned"))
    leaf_group = sorted(ids[k] for k in ("leaf", "leaf_small"))
    grouped = sorted(inn_group + leaf_group)

    # The grid: a DUPLICATE pill on each copy, none on the next moment's frame.
    def pills() -> dict[int, bool]:
        model = app.model
        rows = [model.photo_row(r) for r in range(model.rowCount())]
        return {
            row.id: DUPLICATE in [t for t, _ in flag_pills(photo_flags(row, 70.0))[1]]
            for row in rows
            if row is not None
        }

    qtbot.waitUntil(lambda: pills() == {pid: pid in grouped for pid in ids.values()})
    # The Filter popup's Duplicates: only the copies.
    app.window.filter_bar.metadata_button.panel.duplicates_box.setChecked(True)
    qtbot.waitUntil(lambda: sorted(app.model.ids) == grouped)
    assert app.window.filter_bar.metadata_button.text() == "Filter: near-duplicates"
    app.window.filter_bar.metadata_button.panel.duplicates_box.setChecked(False)
    qtbot.waitUntil(lambda: len(app.model.ids) == len(ids))

    review = _open(app, qtbot)
    groups = sorted([inn_group, leaf_group])
    assert [list(members) for _, members in review.groups] == groups
    first = groups[0][0]
    _shown(review, qtbot, first)
    assert review.line.text() == f"Group 1 of 2 · {len(groups[0])} copies"
    if first != leaf_group[0]:
        qtbot.keyClick(review.view, Qt.Key.Key_N)  # N: the next group
        _shown(review, qtbot, leaf_group[0])
        assert review.line.text() == "Group 2 of 2 · 2 copies"
    # What tells the two copies apart, under each; the suggested keeper marked.
    assert review.shown is not None
    by_id = {c.photo_id: c for c in review.shown.copies}
    leaf, small = by_id[ids["leaf"]], by_id[ids["leaf_small"]]
    lines = caption_lines(small)
    assert lines[0] == "leaf_small.jpg" and lines[1].startswith("JPEG · ")
    assert f"{small.width}×{small.height}" in lines[1] and " B/px" in lines[1]
    assert lines[2].endswith("web") and lines[3] == "no decisions"
    assert small.pixels * 16 == pytest.approx(leaf.pixels, rel=0.01)
    titles = dict(review.view.painted)
    assert titles[ids["leaf"]] == "KEEP — the largest JPEG"
    assert titles[ids["leaf_small"]] == "copy"

    # → chooses the other copy; Enter keeps it, rejects the first, one step.
    qtbot.keyClick(review.view, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: dict(review.view.painted)[ids["leaf_small"]] == "KEEP — you chose it")
    assert dict(review.view.painted)[ids["leaf"]] == "copy"
    with qtbot.waitSignal(app.window.session.photos_changed, timeout=20_000):
        qtbot.keyClick(review.view, Qt.Key.Key_Return)
    assert _cull(ids["leaf_small"], ids["leaf"]) == ["kept", "rejected"]
    assert "Kept leaf_small.jpg; 1 copy rejected" in review.status.text()
    # The grid follows: the rejected copy and its keeper lose the pill.
    qtbot.waitUntil(lambda: not pills()[ids["leaf"]] and not pills()[ids["leaf_small"]])

    # Ctrl+Z in the main window brings the group back as it was.
    undo = app.window.window_actions["undo"]
    assert QKeySequence("Ctrl+Z") in undo.shortcuts()
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=10_000)
    with qtbot.waitSignal(app.window.session.photos_changed, timeout=20_000) as undone:
        qtbot.keyClick(app.window.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(undone.args[0]) == leaf_group  # type: ignore[index]
    assert _cull(*leaf_group) == ["unreviewed", "unreviewed"]
    qtbot.waitUntil(lambda: pills()[ids["leaf"]] and pills()[ids["leaf_small"]])
    # The review, still open, read the group again: nothing resolved.
    qtbot.waitUntil(lambda: review.shown is not None and not review.shown.copies[0].rejected)

    # A: the other copy is not the same picture; the groups are searched anew.
    review.activateWindow()  # the review's keys are its own while it is in front
    qtbot.waitUntil(review.isActiveWindow, timeout=10_000)
    qtbot.keyClick(review.view, Qt.Key.Key_A)
    assert review.status.text() == "Searching the groups anew…"
    qtbot.waitUntil(lambda: [list(m) for _, m in review.groups] == [inn_group], timeout=30_000)
    _shown(review, qtbot, inn_group[0])
    assert review.line.text() == "Group 1 of 1 · 3 copies"
    assert Photo.get_by_id(ids["leaf"]).duplicate_group is None
    qtbot.keyClick(review.view, Qt.Key.Key_Escape)
    assert not review.isVisible()


def test_a_catalog_without_copies_says_every_picture_is_stored_once(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    make_library(tmp_path / "lib", 3)
    _import(app, qtbot, tmp_path / "lib")
    review = _open(app, qtbot)
    assert review.groups == [] and review.shown is None
    assert review.line.text() == NONE_FOUND == "No near-duplicates: every picture is stored once."
    qtbot.keyClick(review.view, Qt.Key.Key_Return)  # nothing to resolve: nothing happens
    qtbot.keyClick(review.view, Qt.Key.Key_N)
    assert review.status.text() == NONE_FOUND


def test_a_group_of_eight_shows_every_copys_preview(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    """The fixtures' orientation set: one picture stored eight ways (EXIF
    orientations 1–8), one group of eight. The window's preview loader keeps
    seven previews (the loupe's): every pane still shows its copy."""
    lib = tmp_path / "lib"
    lib.mkdir()
    for n in range(1, 9):
        shutil.copyfile(fixture(f"jpeg/orientation/portrait_{n}.jpg"), lib / f"portrait_{n}.jpg")
    ids = _import(app, qtbot, lib)
    review = _open(app, qtbot)
    assert [sorted(m) for _, m in review.groups] == [sorted(ids.values())]
    assert review.previews.capacity < 8
    _shown(review, qtbot, review.groups[0][0])

    def all_previews() -> bool:
        return len(review.view.panes) == 8 and all(
            p.pixmap is not None and max(p.pixmap.width(), p.pixmap.height()) > 320
            for p in review.view.panes
        )

    qtbot.waitUntil(all_previews, timeout=30_000)
    qtbot.wait(300)  # what arrives later does not take one away
    assert all_previews()
