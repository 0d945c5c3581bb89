"""The gallery costs a quick-look batch only its own rows (issue 19 §1): a
round-two batch (`reload_rows`) of a few photos is a read of those photos,
not of the ~200 rows around each, and every row still shows its new
thumbnail; a row changed off screen asks the thumbnail loader for nothing
until it is scrolled to, one on screen at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

import curator.ui.gallery.model as gallery_model
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery, GalleryRow
from curator.catalog.types import GallerySort
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageLoader
from curator.ui.gallery.view import GalleryView
from tests.ui.gallery_helpers import gallery_over_catalog

N = 300


@contextmanager
def _gallery(tmp_path: Path) -> Iterator[tuple[ImageLoader, gallery_model.GalleryListModel]]:
    """A catalog of N photos and the gallery model over it, with its loader."""
    with Catalog.open(tmp_path / "c.sqlite"):
        Photo.insert_many(
            [{"path": f"/lib/IMG_{i:04d}.jpg".encode(), "content_hash": f"h{i}"} for i in range(N)]
        ).execute()
        with gallery_over_catalog(tmp_path / "cache") as model:
            yield model.thumbnails, model


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The ids of each gallery row read from now on (gallery_rows), in order."""
    read: list[list[int]] = []
    real = gallery_model.gallery_rows

    def counted(ids: Iterable[int]) -> dict[int, GalleryRow]:
        listed = list(ids)
        read.append(listed)
        return real(listed)

    monkeypatch.setattr(gallery_model, "gallery_rows", counted)
    return read


def _shown_view(
    qtbot: QtBot,
    loader: ImageLoader,
    model: gallery_model.GalleryListModel,
    width: int,
    height: int,
) -> GalleryView:
    view = GalleryView(model, loader, ErrorReporter())
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_thumbnail_batch_rereads_only_its_rows(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _gallery(tmp_path) as (loader, model):
        assert model.rowCount() == N
        assert all(model.photo_row(r) is not None for r in range(N))  # all cached

        read = _count_reads(monkeypatch)
        changed = [model.ids[r] for r in (5, 150, 151, 298)]
        Photo.update(thumbnail_key="thumbs/new.jpg").where(Photo.id.in_(changed)).execute()
        model.reload_rows(changed)
        rows = [model.photo_row(r) for r in range(N)]
        keyed = {row.id for row in rows if row is not None and row.thumbnail_key}
        assert keyed == set(changed)  # every changed row shows its new thumbnail
        assert sorted(pid for ids in read for pid in ids) == sorted(changed), read
        loader.close()


def test_a_change_off_screen_asks_for_nothing_a_change_on_screen_does(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """A batch of rows changed off screen schedules no visible-range request
    (the rows are read when scrolled to); one on screen is asked for at once."""
    with _gallery(tmp_path) as (loader, model):
        view = _shown_view(qtbot, loader, model, 650, 400)
        timer = view._visible_timer  # the one pending request
        qtbot.waitUntil(lambda: not timer.isActive() and bool(view.visible_rows()))
        shown = view.visible_rows()
        assert shown.stop < N // 2  # the rows below are off screen (and a screen ahead)
        model.reload_rows([model.ids[N - 1]])
        assert not timer.isActive()
        model.reload_rows([model.ids[shown.start]])
        assert timer.isActive()
        qtbot.waitUntil(lambda: not timer.isActive())
        loader.close()


def test_rows_on_screen_are_asked_for_while_and_after_the_layout_runs_in_batches(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The grid lays rows out 500 per turn of the event loop. A request made
    between two batches read the rows not laid out yet as above the viewport and
    asked for no thumbnail at all; with nothing after it (the import's last
    change), measured tiles stayed grey until a scroll (seen in Xvfb under load)."""
    many = 1_200
    threads = QThreadPool()
    with Catalog.open(tmp_path / "c.sqlite"):
        Photo.insert_many(
            [
                {
                    "path": f"/lib/IMG_{i:04d}.jpg".encode(),
                    "content_hash": f"h{i}",
                    "thumbnail_key": f"thumbs/{i % 100:02d}/h{i}.jpg",
                }
                for i in range(many)
            ]
        ).execute()
        loader = ImageLoader(tmp_path / "cache", threads, ErrorReporter(), capacity=10)
        model = gallery_model.GalleryListModel(loader, ErrorReporter())
        view = GalleryView(model, loader, ErrorReporter())
        qtbot.addWidget(view)
        view.resize(650, 400)
        view.show()
        qtbot.waitExposed(view)
        model.set_query(GalleryQuery())  # a reset: laid out again, a batch at a time
        view.executeDelayedItemsLayout()  # the first batch only: rows 500.. have no cell
        assert not view.visualRect(model.index(many - 1)).isValid()
        shown = view.visible_rows()
        assert shown and shown.start == 0 and shown.stop < 500
        view._visible_timer.stop()
        view._request_visible()  # the request made mid-layout asks for the rows on screen
        wanted = {key.photo_id for key in loader._wanted.keys}
        assert {model.ids[r] for r in shown} <= wanted
        loader.request([])  # as if that request's keys were gone again: the layout's end asks
        qtbot.waitUntil(lambda: view.visualRect(model.index(many - 1)).isValid())
        qtbot.waitUntil(
            lambda: {model.ids[r] for r in shown} <= {k.photo_id for k in loader._wanted.keys}
        )
        loader.close()


def test_a_new_lists_first_paint_reads_the_tiles_it_paints_in_one_read(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter switch's first paint reads the rows of the tiles on screen,
    once, not `_WINDOW` rows around the first tile (100 rows: 7-9 ms of the
    switch on PostgreSQL at 100,000 photos, the tiles on screen ~3 ms); the
    thumbnails' request after it reads the screen ahead's rows, once."""
    with _gallery(tmp_path) as (loader, model):
        view = _shown_view(qtbot, loader, model, 1000, 700)
        qtbot.waitUntil(lambda: not view._visible_timer.isActive())
        read = _count_reads(monkeypatch)
        model.set_query(GalleryQuery(sort=GallerySort.FILE_NAME))  # a new list: nothing cached
        view.executeDelayedItemsLayout()
        view._visible_timer.stop()
        view.viewport().repaint()
        shown = view.visible_rows()
        assert 4 <= len(shown) < 50
        assert read == [[model.photo_id(r) for r in shown]]  # one read, the tiles painted
        view._request_visible()
        ahead = view.visible_rows(ahead_screens=1.0)
        assert len(read) == 2 and set(read[1]) == {model.photo_id(r) for r in ahead} - set(read[0])
        view.viewport().repaint()
        assert len(read) == 2  # painted again from the rows read
        loader.close()
