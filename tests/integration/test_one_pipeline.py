"""One pipeline: the CLI and the GUI run the same stages and leave the same
catalog; imports of one catalog never run at once; a failed write is reported."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.engine.lock import ImportLock
from curator.figures import FIGURES
from curator.paths import resolve_paths
from curator.pipeline.phase import Phase
from curator.pipeline.service import PipelineBusy, PipelineService, RunRequest
from curator.settings import load_settings
from tests.integration.cli_helpers import curator_subprocess, import_json, run_cli, status_json
from tests.pools import pipeline_pools
from tests.ui.conftest import make_library

PHASES = [
    Phase.PREPARE,
    Phase.QUICK_LOOK,
    Phase.TECHNICAL,
    Phase.XMP,
    Phase.FACES,
    Phase.JUDGE,
    Phase.SCORE,
]
PHOTO_COLUMNS = (
    "path, content_hash, size, format, width, height, orientation, captured_at, camera_make, "
    "camera_model, iso, preview_key, thumbnail_key, "
    + "".join(f"{f.name}, " for f in FIGURES)  # every stored figure, as declared
    + "cull, rating, picked, (SELECT score FROM photo_preference WHERE photo_id = photo.id),"
    " burst_group IS NOT NULL, burst_best"
)


def _snapshot(db_path: Path) -> dict[str, Any]:
    """The catalog's content, independent of ids and clocks."""
    con = sqlite3.connect(db_path)
    try:
        photos = sorted(con.execute(f"SELECT {PHOTO_COLUMNS} FROM photo").fetchall())
        runs = sorted(
            con.execute(
                "SELECT p.path, s.stage, s.status, s.stage_version, s.failure_reason "
                "FROM stage_run s JOIN photo p ON p.id = s.photo_id"
            ).fetchall()
        )
        errors = sorted(
            con.execute("SELECT stage, error_type, message, path FROM error_log").fetchall()
        )
        descriptions = sorted(
            con.execute(
                "SELECT p.path, d.subject, d.content_type FROM description d "
                "JOIN photo p ON p.id = d.photo_id"
            ).fetchall()
        )
        tags = sorted(
            con.execute(
                "SELECT p.path, t.name, pt.source, pt.confidence IS NOT NULL FROM photo_tag pt "
                "JOIN photo p ON p.id = pt.photo_id JOIN tag t ON t.id = pt.tag_id"
            ).fetchall()
        )
        embeddings = con.execute("SELECT count(*) FROM embedding").fetchone()[0]
    finally:
        con.close()
    return {
        "photos": photos,
        "runs": runs,
        "errors": errors,
        "descriptions": descriptions,
        "tags": tags,
        "embeddings": embeddings,
    }


def _library(root: Path) -> Path:
    lib = root / "lib"
    make_library(lib, 5)
    (lib / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (lib / "loop.jpg").symlink_to("loop.jpg")  # a link loop: failed with a reason
    return lib


def test_the_cli_and_the_gui_leave_the_same_catalog(
    tiny_clip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    from curator.app import build_app
    from tests.llm_server import FakeOllama

    with FakeOllama() as server:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", server.url)
        lib = _library(tmp_path)
        # The CLI's import, into one catalog…
        cli_home = tmp_path / "cli-home"
        monkeypatch.setenv("CURATOR_HOME", str(cli_home))
        result = import_json(lib)
        assert result["new"] == 5 and result["failed"] == 2
        # …and the GUI's, of the same folder, into another.
        gui_home = tmp_path / "gui-home"
        monkeypatch.setenv("CURATOR_HOME", str(gui_home))
        paths = resolve_paths()
        catalog = Catalog.open(paths.catalog)
        app = build_app(catalog, paths, load_settings(paths.settings_file))
        qtbot.addWidget(app.window)
        try:
            with qtbot.waitSignal(app.pipeline.completed, timeout=120_000):
                assert app.window.start_import(str(lib))
            # Every phase of the state machine, in its one order (pipeline/phase.py).
            assert app.pipeline.service.phase_history == [Phase.IDLE, *PHASES, Phase.IDLE]
        finally:
            app.shutdown()
            app.window.close()
            catalog.close()
    cli = _snapshot(cli_home / "catalog.sqlite")
    gui = _snapshot(gui_home / "catalog.sqlite")
    assert cli["embeddings"] == 5 and len(cli["descriptions"]) == 5
    assert any(tag[3] for tag in cli["tags"])  # CLIP tag confidences, in both
    assert len(cli["errors"]) == 2  # the broken file and the link loop, with reasons
    for key in cli:
        assert gui[key] == cli[key], key


def test_a_second_import_of_the_same_catalog_waits_its_turn(tmp_path: Path, qtbot: QtBot) -> None:
    lib = tmp_path / "lib"
    make_library(lib, 3)
    paths = resolve_paths()
    with Catalog.open(paths.catalog):
        pass
    held = ImportLock(paths.catalog)
    assert held.acquire()
    try:
        proc = curator_subprocess("import", str(lib), "--json", "--stages", "technical")
        stderr = proc.stderr
        assert stderr is not None
        # Released only once the second import says it waits (however long a busy
        # machine takes to start it): a fixed pause raced its start-up.
        said: list[str] = []

        def read_stderr() -> None:
            for line in iter(stderr.readline, ""):
                said.append(line)

        reader = threading.Thread(target=read_stderr)
        reader.start()
        qtbot.waitUntil(lambda: any("waiting for it" in line for line in said), timeout=120_000)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1)  # it waits while the first import holds the catalog
    finally:
        held.release()
    assert proc.stdout is not None
    out = proc.stdout.read()  # to its end: the import finished
    assert proc.wait(120) == 0, "".join(said)
    reader.join(30)
    assert '"new": 3' in out


def test_the_gui_is_told_when_another_import_runs(tmp_path: Path, qtbot: QtBot) -> None:
    paths = resolve_paths()
    lib = tmp_path / "lib"
    make_library(lib, 1)
    with Catalog.open(paths.catalog):
        held = ImportLock(paths.catalog)
        assert held.acquire()
        service = PipelineService(
            paths.catalog,
            paths.cache_dir,
            load_settings(paths.settings_file),
            pipeline_pools(),
        )
        try:
            with pytest.raises(PipelineBusy, match="Another Curator is importing"):
                service.start(RunRequest(folder=str(lib)))
            assert not service.running
        finally:
            held.release()
            service.deleteLater()


def test_the_decoder_children_serve_run_after_run(tmp_path: Path, qtbot: QtBot) -> None:
    # Issue 21 §1: a decoder child costs ~0.4 s CPU to start; the service starts
    # its children once and keeps them between runs (closed after a quiet spell).
    paths = resolve_paths()
    lib = tmp_path / "lib"
    make_library(lib, 2)
    with Catalog.open(paths.catalog):
        service = PipelineService(
            paths.catalog, paths.cache_dir, load_settings(paths.settings_file), pipeline_pools()
        )
        try:
            with qtbot.waitSignal(service.finished, timeout=120_000):
                service.start(RunRequest(folder=str(lib), stages=("technical",)))
            first = service.decoder_pids()
            assert first  # still running after the run
            make_library(lib, 2, first=2)
            with qtbot.waitSignal(service.finished, timeout=120_000) as blocker:
                service.start(RunRequest(folder=str(lib), stages=("technical",)))
            assert blocker.args[0].counts["new"] == 2
            assert set(service.decoder_pids()) == set(first)  # the same children measured them
        finally:
            service.shutdown()
            service.deleteLater()
        assert service.decoder_pids() == []


@pytest.mark.slow
def test_concurrent_imports_of_one_folder_lose_nothing_and_never_hang(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    make_library(lib, 24)
    procs = [
        curator_subprocess("import", str(lib), "--json", "--no-progress", "--stages", "technical")
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1][-500:] for o in outs]
    assert sum(json.loads(out)["new"] for out, _ in outs) == 24  # each photo imported once
    assert status_json()["photos"] == 24


def test_a_write_that_fails_is_reported_with_a_non_zero_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.catalog.writer import CatalogWriter

    lib = tmp_path / "lib"
    make_library(lib, 3)

    def broken(self: CatalogWriter, batch: object) -> object:
        raise sqlite3.IntegrityError("simulated constraint failure")

    with monkeypatch.context() as patched:
        patched.setattr(CatalogWriter, "apply_technical", broken)
        code, out, err = run_cli("import", str(lib), "--stages", "technical", "--no-progress")
    assert code == 1
    assert "3 not saved" in out
    assert "could not be saved" in err
    # Nothing was half-written: the next import measures all three.
    again = import_json(lib, "--stages", "technical")
    assert again["new"] == 3, again
    shutil.rmtree(lib)
