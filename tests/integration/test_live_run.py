"""A live run (a watched folder's: pipeline.live): files fed while it runs are
shown (quick look) and measured with their faces, taken in the order they
came, on the children it keeps; a RAW fed after its JPEG makes one photo; the same
bytes fed twice are one photo; it ends once its feed is closed and drained."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo, PhotoPath, Stage, StageRun, StageStatus
from curator.catalog.paths_codec import decode_path
from curator.paths import resolve_paths
from curator.pipeline.phase import Phase
from curator.pipeline.service import PipelineService, RunReport, RunRequest
from curator.records import TechnicalMeasurement
from curator.settings import load_settings
from tests.imaging_helpers import make_dng, make_jpeg
from tests.pools import pipeline_pools

WHEN = datetime(2024, 5, 6, 7, 8, 9)
LIVE = RunRequest(live=True, stages=("technical", "faces"))


@pytest.fixture
def service(curator_home: Path, qtbot: QtBot) -> Iterator[PipelineService]:
    paths = resolve_paths()
    settings = load_settings(paths.settings_file)
    with Catalog.open(paths.catalog):
        made = PipelineService(paths.catalog, paths.cache_dir, settings, pipeline_pools())
        try:
            yield made
        finally:
            made.shutdown()
            for pool in made.pools.all():
                pool.waitForDone()
            made.deleteLater()


def _frame(folder: Path, i: int) -> str:
    at = WHEN + timedelta(seconds=i)
    return str(make_jpeg(folder / f"IMG_{i:04d}.JPG", 96, 64, captured_at=at))


def _live_run(service: PipelineService, tmp_path: Path) -> tuple[Path, list[object]]:
    """A live run started over a fresh tether folder; what it measures, as said."""
    tether = tmp_path / "tether"
    tether.mkdir()
    measured: list[object] = []
    service.paths_measured.connect(measured.extend)
    service.start(LIVE)
    return tether, measured


def test_fed_files_are_shown_then_measured_in_order_and_the_run_ends_when_drained(
    service: PipelineService, qtbot: QtBot, tmp_path: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    listed: list[str] = []
    measured: list[str] = []
    service.paths_listed.connect(listed.extend)
    service.paths_measured.connect(lambda outs: measured.extend(o.path for o in outs))
    service.start(LIVE)
    assert service.running and service.phase is Phase.PREPARE
    first = [_frame(tether, i) for i in range(3)]
    assert service.feed(first)  # before TECHNICAL: kept until the runner is there
    qtbot.waitUntil(lambda: sorted(measured) == sorted(first), timeout=60_000)
    assert service.phase is Phase.TECHNICAL  # still open: more may come
    assert sorted(listed) == sorted(first)  # each shown before it was measured
    pids = service.decoder_pids()
    later = [_frame(tether, i) for i in range(3, 6)]
    for path in later:
        assert service.feed([path])
    qtbot.waitUntil(lambda: len(measured) == 6, timeout=60_000)
    # Started in the order they came (tests/unit/test_stage_runner_feed.py); two are
    # measured at once, so under load any of them may end first.
    assert sorted(measured[3:]) == later
    assert set(service.decoder_pids()) <= set(pids)  # no child started per frame
    with qtbot.waitSignal(service.finished, timeout=60_000) as done:
        service.end_feed()
    report: RunReport = done.args[0]
    assert report.counts["new"] == 6 and report.error == ""
    assert Phase.XMP in service.phase_history  # it ended as any run does
    assert not service.feed([_frame(tether, 9)])  # nothing takes files now
    faces = StageRun.select().where(
        (StageRun.stage == Stage.FACES.value) & (StageRun.status == StageStatus.DONE.value)
    )
    assert faces.count() == 6  # judged beside their measurement


def test_a_raw_after_its_jpeg_is_one_photo_and_a_copy_is_no_second(
    service: PipelineService, qtbot: QtBot, tmp_path: Path
) -> None:
    tether, measured = _live_run(service, tmp_path)
    jpeg = make_jpeg(tether / "DSC0001.JPG", 64, 48, captured_at=WHEN, pattern="texture")
    service.feed([str(jpeg)])
    qtbot.waitUntil(lambda: len(measured) == 1, timeout=60_000)
    raw = make_dng(tether / "DSC0001.DNG", 64, 48, captured_at=WHEN)
    copy = tether / "copy of DSC0001.JPG"
    shutil.copyfile(jpeg, copy)
    service.feed([str(raw), str(copy)])
    qtbot.waitUntil(lambda: len(measured) == 3, timeout=60_000)
    assert all(isinstance(o, TechnicalMeasurement) for o in measured)
    with qtbot.waitSignal(service.finished, timeout=60_000):
        service.end_feed()
    rows = {Path(decode_path(p.path)).name: p for p in Photo.select()}
    assert set(rows) == {"DSC0001.JPG", "DSC0001.DNG"}  # the copy: a second path of one photo
    assert rows["DSC0001.JPG"].pair_lead_id == rows["DSC0001.DNG"].id  # one tile
    assert [Path(decode_path(p.path)).name for p in PhotoPath.select()] == ["copy of DSC0001.JPG"]


def test_a_cancelled_live_run_ends_and_takes_nothing_more(
    service: PipelineService, qtbot: QtBot, tmp_path: Path
) -> None:
    tether, measured = _live_run(service, tmp_path)
    service.feed([_frame(tether, 1)])
    qtbot.waitUntil(lambda: len(measured) == 1, timeout=60_000)
    with qtbot.waitSignal(service.finished, timeout=60_000) as done:
        service.cancel()
    assert done.args[0].cancelled
    assert not service.feed([_frame(tether, 2)])
    assert Photo.select().count() == 1


def test_a_service_shut_down_starts_nothing_more(service: PipelineService) -> None:
    """A start asked after shutdown (a window's late signal: a watch's end
    asking for the back-fill while the app closes) starts no job: the pools
    are being drained, and a job started then outlived the app."""
    service.shutdown()
    service.start(RunRequest(stages=("faces",)))
    assert not service.running
