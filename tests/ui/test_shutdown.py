"""Shutdown in one order, and loaders that never touch a deleted QObject:
`close()` makes `request()` a no-op and drops late results; a crashed or
stuck decoder is a sentence in the loupe, never an app crash."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.queries import GalleryQuery, gallery_query_ids, gallery_rows, photo_details
from curator.engine.delivery import Delivery
from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerTimedOut
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageLoader
from curator.ui.gallery.listing import preview_key
from curator.ui.loupe.original_loader import OriginalLoader


class _Box(QObject):
    value = Signal(object)


def test_delivery_emits_nothing_once_closed_even_racing_threads() -> None:
    got: list[object] = []
    emitted = threading.Event()

    def emit(value: object) -> None:
        got.append(value)
        emitted.set()

    delivery = Delivery(emit)
    after_close: list[bool] = []

    def pump() -> None:
        while delivery.deliver(1):  # until closed (however late this thread starts)
            pass
        after_close.append(delivery.deliver(2))

    threads = [threading.Thread(target=pump) for _ in range(4)]
    for thread in threads:
        thread.start()
    assert emitted.wait(30)  # the threads are emitting
    delivery.close()
    count = len(got)
    for thread in threads:
        thread.join(30)
    assert len(got) == count and 2 not in got
    assert len(after_close) == 4 and not any(after_close)


def test_a_closed_delivery_never_touches_its_deleted_signal_owner() -> None:
    box = _Box()
    delivery = Delivery(box.value.emit)
    assert delivery.deliver("before")
    delivery.close()
    shiboken6.delete(box)
    assert not shiboken6.isValid(box)
    assert delivery.deliver("late") is False  # no "Signal source has been deleted"


def _loader_with_keys(app: App) -> tuple[ImageLoader, list[Any]]:
    rows = gallery_rows(gallery_query_ids(GalleryQuery()))
    keys = [k for r in rows.values() if (k := preview_key(r)) is not None]
    assert keys
    return app.previews, keys


def test_a_closed_image_loader_requests_nothing_and_drops_late_results(
    library: Path, app: App, qtbot: QtBot
) -> None:
    loader, keys = _loader_with_keys(app)
    app.window.show_loupe()
    ready: list[int] = []
    loader.image_ready.connect(ready.append)
    gate = threading.Event()
    pool = loader.threads
    for _ in range(pool.maxThreadCount()):
        pool.start(gate.wait)  # every thread busy: the loads queue up behind
    loader.request(keys)
    loads = loader.loads
    loader.close()
    loader.request(keys)
    assert loader.loads == loads  # a no-op after close
    gate.set()
    pool.waitForDone()
    QApplication.processEvents()
    assert ready == [] and loader.closed


def test_shutdown_stops_timers_closes_loaders_and_drains_pools(
    library: Path, app: App, qtbot: QtBot
) -> None:
    app.window.show_loupe()
    qtbot.waitUntil(lambda: app.window.loupe.view.is_preview, timeout=30_000)
    app.session.pick()  # starts the retrain debounce timer
    app.shutdown()
    pipeline = (app.pipeline, app.pipeline.made)

    def pipeline_owned(obj: QObject) -> bool:
        parent = obj.parent()
        while parent is not None and parent not in pipeline:
            parent = parent.parent()
        return parent is not None

    timers = [t for t in app.window.findChildren(QTimer) if not pipeline_owned(t)]
    assert timers and not any(t.isActive() for t in timers)
    assert app.thumbnails.closed and app.previews.closed and app.window.loupe.originals.closed
    assert all(pool.activeThreadCount() == 0 for pool in app.pools)
    loads = app.previews.loads
    app.window.loupe.session.move(1)  # would prefetch; the loaders are closed
    assert app.previews.loads == loads
    app.shutdown()  # idempotent


class _FailingChildren(ChildProcessPool):
    """A decoder pool whose child 'crashes' or 'hangs' (no process is started)."""

    def __init__(self, error: Exception):
        super().__init__(1)
        self.error = error

    def call(self, fn: Any, arg: Any, timeout: float | None = None) -> Any:
        raise self.error


def _original(library: Path) -> tuple[int, str]:
    pid = gallery_query_ids(GalleryQuery())[0]
    details = photo_details(pid)
    assert details is not None
    return pid, details.original_path


def test_a_crashed_or_stuck_decoder_is_a_sentence(library: Path, qtbot: QtBot) -> None:
    pid, path = _original(library)
    for error, phrase in (
        (WorkerCrashed(-11), "stopped while opening the original"),
        (WorkerTimedOut("no answer"), "took longer than"),
    ):
        pool = QThreadPool()
        errors = ErrorReporter()
        loader = OriginalLoader(pool, errors, children=_FailingChildren(error))
        reported: list[str] = []
        errors.reported.connect(reported.append)
        with qtbot.waitSignal(loader.original_failed, timeout=30_000) as failed:
            loader.request(pid, path)
        assert failed.args is not None and failed.args[0] == pid
        assert phrase in failed.args[1] and "preview" in failed.args[1]
        assert loader.image(pid) is None and not reported
        loader.shutdown()


def test_a_closed_original_loader_decodes_nothing(library: Path, qtbot: QtBot) -> None:
    pid, path = _original(library)
    pool = QThreadPool()
    loader = OriginalLoader(pool, ErrorReporter())
    loader.close()
    loader.request(pid, path)
    assert loader.loads == 0 and not loader.loading(pid)
    loader.shutdown()
