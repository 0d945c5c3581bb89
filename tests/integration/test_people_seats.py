"""Studio seats share the people (issue 50 §3): on a PostgreSQL catalog a name
given at one seat (another process, another user) reaches the others at once
(m026's trigger → `curator_people` → `SeatNews.people`, which the People view
follows), reads the same there, and stays on its own seat's undo stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from curator.catalog.backends.listen import SeatListener, SeatNews
from curator.catalog.db import Catalog
from curator.catalog.people.naming import people_list
from curator.catalog.undo.history import undo_newest
from tests.people_helpers import fill_people

REPO = Path(__file__).resolve().parents[2]


def _next(listener: SeatListener) -> SeatNews | None:
    for _ in range(80):  # 20 s at most on a busy machine
        news = listener.poll(0.25)
        if news is not None:
            return news
    return None


def _other_seat(pg_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CURATOR_SEAT_USER": "assistant", "CURATOR_SEAT_HOST": "seat-2"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "curator", "--catalog", pg_url, "people", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_name_given_at_one_seat_shows_at_the_others(pg_url: str) -> None:
    with Catalog.open(pg_url) as cat:
        fill_people(cat.db)
        ada, bob = (p.id for p in people_list())
        listener = SeatListener(cat.db.location, cat.db.own_backends)
        listener.connect()
        try:
            done = _other_seat(pg_url, "name", str(ada), "Ada")
            assert done.returncode == 0, done.stderr
            news = _next(listener)
            assert news is not None and news.people
            assert [(p.id, p.name) for p in people_list()] == [(ada, "Ada"), (bob, None)]
            # The other seat's merge is heard too; this seat's own writes are not.
            assert _other_seat(pg_url, "merge", str(ada), str(bob)).returncode == 0
            news = _next(listener)
            assert news is not None and news.people
            assert [(p.name, p.photos) for p in people_list()] == [("Ada", 6)]
            # That seat's edits are its own to undo: nothing here for this seat.
            assert undo_newest() is None
            assert [(p.name, p.photos) for p in people_list()] == [("Ada", 6)]
        finally:
            listener.close()
