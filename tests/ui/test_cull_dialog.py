"""Cull ▸ Propose… and Accept the Rest in the real window (issue 42 §3): the
dialog's counts follow its controls and write nothing; Propose stores the
proposals as the seat's user and the tiles show them; Accept the Rest turns
them into decisions as ONE undo step (Ctrl+Z undoes every one), with one
retrain poke; a photo decided after proposing is left alone, and that
override is an ordinary decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog import decisions
from curator.catalog.models import CullProposal, Photo
from curator.catalog.proposals.store import PROPOSAL_PASS
from curator.cull.check_types import Genre, Sensitivity
from curator.ui.cull.dialog import ProposeDialog
from curator.ui.review.actions import DecisionAction

T0 = datetime(2025, 6, 1, 12, 0, 0)
SHOTS = "/cull-shoot"


def _photo(i: int, **kw: object) -> int:
    fields: dict[str, object] = {
        "path": f"{SHOTS}/IMG_{i:04d}.jpg".encode(),
        "content_hash": f"cull{i}",
        "captured_at": T0 + timedelta(seconds=30 * i),
        "sharpness_score": 80.0,
        "exposure_score": 95.0,
        "exposure_ev": 0.0,
        "highlight_clip": 0.01,
        "exposure_time": 1 / 500,
        "focal_length": 50.0,
    }
    fields.update(kw)
    return int(Photo.create(**fields).id)


def _shoot(app: App) -> dict[str, int]:
    """Six good frames, a slightly soft one (fails only a strict sharpness
    check), a blurred one, a dark one and a burst of two good frames."""
    ids = {f"good{i}": _photo(i) for i in range(6)}
    ids["soft"] = _photo(10, sharpness_score=35.0)
    ids["blurred"] = _photo(11, sharpness_score=12.0)
    ids["dark"] = _photo(12, exposure_score=20.0, exposure_ev=-2.5)
    ids["burst_best"] = _photo(13, burst_group=1, burst_best=True)
    ids["burst_twin"] = _photo(14, burst_group=1, sharpness_score=70.0)
    app.window.model.refresh()
    return ids


def _open(app: App, qtbot: QtBot) -> ProposeDialog:
    dialog = app.window.cull.open_dialog()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)
    return dialog


def _counts_after(dialog: ProposeDialog, qtbot: QtBot, change: object) -> str:
    """The counts shown once the answer to the last request came."""
    assert callable(change)
    change()
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)
    assert dialog.counts_label.styleSheet() == ""  # no longer greyed
    return dialog.counts_label.text()


def _set(combo: object, data: object) -> None:
    from PySide6.QtWidgets import QComboBox

    assert isinstance(combo, QComboBox)
    index = combo.findData(str(data))
    assert index >= 0, data
    combo.setCurrentIndex(index)


def _propose(app: App, qtbot: QtBot) -> ProposeDialog:
    dialog = _open(app, qtbot)
    with qtbot.waitSignal(app.window.cull.controller().proposed, timeout=30_000):
        qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    return dialog


def test_the_counts_follow_the_controls_and_write_nothing(app: App, qtbot: QtBot) -> None:
    ids = _shoot(app)
    dialog = _open(app, qtbot)
    assert dialog.undecided == len(ids)
    assert dialog.counts_label.text() == "keep 8 · reject 3 · highlights 1"
    assert "blur 1" in dialog.reasons_label.text()
    assert "duplicate 1" in dialog.reasons_label.text()
    assert "under-exposed 1" in dialog.reasons_label.text()
    strict = _counts_after(
        dialog, qtbot, lambda: _set(dialog.level_combos["sharpness"], Sensitivity.STRICT)
    )
    assert strict == "keep 7 · reject 4 · highlights 1"
    off = _counts_after(
        dialog, qtbot, lambda: _set(dialog.level_combos["sharpness"], Sensitivity.OFF)
    )
    assert off == "keep 9 · reject 2 · highlights 1"
    _set(dialog.level_combos["sharpness"], Sensitivity.NORMAL)
    dialog.keep_spin.setValue(3)
    target = _counts_after(dialog, qtbot, lambda: _set(dialog.target_combo, "keep"))
    assert target == "keep 3 · reject 8 · highlights 1"
    dialog.keep_spin.setValue(50)  # more than the acceptable frames: the sentence says so
    _counts_after(dialog, qtbot, lambda: None)
    assert "Only 9 frame(s) passed every check" in dialog.short_label.text()
    landscape = _counts_after(dialog, qtbot, lambda: _set(dialog.genre_combo, Genre.LANDSCAPE))
    assert (
        dialog.level_combos["closed_eyes"].currentData() == Sensitivity.OFF
    )  # no eyes in a landscape
    assert landscape.startswith("keep 9 ·")
    # expressions (issue 49): off for a landscape, on for an event; the tuning carries it
    assert dialog.level_combos["expressions"].currentData() == Sensitivity.OFF
    assert dialog.tuning().level("expressions") is Sensitivity.OFF
    _counts_after(dialog, qtbot, lambda: _set(dialog.genre_combo, Genre.EVENT))
    assert dialog.level_combos["expressions"].currentData() == Sensitivity.NORMAL
    assert dialog.tuning().level("expressions") is Sensitivity.NORMAL
    assert CullProposal.select().count() == 0  # counting never writes
    assert all(Photo.get_by_id(pid).cull == "unreviewed" for pid in ids.values())
    dialog.close()


def test_propose_writes_the_seats_proposals_and_the_tiles_show_them(
    app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.ui.gallery.flags import photo_flags

    monkeypatch.setenv("CURATOR_SEAT_USER", "lead")
    ids = _shoot(app)
    dialog_closed = _propose(app, qtbot)
    qtbot.waitUntil(lambda: app.window.cull.dialog is None, timeout=10_000)
    assert dialog_closed is not None
    rows = {p.photo_id: p for p in CullProposal.select()}
    assert set(rows) == set(ids.values()) and {p.owner for p in rows.values()} == {"lead"}
    assert rows[ids["blurred"]].verdict == "reject" and rows[ids["good0"]].verdict == "keep"
    model = app.window.model

    def blurred() -> Any:
        return model.photo_row(model.row_for(ids["blurred"]))  # type: ignore[arg-type]

    # The tile's row is re-read off the UI thread (issue 51); the old one until then.
    qtbot.waitUntil(lambda: (r := blurred()) is not None and r.proposal is not None)
    row = blurred()
    assert photo_flags(row, 70.0).proposed == "reject"
    assert "keep 8 · reject 3 · highlights 1" in app.window.statusBar().currentMessage()


def test_accept_the_rest_decides_all_and_ctrl_z_undoes_all_in_one_step(
    app: App, qtbot: QtBot
) -> None:
    ids = _shoot(app)
    _propose(app, qtbot)
    proposed = {
        p.photo_id: (p.verdict, p.reasons, p.confidence, p.highlight) for p in CullProposal.select()
    }
    runs = app.retrain.runs
    cull = app.window.cull
    with qtbot.waitSignal(app.window.session.photos_changed, timeout=30_000) as changed:
        cull.accept_action.trigger()
    assert sorted(changed.args[0]) == sorted(ids.values())  # type: ignore[index]
    state = {name: Photo.get_by_id(pid).cull for name, pid in ids.items()}
    assert state["good0"] == "kept" and state["burst_best"] == "kept"
    assert state["blurred"] == "rejected" and state["burst_twin"] == "rejected"
    assert CullProposal.select().count() == 0  # each decision ended its proposal
    log = decisions.decision_log(ids["good0"])
    assert [e["pass"] for e in log] == [PROPOSAL_PASS]
    assert "Accepted 8 keep(s) and 3 reject(s) as one step" in (
        app.window.statusBar().currentMessage()
    )
    # One retrain for the whole batch, never one per photo.
    qtbot.waitUntil(lambda: app.retrain.runs == runs + 1, timeout=30_000)
    qtbot.waitUntil(lambda: not app.retrain._busy, timeout=30_000)
    assert app.retrain.runs == runs + 1
    # Ctrl+Z in the window (its Edit ▸ Undo action) undoes the whole accept.
    undo = app.window.window_actions["undo"]
    assert QKeySequence("Ctrl+Z") in undo.shortcuts()
    app.window.show_gallery()
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=10_000)
    with qtbot.waitSignal(app.window.session.photos_changed, timeout=10_000) as undone:
        qtbot.keyClick(app.window.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(undone.args[0]) == sorted(ids.values())  # type: ignore[index]
    said = app.window.statusBar().currentMessage()
    assert said.startswith("Undone") and " and " in said  # keeps and rejects, both named
    assert "keep" in said and "reject" in said and f"of {len(ids)} photos" in said
    assert all(Photo.get_by_id(pid).cull == "unreviewed" for pid in ids.values())
    # The proposals come back with the undo, as they were, and the tiles show them.
    back = {
        p.photo_id: (p.verdict, p.reasons, p.confidence, p.highlight) for p in CullProposal.select()
    }
    assert back == proposed
    model = app.window.model
    qtbot.waitUntil(
        lambda: all(
            (row := model.photo_row(model.row_for(pid))) is not None  # type: ignore[arg-type]
            and row.proposal is not None
            for pid in ids.values()
        ),
        timeout=10_000,
    )
    assert decisions.undo_last() is None  # it was one step: nothing older to undo


def test_ctrl_z_pressed_while_the_accept_runs_waits_and_undoes_it_with_its_proposals(
    app: App, qtbot: QtBot
) -> None:
    """Issue 51 §1: the accept and the undo are steps of one queue, in order; the
    proposals the accept ended are kept by its job, so the undo waiting behind
    it puts them back before the window has even heard of the accept."""
    ids = _shoot(app)
    _propose(app, qtbot)
    proposed = {p.photo_id: (p.verdict, p.confidence) for p in CullProposal.select()}
    window, session = app.window, app.window.session
    steps = session.steps
    assert steps is not None
    window.cull.accept_action.trigger()
    window.dispatch("undo")  # at once: the accept has not been written, or not heard of
    assert steps.pending == 2
    # A decision meanwhile (a grid key's path): refused, said, nothing written.
    assert session.decide_many(DecisionAction.REJECT, [ids["good0"]]) == []
    assert "that key did nothing" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: steps.idle, timeout=30_000)
    assert all(Photo.get_by_id(pid).cull == "unreviewed" for pid in ids.values())
    back = {p.photo_id: (p.verdict, p.confidence) for p in CullProposal.select()}
    assert back == proposed
    assert window.statusBar().currentMessage().startswith("Undone")
    assert decisions.undo_last() is None  # the accept was the one step


def test_a_photo_decided_after_proposing_is_left_alone_and_the_override_is_a_decision(
    app: App, qtbot: QtBot
) -> None:
    ids = _shoot(app)
    _propose(app, qtbot)
    session = app.window.session
    blurred = ids["blurred"]  # proposed reject; the photographer keeps it
    assert CullProposal.get(CullProposal.photo == blurred).verdict == "reject"
    session.decide_many(DecisionAction.KEEP, [blurred])
    assert session.pass_ is not None
    assert CullProposal.select().where(CullProposal.photo == blurred).count() == 0
    assert [e["pass"] for e in decisions.decision_log(blurred)] == ["cull"]  # a plain decision
    with qtbot.waitSignal(app.window.cull.controller().accepted, timeout=30_000) as done:
        app.window.cull.accept_all()
    report = done.args[0].report  # type: ignore[index]
    assert blurred not in report.photo_ids and report.rejected == 2 and report.kept == 8
    assert Photo.get_by_id(blurred).cull == "kept"
    assert [e["pass"] for e in decisions.decision_log(blurred)] == ["cull"]


def test_accept_keeps_only_leaves_the_rejects_proposed(app: App, qtbot: QtBot) -> None:
    ids = _shoot(app)
    _propose(app, qtbot)
    with qtbot.waitSignal(app.window.cull.controller().accepted, timeout=30_000):
        app.window.cull.accept_keeps_action.trigger()
    assert Photo.get_by_id(ids["good0"]).cull == "kept"
    assert Photo.get_by_id(ids["blurred"]).cull == "unreviewed"
    assert {p.verdict for p in CullProposal.select()} == {"reject"}


def test_a_read_only_seat_is_told_instead(app: App, qtbot: QtBot) -> None:
    _shoot(app)
    app.window.session.read_only = "This seat may only look."
    assert app.window.cull.open_dialog() is None
    assert app.window.cull.accept_all() is False
    assert app.window.statusBar().currentMessage() == "This seat may only look."


def test_the_dialog_grab(app: App, qtbot: QtBot, tmp_path: Path) -> None:
    """Saved for a look by eye (PROPOSE_DIALOG_GRAB); always checks it renders."""
    import os

    _shoot(app)
    dialog = _open(app, qtbot)
    from curator.ui.common.palette import dark_palette

    dialog.setPalette(dark_palette())  # main() gives the whole application this palette
    _counts_after(dialog, qtbot, lambda: _set(dialog.target_combo, "percent"))
    image = dialog.grab()
    assert image.width() > 300 and image.height() > 300
    folder = Path(os.environ.get("PROPOSE_DIALOG_GRAB", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert image.save(str(folder / "propose-dialog.png"))
    dialog.close()


def test_the_project_the_grid_shows_is_the_first_scope(app: App, qtbot: QtBot) -> None:
    from curator.catalog import projects

    ids = _shoot(app)
    project = projects.create_project("Wedding")
    projects.add_photos(project.id, [ids["good0"], ids["blurred"], ids["dark"]])
    app.window.projects.refresh()
    app.window.project_actions.show_project(project.id)
    dialog = _open(app, qtbot)
    assert dialog.scope_combo.currentText() == "The project “Wedding”"
    assert dialog.undecided == 3
    assert dialog.counts_label.text() == "keep 1 · reject 2 · highlights 1"
    dialog.scope_combo.setCurrentIndex(1)  # the whole catalog: read again, counted again
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)
    assert dialog.undecided == len(ids)
    assert dialog.counts_label.text() == "keep 8 · reject 3 · highlights 1"
    dialog.close()


# --- the photos a proposal is for (issue 51 §4) ------------------------------------


def _scope_labels(dialog: ProposeDialog) -> list[str]:
    combo = dialog.scope_combo
    return [combo.itemText(i) for i in range(combo.count())]


def _choose(dialog: ProposeDialog, qtbot: QtBot, label: str) -> None:
    """Pick the scope labelled `label`; wait for its photos' counts."""
    index = dialog.scope_combo.findText(label)
    assert index >= 0, (label, _scope_labels(dialog))
    dialog.scope_combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)


def test_the_grids_selection_comes_first_and_is_what_is_proposed(
    app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    monkeypatch.setenv("CURATOR_SEAT_USER", "lead")
    ids = _shoot(app)
    chosen = [ids["good0"], ids["blurred"], ids["dark"]]
    model, selection = app.window.model, app.window.gallery.selectionModel()
    for pid in chosen:
        index = model.index(model.row_for(pid))  # type: ignore[arg-type]
        selection.select(index, QItemSelectionModel.SelectionFlag.Select)
    dialog = _open(app, qtbot)
    assert dialog.scope_combo.currentText() == "The 3 photos selected in the grid"
    assert dialog.undecided == 3
    assert dialog.counts_label.text() == "keep 1 · reject 2 · highlights 1"
    with qtbot.waitSignal(app.window.cull.controller().proposed, timeout=30_000):
        qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert {p.photo_id for p in CullProposal.select()} == set(chosen)
    assert {p.owner for p in CullProposal.select()} == {"lead"}


def test_one_clicked_tile_is_not_offered_as_a_selection(app: App, qtbot: QtBot) -> None:
    ids = _shoot(app)
    model = app.window.model
    app.window.gallery.setCurrentIndex(model.index(model.row_for(ids["good0"])))  # type: ignore[arg-type]
    dialog = _open(app, qtbot)
    assert not any("selected" in label for label in _scope_labels(dialog))
    assert dialog.scope_combo.currentText() == "The whole catalog"
    dialog.close()


def test_a_folder_chosen_with_the_picker_is_read_and_counted(
    app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    ids = _shoot(app)
    other = [_photo(20 + i, path=f"/other-shoot/day2/IMG_{i}.jpg".encode()) for i in range(2)]
    other.append(_photo(30, path=b"/other-shoot/day2/IMG_9.jpg", sharpness_score=10.0))
    app.window.model.refresh()
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog,
        "getExistingDirectory",
        lambda *a, **k: asked.append(str(a[1])) or "/other-shoot/day2/",
    )
    dialog = _open(app, qtbot)
    assert dialog.undecided == len(ids) + 3  # the whole catalog first
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert asked and "folder" in asked[0]
    assert dialog.scope_combo.currentText() == "Under /other-shoot/day2"
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)
    assert dialog.undecided == 3
    assert dialog.counts_label.text().startswith("keep 2 · reject 1")
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)  # the same folder again
    assert _scope_labels(dialog).count("Under /other-shoot/day2") == 1
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")  # cancelled
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert dialog.scope_combo.currentText() == "Under /other-shoot/day2"
    with qtbot.waitSignal(app.window.cull.controller().proposed, timeout=30_000):
        qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert {p.photo_id for p in CullProposal.select()} == set(other)


def test_what_the_grid_shows_is_a_scope_and_so_is_every_project(app: App, qtbot: QtBot) -> None:
    from curator.catalog import projects

    ids = _shoot(app)
    for name in ("good1", "good2", "blurred"):
        decisions.add_tag(ids[name], "harbour")
    wedding = projects.create_project("Wedding")
    projects.add_photos(wedding.id, [ids["good0"], ids["dark"]])
    projects.create_project("Album")
    app.window.projects.refresh()
    app.window.filter_bar.apply_cloud_click("harbour", "only")
    qtbot.waitUntil(lambda: app.window.model.rowCount() == 3, timeout=10_000)
    dialog = _open(app, qtbot)
    assert _scope_labels(dialog) == [
        "What the grid shows: tag “harbour”",
        "The whole catalog",
        "The project “Album”",
        "The project “Wedding”",
    ]
    assert dialog.undecided == 3
    assert dialog.counts_label.text() == "keep 2 · reject 1 · highlights 1"
    _choose(dialog, qtbot, "The project “Wedding”")
    assert dialog.undecided == 2
    _choose(dialog, qtbot, "The project “Album”")
    assert dialog.counts_label.text() == "Nothing to propose"
    assert CullProposal.select().count() == 0
    dialog.close()


@pytest.mark.parametrize(
    ("kind", "expressions", "eyes"),
    [
        ("people", Sensitivity.NORMAL, Sensitivity.NORMAL),
        ("portrait", Sensitivity.NORMAL, Sensitivity.NORMAL),
        ("event", Sensitivity.NORMAL, Sensitivity.NORMAL),
        ("any", Sensitivity.NORMAL, Sensitivity.NORMAL),
        ("sports", Sensitivity.OFF, Sensitivity.OFF),
        ("landscape", Sensitivity.OFF, Sensitivity.OFF),
    ],
)
def test_the_dialog_starts_at_the_shoot_kind_setting(
    app: App, qtbot: QtBot, kind: str, expressions: Sensitivity, eyes: Sensitivity
) -> None:
    """Issue 49 §3: the "Expressions" check starts on for people, portrait,
    event and unsaid shoots, off for sports and landscape — from the setting,
    as `curator cull --propose` defaults; the proposal's tuning carries it."""
    _shoot(app)
    app.window.settings = replace(app.window.settings, shoot_kind=kind)
    dialog = _open(app, qtbot)
    assert dialog.genre() == (None if kind == "any" else Genre(kind))
    assert dialog.level_combos["expressions"].currentData() == expressions
    assert dialog.level_combos["closed_eyes"].currentData() == eyes
    assert dialog.tuning().level("expressions") is expressions
    dialog.close()


def test_the_expressions_check_set_by_hand_is_what_proposes(app: App, qtbot: QtBot) -> None:
    """A sports shoot starts with expressions off; turned on by hand, the
    tuning says on (the setting only chooses where the dialog starts)."""
    _shoot(app)
    app.window.settings = replace(app.window.settings, shoot_kind="sports")
    dialog = _open(app, qtbot)
    _counts_after(
        dialog, qtbot, lambda: _set(dialog.level_combos["expressions"], Sensitivity.NORMAL)
    )
    assert dialog.genre() is Genre.SPORTS
    assert dialog.tuning().level("expressions") is Sensitivity.NORMAL
    dialog.close()
