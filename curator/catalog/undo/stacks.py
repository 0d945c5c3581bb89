"""The undo and redo stacks of a seat, read back from the decision log.

Not stored: read newest group first (`groups_newest_first`); a group is one
stamp, an *action* (no `undoes`), *undo* (odd depth) or *redo* (even depth).
- `undo_target`: the newest action-or-redo group no later undo reverses;
- `redo_target`: the newest undo group no later redo reverses, with no new
  action after it.
Inverse rows inherit the `pass`. Only a seat's own groups are on its stacks;
`changed_since` names another seat's later decision on the same photos.
Reads only, inside the writing transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.backends.seat import Seat
from curator.catalog.models import Decision

SCAN_CHUNK = 256  # the first read; each next one twice as many rows, up to MAX_CHUNK
MAX_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class Entry:
    """One decision row as the stacks read it (catalog.models.Decision's
    columns): plain values, so a group of 60,000 rows reads in a blink."""

    id: int
    photo_id: int
    kind: str
    old_value: str | None
    new_value: str | None
    pass_: str
    undoes_id: int | None
    created_at: object  # as the database returns it: compared for equality only
    seat_user: str | None
    seat_host: str | None
    seat_desk: str | None


_ENTRY_SQL = (
    "SELECT id, photo_id, kind, old_value, new_value, pass, undoes, created_at, seat_user,"
    " seat_host, seat_desk FROM decision{where} ORDER BY id DESC LIMIT ?"
)


@dataclass(frozen=True)
class Group:
    rows: tuple[Entry, ...]  # oldest first

    @property
    def ids(self) -> set[int]:
        return {int(r.id) for r in self.rows}

    @property
    def targets(self) -> set[int]:
        return {int(r.undoes_id) for r in self.rows if r.undoes_id is not None}

    @property
    def pass_(self) -> str:
        return str(self.rows[0].pass_)

    def of_seat(self, seat: Seat) -> bool:
        """Made at `seat`'s desk (`Seat.owns`)."""
        row = self.rows[0]
        return seat.owns(row.seat_user, row.seat_host, row.seat_desk)


def groups_newest_first() -> Iterator[Group]:
    """The log's groups, newest first, read in growing chunks (most calls stop
    early; a group of 60,000 rows takes a few reads, not hundreds)."""
    before: int | None = None
    chunk = SCAN_CHUNK
    current: list[Entry] = []  # newest first
    while True:
        where, params = ("", [chunk]) if before is None else (" WHERE id < ?", [before, chunk])
        cursor = Decision._meta.database.execute_sql(_ENTRY_SQL.format(where=where), params)
        rows = [Entry(*row) for row in cursor]
        if not rows:
            break
        for row in rows:
            if current and row.created_at != current[0].created_at:
                yield Group(tuple(reversed(current)))
                current = []
            current.append(row)
        before = rows[-1].id
        chunk = min(chunk * 2, MAX_CHUNK)
    if current:
        yield Group(tuple(reversed(current)))


def depth(row: Entry, memo: dict[int, int]) -> int:
    """How many `undoes` hops lead from `row` to an action (0 for an action)."""
    chain: list[int] = []
    found = 0
    current: Entry | Decision | None = row
    while current is not None and current.undoes_id is not None:
        if int(current.id) in memo:
            found = memo[int(current.id)]
            break
        chain.append(int(current.id))
        current = Decision.get_or_none(Decision.id == current.undoes_id)
    for i, row_id in enumerate(reversed(chain), start=1):
        memo[row_id] = found + i
    return memo.get(int(row.id), 0)


def undo_target(pass_: str | None, seat: Seat) -> Group | None:
    undone: set[int] = set()
    memo: dict[int, int] = {}
    for group in groups_newest_first():
        if (pass_ is not None and group.pass_ != pass_) or not group.of_seat(seat):
            continue  # another seat's groups are its own to undo
        if depth(group.rows[0], memo) % 2 == 1:  # an undo
            undone |= group.targets
        elif not group.ids & undone:
            return group
    return None


def redo_target(pass_: str | None, seat: Seat) -> Group | None:
    redone: set[int] = set()
    memo: dict[int, int] = {}
    for group in groups_newest_first():
        if (pass_ is not None and group.pass_ != pass_) or not group.of_seat(seat):
            continue
        level = depth(group.rows[0], memo)
        if level == 0:  # a new action: nothing left to redo
            return None
        if level % 2 == 0:  # a redo
            redone |= group.targets
        elif not group.ids & redone:
            return group
    return None


def changed_since(group: Group, seat: Seat) -> dict[int, str]:
    """Photo id → the other seat or desk ("assistant@studio-2", "the
    terminal", "window 2") that last made the same kind of decision on one of
    the group's photos after the group (a tag: on the same tag); empty when
    nobody did. Rows this desk owns name nobody (`Seat.owns`)."""
    newest = max(group.ids)
    wanted = {(int(r.photo_id), str(r.kind), _tag_name(r)) for r in group.rows}
    later = (
        Decision.select()
        .where(
            Decision.id > newest,
            Decision.seat_user.is_null(False),
            dialect_of(Decision._meta.database).in_ids(
                Decision.photo, sorted({pid for pid, _, _ in wanted})
            ),
        )
        .order_by(Decision.id)
    )
    found: dict[int, str] = {}
    for row in later:
        if (int(row.photo_id), str(row.kind), _tag_name(row)) not in wanted:
            continue
        if seat.owns(row.seat_user, row.seat_host, row.seat_desk):
            continue
        found[int(row.photo_id)] = seat.name_of(row.seat_user, row.seat_host, row.seat_desk)
    return found


def _tag_name(row: Entry | Decision) -> str:
    """The tag a tag decision is about ("" for other kinds): `state:name`."""
    if row.kind != "tag":
        return ""
    return (row.new_value or row.old_value or "").partition(":")[2]
