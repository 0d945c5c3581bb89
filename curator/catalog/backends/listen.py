"""Hearing the other seats of a PostgreSQL catalog: LISTEN/NOTIFY.

The triggers notify at commit: `curator_photo` (m019; `i:<ids>` or `u:<ids>`,
≤ 500 ids), `curator_decision` (photo, id, seat as JSON), `curator_people`
(m026). `SeatListener` holds one autocommit connection and turns them into
`SeatNews`, leaving out this seat's own (`backends.own_backends`).

Protocol (one thread polls; `close` from any):
- `listen_now()` connects at once, before the window's first read.
- `poll(timeout_s)` waits for a first notification, then gathers for
  `COALESCE_S`; None: nothing came.
- A lost connection is news with a sentence; retried at most once per
  `RETRY_S`; once back the news is `resync` (the window re-reads).
- Nothing here writes or holds a transaction open.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from curator.paths import PostgresLocation, redact

log = logging.getLogger(__name__)

PHOTO_CHANNEL = "curator_photo"
DECISION_CHANNEL = "curator_decision"
PEOPLE_CHANNEL = "curator_people"
COALESCE_S = 0.03  # after the first notification, what else came with that commit burst
RETRY_S = 1.0  # between two attempts to reconnect


@dataclass(frozen=True)
class SeatNews:
    """What the other seats changed since the last poll."""

    added: tuple[int, ...] = ()  # photos new to the catalog (another seat's import)
    changed: tuple[int, ...] = ()  # photos rewritten (decisions, measures, thumbnails, tags)
    seats: tuple[str, ...] = ()  # who decided ("assistant@studio-2"), for a status line
    decisions: tuple[int, ...] = ()  # the decision log's new rows (their ids)
    resync: bool = False  # notifications may have been missed: re-read what is shown
    people: bool = False  # people changed (names, merges, faces): the People view re-reads
    projects: bool = False  # projects made, renamed or removed: the project lists re-read
    scores: bool = False  # a new taste model: every shown score is read again
    sentence: str | None = None  # the connection was lost, or is back
    received_at: float = field(default=0.0, compare=False)  # time.monotonic() of the first

    @classmethod
    def gathered(
        cls,
        added: dict[int, None],
        changed: dict[int, None],
        seats: dict[str, None],
        decided: list[int],
        received: float,
        *,
        flags: frozenset[str] = frozenset(),
        resync: bool = False,
    ) -> SeatNews | None:
        """The news of one poll (None: nothing to tell). A photo both new and
        rewritten is new: inserted where it belongs, not re-read. `flags`:
        what else changed ("people", "projects", "scores")."""
        for pid in added:
            changed.pop(pid, None)
        if not (added or changed or flags or resync):
            return None
        return cls(
            added=tuple(added),
            changed=tuple(changed),
            seats=tuple(seats),
            decisions=tuple(decided),
            resync=resync,
            people="people" in flags,
            projects="projects" in flags,
            scores="scores" in flags,
            received_at=received,
        )


class SeatListener:
    """One LISTEN connection to a PostgreSQL catalog (see the module docstring)."""

    def __init__(self, location: PostgresLocation, own_backends: Iterable[int] = ()):
        self.location = location
        self._own = own_backends  # a live view: the seat's connections come and go
        self._conn: Any = None
        self._lock = threading.Lock()
        self._closed = False
        self._lost = False
        self._next_try = 0.0

    def connect(self) -> None:
        """Connect and LISTEN (raises the driver's error when the server can't be reached)."""
        from curator.catalog.backends.postgres import CONNECT_TIMEOUT_S, load_driver

        psycopg = load_driver()
        conn = psycopg.connect(
            self.location.conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="curator-listen",
        )
        conn.execute(f"LISTEN {PHOTO_CHANNEL}")
        conn.execute(f"LISTEN {DECISION_CHANNEL}")
        conn.execute(f"LISTEN {PEOPLE_CHANNEL}")
        with self._lock:
            if self._closed:
                conn.close()
                return
            self._conn = conn

    def listen_now(self) -> None:
        """Connect and LISTEN now, on the caller's thread, before the window's
        first read of the catalog: whatever another seat commits after that
        read is heard. When the server can't be reached, `poll` keeps trying,
        and its news once connected is marked `resync`."""
        try:
            self.connect()
        except Exception as exc:
            self._lost = True
            self._next_try = time.monotonic() + RETRY_S
            log.warning("cannot listen to %s yet: %s", self.location.display, redact(str(exc)))

    @property
    def backend_pid(self) -> int | None:
        conn = self._conn
        return None if conn is None else int(conn.info.backend_pid)

    def poll(self, timeout_s: float) -> SeatNews | None:
        """The other seats' news, waiting at most `timeout_s` (module docstring)."""
        if self._closed:
            return None
        if self._conn is None:
            return self._reconnect(timeout_s)
        try:
            first = list(self._conn.notifies(timeout=timeout_s, stop_after=1))
            if not first:
                return None
            received = time.monotonic()
            rest = list(self._conn.notifies(timeout=COALESCE_S))
        except Exception as exc:  # the server went away: say so, try again later
            if self._closed:
                return None
            self._drop()
            self._lost = True
            self._next_try = time.monotonic() + RETRY_S
            reason = redact(str(exc)).strip().splitlines()[0] if str(exc).strip() else ""
            log.warning("lost the LISTEN connection to %s: %s", self.location.display, reason)
            return SeatNews(
                sentence=(
                    f"Lost the connection to the studio catalog {self.location.display}; "
                    "other seats' decisions show again once it is back (reconnecting)."
                )
            )
        return self._news([*first, *rest], received)

    def _reconnect(self, timeout_s: float) -> SeatNews | None:
        wait = self._next_try - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, timeout_s))
            if time.monotonic() < self._next_try:
                return None
        try:
            self.connect()
        except Exception as exc:
            self._next_try = time.monotonic() + RETRY_S
            log.info("the studio catalog is still unreachable: %s", redact(str(exc)).strip())
            return None
        if not self._lost:
            return None
        self._lost = False
        return SeatNews(
            resync=True,
            sentence=f"Back in touch with the studio catalog {self.location.display}.",
            received_at=time.monotonic(),
        )

    def _news(self, notes: list[Any], received: float) -> SeatNews | None:
        own = set(self._own)
        added: dict[int, None] = {}
        changed: dict[int, None] = {}
        seats: dict[str, None] = {}
        decided: list[int] = []
        people = False
        for note in notes:
            if note.pid in own:
                continue
            if note.channel == PEOPLE_CHANNEL:
                people = True
            elif note.channel == PHOTO_CHANNEL:
                kind, _, ids = note.payload.partition(":")
                target = added if kind == "i" else changed
                target.update((int(i), None) for i in ids.split(",") if i)
            elif note.channel == DECISION_CHANNEL:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    body = json.loads(note.payload)
                    changed[int(body["photo"])] = None
                    decided.append(int(body["id"]))
                    if body.get("user"):
                        seats[f"{body['user']}@{body.get('host') or '?'}"] = None
        flags = frozenset({"people"} if people else ())
        return SeatNews.gathered(added, changed, seats, decided, received, flags=flags)

    def _drop(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        """No more news; the connection goes (callable from any thread)."""
        self._closed = True
        self._drop()
