"""The seat: who decides, and where.

Every decision row records its seat, the person (`user`) and the machine
(`host`), so several seats on one PostgreSQL catalog can tell their
decisions apart: the later decision wins, both stay in the log, and each
seat's undo undoes only its own (catalog.decisions). The seat is the
operating system's login name and host name, or `CURATOR_SEAT_USER` /
`CURATOR_SEAT_HOST` where a studio names its seats itself (one shared
workstation, several photographers). Decisions logged before the seat was
recorded (NULL) belong to every seat.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Seat:
    user: str
    host: str

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"


@lru_cache(maxsize=1)
def _os_seat() -> Seat:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        user = "unknown"
    return Seat(user, socket.gethostname() or "localhost")


def current_seat() -> Seat:
    """This process's seat (read each time: a test may name another)."""
    seat = _os_seat()
    return Seat(
        os.environ.get("CURATOR_SEAT_USER") or seat.user,
        os.environ.get("CURATOR_SEAT_HOST") or seat.host,
    )
