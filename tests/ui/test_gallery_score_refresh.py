"""New scores (a retrain, a Propose's proposals) are brought into the grid off
the UI thread (issue 51's stall watch: the whole list's read after a Propose
was 175 ms of the UI thread at 100,000 photos on PostgreSQL): the list is
read on the lists pool and applied when it arrives, the rows on screen are
painted as they were until the rows pool has re-read them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

import curator.ui.gallery.model as gallery_model
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery
from curator.catalog.taste.store import write_scores
from tests.ui.gallery_helpers import gallery_over_catalog

N = 40


@contextmanager
def _gallery(tmp_path: Path, *, pools: bool) -> Iterator[gallery_model.GalleryListModel]:
    with Catalog.open(tmp_path / "c.sqlite"):
        Photo.insert_many(
            [{"path": f"/lib/IMG_{i:04d}.jpg".encode(), "content_hash": f"h{i}"} for i in range(N)]
        ).execute()
        with gallery_over_catalog(tmp_path / "cache", rows_pool=pools, lists_pool=pools) as model:
            yield model


def _on_threads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Which read ran on which thread: (name, on the UI thread)."""
    seen: list[tuple[str, bool]] = []
    for name in ("gallery_query_ids", "gallery_rows"):
        real = getattr(gallery_model, name)

        def recorded(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            seen.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(*args, **kw)

        monkeypatch.setattr(gallery_model, name, recorded)
    return seen


def test_new_scores_are_listed_and_read_off_the_ui_thread(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _gallery(tmp_path, pools=True) as model:
        model.set_query(GalleryQuery(match_only=True))  # photos scored >= 70: none yet
        assert model.ids == []
        every = sorted(p.id for p in Photo.select(Photo.id))
        high = every[::4]
        write_scores(1, every, np.where(np.isin(every, high), 90.0, 10.0))
        seen = _on_threads(monkeypatch)
        model.refresh_scores()
        assert model.ids == []  # the list as it was, until the new one arrives
        assert not [read for read in seen if read[1]]  # nothing read on the UI thread
        qtbot.waitUntil(lambda: model.ids == high, timeout=10_000)
        assert ("gallery_query_ids", False) in seen
        assert not [read for read in seen if read[1]]


def test_rows_on_screen_are_painted_as_they_were_until_re_read(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _gallery(tmp_path, pools=True) as model:
        model.read_visible(range(0, 10))
        first = model.ids[0]
        write_scores(1, [first], np.array([95.0]))
        seen = _on_threads(monkeypatch)
        model.refresh_scores()
        row = model.photo_row(0)  # the view paints: the row it had, asked for again
        assert row is not None and row.preference_score is None
        assert not [read for read in seen if read[1]]
        qtbot.waitUntil(
            lambda: (r := model.photo_row(0)) is not None and r.preference_score == 95.0,
            timeout=10_000,
        )
        assert not [read for read in seen if read[1]]


def test_without_pools_new_scores_are_listed_at_once(tmp_path: Path) -> None:
    with _gallery(tmp_path, pools=False) as model:
        model.set_query(GalleryQuery(match_only=True))
        every = sorted(p.id for p in Photo.select(Photo.id))
        write_scores(1, every[:3], np.array([90.0, 80.0, 10.0]))
        model.refresh_scores()
        assert model.ids == every[:2]
