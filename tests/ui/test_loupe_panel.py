"""The loupe's side panel: description, tags (add with completion / remove,
persisted in the catalog), preference with MATCH, burst membership — and
typing in the tag field never triggers a loupe shortcut."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.catalog import judgments
from curator.catalog.decisions import decision_log
from curator.catalog.models import Photo, PhotoTag, Tag
from curator.catalog.queries import photo_details
from tests.scores import set_score
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name, save_shot


def _describe(pid: int, tags: list[str]) -> None:
    judgments.store_description(
        pid,
        subject="a red wall with a pale disc",
        content_type="still_life",
        lighting_critique="flat, even daylight with no shadows",
        artistic_mood="calm",
        tags=tags,
        model="test-llm",
        prompt_version="v1",
    )


def _live_tags(pid: int) -> dict[str, str]:
    rows = (
        PhotoTag.select(Tag.name, PhotoTag.source)
        .join(Tag)
        .where(PhotoTag.photo == pid, PhotoTag.removed_at.is_null())
        .tuples()
    )
    return dict(rows)


def test_panel_shows_description_match_and_burst(library: Path, qtbot: QtBot) -> None:
    ids = photo_ids_by_name()
    p0, p1, p2 = (ids[f"IMG_{i:04d}.jpg"] for i in range(3))
    _describe(p0, ["sunset", "wall", "circle"])
    set_score(p0, 82.0)
    Photo.update(burst_group=7).where(Photo.id.in_([p0, p1, p2])).execute()
    Photo.update(burst_best=True).where(Photo.id == p0).execute()
    # A caption written in another tool (imported from dc:description).
    Photo.update(caption="Evening light on the steps").where(Photo.id == p0).execute()
    with loupe_harness(qtbot, match_threshold=80.0) as h:
        panel = h.page.panel
        assert h.session.current == p0
        v = panel.values
        assert v["Caption"].text() == "Evening light on the steps"
        assert v["Subject"].text() == "a red wall with a pale disc"
        assert v["Content"].text() == "still life"
        assert v["Mood"].text() == "calm" and v["Lighting"].text().startswith("flat")
        assert v["Preference"].text() == "82 / 100" and panel.match_badge.isVisible()
        assert v["Burst"].text() == "3 frames · suggested best"
        assert set(panel.tags.buttons) == {"sunset", "wall", "circle"}
        save_shot(h.page, "loupe-panel-tags")
        panel.set_match_threshold(90.0)
        h.page.invalidate([p0])
        assert not panel.match_badge.isVisible()
        qtbot.keyClick(h.page.view, Qt.Key.Key_Right)
        assert v["Burst"].text() == "3 frames" and v["Subject"].text() == "not described yet"
        assert v["Caption"].text() == "—"
        assert v["Preference"].text() == "no model yet" and not panel.tags.buttons


def test_tags_add_and_remove_persist_and_typing_decides_nothing(
    library: Path, qtbot: QtBot
) -> None:
    ids = photo_ids_by_name()
    p0, p1 = ids["IMG_0000.jpg"], ids["IMG_0001.jpg"]
    _describe(p0, ["sunset", "beach"])
    judgments.add_user_tag(p1, "harbour")  # another photo's tag: offered by the completer
    with loupe_harness(qtbot) as h:
        tags = h.page.panel.tags
        assert tags.field.completer().model() is tags.names
        tags.refresh_completions()
        assert {"harbour", "sunset", "beach"} <= set(tags.names.stringList())

        # Remove an AI tag with a click: remembered as feedback, no longer shown.
        qtbot.mouseClick(tags.buttons["beach"], Qt.MouseButton.LeftButton)
        assert "beach" not in tags.buttons and _live_tags(p0) == {"sunset": "ai"}
        _describe(p0, ["sunset", "beach", "sand"])  # a re-run of the describer
        h.page.invalidate([p0])
        assert set(tags.buttons) == {"sunset", "sand"}

        # Type into the tag field: the loupe's keys (p, x, 3, space, arrows) stay quiet.
        tags.field.setFocus()
        qtbot.waitUntil(tags.field.hasFocus, timeout=30_000)
        qtbot.keyClicks(tags.field, "px")
        for k in (Qt.Key.Key_Space, Qt.Key.Key_3, Qt.Key.Key_Right):
            qtbot.keyClick(tags.field, k)
        assert tags.field.hasFocus() and tags.field.text() == "px 3"
        qtbot.keyClick(tags.field, Qt.Key.Key_Tab)  # moves the focus on, as Tab does...
        assert h.session.current == p0 and h.session.pass_ == "cull"  # ...not the pass
        tags.field.setFocus()
        qtbot.keyClick(tags.field, Qt.Key.Key_Return)
        assert _live_tags(p0)["px 3"] == "user" and tags.field.text() == ""
        # Only the tag edits are decisions (undoable); the typed keys decided nothing.
        assert [(d["kind"], d["new"]) for d in decision_log(p0)] == [
            ("tag", "removed:beach"),
            ("tag", "user:px 3"),
        ]

        qtbot.keyClicks(tags.field, "  Golden_Hour! ")
        qtbot.keyClick(tags.field, Qt.Key.Key_Return)
        assert _live_tags(p0)["golden hour"] == "user"
        assert "golden hour" in tags.names.stringList()

        qtbot.keyClicks(tags.field, "#")  # nothing usable: refused, nothing written
        qtbot.keyClick(tags.field, Qt.Key.Key_Return)
        assert tags.message.isVisible() and "can't be a tag" in tags.message.text()
        qtbot.keyClick(tags.field, Qt.Key.Key_Backspace)
        qtbot.keyClicks(tags.field, "photo")  # generic words are refused too
        qtbot.keyClick(tags.field, Qt.Key.Key_Return)
        assert "photo" not in _live_tags(p0) and tags.message.isVisible()
        save_shot(h.page, "loupe-panel-tag-refused")

        # Removing a user tag deletes it; Esc hands the keys back to the loupe.
        qtbot.mouseClick(tags.buttons["px 3"], Qt.MouseButton.LeftButton)
        assert "px 3" not in _live_tags(p0)
        qtbot.keyClick(tags.field, Qt.Key.Key_Escape)
        assert h.page.view.hasFocus() and tags.field.text() == ""
        qtbot.keyClick(h.page.view, Qt.Key.Key_P)  # now P decides again
        assert [d["photo_id"] for d in decision_log() if d["kind"] != "tag"] == [p0]
        # Undo (Ctrl+Z's path) reverts the keep, then the tag removal: the chip is back.
        h.session.undo()
        h.session.undo()
        assert _live_tags(p0)["px 3"] == "user" and h.session.current == p0
        assert "px 3" in tags.buttons
        h.session.redo()
        assert "px 3" not in _live_tags(p0) and "px 3" not in tags.buttons
        h.session.redo()

    details = photo_details(p0)
    assert details is not None
    assert [(t.name, t.source) for t in details.tags] == [
        ("golden hour", "user"),
        ("sand", "ai"),
        ("sunset", "ai"),
    ]


def test_a_burst_s_best_frame_says_why_its_faces_are_ready(library: Path, qtbot: QtBot) -> None:
    from dataclasses import replace

    from curator.catalog.people.store import apply_faces
    from curator.records import EyeState, Face, FacesFound, FacesSummary, Looking

    ids = photo_ids_by_name()
    p0, p1 = ids["IMG_0000.jpg"], ids["IMG_0001.jpg"]
    Photo.update(burst_group=7).where(Photo.id.in_([p0, p1])).execute()
    Photo.update(burst_best=True).where(Photo.id == p0).execute()
    ready = Face((0.1, 0.1, 0.2, 0.2), 200, True, EyeState.OPEN, key=True, smile=0.9)
    couple = (
        replace(ready, looking=Looking.CAMERA),
        replace(ready, box=(0.5, 0.1, 0.2, 0.2), looking=Looking.CAMERA),
    )
    summary = FacesSummary(2, 2, 2, eyes_open=True, smiling=True, all_at_camera=True, ready=2)
    apply_faces(Photo._meta.database, [(p0, FacesFound(couple, "v", summary=summary))])
    from curator.catalog.backends.seat import current_seat
    from curator.catalog.proposals.store import write_proposals
    from curator.records import Proposal, ProposalVerdict

    write_proposals(current_seat().user, [Proposal(p0, ProposalVerdict.KEEP, (), 0.7)])
    with loupe_harness(qtbot) as h:
        assert h.session.current == p0
        shown = h.page.panel.values["Burst"].text().replace("\u200b", "")
        assert shown == (
            "2 frames · suggested best: everyone's eyes open · both smiling, looking at the camera"
        )
        # the proposal's keep says the same of its people (issue 49 §3)
        proposal = h.page.panel.values["Proposal"].text().replace("\u200b", "")
        assert proposal.startswith(
            "Keep? everyone's eyes open · both smiling, looking at the camera (sure: 70%)"
        )
