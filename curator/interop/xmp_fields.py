"""What the catalog says about a photo in XMP terms: the input of `curator xmp write`.

Read-only, 500 ids a query. `xmp_fields_for` gives per photo:
- `fields` (`XmpFields`), for a new sidecar: rating, reject, pick and label
  (0/False: cleared in Curator; None: never set), keywords
  (`outgoing_keywords`: removed AI tags never written), caption (another
  tool's, else the LLM's subject), description and scores, `tiff:Orientation`
  after a turn, faces as MWG regions (`face_regions`);
- for an existing sidecar, `xmp.edit.plan_edit`'s inputs: `XmpState`, when each
  value was decided in Curator (`Authored`), the last synced state
  (`xmp_sync`), and Curator's namespace and caption as `extras`.

A photo is *decided* when live with a decision made in Curator (undone values
included), a named person's face, or a person keyword Curator wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from peewee import fn

from curator.catalog.backends.dialect import chunks
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
    XmpSync,
    preference_scores,
)
from curator.catalog.paths_codec import decode_path
from curator.catalog.people.region_names import face_names_by_photo, named_photo_ids
from curator.catalog.people.store import faces_by_photo
from curator.imaging.orientation import turned_box, turned_orientation
from curator.interop.xmp.edit import Authored, Keyword, XmpEdit
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.regions import FaceArea, FaceRegions
from curator.interop.xmp.state import XmpState
from curator.interop.xmp_sync import PhotoKeywords, SyncRecord, keywords_for, recorded_states
from curator.records import ColorLabel, Face

EXTERNAL_PASSES = ("xmp", "lightroom")
"""Decision passes that record values read from another tool, not decided in Curator."""


@dataclass(frozen=True)
class PhotoXmp:
    """One photo's sidecar content and the files it belongs beside."""

    photo_id: int
    paths: tuple[str, ...]  # the primary path first, then duplicate paths
    missing: bool  # every path vanished from disk (photo.missing_since)
    decided: bool
    fields: XmpFields  # everything, for a new sidecar
    catalog: XmpState = field(default_factory=XmpState)
    authored: Authored = field(default_factory=Authored)
    synced: SyncRecord | None = None
    extras: XmpEdit = field(default_factory=XmpEdit)
    keyword_texts: dict[str, Keyword] = field(default_factory=dict)


def decided_photo_ids() -> list[int]:
    """Every decided live photo (see the module docstring), by id."""
    curator_made = Decision.select(Decision.photo).where(Decision.pass_.not_in(EXTERNAL_PASSES))
    query = Photo.select(Photo.id).where(
        Photo.deleted_at.is_null() & Photo.id.in_(curator_made.distinct())
    )
    decided = {int(i) for (i,) in query.tuples()}
    return sorted(decided | set(named_photo_ids()) | set(_people_written()))


def _people_written() -> list[int]:
    """Live photos whose recorded sidecar state holds person keywords Curator wrote."""
    query = (
        XmpSync.select(XmpSync.photo)
        .join(Photo)
        .where(XmpSync.state.contains('"people":'), Photo.deleted_at.is_null())
    )
    return [int(i) for (i,) in query.tuples()]


def xmp_fields_for(photo_ids: Sequence[int]) -> list[PhotoXmp]:
    """The sidecar content of these photos, in the given order; unknown or
    deleted ids are left out."""
    ids = list(dict.fromkeys(photo_ids))
    out: dict[int, PhotoXmp] = {}
    for chunk in chunks(ids):
        log = _log(chunk)
        tags = _tags(chunk)
        extra = _extra_paths(chunk)
        synced = recorded_states(chunk)
        written = keywords_for(chunk)
        descriptions = {
            int(d.photo_id): d for d in Description.select().where(Description.photo.in_(chunk))
        }
        preference = preference_scores(chunk)
        faces = faces_by_photo(chunk)
        names = face_names_by_photo(chunk)
        for photo in Photo.select().where(Photo.id.in_(chunk), Photo.deleted_at.is_null()):
            pid = int(photo.id)
            history = log.get(pid, _History())
            history.orientation = turned_orientation(photo.orientation, photo.rotation or 0)
            photo_tags = tags.get(pid, ())
            keywords = written.get(pid)
            desc = descriptions.get(pid)
            fields = _fields(photo, preference.get(pid), history.kinds, photo_tags, keywords, desc)
            photo_names = names.get(pid, ())
            regions = face_regions(photo, faces.get(pid), photo_names)
            people = tuple(sorted({n for n in photo_names if n}, key=str.casefold))
            fields = replace(fields, faces=regions, people=people)
            record = synced.get(pid)
            out[pid] = PhotoXmp(
                photo_id=pid,
                paths=(decode_path(photo.path), *extra.get(pid, ())),
                missing=photo.missing_since is not None,
                decided=history.curator_made
                or bool(people)
                or bool(record is not None and record.state.people),
                fields=fields,
                catalog=_catalog_state(photo, photo_tags),
                authored=history.authored(),
                synced=synced.get(pid),
                extras=XmpEdit(
                    caption=desc.subject if desc is not None and desc.subject else None,
                    scores=fields.scores,
                    texts=fields.texts,
                    faces=regions,
                ),
                keyword_texts={
                    name: keywords.outgoing(name) if keywords else Keyword(name)
                    for name, _ in photo_tags
                },
            )
    return [out[i] for i in ids if i in out]


@dataclass
class _History:
    """What a photo's decision log says: kinds logged, and the newest row per field."""

    kinds: set[str] = field(default_factory=set)
    curator_made: bool = False
    latest: dict[str, tuple[bool, datetime]] = field(default_factory=dict)  # field → (ours, when)
    tags: dict[str, tuple[bool, bool, datetime]] = field(default_factory=dict)
    orientation: int = 1  # tiff:Orientation with the photographer's turn (see `_fields`)

    def authored(self) -> Authored:
        def when(name: str) -> datetime | None:
            ours, at = self.latest.get(name, (False, datetime.min))
            return at if ours else None

        turned = when("rotation")
        return Authored(
            rating=when("rating"),
            picked=when("picked"),
            label=when("label"),
            tags={name: (live, at) for name, (ours, live, at) in self.tags.items() if ours},
            orientation=None if turned is None else (self.orientation, turned),
        )


_FIELD_OF_KIND = {
    DecisionKind.RATING.value: "rating",
    DecisionKind.CULL.value: "rating",  # a reject is xmp:Rating -1
    DecisionKind.PICK.value: "picked",
    DecisionKind.LABEL.value: "label",
    DecisionKind.ROTATION.value: "rotation",
}


def _log(ids: list[int]) -> dict[int, _History]:
    out: dict[int, _History] = {}
    rows = (
        Decision.select(
            Decision.photo, Decision.kind, Decision.new_value, Decision.pass_, Decision.created_at
        )
        .where(Decision.photo.in_(ids))
        .order_by(Decision.id)
        .namedtuples()
    )
    for r in rows:
        history = out.setdefault(int(r.photo), _History())
        ours = r.pass_ not in EXTERNAL_PASSES
        history.kinds.add(str(r.kind))
        history.curator_made |= ours
        if r.kind == DecisionKind.TAG.value:
            state, sep, name = (r.new_value or "").partition(":")
            if sep and name:
                history.tags[name] = (ours, state in ("user", "ai"), r.created_at)
        elif r.kind in _FIELD_OF_KIND:
            history.latest[_FIELD_OF_KIND[r.kind]] = (ours, r.created_at)
    return out


def _tags(ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    """Live tags per photo as (name, source), the user's first, each group by name."""
    rows = (
        PhotoTag.select(PhotoTag.photo, Tag.name, PhotoTag.source)
        .join(Tag)
        .where(PhotoTag.photo.in_(ids), PhotoTag.removed_at.is_null())
        .order_by(PhotoTag.photo, PhotoTag.source != TagSource.USER.value, fn.lower(Tag.name))
    )
    out: dict[int, list[tuple[str, str]]] = {}
    for pid, name, source in rows.tuples():
        out.setdefault(int(pid), []).append((str(name), str(source)))
    return {pid: tuple(dict.fromkeys(tags)) for pid, tags in out.items()}


def _extra_paths(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = PhotoPath.select(PhotoPath.photo, PhotoPath.path).where(PhotoPath.photo.in_(ids))
    for pid, raw in rows.order_by(PhotoPath.id).tuples():
        out.setdefault(int(pid), []).append(decode_path(raw))
    return out


def _catalog_state(photo: Photo, tags: Iterable[tuple[str, str]]) -> XmpState:
    colour = ColorLabel.parse(photo.label)
    rejected = photo.cull == CullState.REJECTED.value
    return XmpState(
        rating=-1 if rejected else int(photo.rating or 0),
        picked=bool(photo.picked),
        label=colour.value if colour is not None else None,
        keywords=frozenset(name for name, _ in tags),
    )


def outgoing_keywords(
    tags: Iterable[tuple[str, str]], written: PhotoKeywords | None, *, exported: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(flat keywords, hierarchical paths) as the photo's keywords go out: other
    tools' text and hierarchy where known, then keywords the tag rule dropped
    ("Photography"); with `exported`, private keywords (Lightroom's "Include on
    Export" off) stay out."""
    flat: list[str] = []
    paths: list[str] = []
    for name, _source in tags:
        if written is not None and exported and written.private(name):
            continue
        kw = written.outgoing(name) if written is not None else Keyword(name)
        flat.append(kw.text)
        if kw.path:
            paths.append(kw.path)
    for untagged in written.untagged if written is not None else ():
        if exported and untagged.private:
            continue
        flat.append(untagged.text)
        if untagged.path:
            paths.append(untagged.path)
    return tuple(dict.fromkeys(flat)), tuple(dict.fromkeys(paths))


def face_regions(
    photo: Photo, faces: tuple[Face, ...] | None, names: Sequence[str | None] = ()
) -> FaceRegions | None:
    """The photo's judged faces as MWG regions on the picture as shown (its
    orientation and the photographer's turn applied), each with its person's
    name (`names`, in face order; None: unnamed); None when the faces stage
    has not looked at it (nothing is said)."""
    if faces is None or not photo.width or not photo.height:
        return None
    turns = photo.rotation or 0
    width, height = (photo.height, photo.width) if turns % 2 else (photo.width, photo.height)
    named = list(names) + [None] * (len(faces) - len(names))
    areas = tuple(
        FaceArea(turned_box(f.box, turns), f.eyes.value, f.sharpness, f.key, name)
        for f, name in zip(faces, named, strict=False)
        if f.judged
    )
    return FaceRegions(int(width), int(height), areas)


def _fields(
    photo: Photo,
    preference: float | None,
    kinds: set[str],
    tags: tuple[tuple[str, str], ...],
    written: PhotoKeywords | None,
    desc: Description | None,
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
            ("preference", preference),
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
    flat, paths = outgoing_keywords(tags, written, exported=False)
    # A turn in Curator goes out as the one orientation that shows the untouched
    # original that way (its own EXIF orientation composed with the turn).
    orientation: int | None = None
    if DecisionKind.ROTATION.value in kinds:
        orientation = turned_orientation(photo.orientation, photo.rotation or 0)
    subject = (desc.subject or None) if desc is not None else None
    return XmpFields(
        rating=rating,
        label=label,
        picked=picked,
        rejected=rejected,
        keywords=flat,
        hierarchical=paths,
        description=photo.caption or subject,
        scores=scores,
        texts=texts,
        orientation=orientation,
    )
