"""The photographer's rotation (issue 19 §2): the orientation arithmetic, the
catalog decision (undo/redo, kill-safe) and the migration that admits it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, redo_last, rotate, undo_last
from curator.catalog.models import Photo
from curator.imaging.orientation import apply_orientation, turn_clockwise, turned_orientation
from curator.ui.review.decision_text import history_text


def _stored() -> Image.Image:
    """A 3x2 frame whose every pixel differs, so any wrong turn or flip shows."""
    return Image.fromarray(np.arange(6, dtype=np.uint8).reshape(2, 3))


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("turns", [-5, -1, 0, 1, 2, 3, 4, 7])
def test_turned_orientation_shows_the_stored_pixels_as_the_user_saw_them(
    orientation: int, turns: int
) -> None:
    stored = _stored()
    seen = turn_clockwise(apply_orientation(stored, orientation), turns)
    combined = turned_orientation(orientation, turns)
    assert _same(apply_orientation(stored, combined), seen)


def test_turned_orientation_known_values() -> None:
    assert turned_orientation(1, 1) == 6  # one turn right: "rotate 90 CW to view"
    assert turned_orientation(1, -1) == 8  # one turn left
    assert turned_orientation(6, 1) == 3
    assert turned_orientation(6, -1) == 1  # a camera's sideways portrait turned back
    assert turned_orientation(0, 1) == 6  # an invalid orientation counts as 1


def test_turn_clockwise_turns_right() -> None:
    turned = turn_clockwise(_stored(), 1)
    assert turned.size == (2, 3)
    # the bottom-left pixel (3) comes to the top-left after a clockwise turn
    assert np.asarray(turned)[0, 0] == 3
    assert turn_clockwise(_stored(), 4).tobytes() == _stored().tobytes()


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/photos/{name}".encode(), content_hash=None).id)


def _rotation(pid: int) -> int:
    return int(Photo.get_by_id(pid).rotation)


def test_rotate_is_a_decision_undone_and_redone(catalog: Catalog) -> None:
    pid = _photo("a.jpg")
    assert _rotation(pid) == 0
    records = rotate(pid, -1, pass_="cull")
    assert _rotation(pid) == 3 and [(r.old_value, r.new_value) for r in records] == [("0", "3")]
    rotate(pid, -1, pass_="cull")
    assert _rotation(pid) == 2

    undone = undo_last()
    assert undone is not None and _rotation(pid) == 3
    assert history_text("Undone", undone, {pid: "a.jpg"}) == "Undone: rotation of a.jpg."
    assert undo_last() is not None and _rotation(pid) == 0
    assert redo_last() is not None and _rotation(pid) == 3
    assert [row["kind"] for row in decision_log(pid)] == ["rotation"] * 5


def test_four_turns_come_back_and_a_zero_turn_logs_nothing(catalog: Catalog) -> None:
    pid = _photo("b.jpg")
    for _ in range(4):
        rotate(pid, 1)
    assert _rotation(pid) == 0
    assert rotate(pid, 0) == [] and rotate(pid, 4) == []
    assert len(decision_log(pid)) == 4


def test_a_rotation_survives_reopening_the_catalog(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    with Catalog.open(path):
        pid = _photo("c.jpg")
        rotate(pid, 1)
    # committed before `rotate` returned: a fresh connection (as after a kill) sees it
    with sqlite3.connect(path) as raw:
        row = raw.execute("SELECT rotation FROM photo WHERE id = ?", (pid,)).fetchone()
        kinds = [k for (k,) in raw.execute("SELECT kind FROM decision")]
    assert row == (1,) and kinds == ["rotation"]


def test_m013_keeps_every_decision_of_a_v12_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.catalog import migrations

    path = tmp_path / "v12.sqlite"
    v12 = tuple(m for m in migrations.MIGRATIONS if m.version <= 12)
    monkeypatch.setattr("curator.catalog.db.MIGRATIONS", v12)
    monkeypatch.setattr("curator.catalog.db.LATEST_VERSION", 12)
    with Catalog.open(path) as cat:
        cat.db.execute_sql(
            "INSERT INTO photo (id, path, imported_at, updated_at)"
            " VALUES (7, x'2f612e6a7067', '2026-01-02', '2026-01-02')"
        )
        cat.db.execute_sql(
            "INSERT INTO decision (photo_id, kind, old_value, new_value, pass, created_at)"
            " VALUES (7, 'label', NULL, 'red', 'cull', '2026-01-02 03:04:05')"
        )
    monkeypatch.undo()

    with Catalog.open(path):
        assert _rotation(7) == 0
        assert [(r["kind"], r["new"]) for r in decision_log(7)] == [("label", "red")]
        rotate(7, 1)
        assert [r["kind"] for r in decision_log(7)] == ["label", "rotation"]
    with sqlite3.connect(path) as raw, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE decision SET new_value = 'blue'")  # the triggers came back


def test_plan_edit_writes_a_turn_unless_the_sidecar_changed_after_it() -> None:
    from datetime import datetime

    from curator.interop.xmp.edit import Authored, plan_edit
    from curator.interop.xmp.state import XmpState

    turned_at = datetime(2026, 5, 1, 12, 0)
    authored = Authored(orientation=(6, turned_at))
    state = XmpState()

    def planned(current: int | None, file_time: datetime) -> tuple[int | None, tuple[str, ...]]:
        plan = plan_edit(state, state, state, authored, file_time, current_orientation=current)
        return plan.edit.orientation, plan.kept

    older, newer = datetime(2026, 4, 1), datetime(2026, 6, 1)
    assert planned(None, older) == (6, ())  # the sidecar says nothing yet
    assert planned(1, older) == (6, ())
    assert planned(6, newer) == (None, ())  # already says it: nothing to write
    assert planned(8, newer) == (None, ("orientation",))  # changed after the turn: kept
    assert plan_edit(state, state, state, Authored(), older).edit.orientation is None
