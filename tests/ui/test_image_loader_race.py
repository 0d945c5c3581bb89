"""The thumbnail loader's race: a key skipped as unwanted, wanted again before
the skip is delivered, must still be loaded (ui/common/image_loader.py)."""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageKey, ImageLoader
from tests.pools import make_pool


def test_a_thumbnail_skipped_then_wanted_again_is_loaded(tmp_path: Path, qtbot: QtBot) -> None:
    # During an import rows move under the grid: a tile's key leaves the wanted
    # set while its task waits, comes back before the skip is delivered (that
    # request sees it in flight and queues nothing) — the tile stayed grey until
    # the next scroll, measured tiles among them (seen under load in Xvfb).
    cache = tmp_path / "cache"
    keys = []
    for i in range(2):
        key = ImageKey(i + 1, f"thumbs/0{i}/{i}.jpg")
        (cache / key.cache_key).parent.mkdir(parents=True)
        Image.new("RGB", (32, 24), (40 * (i + 1), 0, 0)).save(cache / key.cache_key)
        keys.append(key)
    loader = ImageLoader(cache, make_pool(1), ErrorReporter(), capacity=10)
    gate = threading.Event()
    loader.threads.start(gate.wait)  # holds the one thread: the loads queue behind it
    try:
        loader.request([keys[0]])
        loader.request([keys[1]])  # the first tile scrolled away (rows inserted above)
        gate.set()
        loader.threads.waitForDone()  # first skipped, second loaded; nothing delivered yet
        loader.request(keys)  # both wanted: the first is still in flight, nothing queued
        qtbot.waitUntil(lambda: all(loader.pixmap(k) is not None for k in keys), timeout=30_000)
        assert loader.pixmap(keys[0]).width() == 32  # type: ignore[union-attr]
    finally:
        loader.shutdown()


def test_cache_bytes_are_read_as_jpeg_only_never_probed_by_other_plugins(
    tmp_path: Path, qtbot: QtBot
) -> None:
    # Probing every plugin ran the SVG plugin's QTextStream (a QObject::connect
    # under Qt's connection mutex) on a pool thread holding the GIL: a deadlock
    # with the main thread destroying a QObject (seen once in a full test run).
    import io

    from curator.ui.common.image_loader import decode_scaled

    jpeg, png = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(jpeg, "JPEG")
    Image.new("RGB", (64, 48), (200, 10, 10)).save(png, "PNG")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>'
    assert decode_scaled(jpeg.getvalue(), 32).size().width() == 32
    assert decode_scaled(png.getvalue(), 32).isNull()  # no other decoder is asked
    assert decode_scaled(svg, 32).isNull()


def test_warming_the_reader_types_logs_nothing(qtbot: QtBot) -> None:
    """The start-up warm-up of the readers' types (run before any pool task)
    reads a real 1 x 1 JPEG: asked for the size of no image, Qt 6.11's JPEG
    reader logged "Not a JPEG file" four times at every start."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from curator.ui.common.image_loader import incarnate_reader_types

    heard: list[str] = []

    def listen(kind: QtMsgType, _context: object, message: str) -> None:
        heard.append(message)

    previous = qInstallMessageHandler(listen)
    try:
        incarnate_reader_types()
    finally:
        qInstallMessageHandler(previous)
    assert heard == []
