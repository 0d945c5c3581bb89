"""Planning an export: which photos go out, where, under which names, with what metadata.

`plan_export(request)` only reads the catalog and returns an `ExportPlan` of
frozen values that `export.run.run_export` turns into files.
- `--approved`: `catalog.approval.approved_condition`, into `DEST/approved/`;
- `--project NAME`: members not rejected, missing or deleted, into
  `DEST/<safe project name>/`; the others in `ExportPlan.left_out`;
- a RAW+JPEG photo sends both, its RAW or its JPEG (`request.pairs`,
  `_pair_choice`).
Names are `export.names.plan_names`'; every file carries its manifest fields
and `XmpFields` (private keywords left out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import curator
from curator.camera_names import camera_name
from curator.catalog.approval import approved_condition, is_exportable_member
from curator.catalog.backends.dialect import chunks
from curator.catalog.missing import last_known_path
from curator.catalog.models import (
    Description,
    Photo,
    PhotoPath,
    PhotoTag,
    Project,
    ProjectPhoto,
    Tag,
    preference_scores,
)
from curator.catalog.paths_codec import decode_path, followers_of, pairing_on
from curator.catalog.projects import find_project
from curator.export.names import NameGroup, export_folder, plan_names
from curator.export.types import ExportRequest, PairExport
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp_fields import outgoing_keywords, xmp_fields_for
from curator.interop.xmp_sync import keywords_for
from curator.records import CullState

CREATOR_TOOL = f"Curator {curator.__version__}"


class UnknownProjectError(ValueError):
    """The project named in the request does not exist (the message says so)."""


@dataclass(frozen=True)
class CaptureInfo:
    """The EXIF a rendition gets when its original has none Pillow can read (RAW)."""

    make: str | None = None
    model: str | None = None
    lens: str | None = None
    captured_at: datetime | None = None
    iso: int | None = None
    exposure_time: float | None = None
    f_number: float | None = None
    focal_length: float | None = None


@dataclass(frozen=True)
class PlannedFile:
    """One photo to export. `name` is the wanted file name inside the plan's folder;
    the runner may add a clash suffix."""

    photo_id: int
    source: str  # the original, as the OS spells it
    other_sources: tuple[str, ...]  # duplicate copies of the same bytes, tried in turn
    name: str
    content_hash: str
    size: int | None
    manifest: dict[str, Any]  # the manifest.json fields except the file's own
    xmp: XmpFields
    capture: CaptureInfo = field(default_factory=CaptureInfo)
    group: NameGroup = field(default_factory=NameGroup)
    private: frozenset[str] = frozenset()  # keyword texts that never leave (Lightroom)
    rotation: int = 0  # the photographer's quarter-turns clockwise in Curator (m013)


@dataclass(frozen=True)
class ExportPlan:
    """What `run_export` does: the files, their folder, and who was left out."""

    request: ExportRequest
    folder: Path  # DEST/approved or DEST/<safe project name>
    set_name: str  # "approved" or the project's name as the user wrote it
    files: tuple[PlannedFile, ...]
    left_out: tuple[tuple[str, str], ...] = ()  # (path, why) of project members not sent

    @property
    def dest(self) -> Path:
        return self.request.dest


def plan_export(request: ExportRequest) -> ExportPlan:
    """Plan `request` (see the module docstring). Raises `UnknownProjectError`."""
    dest = request.dest
    left_out: list[tuple[str, str]] = []
    if request.project is None:
        photos = _live_photos(None, request.match_threshold, request.match_min_quality)
        set_name = "approved"
    else:
        # The name as `project add` stores it: trimmed, any case.
        project = find_project(request.project)
        if project is None:
            raise UnknownProjectError(
                f"There is no project named {request.project.strip()!r} "
                "(see `curator project list`)."
            )
        set_name = project.name
        photos = []
        for p in _live_photos(project.id):
            missing, deleted = p.missing_since is not None, p.deleted_at is not None
            if is_exportable_member(cull=p.cull, missing=missing, deleted=deleted):
                photos.append(p)
            else:
                why = "deleted" if deleted else "missing" if missing else "rejected"
                left_out.append((_path_of(p), why))
    photos = _pair_choice(photos, PairExport(request.pairs))
    photos = [p for p in photos if p.content_hash]  # never-read files have nothing to send
    return ExportPlan(
        request=request,
        folder=export_folder(dest, None if request.project is None else set_name),
        set_name=set_name,
        files=tuple(_planned_files(photos, request)),
        left_out=tuple(left_out),
    )


def _pair_choice(photos: list[Photo], choice: PairExport) -> list[Photo]:
    """The files of each RAW+JPEG photo that go out: both, the RAW (the lead) or
    the JPEG(s), whichever the set selected (it holds the lead only), together
    in the place of its first file. Pairing off: every file as it is."""
    if not pairing_on():
        return photos
    leads = [int(p.pair_lead_id or p.id) for p in photos]
    followers = followers_of(leads)
    if not followers:
        return photos
    wanted = {int(p.id) for p in photos} | {pid for ids in followers.values() for pid in ids}
    wanted |= set(followers)
    rows = {int(p.id): p for p in photos}
    extra = [pid for pid in wanted if pid not in rows]
    for chunk in chunks(extra):
        query = Photo.select().where(Photo.id.in_(chunk), Photo.missing_since.is_null())
        rows.update({int(p.id): p for p in query})
    chosen: list[Photo] = []
    seen: set[int] = set()
    for lead in leads:
        if lead in seen:
            continue
        seen.add(lead)
        mates = followers.get(lead, [])
        if not mates or choice is PairExport.RAW:
            ids = [lead]
        elif choice is PairExport.JPEG:
            ids = mates
        else:
            ids = [lead, *mates]
        chosen += [rows[pid] for pid in ids if pid in rows]
    return chosen


def _live_photos(
    project_id: int | None, match_threshold: float = 0.0, min_quality: float = 0.5
) -> list[Photo]:
    """The project's members, or (no project) the approved photos: the rule
    runs in SQL (`catalog.approval.approved_condition`), so a 100,000-photo
    catalog never loads the rows it does not send."""
    query = Photo.select()
    if project_id is not None:
        query = query.join(ProjectPhoto, on=ProjectPhoto.photo == Photo.id).where(
            ProjectPhoto.project == project_id
        )
    else:
        query = query.where(approved_condition(match_threshold, min_quality))
    return list(query.order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.id))


def _path_of(photo: Photo) -> str:
    return decode_path(last_known_path(photo.path))


def _planned_files(photos: list[Photo], request: ExportRequest) -> list[PlannedFile]:
    ids = [int(p.id) for p in photos]
    tags = _tags(ids)
    projects = _projects(ids)
    descriptions = {d.photo_id: d for d in Description.select().where(Description.photo << ids)}
    extra: dict[int, list[str]] = defaultdict(list)
    for pid, raw in (
        PhotoPath.select(PhotoPath.photo, PhotoPath.path).where(PhotoPath.photo << ids).tuples()
    ):
        extra[pid].append(decode_path(bytes(raw)))
    sidecars = {px.photo_id: px.fields for px in xmp_fields_for(ids)}
    preference = preference_scores(ids)
    written = keywords_for(ids)
    sources = [_path_of(p) for p in photos]
    named = plan_names(sources, request.renditions_long_edge is not None)
    out: list[PlannedFile] = []
    for index in named.order:
        p, source = photos[index], sources[index]
        name, group = named.names[index], named.groups[index]
        d = descriptions.get(p.id)
        photo_tags = tags.get(p.id, [])
        manifest = _manifest_fields(
            p, source, d, photo_tags, projects.get(p.id, []), preference.get(p.id)
        )
        out.append(
            PlannedFile(
                photo_id=int(p.id),
                source=source,
                other_sources=tuple(extra.get(p.id, [])),
                name=name,
                content_hash=str(p.content_hash),
                size=p.size,
                manifest=manifest,
                xmp=_sidecar_fields(
                    sidecars.get(int(p.id), XmpFields()), p, photo_tags, written.get(int(p.id))
                ),
                group=group,
                rotation=int(p.rotation or 0),
                private=frozenset(
                    kw.text
                    for kws in (written.get(int(p.id)),)
                    if kws is not None
                    for kw in (*(k for ks in kws.by_tag.values() for k in ks), *kws.untagged)
                    if kw.private
                ),
                capture=capture_of(p),
            )
        )
    return out


def capture_of(photo: Photo) -> CaptureInfo:
    """The catalog's capture fields of a photo, for a rendition's EXIF."""
    return CaptureInfo(
        make=photo.camera_make,
        model=photo.camera_model,
        lens=photo.lens,
        captured_at=photo.captured_at,
        iso=photo.iso,
        exposure_time=photo.exposure_time,
        f_number=photo.f_number,
        focal_length=photo.focal_length,
    )


def _tags(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Live tags per photo: (name, source), user tags first."""
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in chunks(ids):
        rows = (
            PhotoTag.select(PhotoTag.photo, Tag.name, PhotoTag.source)
            .join(Tag)
            .where(PhotoTag.photo << chunk, PhotoTag.removed_at.is_null())
            .order_by(PhotoTag.id)
            .tuples()
        )
        for pid, name, source in rows:
            if all(name != known for known, _ in out[pid]):
                out[pid].append((str(name), str(source)))
    for pid in out:
        out[pid].sort(key=lambda t: t[1] != "user")
    return out


def _projects(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(ids):
        rows = (
            ProjectPhoto.select(ProjectPhoto.photo, Project.name)
            .join(Project)
            .where(ProjectPhoto.photo << chunk)
            .order_by(Project.name)
            .tuples()
        )
        for pid, name in rows:
            out[pid].append(str(name))
    return out


def _manifest_fields(
    p: Photo,
    source: str,
    d: Description | None,
    tags: list[tuple[str, str]],
    projects: list[str],
    preference: float | None,
) -> dict[str, Any]:
    return {
        "original_path": source.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
        "content_hash": p.content_hash,
        "captured_at": p.captured_at.isoformat() if p.captured_at else None,
        "camera": camera_name(p.camera_make, p.camera_model),
        "lens": p.lens,
        "rating": p.rating,
        "picked": bool(p.picked),
        "label": p.label,
        "preference_score": preference,
        "sharpness": p.sharpness_score,
        "exposure": p.exposure_score,
        "subject": d.subject if d else None,
        "content_type": d.content_type if d else None,
        "mood": d.artistic_mood if d else None,
        "lighting": d.lighting_critique if d else None,
        "tags": [name for name, _ in tags],
        "user_tags": [name for name, source in tags if source == "user"],
        "projects": projects,
    }


def _sidecar_fields(
    fields: XmpFields, p: Photo, tags: list[tuple[str, str]], written: Any
) -> XmpFields:
    """`interop.xmp_fields.xmp_fields_for`'s view of the photo, completed for an
    exported copy: every decision stated (0 stars, not picked, not rejected),
    only the keywords that may leave, and Curator as the file's maker."""
    rejected = p.cull == CullState.REJECTED
    flat, paths = outgoing_keywords(tags, written, exported=True)
    return replace(
        fields,
        rating=-1 if rejected else (fields.rating or 0),
        picked=bool(p.picked),
        rejected=rejected,
        keywords=flat,
        hierarchical=paths,
        creator_tool=CREATOR_TOOL,
    )
