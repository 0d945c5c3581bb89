"""A search token as one row (`SearchToken`): its kind, its words (syntax,
meaning, example), how it reads a piece of the query, and its predicate, the
SQL it narrows the photos by; and the makers of the common rows (`flag_token`,
`keyed_flag`, `keyed_reader`). The table of rows is `search.tokens`.

Invariants: a row's `read` never raises and takes a piece whole, in any case;
its `where` is called only with a value its own `read` returned, and returns an
SQL condition over the photo table aliased `p` with every value a bound
parameter. Nothing here reads the catalog: a predicate that needs it (the
seat's proposals, a person's name) imports and reads it when the SQL is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Self, TypeVar

__all__ = [
    "Condition",
    "SearchToken",
    "TokenKind",
    "flag_token",
    "keyed_flag",
    "keyed_reader",
]

Condition = tuple[str, list[object]]
"""An SQL condition over the photo table aliased `p`, and its parameters."""

V = TypeVar("V")


class TokenKind(StrEnum):
    """What a token narrows, naming its group in the help and the docs, and how
    several tokens of the kind combine: `combines` says it, `any_one` does it
    (OR when a photo has one of the kind, else AND). Tokens of different kinds,
    and the words, always combine with AND. A new kind is one member here and
    its rows in the table."""

    combines: str
    any_one: bool

    def __new__(cls, value: str, combines: str, any_one: bool = False) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.combines = combines
        member.any_one = any_one
        return member

    TAG = ("tag", "every one (AND)")
    TYPE = ("type", "any one (OR: a photo has one type)", True)
    RATING = ("rating", "every one (AND)")
    STATE = ("state", "any one (OR: a photo has one state)", True)
    PICKED = ("picked", "the same as one")
    PEOPLE = ("people", "every one (AND)")
    PERSON = ("person", "every one (AND): photos with all of them")
    BADGE = ("badge", "every one (AND)")
    PROPOSAL = ("proposal", "every one (AND)")

    @property
    def joiner(self) -> str:
        """What joins the SQL of several tokens of the kind."""
        return " OR " if self.any_one else " AND "


@dataclass(frozen=True, eq=False)  # a row is itself: compared and hashed by identity
class SearchToken(Generic[V]):
    """One search token (see the module docstring). `read` takes one piece of
    the query (a `key:"quoted value"` as `key:quoted value`) and returns the
    token's value, or None when the piece is not this token; `where` makes the
    value's SQL condition over `p` and its parameters."""

    syntax: str
    meaning: str
    example: str
    kind: TokenKind
    read: Callable[[str], V | None]
    where: Callable[[V], Condition]


def keyed_reader(key: str, value_of: Callable[[str], str]) -> Callable[[str], str | None]:
    """A reader of `key:VALUE` (the key in any case), the value as `value_of`
    makes it; None for another key or an empty value."""

    def read(piece: str) -> str | None:
        name, sep, value = piece.partition(":")
        if not sep or name.lower() != key:
            return None
        return value_of(value) or None

    return read


def flag_token(word: str, meaning: str, kind: TokenKind, sql: str) -> SearchToken[str]:
    """A token that is one fixed `word` (read in any case; its own example and
    its value), whose predicate is the fixed condition `sql` over `p`."""
    word = word.lower()

    def read(piece: str) -> str | None:
        return word if piece.lower() == word else None

    return SearchToken(word, meaning, word, kind, read, lambda _: (sql, []))


def keyed_flag(key: str, value: str, meaning: str, kind: TokenKind, sql: str) -> SearchToken[str]:
    """A fixed `key:value` token (`tilted:yes`), read in any case, whose
    predicate is the fixed condition `sql` over `p`: `unknown_sentence` names
    its key among the filters."""
    assert key.isalpha() and value and not value.isspace(), (key, value)
    return flag_token(f"{key}:{value}", meaning, kind, sql)
