"""Tag edits are decisions: logged (kind=tag) and undone/redone like a rating."""

from __future__ import annotations

from curator.catalog import judgments
from curator.catalog.db import Catalog
from curator.catalog.decisions import add_tag, decision_log, redo_last, set_rating, undo_last
from curator.catalog.models import Photo, PhotoTag, Tag


def _tags(photo_id: int) -> dict[str, str]:
    """name → state (user | ai | removed) of the photo's tag rows."""
    out = {}
    for row in PhotoTag.select().join(Tag).where(PhotoTag.photo == photo_id):
        out[row.tag.name] = "removed" if row.removed_at is not None else row.source
    return out


def _described(photo_id: int) -> None:
    judgments.store_description(
        photo_id,
        subject="a dog on a beach",
        content_type="landscape",
        lighting_critique="Soft light.",
        artistic_mood="calm",
        tags=["dog", "beach"],
        model="m",
        prompt_version="p",
    )


def test_tag_edits_are_logged_and_undone_and_redone(catalog: Catalog) -> None:
    p = Photo.create(path=b"/lib/t.jpg", content_hash="ht")
    _described(p.id)
    PhotoTag.update(confidence=81.0).execute()
    start = {"dog": "ai", "beach": "ai"}
    assert _tags(p.id) == start

    assert judgments.remove_tag(p.id, "beach")
    judgments.add_user_tag(p.id, "holiday")
    judgments.add_user_tag(p.id, "dog")  # an AI tag becomes the user's
    after = {"dog": "user", "beach": "removed", "holiday": "user"}
    assert _tags(p.id) == after
    assert [(d["kind"], d["old"], d["new"]) for d in decision_log(p.id)] == [
        ("tag", "ai:beach", "removed:beach"),
        ("tag", "none:holiday", "user:holiday"),
        ("tag", "ai:dog", "user:dog"),
    ]
    # Nothing to do → nothing logged.
    assert not judgments.remove_tag(p.id, "beach")
    judgments.add_user_tag(p.id, "holiday")
    assert len(decision_log(p.id)) == 3

    for _ in range(3):
        assert undo_last() is not None
    assert _tags(p.id) == start
    beach = PhotoTag.select().join(Tag).where(Tag.name == "beach").get()
    assert beach.confidence == 81.0  # the AI tag came back as it was
    assert undo_last() is None

    for _ in range(3):
        assert redo_last() is not None
    assert _tags(p.id) == after
    assert redo_last() is None
    # The log only grew: 3 actions, 3 undos, 3 redos.
    assert len(decision_log(p.id)) == 9


def test_tags_and_ratings_share_one_undo_history(catalog: Catalog) -> None:
    p = Photo.create(path=b"/lib/u.jpg", content_hash="hu")
    set_rating(p.id, 4)
    judgments.add_user_tag(p.id, "harbour")
    set_rating(p.id, 2)

    undone = undo_last()
    assert undone is not None and undone[0].kind.value == "rating"
    undone = undo_last()
    assert undone is not None and undone[0].kind.value == "tag"
    assert _tags(p.id) == {}
    assert Photo.get_by_id(p.id).rating == 4
    # A user tag removed by hand, then the removal undone: the tag is back.
    redo_last()
    assert _tags(p.id) == {"harbour": "user"}
    assert judgments.remove_tag(p.id, "harbour")  # a new action: clears the redo stack
    assert _tags(p.id) == {}
    assert redo_last() is None
    undo_last()
    assert _tags(p.id) == {"harbour": "user"}


def test_the_decision_log_is_append_only_in_the_schema(catalog: Catalog) -> None:
    import pytest
    from peewee import IntegrityError

    from curator.catalog.models import Decision

    p = Photo.create(path=b"/lib/v.jpg", content_hash="hv")
    set_rating(p.id, 3)
    with pytest.raises(IntegrityError, match="append-only"):
        p.delete_instance(recursive=True)  # the cascade would delete its decisions
    with pytest.raises(IntegrityError, match="append-only"):
        Decision.update(new_value="1").execute()
    # The rating and the keep it brought (a star keeps an unreviewed photo).
    assert Photo.get_by_id(p.id).rating == 3 and len(decision_log(p.id)) == 2


def test_records_read_as_short_phrases(catalog: Catalog) -> None:
    p = Photo.create(path=b"/lib/w.jpg", content_hash="hw")
    (added,) = add_tag(p.id, "sea")
    assert added.text == "tag “sea”: — → yours"
    rated, kept = set_rating(p.id, 4)
    assert rated.text == "rating — → 4" and kept.text == "cull unreviewed → kept"
