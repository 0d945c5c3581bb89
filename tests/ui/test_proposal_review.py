"""Reviewing proposals photo by photo (issue 42 §3, cull for me): the loupe
shows the current photo's proposal with its reasons in words; A accepts it
(keep -> kept, reject -> rejected, logged as from a proposal, one undo step)
and moves on, and on a photo without one says so and decides nothing;
Shift+A walks the proposals least sure first; the Filter popup shows exactly
the proposed keeps, rejects or highlights, with counts; an override (P or X
against the proposal) is an ordinary decision that feeds the taste model,
and a decision ends the proposal on the tile and in the loupe. The
proposals are this seat's photographer's (`write_proposals`, as `curator
cull --propose` writes them), on the real window over a library imported
through the CLI."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.backends.seat import current_seat
from curator.catalog.decisions import decision_log
from curator.catalog.models import Photo
from curator.catalog.proposals.store import (
    PROPOSAL_PASS,
    clear_proposals,
    proposals_of,
    write_proposals,
)
from curator.catalog.types import MetadataFilter
from curator.records import Proposal, ProposalReason, ProposalVerdict
from curator.ui.gallery.flags import PhotoFlags
from curator.ui.gallery.model import FlagsRole, PhotoRole
from curator.ui.loupe.info_panel import AMBER
from curator.ui.loupe.proposal_mark import PROPOSED_REJECT_LOUPE_OPACITY, proposed_reject
from curator.ui.loupe.view import LoupeView
from tests.ui.step_helpers import steps_done

WAIT = 30_000
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT
R = ProposalReason


def _ids() -> list[int]:
    """The eight good photos, in capture order (IMG_0000 … IMG_0007)."""
    by_name = {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}
    return [by_name[f"IMG_{i:04d}.jpg"] for i in range(8)]


def _propose(p: list[int]) -> list[Proposal]:
    """Proposals for the first six photos (confidences all different); the
    last two have none."""
    proposals = [
        Proposal(p[0], REJECT, (R.CLOSED_EYES, R.BLUR), 0.9),
        Proposal(p[1], KEEP, (), 0.4, True),
        Proposal(p[2], REJECT, (R.DUPLICATE,), 0.2),
        Proposal(p[3], KEEP, (), 0.7),
        Proposal(p[4], REJECT, (R.UNDER_EXPOSED,), 0.55),
        Proposal(p[5], KEEP, (), 0.95, True),
    ]
    assert write_proposals(current_seat().user, proposals) == 6
    return proposals


def _cull(pid: int) -> str:
    return str(Photo.get_by_id(pid).cull)


def _loupe_at(app: App, qtbot: QtBot, pid: int) -> None:
    window = app.window
    window.show_loupe(pid)
    view = window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus() and view.painted_photo_id == pid, timeout=WAIT)


def _brightness(view: LoupeView) -> float:
    """The mean lightness of the photo as the loupe paints it (a 24 × 24 grid)."""
    image = view.grab().toImage()
    rect = view.image_rect().intersected(view.photo_area())
    samples = [
        image.pixelColor(
            int(rect.left() + (i + 0.5) * rect.width() / 24),
            int(rect.top() + (j + 0.5) * rect.height() / 24),
        ).lightnessF()
        for i in range(24)
        for j in range(24)
    ]
    return sum(samples) / len(samples)


def _ink(label: QLabel) -> str:
    return label.palette().windowText().color().name()


def _panel_proposal(app: App) -> str:
    return app.window.loupe.panel.values["Proposal"].text()


def test_the_loupe_shows_the_proposal_and_a_accepts_it_and_moves_on(
    library: Path, app: App, qtbot: QtBot
) -> None:
    p = _ids()
    _propose(p)
    session, view = app.session, app.window.loupe.view
    _loupe_at(app, qtbot, p[0])
    # The proposed reject: dimmed, its pills and reasons in words, in the panel too.
    assert view.photo is not None and proposed_reject(view.photo)
    qtbot.waitUntil(lambda: view.is_preview, timeout=WAIT)
    dimmed = _brightness(view)
    text = _panel_proposal(app)
    assert text.startswith("Reject? closed eyes · blur") and "sure: 90%" in text
    assert _ink(app.window.loupe.panel.values["Proposal"]) == AMBER.name()
    assert not view.grab().toImage().isNull()

    qtbot.keyClick(view, Qt.Key.Key_A)  # accept: rejected, and the next photo
    assert _cull(p[0]) == "rejected" and session.current == p[1]
    assert app.window.statusBar().currentMessage() == "Proposal accepted: rejected."
    assert p[0] not in proposals_of(current_seat().user)  # the decision ended it
    qtbot.waitUntil(lambda: view.painted_photo_id == p[1], timeout=WAIT)
    assert _panel_proposal(app).startswith("Keep? · a highlight (sure: 40%)")
    # The reject's amber is gone: the row reads in the panel's own colour again.
    values = app.window.loupe.panel.values
    assert _ink(values["Proposal"]) == _ink(values["State"]) != AMBER.name()
    qtbot.keyClick(view, Qt.Key.Key_A)  # a proposed keep: kept
    assert _cull(p[1]) == "kept" and session.current == p[2]
    log = [(d["photo_id"], d["kind"], d["new"], d["pass"]) for d in decision_log()]
    assert log == [
        (p[0], "cull", "rejected", PROPOSAL_PASS),
        (p[1], "cull", "kept", PROPOSAL_PASS),
    ]

    # One undo step per photo: Ctrl+Z takes back the keep, then the reject, and
    # each proposal comes back with it; Ctrl+Shift+Z decides it again.
    me = current_seat().user
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    steps_done(app.session, qtbot)
    assert _cull(p[1]) == "unreviewed" and _cull(p[0]) == "rejected"
    assert p[1] in proposals_of(me) and p[0] not in proposals_of(me)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    steps_done(app.session, qtbot)
    assert _cull(p[0]) == "unreviewed" and session.current == p[0]
    assert proposals_of(me)[p[0]]["reasons"] == ["closed eyes", "blur"]
    qtbot.waitUntil(lambda: _panel_proposal(app).startswith("Reject? closed eyes"), timeout=WAIT)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: rejected, the proposal ended
    steps_done(app.session, qtbot)
    assert _cull(p[0]) == "rejected" and p[0] not in proposals_of(me)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # and undone again: back once more
    steps_done(app.session, qtbot)
    assert _cull(p[0]) == "unreviewed" and p[0] in proposals_of(me)
    qtbot.waitUntil(lambda: view.is_preview and view.photo is not None, timeout=WAIT)
    assert abs(_brightness(view) - dimmed) < 0.01
    # Without its proposal the same picture is painted brighter: it was dimmed.
    clear_proposals(me)
    app.window.loupe.invalidate([p[0]])
    qtbot.waitUntil(lambda: view.photo is not None and view.photo.proposal is None, timeout=WAIT)
    qtbot.waitUntil(lambda: view.is_preview, timeout=WAIT)
    ratio = dimmed / _brightness(view)
    assert abs(ratio - PROPOSED_REJECT_LOUPE_OPACITY) < 0.08, ratio
    _propose(p)

    # A photo without a proposal: a sentence, nothing decided, the loupe stays.
    session.go_to(p[7])
    before = len(decision_log())
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert session.current == p[7] and _cull(p[7]) == "unreviewed"
    assert len(decision_log()) == before
    message = app.window.statusBar().currentMessage()
    assert message.startswith("This photo has no proposal to accept, so nothing was decided")
    assert _panel_proposal(app) == "none"


def test_least_sure_first_walks_the_proposals_in_ascending_confidence(
    library: Path, app: App, qtbot: QtBot
) -> None:
    p = _ids()
    proposals = _propose(p)
    window, session = app.window, app.session
    action = window.window_actions["least_sure_first"]
    assert action.isCheckable() and action.text() == "Least sure first"
    assert action in window.menus.cull.actions()  # Cull ▸ Least sure first, after Propose…
    qtbot.keyClick(window.gallery, Qt.Key.Key_A, SHIFT)
    assert action.isChecked()
    ascending = [x.photo_id for x in sorted(proposals, key=lambda x: x.confidence)]
    assert ascending == [p[2], p[1], p[4], p[3], p[0], p[5]]
    # The order is read on a worker (issue 51 §2); the pass starts when it arrives.
    qtbot.waitUntil(lambda: session.order == ascending, timeout=WAIT)
    assert session.pass_ == "cull" and window.loupe_slot.showing()
    assert (
        window.statusBar().currentMessage().startswith("Cull pass, least sure first: 6 proposals")
    )
    view = window.loupe.view
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=WAIT)
    visited = [session.current]
    for _ in range(5):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        visited.append(session.current)
    assert visited == ascending
    # A decided photo's proposal ends: the next start leaves it out.
    qtbot.keyClick(view, Qt.Key.Key_X)  # p[5], proposed keep: overridden
    qtbot.keyClick(view, Qt.Key.Key_A, SHIFT)  # off: the usual cull pass
    assert not action.isChecked() and not session.scope
    qtbot.keyClick(view, Qt.Key.Key_A, SHIFT)  # on again: read again
    qtbot.waitUntil(lambda: session.order == ascending[:-1], timeout=WAIT)


def test_the_filter_popup_shows_exactly_the_proposed_keeps_rejects_and_highlights(
    library: Path, app: App, qtbot: QtBot
) -> None:
    p = _ids()
    _propose(p)
    window = app.window
    model = window.model
    button = window.filter_bar.metadata_button
    panel = button.panel
    button.load_choices()  # what opening the popup does
    qtbot.waitUntil(lambda: button.loads >= 1, timeout=WAIT)
    combo = panel.proposal_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts == ["Any photo", "Proposed keep (3)", "Proposed reject (3)", "Highlights (2)"]
    window.filter_bar.show_state(window.filter_bar.state.ALL)
    for value, want in (
        ("keep", {p[1], p[3], p[5]}),
        ("reject", {p[0], p[2], p[4]}),
        ("highlight", {p[1], p[5]}),
    ):
        combo.setCurrentIndex(combo.findData(value))
        qtbot.waitUntil(lambda want=want: set(model.ids) == want, timeout=WAIT)
        assert window.filter_bar.query().metadata == MetadataFilter(proposal=value)
    assert button.text() == "Filter: highlights"
    panel.clear()
    qtbot.waitUntil(lambda: len(model.ids) == 9, timeout=WAIT)  # the broken file too


def _tile(app: App, pid: int) -> tuple[object, PhotoFlags]:
    model = app.window.model
    row = model.row_for(pid)
    assert row is not None
    index = model.index(row)
    flags = index.data(FlagsRole)
    assert isinstance(flags, PhotoFlags)
    return index.data(PhotoRole), flags


def test_an_override_is_an_ordinary_decision_and_ends_the_proposal_on_tile_and_loupe(
    library: Path, app: App, qtbot: QtBot
) -> None:
    p = _ids()
    _propose(p)
    window, session = app.window, app.session
    window.model.refresh(p)  # the grid listed its rows before the proposals
    qtbot.waitUntil(lambda: _tile(app, p[3])[1].proposed == "keep", timeout=WAIT)
    row, flags = _tile(app, p[0])
    assert flags.proposed == "reject" and flags.proposed_why == "EYES"
    assert proposed_reject(row)  # its tile is dimmed (ThumbnailDelegate)
    _loupe_at(app, qtbot, p[3])
    assert _panel_proposal(app).startswith("Keep?")
    view = window.loupe.view
    qtbot.keyClick(view, Qt.Key.Key_X)  # against the proposal: a reject
    assert _cull(p[3]) == "rejected" and session.current == p[4]
    last = decision_log()[-1]
    assert (last["photo_id"], last["new"], last["pass"]) == (p[3], "rejected", "cull")
    assert app.retrain.pending  # the taste model learns from it, as from any decision
    assert p[3] not in proposals_of(current_seat().user)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: view.painted_photo_id == p[3], timeout=WAIT)
    assert view.photo is not None and view.photo.proposal is None
    assert _panel_proposal(app) == "none"
    window.show_gallery()  # the grid takes the decision in: the tile's proposal is gone
    qtbot.waitUntil(lambda: _tile(app, p[3])[1].proposed is None, timeout=WAIT)
    assert _tile(app, p[4])[1].proposed == "reject"  # the others keep theirs


def test_a_in_the_grid_accepts_the_selected_photos_proposals_as_one_step(
    library: Path, app: App, qtbot: QtBot
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    p = _ids()
    _propose(p)
    window = app.window
    gallery, model = window.gallery, window.model
    window.show_gallery()
    selection = gallery.selectionModel()
    selection.clearSelection()  # the current tile was selected
    for pid in (p[2], p[3], p[7]):  # a proposed reject, a proposed keep, none
        row = model.row_for(pid)
        assert row is not None
        selection.select(model.index(row), QItemSelectionModel.SelectionFlag.Select)
    gallery.setFocus()
    qtbot.waitUntil(gallery.hasFocus, timeout=WAIT)
    qtbot.keyClick(gallery, Qt.Key.Key_A)
    assert [_cull(pid) for pid in p] == [
        *("unreviewed", "unreviewed", "rejected", "kept"),
        *("unreviewed", "unreviewed", "unreviewed", "unreviewed"),
    ]
    assert window.statusBar().currentMessage() == (
        "Proposals accepted: 1 kept, 1 rejected (1 without a proposal, or decided already)."
    )
    qtbot.keyClick(gallery, Qt.Key.Key_Z, CTRL)  # one undo step takes both back
    steps_done(app.session, qtbot)
    assert [_cull(pid) for pid in (p[2], p[3])] == ["unreviewed", "unreviewed"]
    assert {p[2], p[3]} <= set(proposals_of(current_seat().user))  # with their proposals
    # Only the photo without a proposal selected: a sentence, nothing decided.
    selection.clearSelection()
    row = model.row_for(p[6])
    assert row is not None
    selection.select(model.index(row), QItemSelectionModel.SelectionFlag.Select)
    before = len(decision_log())
    qtbot.keyClick(gallery, Qt.Key.Key_A)
    assert len(decision_log()) == before
    assert window.statusBar().currentMessage().startswith("This photo has no proposal")
