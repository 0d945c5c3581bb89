"""Read-side queries returning plain objects (dicts/dataclasses), never peewee rows.

The CLI prints these and the GUI will show them; neither needs to know the
schema.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from curator.catalog.models import (
    Description,
    Embedding,
    Photo,
    PhotoPath,
    PhotoTag,
    Stage,
    StageRun,
    StageStatus,
    Tag,
    TasteModel,
)
from curator.catalog.paths_codec import display_path, encode_path

STAGES: tuple[str, ...] = tuple(s.value for s in Stage)


def stage_counts() -> dict[str, dict[str, int]]:
    """Per stage: how many photos are done/failed/pending/skipped/running.

    A photo with no StageRun row for a stage counts as pending for it.
    """
    n_photos = Photo.select().where(Photo.deleted_at.is_null()).count()
    result: dict[str, dict[str, int]] = {}
    for stage in STAGES:
        if stage == Stage.SCORE.value:
            result[stage] = _score_counts(n_photos)
            continue
        counts = {s.value: 0 for s in StageStatus}
        rows = (
            StageRun.select(StageRun.status, StageRun.id)
            .join(Photo)
            .where(StageRun.stage == stage, Photo.deleted_at.is_null())
            .tuples()
        )
        seen = 0
        for status, _ in rows:
            counts[status] = counts.get(status, 0) + 1
            seen += 1
        counts[StageStatus.PENDING.value] += n_photos - seen
        result[stage] = counts
    return result


def _score_counts(n_photos: int) -> dict[str, int]:
    """Scores are not per-photo runs: a photo is scored by the live model or not.

    Before any taste model exists every photo is `skipped` (it needs decisions);
    after, scored photos are `done` and the rest (no embedding yet) `pending`.
    """
    counts = {s.value: 0 for s in StageStatus}
    if not TasteModel.select().exists():
        counts[StageStatus.SKIPPED.value] = n_photos
        return counts
    scored = (
        Photo.select()
        .where(Photo.deleted_at.is_null(), Photo.preference_score.is_null(False))
        .count()
    )
    counts[StageStatus.DONE.value] = scored
    counts[StageStatus.PENDING.value] = n_photos - scored
    return counts


def failures() -> list[dict[str, str]]:
    rows = (
        StageRun.select(StageRun.stage, StageRun.failure_reason, Photo.path)
        .join(Photo)
        .where(StageRun.status == StageStatus.FAILED.value, Photo.deleted_at.is_null())
        .order_by(Photo.path)
        .tuples()
    )
    return [
        {"path": display_path(path), "stage": stage, "reason": reason or ""}
        for stage, reason, path in rows
    ]


def taste_summary() -> dict[str, Any]:
    """The live taste model (newest version), or nulls before there is one."""
    row = TasteModel.select().order_by(TasteModel.version.desc()).first()
    if row is None:
        return {"version": None, "samples": 0, "spearman": None, "embedding_model": None}
    return {
        "version": row.version,
        "samples": row.n_samples,
        "spearman": None if row.spearman is None else round(row.spearman, 4),
        "alpha": row.alpha,
        "embedding_model": row.embedding_model,
        "trained_at": row.trained_at.isoformat(),
    }


def status_report() -> dict[str, Any]:
    return {
        "photos": Photo.select().where(Photo.deleted_at.is_null()).count(),
        "stages": stage_counts(),
        "failed": failures(),
        "taste": taste_summary(),
    }


def list_photos(match_threshold: float = 70.0) -> list[dict[str, Any]]:
    """Every photo with its fields, other paths, judgments and per-stage state, by capture time."""
    extra: dict[int, list[str]] = defaultdict(list)
    for pid, path in (
        PhotoPath.select(PhotoPath.photo, PhotoPath.path).order_by(PhotoPath.path).tuples()
    ):
        extra[pid].append(display_path(path))
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
    out: list[dict[str, Any]] = []
    query = (
        Photo.select()
        .where(Photo.deleted_at.is_null())
        .order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.path)
    )
    for p in query:
        out.append(
            {
                "id": p.id,
                "path": display_path(p.path),
                "other_paths": extra.get(p.id, []),
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
                "sharpness_score": p.sharpness_score,
                "laplacian_var": p.laplacian_var,
                "sharpness_tile_p90": p.sharpness_tile_p90,
                "exposure_score": p.exposure_score,
                "highlight_clip": p.highlight_clip,
                "shadow_clip": p.shadow_clip,
                "mean_luminance": p.mean_luminance,
                "metrics_source": p.metrics_source,
                "preview_key": p.preview_key,
                "thumbnail_key": p.thumbnail_key,
                "notes": p.notes,
                "cull": p.cull,
                "rating": p.rating,
                "picked": bool(p.picked),
                **_description_fields(descriptions.get(p.id)),
                "tags": tags.get(p.id, []),
                "embeddings": embedded.get(p.id, []),
                "preference_score": p.preference_score,
                "preference_model_version": p.preference_model_version,
                "match": p.preference_score is not None and p.preference_score >= match_threshold,
                "burst_group": p.burst_group,
                "burst_best": bool(p.burst_best),
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


class GalleryFilter(StrEnum):
    """What the gallery shows (the toolbar's filter combo)."""

    ALL = "all"
    UNREVIEWED = "unreviewed"
    KEPT = "kept"
    REJECTED = "rejected"
    FAILED = "failed"


@dataclass(frozen=True)
class GalleryRow:
    """The display fields of one photo for the gallery cell and the loupe panel."""

    id: int
    file_name: str
    path: str
    captured_at: datetime | None
    camera: str | None
    lens: str | None
    iso: int | None
    exposure_time: float | None
    f_number: float | None
    focal_length: float | None
    width: int | None
    height: int | None
    thumbnail_key: str | None
    preview_key: str | None
    sharpness_score: float | None
    exposure_score: float | None
    preference_score: float | None
    cull: str
    rating: int | None
    picked: bool
    failed_reason: str | None  # the technical stage's sentence when it failed

    @property
    def failed(self) -> bool:
        return self.failed_reason is not None


def _failed_technical() -> Any:
    return StageRun.select(StageRun.photo).where(
        StageRun.stage == Stage.TECHNICAL.value, StageRun.status == StageStatus.FAILED.value
    )


def gallery_ids(which: GalleryFilter = GalleryFilter.ALL) -> list[int]:
    """Photo ids for the gallery, by capture time (undated last), then path."""
    query = Photo.select(Photo.id).where(Photo.deleted_at.is_null())
    if which is GalleryFilter.FAILED:
        query = query.where(Photo.id.in_(_failed_technical()))
    elif which is not GalleryFilter.ALL:
        query = query.where(Photo.cull == which.value)
    rows = query.order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.path).tuples()
    return [int(pid) for (pid,) in rows]


def gallery_rows(photo_ids: Iterable[int]) -> dict[int, GalleryRow]:
    """Display fields of the given photos (missing or deleted ids are left out)."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: dict[int, GalleryRow] = {}
    for start in range(0, len(ids), 500):  # stay under SQLite's variable limit
        chunk = ids[start : start + 500]
        reasons = {
            int(pid): reason or "This photo could not be measured."
            for pid, reason in StageRun.select(StageRun.photo, StageRun.failure_reason)
            .where(
                StageRun.photo.in_(chunk),
                StageRun.stage == Stage.TECHNICAL.value,
                StageRun.status == StageStatus.FAILED.value,
            )
            .tuples()
        }
        for p in Photo.select().where(Photo.id.in_(chunk), Photo.deleted_at.is_null()):
            camera = " ".join(x for x in (p.camera_make, p.camera_model) if x) or None
            path = display_path(p.path)
            out[int(p.id)] = GalleryRow(
                id=int(p.id),
                file_name=os.path.basename(path),
                path=path,
                captured_at=p.captured_at,
                camera=camera,
                lens=p.lens,
                iso=p.iso,
                exposure_time=p.exposure_time,
                f_number=p.f_number,
                focal_length=p.focal_length,
                width=p.width,
                height=p.height,
                thumbnail_key=p.thumbnail_key,
                preview_key=p.preview_key,
                sharpness_score=p.sharpness_score,
                exposure_score=p.exposure_score,
                preference_score=p.preference_score,
                cull=p.cull,
                rating=p.rating,
                picked=bool(p.picked),
                failed_reason=reasons.get(int(p.id)),
            )
    return out


def photo_ids_for_paths(paths: Iterable[str]) -> list[int]:
    """The photos that own these file paths (primary or duplicate paths)."""
    raw = list(dict.fromkeys(encode_path(p) for p in paths))
    found: set[int] = set()
    for start in range(0, len(raw), 500):
        chunk = raw[start : start + 500]
        found.update(
            int(i) for (i,) in Photo.select(Photo.id).where(Photo.path.in_(chunk)).tuples()
        )
        found.update(
            int(i)
            for (i,) in PhotoPath.select(PhotoPath.photo).where(PhotoPath.path.in_(chunk)).tuples()
        )
    return sorted(found)
