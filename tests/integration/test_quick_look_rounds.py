"""The quick look's two rounds (issue 19 §1): files without an embedded
thumbnail are listed first (in the grid at once, no pixels yet), then
decoded, the ones the grid shows first; a quick thumbnail never replaces a
measured one.

The order is read where files are handed to the decoder (`ThumbnailQueue.take`):
the writes that follow may merge several turns into one, announced in id
order (CI's busy write thread did), so `thumbnails_changed` cannot tell it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.paths_codec import decode_path
from curator.paths import resolve_paths
from curator.pipeline.phase import Phase
from curator.pipeline.service import PipelineService, RunRequest
from curator.pipeline.stages.quicklook import THUMBNAIL_CHUNK, ThumbnailQueue
from curator.settings import load_settings, save_changes
from tests.imaging_helpers import make_jpeg, quadrants
from tests.pools import pipeline_pools
from tests.raw_helpers import make_camera_jpeg

PLAIN = 12
WHEN = datetime(2024, 5, 6, 7, 8, 9)


def _record_takes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths round two hands to the decoder, in the order it takes them."""
    taken: list[str] = []
    take = ThumbnailQueue.take

    def recording(queue: ThumbnailQueue, n: int) -> tuple[str, ...]:
        paths = take(queue, n)
        taken.extend(paths)
        return paths

    monkeypatch.setattr(ThumbnailQueue, "take", recording)
    return taken


def _folder(root: Path) -> tuple[Path, list[Path], Path]:
    lib = root / "lib"
    lib.mkdir()
    plain = [
        make_jpeg(lib / f"plain_{i:02d}.jpg", 640, 480, captured_at=WHEN.replace(minute=i))
        for i in range(PLAIN)
    ]
    camera = make_camera_jpeg(lib / "camera.jpg", Image.fromarray(quadrants(900, 600)))
    return lib, plain, camera


def test_listed_first_then_decoded_with_the_preferred_files_first(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = _record_takes(monkeypatch)
    paths = resolve_paths()
    save_changes(paths.settings_file, {"decode_workers": 1})  # one child: a strict order
    lib, plain, camera = _folder(tmp_path)
    preferred = [str(p) for p in reversed(plain[-4:])]  # "on screen": the last four
    with Catalog.open(paths.catalog):
        service = PipelineService(
            paths.catalog, paths.cache_dir, load_settings(paths.settings_file), pipeline_pools()
        )
        listed: dict[str, str | None] = {}  # path -> thumbnail key when it reached the grid
        decoded: list[int] = []  # ids, in the order round two wrote them
        measured_before_decoded: list[int] = []

        def on_added(ids: list[int]) -> None:
            for photo in Photo.select().where(Photo.id.in_(ids)):
                listed[decode_path(photo.path)] = photo.thumbnail_key
            service.prefer_thumbnails(preferred)  # as the grid does while rows arrive

        def on_changed(ids: list[int]) -> None:
            if service.phase is Phase.TECHNICAL and len(decoded) < PLAIN:
                measured_before_decoded.extend(ids)

        service.photos_added.connect(on_added)
        service.thumbnails_changed.connect(decoded.extend)
        service.photos_changed.connect(on_changed)
        try:
            with qtbot.waitSignal(service.finished, timeout=180_000) as blocker:
                service.start(RunRequest(folder=str(lib), stages=("technical",)))
            assert not blocker.args[0].error
        finally:
            service.shutdown()
            service.deleteLater()
        # Round one: every file listed; only the camera JPEG came with a thumbnail.
        assert set(listed) == {str(p) for p in [*plain, camera]}
        assert listed[str(camera)] is not None
        assert all(listed[str(p)] is None for p in plain)
        # Round two: each plain file decoded once, the preferred ones first, in order.
        by_path = {decode_path(p.path): int(p.id) for p in Photo.select()}
        assert sorted(decoded) == sorted(by_path[str(p)] for p in plain)
        # The rows reach the grid before their files are queued for round two,
        # so what the grid says it shows is decoded first, however busy the
        # machine (CI once took a second turn while this thread was held up).
        assert sorted(taken) == sorted(str(p) for p in plain)  # each handed over once
        assert taken[:THUMBNAIL_CHUNK] == preferred, taken
        assert measured_before_decoded == []  # the measurement follows round two
        # Measured: each photo now shows the measurement's thumbnail.
        assert all(p.thumbnail_key and p.sharpness_score is not None for p in Photo.select())


def test_a_live_runs_look_decodes_the_preferred_files_first_too(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A watch's batch is decoded newest first; the tiles the grid shows
    (`prefer_thumbnails`) go before that: here the oldest four."""
    taken = _record_takes(monkeypatch)
    paths = resolve_paths()
    save_changes(paths.settings_file, {"decode_workers": 1})  # one child: a strict order
    _lib, plain, _camera = _folder(tmp_path)
    preferred = [str(p) for p in plain[:THUMBNAIL_CHUNK]]  # newest first: decoded last
    with Catalog.open(paths.catalog):
        service = PipelineService(
            paths.catalog, paths.cache_dir, load_settings(paths.settings_file), pipeline_pools()
        )
        decoded: list[int] = []
        service.photos_added.connect(lambda _ids: service.prefer_thumbnails(preferred))
        service.thumbnails_changed.connect(decoded.extend)
        try:
            service.start(RunRequest(live=True, stages=("technical",)))
            assert service.feed([str(p) for p in plain])  # one batch, before TECHNICAL
            by_path: dict[str, int] = {}

            def all_decoded() -> bool:
                by_path.update({decode_path(p.path): int(p.id) for p in Photo.select()})
                return len(by_path) == PLAIN and set(by_path.values()) <= set(decoded)

            qtbot.waitUntil(all_decoded, timeout=120_000)
            with qtbot.waitSignal(service.finished, timeout=120_000):
                service.end_feed()
        finally:
            service.shutdown()
            service.deleteLater()
        assert sorted(taken) == sorted(str(p) for p in plain)
        assert taken[:THUMBNAIL_CHUNK] == preferred, taken
        rest = [str(p) for p in reversed(plain[THUMBNAIL_CHUNK:])]
        assert taken[THUMBNAIL_CHUNK:] == rest, taken  # then newest first
