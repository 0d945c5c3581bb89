"""A search token is one row (`search.token_rows.SearchToken`): a token added as
one row of `search.tokens.SEARCH_TOKENS`, and nothing else, is parsed, listed by
`curator search --help`, the search box's tooltip and the docs, and finds
exactly the photos its SQL says, with words and with other filters; and every
row of the table makes SQL a catalog runs."""

from __future__ import annotations

import pytest

from curator.catalog import judgments
from curator.catalog.models import Photo
from curator.cull import table
from curator.search import tokens
from curator.search.text import ranked_ids, text_search
from curator.search.tokens import (
    SearchToken,
    TokenKind,
    keyed_flag,
    parse_query,
    search_tokens,
    tokens_help,
    tokens_markdown,
    tokens_tooltip,
    unknown_sentence,
)

LOUD = keyed_flag("loud", "yes", "the photos shot at ISO 3200 or more", TokenKind.BADGE,
                    "p.iso >= 3200")  # fmt: skip


@pytest.fixture
def loud(monkeypatch: pytest.MonkeyPatch) -> SearchToken[str]:
    """The table with one throw-away row more: the only edit a new token takes."""
    monkeypatch.setattr(tokens, "SEARCH_TOKENS", (*tokens.SEARCH_TOKENS, LOUD))
    return LOUD


def _photo(name: str, *, iso: int, cull: str = "unreviewed", rating: int | None = None) -> int:
    photo = Photo.create(
        path=f"/shoot/{name}.jpg".encode(), content_hash=name, iso=iso, cull=cull, rating=rating
    )
    judgments.store_description(
        int(photo.id),
        subject=f"a {name} at dusk" if name.startswith("harbour") else f"a {name}",
        content_type="landscape",
        lighting_critique="",
        artistic_mood="",
        tags=[],
        model="test-model",
        prompt_version="1",
    )
    return int(photo.id)


def _found(query: str) -> set[int]:
    hits = {h.photo_id for h in text_search(query)}
    assert set(ranked_ids(query)) == hits, query  # the gallery's search finds the same
    return hits


def test_the_row_is_read_whole_in_any_case(loud: SearchToken[str]) -> None:
    for piece in ("loud:yes", "LOUD:Yes", 'loud:"yes"'):
        parsed = parse_query(f"harbour {piece}")
        assert parsed.filters == ((loud, "loud:yes"),), piece
        assert parsed.words == ("harbour",) and parsed.values(TokenKind.BADGE) == ("loud:yes",)
    for piece in ("loud:no", "loud:yess", "loud", "loud:"):
        assert parse_query(piece).filters == (), piece  # not this token: a word
    parsed = parse_query("loud:no")
    assert parsed.unknown == ("loud:no",)
    sentence = unknown_sentence(parsed)
    assert sentence is not None and "loud:" in sentence  # the filters there are: the row's


def test_the_row_is_in_the_help_the_tooltip_and_the_docs(loud: SearchToken[str]) -> None:
    help_text = tokens_help()
    assert f"    {loud.syntax} " in help_text and loud.meaning in help_text
    assert "loud:yes" in " ".join(tokens_tooltip().split())
    assert f"| `loud:yes` | {loud.meaning} | `loud:yes` | badge |" in tokens_markdown()


def test_the_row_finds_what_its_sql_says(catalog: object, loud: SearchToken[str]) -> None:
    loud_harbour = _photo("harbour-loud", iso=6400, cull="kept", rating=4)
    quiet_harbour = _photo("harbour-quiet", iso=100, cull="kept", rating=5)
    loud_field = _photo("field", iso=3200, cull="rejected", rating=1)
    at_the_line = _photo("meadow", iso=3199, cull="kept")
    assert _found("loud:yes") == {loud_harbour, loud_field}  # p.iso >= 3200
    assert _found("harbour loud:yes") == {loud_harbour}  # with a word: AND
    assert _found("loud:yes kept") == {loud_harbour}  # with another kind: AND
    assert _found("loud:yes rating>=1 rating<=2") == {loud_field}
    assert _found("loud:yes kept rejected") == {loud_harbour, loud_field}  # states: OR
    assert _found("LOUD:YES harbour rating:5") == set()
    assert _found("kept") == {loud_harbour, quiet_harbour, at_the_line}
    hits = text_search("harbour loud:yes")
    assert [h.photo_id for h in hits] == [loud_harbour] and "subject" in hits[0].why


def test_without_the_row_the_piece_is_a_word(catalog: object) -> None:
    _photo("harbour-loud", iso=6400)
    assert LOUD not in search_tokens()
    assert parse_query("loud:yes").words == ("loud:yes",)
    assert _found("loud:yes") == set()


@pytest.mark.parametrize("token", search_tokens(), ids=lambda t: t.syntax)
def test_every_row_s_sql_runs(catalog: object, token: SearchToken[object]) -> None:
    """Each row's predicate, made from its example, alone, with a word, and
    with every example of its kind (joined as the kind says), is SQL the
    catalog runs."""
    photo = _photo("harbour", iso=200)
    value = token.read(token.example)
    assert value is not None and token.where(value)[0]
    kind = " ".join(t.example for t in search_tokens() if t.kind is token.kind)
    for query in (token.example, f"harbour {token.example}", kind):
        assert _found(query) <= {photo}, query


def test_the_badge_rows_follow_the_checks_table_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cull check's badge brings its word without a row of its own: the rows
    are the checks' table as it is when read (here, one check fewer)."""
    assert parse_query("blur").values(TokenKind.BADGE) == ("blur",)
    monkeypatch.setattr(table, "CHECKS", tuple(c for c in table.CHECKS if c.name != "sharpness"))
    assert parse_query("blur").words == ("blur",) and "blur" not in tokens_tooltip()
    assert parse_query("clipped").values(TokenKind.BADGE) == ("clipped",)
    assert parse_query("clipped").filters == parse_query("clipped").filters  # the same row
