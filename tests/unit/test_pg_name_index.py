"""The file-name filter's trigram index on PostgreSQL (catalog.backends.pg_trigram):
built at open where the role may, used for needles with a trigram, the same
photos found with it, without it and on SQLite, and a
role that may not build it opens the catalog all the same and is told why."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.catalog.backends.pg_trigram import INDEX, has_trigram
from curator.catalog.db import Catalog
from curator.catalog.gallery_filters import MetadataFilter
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery, gallery_query_ids
from tests.pg_server import READER

NAMES = (
    "/shoot/day1/DSC_0001.NEF",
    "/shoot/day1/DSC_0123.NEF",
    "/shoot/day2/IMG_0123.CR3",
    "/shoot/DSC_folder/scan_100%_a.jpg",
    "/shoot/day2/été_0012.jpg",
    "/shoot/day2/aaa_first.jpg",
)
NEEDLES = ("dsc", "0123", "DSC_01", "100%", "_0", "12", ".jp", "folder", "été", "1%0")


def _fill() -> None:
    for i, name in enumerate(NAMES):
        Photo.create(path=name.encode(), content_hash=f"h{i}")


def _found(needle: str) -> set[str]:
    ids = gallery_query_ids(GalleryQuery(metadata=MetadataFilter(name_contains=needle)))
    return {bytes(Photo.get_by_id(i).path).decode() for i in ids}


def _plan(cat: Catalog, needle: str) -> str:
    from curator.catalog.queries import gallery_sql

    sql, params = gallery_sql(GalleryQuery(metadata=MetadataFilter(name_contains=needle)))
    rows = cat.db.execute_sql(f"EXPLAIN {sql}", params).fetchall()
    return "\n".join(str(r[0]) for r in rows)


def _bulk(cat: Catalog, n: int) -> None:
    """`n` more photos, so the planner chooses as it does on a real catalog."""
    cat.db.execute_sql(
        "INSERT INTO photo (path, content_hash, imported_at, updated_at)"
        " SELECT convert_to('/bulk/IMG_' || lpad(g::text, 6, '0') || '.JPG', 'UTF8'),"
        " 'bulk' || g, now(), now() FROM generate_series(1, ?) AS g",
        [n],
    )
    cat.db.execute_sql("ANALYZE photo")


def test_a_needle_needs_a_run_of_three_letters_or_digits() -> None:
    assert has_trigram("dsc") and has_trigram("_0123") and has_trigram("été")
    assert not has_trigram("12") and not has_trigram(".jp") and not has_trigram("_0_1")


def test_the_index_is_built_at_open_and_finds_what_sqlite_finds(
    pg_url: str, tmp_path: Path
) -> None:
    with Catalog.open(tmp_path / "lite.sqlite") as cat:
        _fill()
        on_sqlite = {needle: _found(needle) for needle in NEEDLES}
    assert on_sqlite["dsc"] == {NAMES[0], NAMES[1]}  # the folder's "DSC" is not the name's
    assert on_sqlite["12"] == {NAMES[1], NAMES[2], NAMES[4]}
    with Catalog.open(pg_url) as cat:
        assert cat.db.name_trigram and cat.db.name_trigram_note is None
        _fill()
        with_index = {needle: _found(needle) for needle in NEEDLES}
        cat.db.name_trigram = False  # as on a server without pg_trgm
        without = {needle: _found(needle) for needle in NEEDLES}
        cat.db.name_trigram = True
        _bulk(cat, 20_000)
        assert INDEX in _plan(cat, "0123")
    assert with_index == without == on_sqlite


def test_a_role_that_may_not_build_it_opens_the_catalog_and_is_told_why(
    pg_server: object, pg_url: str
) -> None:
    with Catalog.open(pg_url) as cat:
        _fill()
        cat.db.execute_sql(f"DROP INDEX {INDEX}")
    name = pg_url.rsplit("/", 1)[1]
    pg_server.grant_read_only(name)  # type: ignore[attr-defined]
    # A seat that may decide and import but owns no table: it cannot index photo.
    pg_server.admin_sql(  # type: ignore[attr-defined]
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {READER}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {READER}",
        database=name,
    )
    seat = pg_server.url(name, user=READER)  # type: ignore[attr-defined]
    with Catalog.open(seat) as cat:
        assert not cat.read_only
        assert not cat.db.name_trigram
        note = cat.db.name_trigram_note
        assert note is not None and "CREATE EXTENSION pg_trgm" in note and "owner" in note
        assert _found("0123") == {NAMES[1], NAMES[2]}
    with Catalog.open(pg_url) as cat:  # the owner's next open builds it
        assert cat.db.name_trigram
        assert _found("0123") == {NAMES[1], NAMES[2]}


@pytest.mark.parametrize("needle", ["0123", "12"])
def test_a_deleted_photo_is_never_found_by_name(pg_url: str, needle: str) -> None:
    with Catalog.open(pg_url):
        _fill()
        Photo.update(deleted_at=Photo.imported_at).where(Photo.path == NAMES[1].encode()).execute()
        assert NAMES[1] not in _found(needle) and NAMES[2] in _found(needle)
