"""Client galleries and their photos: the records, the reads and the make's
one write path (`store_photos`).

A gallery is a row of `proof_gallery` (m032): its settings, the slow hash of
its access code, the secret that signs its selection files, the folder of its
rendered copies. Its photos are `proof_photo` rows in the order shown, each
with an opaque token (its copies' file name). `store_photos` replaces the
set in one transaction and keeps the hearts and comments of the photos that
stay. No web, no images: `curator.proof` builds on this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from peewee import Database

from curator.catalog import tx
from curator.catalog.models import Photo, utcnow
from curator.catalog.write_gate import Gate


class GalleryError(ValueError):
    """A gallery that can't be found or made; the message is one sentence."""


@dataclass(frozen=True)
class GallerySettings:
    """What the photographer sets for a gallery."""

    title: str
    min_picks: int = 0
    max_picks: int | None = None
    comments: bool = True
    watermark: str = ""
    expires_on: date | None = None
    keep_location: bool = False  # keep GPS and serial numbers in the copies

    def problem(self) -> str | None:
        """A sentence when these settings can't make a gallery; None when they can."""
        if not self.title.strip():
            return "A gallery needs a title: the client sees it first."
        if self.min_picks < 0 or (self.max_picks is not None and self.max_picks < 1):
            return "The minimum can't be below 0 and the maximum must be at least 1."
        if self.max_picks is not None and self.min_picks > self.max_picks:
            return (
                f"The minimum ({self.min_picks}) is above the maximum ({self.max_picks}): "
                "the client could never confirm."
            )
        return None


@dataclass(frozen=True)
class Gallery:
    """One client gallery as stored."""

    id: int
    name: str
    token: str  # the opaque id the page and a selection file carry
    settings: GallerySettings
    code_hash: str
    secret: str
    folder: str
    confirmed_at: datetime | None
    closed: bool
    made_at: datetime
    made_by: str

    def closed_sentence(self, today: date) -> str | None:
        """Why the client can no longer open it; None while it is open."""
        if self.closed:
            return "This gallery is closed. Ask the photographer if you need it again."
        expires = self.settings.expires_on
        if expires is not None and today > expires:
            return (
                f"This gallery closed on {expires:%d %B %Y}. "
                "Ask the photographer if you need more time."
            )
        return None


@dataclass(frozen=True)
class GalleryPhoto:
    """One photo of a gallery: its place, its copy and the client's say."""

    photo_id: int
    token: str
    position: int
    rendered: str  # what its copies were made from ('' before the first make)
    hearted: bool
    comment: str
    picked_at: datetime | None


_GALLERY_COLUMNS = (
    "id, name, token, title, min_picks, max_picks, comments, watermark, expires_on,"
    " keep_location, code_hash, secret, folder, confirmed_at, closed, made_at, made_by"
)


def _db() -> Database:
    return Photo._meta.database


def when(value: object) -> datetime | None:
    """A stored timestamp (SQLite: text; PostgreSQL: a datetime) as a naive UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _gallery(row: Sequence[object]) -> Gallery:
    expires = row[8]
    settings = GallerySettings(
        title=str(row[3]),
        min_picks=int(row[4]),  # type: ignore[call-overload]
        max_picks=None if row[5] is None else int(row[5]),  # type: ignore[call-overload]
        comments=bool(row[6]),
        watermark=str(row[7]),
        expires_on=None if not expires else date.fromisoformat(str(expires)),
        keep_location=bool(row[9]),
    )
    made_at = when(row[15])
    assert made_at is not None
    return Gallery(
        id=int(row[0]),  # type: ignore[call-overload]
        name=str(row[1]),
        token=str(row[2]),
        settings=settings,
        code_hash=str(row[10]),
        secret=str(row[11]),
        folder=str(row[12]),
        confirmed_at=when(row[13]),
        closed=bool(row[14]),
        made_at=made_at,
        made_by=str(row[16]),
    )


def all_galleries() -> list[Gallery]:
    """Every gallery, newest first."""
    sql = f"SELECT {_GALLERY_COLUMNS} FROM proof_gallery ORDER BY made_at DESC, id DESC"
    return [_gallery(row) for row in _db().execute_sql(sql).fetchall()]


def gallery_by_token(token: str) -> Gallery | None:
    """The gallery whose opaque id is `token`; None when no gallery has it."""
    sql = f"SELECT {_GALLERY_COLUMNS} FROM proof_gallery WHERE token = ?"
    row = _db().execute_sql(sql, [token]).fetchone()
    return None if row is None else _gallery(row)


def gallery_by_id(gallery_id: int) -> Gallery | None:
    """The gallery with this id; None when it is gone."""
    sql = f"SELECT {_GALLERY_COLUMNS} FROM proof_gallery WHERE id = ?"
    row = _db().execute_sql(sql, [gallery_id]).fetchone()
    return None if row is None else _gallery(row)


def gallery_named(name: str) -> Gallery:
    """The gallery called `name` (its name or its token); `GalleryError` with the
    galleries there are when none is."""
    sql = f"SELECT {_GALLERY_COLUMNS} FROM proof_gallery WHERE name = ? OR token = ?"
    row = _db().execute_sql(sql, [name, name]).fetchone()
    if row is not None:
        return _gallery(row)
    names = [g.name for g in all_galleries()]
    there = (
        "This catalog has no client gallery yet: make one with `curator proof make`."
        if not names
        else "Its galleries: " + ", ".join(f"'{n}'" for n in names) + "."
    )
    raise GalleryError(f"No client gallery is named '{name}'. {there}")


def create_gallery(
    name: str,
    settings: GallerySettings,
    *,
    token: str,
    code_hash: str,
    secret: str,
    folder: str,
    made_by: str = "",
) -> Gallery:
    """A new gallery (no photos yet); `GalleryError` when the name is taken or
    the settings can't make one."""
    problem = settings.problem() or (None if name.strip() else "A gallery needs a name.")
    if problem:
        raise GalleryError(problem)

    def insert() -> int:
        db = _db()
        taken = db.execute_sql("SELECT 1 FROM proof_gallery WHERE name = ?", [name]).fetchone()
        if taken:
            raise GalleryError(
                f"A client gallery named '{name}' already exists: make it again to update it, "
                "or choose another name."
            )
        db.execute_sql(
            "INSERT INTO proof_gallery (name, token, title, min_picks, max_picks, comments,"
            " watermark, expires_on, keep_location, code_hash, secret, folder, made_at, made_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [name, token, *_stored(settings), code_hash, secret, folder, utcnow(), made_by],
        )
        row = db.execute_sql("SELECT id FROM proof_gallery WHERE token = ?", [token]).fetchone()
        return int(row[0])

    gallery = gallery_by_id(tx.write(_db(), insert, gate=Gate.INTERACTIVE))
    assert gallery is not None
    return gallery


def _stored(s: GallerySettings) -> list[object]:
    """The settings' columns, as stored: title, min and max picks, comments,
    watermark, expiry, keep location."""
    expires = None if s.expires_on is None else s.expires_on.isoformat()
    return [s.title, s.min_picks, s.max_picks, int(s.comments), s.watermark, expires,
            int(s.keep_location)]  # fmt: skip


def update_settings(gallery_id: int, settings: GallerySettings) -> None:
    """Store new settings for a gallery; `GalleryError` when they can't do."""
    problem = settings.problem()
    if problem:
        raise GalleryError(problem)

    def update() -> None:
        _db().execute_sql(
            "UPDATE proof_gallery SET title = ?, min_picks = ?, max_picks = ?, comments = ?,"
            " watermark = ?, expires_on = ?, keep_location = ? WHERE id = ?",
            [*_stored(settings), gallery_id],
        )

    tx.write(_db(), update, gate=Gate.INTERACTIVE)


def set_code_hash(gallery_id: int, code_hash: str) -> None:
    """A new access code's hash (the old code stops opening the gallery)."""
    _set(gallery_id, "code_hash", code_hash)


def set_closed(gallery_id: int, closed: bool) -> None:
    """Close a gallery to the client (or open it again)."""
    _set(gallery_id, "closed", int(closed))


def _set(gallery_id: int, column: str, value: object) -> None:
    """One column of a gallery, in one write (`column` is this module's, never input)."""
    sql = f"UPDATE proof_gallery SET {column} = ? WHERE id = ?"
    tx.write(_db(), lambda: _db().execute_sql(sql, [value, gallery_id]), gate=Gate.INTERACTIVE)


_PHOTO_COLUMNS = "photo_id, token, position, rendered, hearted, comment, picked_at"


def gallery_photos(gallery_id: int) -> list[GalleryPhoto]:
    """The gallery's photos in the order the client sees them."""
    sql = f"SELECT {_PHOTO_COLUMNS} FROM proof_photo WHERE gallery_id = ? ORDER BY position"
    return [
        GalleryPhoto(
            photo_id=int(r[0]),
            token=str(r[1]),
            position=int(r[2]),
            rendered=str(r[3]),
            hearted=bool(r[4]),
            comment=str(r[5]),
            picked_at=when(r[6]),
        )
        for r in _db().execute_sql(sql, [gallery_id]).fetchall()
    ]


def has_token(gallery_id: int, token: str) -> bool:
    """True when `token` names one of this gallery's photos."""
    sql = "SELECT 1 FROM proof_photo WHERE gallery_id = ? AND token = ?"
    return _db().execute_sql(sql, [gallery_id, token]).fetchone() is not None


@dataclass(frozen=True)
class StoredPhoto:
    """One photo as a make leaves it: its place, token and what its copy shows."""

    photo_id: int
    token: str
    position: int
    rendered: str


def store_photos(gallery_id: int, photos: Sequence[StoredPhoto]) -> int:
    """The make's one write: the gallery's photos become `photos` (a photo that
    stays keeps its heart and comment; one that left is dropped), in ONE
    transaction. Returns how many photos left the gallery."""

    def write() -> int:
        db = _db()
        before = {
            int(pid)
            for (pid,) in db.execute_sql(
                "SELECT photo_id FROM proof_photo WHERE gallery_id = ?", [gallery_id]
            ).fetchall()
        }
        keep = {p.photo_id for p in photos}
        gone = sorted(before - keep)
        for pid in gone:
            db.execute_sql(
                "DELETE FROM proof_photo WHERE gallery_id = ? AND photo_id = ?", [gallery_id, pid]
            )
        for p in photos:
            if p.photo_id in before:
                db.execute_sql(
                    "UPDATE proof_photo SET position = ?, rendered = ?"
                    " WHERE gallery_id = ? AND photo_id = ?"
                    " AND (position <> ? OR rendered <> ?)",
                    [p.position, p.rendered, gallery_id, p.photo_id, p.position, p.rendered],
                )
            else:
                db.execute_sql(
                    "INSERT INTO proof_photo (gallery_id, photo_id, token, position, rendered)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [gallery_id, p.photo_id, p.token, p.position, p.rendered],
                )
        return len(gone)

    return tx.write(_db(), write, gate=Gate.INTERACTIVE)


def galleries_of_photo(photo_id: int) -> list[tuple[str, bool, str]]:
    """(gallery title, hearted, comment) for each gallery that holds this photo
    and where the client hearted or commented on it: what the loupe shows."""
    sql = (
        "SELECT g.title, p.hearted, p.comment FROM proof_photo p"
        " JOIN proof_gallery g ON g.id = p.gallery_id"
        " WHERE p.photo_id = ? AND (p.hearted <> 0 OR p.comment <> '') ORDER BY g.made_at DESC"
    )
    return [(str(t), bool(h), str(c)) for t, h, c in _db().execute_sql(sql, [photo_id]).fetchall()]
