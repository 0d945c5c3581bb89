"""Fixtures for GUI tests: a photo library imported through the real pipeline,
and the real app (catalog, services, main window) built by `curator.app`."""

from __future__ import annotations

import colorsys
import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shiboken6
from PIL import Image
from PySide6.QtCore import QEvent, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from curator.app import App, build_app, seat_paths
from curator.catalog.db import Catalog
from curator.paths import resolve_paths
from curator.settings import load_settings
from tests.imaging_helpers import exif_block
from tests.integration.cli_helpers import import_json

START = datetime(2024, 6, 1, 10, 0, 0)


def make_photo(path: Path, i: int, *, width: int = 480, height: int = 320) -> Path:
    """A colourful, distinct JPEG (hue by `i`, a disc whose place varies) with EXIF."""
    path.write_bytes(_photo_bytes(i, width, height))
    return path


@functools.lru_cache(maxsize=128)
def _photo_bytes(i: int, width: int, height: int) -> bytes:
    """The JPEG `make_photo` writes: the same bytes for the same arguments (the
    noise is seeded by `i`), so made once per session (a 2400 px one took ~1 s,
    3-4 s beside busy cores, and many tests make the same eight)."""
    r, g, b = colorsys.hsv_to_rgb((i * 0.13) % 1.0, 0.65, 0.9)
    cx, cy = width * (0.25 + 0.5 * ((i * 37) % 10) / 10), height * 0.5
    noise = np.random.default_rng(abs(i) + 1000 * (i < 0)).integers(0, 24, size=(height, width, 1))
    out8 = np.empty((height, width, 3), np.uint8)
    # Elementwise, so made a band of rows at a time (the same pixels as the whole
    # image at once, ~3 times faster for a 2400 px one: the bands stay in cache).
    for top in range(0, height, 64):
        rows = slice(top, min(height, top + 64))
        y, x = np.mgrid[rows, 0:width].astype(np.float32)
        shade = (0.55 + 0.45 * (x / width))[..., None]
        pixels = np.ones((*x.shape, 3), np.float32) * np.array([r, g, b]) * 255 * shade
        disc = (x - cx) ** 2 + (y - cy) ** 2 < (height * 0.22) ** 2
        pixels[disc] = 255 - pixels[disc]
        out8[rows] = np.clip(pixels + noise[rows], 0, 255).astype(np.uint8)
    image = Image.fromarray(out8)
    exif = exif_block(captured_at=START + timedelta(seconds=30 * i), model=f"Synthetic {i % 3}")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def make_library(folder: Path, count: int, *, first: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make_photo(folder / f"IMG_{i:04d}.jpg", i) for i in range(first, first + count)]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Eight photos plus one broken file, imported (technical stage) through the CLI."""
    lib = tmp_path / "lib"
    make_library(lib, 8)
    (lib / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    result = import_json(lib, "--stages", "technical")
    assert result["new"] == 8 and result["failed"] == 1, result
    return lib


def open_seat(location: str | None = None) -> tuple[App, Catalog]:
    """The real app over this process's catalog (CURATOR_HOME, or the PostgreSQL
    URL `location`), opened as `curator.app.main` opens it: a read-only seat
    too, and the seat's `cache_folder` setting honoured (`seat_paths`: a
    studio's shared previews, or the seat's own when that one fails)."""
    paths = resolve_paths(location)
    settings = load_settings(paths.settings_file)
    paths, _ = seat_paths(paths, settings)
    catalog = Catalog.open(paths.catalog_location, read_only_ok=paths.catalog_url is not None)
    return build_app(catalog, paths, settings), catalog


@contextmanager
def running_app(
    qtbot: QtBot, width: int = 1100, height: int = 760, *, location: str | None = None
) -> Iterator[App]:
    """The real app over this test's catalog (CURATOR_HOME, or the PostgreSQL URL
    `location`, opened as the app opens it: a read-only seat too), shown and
    focused; shut down and its catalog closed afterwards."""
    built, catalog = open_seat(location)
    # Not qtbot.addWidget: qtbot would deleteLater the window after this teardown,
    # so it died during the *next* test's event processing. `dispose` does it here.
    built.window.resize(width, height)
    built.window.show()
    qtbot.waitExposed(built.window, timeout=30_000)
    built.window.activateWindow()
    try:
        yield built
    finally:
        built.shutdown()  # timers, loaders, pipeline, pools drained (see App.shutdown)
        dispose(built.window)
        catalog.close()  # last: results queued before the drain may still read it


def dispose(widget: QWidget) -> None:
    """Close `widget`, deliver what is still queued for it, and delete it now.

    Call after everything that could post to it is stopped and drained. The
    events posted before the drain are delivered while its objects (and the
    catalog) are still alive; then the deletion happens here, not in a later
    test."""
    widget.close()
    QApplication.sendPostedEvents()
    QApplication.processEvents()
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(widget), "the widget outlived its test"


def close_catalog_host(host: Any, pool: QThreadPool) -> None:
    """A catalog switch's host and the app it holds now: stopped, its window
    disposed, its catalog let go, its pool drained (the switch tests and the
    stall watch's catalog changes)."""
    host.close()
    app = host.app
    if app is not None:
        app.shutdown()
        dispose(app.window)
    host.release()
    pool.waitForDone()


@pytest.fixture
def app(qtbot: QtBot) -> Iterator[App]:
    with running_app(qtbot) as built:
        yield built
