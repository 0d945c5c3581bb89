"""The search tokens as one table (`SEARCH_TOKENS`), and the parser that reads
a query with it (`parse_query`).

A token is one row (`search.token_rows.SearchToken`): its kind, its words, how
it reads a piece of the query, and its predicate (SQL over the photo `p`). The
parser offers every piece of a query to the rows in order (`search_tokens`: the
table's rows, then a row per cull check's badge); a piece no row takes is a
word. The rows render `curator search --help` (`tokens_help`), the search box's
tooltip (`tokens_tooltip`) and the docs (`tokens_markdown`), and make the
search's SQL (`search.text`, which keeps none of its own per token); the people
and proposal rows come from `catalog.people.filters.PEOPLE_FILTERS` and
`catalog.types.ProposalChoice`, the badge rows from `cull.table.CHECKS` as it is
when read (a check with a badge brings its word without a row here).

Adding a token is adding its row here (`flag_token` and `keyed_flag` make a
fixed word's or a fixed `key:value`'s row in one call); a new kind of token is
one more `TokenKind` member and its rows.

Invariants: `parse_query` never raises; a token is matched whole, in any case;
no catalog model is imported (the search box reads the table at first paint):
a predicate that reads the catalog imports it when its SQL is made.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

from curator.catalog.people.filters import PEOPLE_FILTERS, PeopleFilter, people_condition
from curator.catalog.types import ProposalChoice
from curator.cull import table
from curator.cull.check_types import CullCheck
from curator.search.token_rows import (
    Condition,
    SearchToken,
    TokenKind,
    flag_token,
    keyed_flag,
    keyed_reader,
)

__all__ = [
    "SEARCH_TOKENS",
    "Condition",
    "ParsedQuery",
    "SearchToken",
    "TokenKind",
    "flag_token",
    "has_token",
    "keyed_flag",
    "keyed_reader",
    "parse_query",
    "search_tokens",
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

# A live tag's photos (a removed tag no longer narrows).
_TAG_SQL = (
    "p.id IN (SELECT pt.photo_id FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id"
    " WHERE t.name = ? AND pt.removed_at IS NULL)"
)
_TYPE_SQL = "p.id IN (SELECT photo_id FROM description WHERE content_type = ?)"


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


def _rating_where(rating: tuple[str, int]) -> Condition:
    op, stars = rating
    assert op in RATING_OPS  # the readers' own operators: never the user's text
    return f"coalesce(p.rating, 0) {op} ?", [stars]


def _people(row: PeopleFilter) -> SearchToken[str]:
    def read(piece: str) -> str | None:
        return piece.lower() if row.pattern.fullmatch(piece.lower()) else None

    def where(token: str) -> Condition:
        condition = people_condition(token)
        assert condition is not None  # a token its row read is a people filter
        return condition

    return SearchToken(row.syntax, row.meaning, row.example, TokenKind.PEOPLE, read, where)


def _person_where(word: str) -> Condition:
    """A person by name or number (catalog.people.naming)."""
    from curator.catalog.people.naming import person_photos_sql

    sql, params = person_photos_sql(word)
    return f"p.id IN ({sql})", params


_PROPOSAL_MEANINGS = {
    ProposalChoice.KEEP: "the photos Curator proposes you keep (your proposals, Cull ▸ Propose…)",
    ProposalChoice.REJECT: "the photos Curator proposes you reject (your proposals)",
    ProposalChoice.HIGHLIGHT: "the highlights among the photos it proposes you keep",
}


def _proposal_where(choice: ProposalChoice) -> Condition:
    """Cull for me: this seat's photographer's proposals, the seat read now."""
    from curator.catalog.backends.seat import current_seat
    from curator.catalog.proposals.store import proposal_id_set

    sql, params = proposal_id_set(choice, current_seat().user)
    return f"p.id IN ({sql})", params


def _proposal(choice: ProposalChoice) -> SearchToken[ProposalChoice]:
    def read(piece: str) -> ProposalChoice | None:
        return choice if piece.lower() == choice.token else None

    meaning = _PROPOSAL_MEANINGS[choice]
    return SearchToken(
        choice.token, meaning, choice.token, TokenKind.PROPOSAL, read, _proposal_where
    )


def _badge(check: CullCheck) -> SearchToken[str]:
    """A tile's badge, as the cull checks' table says it shows."""
    assert check.badge is not None
    meaning = f"photos whose tile shows {check.badge.text} ({check.label.lower()})"
    return flag_token(check.badge_token, meaning, TokenKind.BADGE, check.badge_sql("p"))


SEARCH_TOKENS: tuple[SearchToken[Any], ...] = (
    SearchToken(
        "tag:NAME",
        'photos carrying this live tag; tag:"golden hour" for a tag of several words',
        "tag:harbour",
        TokenKind.TAG,
        keyed_reader("tag", _tag_name),
        lambda name: (_TAG_SQL, [name]),
    ),
    SearchToken(
        "type:TYPE",
        'the content type of the description (still-life, still_life and "still life" are one)',
        "type:portrait",
        TokenKind.TYPE,
        keyed_reader("type", _content_type),
        lambda content_type: (_TYPE_SQL, [content_type]),
    ),
    SearchToken(
        "rating>=N",
        "at least N stars (also >, <=, <, =); unrated counts as 0",
        "rating>=4",
        TokenKind.RATING,
        _rating,
        _rating_where,
    ),
    SearchToken(
        "rating:N", "exactly N stars", "rating:0", TokenKind.RATING, _rating_exact, _rating_where
    ),
    flag_token("kept", "the photos you kept", TokenKind.STATE, "p.cull = 'kept'"),
    flag_token("rejected", "the photos you rejected", TokenKind.STATE, "p.cull = 'rejected'"),
    flag_token(
        "unreviewed",
        "the photos not kept or rejected yet",
        TokenKind.STATE,
        "p.cull = 'unreviewed'",
    ),
    flag_token("picked", "the photos you picked", TokenKind.PICKED, "p.picked = 1"),
    *(_people(row) for row in PEOPLE_FILTERS),
    SearchToken(
        "person:NAME",
        'photos with a face of the person so named (any case; person:"Anna K" for a'
        " name of several words), or of that person number",
        "person:anna",
        TokenKind.PERSON,
        keyed_reader("person", lambda raw: " ".join(raw.split())),
        _person_where,
    ),
    *(_proposal(choice) for choice in ProposalChoice),
)

# The badge rows of the last `table.CHECKS` read, made again only when the
# checks' table is another (a row is compared by identity: the same rows each
# parse). A race between threads only makes them twice.
_badge_rows: list[tuple[tuple[CullCheck, ...], tuple[SearchToken[str], ...]]] = []


def search_tokens() -> tuple[SearchToken[Any], ...]:
    """Every token in the parser's order: the table's rows (`SEARCH_TOKENS`), then
    one per cull check with a badge (`cull.table.CHECKS`: its badge's word)."""
    checks = table.CHECKS
    made = _badge_rows[-1] if _badge_rows else None
    if made is None or made[0] is not checks:
        made = (checks, tuple(_badge(c) for c in checks if c.badge is not None))
        _badge_rows[:] = [made]
    return (*SEARCH_TOKENS, *made[1])


Filter = tuple[SearchToken[Any], Any]  # a row of the table and the value it read


@dataclass(frozen=True)
class ParsedQuery:
    """A search query split into FTS terms and filters: each filter the row
    that read it and its value, deduplicated, in the query's order."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    # `key:value` pieces whose key no token has ("persn:anna"): said, never searched
    unknown: tuple[str, ...] = ()

    @property
    def has_text(self) -> bool:
        """Whether there is anything for FTS to match."""
        return bool(self.words or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.has_filters)

    def values(self, kind: TokenKind) -> tuple[Any, ...]:
        """The values the query's tokens of `kind` read, deduplicated, in order
        (`person:Anna` → ("Anna",); `kept` → ("kept",))."""
        return tuple(dict.fromkeys(value for row, value in self.filters if row.kind is kind))

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
    rows = search_tokens()
    filters: list[Filter] = []
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
        for token in rows:
            value = token.read(piece)
            if value is not None:
                filters.append((token, value))
                break
        else:
            name, colon, value = piece.partition(":")
            if colon and value and name.isalpha():  # a filter's shape, no filter's read
                unknown.append(piece)  # said by the command line; the box keeps it a word
            if has_token(piece):
                words.append(piece)
    return ParsedQuery(
        words=tuple(dict.fromkeys(words)),
        phrases=tuple(dict.fromkeys(phrases)),
        filters=tuple(dict.fromkeys(filters)),
        unknown=tuple(dict.fromkeys(unknown)),
    )


def unknown_sentence(parsed: ParsedQuery) -> str | None:
    """What to say of a query's unknown filters (None: none): which, and the
    filters there are."""
    if not parsed.unknown:
        return None
    rows = search_tokens()
    keys = sorted({t.syntax.split(":")[0] + ":" for t in rows if ":" in t.syntax})
    words = [t.syntax for t in rows if ":" not in t.syntax and "<" not in t.syntax]
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
    rows = search_tokens()
    column = max(len(t.syntax) for t in rows) + 6
    kind: TokenKind | None = None
    for token in rows:
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
    text = "Filters: " + ", ".join(t.syntax for t in search_tokens()) + "."
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
    for t in search_tokens():
        cells = (f"`{t.syntax}`", t.meaning, f"`{t.example}`", t.kind.value, t.kind.combines)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
