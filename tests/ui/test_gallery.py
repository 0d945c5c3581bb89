"""The gallery model and view: qtmodeltester, filters, visible-range thumbnail
loading, and a live import from the GUI that keeps scroll and selection."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from pytest import MonkeyPatch
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import set_cull
from curator.catalog.models import CullState
from curator.catalog.queries import GalleryFilter, GalleryQuery, GalleryRow, GallerySort
from curator.ui.gallery.model import PhotoIdRole, PhotoRole
from curator.ui.window.progress import StageProgress, stage_text
from tests.ui.conftest import make_library


def test_model_passes_qmodeltester_and_filters(
    library: Path, app: App, qtbot: QtBot, qtmodeltester: object
) -> None:
    model = app.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 9
    rows = [model.data(model.index(r), PhotoRole) for r in range(model.rowCount())]
    assert all(isinstance(r, GalleryRow) for r in rows)
    names = [r.file_name for r in rows]
    assert names[:8] == [f"IMG_{i:04d}.jpg" for i in range(8)] and names[8] == "broken.jpg"
    broken = rows[8]
    assert broken.failed and broken.failed_reason and broken.failed_reason.endswith(".")

    set_cull(rows[1].id, CullState.REJECTED)
    for which, expected in (
        (GalleryFilter.FAILED, ["broken.jpg"]),
        (GalleryFilter.REJECTED, ["IMG_0001.jpg"]),
        (GalleryFilter.KEPT, []),
        (GalleryFilter.UNREVIEWED, 7),  # not broken.jpg: failed photos have their lane
    ):
        app.window.filter_combo.setCurrentIndex(app.window.filter_combo.findData(which.value))
        got = [
            model.data(model.index(r), Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())
        ]
        assert (got == expected) if isinstance(expected, list) else len(got) == expected
        qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_thumbnails_load_for_the_visible_rows_only(tmp_path: Path, app: App, qtbot: QtBot) -> None:
    from tests.integration.cli_helpers import import_json

    lib = tmp_path / "many"
    make_library(lib, 40)
    import_json(lib, "--stages", "technical")
    app.model.refresh()
    view = app.window.gallery
    view.resize(700, 420)
    visible = view.visible_rows()
    assert 0 < len(visible) < 40
    qtbot.waitUntil(
        lambda: all(
            app.model.data(app.model.index(r), Qt.ItemDataRole.DecorationRole) for r in visible
        ),
        timeout=30_000,
    )
    # Visible plus one screen ahead were asked for, not all 40.
    assert app.thumbnails.loads < 40
    view.scrollToBottom()
    last = app.model.rowCount() - 1
    qtbot.waitUntil(
        lambda: app.model.data(app.model.index(last), Qt.ItemDataRole.DecorationRole) is not None,
        timeout=30_000,
    )


def test_import_from_the_gui_streams_into_the_gallery_keeping_the_selection(
    library: Path, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    model, view = app.model, app.window.gallery
    chosen = model.data(model.index(3), PhotoIdRole)
    view.selectionModel().setCurrentIndex(
        model.index(3), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    progress: list[StageProgress] = []
    app.pipeline.stage_progress.connect(progress.append)
    more = tmp_path / "more"
    make_library(more, 12, first=100)  # captured later: appended after the first eight
    make_library(more / "early", 1, first=-5)  # captured earlier: inserted before them
    with qtbot.waitSignal(app.pipeline.finished, timeout=60_000) as finished:
        assert app.window.start_import(str(more))
    assert model.rowCount() == 9 + 13
    assert "13 new" in finished.args[0]
    assert view.currentIndex().data(PhotoIdRole) == chosen  # selection survived the inserts
    assert [i.data(PhotoIdRole) for i in view.selectionModel().selectedIndexes()] == [chosen]
    measuring = [stage_text(p) for p in progress if p.stage == "technical"]
    assert any(re.fullmatch(r"Measuring \d+/13( · [\d.]+/s · ETA .+)?", t) for t in measuring)
    assert measuring[-1] == "Measuring ✓ 13"
    assert app.window.progress_label.text().startswith("Import finished")


def test_import_of_a_missing_folder_is_a_sentence_not_a_crash(app: App, tmp_path: Path) -> None:
    assert not app.window.start_import(str(tmp_path / "nowhere"))
    assert "Folder not found: there is no folder" in app.window.error_label.text()


def test_closing_mid_import_waits_for_in_flight_photos_and_loses_nothing(
    tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    """Closing mid-import leaves every photo either measured or quick-looked and
    `pending` (in the grid, nothing measured yet) — never failed or half-written —
    and the next import measures the pending ones, keeping a decision made on
    one of them meanwhile."""
    from curator.catalog.models import Photo, StageRun
    from tests.integration.cli_helpers import import_json

    lib = tmp_path / "big"
    make_library(lib, 30)
    # Wait for the first measured photo (not the synchronous "0/30" sentence), so
    # the close lands mid-import whatever the machine's load.
    with qtbot.waitSignal(
        app.pipeline.stage_progress,
        timeout=30_000,
        check_params_cb=lambda p: p.stage == "technical" and p.done > 0,
    ):
        app.window.start_import(str(lib))
    with qtbot.waitSignal(app.window.closed, timeout=60_000):
        app.window.close()
    assert not app.pipeline.running and not app.window.isVisible()
    report = app.pipeline.last_report
    assert report is not None and report.cancelled

    # The quick look put all 30 in the catalog before the first measurement.
    photos = {p.id: p for p in Photo.select()}
    assert len(photos) == 30
    runs = [(r.photo_id, r.stage, r.status) for r in StageRun.select()]
    technical = [(photo, s) for photo, stage, s in runs if stage == "technical"]
    assert sorted(photo for photo, _s in technical) == sorted(photos)  # one run each
    assert {s for _photo, stage, s in runs if stage != "technical"} <= {"done"}
    status = dict(technical)
    done = [i for i, s in status.items() if s == "done"]
    pending = [i for i, s in status.items() if s == "pending"]
    assert done and pending and len(done) + len(pending) == 30, status  # nothing failed
    for i in done:  # measured in full: its preview and its scores
        assert photos[i].preview_key and photos[i].metrics_source, photos[i].path
        assert photos[i].exposure_score is not None
    for i in pending:  # the quick look only: a thumbnail, nothing measured
        assert photos[i].thumbnail_key and photos[i].content_hash
        assert photos[i].preview_key is None and photos[i].metrics_source is None
        assert photos[i].exposure_score is None

    # A decision on a pending photo, then the next import measures the rest.
    set_cull(pending[0], CullState.KEPT)
    resumed = import_json(lib, "--stages", "technical")
    assert resumed["failed"] == 0 and resumed["new"] == len(pending), resumed
    assert {r.status for r in StageRun.select()} == {"done"}
    assert Photo.select().count() == 30
    measured = Photo.get_by_id(pending[0])
    assert measured.preview_key and measured.exposure_score is not None
    assert measured.cull == CullState.KEPT.value  # the decision survived the measurement


def test_cancel_while_scanning_drops_the_scan_and_writes_nothing(
    tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    from curator.catalog.models import Photo

    lib = tmp_path / "lib"
    make_library(lib, 5)
    with qtbot.waitSignal(app.pipeline.completed, timeout=30_000) as completed:
        assert app.window.start_import(str(lib))
        assert app.pipeline.service.phase == "prepare"  # scanning, off the UI thread
        app.pipeline.cancel()
    assert completed.args[0].cancelled
    # Let the dropped scan finish: its result must start nothing.
    prepare_pool = app.pipeline.service.pools.prepare
    qtbot.waitUntil(lambda: prepare_pool.activeThreadCount() == 0, timeout=30_000)
    qtbot.wait(0)
    assert not app.pipeline.running
    assert Photo.select().count() == 0


def test_the_first_page_paints_before_the_rest_of_the_list_loads(
    library: Path, app: App, qtbot: QtBot, qtmodeltester: object
) -> None:
    """Opening lists one screenful (issue 21 §1: a 100k catalog must not hold the
    first paint); the rest follows after the grid paints, appended in order."""
    model, view = app.model, app.window.gallery
    query = model.query
    full = model.ids
    model.set_query(query, first_rows=3)
    assert model.rowCount() == 3 and model.rest_pending
    assert [model.photo_id(r) for r in range(3)] == full[:3]
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    view.viewport().repaint()  # the first paint schedules the rest
    qtbot.waitUntil(lambda: model.rowCount() == len(full))
    assert not model.rest_pending and inserted == [(3, len(full) - 1)]
    assert [model.photo_id(r) for r in range(model.rowCount())] == full
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_a_new_filter_lists_its_first_page_and_reads_the_rest_off_the_ui_thread(
    library: Path, app: App, qtbot: QtBot, qtmodeltester: object, monkeypatch: MonkeyPatch
) -> None:
    """The toolbar's filter or sort lists one screenful at once; the whole list
    is read on the lists pool after the paint and appended (issue 34 §6: on
    PostgreSQL a 100k-id list holds the UI thread 55-200 ms)."""
    from curator.ui.gallery import model as gallery_model

    model, view = app.model, app.window.gallery
    full = model.ids
    monkeypatch.setattr(gallery_model, "FIRST_ROWS", 3)
    threads: list[bool] = []
    real = gallery_model.gallery_query_ids

    def recording(q: GalleryQuery, limit: int | None = None) -> list[int]:
        threads.append(limit is None and threading.current_thread() is not threading.main_thread())
        return real(q, limit)

    monkeypatch.setattr(gallery_model, "gallery_query_ids", recording)
    sort = app.window.filter_bar.sort_combo
    sort.setCurrentIndex(sort.findData(GallerySort.FILE_NAME.value))
    assert model.rowCount() == 3 and model.rest_pending  # the first page only, at once
    assert threads == [False]  # one read: the first page, on the UI thread
    by_name = model.query
    view.viewport().repaint()
    qtbot.waitUntil(lambda: not model.rest_pending)
    assert threads == [False, True]  # the whole list: one read, on a pool thread
    assert [model.photo_id(r) for r in range(model.rowCount())] == real(by_name)
    assert sorted(model.ids) == sorted(full)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_a_whole_list_that_arrives_late_is_dropped(
    library: Path, app: App, qtbot: QtBot, monkeypatch: MonkeyPatch
) -> None:
    """A list read for an earlier query, or after the list was completed on the
    UI thread, never lands: the rows stay those of what is shown now."""
    from curator.ui.gallery import model as gallery_model

    release, started = threading.Event(), threading.Event()
    real = gallery_model.gallery_query_ids

    def held(q: GalleryQuery, limit: int | None = None) -> list[int]:
        ids = real(q, limit)  # read now, delivered when released: a list gone stale
        if threading.current_thread() is not threading.main_thread():
            started.set()
            assert release.wait(30)
        return ids

    monkeypatch.setattr(gallery_model, "gallery_query_ids", held)
    monkeypatch.setattr(gallery_model, "FIRST_ROWS", 2)
    try:
        _late_lists_are_dropped(app, qtbot, held_reads=(started, release), real=real)
    finally:
        release.set()


def test_a_whole_list_whose_read_fails_is_read_once_more_on_the_ui_thread(
    library: Path, app: App, qtbot: QtBot, monkeypatch: MonkeyPatch
) -> None:
    """A failed read off the UI thread (a server restarting) is tried once more
    where an error that persists is shown; the list completes, nothing loops."""
    from curator.ui.gallery import model as gallery_model

    model, view = app.model, app.window.gallery
    full = model.ids
    real = gallery_model.gallery_query_ids
    reads: list[str] = []

    def flaky(q: GalleryQuery, limit: int | None = None) -> list[int]:
        on_pool = threading.current_thread() is not threading.main_thread()
        reads.append("pool" if on_pool else "ui")
        if on_pool:
            raise OSError("server closed the connection unexpectedly")
        return real(q, limit)

    monkeypatch.setattr(gallery_model, "gallery_query_ids", flaky)
    monkeypatch.setattr(gallery_model, "FIRST_ROWS", 2)
    model.show_query(GalleryQuery())
    view.viewport().repaint()
    qtbot.waitUntil(lambda: not model.rest_pending)
    assert model.ids == full
    assert reads == ["ui", "pool", "ui"]  # the first page, the failed read, once more


def _late_lists_are_dropped(
    app: App,
    qtbot: QtBot,
    held_reads: tuple[threading.Event, threading.Event],
    real: Callable[[GalleryQuery], list[int]],
) -> None:
    model, view, lists = app.model, app.window.gallery, app.window.pools.lists
    started, release = held_reads
    # 1. A read of the unreviewed pass in flight, then the user lists everything by name.
    model.show_query(GalleryQuery(cull="unreviewed"))
    view.viewport().repaint()
    qtbot.waitUntil(started.is_set)
    by_name = GalleryQuery(sort=GallerySort.FILE_NAME)
    model.show_query(by_name)
    named = real(by_name)
    assert len(named) > len(real(GalleryQuery(cull="unreviewed")))  # a wrong landing shows
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    release.set()
    qtbot.waitUntil(lambda: lists.activeThreadCount() == 0)
    qtbot.wait(50)  # the late delivery is handled (and dropped)
    # Nothing, or (a paint asked for it) the name order's own rest in one append.
    assert inserted in ([], [(2, len(named) - 1)])
    assert [model.photo_id(r) for r in range(model.rowCount())] in (named[:2], named)
    # 2. A read in flight while a row beyond the first page is asked for: the
    # list completes on the UI thread, and a decision then takes a photo out of
    # the pass; the read, older than both, lands on nothing.
    release.clear()
    started.clear()
    unreviewed = GalleryQuery(cull="unreviewed")
    model.show_query(unreviewed)
    view.viewport().repaint()
    qtbot.waitUntil(started.is_set)
    listed = real(unreviewed)
    assert model.row_for(listed[-1]) == len(listed) - 1  # completes synchronously
    set_cull(listed[-1], CullState.KEPT)
    model.refresh([listed[-1]])
    assert model.ids == listed[:-1]
    inserted.clear()
    release.set()
    qtbot.waitUntil(lambda: lists.activeThreadCount() == 0)
    qtbot.wait(50)
    assert inserted == [] and model.ids == listed[:-1]


def test_asking_for_a_photo_beyond_the_first_page_completes_the_list(
    library: Path, app: App
) -> None:
    model = app.model
    full = model.ids
    model.set_query(model.query, first_rows=2)
    assert model.rowCount() == 2
    assert model.row_for(full[-1]) == len(full) - 1  # completes synchronously
    assert model.rowCount() == len(full) and not model.rest_pending
    model.set_query(model.query, first_rows=len(full) + 5)  # all of it fits
    assert model.rowCount() == len(full) and not model.rest_pending
