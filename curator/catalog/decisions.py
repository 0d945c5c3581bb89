"""Recording human decisions: the one code path the CLI and the loupe share.

Each call changes the photo's decision state AND appends the matching
`Decision` row(s) in ONE transaction, committed before it returns — so a
decision is durable before the next photo is shown, and killing the app at
any moment loses none (SQLite WAL; a process kill can't undo a commit).
Setting a value the photo already has changes nothing and logs nothing.

State rules (Lightroom's flags): `cull` is unreviewed | kept | rejected;
`picked` is a flag on top. Picking a photo also keeps it (a pick is never
rejected); rejecting a photo also clears its pick. Ratings are 1–5 or None.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.catalog.models import CullState, Decision, DecisionKind, Photo, PhotoPath, utcnow
from curator.catalog.paths_codec import encode_path


class DecisionError(ValueError):
    """A decision that can't be recorded (bad value, unknown photo)."""


@dataclass(frozen=True)
class DecisionRecord:
    photo_id: int
    kind: DecisionKind
    old_value: str | None
    new_value: str | None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _log(photo: Photo, kind: DecisionKind, old: object, new: object, pass_: str) -> DecisionRecord:
    Decision.create(
        photo=photo.id,
        kind=kind.value,
        old_value=_text(old),
        new_value=_text(new),
        pass_=pass_,
        created_at=utcnow(),
    )
    return DecisionRecord(photo.id, kind, _text(old), _text(new))


def _photo(photo_id: int) -> Photo:
    photo: Photo | None = Photo.get_or_none(Photo.id == photo_id)
    if photo is None or photo.deleted_at is not None:
        raise DecisionError(f"There is no photo {photo_id} in the catalog.")
    return photo


def set_cull(photo_id: int, state: CullState, *, pass_: str = "cli") -> list[DecisionRecord]:
    """Keep, reject or clear (unreviewed) a photo. Returns the decisions logged."""
    state = CullState(state)
    with Photo._meta.database.atomic():
        photo = _photo(photo_id)
        records: list[DecisionRecord] = []
        if photo.cull != state.value:
            records.append(_log(photo, DecisionKind.CULL, photo.cull, state.value, pass_))
            photo.cull = state.value
        if state is CullState.REJECTED and photo.picked:
            records.append(_log(photo, DecisionKind.PICK, True, False, pass_))
            photo.picked = False
        if records:
            photo.updated_at = utcnow()
            photo.save()
        return records


def set_picked(photo_id: int, picked: bool, *, pass_: str = "cli") -> list[DecisionRecord]:
    """Pick or unpick a photo; a pick also keeps it."""
    with Photo._meta.database.atomic():
        photo = _photo(photo_id)
        records: list[DecisionRecord] = []
        if bool(photo.picked) != picked:
            records.append(_log(photo, DecisionKind.PICK, bool(photo.picked), picked, pass_))
            photo.picked = picked
        if picked and photo.cull != CullState.KEPT.value:
            records.append(_log(photo, DecisionKind.CULL, photo.cull, CullState.KEPT.value, pass_))
            photo.cull = CullState.KEPT.value
        if records:
            photo.updated_at = utcnow()
            photo.save()
        return records


def set_rating(photo_id: int, stars: int | None, *, pass_: str = "cli") -> list[DecisionRecord]:
    """Rate 1–5 stars, or clear the rating with None (0 is accepted as 'clear')."""
    if stars == 0:
        stars = None
    if stars is not None and not 1 <= stars <= 5:
        raise DecisionError(f"A rating is 1 to 5 stars (or 0 to clear it), not {stars}.")
    with Photo._meta.database.atomic():
        photo = _photo(photo_id)
        if photo.rating == stars:
            return []
        record = _log(photo, DecisionKind.RATING, photo.rating, stars, pass_)
        photo.rating = stars
        photo.updated_at = utcnow()
        photo.save()
        return [record]


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
