"""The cache folder removed (a cache cleaner, a new disk, a restored backup):
the grid, the filmstrip and the histogram fill from the photos' files
(issue 43 §1-§2)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App, seat_paths
from curator.imaging.cache import cache_path
from curator.imaging.rebuild import entry_state
from curator.paths import resolve_paths
from curator.settings import Settings
from curator.ui.gallery.flags import PhotoFlags
from curator.ui.gallery.model import FlagsRole, PhotoRole
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_library, running_app


def _tiles_real(app: App) -> bool:
    view, model = app.window.gallery, app.model
    rows = view.visible_rows()
    return bool(rows) and all(
        model.data(model.index(r), Qt.ItemDataRole.DecorationRole) is not None for r in rows
    )


def _imported(tmp_path: Path, count: int) -> Path:
    lib = tmp_path / "shoot"
    make_library(lib, count)
    assert import_json(lib, "--stages", "technical")["new"] == count
    return lib


def test_a_removed_cache_fills_the_grid_again(tmp_path: Path, qtbot: QtBot) -> None:
    _imported(tmp_path, 12)
    cache = resolve_paths().cache_dir
    assert any(cache.rglob("*.jpg"))
    shutil.rmtree(cache)
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: _tiles_real(app), timeout=60_000)
        model = app.model
        row = model.data(model.index(0), PhotoRole)
        assert row.thumbnail_key and entry_state(cache, row.thumbnail_key) == "ok"
        assert app.thumbnails.remade >= len(app.window.gallery.visible_rows())
        # the rest (previews too) follow in the background, then a sentence
        assert app.fill is not None
        qtbot.waitUntil(
            lambda: app.fill is not None and app.fill.report is not None, timeout=60_000
        )
        assert app.fill.report.failed == [] and app.fill.report.offline == []
        for r in range(model.rowCount()):
            photo = model.data(model.index(r), PhotoRole)
            assert entry_state(cache, photo.preview_key) == "ok"


def test_a_truncated_thumbnail_is_made_again_never_shown(tmp_path: Path, qtbot: QtBot) -> None:
    _imported(tmp_path, 3)
    cache = resolve_paths().cache_dir
    thumbs = sorted((cache / "thumbs").rglob("*.jpg"))
    whole = {p: p.read_bytes() for p in thumbs}
    for path, data in whole.items():
        path.write_bytes(data[: len(data) // 3])  # cut short: would paint half grey
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: _tiles_real(app), timeout=60_000)
        assert app.thumbnails.remade == 3
    assert all(entry_state(cache, str(p.relative_to(cache))) == "ok" for p in thumbs)


def test_an_offline_photo_says_so_instead_of_waiting(tmp_path: Path, qtbot: QtBot) -> None:
    lib = _imported(tmp_path, 4)
    cache = resolve_paths().cache_dir
    shutil.rmtree(cache)
    gone = sorted(lib.glob("*.jpg"))[0]
    os.rename(lib, tmp_path / "unplugged")  # the whole drive is gone
    with running_app(qtbot) as app:
        model = app.model

        def all_offline() -> bool:
            flags = [model.data(model.index(r), FlagsRole) for r in range(model.rowCount())]
            return len(flags) == 4 and all(isinstance(f, PhotoFlags) and f.offline for f in flags)

        qtbot.waitUntil(all_offline, timeout=60_000)
        assert gone.name in {model.data(model.index(r)) for r in range(4)}
        assert not any(cache_path(cache, "thumbs").rglob("*.jpg"))


def test_a_shared_cache_that_cannot_be_written_falls_back_to_the_seats_own(
    tmp_path: Path, qtbot: QtBot
) -> None:
    _imported(tmp_path, 3)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the shared cache should be")
    own = resolve_paths()
    paths, note = seat_paths(own, Settings(cache_folder=str(blocker / "cache")))
    assert paths.cache_dir == own.cache_dir
    assert note is not None and str(blocker / "cache") in note and "own folder" in note
    shutil.rmtree(own.cache_dir)
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: _tiles_real(app), timeout=60_000)


def test_the_loupe_and_its_histogram_fill_without_a_cache(tmp_path: Path, qtbot: QtBot) -> None:
    _imported(tmp_path, 4)
    shutil.rmtree(resolve_paths().cache_dir)
    with running_app(qtbot) as app:
        app.window.show_loupe()
        loupe = app.window.loupe
        qtbot.waitUntil(lambda: loupe.view.is_preview, timeout=60_000)  # the preview, made again
        tools = loupe.tools
        qtbot.waitUntil(lambda: tools.panel_histogram.histogram is not None, timeout=60_000)
        found = tools.current_analysis()
        assert found is not None and found.photo_id == app.session.current
        assert found.histogram.pixels > 10_000
