"""One undo step for a decision on many photos (`decisions.one_step`), and the
status-line sentence that names what undo/redo reversed."""

from __future__ import annotations

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import (
    DecisionError,
    one_step,
    redo_last,
    set_cull,
    set_label,
    set_rating,
    undo_last,
)
from curator.catalog.models import CullState, Photo
from curator.ui.review.decision_text import history_text


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/photos/{name}".encode(), content_hash=None).id)


def _ratings(ids: list[int]) -> list[int | None]:
    return [Photo.get_by_id(pid).rating for pid in ids]


def test_one_step_is_undone_and_redone_as_a_whole(catalog: Catalog) -> None:
    ids = [_photo(f"{i}.jpg") for i in range(4)]
    set_rating(ids[0], 1)  # an earlier, separate action
    records = one_step(ids, lambda pid: set_rating(pid, 3, pass_="cull", keep=True))
    assert _ratings(ids) == [3, 3, 3, 3]
    assert {r.photo_id for r in records} == set(ids)

    undone = undo_last()
    assert undone is not None and {r.photo_id for r in undone} == set(ids)
    assert _ratings(ids) == [1, None, None, None]  # the earlier action stays
    # The earlier rating kept its photo (a star keeps an unreviewed photo): it stays.
    assert [Photo.get_by_id(pid).cull for pid in ids] == ["kept", *["unreviewed"] * 3]
    assert history_text("Undone", undone, {}) == "Undone: 3★ rating of 4 photos."

    redone = redo_last()
    assert redone is not None and _ratings(ids) == [3, 3, 3, 3]
    assert history_text("Redone", redone, {}) == "Redone: 3★ rating of 4 photos."
    undo_last()
    assert undo_last() is not None and _ratings(ids) == [None] * 4  # then the earlier one


def test_single_actions_on_different_photos_stay_separate_steps(catalog: Catalog) -> None:
    a, b = _photo("a.jpg"), _photo("b.jpg")
    set_cull(a, CullState.REJECTED)
    set_label(b, "red")
    undone = undo_last()
    assert undone is not None and [r.photo_id for r in undone] == [b]
    assert history_text("Undone", undone, {b: "IMG_0412.jpg"}) == (
        "Undone: red label of IMG_0412.jpg."
    )
    undone = undo_last()
    assert undone is not None and history_text("Undone", undone, {a: "a.jpg"}) == (
        "Undone: reject of a.jpg."
    )


def test_one_step_is_all_or_nothing(catalog: Catalog) -> None:
    a = _photo("a.jpg")
    with pytest.raises(DecisionError):
        one_step([a, 999_999], lambda pid: set_rating(pid, 4))
    assert Photo.get_by_id(a).rating is None
    assert undo_last() is None
