"""Projects in the GUI: B / Shift+B in the loupe, the picker, the gallery's project
filter (members, count, cover), the selection's context menu and the Projects menu."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog import projects
from curator.catalog.decisions import rotate, set_rating
from curator.catalog.models import Photo, Project, ProjectPhoto

SHIFT = Qt.KeyboardModifier.ShiftModifier


def _by_name() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def _members(name: str) -> set[int]:
    project = Project.get(Project.name == name)
    return {int(r.photo_id) for r in ProjectPhoto.select().where(ProjectPhoto.project == project)}


def _open_loupe(app: App, qtbot: QtBot) -> None:
    app.window.show_loupe()
    qtbot.waitUntil(lambda: app.window.loupe.view.hasFocus(), timeout=30_000)


def _status(app: App) -> str:
    return app.window.statusBar().currentMessage()


def _action(menu: QObject, text: str) -> QAction:
    assert isinstance(menu, QMenu)
    for action in menu.actions():
        if action.text().replace("&", "").startswith(text):
            return action
    raise AssertionError(f"no “{text}” in {[a.text() for a in menu.actions()]}")


def _picker(app: App, qtbot: QtBot) -> Any:
    qtbot.waitUntil(
        lambda: (
            app.window.project_actions.picker is not None
            and app.window.project_actions.picker.isVisible()
        ),
        timeout=30_000,
    )
    picker = app.window.project_actions.picker
    assert picker is not None
    qtbot.waitUntil(
        picker.filter_edit.hasFocus, timeout=30_000
    )  # the keys go to the picker, not the loupe
    return picker


def test_b_adds_to_the_current_project_and_the_picker_creates_and_chooses(
    library: Path, app: App, qtbot: QtBot
) -> None:
    ids = _by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    _open_loupe(app, qtbot)
    view = app.window.loupe.view
    assert app.session.current == p[0]

    # B with no current project opens the picker; typing a new name creates it.
    qtbot.keyClick(view, Qt.Key.Key_B)
    picker = _picker(app, qtbot)
    qtbot.keyClicks(picker.filter_edit, "Wedding")
    assert picker.list.currentItem().text() == "New project “Wedding”"
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window.project_actions.picker is None, timeout=30_000)
    assert _members("Wedding") == {p[0]}
    assert _status(app) == "Added IMG_0000.jpg to “Wedding”."
    assert app.window.projects.current is not None
    assert app.window.projects.current.name == "Wedding"

    # Now B adds straight to the current project, no picker.
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert app.window.project_actions.picker is None
    assert _members("Wedding") == {p[0], p[1]}
    assert _status(app) == "Added IMG_0001.jpg to “Wedding”."
    qtbot.keyClick(view, Qt.Key.Key_B)  # twice: out again (Lightroom's quick collection)
    assert _members("Wedding") == {p[0]}
    assert _status(app).startswith("Removed IMG_0001.jpg from “Wedding”")
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert _members("Wedding") == {p[0], p[1]}

    # Shift+B: the picker; a second new project becomes current.
    qtbot.keyClick(view, Qt.Key.Key_B, SHIFT)
    picker = _picker(app, qtbot)
    qtbot.keyClicks(picker.filter_edit, "Trip")
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window.project_actions.picker is None, timeout=30_000)
    assert _members("Trip") == {p[1]}
    assert app.window.projects.current.name == "Trip"

    # Shift+B again: typing filters the list; Enter chooses the existing project.
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_B, SHIFT)
    picker = _picker(app, qtbot)
    qtbot.keyClicks(picker.filter_edit, "WED")
    rows = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert rows == ["Wedding  (2)", "New project “WED”"]  # Trip is filtered out
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window.project_actions.picker is None, timeout=30_000)
    assert _members("Wedding") == {p[0], p[1], p[2]}
    assert app.window.projects.current.name == "Wedding"
    # Esc in the picker changes nothing.
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    qtbot.keyClick(view, Qt.Key.Key_B, SHIFT)
    picker = _picker(app, qtbot)
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: app.window.project_actions.picker is None, timeout=30_000)
    assert _members("Wedding") == {p[0], p[1], p[2]} and _members("Trip") == {p[1]}


def test_the_gallery_filter_shows_only_members_with_count_and_cover(
    library: Path, app: App, qtbot: QtBot
) -> None:
    ids = _by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    projects.create_project("Portfolio")
    projects.add_photos("Portfolio", [p[1], p[4], p[6]])
    set_rating(p[4], 5)  # the only approved member: the cover
    window = app.window
    window.projects.refresh()
    combo = window.filter_bar.project_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All photos", "Portfolio (3)"]
    assert len(app.model.ids) == 9  # everything, the broken file too

    combo.setCurrentIndex(1)
    combo.activated.emit(1)  # as a user's choice: it becomes the current project
    assert set(app.model.ids) == {p[1], p[4], p[6]}
    assert window.count_label.text().strip() == "3 photos"
    assert "“Portfolio”: 3 photos" in window.project_actions.project_label.text()
    assert "cover: IMG_0004.jpg" in window.project_actions.project_label.text()
    # On its own toolbar row: the filter row has no room left at 1280 px.
    assert window.project_actions.project_bar is not None
    assert window.project_actions.project_bar.isVisible()
    assert window.projects.current.name == "Portfolio"  # type: ignore[union-attr]
    # The cover's thumbnail shows once the grid has loaded it.
    qtbot.waitUntil(lambda: window.project_actions.cover_label.isVisible(), timeout=30_000)
    assert window.project_actions.cover_action is not None
    assert window.project_actions.cover_action.isVisible()
    assert (
        window.project_actions.cover_label.pixmap() is not None
        and not window.project_actions.cover_label.pixmap().isNull()
    )

    # Back to all photos.
    window.project_actions.show_project(None)
    assert len(app.model.ids) == 9 and window.project_actions.project_label.text() == ""
    assert not window.project_actions.project_bar.isVisible()


def test_add_and_remove_the_gallery_selection(library: Path, app: App, qtbot: QtBot) -> None:
    ids = _by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    window = app.window
    projects.create_project("Keepers")
    window.projects.refresh()
    before = {pid: (r.cull, r.rating) for pid, r in ((i, Photo.get_by_id(i)) for i in p)}

    def select(photo_ids: list[int]) -> None:
        selection = window.gallery.selectionModel()
        selection.clearSelection()
        for pid in photo_ids:
            row = app.model.row_for(pid)
            assert row is not None
            selection.select(app.model.index(row), QItemSelectionModel.SelectionFlag.Select)

    select([p[0], p[2], p[3]])
    assert window.project_actions.selected_photo_ids() == [p[0], p[2], p[3]]
    menu = window.project_actions.gallery_menu()
    add = _action(menu, "Add to Project").menu()
    _action(add, "Keepers").trigger()
    qtbot.waitUntil(lambda: not window.projects.busy, timeout=30_000)
    assert _members("Keepers") == {p[0], p[2], p[3]}
    assert _status(app) == "Added 3 photos to “Keepers”."

    window.project_actions.show_project(window.projects.projects[0].id)
    assert set(app.model.ids) == {p[0], p[2], p[3]}
    select([p[2]])
    menu = window.project_actions.gallery_menu()
    _action(_action(menu, "Remove from Project").menu(), "Keepers").trigger()
    qtbot.waitUntil(lambda: not window.projects.busy, timeout=30_000)
    assert _members("Keepers") == {p[0], p[3]}
    qtbot.waitUntil(
        lambda: set(app.model.ids) == {p[0], p[3]}, timeout=30_000
    )  # the filter follows
    assert "Removed 1 photo from “Keepers”" in _status(app)
    assert window.filter_bar.project_combo.currentText() == "Keepers (2)"
    after = {pid: (r.cull, r.rating) for pid, r in ((i, Photo.get_by_id(i)) for i in p)}
    assert after == before  # membership never touches a photo


def test_projects_menu_new_rename_delete(
    library: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _by_name()
    window = app.window
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_: object) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    with monkeypatch.context() as m:
        m.setattr(QInputDialog, "getText", lambda *a, **k: ("  Family ", True))
        window.project_actions.new_project_action.trigger()
        assert [s.name for s in window.projects.projects] == ["Family"]
        window.project_actions.new_project_action.trigger()  # the same name: refused, said why
        assert "already a project named “Family”" in _status(app)
        assert len(window.projects.projects) == 1
    projects.add_photos("Family", [ids["IMG_0001.jpg"]])
    window.projects.refresh()
    with monkeypatch.context() as m:
        m.setattr(QInputDialog, "getItem", lambda *a, **k: ("Family", True))
        m.setattr(QInputDialog, "getText", lambda *a, **k: ("Family 2026", True))
        window.project_actions.rename_project_action.trigger()
        assert [s.name for s in window.projects.projects] == ["Family 2026"]
        assert _status(app) == "Renamed “Family” to “Family 2026”."
        m.setattr(QInputDialog, "getItem", lambda *a, **k: ("Family 2026", True))
        m.setattr(QMessageBox, "question", question)
        window.project_actions.delete_project_action.trigger()
        qtbot.waitUntil(lambda: not window.projects.busy, timeout=30_000)
    assert "not touched" in asked[0] and "1 photo" in asked[0]
    assert window.projects.projects == [] and Project.select().count() == 0
    assert "not touched" in _status(app)
    assert Photo.select().count() == len(ids)  # every photo is still there
    assert not window.project_actions.delete_project_action.isEnabled()


def test_a_photo_taken_out_in_the_loupe_leaves_the_project_gallery_on_return(
    library: Path, app: App, qtbot: QtBot
) -> None:
    ids = _by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    made = projects.create_project("Picks")
    projects.add_photos("Picks", [p[5], p[6]])
    window = app.window
    window.projects.refresh()
    window.project_actions.show_project(made.id)  # shown in the gallery, and the current project
    assert app.model.ids == [p[5], p[6]]
    _open_loupe(app, qtbot)  # the loupe walks what the gallery shows: the project
    assert app.session.order == [p[5], p[6]] and app.session.current == p[5]
    qtbot.keyClick(window.loupe.view, Qt.Key.Key_B)  # B toggles: out of the project
    assert _members("Picks") == {p[6]}
    assert app.model.ids == [p[5], p[6]]  # the grid is not re-queried under the loupe
    window.show_gallery()
    assert app.model.ids == [p[6]]
    assert window.filter_bar.project_combo.currentText() == "Picks (1)"


def test_the_picker_alone_arrows_and_new_project_asks_a_name(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, catalog: object
) -> None:
    from curator.ui.projects.picker import ProjectPicker

    a = projects.create_project("Alps")
    b = projects.create_project("Beach")
    picker = ProjectPicker(projects.list_projects(), current_id=b.id)
    qtbot.addWidget(picker)
    chosen: list[int] = []
    created: list[str] = []
    picker.chosen.connect(chosen.append)
    picker.create_requested.connect(created.append)
    picker.show()
    assert picker.list.currentItem().text() == "Beach  (0)"  # the current project first
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Up)
    picker.choose()
    assert chosen == [a.id]

    # "New project…" with nothing typed asks for the name; a cancel creates nothing.
    picker = ProjectPicker(projects.list_projects())
    qtbot.addWidget(picker)
    picker.create_requested.connect(created.append)
    picker.list.setCurrentRow(picker.list.count() - 1)
    assert picker.list.currentItem().text() == "New project…"
    with monkeypatch.context() as m:
        m.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
        picker.choose()
        assert created == []
        m.setattr(QInputDialog, "getText", lambda *a, **k: (" Canyon ", True))
        picker.choose()
    assert created == ["Canyon"]


def test_a_turned_cover_shows_turned(library: Path, app: App, qtbot: QtBot) -> None:
    """A cover the photographer turned (Ctrl+]) shows turned, as in the grid
    (its thumbnail was looked up unturned: a landscape cover of a portrait)."""
    ids = _by_name()
    cover = ids["IMG_0004.jpg"]
    projects.create_project("Portfolio")
    projects.add_photos("Portfolio", [cover, ids["IMG_0001.jpg"]])
    set_rating(cover, 5)
    rotate(cover, 1)
    window = app.window
    app.model.refresh()
    window.projects.refresh()
    window.project_actions.show_project(window.projects.projects[0].id)
    qtbot.waitUntil(lambda: window.project_actions.cover_label.isVisible(), timeout=30_000)
    shown = window.project_actions.cover_label.pixmap()
    assert shown is not None and not shown.isNull()
    assert shown.height() > shown.width()  # 480 x 320 turned a quarter: portrait
