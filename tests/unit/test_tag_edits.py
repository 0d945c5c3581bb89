"""Tag edits over many photos: the window's rules, one undo step, levels kept."""

from __future__ import annotations

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, redo_last, undo_last
from curator.catalog.models import PhotoKeyword, PhotoTag, Tag
from curator.catalog.tagging.edits import (
    TagName,
    TagNameError,
    parse_tag_name,
    rename_tag,
    tag_photos,
    untag_photos,
)
from curator.interop.xmp_fields import decided_photo_ids, xmp_fields_for
from tests.tag_helpers import described, plain_photo


def _tags(photo_id: int) -> dict[str, str]:
    """name → user | ai | removed."""
    return {
        row.tag.name: "removed" if row.removed_at is not None else row.source
        for row in PhotoTag.select().join(Tag).where(PhotoTag.photo == photo_id)
    }


def test_parse_tag_name_keeps_levels_and_refuses_unusable_names() -> None:
    assert parse_tag_name("Golden Hour") == TagName("golden hour", "Golden Hour")
    assert parse_tag_name(" Places | Italy |Rome") == TagName("rome", "Rome", "Places|Italy|Rome")
    for bad in ("x", "photo", "!!", "Places||Rome", "Places|"):
        with pytest.raises(TagNameError):
            parse_tag_name(bad)


def test_add_and_remove_follow_the_window_rules_as_one_undo_step(catalog: Catalog) -> None:
    a, b = plain_photo(1), plain_photo(2)
    described(a, ["sea", "boat"])
    records = tag_photos([a, b], parse_tag_name("sea"))
    assert [(r.photo_id, r.old_value, r.new_value) for r in records] == [
        (a, "ai:sea", "user:sea"),  # the describer's tag becomes yours
        (b, "none:sea", "user:sea"),
    ]
    assert {r["pass"] for r in decision_log()} == {"cli"}
    assert sorted(decided_photo_ids()) == [a, b]  # the next `xmp write` takes them

    removed = untag_photos([a, b], parse_tag_name("boat"))
    assert [(r.photo_id, r.new_value) for r in removed] == [(a, "removed:boat")]
    assert _tags(a) == {"sea": "user", "boat": "removed"}
    described(a, ["sea", "boat"])  # a describe run again: boat stays removed
    assert _tags(a) == {"sea": "user", "boat": "removed"}

    assert undo_last() is not None  # the removal
    assert _tags(a)["boat"] == "ai"
    assert undo_last() is not None  # the whole add, both photos at once
    assert _tags(a) == {"sea": "ai", "boat": "ai"} and _tags(b) == {}
    assert redo_last() is not None
    assert _tags(b) == {"sea": "user"}


def test_rename_merges_keeps_removed_feedback_and_is_undone_at_once(catalog: Catalog) -> None:
    a, b, c = plain_photo(1), plain_photo(2), plain_photo(3)
    described(a, ["ocean"])
    described(b, ["ocean", "sea"])
    tag_photos([c], parse_tag_name("sea"))
    untag_photos([c], parse_tag_name("nothing here"))  # no tag: nothing logged
    before = len(decision_log())

    renamed = rename_tag(parse_tag_name("ocean"), parse_tag_name("sea"))
    assert renamed.photos == 2
    assert _tags(a) == {"ocean": "removed", "sea": "user"}
    assert _tags(b) == {"ocean": "removed", "sea": "user"}  # merged with its own "sea"
    assert _tags(c) == {"sea": "user"}
    assert len(decision_log()) == before + 4

    assert undo_last() is not None
    assert _tags(a) == {"ocean": "ai"} and _tags(b) == {"ocean": "ai", "sea": "ai"}
    assert rename_tag(parse_tag_name("nothing"), parse_tag_name("sea")).photos == 0


def test_a_hierarchical_name_goes_out_to_xmp_with_its_levels(catalog: Catalog) -> None:
    a = plain_photo(1)
    tag_photos([a], parse_tag_name("Places|Italy|Rome"))
    assert _tags(a) == {"rome": "user"}
    (xmp,) = xmp_fields_for([a])
    assert xmp.fields.hierarchical == ("Places|Italy|Rome",)
    assert "Rome" in xmp.fields.keywords
    # Renamed onto another hierarchy: the new tag carries its own levels.
    rename_tag(parse_tag_name("rome"), parse_tag_name("Places|Italy|Roma"))
    (xmp,) = xmp_fields_for([a])
    assert xmp.fields.hierarchical == ("Places|Italy|Roma",)
    assert PhotoKeyword.select().where(PhotoKeyword.photo == a).count() == 2
