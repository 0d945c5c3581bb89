"""C: compare the current photo with the next; Shift+C pins the left one;
decision keys act on the right-hand photo (the candidate); C / Esc leave."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.catalog.decisions import decision_log
from curator.catalog.models import Photo
from curator.ui.review.help_overlay import HelpOverlay
from curator.ui.review.keymap import HELP_NOTES, help_rows
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name, save_shot

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_compare_slides_pins_and_decides_on_the_candidate(library: Path, qtbot: QtBot) -> None:
    ids = photo_ids_by_name()
    p = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    with loupe_harness(qtbot) as h:
        page, session = h.page, h.session
        compare = page.compare

        def key(k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
            target = compare if page.comparing else page.view
            qtbot.keyClick(target, k, mods)

        def shown() -> tuple[int | None, int | None]:
            compare.repaint()
            return compare.painted_ids

        assert session.current == p[0]
        key(Qt.Key.Key_C)
        assert page.comparing and compare.isVisible() and compare.hasFocus()
        assert shown() == (p[0], p[1]) and session.current == p[1]
        key(Qt.Key.Key_Right)  # unpinned: both slide
        assert shown() == (p[1], p[2])
        key(Qt.Key.Key_Left)
        key(Qt.Key.Key_Left)  # the left one is already the first photo: stays
        assert shown() == (p[0], p[1]) and "start" in h.notices[-1]

        key(Qt.Key.Key_X)  # rejects the candidate (right), then the pair slides
        assert Photo.get_by_id(p[1]).cull == "rejected"
        assert Photo.get_by_id(p[0]).cull == "unreviewed"
        assert shown() == (p[1], p[2])

        key(Qt.Key.Key_C, SHIFT)  # pin the left one (p1)
        assert page.compare_pinned
        key(Qt.Key.Key_P)  # keep p2, the candidate advances, the reference stays
        key(Qt.Key.Key_Right)
        assert shown() == (p[1], p[4])
        key(Qt.Key.Key_3)  # rates the candidate, stays
        assert Photo.get_by_id(p[4]).rating == 3 and shown() == (p[1], p[4])
        key(Qt.Key.Key_Left)
        key(Qt.Key.Key_Left)
        key(Qt.Key.Key_Left)  # skips the pinned photo itself
        assert shown() == (p[1], p[0])
        # Panel describes the candidate, the one the keys act on.
        assert page.panel.values["File"].text() == "IMG_0000.jpg"
        save_shot(page, "compare-pinned")

        key(Qt.Key.Key_Escape)  # leave; pinned: stay on the candidate
        assert not page.comparing and page.view.isVisible() and page.view.hasFocus()
        assert session.current == p[0]

        key(Qt.Key.Key_C)
        key(Qt.Key.Key_Right)
        key(Qt.Key.Key_C)  # C again leaves; unpinned: back to the left photo
        assert not page.comparing and session.current == p[1]

        key(Qt.Key.Key_C)
        key(Qt.Key.Key_Tab)  # a pass switch leaves compare
        assert not page.comparing and session.pass_ == "rating"

    decided = [(d["photo_id"], d["kind"], d["new"]) for d in decision_log()]
    assert decided == [
        (p[1], "cull", "rejected"),
        (p[2], "cull", "kept"),
        (p[4], "rating", "3"),
        (p[4], "cull", "kept"),  # a star in the cull pass also keeps
    ]


def test_compare_at_the_last_photo_says_so(library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        h.session.go_to(h.session.order[-1])
        qtbot.keyClick(h.page.view, Qt.Key.Key_C)
        assert not h.page.comparing and "no next photo" in h.notices[-1]
        qtbot.keyClick(h.page.view, Qt.Key.Key_Z)  # the broken file: nothing to zoom, no error
        assert not h.reported


def test_help_lists_zoom_and_compare_keys(library: Path, qtbot: QtBot) -> None:
    keys = {row[0] for row in help_rows()}
    assert {"C / Shift+C", "Esc", "P", "X / R", "? / F1"} <= keys
    assert "Z / = / + / -" in keys and "→ / Space / ← / Home / End / W" in keys
    assert any("right-hand photo" in note for note in HELP_NOTES)
    with loupe_harness(qtbot) as h:
        overlay = HelpOverlay(h.page)
        overlay.toggle()
        assert overlay.isVisible()
        save_shot(overlay, "help-overlay")
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)
        assert not overlay.isVisible() and h.page.view.hasFocus()
