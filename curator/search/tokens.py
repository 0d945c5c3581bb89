"""The search tokens as one table (`SEARCH_TOKENS`), and the parser that reads
a query with it (`parse_query`).

`parse_query` offers every piece of a query to the rows (`SearchToken`) in
order; a piece no row takes is a word. The table renders `curator search
--help` (`tokens_help`), the search box's tooltip (`tokens_tooltip`) and the
docs (`tokens_markdown`); the people and proposal rows come from
`catalog.people.filters.PEOPLE_FILTERS` and `catalog.types.ProposalChoice`.

Invariants: `parse_query` never raises; a token is matched whole, in any case;
no catalog model is imported (the search box reads the table at first paint).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from curator.catalog.people.filters import PEOPLE_FILTERS, PeopleFilter
from curator.catalog.types import ProposalChoice
from curator.cull.check_types import CullCheck
from curator.cull.table import CHECKS

__all__ = [
    "SEARCH_TOKENS",
    "ParsedQuery",
    "SearchToken",
    "TokenKind",
    "has_token",
    "parse_query",
    "tokens_help",
    "tokens_markdown",
    "tokens_tooltip",
    "unknown_sentence",
]

RATING_OPS = (">=", "<=", ">", "<", "=")
# key:"quoted value" | "phrase" (an unclosed quote runs to the end) | a run of non-space
_PIECE = re.compile(r'(\w+):"([^"]*)"?|"([^"]*)"?|(\S+)')
_RATING = re.compile(r"rating(>=|<=|>|<|=)(\d+)", re.IGNORECASE)
_RATING_EXACT = re.compile(r"rating:(\d+)", re.IGNORECASE)
_WORD_CHARS = re.compile(r"[^\W_]+")
MAX_STARS = 6  # stars are 0-5 (unrated counts as 0): 6 says what any larger number says


class TokenKind(StrEnum):
    """What a token narrows: the `ParsedQuery` field its values fill (`field`),
    and how several tokens of the kind combine (tokens of different kinds, and
    the words, always combine with AND)."""

    field: str
    combines: str

    def __new__(cls, value: str, field: str = "", combines: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.field = field
        member.combines = combines
        return member

    TAG = ("tag", "tags", "every one (AND)")
    TYPE = ("type", "content_types", "any one (OR: a photo has one type)")
    RATING = ("rating", "ratings", "every one (AND)")
    STATE = ("state", "cull", "any one (OR: a photo has one state)")
    PICKED = ("picked", "picked", "the same as one")
    PEOPLE = ("people", "people", "every one (AND)")
    PERSON = ("person", "persons", "every one (AND): photos with all of them")
    BADGE = ("badge", "badges", "every one (AND)")
    PROPOSAL = ("proposal", "proposals", "every one (AND)")


@dataclass(frozen=True)
class SearchToken:
    """One row of the table (see the module docstring). `read` takes one piece
    of the query (a `key:"quoted value"` as `key:quoted value`) and returns the
    filter's value, or None when the piece is not this token."""

    syntax: str
    meaning: str
    example: str
    kind: TokenKind
    read: Callable[[str], Any]


def _keyed(key: str, value_of: Callable[[str], str]) -> Callable[[str], str | None]:
    """A reader of `key:VALUE` (the key in any case), the value as `value_of`
    makes it; None for another key or an empty value."""

    def read(piece: str) -> str | None:
        name, sep, value = piece.partition(":")
        if not sep or name.lower() != key:
            return None
        return value_of(value) or None

    return read


def _tag_name(raw: str) -> str:
    return " ".join(raw.lower().split())


def _content_type(raw: str) -> str:
    return "_".join(raw.lower().replace("-", " ").replace("_", " ").split())


def _rating(piece: str) -> tuple[str, int] | None:
    m = _RATING.fullmatch(piece)
    return None if m is None else (m.group(1), min(int(m.group(2)), MAX_STARS))


def _rating_exact(piece: str) -> tuple[str, int] | None:
    m = _RATING_EXACT.fullmatch(piece)
    return None if m is None else ("=", min(int(m.group(1)), MAX_STARS))


def _word(word: str) -> Callable[[str], str | None]:
    return lambda piece: word if piece.lower() == word else None


def _people(row: PeopleFilter) -> SearchToken:
    def read(piece: str) -> str | None:
        return piece.lower() if row.pattern.fullmatch(piece.lower()) else None

    return SearchToken(row.syntax, row.meaning, row.example, TokenKind.PEOPLE, read)


_PROPOSAL_MEANINGS = {
    ProposalChoice.KEEP: "the photos Curator proposes you keep (your proposals, Cull ▸ Propose…)",
    ProposalChoice.REJECT: "the photos Curator proposes you reject (your proposals)",
    ProposalChoice.HIGHLIGHT: "the highlights among the photos it proposes you keep",
}


def _proposal(choice: ProposalChoice) -> SearchToken:
    def read(piece: str) -> ProposalChoice | None:
        return choice if piece.lower() == choice.token else None

    meaning = _PROPOSAL_MEANINGS[choice]
    return SearchToken(choice.token, meaning, choice.token, TokenKind.PROPOSAL, read)


def _badge(check: CullCheck) -> SearchToken:
    assert check.badge is not None
    word = check.badge_token
    meaning = f"photos whose tile shows {check.badge.text} ({check.label.lower()})"
    return SearchToken(word, meaning, word, TokenKind.BADGE, _word(word))


SEARCH_TOKENS: tuple[SearchToken, ...] = (
    SearchToken(
        "tag:NAME",
        'photos carrying this live tag; tag:"golden hour" for a tag of several words',
        "tag:harbour",
        TokenKind.TAG,
        _keyed("tag", _tag_name),
    ),
    SearchToken(
        "type:TYPE",
        'the content type of the description (still-life, still_life and "still life" are one)',
        "type:portrait",
        TokenKind.TYPE,
        _keyed("type", _content_type),
    ),
    SearchToken(
        "rating>=N",
        "at least N stars (also >, <=, <, =); unrated counts as 0",
        "rating>=4",
        TokenKind.RATING,
        _rating,
    ),
    SearchToken("rating:N", "exactly N stars", "rating:0", TokenKind.RATING, _rating_exact),
    SearchToken("kept", "the photos you kept", "kept", TokenKind.STATE, _word("kept")),
    SearchToken(
        "rejected", "the photos you rejected", "rejected", TokenKind.STATE, _word("rejected")
    ),
    SearchToken(
        "unreviewed",
        "the photos not kept or rejected yet",
        "unreviewed",
        TokenKind.STATE,
        _word("unreviewed"),
    ),
    SearchToken("picked", "the photos you picked", "picked", TokenKind.PICKED, _word("picked")),
    *(_people(row) for row in PEOPLE_FILTERS),
    SearchToken(
        "person:NAME",
        'photos with a face of the person so named (any case; person:"Anna K" for a'
        " name of several words), or of that person number",
        "person:anna",
        TokenKind.PERSON,
        _keyed("person", lambda raw: " ".join(raw.split())),
    ),
    *(_proposal(choice) for choice in ProposalChoice),
    *(_badge(check) for check in CHECKS if check.badge is not None),
)


@dataclass(frozen=True)
class ParsedQuery:
    """A search query split into FTS terms and filters, one field per `TokenKind`
    (its `field`)."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    ratings: tuple[tuple[str, int], ...] = ()  # (operator, stars); operator in RATING_OPS
    cull: tuple[str, ...] = ()  # kept | rejected | unreviewed (any of them)
    picked: bool = False
    people: tuple[str, ...] = ()  # people tokens ("eyes:closed"): catalog.people.filters
    proposals: tuple[ProposalChoice, ...] = ()  # this seat's proposals
    persons: tuple[str, ...] = ()  # people by name (or number): catalog.people.naming
    badges: tuple[str, ...] = ()  # the tiles' badges ("blur"): cull.table's checks
    # `key:value` pieces whose key no token has ("persn:anna"): said, never searched
    unknown: tuple[str, ...] = ()

    @property
    def has_text(self) -> bool:
        """Whether there is anything for FTS to match."""
        return bool(self.words or self.phrases)

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, kind.field) for kind in TokenKind)

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.has_filters)

    def fts_expression(self) -> str | None:
        """The FTS5 MATCH expression (every term quoted), None without words."""
        parts = [_quote(p) for p in self.phrases]
        for word in self.words:
            quoted = _quote(word)
            parts.append(f"({quoted} OR {quoted}*)" if len(word) >= 2 else quoted)
        return " AND ".join(parts) if parts else None


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def has_token(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer would find a token in `text`."""
    return _WORD_CHARS.search(text) is not None


def parse_query(text: str) -> ParsedQuery:
    """Split `text` into words, phrases and the table's filters; never raises."""
    found: dict[TokenKind, list[Any]] = {kind: [] for kind in TokenKind}
    words: list[str] = []
    phrases: list[str] = []
    unknown: list[str] = []
    for m in _PIECE.finditer(text):
        key, keyed, phrase, piece = m.group(1), m.group(2), m.group(3), m.group(4)
        if key is not None:
            piece = f"{key}:{keyed}"
        elif phrase is not None:
            if has_token(phrase):
                phrases.append(" ".join(phrase.split()))
            continue
        assert piece is not None
        for token in SEARCH_TOKENS:
            value = token.read(piece)
            if value is not None:
                found[token.kind].append(value)
                break
        else:
            name, colon, value = piece.partition(":")
            if colon and value and name.isalpha():  # a filter's shape, no filter's read
                unknown.append(piece)  # said by the command line; the box keeps it a word
            if has_token(piece):
                words.append(piece)

    filters: dict[str, Any] = {kind.field: tuple(dict.fromkeys(found[kind])) for kind in TokenKind}
    filters[TokenKind.PICKED.field] = bool(found[TokenKind.PICKED])  # a flag, not values
    return ParsedQuery(
        words=tuple(dict.fromkeys(words)),
        phrases=tuple(dict.fromkeys(phrases)),
        unknown=tuple(dict.fromkeys(unknown)),
        **filters,
    )


def unknown_sentence(parsed: ParsedQuery) -> str | None:
    """What to say of a query's unknown filters (None: none): which, and the
    filters there are."""
    if not parsed.unknown:
        return None
    keys = sorted({t.syntax.split(":")[0] + ":" for t in SEARCH_TOKENS if ":" in t.syntax})
    words = [t.syntax for t in SEARCH_TOKENS if ":" not in t.syntax and "<" not in t.syntax]
    return (
        f"Unknown filter {', '.join(parsed.unknown)}: the filters are {', '.join(keys)}"
        f" and the words {', '.join(words)} (`curator search --help` lists them all)."
    )


# -- the table rendered -------------------------------------------------------------

_INTRO = (
    'Words and "phrases" match the subject, tags, content type, mood, lighting, file '
    "names and caption (every word, as a prefix too); filters narrow the set."
)
_COMBINE = (
    "Filters of different kinds, and the words, combine with AND; several of one kind "
    'as its kind says. A filter in quotes ("kept") is searched as a phrase.'
)


def tokens_help(width: int = 79) -> str:
    """The table as plain text for `curator search --help` (an epilog kept as
    written: RawDescriptionHelpFormatter)."""
    lines = ["search filters (in QUERY, among the words):"]
    column = max(len(t.syntax) for t in SEARCH_TOKENS) + 6
    kind: TokenKind | None = None
    for token in SEARCH_TOKENS:
        if token.kind is not kind:
            kind = token.kind
            lines.append(f"  {kind.value}, several: {kind.combines}")
        example = "" if token.example == token.syntax else f"; e.g. {token.example}"
        wrapped = textwrap.wrap(token.meaning + example, width - column) or [""]
        lines.append(f"    {token.syntax:<{column - 4}}{wrapped[0]}")
        lines.extend(" " * column + more for more in wrapped[1:])
    lines.append("")
    lines.extend(textwrap.wrap(f"{_INTRO} {_COMBINE}", width))
    return "\n".join(lines)


def tokens_tooltip(width: int = 72) -> str:
    """Every token's syntax, for the search box's tooltip (a line of filters)."""
    text = "Filters: " + ", ".join(t.syntax for t in SEARCH_TOKENS) + "."
    return "\n".join(textwrap.wrap(text, width))


def tokens_markdown() -> str:
    """The table as Markdown for the docs' reference (pure: reads nothing but
    the table)."""
    lines = [
        _COMBINE,
        "",
        "| token | finds | example | kind | several of the kind |",
        "|---|---|---|---|---|",
    ]
    for t in SEARCH_TOKENS:
        cells = (f"`{t.syntax}`", t.meaning, f"`{t.example}`", t.kind.value, t.kind.combines)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
