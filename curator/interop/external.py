"""Decisions taken from other tools: XMP sidecars/packets and Lightroom catalogs.

`apply_external(photo_id, ext, source, file_mtime_ns)` is the ONE path by which
another tool's rating, flags, label and keywords become decisions, through
`catalog.decisions` with `pass_=source`, in one transaction.

Rules:
- rating 1–5 → rating (kept); −1 or reject → rejected (beats a rating or
  pick); pick → picked; label → color label; keywords → user tags.
- Only what changed since the last import from that source is applied
  (`external_import.fingerprint`); a keyword gone from the file stays.
- A later change in Curator wins (a decision of another pass after
  `file_mtime_ns`).
- A turn (tiff:Orientation) becomes `photo.rotation`, never a decision; a
  mirrored one is left alone.
- The same transaction records the keyword style (`keywords.record_keywords`),
  a changed caption, and the XMP's state (`xmp_sync.record_state`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from peewee import fn

from curator.catalog import decisions, tx
from curator.catalog.backends.dialect import chunks, replace_into
from curator.catalog.decisions import DecisionRecord
from curator.catalog.models import (
    CullState,
    Decision,
    DecisionKind,
    ExternalImport,
    Photo,
    PhotoPath,
    utcnow,
)
from curator.catalog.paths_codec import decode_path, encode_path
from curator.catalog.tagging.keywords import SourceKeyword, record_keywords
from curator.catalog.write_gate import Gate
from curator.interop.xmp.state import XmpState
from curator.interop.xmp_sync import record_state, set_caption
from curator.records import ColorLabel

SOURCES = ("xmp", "lightroom")


@dataclass(frozen=True)
class ExternalJudgment:
    """What another tool says about a photo, in Curator's terms."""

    rating: int | None = None  # 1–5; None: unrated
    rejected: bool = False
    picked: bool = False
    label: str | None = None  # a ColorLabel value
    keywords: tuple[str, ...] = ()  # in the catalog's tag form (the caller normalises)
    keyword_texts: tuple[SourceKeyword, ...] = ()  # the same keywords as the tool wrote them
    caption: str | None = None  # None: the tool has none
    orientation: int | None = None  # its tiff:Orientation 1..8; None: it says none

    def fingerprint(self) -> str:
        """Canonical JSON of the values (what `external_import` stores); the
        orientation only when there is one, so a fingerprint stored before turns
        were read still matches an unchanged file."""
        values: dict[str, object] = {
            "rating": self.rating,
            "rejected": self.rejected,
            "picked": self.picked,
            "label": self.label,
            "keywords": sorted(set(self.keywords)),
            "texts": sorted({(k.text, k.path, k.private) for k in self.keyword_texts}),
            "caption": self.caption,
        }
        if self.orientation is not None:
            values["orientation"] = self.orientation
        return json.dumps(
            values,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_fingerprint(cls, text: str) -> ExternalJudgment:
        """The values a stored fingerprint holds (an unreadable one: nothing)."""
        try:
            data: dict[str, Any] = json.loads(text)
            rating = data.get("rating")
            label = data.get("label")
            caption = data.get("caption")
            orientation = data.get("orientation")
            return cls(
                rating=rating if isinstance(rating, int) and 1 <= rating <= 5 else None,
                rejected=bool(data.get("rejected")),
                picked=bool(data.get("picked")),
                label=label if isinstance(label, str) else None,
                keywords=tuple(str(k) for k in data.get("keywords") or ()),
                keyword_texts=tuple(
                    SourceKeyword(str(t), str(p), bool(v)) for t, p, v in data.get("texts") or ()
                ),
                caption=caption if isinstance(caption, str) else None,
                orientation=_orientation(orientation),
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


def _orientation(value: object) -> int | None:
    """A tiff:Orientation Curator can hold (1..8), else None."""
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _quarter_turns(file_orientation: int, stated: int) -> int | None:
    """The turn (0..3 clockwise) that makes the file's own orientation the
    `stated` one; None when no turn does (a mirror)."""
    from curator.imaging.orientation import turned_orientation  # OpenCV: only when turned

    for turns in range(4):
        if turned_orientation(file_orientation, turns) == stated:
            return turns
    return None


@dataclass(frozen=True)
class Conflict:
    """A field decided differently in Curator and in the other tool, and who won:
    the later change ("curator" or the source), by decision time against the
    tool's own change time."""

    field: str  # rating | picked | label | rejected
    curator: str | None  # Curator's value (text), None for none
    other: str | None  # the other tool's
    winner: str  # "curator" or the source ("lightroom", "xmp")
    curator_at: datetime
    other_at: datetime | None  # None: the tool's change time is unknown (older)

    def as_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "curator": self.curator,
            "other": self.other,
            "winner": self.winner,
            "curator_at": self.curator_at.isoformat(timespec="seconds"),
            "other_at": self.other_at.isoformat(timespec="seconds") if self.other_at else None,
        }


@dataclass(frozen=True)
class ExternalApplied:
    """What `apply_external` did for one photo."""

    photo_id: int
    records: list[DecisionRecord] = field(default_factory=list)
    unchanged: bool = False  # the same values as last time: nothing was looked at
    kept_curator: tuple[str, ...] = ()  # fields a later Curator change kept
    skipped: bool = False  # the photo is gone (deleted) — nothing written
    conflicts: tuple[Conflict, ...] = ()  # fields both sides decided differently

    @property
    def applied(self) -> bool:
        return bool(self.records)


def _mtime_datetime(file_mtime_ns: int | None) -> datetime | None:
    if file_mtime_ns is None:
        return None
    return datetime.fromtimestamp(file_mtime_ns / 1e9, UTC).replace(tzinfo=None)


def _later_curator_changes(
    photo_id: int, source: str, since: datetime | None
) -> tuple[set[str], set[str]]:
    """(decision kinds, tag names) changed in Curator (another pass) after `since`."""
    query = Decision.select(Decision.kind, Decision.new_value, Decision.old_value).where(
        Decision.photo == photo_id, Decision.pass_ != source
    )
    if since is not None:
        query = query.where(Decision.created_at > since)
    kinds: set[str] = set()
    tags: set[str] = set()
    for kind, new, old in query.tuples():
        kinds.add(kind)
        if kind == DecisionKind.TAG.value:
            for value in (new, old):
                _, sep, name = (value or "").partition(":")
                if sep:
                    tags.add(name)
    return kinds, tags


@dataclass(frozen=True)
class XmpSeen:
    """The XMP an import read for a photo, to remember as its synced state."""

    state: XmpState
    sidecar: str | None
    mtime_ns: int | None


def apply_external(
    photo_id: int,
    ext: ExternalJudgment,
    source: str,
    file_mtime_ns: int | None,
    seen: XmpSeen | None = None,
) -> ExternalApplied:
    """Turn another tool's values into decisions (see the module docstring), in
    one transaction (joining an enclosing one); what was written."""
    if source not in SOURCES:
        raise ValueError(f"unknown external source {source!r}")
    label = ColorLabel.parse(ext.label)
    ext = ExternalJudgment(
        rating=ext.rating if ext.rating is not None and 1 <= ext.rating <= 5 else None,
        rejected=ext.rejected,
        picked=ext.picked and not ext.rejected,
        label=label.value if label is not None else None,
        keywords=tuple(dict.fromkeys(k for k in ext.keywords if k)),
        keyword_texts=tuple(dict.fromkeys(ext.keyword_texts)),
        caption=ext.caption.strip() if ext.caption and ext.caption.strip() else None,
        orientation=_orientation(ext.orientation),
    )

    def write() -> ExternalApplied:
        photo: Photo | None = (
            Photo.select(
                Photo.id,
                Photo.cull,
                Photo.rating,
                Photo.picked,
                Photo.label,
                Photo.deleted_at,
                Photo.orientation,
                Photo.rotation,
            )
            .where(Photo.id == photo_id)
            .first()
        )
        if photo is None or photo.deleted_at is not None:
            return ExternalApplied(photo_id, skipped=True)
        if seen is not None:
            record_state(photo_id, seen.state, seen.sidecar, seen.mtime_ns, carry_people=True)
        row: ExternalImport | None = ExternalImport.get_or_none(
            ExternalImport.photo == photo_id, ExternalImport.source == source
        )
        fingerprint = ext.fingerprint()
        if row is None and ext == ExternalJudgment() and seen is None:
            return ExternalApplied(photo_id, unchanged=True)  # says nothing: no row either
        if row is not None and row.fingerprint == fingerprint:
            if row.file_mtime_ns != file_mtime_ns:
                row.file_mtime_ns = file_mtime_ns
                row.save()
            return ExternalApplied(photo_id, unchanged=True)
        before = (
            ExternalJudgment.from_fingerprint(row.fingerprint)
            if row is not None
            else ExternalJudgment()
        )
        since = _mtime_datetime(file_mtime_ns)
        kinds, tags = _later_curator_changes(photo_id, source, since)
        mine = _values(photo)
        records, kept = _apply_changes(photo, before, ext, source, kinds, tags)
        conflicts = _conflicts(photo_id, source, mine, ext, kept, records, since)
        record_keywords(photo_id, ext.keyword_texts, source)
        if ext.caption is not None and ext.caption != before.caption:
            set_caption(photo_id, ext.caption)
        now = utcnow()
        (
            ExternalImport.insert(
                photo=photo_id,
                source=source,
                fingerprint=fingerprint,
                file_mtime_ns=file_mtime_ns,
                imported_at=now,
            )
            .on_conflict(
                conflict_target=[ExternalImport.photo, ExternalImport.source],
                preserve=[
                    ExternalImport.fingerprint,
                    ExternalImport.file_mtime_ns,
                    ExternalImport.imported_at,
                ],
            )
            .execute()
        )
        return ExternalApplied(
            photo_id, records, kept_curator=tuple(kept), conflicts=tuple(conflicts)
        )

    return decisions.apply_many(write)


def _values(photo: Photo) -> dict[str, str | None]:
    """The photo's decided fields as text, as a conflict reports them."""
    return {
        "rating": str(photo.rating) if photo.rating is not None else None,
        "picked": "yes" if photo.picked else "no",
        "label": photo.label or None,
        "rejected": "yes" if photo.cull == CullState.REJECTED.value else "no",
    }


_KINDS_OF_FIELD = {
    "rating": (DecisionKind.RATING.value,),
    "picked": (DecisionKind.PICK.value, DecisionKind.CULL.value),  # a reject unpicks
    "label": (DecisionKind.LABEL.value,),
    "rejected": (DecisionKind.CULL.value, DecisionKind.PICK.value),
}


def _conflicts(
    photo_id: int,
    source: str,
    mine: dict[str, str | None],
    ext: ExternalJudgment,
    kept: list[str],
    records: list[DecisionRecord],
    since: datetime | None,
) -> list[Conflict]:
    """Fields the tool changed where Curator had its own, different decision:
    kept (Curator's is later) or replaced (the tool's is)."""
    if not kept and not records:
        return []
    theirs: dict[str, str | None] = {
        "rating": str(ext.rating) if ext.rating is not None else None,
        "picked": "yes" if ext.picked else "no",
        "label": ext.label,
        "rejected": "yes" if ext.rejected else "no",
    }
    applied = {r.kind.value for r in records}
    latest = dict(
        Decision.select(Decision.kind, fn.MAX(Decision.created_at))
        .where(Decision.photo == photo_id, Decision.pass_ != source)
        .group_by(Decision.kind)
        .tuples()
    )
    out: list[Conflict] = []
    for name, kinds in _KINDS_OF_FIELD.items():
        times = [_as_datetime(latest[k]) for k in kinds if latest.get(k) is not None]
        if not times or mine[name] == theirs[name]:
            continue
        if name in kept:
            out.append(Conflict(name, mine[name], theirs[name], "curator", max(times), since))
        elif kinds[0] in applied:
            out.append(Conflict(name, mine[name], theirs[name], source, max(times), since))
    return out


def _as_datetime(value: object) -> datetime:
    """A decision time as SQLite hands back an aggregate of it (text) or a datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def apply_external_many(
    items: list[tuple[int, ExternalJudgment, int | None]],
    source: str,
    seen: dict[int, XmpSeen] | None = None,
) -> list[ExternalApplied]:
    """`apply_external` for many photos in ONE transaction (an import batch;
    `seen`: photo id → the XMP read for it), a BULK write through the write
    gate: a decision made meanwhile waits at most for the batch under way, so
    callers keep batches short (`batches`)."""
    seen = seen or {}
    return tx.write(
        Photo._meta.database,
        lambda: [
            apply_external(pid, ext, source, mtime, seen.get(pid)) for pid, ext, mtime in items
        ],
        gate=Gate.BULK,
    )


# A batch of an external import: few enough photos and keywords that its
# transaction is short (tens of ms), so a decision waiting behind it never waits long.
BATCH_PHOTOS = 50
BATCH_KEYWORDS = 1_000


def batches(
    items: list[tuple[int, ExternalJudgment, int | None]],
) -> Iterator[list[tuple[int, ExternalJudgment, int | None]]]:
    """`items` cut into short batches: at most `BATCH_PHOTOS` photos and about
    `BATCH_KEYWORDS` keywords each (a photo with more is a batch of its own)."""
    batch: list[tuple[int, ExternalJudgment, int | None]] = []
    weight = 0
    for item in items:
        cost = len(item[1].keywords) + len(item[1].keyword_texts)
        if batch and (len(batch) >= BATCH_PHOTOS or weight + cost > BATCH_KEYWORDS):
            yield batch
            batch, weight = [], 0
        batch.append(item)
        weight += cost
    if batch:
        yield batch


def _apply_changes(
    photo: Photo,
    before: ExternalJudgment,
    ext: ExternalJudgment,
    source: str,
    kinds: set[str],
    later_tags: set[str],
) -> tuple[list[DecisionRecord], list[str]]:
    pid = int(photo.id)
    records: list[DecisionRecord] = []
    kept: list[str] = []
    cull_free = DecisionKind.CULL.value not in kinds
    pick_free = DecisionKind.PICK.value not in kinds

    # A reject lifted in the file: the photo is no longer rejected (unless the
    # rating or pick below keeps it anyway).
    if before.rejected and not ext.rejected:
        if not cull_free:
            kept.append("rejected")
        elif photo.cull == CullState.REJECTED.value and not (ext.rating or ext.picked):
            records += decisions.set_cull(pid, CullState.UNREVIEWED, pass_=source)
    if ext.rating != before.rating:
        if DecisionKind.RATING.value in kinds:
            kept.append("rating")
        else:
            keep = ext.rating is not None and not ext.rejected and cull_free
            records += decisions.set_rating(pid, ext.rating, pass_=source, keep=keep)
    if ext.picked != before.picked:
        if not (pick_free and cull_free):
            kept.append("picked")
        else:
            records += decisions.set_picked(pid, ext.picked, pass_=source)
    if ext.label != before.label:
        if DecisionKind.LABEL.value in kinds:
            kept.append("label")
        else:
            records += decisions.set_label(pid, ext.label, pass_=source)
    for name in ext.keywords:
        if name in before.keywords:
            continue
        if name in later_tags:
            kept.append(f"tag {name}")
        else:
            records += decisions.add_tag(pid, name, pass_=source)
    if ext.orientation != before.orientation:
        if DecisionKind.ROTATION.value in kinds:
            kept.append("rotation")  # turned in Curator since: Curator's turn stays
        else:
            # None: the tool took its turn out; the file's own orientation again.
            stated = ext.orientation or int(photo.orientation or 1)
            turns = _quarter_turns(int(photo.orientation or 1), stated)
            current = int(photo.rotation or 0) % 4
            if turns is not None and turns != current:
                records += decisions.rotate(pid, turns - current, pass_=source)
    if ext.rejected and not before.rejected:
        if not (cull_free and pick_free):
            kept.append("rejected")
        else:
            records += decisions.set_cull(pid, CullState.REJECTED, pass_=source)
    return records, kept


def record_xmp_written(
    photo_id: int, seen: XmpSeen, read_back: tuple[ExternalJudgment, int | None] | None
) -> None:
    """After `xmp write`: remember `seen` as the photo's synced XMP state, and
    (`read_back`: what the next import will read, and that file's mtime) as
    what was last taken from its XMP, so the next import does not read
    Curator's own values back as another tool's. Leave `read_back` None when the
    file kept a newer value of another tool's: the next import must take it."""

    def write() -> None:
        record_state(photo_id, seen.state, seen.sidecar, seen.mtime_ns)
        if read_back is not None:
            judgment, mtime = read_back
            query = ExternalImport.insert(
                photo=photo_id,
                source="xmp",
                fingerprint=judgment.fingerprint(),
                file_mtime_ns=mtime,
                imported_at=utcnow(),
            )
            replace_into(
                query,
                (ExternalImport.photo, ExternalImport.source),
                (
                    ExternalImport.fingerprint,
                    ExternalImport.file_mtime_ns,
                    ExternalImport.imported_at,
                ),
            ).execute()

    decisions.apply_many(write)


# -- look-ups for the readers (plain values, no ORM objects out) ----------------------


def photo_ids_by_path(paths: list[str], *, primary_only: bool = False) -> dict[str, int]:
    """path → photo id for the catalogued ones among `paths` (primary or, unless
    `primary_only`, extra paths; deleted photos left out)."""
    found: dict[str, int] = {}
    raw = {encode_path(p): p for p in paths}
    keys = list(raw)
    for chunk in chunks(keys):
        primary = Photo.select(Photo.path, Photo.id).where(
            Photo.path.in_(chunk), Photo.deleted_at.is_null()
        )
        for path_b, pid in primary.tuples():
            found[raw[bytes(path_b)]] = int(pid)
        if primary_only:
            continue
        extra = (
            PhotoPath.select(PhotoPath.path, PhotoPath.photo)
            .join(Photo)
            .where(PhotoPath.path.in_(chunk), Photo.deleted_at.is_null())
        )
        for path_b, pid in extra.tuples():
            found.setdefault(raw[bytes(path_b)], int(pid))
    return found


def imported_mtimes(source: str) -> dict[str, int]:
    """Photo path → the file mtime last taken from `source`, for every photo that has one."""
    query = (
        ExternalImport.select(Photo.path, ExternalImport.file_mtime_ns)
        .join(Photo)
        .where(ExternalImport.source == source, ExternalImport.file_mtime_ns.is_null(False))
    )
    return {decode_path(path_b): int(mtime) for path_b, mtime in query.tuples()}
