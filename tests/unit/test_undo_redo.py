"""Undo/redo over the append-only Decision log: groups, chains, the redo rule."""

from __future__ import annotations

from curator.catalog.db import Catalog
from curator.catalog.decisions import (
    decision_log,
    redo_last,
    set_cull,
    set_picked,
    set_rating,
    undo_last,
)
from curator.catalog.models import CullState, Decision, Photo


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/photos/{name}".encode(), content_hash=None).id)


def _state(pid: int) -> tuple[str, int | None, bool]:
    p = Photo.get_by_id(pid)
    return (p.cull, p.rating, bool(p.picked))


def test_undo_reverses_a_whole_group_and_appends_only(catalog: Catalog) -> None:
    a = _photo("a.jpg")
    set_picked(a, True, pass_="rating")  # pick + keep: one group of two rows
    assert _state(a) == ("kept", None, True)
    rows_before = [(d["id"], d["kind"], d["old"], d["new"]) for d in decision_log()]

    undone = undo_last()
    assert undone is not None and {r.kind.value for r in undone} == {"pick", "cull"}
    assert _state(a) == ("unreviewed", None, False)
    log = list(Decision.select().order_by(Decision.id))
    # The original rows are untouched; two inverse rows point at them.
    assert [(d.id, d.kind, d.old_value, d.new_value) for d in log[:2]] == rows_before
    assert {d.undoes_id for d in log[2:]} == {log[0].id, log[1].id}
    assert all(d.pass_ == "rating" for d in log)
    assert len({d.created_at for d in log[2:]}) == 1

    assert undo_last() is None  # nothing left
    redone = redo_last()
    assert redone is not None and _state(a) == ("kept", None, True)
    assert redo_last() is None
    assert {d.undoes_id for d in Decision.select().order_by(Decision.id)[4:]} == {
        log[2].id,
        log[3].id,
    }


def test_undo_walks_back_through_actions_and_redo_replays_in_order(catalog: Catalog) -> None:
    a, b = _photo("a.jpg"), _photo("b.jpg")
    set_cull(a, CullState.KEPT, pass_="cull")
    set_cull(b, CullState.REJECTED, pass_="cull")
    set_rating(a, 4, pass_="rating")
    set_rating(a, 5, pass_="rating")  # same photo, separate action

    assert undo_last() is not None and _state(a) == ("kept", 4, False)
    assert undo_last() is not None and _state(a) == ("kept", None, False)
    assert undo_last() is not None and _state(b) == ("unreviewed", None, False)
    assert redo_last() is not None and _state(b) == ("rejected", None, False)
    assert redo_last() is not None and _state(a) == ("kept", 4, False)
    # Undo the redo, redo it again: chains of any depth.
    assert undo_last() is not None and _state(a) == ("kept", None, False)
    assert redo_last() is not None and _state(a) == ("kept", 4, False)
    assert redo_last() is not None and _state(a) == ("kept", 5, False)
    assert redo_last() is None
    for _ in range(4):
        assert undo_last() is not None
    assert undo_last() is None
    assert _state(a) == ("unreviewed", None, False) and _state(b)[0] == "unreviewed"


def test_a_new_action_clears_redo_and_a_pass_filter_limits_undo(catalog: Catalog) -> None:
    a, b = _photo("a.jpg"), _photo("b.jpg")
    set_cull(a, CullState.KEPT, pass_="cull")
    set_rating(a, 3, pass_="rating")
    assert undo_last(pass_="cull") is not None  # skips the newer rating
    assert _state(a) == ("unreviewed", 3, False)
    set_cull(b, CullState.KEPT, pass_="cull")
    assert redo_last() is None
    assert undo_last() is not None and _state(b)[0] == "unreviewed"
    assert undo_last() is not None and _state(a) == ("unreviewed", None, False)


def test_undo_restores_what_the_photo_had_when_it_drifted(catalog: Catalog) -> None:
    a = _photo("a.jpg")
    set_cull(a, CullState.REJECTED, pass_="cli")  # so the rating keeps nothing by itself
    set_rating(a, 2, pass_="rating")
    set_cull(a, CullState.KEPT, pass_="cli")
    records = undo_last(pass_="rating")
    assert records is not None and records[0].old_value == "2" and records[0].new_value is None
    assert _state(a) == ("kept", None, False)
