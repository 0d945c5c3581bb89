"""Projects (named sets of photos): the one write path for `project` and `project_photo`.

Invariants: a name is trimmed, non-empty, without control characters and
unique ignoring case (else `ProjectError`, nothing changed); membership is a
set, each call reporting what it changed; deleting a project never deletes a
photo; every write is ONE transaction; a project is named by id or name
(`ProjectRef`). The *cover* is the highest-preference approved member, else
the highest-preference member, ties to the lower id. Deleted photos are never
members to any read here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from peewee import fn

from curator.catalog import tx
from curator.catalog.approval import approved_condition
from curator.catalog.backends.dialect import chunks
from curator.catalog.missing import last_known_path
from curator.catalog.models import Photo, Project, ProjectPhoto, preference_of_photo, utcnow
from curator.catalog.paths_codec import display_path
from curator.catalog.types import MembershipChange as MembershipChange  # values live there
from curator.catalog.types import ProjectCover as ProjectCover
from curator.catalog.types import ProjectError as ProjectError
from curator.catalog.types import ProjectSummary as ProjectSummary
from curator.catalog.write_gate import Gate

T = TypeVar("T")

MAX_NAME_LENGTH = 200

ProjectRef = int | str
"""A project named by its id (int) or its name (str, any case)."""


def clean_name(name: str) -> str:
    """The name as stored: trimmed; raises ProjectError when it is not usable."""
    text = (name or "").strip()
    if not text:
        raise ProjectError("A project needs a name (it can't be empty).")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ProjectError("A project name can't contain line breaks or control characters.")
    if len(text) > MAX_NAME_LENGTH:
        raise ProjectError(f"A project name can be at most {MAX_NAME_LENGTH} characters long.")
    return text


def _key(name: str) -> str:
    return name.strip().casefold()


def _find(ref: ProjectRef) -> Project | None:
    if isinstance(ref, int):
        found: Project | None = Project.get_or_none(Project.id == ref)
        return found
    key = _key(ref)
    for project in Project.select():
        if _key(project.name) == key:
            return project
    return None


def _get(ref: ProjectRef) -> Project:
    project = _find(ref)
    if project is None:
        if isinstance(ref, int):
            raise ProjectError(f"There is no project {ref} (it may have been deleted).")
        raise ProjectError(f"There is no project named “{ref.strip()}”.")
    return project


def _check_free(name: str, *, except_id: int | None = None) -> None:
    key = _key(name)
    for project in Project.select():
        if _key(project.name) == key and project.id != except_id:
            raise ProjectError(f"There is already a project named “{project.name}”.")


def _write(fn_: Callable[[], T]) -> T:
    return tx.write(Project._meta.database, fn_, gate=Gate.INTERACTIVE)


# --- writes ------------------------------------------------------------------------


def create_project(name: str) -> ProjectSummary:
    """A new, empty project. Raises ProjectError for a bad or taken name."""
    clean = clean_name(name)

    def write() -> int:
        _check_free(clean)
        return int(Project.create(name=clean, created_at=utcnow()).id)

    return _summary(_write(write))


def rename_project(ref: ProjectRef, new_name: str) -> ProjectSummary:
    """Give a project a new name (its members stay). Raises ProjectError."""
    clean = clean_name(new_name)

    def write() -> int:
        project = _get(ref)
        _check_free(clean, except_id=int(project.id))
        if project.name != clean:
            Project.update(name=clean).where(Project.id == project.id).execute()
        return int(project.id)

    return _summary(_write(write))


def delete_project(ref: ProjectRef) -> ProjectSummary:
    """Delete a project and its memberships, never a photo. Returns what it was."""

    def write() -> ProjectSummary:
        project = _get(ref)
        before = _summary(int(project.id))
        ProjectPhoto.delete().where(ProjectPhoto.project == project.id).execute()
        Project.delete().where(Project.id == project.id).execute()
        return before

    return _write(write)


def _live_photo_ids(photo_ids: Iterable[int]) -> list[int]:
    """The ids, deduplicated in order; ProjectError if one is unknown or deleted."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    live: set[int] = set()
    for chunk in chunks(ids):
        live.update(
            int(i)
            for (i,) in Photo.select(Photo.id)
            .where(Photo.id.in_(chunk), Photo.deleted_at.is_null())
            .tuples()
        )
    unknown = [i for i in ids if i not in live]
    if unknown:
        raise ProjectError(f"There is no photo {unknown[0]} in the catalog.")
    return ids


def _members(project_id: int, photo_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(photo_ids):
        found.update(
            int(i)
            for (i,) in ProjectPhoto.select(ProjectPhoto.photo)
            .where(ProjectPhoto.project == project_id, ProjectPhoto.photo.in_(chunk))
            .tuples()
        )
    return found


def add_photos(ref: ProjectRef, photo_ids: Iterable[int]) -> MembershipChange:
    """Add photos to a project (members already in are left as they are)."""
    wanted = list(photo_ids)

    def write() -> MembershipChange:
        project = _get(ref)
        ids = _live_photo_ids(wanted)
        already = _members(int(project.id), ids)
        new = [i for i in ids if i not in already]
        now = utcnow()
        for chunk in chunks(new, 300):
            rows = [{"project": project.id, "photo": i, "added_at": now} for i in chunk]
            ProjectPhoto.insert_many(rows).execute()
        return MembershipChange(int(project.id), project.name, len(new), len(already))

    return _write(write)


def remove_photos(ref: ProjectRef, photo_ids: Iterable[int]) -> MembershipChange:
    """Take photos out of a project (non-members are ignored); photos are not touched."""
    wanted = list(dict.fromkeys(int(i) for i in photo_ids))

    def write() -> MembershipChange:
        project = _get(ref)
        removed = 0
        for chunk in chunks(wanted):
            removed += int(
                ProjectPhoto.delete()
                .where(ProjectPhoto.project == project.id, ProjectPhoto.photo.in_(chunk))
                .execute()
            )
        return MembershipChange(int(project.id), project.name, removed, len(wanted) - removed)

    return _write(write)


# --- reads -------------------------------------------------------------------------


def find_project(ref: ProjectRef, match_threshold: float = 70.0) -> ProjectSummary | None:
    """The project named by `ref`, or None."""
    project = _find(ref)
    return None if project is None else _summary(int(project.id), match_threshold)


def project_names() -> list[str]:
    """Every project's name, by name ignoring case (a light read for pickers)."""
    names = [str(p.name) for p in Project.select(Project.name)]
    return sorted(names, key=str.casefold)


def list_projects(match_threshold: float = 70.0) -> list[ProjectSummary]:
    """Every project, by name (ignoring case), with member counts and covers."""
    counts = dict(
        ProjectPhoto.select(ProjectPhoto.project, fn.COUNT(ProjectPhoto.id))
        .join(Photo)
        .where(Photo.deleted_at.is_null())
        .group_by(ProjectPhoto.project)
        .tuples()
    )
    out = [
        ProjectSummary(
            id=int(p.id),
            name=p.name,
            count=int(counts.get(p.id, 0)),
            created_at=p.created_at,
            cover=_cover(int(p.id), match_threshold) if counts.get(p.id) else None,
        )
        for p in Project.select()
    ]
    return sorted(out, key=lambda s: (_key(s.name), s.id))


def project_photo_ids(ref: ProjectRef) -> list[int]:
    """The project's (non-deleted) photos, in the order they were added."""
    project = _get(ref)
    return [
        int(i)
        for (i,) in ProjectPhoto.select(ProjectPhoto.photo)
        .join(Photo)
        .where(ProjectPhoto.project == project.id, Photo.deleted_at.is_null())
        .order_by(ProjectPhoto.added_at, ProjectPhoto.id)
        .tuples()
    ]


def project_cover(ref: ProjectRef, match_threshold: float = 70.0) -> ProjectCover | None:
    """The project's cover photo (see the module docstring); None when it is empty."""
    return _cover(int(_get(ref).id), match_threshold)


def _cover(project_id: int, match_threshold: float) -> ProjectCover | None:
    score = preference_of_photo()
    members = (
        Photo.select(Photo.id, Photo.path, Photo.thumbnail_key, Photo.rotation)
        .join(ProjectPhoto)
        .where(ProjectPhoto.project == project_id, Photo.deleted_at.is_null())
        .order_by(score.is_null(), score.desc(), Photo.id)
    )
    approved = True
    photo = members.where(approved_condition(match_threshold)).first()
    if photo is None:
        approved = False
        photo = members.first()
    if photo is None:
        return None
    path = display_path(last_known_path(photo.path))
    turns = int(photo.rotation or 0) % 4
    return ProjectCover(int(photo.id), path, photo.thumbnail_key, approved, turns)


def _summary(project_id: int, match_threshold: float = 70.0) -> ProjectSummary:
    project = _get(project_id)
    count = (
        ProjectPhoto.select()
        .join(Photo)
        .where(ProjectPhoto.project == project_id, Photo.deleted_at.is_null())
        .count()
    )
    return ProjectSummary(
        id=project_id,
        name=project.name,
        count=int(count),
        created_at=project.created_at,
        cover=_cover(project_id, match_threshold) if count else None,
    )
