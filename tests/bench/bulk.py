"""Bulk loading of the benchmarks' synthetic catalogs on either backend.

`insert_many(db, sql, rows)` runs a SQLite-spelled INSERT (`?` placeholders,
`INSERT OR IGNORE`) through the connection's executemany on SQLite or
PostgreSQL. `loading(db)` wraps a load: on PostgreSQL the row triggers are
off while the rows go in (`session_replication_role = replica`: the test
server's role is a superuser), then the text index is built in one pass
(`curator_fts_refresh` over every photo: what the triggers would have
written), the identity sequences are moved past the ids given, and the
planner's statistics are taken (`ANALYZE`), as SQLite's benchmarks do.
`copy_rows(db, table, columns, rows)` loads rows faster: PostgreSQL's COPY
(binary-safe: bytes go in as bytea), executemany on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from curator.catalog.backends.dialect import dialect_of


def insert_many(db: Any, sql: str, rows: Sequence[Sequence[object]]) -> None:
    if dialect_of(db).is_postgres:
        ignore = "INSERT OR IGNORE INTO" in sql
        sql = sql.replace("INSERT OR IGNORE INTO", "INSERT INTO").replace("?", "%s")
        sql += " ON CONFLICT DO NOTHING" if ignore else ""
    db.cursor().executemany(sql, rows)


def copy_rows(
    db: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Append `rows` to `table` (no conflict handling): COPY on PostgreSQL."""
    names = ", ".join(f'"{c}"' for c in columns)
    if not dialect_of(db).is_postgres:
        marks = ", ".join("?" for _ in columns)
        db.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        return
    with db.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


# The tables whose identity sequences a load moves past the ids it gave.
SEQUENCED = ("photo", "tag", "description", "photo_tag", "stage_run", "face", "person")


@contextmanager
def loading(db: Any, *, analyze: bool = True) -> Iterator[None]:
    postgres = dialect_of(db).is_postgres
    with db.atomic():
        if postgres:
            db.execute_sql("SET LOCAL session_replication_role = replica")
        yield
        if postgres:
            db.execute_sql("SET LOCAL session_replication_role = origin")
            db.execute_sql("SELECT curator_fts_refresh(ARRAY(SELECT id FROM photo))")
            for table in SEQUENCED:
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table})) WHERE EXISTS (SELECT 1 FROM {table})"
                )
    if analyze or postgres:
        db.execute_sql("ANALYZE")
