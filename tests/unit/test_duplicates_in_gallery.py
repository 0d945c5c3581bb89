"""Near-duplicates in the grid (issue 83 §4): the gallery row carries the
group while another copy is live and not rejected, the tile wears the
DUPLICATE pill unless it is rejected, and the Filter popup's
"Duplicates" lists the photos of every group with two live copies or more."""

from __future__ import annotations

from curator.catalog.db import Catalog
from curator.catalog.gallery_filters import MetadataFilter
from curator.catalog.models import Photo, utcnow
from curator.catalog.queries import GalleryQuery, gallery_query_ids, gallery_rows
from curator.ui.gallery.flags import photo_flags, tooltip
from curator.ui.gallery.view import DUPLICATE, flag_pills


def _photo(name: str) -> int:
    return int(Photo.create(path=f"/lib/{name}.jpg".encode(), content_hash=name).id)


def _group(ids: list[int]) -> None:
    Photo.update(duplicate_group=min(ids)).where(Photo.id.in_(ids)).execute()


def _pills(pid: int) -> list[str]:
    _top, bottom = flag_pills(photo_flags(gallery_rows([pid])[pid], 70.0))
    return [text for text, _colour in bottom]


def test_a_copy_wears_the_duplicate_pill_until_its_group_is_resolved(catalog: Catalog) -> None:
    inn, web, turned, alone = (_photo(n) for n in ("inn", "web", "turned", "alone"))
    _group([inn, web, turned])
    rows = gallery_rows([inn, web, turned, alone])
    assert [rows[p].duplicate_group for p in (inn, web, turned)] == [inn, inn, inn]
    assert rows[alone].duplicate_group is None
    assert DUPLICATE in _pills(web) and DUPLICATE not in _pills(alone)
    assert "the same picture is stored again" in tooltip(rows[web], photo_flags(rows[web], 70))
    Photo.update(cull="rejected").where(Photo.id == web).execute()
    assert DUPLICATE not in _pills(web)  # a rejected copy is on its way out
    assert DUPLICATE in _pills(inn) and DUPLICATE in _pills(turned)
    Photo.update(cull="rejected").where(Photo.id == turned).execute()
    assert gallery_rows([inn])[inn].duplicate_group is None  # resolved: one copy left
    assert DUPLICATE not in _pills(inn)


def test_the_duplicates_filter_lists_the_groups_with_two_live_copies(catalog: Catalog) -> None:
    inn, web, leaf, leaf_small, alone, purged_pair, purged = (
        _photo(n) for n in ("inn", "web", "leaf", "leaf_s", "alone", "kept", "purged")
    )
    _group([inn, web])
    _group([leaf, leaf_small])
    _group([purged_pair, purged])
    Photo.update(deleted_at=utcnow()).where(Photo.id == purged).execute()  # purged: alone now
    Photo.update(cull="rejected").where(Photo.id == leaf_small).execute()  # resolved: listed
    only = GalleryQuery(metadata=MetadataFilter(duplicates=True))
    assert sorted(gallery_query_ids(only)) == [inn, web, leaf, leaf_small]
    assert only.metadata.active and only.metadata.describe() == "near-duplicates"
    assert not MetadataFilter().active and not MetadataFilter(duplicates=False).active
    kept_only = GalleryQuery(cull="unreviewed", metadata=MetadataFilter(duplicates=True))
    assert sorted(gallery_query_ids(kept_only)) == [inn, web, leaf]
    assert gallery_rows([purged_pair])[purged_pair].duplicate_group is None
    assert alone not in gallery_query_ids(only)
