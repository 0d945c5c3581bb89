"""The few SQL spellings that differ between the catalog's backends.

Raw SQL is written once in the spelling both read (`?` placeholders, standard
functions, `CASE`, subqueries). Elsewhere the caller asks `dialect_of(db)`:
id lists as one parameter (`id_list`, `id_param`, `in_ids`), ordered ids as one
string (`ordered_ids_sql`), a path's file name and index (`file_name_sql`,
`file_name_index`), null-safe "differs" (`distinct`), planned or parallel
queries (`execute_planned`, `execute_wide`), `insert_id`, `index_sql`,
`replace_into`. SQLite's spellings are those a SQLite catalog always ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
BOUND_IDS = 500  # values bound in one IN list: well under SQLite's limit of bound variables

# The last component of `photo.path` (SQLite): the text after the last '/' (or
# '\'). rtrim strips every trailing character that is not a separator; what is
# left is the folder prefix, which `substr` skips. Migrations 9 and 12 index it.
_PATH = "replace(CAST(path AS TEXT), '\\', '/')"
SQLITE_FILE_NAME_SQL = f"substr({_PATH}, length(rtrim({_PATH}, replace({_PATH}, '/', ''))) + 1)"


class Dialect:
    """SQLite's spellings (the default for any database without a `dialect`)."""

    name = "sqlite"
    is_postgres = False
    file_name_sql = SQLITE_FILE_NAME_SQL
    file_name_index = "INDEXED BY photo_gallery_name"
    distinct = "IS NOT"

    def id_list(self) -> str:
        """A subquery of the ids bound by `id_param` (one `?`)."""
        return "(SELECT value FROM json_each(?))"

    def id_param(self, ids: Iterable[int]) -> object:
        return json.dumps([int(i) for i in ids])

    def in_ids(self, field: Any, ids: Iterable[int]) -> Any:
        """`field IN ids` for a peewee query, the ids one parameter: peewee
        renders a node per value of `in_(list)`, most of what reading the
        gallery's 100 rows around a tile cost (~10 of ~23 ms)."""
        from peewee import SQL

        return field.in_(SQL(self.id_list(), [self.id_param(ids)]))

    def ordered_ids_sql(self, sql: str) -> str:
        """One row, one column: the ids of `sql` (a `SELECT id …` with its ORDER
        BY) joined by commas in that order, or NULL for none."""
        return f"SELECT group_concat(id) FROM ({sql})"

    def execute_planned(self, db: Any, sql: str, params: Sequence[object]) -> Any:
        """Run a query whose best plan depends on its parameters' values (a
        gallery list's filters), planned for them each time: SQLite plans
        every statement for its values; PostgreSQL runs it unprepared
        (`PostgresCatalogDatabase.execute_sql_planned`)."""
        return db.execute_sql(sql, params)

    def execute_wide(self, db: Any, sql: str, params: Sequence[object]) -> Any:
        """Run a query that may read a whole table's worth of rows (a text
        search's ranking): PostgreSQL may use its parallel workers for it
        (`PostgresCatalogDatabase.execute_sql_wide`); SQLite has none."""
        return db.execute_sql(sql, params)

    def insert_id(self, db: Any, sql: str, params: Sequence[object]) -> int:
        """Run an `INSERT … VALUES (…)` of one row; the new row's id."""
        return int(db.execute_sql(sql, params).lastrowid)

    def index_sql(self, db: Any, name: str) -> str | None:
        """The statement that made the index `name` (None: there is none)."""
        row = db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])


class PostgresDialect(Dialect):
    name = "postgresql"
    is_postgres = True
    # curator_file_name(bytea) is defined by the PostgreSQL schema (pg_schema).
    file_name_sql = "curator_file_name(path)"
    file_name_index = ""
    distinct = "IS DISTINCT FROM"

    def id_list(self) -> str:
        return "(SELECT unnest(CAST(? AS bigint[])))"

    def id_param(self, ids: Iterable[int]) -> object:
        return [int(i) for i in ids]

    def in_ids(self, field: Any, ids: Iterable[int]) -> Any:
        from peewee import SQL

        # peewee's own placeholder: its statements are passed to psycopg as they are
        return field.in_(SQL("(SELECT unnest(CAST(%s AS bigint[])))", [self.id_param(ids)]))

    def ordered_ids_sql(self, sql: str) -> str:
        # PostgreSQL feeds an aggregate a sorted subquery's rows in its order.
        return f"SELECT string_agg(CAST(id AS text), ',') FROM ({sql}) AS ordered"

    def execute_planned(self, db: Any, sql: str, params: Sequence[object]) -> Any:
        return db.execute_sql_planned(sql, params)

    def execute_wide(self, db: Any, sql: str, params: Sequence[object]) -> Any:
        return db.execute_sql_wide(sql, params)

    def insert_id(self, db: Any, sql: str, params: Sequence[object]) -> int:
        return int(db.execute_sql(f"{sql} RETURNING id", params).fetchone()[0])

    def index_sql(self, db: Any, name: str) -> str | None:
        row = db.execute_sql(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?",
            (name,),
        ).fetchone()
        return None if row is None else str(row[0])


SQLITE = Dialect()
POSTGRES = PostgresDialect()


def chunks(values: Sequence[T], size: int = BOUND_IDS) -> Iterator[list[T]]:
    """`values` in lists of at most `size` (an IN list's worth, by default)."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def dialect_of(db: object) -> Dialect:
    """The dialect of a peewee database (SQLite's unless it says otherwise)."""
    found = getattr(db, "dialect", None)
    return found if isinstance(found, Dialect) else SQLITE


def replace_into(query: Any, target: Sequence[Any], preserve: Sequence[Any]) -> Any:
    """A peewee INSERT that replaces the row its unique `target` finds: SQLite's
    `OR REPLACE` as it always was; on PostgreSQL an upsert of `preserve`."""
    if dialect_of(query.model._meta.database).is_postgres:
        return query.on_conflict(conflict_target=list(target), preserve=list(preserve))
    return query.on_conflict_replace()
