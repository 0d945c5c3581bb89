"""Projects: names, membership, deletion that never touches photos, covers."""

from __future__ import annotations

import pytest

from curator.catalog import projects
from curator.catalog.db import Catalog
from curator.catalog.models import Decision, Photo, ProjectPhoto, utcnow
from curator.catalog.projects import ProjectError
from tests.scores import set_score
from tests.taste_helpers import store_model


def _photo(name: str, **values: object) -> int:
    values.setdefault("preview_key", f"previews/{name}.jpg")  # measured (approval needs pixels)
    score = values.pop("preference_score", None)
    pid = int(Photo.create(path=f"/lib/{name}".encode(), content_hash=name, **values).id)
    set_score(pid, score)  # type: ignore[arg-type]
    return pid


def test_names_are_trimmed_unique_ignoring_case_and_never_empty(catalog: Catalog) -> None:
    wedding = projects.create_project("  Wedding  ")
    assert wedding.name == "Wedding"
    assert wedding.count == 0 and wedding.cover is None
    for taken in ("wedding", " WEDDING"):
        with pytest.raises(ProjectError, match="already a project named “Wedding”"):
            projects.create_project(taken)
    projects.create_project("Élan")
    with pytest.raises(ProjectError, match="already"):
        projects.create_project("éLAN")  # Unicode case, beyond SQLite's ASCII NOCASE
    for bad in ("", "   ", "a\nb"):
        with pytest.raises(ProjectError):
            projects.create_project(bad)
    projects.create_project("album")
    # Listed by name ignoring case.
    assert [p.name for p in projects.list_projects()] == ["album", "Wedding", "Élan"]


def test_rename_keeps_members_and_refuses_a_taken_name(catalog: Catalog) -> None:
    a = _photo("a.jpg")
    projects.create_project("Trip")
    projects.create_project("Other")
    projects.add_photos("trip", [a])
    renamed = projects.rename_project("TRIP", "Trip to Rome")
    assert (renamed.name, renamed.count) == ("Trip to Rome", 1)
    assert projects.rename_project(renamed.id, "trip to rome").name == "trip to rome"
    with pytest.raises(ProjectError, match="already a project named “Other”"):
        projects.rename_project("trip to rome", "other")
    with pytest.raises(ProjectError, match="no project named “Nope”"):
        projects.rename_project(" Nope ", "x")
    assert projects.project_photo_ids("trip to rome") == [a]


def test_add_and_remove_are_idempotent_and_report_what_changed(catalog: Catalog) -> None:
    a, b, c = _photo("a.jpg"), _photo("b.jpg"), _photo("c.jpg")
    projects.create_project("Set")
    first = projects.add_photos("Set", [a, b, a])
    assert (first.changed, first.unchanged) == (2, 0)
    again = projects.add_photos("Set", [b, c])
    assert (again.changed, again.unchanged) == (1, 1)
    assert projects.project_photo_ids("Set") == [a, b, c]
    gone = projects.remove_photos("Set", [a, a, 999])
    assert (gone.changed, gone.unchanged) == (1, 1)
    assert projects.remove_photos("Set", [a]).changed == 0
    assert projects.project_photo_ids("Set") == [b, c]


def test_an_unknown_photo_adds_nothing(catalog: Catalog) -> None:
    a = _photo("a.jpg")
    projects.create_project("Set")
    with pytest.raises(ProjectError, match="no photo 424242"):
        projects.add_photos("Set", [a, 424242])
    assert projects.project_photo_ids("Set") == []


def test_delete_removes_memberships_never_photos_or_decisions(catalog: Catalog) -> None:
    a = _photo("a.jpg", rating=5)
    Decision.create(photo=a, kind="rating", old_value=None, new_value="5")
    projects.create_project("Keep me")
    projects.create_project("Doomed")
    projects.add_photos("Doomed", [a])
    projects.add_photos("Keep me", [a])
    deleted = projects.delete_project("doomed")
    assert (deleted.name, deleted.count) == ("Doomed", 1)
    assert [p.name for p in projects.list_projects()] == ["Keep me"]
    assert ProjectPhoto.select().count() == 1
    photo = Photo.get_by_id(a)
    assert photo.rating == 5 and photo.deleted_at is None
    assert Decision.select().where(Decision.photo == a).count() == 1
    with pytest.raises(ProjectError):
        projects.delete_project("Doomed")


def test_cover_is_the_best_approved_member_else_the_best_member(catalog: Catalog) -> None:
    store_model()  # the taste model's MATCH approves (catalog.approval)
    unjudged_top = _photo("top.jpg", preference_score=99.0)
    kept_mid = _photo("mid.jpg", cull="kept", preference_score=80.0)
    four_star = _photo("four.jpg", rating=4, preference_score=60.0)
    rejected = _photo("rej.jpg", cull="rejected", rating=5, preference_score=98.0)
    projects.create_project("P")
    projects.add_photos("P", [unjudged_top, four_star, rejected, kept_mid])
    cover = projects.project_cover("P", match_threshold=70.0)
    assert cover is not None and (cover.photo_id, cover.approved) == (kept_mid, True)
    assert cover.path == "/lib/mid.jpg"
    # A stricter threshold: the kept photo is no longer approved; the 4★ one is.
    assert projects.project_cover("P", match_threshold=90.0).photo_id == four_star  # type: ignore[union-attr]
    # No approved member at all: the highest preference stands in.
    projects.create_project("Q")
    projects.add_photos("Q", [unjudged_top, rejected])
    fallback = projects.project_cover("Q")
    assert fallback is not None and (fallback.photo_id, fallback.approved) == (unjudged_top, False)
    summary = {p.name: p for p in projects.list_projects()}
    assert summary["P"].count == 4 and summary["P"].cover.photo_id == kept_mid  # type: ignore[union-attr]


def test_deleted_photos_are_not_counted_or_added(catalog: Catalog) -> None:
    a, b = _photo("a.jpg"), _photo("b.jpg")
    projects.create_project("P")
    projects.add_photos("P", [a, b])
    Photo.update(deleted_at=utcnow()).where(Photo.id == b).execute()
    assert projects.list_projects()[0].count == 1
    assert projects.project_photo_ids("P") == [a]
    with pytest.raises(ProjectError):
        projects.add_photos("P", [b])
