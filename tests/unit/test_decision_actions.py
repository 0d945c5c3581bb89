"""Decision actions as one typed enum: the key table binds them, a click on a
decision strip names them, and the review session decides every one through
one path (`act` for the loupe's photo, `decide_many` for a selection)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import gallery_rows
from curator.records import ColorLabel
from curator.ui.review.actions import DecisionAction
from curator.ui.review.decision_strip import click_action
from curator.ui.review.keymap import DECISION_ACTIONS, LABEL_KEYS, LOUPE_BINDINGS
from curator.ui.review.session import ReviewPass, ReviewSession

A = DecisionAction


def test_the_key_table_binds_every_keyed_decision_and_nothing_else() -> None:
    keyed = {A.PICK, A.REJECT, A.CLEAR, *(A.rate(n) for n in range(6))}
    keyed |= {A.label(c) for c in LABEL_KEYS.values()}
    keyed |= {A.ROTATE_LEFT, A.ROTATE_RIGHT, A.ACCEPT_PROPOSAL}
    assert keyed == DECISION_ACTIONS
    decisions = [b for b in LOUPE_BINDINGS if A.named(b.action) is not None]
    assert all(isinstance(b.action, DecisionAction) for b in decisions)
    keys = {"P", "X", "U", "A", *"0123456789", "Ctrl+[", "Ctrl+]"}
    assert {b.keys[0] for b in decisions} == keys
    assert A.named("zoom") is None and A.named("next") is None


def test_an_action_knows_its_stars_its_label_and_whether_it_advances() -> None:
    assert [A.rate(n).stars for n in range(6)] == [0, 1, 2, 3, 4, 5]
    assert A.PICK.stars is None and A.LABEL_RED.stars is None
    assert A.label(ColorLabel.PURPLE) is A.LABEL_PURPLE and A.label(None) is A.LABEL_NONE
    assert A.LABEL_GREEN.color is ColorLabel.GREEN and A.LABEL_NONE.color is None
    assert A.LABEL_NONE.is_label and not A.KEEP.is_label
    assert A.REJECT.advances(True) and A.REJECT.advances(False)
    assert A.PICK.advances(True) and not A.PICK.advances(False)
    assert A.ACCEPT_PROPOSAL.advances(True) and A.ACCEPT_PROPOSAL.advances(False)
    moving = (A.PICK, A.REJECT, A.ACCEPT_PROPOSAL)
    assert not any(a.advances(True) for a in A if a not in moving)
    # The values are the key table's names (settings' key_overrides use them).
    assert A("rate_3") is A.RATE_3 and str(A.LABEL_RED) == "label_red"


@pytest.fixture
def three(catalog: Catalog) -> list[int]:
    return [
        int(Photo.create(path=f"/p/{i}.jpg".encode(), captured_at=datetime(2024, 1, 1, i)).id)
        for i in range(3)
    ]


def _photo(pid: int) -> Photo:
    return Photo.get_by_id(pid)


def test_a_click_on_the_strip_is_an_action_for_the_photo_as_it_is(three: list[int]) -> None:
    row = gallery_rows(three[:1])[three[0]]
    assert click_action("flag_keep", row) is A.KEEP
    assert click_action("flag_keep", replace(row, cull="kept")) is A.UNREVIEWED
    assert click_action("flag_reject", row) is A.REJECT
    assert click_action("flag_pick", replace(row, picked=True)) is A.UNPICK
    assert click_action("star_3", row) is A.RATE_3
    assert click_action("star_3", replace(row, rating=3)) is A.RATE_0


def test_the_loupe_and_the_grid_decide_through_one_path(three: list[int]) -> None:
    a, b, c = three
    session = ReviewSession(lambda _pass: list(three), lambda: None)
    session.start(ReviewPass.CULL)
    session.act(A.PICK)  # P in the cull pass: keep, next
    assert _photo(a).cull == "kept" and session.current == b
    session.act(A.RATE_4)  # a rating keeps an unreviewed photo and stays
    assert (_photo(b).rating, _photo(b).cull, session.current) == (4, "kept", b)
    session.act(A.REJECT)
    assert _photo(b).cull == "rejected" and session.current == c
    session.act(A.LABEL_RED)
    session.act(A.LABEL_RED)  # a label key toggles
    assert _photo(c).label is None
    session.start(ReviewPass.RATING, at_photo=a)
    session.act(A.PICK)  # P in the rating pass: pick on, stay
    assert _photo(a).picked and session.current == a
    session.act(A.CLEAR)  # U in the rating pass: the pick comes off
    assert not _photo(a).picked and _photo(a).cull == "kept"
    # The grid: one action on a selection, one undo step, the cursor stays.
    records = session.decide_many(A.LABEL_BLUE, [a, b, c])
    assert {r.photo_id for r in records} == {a, b, c} and session.current == a
    assert {_photo(p).label for p in three} == {"blue"}
    session.decide_many(A.UNREVIEWED, [a, b])
    assert (_photo(a).cull, _photo(b).cull) == ("unreviewed", "unreviewed")


def test_auto_advance_after_a_rating_moves_on_for_1_to_5_only(three: list[int]) -> None:
    """Issue 19 §4: the Settings option `advance_after_rating` (Lightroom's and
    Photo Mechanic's Auto Advance): 1–5 rate and move on; 0 and labels stay."""
    a, b, c = three
    session = ReviewSession(lambda _pass: list(three), lambda: None)
    session.start(ReviewPass.RATING)
    session.act(A.RATE_3)  # off (the default): stays
    assert session.current == a
    session.advance_after_rating = True
    session.act(A.RATE_5)
    assert _photo(a).rating == 5 and session.current == b
    session.act(A.RATE_0)  # clearing a rating is not a rating: stays
    assert session.current == b
    session.act(A.LABEL_GREEN)
    assert session.current == b
    session.act(A.RATE_2)
    assert _photo(b).rating == 2 and session.current == c
    # The grid's selection never moves the cursor, whatever the option.
    session.decide_many(A.RATE_1, [a, b])
    assert session.current == c
