"""The search tokens' one table (`search.tokens.SEARCH_TOKENS`): the parser knows
exactly its rows, and `curator search --help` and the docs' reference list
every one of them (the search box's tooltip: tests/ui/test_filter_tables_ui.py;
a token added as one row: tests/unit/test_search_token_rows.py)."""

from __future__ import annotations

import argparse
import random

import pytest

from curator import cli
from curator.catalog.people.filters import PEOPLE_FILTERS, people_ids
from curator.catalog.types import PeopleChoice, ProposalChoice
from curator.search.tokens import (
    ParsedQuery,
    SearchToken,
    TokenKind,
    parse_query,
    search_tokens,
    tokens_help,
    tokens_markdown,
    unknown_sentence,
)


def _filters(parsed: ParsedQuery) -> dict[TokenKind, tuple[object, ...]]:
    """The kinds of filter a query set, with their values (words and phrases left
    out)."""
    return {row.kind: parsed.values(row.kind) for row, _ in parsed.filters}


def _search_help() -> str:
    actions = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return actions[0].choices["search"].format_help()


@pytest.mark.parametrize("token", search_tokens(), ids=lambda t: t.syntax)
def test_each_row_s_example_is_one_filter_of_its_kind_and_no_word(token: SearchToken) -> None:
    parsed = parse_query(token.example)
    assert not parsed.words and not parsed.phrases
    assert list(_filters(parsed)) == [token.kind]
    assert token.read(token.example) is not None
    assert token.read(token.example.upper()) is not None  # keys and fixed values in any case


def test_every_kind_has_a_row_and_no_kind_a_field_of_its_own() -> None:
    """A kind is a member and its rows: the parsed query holds every kind's
    filters alike, as (row, value) pairs."""
    assert {t.kind for t in search_tokens()} == set(TokenKind)
    assert set(vars(ParsedQuery()).keys()) == {"words", "phrases", "filters", "unknown"}


def _pieces() -> list[str]:
    """Pieces a user may type: every row's example bent a little, every key with
    odd values, and random junk around the keys."""
    rows = search_tokens()
    keys = {t.syntax.split(":")[0].split(">")[0].split("<")[0].split("=")[0] for t in rows}
    values = ["", "1", "0", "2+", "2-5", "x", "keep", "closed", "-1", "5-", "+", "nokeep", "9999"]
    pieces = [t.example for t in rows] + [t.syntax for t in rows]
    pieces += [f"{k}:{v}" for k in keys for v in values]
    operators = (">=", "<=", ">", "<", "=", "=>", "==")
    pieces += [f"rating{op}{n}" for op in operators for n in ("0", "5", "9", "x")]
    rng = random.Random(73)
    alphabet = "abcdefghiklmnoprstuvwxyz:+-<>=0123456789"
    for _ in range(400):
        key = rng.choice(sorted(keys))
        pieces.append(key + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))))
    return pieces


def test_a_piece_is_a_filter_exactly_when_a_row_reads_it_and_else_a_word() -> None:
    """The parser has no way to a filter but the table: each piece is the filter
    of the first row that reads it, with that row's value, or a word."""
    for piece in _pieces():
        parsed = parse_query(piece)
        rows = [t for t in search_tokens() if t.read(piece) is not None]
        if not rows:
            assert not _filters(parsed), piece
            continue
        first = rows[0]
        assert parsed.filters == ((first, first.read(piece)),), piece
        assert _filters(parsed) == {first.kind: (first.read(piece),)}, piece


def test_words_that_look_like_tokens_stay_words() -> None:
    for piece in ("faces:many", "eyes:blue", "proposal:maybe", "rating>=x", "tag:", "keeper"):
        parsed = parse_query(piece)
        assert not _filters(parsed) and parsed.words == (piece,), piece


def test_a_filter_no_row_reads_is_said_with_the_filters_there_are() -> None:
    parsed = parse_query("harbour persn:anna eyes:blue 10:30")
    assert parsed.unknown == ("persn:anna", "eyes:blue")  # "10:30" is no filter's shape
    sentence = unknown_sentence(parsed)
    assert sentence is not None and "persn:anna" in sentence
    for token in search_tokens():  # every filter there is, named
        key = token.syntax.split(":")[0] + ":" if ":" in token.syntax else token.syntax
        assert key in sentence or "<" in key or ">" in key, key
    assert unknown_sentence(parse_query("harbour tag:sea")) is None


def test_the_people_rows_are_the_people_filters_and_every_people_filter_a_row() -> None:
    people_rows = [t for t in search_tokens() if t.kind is TokenKind.PEOPLE]
    assert [t.syntax for t in people_rows] == [f.syntax for f in PEOPLE_FILTERS]
    for piece in _pieces():  # the catalog's filters accept exactly what the rows read
        read = any(t.read(piece) is not None for t in people_rows)
        assert read == (people_ids(piece) is not None), piece


def test_the_on_screen_choices_are_search_tokens_of_the_same_filter() -> None:
    """A People or Proposal choice names the token that finds its photos."""
    for people in PeopleChoice:
        assert parse_query(people.token).values(TokenKind.PEOPLE) == (people.token,)
    for proposal in ProposalChoice:
        assert parse_query(proposal.token).values(TokenKind.PROPOSAL) == (proposal,)
    proposal_rows = [t.syntax for t in search_tokens() if t.kind is TokenKind.PROPOSAL]
    assert proposal_rows == [c.token for c in ProposalChoice]


def test_search_help_and_the_docs_list_every_token() -> None:
    help_text, markdown = _search_help(), tokens_markdown()
    assert tokens_help() in help_text
    for token in search_tokens():
        assert f"    {token.syntax} " in help_text, token.syntax
        meaning = token.meaning.replace("|", "\\|")
        assert f"| `{token.syntax}` | {meaning} |" in markdown
    for kind in TokenKind:
        assert kind.combines in help_text and kind.combines in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert len(rows) == len(search_tokens())  # one Markdown row per token, no more


def test_tokens_markdown_is_pure_and_stable() -> None:
    assert tokens_markdown() == tokens_markdown()
    assert tokens_markdown().endswith("\n")
