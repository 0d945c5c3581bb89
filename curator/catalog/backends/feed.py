"""Hearing the other processes of an embedded (SQLite) catalog: the change feed.

SQLite has no LISTEN/NOTIFY, so a window learns what a terminal or a second
window wrote from two cheap things (migration v30):
- `PRAGMA data_version`, which changes on the listener's connection whenever
  any other connection commits: polled every `CHECK_S`, it is all an idle
  window costs (a read of shared memory, no disk);
- the `change_feed` table, which triggers fill (photo added or rewritten, its
  tags, proposal or projects changed, people, projects, a new taste model),
  each row stamped with its writing process by that process's own TEMP
  trigger (`stamp_writes`), so a window leaves its own writes out as a
  studio seat leaves out its own connections' notifications.

`FeedListener` has `SeatListener`'s protocol (backends.listen) and gives the
same `SeatNews`, so the window applies both alike:
- `listen_now()` opens its connection and takes the feed's and the decision
  log's high-water marks, before the window's first read;
- `poll(timeout_s)` waits until another connection committed, then reads in
  one snapshot the feed rows and decisions past the marks (other writers'
  only) and moves the marks; None: nothing of another process's came;
- a reader whose mark fell below the feed's kept rows gets `resync`; a
  catalog whose feed cannot be read says so once and keeps trying;
- nothing here writes; `close` from any thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Annotated, NamedTuple

from curator.catalog.backends.listen import SeatNews
from curator.catalog.backends.named_rows import select_list
from curator.catalog.backends.seat import Seat

log = logging.getLogger(__name__)

CHECK_S = 0.05  # between two looks at data_version: news within ~0.1 s, idle ~20 µs a look
READ_LIMIT = 50_000  # feed rows read at once; more are read at the next poll, at once
FEED_TABLE = "change_feed"


class _DecisionRow(NamedTuple):
    """A new decision, as the listener reads it: whose, on which photo."""

    id: Annotated[int, "id"]
    photo_id: Annotated[int, "photo_id"]
    user: Annotated[str | None, "seat_user"]
    host: Annotated[str | None, "seat_host"]
    desk: Annotated[str | None, "seat_desk"]


_writer: dict[int, str] = {}  # pid -> this process's writer token (a forked child: its own)


def writer_token() -> str:
    """This process's mark on the feed rows it writes (pid and a random part:
    a pid is reused, the token is not)."""
    pid = os.getpid()
    if pid not in _writer:
        _writer[pid] = f"{pid}:{secrets.token_hex(6)}"
    return _writer[pid]


def stamp_writes(conn: sqlite3.Connection) -> None:
    """Give a writing connection of this process the TEMP trigger that stamps
    its feed rows with `writer_token()` (a catalog without the feed: nothing)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FEED_TABLE,)
    ).fetchone()
    if found is None:
        return
    token = writer_token().replace("'", "")
    conn.execute(
        "CREATE TEMP TRIGGER IF NOT EXISTS curator_feed_writer AFTER INSERT ON main.change_feed"
        f" WHEN NEW.writer IS NULL BEGIN UPDATE change_feed SET writer = '{token}'"
        " WHERE seq = NEW.seq; END"
    )


class FeedListener:
    """The change feed of one SQLite catalog file (see the module docstring)."""

    def __init__(self, path: Path | str, seat: Seat, *, check_s: float = CHECK_S):
        self.path = Path(path)
        self.seat = seat  # this process's seat and desk: its own decisions are left out
        self.check_s = check_s
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._version: int | None = None
        self._seq = 0  # the feed's high-water mark
        self._decision = 0  # the decision log's
        self._more = False  # the last read stopped at READ_LIMIT
        self._told = False  # the feed could not be read, and that was said

    def listen_now(self) -> None:
        """Connect and take the marks now, on the caller's thread, before the
        window's first read: whatever another process commits later is heard."""
        conn = sqlite3.connect(str(self.path), timeout=5.0, check_same_thread=False)
        conn.execute("PRAGMA query_only = 1")
        with self._lock:
            if self._closed:
                conn.close()
                return
            self._conn = conn
        self._version = self._data_version()
        with self._snapshot() as cur:
            self._seq = int(
                cur.execute(f"SELECT IFNULL(MAX(seq), 0) FROM {FEED_TABLE}").fetchone()[0]
            )
            self._decision = int(
                cur.execute("SELECT IFNULL(MAX(id), 0) FROM decision").fetchone()[0]
            )

    def poll(self, timeout_s: float) -> SeatNews | None:
        """Other processes' news, waiting at most `timeout_s` (module docstring)."""
        deadline = time.monotonic() + timeout_s
        while not self._closed and self._conn is not None:
            version = self._data_version()
            if version != self._version or self._more:
                self._version = version
                news = self._read()
                if news is not None:
                    return news
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self.check_s, left))
        return None

    def _data_version(self) -> int | None:
        conn = self._conn
        if conn is None:
            return None
        try:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None

    @contextlib.contextmanager
    def _snapshot(self):  # type: ignore[no-untyped-def]
        """One read transaction: the feed and the log as of one commit."""
        conn = self._conn
        assert conn is not None
        cur = conn.cursor()
        cur.execute("BEGIN")
        try:
            yield cur
        finally:
            with contextlib.suppress(sqlite3.Error):
                cur.execute("COMMIT")
            cur.close()

    def _read(self) -> SeatNews | None:
        if self._conn is None:
            return None
        try:
            with self._snapshot() as cur:
                return self._news(cur)
        except (sqlite3.Error, AssertionError) as exc:  # closed meanwhile, or unreadable
            if self._closed:
                return None
            if not self._told:
                self._told = True
                log.warning("cannot read the change feed of %s: %s", self.path, exc)
            return None

    def _news(self, cur: sqlite3.Cursor) -> SeatNews | None:
        received = time.monotonic()
        oldest = cur.execute(f"SELECT MIN(seq) FROM {FEED_TABLE}").fetchone()[0]
        resync = oldest is not None and int(oldest) > self._seq + 1 and self._seq > 0
        rows = cur.execute(
            f"SELECT seq, photo_id, what, writer FROM {FEED_TABLE} WHERE seq > ?"
            " ORDER BY seq LIMIT ?",
            (self._seq, READ_LIMIT),
        ).fetchall()
        self._more = len(rows) == READ_LIMIT
        own = writer_token()
        added: dict[int, None] = {}
        changed: dict[int, None] = {}
        flags: set[str] = set()
        for seq, photo_id, what, writer in rows:
            self._seq = int(seq)
            if writer == own:
                continue
            if photo_id is None:
                flags.add(str(what))
            elif what == "added":
                added[int(photo_id)] = None
            else:
                changed[int(photo_id)] = None
        seats: dict[str, None] = {}
        decided: list[int] = []
        sql = f"SELECT {select_list(_DecisionRow)} FROM decision WHERE id > ? ORDER BY id"
        for row in map(_DecisionRow._make, cur.execute(sql, (self._decision,))):
            self._decision = int(row.id)
            mine = (row.user, row.host, row.desk) == (
                self.seat.user,
                self.seat.host,
                self.seat.desk,
            )
            if mine:
                continue  # this desk's own decision
            changed[int(row.photo_id)] = None
            decided.append(int(row.id))
            if row.user is not None:
                seats[self.seat.name_of(row.user, row.host, row.desk)] = None
        return SeatNews.gathered(
            added, changed, seats, decided, received, flags=frozenset(flags), resync=resync
        )

    def close(self) -> None:
        """No more news; the connection goes (callable from any thread)."""
        self._closed = True
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
