"""`tag_counts`: each live tag of the photos a gallery query shows, by source."""

from __future__ import annotations

from datetime import UTC, datetime

from curator.catalog.db import Catalog
from curator.catalog.decisions import add_tag, remove_tag, set_cull
from curator.catalog.models import CullState, Photo
from curator.catalog.projects import add_photos, create_project
from curator.catalog.queries import GalleryQuery
from curator.catalog.tagging.counts import TagCount, tag_counts
from curator.catalog.tagging.keywords import SourceKeyword, record_keywords
from tests.tag_helpers import described, plain_photo


def _by_name(counts: list[TagCount]) -> dict[str, tuple[int, int, int, int]]:
    return {c.name: (c.count, c.you, c.describer, c.imported) for c in counts}


def test_counts_split_by_source_most_used_first(catalog: Catalog) -> None:
    a, b, c, d = (plain_photo(n) for n in range(4))
    described(a, ["sea", "boat"])
    described(b, ["sea", "dog"])
    described(c, ["sea"])
    add_tag(a, "holiday")
    add_tag(b, "boat")  # the user's own, not the describer's
    remove_tag(b, "dog")  # feedback: not a tag any more
    # Another tool's keyword: a user tag the XMP named, with its hierarchy.
    record_keywords(c, [SourceKeyword("Boat", "Things|Boat")], "xmp")
    add_tag(c, "boat", pass_="xmp")
    described(d, ["sea"])
    Photo.update(deleted_at=datetime.now(UTC)).where(Photo.id == d).execute()  # not shown

    counts = tag_counts()
    assert [x.name for x in counts] == ["boat", "sea", "holiday"]  # 3, 3, 1: by name on ties
    assert _by_name(counts) == {
        "sea": (3, 0, 3, 0),
        "boat": (3, 1, 1, 1),
        "holiday": (1, 1, 0, 0),
    }
    assert counts[0].as_json() == {
        "name": "boat",
        "count": 3,
        "sources": {"you": 1, "describer": 1, "imported": 1},
    }
    assert counts[0].mostly_yours and not counts[1].mostly_yours


def test_counts_follow_the_gallery_query(catalog: Catalog) -> None:
    a, b, c = (plain_photo(n) for n in range(3))
    for pid, tags in ((a, ["sea", "boat"]), (b, ["sea"]), (c, ["dog"])):
        described(pid, tags)
    set_cull(a, CullState.KEPT)
    set_cull(b, CullState.REJECTED)
    assert _by_name(tag_counts(GalleryQuery(cull="kept"))) == {
        "sea": (1, 0, 1, 0),
        "boat": (1, 0, 1, 0),
    }
    assert _by_name(tag_counts(GalleryQuery(cull="unreviewed"))) == {"dog": (1, 0, 1, 0)}
    assert _by_name(tag_counts(GalleryQuery(tag="sea"))) == {
        "sea": (2, 0, 2, 0),
        "boat": (1, 0, 1, 0),
    }
    project = create_project("Trip")
    add_photos(project.id, [b, c])
    assert _by_name(tag_counts(GalleryQuery(project_id=project.id))) == {
        "sea": (1, 0, 1, 0),
        "dog": (1, 0, 1, 0),
    }
    # A search's results: only the ranked photos.
    assert _by_name(tag_counts(GalleryQuery(ranked_ids=(c, a)))) == {
        "sea": (1, 0, 1, 0),
        "boat": (1, 0, 1, 0),
        "dog": (1, 0, 1, 0),
    }
    assert tag_counts(GalleryQuery(ranked_ids=())) == []
    assert tag_counts(GalleryQuery(cull="kept", tag="dog")) == []


def test_the_gallery_filters_on_every_tag_of_tags_all_and_none_of_tags_none(
    catalog: Catalog,
) -> None:
    from curator.catalog.queries import gallery_query_ids

    a, b, c = (plain_photo(n) for n in range(3))
    for pid, tags in ((a, ["sea", "boat"]), (b, ["sea"]), (c, ["dog", "boat"])):
        described(pid, tags)
    remove_tag(c, "boat")  # removed: no longer carries it, for either filter

    def shown(**changes: object) -> list[int]:
        return sorted(gallery_query_ids(GalleryQuery(**changes)))  # type: ignore[arg-type]

    assert shown(tags_all=("sea",)) == [a, b]
    assert shown(tags_all=("sea", "boat")) == [a]
    assert shown(tag="boat", tags_all=("sea",)) == [a]
    assert shown(tags_none=("boat",)) == [b, c]
    assert shown(tags_all=("sea",), tags_none=("boat",)) == [b]
    assert shown(tags_none=("sea", "dog")) == []
    first_page = gallery_query_ids(GalleryQuery(tags_none=("dog",)), limit=1)
    assert first_page in ([a], [b])
    counts = tag_counts(GalleryQuery(tags_all=("sea",), tags_none=("boat",)))
    assert _by_name(counts) == {"sea": (1, 0, 1, 0)}


def test_tag_rows_count_any_gallery_list_as_the_query_does(catalog: Catalog) -> None:
    from curator.catalog.queries import gallery_query_ids
    from curator.catalog.tagging.counts import read_tag_rows

    a, b, c, d = (plain_photo(n) for n in range(4))
    described(a, ["sea", "boat"])
    described(b, ["sea", "dog"])
    described(c, ["sea"])
    add_tag(a, "holiday")
    remove_tag(b, "dog")
    record_keywords(c, [SourceKeyword("Boat")], "lightroom")
    add_tag(c, "boat", pass_="lightroom")
    set_cull(a, CullState.KEPT)
    Photo.update(deleted_at=datetime.now(UTC)).where(Photo.id == d).execute()
    described(d, ["cat"])
    rows = read_tag_rows()
    for query in (
        GalleryQuery(),
        GalleryQuery(cull="kept"),
        GalleryQuery(cull="unreviewed"),
        GalleryQuery(tags_none=("boat",)),
        GalleryQuery(ranked_ids=(c,)),
    ):
        assert rows.counts_among(gallery_query_ids(query)) == tag_counts(query), query
    assert rows.counts_among([]) == []
