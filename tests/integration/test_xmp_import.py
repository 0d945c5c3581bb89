"""`curator import` takes the ratings a library already has in its XMP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, decision_state, photo_id_for_path
from curator.paths import resolve_paths
from curator.pipeline.service import PipelineService, RunReport, RunRequest
from curator.records import ColorLabel
from curator.settings import load_settings
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, status_json
from tests.pools import pipeline_pools
from tests.xmp_helpers import bag, embed_in_jpeg, packet, write_sidecar

NS = 1_000_000_000
PAST = 1_500_000_000 * NS


def _by_name() -> dict[str, dict[str, object]]:
    return {Path(str(p["path"])).name: p for p in list_json()}


def _log() -> list[dict[str, object]]:
    with Catalog.open(resolve_paths().catalog):
        return decision_log()


def _label(path: Path) -> ColorLabel | None:
    with Catalog.open(resolve_paths().catalog):
        pid = photo_id_for_path(str(path))
        assert pid is not None
        return decision_state(pid).label


def test_sidecars_and_embedded_xmp_become_decisions_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 300, 200)
    write_sidecar(
        lib / "a.xmp",
        packet('xmp:Rating="4" xmp:Label="Red"', bag("dc:subject", ["Harbour", "Boats"])),
        PAST,
    )
    embed_in_jpeg(make_jpeg(lib / "b.jpg", 301, 200), packet('xmp:Rating="-1"'))
    make_jpeg(lib / "c.jpg", 302, 200)  # no XMP at all
    write_sidecar(lib / "d.jpg.xmp", packet('digiKam:PickLabel="3"'), PAST)
    make_jpeg(lib / "d.jpg", 303, 200)

    first = import_json(lib)
    assert first["new"] == 4 and first["xmp_applied"] == 3
    photos = _by_name()
    assert (photos["a.jpg"]["cull"], photos["a.jpg"]["rating"]) == ("kept", 4)
    assert {t["name"] for t in photos["a.jpg"]["tags"]} >= {"harbour", "boats"}  # type: ignore[attr-defined,index]
    assert photos["b.jpg"]["cull"] == "rejected"
    assert (photos["c.jpg"]["cull"], photos["c.jpg"]["rating"]) == ("unreviewed", None)
    assert (photos["d.jpg"]["cull"], photos["d.jpg"]["picked"]) == ("kept", True)
    assert _label(lib / "a.jpg") is ColorLabel.RED
    log = _log()
    assert log and {d["pass"] for d in log} == {"xmp"}

    # A re-import of the unchanged library writes nothing.
    again = import_json(lib)
    assert again["unchanged"] == 4 and again["xmp_applied"] == 0
    assert len(_log()) == len(log)

    # Lightroom changed a's rating after the import: the next import takes it.
    later = time.time_ns() + 3600 * NS
    write_sidecar(
        lib / "a.xmp",
        packet('xmp:Rating="2" xmp:Label="Red"', bag("dc:subject", ["Harbour", "Boats"])),
        later,
    )
    changed = import_json(lib)
    assert changed["xmp_applied"] == 1 and changed["unchanged"] == 4
    assert _by_name()["a.jpg"]["rating"] == 2
    assert [d["kind"] for d in _log()[len(log) :]] == ["rating"]


def test_a_library_rated_elsewhere_trains_the_taste_model_on_import(
    tmp_path: Path, tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    lib = tmp_path / "lib"
    lib.mkdir()
    t0 = datetime(2024, 7, 1, 8, 0, 0)
    for i in range(24):
        path = make_jpeg(
            lib / f"p{i:02d}.jpg",
            320 + 8 * i,
            240,
            captured_at=t0 + timedelta(minutes=5 * (i + 1)),
            pattern="texture" if i % 2 else "quadrants",
        )
        write_sidecar(path.with_suffix(".xmp"), packet(f'xmp:Rating="{i % 5 + 1}"'), PAST)
    result = import_json(lib)
    assert result["new"] == 24 and result["xmp_applied"] == 24
    assert result["stages"]["embed"] == {"done": 24}
    assert result["stages"]["score"]["new_model_version"] == 1
    assert result["stages"]["score"]["scored"] == 24
    taste = status_json()["taste"]
    assert taste["version"] == 1 and taste["samples"] == 24
    assert all(p["preference_score"] is not None for p in list_json())


def _service_run(
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    *,
    cancel: bool,
) -> RunReport:
    """Import a one-photo library whose XMP reading is held until the technical
    stage has finished; then release the reading, or cancel the run."""
    from curator.pipeline.stages import xmp as xmp_stage

    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 300, 200)
    write_sidecar(lib / "a.xmp", packet('xmp:Rating="4"'), PAST)
    release = threading.Event()

    def held(plan: xmp_stage.XmpPlan, should_stop: Callable[[], bool]) -> list[object]:
        while not (release.is_set() or should_stop()):
            release.wait(0.01)
        return [] if should_stop() else list(xmp_stage.read_xmp_plan(plan, should_stop))

    monkeypatch.setattr("curator.pipeline.prepare.read_xmp_plan", held)
    paths = resolve_paths()
    pools = pipeline_pools()
    with Catalog.open(paths.catalog):
        service = PipelineService(
            paths.catalog, paths.cache_dir, load_settings(paths.settings_file), pools
        )
        try:
            service.start(RunRequest(folder=str(lib), stages=("technical",)))
            qtbot.waitUntil(lambda: service.phase == "xmp", timeout=120_000)
            with qtbot.waitSignal(service.finished, timeout=120_000) as blocker:
                if cancel:
                    service.cancel()
                else:
                    release.set()
        finally:
            release.set()
            service.shutdown()
            for pool in pools.all():
                pool.waitForDone(60_000)
            service.deleteLater()
    report: RunReport = blocker.args[0]
    return report


def test_xmp_read_after_the_decoding_is_applied_when_it_arrives(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _service_run(tmp_path, qtbot, monkeypatch, cancel=False)
    assert not report.cancelled and report.counts["xmp_applied"] == 1
    assert _by_name()["a.jpg"]["rating"] == 4


def test_cancel_while_the_xmp_is_read_ends_the_run_and_loses_nothing(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        report = _service_run(tmp_path, qtbot, patched, cancel=True)
    assert report.cancelled and report.counts["new"] == 1
    assert report.counts["xmp_applied"] == 0
    assert _by_name()["a.jpg"]["rating"] is None
    # The next import takes the sidecar it did not get to.
    assert import_json(tmp_path / "lib", "--stages", "technical")["xmp_applied"] == 1
    assert _by_name()["a.jpg"]["rating"] == 4


def test_a_folder_darktable_only_imported_becomes_no_judgments(tmp_path: Path) -> None:
    golden = Path(__file__).resolve().parents[1] / "data" / "darktable" / "imported.jpg.xmp"
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(3):
        make_jpeg(lib / f"p{i}.jpg", 300 + i, 200)
        (lib / f"p{i}.jpg.xmp").write_bytes(golden.read_bytes())  # darktable's xmp:Rating="1"
    summary = import_json(lib, "--stages", "technical")
    assert summary["xmp_default_stars_skipped"] == 3
    assert all((p["cull"], p["rating"]) == ("unreviewed", None) for p in list_json())
    assert _log() == []  # not one decision: the cull pass still has all three
    from tests.integration.cli_helpers import run_cli

    make_jpeg(lib / "p9.jpg", 309, 200)
    (lib / "p9.jpg.xmp").write_bytes(golden.read_bytes())
    code, out, _ = run_cli("import", str(lib), "--no-progress", "--stages", "technical")
    assert code == 0 and "  1 darktable sidecars said 1 star" in out, out
