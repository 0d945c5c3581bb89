"""A live import's new photos are placed in the gallery off the UI thread
(`ui.gallery.arrivals.Arrivals`, issue 75 §3: the window never stalls): the
catalog is read on the lists pool, the photos land at their place in the
capture-time sort, what the user selected stays on its photo, and a read made
against a list that changed meanwhile is read again, never applied, so
batches never land out of order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex
from pytestqt.qtbot import QtBot

import curator.ui.gallery.model as gallery_model
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery, gallery_query_ids
from tests.ui.gallery_helpers import gallery_over_catalog

N = 30
START = datetime(2024, 6, 1, 10, 0, 0)


def _photos(numbers: list[int]) -> list[int]:
    """Photos captured `n` minutes after START, in the catalog: their ids."""
    return [
        Photo.insert(
            path=f"/lib/IMG_{n:04d}.jpg".encode(),
            content_hash=f"h{n}",
            captured_at=START + timedelta(minutes=n),
        ).execute()
        for n in numbers
    ]


@contextmanager
def _gallery(tmp_path: Path) -> Iterator[gallery_model.GalleryListModel]:
    with Catalog.open(tmp_path / "c.sqlite"):
        _photos(list(range(0, 2 * N, 2)))  # even minutes: new photos land between them
        with gallery_over_catalog(tmp_path / "cache", lists_pool=True) as model:
            yield model


def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every catalog read placing new photos makes from now on."""
    threads: list[str] = []
    for name in ("gallery_ids_among", "gallery_ranks"):
        real = getattr(gallery_model, name)

        def spied(*args: Any, _real: Any = real) -> Any:
            threads.append(threading.current_thread().name)
            return _real(*args)

        monkeypatch.setattr(gallery_model, name, spied)
    return threads


def test_new_photos_are_placed_off_the_ui_thread_and_the_selection_stays(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _gallery(tmp_path) as model:
        threads = _spy_reads(monkeypatch)
        watched = QPersistentModelIndex(model.index(20))  # the selection, the current photo
        looked_at = model.photo_id(20)
        new = _photos([7, 33, 61])  # between minutes 6 and 8, 32 and 34; after the end
        with qtbot.waitSignal(model.arrivals_listed) as listed:
            model.insert_new(new)
            assert model.rowCount() == N  # nothing read here: placed when the read is back
        assert listed.args == [new]
        assert threads and threading.main_thread().name not in threads, threads
        assert model.ids == gallery_query_ids(model.query)
        assert model.row_for(new[0]) == 4 and model.row_for(new[2]) == N + 2
        assert model.photo_id(watched.row()) == looked_at  # moved with its photo


def test_a_read_against_a_list_changed_meanwhile_is_read_again_in_order(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _gallery(tmp_path) as model:
        started, release = threading.Event(), threading.Event()
        places: list[list[int]] = []
        real = gallery_model.place_new

        def held(query: GalleryQuery, listed: list[int], ids: list[int]) -> Any:
            places.append(list(ids))
            if len(places) == 1:  # the first read waits until the list has changed
                started.set()
                release.wait(10)
            return real(query, listed, ids)

        assert model.arrivals is not None
        monkeypatch.setattr(model.arrivals, "_place", held)
        emitted: list[list[int]] = []
        model.arrivals_listed.connect(emitted.append)
        first = _photos([3, 5])
        model.insert_new(first)
        qtbot.waitUntil(started.is_set)
        second = _photos([9])
        model.insert_new(second)  # waits: one read in flight
        elsewhere = _photos([21])  # another change lists a photo meanwhile
        model.refresh(elsewhere)
        assert model.row_for(elsewhere[0]) is not None and model.row_for(first[0]) is not None
        release.set()
        qtbot.waitUntil(lambda: not model.arrivals.busy)  # type: ignore[union-attr]
        # The stale read was not applied: both batches read again, together, in order.
        assert places == [first, first + second]
        assert emitted == [first + second]
        assert model.ids == gallery_query_ids(model.query)
        assert len(set(model.ids)) == len(model.ids) == N + 4


def test_a_batch_whose_read_goes_stale_twice_is_placed_on_the_ui_thread(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a watch measures, the list changes under every read: a batch is
    read at most twice, then placed here, never starved."""
    with _gallery(tmp_path) as model:
        reading, release = threading.Event(), threading.Event()
        places: list[list[int]] = []
        real = gallery_model.place_new

        def held(query: GalleryQuery, listed: list[int], ids: list[int]) -> Any:
            places.append(list(ids))
            reading.set()
            release.wait(10)
            release.clear()
            return real(query, listed, ids)

        assert model.arrivals is not None
        monkeypatch.setattr(model.arrivals, "_place", held)
        emitted: list[list[int]] = []
        model.arrivals_listed.connect(emitted.append)
        new = _photos([3, 5])
        model.insert_new(new)
        for minute in (21, 23):  # the list changes under each of the two reads
            qtbot.waitUntil(reading.is_set)
            reading.clear()
            model.refresh(_photos([minute]))
            release.set()
        qtbot.waitUntil(lambda: not model.arrivals.busy)  # type: ignore[union-attr]
        assert places == [new, new]  # no third read
        assert emitted == [new]
        assert model.ids == gallery_query_ids(model.query)
        assert len(set(model.ids)) == len(model.ids) == N + 4
