"""One undo history over two logs: decisions and people edits.

Ctrl+Z (and Ctrl+Shift+Z) undoes the seat's newest step in either log
(catalog.undo.stacks, catalog.people.edits); both stamp each step after every
row of either log, so:
- undo: the newer of the two `undo_target`s;
- redo: the newer of the two `redo_target`s, unless a newer step of the other
  log came after it.
The chosen log's writer then reverses its step in its own transaction; the
window runs these on its StepQueue, one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from curator.catalog import decisions
from curator.catalog.backends.seat import Seat, current_seat
from curator.catalog.models import Photo
from curator.catalog.people import edits
from curator.catalog.undo.stacks import depth, groups_newest_first, redo_target, undo_target


@dataclass(frozen=True)
class PeopleStepped:
    """An undo or redo that reversed a people edit."""

    phrase: str  # "merge of person 5 into person 3"


Stepped = list[decisions.DecisionRecord] | PeopleStepped | None


def undo_newest() -> Stepped:
    """Undo the seat's newest step of either log (module docstring)."""
    seat = current_seat()
    person = edits.undo_target(seat)
    if person is not None:
        group = undo_target(None, seat)
        if group is None or _stamp(group.rows[0].created_at) < person.stamp:
            return _people(undo=True)
    records = decisions.undo_last()
    _proposals_back(records)
    return records


def _proposals_back(records: list[decisions.DecisionRecord] | None) -> None:
    """An undone accept puts back the proposals it ended (catalog.proposals.store
    `restore_accepted`), whichever window or terminal accepted them."""
    from curator.catalog.proposals.store import PROPOSAL_PASS, restore_accepted

    if not records or not any(r.pass_ == PROPOSAL_PASS for r in records):
        return
    back = [r.photo_id for r in records if r.kind == "cull" and r.new_value == "unreviewed"]
    restore_accepted(current_seat().user, back)


def redo_newest() -> Stepped:
    """Redo the seat's newest undone step of either log (module docstring)."""
    seat = current_seat()
    rows = edits.seat_rows(seat)
    if not rows:
        return decisions.redo_last()
    person = edits.redo_target(seat)
    group = redo_target(None, seat)
    newest_person_edit = edits.newest_edit(seat)
    if group is not None:
        at = _stamp(group.rows[0].created_at)
        person_first = person is not None and person.stamp > at
        if not person_first:
            if newest_person_edit is not None and newest_person_edit > at:
                return None  # a people edit came after that undo: nothing to redo
            return decisions.redo_last()
    if person is None:
        return None
    newest_decision = _newest_action(seat)
    if newest_decision is not None and newest_decision > person.stamp:
        return None  # a decision came after that undo: nothing to redo
    return _people(undo=False)


def _people(*, undo: bool) -> PeopleStepped | None:
    said = edits.reverse_newest(Photo._meta.database, undo=undo)
    return None if said is None else PeopleStepped(said)


def _newest_action(seat: Seat) -> datetime | None:
    """The stamp of the seat's newest decision group that is a new action."""
    memo: dict[int, int] = {}
    for group in groups_newest_first():
        if group.of_seat(seat) and depth(group.rows[0], memo) == 0:
            return _stamp(group.rows[0].created_at)
    return None


def _stamp(value: object) -> datetime:
    return edits.as_datetime(value)
