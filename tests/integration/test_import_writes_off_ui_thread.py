"""No catalog write of an import runs on the UI thread (issue 19 §1).

The end of the technical stage — photos whose files vanished marked missing,
the embed and describe stages marked `skipped` when CLIP's weights or Ollama
are absent — and the judgments' planning (the embedder's import and weights
check) ran on the UI thread: a 50-60 ms stall at the end of every import.
They run on the pipeline's writer thread now; the run's outcome is the same.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog, CatalogDatabase
from curator.catalog.models import Photo, Stage, StageRun, StageStatus
from curator.paths import resolve_paths
from curator.pipeline.phase import Phase
from curator.pipeline.service import PipelineService, RunRequest
from curator.settings import load_settings
from tests.pools import pipeline_pools
from tests.ui.conftest import make_library

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _main_thread_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The write statements the catalog runs on the main thread from now on."""
    seen: list[str] = []
    original = CatalogDatabase.execute_sql

    def execute_sql(self: CatalogDatabase, sql: str, *args: Any, **kwargs: Any) -> Any:
        on_main = threading.current_thread() is threading.main_thread()
        if on_main and sql.lstrip().upper().startswith(WRITES):
            seen.append(sql)
        return original(self, sql, *args, **kwargs)

    monkeypatch.setattr(CatalogDatabase, "execute_sql", execute_sql)
    return seen


def _on_main_thread(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, calls: list[str]
) -> None:
    original: Callable[..., Any] = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def test_the_end_of_the_technical_stage_writes_on_the_writer_thread(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import curator.ml.embedder as embedder

    paths = resolve_paths()
    lib = tmp_path / "lib"
    make_library(lib, 4)
    settings = load_settings(paths.settings_file)
    request = RunRequest(folder=str(lib))  # every stage: no CLIP weights, no Ollama here
    with Catalog.open(paths.catalog):
        service = PipelineService(paths.catalog, paths.cache_dir, settings, pipeline_pools())
        try:
            with qtbot.waitSignal(service.finished, timeout=120_000):
                service.start(RunRequest(folder=str(lib), stages=("technical",)))
            gone = sorted(lib.iterdir())[0]
            gone.unlink()  # the next import marks its photo missing
            make_library(lib, 2, first=10)
            os.mkfifo(lib / "card.jpg")  # a scan problem (never opened), logged with a reason
            writes = _main_thread_writes(monkeypatch)
            checks: list[str] = []
            _on_main_thread(monkeypatch, embedder, "weights_present", checks)
            with qtbot.waitSignal(service.finished, timeout=120_000) as blocker:
                service.start(request)
            report = blocker.args[0]
            assert service.phase_history[-3:] == [Phase.JUDGE, Phase.SCORE, Phase.IDLE]
            # What the run did is as before: one photo missing, both stages skipped
            # with their sentences, for every measured photo.
            assert report.error == "" and report.missing == 1
            assert len(report.scan_problems) == 1
            assert report.stages["embed"]["skipped"] == 6
            assert "CLIP" in str(report.stages["embed"]["reason"])
            assert report.stages["describe"]["skipped"] == 6
            assert report.stages["describe"]["reason"]
            missing = Photo.select().where(Photo.missing_since.is_null(False)).count()
            assert missing == 1
            for stage in (Stage.EMBED, Stage.DESCRIBE):
                skipped = StageRun.select().where(
                    (StageRun.stage == stage.value) & (StageRun.status == StageStatus.SKIPPED.value)
                )
                assert skipped.count() == 6, stage
            # …and none of it ran on the UI thread.
            assert writes == []
            assert checks == []  # the embedder's import and weights check: a worker's
        finally:
            service.shutdown()
            service.deleteLater()


def test_embeddings_and_descriptions_are_stored_on_the_writer_thread(
    tiny_clip: Path, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.llm_server import FakeOllama

    lib = tmp_path / "lib"
    make_library(lib, 3)
    with FakeOllama() as server:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", server.url)
        paths = resolve_paths()
        settings = load_settings(paths.settings_file)
        with Catalog.open(paths.catalog):
            service = PipelineService(paths.catalog, paths.cache_dir, settings, pipeline_pools())
            try:
                with qtbot.waitSignal(service.finished, timeout=120_000):
                    service.start(RunRequest(folder=str(lib), stages=("technical",)))
                writes = _main_thread_writes(monkeypatch)
                with qtbot.waitSignal(service.finished, timeout=120_000) as blocker:
                    service.start(RunRequest(stages=("embed", "describe")))
                report = blocker.args[0]
                assert report.stages["embed"] == {"done": 3}
                assert report.stages["describe"] == {"done": 3}
                assert writes == []
            finally:
                service.shutdown()
                service.deleteLater()
