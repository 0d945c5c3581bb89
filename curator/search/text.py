"""Text search: words through SQLite FTS5 (`photo_fts`, migrations 7 and 10) or
PostgreSQL's full-text search (catalog.backends.pg_schema), plus the filter
tokens of `search.tokens`, each narrowing by its own row's SQL (this module
keeps none per token).

- Words match subject, tags, content type, mood, lighting, file names and
  caption, folding case and accents; every word must match (AND); a word of
  two characters or more is also a prefix; "quoted phrases" match exactly.
- User text never reaches FTS5 unquoted; a word without letters or digits is
  dropped.

Ranking: bm25 weighted by `FIELDS`; filters alone return capture-time order,
score 0. A hit's `why` names the matching fields (best `WHY_LIMIT` hits);
`ranked_ids` is the same ranking bare. Figures: docs/decisions/search.md.
Deleted photos never appear; a RAW+JPEG pair appears once, as its RAW.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.gallery_filters import ordered_ids
from curator.catalog.models import Photo
from curator.catalog.paths_codec import FOLLOWERS_SQL, pairing_on
from curator.search.tokens import Condition, ParsedQuery, TokenKind, parse_query
from curator.search.types import SearchHit

__all__ = [
    "FIELDS",
    "FIRST_PAGE",
    "WEIGHTS",
    "FtsColumn",
    "ranked_ids",
    "text_search",
]


@dataclass(frozen=True)
class FtsColumn:
    """One `photo_fts` column: its name there, how a hit's `why` names it, its bm25
    weight."""

    column: str
    why: str
    weight: float


FIELDS: tuple[FtsColumn, ...] = (
    FtsColumn("subject", "subject", 10.0),
    FtsColumn("tags", "tags", 10.0),
    FtsColumn("content_type", "type", 5.0),
    FtsColumn("mood", "mood", 3.0),
    FtsColumn("lighting", "lighting", 3.0),
    FtsColumn("names", "file name", 1.0),
    FtsColumn("caption", "caption", 10.0),
)
"""The `photo_fts` columns, in the index's column order (bm25 takes its weights so)."""

WEIGHTS: tuple[float, ...] = tuple(f.weight for f in FIELDS)
"""bm25 weight of each column, in `photo_fts` column order (`FIELDS`)."""

WHY_LIMIT = 200
"""Hits past this many (best first) get no field names in `why` (only
"missing" where it applies): reading the columns of 10,000 hits would cost
more than the search itself, and people read the top of a list."""

FIRST_PAGE = 500
"""The gallery's first delivery of a text search (`ranked_ids(q, limit=FIRST_PAGE)`):
a couple of screens of the grid, shown before the whole ranking is in: a word
in every one of 100,000 photos, p50 106-143 ms against the whole ranking's
144-192 (tests/bench/test_search_text_bench.py). It is the whole ranking's
head (same ORDER BY, ties by id)."""

_WORD_CHARS = re.compile(r"[^\W_]+")


def _filter_sql(q: ParsedQuery, within: Iterable[int] | None) -> tuple[list[str], list[object]]:
    """The WHERE conditions over the photo `p`, and their parameters: the live
    photos (a RAW+JPEG pair once), each filter's own predicate (its row's
    `where`: `search.tokens`), several of one kind joined as the kind says."""
    where = ["p.deleted_at IS NULL"]
    if pairing_on():  # a RAW+JPEG pair once: its lead
        where.append("p.pair_lead_id IS NULL")
    params: list[object] = []
    by_kind: dict[TokenKind, list[Condition]] = {}
    for row, value in q.filters:
        by_kind.setdefault(row.kind, []).append(row.where(value))
    for kind, conditions in by_kind.items():
        joined = kind.joiner.join(sql for sql, _ in conditions)
        where.append(joined if len(conditions) == 1 else f"({joined})")
        params.extend(param for _, more in conditions for param in more)
    if within is not None:
        where.append("p.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([int(i) for i in within]))
    return where, params


def text_search(
    query: str, *, limit: int | None = None, within: Iterable[int] | None = None
) -> list[SearchHit]:
    """Photos matching `query` (see the module docstring), best first, at most
    `limit`, only among `within` when given; an empty query finds nothing."""
    parsed = parse_query(query)
    ranking = _ranking(parsed, limit, within)
    if ranking is None:
        return []
    rows, missing = ranking
    shown = rows[:WHY_LIMIT] if parsed.has_text else []  # the rows read with their reasons
    whys = _whys(parsed, [pid for pid, _ in shown])
    hits = [
        SearchHit(
            pid, score, ", ".join([*whys.get(pid, ()), *(["missing"] if pid in missing else [])])
        )
        for pid, score in shown
    ]
    return hits + [
        SearchHit(pid, score, "missing" if pid in missing else "")
        for pid, score in rows[len(shown) :]
    ]


def ranked_ids(
    query: str, *, limit: int | None = None, within: Iterable[int] | None = None
) -> list[int]:
    """`text_search`'s photo ids in its order, without making a hit or reading a
    reason per photo (the gallery's search: it shows only the photos)."""
    parsed = parse_query(query)
    expression = parsed.fts_expression()
    words_only = expression is not None and not parsed.has_filters and within is None
    if words_only and not dialect_of(Photo._meta.database).is_postgres:
        assert expression is not None
        return _ranked_word_ids(expression, limit)  # the common case, and the largest
    ranking = _ranking(parsed, limit, within)
    return [] if ranking is None else [pid for pid, _ in ranking[0]]


_WEIGHTS_SQL = ", ".join(str(w) for w in WEIGHTS)
# (photo id, score: -bm25 or 0), best first; and which of those photos are missing.
_Ranking = tuple[list[tuple[int, float]], set[int]]


def _ranking(
    parsed: ParsedQuery, limit: int | None, within: Iterable[int] | None
) -> _Ranking | None:
    """The ranked photos (None: an empty query, which finds nothing)."""
    if parsed.is_empty:
        return None
    where, params = _filter_sql(parsed, within)
    tail = " LIMIT ?" if limit is not None else ""
    if limit is not None:
        params.append(max(0, int(limit)))
    if parsed.has_text and dialect_of(Photo._meta.database).is_postgres:
        if not parsed.has_filters and within is None:
            return _ranked_postgres_words(parsed, limit)
        return _ranked_postgres(parsed, where, params, tail)
    expression = parsed.fts_expression()
    if expression is None:
        found = Photo._meta.database.execute_sql(
            f"SELECT p.id, p.missing_since IS NOT NULL FROM photo p WHERE {' AND '.join(where)}"
            f" ORDER BY p.captured_at IS NULL, p.captured_at, p.path{tail}",
            params,
        ).fetchall()
        return [(int(pid), 0.0) for pid, _ in found], {int(pid) for pid, gone in found if gone}
    if parsed.has_filters or within is not None:
        return _ranked_with_filters(expression, where, params, tail)
    return _ranked_words(expression, limit)


# ts_rank's weights of the classes D, C, B, A (pg_schema: file names; mood and
# lighting; content type; subject, tags and caption), as `WEIGHTS` / 10.
_PG_WEIGHTS = "'{0.1, 0.3, 0.5, 1.0}'"


def _tsquery(parsed: ParsedQuery) -> str:
    """The query's words and phrases for PostgreSQL's `to_tsquery('simple', …)`:
    folded as the index folds (`curator_fold`), every lexeme quoted; a word's
    tokens in a row, the last one a prefix for a word of two characters or
    more (as FTS5 reads `"word"*`); a phrase's tokens in a row, exactly."""
    parts = []
    for text, prefix in [(p, False) for p in parsed.phrases] + [
        (w, len(w) >= 2) for w in parsed.words
    ]:
        tokens = [f"'{t}'" for t in _fold_tokens(text)]
        if not tokens:
            continue
        if prefix:
            tokens[-1] += ":*"
        parts.append("(" + " <-> ".join(tokens) + ")")
    return " & ".join(parts)


def _ranked_postgres(
    parsed: ParsedQuery, where: list[str], params: list[object], tail: str
) -> _Ranking:
    found = Photo._meta.database.execute_sql(
        f"SELECT p.id, ts_rank({_PG_WEIGHTS}, f.document, q) AS score,"
        " p.missing_since IS NOT NULL FROM photo_fts f JOIN photo p ON p.id = f.rowid,"
        " to_tsquery('simple', ?) AS q"
        f" WHERE f.document @@ q AND {' AND '.join(where)} ORDER BY score DESC, p.id{tail}",
        [_tsquery(parsed), *params],
    ).fetchall()
    rows = [(int(pid), float(score)) for pid, score, _ in found]
    return rows, {int(pid) for pid, _, gone in found if gone}


def _ranked_postgres_words(parsed: ParsedQuery, limit: int | None) -> _Ranking:
    """Words alone on PostgreSQL, as `_ranked_words` on SQLite: ranked in
    `photo_fts` alone (a top-N sort of ids and scores, ~100 ms for a word in
    every one of 100,000 photos), the purged photos and paired JPEGs dropped,
    the missing ones marked. The order is `_ranked_postgres`': score, then id."""
    db = Photo._meta.database
    left_out = _left_out()
    sql = (
        f"SELECT f.rowid, ts_rank({_PG_WEIGHTS}, f.document, q) AS score"
        " FROM photo_fts f, to_tsquery('simple', ?) AS q WHERE f.document @@ q"
        " ORDER BY score DESC, f.rowid"
    )
    params: list[object] = [_tsquery(parsed)]
    if limit is not None:  # enough for `limit` shown photos, whichever hits are left out
        sql, params = f"{sql} LIMIT ?", [*params, max(0, int(limit)) + len(left_out)]
    found = dialect_of(db).execute_wide(db, sql, params).fetchall()  # a common word: every row
    rows = [(int(pid), float(score)) for pid, score in found]
    if left_out:
        rows = [row for row in rows if row[0] not in left_out]
    missing = {int(pid) for (pid,) in db.execute_sql(_MISSING_SQL)}
    return (rows if limit is None else rows[: max(0, int(limit))]), missing


def _ranked_with_filters(
    expression: str, where: list[str], params: list[object], tail: str
) -> _Ranking:
    found = Photo._meta.database.execute_sql(
        f"SELECT p.id, -bm25(photo_fts, {_WEIGHTS_SQL}) AS score, p.missing_since IS NOT NULL"
        " FROM photo_fts JOIN photo p ON p.id = photo_fts.rowid"
        f" WHERE photo_fts MATCH ? AND {' AND '.join(where)} ORDER BY score DESC, p.id{tail}",
        [expression, *params],
    ).fetchall()
    rows = [(int(pid), float(score)) for pid, score, _ in found]
    return rows, {int(pid) for pid, _, gone in found if gone}


def _ranked_words(expression: str, limit: int | None) -> _Ranking:
    """Words alone: ranked in `photo_fts` without a photo row per hit; the purged
    photos dropped and the missing ones marked from their own partial indexes
    (m005, m014). The order is the joined query's: bm25, then id."""
    db = Photo._meta.database
    purged = _left_out()
    missing = {pid for (pid,) in db.execute_sql(_MISSING_SQL)}
    sql = (
        f"SELECT rowid, -bm25(photo_fts, {_WEIGHTS_SQL}) AS score FROM photo_fts"
        " WHERE photo_fts MATCH ? ORDER BY score DESC, rowid"
    )
    params: list[object] = [expression]
    if limit is not None:  # enough for `limit` live photos, whichever hits are purged
        sql, params = f"{sql} LIMIT ?", [expression, max(0, int(limit)) + len(purged)]
    rows: list[tuple[int, float]] = db.execute_sql(sql, params).fetchall()
    if purged:  # most catalogs have none: the rows as SQLite gave them
        rows = [row for row in rows if row[0] not in purged]
    return (rows if limit is None else rows[: max(0, int(limit))]), missing


def _ranked_word_ids(expression: str, limit: int | None) -> list[int]:
    """`_ranked_words`' ids in the same order (bm25 ascending is -bm25
    descending), one column a row, read as one comma-joined string
    (`ordered_ids`), not a Python row per hit."""
    purged = _left_out()
    sql = (
        "SELECT rowid AS id FROM photo_fts WHERE photo_fts MATCH ?"
        f" ORDER BY bm25(photo_fts, {_WEIGHTS_SQL}), rowid"
    )
    params: list[object] = [expression]
    if limit is not None:
        sql, params = f"{sql} LIMIT ?", [expression, max(0, int(limit)) + len(purged)]
    ids = ordered_ids(sql, params)
    if purged:  # most catalogs have none: the list as SQLite gave it
        ids = [pid for pid in ids if pid not in purged]
    return ids if limit is None else ids[: max(0, int(limit))]


def _left_out() -> set[int]:
    """Photos a search never shows: purged to the trash, and while pairing is on
    the JPEG of a RAW+JPEG pair (shown once, as its RAW)."""
    db = Photo._meta.database
    purged = {pid for (pid,) in db.execute_sql(_PURGED_SQL)}
    if pairing_on():
        purged.update(pid for (pid,) in db.execute_sql(FOLLOWERS_SQL))
    return purged


_PURGED_SQL = "SELECT id FROM photo WHERE deleted_at IS NOT NULL"
_MISSING_SQL = "SELECT id FROM photo WHERE missing_since IS NOT NULL"


def _whys(parsed: ParsedQuery, photo_ids: list[int]) -> dict[int, list[str]]:
    """The fields where a query term shows, for these photos (a word as a prefix
    of a token, a phrase's words each somewhere: a hint for people, not a proof)."""
    if not photo_ids:
        return {}
    terms = [
        [re.compile(r"(?<![^\W_])" + re.escape(tok)) for tok in _fold_tokens(t)]
        for t in (*parsed.words, *parsed.phrases)
    ]
    rows = Photo._meta.database.execute_sql(_WHYS_SQL, [json.dumps(photo_ids)]).fetchall()
    out: dict[int, list[str]] = {}
    for pid, *values in rows:
        found = []
        for field, value in zip(FIELDS, values, strict=True):
            if value and field.column == "names":  # bytes that may not be UTF-8 (see m007)
                value = bytes(value).decode("utf-8", errors="replace")
            if value:
                text = _fold(value)
                if any(all(rx.search(text) for rx in term) for term in terms):
                    found.append(field.why)
        out[int(pid)] = found
    return out


_WHYS_SQL = (
    "SELECT rowid, "
    + ", ".join("CAST(names AS BLOB)" if f.column == "names" else f.column for f in FIELDS)
    + " FROM photo_fts WHERE rowid IN (SELECT value FROM json_each(?))"
)


def _fold(text: str) -> str:
    """Lower case without accents, as the index's tokenizer folds."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_tokens(text: str) -> list[str]:
    return _WORD_CHARS.findall(_fold(text))
