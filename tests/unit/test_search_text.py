"""Text search: the FTS5 index kept current by triggers, the query parser, filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

from curator.catalog import decisions, judgments
from curator.catalog.db import Catalog
from curator.catalog.models import Photo, PhotoPath, utcnow
from curator.catalog.types import CullState
from curator.search.text import text_search
from curator.search.tokens import TokenKind, parse_query
from tests.old_catalogs import catalog_at_version


@pytest.fixture
def cat(tmp_path: Path) -> Iterator[Catalog]:
    with Catalog.open(tmp_path / "catalog.sqlite") as catalog:
        yield catalog


def _photo(path: str, *, captured: datetime | None = None, raw: bytes | None = None) -> int:
    photo = Photo.create(
        path=raw if raw is not None else path.encode(), content_hash=path, captured_at=captured
    )
    return int(photo.id)


def _describe(photo_id: int, subject: str = "", tags: tuple[str, ...] = (), **kw: str) -> None:
    judgments.store_description(
        photo_id,
        subject=subject,
        content_type=kw.get("content_type", "other"),
        lighting_critique=kw.get("lighting", ""),
        artistic_mood=kw.get("mood", ""),
        tags=list(tags),
        model="test-model",
        prompt_version="1",
    )


def _ids(query: str, **kw: object) -> list[int]:
    return [h.photo_id for h in text_search(query, **kw)]  # type: ignore[arg-type]


def test_a_tag_added_a_moment_ago_is_found(cat: Catalog) -> None:
    a = _photo("/p/a.jpg")
    _photo("/p/b.jpg")
    assert _ids("lighthouse") == []
    decisions.add_tag(a, "lighthouse")
    hits = text_search("lighthouse")
    assert [h.photo_id for h in hits] == [a]
    assert hits[0].why == "tags" and hits[0].score > 0
    decisions.undo_last()  # undo removes the user tag: no longer found
    assert _ids("lighthouse") == []


def test_a_word_of_a_new_description_is_found_and_a_replaced_one_is_not(cat: Catalog) -> None:
    a = _photo("/p/a.jpg")
    _describe(a, "Fishing boats moored in a harbour", mood="wistful calm")
    assert _ids("moored") == [a]
    assert _ids("wistful") == [a]
    _describe(a, "A lighthouse on a cliff")
    assert _ids("moored") == []
    assert _ids("cliff") == [a]


def test_prefix_matching_and_exact_words_first(cat: Catalog) -> None:
    exact = _photo("/p/exact.jpg")
    longer = _photo("/p/longer.jpg")
    _describe(exact, "a portrait of a fisherman")
    _describe(longer, "portraits of two fishermen")
    assert set(_ids("portr")) == {exact, longer}
    assert _ids("portrait")[0] == exact  # the exact token outranks the one it prefixes
    assert set(_ids("fish portrait")) == {exact, longer}  # every word is a prefix
    assert _ids("p") == []  # a one-letter word matches only itself


def test_accents_fold_both_ways(cat: Catalog) -> None:
    a = _photo("/p/a.jpg")
    b = _photo("/p/b.jpg")
    _describe(a, "A café terrace in Zürich")
    _describe(b, "Cafe racer motorbike")
    assert set(_ids("cafe")) == {a, b}
    assert set(_ids("CAFÉ")) == {a, b}
    assert _ids("zurich") == [a]


def test_a_removed_ai_tag_is_no_longer_found_but_a_live_one_is(cat: Catalog) -> None:
    a = _photo("/p/a.jpg")
    _describe(a, "A quiet street", tags=("umbrella", "rain"))
    assert _ids("umbrella") == [a]
    decisions.remove_tag(a, "umbrella")
    assert _ids("umbrella") == []
    assert _ids("tag:umbrella") == []
    assert _ids("rain") == [a]
    _describe(a, "A quiet street", tags=("umbrella", "rain"))  # a re-run keeps it removed
    assert _ids("umbrella") == []


def test_file_names_of_every_path_are_found_and_follow_a_move(cat: Catalog) -> None:
    a = _photo("/photos/2024 Trip/DSC_0042.NEF")
    assert _ids("DSC_0042") == [a]
    assert _ids("trip") == []  # the folder is not the file name
    PhotoPath.create(photo=a, path=b"/backup/copy-of-sunset.NEF", added_at=utcnow())
    assert _ids("sunset") == [a]
    photo = Photo.get_by_id(a)
    photo.path = "/photos/renamed_évening.NEF".encode()
    photo.save()
    assert _ids("evening") == [a]
    assert _ids("DSC_0042") == []
    PhotoPath.delete().where(PhotoPath.photo == a).execute()
    assert _ids("sunset") == []


def test_a_name_that_is_not_utf8_is_searchable_by_its_readable_part(cat: Catalog) -> None:
    a = _photo("", raw=b"/old/vacances_\xe9t\xe9_beach.jpg")  # Latin-1 bytes
    assert _ids("beach") == [a]
    assert _ids("vacances") == [a]
    assert text_search("vacances")[0].why == "file name"


def test_filters_combine_with_words(cat: Catalog) -> None:
    want = _photo("/p/want.jpg")
    low = _photo("/p/low.jpg")
    untagged = _photo("/p/untagged.jpg")
    rejected = _photo("/p/rejected.jpg")
    for pid in (want, low, untagged, rejected):
        _describe(pid, "The old harbour at dusk", tags=("sea",) if pid != untagged else ())
        decisions.set_rating(pid, 2 if pid == low else 4)
        decisions.set_cull(pid, CullState.REJECTED if pid == rejected else CullState.KEPT)
    assert _ids("tag:sea rating>=4 kept harbour") == [want]
    assert set(_ids("harbour rating>=4")) == {want, untagged, rejected}
    assert _ids("harbour rating<3") == [low]
    assert _ids("harbour rating=2") == [low]
    assert set(_ids("harbour kept rejected")) == {want, low, untagged, rejected}
    assert _ids("harbour rejected") == [rejected]
    assert _ids("tag:sea picked") == []
    decisions.set_picked(want, True)
    assert _ids("picked harbour") == [want]
    assert _ids("harbour", within=[low, untagged]) in ([low, untagged], [untagged, low])


def test_filters_only_return_every_match_in_capture_order(cat: Catalog) -> None:
    late = _photo("/p/late.jpg", captured=datetime(2024, 5, 2))
    early = _photo("/p/early.jpg", captured=datetime(2024, 5, 1))
    undated = _photo("/p/undated.jpg")
    _describe(late, "x", content_type="portrait")
    _describe(early, "y", content_type="portrait")
    _describe(undated, "z", content_type="still_life")
    assert _ids("type:portrait") == [early, late]
    assert _ids("type:still-life") == [undated]
    assert _ids('type:"still life"') == [undated]
    assert _ids("unreviewed") == [early, late, undated]
    assert _ids("unreviewed", limit=2) == [early, late]
    assert all(h.score == 0 for h in text_search("unreviewed"))
    assert _ids("") == [] and _ids("   ") == []


def test_deleted_photos_are_never_found_missing_ones_are_marked(cat: Catalog) -> None:
    gone = _photo("/p/gone.jpg")
    missing = _photo("/p/missing.jpg")
    for pid in (gone, missing):
        _describe(pid, "A red kite over the dunes", tags=("kite",))
    Photo.update(deleted_at=utcnow()).where(Photo.id == gone).execute()
    Photo.update(missing_since=utcnow()).where(Photo.id == missing).execute()
    hits = text_search("kite")
    assert [h.photo_id for h in hits] == [missing]
    assert hits[0].why.endswith("missing")
    assert _ids("tag:kite") == [missing]
    assert "missing" in text_search("tag:kite")[0].why


JUNK = [
    '"',
    '""',
    "*",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "-",
    "-sea",
    "NEAR",
    "NEAR(a b, 2)",
    "sea AND",
    "a OR (b",
    "^sea",
    "col:sea",
    "subject:sea",
    "tag:",
    'tag:"',
    "type:",
    "rating>=",
    "rating>=x",
    "rating>=99999999999999999999999",
    "😀 🌅",
    "日本の港",
    "\u0301",
    "\x00",
    "'; DROP TABLE photo; --",
    "{sea}",
    "sea*",
    "+",
    ":",
]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_input_never_raises(cat: Catalog, junk: str) -> None:
    a = _photo("/p/a.jpg")
    _describe(a, "sea and sky, not near", tags=("sea",))
    hits = text_search(junk)
    assert all(h.photo_id == a for h in hits)
    parse_query(junk)


def test_the_parser_quotes_every_term() -> None:
    parsed = parse_query('harb "golden hour" tag:"Golden  Hour" type:Still-Life rating>=4 Kept x')
    assert parsed.words == ("harb", "x")
    assert parsed.phrases == ("golden hour",)
    assert parsed.values(TokenKind.TAG) == ("golden hour",)
    assert parsed.values(TokenKind.TYPE) == ("still_life",)
    assert parsed.values(TokenKind.RATING) == ((">=", 4),)
    assert parsed.values(TokenKind.STATE) == ("kept",)
    assert [row.kind for row, _ in parsed.filters] == ["tag", "type", "rating", "state"]
    assert parsed.fts_expression() == '"golden hour" AND ("harb" OR "harb"*) AND "x"'
    assert parse_query('say "hi').phrases == ("hi",)  # an unclosed quote runs to the end
    assert parse_query('a"b').fts_expression() == '("a""b" OR "a""b"*)'
    assert parse_query("* ( -").fts_expression() is None


def test_a_v6_catalog_gets_its_index_built_by_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite"
    con = catalog_at_version(path, 6, foreign_keys=False)
    stamp = "2025-01-01 00:00:00"
    for pid, name in ((1, b"/old/IMG_0001.JPG"), (2, b"/old/IMG_0002.JPG")):
        con.execute(
            "INSERT INTO photo (id, path, content_hash, imported_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (pid, name, f"h{pid}", stamp, stamp),
        )
    con.execute(
        "INSERT INTO photo_path (photo_id, path, added_at) VALUES (2, ?, ?)",
        (b"/copies/harbour_copy.JPG", stamp),
    )
    con.execute(
        "INSERT INTO description (photo_id, subject, content_type, lighting_critique,"
        " artistic_mood, model, prompt_version, created_at)"
        " VALUES (1, 'Nets drying on the quay', 'street', 'flat', 'nostalgic', 'm', '1', ?)",
        (stamp,),
    )
    con.executemany("INSERT INTO tag (id, name) VALUES (?, ?)", [(1, "gull"), (2, "boat")])
    con.execute(
        "INSERT INTO photo_tag (photo_id, tag_id, source, created_at) VALUES (1, 1, 'ai', ?)",
        (stamp,),
    )
    con.execute(
        "INSERT INTO photo_tag (photo_id, tag_id, source, removed_at, created_at)"
        " VALUES (1, 2, 'ai', ?, ?)",
        (stamp, stamp),
    )
    con.execute("PRAGMA user_version = 6")
    con.commit()
    con.close()
    with Catalog.open(path):
        assert _ids("quay") == [1]
        assert _ids("nostalgic") == [1]
        assert _ids("gull") == [1]
        assert _ids("boat") == []  # removed before v7: still not searchable
        assert _ids("harbour") == [2]
        assert set(_ids("IMG")) == {1, 2}
        decisions.add_tag(2, "gull")  # the triggers work on the upgraded catalog
        assert set(_ids("gull")) == {1, 2}


def test_a_renamed_or_deleted_tag_follows_in_the_index(cat: Catalog) -> None:
    from curator.catalog.models import Tag

    a = _photo("/p/a.jpg")
    b = _photo("/p/b.jpg")
    decisions.add_tag(a, "seagull")
    decisions.add_tag(b, "seagull")
    Tag.update(name="albatross").where(Tag.name == "seagull").execute()
    assert _ids("seagull") == []
    assert set(_ids("albatross")) == {a, b}
    Tag.delete().where(Tag.name == "albatross").execute()  # cascades to photo_tag
    assert _ids("albatross") == []
    assert set(_ids("a.jpg b.jpg")) == set()  # AND: no photo has both names
    assert _ids('"a.jpg"') == [a]


def test_a_missing_photos_tombstoned_path_is_found_by_its_last_name(cat: Catalog) -> None:
    from curator.catalog.missing import tombstone

    a = _photo("/p/IMG_7781.JPG")
    Photo.update(path=tombstone(b"/p/IMG_7781.JPG", a), missing_since=utcnow()).where(
        Photo.id == a
    ).execute()
    hits = text_search("IMG_7781")
    assert [h.photo_id for h in hits] == [a]
    assert hits[0].why == "file name, missing"
    assert _ids("missing") == []  # the tombstone's suffix is not part of the name


def _joined_ranking(query: str, limit: int) -> list[tuple[int, float, bool]]:
    """The ranking as one joined query (how text search ranked words before
    issue 21 §2): every hit's photo row read before the sort."""
    from curator.search.text import WEIGHTS

    weights = ", ".join(str(w) for w in WEIGHTS)
    expression = parse_query(query).fts_expression()
    rows = Photo._meta.database.execute_sql(
        f"SELECT p.id, bm25(photo_fts, {weights}) AS rank, p.missing_since IS NOT NULL"
        " FROM photo_fts JOIN photo p ON p.id = photo_fts.rowid"
        " WHERE photo_fts MATCH ? AND p.deleted_at IS NULL ORDER BY rank, p.id LIMIT ?",
        [expression, limit],
    ).fetchall()
    return [(int(pid), -float(rank), bool(missing)) for pid, rank, missing in rows]


@pytest.mark.parametrize("limit", [None, 5, 40])
def test_words_rank_as_the_joined_query_did_past_purged_best_hits(
    cat: Catalog, limit: int | None
) -> None:
    """Words alone are ranked in the index without a photo row per hit (issue 21
    §2): same photos, scores and order as the joined query, the purged ones left
    out even when they rank best (a limit still fills up), the missing marked."""
    ids = []
    for i in range(60):
        ids.append(_photo(f"/p/{i:03d}.jpg"))
        kites = " ".join(["kite"] * (1 + i % 4))  # four levels of rank, ties within each
        _describe(ids[-1], f"{kites} over the dunes {'and the sea' * (i % 3)}")
    best = [pid for i, pid in enumerate(ids) if i % 4 == 3]  # most kites: the top hits
    Photo.update(deleted_at=utcnow()).where(Photo.id.in_(best[:8])).execute()
    Photo.update(missing_since=utcnow()).where(Photo.id.in_(ids[10:20])).execute()

    hits = text_search("kite", limit=limit)
    expected = _joined_ranking("kite", 1000 if limit is None else limit)
    assert len(expected) == (52 if limit is None else limit)
    assert [(h.photo_id, h.score, h.why.endswith("missing")) for h in hits] == expected
    assert all(h.why.startswith("subject") for h in hits)


QUERIES = (
    "kite",
    "kit",
    "kite dunes",
    '"over the dunes"',
    "sea",
    "kite kept",
    "kite rating>=2",
    "tag:beach kite",
    "type:landscape",
    "rejected",
    "nothing-like-this",
    "",
)


@pytest.mark.parametrize("limit", [None, 7])
def test_the_gallerys_ids_are_text_searchs_in_its_order(cat: Catalog, limit: int | None) -> None:
    """`ranked_ids` (the gallery's search: no hit objects, no reasons, issue 21 §2)
    returns the same photos in the same order as `text_search` and as the joined
    query words were ranked by before: ties, purged, missing, filters, `within`."""
    ids = _forty_kites()
    from curator.search.text import ranked_ids

    for query in QUERIES:
        for within in (None, ids[::2]):
            found = ranked_ids(query, limit=limit, within=within)
            assert found == _ids(query, limit=limit, within=within), (query, within)
    kites = ranked_ids("kite", limit=limit)
    assert kites == [pid for pid, _, _ in _joined_ranking("kite", 1000 if limit is None else limit)]
    assert len(kites) == (35 if limit is None else limit)  # 40 less the 5 purged
    assert ranked_ids("kite rating>=2") and ranked_ids("type:landscape")  # the filters found some


def test_the_first_page_is_the_whole_rankings_head(cat: Catalog) -> None:
    """The gallery shows a text search's first page, then the whole ranking
    (issue 21 §2) and only appends the rest: each page size's first page is the
    whole ranking's head, ties broken by id, past purged photos and filters."""
    from curator.search.text import FIRST_PAGE, ranked_ids

    ids = _forty_kites()
    assert FIRST_PAGE >= 100  # a couple of screens of the grid, not a handful
    for query in QUERIES:
        for page in (1, 6, 7, 13, 34, 35, 36, FIRST_PAGE):
            for within in (None, ids[::2]):
                head = ranked_ids(query, within=within)[:page]
                assert ranked_ids(query, limit=page, within=within) == head, (query, page)
    hits = text_search("kite")  # with their scores
    ties = [(a.photo_id, b.photo_id) for a, b in pairwise(hits) if a.score == b.score]
    assert len(ties) >= 10 and all(a < b for a, b in ties)  # equal scores: by id


def _forty_kites() -> list[int]:
    """Forty described photos: three levels of rank for "kite" with ties within
    each, tags, content types, decisions, five purged, seven missing."""
    ids = []
    for i in range(40):
        ids.append(_photo(f"/p/{i:03d}.jpg", captured=datetime(2024, 1, 1 + i % 5)))
        kites = " ".join(["kite"] * (1 + i % 3))  # three levels of rank, ties within each
        _describe(
            ids[-1],
            f"{kites} over the dunes {'by the sea' * (i % 2)}",
            tags=("beach",) if i % 4 == 0 else (),
            content_type="landscape" if i % 5 == 0 else "other",
        )
        if i % 3 == 0:
            decisions.set_cull(ids[-1], CullState.KEPT)
        elif i % 7 == 0:
            decisions.set_cull(ids[-1], CullState.REJECTED)
        if i % 6 == 0:
            decisions.set_rating(ids[-1], 3)
    Photo.update(deleted_at=utcnow()).where(Photo.id.in_(ids[2:40:9])).execute()
    Photo.update(missing_since=utcnow()).where(Photo.id.in_(ids[5:12])).execute()
    return ids
