"""The seat: who decides, and where.

Every decision row records its seat, the person (`user`) and the machine
(`host`), so several seats on one PostgreSQL catalog can tell their
decisions apart: the later decision wins, both stay in the log, and each
seat's undo undoes only its own (catalog.decisions). The seat is the
operating system's login name and host name, or `CURATOR_SEAT_USER` /
`CURATOR_SEAT_HOST` where a studio names its seats itself (one shared
workstation, several photographers). Decisions logged before the seat was
recorded (NULL) belong to every seat.

A seat has desks: each window open on the catalog ("window 1", "window 2")
and the command line ("terminal"). A row records its desk too, and a desk's
undo undoes only its own rows (`Seat.owns`); a row without a desk (before
v30) is any desk's, and a process that names no desk (a library caller, a
test) owns all of its seat's rows. The desk is this process's
(`set_desk`), or `CURATOR_SEAT_DESK`.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from functools import lru_cache

TERMINAL = "terminal"  # the desk of every command-line process


@dataclass(frozen=True)
class Seat:
    user: str
    host: str
    desk: str | None = None  # "window 1", "terminal"; None: every desk of the seat

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"

    def owns(self, user: str | None, host: str | None, desk: str | None = None) -> bool:
        """A row made by (`user`, `host`, `desk`) is on this seat's undo stack:
        rows from before seats (user NULL) are anyone's, rows from before desks
        (desk NULL) any desk's of the seat."""
        if user is None:
            return True
        if (user, host) != (self.user, self.host):
            return False
        return desk is None or self.desk is None or desk == self.desk

    def name_of(self, user: str | None, host: str | None, desk: str | None = None) -> str:
        """Who made a row, as this seat says it: another desk of the same seat
        by its desk ("the terminal", "window 2"), another seat as user@host."""
        if (user, host) == (self.user, self.host) and desk:
            return "the terminal" if desk == TERMINAL else desk
        return f"{user}@{host or '?'}"


_desk: list[str | None] = [None]


def set_desk(desk: str | None) -> None:
    """Name this process's desk (the window's "window N", the CLI's "terminal")."""
    _desk[0] = desk


def desk_of_process() -> str | None:
    """The desk `set_desk` named (None: none)."""
    return _desk[0]


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
        os.environ.get("CURATOR_SEAT_DESK") or _desk[0],
    )
