"""catalog.tx.write: the write lock first, a busy catalog waited out and retried."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from peewee import IntegrityError, OperationalError

from curator.catalog import tx
from curator.catalog.db import Catalog
from curator.catalog.models import Photo


def test_busy_errors_rerun_the_whole_function(catalog: Catalog) -> None:
    calls: list[int] = []
    naps: list[float] = []

    def body() -> int:
        calls.append(1)
        Photo.create(path=f"/p/{len(calls)}.jpg".encode(), content_hash=f"h{len(calls)}")
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return Photo.select().count()

    # The failed attempts were rolled back: only the third one's row is there.
    assert tx.write(catalog.db, body, sleep=naps.append) == 1
    assert len(calls) == 3 and len(naps) == 2
    assert [bytes(p.path) for p in Photo.select()] == [b"/p/3.jpg"]


def test_other_errors_propagate_at_once_and_roll_back(catalog: Catalog) -> None:
    def body() -> None:
        Photo.create(path=b"/p/a.jpg", content_hash="a")
        Photo.create(path=b"/p/b.jpg", content_hash="a")  # same hash: IntegrityError

    with pytest.raises(IntegrityError):
        tx.write(catalog.db, body, sleep=lambda _s: pytest.fail("no retry expected"))
    assert Photo.select().count() == 0


def test_the_deadline_bounds_the_retries(catalog: Catalog) -> None:
    calls: list[int] = []

    def body() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(sqlite3.OperationalError):
        tx.write(catalog.db, body, timeout_s=0.0)
    assert len(calls) == 1


def test_nested_writes_join_the_outer_transaction(catalog: Catalog) -> None:
    def outer() -> None:
        tx.write(catalog.db, lambda: Photo.create(path=b"/p/1.jpg", content_hash="1"))
        raise ValueError("abort the whole thing")

    with pytest.raises(ValueError):
        tx.write(catalog.db, outer)
    assert Photo.select().count() == 0


def test_waits_for_another_connection_holding_the_write_lock(tmp_path: Path) -> None:
    """A stale read can't make the write fail: the lock is taken before the read."""
    path = tmp_path / "c.sqlite"
    with Catalog.open(path) as cat:
        cat.db.execute_sql("PRAGMA busy_timeout = 50")  # make each attempt give up fast
        Photo.create(path=b"/p/x.jpg", content_hash="x", rating=1)
        other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE photo SET rating = 2")
        released = threading.Event()

        def release_after_retries() -> None:
            released.wait(30)
            other.execute("COMMIT")
            other.close()

        attempts: list[int] = []
        naps: list[float] = []

        def body() -> int:
            attempts.append(1)
            photo = Photo.get()
            photo.rating = photo.rating + 1
            photo.save()
            return int(photo.rating)

        def nap(seconds: float) -> None:
            naps.append(seconds)
            if len(naps) >= 2:
                released.set()  # let the other writer commit after two refused tries
            threading.Event().wait(seconds)

        releaser = threading.Thread(target=release_after_retries)
        releaser.start()
        assert tx.write(cat.db, body, sleep=nap) == 3  # read 2 (the other's commit), wrote 3
        releaser.join(30)
        # BEGIN IMMEDIATE refused before `body` ran: it ran exactly once, after the lock.
        assert len(attempts) == 1 and len(naps) >= 2
