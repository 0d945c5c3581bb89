"""Write transactions that take the lock first and wait out a busy catalog.

A deferred SQLite transaction asks for the write lock at its first write and
is refused at once (SQLITE_BUSY_SNAPSHOT) when another connection committed
since its first read. So `write`:
- begins IMMEDIATE: the lock before any read; waiting is the busy timeout
  (db.PRAGMAS);
- on a still-busy lock rolls back and runs `fn` again after a jittered
  exponential backoff, until `timeout_s` (30 s); any other error propagates;
- needs `fn` safe to re-run (it reads inside itself, keeps no state);
- with `gate`, passes the write gate (`catalog.write_gate`) each attempt, so a
  decision is not starved by BULK batches;
- on PostgreSQL uses advisory locks, "busy" including a lost connection
  (catalog.backends.postgres); `lock="DECISIONS"` passes no gate;
- inside a transaction runs `fn` in a savepoint, without retrying.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from peewee import Database, InterfaceError, OperationalError

from curator.catalog.write_gate import Gate, gate_of

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
_FIRST_BACKOFF_S = 0.02
_MAX_BACKOFF_S = 1.0


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "busy" errors, and PostgreSQL's
    lock timeouts, deadlocks and lost connections (retrying may help)."""
    if not isinstance(exc, OperationalError | InterfaceError | sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return True
    if "sqlite" in type(exc).__module__:
        return False
    from curator.catalog.backends.postgres import is_busy as postgres_busy

    return postgres_busy(exc)


def write(
    db: Database,
    fn: Callable[[], T],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
    gate: Gate | None = None,
    lock: str = "IMMEDIATE",
) -> T:
    """Run `fn` in one `BEGIN IMMEDIATE` transaction, retried while the catalog is
    busy (the module docstring's protocol); what `fn` returns, after the commit."""
    if db.in_transaction():
        with db.atomic():
            hold = getattr(db, "hold", None)  # PostgreSQL: the decisions' own lock, here too
            if hold is not None and lock != "IMMEDIATE":
                hold(lock)
            return fn()
    postgres = hasattr(db, "hold")
    if postgres and lock != "IMMEDIATE":
        gate = None  # the decisions' own lock: no import batch to go before (two round trips)
    deadline = time.monotonic() + timeout_s
    backoff = _FIRST_BACKOFF_S
    while True:
        try:
            with gate_of(db, gate), db.atomic(lock if postgres else "IMMEDIATE"):
                return fn()
        except (OperationalError, InterfaceError, sqlite3.OperationalError) as exc:
            if not is_busy(exc):
                raise
            drop = getattr(db, "drop_connection", None)
            if drop is not None:  # PostgreSQL: a connection the server lost is not reused
                drop()
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            sleep(min(left, backoff * random.uniform(0.5, 1.5)))
            backoff = min(backoff * 2, _MAX_BACKOFF_S)
