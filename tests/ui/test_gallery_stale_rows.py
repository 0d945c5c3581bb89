"""A live import's changed rows are re-read off the UI thread (issue 19 §1):
the grid shows the old row until the new one arrives, reads only rows on
screen, and an older read never overwrites a row the UI re-read itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

import curator.ui.gallery.model as gallery_model
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryRow
from curator.ui.common.guard import ErrorReporter
from curator.ui.gallery.stale_rows import StaleRows
from tests.ui.gallery_helpers import gallery_over_catalog

N = 50


@contextmanager
def _gallery(tmp_path: Path) -> Iterator[gallery_model.GalleryListModel]:
    with Catalog.open(tmp_path / "c.sqlite"):
        Photo.insert_many(
            [{"path": f"/lib/IMG_{i:04d}.jpg".encode(), "content_hash": f"h{i}"} for i in range(N)]
        ).execute()
        with gallery_over_catalog(tmp_path / "cache", rows_pool=True) as model:
            yield model


def test_changed_rows_are_read_off_the_ui_thread_and_shown_old_until_then(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _gallery(tmp_path) as model:
        assert all(model.photo_row(r) is not None for r in range(N))  # all cached
        readers: list[tuple[str, list[int]]] = []
        real = gallery_model.gallery_rows

        def counted(ids: list[int]) -> dict[int, GalleryRow]:
            readers.append((threading.current_thread().name, list(ids)))
            return real(ids)

        monkeypatch.setattr(gallery_model, "gallery_rows", counted)
        changed = [model.ids[r] for r in (3, 4, 40)]
        Photo.update(thumbnail_key="thumbs/new.jpg").where(Photo.id.in_(changed)).execute()
        repainted: list[int] = []
        model.dataChanged.connect(lambda first, _last, *_: repainted.append(first.row()))
        model.reload_rows(changed)
        # Rows 3 and 4 are shown (asked for); row 40 is off screen: never asked.
        old = [model.photo_row(r) for r in (3, 4)]
        assert [row.thumbnail_key for row in old if row] == [None, None]  # the old rows, at once
        assert readers == []  # nothing read on the UI thread
        qtbot.waitUntil(lambda: model.stale is not None and not model.stale.busy)
        assert [model.photo_row(r).thumbnail_key for r in (3, 4)] == ["thumbs/new.jpg"] * 2  # type: ignore[union-attr]
        assert len(readers) == 1 and sorted(readers[0][1]) == sorted(changed[:2])
        assert readers[0][0] != threading.main_thread().name
        assert {3, 4} <= set(repainted)  # the view is told the new rows are in
        assert model.stale is not None and model.stale.is_stale(changed[2])  # not read yet
        assert model.photo_row(40).thumbnail_key is None  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: model.photo_row(40).thumbnail_key == "thumbs/new.jpg")  # type: ignore[union-attr]


def _row(pid: int, path: str) -> Any:
    """A stand-in row: StaleRows hands rows on without looking inside."""
    return SimpleNamespace(id=pid, path=path)


def test_a_decision_read_meanwhile_is_never_overwritten_by_an_older_read(
    qtbot: QtBot,
) -> None:
    """The generation rule, driven with a read the test holds back."""
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    release, started = threading.Event(), threading.Event()
    applied: list[tuple[dict[int, str], list[int]]] = []

    def read(ids: list[int]) -> dict[int, GalleryRow]:
        started.set()
        release.wait(10)
        return {pid: _row(pid, f"/read/{pid}.jpg") for pid in ids if pid != 4}

    def apply(fresh: dict[int, GalleryRow], gone: list[int]) -> None:
        applied.append(({pid: row.path for pid, row in fresh.items()}, gone))

    stale = StaleRows(pool, read, apply, ErrorReporter())
    try:
        stale.mark([1, 2, 3, 4])
        for pid in (1, 2, 3, 4):
            stale.want(pid)
        qtbot.waitUntil(started.is_set)
        stale.forget([2])  # the UI re-read photo 2 itself (a decision)
        stale.mark([3])  # photo 3 changed again: this read is too old for it
        release.set()
        qtbot.waitUntil(lambda: not stale.busy)
        assert applied == [({1: "/read/1.jpg"}, [4])]  # 4: no longer in the catalog
        assert not stale.is_stale(1) and not stale.is_stale(2) and not stale.is_stale(4)
        assert stale.is_stale(3)  # asked for again when next shown
        started.clear()
        stale.want(3)
        qtbot.waitUntil(lambda: not stale.busy)
        assert applied[-1] == ({3: "/read/3.jpg"}, [])
    finally:
        stale.close()
        pool.waitForDone()


def test_a_failed_read_leaves_the_rows_stale_and_is_asked_again(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    pool = QThreadPool()
    calls: list[list[int]] = []
    applied: list[dict[int, GalleryRow]] = []

    def read(ids: list[int]) -> dict[int, GalleryRow]:
        calls.append(ids)
        if len(calls) == 1:
            raise OSError("database is locked")
        return {pid: _row(pid, "/p.jpg") for pid in ids}

    stale = StaleRows(pool, read, lambda fresh, _gone: applied.append(fresh), ErrorReporter())
    try:
        stale.mark([7])
        stale.want(7)
        qtbot.waitUntil(lambda: len(calls) == 1 and not stale.busy)
        assert stale.is_stale(7) and applied == []
        assert "re-reading 1 changed gallery rows failed" in caplog.text
        stale.want(7)
        qtbot.waitUntil(lambda: bool(applied))
        assert list(applied[0]) == [7] and not stale.is_stale(7)
    finally:
        stale.close()
        pool.waitForDone()
