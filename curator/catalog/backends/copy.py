"""A whole catalog copied between backends, verified.

`copy_catalog(source, dest)` copies every table between two open catalogs
(SQLite ↔ PostgreSQL, or two of a kind): `curator catalog copy` and a
PostgreSQL catalog's backup. Proposals go too, with their `owner`.

Protocol:
1. Both ends at the same schema (`Catalog.open(…, bind=False)`); the
   destination's tables minus the text index and bookkeeping; parents first,
   primary key order, ids kept; `AFTER_THE_LOG` tables after the decision log.
2. The source is read in ONE read transaction, in keyset pages of `PAGE`,
   each row hashed (BLAKE3 of `canonical`).
3. The destination is written in ONE transaction, read back, counted and
   hashed before commit: a difference rolls back (`CopyError`). PostgreSQL's
   sequences are moved past the ids.
4. `progress` hears a `CopyProgress` per page, ending at exactly 100 %; it
   may raise to stop (a rollback).
5. A non-empty destination is refused unless `replace`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from peewee import Database

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.errors import CatalogError

PAGE = 2_000  # rows per keyset page (embeddings: ~6 MB of vectors a page)
# Derived or bookkeeping tables: never copied (the destination keeps its own;
# `change_feed` is the embedded catalog's news for its open windows, backends.feed).
_DERIVED_PREFIXES = ("photo_fts", "sqlite_", "change_feed")
_BOOKKEEPING = frozenset({"curator_schema"})
# Tables the decision log's triggers write: copied after the log (a decision going
# in ends its photo's proposals, m023; the source holds only those still standing).
AFTER_THE_LOG = frozenset({"cull_proposal"})


class CopyError(CatalogError):
    """The copy was refused or did not verify; `str(err)` is the sentence."""


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    digest: str  # BLAKE3 of the rows' canonical form, in primary-key order


def whole_percent(done: int, total: int) -> int:
    """`done` of `total` in whole percent: 0 for an empty total, never 100
    before the end (a progress line that says 100 % is finished)."""
    if total <= 0:
        return 0
    if done >= total:
        return 100
    return min(99, done * 100 // total)


@dataclass(frozen=True)
class CopyProgress:
    """`done` of `total` rows (copied, then verified: each row counts twice);
    `table` the one under way."""

    done: int
    total: int
    table: str

    @property
    def percent(self) -> int:
        """Whole percent done (0 for an empty total), 100 only at the end."""
        return whole_percent(self.done, self.total)


CopyProgressSink = Callable[[CopyProgress], None]


class _Tally:
    """Rows done so far, told to a `CopyProgressSink` (or to nobody)."""

    def __init__(self, sink: CopyProgressSink | None, total: int) -> None:
        self.sink, self.total, self.done = sink, total, 0

    def add(self, table: str, rows: int) -> None:
        self.done += rows
        if self.sink is not None:
            self.sink(CopyProgress(self.done, self.total, table))


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[TableCopy, ...]

    def rows(self, table: str) -> int:
        return next((t.rows for t in self.tables if t.name == table), 0)

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


def catalog_tables(db: Database) -> list[str]:
    """The catalog's own tables, parents before children (foreign keys)."""
    names = [
        t for t in db.get_tables() if not t.startswith(_DERIVED_PREFIXES) and t not in _BOOKKEEPING
    ]
    parents = {
        t: {fk.dest_table for fk in db.get_foreign_keys(t) if fk.dest_table != t} for t in names
    }
    for table in AFTER_THE_LOG & set(names):
        parents[table] |= {"decision"} & set(names)
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = sorted(t for t in names if t not in ordered and parents[t] <= set(ordered))
        if not ready:  # a cycle between tables (none in the schema): keep the rest as listed
            ready = [t for t in names if t not in ordered]
        ordered.extend(ready)
    return ordered


def _columns(db: Database, table: str) -> list[str]:
    return [c.name for c in db.get_columns(table)]


def _keys(db: Database, table: str) -> list[str]:
    return list(db.get_primary_keys(table)) or ["rowid"]


def is_empty(db: Database) -> bool:
    """Whether the catalog holds no row at all (a fresh one)."""
    for table in catalog_tables(db):
        if db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None:
            return False
    return True


# -- canonical rows -----------------------------------------------------------------


def canonical(value: object) -> str:
    """One value as the same text whichever backend returned it."""
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "x" + bytes(value).hex()
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] in " T":
        try:  # a timestamp SQLite stored as text: the same as PostgreSQL's datetime
            return datetime.fromisoformat(text).isoformat(" ")
        except ValueError:
            pass
    return "s" + text


def _hasher() -> Any:
    import blake3  # only when a catalog is copied

    return blake3.blake3(max_threads=1)


def _pages(db: Database, table: str, columns: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in primary-key order, a keyset page at a time (a key of
    several columns compared as one row value)."""
    keys = _keys(db, table)
    extra = [k for k in keys if k not in columns]
    cols = ", ".join(f'"{c}"' for c in [*columns, *extra])
    at = [[*columns, *extra].index(k) for k in keys]
    key_sql = ", ".join(f'"{k}"' for k in keys)
    after = f"({key_sql}) > ({', '.join('?' * len(keys))})"
    last: list[object] | None = None
    while True:
        where = "" if last is None else f" WHERE {after}"
        rows = db.execute_sql(
            f'SELECT {cols} FROM "{table}"{where} ORDER BY {key_sql} LIMIT {PAGE}', last or []
        ).fetchall()
        if not rows:
            return
        last = [rows[-1][i] for i in at]
        yield [tuple(r[: len(columns)]) for r in rows]


def table_digest(
    db: Database, table: str, columns: Sequence[str], tally: _Tally | None = None
) -> TableCopy:
    """Count and hash `table` (its canonical rows, in primary-key order)."""
    hasher, rows = _hasher(), 0
    for page in _pages(db, table, columns):
        for row in page:
            hasher.update(("\x1f".join(canonical(v) for v in row) + "\x1e").encode())
        rows += len(page)
        if tally is not None:
            tally.add(table, len(page))
    return TableCopy(table, rows, hasher.hexdigest())


# -- the copy -----------------------------------------------------------------------


def _for_dest(value: object, *, postgres: bool) -> object:
    if not postgres and isinstance(value, datetime):
        return value.isoformat(" ")  # as peewee's SQLite fields store it
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _read_snapshot(db: Database) -> Any:
    if dialect_of(db).is_postgres:
        return db.atomic("DEFERRED", isolation_level=3)  # REPEATABLE READ: one snapshot
    return db.atomic("DEFERRED")


def copy_catalog(
    source: Database,
    dest: Database,
    *,
    replace: bool = False,
    progress: CopyProgressSink | None = None,
) -> CopyReport:
    """Copy every table of `source` into `dest` and verify it (module docstring)."""
    to_pg = dialect_of(dest).is_postgres
    tables = catalog_tables(dest)
    missing = [t for t in tables if t not in set(source.get_tables())]
    if missing:
        raise CopyError(
            f"The source catalog has no table {', '.join(missing)}: it is not a whole "
            "Curator catalog of this version; nothing was copied."
        )
    copied: list[TableCopy] = []
    with _read_snapshot(source), dest.atomic():
        if not is_empty(dest):
            if not (replace and to_pg):
                raise CopyError(
                    "The destination catalog is not empty; nothing was copied. Copy into an "
                    "empty one, or pass --replace to overwrite it (its photos and decisions "
                    "are then lost)."
                )
            listed = ", ".join(f'"{t}"' for t in tables)
            dest.execute_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
        total = 0
        if progress is not None:  # in the snapshot: exactly the rows that will come
            total = 2 * sum(_count(source, t) for t in tables)
        tally = _Tally(progress, total)
        for table in tables:
            copied.append(_copy_table(source, dest, table, to_pg, tally))
        if to_pg:
            _move_identities(dest, tables)
        for expected in copied:
            got = table_digest(dest, expected.name, _columns(dest, expected.name), tally)
            if (got.rows, got.digest) != (expected.rows, expected.digest):
                same = "equal" if got.digest == expected.digest else "differ"
                raise CopyError(
                    f"The copy of table {expected.name} did not verify ({expected.rows} rows "
                    f"read, {got.rows} written, hashes {same}); nothing was copied."
                )
    return CopyReport(tuple(copied))


def _count(db: Database, table: str) -> int:
    return int(db.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _copy_table(
    source: Database,
    dest: Database,
    table: str,
    to_pg: bool,
    tally: _Tally,
) -> TableCopy:
    columns = _columns(dest, table)
    # A column referring to its own table (a follower's lead) is set after every
    # row is in: its target may come later in key order.
    later = [fk.column for fk in dest.get_foreign_keys(table) if fk.dest_table == table]
    later = [c for c in later if table != "decision"]  # an undo follows what it undoes
    mark = "%s" if to_pg else "?"
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join([mark] * len(columns))})'
    key = _keys(dest, table)[0]
    deferred: list[tuple[object, ...]] = []
    hasher, rows = _hasher(), 0
    cursor = dest.cursor()
    for page in _pages(source, table, columns):
        out = []
        for row in page:
            hasher.update(("\x1f".join(canonical(v) for v in row) + "\x1e").encode())
            values = [_for_dest(v, postgres=to_pg) for v in row]
            for name in later:
                i = columns.index(name)
                if values[i] is not None:
                    deferred.append((values[i], values[columns.index(key)]))
                    values[i] = None
            out.append(values)
        cursor.executemany(insert, out)
        rows += len(page)
        tally.add(table, len(page))
    for name in later:
        update = f'UPDATE "{table}" SET "{name}" = {mark} WHERE "{key}" = {mark}'
        if deferred:
            cursor.executemany(update, deferred)
    return TableCopy(table, rows, hasher.hexdigest())


def _move_identities(dest: Database, tables: Sequence[str]) -> None:
    """PostgreSQL's identity sequences past the copied ids (the next insert's id)."""
    for table in tables:
        if "id" not in _columns(dest, table):
            continue
        row = dest.execute_sql(
            f"SELECT pg_get_serial_sequence('\"{table}\"', 'id'), max(id) FROM \"{table}\""
        ).fetchone()
        if row[0] is not None and row[1] is not None:
            dest.execute_sql("SELECT setval(CAST(? AS regclass), ?)", [row[0], int(row[1])])
