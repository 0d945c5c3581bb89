"""The other seats' news on a PostgreSQL catalog (catalog.backends.listen):
inserts and updates told apart, a tag decision heard, a seat's own writes
left out, one batch per commit burst, a lost server said and a resync after;
a window listening before its first read (or reading again once it can)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from curator.catalog import decisions
from curator.catalog.backends.listen import SeatListener, SeatNews
from curator.catalog.db import Catalog, close_thread_connection
from curator.catalog.models import Photo
from curator.catalog.types import CullState


@pytest.fixture
def seat(pg_url: str) -> Iterator[tuple[Catalog, SeatListener]]:
    with Catalog.open(pg_url) as cat:
        listener = SeatListener(cat.db.location, cat.db.own_backends)
        listener.connect()
        try:
            yield cat, listener
        finally:
            listener.close()


def _next(listener: SeatListener) -> SeatNews | None:
    for _ in range(40):  # 10 s at most on a busy machine
        news = listener.poll(0.25)
        if news is not None:
            return news
    return None


def test_other_seats_inserts_updates_and_tags_are_heard(
    seat: tuple[Catalog, SeatListener], pg_server: object, pg_url: str
) -> None:
    _, listener = seat
    name = pg_url.rsplit("/", 1)[1]
    admin = pg_server.admin_sql  # type: ignore[attr-defined]
    admin(
        "INSERT INTO photo (path, content_hash, imported_at, updated_at) VALUES"
        " ('\\x2f61'::bytea, 'a', now(), now()), ('\\x2f62'::bytea, 'b', now(), now())",
        database=name,
    )
    added = _next(listener)
    assert added is not None and len(added.added) == 2 and added.changed == ()
    first, second = sorted(added.added)
    admin(f"UPDATE photo SET cull = 'kept' WHERE id = {first}", database=name)
    changed = _next(listener)
    assert changed is not None and changed.changed == (first,) and changed.added == ()
    # A decision row names its seat (a tag decision touches no photo row).
    admin(
        "INSERT INTO decision (photo_id, kind, new_value, created_at, seat_user, seat_host)"
        f" VALUES ({second}, 'tag', 'user:sea', now(), 'assistant', 'seat-2')",
        database=name,
    )
    tagged = _next(listener)
    assert tagged is not None and tagged.changed == (second,)
    assert tagged.seats == ("assistant@seat-2",)


def test_a_seats_own_writes_are_left_out(seat: tuple[Catalog, SeatListener]) -> None:
    _, listener = seat
    photo = Photo.create(path=b"/a.jpg", content_hash="a")
    decisions.set_cull(photo.id, CullState.KEPT)
    assert listener.poll(0.5) is None


def test_a_workers_own_write_is_left_out_after_its_connection_closed(
    seat: tuple[Catalog, SeatListener],
) -> None:
    """A step on a pool thread commits, then its job closes the thread's
    connection before the listener reads the commit's notification (issue 51:
    the window's own Accept the Rest came back to it as another seat's news)."""
    _, listener = seat
    photo = Photo.create(path=b"/a.jpg", content_hash="a")
    listener.poll(0.5)  # the insert, this thread's own: nothing

    def step() -> None:
        decisions.set_cull(photo.id, CullState.KEPT)
        close_thread_connection()

    worker = threading.Thread(target=step)
    worker.start()
    worker.join()
    assert listener.poll(1.0) is None


def test_a_lost_server_is_said_and_the_news_after_it_asks_for_a_resync(
    seat: tuple[Catalog, SeatListener], pg_server: object
) -> None:
    _, listener = seat
    pg_server.kill()  # type: ignore[attr-defined]
    try:
        lost = _next(listener)
        assert lost is not None and lost.sentence is not None
        assert "Lost the connection" in lost.sentence and "reconnecting" in lost.sentence
    finally:
        pg_server.start()  # type: ignore[attr-defined]
    back = _next(listener)
    assert back is not None and back.resync and "Back in touch" in (back.sentence or "")


def test_listen_now_connects_at_once_or_resyncs_once_it_can(pg_url: str, pg_server: object) -> None:
    with Catalog.open(pg_url) as cat:
        now = SeatListener(cat.db.location, cat.db.own_backends)
        now.listen_now()  # what the window does before its first read
        assert now.backend_pid is not None
        now.close()
        later = SeatListener(cat.db.location, cat.db.own_backends)
        pg_server.kill()  # type: ignore[attr-defined]
        try:
            later.listen_now()  # logged, never raised: the window opens all the same
            assert later.backend_pid is None
        finally:
            pg_server.start()  # type: ignore[attr-defined]
        try:
            back = _next(later)
            assert back is not None and back.resync  # what came meanwhile is read again
        finally:
            later.close()
