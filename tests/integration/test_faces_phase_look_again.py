"""The FACES phase's steps in order (pipeline.faces): the back-fill, then the
look again at a burst frame without a face beside frames with faces, then
the people step, then `ended` — and a cancelled run looks at nothing again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.models import Photo, PhotoFaces, Stage, StageRun, StageStatus
from curator.catalog.people.store import apply_faces
from curator.engine.progress import ProgressBoard
from curator.engine.stage_runner import StageGate
from curator.pipeline.faces import FacesPhase
from curator.pipeline.report import RunReport, RunRequest
from curator.pipeline.stages.faces import STAGE_VERSION
from curator.records import LOOKED_AGAIN, EyeState, Face, FacesFound, FacesSummary
from curator.settings import Settings
from tests.faces_helpers import installed_model
from tests.imaging_helpers import make_jpeg
from tests.pools import pipeline_pools

FACE = Face((0.4, 0.3, 0.1, 0.13), 140, True, EyeState.OPEN, None, 0.3, 70.0, True, 0.9)


class _InProcess:
    """The decoder children's `call`, in this process (the model is real)."""

    size = 1

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def call(self, fn: Callable[[Any], Any], request: Any, timeout_s: float) -> Any:
        self.calls.append(request)
        return fn(request)


def _frame(n: int, cache: Path) -> int:
    key = f"previews/{n}.jpg"
    (cache / "previews").mkdir(parents=True, exist_ok=True)
    make_jpeg(cache / key, 1440, 1080, pattern="texture")
    p = Photo.create(
        path=f"/shoot/IMG_{n:04d}.jpg".encode(),
        content_hash=f"{n:064x}",
        captured_at=datetime(2024, 6, 1, 12) + timedelta(seconds=n),
        camera_make="Canon",
        camera_model="EOS R5",
        width=1440,
        height=1080,
        preview_key=key,
    )
    StageRun.create(photo=p.id, stage=Stage.TECHNICAL.value, status=StageStatus.DONE.value)
    return int(p.id)


@pytest.fixture
def burst(catalog: object, tmp_path: Path) -> tuple[int, int, Path]:
    """A frame with a key face and, a second later, one where none was found."""
    installed_model()
    cache = tmp_path / "cache"
    faced, faceless = _frame(1, cache), _frame(2, cache)
    summary = FacesSummary(count=1, judged=1, key=1, eyes_open=True, key_sharpness=70.0)
    db = Photo._meta.database
    apply_faces(db, [(faced, FacesFound((FACE,), STAGE_VERSION, summary=summary))])
    apply_faces(db, [(faceless, FacesFound((), STAGE_VERSION))])
    return faced, faceless, cache


def _run(qtbot: QtBot, cache: Path, cancel: bool) -> tuple[RunReport, _InProcess]:
    pools = pipeline_pools()
    processes = _InProcess()
    phase = FacesPhase(pools, str(cache), ProgressBoard(lambda p: None), lambda: processes)  # type: ignore[arg-type, return-value]
    report = RunReport(RunRequest())
    try:
        with qtbot.waitSignal(phase.ended, timeout=60_000):
            phase.start(Settings(people_recognition=False), StageGate(), report)
            if cancel:
                phase.cancel()
        assert not phase.running
    finally:
        phase.close()
        for pool in pools.all():
            pool.waitForDone()
    return report, processes


def test_a_frame_without_a_face_beside_one_with_faces_is_looked_at_again(
    burst: tuple[int, int, Path], qtbot: QtBot
) -> None:
    _, faceless, cache = burst
    report, processes = _run(qtbot, cache, cancel=False)
    assert [r.photo_id for r in processes.calls] == [faceless]
    assert processes.calls[0].look_again == (FACE.box,)
    assert report.stages["faces"] == {"looked_again": 1}  # none found on a texture
    assert PhotoFaces.get_by_id(faceless).note == LOOKED_AGAIN
    report, processes = _run(qtbot, cache, cancel=False)  # the next run: not again
    assert processes.calls == [] and "looked_again" not in report.stages.get("faces", {})


def test_a_cancelled_run_looks_at_nothing_again(burst: tuple[int, int, Path], qtbot: QtBot) -> None:
    _, faceless, cache = burst
    report, processes = _run(qtbot, cache, cancel=True)
    assert processes.calls == [] and "looked_again" not in report.stages.get("faces", {})
    assert PhotoFaces.get_by_id(faceless).note is None  # still to look at again
