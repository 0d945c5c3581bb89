"""The people filters, as one table (`PEOPLE_FILTERS`) of SQL over the faces
summary (`photo_faces`, m017).

Each row is a filter as a search writes it (`eyes:closed`, `faces:N+`), what it
finds, an example, and the SELECT of its photo ids; search (search.tokens) and
the gallery's People filter (`catalog.types.PeopleChoice`) read it. A photo the
faces stage has not looked at matches none. `FLAGGED_SQL` is what the cull
pass's likeliest-rejects order puts first.

The table imports no model (the search tooltip reads it before the catalog
opens). Invariants: only the narrow summary table is read (its partial
indexes), except by `person:nokeep`; parameters are always bound; tokens are
matched lower-cased, whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_FACES_WORD = 1000  # a count beyond any photo's (the stage keeps at most 200)

CLOSED_EYES_SQL = "SELECT photo_id AS id FROM photo_faces WHERE closed_eyes = 1"
SOFT_FACE_SQL = "SELECT photo_id AS id FROM photo_faces WHERE soft_face = 1"
EYES_OPEN_SQL = "SELECT photo_id AS id FROM photo_faces WHERE eyes_open = 1"
LAUGHING_SQL = "SELECT photo_id AS id FROM photo_faces WHERE laughing = 1"
SMILING_SQL = "SELECT photo_id AS id FROM photo_faces WHERE smiling = 1"
LOOKING_SQL = "SELECT photo_id AS id FROM photo_faces WHERE looking = 1"
# The photos a face verdict puts first in the cull pass's "likeliest rejects
# first": a key face with closed eyes or clearly soft (two partial indexes).
FLAGGED_SQL = (
    "SELECT photo_id AS id FROM photo_faces WHERE closed_eyes = 1"
    " UNION SELECT photo_id AS id FROM photo_faces WHERE soft_face = 1"
)

# One person's photos (MetadataFilter.person: the People view's click), as
# `curator list --person` finds them (catalog.people.naming.photos_of_person);
# the gallery's query keeps only live photos.
PERSON_SQL = (
    "SELECT DISTINCT f.photo_id AS id FROM face_person fp"
    " JOIN face f ON f.id = fp.face_id WHERE fp.person_id = ?"
)

Ids = tuple[str, list[object]]  # a SELECT of photo ids (column `id`) and its parameters


@dataclass(frozen=True)
class PeopleFilter:
    """One people filter: its token's form (`syntax`), what it finds, an example,
    and its photos (`ids` of the token's match against `pattern`)."""

    syntax: str
    meaning: str
    example: str
    pattern: re.Pattern[str]
    ids: Callable[[re.Match[str]], Ids]


def faces_between(low: int, high: int | None) -> Ids:
    """The photos with `low`..`high` faces (None: no upper bound), as a subquery."""
    if high is None:
        return "SELECT photo_id AS id FROM photo_faces WHERE faces >= ?", [low]
    return "SELECT photo_id AS id FROM photo_faces WHERE faces BETWEEN ? AND ?", [low, high]


def _count(m: re.Match[str], group: int) -> int:
    return min(int(m.group(group)), MAX_FACES_WORD)


def _between(m: re.Match[str]) -> Ids:
    low, high = _count(m, 1), _count(m, 2)
    return faces_between(min(low, high), max(low, high))


def _no_keep_ids() -> Ids:
    # Imported here: the table is read before the catalog is opened (the search
    # box's tooltip, at the window's first paint), the models only after it.
    from curator.catalog.people.coverage import no_keep_ids

    return no_keep_ids()


def _fixed(token: str, meaning: str, ids: Callable[[], Ids]) -> PeopleFilter:
    """A filter that is one fixed token (its own example)."""
    return PeopleFilter(token, meaning, token, re.compile(re.escape(token)), lambda _: ids())


PEOPLE_FILTERS: tuple[PeopleFilter, ...] = (
    _fixed(
        "eyes:closed",
        "a key face's eyes are shut (the CLOSED EYES badge; a laugh's narrowed eyes are not)",
        lambda: (CLOSED_EYES_SQL, []),
    ),
    _fixed("eyes:open", "every key face's eyes are open", lambda: (EYES_OPEN_SQL, [])),
    _fixed(
        "eyes:laughing",
        "a key face's eyes are narrowed in a laugh",
        lambda: (LAUGHING_SQL, []),
    ),
    _fixed(
        "face:soft",
        "a key face is clearly softer than the photo (the SOFT FACE badge)",
        lambda: (SOFT_FACE_SQL, []),
    ),
    _fixed("face:smiling", "every key face smiles", lambda: (SMILING_SQL, [])),
    _fixed("looking:camera", "everyone looking at the camera", lambda: (LOOKING_SQL, [])),
    _fixed(
        "person:nokeep",
        "the photos of every person (named, or seen often) with no kept photo",
        _no_keep_ids,
    ),
    PeopleFilter(
        "faces:N",
        "exactly N faces found; faces:0 is no people (the stage looked and found none)",
        "faces:2",
        re.compile(r"faces:(\d+)"),
        lambda m: faces_between(_count(m, 1), _count(m, 1)),
    ),
    PeopleFilter(
        "faces:N+",
        "N faces or more; faces:1+ is with people",
        "faces:2+",
        re.compile(r"faces:(\d+)\+"),
        lambda m: faces_between(_count(m, 1), None),
    ),
    PeopleFilter(
        "faces:N-M",
        "between N and M faces, both included",
        "faces:2-5",
        re.compile(r"faces:(\d+)-(\d+)"),
        _between,
    ),
)


def people_filter(token: str) -> tuple[PeopleFilter, re.Match[str]] | None:
    """The row of `PEOPLE_FILTERS` that `token` ("kind:value", any case) is, with
    its match; None when it is none of them."""
    text = token.lower()
    for row in PEOPLE_FILTERS:
        m = row.pattern.fullmatch(text)
        if m is not None:
            return row, m
    return None


def people_ids(token: str) -> Ids | None:
    """One people filter as the SELECT of its photo ids (column `id`) and its
    parameters; None when `token` is not one (see the module docstring)."""
    found = people_filter(token)
    return None if found is None else found[0].ids(found[1])


def people_condition(token: str, photo_col: str = "p.id") -> tuple[str, list[object]] | None:
    """One people filter as (`photo_col` IN (…), params); None when not one."""
    found = people_ids(token)
    return None if found is None else (f"{photo_col} IN ({found[0]})", found[1])
