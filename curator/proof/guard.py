"""What keeps a served gallery safe to leave running, without the web: the
clients' sessions and the slowing of wrong access codes (pure, thread-safe).

- `Sessions`: a session is 32 random bytes (the HttpOnly cookie) with its own
  CSRF token (sent back in a header on every write). At most `MAX_SESSIONS`
  live at once (the oldest goes first), each for `SESSION_S` after its last
  use. They live in memory: a restarted server asks for the code again, and
  a heart already answered is in the catalog.
- `Attempts`: after `FREE_TRIES` wrong codes from one address within
  `WINDOW_S`, that address waits before its next try — 2 s, doubling each
  wrong code, at most `MAX_WAIT_S` — and every address together may try at
  most `GLOBAL_TRIES` wrong codes per window (someone guessing from many
  addresses). A right code clears the address's count.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_SESSIONS = 500
SESSION_S = 12 * 3600.0
FREE_TRIES = 5
WINDOW_S = 15 * 60.0
MAX_WAIT_S = 300.0
GLOBAL_TRIES = 100


@dataclass
class Session:
    csrf: str
    last_used: float
    code_hash: str = ""  # the code it was opened with: a new code ends it (server)


class Sessions:
    """The live sessions of one served gallery (module docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._live: OrderedDict[str, Session] = OrderedDict()

    def open(self, code_hash: str = "") -> tuple[str, Session]:
        """A new session opened with the code of `code_hash`: (its cookie value,
        the session)."""
        sid = secrets.token_urlsafe(32)
        session = Session(secrets.token_urlsafe(24), self._clock(), code_hash)
        with self._lock:
            self._live[sid] = session
            while len(self._live) > MAX_SESSIONS:
                self._live.popitem(last=False)
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        """The live session of this cookie value; None when there is none."""
        if not sid:
            return None
        now = self._clock()
        with self._lock:
            session = self._live.get(sid)
            if session is None:
                return None
            if now - session.last_used > SESSION_S:
                del self._live[sid]
                return None
            session.last_used = now
            self._live.move_to_end(sid)
            return session


class Attempts:
    """Wrong access codes, per address and in all (module docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._wrong: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()

    def _recent(self, times: deque[float], now: float) -> deque[float]:
        while times and now - times[0] > WINDOW_S:
            times.popleft()
        return times

    def wait_s(self, address: str) -> float:
        """Seconds `address` must wait before it may try a code (0: now)."""
        now = self._clock()
        with self._lock:
            if len(self._recent(self._all, now)) >= GLOBAL_TRIES:
                return max(1.0, WINDOW_S - (now - self._all[0]))
            times = self._wrong.get(address)
            if not times or len(self._recent(times, now)) < FREE_TRIES:
                return 0.0
            wait = min(MAX_WAIT_S, 2.0 * 2 ** (len(times) - FREE_TRIES))
            return max(0.0, times[-1] + wait - now)

    def failed(self, address: str) -> None:
        now = self._clock()
        with self._lock:
            self._wrong.setdefault(address, deque()).append(now)
            self._all.append(now)
            if len(self._wrong) > 10_000:  # many addresses: keep the ones still counting
                self._wrong = {a: t for a, t in self._wrong.items() if self._recent(t, now)}

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._wrong.pop(address, None)
