"""Edit ▸ Move Rejected to Trash…: confirmation with count and size (planned
on a worker), the files to the (temporary) OS trash, the gallery without them."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import curator.purge.run
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json, run_cli
from tests.ui.conftest import running_app


def _ids(paths: list[Path]) -> list[int]:
    with Catalog.open(resolve_paths().catalog):
        return [int(Photo.get(Photo.path == os.fsencode(str(p))).id) for p in paths]


def test_move_rejected_to_trash_from_the_edit_menu(
    qtbot: QtBot, library: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rejected = [library / "IMG_0001.jpg", library / "IMG_0002.jpg"]
    (library / "dup").mkdir()
    copy = Path(shutil.copy2(rejected[0], library / "dup" / "IMG_0001-copy.jpg"))
    assert import_json(library, "--stages", "technical")["duplicates"] == 1
    for path in rejected:
        assert run_cli("reject", str(path))[0] == 0
    gone_ids = _ids(rejected)
    size = sum(p.stat().st_size for p in (*rejected, copy))
    asked: list[str] = []
    plan_threads: list[threading.Thread] = []
    real_plan = curator.purge.run.plan_purge

    def plan_on_worker() -> Any:
        plan_threads.append(threading.current_thread())
        return real_plan()

    def answer_yes(_parent: object, _title: str, text: str, *_args: object) -> Any:
        from PySide6.QtWidgets import QMessageBox

        asked.append(text)
        return QMessageBox.StandardButton.Yes

    with (
        monkeypatch.context() as m,
        running_app(qtbot) as app,
    ):
        m.setattr(curator.purge.run, "plan_purge", plan_on_worker)
        m.setattr("PySide6.QtWidgets.QMessageBox.question", answer_yes)
        window = app.window
        assert set(gone_ids) <= set(app.model.ids)
        edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
        assert window.purge.action in edit.actions()

        window.purge.action.trigger()
        qtbot.waitUntil(lambda: window.purge.last_sentence.startswith("Moved"), timeout=60_000)
        qtbot.waitUntil(lambda: not set(gone_ids) & set(app.model.ids), timeout=30_000)

        assert plan_threads and threading.main_thread() not in plan_threads
        assert len(asked) == 1
        assert f"Move 2 rejected photos (3 files, {curator.purge.run.human_size(size)})" in asked[0]
        assert f"freeing {curator.purge.run.human_size(size)}" in window.purge.last_sentence
        assert len(app.model.ids) == 7  # 8 photos + the broken file, less the two
        assert window.purge.action.isEnabled()
    for path in (*rejected, copy):
        assert not path.exists()
        assert (os_trash / "files" / path.name).exists()
    with Catalog.open(resolve_paths().catalog):
        assert all(Photo.get_by_id(pid).deleted_at is not None for pid in gone_ids)


def test_cancelling_the_confirmation_moves_nothing(
    qtbot: QtBot, library: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rejected = library / "IMG_0003.jpg"
    assert run_cli("reject", str(rejected))[0] == 0
    asked: list[str] = []

    def answer_cancel(_parent: object, _title: str, text: str, *_args: object) -> Any:
        from PySide6.QtWidgets import QMessageBox

        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    with monkeypatch.context() as m, running_app(qtbot) as app:
        m.setattr("PySide6.QtWidgets.QMessageBox.question", answer_cancel)
        app.window.purge.action.trigger()
        qtbot.waitUntil(lambda: bool(asked), timeout=60_000)
        qtbot.waitUntil(lambda: app.window.purge.action.isEnabled(), timeout=30_000)
        assert _ids([rejected])[0] in app.model.ids
    assert rejected.exists() and not os_trash.exists()


def test_shutdown_mid_purge_stops_between_files_and_applies_what_went(
    qtbot: QtBot, library: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import send2trash

    rejected = [library / "IMG_0004.jpg", library / "IMG_0005.jpg"]
    for path in rejected:
        assert run_cli("reject", str(path))[0] == 0
    ids = dict(zip(rejected, _ids(rejected), strict=True))
    real = send2trash.send2trash
    started, release = threading.Event(), threading.Event()
    tried: list[Path] = []

    def slow_trash(path: str) -> None:
        tried.append(Path(path))
        started.set()
        assert release.wait(60), "the test never released the purge"
        real(path)

    def answer_yes(*_args: object) -> Any:
        from PySide6.QtWidgets import QMessageBox

        return QMessageBox.StandardButton.Yes

    with monkeypatch.context() as m, running_app(qtbot) as app:
        m.setattr(send2trash, "send2trash", slow_trash)
        m.setattr("PySide6.QtWidgets.QMessageBox.question", answer_yes)
        app.window.purge.action.trigger()
        qtbot.waitUntil(started.is_set, timeout=60_000)
        assert app.purge is not None
        app.purge.shutdown()  # what App.shutdown does first: stop between files
        release.set()
        app.shutdown()  # drains the pool: the purge has ended when this returns
    # The plan goes by photo id (an import's ids need not follow the names).
    assert len(tried) == 1
    went, stayed = tried[0], next(p for p in rejected if p != tried[0])
    assert not went.exists() and stayed.exists()
    with Catalog.open(resolve_paths().catalog):
        assert Photo.get_by_id(ids[went]).deleted_at is not None
        assert Photo.get_by_id(ids[stayed]).deleted_at is None
