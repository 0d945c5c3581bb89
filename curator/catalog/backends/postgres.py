"""A catalog on PostgreSQL: the connection, its transactions and its write gate.

`PostgresCatalogDatabase` is peewee's `PostgresqlDatabase` (psycopg 3), so the
models and the one write path are the SQLite catalog's. It adds:
- `?` placeholders turned into `%s` outside quotes; SQLite idioms rewritten
  (`SQLITE_IDIOMS`); other differences are the `Dialect`'s.
- One writer at a time: the outermost `atomic()` takes an advisory lock
  (`WRITE_LOCK`) first; it goes with the transaction. Readers never wait.
- Decisions take `DECISION_LOCK` instead, serialised with each other only; a
  rare deadlock is retried as busy.
- The write gate is the advisory lock `GATE_LOCK` (`passing`).
- A lost connection is a busy catalog to `tx.write`: retried on a new one.

`open_database` connects (psycopg imported lazily) and turns every refusal
into one sentence; passwords never reach it (`location.redact`).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from peewee import PostgresqlDatabase

from curator.catalog.backends.dialect import POSTGRES, SQLITE_FILE_NAME_SQL
from curator.catalog.backends.own_backends import OwnBackends
from curator.catalog.errors import CatalogError
from curator.paths import PostgresLocation, redact

# The oldest server the schema needs (websearch-free tsquery building, identity
# columns, plpgsql triggers, GIN): PostgreSQL 12, the oldest still in wide use.
MIN_SERVER = 120000
MIN_SERVER_NAME = "12"
# Advisory lock keys: one writer at a time, the gate before it, and the decisions'.
WRITE_LOCK = 0x43555241  # "CURA"
GATE_LOCK = 0x43555247
DECISION_LOCK = 0x43555244
_LOCKS = {"IMMEDIATE": WRITE_LOCK, "DECISIONS": DECISION_LOCK}
# A server that answers at all answers within this; one that is down refuses at once.
CONNECT_TIMEOUT_S = 20
# Each catalog connection's own settings (one round trip at connect): no JIT, room
# to sort a 100k-photo gallery in memory, a page read by index costing about a
# sequential one, no parallel plans. Why, measured: docs/decisions/catalog.md.
SESSION_SETTINGS = (
    "SET jit = off; SET work_mem = '32MB'; SET random_page_cost = 1.1;"
    " SET max_parallel_workers_per_gather = 0"
)
WIDE_QUERY_WORKERS = 2  # PostgreSQL's default, for the queries that read a whole table
_PAUSE_S = 0.003

_TRANSLATED: dict[str, str] = {}
_TRANSLATED_MAX = 4096


SQLITE_IDIOMS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # SQLite's LIKE ignores ASCII case; the file-name filter relies on it.
    (re.compile(re.escape(SQLITE_FILE_NAME_SQL) + " LIKE "), "curator_file_name(path) ILIKE "),
    (re.compile(re.escape(SQLITE_FILE_NAME_SQL)), 'curator_file_name(path) COLLATE "C"'),
    (
        re.compile(r"SELECT value FROM json_each\(\?\)"),
        "SELECT CAST(value AS bigint) AS value FROM json_array_elements_text(CAST(? AS json))"
        " AS j(value)",
    ),
    (re.compile(r"CAST\(([\w.]+) AS TEXT\)"), r"curator_path_text(\1)"),
    (re.compile(r"\bIS NOT (?!NULL\b)", re.I), "IS DISTINCT FROM "),
    (re.compile(r"CAST\((.*) AS BLOB\)"), r"convert_to(\1, 'UTF8')"),
    (re.compile(r"\s*INDEXED BY \w+"), ""),
    # SQLite's `+id`, which keeps its plan on the sort's index: PostgreSQL chooses
    # between a probe per id and a hash of the set by their sizes.
    (re.compile(r"\+id IN \("), "id IN ("),
    # SQLite's join-order hint (a CROSS JOIN with ON); PostgreSQL plans it itself.
    (re.compile(r"\bCROSS JOIN (\w+) ON\b"), r"JOIN \1 ON"),
    (
        re.compile(r"strftime\('%Y-%m-%d %H:%M:%f', 'now'\)"),
        "CAST(now() AT TIME ZONE 'UTC' AS timestamp)",
    ),
    (re.compile(r"CREATE INDEX temp\."), "CREATE INDEX "),
    (re.compile(r"(CREATE TEMP TABLE \w+ \(\w+) BLOB\)"), r"\1 BYTEA)"),
    (re.compile(r"(DROP TABLE IF EXISTS )temp\."), r"\1pg_temp."),
    (re.compile(r"\b[xX]'00'"), lambda _: "'\\x00'::bytea"),
)


def to_postgres(sql: str) -> str:
    """`sql` with the SQLite idioms above rewritten (cached per statement text)."""
    done = _REWRITTEN.get(sql)
    if done is None:
        done = sql
        for pattern, replacement in SQLITE_IDIOMS:
            done = pattern.sub(replacement, done)
        if len(_REWRITTEN) >= _TRANSLATED_MAX:
            _REWRITTEN.clear()
        _REWRITTEN[sql] = done
    return done


_REWRITTEN: dict[str, str] = {}


def to_psycopg(sql: str) -> str:
    """`sql` with its `?` placeholders (outside quotes) as `%s` and `%` as `%%`;
    unchanged when it has no `?` (a statement of peewee's own)."""
    done = _TRANSLATED.get(sql)
    if done is not None:
        return done
    if "?" not in sql:
        return sql
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    done = "".join(out)
    if len(_TRANSLATED) >= _TRANSLATED_MAX:
        _TRANSLATED.clear()
    _TRANSLATED[sql] = done
    return done


class PostgresCatalogDatabase(PostgresqlDatabase):
    """peewee's PostgreSQL database with the catalog's conventions (module docstring)."""

    dialect = POSTGRES

    def __init__(self, location: PostgresLocation, **kwargs: Any):
        self.location = location
        # The server's process id of every connection this seat has open (and
        # had, for a grace after its close): its own notifications, which its
        # listener leaves out (backends.listen, backends.own_backends).
        self.own_backends = OwnBackends()
        self.read_only_sentence: str | None = None  # set when this seat's role may only read
        # The file-name filter's trigram index is there (backends.pg_trigram), and
        # why it is not when it could not be built.
        self.name_trigram = False
        self.name_trigram_note: str | None = None
        kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        kwargs.setdefault("application_name", "curator")
        super().__init__(location.conninfo, prefer_psycopg3=True, autorollback=False, **kwargs)

    def _connect(self) -> Any:
        conn = super()._connect()
        self.own_backends.add(int(conn.info.backend_pid))
        conn.execute(SESSION_SETTINGS)
        from curator.catalog.taste.choice import view_statement

        statement = view_statement(postgres=True)
        if statement is not None:  # this seat shows one photographer's taste
            try:
                conn.execute(statement)
            except Exception:  # a catalog not migrated yet: everyone's scores show
                conn.rollback()
        return conn

    def _close(self, conn: Any) -> None:
        with contextlib.suppress(Exception):
            self.own_backends.discard(int(conn.info.backend_pid))
        super()._close(conn)

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        sql = to_postgres(sql)
        if params:
            sql = to_psycopg(sql)
        else:
            params = None  # psycopg reads no placeholders then: a literal % stays one
        return self._execute_cursor(sql, params)

    def execute_sql_wide(self, sql: str, params: Any = None) -> Any:
        """`execute_sql_planned` for a query that reads a whole table's worth of
        rows (a text search's ranking of a word most photos hold), with the
        server's parallel workers allowed for it alone (a word in every one of
        100,000 photos: ~110 ms serially, 55-62 ms with workers). The setting
        goes back to 0 after the query, or with the rollback of a failed one."""
        self.execute_sql(f"SET max_parallel_workers_per_gather = {WIDE_QUERY_WORKERS}")
        try:
            return self.execute_sql_planned(sql, params)
        finally:
            with contextlib.suppress(Exception):
                self.execute_sql("SET max_parallel_workers_per_gather = 0")

    def execute_sql_planned(self, sql: str, params: Any = None) -> Any:
        """`execute_sql`, sent unprepared so that it is planned for these
        parameters' values every time (~1 ms): a prepared statement may get one
        generic plan, wrong for the gallery's skewed filters (a camera of 14 %
        of the photos or of 1 %). The rows read by id and the writes keep
        their prepared plans."""
        sql = to_postgres(sql)
        if params:
            sql = to_psycopg(sql)
        else:
            params = None
        return self._execute_cursor(sql, params, prepare=False)

    def _execute_cursor(
        self, sql: str, params: Any, prepare: bool | None = None, **options: Any
    ) -> Any:
        # peewee passes `params or ()`; psycopg would then parse every `%` as a placeholder.
        self._log_query(sql, params)
        from peewee import __exception_wrapper__

        with __exception_wrapper__:
            cursor = self.cursor(**options)
            cursor.execute(sql, params, prepare=prepare)
        return cursor

    def atomic(self, *args: Any, **kwargs: Any) -> Any:
        """SQLite's lock types mean the same here: the outermost block (IMMEDIATE
        unless DEFERRED is asked for) takes the catalog's write lock first."""
        lock = kwargs.pop("lock_type", None)
        if args and isinstance(args[0], str) and args[0].upper() in ("DEFERRED", *_LOCKS):
            lock, args = args[0], args[1:]
        if self.in_transaction():
            return super().atomic(*args, **kwargs)
        return _Writing(self, super().atomic(*args, **kwargs), str(lock or "IMMEDIATE").upper())

    @contextlib.contextmanager
    def passing(
        self, interactive: bool, *, max_yield_s: float, sleep: Callable[[float], None]
    ) -> Iterator[None]:
        """The write gate (module docstring), outside any transaction."""
        if interactive:
            self.execute_sql(f"SELECT pg_advisory_lock_shared({GATE_LOCK})")
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    self.execute_sql(f"SELECT pg_advisory_unlock_shared({GATE_LOCK})")
            return
        deadline = time.monotonic() + max_yield_s
        while True:
            got = self.execute_sql(f"SELECT pg_try_advisory_lock({GATE_LOCK})").fetchone()[0]
            if got:
                self.execute_sql(f"SELECT pg_advisory_unlock({GATE_LOCK})")
                break
            if time.monotonic() >= deadline:
                break  # go ahead: an import is never stopped by decisions
            sleep(_PAUSE_S)
        yield

    def hold(self, lock: str) -> None:
        """Take the transaction-scoped lock `lock` ("DECISIONS") inside the
        transaction under way (a decision made inside another writer's)."""
        key = _LOCKS.get(lock.upper())
        if key is not None:
            self.execute_sql(f"SELECT pg_advisory_xact_lock({key})")

    def drop_connection(self) -> None:
        """Forget this thread's connection after the server went away (the next
        statement connects afresh)."""
        with contextlib.suppress(Exception):
            self.close()
        with contextlib.suppress(Exception):
            self._state.reset()


class _Writing:
    """An outermost transaction that takes the write lock before anything else."""

    def __init__(self, db: PostgresCatalogDatabase, inner: Any, lock: str):
        self.db, self.inner, self.lock = db, inner, lock

    def __enter__(self) -> Any:
        entered = self.inner.__enter__()
        key = _LOCKS.get(self.lock)
        if key is not None:
            try:
                self.db.execute_sql(f"SELECT pg_advisory_xact_lock({key})")
            except BaseException as exc:
                self.inner.__exit__(type(exc), exc, exc.__traceback__)
                raise
        return entered

    def __exit__(self, *exc: Any) -> Any:
        return self.inner.__exit__(*exc)

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapped


_LOST = re.compile(
    r"server closed the connection|terminating connection|connection (?:is )?(?:lost|closed)"
    r"|consuming input failed|could not receive data|the connection is closed|no connection"
    r"|connection to server .* failed|SSL SYSCALL",
    re.IGNORECASE,
)
_BUSY = re.compile(
    r"lock timeout|deadlock detected|could not serialize|canceling statement due to lock",
    re.IGNORECASE,
)


def is_connection_lost(exc: BaseException) -> bool:
    return bool(_LOST.search(str(exc)))


def is_busy(exc: BaseException) -> bool:
    """A PostgreSQL error that a retry may cure: a lock wait that timed out, a
    deadlock, a serialization failure, a connection lost meanwhile."""
    return bool(_BUSY.search(str(exc))) or is_connection_lost(exc)


def load_driver() -> Any:
    """Import psycopg (hidden until now by `curator/__init__.py`) and give it to
    peewee, which looked for it at its own import; None when not installed."""
    import sys

    import peewee

    if sys.modules.get("psycopg", 0) is None:
        del sys.modules["psycopg"]
    try:
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb
    except ImportError:
        return None
    if peewee.psycopg is None:
        peewee.psycopg, peewee.TransactionStatus = psycopg, TransactionStatus
        peewee.Json_pg3, peewee.Jsonb_pg3 = Json, Jsonb
        adapter = peewee.Psycopg3Adapter
        adapter.txn_idle = TransactionStatus.IDLE
        adapter.txn_inerror = TransactionStatus.INERROR
        adapter.txn_unknown = TransactionStatus.UNKNOWN
    return psycopg


def open_database(location: PostgresLocation) -> PostgresCatalogDatabase:
    """Connect, or raise `CatalogError` with the one sentence for why not."""
    if load_driver() is None:
        raise CatalogError(
            f"The catalog {location.display} is a PostgreSQL database, and this Curator "
            "was installed without PostgreSQL support: install it with "
            "pip install 'curator[studio]'."
        )
    db = PostgresCatalogDatabase(location)
    try:
        db.connect()
    except Exception as exc:
        raise CatalogError(connect_sentence(location, exc)) from None
    version = int(db.server_version or 0)
    if version < MIN_SERVER:
        db.close()
        raise CatalogError(
            f"The PostgreSQL server of {location.display} is version {_version_name(version)}; "
            f"Curator needs PostgreSQL {MIN_SERVER_NAME} or newer. Upgrade the server (or use "
            "another one); the catalog was not touched."
        )
    return db


def _version_name(version: int) -> str:
    major = version // 10000
    return f"{major}.{version % 10000}" if major >= 10 else f"{major}.{version // 100 % 100}"


def connect_sentence(location: PostgresLocation, exc: BaseException) -> str:
    """The sentence for a failed connection (never the password)."""
    text = redact(str(exc)).strip()
    where = location.display
    server = f"{location.host or 'localhost'}:{location.port or 5432}"
    user = location.user or "your user"
    low = text.lower()
    if (
        "password authentication failed" in low
        or "no password supplied" in low
        or ("authentication failed" in low)
    ):
        return (
            f"PostgreSQL at {server} refused the credentials of {user} for {where}. Check the "
            "password in PGPASSWORD or ~/.pgpass (never put it in the URL); nothing was changed."
        )
    if re.search(r'role ".*" does not exist', low):
        return (
            f"PostgreSQL at {server} has no role {user} ({where}). Ask the administrator to "
            "create it (the README's Studio section shows how); nothing was changed."
        )
    if re.search(r'database ".*" does not exist', low):
        return (
            f"PostgreSQL at {server} has no database {location.database!r} ({where}). Create it "
            f"first (createdb {location.database}, as the README's Studio section shows)."
        )
    if "permission denied" in low or "not permitted" in low or "pg_hba.conf" in low:
        return (
            f"PostgreSQL at {server} does not let {user} connect to {where} ({_first_line(text)}). "
            "Ask the administrator to allow this seat; nothing was changed."
        )
    return (
        f"Curator can't reach the PostgreSQL server at {server} for the catalog {where} "
        f"({_first_line(text)}). Check that the server is running and that this machine may "
        "connect to it; nothing was changed."
    )


def _first_line(text: str) -> str:
    line = text.splitlines()[0] if text else "no reason given"
    line = re.sub(r"^connection (?:to server )?.*? failed: ", "", line)
    return line.rstrip(". ") or "no reason given"


def open_catalog(url: str, *, read_only_ok: bool) -> tuple[PostgresCatalogDatabase, bool]:
    """Connect to the PostgreSQL catalog at `url`, refuse what is not a Curator
    catalog or is newer than this Curator, and migrate it (transactional DDL:
    a migration that fails leaves the catalog as it was). Returns the database
    and whether this seat may only read (its role may not write the decision
    log: an assistant who reviews; refused unless `read_only_ok`)."""
    from curator.catalog.backends import pg_plans, pg_schema, pg_trigram
    from curator.catalog.migrations import LATEST_VERSION

    try:
        location = PostgresLocation.parse(url)
    except ValueError as exc:
        raise CatalogError(str(exc)) from None
    db = open_database(location)
    try:
        version, tables = pg_schema.read_header(db)
        if version > LATEST_VERSION:
            raise CatalogError(
                f"The catalog {location.display} was written by a newer Curator (schema "
                f"{version}; this one knows up to {LATEST_VERSION}). Update Curator to open it."
            )
        if version == 0 and tables:
            raise CatalogError(
                f"The database {location.display} holds tables Curator did not create "
                f"({', '.join(sorted(tables)[:5])}): it is not a Curator catalog. Create an "
                "empty database for the catalog, or pick another with --catalog."
            )
        writable = _may_write(db) if version else _may_create(db)
        if not writable:
            if version < LATEST_VERSION:
                raise CatalogError(read_only_sentence(location, db, upgrade=True))
            if not read_only_ok:
                raise CatalogError(read_only_sentence(location, db))
            db.name_trigram = pg_trigram.has_name_index(db)
            return db, True
        pg_schema.migrate(db, version)
        db.name_trigram_note = pg_trigram.ensure_name_index(db)
        db.name_trigram = db.name_trigram_note is None
        pg_plans.ensure_plan_aids(db)
    except CatalogError:
        db.close()
        raise
    except Exception as exc:
        db.close()
        raise CatalogError(
            f"Could not open the catalog {location.display}: {redact(str(exc)).strip()}"
        ) from None
    return db, False


def _may_write(db: PostgresCatalogDatabase) -> bool:
    row = db.execute_sql(
        "SELECT has_table_privilege(current_user, 'decision', 'INSERT')"
        " AND has_table_privilege(current_user, 'photo', 'UPDATE')"
    ).fetchone()
    return bool(row[0])


def _may_create(db: PostgresCatalogDatabase) -> bool:
    row = db.execute_sql(
        "SELECT has_schema_privilege(current_user, current_schema(), 'CREATE')"
    ).fetchone()
    return bool(row[0])


def current_role(db: PostgresCatalogDatabase) -> str:
    return str(db.execute_sql("SELECT current_user").fetchone()[0])


def read_only_sentence(
    location: PostgresLocation, db: PostgresCatalogDatabase | None = None, *, upgrade: bool = False
) -> str:
    role = current_role(db) if db is not None else (location.user or "this role")
    if upgrade:
        return (
            f"The catalog {location.display} needs an upgrade, and the PostgreSQL role {role} may "
            "only read it. Open it once with a role that may write (the studio's lead), then "
            "this seat can review it."
        )
    return (
        f"The PostgreSQL role {role} may only read the catalog {location.display}: reviewing "
        "works, deciding and importing need a role that may write (ask the studio's lead)."
    )


def is_permission_denied(exc: BaseException) -> bool:
    """PostgreSQL refused a write this role may not make (a read-only seat)."""
    return "permission denied for" in str(exc).lower()
