"""Coverage in the real window (issue 50 §4): the Filter popup's People row
says who has no kept photo and each person's kept photos, and its "People
with no kept photo" narrows the grid to them; Cull ▸ Propose… and the status
bar after it name the people a proposal leaves with no keep."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.types import MetadataFilter
from tests.coverage_helpers import faces_of, good_photo, person

WAIT = 20_000
NO_KEEP = "people with no kept photo"


def _photo(i: int, **kw: object) -> int:
    return good_photo(i, "/coverage", seconds_apart=30, **kw)


def _shoot(app: App) -> dict[str, int]:
    """Anna in three photos (one kept); grandmother in one, blurred."""
    anna, granny = person("Anna"), person("Grandmother")
    ids = {f"a{i}": _photo(i, cull="kept" if i == 0 else "unreviewed") for i in range(3)}
    for i in range(3):
        faces_of(ids[f"a{i}"], anna)
    ids["g"] = _photo(10, sharpness_score=8.0)
    faces_of(ids["g"], granny)
    app.window.model.refresh()
    return ids


def test_the_filter_popup_finds_the_people_with_no_kept_photo(app: App, qtbot: QtBot) -> None:
    ids = _shoot(app)
    window = app.window
    button = window.filter_bar.metadata_button
    panel = button.panel
    button.load_choices()  # what opening the popup does
    qtbot.waitUntil(lambda: button.loads >= 1, timeout=WAIT)
    combo = panel.people_combo
    at = combo.findData(NO_KEEP)
    assert combo.itemText(at) == "People with no kept photo (1)"
    tip = combo.toolTip()
    assert "Grandmother: 0 of 1 kept" in tip and "Anna: 1 of 3 kept" in tip
    assert tip.index("Grandmother") < tip.index("Anna")  # no keep first
    window.filter_bar.show_state(window.filter_bar.state.ALL)
    combo.setCurrentIndex(at)
    qtbot.waitUntil(lambda: window.model.ids == [ids["g"]], timeout=WAIT)
    assert window.filter_bar.query().metadata == MetadataFilter(people=NO_KEEP)


def test_the_propose_dialog_names_who_has_no_keep(app: App, qtbot: QtBot) -> None:
    _shoot(app)
    dialog = app.window.cull.open_dialog()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=WAIT)
    assert dialog.reasons_label.text().endswith("1 person has no keep: Grandmother.")
    with qtbot.waitSignal(app.window.cull.controller().proposed, timeout=WAIT):
        qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.cull.dialog is None, timeout=WAIT)
    assert "1 person has no keep: Grandmother." in app.window.statusBar().currentMessage()
