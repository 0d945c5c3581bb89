"""The grid does not move when a watch's frame lands (its layout runs in batches
of 500 rows), and a grid scrolled to its end stays there as frames arrive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.ui.common.guard import ErrorReporter
from curator.ui.gallery.model import GalleryListModel
from curator.ui.gallery.scroll_hold import LAYOUT_BATCH
from curator.ui.gallery.view import GalleryView
from tests.ui.gallery_helpers import gallery_over_catalog

MANY = 3 * LAYOUT_BATCH  # past the first batch: the rows a jump went back to


def _photo(i: int) -> dict[str, object]:
    return {"path": f"/lib/IMG_{i:05d}.jpg".encode(), "content_hash": f"h{i}"}


@contextmanager
def _grid(
    tmp_path: Path, qtbot: QtBot, photos: int = MANY
) -> Iterator[tuple[GalleryListModel, GalleryView]]:
    """`photos` photos in a shown grid, fully laid out."""
    with Catalog.open(tmp_path / "c.sqlite"):
        if photos:
            Photo.insert_many([_photo(i) for i in range(photos)]).execute()
        with gallery_over_catalog(tmp_path / "cache") as model:
            view = GalleryView(model, model.thumbnails, ErrorReporter())
            qtbot.addWidget(view)
            view.resize(650, 400)
            view.show()
            qtbot.waitExposed(view)
            if photos:
                _laid_out(qtbot, view, model)
            yield model, view


def _laid_out(qtbot: QtBot, view: GalleryView, model: GalleryListModel) -> None:
    """Wait for the layout's last batch (the last row has a cell)."""
    qtbot.waitUntil(lambda: view.visualRect(model.index(model.rowCount() - 1)).isValid())


def _arrive(qtbot: QtBot, view: GalleryView, model: GalleryListModel, i: int) -> None:
    """A frame's photo lands at the end of the list; wait for its whole relayout."""
    pid = Photo.insert(_photo(i)).execute()
    model.insert_new([pid])
    assert model.row_for(pid) == model.rowCount() - 1
    _laid_out(qtbot, view, model)
    qtbot.wait(20)  # the turns after the last batch (a late scroll would show here)


def test_a_grid_scrolled_past_the_first_batch_stays_put_as_frames_arrive(
    tmp_path: Path, qtbot: QtBot
) -> None:
    with _grid(tmp_path, qtbot) as (model, view):
        bar = view.verticalScrollBar()
        bar.setValue(bar.maximum() // 2)  # around row 750
        position, first = bar.value(), view.visible_rows().start
        assert first > LAYOUT_BATCH
        for i in range(3):
            _arrive(qtbot, view, model, MANY + i)
            assert bar.value() == position  # it jumped back near row 500 before
            assert view.visible_rows().start == first


def test_a_grid_at_its_end_follows_the_frames_anywhere_else_it_does_not(
    tmp_path: Path, qtbot: QtBot
) -> None:
    with _grid(tmp_path, qtbot) as (model, view):
        bar = view.verticalScrollBar()
        bar.setValue(bar.maximum())
        end = bar.maximum()
        for i in range(12):  # more than a row of tiles: the range grows
            _arrive(qtbot, view, model, MANY + i)
            assert bar.value() == bar.maximum()
            assert model.rowCount() - 1 in view.visible_rows()  # the newest shows
        assert bar.maximum() > end
        bar.setValue(bar.maximum() - 200)  # the user scrolls up a little: no more following
        position = bar.value()
        for i in range(12, 24):
            _arrive(qtbot, view, model, MANY + i)
        assert bar.value() == position < bar.maximum() - 200


def test_a_screen_that_fits_is_followed_past_its_end_only_once_asked(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """An import's first photos stay in view as more arrive; a watch started on
    a grid that fits on the screen (`follow_if_at_end`) follows its frames."""
    with _grid(tmp_path, qtbot, photos=0) as (model, view):
        bar = view.verticalScrollBar()
        for i in range(40):  # past one screen (a few rows of tiles)
            _arrive(qtbot, view, model, i)
        assert bar.maximum() > 0 and bar.value() == 0  # not followed: the first photos show
        view.end_follower.follow_if_at_end()
        assert not view.end_follower.following  # the top of a longer list is not its end
    with _grid(tmp_path / "watch", qtbot, photos=0) as (model, view):
        bar = view.verticalScrollBar()
        view.end_follower.follow_if_at_end()  # a watch starts on the empty grid
        for i in range(40):
            _arrive(qtbot, view, model, i)
        assert bar.maximum() > 0 and bar.value() == bar.maximum()
        assert model.rowCount() - 1 in view.visible_rows()
