"""Recording human decisions: the one code path the CLI and the loupe share.

Each call changes the photo's decision state AND appends its `Decision` rows
in ONE transaction (`catalog.tx.write`; inside `apply_many` it joins it),
committed before it returns. Setting a value the photo has logs nothing.

State rules (Lightroom's flags): `cull` is unreviewed | kept | rejected;
`picked` is on top (picking keeps; rejecting clears the pick). Ratings 1–5 or
None; a colour label is no judgment. A RAW+JPEG pair is decided on both files
in one transaction and undo group. Tags are logged as `"<state>:<name>"`
(`none`, `user`, `ai`, `removed`).

Undo/redo append inverse rows with `undoes`, never edit or delete. A *group*
is everything one action wrote (or `one_step`), stamped with one `created_at`
later than any row before; each row records its seat (catalog.undo.stacks);
an undo over another seat's later decision names that seat
(`DecisionRecord.changed_by`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from curator.catalog import tx
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.backends.seat import current_seat
from curator.catalog.models import (
    CullState,
    Decision,
    DecisionKind,
    Photo,
    PhotoPath,
    PhotoTag,
    Tag,
    TagSource,
    utcnow,
)
from curator.catalog.paths_codec import encode_path, pair_mates, pairing_on
from curator.catalog.undo import bulk
from curator.catalog.undo.bulk import PhotoColumns
from curator.catalog.undo.stacks import Entry, Group, changed_since, redo_target, undo_target
from curator.catalog.write_gate import Gate
from curator.records import ColorLabel, DecisionState

T = TypeVar("T")


class DecisionError(ValueError):
    """A decision that can't be recorded (bad value, unknown photo)."""


@dataclass(frozen=True)
class DecisionRecord:
    photo_id: int
    kind: DecisionKind
    old_value: str | None
    new_value: str | None
    # An undo or redo over a decision another seat made since ("assistant@studio-2").
    changed_by: str | None = None
    pass_: str = ""  # an undo's or redo's: the pass of the rows it reversed ("proposal")

    @property
    def text(self) -> str:
        """A short phrase for a status line: "rating 2 → 4", "tag “sea”: AI → removed"."""
        if self.kind is DecisionKind.TAG:
            old, name = _parse_tag_value(self.old_value)
            new, _ = _parse_tag_value(self.new_value)
            words = {"none": "—", "user": "yours", "ai": "AI", "removed": "removed"}
            return f"tag “{name}”: {words[old]} → {words[new]}"
        return f"{self.kind.value} {self.old_value or '—'} → {self.new_value or '—'}"


_text = bulk.text


# Set by `one_step` while its calls run: their rows share this stamp (one group).
_STEP_STAMP: ContextVar[datetime | None] = ContextVar("_STEP_STAMP", default=None)


def _group_stamp() -> datetime:
    """The one timestamp of a new group (or of the `one_step` under way), taken
    inside the group's transaction: strictly increasing, so two quick actions
    (or a coarse clock) never merge."""
    shared = _STEP_STAMP.get()
    return shared if shared is not None else _new_stamp()


_new_stamp = bulk.new_stamp  # now, but strictly after the newest row


def _log(
    photo: Photo,
    kind: DecisionKind,
    old: object,
    new: object,
    pass_: str,
    at: datetime | None = None,
) -> DecisionRecord:
    seat = current_seat()
    Decision.create(
        photo=photo.id,
        kind=kind.value,
        old_value=_text(old),
        new_value=_text(new),
        pass_=pass_,
        created_at=at or utcnow(),
        seat_user=seat.user,
        seat_host=seat.host,
        seat_desk=seat.desk,
    )
    return DecisionRecord(photo.id, kind, _text(old), _text(new))


# The columns a decision reads and writes: the `save()` that follows writes only
# these, never the ~45-column row (an import applying XMP ratings makes thousands).
_DECISION_COLUMNS = (
    Photo.id,
    Photo.cull,
    Photo.rating,
    Photo.picked,
    Photo.label,
    Photo.rotation,
    Photo.deleted_at,
    Photo.updated_at,
)


def _photo(photo_id: int) -> Photo:
    photo: Photo | None = Photo.select(*_DECISION_COLUMNS).where(Photo.id == photo_id).first()
    if photo is None or photo.deleted_at is not None:
        raise DecisionError(f"There is no photo {photo_id} in the catalog.")
    return photo


def _kept(photo: Photo, pass_: str, at: datetime) -> list[DecisionRecord]:
    """Keep `photo` unless it is kept (a pick, or a cull pass's rating, also keeps)."""
    if photo.cull == CullState.KEPT.value:
        return []
    record = _log(photo, DecisionKind.CULL, photo.cull, CullState.KEPT.value, pass_, at)
    photo.cull = CullState.KEPT.value
    return [record]


def _saved(photo: Photo, records: list[DecisionRecord]) -> list[DecisionRecord]:
    """Save `photo` when `records` changed it."""
    if records:
        photo.updated_at = utcnow()
        photo.save()
    return records


def set_cull(photo_id: int, state: CullState, *, pass_: str = "cli") -> list[DecisionRecord]:
    """Keep, reject or clear (unreviewed) a photo. Returns the decisions logged."""
    state = CullState(state)

    def write(pid: int) -> list[DecisionRecord]:
        photo = _photo(pid)
        at = _group_stamp()
        records: list[DecisionRecord] = []
        if photo.cull != state.value:
            records.append(_log(photo, DecisionKind.CULL, photo.cull, state.value, pass_, at))
            photo.cull = state.value
        if state is CullState.REJECTED and photo.picked:
            records.append(_log(photo, DecisionKind.PICK, True, False, pass_, at))
            photo.picked = False
        return _saved(photo, records)

    return _decide(photo_id, write)


def set_picked(photo_id: int, picked: bool, *, pass_: str = "cli") -> list[DecisionRecord]:
    """Pick or unpick a photo; a pick also keeps it."""

    def write(pid: int) -> list[DecisionRecord]:
        photo = _photo(pid)
        at = _group_stamp()
        records: list[DecisionRecord] = []
        if bool(photo.picked) != picked:
            records.append(_log(photo, DecisionKind.PICK, bool(photo.picked), picked, pass_, at))
            photo.picked = picked
        if picked:
            records += _kept(photo, pass_, at)
        return _saved(photo, records)

    return _decide(photo_id, write)


def rating_keeps(cull: str, stars: int | None) -> bool:
    """The one rule of a star, wherever it is given (a window, the command line,
    a studio seat): a star rating is a judgment, so it keeps an unreviewed
    photo, in the same undo step; a rejected photo stays rejected, and clearing
    the rating changes no cull state."""
    return stars is not None and cull == CullState.UNREVIEWED.value


def set_rating(
    photo_id: int, stars: int | None, *, pass_: str = "cli", keep: bool | None = None
) -> list[DecisionRecord]:
    """Rate 1–5 stars, or clear the rating with None or 0. The photo is also
    kept, in the same undo group, by `rating_keeps` (`keep` None), or as
    `keep` says (another tool's sidecar: its own rule, interop.external)."""
    if stars == 0:
        stars = None
    if stars is not None and not 1 <= stars <= 5:
        raise DecisionError(f"A rating is 1 to 5 stars (or 0 to clear it), not {stars}.")

    def write(pid: int) -> list[DecisionRecord]:
        photo = _photo(pid)
        at = _group_stamp()
        records: list[DecisionRecord] = []
        if photo.rating != stars:
            records.append(_log(photo, DecisionKind.RATING, photo.rating, stars, pass_, at))
            photo.rating = stars
        keeps = rating_keeps(photo.cull, stars) if keep is None else keep
        if keeps and stars is not None:
            records += _kept(photo, pass_, at)
        return _saved(photo, records)

    return _decide(photo_id, write)


def set_label(
    photo_id: int, label: ColorLabel | str | None, *, pass_: str = "cli"
) -> list[DecisionRecord]:
    """Set the color label (red, yellow, green, blue, purple), or clear it with None."""
    value: ColorLabel | None = None
    if label is not None and label != "":
        value = ColorLabel.parse(str(label))
        if value is None:
            names = ", ".join(c.value for c in ColorLabel)
            raise DecisionError(f"A color label is one of {names} (or none), not {label!r}.")

    def write(pid: int) -> list[DecisionRecord]:
        photo = _photo(pid)
        records: list[DecisionRecord] = []
        new = None if value is None else value.value
        if photo.label != new:
            at = _group_stamp()
            records.append(_log(photo, DecisionKind.LABEL, photo.label, new, pass_, at))
            photo.label = new
            photo.updated_at = utcnow()
            photo.save()
        return records

    return _decide(photo_id, write)


def rotate(photo_id: int, quarter_turns: int, *, pass_: str = "cli") -> list[DecisionRecord]:
    """Turn the photo by `quarter_turns` × 90° clockwise (negative: counter-clockwise):
    only `photo.rotation` (0..3, on top of the file's EXIF orientation) changes."""

    def write(pid: int) -> list[DecisionRecord]:
        photo = _photo(pid)
        old = int(photo.rotation or 0)
        new = (old + quarter_turns) % 4
        if new == old:
            return []
        at = _group_stamp()
        records = [_log(photo, DecisionKind.ROTATION, old, new, pass_, at)]
        photo.rotation = new
        photo.updated_at = utcnow()
        photo.save()
        return records

    return _decide(photo_id, write)


def _decide(photo_id: int, one: Callable[[int], list[DecisionRecord]]) -> list[DecisionRecord]:
    """`one(pid)` on the photo and on the other files of its RAW+JPEG pair
    (catalog.paths_codec; none while pairing is off): ONE transaction, ONE undo
    group, so the pair never disagrees — not after undo, not after a kill.
    Returns the asked photo's records: the pair is one photo to the user."""

    def write() -> list[DecisionRecord]:
        mates = pair_mates(photo_id)
        if not mates:
            return one(photo_id)
        token = _STEP_STAMP.set(_group_stamp())
        try:
            records = one(photo_id)
            for pid in mates:
                one(pid)
            return records
        finally:
            _STEP_STAMP.reset(token)

    return _write(write)


def cull_unjudged(targets: Mapping[int, CullState], *, pass_: str) -> bulk.CullOutcome:
    """Each of `targets` (photo -> cull state) that is live and not judged yet set
    to its state, with its pair (a proposal's accept): the rows `set_cull` in id
    order would write, set-based (`bulk.decide_culls`), ONE transaction, ONE
    group (or the `one_step` under way)."""
    return _write(lambda: bulk.decide_culls(targets, pass_, _group_stamp()))


def record_of(row: bulk.LogRow) -> DecisionRecord:
    """A row `cull_unjudged` wrote, as the record the window shows."""
    return DecisionRecord(row.photo_id, DecisionKind(row.kind), row.old, row.new)


def apply_many(fn: Callable[[], T], *, one_undo_step: bool = False) -> T:
    """Several decision calls as ONE transaction, all or none; each photo's
    change its own undo group, or with `one_undo_step` all of them one
    (`curator keep a b c`: one command, one step of the terminal's undo)."""
    if not one_undo_step:
        return _write(fn)

    def write() -> T:
        with _one_group():
            return fn()

    return _write(write)


@contextmanager
def _one_group() -> Iterator[None]:
    """Inside the write: every row logged in the block shares one stamp (one
    undo group), taken now, after the newest row."""
    token = _STEP_STAMP.set(_new_stamp())
    try:
        yield
    finally:
        _STEP_STAMP.reset(token)


def one_step(
    photo_ids: Iterable[int], decide: Callable[[int], list[DecisionRecord]]
) -> list[DecisionRecord]:
    """`decide(photo_id)` (this module's calls) for every photo, as ONE
    transaction and ONE undo step, all or nothing: a key on the grid's selection."""
    ids = list(dict.fromkeys(int(pid) for pid in photo_ids))

    def write() -> list[DecisionRecord]:
        with _one_group():
            records: list[DecisionRecord] = []
            for pid in ids:
                records += decide(pid)
            return records

    return _write(write)


def _write(fn: Callable[[], T]) -> T:
    return tx.write(Photo._meta.database, fn, gate=Gate.INTERACTIVE, lock="DECISIONS")


# --- tags ------------------------------------------------------------------------

_TAG_STATES = ("none", "user", "ai", "removed")


def _tag_row(photo_id: int, name: str) -> PhotoTag | None:
    row: PhotoTag | None = (
        PhotoTag.select().join(Tag).where(PhotoTag.photo == photo_id, Tag.name == name).first()
    )
    return row


def _tag_state(photo_id: int, name: str) -> str:
    row = _tag_row(photo_id, name)
    if row is None:
        return "none"
    if row.removed_at is not None:
        return "removed"
    return "user" if row.source == TagSource.USER.value else "ai"


def _tag_value(state: str, name: str) -> str:
    return f"{state}:{name}"


def _parse_tag_value(value: str | None) -> tuple[str, str]:
    state, sep, name = (value or "").partition(":")
    if not sep or state not in _TAG_STATES or not name:
        raise DecisionError(f"The tag decision value {value!r} is not understood.")
    return state, name


def _set_tag_state(photo_id: int, name: str, state: str) -> None:
    """Make the photo's tag `name` be in `state` (see the module docstring)."""
    row = _tag_row(photo_id, name)
    if state == "none":
        if row is not None:
            row.delete_instance()
        return
    if row is None:
        tag, _ = Tag.get_or_create(name=name)
        row = PhotoTag(photo=photo_id, tag=tag.id, created_at=utcnow())
    if state == "user":
        row.source, row.removed_at, row.confidence = TagSource.USER.value, None, None
    else:
        row.source = TagSource.AI.value
        row.removed_at = utcnow() if state == "removed" else None
    row.save()


def _tag_decision(photo_id: int, name: str, new_state: str, pass_: str) -> list[DecisionRecord]:
    def write(pid: int) -> list[DecisionRecord]:
        photo = _photo(pid)
        old_state = _tag_state(pid, name)
        if old_state == new_state:
            return []
        target = new_state
        if new_state == "removed" and old_state != "ai":
            if old_state != "user":
                return []  # nothing live to remove
            target = "none"  # a user tag is simply gone
        _set_tag_state(pid, name, target)
        return [
            _log(
                photo,
                DecisionKind.TAG,
                _tag_value(old_state, name),
                _tag_value(target, name),
                pass_,
                _group_stamp(),
            )
        ]

    return _decide(photo_id, write)


def add_tag(photo_id: int, name: str, *, pass_: str = "tag") -> list[DecisionRecord]:
    """Tag the photo with `name` (normalised) as the user's own; an AI tag of that
    name (live or removed) becomes the user's."""
    return _tag_decision(photo_id, name, "user", pass_)


def remove_tag(photo_id: int, name: str, *, pass_: str = "tag") -> list[DecisionRecord]:
    """Remove a live tag: an AI tag is kept as removed feedback (a later describe
    run does not bring it back), a user tag is deleted. [] if it was not live."""
    return _tag_decision(photo_id, name, "removed", pass_)


def photo_id_for_path(path: str) -> int | None:
    """The photo a file path belongs to (primary or extra path), if catalogued."""
    raw = encode_path(path)
    photo = Photo.get_or_none(Photo.path == raw)
    if photo is not None:
        return int(photo.id)
    extra = PhotoPath.get_or_none(PhotoPath.path == raw)
    return int(extra.photo_id) if extra is not None else None


def decision_log(photo_id: int | None = None) -> list[dict[str, object]]:
    query = Decision.select().order_by(Decision.id)
    if photo_id is not None:
        query = query.where(Decision.photo == photo_id)
    return [
        {
            "id": d.id,
            "photo_id": d.photo_id,
            "kind": d.kind,
            "old": d.old_value,
            "new": d.new_value,
            "pass": d.pass_,
            "at": d.created_at.isoformat(),
        }
        for d in query
    ]


# --- undo / redo (the stacks: catalog.undo.stacks) ----------------------------


# A decision kind's photo column (tags live in their own table).
_COLUMN_OF = {
    DecisionKind.CULL.value: "cull",
    DecisionKind.RATING.value: "rating",
    DecisionKind.PICK.value: "picked",
    DecisionKind.LABEL.value: "label",
    DecisionKind.ROTATION.value: "rotation",
}


def _current_value(columns: PhotoColumns, photo_id: int, row: Entry) -> str | None:
    if row.kind == DecisionKind.TAG.value:
        _, name = _parse_tag_value(row.new_value)
        return _tag_value(_tag_state(photo_id, name), name)
    if row.kind in _COLUMN_OF:
        return columns[_COLUMN_OF[row.kind]]
    raise DecisionError(f"A {row.kind} decision can't be undone here.")


def _assign(columns: PhotoColumns, photo_id: int, kind: str, value: str | None) -> None:
    if kind == DecisionKind.TAG.value:
        state, name = _parse_tag_value(value)
        _set_tag_state(photo_id, name, state)
    elif kind == DecisionKind.CULL.value:
        columns["cull"] = CullState(value or CullState.UNREVIEWED.value).value
    elif kind == DecisionKind.RATING.value:
        columns["rating"] = None if value is None else str(int(value))
    elif kind == DecisionKind.PICK.value:
        columns["picked"] = _text(value == "1")
    elif kind == DecisionKind.LABEL.value:
        columns["label"] = value
    elif kind == DecisionKind.ROTATION.value:
        columns["rotation"] = str(int(value or 0) % 4)


def _reverse(group: Group) -> list[DecisionRecord]:
    """Append the inverse of `group` (one new group) and apply it to its photos,
    set-based whatever its size (catalog.undo.bulk): the photos' columns read in
    one statement, the inverse worked out row by row (newest first; a tag's
    state in its own table as it goes), written as one UPDATE and one INSERT."""
    at, seat = _new_stamp(), current_seat()
    elsewhere = changed_since(group, seat)  # said, not refused: the later decision wins
    pids = {int(row.photo_id) for row in group.rows}
    columns = bulk.read_columns(pids)
    missing = pids - columns.keys()
    if missing:
        raise DecisionError(f"There is no photo {min(missing)} in the catalog.")
    rows: list[bulk.LogRow] = []
    records: list[DecisionRecord] = []
    for row in reversed(group.rows):
        pid = int(row.photo_id)
        current = _current_value(columns[pid], pid, row)
        rows.append(bulk.LogRow(pid, row.kind, current, row.old_value, row.pass_, int(row.id)))
        _assign(columns[pid], pid, row.kind, row.old_value)
        kind = DecisionKind(row.kind)
        records.append(
            DecisionRecord(pid, kind, current, row.old_value, elsewhere.get(pid), row.pass_)
        )
    bulk.write(columns, rows, at)
    return records


def _one_per_pair(records: list[DecisionRecord]) -> list[DecisionRecord]:
    """`records` without those of a RAW+JPEG pair's follower whose lead is among
    them ("Undone: reject of DSC0001.ARW", not "of 2 photos")."""
    ids = {r.photo_id for r in records}
    if len(ids) < 2 or not pairing_on():
        return records
    dialect = dialect_of(Photo._meta.database)
    followers = {
        int(p.id)
        for p in Photo.select(Photo.id).where(
            dialect.in_ids(Photo.id, ids), dialect.in_ids(Photo.pair_lead_id, ids)
        )
    }
    return [r for r in records if r.photo_id not in followers]


def undo_last(pass_: str | None = None) -> list[DecisionRecord] | None:
    """Undo this seat's newest not-yet-undone action (of `pass_`, if given): the
    inverse decisions written (one group), or None when there is nothing to undo."""

    def write() -> list[DecisionRecord] | None:
        group = undo_target(pass_, current_seat())
        return None if group is None else _one_per_pair(_reverse(group))

    return _write(write)


def redo_last(pass_: str | None = None) -> list[DecisionRecord] | None:
    """Re-apply the newest undone action, unless a new action came after the undo."""

    def write() -> list[DecisionRecord] | None:
        group = redo_target(pass_, current_seat())
        return None if group is None else _one_per_pair(_reverse(group))

    return _write(write)


def decision_state(photo_id: int) -> DecisionState:
    """The photo's cull state, pick flag and rating now, for callers that must not
    see the ORM (the UI); `DecisionError` if unknown."""
    photo = _photo(photo_id)
    return DecisionState(
        rating=photo.rating,
        cull=CullState(photo.cull),
        picked=bool(photo.picked),
        label=ColorLabel.parse(photo.label),
    )
