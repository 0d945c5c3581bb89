"""`curator previews`, `curator status` and `curator doctor` on the cache of
previews (issue 43 §3), and a restore onto a new machine (§5): backup →
restore into a fresh data folder → the previews are made again and the grid
fills."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.catalog.backup import list_backups
from curator.imaging.cache import cache_path, thumbnail_key
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json, run_cli
from tests.ui.conftest import make_library, running_app


def _previews(*extra: str) -> tuple[int, dict[str, object]]:
    code, out, err = run_cli("previews", "--json", *extra)
    assert code in (0, 1), err
    found: dict[str, object] = json.loads(out)
    return code, found


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    lib = tmp_path / "shoot"
    make_library(lib, 5)
    assert import_json(lib, "--stages", "technical")["new"] == 5
    return lib


def test_missing_rebuild_and_prune(shoot: Path) -> None:
    cache = resolve_paths().cache_dir
    assert _previews() == (0, _previews()[1]) and _previews()[1]["missing"] == 0
    shutil.rmtree(cache / "thumbs")
    preview = next((cache / "previews").rglob("*.jpg"))
    preview.write_bytes(preview.read_bytes()[:100])  # a truncated copy
    code, found = _previews("--missing")
    assert code == 1 and found["missing"] == 5 and found["photos"] == 5
    damaged = [p for p in found["photos_missing"] if p["damaged"]]  # type: ignore[union-attr]
    assert len(damaged) == 1 and damaged[0]["damaged"] == [str(preview.relative_to(cache))]

    code, out, _ = run_cli("status", "--json")
    assert code == 0 and json.loads(out)["previews_missing"] == 5
    code, out, _ = run_cli("status")
    assert "previews: 5 photos lack one" in out

    code, made = _previews("--rebuild")
    assert code == 0 and made["rebuilt"] == 5 and made["offline"] == [] and made["failed"] == []
    assert _previews() == (0, _previews()[1]) and _previews()[1]["missing"] == 0
    assert preview.read_bytes().endswith(b"\xff\xd9")

    stray = cache_path(cache, thumbnail_key("ab" * 32))
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"\xff\xd8 nobody's \xff\xd9")
    code, pruned = _previews("--prune")
    assert code == 0 and pruned["deleted"] == 1 and not stray.exists()
    assert _previews()[1]["missing"] == 0  # nothing a photo uses went


def test_rebuild_names_offline_photos_and_shows_progress(shoot: Path, tmp_path: Path) -> None:
    shutil.rmtree(resolve_paths().cache_dir)
    gone = sorted(shoot.glob("*.jpg"))[0]
    gone.rename(tmp_path / gone.name)
    code, out, err = run_cli("previews", "--rebuild")
    assert code == 1
    assert "Made 4 of 5 missing previews again" in out and "1 are offline" in out
    assert f"offline: {gone}" in out
    assert "previews" in err  # the progress bar on stderr


def test_doctor_names_the_cache_folder_and_its_state(shoot: Path) -> None:
    _code, out, _ = run_cli("doctor", "--json")
    check = json.loads(out)["cache_folder"]
    assert check["ok"] and str(resolve_paths().cache_dir) in check["message"]
    assert "writable" in check["message"]


def test_a_restore_on_a_new_machine_fills_the_grid(
    shoot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    code, _, err = run_cli("backup", "--to", str(tmp_path / "usb"))
    assert code == 0, err
    [backup] = list_backups(tmp_path / "usb", resolve_paths().catalog)
    monkeypatch.setenv("CURATOR_HOME", str(tmp_path / "new-laptop"))  # a fresh data folder
    code, _out, err = run_cli("restore", str(backup.path))
    assert code == 0, err
    fresh = resolve_paths().cache_dir
    assert not any(fresh.rglob("*.jpg"))
    assert _previews()[1]["missing"] == 5
    with running_app(qtbot) as app:
        model = app.model

        def filled() -> bool:
            rows = range(model.rowCount())
            return len(rows) == 5 and all(
                model.data(model.index(r), Qt.ItemDataRole.DecorationRole) is not None for r in rows
            )

        qtbot.waitUntil(filled, timeout=60_000)
    assert len(list((fresh / "thumbs").rglob("*.jpg"))) == 5
