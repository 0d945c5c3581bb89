"""A PostgreSQL catalog's backup says how far it is and can be cancelled
(issue 51 §2): the progress advances page by page to exactly 100 %, with the
catalog's size; a cancel (the progress callback raising, as the window's
controller does) leaves no file at all, and the next backup is whole; the
window's `BackupController` runs it in a child process and turns it into
"Backing up the catalog (…): 40 %" sentences, and a cancel into a sentence;
`curator backup` says each tenth on stderr."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from curator.catalog import backup as backup_module
from curator.catalog import decisions
from curator.catalog.backends import copy as copy_module
from curator.catalog.backends.copy import catalog_tables
from curator.catalog.backends.pg_backup import BackupProgress
from curator.catalog.backup import check_backup, make_backup
from curator.catalog.db import Catalog
from curator.catalog.types import CullState
from curator.settings import Settings
from curator.ui.maintenance.backup_controller import CANCELLED, BackupController, BackupDone
from tests.coverage_helpers import good_photo
from tests.integration.cli_helpers import run_cli

PHOTOS = 12


@pytest.fixture
def pg_filled(pg_catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """A PostgreSQL catalog with photos and decisions; pages of 2 rows, so a
    backup has many; the rows a backup copies."""
    with Catalog.open(pg_catalog_url) as cat:
        ids = [good_photo(i) for i in range(1, PHOTOS + 1)]
        for pid in ids[:5]:
            decisions.set_cull(pid, CullState.KEPT)
        rows = sum(
            int(cat.db.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0])
            for t in catalog_tables(cat.db)
        )
    monkeypatch.setattr(copy_module, "PAGE", 2)
    return pg_catalog_url, rows


def test_the_backup_advances_page_by_page_to_exactly_100_percent(
    pg_filled: tuple[str, int], tmp_path: Path
) -> None:
    url, rows = pg_filled
    heard: list[BackupProgress] = []
    result = make_backup(
        tmp_path / "catalog.sqlite", tmp_path / "b", keep=3, source_url=url, progress=heard.append
    )
    check_backup(result.backup.path)
    first, last = heard[0], heard[-1]
    assert first.done == 0 and first.size > 0  # the size for the sentence, before any row
    assert last.done == last.total == 2 * rows and last.percent == 100  # copied and verified
    assert all(p.size == first.size for p in heard)
    done = [p.done for p in heard]
    assert done == sorted(done) and len(set(done)) > PHOTOS  # a page at a time
    percents = [p.percent for p in heard]
    assert percents == sorted(percents) and 100 not in percents[:-1]


class _Cancel(Exception):
    pass


def test_a_cancelled_backup_leaves_no_file_and_the_next_is_whole(
    pg_filled: tuple[str, int], tmp_path: Path
) -> None:
    url, _ = pg_filled
    folder = tmp_path / "b"

    def cancel_at_30(progress: BackupProgress) -> None:
        if progress.percent >= 30:
            raise _Cancel

    with pytest.raises(_Cancel):
        make_backup(
            tmp_path / "catalog.sqlite", folder, keep=3, source_url=url, progress=cancel_at_30
        )
    assert os.listdir(folder) == []  # no partial, no journal, no checksum
    made = make_backup(tmp_path / "catalog.sqlite", folder, keep=3, source_url=url)
    check_backup(made.backup.path)
    assert sorted(os.listdir(folder)) == sorted(
        [made.backup.path.name, made.backup.path.name + ".blake3"]
    )


def _controller(tmp_path: Path, url: str, qtbot: QtBot) -> BackupController:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    controller = BackupController(
        tmp_path / "catalog.sqlite", lambda: Settings(), pool, source_url=url
    )
    return controller


def test_the_window_hears_percent_sentences_and_a_cancel(
    pg_filled: tuple[str, int], tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = pg_filled

    def not_here(*_: object, **__: object) -> None:
        raise AssertionError("the PostgreSQL copy ran in the window's process")

    monkeypatch.setattr(backup_module, "make_backup", not_here)  # the child has its own
    controller = _controller(tmp_path, url, qtbot)
    said: list[str] = []
    controller.progressed.connect(said.append)
    with qtbot.waitSignal(controller.finished, timeout=60_000) as done:
        assert controller.back_up_now()
    result: BackupDone = done.args[0]
    assert result.error is None and result.result is not None
    assert said[-1].startswith("Backing up the catalog (") and said[-1].endswith(": 100 %")
    percents = [int(s.rsplit(": ", 1)[1].rstrip(" %")) for s in said]
    assert percents == sorted(percents) and len(percents) >= 2
    assert not controller.cancel()  # nothing runs now
    folder = controller.folder()
    before, before_said = sorted(os.listdir(folder)), list(said)
    with qtbot.waitSignal(controller.finished, timeout=60_000) as done:
        assert controller.back_up_now()
        assert controller.cancel()  # the child stops at its first page, its file made
    result = done.args[0]
    assert result.result is None and result.error == CANCELLED
    assert not any(s.endswith("100 %") for s in said[len(before_said) :])
    assert sorted(os.listdir(folder)) == before  # the cancelled one left nothing
    controller.shutdown()


def test_curator_backup_says_each_tenth_on_stderr(pg_filled: tuple[str, int]) -> None:
    url, _ = pg_filled
    code, out, err = run_cli("--catalog", url, "backup")
    assert code == 0, err
    lines = err.strip().splitlines()
    percents = [int(line.rsplit(": ", 1)[1].rstrip(" %")) for line in lines]
    assert percents[0] == 0 and percents[-1] == 100 and percents == sorted(set(percents))
    assert all(line.startswith("Backing up the catalog (") for line in lines)
    assert "verified" in out
    code, _, err = run_cli("--catalog", url, "backup", "--no-progress")
    assert code == 0 and err == ""
