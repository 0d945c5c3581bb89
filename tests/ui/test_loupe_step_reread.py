"""After a step of many photos (Accept the Rest, its undo) the loupe re-reads
the rows it shows on its rows pool, never on the UI thread, and shows the old
row until the new one is in; a key's few photos are re-read at once, so the
key's result shows with the next paint (issue 51's stall watch: a 219 ms
stall on PostgreSQL at 100,000 photos, the loupe's `pair_info` after accept)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.models import Photo
from curator.catalog.queries import GalleryRow
from curator.ui.loupe import page, row_cache
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name


def test_a_steps_many_photos_are_re_read_off_the_ui_thread_a_keys_at_once(
    library: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_on: list[tuple[bool, list[int]]] = []
    read = row_cache._read

    def recording(ids: list[int]) -> dict[int, GalleryRow]:
        read_on.append((threading.current_thread() is threading.main_thread(), list(ids)))
        return read(ids)

    monkeypatch.setattr(row_cache, "_read", recording)
    monkeypatch.setattr(page, "STEP_ROWS", 3)  # the library's eight photos make a step
    ids = sorted(photo_ids_by_name().values())
    with loupe_harness(qtbot) as h:
        current = h.session.current
        assert current is not None
        qtbot.waitUntil(lambda: h.page.rows.cached(current) is not None, timeout=10_000)
        Photo.update(cull="kept").execute()  # what an accept's worker wrote
        read_on.clear()
        h.session.decided_in_one_step(ids)
        assert not any(main for main, _ in read_on)
        assert h.page.rows.cached(current).cull != "kept"  # the old row, until the new one
        qtbot.waitUntil(lambda: h.page.rows.cached(current).cull == "kept", timeout=10_000)
        assert read_on and not any(main for main, _ in read_on)
        assert current in {pid for _, got in read_on for pid in got}

        Photo.update(cull="rejected").where(Photo.id == current).execute()
        read_on.clear()
        h.session.decided_in_one_step([current])  # a key's one photo: read now
        assert h.page.rows.cached(current).cull == "rejected"
        assert read_on and read_on[0][0]
