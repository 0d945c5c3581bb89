"""The gallery model over a test's open catalog, with its pools, closed in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QThreadPool

from curator.catalog.queries import GalleryQuery
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageLoader
from curator.ui.gallery.model import GalleryListModel


def _one_thread_pool(wanted: bool) -> QThreadPool | None:
    if not wanted:
        return None
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    return pool


@contextmanager
def gallery_over_catalog(
    cache: Path, *, rows_pool: bool = False, lists_pool: bool = False
) -> Iterator[GalleryListModel]:
    """The open catalog's gallery model, every photo listed (`GalleryQuery()`),
    its thumbnails from `cache`, with a one-thread rows and/or lists pool; on
    exit the model is closed, its pools drained and its loader closed."""
    rows, lists = _one_thread_pool(rows_pool), _one_thread_pool(lists_pool)
    loader = ImageLoader(cache, QThreadPool(), ErrorReporter(), capacity=10)
    model = GalleryListModel(loader, ErrorReporter(), rows_pool=rows, lists_pool=lists)
    model.set_query(GalleryQuery())
    try:
        yield model
    finally:
        model.close()
        for pool in (rows, lists):
            if pool is not None:
                pool.waitForDone()
        loader.close()
