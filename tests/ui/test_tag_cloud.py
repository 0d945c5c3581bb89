"""The tag cloud (View ▸ Tags, Shift+T): the tags of the photos the grid shows,
sized by count; click, Ctrl+click and Alt+click filter the grid; the search
field narrows the words; it follows edits and undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import add_tag
from curator.catalog.judgments import store_description
from curator.catalog.models import Photo
from curator.ui.gallery.tag_cloud_panel import TagCloudPanel


def _ids() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def _describe(photo_id: int, *tags: str) -> None:
    store_description(
        photo_id,
        subject="x",
        content_type="street",
        lighting_critique="",
        artistic_mood="",
        tags=list(tags),
        model="m",
        prompt_version="p",
    )


def _tagged_library() -> list[int]:
    ids = _ids()
    img = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    for pid in img[:5]:
        _describe(pid, "sea")
    _describe(img[5], "boat", "harbour")
    add_tag(img[0], "boat")
    add_tag(img[1], "boat")
    add_tag(img[6], "family")
    return img


def _open_cloud(app: App, qtbot: QtBot) -> TagCloudPanel:
    app.window.dispatch("tags")  # Shift+T's action
    assert app.window.tag_cloud.dock.isVisible()
    panel = app.window.tag_cloud.panel()
    qtbot.waitUntil(lambda: panel.loads >= 1 and not panel.reading, timeout=30_000)
    return panel


def _settled(app: App, panel: TagCloudPanel, qtbot: QtBot, loads: int) -> None:
    """The cloud has shown the counts of the newest query after `loads` loads."""
    qtbot.waitUntil(
        lambda: panel.loads > loads and not panel.reading and not app.model.rest_pending,
        timeout=30_000,
    )


def _click(qtbot: QtBot, panel: TagCloudPanel, name: str, mods: Qt.KeyboardModifier) -> None:
    rect = panel.view.word_rect(name)
    assert rect is not None, f"{name} is not shown"
    qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton, mods, rect.center())


def test_the_cloud_shows_counts_by_size_and_source_with_a_tooltip(
    library: Path, app: App, qtbot: QtBot
) -> None:
    _tagged_library()
    panel = _open_cloud(app, qtbot)
    assert [c.name for c in panel.counts] == ["sea", "boat", "family", "harbour"]
    view = panel.view
    assert [tag.name for _, tag in view.word_rects] == ["sea", "boat", "family", "harbour"]
    assert view.font_px("sea") > view.font_px("boat") > view.font_px("family")  # type: ignore[operator]
    assert view.is_yours("family") and view.is_yours("boat")  # 2 yours, 1 the describer's
    assert view.is_yours("sea") is False and view.is_yours("harbour") is False
    assert "4 tags" in panel.summary.text()

    rect = view.word_rect("boat")
    assert rect is not None
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center(), view.mapToGlobal(rect.center()))
    view.event(event)
    assert QToolTip.text() == "boat — 3 photos (you 2 · describer 1)"
    image = panel.grab()
    assert not image.isNull() and image.width() > 100


def test_click_ctrl_click_and_alt_click_filter_the_grid(
    library: Path, app: App, qtbot: QtBot
) -> None:
    img = _tagged_library()
    panel = _open_cloud(app, qtbot)
    bar = app.window.filter_bar
    everything = sorted(app.model.ids)

    loads = panel.loads
    _click(qtbot, panel, "boat", Qt.KeyboardModifier.NoModifier)  # only boat's photos
    qtbot.waitUntil(lambda: sorted(app.model.ids) == sorted([img[0], img[1], img[5]]))
    _settled(app, panel, qtbot, loads)
    assert bar.tags_all == ("boat",) and bar.cloud_button.isVisible()
    assert [c.name for c in panel.counts] == ["boat", "sea", "harbour"]  # what those carry
    assert panel.view.required == {"boat"}

    loads = panel.loads
    _click(qtbot, panel, "sea", Qt.KeyboardModifier.ControlModifier)  # and sea too
    qtbot.waitUntil(lambda: sorted(app.model.ids) == sorted([img[0], img[1]]))
    _settled(app, panel, qtbot, loads)
    assert bar.tags_all == ("boat", "sea")

    loads = panel.loads
    _click(qtbot, panel, "sea", Qt.KeyboardModifier.AltModifier)  # sea's photos leave
    qtbot.waitUntil(lambda: app.model.ids == [img[5]])
    _settled(app, panel, qtbot, loads)
    assert bar.tags_all == ("boat",) and bar.tags_none == ("sea",)
    assert panel.view.excluded == {"sea"}
    assert "−sea" in bar.cloud_button.text()

    bar.cloud_button.click()  # the filter cleared: every photo again
    qtbot.waitUntil(lambda: sorted(app.model.ids) == everything)
    assert bar.tags_all == () and bar.tags_none == () and not bar.cloud_button.isVisible()


def test_the_search_field_narrows_the_words(library: Path, app: App, qtbot: QtBot) -> None:
    _tagged_library()
    panel = _open_cloud(app, qtbot)
    qtbot.keyClicks(panel.search, "Ar")
    assert [tag.name for _, tag in panel.view.word_rects] == ["harbour"]
    assert panel.summary.text() == "1 tag with “ar”, the most used first."
    panel.search.clear()
    qtbot.keyClicks(panel.search, "zz")
    assert panel.view.word_rects == [] and "No tag has “zz”" in panel.summary.text()
    panel.search.clear()
    assert len(panel.view.word_rects) == 4


def test_the_cloud_follows_edits_and_undo(library: Path, app: App, qtbot: QtBot) -> None:
    img = _tagged_library()
    panel = _open_cloud(app, qtbot)
    loads = panel.loads
    app.window.session.start(app.window.session.pass_, at_photo=img[7])
    add_tag(img[7], "family")  # as the loupe's tag field does, then tells the window
    app.window.refresh_filter_choices()
    _settled(app, panel, qtbot, loads)
    assert next(c for c in panel.counts if c.name == "family").count == 2

    loads = panel.loads
    app.window.dispatch("undo")
    _settled(app, panel, qtbot, loads)
    assert next(c for c in panel.counts if c.name == "family").count == 1


def test_nothing_is_read_while_the_dock_is_hidden(library: Path, app: App, qtbot: QtBot) -> None:
    _tagged_library()
    panel = _open_cloud(app, qtbot)
    app.window.dispatch("tags")  # hidden again
    assert not app.window.tag_cloud.dock.isVisible()
    generation = panel.generation
    app.window.filter_bar.apply_cloud_click("sea", "only")
    qtbot.waitUntil(lambda: len(app.model.ids) == 5)
    assert panel.generation == generation  # no read for a hidden cloud
    loads = panel.loads
    app.window.dispatch("tags")
    _settled(app, panel, qtbot, loads)
    assert panel.generation > generation and [c.name for c in panel.counts] == ["sea", "boat"]


def test_shift_t_is_in_the_help_and_the_view_menu(app: App) -> None:
    from curator.ui.review.keymap import binding_for, help_rows

    binding = binding_for("tags")
    assert binding is not None and binding.keys == ("Shift+T",)
    assert any("tag cloud" in row[1] for row in help_rows())
    action = app.window.window_actions["tags"]
    assert action in app.window.menus.view.actions()
    assert action.shortcut().toString() == "Shift+T"
