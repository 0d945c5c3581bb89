"""The client's hearts, comments and confirmation: their one write path, where
the gallery's rules hold.

Every write runs in ONE write transaction (`tx.write`: BEGIN IMMEDIATE on
SQLite, the decisions' lock on PostgreSQL) that first reads the gallery and
its count, so two phones hearting at once can never pass the maximum:
- a closed or expired gallery takes nothing;
- a confirmed selection takes no heart and no comment until the
  photographer reopens it (`reopen`);
- a heart past `max_picks` is refused; confirming below `min_picks` is refused;
- a comment needs the gallery to allow them and is at most `MAX_COMMENT`
  characters;
- an unknown photo token is refused.
A refusal is `PicksRefused` with a sentence for the client, and nothing is
written. Each write's answer is the state after it (`PicksState`), so a page
shows what the catalog holds. A selection file (`apply_selection`) replaces
the client's say as a whole, under the same rules. A resolved duplicate's
place passes to its keeper (`hand_picks_to`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from peewee import Database

from curator.catalog import tx
from curator.catalog.models import Photo, utcnow
from curator.catalog.proofing.galleries import Gallery, gallery_by_id
from curator.catalog.write_gate import Gate

MAX_COMMENT = 2_000  # characters: a paragraph, never a file
# The decision log's pass of a client's picks accepted without teaching the
# taste model (`curator proof accept` without --teach): catalog.judgments
# leaves a photo whose standing decision carries it out of the training set.
CLIENT_PASS = "client"


class PicksRefused(ValueError):
    """A heart, comment or confirmation the gallery's rules refuse; the message
    is one sentence for the client. `status` is the HTTP status it answers."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class PicksState:
    """What the client has said in a gallery, as stored."""

    hearts: tuple[str, ...]  # photo tokens, in the gallery's order
    comments: dict[str, str] = field(default_factory=dict)
    confirmed_at: datetime | None = None
    closed: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "hearts": list(self.hearts),
            "comments": dict(self.comments),
            "confirmed_at": None if self.confirmed_at is None else self.confirmed_at.isoformat(),
            "closed": self.closed,
        }


def _db() -> Database:
    return Photo._meta.database


def picks_state(gallery_id: int, today: date | None = None) -> PicksState:
    """The gallery's hearts, comments and confirmation as stored now."""
    gallery = gallery_by_id(gallery_id)
    if gallery is None:
        return PicksState((), {}, None, True)
    rows = (
        _db()
        .execute_sql(
            "SELECT token, hearted, comment FROM proof_photo WHERE gallery_id = ?"
            " AND (hearted <> 0 OR comment <> '') ORDER BY position",
            [gallery_id],
        )
        .fetchall()
    )
    closed = gallery.closed_sentence(today or date.today()) is not None
    return PicksState(
        hearts=tuple(str(t) for t, h, _c in rows if h),
        comments={str(t): str(c) for t, _h, c in rows if c},
        confirmed_at=gallery.confirmed_at,
        closed=closed,
    )


def _open_gallery(gallery_id: int, today: date, *, to_change: bool = True) -> Gallery:
    gallery = gallery_by_id(gallery_id)
    if gallery is None:
        raise PicksRefused("This gallery no longer exists.", 410)
    closed = gallery.closed_sentence(today)
    if closed:
        raise PicksRefused(closed, 410)
    if to_change and gallery.confirmed_at is not None:
        raise PicksRefused(
            "Your selection is confirmed — ask the photographer to reopen it to change it."
        )
    return gallery


def _hearted_count(gallery_id: int) -> int:
    row = (
        _db()
        .execute_sql(
            "SELECT COUNT(*) FROM proof_photo WHERE gallery_id = ? AND hearted <> 0", [gallery_id]
        )
        .fetchone()
    )
    return int(row[0])


def _photo_row(gallery_id: int, token: str) -> tuple[bool, str]:
    row = (
        _db()
        .execute_sql(
            "SELECT hearted, comment FROM proof_photo WHERE gallery_id = ? AND token = ?",
            [gallery_id, token],
        )
        .fetchone()
    )
    if row is None:
        raise PicksRefused("That photo is not in this gallery.", 404)
    return bool(row[0]), str(row[1])


def too_many_sentence(maximum: int) -> str:
    return (
        f"You've hearted {maximum} photos, the most this gallery allows — "
        "remove a heart to choose another."
    )


def set_heart(gallery_id: int, token: str, hearted: bool, today: date | None = None) -> PicksState:
    """Heart (or un-heart) one photo under the gallery's rules (module docstring)."""
    day = today or date.today()

    def write() -> None:
        gallery = _open_gallery(gallery_id, day)
        was, _comment = _photo_row(gallery_id, token)
        if was == hearted:
            return
        maximum = gallery.settings.max_picks
        if hearted and maximum is not None and _hearted_count(gallery_id) >= maximum:
            raise PicksRefused(too_many_sentence(maximum))
        _db().execute_sql(
            "UPDATE proof_photo SET hearted = ?, picked_at = ? WHERE gallery_id = ? AND token = ?",
            [int(hearted), utcnow(), gallery_id, token],
        )

    tx.write(_db(), write, gate=Gate.INTERACTIVE)
    return picks_state(gallery_id, day)


def clean_comment(text: str) -> str:
    """A client's comment as stored: trimmed, control characters but line breaks out."""
    kept = "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    return kept.strip()


def set_comment(gallery_id: int, token: str, text: str, today: date | None = None) -> PicksState:
    """The client's comment on one photo ('' removes it), under the rules."""
    day = today or date.today()
    comment = clean_comment(text)
    if len(comment) > MAX_COMMENT:
        raise PicksRefused(
            f"A comment holds at most {MAX_COMMENT:,} characters; this one has {len(comment):,}.",
            422,
        )

    def write() -> None:
        gallery = _open_gallery(gallery_id, day)
        if not gallery.settings.comments:
            raise PicksRefused("This gallery takes no comments.", 403)
        _hearted, was = _photo_row(gallery_id, token)
        if was == comment:
            return
        _db().execute_sql(
            "UPDATE proof_photo SET comment = ?, picked_at = ? WHERE gallery_id = ? AND token = ?",
            [comment, utcnow(), gallery_id, token],
        )

    tx.write(_db(), write, gate=Gate.INTERACTIVE)
    return picks_state(gallery_id, day)


def too_few_sentence(minimum: int, count: int) -> str:
    more = minimum - count
    return f"Heart at least {minimum} photos before you confirm — {more} more to go."


def confirm(gallery_id: int, today: date | None = None) -> PicksState:
    """Confirm the selection: refused below the minimum; locks it."""
    day = today or date.today()

    def write() -> None:
        gallery = _open_gallery(gallery_id, day)
        count = _hearted_count(gallery_id)
        if count < max(1, gallery.settings.min_picks):
            raise PicksRefused(too_few_sentence(max(1, gallery.settings.min_picks), count))
        _db().execute_sql(
            "UPDATE proof_gallery SET confirmed_at = ? WHERE id = ?", [utcnow(), gallery_id]
        )

    tx.write(_db(), write, gate=Gate.INTERACTIVE)
    return picks_state(gallery_id, day)


def reopen(gallery_id: int) -> bool:
    """The photographer reopens a confirmed selection; False when it was not confirmed."""

    def write() -> bool:
        cursor = _db().execute_sql(
            "UPDATE proof_gallery SET confirmed_at = NULL"
            " WHERE id = ? AND confirmed_at IS NOT NULL",
            [gallery_id],
        )
        return bool(cursor.rowcount)

    return tx.write(_db(), write, gate=Gate.INTERACTIVE)


def apply_selection(
    gallery_id: int,
    hearts: set[str],
    comments: Mapping[str, str],
    confirmed_at: datetime | None,
) -> PicksState:
    """A selection file's say, as a whole: the gallery's hearts become `hearts`,
    its comments `comments`, its confirmation `confirmed_at`, in ONE
    transaction. Refused (nothing written) for a token not in the gallery, or
    more hearts than its maximum."""

    def write() -> None:
        gallery = gallery_by_id(gallery_id)
        if gallery is None:
            raise PicksRefused("This gallery no longer exists.", 410)
        db = _db()
        tokens = {
            str(t)
            for (t,) in db.execute_sql(
                "SELECT token FROM proof_photo WHERE gallery_id = ?", [gallery_id]
            ).fetchall()
        }
        unknown = (hearts | set(comments)) - tokens
        if unknown:
            raise PicksRefused(
                f"The selection names {len(unknown)} photo(s) this gallery does not hold."
            )
        maximum = gallery.settings.max_picks
        if maximum is not None and len(hearts) > maximum:
            raise PicksRefused(
                f"The selection hearts {len(hearts)} photos; this gallery allows at most {maximum}."
            )
        now = utcnow()
        for token in sorted(tokens):
            db.execute_sql(
                "UPDATE proof_photo SET hearted = ?, comment = ?, picked_at = ?"
                " WHERE gallery_id = ? AND token = ? AND (hearted <> ? OR comment <> ?)",
                [
                    int(token in hearts),
                    clean_comment(comments.get(token, "")),
                    now,
                    gallery_id,
                    token,
                    int(token in hearts),
                    clean_comment(comments.get(token, "")),
                ],
            )
        db.execute_sql(
            "UPDATE proof_gallery SET confirmed_at = ? WHERE id = ?", [confirmed_at, gallery_id]
        )

    tx.write(_db(), write, gate=Gate.INTERACTIVE)
    return picks_state(gallery_id)


def hearted_photo_ids(gallery_id: int) -> list[int]:
    """The catalog ids of the photos the client hearted, in the gallery's order."""
    sql = "SELECT photo_id FROM proof_photo WHERE gallery_id = ? AND hearted <> 0 ORDER BY position"
    return [int(pid) for (pid,) in _db().execute_sql(sql, [gallery_id]).fetchall()]


def hand_picks_to(keeper_id: int, copy_id: int) -> int:
    """A duplicate copy's place in each gallery passes to its keeper (the same
    picture: catalog.duplicates.resolve), hearts and comment with it, where
    the keeper has none of its own there; in the caller's transaction. How
    many galleries."""
    cursor = _db().execute_sql(
        "UPDATE proof_photo SET photo_id = ? WHERE photo_id = ? AND gallery_id NOT IN"
        " (SELECT gallery_id FROM proof_photo WHERE photo_id = ?)",
        (keeper_id, copy_id, keeper_id),
    )
    return max(0, int(cursor.rowcount or 0))
