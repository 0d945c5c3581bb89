"""Read-side queries returning plain objects, never peewee rows: `curator
list`'s listing (`list_photos`), the gallery's rows (`gallery_rows`), the
loupe's side panel (`photo_details`), the tag names and the paths a Retry
reads again. The gallery's id lists (`catalog.gallery.lists`) and value
types (`catalog.types`) are re-exported here.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Annotated, Any, NamedTuple

import curator.figures as figures
import curator.records as records
from curator.camera_names import camera_name
from curator.catalog import paths_codec
from curator.catalog.approval import taste_summary as latest_taste_summary
from curator.catalog.backends.dialect import Dialect, chunks, dialect_of
from curator.catalog.backends.named_rows import select_list
from curator.catalog.backends.seat import current_seat
from curator.catalog.gallery.lists import catalog_is_empty as catalog_is_empty
from curator.catalog.gallery.lists import gallery_ids_among as gallery_ids_among
from curator.catalog.gallery.lists import gallery_query_ids as gallery_query_ids
from curator.catalog.gallery.lists import gallery_ranks as gallery_ranks
from curator.catalog.gallery.lists import gallery_sql as gallery_sql
from curator.catalog.gallery.lists import gallery_where as gallery_where
from curator.catalog.gallery_filters import DUPLICATED_SQL
from curator.catalog.gallery_filters import gallery_content_types as gallery_content_types
from curator.catalog.gallery_filters import gallery_tags as gallery_tags
from curator.catalog.missing import last_known_path
from curator.catalog.models import (
    Description,
    Embedding,
    Photo,
    PhotoPath,
    PhotoPreference,
    PhotoTag,
    Stage,
    StageRun,
    StageStatus,
    Tag,
)
from curator.catalog.paths_codec import decode_path, display_path
from curator.catalog.people import store as people_store
from curator.catalog.people import summary as faces_summary
from curator.catalog.proofing.galleries import galleries_of_photo
from curator.catalog.proposals.packed import proposal_record
from curator.catalog.proposals.store import proposals_of
from curator.catalog.types import GalleryFilter as GalleryFilter  # the value types live there
from curator.catalog.types import GalleryQuery as GalleryQuery
from curator.catalog.types import GalleryRow as GalleryRow
from curator.catalog.types import GallerySort as GallerySort
from curator.figures import figures_beyond
from curator.records import FigureValues

STAGES: tuple[str, ...] = tuple(s.value for s in Stage)


def list_photos(match_threshold: float = 70.0) -> list[dict[str, Any]]:
    """Every photo with its fields, other paths, judgments and per-stage state, by
    capture time; paths as the OS spells them (`decode_path`: surrogate escapes
    for bytes that are not UTF-8, so they can be passed back to `curator keep`)."""
    extra: dict[int, list[str]] = defaultdict(list)
    for pid, path in (
        PhotoPath.select(PhotoPath.photo, PhotoPath.path).order_by(PhotoPath.path).tuples()
    ):
        extra[pid].append(decode_path(path))
    stages: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for run in StageRun.select().order_by(StageRun.stage):
        stages[run.photo_id][run.stage] = {
            "status": run.status,
            "attempts": run.attempts,
            "version": run.stage_version,
            "reason": run.failure_reason,
        }
    descriptions = {d.photo_id: d for d in Description.select()}
    tags: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, name, source, confidence in (
        PhotoTag.select(PhotoTag.photo, Tag.name, PhotoTag.source, PhotoTag.confidence)
        .join(Tag)
        .where(PhotoTag.removed_at.is_null())
        .order_by(PhotoTag.id)
        .tuples()
    ):
        tags[pid].append({"name": name, "source": source, "confidence": confidence})
    embedded: dict[int, list[str]] = defaultdict(list)
    for pid, model in Embedding.select(Embedding.photo, Embedding.model).tuples():
        embedded[pid].append(model)
    preference = {
        int(pid): (float(score), int(version))
        for pid, score, version in PhotoPreference.select(
            PhotoPreference.photo, PhotoPreference.score, PhotoPreference.model_version
        ).tuples()
    }
    paired = paths_codec.follower_paths()  # a RAW+JPEG pair is one photo, listed as its RAW
    faces = people_store.faces_listing()  # absent for a photo the faces stage has not looked at
    proposed = proposals_of(current_seat().user)  # this photographer's; absent: none
    out: list[dict[str, Any]] = []
    query = (
        Photo.select()
        .where(paths_codec.shown_photos())
        .order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.path)
    )
    for p in query:
        out.append(
            {
                "id": p.id,
                "path": decode_path(last_known_path(p.path)),
                "missing": p.missing_since is not None,
                "other_paths": extra.get(p.id, []),
                "paired_with": [decode_path(f) for f in paired.get(p.id, [])],
                "content_hash": p.content_hash,
                "format": p.format,
                "size": p.size,
                "width": p.width,
                "height": p.height,
                "orientation": p.orientation,
                "captured_at": p.captured_at.isoformat() if p.captured_at else None,
                "camera_make": p.camera_make,
                "camera_model": p.camera_model,
                "lens": p.lens,
                "iso": p.iso,
                "exposure_time": p.exposure_time,
                "f_number": p.f_number,
                "focal_length": p.focal_length,
                **{f.name: getattr(p, f.name) for f in figures.shown_figures()},  # as declared
                "drive_mode": p.drive_mode,
                "sequence_index": p.sequence_index,
                "metrics_source": p.metrics_source,
                "preview_key": p.preview_key,
                "thumbnail_key": p.thumbnail_key,
                "notes": p.notes,
                "cull": p.cull,
                "rating": p.rating,
                "picked": bool(p.picked),
                "label": p.label,
                **_description_fields(descriptions.get(p.id)),
                "tags": tags.get(p.id, []),
                "embeddings": embedded.get(p.id, []),
                "preference_score": preference.get(p.id, (None, None))[0],
                "preference_model_version": preference.get(p.id, (None, None))[1],
                "match": p.id in preference and preference[p.id][0] >= match_threshold,
                "burst_group": p.burst_group,
                "burst_best": bool(p.burst_best),
                **({"faces": faces[p.id]} if p.id in faces else {}),
                **({"proposal": proposed[p.id]} if p.id in proposed else {}),
                "stages": {s: stages[p.id].get(s, {"status": "pending"}) for s in STAGES},
            }
        )
    return out


def _description_fields(d: Description | None) -> dict[str, Any]:
    if d is None:
        return {"subject": None, "content_type": None, "lighting": None, "mood": None}
    return {
        "subject": d.subject,
        "content_type": d.content_type,
        "lighting": d.lighting_critique,
        "mood": d.artistic_mood,
        "description_model": d.model,
    }


# --- gallery ------------------------------------------------------------------


class _GalleryColumns(NamedTuple):
    """One photo's own columns as `_rows_sql` reads them, before the faces summary's
    (`faces_summary.columns`) and the stored figures the row has no field for
    (`row_figures`, by name into `figures`).
    The grid, filmstrip and loupe read ~100 rows at a time on the UI thread: one
    statement of plain SQL (the taste score, a failed technical stage's sentence,
    the faces summary and this seat's proposal joined in: at most one row each),
    only the date converted (three peewee queries took ~5 of a switch's ~45 ms)."""

    id: Annotated[int, "photo.id"]
    path: Annotated[bytes, "photo.path"]
    camera_make: Annotated[str | None, "photo.camera_make"]
    camera_model: Annotated[str | None, "photo.camera_model"]
    picked: Annotated[int, "photo.picked"]
    burst_best: Annotated[int, "photo.burst_best"]
    missing: Annotated[int, "photo.missing_since IS NOT NULL"]
    rotation: Annotated[int | None, "photo.rotation"]
    captured_at: Annotated[Any, "photo.captured_at"]
    lens: Annotated[str | None, "photo.lens"]
    iso: Annotated[int | None, "photo.iso"]
    exposure_time: Annotated[float | None, "photo.exposure_time"]
    f_number: Annotated[float | None, "photo.f_number"]
    focal_length: Annotated[float | None, "photo.focal_length"]
    width: Annotated[int | None, "photo.width"]
    height: Annotated[int | None, "photo.height"]
    thumbnail_key: Annotated[str | None, "photo.thumbnail_key"]
    preview_key: Annotated[str | None, "photo.preview_key"]
    sharpness_score: Annotated[float | None, "photo.sharpness_score"]
    exposure_score: Annotated[float | None, "photo.exposure_score"]
    preference_score: Annotated[float | None, "pp.score"]
    cull: Annotated[str, "photo.cull"]
    rating: Annotated[int | None, "photo.rating"]
    highlight_clip: Annotated[float | None, "photo.highlight_clip"]
    shadow_clip: Annotated[float | None, "photo.shadow_clip"]
    burst_group: Annotated[int | None, "photo.burst_group"]
    label: Annotated[str | None, "photo.label"]
    exposure_ev: Annotated[float | None, "photo.exposure_ev"]
    sharpness_note: Annotated[str | None, "photo.sharpness_note"]
    failed: Annotated[int, "sr.id IS NOT NULL"]
    failure_reason: Annotated[str | None, "sr.failure_reason"]
    verdict: Annotated[str | None, "cp.verdict"]  # None: no proposal (then all are)
    reasons: Annotated[Any, "cp.reasons"]
    confidence: Annotated[Any, "cp.confidence"]
    highlight: Annotated[Any, "cp.highlight"]
    has_faces: Annotated[int, "pf.photo_id IS NOT NULL"]
    # A client hearted it in a client gallery (m032; its photo index answers).
    client_heart: Annotated[
        int,
        "EXISTS (SELECT 1 FROM proof_photo pr WHERE pr.photo_id = photo.id AND pr.hearted <> 0)",
    ]
    duplicate_group: Annotated[int | None, DUPLICATED_SQL]  # another copy live (m033)


_OWN = len(_GalleryColumns._fields)  # then the faces summary's, then the figures
_FACES = _OWN + len(faces_summary.COLUMNS)


_ROW_FIELDS = frozenset(f.name for f in fields(GalleryRow))


def row_figures() -> tuple[str, ...]:
    """The stored figures a gallery row has no field for: read by name into its
    `figures` (curator.figures)."""
    return figures_beyond(_ROW_FIELDS)


@lru_cache(maxsize=4)
def _rows_sql(dialect: Dialect, figures: tuple[str, ...]) -> str:
    more = "".join(f", photo.{name}" for name in figures)
    return (
        f"SELECT {select_list(_GalleryColumns)}, {faces_summary.columns('pf')}{more} FROM photo"
        " LEFT JOIN photo_preference pp ON pp.photo_id = photo.id"
        " LEFT JOIN stage_run sr ON sr.photo_id = photo.id AND sr.stage = ? AND sr.status = ?"
        " LEFT JOIN photo_faces pf ON pf.photo_id = photo.id"
        " LEFT JOIN cull_proposal cp ON cp.photo_id = photo.id AND cp.owner = ?"
        f" WHERE photo.id IN {dialect.id_list()} AND photo.deleted_at IS NULL"
    )


def gallery_rows(photo_ids: Iterable[int]) -> dict[int, GalleryRow]:
    """Display fields of the given photos (missing or deleted ids are left out)."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: dict[int, GalleryRow] = {}
    db = Photo._meta.database
    dialect = dialect_of(db)
    named = row_figures()
    sql, date = _rows_sql(dialect, named), Photo.captured_at.python_value
    failed = (Stage.TECHNICAL.value, StageStatus.FAILED.value)
    owner = current_seat().user  # this photographer's proposals (catalog.proposals)
    for chunk in chunks(ids):
        rows = db.execute_sql(sql, [*failed, owner, dialect.id_param(chunk)])
        for row in rows.fetchall():
            r = _GalleryColumns._make(row[:_OWN])
            path = display_path(last_known_path(bytes(r.path)))
            out[int(r.id)] = GalleryRow(
                id=int(r.id),
                file_name=os.path.basename(path),
                path=path,
                captured_at=date(r.captured_at),
                camera=camera_name(r.camera_make, r.camera_model),
                lens=r.lens,
                iso=r.iso,
                exposure_time=r.exposure_time,
                f_number=r.f_number,
                focal_length=r.focal_length,
                width=r.width,
                height=r.height,
                thumbnail_key=r.thumbnail_key,
                preview_key=r.preview_key,
                sharpness_score=r.sharpness_score,
                exposure_score=r.exposure_score,
                preference_score=r.preference_score,
                cull=r.cull,
                rating=r.rating,
                picked=bool(r.picked),
                failed_reason=(r.failure_reason or "This photo could not be measured.")
                if r.failed
                else None,
                highlight_clip=r.highlight_clip,
                burst_group=r.burst_group,
                burst_best=bool(r.burst_best),
                missing=bool(r.missing),
                label=r.label,
                exposure_ev=r.exposure_ev,
                sharpness_note=r.sharpness_note,
                rotation=int(r.rotation or 0),
                shadow_clip=r.shadow_clip,
                faces=faces_summary.summary_from(row[_OWN:_FACES]) if r.has_faces else None,
                proposal=None
                if r.verdict is None
                else proposal_record(int(r.id), r.verdict, r.reasons, r.confidence, r.highlight),
                figures=FigureValues.of(named, tuple(row[_FACES:])),
                client_heart=bool(r.client_heart),
                duplicate_group=None if r.duplicate_group is None else int(r.duplicate_group),
            )
    return out


# --- loupe side panel -------------------------------------------------------------


@dataclass(frozen=True)
class PhotoTagInfo:
    """One live tag of a photo (AI tags the user removed are left out)."""

    name: str
    source: str  # "ai" | "user"
    confidence: float | None  # 0-100 for AI tags once the embed stage measured it


@dataclass(frozen=True)
class PhotoDetails:
    """What the loupe's side panel shows beyond `GalleryRow`, and where the original is."""

    photo_id: int
    original_path: str  # as the OS spells it (may hold surrogate escapes): for opening;
    # "" for a missing photo (opening it fails as "the original file is missing")
    file_format: str | None  # imaging.types.FileFormat value ("raw", "jpeg", ...)
    subject: str | None
    content_type: str | None
    mood: str | None
    lighting: str | None
    tags: tuple[PhotoTagInfo, ...]  # user tags first, then AI tags by confidence
    burst_size: int  # frames in the photo's burst group; 0 when it is in none
    burst_best: bool
    metrics_source: str | None = None  # a MetricsSource value: which pixels were measured
    caption: str | None = None  # another tool's or the photographer's caption (dc:description)
    taste: records.TasteSummary | None = None  # the live taste model's size and honest quality
    noise_level: float | None = None  # noise sd at the working scale (imaging.metrics)
    people: people_store.FacesDetail | None = None  # the faces stage's verdicts; why none
    # What clients said of it in client galleries: (gallery title, hearted, comment).
    client: tuple[tuple[str, bool, str], ...] = ()


def photo_details(photo_id: int) -> PhotoDetails | None:
    """The panel's fields of one photo (None when it is gone or deleted)."""
    photo = (
        Photo.select(
            Photo.id,
            Photo.path,
            Photo.format,
            Photo.burst_group,
            Photo.burst_best,
            Photo.missing_since,
            Photo.metrics_source,
            Photo.caption,
            Photo.noise_level,
        )
        .where(Photo.id == photo_id, Photo.deleted_at.is_null())
        .first()
    )
    if photo is None:
        return None
    description = Description.get_or_none(Description.photo == photo_id)
    tag_rows = (
        PhotoTag.select(Tag.name, PhotoTag.source, PhotoTag.confidence)
        .join(Tag)
        .where(PhotoTag.photo == photo_id, PhotoTag.removed_at.is_null())
        .tuples()
    )
    tags = sorted(
        (PhotoTagInfo(str(name), str(source), confidence) for name, source, confidence in tag_rows),
        key=lambda t: (t.source != "user", -(t.confidence or 0.0), t.name),
    )
    burst_size = 0
    if photo.burst_group is not None:
        burst_size = (
            Photo.select()
            .where(Photo.burst_group == photo.burst_group, Photo.deleted_at.is_null())
            .count()
        )
    fields = _description_fields(description)
    return PhotoDetails(
        photo_id=int(photo.id),
        # A missing photo's last path may hold other bytes now: never open it.
        original_path="" if photo.missing_since is not None else decode_path(photo.path),
        file_format=photo.format,
        subject=fields["subject"],
        content_type=fields["content_type"],
        mood=fields["mood"],
        lighting=fields["lighting"],
        tags=tuple(tags),
        burst_size=burst_size,
        burst_best=bool(photo.burst_best),
        metrics_source=photo.metrics_source,
        caption=photo.caption or None,
        taste=latest_taste_summary(),
        noise_level=photo.noise_level,
        people=people_store.faces_detail(int(photo.id)),
        client=tuple(galleries_of_photo(int(photo.id))),
    )


def tag_names() -> list[str]:
    """Every tag name live on some photo, sorted (the tag field's completions)."""
    rows = (
        Tag.select(Tag.name)
        .join(PhotoTag)
        .where(PhotoTag.removed_at.is_null())
        .distinct()
        .order_by(Tag.name)
        .tuples()
    )
    return [str(name) for (name,) in rows]


def paths_needing_technical(photo_ids: Iterable[int]) -> list[str]:
    """File paths (as the OS spells them) of these photos whose technical stage
    is not done — after a Retry they must be read again. Missing photos have
    no file to read and are left out."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: list[str] = []
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows = Photo._meta.database.execute_sql(
            "SELECT p.path FROM photo p JOIN stage_run s ON s.photo_id = p.id"
            f" AND s.stage = ? WHERE p.id IN ({marks}) AND s.status != ?"
            " AND p.deleted_at IS NULL AND p.missing_since IS NULL ORDER BY p.id",
            [Stage.TECHNICAL.value, *chunk, StageStatus.DONE.value],
        ).fetchall()
        out.extend(decode_path(path) for (path,) in rows)
    return out
