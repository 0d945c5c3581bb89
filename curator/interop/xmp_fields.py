"""What the catalog says about a photo in XMP terms: the input of `curator xmp write`.

Read-only queries, batched (500 ids a query, SQLite's variable limit), that
turn a photo's decisions, tags, description and scores into
`curator.interop.xmp.fields.XmpFields`. The writer leaves every field given as None
as the sidecar has it, so the rules here decide what Curator claims:

- rating: the photo's stars; 0 when it has none but a rating was set and
  cleared in Curator (the log has a rating decision); None otherwise.
- rejected: True for a rejected photo; False when Curator took a cull
  decision that left it not rejected (clears a −1 in the file); None when
  Curator never culled it (a reject written by another tool stays).
- picked, label: the same rule — the value, or a cleared value when the log
  has a decision of that kind, or None (a label cleared in Curator is "").
- keywords: the live user tags, then the live AI tags (removed AI tags are
  feedback, never written), each group by name.
- description: the LLM's subject sentence; texts: content type, mood and
  lighting; scores: preference, sharpness, exposure (0–100) where known.

A photo is *decided* when it is live (not deleted) and has a human decision:
a rating, a cull state other than unreviewed, a pick, a label, a user tag, or
any row in the decision log (a decision later undone or cleared still has to
reach the sidecar it once went to).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from peewee import fn

from curator.catalog.models import (
    CullState,
    Decision,
    DecisionKind,
    Description,
    Photo,
    PhotoPath,
    PhotoTag,
    Tag,
    TagSource,
)
from curator.catalog.paths_codec import decode_path
from curator.interop.xmp.fields import XmpFields
from curator.records import ColorLabel

_CHUNK = 500


@dataclass(frozen=True)
class PhotoXmp:
    """One photo's sidecar content and the files it belongs beside."""

    photo_id: int
    paths: tuple[str, ...]  # the primary path first, then duplicate paths
    missing: bool  # every path vanished from disk (photo.missing_since)
    decided: bool
    fields: XmpFields


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _user_tag_photos() -> Iterable[int]:
    return (
        PhotoTag.select(PhotoTag.photo)
        .where(PhotoTag.source == TagSource.USER.value, PhotoTag.removed_at.is_null())
        .distinct()
    )


def decided_photo_ids() -> list[int]:
    """Every decided live photo (see the module docstring), by id."""
    logged = Decision.select(Decision.photo).distinct()
    query = Photo.select(Photo.id).where(
        Photo.deleted_at.is_null()
        & (
            Photo.rating.is_null(False)
            | (Photo.cull != CullState.UNREVIEWED.value)
            | Photo.picked
            | Photo.label.is_null(False)
            | Photo.id.in_(_user_tag_photos())
            | Photo.id.in_(logged)
        )
    )
    return sorted(int(i) for (i,) in query.tuples())


def xmp_fields_for(photo_ids: Sequence[int]) -> list[PhotoXmp]:
    """The sidecar content of these photos, in the given order; unknown or
    deleted ids are left out."""
    ids = list(dict.fromkeys(photo_ids))
    decided = set(decided_photo_ids())
    out: dict[int, PhotoXmp] = {}
    for chunk in _chunks(ids):
        kinds = _logged_kinds(chunk)
        tags = _tags(chunk)
        extra = _extra_paths(chunk)
        descriptions = {
            int(d.photo_id): d for d in Description.select().where(Description.photo.in_(chunk))
        }
        for photo in Photo.select().where(Photo.id.in_(chunk), Photo.deleted_at.is_null()):
            pid = int(photo.id)
            out[pid] = PhotoXmp(
                photo_id=pid,
                paths=(decode_path(photo.path), *extra.get(pid, ())),
                missing=photo.missing_since is not None,
                decided=pid in decided,
                fields=_fields(
                    photo, kinds.get(pid, set()), tags.get(pid, ()), descriptions.get(pid)
                ),
            )
    return [out[i] for i in ids if i in out]


def _logged_kinds(ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = Decision.select(Decision.photo, Decision.kind).where(Decision.photo.in_(ids)).distinct()
    for pid, kind in rows.tuples():
        out.setdefault(int(pid), set()).add(str(kind))
    return out


def _tags(ids: list[int]) -> dict[int, tuple[str, ...]]:
    rows = (
        PhotoTag.select(PhotoTag.photo, Tag.name, PhotoTag.source)
        .join(Tag)
        .where(PhotoTag.photo.in_(ids), PhotoTag.removed_at.is_null())
        .order_by(PhotoTag.photo, PhotoTag.source != TagSource.USER.value, fn.lower(Tag.name))
    )
    out: dict[int, list[str]] = {}
    for pid, name, _source in rows.tuples():
        out.setdefault(int(pid), []).append(str(name))
    return {pid: tuple(dict.fromkeys(names)) for pid, names in out.items()}


def _extra_paths(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = PhotoPath.select(PhotoPath.photo, PhotoPath.path).where(PhotoPath.photo.in_(ids))
    for pid, raw in rows.order_by(PhotoPath.id).tuples():
        out.setdefault(int(pid), []).append(decode_path(raw))
    return out


def _fields(
    photo: Photo, kinds: set[str], tags: tuple[str, ...], desc: Description | None
) -> XmpFields:
    rating: int | None = photo.rating
    if rating is None and DecisionKind.RATING.value in kinds:
        rating = 0
    cull = CullState(photo.cull)
    rejected: bool | None = True if cull is CullState.REJECTED else None
    if rejected is None and DecisionKind.CULL.value in kinds:
        rejected = False
    picked: bool | None = bool(photo.picked) or None
    if picked is None and DecisionKind.PICK.value in kinds:
        picked = False
    colour = ColorLabel.parse(photo.label)
    label: str | None = colour.xmp_name if colour is not None else None
    if label is None and DecisionKind.LABEL.value in kinds:
        label = ""
    scores = {
        key: float(value)
        for key, value in (
            ("preference", photo.preference_score),
            ("sharpness", photo.sharpness_score),
            ("exposure", photo.exposure_score),
        )
        if value is not None
    }
    texts: dict[str, str] = {}
    if desc is not None:
        for key, value in (
            ("content_type", desc.content_type),
            ("mood", desc.artistic_mood),
            ("lighting", desc.lighting_critique),
        ):
            if value:
                texts[key] = str(value)
    return XmpFields(
        rating=rating,
        label=label,
        picked=picked,
        rejected=rejected,
        keywords=tags,
        description=(desc.subject or None) if desc is not None else None,
        scores=scores,
        texts=texts,
    )
