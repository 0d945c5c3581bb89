"""The UI thread only paints: retraining, rescoring and regrouping run on a
worker, and the embedding snapshot the app hands them is immutable."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from curator.catalog import judgments
from curator.pipeline.stages import score
from curator.pipeline.stages.retrain import LiveEmbeddings, RetrainScheduler
from curator.pipeline.stages.score import ScoreJob, TasteReport, run_score_step
from curator.settings import Settings


def _pool() -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    return pool


def test_a_retrain_runs_off_the_ui_thread_with_the_apps_snapshot(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    seen: list[tuple[bool, object]] = []

    def fake_retrain(model: str, cache: object = None, **_: object) -> TasteReport:
        seen.append((threading.current_thread() is threading.main_thread(), cache))
        return TasteReport(3, 25, 0.5, 1.0, 10, "ok")

    monkeypatch.setattr(score, "retrain_and_rescore", fake_retrain)
    snapshot = score.EmbeddingSnapshot("m", (1, 2), np.zeros((2, 4), np.float32))
    pool = _pool()
    scheduler = RetrainScheduler(lambda: "m", pool, delay_ms=0, cache=lambda _m: snapshot)
    with qtbot.waitSignal(scheduler.retrained, timeout=30_000) as done:
        scheduler.note_decision()
    pool.waitForDone()
    assert seen == [(False, snapshot)]  # on the worker, with the snapshot
    assert done.args[0].version == 3


def test_a_failing_retrain_is_reported_and_the_next_one_still_runs(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    calls: list[int] = []

    def flaky(model: str, cache: object = None, **_: object) -> TasteReport:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk hiccup")
        return TasteReport(1, 20, None, 1.0, 5, "ok")

    monkeypatch.setattr(score, "retrain_and_rescore", flaky)
    pool = _pool()
    scheduler = RetrainScheduler(lambda: "m", pool, delay_ms=0)
    with qtbot.waitSignal(scheduler.retrained, timeout=30_000) as first:
        scheduler.note_decision()
    assert "Retraining failed" in first.args[0].message
    with qtbot.waitSignal(scheduler.retrained, timeout=30_000) as second:
        scheduler.note_decision()
    pool.waitForDone()
    assert second.args[0].version == 1 and not scheduler.pending


def test_live_embeddings_load_on_a_worker_and_snapshots_do_not_change(
    catalog: object, qtbot: QtBot
) -> None:
    from curator.catalog.models import Photo

    ids = [Photo.create(path=f"/p/{i}.jpg".encode(), content_hash=f"h{i}").id for i in range(3)]
    vectors = np.eye(3, 4, dtype=np.float32)
    judgments.store_embeddings("m", list(zip(ids[:2], vectors[:2], strict=True)))
    pool = _pool()
    live = LiveEmbeddings(pool)
    assert live.snapshot("m") is None  # not loaded yet: callers take the cold path
    with qtbot.waitSignal(live.loaded, timeout=30_000):
        live.ensure("m")
    first = live.snapshot("m")
    assert first is not None and list(first.ids) == ids[:2]
    live.add("m", [(ids[2], vectors[2])])  # the embed stage stored one more
    second = live.snapshot("m")
    assert second is not None and list(second.ids) == ids
    assert len(first.ids) == 2 and first.matrix.shape == (2, 4)  # the old one is unchanged
    assert live.snapshot("other-model") is None
    pool.waitForDone()


def test_the_score_step_reports_a_failing_part_and_runs_the_others(
    monkeypatch: pytest.MonkeyPatch, catalog: object
) -> None:
    def broken(model: str, settings: Settings) -> int:
        raise RuntimeError("bursts exploded")

    monkeypatch.setattr(score, "regroup_bursts", broken)
    result = run_score_step(ScoreJob("m", Settings(), None, tags=False))
    assert "Grouping bursts failed: bursts exploded" in result.error
    assert result.counts["bursts"] == 0 and result.scored == 0
