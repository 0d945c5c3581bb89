"""A decoder that really crashes fails one photo; a killed import resumes cleanly."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.writer import CatalogWriter
from curator.pipeline.service import RunRequest, make_process_pool, prepare
from curator.pipeline.stages.technical import STAGE_VERSION
from curator.pipeline.stages.technical_runner import RunSummary, TechnicalRunner, import_counts
from curator.settings import Settings
from tests.helpers import crash_on_marked_files
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import curator_subprocess, import_json, list_json
from tests.pools import make_pool


def test_a_crashing_decoder_fails_only_its_photo(tmp_path: Path, qtbot: QtBot) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(6):
        make_jpeg(lib / f"ok{i}.jpg", 400 + i, 300, pattern="texture" if i % 2 else "quadrants")
    make_jpeg(lib / "CRASHME.jpg", 400, 300)
    settings = Settings(decode_workers=2, max_attempts=2)
    with Catalog.open(tmp_path / "cat.sqlite") as catalog:
        plan = prepare(RunRequest(folder=str(lib)), settings, str(tmp_path / "cache")).plan
        assert plan is not None
        processes = make_process_pool(settings, plan)
        threads = make_pool(processes.size)
        runner = TechnicalRunner(
            CatalogWriter(catalog.db, STAGE_VERSION),
            processes,
            threads,
            max_attempts=settings.max_attempts,
            fn=crash_on_marked_files,
            backoff_ms=10,
        )
        try:
            with qtbot.waitSignal(runner.finished, timeout=60_000) as blocker:
                runner.start_plan(plan)
        finally:
            processes.close()
            threads.waitForDone()
        summary: RunSummary = blocker.args[0]
        assert import_counts(summary)["new"] == 6
        assert import_counts(summary)["failed"] == 1
        rows = catalog.db.execute_sql(
            "SELECT p.path, s.status, s.attempts, s.failure_reason FROM photo p "
            "JOIN stage_run s ON s.photo_id = p.id AND s.stage = 'technical'"
        ).fetchall()
        crashed = [r for r in rows if bytes(r[0]).endswith(b"CRASHME.jpg")]
        assert len(crashed) == 1
        _, status, attempts, reason = crashed[0]
        assert status == "failed" and attempts == 2  # retried once, then given up
        assert "crashed" in reason
        assert sum(1 for r in rows if r[1] == "done") == 6
        detail = catalog.db.execute_sql("SELECT detail FROM error_log").fetchone()[0]
        assert "SIGSEGV" in detail


def _count_rows(db_path: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        try:
            # Measured photos (a quick look's row waits as 'pending' until then).
            query = "SELECT count(*) FROM stage_run WHERE stage = 'technical' AND status = 'done'"
            return int(con.execute(query).fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_killing_the_cli_mid_import_loses_nothing(tmp_path: Path, curator_home: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    n = 40
    for i in range(n):
        make_jpeg(
            lib / f"img{i:03d}.jpg", 1600 + i, 1200, pattern="texture" if i % 2 else "quadrants"
        )
    catalog = curator_home / "catalog.sqlite"
    proc = curator_subprocess("import", str(lib), "--workers", "1", "--no-progress")
    deadline = time.monotonic() + 120
    while _count_rows(catalog) < 5:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "import made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    done_before = _count_rows(catalog)
    assert 5 <= done_before < n, "the kill must land mid-import"

    result = import_json(lib)
    assert result["found"] == n
    assert result["unchanged"] == done_before  # finished work was kept, not redone
    assert result["new"] == n - done_before
    photos = list_json()
    assert len(photos) == n
    assert len({p["content_hash"] for p in photos}) == n
    assert all(p["stages"]["technical"]["status"] == "done" for p in photos)


def test_ctrl_c_cancels_cooperatively_and_keeps_finished_work(
    tmp_path: Path, curator_home: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    n = 30
    for i in range(n):
        make_jpeg(lib / f"img{i:03d}.jpg", 1600 + i, 1200, pattern="texture")
    catalog = curator_home / "catalog.sqlite"
    proc = curator_subprocess("import", str(lib), "--workers", "1", "--json", "--no-progress")
    deadline = time.monotonic() + 120
    while _count_rows(catalog) < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    summary = json.loads(out)
    assert summary["cancelled"] is True
    assert 3 <= summary["new"] < n
    assert _count_rows(catalog) == summary["new"]  # everything reported was committed
