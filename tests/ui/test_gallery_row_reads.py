"""The gallery model re-reads only the rows a batch made stale (issue 19 §1):
a quick-look round-two batch (`reload_rows`) of a few photos costs a read of
those photos, not of the ~200 rows around each, and every row still shows
its new thumbnail."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

import curator.ui.gallery.model as gallery_model
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery, GalleryRow
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageLoader

N = 300


def test_a_thumbnail_batch_rereads_only_its_rows(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = QThreadPool()
    with Catalog.open(tmp_path / "c.sqlite"):
        Photo.insert_many(
            [{"path": f"/lib/IMG_{i:04d}.jpg".encode(), "content_hash": f"h{i}"} for i in range(N)]
        ).execute()
        loader = ImageLoader(tmp_path / "cache", threads, ErrorReporter(), capacity=10)
        model = gallery_model.GalleryListModel(loader, ErrorReporter())
        model.set_query(GalleryQuery())
        assert model.rowCount() == N
        assert all(model.photo_row(r) is not None for r in range(N))  # all cached

        read: list[list[int]] = []
        real = gallery_model.gallery_rows

        def counted(ids: Iterable[int]) -> dict[int, GalleryRow]:
            listed = list(ids)
            read.append(listed)
            return real(listed)

        monkeypatch.setattr(gallery_model, "gallery_rows", counted)
        changed = [model.ids[r] for r in (5, 150, 151, 298)]
        Photo.update(thumbnail_key="thumbs/new.jpg").where(Photo.id.in_(changed)).execute()
        model.reload_rows(changed)
        rows = [model.photo_row(r) for r in range(N)]
        keyed = {row.id for row in rows if row is not None and row.thumbnail_key}
        assert keyed == set(changed)  # every changed row shows its new thumbnail
        assert sorted(pid for ids in read for pid in ids) == sorted(changed), read
        loader.close()
